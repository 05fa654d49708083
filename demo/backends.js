"use strict";
// The backends run.js starts: one program per language, each emitting with socketio-emitter.
// The Makefile builds what they need first (`make demo-build`); a backend whose toolchain or
// build is missing is skipped with a note. Adding a language: see README.md.

const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const TARGET = process.env.CARGO_TARGET_DIR || path.join(ROOT, "target");
const here = (...parts) => path.join(__dirname, "backends", ...parts);
// PHP and Java load the C library of bindings-c (a debug build, as `make test` makes it).
const cLibrary = path.join(TARGET, "debug/libsocketio_emitter.so");

/** The `socketio-emitter` package name resolves to bindings-node through this folder. */
function nodePath() {
  const dir = path.join(TARGET, "demo", "node_path");
  const link = path.join(dir, "socketio-emitter");
  fs.mkdirSync(dir, { recursive: true });
  if (!fs.existsSync(link)) fs.symlinkSync(path.join(ROOT, "bindings-node"), link);
  return dir;
}

// lang: the name the page shows; command: argv; env: added to REDIS_URL and DEMO_INTERVAL_MS;
// needs: files that must exist (else the backend is skipped, with the reason).
const BACKENDS = [
  {
    lang: "Python",
    command: [path.join(ROOT, "bindings-python/.venv/bin/python"), here("python.py")],
    needs: [path.join(ROOT, "bindings-python/.venv/.built")],
  },
  {
    lang: "Node",
    command: [process.execPath, here("node.js")],
    env: () => ({ NODE_PATH: nodePath() }),
    needs: [path.join(ROOT, "bindings-node/socketio-emitter.node")],
  },
  {
    lang: "Rust",
    command: [path.join(TARGET, "debug/demo-backend-rust")],
    needs: [path.join(TARGET, "debug/demo-backend-rust")],
  },
  {
    lang: "PHP",
    command: ["php", here("php/backend.php")],
    env: () => ({ SOCKETIO_EMITTER_LIB: cLibrary }),
    needs: [cLibrary],
  },
  {
    lang: "Go",
    command: [path.join(TARGET, "demo/backend-go")],
    needs: [path.join(TARGET, "demo/backend-go")],
  },
  {
    // java.args (written by the Makefile): the classpath of bindings-c/java's build and JNA.
    lang: "Java",
    command: ["java", `@${path.join(TARGET, "demo/java.args")}`, here("java/Backend.java")],
    env: () => ({ SOCKETIO_EMITTER_LIB: cLibrary, DEMO_IMAGE: here("image.png") }),
    needs: [path.join(TARGET, "demo/java.args"), cLibrary],
  },
];

module.exports = { BACKENDS, ROOT, TARGET };
