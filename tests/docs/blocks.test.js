"use strict";
// Every code block of the user-facing docs must say, on the line just above it, how a test
// runs it (CONTRIBUTING.md, "Code blocks are tested"). This test checks that each marker
// holds: the file it names exists, a copied block still matches its file, a test that claims
// to run a document's blocks reads that document, and a `make` command names a real target.
// It does not run the blocks: each language's suite does, against the harness.
//
//   node --test tests/docs/

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const { REPO, blocks } = require("./blocks.js");
const DOCS = [
  "README.md",
  "CONTRIBUTING.md",
  "core/README.md",
  "cli/README.md",
  "bindings-python/README.md",
  "bindings-node/README.md",
  "bindings-c/README.md",
  "bindings-c/php/README.md",
  "bindings-c/go/README.md",
  "bindings-c/java/README.md",
  ...fs.readdirSync(path.join(REPO, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`),
].filter((doc) => fs.existsSync(path.join(REPO, doc)));

// What may be shown without being run, each with why: commands that install from a registry
// (`make dist-check` installs the same packages from dist/), `make` commands of this
// repository (checked to name real targets), and configuration fragments for other tools.
const NOT_RUN_KINDS = ["install", "make", "config", "listing"];


function fileText(file) {
  return fs.readFileSync(file, "utf8").replace(/\n$/, "");
}

/** Whether `dir/Makefile` defines `target` (a rule line `target:` or `a b target:`). */
function hasTarget(dir, target) {
  const makefile = fs.readFileSync(path.join(REPO, dir, "Makefile"), "utf8");
  return makefile.split("\n").some((l) => {
    const rule = l.match(/^([\w.%/ -]+?):(?!=)/);
    return rule && rule[1].split(/\s+/).includes(target);
  });
}

/** Problems with one `make ...` command line, relative to the document's folder. */
function makeProblems(line, docDir) {
  const words = line.replace(/#.*/, "").trim().split(/\s+/);
  let dir = path.relative(REPO, docDir) || ".";
  const targets = [];
  for (let i = 1; i < words.length; i++) {
    if (words[i] === "-C") dir = path.normalize(path.join(dir, words[++i]));
    else if (!words[i].includes("=") && !words[i].startsWith("-")) targets.push(words[i]);
  }
  if (dir !== "." && !fs.existsSync(path.join(REPO, dir, "Makefile"))) {
    // `make -C bindings-c` from the repository root, written in a README one level down.
    const fromRoot = words.includes("-C") ? words[words.indexOf("-C") + 1] : ".";
    if (fs.existsSync(path.join(REPO, fromRoot, "Makefile"))) dir = fromRoot;
  }
  return targets.filter((t) => !hasTarget(dir, t)).map((t) => `make target "${t}" does not exist in ${dir}/Makefile`);
}

function problemsOf(doc) {
  const docDir = path.dirname(path.join(REPO, doc));
  const problems = [];
  for (const b of blocks(fs.readFileSync(path.join(REPO, doc), "utf8"))) {
    const where = `${doc}:${b.line}`;
    const m = b.marker.match(/^<!-- (example|server example|snippet|run by|not run): (.+?) -->$/);
    if (!m) {
      problems.push(`${where}: no marker above this block saying which test runs it`);
      continue;
    }
    const [, kind, arg] = m;
    if (kind === "example" || kind === "server example") {
      const file = kind === "example" ? path.join(docDir, arg) : path.join(REPO, arg);
      if (!fs.existsSync(file)) problems.push(`${where}: ${arg} does not exist`);
      else if (fileText(file) !== b.body) problems.push(`${where}: the block differs from ${arg}`);
    } else if (kind === "snippet") {
      const file = path.join(docDir, arg.split(" ")[0]);
      if (!fs.existsSync(file)) problems.push(`${where}: ${arg.split(" ")[0]} does not exist`);
    } else if (kind === "run by") {
      const file = path.join(REPO, arg);
      if (!fs.existsSync(file)) problems.push(`${where}: ${arg} does not exist`);
      else if (!fs.readFileSync(file, "utf8").includes(doc)) problems.push(`${where}: ${arg} never reads ${doc}`);
    } else {
      const notRun = arg.match(/^(\w+)\b/);
      if (!notRun || !NOT_RUN_KINDS.includes(notRun[1])) {
        problems.push(`${where}: "not run" must give a kind (${NOT_RUN_KINDS.join(", ")}) and a reason`);
      }
      for (const line of b.body.split("\n")) {
        if (/^make\b/.test(line.trim())) problems.push(...makeProblems(line, docDir).map((p) => `${where}: ${p}`));
      }
    }
  }
  return problems;
}

test("every code block of the docs is run by a test, or says why not", () => {
  const problems = DOCS.flatMap(problemsOf);
  assert.ok(problems.length === 0, `\n${problems.join("\n")}`);
});

test("the checker itself finds an unmarked block and a missing make target", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "docs-check-"));
  try {
    const doc = path.join(dir, "x.md");
    fs.writeFileSync(doc, "```js\nx\n```\n\n<!-- not run: make our targets -->\n```sh\nmake no-such-target\n```\n");
    const problems = problemsOf(path.relative(REPO, doc));
    assert.equal(problems.length, 2, problems.join("\n"));
    assert.match(problems[0], /no marker/);
    assert.match(problems[1], /no-such-target/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
