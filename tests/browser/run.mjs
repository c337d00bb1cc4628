// tests/browser/run.mjs — the analysts' page end to end, in headless
// Chromium (Debian's /usr/bin/chromium driven by playwright-core, pinned
// in package-lock.json) against the real `incomescore serve` on an
// ephemeral 127.0.0.1 port, with a small model trained into a temporary
// registry. What the page shows is compared with what the API answers
// for the same input, never with numbers written here.
//
//   node tests/browser/run.mjs build/incomescore [screenshot-dir]
//   (make browser-test; `make deps` installs chromium and runs npm ci)
//
// Prints one line per failed check and closes with
// "browser: N passed, M failed". Screenshots go to screenshot-dir
// (default build/screenshots/).

import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ROOT, fixture, api, launch } from "./fixture.mjs";

const BIN = resolve(process.argv[2] || join(ROOT, "build/incomescore"));
const SHOTS = resolve(process.argv[3] || join(ROOT, "build/screenshots"));
mkdirSync(SHOTS, { recursive: true });
const fx = fixture(BIN);
const WORK = fx.work;
const serve = fx.serve;

let passed = 0, failed = 0;
function ok(cond, what, detail = "") {
  if (cond) passed++;
  else { failed++; console.log(`FAIL: ${what}${detail ? `: ${detail}` : ""}`); }
  return cond;
}
function same(got, expected, what) {
  const g = JSON.stringify(got), e = JSON.stringify(expected);
  return ok(g === e, what, `got ${g}, expected ${e}`);
}

// The original API's two test requests (SPEC §7; scripts/demo.sh).
const APPLICANTS = [
  { ingreso: 45000, antiguedad_laboral_meses: 50, tiempo_desempleado: 0, trabajos_ultimos_5: 1, semanasCotizadas: 1000, edad: 32, crecimiento_ingreso: 265.38, lugar_actual: 18 },
  { ingreso: 1000, antiguedad_laboral_meses: 0, tiempo_desempleado: 13, trabajos_ultimos_5: 2, semanasCotizadas: 198, edad: 29, crecimiento_ingreso: 0, lugar_actual: 5 },
];

// ------------------------------------------------------------ the page
// The page's one scoring call, whatever its query (?explain=1).
const PREDICTION = (url) => url.pathname === "/v1/prediction";

const offOrigin = [];
async function newPage(browser, base, viewport = { width: 1280, height: 900 }, beforeLoad = null) {
  const context = await browser.newContext({ viewport, acceptDownloads: true, locale: "es-MX" });
  const origin = new URL(base).origin;
  // no request may leave the page's origin
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(origin + "/") || url === origin || url.startsWith("blob:") || url.startsWith("data:")) return route.continue();
    offOrigin.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on("pageerror", (e) => ok(false, "no script error on the page", e.message));
  page.on("console", (m) => { if (m.type() === "error" && !/401|Unauthorized|503|Failed to load resource/.test(m.text())) ok(false, "no console error", m.text()); });
  if (beforeLoad) await beforeLoad(page);
  await page.goto(base + "/");
  await page.waitForSelector("body[data-ready=true]", { timeout: 10000 });
  return page;
}

async function fill(page, a) {
  for (const [k, v] of Object.entries(a)) {
    if (k === "lugar_actual") await page.selectOption("#in-lugar_actual", String(v));
    else await page.fill(`#in-${k}`, String(v));
  }
}

async function score(page, a) {
  await fill(page, a);
  // the result of this very request (an earlier one may be on screen)
  const answered = page.waitForResponse((r) => PREDICTION(new URL(r.url())) && r.request().method() === "POST");
  await page.click("#submit");
  const response = await answered;
  // one call answers the score and the model's explanation
  same(new URL(response.url()).searchParams.get("explain"), "1", "the page asks for the explanation with the score");
  const id = response.headers()["x-request-id"];
  await page.locator("#result-request-id", { hasText: id }).waitFor({ timeout: 10000 });
  return {
    score: await page.textContent("#result-score"),
    cluster: await page.textContent("#result-cluster"),
    version: await page.textContent("#result-version"),
    requestId: await page.textContent("#result-request-id"),
  };
}

async function text(page, sel) {
  return ((await page.textContent(sel)) || "").trim();
}

