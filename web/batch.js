// batch.js — a file of applicants (CSV with the dataset's column names,
// or JSON lines) scored through POST /v1/predictions in chunks (at most
// /v1/meta's batch_max items and ~1 MB a request), with a progress bar;
// then a table (a page of rows at a time, so 50,000 rows stay
// responsive) sortable and filterable with each row's error in place, a
// summary (per band, per segment, a histogram) and the results as CSV.

import { h, state, authorized, failureText, segmentText } from "./app.js";
import { t, number, localized } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const CHUNK_BYTES = 400000; // ~2,000 rows: each request's JSON work stays a few ms
const SLICE = 2000;         // rows read between two yields to the browser
const PAGE = 50;
const NS = "http://www.w3.org/2000/svg";

const batch = { rows: [], view: [], page: 0, sortKey: "row", sortDir: 1, running: false, cancel: false, done: false };
export { batch };

// ---------------------------------------------------------- reading
// RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF.
export function parseCsv(text) {
  const rows = [];
  let row = [], field = "", i = 0, quoted = false;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(field); field = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field); field = "";
      if (row.length > 1 || row[0] !== "") rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  return rows;
}

// A cell as the API should see it: absent when empty (the API says the
// field is required), a number when it reads as one, else the text
// (a state's name, or something the API will refuse in its own words).
function cell(v) {
  const s = v.trim();
  if (s === "") return undefined;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  return s;
}

// Lets the browser paint and handle input between slices of work.
const pause = () => new Promise((r) => setTimeout(r, 0));

// The file's text → [{input: object|null, error: string|null, source}],
// a slice at a time (the page stays responsive on 50,000 rows).
export async function readRows(text, names) {
  const first = text.replace(/^\ufeff/, "").trimStart();
  if (first.startsWith("{") || first.startsWith("[")) {
    let lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
    if (first.startsWith("[")) {
      try { return JSON.parse(first).map((o) => ({ input: o, error: null, source: o })); } catch (e) { /* lines */ }
    }
    const out = [];
    for (const [i, l] of lines.entries()) {
      if (i % SLICE === SLICE - 1) await pause();
      try { out.push({ input: JSON.parse(l), error: null, source: JSON.parse(l) }); } catch (e) { out.push({ input: null, error: t("batch_bad_json"), source: { line: l } }); }
    }
    return out;
  }
  // Without any quote (what the ETL and most spreadsheets write) each
  // line is split as it is read, a slice at a time; with quotes, the
  // whole file goes through the RFC 4180 reader first.
  const plain = !text.includes('"');
  const lines = plain ? text.replace(/^\ufeff/, "").split("\n") : null;
  const table = plain ? null : parseCsv(text);
  const count = plain ? lines.length : table.length;
  const rowAt = (i) => {
    if (!plain) return table[i];
    const l = lines[i].endsWith("\r") ? lines[i].slice(0, -1) : lines[i];
    return l === "" ? null : l.split(",");
  };
  if (!count || !rowAt(0)) return [];
  const header = rowAt(0).map((x) => x.trim());
  const missing = names.filter((n) => !header.includes(n));
  if (missing.length) throw new Error(t("batch_missing_columns", missing.join(", ")));
  const idx = names.map((n) => header.indexOf(n));
  const out = [];
  for (let i = 1; i < count; i++) {
    if (i % SLICE === 0) await pause();
    const r = rowAt(i);
    if (!r) continue;
    const input = {};
    const source = {};
    names.forEach((n, k) => {
      const raw = r[idx[k]] ?? "";
      source[n] = raw;
      const v = cell(raw);
      if (v !== undefined) input[n] = v;
    });
    out.push({ input, error: null, source });
  }
  return out;
}

