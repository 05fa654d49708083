<?php
// SPDX-License-Identifier: MIT
declare(strict_types=1);

namespace SocketIO;

/** A socket of some server of the cluster, as that server described it. */
final class RemoteSocket
{
    /**
     * @param list<string> $rooms its rooms, its own id included
     * @param mixed $data socket.data, as the server set it (JSON objects as arrays)
     * @param array<string, mixed> $handshake socket.handshake: headers, query, auth, address...
     */
    public function __construct(
        public readonly string $id,
        public readonly array $rooms,
        public readonly mixed $data,
        public readonly array $handshake,
    ) {
    }
}
