"use strict";
// Drives the C crash program (tests/c/test_crash.c): Redis SIGKILLed and restarted while
// emits flow. Each scenario gets a harness of its own (Redis, one Socket.IO server, the
// recording client `sub`) and one run of `test_crash SCENARIO REDIS_URL`, natively (valgrind
// is far too slow for 100 000 emits). As with run_c_faults.js, the program writes requests on
// its stdout and this driver answers each one, in order, on its stdin (`ok ...` or
// `error <reason>`); its other output is passed through:
//
//   @harness {json}               a harness command
//   @seq {"client","event"}       the flush barrier, then `ok` and the first argument of each
//                                 such event the client received so far (integers, in order)
//   @names {"client"}             the flush barrier, then `ok` and the names of the events the
//                                 client received so far
//
//   node bindings-c/tests/run_c_crash.js [runner...] path/to/test_crash
//
// CRASH_SCENARIOS=queued:3,first-call runs only those; CRASH_VERBOSE=1 makes the program
// print each scenario's figures.

const path = require("node:path");
const readline = require("node:readline");
const { spawn } = require("node:child_process");
const { Harness } = require(path.join(__dirname, "../../tests/harness/driver.js"));

const SCENARIOS = ["queued:0", "queued:3", "queued:10", "blocking:0", "blocking:3", "blocking:10", "first-call"];
// The barrier's limit without progress: 100 000 events behind it take several seconds on a
// busy machine, and nothing may arrive while the server drains its backlog.
const FLUSH_TIMEOUT_MS = 60000;
// A last resort only: the program itself fails a call that stands still for 60 s.
const SCENARIO_LIMIT_MS = 10 * 60 * 1000;

// Every line the harness reported so far, after a barrier; fails on lines that must not be.
async function observed(h, seen) {
  await h.cmd({ cmd: "flush", timeout_ms: FLUSH_TIMEOUT_MS });
  seen.push(...h.take());
  const bad = seen.find((l) => l.type === "server_exit" || l.type === "redis_exit" || (l.type === "event" && l.ack));
  if (bad) throw new Error(`unexpected: ${JSON.stringify(bad).slice(0, 300)}`);
  return seen;
}

async function answer(h, seen, verb, arg) {
  if (verb === "@harness") {
    await h.cmd(arg);
    return "ok";
  }
  const events = (await observed(h, seen)).filter((l) => l.type === "event" && l.client === arg.client);
  if (verb === "@names") return ["ok", ...events.map((e) => e.event)].join(" ");
  const values = [];
  for (const e of events.filter((e) => e.event === arg.event)) {
    if (e.args.length !== 1 || !Number.isSafeInteger(e.args[0]) || e.args[0] < 0) {
      throw new Error(`${arg.event} with arguments ${JSON.stringify(e.args)}`);
    }
    values.push(e.args[0]);
  }
  return ["ok", ...values].join(" ");
}

async function run(command, scenario) {
  const h = await Harness.start({ servers: 1 });
  try {
    await h.cmd({ cmd: "client", name: "sub", server: 0, nsp: "/", rooms: [] });
    h.take();
    const seen = [];
    const child = spawn(command[0], [...command.slice(1), scenario, h.redisUrl], { stdio: ["pipe", "pipe", "inherit"] });
    child.stdin.on("error", () => {}); // the program may exit without reading an answer
    const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
    const limit = setTimeout(() => child.kill("SIGABRT"), SCENARIO_LIMIT_MS);
    let queue = Promise.resolve();
    readline.createInterface({ input: child.stdout }).on("line", (text) => {
      const [verb, ...rest] = text.split(" ");
      if (!["@harness", "@seq", "@names"].includes(verb)) {
        console.log(text);
        return;
      }
      queue = queue.then(async () => {
        let reply;
        try {
          reply = await answer(h, seen, verb, JSON.parse(rest.join(" ")));
        } catch (err) {
          reply = `error ${String(err.message).replace(/\n/g, " ")}`;
        }
        child.stdin.write(reply + "\n");
      });
    });
    const status = await exited;
    clearTimeout(limit);
    if (status.code !== 0) {
      await h.printLogs(`harness logs (${scenario})`);
      return `${scenario} (status ${status.code}, signal ${status.signal})`;
    }
    return null;
  } finally {
    await h.close();
  }
}

async function main() {
  const command = process.argv.slice(2);
  if (command.length === 0) throw new Error("usage: run_c_crash.js [runner...] test_crash");
  const only = process.env.CRASH_SCENARIOS;
  const scenarios = only ? only.split(",").map((s) => s.trim()).filter(Boolean) : SCENARIOS;
  const t0 = Date.now();
  const failed = [];
  for (const scenario of scenarios) {
    const problem = await run(command, scenario);
    if (problem) failed.push(problem);
  }
  if (failed.length > 0) throw new Error(`the C crash program failed: ${failed.join(", ")}`);
  console.log(`C crash checks passed: ${scenarios.length} scenarios in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