// ---------------------------------------------------------- scoring
async function run(ev) {
  ev.preventDefault();
  const file = $("batch-file").files[0];
  const err = $("batch-error");
  err.hidden = true;
  if (!file || batch.running) return;
  let text;
  try { text = await file.text(); } catch (e) { showError(t("batch_read_error")); return; }
  const names = state.meta.fields.map((f) => f.name);
  let read;
  try { read = await readRows(text, names); } catch (e) { showError(e.message); return; }
  if (!read.length) { showError(t("batch_no_rows")); return; }
  batch.rows = read.map((r, i) => ({ row: i + 1, source: r.source, input: r.input, error: r.error, scoring: null, cluster: "", band: "" }));
  batch.running = true;
  batch.cancel = false;
  batch.done = false;
  $("batch-cancel").hidden = false;
  $("batch-start").disabled = true;
  $("batch-progress").hidden = false;
  $("batch-summary").hidden = true;
  $("batch-table").hidden = true;
  const todo = batch.rows.filter((r) => r.input);
  progress(0, batch.rows.length - todo.length, batch.rows.length);
  const max = state.meta.batch_max || 1000;
  let at = 0, doneCount = batch.rows.length - todo.length;
  while (at < todo.length && !batch.cancel) {
    const chunk = [];
    let bytes = 2;
    while (at + chunk.length < todo.length && chunk.length < max) {
      const n = JSON.stringify(todo[at + chunk.length].input).length + 1;
      if (chunk.length && bytes + n > CHUNK_BYTES) break;
      chunk.push(todo[at + chunk.length]);
      bytes += n;
    }
    const res = await authorized("POST", "/v1/predictions", chunk.map((r) => r.input));
    if (res.kind !== "ok" || !Array.isArray(res.body)) {
      showError(failureText(res));
      break;
    }
    res.body.forEach((ans, k) => {
      const r = chunk[k];
      if (ans && typeof ans.scoring === "number") {
        r.scoring = ans.scoring; r.cluster = ans.cluster; r.band = ans.band || "";
      } else r.error = (ans && ans.error) || t("err_other", res.status);
    });
    at += chunk.length;
    doneCount += chunk.length;
    progress(doneCount, 0, batch.rows.length);
  }
  batch.running = false;
  batch.done = true;
  $("batch-cancel").hidden = true;
  $("batch-start").disabled = false;
  batch.page = 0;
  applyView();
  renderBatch();
}

function progress(done, skipped, total) {
  const bar = $("batch-bar");
  bar.max = total;
  bar.value = done + skipped;
  $("batch-count").textContent = t("batch_progress", done + skipped, total);
}

function showError(msg) {
  const err = $("batch-error");
  err.textContent = msg;
  err.hidden = false;
}

// ---------------------------------------------------------- view
// The results first (what the analyst reads), then the inputs as read,
// under short headings (the full label as their title).
const columns = () => [
  { key: "row", label: t("batch_row"), num: true },
  { key: "scoring", label: t("score"), num: true },
  { key: "band", label: t("band") },
  { key: "cluster", label: t("segment") },
  { key: "error", label: t("batch_result") },
  ...state.meta.fields.map((f) => ({ key: f.name, label: t(`s_${f.name}`), title: t(`f_${f.name}`), num: f.name !== "lugar_actual", input: true })),
];

// How to read column key of a row: an input as the file gave it, or a
// field of the result.
function getter(key) {
  if (state.meta.fields.some((f) => f.name === key)) return (r) => (r.source ? r.source[key] : undefined);
  return (r) => r[key];
}
function value(r, key) {
  return getter(key)(r);
}

// A state as the analyst reads it: its name for an index, else as given.
function stateName(v) {
  if (v === undefined || v === null) return "";
  const s = String(v).trim();
  if (/^\d+$/.test(s)) {
    const st = state.meta.states.find((x) => x.index === Number(s));
    if (st) return st.name;
  }
  return s;
}

function applyView() {
  const f = $("batch-filter").value || "all";
  const q = $("batch-search").value.trim().toLowerCase();
  let v = batch.rows;
  if (f === "errors") v = v.filter((r) => r.error);
  else if (f === "ok") v = v.filter((r) => !r.error);
  else if (f.startsWith("band:")) v = v.filter((r) => r.band === f.slice(5));
  else if (f.startsWith("seg:")) v = v.filter((r) => r.cluster === f.slice(4));
  if (q) v = v.filter((r) => JSON.stringify(r.source).toLowerCase().includes(q) || (r.error || "").toLowerCase().includes(q));
  // each row's key read once (decorate, sort, undecorate); empty cells
  // last whichever the direction; numbers as numbers when all are
  const get = getter(batch.sortKey), d = batch.sortDir;
  const keyed = v.map((r) => {
    const x = get(r);
    const empty = x === null || x === undefined || x === "";
    return { r, empty, x: empty ? "" : typeof x === "object" ? JSON.stringify(x) : String(x), n: empty ? 0 : Number(x) };
  });
  const numeric = keyed.every((k) => k.empty || !Number.isNaN(k.n));
  const collator = new Intl.Collator("es");
  keyed.sort((a, b) => {
    if (a.empty !== b.empty) return a.empty ? 1 : -1;
    const c = numeric ? a.n - b.n : collator.compare(a.x, b.x);
    return c * d || a.r.row - b.r.row;
  });
  batch.view = keyed.map((k) => k.r);
}

