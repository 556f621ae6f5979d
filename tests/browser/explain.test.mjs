// `gleaner explain` and `gleaner batch --explain-dir` in a real browser: the report of a
// realistic news page (with hostile script in its text and attributes) opens from disk,
// colours its blocks by label, shows a block's reasons on click, filters, lays out side by
// side on a wide screen and stacked on a phone, makes no network request and runs none of
// the page's scripts; the batch index sorts by column and links to the reports.

import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";

import {
  countColour,
  decodePng,
  distinctColours,
  fixtures,
  gleaner,
  guardedPage,
  launchBrowser,
  rgb,
  tempDir,
} from "./helpers.mjs";

// The label colours of the report's stylesheet (src/explain/report.css).
const COLOURS = {
  content: "#2e7d32",
  boilerplate: "#616161",
  teaser: "#e65100",
  promo: "#ad1457",
  comment: "#1565c0",
};

let browser;
let scratch;
let report;

before(async () => {
  scratch = tempDir();
  report = path.join(scratch.dir, "report.html");
  gleaner(["explain", path.join(fixtures, "news.html"), "-o", report]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  scratch?.cleanup();
});

function assertClean(guard) {
  assert.deepEqual(guard.network, [], "the report made network requests");
  assert.deepEqual(guard.dialogs, [], "a script of the page ran");
  assert.deepEqual(guard.errors, [], "the report's script failed");
}

test("the report colours blocks by label, explains a block on click, and filters", async () => {
  const { page, context, guard } = await guardedPage(browser);
  await page.goto(pathToFileURL(report).href);

  // The page's own scripts (in a <script>, an attribute and escaped text) never ran.
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.locator("script").count(), 1, "only the report's script");

  // Every label on this page is there, each block's stripe in its label's colour.
  const labels = await page.$$eval(".block", (blocks) => blocks.map((b) => b.dataset.label));
  for (const label of ["content", "boilerplate", "teaser", "promo", "comment"]) {
    assert.ok(labels.includes(label), `no ${label} block in ${labels}`);
  }
  for (const [label, hex] of Object.entries(COLOURS)) {
    const stripe = await page
      .locator(`.block[data-label="${label}"]`)
      .first()
      .evaluate((b) => getComputedStyle(b).borderLeftColor);
    const [r, g, b] = rgb(hex);
    assert.equal(stripe, `rgb(${r}, ${g}, ${b})`, `${label} stripe`);
  }
  // The hostile text is shown as text.
  assert.ok((await page.textContent("body")).includes('<script>alert("text")</script>'));

  // A dropped block: its reasons are hidden until it is clicked.
  const footer = page.locator(".block", { hasText: "All rights reserved" });
  assert.equal(await footer.getAttribute("data-kept"), "false");
  const why = footer.locator(".why");
  assert.equal(await why.isVisible(), false);
  await footer.click();
  assert.equal(await why.isVisible(), true);
  assert.equal(await footer.getAttribute("aria-expanded"), "true");
  assert.match(await why.textContent(), /Dropped: final score 0\.\d\d is below the page's threshold/);
  assert.match(await why.locator("h3").first().textContent(), /Towards (keeping|dropping)/);
  const reasons = await why.locator(".reasons.down li").allTextContents();
  assert.ok(reasons.length >= 1, "no reasons towards dropping");
  assert.ok(reasons.every((r) => r.length > 5 && !/\bx_|\.\d+$/.test(r)), `reasons in words: ${reasons}`);
  // A kept paragraph, opened with the keyboard, says why it was kept.
  const paragraph = page.locator(".block", { hasText: "The first crossing left at 6.40am" });
  assert.equal(await paragraph.getAttribute("data-kept"), "true");
  await paragraph.focus();
  await page.keyboard.press("Enter");
  assert.match(await paragraph.locator(".why").textContent(), /Kept: final score/);
  assert.ok((await paragraph.locator(".reasons.up li").count()) >= 1);

  // Filters: dropped, kept, one kind, all.
  const total = await page.locator(".block").count();
  const visible = async () =>
    page.$$eval(".block", (blocks) =>
      blocks.filter((b) => !b.hidden).map((b) => ({ label: b.dataset.label, kept: b.dataset.kept })),
    );
  await page.click('button[data-filter="dropped"]');
  let shown = await visible();
  assert.ok(shown.length > 0 && shown.every((b) => b.kept === "false"));
  const dropped = shown.length;
  await page.click('button[data-filter="kept"]');
  shown = await visible();
  assert.ok(shown.length > 0 && shown.every((b) => b.kept === "true"));
  assert.equal(shown.length + dropped, total);
  assert.equal(await page.locator(".extracted .article p").count(), shown.length);
  await page.click('button[data-filter="label:teaser"]');
  shown = await visible();
  assert.ok(shown.length > 0 && shown.every((b) => b.label === "teaser"));
  assert.equal(await page.getAttribute('button[data-filter="label:teaser"]', "aria-pressed"), "true");
  assert.match(await page.textContent("#shown"), new RegExp(`Showing ${shown.length} of ${total} blocks`));
  await page.click('button[data-filter="all"]');
  assert.equal((await visible()).length, total);

  // Side by side on a wide screen.
  const blocksBox = await page.locator("section.blocks").boundingBox();
  const textBox = await page.locator("aside.extracted").boundingBox();
  assert.ok(textBox.x > blocksBox.x + blocksBox.width - 1, "extracted text beside the blocks");

  // The screenshot is not blank and shows the label colours.
  const png = decodePng(await page.screenshot({ fullPage: true }));
  assert.ok(distinctColours(png) > 50, "the screenshot is blank");
  for (const [label, hex] of Object.entries(COLOURS)) {
    const pixels = countColour(png, rgb(hex));
    assert.ok(pixels > 200, `${label} colour (${hex}) missing from the screenshot: ${pixels} pixels`);
  }
  if (process.env.SCREENSHOT_DIR) {
    mkdirSync(process.env.SCREENSHOT_DIR, { recursive: true });
    await page.setViewportSize({ width: 1000, height: 680 });
    await page.locator(".block", { hasText: "Bridge roadworks" }).click();
    await page.locator(".block", { hasText: "Bridge roadworks" }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(process.env.SCREENSHOT_DIR, "explain-report.png") });
  }
  assertClean(guard);
  await context.close();
});

