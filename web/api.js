// api.js — the page's only way to the server: same-origin fetches with
// the API key (if one was given) as `Authorization: Bearer <key>`, a
// timeout, and every outcome turned into one object the views can word:
//   {kind: "ok"|"http"|"unreachable"|"timeout", status, body, requestId}
// The key lives in sessionStorage only: gone when the browser session
// ends, never in the URL or localStorage.

const KEY_ITEM = "incomescore.apiKey";
export const TIMEOUT_MS = 20000;

export function apiKey() {
  return sessionStorage.getItem(KEY_ITEM) || "";
}

export function setApiKey(key) {
  if (key) sessionStorage.setItem(KEY_ITEM, key);
  else sessionStorage.removeItem(KEY_ITEM);
}

// as: "json" (the body parsed) or "text" (as sent: the training report).
export async function call(method, path, body, timeoutMs = TIMEOUT_MS, as = "json") {
  const headers = { Accept: "application/json" };
  const key = apiKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: ctl.signal,
      cache: "no-store",
      credentials: "omit",
    });
  } catch (e) {
    clearTimeout(timer);
    return { kind: ctl.signal.aborted ? "timeout" : "unreachable", status: 0, body: null, requestId: "" };
  }
  let parsed = null;
  try {
    const text = await res.text();
    parsed = as === "text" && res.ok ? text : text ? JSON.parse(text) : null;
  } catch (e) {
    parsed = null;
  } finally {
    clearTimeout(timer);
  }
  return {
    kind: res.ok ? "ok" : "http",
    status: res.status,
    body: parsed,
    requestId: res.headers.get("X-Request-Id") || "",
  };
}
