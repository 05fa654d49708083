#!/bin/sh
# Emits from the installed wheel, once blocking and once from asyncio; prints the events.
#   emit.sh WORK REDIS_URL
set -eu
cd "$1"  # not the repository: the import must come from the venv
"$1/venv/bin/python" emit.py "$2"