// ------------------------------------------------------------ checks
async function theOriginalsApplicants(browser, base) {
  const page = await newPage(browser, base);
  for (const [i, a] of APPLICANTS.entries()) {
    const want = (await api(base, "POST", "/v1/prediction", a)).body;
    await page.click("#clear");
    const got = await score(page, a);
    same(got.score, want.scoring.toFixed(2), `applicant ${i + 1}: the page's score is the API's`);
    same(got.cluster, want.cluster, `applicant ${i + 1}: the page's segment letter is the API's`);
    same(got.version, want.model_version, `applicant ${i + 1}: model version`);
    ok(/^[0-9a-f]{16}$/.test(got.requestId), `applicant ${i + 1}: the request id is shown`, got.requestId);
    const meta = (await api(base, "GET", "/v1/meta")).body;
    same(await text(page, "#result-segment"), meta.segments.find((s) => s.letter === want.cluster).description, `applicant ${i + 1}: segment description`);
    same(await text(page, "#result-band"), want.band, `applicant ${i + 1}: band name`);
    same(await page.$$eval("#result-reasons li", (l) => l.map((x) => x.textContent)), want.reasons.map((r) => r.text), `applicant ${i + 1}: reasons`);
    ok((await page.getAttribute(".gauge", "aria-label") || "").includes(want.scoring.toFixed(2)), `applicant ${i + 1}: the gauge has a text alternative with the score`);
    await explanationMatchesTheApi(page, base, a, i);
    ok(await page.isHidden("#stale-note"), `applicant ${i + 1}: the result is current`);
    await page.screenshot({ path: join(SHOTS, `desktop-es-result-${i + 1}.png`), fullPage: true });
    // changed inputs mark the result as not theirs, until scored again
    await page.fill("#in-edad", String(a.edad + 1));
    ok(await page.isVisible("#stale-note"), `applicant ${i + 1}: a changed input marks the result stale`);
    await page.fill("#in-edad", String(a.edad));
    ok(await page.isHidden("#stale-note"), `applicant ${i + 1}: the same inputs again, the result is current`);
    if (i === 0) await whatIfMatchesTheApi(page, base, a);
  }
  await page.close();
}

// "Por qué este puntaje (modelo)": the bars' values are the API's own
// `?explain=1` answer for the same applicant, largest |points| first,
// each also written out; the base and the sum line add up to the score.
async function explanationMatchesTheApi(page, base, a, i) {
  const want = (await api(base, "POST", "/v1/prediction?explain=1", a)).body;
  const x = want.explanation;
  same(await text(page, "#explain-title"), "Por qué este puntaje (modelo)", `applicant ${i + 1}: explanation heading`);
  const rows = await page.$$eval("#explain-table tbody tr", (l) => l.map((tr) => ({
    feature: tr.dataset.feature, points: tr.dataset.points, text: tr.querySelector("td").textContent,
    bar: tr.querySelector(".bar").style.getPropertyValue("--w"), hidden: tr.querySelector(".xbar-col").getAttribute("aria-hidden"),
  })));
  const order = Object.entries(x.features).sort((p, q) => Math.abs(q[1]) - Math.abs(p[1]) || p[0].localeCompare(q[0]));
  same(rows.map((r) => r.feature), order.map(([k]) => k), `applicant ${i + 1}: one bar per feature, largest |points| first`);
  same(rows.map((r) => r.points), order.map(([, v]) => v.toFixed(2)), `applicant ${i + 1}: the bars' values are the API's explanation`);
  same(rows.map((r) => Number(r.text.replace("−", "-").replace("±", "").replace(/,/g, ""))), order.map(([, v]) => Number(v.toFixed(2))), `applicant ${i + 1}: each value is written out, signed`);
  const top = Math.abs(order[0][1]);
  same(rows.map((r) => r.bar), order.map(([, v]) => `${(Math.abs(v) / top) * 50}%`), `applicant ${i + 1}: each bar's length is its share of the largest`);
  ok(rows.every((r) => r.hidden === "true"), `applicant ${i + 1}: the bars are hidden from screen readers (the values are read)`);
  same(await page.getAttribute("#explain-base", "data-base"), x.base.toFixed(2), `applicant ${i + 1}: the base is the API's`);
  ok((await text(page, "#explain-base")).includes(x.base.toFixed(2)), `applicant ${i + 1}: the base is written`);
  const sum = x.base + Object.values(x.features).reduce((acc, v) => acc + v, 0);
  same(await page.getAttribute("#explain-sum", "data-sum"), sum.toFixed(2), `applicant ${i + 1}: the sum line adds base and contributions`);
  same(await page.getAttribute("#explain-sum", "data-score"), want.scoring.toFixed(2), `applicant ${i + 1}: the sum line's score is the API's`);
  ok(Math.abs(sum - want.scoring) <= 0.06, `applicant ${i + 1}: base + contributions is the score (to the API's rounding of 12 numbers)`, `${sum} vs ${want.scoring}`);
  const line = await text(page, "#explain-sum");
  ok(line.includes(`= ${sum.toFixed(2)}`) && line.includes(want.scoring.toFixed(2)), `applicant ${i + 1}: the sum line states the total and the score`, line);
  ok(await page.isVisible("#result-reasons, #result-body .muted") && await page.isVisible("#explain-table"), `applicant ${i + 1}: the model's view beside the policy reasons`);
}

