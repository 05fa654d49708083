<?php
// SPDX-License-Identifier: MIT
// Writes the header for PHP's `ffi.preload` setting (PHP-FPM):
//   php bin/preload-header.php /usr/local/lib/libsocketio_emitter.so /etc/php/8.2/socketio_emitter.h
declare(strict_types=1);

require dirname(__DIR__) . '/autoload.php';

if ($argc !== 3) {
    fwrite(STDERR, "usage: php preload-header.php LIBRARY_PATH OUTPUT_FILE\n");
    exit(2);
}
file_put_contents($argv[2], SocketIO\Native::preloadHeader($argv[1]));
