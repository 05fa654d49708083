#!/bin/sh
# Emits from the installed packages (ES module import, awaited emit); prints the event.
#   emit.sh WORK REDIS_URL
set -eu
cd "$1/app"
node emit.mjs "$2"
