<?php
// SPDX-License-Identifier: MIT
declare(strict_types=1);

namespace SocketIO;

/**
 * The acknowledgements of the clients an Emitter::emitWithAck() reached: clientsMissing
 * counts the targeted clients that did not answer in time, serversMissing the servers that
 * did not say how many clients they targeted.
 */
final class ClientAcks
{
    /** @param list<mixed> $responses each acknowledging client's answer, in arrival order */
    public function __construct(
        public readonly array $responses,
        public readonly int $clientsTargeted,
        public readonly int $clientsMissing,
        public readonly int $serversMissing,
        public readonly bool $complete,
    ) {
    }

    /** @internal */
    public static function fromAnswer(array $a): self
    {
        return new self($a['responses'], $a['clients_targeted'], $a['clients_missing'], $a['servers_missing'], $a['complete']);
    }
}
