<?php
// SPDX-License-Identifier: MIT
// The other server stacks, required by run.php (every test_* function runs): two Socket.IO
// servers on @socket.io/redis-streams-adapter 0.3.1 (`--adapter streams`, connection state
// recovery on), and two socket.io 2.5 servers on socket.io-redis 5.4 (`--stack
// socket.io-redis-5`), each harness started on first use and closed by run.php at the end.
// The blocks between "snippet:" and "end snippet" are the README's, word for word
// (tests/check_snippets.js compares them).
declare(strict_types=1);

use SocketIO\Binary;
use SocketIO\Emitter;
use SocketIO\EmitterException;

const STACK_DATE = '2023-11-14T22:13:20.123Z';

/** The harness of a stack, started on first use; $close shuts them all down. */
function stack_harness(string $name, bool $close = false): ?Harness
{
    static $harnesses = [];
    if ($close) {
        foreach ($harnesses as $h) {
            $h->close();
        }
        $harnesses = [];
        return null;
    }
    $args = ['streams' => ['--adapter', 'streams'], 'socket.io-redis-5' => ['--stack', 'socket.io-redis-5']][$name];
    return $harnesses[$name] ??= new Harness('--servers', '2', ...$args);
}

/** Runs $fn with a stack's harness; a failure prints its logs too. */
function with_stack(string $name, callable $fn): void
{
    $sh = stack_harness($name);
    try {
        $fn($sh, $sh->redisUrl);
    } catch (Throwable $e) {
        try {
            echo "----- $name harness logs -----\n" . $sh->logs(true) . "----- end -----\n";
        } catch (Throwable) {
        }
        throw $e;
    }
}

/** The arguments of every event $client received, in order. */
function args_of(array $lines, string $client): array
{
    return array_map(fn ($e) => $e[1], events($lines)[$client] ?? []);
}

/** Broadcast, a room, nested binary and a Date: the same on every stack. */
function broadcast_binary_date(Harness $sh, Emitter $root, string $nsp, int $receivers): array
{
    $sh->clients($nsp, ['st-a', 0, ['room1']], ['st-b', 1, []]);
    $io = $root->of($nsp);
    same($io->emit('hello', 'world', 42), $receivers, 'broadcast');
    same($io->to('room1')->emit('only-room1'), $receivers, 'room');
    $nested = ['file' => new Binary("\x01\x02\x03"), 'parts' => [new Binary("\x04"), 5]];
    same($io->emit('blob', new Binary("\xff\x00"), $nested), $receivers, 'binary');
    same($io->emit('date', new DateTimeImmutable('2023-11-14T23:13:20.123+01:00')), $receivers, 'date');
    $lines = $sh->flushAndTake();
    same(names(events($lines), 'st-a'), ['hello', 'only-room1', 'blob', 'date'], 'st-a');
    same(names(events($lines), 'st-b'), ['hello', 'blob', 'date'], 'st-b');
    $want = ['file' => ['$bytes' => '010203'], 'parts' => [['$bytes' => '04'], 5]];
    same(args_of($lines, 'st-b'), [['world', 42], [['$bytes' => 'ff00'], $want], [STACK_DATE]], 'arguments');
    return $lines;
}

function test_stacks_streams_broadcast_binary_date(Harness $h, string $url): void
{
    with_stack('streams', function (Harness $sh, string $url) {
        // snippet: streams
        $io = Emitter::connect($url, [
            'adapter' => 'streams',       // servers on @socket.io/redis-streams-adapter
            'streams_version' => '0.3',   // the default; '0.2' for adapter 0.1.x and 0.2.x
            'stream_name' => 'socket.io', // streamName
            'stream_count' => 1,          // streamCount (0.3 only)
            'max_len' => 10000,           // maxLen
            'key' => 'socket.io',         // channelPrefix
        ]);
        // end snippet
        $lines = broadcast_binary_date($sh, $io, '/php-st', 2);
        foreach ($lines as $l) {
            if ($l['type'] === 'event') {
                check(preg_match('/^\d+-\d+$/', (string) ($l['offset'] ?? '')) === 1, 'an event without its stream offset');
            }
        }
        // except works on streams servers.
        $sh->clients('/php-st-ex', ['st-keep', 0, ['r']], ['st-muted', 1, ['r', 'muted']]);
        same($io->of('/php-st-ex')->except('muted')->emit('not-muted'), 2, 'except');
        $ev = events($sh->flushAndTake());
        same([names($ev, 'st-keep'), names($ev, 'st-muted')], [['not-muted'], []], 'except');
        $io->close();
    });
}

