#!/bin/sh
# Emits through the three programs install.sh built (the module's archive from the module
# cache, the same from vendor/, the C tarball's shared library); prints the events emitted.
#   emit.sh WORK REDIS_URL
set -eu
"$1/app/emit" "$2" dist-go >/dev/null && echo dist-go
"$1/app/emit-vendored" "$2" dist-go-vendored >/dev/null && echo dist-go-vendored
LD_LIBRARY_PATH=$(echo "$1"/socketio-emitter-c-*/lib) "$1/app/emit-pc" "$2" dist-go-pkgconfig >/dev/null \
  && echo dist-go-pkgconfig
