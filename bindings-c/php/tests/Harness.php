<?php
// SPDX-License-Identifier: MIT
// A PHP client of the interop harness (tests/harness/README.md): starts
// `node tests/harness/harness.js`, sends commands, collects what clients and servers saw.
declare(strict_types=1);

final class Harness
{
    /** @var resource */
    private $proc;
    /** @var array<int, resource> */
    private array $pipes = [];
    private int $nextId = 0;
    /** @var list<array> */
    private array $observed = [];
    public string $redisUrl;
    /** The whole ready line (topology fields: redis_nodes, sentinel_urls, sentinel_master, ...). */
    public array $ready;

    public function __construct(string ...$args)
    {
        $script = dirname(__DIR__, 3) . '/tests/harness/harness.js';
        $cmd = array_merge(['node', $script], $args);
        $this->proc = proc_open($cmd, [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => STDERR], $this->pipes);
        if (!is_resource($this->proc)) {
            throw new RuntimeException('cannot start the harness');
        }
        $ready = $this->readLine();
        if (($ready['type'] ?? null) !== 'ready') {
            throw new RuntimeException('harness failed to start: ' . json_encode($ready));
        }
        $this->redisUrl = $ready['redis_url'];
        $this->ready = $ready;
    }

    private function readLine(): array
    {
        $text = fgets($this->pipes[1]);
        if ($text === false) {
            throw new RuntimeException('the harness exited');
        }
        return json_decode($text, true, 512, JSON_THROW_ON_ERROR);
    }

    /** Sends a command and returns its reply; throws on ok:false. */
    public function request(array $cmd): array
    {
        $cmd['id'] = ++$this->nextId;
        fwrite($this->pipes[0], json_encode($cmd) . "\n");
        fflush($this->pipes[0]);
        while (true) {
            $line = $this->readLine();
            if (($line['type'] ?? null) === 'reply' && ($line['id'] ?? null) === $cmd['id']) {
                if ($line['ok'] !== true) {
                    throw new RuntimeException("harness command {$cmd['cmd']} failed: " . ($line['error'] ?? '?'));
                }
                return $line;
            }
            if (($line['type'] ?? null) !== 'reply') {
                $this->observed[] = $line;
            }
        }
    }

    /** Connects clients [name, server, rooms] in $nsp and waits for both servers there. */
    public function clients(string $nsp, array ...$clients): void
    {
        foreach ($clients as [$name, $server, $rooms]) {
            $this->request(['cmd' => 'client', 'name' => $name, 'server' => $server, 'nsp' => $nsp, 'rooms' => $rooms]);
        }
        $this->request(['cmd' => 'wait_subscribed', 'nsp' => $nsp]);
    }

    /**
     * The harness's buffered diagnostics (its own messages, Redis' log, every server's stderr),
     * oldest first; $clear empties the buffer.
     */
    public function logs(bool $clear = false): string
    {
        return (string) ($this->request(['cmd' => 'logs', 'clear' => $clear])['logs'] ?? '');
    }

    /** Flushes, then removes and returns every observation so far. */
    public function flushAndTake(): array
    {
        $this->request(['cmd' => 'flush']);
        $out = $this->observed;
        $this->observed = [];
        return $out;
    }

    public function close(): void
    {
        try {
            $this->request(['cmd' => 'shutdown']);
        } catch (RuntimeException) {
        }
        fclose($this->pipes[0]);
        fclose($this->pipes[1]);
        proc_close($this->proc);
    }
}
