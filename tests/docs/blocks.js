"use strict";
// The fenced code blocks of a Markdown file, and the marker line above each one
// (CONTRIBUTING.md, "Code blocks are tested"). Used by tests/docs/blocks.test.js, which checks
// the markers, and by the tests of each language that run the blocks marked for them.

const fs = require("node:fs");
const path = require("node:path");

const REPO = path.resolve(__dirname, "../..");

/** The fenced blocks of a Markdown text: { line, info, body, marker } (marker: the line above). */
function blocks(text) {
  const lines = text.split("\n");
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(/^```(.*)$/);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && l === "```");
    if (end < 0) throw new Error(`unclosed block at line ${i + 1}`);
    out.push({ line: i + 1, info: open[1], body: lines.slice(i + 1, end).join("\n"), marker: lines[i - 1] ?? "" });
    i = end;
  }
  return out;
}

/** The bodies of the blocks of `doc` (repository-relative) marked `<!-- run by: testFile -->`. */
function runBy(doc, testFile) {
  const text = fs.readFileSync(path.join(REPO, doc), "utf8");
  return blocks(text)
    .filter((b) => b.marker === `<!-- run by: ${testFile} -->`)
    .map((b) => b.body);
}

module.exports = { REPO, blocks, runBy };
