#!/bin/sh
# The npm packages as a user gets them: a new project installs both tarballs from dist/ (the
# main package takes the addon from the platform package; nothing is compiled). Without the
# platform package and without cargo, the install must fail and say what to do.
#   install.sh DIST WORK
set -eu
dist=$1 work=$2
here=$(cd "$(dirname "$0")" && pwd)
main=$(ls "$dist"/node/socketio-emitter-[0-9]*.tgz)
platform=$(ls "$dist"/node/socketio-emitter-linux-x64-gnu-*.tgz)
npm_install() { npm install --no-audit --no-fund --loglevel=error "$@"; }

mkdir "$work/no-prebuilt" && cd "$work/no-prebuilt" && npm init -y >/dev/null
if npm_install --omit=optional "$main" >out.txt 2>&1; then
  echo "installing without the prebuilt addon and without cargo succeeded" >&2
  exit 1
fi
grep -q "https://rustup.rs" out.txt || { cat out.txt >&2; exit 1; }

mkdir "$work/app" && cd "$work/app" && npm init -y >/dev/null
npm_install "$platform" "$main"
test ! -e node_modules/socketio-emitter/socketio-emitter.node  # not built here
cp "$here/emit.mjs" "$work/app/"
