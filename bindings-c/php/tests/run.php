<?php
// SPDX-License-Identifier: MIT
// The PHP suite: plain PHP, run by `make -C bindings-c test-php`. Every function named
// test_* runs against the real fixture; prints "N passed, N failed" and exits non-zero on
// any failure.
declare(strict_types=1);

require dirname(__DIR__) . '/autoload.php';
require __DIR__ . '/Harness.php';
require __DIR__ . '/faults.php';
require __DIR__ . '/sharded.php';
require __DIR__ . '/stacks.php';
require __DIR__ . '/topology.php';
require __DIR__ . '/loading.php';
require __DIR__ . '/readme.php';
require __DIR__ . '/ask.php';

use SocketIO\Binary;
use SocketIO\Emitter;
use SocketIO\EmitterException;

function check(bool $cond, string $what): void
{
    if (!$cond) {
        throw new AssertionError($what);
    }
}

function same(mixed $got, mixed $want, string $what): void
{
    check($got === $want, "$what: got " . json_encode($got) . ', want ' . json_encode($want));
}

/** @return array<string, list<array{string, array}>> events per client */
function events(array $lines): array
{
    $out = [];
    foreach ($lines as $l) {
        if ($l['type'] === 'event') {
            $out[$l['client']][] = [$l['event'], $l['args']];
        }
    }
    return $out;
}

function names(array $events, string $client): array
{
    return array_map(fn ($e) => $e[0], $events[$client] ?? []);
}

function throwsCode(string $code, callable $fn): void
{
    try {
        $fn();
    } catch (EmitterException $e) {
        same($e->getErrorCode(), $code, 'error code (' . $e->getMessage() . ')');
        check($e->getCode() > 0 || $e->getCode() === -1, 'status number');
        return;
    }
    throw new AssertionError("expected $code, nothing was thrown");
}

function test_fluent_chain_rooms_except_namespace(Harness $h, string $url): void
{
    $h->clients('/admin', ['php-a', 0, ['room1']], ['php-b', 1, ['room1', 'room2']], ['php-c', 1, []], ['php-7', 0, [7]]);
    $io = Emitter::connect($url);
    same($io->to('room1')->except('room2')->of('/admin')->emit('event', ['a' => 1]), 2, 'receivers');
    $admin = $io->of('admin');
    $admin->emit('all', 'text', 42, 1.5, true, null, [1, 2], ['k' => ['x' => null]], []);
    $admin->to(7)->compress(false)->emit('seven');
    $admin->in(['room1', 'room2'])->emit('both');
    $ev = events($h->flushAndTake());
    same(names($ev, 'php-a'), ['event', 'all', 'both'], 'php-a');
    same(names($ev, 'php-b'), ['all', 'both'], 'php-b');
    same(names($ev, 'php-c'), ['all'], 'php-c');
    same(names($ev, 'php-7'), ['all', 'seven'], 'php-7');
    same($ev['php-a'][0][1], [['a' => 1]], 'map argument');
    same($ev['php-c'][0][1], ['text', 42, 1.5, true, null, [1, 2], ['k' => ['x' => null]], []], 'scalars and arrays');
    $io->close();
}

function test_binary_arrives_as_binary(Harness $h, string $url): void
{
    $h->clients('/php-bin', ['php-bin', 1, []]);
    $io = Emitter::connect($url)->of('/php-bin');
    $io->emit('bin', new Binary("\x00\x01\xff"), ['nested' => [new Binary('hi'), 'hi']], new Binary(''));
    $ev = events($h->flushAndTake());
    same($ev['php-bin'][0][1], [['$bytes' => '0001ff'], ['nested' => [['$bytes' => '6869'], 'hi']], ['$bytes' => '']], 'binary');
    // A server drops a volatile packet whenever the client's transport is still writing, by
    // design: it is asserted to be encoded as such and accepted by both servers, never to arrive.
    check(str_contains(Emitter::offline()->volatile()->encodeEmit('volatile')['payload'], "\xa8volatile\xc3"), 'encoded as volatile');
    same($io->volatile()->emit('volatile'), 2, 'volatile receivers');
    $got = names(events($h->flushAndTake()), 'php-bin');
    check($got === [] || $got === ['volatile'], 'volatile arrives at most once, alone: ' . json_encode($got));
    $io->close();
}

