"use strict";
// The server stacks `--stack` selects (see README.md, "Server stacks"). Each names the fixture
// script that runs one server, the npm packages (aliases in tests/fixtures/package.json) of its
// Socket.IO server, Redis adapter and matching client, and what the harness can count on.

const STACKS = {
  // socket.io 4.8.1 + @socket.io/redis-adapter 8.3.0 (node-redis 4.7.1): the default.
  "redis-adapter-8": {
    script: "server.js",
    server: "socket.io",
    adapter: "@socket.io/redis-adapter",
    client: "socket.io-client",
    clientMajor: 4,
    serverSideEmit: true, // flush's server marker is a serverSideEmit; server_event works
    channelsPerNsp: 3, // SUBSCRIBE request, response and the adapter's own response channel
    specificResponseChannel: true,
  },
  // socket.io 4.8.1 + @socket.io/redis-adapter 7.2.0 (node-redis 4.7.1), in server.js too.
  "redis-adapter-7": {
    script: "server.js",
    server: "socket.io",
    adapter: "redis-adapter-7",
    client: "socket.io-client",
    clientMajor: 4,
    serverSideEmit: true,
    channelsPerNsp: 3,
    specificResponseChannel: true,
  },
  // socket.io-redis with its own node-redis 3.1.2: tests/fixtures/server_legacy.js.
  "socket.io-redis-6.1": {
    script: "server_legacy.js",
    server: "socket.io",
    adapter: "socket.io-redis-6.1",
    client: "socket.io-client",
    clientMajor: 4,
    serverSideEmit: false, // flush's server marker is a broadcast the adapter hook sees
    channelsPerNsp: 2, // SUBSCRIBE request and response only
    specificResponseChannel: false,
  },
  "socket.io-redis-6.0": {
    script: "server_legacy.js",
    server: "socket.io-3",
    adapter: "socket.io-redis-6.0",
    client: "socket.io-client-3",
    clientMajor: 3,
    serverSideEmit: false,
    channelsPerNsp: 2,
    specificResponseChannel: false,
  },
  "socket.io-redis-5": {
    script: "server_legacy.js",
    server: "socket.io-2",
    adapter: "socket.io-redis-5",
    client: "socket.io-client-2",
    clientMajor: 2,
    serverSideEmit: false,
    channelsPerNsp: 2,
    specificResponseChannel: false,
  },
};

const DEFAULT_STACK = "redis-adapter-8";

module.exports = { STACKS, DEFAULT_STACK };
