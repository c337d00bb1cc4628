// bench/web_batch.mjs — the page's batch view with 50,000 rows (ROWS=n
// for another count) in headless Chromium against a real server: how
// long the whole file takes (upload to summary), and whether the page
// stays responsive meanwhile — the longest main-thread task (Long Tasks
// API) and the longest gap between animation frames — and then how long
// a sort, a filter and a page change of the table take. Prints the
// figures; asserts nothing (tests/browser/run.mjs tests the batch view).
//
//   node bench/web_batch.mjs [path/to/incomescore]     (bench/web_batch.sh)

import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ROOT, fixture, launch } from "../tests/browser/fixture.mjs";

const BIN = resolve(process.argv[2] || join(ROOT, "build/incomescore"));
const ROWS = Number(process.env.ROWS || 50000);
const fx = fixture(BIN);
let browser;
try {
  fx.trainModel();
  const base = await fx.serve();
  // the dataset's complete rows, repeated to ROWS
  const lines = readFileSync(join(fx.work, "dataset.csv"), "utf8").trim().split("\n");
  const body = lines.slice(1).filter((l) => !l.includes(",,") && !l.endsWith(","));
  const out = [lines[0]];
  for (let i = 0; i < ROWS; i++) out.push(body[i % body.length]);
  const file = join(fx.work, "bench.csv");
  writeFileSync(file, out.join("\n") + "\n");

  browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(base + "/");
  await page.waitForSelector("body[data-ready=true]");
  await page.click("#tab-batch");
  await page.evaluate(() => {
    window.__bench = { longest: 0, long: 0, gap: 0, last: performance.now(), on: true };
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) {
        window.__bench.longest = Math.max(window.__bench.longest, e.duration);
        window.__bench.long++;
      }
    }).observe({ type: "longtask" });
    const frame = (t) => {
      const b = window.__bench;
      b.gap = Math.max(b.gap, t - b.last);
      b.last = t;
      if (b.on) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  await page.setInputFiles("#batch-file", file);
  const t0 = Date.now();
  await page.click("#batch-start");
  await page.waitForSelector("#batch-summary:not([hidden])", { timeout: 600000 });
  const seconds = (Date.now() - t0) / 1000;
  const b = await page.evaluate(() => { window.__bench.on = false; return window.__bench; });
  const timed = (fn) => page.evaluate(fn);
  const sortMs = await timed(() => { const t = performance.now(); document.querySelector("#rows th button[data-key=scoring]").click(); return performance.now() - t; });
  const filterMs = await timed(() => { const t = performance.now(); const s = document.querySelector("#batch-filter"); s.value = "seg:A"; s.dispatchEvent(new Event("change")); return performance.now() - t; });
  const pageMs = await timed(() => { const t = performance.now(); document.querySelector("#page-next").click(); return performance.now() - t; });
  const rows = await page.textContent("#sum-rows");
  console.log(`web batch: ${rows} rows scored through the page in ${seconds.toFixed(1)} s (${Math.round(ROWS / seconds).toLocaleString("en-US")} rows/s)`);
  console.log(`web batch: longest main-thread task ${b.longest.toFixed(0)} ms (${b.long} over 50 ms), longest gap between frames ${b.gap.toFixed(0)} ms`);
  console.log(`web batch: on ${ROWS.toLocaleString("en-US")} rows, sort ${sortMs.toFixed(0)} ms, filter ${filterMs.toFixed(0)} ms, next page ${pageMs.toFixed(0)} ms`);
} finally {
  if (browser) await browser.close();
  fx.close();
}