function test_server_side_operations(Harness $h, string $url): void
{
    $h->clients('/php-ops', ['php-old', 0, ['old']], ['php-other', 1, []], ['php-dc', 1, ['dc']]);
    $root = Emitter::connect($url);
    $io = $root->of('/php-ops');
    same($io->to('old')->socketsJoin(['new', 5]), 2, 'socketsJoin receivers');
    $io->to('new')->emit('in-new');
    $io->to(5)->emit('in-5');
    $io->socketsLeave('new');
    $io->to('new')->emit('after-leave');
    $io->to('dc')->disconnectSockets(true);
    same($root->serverSideEmit('server_event', 'php', new Binary("\x01")), 2, 'serverSideEmit receivers');
    $lines = $h->flushAndTake();
    $ev = events($lines);
    same(names($ev, 'php-old'), ['in-new', 'in-5'], 'php-old');
    same(names($ev, 'php-other'), [], 'php-other');
    $gone = array_values(array_map(fn ($l) => $l['client'], array_filter($lines, fn ($l) => $l['type'] === 'disconnect')));
    same($gone, ['php-dc'], 'disconnected');
    $server = array_values(array_filter($lines, fn ($l) => $l['type'] === 'server_event'));
    same(count($server), 2, 'server events');
    same($server[0]['args'], ['php', ['type' => 'Buffer', 'data' => [1]]], 'server event args');
    $root->close();
}

function test_enqueue_and_flush(Harness $h, string $url): void
{
    $h->clients('/php-q', ['php-q', 0, []]);
    $io = Emitter::connect($url)->of('/php-q');
    $last = 0;
    for ($i = 0; $i < 30; $i++) {
        $ticket = $io->enqueue('q', $i);
        check($ticket > $last, 'tickets increase');
        $last = $ticket;
    }
    same($io->flush(), ['sent' => 30, 'receivers' => 60, 'reached_none' => 0, 'failed' => 0], 'flush report');
    $ev = events($h->flushAndTake());
    same(array_map(fn ($e) => $e[1][0], $ev['php-q']), range(0, 29), 'queued events in order');
    $io->close();
}

function test_persistent_connections_are_shared(Harness $h, string $url): void
{
    $a = Emitter::connect($url, ['persistent' => true]);
    unset($a); // a request ends: the handle goes, the connection stays
    $b = Emitter::connect($url, ['persistent' => true]);
    $c = Emitter::connect($url, ['persistent' => true]);
    same($b->emit('persistent'), 2, 'receivers');
    $c->close();
    throwsCode('CLOSED', fn () => $b->emit('ev'));
    $d = Emitter::connect($url, ['persistent' => true]);
    same($d->emit('again'), 2, 'a new connection after close');
    $d->close();
}

function test_errors_carry_the_code(Harness $h, string $url): void
{
    $io = Emitter::connect($url);
    throwsCode('RESERVED_EVENT', fn () => $io->emit('connect'));
    throwsCode('RESERVED_EVENT', fn () => $io->serverSideEmit('connection'));
    throwsCode('INVALID_UTF8', fn () => $io->emit("bad\xff"));
    throwsCode('INVALID_UTF8', fn () => $io->emit('ev', "bad\xff"));
    throwsCode('INVALID_UTF8', fn () => $io->to("bad\xff")->emit('ev'));
    throwsCode('ENCODE', fn () => $io->emit('ev', NAN));
    throwsCode('INVALID_ARGUMENT', fn () => $io->socketsJoin([1.5]));
    throwsCode('INVALID_ARGUMENT', fn () => Emitter::connect('http://x'));
    throwsCode('INVALID_ARGUMENT', fn () => Emitter::connect($url, ['nope' => 1]));
    throwsCode('INVALID_ARGUMENT', fn () => Emitter::connect($url, ['connect_timeout_ms' => 0]));
    throwsCode('CONNECTION', fn () => Emitter::connect('redis://127.0.0.1:1', ['connect_timeout_ms' => 300, 'reconnect_attempts' => 1]));
    $strict = Emitter::connect($url, ['key' => 'nobody', 'require_receivers' => true]);
    throwsCode('NO_SUBSCRIBERS', fn () => $strict->emit('ev'));
    $strict->close();
    $target = $io->to('r');
    $io->close();
    throwsCode('CLOSED', fn () => $target->emit('ev'));
    throwsCode('CLOSED', fn () => $io->flush());
    same($io->close(), ['sent' => 0, 'receivers' => 0, 'reached_none' => 0, 'failed' => 0], 'closing twice');
    throwsCode('CLOSED', fn () => Emitter::offline()->emit('ev'));
}

