<?php
// SPDX-License-Identifier: MIT
declare(strict_types=1);

namespace SocketIO;

/**
 * Every failure of the emitter. getErrorCode() is the stable code shared by every language
 * binding ("RESERVED_EVENT", "CLOSED", "CONNECTION", ...); getCode() is the C status number.
 */
final class EmitterException extends \RuntimeException
{
    public function __construct(private readonly string $errorCode, int $status, string $message)
    {
        parent::__construct("$errorCode: $message", $status);
    }

    public function getErrorCode(): string
    {
        return $this->errorCode;
    }
}
