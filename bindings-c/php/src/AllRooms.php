<?php
// SPDX-License-Identifier: MIT
declare(strict_types=1);

namespace SocketIO;

/** Every room of the namespace on the servers that answered Emitter::allRooms(). */
final class AllRooms
{
    /** @param list<string|int> $rooms a numeric room stays an int */
    public function __construct(
        public readonly array $rooms,
        public readonly int $serversAnswered,
        public readonly int $serversMissing,
        public readonly bool $complete,
    ) {
    }

    /** @internal */
    public static function fromAnswer(array $a): self
    {
        return new self($a['rooms'], $a['servers_answered'], $a['servers_missing'], $a['complete']);
    }
}