// The what-if table: the page's one batch call, sent again by the test,
// answers every row's score; the differences are against its first item.
async function whatIfMatchesTheApi(page, base, a) {
  await page.click("#clear");
  const seen = page.waitForResponse((r) => r.url().endsWith("/v1/predictions") && r.request().method() === "POST");
  await fill(page, a);
  await page.click("#submit");
  const response = await seen;
  const sent = JSON.parse(response.request().postData());
  // the table of this very call (the last one's may still be on screen)
  await page.waitForSelector(`#whatif-table[data-request-id="${response.headers()["x-request-id"]}"]`, { timeout: 10000 });
  same(sent[0], a, "what-if: the first item is the applicant");
  ok(sent.some((x) => x.ingreso === Math.round(a.ingreso * 110) / 100 && x.edad === a.edad), "what-if: +10% income is among the steps");
  ok(sent.some((x) => x.trabajos_ultimos_5 === a.trabajos_ultimos_5 - 1 && x.ingreso === a.ingreso), "what-if: one job fewer is among the steps");
  const answers = (await api(base, "POST", "/v1/predictions", sent)).body;
  const rows = await page.$$eval("#whatif-table tbody tr", (l) => l.map((tr) => tr.dataset.score));
  const want = answers.slice(1).map((x) => x.scoring);
  const sortedDeltas = want.map((s) => s - answers[0].scoring).sort((x, y) => y - x);
  same(rows.length, sent.length - 1, "what-if: one row per step");
  same(rows.map(Number).sort((x, y) => x - y), [...want].sort((x, y) => x - y).map((s) => Number(s.toFixed(2))), "what-if: the rows' scores are the API's");
  same(rows.map((s) => Number(s) - answers[0].scoring).map((d) => d.toFixed(2)), sortedDeltas.map((d) => d.toFixed(2)), "what-if: sorted by the change, largest first");
}

