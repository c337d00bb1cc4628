// app.js — the analysts' page: the applicant form checked as the user
// types (checks.js, with /v1/meta's bounds and words), the result with
// its gauge, the what-if table, the API key prompt, the tabs (batch.js,
// the model view) and the language switch. Everything it shows of a
// decision comes from the API's answer.

import { call, apiKey, setApiKey } from "./api.js";
import { checkAll, valid } from "./checks.js";
import { gauge } from "./gauge.js";
import { t, setLang, getLang, number, localized } from "./i18n.js";
import { initBatch, renderBatch } from "./batch.js";

const $ = (id) => document.getElementById(id);
const units = {
  ingreso: "u_ingreso", antiguedad_laboral_meses: "u_months", tiempo_desempleado: "u_months",
  trabajos_ultimos_5: "", semanasCotizadas: "u_weeks", edad: "u_years", crecimiento_ingreso: "u_percent",
};

export const state = { meta: null, model: null, lastResult: null, lastWhatIf: null, pendingRetry: null };

function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}
export { h };

// ---------------------------------------------------------- status
export function showStatus(message, retry) {
  const b = $("status");
  b.replaceChildren(h("span", { text: message }));
  if (retry) {
    const r = h("button", { type: "button", class: "link-button", text: t("retry") });
    r.addEventListener("click", () => { hideStatus(); retry(); });
    b.append(" ", r);
  }
  b.hidden = false;
}
export function hideStatus() {
  $("status").hidden = true;
}

// The words for a failed call (never a blank page).
export function failureText(res) {
  if (res.kind === "timeout") return t("err_timeout");
  if (res.kind === "unreachable") return t("err_unreachable");
  if (res.status === 401) return t("err_401");
  if (res.status === 422) return t("err_422");
  if (res.status === 503) return t("err_503");
  if (res.status === 413) return t("err_413");
  return t("err_other", res.status);
}

// ---------------------------------------------------------- API key
let keyResolve = null;
// Asks for the key; resolves true when one was entered.
export function askKey(wrong) {
  $("key-error").textContent = wrong ? t("key_wrong") : "";
  $("key-panel").hidden = false;
  $("api-key").value = "";
  $("api-key").focus();
  return new Promise((resolve) => { keyResolve = resolve; });
}
function keyDone(ok) {
  $("key-panel").hidden = true;
  $("forget-key").hidden = !apiKey();
  if (keyResolve) keyResolve(ok);
  keyResolve = null;
}

// A call that, on 401, asks for the key and tries again.
export async function authorized(method, path, body) {
  let res = await call(method, path, body);
  let asked = false;
  while (res.status === 401) {
    const hadKey = Boolean(apiKey());
    if (!(await askKey(hadKey || asked))) return res;
    asked = true;
    res = await call(method, path, body);
  }
  return res;
}

// ---------------------------------------------------------- form
function fieldTexts() {
  const texts = {};
  for (const f of state.meta.fields) texts[f.name] = $(`in-${f.name}`).value;
  return texts;
}

