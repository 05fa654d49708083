<?php
// The demo's PHP backend: emits to everyone, to rooms, to /admin and a PNG, once a second.
//
//   REDIS_URL=redis://127.0.0.1:6379 php demo/backends/php/backend.php

// In an application: require __DIR__ . '/vendor/autoload.php'; (composer)
require __DIR__ . '/../../../bindings-c/php/autoload.php';

use SocketIO\{Binary, Emitter};

const LANG = 'PHP';
$interval = (int) (getenv('DEMO_INTERVAL_MS') ?: 1000);
$image = new Binary(file_get_contents(__DIR__ . '/../image.png'));

$io = Emitter::connect(getenv('REDIS_URL') ?: 'redis://127.0.0.1:6379');
for ($tick = 1; ; $tick++) {
    $text = 'hello from ' . LANG . " #$tick";
    $io->emit('message', ['lang' => LANG, 'text' => $text]);
    $io->to('news')->emit('message', ['lang' => LANG, 'room' => 'news', 'text' => $text]);
    $io->to('sports')->emit('message', ['lang' => LANG, 'room' => 'sports', 'text' => $text]);
    $io->of('/admin')->emit('message', ['lang' => LANG, 'text' => $text]);
    $io->emit('image', ['lang' => LANG, 'text' => $text], $image); // Binary arrives as binary
    usleep($interval * 1000);
}
