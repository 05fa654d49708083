<?php
// SPDX-License-Identifier: MIT
// Redis Cluster and Sentinel, required by run.php (every test_* function runs): each test
// owns a harness (`--topology cluster` with sharded, then classic, servers; `--topology
// sentinel`). The blocks between "snippet:" and "end snippet" are the README's, word for word
// (tests/check_snippets.js compares them). Also: the options without a server, and passwords
// kept out of exception traces.
declare(strict_types=1);

use SocketIO\Binary;
use SocketIO\Emitter;
use SocketIO\EmitterException;

/** Runs $fn with a harness of two servers over a topology, shut down afterwards. */
function with_topology(array $args, callable $fn): void
{
    $th = new Harness('--servers', '2', '--server-events', 'server_event', ...$args);
    try {
        $fn($th);
    } catch (Throwable $e) {
        try {
            echo "----- topology harness logs -----\n" . $th->logs(true) . "----- end -----\n";
        } catch (Throwable) {
        }
        throw $e;
    } finally {
        $th->close();
    }
}

function test_topology_cluster_sharded(Harness $h, string $url): void
{
    with_topology(['--topology', 'cluster', '--adapter', 'sharded'], function (Harness $th) {
        $th->clients('/pt-bc', ['pt-a', 0, []], ['pt-b', 1, []]);
        $th->clients('/pt-room', ['pt-in', 0, ['room1']], ['pt-out', 1, ['room2']]);
        $th->clients('/pt-bin', ['pt-bin', 1, []]);
        $th->clients('/pt-sse', ['pt-sse', 0, []]);
        $seeds = array_slice($th->ready['redis_nodes'], 0, 2); // two seeds: the emitter finds the others

        // snippet: cluster
        $io = Emitter::connect(null, [
            'cluster_nodes' => $seeds, // e.g. ['redis://10.0.0.1:7000', 'redis://10.0.0.2:7000']
            'adapter' => 'sharded',    // servers on createShardedAdapter ('classic' works too)
        ]);
        // end snippet

        same($io->of('/pt-bc')->emit('hello', 'world', 42), 2, 'broadcast receivers');
        // Dynamic mode: the room's own channel, heard by the one server where it has members.
        same($io->of('/pt-room')->to('room1')->emit('only-room1'), 1, 'one room receivers');
        same($io->of('/pt-bin')->emit('blob', new Binary("\xff\x00"), ['file' => new Binary("\x01\x02\x03")]), 2, 'binary receivers');
        same($io->of('/pt-sse')->serverSideEmit('server_event', 'payload', 7), 2, 'serverSideEmit receivers');
        $lines = $th->flushAndTake();
        $ev = events($lines);
        foreach (['pt-a' => ['hello'], 'pt-b' => ['hello'], 'pt-in' => ['only-room1'], 'pt-out' => [], 'pt-bin' => ['blob'], 'pt-sse' => []] as $c => $want) {
            same(names($ev, $c), $want, $c);
        }
        same($ev['pt-b'][0][1], ['world', 42], 'arguments');
        same($ev['pt-bin'][0][1], [['$bytes' => 'ff00'], ['file' => ['$bytes' => '010203']]], 'binary');
        foreach ([0, 1] as $server) {
            $got = array_values(array_map(fn ($l) => $l['args'], array_filter($lines, fn ($l) =>
                $l['type'] === 'server_event' && $l['nsp'] === '/pt-sse' && $l['server'] === $server)));
            same($got, [['payload', 7]], "serverSideEmit at server $server");
        }
        $io->close();
    });
}

function test_topology_cluster_classic(Harness $h, string $url): void
{
    with_topology(['--topology', 'cluster'], function (Harness $th) {
        $th->clients('/pt-bc', ['pt-a', 0, []], ['pt-b', 1, []]);
        $io = Emitter::connect(null, ['cluster_nodes' => [$th->ready['redis_nodes'][0]]]);
        // A cluster's PUBLISH counts only the subscribers of the node that received it.
        $n = $io->of('/pt-bc')->emit('hello');
        check($n >= 0 && $n <= 2, "classic broadcast on a cluster: $n receivers");
        $ev = events($th->flushAndTake());
        same([names($ev, 'pt-a'), names($ev, 'pt-b')], [['hello'], ['hello']], 'both clients');
        $io->close();
    });
}

function test_topology_sentinel(Harness $h, string $url): void
{
    with_topology(['--topology', 'sentinel'], function (Harness $th) {
        $th->clients('/pt-bc', ['pt-a', 0, []], ['pt-b', 1, []]);
        same($th->ready['sentinel_master'], 'mymaster', 'the master name the snippet uses');
        $sentinels = $th->ready['sentinel_urls'];
        $masterUrl = $th->redisUrl; // its host and port are not used

        // snippet: sentinel
        $io = Emitter::connect($masterUrl, [ // the master's credentials, db and TLS; null for none
            'sentinel_master' => 'mymaster',
            'sentinel_nodes' => $sentinels,  // e.g. ['redis://10.0.0.1:26379', 'redis://10.0.0.2:26379']
        ]);
        // end snippet

        same($io->of('/pt-bc')->emit('hello', 'world', 42), 2, 'broadcast receivers');
        $ev = events($th->flushAndTake());
        same([names($ev, 'pt-a'), names($ev, 'pt-b')], [['hello'], ['hello']], 'both clients');
        $io->close();
    });
}

function test_topology_options_are_accepted_offline(Harness $h, string $url): void
{
    $cluster = ['cluster_nodes' => ['redis://127.0.0.1:7000', 'redis://u:pw@127.0.0.1:7001'], 'adapter' => 'sharded',
        'require_receivers' => true];
    same(Emitter::offline('socket.io', $cluster)->encodeEmit('ev')['command'], 'SPUBLISH', 'cluster options');
    $sentinel = ['sentinel_master' => 'mymaster', 'sentinel_nodes' => ['redis://127.0.0.1:26379']];
    same(Emitter::offline('socket.io', $sentinel)->encodeEmit('ev')['command'], 'PUBLISH', 'sentinel options');
}

function test_topology_passwords_never_show_in_traces(Harness $h, string $url): void
{
    $before = ini_set('zend.exception_ignore_args', '0');
    try {
        $calls = [
            fn () => Emitter::connect(null, ['cluster_nodes' => ['http://alice:' . FAULT_PASSWORD . '@127.0.0.1:7000']]),
            fn () => Emitter::connect('redis://:' . FAULT_PASSWORD . '@10.0.0.1', ['cluster_nodes' => [FAULT_NODE]]),
            fn () => Emitter::connect(null, ['sentinel_master' => 'm', 'sentinel_nodes' => [FAULT_NODE]] + FAULT_QUICK),
        ];
        foreach ($calls as $i => $call) {
            try {
                $call();
                throw new AssertionError("call $i did not throw");
            } catch (EmitterException $e) {
                $text = $e . print_r($e->getTrace(), true);
                check(!str_contains($text, 's3cret'), "call $i: the password shows: $text");
            }
        }
    } finally {
        ini_set('zend.exception_ignore_args', (string) $before);
    }
}
