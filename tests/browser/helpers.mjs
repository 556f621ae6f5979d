// Shared by the browser tests (one *.test.mjs per page gleaner serves or writes): where the
// gleaner binary and Debian's chromium are, running gleaner, starting the browser with a
// guard that fails on any network request, and reading screenshots.
//
//   GLEANER_BIN       the gleaner binary (default: the debug build under CARGO_TARGET_DIR
//                     or ../../target)
//   CHROMIUM          the browser (default: /usr/bin/chromium, Debian's package)
//   SCREENSHOT_DIR    when set, tests save their screenshots there too (docs/explain-report.png
//                     is the explain test's, reduced with `pngquant --quality 60-85`)

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";
import { PNG } from "pngjs";

export const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, "..", "..");
export const fixtures = path.join(here, "fixtures");

/** The gleaner binary the tests run. */
export function gleanerBin() {
  const target = process.env.CARGO_TARGET_DIR || path.join(repo, "target");
  const bin = process.env.GLEANER_BIN || path.join(target, "debug", "gleaner");
  if (!existsSync(bin)) {
    throw new Error(`no gleaner binary at ${bin}: run cargo build, or set GLEANER_BIN`);
  }
  return bin;
}

/** Runs gleaner with `args`; throws with its stderr unless it exits 0. */
export function gleaner(args, { input } = {}) {
  const result = spawnSync(gleanerBin(), args, { input, encoding: "utf8", maxBuffer: 1 << 28 });
  if (result.status !== 0) {
    throw new Error(`gleaner ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  }
  return result;
}

/** A fresh temporary directory, removed by the returned cleanup function. */
export function tempDir() {
  const dir = mkdtempSync(path.join(tmpdir(), "gleaner-browser-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Debian's headless chromium (no browser download: playwright-core drives the system one). */
export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
  if (!existsSync(executablePath)) {
    throw new Error(`no browser at ${executablePath}: apt-get install chromium (.ci/browser-tests does)`);
  }
  return chromium.launch({
    executablePath,
    headless: true,
    // Root in CI has no user namespace sandbox; the pages are our own files.
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
}

/**
 * A new page that records every request leaving file:// or the loopback address (the pages
 * under test must make none), every dialog (a script of the page under test would open one)
 * and every page error. Check `guard.network`, `guard.dialogs`, `guard.errors` at the end.
 */
export async function guardedPage(browser, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const guard = { network: [], dialogs: [], errors: [] };
  page.on("request", (request) => {
    const url = new URL(request.url());
    const local = url.protocol === "file:" || url.protocol === "data:" || url.hostname === "127.0.0.1";
    if (!local) guard.network.push(request.url());
  });
  page.on("dialog", async (dialog) => {
    guard.dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  page.on("pageerror", (error) => guard.errors.push(String(error)));
  return { page, context, guard };
}

/** A PNG screenshot as { width, height, data } (RGBA bytes). */
export function decodePng(buffer) {
  return PNG.sync.read(buffer);
}

/** "#2e7d32" → [46, 125, 50]. */
export function rgb(hex) {
  const n = parseInt(hex.replace("#", ""), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** How many pixels are within `tolerance` (per channel) of `colour` ([r, g, b]). */
export function countColour(png, colour, tolerance = 6) {
  let count = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    if (
      Math.abs(png.data[i] - colour[0]) <= tolerance &&
      Math.abs(png.data[i + 1] - colour[1]) <= tolerance &&
      Math.abs(png.data[i + 2] - colour[2]) <= tolerance
    ) {
      count += 1;
    }
  }
  return count;
}

/** The number of distinct colours (quantised to 5 bits per channel): 1 for a blank image. */
export function distinctColours(png) {
  const seen = new Set();
  for (let i = 0; i < png.data.length; i += 4) {
    seen.add(((png.data[i] >> 3) << 10) | ((png.data[i + 1] >> 3) << 5) | (png.data[i + 2] >> 3));
  }
  return seen.size;
}