function test_offline_encoding_matches_the_golden_vector(Harness $h, string $url): void
{
    $out = Emitter::offline()->to('room1')->encodeEmit('ev', 1);
    same($out['channel'], 'socket.io#/#room1#', 'channel');
    same(bin2hex($out['payload']), '93a7656d697474657283a47479706502a46461746192a2657601a36e7370a12f83a5726f6f6d7391'
        . 'a5726f6f6d31a5666c61677380a665786365707490', 'payload');
    same(Emitter::offline()->encodeServerSideEmit('ping')['payload'], '{"uid":"emitter","type":6,"data":["ping"]}', 'server-side');
}

// A target keeps its C handle once used; clones, and the connection's close, still behave.
function test_kept_target_after_close(Harness $h, string $url): void
{
    $io = Emitter::connect($url);
    $room = $io->of('/kept')->to('r')->volatile();
    $room->emit('ev', 1);
    $room->emit('ev', 2);
    $copy = clone $room;
    $copy->emit('ev', 3);
    unset($room);
    $copy->emit('ev', 4);
    $io->close();
    throwsCode('CLOSED', fn () => $copy->emit('ev'));
}

// Arguments of only scalars and arrays skip the walk; the bytes are the walk's.
function test_plain_arguments_encode_like_walked_ones(Harness $h, string $url): void
{
    $value = ['list' => [1, 2.0, 'é/x', null, true], 'empty' => [], 'map' => [7 => 'seven', 'k' => ['n' => -1]]];
    $walked = new class ($value) implements JsonSerializable {
        public function __construct(private array $v)
        {
        }

        public function jsonSerialize(): mixed
        {
            return $this->v;
        }
    };
    $io = Emitter::offline();
    same($io->encodeEmit('ev', $value, 3)['payload'], $io->encodeEmit('ev', $walked, 3)['payload'], 'payload');
    throwsCode('INVALID_UTF8', fn () => $io->encodeEmit('ev', ['a' => ["bad\xff"]]));
}

function test_preloaded_like_php_fpm(Harness $h, string $url): void
{
    $base = tempnam(sys_get_temp_dir(), 'sioe');
    $header = "$base.h";
    file_put_contents($header, SocketIO\Native::preloadHeader(SocketIO\Native::library()));
    try {
        $cmd = [PHP_BINARY, '-d', 'ffi.enable=preload', '-d', "ffi.preload=$header", '-d', 'opcache.enable_cli=1',
            '-d', 'opcache.preload=' . dirname(__DIR__) . '/preload.php', '-d', 'opcache.preload_user=' . get_current_user(),
            __DIR__ . '/preload_check.php', $url];
        exec(implode(' ', array_map('escapeshellarg', $cmd)) . ' 2>&1', $output, $status);
        same([$status, $output], [0, ['preload: ok']], 'preloaded run');
    } finally {
        unlink($header);
        unlink($base);
    }
}

$h = new Harness('--servers', '2', '--server-events', 'server_event');
[$passed, $failed] = [0, 0];
foreach (get_defined_functions()['user'] as $fn) {
    if (!str_starts_with($fn, 'test_')) {
        continue;
    }
    try {
        $fn($h, $h->redisUrl);
        $passed++;
        echo "ok   $fn\n";
    } catch (Throwable $e) {
        $failed++;
        echo "FAIL $fn: " . get_class($e) . ': ' . $e->getMessage() . "\n";
        // The servers' and Redis' output, kept by the harness, for failed tests only.
        try {
            echo "----- harness logs -----\n" . $h->logs(true) . "----- end of harness logs -----\n";
        } catch (Throwable $e2) {
            echo "(could not read the harness's logs: " . $e2->getMessage() . ")\n";
        }
    }
}
$h->close();
sharded_harness(close: true);
stack_harness('', close: true);
echo "$passed passed, $failed failed\n";
exit($failed === 0 ? 0 : 1);
