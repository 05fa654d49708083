#!/bin/sh
# Emits through both programs install.sh built; prints the events it emitted.
#   emit.sh WORK REDIS_URL
set -eu
"$1/emit-shared" "$2" dist-c-shared >/dev/null && echo dist-c-shared
"$1/emit-static" "$2" dist-c-static >/dev/null && echo dist-c-static