function buildForm() {
  const box = $("fields");
  box.replaceChildren();
  for (const f of state.meta.fields) {
    const id = `in-${f.name}`;
    const wrap = h("div", { class: "field", id: `field-${f.name}` });
    const label = h("label", { for: id, "data-t": `f_${f.name}`, text: t(`f_${f.name}`) });
    let input;
    if (f.name === "lugar_actual") {
      input = h("select", { id, name: f.name, "aria-describedby": `err-${f.name}` });
      input.append(h("option", { value: "", "data-t": "choose_state", text: t("choose_state") }));
      const states = [...state.meta.states].sort((a, b) => a.name.localeCompare(b.name, "es"));
      for (const s of states) input.append(h("option", { value: String(s.index), text: s.name }));
    } else {
      input = h("input", {
        id, name: f.name, type: "text", inputmode: f.type === "integer" ? "numeric" : "decimal",
        autocomplete: "off", spellcheck: "false", "aria-describedby": `hint-${f.name} err-${f.name}`,
      });
    }
    const unit = units[f.name] ? h("span", { class: "unit", "aria-hidden": "true", "data-t": units[f.name], text: t(units[f.name]) }) : null;
    const row = h("div", { class: "input-row" }, input, unit);
    const hint = f.name === "lugar_actual" ? null
      : h("span", { class: "hint", id: `hint-${f.name}`, "data-range": `${f.min}|${f.max}` });
    const err = h("p", { class: "field-error", id: `err-${f.name}`, "aria-live": "polite" });
    wrap.append(...[label, row, hint, err].filter(Boolean));
    box.append(wrap);
    input.addEventListener("input", () => { touched.add(f.name); refresh(); });
    input.addEventListener("change", () => { touched.add(f.name); refresh(); });
    input.addEventListener("blur", () => { touched.add(f.name); refresh(); });
  }
  translateHints();
  refresh();
}

function translateHints() {
  for (const el of document.querySelectorAll(".hint[data-range]")) {
    const [lo, hi] = el.dataset.range.split("|").map(Number);
    el.textContent = t("range", number(lo), number(hi));
  }
}

const touched = new Set();
let serverErrors = {};

// Checks every field; shows the messages of the fields the user has
// touched (all of them after a submit attempt), enables the button only
// when nothing is wrong.
function refresh() {
  const { values, errors } = checkAll(state.meta, fieldTexts());
  let shown = 0;
  for (const f of state.meta.fields) {
    const msg = errors[f.name] || serverErrors[f.name] || "";
    const visible = msg && (touched.has(f.name) || serverErrors[f.name]) ? msg : "";
    $(`err-${f.name}`).textContent = visible;
    const input = $(`in-${f.name}`);
    input.setAttribute("aria-invalid", visible ? "true" : "false");
    $(`field-${f.name}`).classList.toggle("invalid", Boolean(visible));
    if (visible) shown++;
  }
  const n = Object.keys(errors).length;
  // a result shown for other inputs than the form's is marked as such
  // (never a stale answer that looks current)
  const r = state.lastResult;
  const stale = Boolean(r) && Object.keys(r.applicant).some((k) => String(r.applicant[k]) !== String(values[k]));
  $("result").classList.toggle("stale", stale);
  $("whatif").classList.toggle("stale", stale);
  $("stale-note").hidden = !stale;
  $("submit").disabled = n > 0 || busy;
  $("form-summary").textContent = shown > 0 ? t("fix_errors", shown) : "";
  return n === 0;
}

let busy = false;

async function submit(ev) {
  ev.preventDefault();
  for (const f of state.meta.fields) touched.add(f.name);
  serverErrors = {};
  const { values, errors } = checkAll(state.meta, fieldTexts());
  if (Object.keys(errors).length) { refresh(); return; }
  busy = true;
  $("submit").disabled = true;
  $("submit").textContent = t("submitting");
  $("result").setAttribute("aria-busy", "true");
  hideStatus();
  // The model's explanation comes with the score, in the same answer: it
  // costs the server well under a millisecond (bench/score.sh), far less
  // than a second round trip, and the bars can never belong to another
  // answer (or another live model) than the score they explain.
  const res = await authorized("POST", "/v1/prediction?explain=1", values);
  busy = false;
  $("submit").textContent = t("submit");
  $("result").removeAttribute("aria-busy");
  if (res.kind === "ok") {
    state.lastResult = { applicant: values, answer: res.body, requestId: res.requestId };
    renderResult();
    whatIf(values, res.body);
  } else {
    if (res.status === 422 && res.body && Array.isArray(res.body.detail)) {
      for (const d of res.body.detail) {
        const field = Array.isArray(d.loc) ? d.loc[d.loc.length - 1] : null;
        if (field && $(`in-${field}`)) serverErrors[field] = d.msg;
      }
    }
    state.lastResult = null;
    state.lastWhatIf = null;
    renderFailure(res);
  }
  refresh();
}

