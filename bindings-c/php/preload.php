<?php
// SPDX-License-Identifier: MIT
// Optional opcache.preload script for PHP-FPM: compiles the SocketIO classes once per
// pool. The C declarations come from `ffi.preload` (see the README); when PHP runs this
// script without opcache.preload_user, it can load them itself: set
// SOCKETIO_EMITTER_PRELOAD_FFI=1 (and SOCKETIO_EMITTER_LIB to use another library than the
// one the package carries).
declare(strict_types=1);

foreach (['EmitterException', 'Binary', 'Native', 'Args', 'Connection', 'Emitter', 'RemoteSocket', 'FetchedSockets',
    'AllRooms', 'ServerAcks', 'ClientAcks'] as $class) {
    require_once __DIR__ . "/src/$class.php";
}
if (getenv('SOCKETIO_EMITTER_PRELOAD_FFI') === '1') {
    SocketIO\Native::preload();
}
