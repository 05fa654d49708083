"use strict";
// socketio-emitter: a drop-in for @socket.io/redis-emitter 5.1.0 backed by a Rust core.
// The implementation is emitter.js; the native addon is loaded by native.js.

module.exports = require("./emitter.js");
