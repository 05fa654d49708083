"use strict";
// Loads the native addon: the one built from source next to this file when there is one
// (a checkout, or an install on a platform with no prebuilt addon), otherwise the prebuilt
// one from this platform's package (`socketio-emitter-linux-x64-gnu`, an optional
// dependency). See scripts/build.js, which `npm install` runs.

const fs = require("node:fs");
const path = require("node:path");
const { platformKey, prebuiltPackage } = require("./scripts/platform.js");

const LOCAL = path.join(__dirname, "socketio-emitter.node");

function load() {
  if (fs.existsSync(LOCAL)) return require(LOCAL);
  const pkg = prebuiltPackage();
  if (pkg) {
    try {
      return require(pkg);
    } catch (err) {
      if (!err || err.code !== "MODULE_NOT_FOUND") throw err;
    }
  }
  const error = new Error(
    `socketio-emitter: no native addon for ${platformKey()}. ` +
      (pkg
        ? `The prebuilt one comes in the optional dependency ${pkg}, which is not installed ` +
          "(was it omitted with --omit=optional or --no-optional?); reinstall without that option, " +
          "or build it from source: "
        : "No prebuilt addon is published for this platform; build it from source: ") +
      `install Rust (https://rustup.rs), then run \`npm rebuild socketio-emitter\` (or \`npm run build\` in ${__dirname}).`,
  );
  error.code = "MODULE_NOT_FOUND";
  throw error;
}

module.exports = load();
