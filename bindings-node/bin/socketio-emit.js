#!/usr/bin/env node
"use strict";
// `socketio-emit` for npm users (`npx socketio-emit --help`). The command runs inside the
// native addon, exactly as the standalone binary does: same options, output and exit codes.

const { runCli } = require("../native.js");

process.exit(runCli(["socketio-emit", ...process.argv.slice(2)]));
