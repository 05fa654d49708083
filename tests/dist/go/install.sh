#!/bin/sh
# The Go module as a user gets it: a new module in WORK runs `go get` against a module proxy
# (the file:// tree make dist wrote, standing in for proxy.golang.org), then `go build`
# links the static library the module carries: no Rust, no libsocketio_emitter.so. It also
# builds from `go mod vendor`, and with -tags sioe_pkgconfig (the no-prebuilt way) against
# the C tarball of dist/.
#   install.sh DIST WORK
set -eu
dist=$(cd "$1" && pwd) work=$2
here=$(cd "$(dirname "$0")" && pwd)
command -v go >/dev/null || PATH=$PATH:/usr/local/go/bin
# Go's caches in WORK (a new user's), modules only from dist's proxy, no checksum database
# (the release is not in it yet), and no toolchain download.
export GOPATH="$work/gopath" GOCACHE="$work/gocache" GOMODCACHE="$work/gopath/pkg/mod" \
  GOPROXY="file://$dist/go/proxy" GOSUMDB=off GOFLAGS="-mod=mod -modcacherw" GOTOOLCHAIN=local
version=$(cat "$dist"/go/proxy/github.com/socketio-emitter/socketio-emitter/go/emitter/@v/list)

mkdir "$work/app" && cp "$here/emit.go" "$work/app/" && cd "$work/app"
go mod init example.com/dist-check 2>/dev/null
# snippet: go-get
go get github.com/socketio-emitter/socketio-emitter/go/emitter
# end snippet
grep -q "github.com/socketio-emitter/socketio-emitter/go/emitter $version\( //.*\)\?\$" go.mod \
  || { echo "go.mod does not require $version:" >&2; cat go.mod >&2; exit 1; }
go build -o emit .
# The program must not need our shared library at run time.
if ldd emit | grep -q socketio_emitter; then
  echo "emit links libsocketio_emitter.so" >&2
  exit 1
fi

# go mod vendor copies only the folders of imported packages: the header and the library
# must come along.
go mod vendor
go build -mod=vendor -o emit-vendored .
rm -r vendor

# The way for platforms with no prebuilt library: the C library installed (here the C
# tarball of dist/, the files `make -C bindings-c install` writes), found by pkg-config.
# Without it, the build must fail naming the library.
if PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR="$work/none" go build -tags sioe_pkgconfig -o emit-pc . >pc.txt 2>&1; then
  echo "built with -tags sioe_pkgconfig and no library installed" >&2
  exit 1
fi
grep -q "socketio_emitter.*not found" pc.txt || { cat pc.txt >&2; exit 1; }
tar -xzf "$dist"/c/socketio-emitter-c-*-linux-x86_64.tar.gz -C "$work"
prefix=$(echo "$work"/socketio-emitter-c-*)
# snippet: go-pkgconfig
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig" # prefix: where the library was installed
go build -tags sioe_pkgconfig -o emit-pc .     # the tag is only needed on linux/amd64
# end snippet
ldd emit-pc | grep -q libsocketio_emitter.so || { echo "emit-pc does not use the .so" >&2; exit 1; }
