<?php
// SPDX-License-Identifier: MIT
// Run as PHP-FPM would be configured: `ffi.enable=preload` and `ffi.preload=<header from
// bin/preload-header.php>`, optionally with opcache.preload=preload.php. The C
// declarations must come from the preloaded scope; run-time FFI::cdef must be refused.
declare(strict_types=1);

require_once dirname(__DIR__) . '/autoload.php';

$ok = FFI::scope('socketio_emitter') instanceof FFI;
try {
    FFI::cdef('int x;');
    $ok = false;
} catch (Throwable) {
}
$out = SocketIO\Emitter::offline()->to('room1')->encodeEmit('ev', 1);
$ok = $ok && $out['channel'] === 'socket.io#/#room1#';
$io = SocketIO\Emitter::connect($argv[1], ['persistent' => true]);
$ok = $ok && $io->emit('from-preload') >= 0;
$io->close();
echo $ok ? "preload: ok\n" : "preload: FAILED\n";
exit($ok ? 0 : 1);