test("the report stacks the extracted text under the blocks on a phone", async () => {
  const { page, context, guard } = await guardedPage(browser, { width: 390, height: 844 });
  await page.goto(pathToFileURL(report).href);
  const blocksBox = await page.locator("section.blocks").boundingBox();
  const textBox = await page.locator("aside.extracted").boundingBox();
  assert.ok(textBox.y >= blocksBox.y + blocksBox.height - 1, "extracted text under the blocks");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
  assertClean(guard);
  await context.close();
});

test("batch --explain-dir writes a sortable index linking every report", async () => {
  const inputs = path.join(scratch.dir, "pages");
  const out = path.join(scratch.dir, "reports");
  mkdirSync(inputs);
  copyFileSync(path.join(fixtures, "news.html"), path.join(inputs, "a-news.html"));
  writeFileSync(
    path.join(inputs, "b-note.html"),
    "<html><head><title>Short note</title></head><body><p>The library opens at nine on " +
      "Saturdays from next month, the council said on Tuesday.</p></body></html>",
  );
  writeFileSync(path.join(inputs, "c-empty.html"), "");
  gleaner(["batch", inputs, "--output", path.join(scratch.dir, "out.jsonl"), "--explain-dir", out]);
  const files = readdirSync(out).sort();
  assert.deepEqual(files, ["000001-a-news.html", "000002-b-note.html", "index.html"]);

  const { page, context, guard } = await guardedPage(browser);
  await page.goto(pathToFileURL(path.join(out, "index.html")).href);
  const column = async (n) => page.$$eval(`#pages tbody tr td:nth-child(${n})`, (cells) => cells.map((c) => c.textContent));
  assert.equal((await column(1)).length, 3);
  assert.match((await column(2))[2], /error/);
  // "words kept" is column 6: ascending, then descending, as numbers.
  await page.click("th:nth-child(6) button");
  const ascending = (await column(6)).filter((v) => v !== "").map(Number);
  assert.deepEqual(ascending, [...ascending].sort((a, b) => a - b));
  assert.equal(await page.getAttribute("th:nth-child(6)", "aria-sort"), "ascending");
  await page.click("th:nth-child(6) button");
  const descending = (await column(6)).filter((v) => v !== "").map(Number);
  assert.deepEqual(descending, [...ascending].reverse());
  assert.ok(descending[0] > descending[1], "the news page has more words than the note");
  // Sorting by title puts the error row (no title) first.
  await page.click("th:nth-child(2) button");
  assert.match((await column(2))[0], /error/);
  // A link opens that page's report.
  await page.click("a[href='000001-a-news.html']");
  await page.waitForSelector(".block");
  assert.match(await page.textContent("h1"), /River ferry returns/);
  assertClean(guard);
  await context.close();
});
