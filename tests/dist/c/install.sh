#!/bin/sh
# The C artifact as a user gets it: the tarball unpacked into WORK, and a program built
# against it through pkg-config, linked to the shared library and to the static one.
#   install.sh DIST WORK
set -eu
dist=$1 work=$2
tar -xzf "$dist"/c/socketio-emitter-c-*-linux-x86_64.tar.gz -C "$work"
PKG_CONFIG_PATH=$(echo "$work"/socketio-emitter-c-*/lib/pkgconfig)
export PKG_CONFIG_PATH
cp "$(dirname "$0")/emit.c" "$work/"
cd "$work"
# snippet: c-shared
cc emit.c $(pkg-config --cflags --libs socketio_emitter) -o emit-shared \
  -Wl,-rpath,"$(pkg-config --variable=libdir socketio_emitter)"
# end snippet
# snippet: c-static
cc emit.c $(pkg-config --cflags socketio_emitter) -o emit-static \
  "$(pkg-config --variable=libdir socketio_emitter)/libsocketio_emitter.a" \
  $(pkg-config --variable=native_libs socketio_emitter)
# end snippet
# The static program must not need our shared library at run time.
if ldd emit-static | grep -q socketio_emitter; then
  echo "emit-static links libsocketio_emitter.so" >&2
  exit 1
fi
