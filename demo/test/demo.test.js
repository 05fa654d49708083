"use strict";
// `make test-demo`: runs the demo (run.js) and checks its page in headless Chromium (Debian's
// chromium, driven by playwright-core): events from every backend, the PNG rendered from
// binary, and room targeting (joining shows the room's events, leaving stops them).
// The screenshot goes to $CARGO_TARGET_DIR/demo/screenshot.png.

const { spawn } = require("node:child_process");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const readline = require("node:readline");
const { test } = require("node:test");
const { chromium } = require("playwright-core");
const { TARGET } = require("../backends");

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const SCREENSHOT = path.join(TARGET, "demo", "screenshot.png");
const MUST_SHOW = ["Python", "Node", "Rust"];
// Generous: the machine may be busy; every wait ends as soon as the page shows the condition.
const WAIT = { timeout: 90_000 };

/** Starts run.js; resolves with its page URL and the backends it started. */
function startDemo(output) {
  const demo = spawn(process.execPath, [path.join(__dirname, "..", "run.js"), "--interval-ms", "300"], {
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group, so that stopping it reaches every child
  });
  const ready = new Promise((resolve, reject) => {
    let backends = [];
    const urls = [];
    readline.createInterface({ input: demo.stdout }).on("line", (line) => {
      output.push(line);
      const started = line.match(/^backends emitting: (.*)$/);
      if (started) backends = started[1].split(", ");
      const url = line.match(/^open (http:\/\/\S+)$/);
      if (url) urls.push(url[1]);
      if (line.startsWith("press Ctrl-C")) resolve({ urls, backends });
    });
    demo.on("exit", (code) => reject(new Error(`run.js exited (${code}) before printing a URL`)));
  });
  readline.createInterface({ input: demo.stderr }).on("line", (line) => output.push(line));
  const stopped = new Promise((resolve) => demo.on("exit", resolve));
  const stop = () => {
    if (demo.exitCode === null && demo.signalCode === null) process.kill(-demo.pid, "SIGTERM");
    return stopped;
  };
  return { ready, stop };
}

// The page's counter for one language and target (see public/app.js).
function count(page, lang, target) {
  return page.$eval(
    `#grid tr[data-lang="${lang}"] td[data-target="${target}"]`,
    (cell) => Number(cell.dataset.count),
  );
}

function waitForCount(page, langs, target, atLeast) {
  return page.waitForFunction(
    ({ langs, target, atLeast }) =>
      langs.every((lang) => {
        const cell = document.querySelector(`#grid tr[data-lang="${lang}"] td[data-target="${target}"]`);
        return cell && Number(cell.dataset.count) >= atLeast[lang];
      }),
    { langs, target, atLeast },
    WAIT,
  );
}

const each = (langs, value) => Object.fromEntries(langs.map((lang) => [lang, value]));

test("the demo page shows events from each backend, images, and room targeting", async (t) => {
  const output = [];
  const demo = startDemo(output);
  let browser;
  t.after(async () => {
    await browser?.close();
    await demo.stop();
  });
  try {
    const { urls, backends } = await demo.ready;
    for (const lang of MUST_SHOW) assert.ok(backends.includes(lang), `${lang} backend not started`);
    assert.equal(urls.length, 2, "one URL per Socket.IO server");

    browser = await chromium.launch({ executablePath: CHROMIUM });
    const page = await browser.newPage({ viewport: { width: 960, height: 800 } });
    await page.goto(urls[0]);
    await page.waitForSelector('#status[data-connected="true"]', WAIT);

    // Every backend reaches the default namespace, /admin, and renders its PNG.
    await waitForCount(page, backends, "everyone", each(backends, 1));
    await waitForCount(page, backends, "nsp:/admin", each(backends, 1));
    await page.waitForFunction(
      (langs) =>
        langs.every((lang) => {
          const img = document.querySelector(`td[data-target="image"] img[data-lang="${lang}"]`);
          return img && img.complete && img.naturalWidth === 16;
        }),
      backends,
      WAIT,
    );

    // Not in any room yet: no room event arrived.
    for (const lang of backends) assert.equal(await count(page, lang, "room:news"), 0, lang);

    await page.click("#room-news");
    await page.waitForSelector('#room-news[data-joined="true"]', WAIT);
    await waitForCount(page, backends, "room:news", each(backends, 1));
    for (const lang of backends) assert.equal(await count(page, lang, "room:sports"), 0, lang);
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });

    // Once the server confirmed the leave, the room's events stop while the others go on.
    await page.click("#room-news");
    await page.waitForSelector('#room-news[data-joined="false"]', WAIT);
    const news = {};
    const everyone = {};
    for (const lang of backends) {
      news[lang] = await count(page, lang, "room:news");
      everyone[lang] = (await count(page, lang, "everyone")) + 3;
    }
    await waitForCount(page, backends, "everyone", everyone);
    for (const lang of backends) assert.equal(await count(page, lang, "room:news"), news[lang], lang);

    // The other server's page receives the same events: both servers read them from Redis.
    const other = await browser.newPage();
    await other.goto(urls[1]);
    await waitForCount(other, backends, "everyone", each(backends, 1));
  } catch (err) {
    // Quiet when green; on failure, what the demo printed.
    console.error(output.join("\n"));
    throw err;
  }
});
