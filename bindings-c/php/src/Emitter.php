<?php
// SPDX-License-Identifier: MIT
declare(strict_types=1);

namespace SocketIO;

use FFI;

/**
 * Publishes Socket.IO events into Redis like the official Node emitter.
 *
 *     $io = SocketIO\Emitter::connect('redis://127.0.0.1:6379');
 *     $io->to('room1')->except('room2')->of('/admin')->emit('event', ['a' => 1], new SocketIO\Binary($bytes));
 *
 * Immutable: to/in/except/of/volatile/compress return a new Emitter and leave this one
 * unchanged. Unlike the Node API, of() keeps the rooms and flags already chosen, so the
 * calls can come in any order. Failures throw EmitterException carrying the error code.
 */
final class Emitter
{
    private const OPTIONS = ['key', 'adapter', 'subscription_mode', 'tls_ca_pem', 'connect_timeout_ms',
        'response_timeout_ms', 'reconnect_min_delay_ms', 'reconnect_max_delay_ms', 'reconnect_attempts',
        'queue_capacity', 'queue_max_bytes', 'queue_full', 'require_receivers', 'persistent', 'max_payload_bytes',
        'cluster_nodes', 'sentinel_master', 'sentinel_nodes', 'stream_name', 'stream_count', 'max_len',
        'streams_version', 'compat'];

    /** Options given as text, and their C setters; the C library checks the value. */
    private const TEXT_OPTIONS = ['adapter' => 'sioe_options_set_adapter',
        'subscription_mode' => 'sioe_options_set_subscription_mode',
        'sentinel_master' => 'sioe_options_set_sentinel_master',
        'stream_name' => 'sioe_options_set_stream_name',
        'streams_version' => 'sioe_options_set_streams_version',
        'compat' => 'sioe_options_set_compat'];

    /** Options given as lists of URLs, and the C function that adds one. */
    private const URL_LISTS = ['cluster_nodes' => 'sioe_options_add_cluster_node',
        'sentinel_nodes' => 'sioe_options_add_sentinel_node'];

    /** Duration options, in milliseconds, and their sioe_duration number. */
    private const DURATIONS = ['connect_timeout_ms' => 0, 'response_timeout_ms' => 1,
        'reconnect_min_delay_ms' => 2, 'reconnect_max_delay_ms' => 3];

    /** The C library's "no limit" for flush and close. */
    private const NO_TIMEOUT = INF;

    /** @param list<array{string, string|int|bool}> $ops */
    /** How long questions to the cluster wait for answers by default, in milliseconds. */
    public const ASK_TIMEOUT_MS = 5000;

    /**
     * This target's C handle, built on first use and kept until this Emitter goes away, so
     * that a kept target (`$room = $io->to('room1')`) does not rebuild it for every call.
     */
    private ?FFI\CData $target = null;

    private function __construct(
        private readonly Connection $conn,
        private readonly string $nsp = '/',
        private readonly array $ops = [],
        private readonly int $askTimeoutMs = self::ASK_TIMEOUT_MS,
    ) {
    }

    public function __clone()
    {
        $this->target = null; // the original frees its own
    }

    public function __destruct()
    {
        if ($this->target !== null) {
            Native::ffi()->sioe_emitter_free($this->target);
        }
    }