function fillFilter() {
  const sel = $("batch-filter");
  const cur = sel.value || "all";
  sel.replaceChildren(
    h("option", { value: "all", text: t("batch_filter_all") }),
    h("option", { value: "ok", text: t("batch_filter_ok") }),
    h("option", { value: "errors", text: t("batch_filter_errors") }),
    ...state.meta.bands.map((b) => h("option", { value: `band:${b.label}`, text: `${t("band")}: ${b.label}` })),
    ...state.meta.segments.map((s) => h("option", { value: `seg:${s.letter}`, text: `${t("segment")} ${s.letter}` })),
  );
  sel.value = cur;
}

export function renderBatch() {
  if (!state.meta || !batch.done) return;
  fillFilter();
  renderSummary();
  renderTable();
  $("batch-summary").hidden = false;
  $("batch-table").hidden = false;
}

function renderTable() {
  const cols = columns();
  const pages = Math.max(1, Math.ceil(batch.view.length / PAGE));
  batch.page = Math.min(batch.page, pages - 1);
  const slice = batch.view.slice(batch.page * PAGE, batch.page * PAGE + PAGE);
  const head = h("tr", {}, ...cols.map((c) => {
    const sorted = batch.sortKey === c.key;
    const b = h("button", { type: "button", class: "sort", "data-key": c.key, title: c.title || null, text: c.label });
    b.addEventListener("click", () => {
      batch.sortDir = batch.sortKey === c.key ? -batch.sortDir : 1;
      batch.sortKey = c.key;
      applyView();
      renderTable();
    });
    return h("th", { scope: "col", class: c.num ? "num" : null, "aria-sort": sorted ? (batch.sortDir > 0 ? "ascending" : "descending") : "none" }, b);
  }));
  const body = slice.map((r) => h("tr", { class: r.error ? "row-error" : null, "data-row": r.row },
    ...cols.map((c) => {
      if (c.key === "error") return h("td", { class: r.error ? "error-text" : "ok-text", text: r.error || "✓" });
      if (c.key === "scoring") return h("td", { class: "num", text: r.scoring === null ? "" : r.scoring.toFixed(2) });
      if (c.key === "band") return h("td", { text: r.band });
      if (c.key === "cluster") return h("td", { class: "center", title: segmentText(r.cluster), text: r.cluster });
      if (c.key === "row") return h("td", { class: "num", text: String(r.row) });
      const v = value(r, c.key);
      if (c.key === "lugar_actual") return h("td", { text: stateName(v) });
      return h("td", { class: c.num ? "num" : null, text: v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v) });
    })));
  $("rows").replaceChildren(h("thead", {}, head), h("tbody", {}, ...body));
  $("page-info").textContent = t("batch_page", batch.page + 1, pages, batch.view.length);
  $("page-prev").disabled = batch.page === 0;
  $("page-next").disabled = batch.page >= pages - 1;
}

