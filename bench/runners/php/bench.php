<?php
// The PHP runner of `make bench`, over bindings-c/php (FFI to libsocketio_emitter).
//   SOCKETIO_EMITTER_LIB=/path/libsocketio_emitter.so php bench.php URL PAYLOAD sync|queue SECONDS WARMUP
// PAYLOAD is small, json1k (decoded from bench/payloads.json into PHP arrays) or bin64k
// (a SocketIO\Binary). sync: emit() one at a time; queue: enqueue() until the time is up,
// then one flush(). Prints {"ops":N,"secs":S,"receivers":R,"cpu_s":C}: C is the process's
// CPU time (user + system, every thread: the library's I/O runs on its own) in the timed run.
declare(strict_types=1);

require __DIR__ . '/../../../bindings-c/php/autoload.php';

use SocketIO\Binary;
use SocketIO\Emitter;

const CHECK_EVERY = 128;

[$_, $url, $payload, $mode, $seconds, $warmup] = $argv;

if ($payload === 'bin64k') {
    $bytes = '';
    for ($i = 0; $i < 65536; $i++) {
        $bytes .= chr(($i * 31 + 7) % 256);
    }
    $arg = new Binary($bytes);
} else {
    $all = json_decode((string) file_get_contents(__DIR__ . '/../../payloads.json'), true);
    $arg = $all[$payload];
}

function run(Emitter $room, mixed $arg, string $mode, float $seconds): array
{
    $start = hrtime(true);
    $end = $start + (int) ($seconds * 1e9);
    $ops = 0;
    $receivers = 0;
    if ($mode === 'sync') {
        while (hrtime(true) < $end) {
            for ($i = 0; $i < CHECK_EVERY; $i++) {
                $receivers += $room->emit('bench', $arg);
            }
            $ops += CHECK_EVERY;
        }
    } else {
        while (hrtime(true) < $end) {
            for ($i = 0; $i < CHECK_EVERY; $i++) {
                $room->enqueue('bench', $arg);
            }
            $ops += CHECK_EVERY;
        }
        $receivers = $room->flush()['receivers'];
    }
    return ['ops' => $ops, 'secs' => (hrtime(true) - $start) / 1e9, 'receivers' => $receivers];
}

function cpuSeconds(): float
{
    $ru = getrusage();
    return $ru['ru_utime.tv_sec'] + $ru['ru_stime.tv_sec']
        + ($ru['ru_utime.tv_usec'] + $ru['ru_stime.tv_usec']) / 1e6;
}

$io = Emitter::connect($url);
$room = $io->to('room1');
run($room, $arg, $mode, (float) $warmup);
$cpuStart = cpuSeconds();
$result = run($room, $arg, $mode, (float) $seconds);
$result['cpu_s'] = cpuSeconds() - $cpuStart;
$io->close();
echo json_encode($result), "\n";
