<?php
// SPDX-License-Identifier: MIT
// Asking the cluster from PHP, against two real Socket.IO servers whose "ask_me" handlers
// acknowledge: serverCount, fetchSockets with filters and socket data, allRooms,
// serverSideEmitWithAck, timeout()->emitWithAck with an acknowledging and a silent client
// (a partial answer), bad timeouts and a closed emitter. Run by run.php.
declare(strict_types=1);

use SocketIO\ClientAcks;
use SocketIO\Emitter;
use SocketIO\FetchedSockets;
use SocketIO\RemoteSocket;

function test_asking_the_cluster(Harness $unused, string $unusedUrl): void
{
    $h = new Harness('--servers', '2', '--server-acks', 'ask_me');
    try {
        $client = fn (string $name, int $server, array $rooms, array $extra = []) =>
            $h->request(['cmd' => 'client', 'name' => $name, 'server' => $server, 'nsp' => '/php-ask', 'rooms' => $rooms] + $extra)['sid'];
        $a = $client('pa-a', 0, ['vip'], ['data' => ['user' => 42], 'ack' => 'a-ok']);
        $b = $client('pa-b', 1, ['vip', 'muted'], ['ack' => 'b-ok']);
        $c = $client('pa-c', 1, []);
        $h->request(['cmd' => 'wait_subscribed', 'nsp' => '/php-ask']);
        $io = Emitter::connect($h->redisUrl)->of('/php-ask');
        $ids = function (FetchedSockets $f): array {
            $ids = array_map(fn (RemoteSocket $s) => $s->id, $f->sockets);
            sort($ids);
            return $ids;
        };
        $sorted = function (array $v): array {
            sort($v);
            return $v;
        };

        // snippet: ask
        $found = $io->to('vip')->fetchSockets(5000); // milliseconds; 5000 is the default
        if (!$found->complete) {
            error_log("{$found->serversMissing} servers did not answer: the list may be short");
        }
        $online = array_map(fn (SocketIO\RemoteSocket $s) => $s->id, $found->sockets);
        $acks = $io->to('vip')->timeout(2000)->emitWithAck('confirm', 'order 7');
        // $acks->responses: each client's answer; also $acks->clientsTargeted, ->clientsMissing
        // end snippet
        same([$sorted($online), $sorted($acks->responses)], [$sorted([$a, $b]), ['a-ok', 'b-ok']], 'README example');
        same($io->serverCount(), 2, 'server count');
        $everyone = $io->fetchSockets();
        same([$ids($everyone), $everyone->serversAnswered, $everyone->complete], [$sorted([$a, $b, $c]), 2, true], 'everyone');
        $ofA = array_values(array_filter($everyone->sockets, fn ($s) => $s->id === $a))[0];
        same([$sorted($ofA->rooms), $ofA->data, $ofA->handshake['address']], [$sorted([$a, 'vip']), ['user' => 42], '127.0.0.1'], 'socket a');
        same($ids($io->to('vip')->except('muted')->fetchSockets(10000)), [$a], 'vip except muted');
        $rooms = $io->allRooms();
        check(in_array('vip', $rooms->rooms, true) && in_array($c, $rooms->rooms, true), 'all rooms: ' . json_encode($rooms->rooms));

        $handlers = $io->serverSideEmitWithAck('ask_me', ['q' => 1]);
        same($sorted(array_map(fn ($r) => $r['server'], $handlers->responses)), [0, 1], 'handlers');
        $silent = $io->timeout(1500)->serverSideEmitWithAck('server_event');
        same([$silent->responses, $silent->serversMissing, $silent->complete], [[], 2, false], 'silent handlers');

        $vip = $io->to('vip')->emitWithAck('question', '?');
        check($vip instanceof ClientAcks, 'ClientAcks');
        same([$sorted($vip->responses), $vip->clientsTargeted, $vip->complete], [['a-ok', 'b-ok'], 2, true], 'vip acks');
        $partial = $io->timeout(1500)->emitWithAck('question');
        same([$partial->clientsTargeted, $partial->clientsMissing, $partial->complete], [3, 1, false], 'partial');

        throwsCode('INVALID_ARGUMENT', fn () => $io->fetchSockets(0));
        throwsCode('INVALID_ARGUMENT', fn () => $io->timeout(-1));
        throwsCode('RESERVED_EVENT', fn () => $io->emitWithAck('connect'));
        $io->close();
        throwsCode('CLOSED', fn () => $io->fetchSockets());
    } finally {
        $h->close();
    }
}
