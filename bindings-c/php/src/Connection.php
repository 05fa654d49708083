<?php
// SPDX-License-Identifier: MIT
declare(strict_types=1);

namespace SocketIO;

use FFI;

/**
 * Owns one C emitter handle (the root of a connection). Internal: use Emitter.
 * @internal
 */
final class Connection
{
    private ?FFI\CData $handle;

    public function __construct(FFI\CData $handle)
    {
        $this->handle = $handle;
    }

    public function handle(): FFI\CData
    {
        if ($this->handle === null) {
            throw new EmitterException('CLOSED', 10, 'the emitter is closed');
        }
        return $this->handle;
    }

    /**
     * Closes the connection (for every handle sharing it) and releases this handle.
     *
     * @return array{sent: int, receivers: int, reached_none: int, failed: int}
     */
    public function close(int|float|null $timeoutMs = null): array
    {
        if ($this->handle === null) {
            return ['sent' => 0, 'receivers' => 0, 'reached_none' => 0, 'failed' => 0];
        }
        $ffi = Native::ffi();
        $h = $this->handle;
        $timeout = Emitter::timeoutMs($timeoutMs);
        try {
            $report = Emitter::report(fn ($report, $err) => $ffi->sioe_emitter_close_timeout($h, $timeout, $report, $err));
        } catch (EmitterException $e) {
            if ($e->getErrorCode() !== 'INVALID_ARGUMENT') {
                $this->release(); // closed, with failures; a bad timeout closed nothing
            }
            throw $e;
        }
        $this->release();
        return $report;
    }

    private function release(): void
    {
        if ($this->handle !== null) {
            Native::ffi()->sioe_emitter_free($this->handle);
            $this->handle = null;
        }
    }

    public function __destruct()
    {
        $this->release();
    }
}
