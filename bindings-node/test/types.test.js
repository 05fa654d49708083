"use strict";
// TypeScript usage (test/types/*.ts) must compile with `tsc --noEmit`: the hand-written
// index.d.ts, its typed-events generics, and the generated native.d.ts it builds on.

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

test("TypeScript usage compiles with tsc --noEmit", () => {
  const pkg = path.resolve(__dirname, "..");
  const tsc = require.resolve("typescript/bin/tsc", { paths: [pkg] });
  const run = spawnSync(process.execPath, [tsc, "-p", path.join(__dirname, "tsconfig.json"), "--noEmit"], {
    cwd: pkg,
    encoding: "utf8",
  });
  assert.equal(run.status, 0, `tsc failed:\n${run.stdout}${run.stderr}`);
});
