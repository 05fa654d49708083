<?php
// SPDX-License-Identifier: MIT
// The README's tour of the API, run as written (the `snippet:` region) against the fixture.
declare(strict_types=1);

use SocketIO\Binary;
use SocketIO\Emitter;
use SocketIO\EmitterException;

function test_readme_tour(Harness $h, string $url): void
{
    $h->clients('/admin', ['tour-room1', 0, ['room1']], ['tour-both', 1, ['room1', 'room2']]);
    $h->clients('/', ['tour-main', 1, []]);
    $bytes = "\x89PNG";
    $i = 42;
    // snippet: php-tour
    $io = Emitter::connect($url, ['key' => 'socket.io']);
    $io->to('room1')->except('room2')->of('/admin')->emit('event', ['a' => 1], new Binary($bytes));
    $n = $io->of('/admin')->to(7)->volatile()->emit('tick', 1.5, [1, 2, 3]);   // servers reached
    $io->of('/admin')->to('room1')->socketsJoin(['room2']);
    $io->enqueue('bulk', $i);  $io->flush();  // ['sent' => 1, 'receivers' => 2, 'reached_none' => 0, 'failed' => 0]
    try { $io->emit('connect'); } catch (EmitterException $e) { $e->getErrorCode(); /* EmitterException::RESERVED_EVENT */ }
    try { $io->flush(5000); }                 // at most 5 s (ms, as every PHP duration); null: no limit
    catch (EmitterException $e) {             // FLUSH: getReport() counts what succeeded,
        $e->getReport(); $e->getFailures();   // getFailures() lists [['ticket' => ..., 'code' => ...], ...]
    }
    $io->close(5000);                         // gives up after 5 s: what is left fails (FLUSH)
    // end snippet
    same($n, 2, 'servers reached by the volatile emit');
    same($e->getErrorCode(), EmitterException::RESERVED_EVENT, 'reserved event');
    $ev = events($h->flushAndTake());
    same($ev['tour-room1'] ?? [], [['event', [['a' => 1], ['$bytes' => '89504e47']]]], 'room1 but not room2');
    same(names($ev, 'tour-both'), [], 'room2 excluded, and no room 7');
    same($ev['tour-main'] ?? [], [['bulk', [42]]], 'the queued emit');
    // socketsJoin made tour-room1 a member of room2 too: an emit to room2 alone reaches both.
    $check = Emitter::connect($url);
    $check->of('/admin')->to('room2')->emit('room2');
    $after = events($h->flushAndTake());
    same([names($after, 'tour-room1'), names($after, 'tour-both')], [['room2'], ['room2']], 'after socketsJoin');
    $check->close();
}
