"use strict";
// Drives the C fault program (tests/c/test_faults.c) against a harness of its own (Redis and
// one Socket.IO server), so that stopping Redis disturbs no other suite. The program asks for
// harness commands by writing `@harness {json}` lines on its stdout, and waits for an event
// at a harness client with `@event {"client":…,"event":…}`; this driver runs each one and
// answers `ok` or `error <reason>` on the program's stdin. Its other output is passed through.
//
//   node bindings-c/tests/run_c_faults.js [runner...] path/to/test_faults

const path = require("node:path");
const readline = require("node:readline");
const { spawn } = require("node:child_process");
const { Harness } = require(path.join(__dirname, "../../tests/harness/driver.js"));

async function main() {
  const command = process.argv.slice(2);
  if (command.length === 0) throw new Error("usage: run_c_faults.js [runner...] test_faults");
  const h = await Harness.start({ servers: 1 });
  let status;
  try {
    const child = spawn(command[0], [...command.slice(1), h.redisUrl], { stdio: ["pipe", "pipe", "inherit"] });
    child.stdin.on("error", () => {}); // the program may exit without reading an answer
    const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
    // Commands are answered one at a time, in order.
    let queue = Promise.resolve();
    readline.createInterface({ input: child.stdout }).on("line", (text) => {
      const [verb, ...rest] = text.split(" ");
      if (verb !== "@harness" && verb !== "@event") {
        console.log(text);
        return;
      }
      const arg = JSON.parse(rest.join(" "));
      queue = queue.then(async () => {
        let answer;
        try {
          if (verb === "@harness") {
            await h.cmd(arg);
          } else {
            // {client, event}: waits until that client received that event (and forgets it).
            const seen = await h.waitFor((l) => l.type === "event" && l.client === arg.client && l.event === arg.event, 30000);
            h.lines.splice(h.lines.indexOf(seen), 1);
          }
          answer = "ok";
        } catch (err) {
          answer = `error ${String(err.message).replace(/\n/g, " ")}`;
        }
        child.stdin.write(answer + "\n");
      });
    });
    status = await exited;
    if (status.code !== 0) {
      await h.printLogs();
      throw new Error(`the C fault program failed (status ${status.code}, signal ${status.signal})`);
    }
    console.log("C fault checks passed");
  } finally {
    await h.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
