<?php
// SPDX-License-Identifier: MIT
declare(strict_types=1);

namespace SocketIO;

use FFI;

/**
 * Loads the C library once per request (or once per PHP-FPM worker when preloaded).
 *
 * - Preloaded (PHP-FPM, `opcache.preload` calling Native::preload()): FFI::scope().
 * - Otherwise: FFI::cdef() over include/socketio_emitter_ffi.h and the library found at
 *   $SOCKETIO_EMITTER_LIB, or `libsocketio_emitter.so` on the dynamic loader's path. This
 *   needs `ffi.enable=1` outside the CLI.
 */
final class Native
{
    public const SCOPE = 'socketio_emitter';

    private static ?FFI $ffi = null;

    public static function ffi(): FFI
    {
        if (self::$ffi === null) {
            try {
                self::$ffi = FFI::scope(self::SCOPE);
            } catch (\Throwable) {
                self::$ffi = FFI::cdef((string) file_get_contents(self::header()), self::library());
            }
        }
        return self::$ffi;
    }

    /**
     * The header for `ffi.preload` (or FFI::load): the declarations plus FFI_SCOPE and
     * FFI_LIB naming $library. bin/preload-header.php writes it to a file.
     */
    public static function preloadHeader(?string $library = null, ?string $header = null): string
    {
        $decls = (string) file_get_contents($header ?? self::header());
        $lib = $library ?? self::library();
        return "#define FFI_SCOPE \"" . self::SCOPE . "\"\n#define FFI_LIB \"" . addslashes($lib) . "\"\n" . $decls;
    }

    /**
     * Call from an `opcache.preload` script that runs without `opcache.preload_user`
     * (PHP refuses FFI::load() with it; use `ffi.preload` then, see the README).
     */
    public static function preload(?string $library = null): void
    {
        $text = self::preloadHeader($library);
        $file = sys_get_temp_dir() . '/socketio_emitter_' . md5($text) . '.h';
        if (@file_get_contents($file) !== $text) {
            file_put_contents($file, $text);
        }
        FFI::load($file);
    }

    public static function header(): string
    {
        return dirname(__DIR__, 2) . '/include/socketio_emitter_ffi.h';
    }

    public static function library(): string
    {
        $env = getenv('SOCKETIO_EMITTER_LIB');
        return is_string($env) && $env !== '' ? $env : 'libsocketio_emitter.so';
    }

    /**
     * Runs a C call that takes `sioe_error **err` last; throws on a non-zero status (with
     * the failed tickets of a FLUSH error). $fn is sensitive: a closure that holds a URL
     * would show it, password included, in the exception's trace.
     */
    public static function call(#[\SensitiveParameter] callable $fn): void
    {
        $ffi = self::ffi();
        $err = $ffi->new('sioe_error*');
        $status = $fn(FFI::addr($err));
        if ($status !== 0) {
            $message = '';
            $failures = [];
            if (!FFI::isNull($err)) {
                $message = $ffi->sioe_error_message($err);
                $count = $ffi->sioe_error_failure_count($err);
                if ($count > 0) {
                    $ticket = $ffi->new('uint64_t');
                    $code = $ffi->new('sioe_status');
                    for ($i = 0; $i < $count; $i++) {
                        $ffi->sioe_error_failure($err, $i, FFI::addr($ticket), FFI::addr($code));
                        $failures[] = ['ticket' => $ticket->cdata, 'code' => $ffi->sioe_status_name($code->cdata)];
                    }
                }
            }
            $ffi->sioe_error_free($err);
            throw new EmitterException($ffi->sioe_status_name($status), $status, $message, $failures);
        }
    }

    public static function version(): string
    {
        return self::ffi()->sioe_version();
    }
}
