#!/bin/sh
# Emits from the installed packages (ES module import, awaited emit), then once with the
# socketio-emit command the package installs (npx); prints the events.
#   emit.sh WORK REDIS_URL
set -eu
cd "$1/app"
node emit.mjs "$2"
printf '\001\002' > bytes.bin
./node_modules/.bin/socketio-emit --url "$2" emit node-cli '{"from":"node-cli"}' @bytes.bin --to dist >/dev/null
echo node-cli
