#!/usr/bin/env node
"use strict";
// `make -C bindings-node dist`: the npm packages we publish, as tarballs in OUT.
//   socketio-emitter-linux-x64-gnu-<version>.tgz  the prebuilt addon (see npm/linux-x64-gnu)
//   socketio-emitter-<version>.tgz                 the JavaScript, the types, and the Rust
//       sources the install script builds the addon from where no prebuilt one matches: this
//       crate, the core and the CLI crate, with manifests that stand alone (no workspace,
//       the core and the CLI by path).
//
//   node scripts/pack.js --addon ADDON.so --crates DIR --out OUT
// DIR holds the `.crate` files `cargo package` wrote for socketio-emitter, socketio-emit-cli and
// socketio-emitter-node: their manifests are already free of workspace inheritance.

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { PREBUILT } = require("./platform.js");

const PKG = path.resolve(__dirname, "..");
const REPOSITORY = "https://github.com/socketio-emitter/socketio-emitter";

function arg(name) {
  const i = process.argv.indexOf(name);
  if (i < 0 || !process.argv[i + 1]) throw new Error(`missing ${name}`);
  return path.resolve(process.argv[i + 1]);
}

const addon = arg("--addon");
const crates = arg("--crates");
const out = arg("--out");
const main = JSON.parse(fs.readFileSync(path.join(PKG, "package.json"), "utf8"));
const stage = fs.mkdtempSync(path.join(os.tmpdir(), "sioe-npm-"));

function writeJson(file, value) {
  fs.writeFileSync(file, JSON.stringify(value, null, 2) + "\n");
}

function pack(dir) {
  fs.mkdirSync(out, { recursive: true });
  const name = execFileSync("npm", ["pack", "--silent", "--pack-destination", out], {
    cwd: dir,
    encoding: "utf8",
  }).trim();
  return path.join(out, name.split("\n").pop());
}

/** Unpacks `<name>-<version>.crate` into `dest` (its single top folder stripped). */
function unpackCrate(name, dest) {
  fs.mkdirSync(dest, { recursive: true });
  const file = path.join(crates, `${name}-${main.version}.crate`);
  execFileSync("tar", ["-xzf", file, "-C", dest, "--strip-components=1"]);
}

const repository = { type: "git", url: `git+${REPOSITORY}.git`, directory: "bindings-node" };

// The platform package: the addon and a manifest npm uses to install it only where it runs.
const [key, platformName] = Object.entries(PREBUILT)[0];
const platformDir = path.join(stage, key);
const template = JSON.parse(fs.readFileSync(path.join(PKG, "npm", key, "package.json"), "utf8"));
fs.mkdirSync(platformDir);
fs.copyFileSync(addon, path.join(platformDir, template.main));
fs.copyFileSync(path.join(PKG, "npm", key, "README.md"), path.join(platformDir, "README.md"));
writeJson(path.join(platformDir, "package.json"), {
  ...template,
  name: platformName,
  version: main.version,
  license: main.license,
  repository,
});
const platformTarball = pack(platformDir);

// The main package.
const mainDir = path.join(stage, "main");
fs.mkdirSync(mainDir);
for (const entry of [...main.files, "README.md"]) {
  fs.cpSync(path.join(PKG, entry), path.join(mainDir, entry), { recursive: true });
}
unpackCrate("socketio-emitter-node", path.join(stage, "crate"));
// Our own crates are taken from the package itself: the core, and the CLI that
// bin/socketio-emit.js runs inside the addon.
const VENDORED = { "socketio-emitter": "core", "socketio-emit-cli": "cli" };
for (const [name, dir] of Object.entries(VENDORED)) {
  unpackCrate(name, path.join(mainDir, dir));
  for (const extra of [".cargo_vcs_info.json", "Cargo.lock", "Cargo.toml.orig"]) {
    fs.rmSync(path.join(mainDir, dir, extra), { force: true });
  }
}

/** `manifest` with the packaged (crates.io) dependency on `name` made a path dependency. */
function byPath(manifest, name, dir) {
  const pattern = new RegExp(`\\[dependencies\\.${name}\\]\\nversion = "([^"]+)"\\n`);
  const replaced = manifest.replace(pattern, `[dependencies.${name}]\nversion = "$1"\npath = "${dir}"\n`);
  if (replaced === manifest) throw new Error(`the packaged Cargo.toml has no ${name} dependency`);
  return replaced;
}
const cliManifest = path.join(mainDir, "cli", "Cargo.toml");
fs.writeFileSync(cliManifest, byPath(fs.readFileSync(cliManifest, "utf8"), "socketio-emitter", "../core"));
// The addon's manifest from `cargo package`, marked as a workspace of its own (so that no
// enclosing Cargo workspace claims it).
let manifest = fs.readFileSync(path.join(stage, "crate", "Cargo.toml"), "utf8");
for (const [name, dir] of Object.entries(VENDORED)) manifest = byPath(manifest, name, dir);
fs.writeFileSync(path.join(mainDir, "Cargo.toml"), `${manifest}\n[workspace]\n`);
// The lock file pins every dependency; our crates' entries name crates.io, so they go (cargo
// adds them back as path dependencies).
const lock = fs.readFileSync(path.join(stage, "crate", "Cargo.lock"), "utf8");
const blocks = lock.split("\n[[package]]\n");
const kept = blocks.filter((block) => !Object.keys(VENDORED).some((name) => block.startsWith(`name = "${name}"\n`)));
if (kept.length !== blocks.length - Object.keys(VENDORED).length) {
  throw new Error("Cargo.lock lacks an entry for one of our crates");
}
fs.writeFileSync(path.join(mainDir, "Cargo.lock"), kept.join("\n[[package]]\n"));
const { devDependencies, overrides, scripts, ...published } = main;
writeJson(path.join(mainDir, "package.json"), {
  ...published,
  files: [...main.files, "core/", "cli/", "Cargo.lock"],
  scripts: { install: scripts.install },
  optionalDependencies: { [platformName]: main.version },
  repository,
  homepage: `${REPOSITORY}/tree/main/bindings-node#readme`,
});
const mainTarball = pack(mainDir);

fs.rmSync(stage, { recursive: true, force: true });
for (const tarball of [platformTarball, mainTarball]) {
  console.log(`${path.relative(process.cwd(), tarball)} (${fs.statSync(tarball).size} bytes)`);
}
