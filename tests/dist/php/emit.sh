#!/bin/sh
# Emits from the installed package, as a script (no setting: the package finds its own
# library) and as PHP-FPM would load it (declarations preloaded with ffi.preload); prints
# the events it emitted.
#   emit.sh WORK REDIS_URL
set -eu
cd "$1/app"
export REDIS_URL="$2"
php emit.php dist-php
# snippet: php-preload-header
php vendor/socketio-emitter/socketio-emitter/bin/preload-header.php \
  vendor/socketio-emitter/socketio-emitter/lib/linux-x86_64/libsocketio_emitter.so socketio_emitter.h
# end snippet
php -d ffi.enable=preload -d ffi.preload="$PWD/socketio_emitter.h" emit.php dist-php-preload
