<?php
// SPDX-License-Identifier: MIT
declare(strict_types=1);

namespace SocketIO;

/**
 * Every failure of the emitter. getErrorCode() is the stable code shared by every language
 * binding (one of the constants below); getCode() is the C status number (-1 for errors
 * found in PHP before any C call).
 *
 * A FLUSH error (flush() or close() found queued operations that failed) also carries
 * getReport(), what succeeded, and getFailures(), every failed ticket with its own code.
 */
final class EmitterException extends \RuntimeException
{
    public const NULL_ARGUMENT = 'NULL_ARGUMENT';
    public const INVALID_UTF8 = 'INVALID_UTF8';
    public const INVALID_JSON = 'INVALID_JSON';
    public const INVALID_ARGUMENT = 'INVALID_ARGUMENT';
    public const RESERVED_EVENT = 'RESERVED_EVENT';
    public const ENCODE = 'ENCODE';
    public const CONNECTION = 'CONNECTION';
    public const REDIS = 'REDIS';
    /** No answer in time: Redis may still have published it, so a retry may duplicate it. */
    public const TIMEOUT = 'TIMEOUT';
    public const CLOSED = 'CLOSED';
    public const NO_SUBSCRIBERS = 'NO_SUBSCRIBERS';
    public const QUEUE_FULL = 'QUEUE_FULL';
    public const FLUSH = 'FLUSH';
    /**
     * The servers' stack (the `compat` option) cannot do this operation at all, e.g. except()
     * on socket.io-redis 5/6.0 or serverSideEmit() before redis-adapter 7; nothing was
     * published. The message names the operation, the stack and why.
     */
    public const UNSUPPORTED = 'UNSUPPORTED';
    /**
     * adapter "auto" found no Socket.IO server on the key and namespace "/", or servers
     * with different adapters there; the message says what listens.
     */
    public const DETECTION_FAILED = 'DETECTION_FAILED';
    /** A bug the library caught (never the caller's fault); please report it. */
    public const INTERNAL = 'INTERNAL';
    public const PANIC = 'PANIC';
    /**
     * The C library could not be loaded (PHP only): FFI missing or restricted by ffi.enable,
     * or no library for this platform. The message names the setting to change.
     */
    public const LIBRARY = 'LIBRARY';

    /** @var array{sent: int, receivers: int, reached_none: int, failed: int}|null */
    private ?array $report = null;

    /**
     * @param list<array{ticket: int, code: string}> $failures
     */
    public function __construct(
        private readonly string $errorCode,
        int $status,
        string $message,
        private readonly array $failures = [],
    ) {
        parent::__construct("$errorCode: $message", $status);
    }

    public function getErrorCode(): string
    {
        return $this->errorCode;
    }

    /**
     * For FLUSH: what flush()/close() completed since the previous flush (the successes are
     * counted even though some operations failed). Null for other codes.
     *
     * @return array{sent: int, receivers: int, reached_none: int, failed: int}|null
     */
    public function getReport(): ?array
    {
        return $this->report;
    }

    /**
     * For FLUSH: every queued operation that failed, in ticket order, with its own code
     * ("CONNECTION", "TIMEOUT", ...). Empty for other codes.
     *
     * @return list<array{ticket: int, code: string}>
     */
    public function getFailures(): array
    {
        return $this->failures;
    }

    /** @internal */
    public function withReport(array $report): self
    {
        $this->report = $report;
        return $this;
    }
}
