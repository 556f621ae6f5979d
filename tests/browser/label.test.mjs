// `gleaner label` in a real browser: the labelling page of two realistic news pages (their
// hand labels removed) opens from the printed URL, shows the model's labels in colour, takes
// labels by click and by key, undoes, jumps to uncertain blocks, saves, and the saved file's
// block labels (as `gleaner blocks` reads them, i.e. as training does) are exactly the page's;
// the next page and back resume the saved labels. No network request leaves 127.0.0.1.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";

import {
  countColour,
  decodePng,
  distinctColours,
  gleaner,
  gleanerBin,
  guardedPage,
  launchBrowser,
  repo,
  rgb,
  tempDir,
} from "./helpers.mjs";

// The label colours of the labelling page's stylesheet (src/cli/label/app.css).
const COLOURS = {
  content: "#2e7d32",
  boilerplate: "#616161",
  teaser: "#e65100",
  promo: "#ad1457",
};

let browser;
let scratch;
let server;
let url;
let out;

/** Starts `gleaner label` and resolves with the URL it prints. */
function startServer(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(gleanerBin(), ["label", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      const line = stdout.split("\n")[0];
      if (stdout.includes("\n")) resolve({ child, url: line.trim() });
    });
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("exit", (code) => reject(new Error(`gleaner label exited ${code}: ${stderr}`)));
  });
}

/** The block labels of a saved page as training reads them (`gleaner blocks`' gold_label). */
function savedLabels(file) {
  return gleaner(["blocks", file])
    .stdout.trim()
    .split("\n")
    .map((line) => JSON.parse(line).gold_label);
}

before(async () => {
  scratch = tempDir();
  const input = path.join(scratch.dir, "in");
  out = path.join(scratch.dir, "out");
  mkdirSync(input);
  for (const name of ["news-en-01.html", "news-en-02.html"]) {
    const html = readFileSync(path.join(repo, "training-data", "pages", name), "utf8");
    writeFileSync(path.join(input, name), html.replaceAll("data-gleaner-label", "data-x"));
  }
  const started = await startServer([
    path.join(input, "news-en-01.html"),
    path.join(input, "news-en-02.html"),
    "--out",
    out,
  ]);
  server = started.child;
  url = started.url;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.kill();
  scratch?.cleanup();
});

const chips = (page) => page.$$eval(".block .chip", (nodes) => nodes.map((n) => n.textContent));

test("label blocks by click and key, undo, save: the saved labels are the page's", async () => {
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32}$/);
  const { page, context, guard } = await guardedPage(browser);
  await page.goto(url);
  await page.waitForSelector(".block");
  await page.waitForFunction(() => document.body.dataset.page === "0");
  assert.match(await page.textContent("#progress"), /page 1 of 2 · 0 of 2 pages saved, 0 changed/);
  const blocks = await page.$$(".block");
  assert.ok(blocks.length > 20, `${blocks.length} blocks`);
  const model = await chips(page);
  assert.ok(model.includes("content") && model.some((l) => l !== "content"), model.join());

  // Uncertain blocks come first: the page opens on one when there is one, and u reaches them.
  const uncertain = await page.$$eval(".block.uncertain", (n) => n.map((d) => Number(d.dataset.i)));
  if (uncertain.length) {
    const selected = await page.$eval(".block.selected", (d) => Number(d.dataset.i));
    assert.equal(selected, uncertain[0]);
    await page.keyboard.press("u");
    const next = await page.$eval(".block.selected", (d) => Number(d.dataset.i));
    assert.equal(next, uncertain[1 % uncertain.length]);
  }

  // Click the first block and press b; the selection moves on, so press t for the second.
  await page.click('.block[data-i="0"]');
  await page.keyboard.press("b");
  await page.keyboard.press("t");
  // Click the fourth block and a palette button.
  await page.click('.block[data-i="3"]');
  await page.click('#palette button[data-label="promo"]');
  // Keyboard only: move to block 6 with j, label it with the digit of content.
  await page.click('.block[data-i="5"]');
  await page.keyboard.press("j");
  await page.keyboard.press("1");
  // A mistaken comment on block 7, undone.
  await page.keyboard.press("m");
  await page.keyboard.press("z");
  let labels = await chips(page);
  assert.equal(labels[0], "boilerplate");
  assert.equal(labels[1], "teaser");
  assert.equal(labels[3], "promo");
  assert.equal(labels[6], "content");
  assert.equal(labels[7], model[7], "undo restores the label before");
  assert.match(await page.textContent("#progress"), /unsaved change/);
  // Shift-click a range and label it at once.
  await page.click('.block[data-i="9"]');
  await page.click('.block[data-i="11"]', { modifiers: ["Shift"] });
  await page.keyboard.press("p");
  labels = await chips(page);
  assert.deepEqual(labels.slice(9, 12), ["promo", "promo", "promo"]);

  const screenshot = decodePng(await page.screenshot({ fullPage: false }));
  assert.ok(distinctColours(screenshot) > 30, "the screenshot is not blank");
  for (const [label, colour] of Object.entries(COLOURS)) {
    assert.ok(countColour(screenshot, rgb(colour)) > 200, `${label} colour on screen`);
  }
  if (process.env.SCREENSHOT_DIR) {
    await page.screenshot({ path: path.join(process.env.SCREENSHOT_DIR, "label-page.png") });
  }

  await page.keyboard.press("s");
  await page.waitForFunction(() => document.body.dataset.saved);
  const saved = path.join(out, "news-en-01.html");
  assert.ok(existsSync(saved));
  assert.deepEqual(savedLabels(saved), labels);
  assert.match(await page.textContent("#progress"), /1 of 2 pages saved, 1 changed/);

  // Next page and back: the saved labels are resumed.
  await page.keyboard.press("]");
  await page.waitForFunction(() => document.body.dataset.page === "1");
  assert.match(await page.textContent("#progress"), /page 2 of 2/);
  await page.keyboard.press("[");
  await page.waitForFunction(() => document.body.dataset.page === "0");
  assert.deepEqual(await chips(page), labels);
  assert.match(await page.textContent("#status"), /resumed/);

  assert.deepEqual(guard.network, []);
  assert.deepEqual(guard.errors, []);
  await context.close();
});

test("without the token the labelling page shows nothing", async () => {
  const { page, context } = await guardedPage(browser);
  const bare = url.replace(/\?token=.*/, "");
  const response = await page.goto(bare);
  assert.equal(response.status(), 403);
  assert.equal(await page.$(".block"), null);
  await context.close();
});
