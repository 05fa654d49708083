#!/bin/sh
# Emits from the installed wheel, once blocking and once from asyncio, then once with the
# socketio-emit command the wheel installs; prints the events.
#   emit.sh WORK REDIS_URL
set -eu
cd "$1"  # not the repository: the import must come from the venv
"$1/venv/bin/python" emit.py "$2"
printf '\001\002' > bytes.bin
"$1/venv/bin/socketio-emit" --url "$2" emit python-cli '{"from":"python-cli"}' @bytes.bin --to dist >/dev/null
echo python-cli