function renderFailure(res) {
  const body = $("result-body");
  body.replaceChildren(h("div", { class: "banner inline", role: "alert", text: failureText(res) }));
  $("print").hidden = true;
  $("whatif").hidden = true;
}

function bandOf(score) {
  const bands = state.meta.bands;
  return bands.find((b, i) => score >= b.from && (score < b.to || i === bands.length - 1)) || null;
}

export function segmentText(letter) {
  const s = state.meta.segments.find((x) => x.letter === letter);
  return s ? localized(s, "description") : "";
}

function renderResult() {
  const r = state.lastResult;
  if (!r) return;
  const a = r.answer;
  const band = bandOf(a.scoring);
  const bandName = a.band || (band && band.label) || "";
  const scoreText = number(a.scoring, 2);
  const alt = t("gauge_alt", scoreText, bandName, state.meta.score.min, state.meta.score.max);
  const g = gauge(state.meta, a.scoring, scoreText, alt);
  const reasons = Array.isArray(a.reasons) ? a.reasons : [];
  const body = $("result-body");
  body.replaceChildren(
    h("div", { class: "gauge-box" }, g),
    h("div", { class: "result-facts" },
      h("div", { class: "fact" },
        h("span", { class: "fact-label", text: t("band") }),
        h("span", { class: "band-chip", id: "result-band", "data-band": bandName, text: bandName })),
      h("div", { class: "fact" },
        h("span", { class: "fact-label", text: t("segment") }),
        h("span", { class: "segment" },
          h("span", { class: "segment-letter", id: "result-cluster", text: a.cluster }),
          h("span", { id: "result-segment", text: segmentText(a.cluster) })))),
    h("p", { class: "sr-only", id: "result-score", text: scoreText }),
    h("h3", { text: t("reasons") }),
    reasons.length
      ? h("ul", { class: "reasons", id: "result-reasons" }, ...reasons.map((x) => h("li", { "data-code": x.code, text: x.text })))
      : h("p", { class: "muted", text: t("no_reasons") }),
    explanationSection(a),
    h("dl", { class: "meta-list" },
      h("dt", { text: t("model_version") }), h("dd", { id: "result-version", text: a.model_version || "" }),
      h("dt", { text: t("request_id") }), h("dd", { id: "result-request-id", class: "mono", text: r.requestId })),
  );
  const chip = body.querySelector(".band-chip");
  if (band && band.color) chip.style.setProperty("--band", band.color);
  $("print").hidden = false;
}

