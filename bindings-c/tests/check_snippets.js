"use strict";
// The READMEs' code blocks that a test runs: each block preceded by
// `<!-- snippet: FILE NAME -->` must be, word for word (after removing the common
// indentation), the lines between `snippet: NAME` and `end snippet` in FILE (relative to
// the README's folder), where a test runs them against real servers. Every snippet of those
// files must be in one of the READMEs too. Exits non-zero on drift.
//
//   node bindings-c/tests/check_snippets.js

const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.join(__dirname, "..");
const READMES = ["README.md", "java/README.md"].map((f) => path.join(ROOT, f));
const MARKER = /<!-- snippet: (\S+) (\S+) -->\n```\w*\n([\s\S]*?)\n```/g;

/** The lines without the leading whitespace they all share (spaces or tabs), as one text. */
function dedent(lines) {
  const indents = lines.filter((l) => l.trim()).map((l) => l.match(/^[ \t]*/)[0]);
  let common = indents[0] || "";
  for (const indent of indents) while (!indent.startsWith(common)) common = common.slice(0, -1);
  return lines.map((l) => (l.startsWith(common) ? l.slice(common.length) : l).trimEnd()).join("\n");
}

/** Every `snippet: NAME` region of a file: name -> text. */
function regions(file) {
  const lines = fs.readFileSync(file, "utf8").split("\n");
  const out = new Map();
  for (let i = 0; i < lines.length; i++) {
    const start = lines[i].match(/(?:\/\/|\/\*|#) snippet: (\S+?)(?: \*\/)?$/);
    if (!start) continue;
    const end = lines.findIndex((l, j) => j > i && /(?:\/\/|\/\*|#) end snippet/.test(l));
    if (end < 0) throw new Error(`${file}: snippet ${start[1]} has no end`);
    out.set(start[1], dedent(lines.slice(i + 1, end)));
    i = end;
  }
  return out;
}

const problems = [];
const seen = new Map(); // file -> names used by a README
let count = 0;
for (const README of READMES) {
  const where = path.relative(ROOT, README);
  const readme = fs.readFileSync(README, "utf8");
  for (const [, file, name, block] of readme.matchAll(MARKER)) {
    count++;
    const full = path.join(path.dirname(README), file);
    if (!fs.existsSync(full)) {
      problems.push(`${where}: ${file} does not exist`);
      continue;
    }
    const found = regions(full);
    if (!seen.has(full)) seen.set(full, new Set());
    seen.get(full).add(name);
    if (!found.has(name)) {
      problems.push(`${where}: ${file} has no snippet "${name}"`);
    } else if (found.get(name) !== dedent(block.split("\n"))) {
      problems.push(`${where}: the ${name} block differs from ${file}:\n--- README\n${block}\n--- ${file}\n${found.get(name)}`);
    }
  }
}
for (const [file, names] of seen) {
  for (const name of regions(file).keys()) {
    if (!names.has(name)) problems.push(`${path.relative(ROOT, file)}: snippet "${name}" is not in a README`);
  }
}
if (problems.length > 0) {
  console.error(problems.join("\n\n"));
  console.error("bindings-c: README snippets out of date (copy the test's text into the README)");
  process.exit(1);
}
console.log(`bindings-c: ${count} README snippets match the tests that run them`);