function renderSummary() {
  const scored = batch.rows.filter((r) => r.scoring !== null);
  const errors = batch.rows.filter((r) => r.error).length;
  const mean = scored.length ? scored.reduce((s, r) => s + r.scoring, 0) / scored.length : null;
  const byBand = new Map(state.meta.bands.map((b) => [b.label, 0]));
  const bySeg = new Map(state.meta.segments.map((s) => [s.letter, 0]));
  for (const r of scored) {
    byBand.set(r.band, (byBand.get(r.band) || 0) + 1);
    bySeg.set(r.cluster, (bySeg.get(r.cluster) || 0) + 1);
  }
  const kpi = (id, label, val) => h("div", { class: "kpi" }, h("span", { class: "kpi-label", text: label }), h("span", { class: "kpi-value", id, text: val }));
  const bands = h("table", { class: "plain counts", id: "summary-bands" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col", text: t("band") }), h("th", { scope: "col", class: "num", text: t("batch_rows") }))),
    h("tbody", {}, ...state.meta.bands.map((b) => {
      const dot = h("span", { class: "dot" });
      dot.style.setProperty("--band", b.color || "#888");
      return h("tr", { "data-band": b.label }, h("td", {}, dot, ` ${b.label} (${b.from}–${b.to})`), h("td", { class: "num", text: String(byBand.get(b.label) || 0) }));
    })));
  const segs = h("table", { class: "plain counts", id: "summary-segments" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col", text: t("segment") }), h("th", { scope: "col", class: "num", text: t("batch_rows") }))),
    h("tbody", {}, ...state.meta.segments.map((s) => h("tr", { "data-segment": s.letter },
      h("td", {}, h("span", { class: "segment-letter small", text: s.letter }), ` ${localized(s, "description")}`),
      h("td", { class: "num", text: String(bySeg.get(s.letter) || 0) })))));
  $("summary-body").replaceChildren(
    h("div", { class: "kpis" },
      kpi("sum-rows", t("batch_rows"), number(batch.rows.length)),
      kpi("sum-scored", t("batch_scored"), number(scored.length)),
      kpi("sum-errors", t("batch_errors"), number(errors)),
      kpi("sum-mean", t("batch_mean"), mean === null ? "—" : number(mean, 2))),
    h("div", { class: "summary-grid" },
      h("div", {}, h("h3", { text: t("batch_by_band") }), bands),
      h("div", {}, h("h3", { text: t("batch_by_segment") }), segs),
      h("div", { class: "histo-box" }, h("h3", { text: t("batch_histogram") }), histogram(scored.map((r) => r.scoring)))),
  );
}

function histogram(scores) {
  const lo = state.meta.score.min, hi = state.meta.score.max, width = 25;
  const n = Math.ceil((hi - lo) / width);
  const bins = new Array(n).fill(0);
  for (const s of scores) bins[Math.min(n - 1, Math.max(0, Math.floor((s - lo) / width)))]++;
  const top = Math.max(1, ...bins);
  const W = 440, H = 180, P = 24, M = 16;
  const svg = document.createElementNS(NS, "svg");
  const set = (e, a) => { for (const [k, v] of Object.entries(a)) e.setAttribute(k, v); return e; };
  set(svg, { viewBox: `${-M} 0 ${W + 2 * M} ${H + P}`, class: "histogram", role: "img", "aria-label": t("histogram_alt", scores.length), id: "histogram" });
  const bw = (W - 2) / n;
  bins.forEach((c, i) => {
    const from = lo + i * width;
    const band = state.meta.bands.find((b) => from >= b.from && from < b.to) || state.meta.bands[state.meta.bands.length - 1];
    const bh = (c / top) * (H - 10);
    const r = set(document.createElementNS(NS, "rect"), { x: (1 + i * bw).toFixed(1), y: (H - bh).toFixed(1), width: (bw - 2).toFixed(1), height: bh.toFixed(1), fill: band.color || "#888", "data-count": c });
    const tt = document.createElementNS(NS, "title");
    tt.textContent = `${from}–${from + width}: ${c}`;
    r.append(tt);
    svg.append(r);
  });
  for (const v of [lo, 400, 500, 600, 700, hi]) {
    const tx = set(document.createElementNS(NS, "text"), { x: (1 + ((v - lo) / width) * bw).toFixed(1), y: H + 16, "text-anchor": "middle", class: "axis" });
    tx.textContent = String(v);
    svg.append(tx);
  }
  svg.append(set(document.createElementNS(NS, "line"), { x1: 0, y1: H, x2: W, y2: H, class: "axis-line" }));
  return svg;
}

// ---------------------------------------------------------- download
function csvField(v) {
  const s = v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

// The results in the file's order: row, the eight inputs as read, then
// scoring, cluster, band and error.
export function resultsCsv() {
  const names = state.meta.fields.map((f) => f.name);
  const lines = [["row", ...names, "scoring", "cluster", "band", "error"].join(",")];
  for (const r of batch.rows) {
    lines.push([r.row, ...names.map((n) => (r.source ? r.source[n] : "")), r.scoring === null ? "" : r.scoring.toFixed(2), r.cluster, r.band, r.error || ""].map(csvField).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}

function download() {
  const blob = new Blob([resultsCsv()], { type: "text/csv;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: "incomescore-resultados.csv" });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function initBatch() {
  $("batch-form").addEventListener("submit", run);
  $("batch-cancel").addEventListener("click", () => { batch.cancel = true; });
  $("batch-download").addEventListener("click", download);
  $("batch-filter").addEventListener("change", () => { batch.page = 0; applyView(); renderTable(); });
  let timer = null;
  $("batch-search").addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => { batch.page = 0; applyView(); renderTable(); }, 150);
  });
  $("page-prev").addEventListener("click", () => { batch.page--; renderTable(); });
  $("page-next").addEventListener("click", () => { batch.page++; renderTable(); });
}