// ---------------------------------------------------------- the model's view
// Each feature's contribution in score points (the API's `explanation`:
// SHAP values on the rules' scale), as signed bars largest first, every
// value also written out; the base the model starts from, and the sum.
// The API rounds each number to 2 decimals, so base + contributions can
// differ from the score by a few hundredths; a score clamped to the scale
// differs by more, and the sum line says which.
function explanationSection(a) {
  const x = a.explanation;
  const box = h("section", { class: "explain", id: "explain", "aria-labelledby": "explain-title" },
    h("h3", { id: "explain-title", text: t("explain_title") }));
  if (!x || typeof x.base !== "number" || !x.features) {
    box.append(h("p", { class: "muted", id: "explain-none", text: t("explain_none") }));
    return box;
  }
  const rows = Object.entries(x.features).filter(([, v]) => typeof v === "number");
  rows.sort((p, q) => Math.abs(q[1]) - Math.abs(p[1]) || p[0].localeCompare(q[0]));
  const max = Math.max(0.01, ...rows.map(([, v]) => Math.abs(v)));
  const signed = (v) => (v > 0 ? "+" : v < 0 ? "−" : "±") + number(Math.abs(v), 2);
  const total = Math.round((x.base + rows.reduce((acc, [, v]) => acc + v, 0)) * 100) / 100;
  const clamped = Math.abs(total - a.scoring) > 0.1;
  box.append(
    h("p", { class: "muted", text: t("explain_intro") }),
    h("p", { id: "explain-base", "data-base": x.base.toFixed(2), text: t("explain_base", number(x.base, 2)) }),
    h("div", { class: "table-wrap" }, h("table", { class: "explain-table", id: "explain-table" },
      h("thead", {}, h("tr", {},
        h("th", { scope: "col", text: t("explain_feature") }),
        h("th", { scope: "col", class: "num", text: t("explain_points") }),
        h("th", { scope: "col", class: "xbar-col", "aria-hidden": "true" }))),
      h("tbody", {}, ...rows.map(([name, v]) => {
        const sign = v > 0 ? "up" : v < 0 ? "down" : "flat";
        const bar = h("span", { class: `bar ${sign}` });
        bar.style.setProperty("--w", `${(Math.abs(v) / max) * 50}%`);
        return h("tr", { "data-feature": name, "data-points": v.toFixed(2) },
          h("th", { scope: "row", text: t(`x_${name}`) }),
          h("td", { class: `num delta ${sign}`, text: signed(v) }),
          h("td", { class: "xbar-col", "aria-hidden": "true" }, h("span", { class: "bar-track" }, bar)));
      })))),
    h("p", { id: "explain-sum", "data-sum": total.toFixed(2), "data-score": a.scoring.toFixed(2),
      text: t(clamped ? "explain_sum_clamped" : "explain_sum", number(x.base, 2), signed(total - x.base), number(total, 2), number(a.scoring, 2)) }),
  );
  return box;
}

// ---------------------------------------------------------- what-if
// The steps an analyst asks about, each a change of one input (or the
// two that go together); only those the API would accept are sent.
function steps(a) {
  const out = [];
  const add = (key, change) => {
    const v = { ...a, ...change };
    if (valid(state.meta, v)) out.push({ key, applicant: v });
  };
  const round2 = (x) => Math.round(x * 100) / 100;
  if (a.ingreso > 0) {
    add("w_ingreso_up", { ingreso: round2(a.ingreso * 1.1) });
    add("w_ingreso_down", { ingreso: round2(a.ingreso * 0.9) });
    add("w_crecimiento_up", { crecimiento_ingreso: round2(a.crecimiento_ingreso + 10) });
  }
  if (a.tiempo_desempleado > 0) {
    add("w_found_job", { tiempo_desempleado: 0, antiguedad_laboral_meses: 12 });
    add("w_desempleo_down", { tiempo_desempleado: Math.max(0, a.tiempo_desempleado - 3) });
  } else {
    add("w_antiguedad_up", { antiguedad_laboral_meses: a.antiguedad_laboral_meses + 12 });
  }
  if (a.trabajos_ultimos_5 > 0) add("w_trabajos_down", { trabajos_ultimos_5: a.trabajos_ultimos_5 - 1 });
  add("w_trabajos_up", { trabajos_ultimos_5: a.trabajos_ultimos_5 + 1 });
  add("w_semanas_up", { semanasCotizadas: a.semanasCotizadas + 52 });
  add("w_edad_up", { edad: a.edad + 5 });
  return out;
}

async function whatIf(applicant, base) {
  const list = steps(applicant);
  const box = $("whatif-body");
  $("whatif").hidden = false;
  if (!list.length) {
    state.lastWhatIf = [];
    box.replaceChildren(h("p", { class: "muted", text: t("whatif_none") }));
    return;
  }
  box.replaceChildren(h("p", { class: "muted", text: t("loading") }));
  // the applicant itself first: every difference is against the same
  // call's own answer
  const res = await authorized("POST", "/v1/predictions", [applicant, ...list.map((s) => s.applicant)]);
  if (res.kind !== "ok" || !Array.isArray(res.body)) {
    state.lastWhatIf = null;
    box.replaceChildren(h("div", { class: "banner inline", role: "alert", text: failureText(res) }));
    return;
  }
  const ref = res.body[0].scoring ?? base.scoring;
  state.lastWhatIf = list.map((s, i) => {
    const ans = res.body[i + 1] || {};
    return { key: s.key, applicant: s.applicant, scoring: ans.scoring, cluster: ans.cluster, delta: ans.scoring - ref };
  }).filter((r) => typeof r.scoring === "number");
  state.lastWhatIf.sort((x, y) => y.delta - x.delta);
  state.lastWhatIfId = res.requestId;
  renderWhatIf();
}