async function invalidInputsShowTheApisWords(browser, base) {
  const page = await newPage(browser, base);
  const good = { ...APPLICANTS[0] };
  await fill(page, good);
  ok(await page.isEnabled("#submit"), "a valid form enables Consultar");
  const cases = [
    ["ingreso", "-1"], ["ingreso", "abc"], ["ingreso", ""], ["edad", "90"], ["edad", "17"], ["edad", "30.5"],
    ["antiguedad_laboral_meses", "2.5"], ["trabajos_ultimos_5", "x1"], ["semanasCotizadas", "99999"],
    ["crecimiento_ingreso", "-101"], ["tiempo_desempleado", "-3"], ["lugar_actual", ""],
  ];
  for (const [field, value] of cases) {
    const body = { ...good };
    // what the page would send: a number when the text reads as one
    if (value === "") delete body[field];
    else body[field] = /^[+-]?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
    const res = await api(base, "POST", "/v1/prediction", body);
    const want = res.body.detail.find((d) => d.loc[1] === field);
    if (field === "lugar_actual") await page.selectOption("#in-lugar_actual", "");
    else await page.fill(`#in-${field}`, value);
    await page.locator(`#in-${field}`).blur();
    same(await text(page, `#err-${field}`), want.msg, `${field} = "${value}": the API's message next to the field`);
    ok(await page.isDisabled("#submit"), `${field} = "${value}": Consultar is disabled`);
    same(await page.getAttribute(`#in-${field}`, "aria-invalid"), "true", `${field} = "${value}": aria-invalid`);
    if (field === "lugar_actual") await page.selectOption("#in-lugar_actual", String(good[field]));
    else await page.fill(`#in-${field}`, String(good[field]));
    same(await text(page, `#err-${field}`), "", `${field}: fixed, the message goes`);
    ok(await page.isEnabled("#submit"), `${field}: fixed, Consultar is enabled again`);
  }
  // the two rules across fields, on the field the API names
  const cross = [
    [{ ingreso: 0, crecimiento_ingreso: 5 }, "crecimiento_ingreso"],
    [{ antiguedad_laboral_meses: 5, tiempo_desempleado: 2 }, "tiempo_desempleado"],
  ];
  for (const [change, field] of cross) {
    const res = await api(base, "POST", "/v1/prediction", { ...good, ...change });
    const want = res.body.detail.find((d) => d.loc[1] === field);
    await fill(page, change);
    same(await text(page, `#err-${field}`), want.msg, `${JSON.stringify(change)}: the API's cross-field message on ${field}`);
    ok(await page.isDisabled("#submit"), `${JSON.stringify(change)}: Consultar is disabled`);
    await fill(page, good);
    ok(await page.isEnabled("#submit"), `${JSON.stringify(change)}: fixed, enabled`);
  }
  // failures in words: 503 and an unreachable server (answers faked in
  // the browser, the request never leaves it)
  await page.route(PREDICTION, (r) => r.fulfill({ status: 503, contentType: "application/json", body: '{"detail": "no model is loaded yet"}' }));
  await page.click("#submit");
  await page.waitForSelector("#result-body .banner");
  ok((await text(page, "#result-body .banner")).startsWith("El servicio no está disponible"), "503 is said in words", await text(page, "#result-body .banner"));
  await page.unroute(PREDICTION);
  await page.route(PREDICTION, (r) => r.abort("connectionrefused"));
  await page.click("#submit");
  // (a locator, not waitForFunction: the page's CSP forbids eval)
  await page.locator("#result-body .banner", { hasText: "No se pudo contactar al servidor" }).waitFor({ timeout: 10000 });
  passed++; // an unreachable server is said in words
  await page.unroute(PREDICTION);
  await page.close();
}

// A server that never answers: the page's own clock is moved past its
// timeout (page.clock), and the page says so.
async function aTimeoutIsSaid(browser, base) {
  const page = await newPage(browser, base, undefined, (p) => p.clock.install());
  const held = [];
  await page.route(PREDICTION, (r) => { held.push(r); });
  await fill(page, APPLICANTS[0]);
  await page.click("#submit");
  while (!held.length) await new Promise((r) => setTimeout(r, 20));
  await page.clock.fastForward(25000);
  await page.locator("#result-body .banner", { hasText: "El servidor no respondió a tiempo" }).waitFor({ timeout: 10000 });
  passed++; // a timeout is said in words
  ok(await page.isEnabled("#submit"), "after a timeout, Consultar can be pressed again");
  for (const r of held) await r.abort().catch(() => {});
  await page.close();
}

