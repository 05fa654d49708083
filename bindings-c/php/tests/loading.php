<?php
// SPDX-License-Identifier: MIT
// How the library is found, and the error for each way loading can fail: each case runs in
// a child PHP process, since a process loads the library only once.
declare(strict_types=1);

/** Runs $code in a child PHP with $ini flags and $env added; returns its trimmed output. */
function php_child(array $ini, array $env, string $code): string
{
    $code = 'require ' . var_export(dirname(__DIR__) . '/autoload.php', true) . ';' . $code;
    $proc = proc_open(array_merge([PHP_BINARY], $ini, ['-r', $code]), [1 => ['pipe', 'w'], 2 => ['pipe', 'w']],
        $pipes, null, $env + getenv());
    $out = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
    proc_close($proc);
    return trim($out);
}

/** Loads the library in a child PHP; returns "loaded" or the exception's message. */
function load_in_child(array $ini, array $env): string
{
    return php_child($ini, $env, 'try { SocketIO\Emitter::offline(); echo "loaded"; }'
        . 'catch (SocketIO\EmitterException $e) { echo $e->getMessage(); }');
}

function test_loading_a_missing_library_names_the_override(Harness $h, string $url): void
{
    $out = load_in_child([], ['SOCKETIO_EMITTER_LIB' => '/nonexistent/libsocketio_emitter.so']);
    check(str_starts_with($out, 'LIBRARY: cannot load the C library /nonexistent/libsocketio_emitter.so, '
        . 'set by SOCKETIO_EMITTER_LIB'), "message: $out");
    check(str_contains($out, 'SocketIO\Native::useLibrary'), "message names useLibrary(): $out");
}

function test_loading_with_ffi_disabled_names_ffi_enable(Harness $h, string $url): void
{
    $out = load_in_child(['-d', 'ffi.enable=0'], []);
    check(str_starts_with($out, 'LIBRARY: FFI is restricted by ffi.enable=0: set ffi.enable=1'), "message: $out");
    check(str_contains($out, 'ffi.preload'), "message names ffi.preload for PHP-FPM: $out");
}

function test_loading_without_the_ffi_extension_names_it(Harness $h, string $url): void
{
    // -n: no php.ini, so the shared ffi extension (as Debian builds it) is not loaded.
    $out = load_in_child(['-n'], []);
    check(str_starts_with($out, 'LIBRARY: the FFI extension is not loaded: install or enable ext-ffi'), "message: $out");
}

function test_use_library_sets_the_path_before_the_first_emitter(Harness $h, string $url): void
{
    $lib = SocketIO\Native::library();
    $out = php_child([], ['SOCKETIO_EMITTER_LIB' => '/not/this/one.so'],
        'SocketIO\Native::useLibrary(' . var_export($lib, true) . ');'
        . 'echo SocketIO\Native::library() === ' . var_export($lib, true) . ' ? "same" : "other", "\n";'
        . 'SocketIO\Emitter::offline();'
        . 'try { SocketIO\Native::useLibrary("/elsewhere.so"); echo "changed"; }'
        . 'catch (SocketIO\EmitterException $e) { echo $e->getMessage(); }');
    same($out, "same\nLIBRARY: useLibrary() came after the library was loaded", 'useLibrary');
}
