#!/bin/sh
# The Python artifact as a user gets it: the wheel from dist/ installed into a new venv
# (no index: the package has no dependencies, and nothing may be compiled).
#   install.sh DIST WORK
set -eu
dist=$1 work=$2
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check --no-index --only-binary=:all: \
  "$dist"/python/socketio_emitter-*.whl
cp "$(dirname "$0")/emit.py" "$work/"