async function keyboardOnly(browser, base) {
  const page = await newPage(browser, base);
  const want = (await api(base, "POST", "/v1/prediction", APPLICANTS[1])).body;
  // Tab from the top of the page to the first field
  await page.keyboard.press("Tab");
  let guard = 0;
  while (guard++ < 20 && (await page.evaluate(() => document.activeElement.id)) !== "in-ingreso") await page.keyboard.press("Tab");
  same(await page.evaluate(() => document.activeElement.id), "in-ingreso", "keyboard: Tab reaches the first field");
  const order = ["ingreso", "antiguedad_laboral_meses", "tiempo_desempleado", "trabajos_ultimos_5", "semanasCotizadas", "edad", "crecimiento_ingreso"];
  for (const f of order) {
    same(await page.evaluate(() => document.activeElement.id), `in-${f}`, `keyboard: Tab order reaches ${f}`);
    await page.keyboard.type(String(APPLICANTS[1][f]));
    await page.keyboard.press("Tab");
  }
  same(await page.evaluate(() => document.activeElement.id), "in-lugar_actual", "keyboard: then the state list");
  const meta = (await api(base, "GET", "/v1/meta")).body;
  await page.keyboard.type(meta.states[APPLICANTS[1].lugar_actual].name.slice(0, 6));
  same(await page.inputValue("#in-lugar_actual"), String(APPLICANTS[1].lugar_actual), "keyboard: the state chosen by typing");
  await page.focus("#in-edad");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#result-score", { timeout: 10000 });
  same(await text(page, "#result-score"), want.scoring.toFixed(2), "keyboard: Enter submits and the score is the API's");
  // focus is visible: the focused field's box gets an outline
  await page.focus("#in-edad");
  ok((await page.$eval(".field:has(#in-edad) .input-row", (e) => getComputedStyle(e).outlineStyle)) !== "none", "keyboard: focus is visible");
  await page.close();
}

