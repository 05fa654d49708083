<?php
// SPDX-License-Identifier: MIT
declare(strict_types=1);

namespace SocketIO;

/**
 * The sockets of the target on every server that answered Emitter::fetchSockets(). When
 * some servers did not answer in time, serversMissing counts them and complete is false:
 * their sockets are not in the list.
 */
final class FetchedSockets
{
    /** @param list<RemoteSocket> $sockets */
    public function __construct(
        public readonly array $sockets,
        public readonly int $serversAnswered,
        public readonly int $serversMissing,
        public readonly bool $complete,
    ) {
    }

    /** @internal */
    public static function fromAnswer(array $a): self
    {
        $sockets = array_map(
            fn (array $s) => new RemoteSocket($s['id'], $s['rooms'], $s['data'], $s['handshake'] ?? []),
            $a['sockets'],
        );
        return new self($sockets, $a['servers_answered'], $a['servers_missing'], $a['complete']);
    }
}
