"use strict";
// `make demo`: a private redis-server, two Socket.IO servers (server.js) serving the page, and
// the backends of backends.js emitting into them. Prints the page's URLs and runs until Ctrl-C
// (SIGINT) or SIGTERM, then stops everything it started.
//
//   node demo/run.js [--interval-ms N]      (the Makefile builds the backends first)

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const readline = require("node:readline");
const { BACKENDS } = require("./backends");

const SERVERS = 2;
const intervalArg = process.argv.indexOf("--interval-ms");
const INTERVAL_MS = intervalArg > 0 ? Number(process.argv[intervalArg + 1]) : 1000;
if (!Number.isInteger(INTERVAL_MS) || INTERVAL_MS < 10) {
  console.error("usage: node demo/run.js [--interval-ms N]  (N: milliseconds between rounds, at least 10)");
  process.exit(2);
}

const children = [];
let stopping = false;

/** Starts a child whose output lines go to `onLine` (stdout) and to our stderr, prefixed. */
function start(label, command, env, onLine = () => {}) {
  const child = spawn(command[0], command.slice(1), {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  readline.createInterface({ input: child.stdout }).on("line", onLine);
  // Once stopping, Redis may go before the backends do: their complaints about it are noise.
  readline.createInterface({ input: child.stderr }).on("line", (l) => stopping || console.error(`[${label}] ${l}`));
  child.on("error", (err) => console.error(`[${label}] ${err.message}`));
  child.on("exit", (code, signal) => {
    if (!stopping) console.error(`[${label}] stopped (${signal || `exit code ${code}`})`);
  });
  return child;
}

/** Resolves with the first stdout line `match` accepts; rejects if the child exits first. */
function waitForLine(label, command, env, match) {
  return new Promise((resolve, reject) => {
    const child = start(label, command, env, (line) => {
      const found = match(line);
      if (found !== undefined) resolve(found);
    });
    child.on("exit", () => reject(new Error(`${label} exited before it was ready`)));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
    probe.on("error", reject);
  });
}

// A redis-server of our own: no persistence, its files in a temporary directory.
async function startRedis() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "socketio-emitter-demo-"));
  process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const args = ["--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir];
    try {
      await waitForLine("redis", ["redis-server", ...args.map(String)], {}, (line) =>
        line.includes("Ready to accept connections") ? port : undefined,
      );
      return `redis://127.0.0.1:${port}`;
    } catch (err) {
      if (attempt === 3) throw err; // another process took the port between probe and bind
    }
  }
}

async function main() {
  const redisUrl = await startRedis();
  const ports = await Promise.all(
    Array.from({ length: SERVERS }, (_, i) =>
      waitForLine(`server ${i + 1}`, [process.execPath, path.join(__dirname, "server.js")], { REDIS_URL: redisUrl }, (line) => {
        const msg = JSON.parse(line);
        return msg.listening;
      }),
    ),
  );

  const started = [];
  for (const backend of BACKENDS) {
    const missing = backend.needs.filter((file) => !fs.existsSync(file));
    if (missing.length) {
      console.log(`  (${backend.lang}: skipped, not built: ${missing.map((f) => path.basename(f)).join(", ")})`);
      continue;
    }
    const env = { REDIS_URL: redisUrl, DEMO_INTERVAL_MS: String(INTERVAL_MS), ...backend.env?.() };
    start(backend.lang, backend.command, env);
    started.push(backend.lang);
  }

  console.log(`redis-server at ${redisUrl}, ${SERVERS} Socket.IO servers with the Redis adapter`);
  console.log(`backends emitting: ${started.join(", ")}`);
  for (const port of ports) console.log(`open http://127.0.0.1:${port}/`);
  console.log("press Ctrl-C to stop");
}

// Ctrl-C reaches the whole process group; either way, stop the children and wait for them.
function stop() {
  if (stopping) return;
  stopping = true;
  const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
  let left = running.length;
  if (left === 0) process.exit();
  for (const child of running) {
    child.on("exit", () => --left === 0 && process.exit());
    child.kill("SIGTERM");
  }
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

main().catch((err) => {
  console.error(`make demo: ${err.message}`);
  stop();
  process.exitCode = 1;
});