// WCAG AA: the text of the page against what is behind it, >= 4.5:1
// (computed colours; the first opaque background up the tree), and a
// printable result (tabs and buttons gone, the result and what-if kept).
async function contrastAndPrint(browser, base) {
  const page = await newPage(browser, base);
  await score(page, APPLICANTS[1]);
  await page.waitForSelector("#whatif-table");
  await page.fill("#in-edad", "90");
  await page.locator("#in-edad").blur();
  await page.waitForSelector("#explain-table");
  const low = await page.$$eval("label, .hint, .muted, .field-error, .form-summary, .tab, .fact-label, .meta-list dt, .meta-list dd, .delta, .whatif th, .whatif td, .explain-table th, .explain-table td, #explain-base, #explain-sum, button:not(:disabled), .footer span, .footer a, .unit, h1, h2, h3, .reasons li, .stale-note, .brand-sub", (els) => {
    const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const out = [];
    for (const e of els) {
      if (!e.textContent.trim() || !e.getClientRects().length) continue;
      let bg = null;
      for (let p = e; p && !bg; p = p.parentElement) {
        const c = rgb(getComputedStyle(p).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] === 1)) bg = c.slice(0, 3);
      }
      bg = bg || [255, 255, 255];
      const fg = rgb(getComputedStyle(e).color).slice(0, 3);
      const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
      const ratio = (a + 0.05) / (b + 0.05);
      if (ratio < 4.5) out.push(`${e.tagName}.${e.className} "${e.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
    }
    return out;
  });
  same(low, [], "AA contrast: every text at least 4.5:1");
  await page.fill("#in-edad", String(APPLICANTS[1].edad));
  await page.emulateMedia({ media: "print" });
  ok(await page.isHidden("nav.tabs") && await page.isHidden("#submit") && await page.isHidden("#print"), "print: no tabs or buttons");
  ok(await page.isVisible("#result-score, .gauge") && await page.isVisible("#whatif-table") && await page.isVisible("#result-request-id"), "print: the result, its request id and the what-if table");
  ok(await page.isVisible("#explain-table") && await page.isVisible("#explain-sum"), "print: the model's explanation and its sum");
  await page.screenshot({ path: join(SHOTS, "print-es-result.png"), fullPage: true });
  await page.close();
}

async function englishSwitch(browser, base) {
  const page = await newPage(browser, base);
  await page.click("#lang");
  same(await page.getAttribute("html", "lang"), "en", "English: html lang");
  same(await text(page, "label[for=in-ingreso]"), "Monthly income (MXN)", "English: a field label");
  same(await text(page, "#submit"), "Score", "English: the button");
  same(await text(page, "#tab-batch"), "Batch", "English: a tab");
  same(await text(page, "#in-lugar_actual option[value='']"), "Choose a state…", "English: the state list's prompt");
  same(await page.getAttribute("nav.tabs", "aria-label"), "Sections", "English: the labels screen readers read");
  await score(page, APPLICANTS[0]);
  await page.waitForSelector("#whatif-table");
  same(await text(page, "#whatif-title"), "What if…?", "English: the what-if title");
  same(await text(page, "#result-title"), "Result", "English: the result title");
  same(await text(page, "#explain-title"), "Why this score (model)", "English: the explanation's heading");
  same(await text(page, "#explain-table thead th"), "Variable", "English: the explanation's column");
  same(await text(page, "#explain-table tr[data-feature=ingreso] th"), "Monthly income", "English: a feature's name");
  ok((await text(page, "#explain-sum")).includes("the score"), "English: the sum line", await text(page, "#explain-sum"));
  const metaEn = await (await fetch(base + "/v1/meta")).json();
  const segmentEn = await text(page, "#result-segment");
  ok(metaEn.segments.some((s) => s.description_en && s.description_en === segmentEn), `English: the segment in the bundle's English words (${segmentEn})`);
  await page.screenshot({ path: join(SHOTS, "desktop-en-result.png"), fullPage: true });
  await page.setViewportSize({ width: 375, height: 800 });
  await page.screenshot({ path: join(SHOTS, "phone-en-result.png"), fullPage: true });
  await page.click("#lang");
  same(await text(page, "#submit"), "Consultar", "back to Spanish");
  await page.close();
}

async function phoneWidth(browser, base) {
  const page = await newPage(browser, base, { width: 375, height: 812 });
  const noScroll = async (what) => {
    const w = await page.evaluate(() => document.documentElement.scrollWidth);
    ok(w <= 375, `phone: no horizontal scroll ${what}`, `scrollWidth ${w}`);
  };
  await noScroll("on the empty form");
  await page.screenshot({ path: join(SHOTS, "phone-es-form.png"), fullPage: true });
  await score(page, APPLICANTS[0]);
  await page.waitForSelector("#whatif-table");
  await noScroll("with a result and the what-if table");
  ok(await page.isVisible("#explain-table .bar-track"), "phone: the explanation keeps its bars beside the values");
  await page.screenshot({ path: join(SHOTS, "phone-es-result.png"), fullPage: true });
  await page.click("#tab-model");
  await page.waitForSelector("#model-version");
  await noScroll("on the model view");
  await page.click("#tab-batch");
  await noScroll("on the batch view");
  await page.close();
}

async function modelView(browser, base) {
  const page = await newPage(browser, base);
  await page.click("#tab-model");
  await page.waitForSelector("#model-version");
  const model = (await api(base, "GET", "/v1/model")).body;
  same(await text(page, "#model-version"), model.version, "model view: the live version");
  ok(await page.locator("a[href='/docs']").count() > 0 && await page.locator("a[href='/openapi.json']").count() > 0, "model view: links to the docs and OpenAPI");
  // the training report opens from its link
  const [report] = await Promise.all([page.context().waitForEvent("page"), page.click("#model-report")]);
  await report.waitForLoadState();
  same(await report.title(), `Informe de entrenamiento: ${model.version}`, "model view: the live version's training report opens (it names the version)");
  await report.close();
  await page.screenshot({ path: join(SHOTS, "desktop-es-model.png"), fullPage: true });
  await page.close();
}

// A CSV with the dataset's columns: good rows from the dataset, then rows
// the API refuses, each in its own way.
function batchCsv() {
  const lines = readFileSync(join(WORK, "dataset.csv"), "utf8").trim().split("\n");
  const header = lines[0].split(",");
  const col = (n) => header.indexOf(n);
  const names = ["ingreso", "antiguedad_laboral_meses", "tiempo_desempleado", "trabajos_ultimos_5", "semanasCotizadas", "edad", "crecimiento_ingreso", "lugar_actual"];
  // rows the ETL left a field empty in are refused too: not these
  const rows = lines.slice(1).map((l) => l.split(",")).filter((r) => names.every((n) => r[col(n)] !== "")).slice(0, 40);
  const bad = (i, name, v) => { const r = [...rows[i]]; r[col(name)] = v; return r; };
  const all = [...rows.slice(0, 30), bad(30, "edad", "90"), bad(31, "ingreso", ""), bad(32, "trabajos_ultimos_5", "muchos"),
    bad(33, "semanasCotizadas", "-5"), ...rows.slice(34)];
  return [header.join(","), ...all.map((r) => r.join(","))].join("\n") + "\n";
}

async function batchFile(browser, base) {
  const csv = batchCsv();
  const path = join(WORK, "applicants.csv");
  writeFileSync(path, csv);
  const page = await newPage(browser, base);
  await page.click("#tab-batch");
  await page.setInputFiles("#batch-file", path);
  await page.click("#batch-start");
  await page.waitForSelector("#batch-summary:not([hidden])", { timeout: 20000 });
  // what the API answers for the same rows
  const meta = (await api(base, "GET", "/v1/meta")).body;
  const names = meta.fields.map((f) => f.name);
  const lines = csv.trim().split("\n");
  const header = lines[0].split(",");
  const items = lines.slice(1).map((l) => {
    const cells = l.split(","), o = {};
    for (const n of names) {
      const v = cells[header.indexOf(n)];
      if (v !== "") o[n] = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v) ? Number(v) : v;
    }
    return { o, cells };
  });
  const answers = (await api(base, "POST", "/v1/predictions", items.map((x) => x.o))).body;
  const errors = answers.filter((a) => a.error).length;
  same(errors, 4, "batch: the API refuses the four bad rows");
  same(await text(page, "#sum-rows"), String(items.length), "batch: summary counts the rows");
  same(await text(page, "#sum-errors"), String(errors), "batch: summary counts the errors");
  for (const b of meta.bands) {
    const n = answers.filter((a) => a.band === b.label).length;
    same(await text(page, `#summary-bands tr[data-band="${b.label}"] td.num`), String(n), `batch: band ${b.label} count`);
  }
  for (const s of meta.segments) {
    const n = answers.filter((a) => a.cluster === s.letter).length;
    same(await text(page, `#summary-segments tr[data-segment="${s.letter}"] td.num`), String(n), `batch: segment ${s.letter} count`);
  }
  const bars = await page.$$eval("#histogram rect", (l) => l.reduce((s, r) => s + Number(r.dataset.count), 0));
  same(bars, items.length - errors, "batch: the histogram holds every score");
  // errors in place, filterable
  await page.selectOption("#batch-filter", "errors");
  const shown = await page.$$eval("#rows tbody tr", (l) => l.map((tr) => [Number(tr.dataset.row), tr.querySelector(".error-text")?.textContent]));
  same(shown, answers.map((a, i) => [i + 1, a.error]).filter((x) => x[1]), "batch: each bad row with the API's error, in place");
  await page.selectOption("#batch-filter", "all");
  // sortable: by score, descending on the second press
  await page.click("#rows th button[data-key=scoring]");
  await page.click("#rows th button[data-key=scoring]");
  const top = (await page.$$eval("#rows tbody tr td:nth-child(2)", (l) => l.map((td) => td.textContent))).filter((x) => x !== "");
  const wantTop = answers.filter((a) => !a.error).map((a) => a.scoring).sort((x, y) => y - x).slice(0, top.length).map((s) => s.toFixed(2));
  same(top, wantTop, "batch: sorted by score, highest first");
  await page.$eval("#batch-table .table-wrap", (e) => { e.scrollLeft = 0; }); // sorting scrolled to its heading
  await page.screenshot({ path: join(SHOTS, "desktop-es-batch.png"), fullPage: true });
  // the download, compared whole
  const dl = page.waitForEvent("download");
  await page.click("#batch-download");
  const file = await (await dl).path();
  const got = readFileSync(file, "utf8");
  const q = (s) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const want = [["row", ...names, "scoring", "cluster", "band", "error"].join(","),
    ...items.map((x, i) => {
      const a = answers[i];
      return [String(i + 1), ...names.map((n) => x.cells[header.indexOf(n)]), a.error ? "" : a.scoring.toFixed(2), a.cluster || "", a.band || "", a.error || ""].map(q).join(",");
    })].join("\r\n") + "\r\n";
  same(got, want, "batch: the downloaded CSV");
  same((await dl).suggestedFilename(), "incomescore-resultados.csv", "batch: the file's name");
  await page.close();
}

// JSON lines: request objects as the API takes them (a state by name
// too), a line that is not JSON refused by the page itself.
async function batchJsonLines(browser, base) {
  const items = [APPLICANTS[0], { ...APPLICANTS[1], lugar_actual: "Nuevo León" }, { ...APPLICANTS[0], edad: 17 }];
  const path = join(WORK, "applicants.jsonl");
  writeFileSync(path, items.map((x) => JSON.stringify(x)).join("\n") + "\n{not json\n");
  const page = await newPage(browser, base);
  await page.click("#tab-batch");
  await page.setInputFiles("#batch-file", path);
  await page.click("#batch-start");
  await page.waitForSelector("#batch-summary:not([hidden])", { timeout: 20000 });
  const answers = (await api(base, "POST", "/v1/predictions", items)).body;
  same(await text(page, "#sum-rows"), "4", "JSON lines: four rows");
  same(await text(page, "#sum-errors"), "2", "JSON lines: two refused");
  const cells = await page.$$eval("#rows tbody tr", (l) => l.map((tr) => [tr.querySelector("td:nth-child(2)").textContent, tr.querySelector("td:nth-child(5)").textContent]));
  same(cells, [[answers[0].scoring.toFixed(2), "✓"], [answers[1].scoring.toFixed(2), "✓"], ["", answers[2].error], ["", "La línea no es JSON válido."]],
    "JSON lines: the API's scores and error in place, and the page's own for a line that is not JSON");
  await page.close();
}

async function apiKeys(browser) {
  const key = "browser-test-key-0123456789abcdef";
  const line = execFileSync(BIN, ["serve", "--hash-key", "--key-name", "analyst"], { input: key + "\n" }).toString();
  writeFileSync(join(WORK, "keys.txt"), line);
  const base = await serve(["--api-keys", join(WORK, "keys.txt")]);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const origin = new URL(base).origin;
  await context.route("**/*", (r) => (r.request().url().startsWith(origin) ? r.continue() : (offOrigin.push(r.request().url()), r.abort())));
  const page = await context.newPage();
  const auth = [];
  page.on("request", (r) => { if (r.url().includes("/v1/")) auth.push(r.headers().authorization || ""); });
  await page.goto(base + "/");
  await page.waitForSelector("#key-panel:not([hidden])", { timeout: 10000 });
  passed++; // a 401 on /v1/meta asks for the key
  await page.fill("#api-key", "not-the-key-000000000000");
  await page.press("#api-key", "Enter");
  await page.locator("#key-error:not(:empty)").waitFor({ timeout: 10000 });
  same(await text(page, "#key-error"), "La clave no fue aceptada. Verifíquela.", "a wrong key is said so");
  await page.fill("#api-key", key);
  await page.press("#api-key", "Enter");
  await page.waitForSelector("body[data-ready=true]", { timeout: 10000 });
  const want = (await api(base, "POST", "/v1/prediction", APPLICANTS[0], key)).body;
  const got = await score(page, APPLICANTS[0]);
  same(got.score, want.scoring.toFixed(2), "with the key entered, the page scores");
  same(auth[auth.length - 1], `Bearer ${key}`, "the key is sent as Authorization: Bearer");
  same(await page.evaluate(() => [sessionStorage.length, localStorage.length]), [1, 0], "the key is in sessionStorage only");
  ok(!page.url().includes(key), "the key is not in the URL");
  // the training report, which a link cannot fetch with the key, is
  // fetched with it and saved
  await page.click("#tab-model");
  await page.waitForSelector("#model-report");
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click("#model-report")]);
  const res = await fetch(base + "/v1/model/report", { headers: { Authorization: `Bearer ${key}` } });
  same(readFileSync(await dl.path(), "utf8"), await res.text(), "with keys, the training report is saved with the key");
  await context.close();
}

// ------------------------------------------------------------ main
let browser;
try {
  fx.trainModel();
  const base = await serve();
  browser = await launch();
  await theOriginalsApplicants(browser, base);
  await invalidInputsShowTheApisWords(browser, base);
  await aTimeoutIsSaid(browser, base);
  await apiKeys(browser);
  await keyboardOnly(browser, base);
  await contrastAndPrint(browser, base);
  await englishSwitch(browser, base);
  await phoneWidth(browser, base);
  await modelView(browser, base);
  await batchFile(browser, base);
  await batchJsonLines(browser, base);
  same(offOrigin, [], "no request leaves the page's origin");
} catch (e) {
  ok(false, "the browser tests ran to the end", e.stack || String(e));
} finally {
  if (browser) await browser.close();
  fx.close();
}
console.log(`browser: ${passed} passed, ${failed} failed (screenshots: ${SHOTS})`);
process.exit(failed ? 1 : 0);
