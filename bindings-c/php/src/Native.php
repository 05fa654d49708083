<?php
// SPDX-License-Identifier: MIT
declare(strict_types=1);

namespace SocketIO;

use FFI;

/**
 * Loads the C library once per request (or once per PHP-FPM worker when preloaded).
 *
 * - Preloaded (PHP-FPM, `ffi.preload` or `opcache.preload` calling Native::preload()):
 *   FFI::scope().
 * - Otherwise: FFI::cdef() over the package's include/socketio_emitter_ffi.h and the library
 *   from library(). This needs `ffi.enable=1` outside the CLI.
 *
 * Every way this can fail throws EmitterException::LIBRARY with a message that names the
 * setting to change (library() explains where the library is looked for).
 */
final class Native
{
    public const SCOPE = 'socketio_emitter';
    /** The environment variable that overrides the library's path. */
    public const LIBRARY_ENV = 'SOCKETIO_EMITTER_LIB';
    /** The platform the package carries a prebuilt library for. */
    public const BUNDLED_PLATFORM = 'linux-x86_64';

    private static ?FFI $ffi = null;
    private static ?string $libraryOverride = null;

    public static function ffi(): FFI
    {
        if (self::$ffi === null) {
            self::$ffi = self::load();
        }
        return self::$ffi;
    }

    private static function load(): FFI
    {
        if (!extension_loaded('ffi')) {
            throw self::unavailable('the FFI extension is not loaded: install or enable ext-ffi '
                . '(`extension=ffi` in php.ini; Debian and Ubuntu ship it with php-cli)');
        }
        try {
            return FFI::scope(self::SCOPE);
        } catch (\Throwable) {
            // Not preloaded: load the declarations now.
        }
        $header = self::header();
        [$library, $source] = self::locate();
        try {
            return FFI::cdef((string) file_get_contents($header), $library);
        } catch (\FFI\Exception $e) {
            // PHP refuses FFI::cdef() where ffi.enable is not 1 (preload outside the CLI, or 0).
            if (str_contains($e->getMessage(), 'ffi.enable')) {
                $setting = (string) ini_get('ffi.enable');
                throw self::unavailable("FFI is restricted by ffi.enable=$setting: set ffi.enable=1, or keep "
                    . 'ffi.enable=preload and preload the declarations with ffi.preload (PHP-FPM, see the README)');
            }
            throw self::unavailable("cannot load the C library $library, $source (" . $e->getMessage() . '): '
                . self::advice($source));
        }
    }

    /** What to do when the library from $source does not load. */
    private static function advice(string $source): string
    {
        $override = 'set ' . self::LIBRARY_ENV . ' to the path of a libsocketio_emitter.so, '
            . 'or call SocketIO\Native::useLibrary($path) before the first emitter';
        return match ($source) {
            self::FROM_CALL, self::FROM_ENV => "check that path, or $override",
            self::FROM_PACKAGE => 'the prebuilt library needs glibc 2.17 or newer; elsewhere build one from the '
                . "source repository with `make -C bindings-c install` and $override",
            default => (self::platform() === self::BUNDLED_PLATFORM
                    ? 'no prebuilt library is in ' . dirname(__DIR__) . '/lib (a source checkout?)'
                    : 'this package carries a prebuilt library for ' . self::BUNDLED_PLATFORM . ' only (this is '
                        . self::platform() . ')')
                . '; build one from the source repository with `make -C bindings-c install`, '
                . "then $override (or install it on the loader's path)",
        };
    }

    private static function unavailable(string $message): EmitterException
    {
        return new EmitterException(EmitterException::LIBRARY, -1, $message);
    }

    /** This machine as `<os>-<arch>`, the way BUNDLED_PLATFORM names one. */
    public static function platform(): string
    {
        return strtolower(PHP_OS_FAMILY) . '-' . php_uname('m');
    }

    /**
     * Sets the library's path for this process, ahead of $SOCKETIO_EMITTER_LIB and the bundled
     * one. Call it before the first emitter; later calls cannot change a loaded library.
     */
    public static function useLibrary(string $path): void
    {
        if (self::$ffi !== null) {
            throw new EmitterException(EmitterException::LIBRARY, -1, 'useLibrary() came after the library was loaded');
        }
        self::$libraryOverride = $path;
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

    /**
     * The C declarations: include/ inside the package, or the repository's bindings-c/include
     * when the package is used from a checkout.
     */
    public static function header(): string
    {
        foreach ([dirname(__DIR__) . '/include', dirname(__DIR__, 2) . '/include'] as $dir) {
            if (is_file("$dir/socketio_emitter_ffi.h")) {
                return "$dir/socketio_emitter_ffi.h";
            }
        }
        throw self::unavailable('the package is incomplete: include/socketio_emitter_ffi.h is missing next to src/');
    }

    private const FROM_CALL = 'set by Native::useLibrary()';
    private const FROM_ENV = 'set by ' . self::LIBRARY_ENV;
    private const FROM_PACKAGE = 'the one this package carries for ' . self::BUNDLED_PLATFORM;
    private const FROM_LOADER = "looked up on the dynamic loader's path";

    /**
     * The library's path, first found of: useLibrary(), $SOCKETIO_EMITTER_LIB, the package's
     * prebuilt lib/linux-x86_64/libsocketio_emitter.so on that platform, and last the name
     * `libsocketio_emitter.so` for the dynamic loader's search (e.g. after `make install`).
     */
    public static function library(): string
    {
        return self::locate()[0];
    }

    /** @return array{string, string} the library's path and where it came from */
    private static function locate(): array
    {
        if (self::$libraryOverride !== null) {
            return [self::$libraryOverride, self::FROM_CALL];
        }
        $env = getenv(self::LIBRARY_ENV);
        if (is_string($env) && $env !== '') {
            return [$env, self::FROM_ENV];
        }
        $bundled = dirname(__DIR__) . '/lib/' . self::BUNDLED_PLATFORM . '/libsocketio_emitter.so';
        if (self::platform() === self::BUNDLED_PLATFORM && is_file($bundled)) {
            return [$bundled, self::FROM_PACKAGE];
        }
        return ['libsocketio_emitter.so', self::FROM_LOADER];
    }

    /**
     * Runs a C call that takes `sioe_error **err` last; throws on a non-zero status (with
     * the failed tickets of a FLUSH error). $fn is sensitive: a closure that holds a URL
     * would show it, password included, in the exception's trace.
     */
    public static function call(#[\SensitiveParameter] callable $fn): void
    {
        $err = self::ffi()->new('sioe_error*');
        $status = $fn(FFI::addr($err));
        if ($status !== 0) {
            throw self::failure($status, $err);
        }
    }

    /**
     * The exception for a C call's non-zero $status, with the message and failed tickets
     * of its $err (a `sioe_error*`), which it frees.
     */
    public static function failure(int $status, FFI\CData $err): EmitterException
    {
        $ffi = self::ffi();
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
        return new EmitterException($ffi->sioe_status_name($status), $status, $message, $failures);
    }

    public static function version(): string
    {
        return self::ffi()->sioe_version();
    }
}
