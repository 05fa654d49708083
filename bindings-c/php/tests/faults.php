<?php
// SPDX-License-Identifier: MIT
// Faults, required by run.php (every test_* function runs): each test owns a harness with
// one Socket.IO server, so that stopping Redis disturbs no other test. The bad-input table,
// the call bound with Redis stopped, close with a timeout and 10k queued emits, flush
// reports with FLUSH, and SIGPIPE in a child process while Redis is killed and restarted.
declare(strict_types=1);

use SocketIO\Binary;
use SocketIO\Emitter;
use SocketIO\EmitterException;

const FAULT_CONNECT_MS = 500;
const FAULT_RESPONSE_MS = 500;
const FAULT_SLACK_MS = 1500;
const FAULT_PASSWORD = 's3cret-pw';
/** A node where nobody listens, with a password, and options that give up on it quickly. */
const FAULT_NODE = 'redis://alice:' . FAULT_PASSWORD . '@127.0.0.1:1';
const FAULT_QUICK = ['connect_timeout_ms' => 300, 'response_timeout_ms' => 300, 'reconnect_attempts' => 1];

/** Runs $fn with a private harness (one server), shut down afterwards. */
function with_fault_harness(callable $fn): void
{
    $fh = new Harness('--servers', '1');
    try {
        $fn($fh, $fh->redisUrl);
    } catch (Throwable $e) {
        try {
            echo "----- fault harness logs -----\n" . $fh->logs(true) . "----- end -----\n";
        } catch (Throwable) {
        }
        throw $e;
    } finally {
        $fh->close();
    }
}

function nested_list(int $levels): array
{
    $v = [1];
    for ($i = 1; $i < $levels; $i++) {
        $v = [$v];
    }
    return $v;
}

/** Waits until $client received $event (the harness's flush barrier collects the lines). */
function wait_event(Harness $fh, string $client, string $event): void
{
    $deadline = microtime(true) + 30;
    while (microtime(true) < $deadline) {
        foreach ($fh->flushAndTake() as $l) {
            if ($l['type'] === 'event' && $l['client'] === $client && $l['event'] === $event) {
                return;
            }
        }
        usleep(10_000);
    }
    throw new AssertionError("$client did not receive $event");
}

function ms_since(float $start): float
{
    return (hrtime(true) - $start) / 1e6;
}

/** The code a call throws ('OK' when it returns) and the message. */
function outcome(callable $fn): array
{
    try {
        $fn();
        return ['OK', ''];
    } catch (EmitterException $e) {
        return [$e->getErrorCode(), $e->getMessage()];
    }
}