    /**
     * Connects to Redis. Options (all optional): key (channel prefix, "socket.io"),
     * adapter (the servers' adapter: "classic", the default, "sharded" for
     * createShardedAdapter, "streams" for @socket.io/redis-streams-adapter, or "auto":
     * detected when connecting, DETECTION_FAILED when no server or several adapters listen),
     * subscription_mode (the sharded servers' subscriptionMode:
     * "static", "dynamic", the default, or "dynamic-private"), tls_ca_pem, connect_timeout_ms and response_timeout_ms (5000), reconnect_min_delay_ms
     * (100), reconnect_max_delay_ms (2000), reconnect_attempts (6), queue_capacity (10000),
     * queue_max_bytes (64 MiB), queue_full ("block" or "error"), require_receivers (false),
     * max_payload_bytes (16 MiB), persistent (false: true shares one connection per URL and
     * options across the requests a PHP-FPM worker serves). Durations are milliseconds (int
     * or float, at most one day); every value is checked and a bad one throws
     * INVALID_ARGUMENT naming the option.
     *
     * Server stacks (see the README's "Server stacks"): with adapter "streams",
     * streams_version ("0.3", the default, or "0.2"; "0.3.1" and "0.2.3" name their
     * generation), stream_name (streamName, "socket.io"), stream_count (streamCount, 1 to
     * 1024, 0.3 only) and max_len (maxLen, 10000); key is their channelPrefix. With the
     * classic adapter, compat names an older stack: "redis-adapter-8" (the default),
     * "redis-adapter-7", "socket.io-redis-6.1", "socket.io-redis-6.0" (socket.io 3.x) or
     * "socket.io-redis-5" (socket.io 2.x); what such a stack cannot do throws UNSUPPORTED. Every call then waits at most connect_timeout_ms +
     * response_timeout_ms.
     *
     * Redis Cluster: cluster_nodes, a list of seed node URLs (redis:// or rediss://, with the
     * nodes' credentials), and $url null. Sentinel: sentinel_master (the name the sentinels
     * monitor) and sentinel_nodes (their URLs, with their own credentials if any); $url then
     * gives the master's credentials, database and TLS (its host and port are not used), or
     * is null for none. Passwords never show in messages or traces.
     */
    public static function connect(#[\SensitiveParameter] ?string $url, #[\SensitiveParameter] array $options = []): self
    {
        return self::create($options, fn (FFI $ffi, FFI\CData $opts, FFI\CData $out) => Native::call(
            fn ($err) => $ffi->sioe_connect($url, $url === null ? 0 : strlen($url), $opts, FFI::addr($out), $err)
        ));
    }

    /**
     * An emitter that only encodes (encodeEmit, encodeServerSideEmit), for your own Redis
     * client. $options are connect()'s: key, adapter, subscription_mode, the streams
     * options, compat and max_payload_bytes shape the output (a `key` there wins over $key);
     * combinations connect() refuses are INVALID_ARGUMENT here too.
     */
    public static function offline(string $key = 'socket.io', array $options = []): self
    {
        return self::create($options + ['key' => $key], fn (FFI $ffi, FFI\CData $opts, FFI\CData $out) => Native::call(
            fn ($err) => $ffi->sioe_offline_with($opts, FFI::addr($out), $err)
        ));
    }

    /** Builds the C options, then lets $make write the new handle to its `out`. */
    private static function create(#[\SensitiveParameter] array $options, #[\SensitiveParameter] callable $make): self
    {
        $ffi = Native::ffi();
        $unknown = array_diff(array_keys($options), self::OPTIONS);
        if ($unknown !== []) {
            throw new EmitterException('INVALID_ARGUMENT', 4, 'unknown option(s): ' . implode(', ', $unknown));
        }
        $opts = $ffi->sioe_options_new();
        try {
            self::apply($ffi, $opts, $options);
            $out = $ffi->new('sioe_emitter*');
            $make($ffi, $opts, $out);
        } finally {
            $ffi->sioe_options_free($opts);
        }
        return new self(new Connection($out));
    }

    /** An integer option: ints only, not negative (C reads them as size_t). */
    private static function count(array $opt, string $name, int $default): int
    {
        $v = $opt[$name] ?? $default;
        if (!is_int($v) || $v < 0) {
            throw new EmitterException('INVALID_ARGUMENT', 4, "$name must be a non-negative int, got " . json_encode($v));
        }
        return $v;
    }

    private static function apply(FFI $ffi, FFI\CData $o, #[\SensitiveParameter] array $opt): void
    {
        // Sensitive: the closures hold URLs, which traces would show with their passwords.
        $set = fn (#[\SensitiveParameter] callable $fn) => Native::call($fn);
        if (isset($opt['key'])) {
            $k = (string) $opt['key'];
            $set(fn ($e) => $ffi->sioe_options_set_key($o, $k, strlen($k), $e));
        }
        foreach (self::TEXT_OPTIONS as $name => $setter) {
            if (!isset($opt[$name])) {
                continue;
            }
            if (!is_string($opt[$name])) {
                throw new EmitterException('INVALID_ARGUMENT', 4, "$name must be a string, got " . get_debug_type($opt[$name]));
            }
            $text = $opt[$name];
            $set(fn ($e) => $ffi->$setter($o, $text, strlen($text), $e));
        }
        foreach (self::URL_LISTS as $name => $adder) {
            if (!isset($opt[$name])) {
                continue;
            }
            $urls = $opt[$name];
            if (!is_array($urls) || !array_is_list($urls)) {
                throw new EmitterException('INVALID_ARGUMENT', 4, "$name must be a list of URLs, got " . get_debug_type($urls));
            }
            foreach ($urls as $i => $url) {
                if (!is_string($url)) {
                    throw new EmitterException('INVALID_ARGUMENT', 4, "{$name}[$i] must be a string, got " . get_debug_type($url));
                }
                $set(fn ($e) => $ffi->$adder($o, $url, strlen($url), $e));
            }
        }
        if (isset($opt['tls_ca_pem'])) {
            $p = (string) $opt['tls_ca_pem'];
            $set(fn ($e) => $ffi->sioe_options_set_tls_ca_pem($o, $p, strlen($p), $e));
        }
        if (isset($opt['reconnect_attempts'])) {
            // Sets the delays to their defaults too; the durations below come after.
            $attempts = self::count($opt, 'reconnect_attempts', 6);
            $set(fn ($e) => $ffi->sioe_options_set_reconnect($o, 100, 2000, $attempts, $e));
        }
        foreach (self::DURATIONS as $name => $which) {
            if (!array_key_exists($name, $opt)) {
                continue;
            }
            $ms = $opt[$name];
            if (!is_int($ms) && !is_float($ms)) {
                throw new EmitterException('INVALID_ARGUMENT', 4, "$name must be a number of milliseconds, got " . get_debug_type($ms));
            }
            // The C library checks the range (negative, NaN, more than a day) and names the option.
            $set(fn ($e) => $ffi->sioe_options_set_duration_ms($o, $which, (float) $ms, $e));
        }
        if (isset($opt['queue_capacity']) || isset($opt['queue_full'])) {
            $policy = match ($opt['queue_full'] ?? 'block') {
                'block' => 0,
                'error' => 1,
                default => throw new EmitterException('INVALID_ARGUMENT', 4, 'queue_full must be "block" or "error"'),
            };
            $capacity = self::count($opt, 'queue_capacity', 10000);
            $set(fn ($e) => $ffi->sioe_options_set_queue($o, $capacity, $policy, $e));
        }
        if (isset($opt['queue_max_bytes'])) {
            $bytes = self::count($opt, 'queue_max_bytes', 0);
            $set(fn ($e) => $ffi->sioe_options_set_queue_max_bytes($o, $bytes, $e));
        }
        if (isset($opt['max_payload_bytes'])) {
            $bytes = self::count($opt, 'max_payload_bytes', 0);
            $set(fn ($e) => $ffi->sioe_options_set_max_payload_bytes($o, $bytes, $e));
        }
        if (isset($opt['stream_count'])) {
            $count = self::count($opt, 'stream_count', 1);
            if ($count > 0xFFFFFFFF) {
                throw new EmitterException('INVALID_ARGUMENT', 4, "stream_count is out of range, got $count");
            }
            $set(fn ($e) => $ffi->sioe_options_set_stream_count($o, $count, $e));
        }
        if (isset($opt['max_len'])) {
            $maxLen = self::count($opt, 'max_len', 10000);
            $set(fn ($e) => $ffi->sioe_options_set_max_len($o, $maxLen, $e));
        }
        if (isset($opt['require_receivers'])) {
            $set(fn ($e) => $ffi->sioe_options_set_require_receivers($o, (bool) $opt['require_receivers'], $e));
        }
        if (isset($opt['persistent'])) {
            $set(fn ($e) => $ffi->sioe_options_set_persistent($o, (bool) $opt['persistent'], $e));
        }
    }

    /** The C timeout argument: null is no limit; the C library checks the range. */
    public static function timeoutMs(int|float|null $timeoutMs): float
    {
        return $timeoutMs === null ? self::NO_TIMEOUT : (float) $timeoutMs;
    }

    /**
     * Runs a flush or close C call; the report comes back on success and, inside the
     * exception, with FLUSH.
     *
     * @return array{sent: int, receivers: int, reached_none: int, failed: int}
     * @internal
     */
    public static function report(callable $call): array
    {
        $ffi = Native::ffi();
        $r = $ffi->new('sioe_flush_report');
        $read = fn () => ['sent' => $r->sent, 'receivers' => $r->receivers, 'reached_none' => $r->reached_none, 'failed' => $r->failed];
        try {
            Native::call(fn ($e) => $call(FFI::addr($r), $e));
        } catch (EmitterException $e) {
            throw $e->getErrorCode() === 'FLUSH' ? $e->withReport($read()) : $e;
        }
        return $read();
    }

    private function with(array $ops, ?string $nsp = null): self
    {
        return new self($this->conn, $nsp ?? $this->nsp, [...$this->ops, ...$ops], $this->askTimeoutMs);
    }

    private static function rooms(string $op, array $rooms): array
    {
        $ops = [];
        foreach ($rooms as $room) {
            foreach (is_array($room) ? $room : [$room] as $r) {
                if (!is_string($r) && !is_int($r)) {
                    throw new EmitterException('INVALID_ARGUMENT', 4, 'a room is a string or an int');
                }
                $ops[] = [$op, $r];
            }
        }
        return $ops;
    }

    /** Adds rooms (strings, or ints: 7 and "7" are different rooms). */
    public function to(string|int|array ...$rooms): self
    {
        return $this->with(self::rooms('to', $rooms));
    }

    public function in(string|int|array ...$rooms): self
    {
        return $this->to(...$rooms);
    }

    public function except(string|int|array ...$rooms): self
    {
        return $this->with(self::rooms('except', $rooms));
    }

    /** The namespace (a leading "/" is added when missing). */
    public function of(string $nsp): self
    {
        return $this->with([], $nsp);
    }

    public function volatile(): self
    {
        return $this->with([['volatile', true]]);
    }

    public function compress(bool $compress = true): self
    {
        return $this->with([['compress', $compress]]);
    }

    /** Runs $fn with a C handle for this target; the handles built here are freed after. */
    private function run(callable $fn): mixed
    {
        $ffi = Native::ffi();
        return $fn($ffi, $this->target($ffi));
    }

    /** The C handle of this target (the connection's own for "/" without rooms or flags). */
    private function target(FFI $ffi): FFI\CData
    {
        $root = $this->conn->handle(); // throws CLOSED once the connection is closed
        if ($this->target !== null) {
            return $this->target;
        }
        $steps = $this->nsp === '/' ? $this->ops : [['of', $this->nsp], ...$this->ops];
        $h = $root;
        foreach ($steps as [$op, $arg]) {
            $next = $ffi->new('sioe_emitter*');
            $addr = FFI::addr($next);
            try {
                Native::call(match (true) {
                    $op === 'of' => fn ($e) => $ffi->sioe_emitter_of($h, $arg, strlen($arg), $addr, $e),
                    $op === 'to' && is_int($arg) => fn ($e) => $ffi->sioe_emitter_to_id($h, $arg, $addr, $e),
                    $op === 'to' => fn ($e) => $ffi->sioe_emitter_to($h, $arg, strlen($arg), $addr, $e),
                    $op === 'except' && is_int($arg) => fn ($e) => $ffi->sioe_emitter_except_id($h, $arg, $addr, $e),
                    $op === 'except' => fn ($e) => $ffi->sioe_emitter_except($h, $arg, strlen($arg), $addr, $e),
                    $op === 'volatile' => fn ($e) => $ffi->sioe_emitter_volatile($h, $addr, $e),
                    default => fn ($e) => $ffi->sioe_emitter_compress($h, $arg, $addr, $e),
                });
            } finally {
                if ($h !== $root) {
                    $ffi->sioe_emitter_free($h); // only the last handle is kept
                }
            }
            $h = $next;
        }
        if ($h !== $root) {
            $this->target = $h;
        }
        return $h;
    }

    /**
     * Runs an event call (emit, enqueue, serverSideEmit, encode) with its arguments. The hot
     * path of every emit: one C call, no closures.
     */
    private function event(string $function, string $event, array $args, string $outType): FFI\CData
    {
        [$json, $buffers] = Args::encode($args);
        $ffi = Native::ffi();
        $h = $this->target($ffi);
        $bufs = $buffers === [] ? null : Args::buffers($ffi, $buffers);
        $out = $ffi->new($outType);
        $err = $ffi->new('sioe_error*');
        try {
            $status = $ffi->$function($h, $event, strlen($event), $json, strlen($json), $bufs, FFI::addr($out), FFI::addr($err));
        } finally {
            if ($bufs !== null) {
                $ffi->sioe_buffers_free($bufs);
            }
        }
        if ($status !== 0) {
            throw Native::failure($status, $err);
        }
        return $out;
    }

    /** Emits to the target's clients; returns how many Socket.IO servers received it. */
    public function emit(string $event, mixed ...$args): int
    {
        return $this->event('sioe_emitter_emit', $event, $args, 'uint64_t')->cdata;
    }

    /** Queues the emit and returns a ticket at once; flush() reports failures. */
    public function enqueue(string $event, mixed ...$args): int
    {
        return $this->event('sioe_emitter_enqueue', $event, $args, 'uint64_t')->cdata;
    }

    /** Emits to the Socket.IO servers' serverSideEmit listeners. */
    public function serverSideEmit(string $event, mixed ...$args): int
    {
        return $this->event('sioe_emitter_server_side_emit', $event, $args, 'uint64_t')->cdata;
    }

    private function roomsCall(string $function, string|int|array $rooms): int
    {
        $json = json_encode($rooms, JSON_THROW_ON_ERROR | JSON_UNESCAPED_UNICODE);
        return $this->run(function (FFI $ffi, FFI\CData $h) use ($function, $json) {
            $n = $ffi->new('uint64_t');
            Native::call(fn ($e) => $ffi->$function($h, $json, strlen($json), FFI::addr($n), $e));
            return $n->cdata;
        });
    }

    public function socketsJoin(string|int|array $rooms): int
    {
        return $this->roomsCall('sioe_emitter_sockets_join', $rooms);
    }

    public function socketsLeave(string|int|array $rooms): int
    {
        return $this->roomsCall('sioe_emitter_sockets_leave', $rooms);
    }

    /**
     * An Emitter whose questions to the cluster (emitWithAck, serverSideEmitWithAck, and
     * fetchSockets and allRooms without their own timeout) wait at most $ms milliseconds.
     */
    public function timeout(int $ms): self
    {
        return new self($this->conn, $this->nsp, $this->ops, self::askMillis($ms));
    }

    /** How many Socket.IO servers serve the namespace, as Redis counts their subscriptions. */
    public function serverCount(): int
    {
        return $this->run(function (FFI $ffi, FFI\CData $h) {
            $n = $ffi->new('uint64_t');
            Native::call(fn ($e) => $ffi->sioe_emitter_server_count($h, FFI::addr($n), $e));
            return $n->cdata;
        });
    }

    /**
     * The target's sockets on every server, waiting at most $timeoutMs (default: the
     * emitter's timeout(), 5000) for the answers. Servers that did not answer in time are
     * counted in serversMissing, and complete is false.
     */
    public function fetchSockets(?int $timeoutMs = null): FetchedSockets
    {
        $ms = self::askMillis($timeoutMs ?? $this->askTimeoutMs);
        return FetchedSockets::fromAnswer($this->answer(
            fn (FFI $ffi, FFI\CData $h, FFI\CData $out, $e) => $ffi->sioe_emitter_fetch_sockets($h, $ms, $out, $e)
        ));
    }

    /** Every room of the namespace on every server (classic adapter only, else UNSUPPORTED). */
    public function allRooms(?int $timeoutMs = null): AllRooms
    {
        $ms = self::askMillis($timeoutMs ?? $this->askTimeoutMs);
        return AllRooms::fromAnswer($this->answer(
            fn (FFI $ffi, FFI\CData $h, FFI\CData $out, $e) => $ffi->sioe_emitter_all_rooms($h, $ms, $out, $e)
        ));
    }

    /** serverSideEmit, collecting what each server's handler acknowledges (see timeout()). */
    public function serverSideEmitWithAck(string $event, mixed ...$args): ServerAcks
    {
        return ServerAcks::fromAnswer($this->acked('sioe_emitter_server_side_emit_with_ack', $event, $args));
    }

    /** Emits to the target's clients, each asked to acknowledge (see timeout()). */
    public function emitWithAck(string $event, mixed ...$args): ClientAcks
    {
        return ClientAcks::fromAnswer($this->acked('sioe_emitter_emit_with_ack', $event, $args));
    }

    private function acked(string $function, string $event, array $args): array
    {
        [$json, $buffers] = Args::encode($args);
        $ms = $this->askTimeoutMs;
        return $this->answer(function (FFI $ffi, FFI\CData $h, FFI\CData $out, $e) use ($function, $event, $json, $buffers, $ms) {
            $bufs = Args::buffers($ffi, $buffers);
            try {
                return $ffi->$function($h, $event, strlen($event), $json, strlen($json), $bufs, $ms, $out, $e);
            } finally {
                if ($bufs !== null) {
                    $ffi->sioe_buffers_free($bufs);
                }
            }
        });
    }

    /** Runs a question whose answer is JSON text the library allocated, and decodes it. */
    private function answer(callable $call): array
    {
        return $this->run(function (FFI $ffi, FFI\CData $h) use ($call) {
            $out = $ffi->new('char*');
            Native::call(fn ($e) => $call($ffi, $h, FFI::addr($out), $e));
            try {
                return json_decode(FFI::string($out), true, 100000, JSON_THROW_ON_ERROR);
            } finally {
                $ffi->sioe_string_free($out);
            }
        });
    }

    private static function askMillis(int $ms): int
    {
        if ($ms <= 0) {
            throw new EmitterException('INVALID_ARGUMENT', 4, "a timeout is a positive number of milliseconds, got $ms");
        }
        return $ms;
    }

    public function disconnectSockets(bool $close = false): int
    {
        return $this->run(function (FFI $ffi, FFI\CData $h) use ($close) {
            $n = $ffi->new('uint64_t');
            Native::call(fn ($e) => $ffi->sioe_emitter_disconnect_sockets($h, $close, FFI::addr($n), $e));
            return $n->cdata;
        });
    }

    /**
     * Waits for everything enqueued, at most $timeoutMs milliseconds when given (at most a
     * day). Returns ['sent', 'receivers', 'reached_none', 'failed']: queued operations Redis
     * accepted, the Socket.IO servers (not clients) they reached, those of them that reached
     * no server, and those that failed. When some failed it throws FLUSH, whose getReport()
     * still counts the others and getFailures() lists the failed tickets. When the time runs
     * out it throws TIMEOUT: the operations keep going, and the next flush reports them.
     *
     * @return array{sent: int, receivers: int, reached_none: int, failed: int}
     */
    public function flush(int|float|null $timeoutMs = null): array
    {
        $timeout = self::timeoutMs($timeoutMs);
        return $this->run(fn (FFI $ffi, FFI\CData $h) => self::report(
            fn ($report, $e) => $ffi->sioe_emitter_flush_timeout($h, $timeout, $report, $e)
        ));
    }

    /**
     * Sends what is queued and closes the connection for every Emitter derived from it;
     * reports like flush(). With $timeoutMs, gives up after that long: what is not done by
     * then fails at once, each ticket in the FLUSH exception, and the connection closes.
     *
     * @return array{sent: int, receivers: int, reached_none: int, failed: int}
     */
    public function close(int|float|null $timeoutMs = null): array
    {
        return $this->conn->close($timeoutMs);
    }

    /**
     * What emit() would publish: `command` is PUBLISH (classic adapter), SPUBLISH (sharded)
     * or XADD (streams), `channel` the channel or stream key, `payload` the message (for
     * XADD, the entry's `data` field). `args` is the whole Redis command, one string per
     * argument, the command name first: send it as is with your own client (for XADD,
     * channel and payload alone are not enough).
     *
     * @return array{command: string, channel: string, payload: string, args: list<string>}
     */
    public function encodeEmit(string $event, mixed ...$args): array
    {
        return self::output($this->event('sioe_emitter_encode_emit', $event, $args, 'sioe_output*'));
    }

    /** @return array{command: string, channel: string, payload: string, args: list<string>} what serverSideEmit() would publish. */
    public function encodeServerSideEmit(string $event, mixed ...$args): array
    {
        return self::output($this->event('sioe_emitter_encode_server_side_emit', $event, $args, 'sioe_output*'));
    }

    private static function output(FFI\CData $out): array
    {
        $ffi = Native::ffi();
        try {
            $len = $ffi->new('size_t');
            $channel = $ffi->sioe_output_channel($out, FFI::addr($len));
            $payload = $ffi->sioe_output_payload($out, FFI::addr($len));
            $result = ['command' => $ffi->sioe_output_command($out), 'channel' => $channel,
                'payload' => FFI::string($payload, $len->cdata), 'args' => []];
            for ($i = 0, $n = $ffi->sioe_output_arg_count($out); $i < $n; $i++) {
                $arg = $ffi->sioe_output_arg($out, $i, FFI::addr($len));
                $result['args'][] = FFI::string($arg, $len->cdata);
            }
            return $result;
        } finally {
            $ffi->sioe_output_free($out);
        }
    }
}
