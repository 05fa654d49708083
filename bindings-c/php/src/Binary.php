<?php
// SPDX-License-Identifier: MIT
declare(strict_types=1);

namespace SocketIO;

/**
 * Binary data. PHP strings are bytes, so a string is always sent as text; wrap bytes in
 * Binary (at any depth of the arguments) to have clients receive them as binary.
 */
final class Binary
{
    public function __construct(public readonly string $bytes)
    {
    }
}
