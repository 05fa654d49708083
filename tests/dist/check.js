"use strict";
// `make dist-check`: every artifact `make dist` wrote into dist/ installed the way its
// ecosystem installs things, into a new folder outside the repository, with no cargo or
// rustc on the PATH; then one emit from each, which a real socket.io client must receive.
//
// Each language has a folder here with two scripts:
//   install.sh DIST WORK      installs the artifact into the empty folder WORK
//   emit.sh WORK REDIS_URL    emits from the installed package; prints each event it emitted,
//                             one per line. Every event goes to the room "dist" with the
//                             arguments [{"from": EVENT}, <bytes 01 02>].
//
//   node --test tests/dist/check.js                 (DIST_LANGS=c,python to pick)

const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { describe, it, before, after, afterEach } = require("node:test");

const { Harness } = require("../harness/driver");

const ROOT = path.join(__dirname, "..", "..");
const DIST = process.env.DIST_DIR || path.join(ROOT, "dist");
const LANGS = (process.env.DIST_LANGS || "c").split(",").filter(Boolean);

/** PATH without the folders that hold cargo or rustc: users of the packages have no Rust. */
function pathWithoutRust() {
  return process.env.PATH.split(":")
    .filter((dir) => !["cargo", "rustc"].some((tool) => fs.existsSync(path.join(dir, tool))))
    .join(":");
}

// A home of their own too: tools look for ~/.cargo/bin/cargo, and caches start empty.
const work = fs.mkdtempSync(path.join(os.tmpdir(), "sioe-dist-"));
const env = { ...process.env, PATH: pathWithoutRust(), HOME: path.join(work, "home") };
fs.mkdirSync(env.HOME);
for (const name of ["CARGO", "CARGO_HOME", "CARGO_TARGET_DIR", "RUSTUP_HOME", "RUSTUP_TOOLCHAIN"]) {
  delete env[name];
}

/** Runs a language's script; its output is shown only when it fails. */
function run(lang, script, args) {
  try {
    return execFileSync(path.join(__dirname, lang, script), args, {
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 << 20,
    });
  } catch (err) {
    throw new Error(`${lang}/${script} failed (${err.status}):\n${err.stdout}\n${err.stderr}`);
  }
}

describe("installed packages emit to a real client", () => {
  let h;

  before(async () => {
    assert.equal(
      execFileSync("sh", ["-c", "command -v cargo rustc; ls ~/.cargo 2>/dev/null; true"], {
        env,
        encoding: "utf8",
      }),
      "",
      "no cargo or rustc on the PATH or in ~/.cargo",
    );
    h = await Harness.start({ servers: 1 });
    await h.cmd({ cmd: "client", name: "dist", server: 0, rooms: ["dist"] });
    await h.cmd({ cmd: "wait_subscribed", nsp: "/" });
  });
  afterEach((t) => h && h.printLogsIfFailed(t));
  after(async () => {
    if (h) assert.equal(await h.close(), 0);
    fs.rmSync(work, { recursive: true, force: true });
  });

  for (const lang of LANGS) {
    it(lang, async () => {
      const dir = fs.mkdtempSync(path.join(work, `${lang}-`));
      run(lang, "install.sh", [DIST, dir]);
      const events = run(lang, "emit.sh", [dir, h.redisUrl]).split("\n").filter(Boolean);
      assert.ok(events.length > 0, `${lang}/emit.sh emitted nothing`);
      for (const event of events) {
        const line = await h.waitFor((l) => l.type === "event" && l.event === event);
        assert.deepEqual(line.args, [{ from: event }, { $bytes: "0102" }], event);
        assert.equal(line.client, "dist");
      }
    });
  }
});
