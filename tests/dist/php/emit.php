<?php
// The README's first emit, from the installed package: `php emit.php EVENT` with REDIS_URL set.
declare(strict_types=1);

// snippet: php-first-emit
require __DIR__ . '/vendor/autoload.php';

use SocketIO\{Binary, Emitter};

$io = Emitter::connect(getenv('REDIS_URL') ?: 'redis://127.0.0.1:6379');
// end snippet
$event = $argv[1];
$io->to('dist')->emit($event, ['from' => $event], new Binary("\x01\x02"));
$io->close();
echo "$event\n";
