// gauge.js — the semicircular gauge of the original page, in SVG: the
// score scale (300–850 from /v1/meta) as a half circle, coloured by the
// rules' bands, a needle at the score and the number in the middle.

const NS = "http://www.w3.org/2000/svg";
const CX = 160, CY = 160, R = 120, W = 30;

function el(name, attrs, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// The point at score s on a circle of radius r.
function at(s, lo, hi, r) {
  const a = Math.PI * (1 - (s - lo) / (hi - lo));
  return [CX + r * Math.cos(a), CY - r * Math.sin(a)];
}

function arc(from, to, lo, hi) {
  const [x1, y1] = at(from, lo, hi, R);
  const [x2, y2] = at(to, lo, hi, R);
  return `M ${x1.toFixed(2)} ${y1.toFixed(2)} A ${R} ${R} 0 0 1 ${x2.toFixed(2)} ${y2.toFixed(2)}`;
}

// An <svg> for score (a number, or null for the empty gauge), with alt
// as its text alternative.
export function gauge(meta, score, label, alt) {
  const lo = meta.score.min, hi = meta.score.max;
  const svg = el("svg", { viewBox: "0 0 320 196", class: "gauge", role: "img", "aria-label": alt });
  svg.append(el("title", {}, alt));
  svg.append(el("path", { d: arc(lo, hi, lo, hi), class: "gauge-track", fill: "none", "stroke-width": W }));
  for (const b of meta.bands) {
    const active = score !== null && score >= b.from && (score < b.to || (b.to === hi && score <= hi));
    svg.append(el("path", {
      d: arc(b.from, b.to, lo, hi),
      fill: "none",
      stroke: b.color || "#888",
      "stroke-width": W,
      class: active ? "gauge-band active" : "gauge-band",
      opacity: score === null || active ? "1" : "0.35",
    }));
  }
  // the band limits, outside the arc
  const ticks = [lo, ...meta.bands.map((b) => b.to)].filter((v, i, a) => a.indexOf(v) === i);
  for (const v of ticks) {
    const [x, y] = at(v, lo, hi, R + W / 2 + 12);
    svg.append(el("text", { x: x.toFixed(1), y: (y + 4).toFixed(1), class: "gauge-tick", "text-anchor": "middle" }, String(v)));
  }
  if (score !== null) {
    const s = Math.min(hi, Math.max(lo, score));
    const [ix, iy] = at(s, lo, hi, R - W / 2 - 4);
    const [ox, oy] = at(s, lo, hi, R + W / 2 + 2);
    svg.append(el("line", { x1: ix.toFixed(2), y1: iy.toFixed(2), x2: ox.toFixed(2), y2: oy.toFixed(2), class: "gauge-marker" }));
    const [mx, my] = at(s, lo, hi, R);
    svg.append(el("circle", { cx: mx.toFixed(2), cy: my.toFixed(2), r: 9, class: "gauge-dot" }));
    svg.append(el("text", { x: CX, y: CY - 8, class: "gauge-value", "text-anchor": "middle" }, label));
  } else {
    svg.append(el("text", { x: CX, y: CY - 8, class: "gauge-value empty", "text-anchor": "middle" }, "—"));
  }
  return svg;
}
