<?php
// One endpoint: POST /rooms/{room}/messages with a JSON body sends that body to the room as a
// "message" event, and answers 202 {"servers": N}. Run it with PHP's built-in server (FFI is
// off there unless enabled):
//   php -d ffi.enable=1 -S 127.0.0.1:8000 public/index.php
declare(strict_types=1);

require __DIR__ . '/../vendor/autoload.php';

use SocketIO\{Emitter, EmitterException};

function reply(int $status, array $body): void
{
    http_response_code($status);
    header('Content-Type: application/json');
    echo json_encode($body);
}

$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($_SERVER['REQUEST_METHOD'] !== 'POST' || !preg_match('#^/rooms/([^/]+)/messages$#', $path, $m)) {
    reply(404, ['error' => 'not found']);
    return;
}
try {
    $message = json_decode(file_get_contents('php://input'), false, 512, JSON_THROW_ON_ERROR);
} catch (JsonException $e) {
    reply(400, ['error' => 'the body is not JSON']);
    return;
}

// snippet: php-http-emit
// `key` must be the key of the Socket.IO servers' Redis adapter, here
// createAdapter(pub, sub, { key: "my-app" }). With any other key emit() still succeeds,
// reaches no server, and returns 0. `persistent` keeps the connection for the next request.
$io = Emitter::connect(getenv('REDIS_URL') ?: 'redis://127.0.0.1:6379', ['key' => 'my-app', 'persistent' => true]);
try {
    $servers = $io->to(rawurldecode($m[1]))->emit('message', $message);
} catch (EmitterException $e) {
    reply(503, ['error' => $e->getErrorCode()]);
    return;
}
reply(202, ['servers' => $servers]);
// end snippet