function renderWhatIf() {
  const rows = state.lastWhatIf;
  if (!rows) return;
  const box = $("whatif-body");
  if (!rows.length) { box.replaceChildren(h("p", { class: "muted", text: t("whatif_none") })); return; }
  const max = Math.max(1, ...rows.map((r) => Math.abs(r.delta)));
  const table = h("table", { class: "whatif", id: "whatif-table", "data-request-id": state.lastWhatIfId || "" },
    h("thead", {}, h("tr", {},
      h("th", { scope: "col", text: t("whatif_change") }),
      h("th", { scope: "col", class: "num", text: t("whatif_score") }),
      h("th", { scope: "col", class: "num", text: t("whatif_delta") }),
      h("th", { scope: "col", class: "bar-col", "aria-hidden": "true" }))),
    h("tbody", {}, ...rows.map((r) => {
      const sign = r.delta > 0.005 ? "up" : r.delta < -0.005 ? "down" : "flat";
      const d = (r.delta > 0 ? "+" : r.delta < 0 ? "−" : "±") + number(Math.abs(r.delta), 2);
      const bar = h("span", { class: `bar ${sign}` });
      bar.style.setProperty("--w", `${(Math.abs(r.delta) / max) * 50}%`);
      return h("tr", { "data-step": r.key, "data-score": r.scoring.toFixed(2) },
        h("th", { scope: "row", text: t(r.key) }),
        h("td", { class: "num", text: number(r.scoring, 2) }),
        h("td", { class: `num delta ${sign}`, text: d }),
        h("td", { class: "bar-col", "aria-hidden": "true" }, h("span", { class: "bar-track" }, bar)));
    })));
  box.replaceChildren(h("div", { class: "table-wrap" }, table));
}

// ---------------------------------------------------------- model view
async function loadModel() {
  const box = $("model-body");
  const res = await authorized("GET", "/v1/model");
  if (res.kind !== "ok") {
    box.replaceChildren(h("div", { class: "banner inline", role: "alert", text: failureText(res) }));
    return;
  }
  state.model = res.body;
  renderModel();
}

