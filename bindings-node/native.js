"use strict";
// Loads the native addon built from src/ (`npm install` builds it; see scripts/build.js).

const path = require("node:path");

const ADDON = path.join(__dirname, "socketio-emitter.node");

function load() {
  try {
    return require(ADDON);
  } catch (err) {
    if (err && err.code === "MODULE_NOT_FOUND") {
      const hint = new Error(
        `socketio-emitter: the native addon ${ADDON} is missing. It is compiled from source when the ` +
          "package is installed, which needs Rust (cargo). Run `npm run build` in " +
          `${__dirname} (or reinstall the package) to build it.`,
      );
      hint.code = "MODULE_NOT_FOUND";
      hint.cause = err;
      throw hint;
    }
    throw err;
  }
}

module.exports = load();
