"use strict";
// Which prebuilt addon package fits this machine. Prebuilt addons are published for
// Linux x86_64 with glibc (2.17 or newer) only; elsewhere the addon is built from source.

const PREBUILT = {
  "linux-x64-gnu": "socketio-emitter-linux-x64-gnu",
};

/** `linux-x64-gnu`, `linux-x64-musl`, `darwin-arm64`, ... for this process. */
function platformKey() {
  let key = `${process.platform}-${process.arch}`;
  if (process.platform === "linux") {
    const header = process.report && process.report.getReport().header;
    key += header && header.glibcVersionRuntime ? "-gnu" : "-musl";
  }
  return key;
}

/** The npm package holding this machine's prebuilt addon, or null when none is published. */
function prebuiltPackage() {
  return PREBUILT[platformKey()] || null;
}

module.exports = { PREBUILT, platformKey, prebuiltPackage };