function renderModel() {
  const m = state.model;
  if (!m) return;
  const sm = (m.metrics && m.metrics.score) || {};
  const fmt = (x, d) => (typeof x === "number" ? number(x, d) : "—");
  const created = m.created_at ? new Date(m.created_at).toLocaleString(getLang() === "es" ? "es-MX" : "en-US", { dateStyle: "long", timeStyle: "short" }) : "—";
  $("model-body").replaceChildren(
    h("dl", { class: "model-facts" },
      h("dt", { text: t("model_version_l") }), h("dd", { id: "model-version", class: "mono", text: m.version }),
      h("dt", { text: t("model_created") }), h("dd", { text: created }),
      h("dt", { text: t("model_code") }), h("dd", { text: m.code_version || "—" }),
      h("dt", { text: t("model_rows") }), h("dd", { text: `${fmt(m.metrics?.train_rows, 0)} / ${fmt(m.metrics?.test_rows, 0)}` })),
    h("h2", { text: t("model_metrics") }),
    h("div", { class: "kpis" },
      h("div", { class: "kpi" }, h("span", { class: "kpi-label", text: "R²" }), h("span", { class: "kpi-value", text: fmt(sm.r2, 4) })),
      h("div", { class: "kpi" }, h("span", { class: "kpi-label", text: "MAE" }), h("span", { class: "kpi-value", text: fmt(sm.mae, 2) })),
      h("div", { class: "kpi" }, h("span", { class: "kpi-label", text: "MSE" }), h("span", { class: "kpi-value", text: fmt(sm.mse, 1) }))),
    h("h2", { text: t("model_segments") }),
    h("div", { class: "table-wrap" }, h("table", { class: "plain" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col", text: t("segment") }), h("th", { scope: "col", class: "num", text: t("model_mean_target") }))),
      h("tbody", {}, ...(m.segments || []).map((s) => h("tr", {},
        h("td", {}, h("span", { class: "segment" }, h("span", { class: "segment-letter", text: s.letter }), h("span", { text: localized(s, "description") }))),
        h("td", { class: "num", text: fmt(s.mean_target_train, 3) })))))),
    h("h2", { text: t("model_links") }),
    h("ul", { class: "links" },
      h("li", {}, reportLink(m.version)),
      h("li", {}, h("a", { href: "/docs", text: t("model_docs") })),
      h("li", {}, h("a", { href: "/openapi.json", text: t("model_openapi") }))),
  );
}

// The live model's training report: opened by the browser when the API
// is open; fetched with the key and saved as a file when it needs one
// (a link cannot carry the Authorization header).
function reportLink(version) {
  const a = h("a", { href: "/v1/model/report", target: "_blank", rel: "noopener", id: "model-report", text: t("model_report_link") });
  a.addEventListener("click", async (e) => {
    if (!apiKey()) return;
    e.preventDefault();
    const res = await call("GET", "/v1/model/report", undefined, undefined, "text");
    if (res.kind !== "ok") { showStatus(failureText(res)); return; }
    const url = URL.createObjectURL(new Blob([res.body], { type: "text/html;charset=utf-8" }));
    const save = h("a", { href: url, download: `informe-${version}.html` });
    document.body.append(save);
    save.click();
    save.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  });
  return a;
}

// ---------------------------------------------------------- tabs
const views = ["single", "batch", "model"];
function showView(name) {
  for (const v of views) {
    $(`view-${v}`).hidden = v !== name;
    if (v === name) $(`tab-${v}`).setAttribute("aria-current", "page");
    else $(`tab-${v}`).removeAttribute("aria-current");
  }
  if (name === "model" && !state.model) loadModel();
}

// ---------------------------------------------------------- language
function applyLang(l) {
  setLang(l);
  $("lang").setAttribute("lang", l === "es" ? "en" : "es");
  if (state.meta) {
    translateHints();
    refresh();
    renderResult();
    renderWhatIf();
    renderModel();
    renderBatch();
  }
}

// ---------------------------------------------------------- start
async function start() {
  setLang("es");
  $("lang").addEventListener("click", () => applyLang(getLang() === "es" ? "en" : "es"));
  for (const v of views) $(`tab-${v}`).addEventListener("click", () => showView(v));
  $("key-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const k = $("api-key").value.trim();
    if (!k) return;
    setApiKey(k);
    keyDone(true);
  });
  $("key-cancel").addEventListener("click", () => keyDone(false));
  $("forget-key").addEventListener("click", () => { setApiKey(""); $("forget-key").hidden = true; });
  $("forget-key").hidden = !apiKey();
  $("print").addEventListener("click", () => window.print());
  $("applicant").addEventListener("submit", submit);
  $("applicant").addEventListener("reset", () => {
    touched.clear();
    serverErrors = {};
    setTimeout(refresh, 0);
  });
  await loadMeta();
}

async function loadMeta() {
  const res = await authorized("GET", "/v1/meta");
  if (res.kind !== "ok" || !res.body || !Array.isArray(res.body.fields)) {
    showStatus(`${t("err_meta")} ${failureText(res)}`, loadMeta);
    return;
  }
  hideStatus();
  state.meta = res.body;
  buildForm();
  initBatch();
  document.body.dataset.ready = "true";
}

start();