function test_faults_bad_inputs(Harness $h, string $url): void
{
    with_fault_harness(function (Harness $fh, string $url) {
        $io = Emitter::connect($url);
        $small = Emitter::connect($url, ['max_payload_bytes' => 1024]);
        $connect = fn (?string $u, array $o = []) => function () use ($u, $o) {
            Emitter::connect($u, $o)->close();
        };
        $hostPort = substr($url, strlen('redis://'));
        $big = str_repeat('x', 2000);
        $rows = [
            // [name, call, code, text the message must contain]
            ['negative duration', $connect($url, ['connect_timeout_ms' => -5]), 'INVALID_ARGUMENT', 'connect_timeout_ms'],
            ['duration past a day', $connect($url, ['response_timeout_ms' => 86_400_001]), 'INVALID_ARGUMENT', 'response_timeout_ms'],
            ['huge duration', $connect($url, ['reconnect_max_delay_ms' => PHP_INT_MAX]), 'INVALID_ARGUMENT', 'reconnect_max_delay_ms'],
            ['NaN duration', $connect($url, ['reconnect_min_delay_ms' => NAN]), 'INVALID_ARGUMENT', 'reconnect_min_delay_ms'],
            ['infinite duration', $connect($url, ['connect_timeout_ms' => INF]), 'INVALID_ARGUMENT', 'connect_timeout_ms'],
            ['zero timeout', $connect($url, ['connect_timeout_ms' => 0]), 'INVALID_ARGUMENT', 'connect_timeout_ms'],
            ['string duration', $connect($url, ['connect_timeout_ms' => '500']), 'INVALID_ARGUMENT', 'connect_timeout_ms'],
            ['delays out of order', $connect($url, ['reconnect_min_delay_ms' => 5000]), 'INVALID_ARGUMENT', 'reconnect_min_delay_ms'],
            ['attempts', $connect($url, ['reconnect_attempts' => 1001]), 'INVALID_ARGUMENT', 'reconnect_attempts'],
            ['queue capacity 0', $connect($url, ['queue_capacity' => 0]), 'INVALID_ARGUMENT', 'queue_capacity'],
            ['queue capacity 2^62', $connect($url, ['queue_capacity' => 1 << 62]), 'INVALID_ARGUMENT', 'queue_capacity'],
            ['queue capacity negative', $connect($url, ['queue_capacity' => -1]), 'INVALID_ARGUMENT', 'queue_capacity'],
            ['queue capacity 2^32', $connect($url, ['queue_capacity' => 1 << 32]), 'INVALID_ARGUMENT', '4294967295'],
            ['max payload 0', $connect($url, ['max_payload_bytes' => 0]), 'INVALID_ARGUMENT', 'max_payload_bytes'],
            ['unknown adapter', $connect($url, ['adapter' => 'kafka']), 'INVALID_ARGUMENT', 'adapter must be one of "classic", "sharded", "streams"'],
            ['adapter not a string', $connect($url, ['adapter' => 1]), 'INVALID_ARGUMENT', 'adapter must be a string'],
            ['unknown subscription mode', $connect($url, ['adapter' => 'sharded', 'subscription_mode' => 'private']), 'INVALID_ARGUMENT', '"static", "dynamic", "dynamic-private"'],
            ['max payload past 512 MiB', $connect($url, ['max_payload_bytes' => (512 << 20) + 1]), 'INVALID_ARGUMENT', 'max_payload_bytes'],
            ['flush timeout negative', fn () => $io->flush(-1), 'INVALID_ARGUMENT', 'timeout_ms'],
            ['flush timeout NaN', fn () => $io->flush(NAN), 'INVALID_ARGUMENT', 'timeout_ms'],
            ['close timeout past a day', fn () => $io->close(1e12), 'INVALID_ARGUMENT', 'timeout_ms'],
            ['max_payload_bytes exceeded', fn () => $small->emit('ev', $big), 'ENCODE', 'max_payload_bytes'],
            ['max_payload_bytes exceeded, queued', fn () => $small->enqueue('ev', new Binary($big)), 'ENCODE', 'max_payload_bytes'],
            ['payload that fits', fn () => $small->emit('ev', 'small'), 'OK', ''],
            ['empty event name', fn () => $io->emit(''), 'INVALID_ARGUMENT', 'event'],
            ['empty event name, queued', fn () => $io->enqueue(''), 'INVALID_ARGUMENT', 'event'],
            ['empty event name, server-side', fn () => $io->serverSideEmit(''), 'INVALID_ARGUMENT', 'event'],
            ['reserved event', fn () => $io->emit('disconnect'), 'RESERVED_EVENT', 'disconnect'],
            ['nesting at the limit', fn () => $io->emit('ev', nested_list(512)), 'OK', ''],
            ['nesting past the limit', fn () => $io->emit('ev', nested_list(513)), 'ENCODE', '512'],
            ['nesting far past the limit', fn () => $io->emit('ev', nested_list(5000)), 'ENCODE', '512'],
            ['invalid UTF-8 event', fn () => $io->emit("e\xffv"), 'INVALID_UTF8', 'event'],
            ['invalid UTF-8 argument', fn () => $io->emit('ev', ['k' => "bad\xff"]), 'INVALID_UTF8', 'UTF-8'],
            ['invalid UTF-8 room', fn () => $io->to("r\xff")->emit('ev'), 'INVALID_UTF8', 'room'],
            ['unencodable argument', fn () => $io->emit('ev', NAN), 'ENCODE', ''],
            ['invalid JSON argument', fn () => $io->emit('ev', INF), 'ENCODE', ''],
            ['http URL', $connect('http://127.0.0.1:6379'), 'INVALID_ARGUMENT', 'redis://'],
            ['empty URL', $connect(''), 'INVALID_ARGUMENT', 'URL'],
            ['unix URL', $connect('unix:///tmp/redis.sock'), 'INVALID_ARGUMENT', 'redis://'],
            ['password in a bad URL', $connect('http://alice:' . FAULT_PASSWORD . '@127.0.0.1'), 'INVALID_ARGUMENT', 'redis://'],
            ['password, refused', $connect('redis://alice:' . FAULT_PASSWORD . '@127.0.0.1:1',
                ['connect_timeout_ms' => 300, 'response_timeout_ms' => 300]), 'CONNECTION', 'refused'],
            ['password, wrong', $connect('redis://alice:' . FAULT_PASSWORD . "@$hostPort"), 'CONNECTION', ''],
            // Redis Cluster and Sentinel: the messages name the option, no password shows.
            ['empty cluster node', $connect(null, ['cluster_nodes' => ['']]), 'INVALID_ARGUMENT', 'cluster_nodes'],
            ['http cluster node', $connect(null, ['cluster_nodes' => ['http://alice:' . FAULT_PASSWORD . '@127.0.0.1:7000']]),
                'INVALID_ARGUMENT', 'cluster_nodes: each node must be a redis:// or rediss:// URL'],
            ['cluster node without a host', $connect(null, ['cluster_nodes' => ['redis://alice:' . FAULT_PASSWORD . '@']]), 'INVALID_ARGUMENT', 'cluster_nodes'],
            ['cluster node not a URL', $connect(null, ['cluster_nodes' => ['not a url ' . FAULT_PASSWORD]]), 'INVALID_ARGUMENT', 'cluster_nodes'],
            ['invalid UTF-8 cluster node', $connect(null, ['cluster_nodes' => ["redis://h\xff:1"]]), 'INVALID_UTF8', 'cluster_nodes'],
            ['cluster nodes not a list', $connect(null, ['cluster_nodes' => 'redis://a:1']), 'INVALID_ARGUMENT', 'cluster_nodes must be a list'],
            ['cluster nodes a map', $connect(null, ['cluster_nodes' => ['a' => 'redis://a:1']]), 'INVALID_ARGUMENT', 'cluster_nodes must be a list'],
            ['cluster node not a string', $connect(null, ['cluster_nodes' => [7000]]), 'INVALID_ARGUMENT', 'cluster_nodes[0] must be a string'],
            ['cluster nodes mixing schemes', $connect(null, ['cluster_nodes' => ['redis://a:1', 'rediss://b:1']]), 'INVALID_ARGUMENT', 'mixes redis:// and rediss://'],
            ['url and cluster nodes', $connect('redis://bob:' . FAULT_PASSWORD . '@10.0.0.1:6379', ['cluster_nodes' => [FAULT_NODE]]),
                'INVALID_ARGUMENT', 'set either url or cluster_nodes'],
            ['cluster, classic and require_receivers', $connect(null, ['cluster_nodes' => [FAULT_NODE], 'require_receivers' => true]),
                'INVALID_ARGUMENT', 'require_receivers'],
            ['cluster and sentinels', $connect(null, ['cluster_nodes' => [FAULT_NODE], 'sentinel_master' => 'm', 'sentinel_nodes' => [FAULT_NODE]]),
                'INVALID_ARGUMENT', 'set either cluster_nodes or sentinel_master'],
            ['cluster unreachable', $connect(null, ['cluster_nodes' => [FAULT_NODE]] + FAULT_QUICK), 'CONNECTION', ''],
            ['no URL and no cluster', $connect(null), 'NULL_ARGUMENT', 'url'],
            ['empty sentinel master', $connect(null, ['sentinel_master' => '', 'sentinel_nodes' => [FAULT_NODE]]), 'INVALID_ARGUMENT', 'sentinel_master'],
            ['sentinel master not a string', $connect(null, ['sentinel_master' => ['m'], 'sentinel_nodes' => [FAULT_NODE]]), 'INVALID_ARGUMENT', 'sentinel_master must be a string'],
            ['invalid UTF-8 sentinel master', $connect(null, ['sentinel_master' => "m\xff", 'sentinel_nodes' => [FAULT_NODE]]), 'INVALID_UTF8', 'sentinel_master'],
            ['sentinel master without sentinels', $connect(null, ['sentinel_master' => 'mymaster']), 'INVALID_ARGUMENT', 'sentinel_master needs sentinel_nodes'],
            ['sentinels without a master', $connect(null, ['sentinel_nodes' => [FAULT_NODE]]), 'INVALID_ARGUMENT', 'sentinel_master'],
            ['empty sentinel node', $connect(null, ['sentinel_master' => 'mymaster', 'sentinel_nodes' => ['']]), 'INVALID_ARGUMENT', 'sentinel_nodes'],
            ['http sentinel node', $connect(null, ['sentinel_master' => 'mymaster', 'sentinel_nodes' => ['http://:' . FAULT_PASSWORD . '@127.0.0.1:26379']]),
                'INVALID_ARGUMENT', 'sentinel_nodes: each node must be a redis:// or rediss:// URL'],
            ['sentinel nodes not a list', $connect(null, ['sentinel_master' => 'mymaster', 'sentinel_nodes' => FAULT_NODE]), 'INVALID_ARGUMENT', 'sentinel_nodes must be a list'],
            ['sentinels mixing schemes', $connect(null, ['sentinel_master' => 'mymaster', 'sentinel_nodes' => ['redis://a:1', 'rediss://b:1']]),
                'INVALID_ARGUMENT', 'mixes redis:// and rediss://'],
            ['sentinel, http url', $connect('http://:' . FAULT_PASSWORD . '@m', ['sentinel_master' => 'mymaster', 'sentinel_nodes' => [FAULT_NODE]]),
                'INVALID_ARGUMENT', 'redis://'],
            ['sentinels unreachable', $connect('redis://:' . FAULT_PASSWORD . '@m/1', ['sentinel_master' => 'mymaster', 'sentinel_nodes' => [FAULT_NODE]] + FAULT_QUICK),
                'CONNECTION', ''],
        ];
        foreach ($rows as [$name, $call, $code, $needle]) {
            [$got, $message] = outcome($call);
            same($got, $code, "$name ($message)");
            check(str_contains($message, $needle), "$name: '$needle' not in: $message");
            check(!str_contains($message, 's3cret'), "$name: the password shows: $message");
        }
        same(EmitterException::INTERNAL, 'INTERNAL', 'the INTERNAL code');
        same($io->emit('still-open'), 1, 'a close with a bad timeout closes nothing');
        $small->close();
        $io->close();
    });
}

