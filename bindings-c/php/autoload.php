<?php
// SPDX-License-Identifier: MIT
// Loads the SocketIO\ classes without Composer: require this file once.
declare(strict_types=1);

spl_autoload_register(static function (string $class): void {
    if (str_starts_with($class, 'SocketIO\\')) {
        $file = __DIR__ . '/src/' . substr($class, strlen('SocketIO\\')) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});
