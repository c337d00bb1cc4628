// checks.js — the API's input checks, run in the browser as the user
// types. The bounds and every message come from GET /v1/meta (its
// "fields" and "checks", which the server takes from score/request.c), so
// the words are the API's own; only the order of the checks and the two
// cross-field conditions are spelled here, as request.c applies them.

// A field's text → {value} or {error: the API's message}.
export function checkField(meta, name, text) {
  const field = meta.fields.find((f) => f.name === name);
  const words = meta.checks.fields[name];
  const s = String(text ?? "").trim();
  if (s === "") return { error: words.missing };
  // what the form sends is a plain decimal number (no thousands
  // separators: the API would refuse them as text)
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return { error: words.parsing };
  const x = Number(s);
  if (!Number.isFinite(x)) return { error: words.finite_number };
  if (field.type === "integer" && !Number.isInteger(x)) return { error: words.int_from_float };
  if (x < field.min) return { error: words.greater_than_equal };
  if (x > field.max) return { error: words.less_than_equal };
  return { value: x };
}

// The two rules across fields (request.c's validate): only between
// fields that are themselves valid, reported on the field it names.
const crossRules = {
  growth_without_income: (v) => v.ingreso === 0 && v.crecimiento_ingreso !== 0,
  unemployed_with_job: (v) => v.antiguedad_laboral_meses > 0 && v.tiempo_desempleado > 0,
};
const ruleFields = {
  growth_without_income: ["ingreso", "crecimiento_ingreso"],
  unemployed_with_job: ["antiguedad_laboral_meses", "tiempo_desempleado"],
};

// Every field's text → {values, errors: {field: message}}.
export function checkAll(meta, texts) {
  const values = {};
  const errors = {};
  for (const f of meta.fields) {
    const r = checkField(meta, f.name, texts[f.name]);
    if (r.error) errors[f.name] = r.error;
    else values[f.name] = r.value;
  }
  for (const rule of meta.checks.rules) {
    const test = crossRules[rule.rule];
    const both = (ruleFields[rule.rule] || []).every((n) => n in values);
    if (test && both && test(values) && !errors[rule.field]) errors[rule.field] = rule.msg;
  }
  return { values, errors };
}

// Whether an applicant (numbers) passes every check: for the what-if
// steps, so that no step is sent that the API would refuse.
export function valid(meta, applicant) {
  const texts = {};
  for (const [k, v] of Object.entries(applicant)) texts[k] = String(v);
  return Object.keys(checkAll(meta, texts).errors).length === 0;
}