function test_faults_call_bounds_with_redis_stopped(Harness $h, string $url): void
{
    with_fault_harness(function (Harness $fh, string $url) {
        $fh->clients('/faults-q', ['fq', 0, []]);
        $io = Emitter::connect($url, ['connect_timeout_ms' => FAULT_CONNECT_MS, 'response_timeout_ms' => FAULT_RESPONSE_MS]);
        // Published before Redis goes: 100 to a namespace no server has, then one a client
        // sees (the queue keeps order, so once it arrived the others were published too).
        for ($i = 0; $i < 100; $i++) {
            $io->of('/nobody-listens')->enqueue('lost', $i);
        }
        $io->of('/faults-q')->enqueue('last');
        wait_event($fh, 'fq', 'last');
        // Redis wrote its replies to us in the same pass as the message the client saw.
        $fh->request(['cmd' => 'redis_stop']);

        $bound = FAULT_CONNECT_MS + FAULT_RESPONSE_MS + FAULT_SLACK_MS;
        for ($i = 0; $i < 3; $i++) {
            $start = hrtime(true);
            [$code, $message] = outcome(fn () => $io->emit('down', $i));
            $took = ms_since($start);
            echo sprintf("  emit with Redis stopped: %.0f ms (bound %d + %d ms)\n", $took, FAULT_CONNECT_MS, FAULT_RESPONSE_MS);
            same($code, 'CONNECTION', "emit with Redis stopped ($message)");
            check(preg_match('/refused|end of file|reset|broken pipe/i', $message) === 1, "the cause is named: $message");
            check($took <= $bound, "emit took $took ms, bound $bound ms");
        }

        $n = 10_000;
        $tickets = [];
        for ($i = 0; $i < $n; $i++) {
            $tickets[] = $io->enqueue('q', $i);
        }
        $start = hrtime(true);
        $caught = null;
        try {
            $io->close(1000);
        } catch (EmitterException $e) {
            $caught = $e;
        }
        $took = ms_since($start);
        echo sprintf("  close(1000 ms) with %d queued and Redis stopped: %.0f ms\n", $n, $took);
        check($took <= 1000 + FAULT_SLACK_MS, "close took $took ms");
        check($caught !== null && $caught->getErrorCode() === 'FLUSH', 'close: ' . ($caught?->getMessage() ?? 'no exception'));
        $r = $caught->getReport();
        check($r !== null && $r['sent'] + $r['failed'] === 101 + $n && $r['sent'] >= 90
            && $r['reached_none'] === $r['sent'] - $r['receivers'] && count($caught->getFailures()) === $r['failed'],
            'report with FLUSH: ' . json_encode($r));
        $failed = [];
        foreach ($caught->getFailures() as $f) {
            $failed[$f['ticket']] = $f['code'];
        }
        foreach ($tickets as $t) {
            check(in_array($failed[$t] ?? null, ['CONNECTION', 'TIMEOUT'], true), "ticket $t reported as " . json_encode($failed[$t] ?? null));
        }
        throwsCode('CLOSED', fn () => $io->emit('late'));
        $fh->request(['cmd' => 'redis_start']);
    });
}

function test_faults_sigpipe_never_reaches_the_host(Harness $h, string $url): void
{
    with_fault_harness(function (Harness $fh, string $url) {
        for ($run = 1; $run <= 3; $run++) {
            $child = proc_open([PHP_BINARY, __DIR__ . '/sigpipe_child.php', $url], [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => STDERR], $pipes,
                null, ['SOCKETIO_EMITTER_LIB' => SocketIO\Native::library()] + getenv());
            check(is_resource($child), 'the child started');
            // A loaded machine may start the child slowly: stop Redis once it is connected.
            same(fgets($pipes[1]), "ready\n", "run $run: the child connected");
            usleep(400_000); // let it emit for a while: the scenario, not a wait
            $fh->request(['cmd' => 'redis_stop']);
            usleep(600_000);
            $fh->request(['cmd' => 'redis_start']);
            usleep(400_000);
            fclose($pipes[0]);
            do {
                $status = proc_get_status($child);
                usleep(20_000);
            } while ($status['running']);
            fclose($pipes[1]);
            proc_close($child);
            check(!$status['signaled'], "run $run: the child was killed by signal {$status['termsig']} (13 = SIGPIPE)");
            same($status['exitcode'], 0, "run $run: the child's exit status");
        }
    });
}
