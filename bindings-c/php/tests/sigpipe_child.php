<?php
// SPDX-License-Identifier: MIT
// The SIGPIPE child of faults.php: `php sigpipe_child.php REDIS_URL`. PHP's CLI ignores
// SIGPIPE; this child restores the default action (death), then enqueues and emits until
// its stdin reaches EOF while the parent kills and restarts Redis. Exit 0: only successes
// and typed errors were seen; 3: something else.
declare(strict_types=1);

require dirname(__DIR__) . '/autoload.php';

use SocketIO\Emitter;
use SocketIO\EmitterException;

if (function_exists('pcntl_signal')) {
    pcntl_signal(SIGPIPE, SIG_DFL);
    pcntl_sigprocmask(SIG_UNBLOCK, [SIGPIPE]);
} else {
    FFI::cdef('typedef void (*handler)(int); handler signal(int sig, handler h);', 'libc.so.6')->signal(13, null);
}
$status = file_get_contents('/proc/self/status');
if (preg_match('/^SigIgn:\s*([0-9a-f]+)/m', $status, $m) && (hexdec($m[1]) & (1 << 12)) !== 0) {
    fwrite(STDERR, "child: SIGPIPE is still ignored\n");
    exit(4);
}

$io = Emitter::connect($argv[1], ['connect_timeout_ms' => 300, 'response_timeout_ms' => 300,
    'reconnect_min_delay_ms' => 10, 'reconnect_max_delay_ms' => 50, 'reconnect_attempts' => 20,
    'queue_capacity' => 2000, 'queue_full' => 'error']);
fwrite(STDOUT, "ready\n"); // the parent stops Redis only once we are connected
fflush(STDOUT);
stream_set_blocking(STDIN, false);
$counts = [];
$unexpected = 0;
for ($i = 0; ; $i++) {
    if ($i % 64 === 0) {
        fread(STDIN, 1024);
        if (feof(STDIN)) {
            break;
        }
    }
    $code = 'OK';
    try {
        if ($i % 50 === 0) {
            $io->emit('blocking', $i);
        } elseif ($i % 500 === 1) {
            $io->flush(200);
        } else {
            $io->enqueue('queued', $i);
        }
    } catch (EmitterException $e) {
        $code = $e->getErrorCode();
    }
    if (in_array($code, ['OK', 'CONNECTION', 'TIMEOUT', 'QUEUE_FULL', 'FLUSH'], true)) {
        $counts[$code] = ($counts[$code] ?? 0) + 1;
    } elseif ($unexpected++ < 5) {
        fwrite(STDERR, "child: unexpected $code\n");
    }
    if ($code === 'QUEUE_FULL') {
        usleep(1000);
    }
}
try {
    $io->close(2000);
} catch (EmitterException $e) {
    if ($e->getErrorCode() !== 'FLUSH') {
        $unexpected++;
    }
}
fwrite(STDERR, 'child: ' . json_encode($counts) . "\n");
exit($unexpected === 0 ? 0 : 3);
