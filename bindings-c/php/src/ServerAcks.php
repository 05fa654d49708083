<?php
// SPDX-License-Identifier: MIT
declare(strict_types=1);

namespace SocketIO;

/**
 * What each server's handler passed to its callback (Emitter::serverSideEmitWithAck()).
 * serversMissing counts the servers whose handler did not call back in time.
 */
final class ServerAcks
{
    /** @param list<mixed> $responses */
    public function __construct(
        public readonly array $responses,
        public readonly int $serversAnswered,
        public readonly int $serversMissing,
        public readonly bool $complete,
    ) {
    }

    /** @internal */
    public static function fromAnswer(array $a): self
    {
        return new self($a['responses'], $a['servers_answered'], $a['servers_missing'], $a['complete']);
    }
}
