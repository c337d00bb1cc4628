// fixture.mjs — what the browser tests (run.mjs) and the page's bench
// (bench/web_batch.mjs) stand on: a temporary home with a small model
// trained from synthetic documents, `incomescore serve` on an ephemeral
// 127.0.0.1 port serving the repository's web/, a plain API client, and
// Debian's chromium launched headless through playwright-core.

import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

// A temporary home for bin: .trainModel() fills its registry,
// .serve(extra args) starts a server and resolves with its URL,
// .close() stops the servers and removes the home.
export function fixture(bin) {
  const work = mkdtempSync(join(tmpdir(), "incomescore-browser-"));
  const servers = [];
  const run = (args) => execFileSync(bin, args, { cwd: work, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, INCOMESCORE_HOME: work } }).toString();
  return {
    work,
    trainModel(count = 1500) {
      run(["demo-data", "--count", String(count), "--seed", "3", "--as-of", "2024-06-30", "--out", join(work, "docs.jsonl")]);
      run(["etl", "--source", join(work, "docs.jsonl"), "--out", join(work, "dataset.csv"), "--as-of", "2024-06-30"]);
      writeFileSync(join(work, "params.json"), '{"rounds": 20, "max_depth": 3, "eta": 0.3}\n');
      run(["train", "--data", join(work, "dataset.csv"), "--registry", join(work, "registry"), "--params", join(work, "params.json")]);
    },
    serve(extra = []) {
      return new Promise((resolvePromise, reject) => {
        const p = spawn(bin, ["serve", "--registry", join(work, "registry"), "--port", "0", "--host", "127.0.0.1",
          "--audit", "off", "--web", join(ROOT, "web"), ...extra], { cwd: work, stdio: ["ignore", "ignore", "pipe"] });
        servers.push(p);
        let err = "";
        const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 10000);
        p.stderr.on("data", (d) => {
          err += d;
          const m = /listening on (http:\/\/\S+) /.exec(err);
          if (m) { clearTimeout(timer); resolvePromise(m[1]); }
        });
        p.on("exit", (code) => { clearTimeout(timer); reject(new Error(`serve exited ${code}: ${err}`)); });
      });
    },
    close() {
      for (const p of servers) p.kill("SIGTERM");
      rmSync(work, { recursive: true, force: true });
    },
  };
}

// One API call from the test itself: {status, body}.
export async function api(base, method, path, body, key) {
  const headers = { "Content-Type": "application/json" };
  if (key) headers.Authorization = `Bearer ${key}`;
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
}
