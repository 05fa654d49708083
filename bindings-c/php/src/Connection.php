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

    /** Closes the connection (for every handle sharing it) and releases this handle. */
    public function close(): array
    {
        if ($this->handle === null) {
            return ['sent' => 0, 'receivers' => 0];
        }
        $ffi = Native::ffi();
        $sent = $ffi->new('uint64_t');
        $receivers = $ffi->new('uint64_t');
        try {
            $h = $this->handle;
            Native::call(fn ($err) => $ffi->sioe_emitter_close($h, FFI::addr($sent), FFI::addr($receivers), $err));
        } finally {
            $this->release();
        }
        return ['sent' => $sent->cdata, 'receivers' => $receivers->cdata];
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