function test_stacks_streams_recovery_replays_what_was_missed(Harness $h, string $url): void
{
    with_stack('streams', function (Harness $sh, string $url) {
        $sh->request(['cmd' => 'client', 'name' => 'st-csr', 'server' => 0, 'nsp' => '/php-csr', 'rooms' => ['r1'], 'recovery' => true]);
        $sh->clients('/php-csr', ['st-other', 1, ['r2']]);
        $io = Emitter::connect($url, ['adapter' => 'streams'])->of('/php-csr');
        $io->emit('before');
        $sh->flushAndTake();
        $sh->request(['cmd' => 'client_drop', 'name' => 'st-csr']);
        $io->emit('missed', 1);
        $io->to('r1')->emit('missed-room', new Binary("\x01\x02"));
        $io->to('r2')->emit('not-for-csr');
        same($sh->request(['cmd' => 'client_reconnect', 'name' => 'st-csr', 'server' => 1])['recovered'], true, 'recovered');
        $ev = events($sh->flushAndTake());
        same($ev['st-csr'] ?? [], [['missed', [1]], ['missed-room', [['$bytes' => '0102']]]], 'replayed');
        same(names($ev, 'st-other'), ['missed', 'not-for-csr'], 'the other client');
        $io->close();
    });
}

function test_stacks_socket_io_2_broadcast_binary_date_unsupported(Harness $h, string $url): void
{
    with_stack('socket.io-redis-5', function (Harness $sh, string $url) {
        // snippet: compat
        $io = Emitter::connect($url, ['compat' => 'socket.io-redis-5']); // socket.io 2.x servers
        try {
            $io->except('muted')->emit('news'); // these servers exclude socket ids only
        } catch (EmitterException $e) {
            $unsupported = $e->getErrorCode() === EmitterException::UNSUPPORTED; // nothing was published
        }
        // end snippet
        same($unsupported ?? null, true, 'except() threw UNSUPPORTED');
        same($e->getErrorCode(), EmitterException::UNSUPPORTED, 'code');
        same($e->getCode(), 15, 'status');
        check(str_starts_with($e->getMessage(), 'UNSUPPORTED: unsupported: except is not possible with socket.io-redis 5.x'),
            'message: ' . $e->getMessage());
        throwsCode('UNSUPPORTED', fn () => $io->serverSideEmit('server_event'));
        throwsCode('UNSUPPORTED', fn () => $io->to('room1')->socketsJoin('new'));
        broadcast_binary_date($sh, $io, '/php-io2', 2);
        // One socket, by its id (on socket.io 2 "<nsp>#<id>" off "/"), into one room: possible.
        $sid = $sh->request(['cmd' => 'client', 'name' => 'st-jn', 'server' => 0, 'nsp' => '/php-io2-jn'])['sid'];
        $sh->clients('/php-io2-jn', ['st-other', 1, []]);
        same($io->of('/php-io2-jn')->to($sid)->socketsJoin('new'), 2, 'socketsJoin by socket id');
        $io->of('/php-io2-jn')->to('new')->emit('in-new');
        $ev = events($sh->flushAndTake());
        same([names($ev, 'st-jn'), names($ev, 'st-other')], [['in-new'], []], 'joined');
        $io->close();
    });
}

function test_stacks_options_are_checked(Harness $h, string $url): void
{
    foreach ([['stream_name' => ''], ['stream_name' => 7], ['stream_count' => 0], ['stream_count' => 1025],
        ['stream_count' => -1], ['stream_count' => '2'], ['stream_count' => PHP_INT_MAX], ['max_len' => 0],
        ['max_len' => (1 << 40) + 1], ['max_len' => 1.5], ['streams_version' => '0.4'], ['streams_version' => 3],
        ['compat' => 'socket.io-redis-4'], ['compat' => 'Socket.io-redis-5'],
        // combinations: compat names a classic stack; 0.2 servers read one stream
        ['adapter' => 'streams', 'compat' => 'socket.io-redis-5'], ['adapter' => 'sharded', 'compat' => 'redis-adapter-7'],
        ['adapter' => 'streams', 'streams_version' => '0.2', 'stream_count' => 2]] as $options) {
        throwsCode('INVALID_ARGUMENT', fn () => Emitter::offline('socket.io', $options));
    }
    try {
        Emitter::offline('socket.io', ['compat' => 'nope']);
    } catch (EmitterException $e) {
        check(str_contains($e->getMessage(), 'compat must be one of "redis-adapter-8"'), 'names the option: ' . $e->getMessage());
    }
    throwsCode('INVALID_ARGUMENT', fn () => Emitter::connect($url, ['adapter' => 'streams', 'streams_version' => '0.2',
        'require_receivers' => true]));
    foreach (['0.3.1', '0.2.3', '0.2'] as $version) {
        Emitter::offline('socket.io', ['adapter' => 'streams', 'streams_version' => $version]);
    }
    foreach (['redis-adapter-8', 'redis-adapter-7', 'socket.io-redis-6.1', 'socket.io-redis-6.0', 'socket.io-redis-5'] as $compat) {
        Emitter::offline('socket.io', ['compat' => $compat]);
    }
}

