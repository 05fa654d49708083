"use strict";
// Diagnostics of the harness and of its children (redis-server, the Socket.IO servers).
//
// A green run should print nothing but the test runner's own output, yet a failing test needs
// every server's log and crash stack. So each line is kept in memory (bounded: the newest lines
// win) and shown only when asked: the `logs` command returns the text (drivers print it when a
// test fails), and the harness writes it to stderr itself when it crashes or fails to start.
// With HARNESS_VERBOSE=1 (or --verbose) every line is also written to stderr as it arrives.

const DEFAULT_MAX_LINES = 5000;
const DEFAULT_MAX_CHARS = 1 << 20;

class Logs {
  /**
   * @param {object} [opts]
   * @param {boolean} [opts.verbose]   also write every line to `stream` as it arrives
   * @param {number} [opts.maxLines]   lines kept (older ones are dropped and counted)
   * @param {number} [opts.maxChars]   characters kept, all lines together
   * @param {NodeJS.WritableStream} [opts.stream]  where `verbose` and `dump` write (stderr)
   */
  constructor({ verbose = false, maxLines = DEFAULT_MAX_LINES, maxChars = DEFAULT_MAX_CHARS, stream = process.stderr } = {}) {
    this.verbose = verbose;
    this.maxLines = maxLines;
    this.maxChars = maxChars;
    this.stream = stream;
    // A closed stderr (EPIPE) must not become an uncaught exception, whose handler would log,
    // write again, and fail again: stop writing to it instead.
    this.streamBroken = false;
    stream.on("error", () => {
      this.streamBroken = true;
    });
    this.t0 = Date.now();
    this.lines = [];
    this.chars = 0;
    this.dropped = 0;
  }

  /** Records `text` (one or more lines) from `source`, e.g. "harness", "redis", "server 0". */
  write(source, text) {
    const body = String(text).replace(/\r?\n$/, "");
    const stamp = ((Date.now() - this.t0) / 1000).toFixed(3).padStart(8);
    for (const line of body.split(/\r?\n/)) {
      const entry = `${stamp} [${source}] ${line}`;
      if (this.verbose) this.#print(entry + "\n");
      this.lines.push(entry);
      this.chars += entry.length + 1;
    }
    while (this.lines.length > this.maxLines || (this.chars > this.maxChars && this.lines.length > 1)) {
      this.chars -= this.lines.shift().length + 1;
      this.dropped++;
    }
  }

  /** Everything kept, oldest first, one line each (empty string when nothing was logged). */
  text() {
    const head = this.dropped ? [`(${this.dropped} earlier lines dropped)`] : [];
    const all = head.concat(this.lines);
    return all.length ? all.join("\n") + "\n" : "";
  }

  clear() {
    this.lines = [];
    this.chars = 0;
    this.dropped = 0;
  }

  /** Writes everything kept to the stream (used when the harness itself fails). */
  dump(reason) {
    const text = this.text();
    if (!text) return;
    this.#print(`----- harness logs (${reason}) -----\n${text}----- end of harness logs -----\n`);
  }

  #print(s) {
    if (this.streamBroken) return;
    try {
      this.stream.write(s);
    } catch (_) {
      // stderr is gone; nothing else to do
    }
  }
}

/** True when the environment asks for live logs (HARNESS_VERBOSE=1, or the older SIO_HARNESS_VERBOSE=1). */
function verboseFromEnv(env = process.env) {
  return env.HARNESS_VERBOSE === "1" || env.SIO_HARNESS_VERBOSE === "1";
}

module.exports = { Logs, verboseFromEnv };
