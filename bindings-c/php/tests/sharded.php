<?php
// SPDX-License-Identifier: MIT
// The sharded adapter, required by run.php (every test_* function runs): a harness of its
// own with two Socket.IO servers on createShardedAdapter in the servers' default mode,
// dynamic, where a room with members has its own channel, so the receiver counts show that
// the mode reached the core. run.php closes it at the end.
declare(strict_types=1);

use SocketIO\Binary;
use SocketIO\Emitter;
use SocketIO\EmitterException;

const SHARDED_MODE = 'dynamic';
const SHARDED_OPTIONS = ['adapter' => 'sharded', 'subscription_mode' => SHARDED_MODE];

/** The sharded servers, started on first use. */
function sharded_harness(bool $close = false): ?Harness
{
    static $sh = null;
    if ($close) {
        $sh?->close();
        return $sh = null;
    }
    return $sh ??= new Harness('--servers', '2', '--server-events', 'server_event',
        '--adapter', 'sharded', '--subscription-mode', SHARDED_MODE);
}

/** Runs $fn with the sharded harness; a failure prints its logs too (run.php prints $h's). */
function with_sharded(callable $fn): void
{
    $sh = sharded_harness();
    try {
        $fn($sh);
    } catch (Throwable $e) {
        try {
            echo "----- sharded harness logs -----\n" . $sh->logs(true) . "----- end -----\n";
        } catch (Throwable) {
        }
        throw $e;
    }
}

function test_sharded_broadcast_and_rooms(Harness $h, string $url): void
{
    with_sharded(function (Harness $sh) {
        $root = Emitter::connect($sh->redisUrl, SHARDED_OPTIONS);
        $sh->clients('/php-sh', ['ps-a', 0, ['room1']], ['ps-b', 1, ['room1', 'solo']], ['ps-c', 0, []]);
        $io = $root->of('php-sh');
        same($io->emit('hello', 'world', 42), 2, 'broadcast receivers');
        same($io->to('room1')->emit('r1'), 2, 'room1 receivers');
        // "solo" has members on server 1 only: in dynamic mode its own channel reaches it alone.
        same($io->to('solo')->emit('solo'), 1, 'solo receivers');
        $ev = events($sh->flushAndTake());
        same(names($ev, 'ps-a'), ['hello', 'r1'], 'ps-a');
        same(names($ev, 'ps-b'), ['hello', 'r1', 'solo'], 'ps-b');
        same(names($ev, 'ps-c'), ['hello'], 'ps-c');
        same($ev['ps-c'][0][1], ['world', 42], 'arguments');
        $root->close();
    });
}

function test_sharded_binary_arrives_as_binary(Harness $h, string $url): void
{
    with_sharded(function (Harness $sh) {
        $root = Emitter::connect($sh->redisUrl, SHARDED_OPTIONS);
        $sh->clients('/php-sh-bin', ['ps-bin', 1, ['r']]);
        $io = $root->of('/php-sh-bin');
        $nested = ['file' => new Binary("\x01\x02\x03"), 'parts' => [new Binary("\x04"), 5]];
        same($io->emit('blob', new Binary("\xff\x00"), $nested), 2, 'binary receivers');
        same($io->to('r')->emit('room-blob', $nested), 1, 'binary to a room (msgpack on its channel)');
        $want = ['file' => ['$bytes' => '010203'], 'parts' => [['$bytes' => '04'], 5]];
        $ev = events($sh->flushAndTake());
        same(array_map(fn ($e) => $e[1], $ev['ps-bin'] ?? []), [[['$bytes' => 'ff00'], $want], [$want]], 'binary');
        $root->close();
    });
}

function test_sharded_server_side_emit_reaches_the_handlers(Harness $h, string $url): void
{
    with_sharded(function (Harness $sh) {
        $root = Emitter::connect($sh->redisUrl, SHARDED_OPTIONS);
        $sh->clients('/php-sh-sse', ['ps-sse', 0, []]);
        $io = $root->of('/php-sh-sse');
        same($io->serverSideEmit('server_event', 'php', 7), 2, 'serverSideEmit receivers');
        same($io->serverSideEmit('server_event', new Binary("\x09\x08")), 2, 'binary serverSideEmit receivers');
        $lines = $sh->flushAndTake();
        foreach ([0, 1] as $server) {
            $got = array_values(array_map(fn ($l) => $l['args'], array_filter($lines, fn ($l) =>
                $l['type'] === 'server_event' && $l['nsp'] === '/php-sh-sse' && $l['server'] === $server)));
            same($got, [['php', 7], [['$bytes' => '0908']]], "server $server");
        }
        same(names(events($lines), 'ps-sse'), [], 'clients do not see server-side events');
        $root->close();
    });
}

function test_sharded_servers_and_a_classic_emitter(Harness $h, string $url): void
{
    with_sharded(function (Harness $sh) {
        $sh->clients('/php-sh-mm', ['ps-mm', 0, []]);
        $classic = Emitter::connect($sh->redisUrl, ['require_receivers' => true]);
        try {
            $classic->of('/php-sh-mm')->emit('lost');
            throw new AssertionError('a classic emitter reached sharded servers');
        } catch (EmitterException $e) {
            same($e->getErrorCode(), 'NO_SUBSCRIBERS', 'code');
            check(str_contains($e->getMessage(), 'createShardedAdapter'), 'names the cause: ' . $e->getMessage());
        }
        $classic->close();
        same(names(events($sh->flushAndTake()), 'ps-mm'), [], 'nothing arrived');
    });
}

function test_sharded_offline_encoding_matches_the_golden_vectors(Harness $h, string $url): void
{
    // vectors_sharded.json, room_one_static and room_one_dynamic: the mode picks the channel.
    $json = '{"type":3,"data":{"packet":{"type":2,"data":["ev",1]},"opts":{"rooms":["room1"],"except":[],'
        . '"flags":{}}},"uid":"emitter","nsp":"/"}';
    foreach (['static' => 'socket.io#/#', 'dynamic' => 'socket.io#/#room1#'] as $mode => $channel) {
        $out = Emitter::offline('socket.io', ['adapter' => 'sharded', 'subscription_mode' => $mode])->to('room1')->encodeEmit('ev', 1);
        same($out, ['command' => 'SPUBLISH', 'channel' => $channel, 'payload' => $json,
            'args' => ['SPUBLISH', $channel, $json]], $mode);
    }
    same(Emitter::offline()->encodeEmit('ev')['command'], 'PUBLISH', 'classic by default');
    throwsCode('INVALID_ARGUMENT', fn () => Emitter::offline('k', ['adapter' => 'kafka']));
    throwsCode('INVALID_ARGUMENT', fn () => Emitter::offline('k', ['subscription_mode' => true]));
}