/** Every code the C library can return is a constant of EmitterException, and the other way round. */
function test_stacks_every_status_has_its_constant(Harness $h, string $url): void
{
    $ffi = SocketIO\Native::ffi();
    $codes = [];
    for ($status = 1; $status < 256; $status++) {
        $name = $ffi->sioe_status_name($status);
        if ($name !== 'UNKNOWN') {
            $codes[] = $name;
        }
    }
    same($ffi->sioe_status_name(15), 'UNSUPPORTED', 'status 15');
    // LIBRARY is PHP's own (the C library could not be loaded).
    $constants = array_values(array_diff((new ReflectionClass(EmitterException::class))->getConstants(), ['LIBRARY']));
    sort($codes);
    sort($constants);
    same($constants, $codes, 'constants');
}

/** A captured command of tests/vectors/vectors_streams.json, as the list of its arguments. */
function streams_vector(string $name): array
{
    static $cases = null;
    $cases ??= json_decode((string) file_get_contents(dirname(__DIR__, 3) . '/tests/vectors/vectors_streams.json'), true)['cases'];
    foreach ($cases as $case) {
        if ($case['name'] === $name) {
            return array_map(fn ($a) => is_string($a) ? $a : hex2bin($a['$hex']), $case['commands'][0]);
        }
    }
    throw new AssertionError("no vector $name");
}

function test_stacks_offline_output_is_the_whole_command(Harness $h, string $url): void
{
    $streams = ['adapter' => 'streams'];
    $out = Emitter::offline('socket.io', $streams + ['stream_name' => 'mystream', 'max_len' => 50])
        ->to('room1')->encodeEmit('ev', 1);
    $want = streams_vector('stream_name_max_len_v03');
    same($out, ['command' => 'XADD', 'channel' => 'mystream', 'payload' => $want[13], 'args' => $want], 'XADD');
    // A Date in a JSON entry is its ISO text.
    same(Emitter::offline('socket.io', $streams)->encodeEmit('ev', new DateTime('@1700000000.123'))['args'],
        streams_vector('emit_date_v03'), 'date');
    same(Emitter::offline('socket.io', $streams + ['streams_version' => '0.2.3'])->of('admin')->encodeServerSideEmit('ping', 1)['args'],
        streams_vector('server_side_emit_nsp_v02'), 'serverSideEmit, 0.2');
    // 0.3: serverSideEmit is a PUBLISH of msgpack on the side channel.
    $sse = Emitter::offline('socket.io', $streams)->encodeServerSideEmit('bin', new Binary("\x01\x02\xff"), ['nested' => new Binary('')]);
    same($sse['args'], streams_vector('server_side_emit_binary_v03'), 'serverSideEmit, 0.3');
    same([$sse['command'], $sse['channel'], $sse['payload']], $sse['args'], 'PUBLISH channel payload');
}

function test_stacks_auto_finds_streams_servers_and_delivers(Harness $h, string $url): void
{
    with_stack('streams', function (Harness $sh, string $url) {
        $sh->clients('/php-auto', ['auto-a', 1, []]);
        $io = Emitter::connect($url, ['adapter' => 'auto']);
        same($io->of('/php-auto')->emit('detected', 1), 2, 'auto broadcast');
        same(names(events($sh->flushAndTake()), 'auto-a'), ['detected'], 'auto-a');
        $io->close();
    });
}

function test_stacks_auto_without_servers_is_detection_failed(Harness $h, string $url): void
{
    with_stack('streams', function (Harness $sh, string $url) {
        try {
            Emitter::connect($url, ['adapter' => 'auto', 'key' => 'nobody-here']);
        } catch (EmitterException $e) {
            same($e->getErrorCode(), EmitterException::DETECTION_FAILED, 'code');
            same($e->getCode(), 16, 'status');
            check(str_contains($e->getMessage(), 'streams adapter 0.3, key socket.io, namespace /: 2 servers'),
                'the message names what listens: ' . $e->getMessage());
            return;
        }
        throw new AssertionError('expected DETECTION_FAILED, nothing was thrown');
    });
}
