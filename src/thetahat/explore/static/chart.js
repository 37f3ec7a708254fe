/* thetahat explorer: a small SVG chart library (our own: ~300 lines, no dependency).
 *
 * It only draws what the server computed: lines, shaded areas, bands, points with
 * whiskers, histograms, bars, vertical and horizontal markers, on linear or log
 * axes with labelled ticks and an HTML legend below the plot (so legend text never
 * overlaps the data). Charts redraw themselves when their container is resized.
 */
"use strict";

const Chart = (() => {
  const NS = "http://www.w3.org/2000/svg";
  let uid = 0;

  function esc(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  function num(v) {
    return typeof v === "number" && Number.isFinite(v) ? v : null;
  }

  /* tick values: 1-2-5 steps on a linear axis, powers of ten (and 2, 5) on a log axis */
  function linearTicks(lo, hi, count) {
    const span = hi - lo;
    if (!(span > 0)) return [lo];
    const raw = span / Math.max(count, 1);
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= count + 1) || 10 * mag;
    const out = [];
    for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    return out;
  }

  function logTicks(lo, hi, count) {
    const a = Math.floor(Math.log10(lo)), b = Math.ceil(Math.log10(hi));
    const every = Math.max(1, Math.ceil((b - a) / Math.max(count, 1)));
    const out = [];
    for (let e = a; e <= b; e += every) {
      const v = Math.pow(10, e);
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
    }
    if (out.length < 2 && b - a <= 1) {
      for (const m of [2, 5]) for (let e = a; e <= b; e++) { const v = m * Math.pow(10, e); if (v >= lo && v <= hi) out.push(v); }
      out.sort((x, y) => x - y);
    }
    return out;
  }

  function tickText(v, log) {
    if (v === 0) return "0";
    const a = Math.abs(v);
    if (log && (a >= 1e4 || a < 1e-3)) {
      const e = Math.round(Math.log10(a));
      if (Math.abs(a / Math.pow(10, e) - 1) < 1e-9) return "1e" + e;
    }
    if (a >= 1e5 || a < 1e-3) return v.toExponential(0).replace("+", "");
    return String(Number(v.toPrecision(4)));
  }

  function scale(axis, lo, hi, a, b) {
    if (axis.log) {
      const l0 = Math.log10(lo), l1 = Math.log10(hi);
      return (v) => a + ((Math.log10(v) - l0) / (l1 - l0 || 1)) * (b - a);
    }
    return (v) => a + ((v - lo) / (hi - lo || 1)) * (b - a);
  }

  function extent(spec, key) {
    const axis = spec[key] || {};
    let lo = num(axis.min), hi = num(axis.max);
    if (lo !== null && hi !== null) return [lo, hi];
    const vals = [];
    for (const s of spec.series || []) {
      const arr = key === "x" ? s.x : s.y;
      if (arr) for (const v of arr) if (num(v) !== null && (!axis.log || v > 0)) vals.push(v);
      if (key === "y" && s.lo) for (const v of s.lo) if (num(v) !== null && (!axis.log || v > 0)) vals.push(v);
      if (key === "y" && s.hi) for (const v of s.hi) if (num(v) !== null && (!axis.log || v > 0)) vals.push(v);
      if (key === "x" && s.edges) for (const v of s.edges) vals.push(v);
    }
    for (const m of (key === "x" ? spec.vlines : spec.hlines) || []) if (num(m.at) !== null) vals.push(m.at);
    if (!vals.length) return [axis.log ? 1 : 0, axis.log ? 10 : 1];
    let a = lo !== null ? lo : Math.min(...vals), b = hi !== null ? hi : Math.max(...vals);
    if (key === "y" && !axis.log && lo === null && a > 0 && axis.zero !== false) a = 0;
    if (a === b) { a = axis.log ? a / 2 : a - 1; b = axis.log ? b * 2 : b + 1; }
    if (axis.log) return [lo !== null ? lo : a / 1.3, hi !== null ? hi : b * 1.3];
    const pad = (b - a) * 0.04;
    return [lo !== null ? lo : (key === "y" && a === 0 ? 0 : a - pad), hi !== null ? hi : b + pad];
  }

  function pathOf(xs, ys, X, Y, xlog, ylog) {
    let d = "", pen = false;
    for (let i = 0; i < xs.length; i++) {
      const x = num(xs[i]), y = num(ys[i]);
      if (x === null || y === null || (xlog && x <= 0) || (ylog && y <= 0)) { pen = false; continue; }
      d += (pen ? "L" : "M") + X(x).toFixed(1) + "," + Y(y).toFixed(1);
      pen = true;
    }
    return d;
  }

  function draw(el, spec) {
    el._chartSpec = spec;
    const width = Math.max(260, el.clientWidth || 600);
    const height = spec.height || 320;
    const m = { l: 62, r: 16, t: 14, b: 48 };
    const W = width - m.l - m.r, H = height - m.t - m.b;
    const [x0, x1] = extent(spec, "x"), [y0, y1] = extent(spec, "y");
    const xa = spec.x || {}, ya = spec.y || {};
    const X = scale(xa, x0, x1, m.l, m.l + W), Y = scale(ya, y0, y1, m.t + H, m.t);
    const clip = "clip" + ++uid;
    const o = [];
    o.push(`<svg xmlns="${NS}" class="chart-svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(spec.title || "chart")}">`);
    o.push(`<defs><clipPath id="${clip}"><rect x="${m.l}" y="${m.t}" width="${W}" height="${H}"/></clipPath></defs>`);
    // grid and ticks
    const nx = Math.max(2, Math.floor(W / 90)), ny = Math.max(2, Math.floor(H / 50));
    const xt = xa.log ? logTicks(x0, x1, nx) : linearTicks(x0, x1, nx);
    const yt = ya.log ? logTicks(y0, y1, ny) : linearTicks(y0, y1, ny);
    for (const t of yt) {
      const y = Y(t).toFixed(1);
      o.push(`<line class="grid" x1="${m.l}" x2="${m.l + W}" y1="${y}" y2="${y}"/>`);
      o.push(`<text class="tick" x="${m.l - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(tickText(t, ya.log))}</text>`);
    }
    for (const t of xt) {
      const x = X(t).toFixed(1);
      o.push(`<line class="grid" x1="${x}" x2="${x}" y1="${m.t}" y2="${m.t + H}"/>`);
      o.push(`<text class="tick" x="${x}" y="${m.t + H + 16}" text-anchor="middle">${esc(tickText(t, xa.log))}</text>`);
    }
    o.push(`<rect class="frame" x="${m.l}" y="${m.t}" width="${W}" height="${H}"/>`);
    if (xa.label) o.push(`<text class="axis-label" x="${m.l + W / 2}" y="${height - 8}" text-anchor="middle">${esc(xa.label)}</text>`);
    if (ya.label) o.push(`<text class="axis-label" transform="translate(14,${m.t + H / 2}) rotate(-90)" text-anchor="middle">${esc(ya.label)}</text>`);
    o.push(`<g clip-path="url(#${clip})">`);
    for (const b of spec.bands || []) {
      if (num(b.from) === null || num(b.to) === null) continue;
      const a = X(Math.max(b.from, x0)), c = X(Math.min(b.to, x1));
      o.push(`<rect class="band ${b.cls || ""}" x="${a.toFixed(1)}" y="${m.t}" width="${Math.max(0, c - a).toFixed(1)}" height="${H}"/>`);
    }
    for (const s of spec.series || []) {
      const cls = esc(s.cls || "");
      if (s.type === "hist" && s.edges) {
        for (let i = 0; i < s.y.length; i++) {
          const a = X(s.edges[i]), c = X(s.edges[i + 1]), top = Y(s.y[i]);
          o.push(`<rect class="hist ${cls}" x="${a.toFixed(1)}" y="${top.toFixed(1)}" width="${Math.max(0, c - a - 1).toFixed(1)}" height="${Math.max(0, Y(y0) - top).toFixed(1)}"/>`);
        }
      } else if (s.type === "bars") {
        const w = Math.max(2, Math.min(24, (W / Math.max(1, x1 - x0)) * 0.6));
        s.x.forEach((x, i) => {
          const top = Y(s.y[i]);
          o.push(`<rect class="bar ${cls}" x="${(X(x) - w / 2).toFixed(1)}" y="${top.toFixed(1)}" width="${w.toFixed(1)}" height="${Math.max(0, Y(y0) - top).toFixed(1)}"/>`);
        });
      } else if (s.type === "ribbon") {
        const idx = s.x.map((_, i) => i).filter((i) => num(s.x[i]) !== null && num(s.lo[i]) !== null && num(s.hi[i]) !== null && (!xa.log || s.x[i] > 0) && (!ya.log || s.lo[i] > 0));
        if (idx.length > 1) {
          const up = idx.map((i) => X(s.x[i]).toFixed(1) + "," + Y(s.hi[i]).toFixed(1));
          const down = idx.slice().reverse().map((i) => X(s.x[i]).toFixed(1) + "," + Y(s.lo[i]).toFixed(1));
          o.push(`<path class="band ${cls}" d="M${up.join("L")}L${down.join("L")}Z"/>`);
        }
      } else if (s.type === "points") {
        const r = s.r || 4;
        s.x.forEach((x, i) => {
          const y = s.y[i];
          if (num(x) === null || num(y) === null || (xa.log && x <= 0) || (ya.log && y <= 0)) return;
          if (s.lo && num(s.lo[i]) !== null && num(s.hi[i]) !== null) {
            o.push(`<line class="whisker ${cls}" x1="${X(x).toFixed(1)}" x2="${X(x).toFixed(1)}" y1="${Y(s.lo[i]).toFixed(1)}" y2="${Y(s.hi[i]).toFixed(1)}"/>`);
          }
          const tip = s.tips ? `<title>${esc(s.tips[i])}</title>` : "";
          o.push(`<circle class="pt ${cls}" cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="${r}">${tip}</circle>`);
        });
      } else {
        const d = pathOf(s.x, s.y, X, Y, xa.log, ya.log);
        if (!d) continue;
        if (s.type === "area") {
          const xs = s.x.filter((v, i) => num(v) !== null && num(s.y[i]) !== null);
          if (xs.length) o.push(`<path class="area ${cls}" d="${d}L${X(xs[xs.length - 1]).toFixed(1)},${Y(Math.max(y0, 0)).toFixed(1)}L${X(xs[0]).toFixed(1)},${Y(Math.max(y0, 0)).toFixed(1)}Z"/>`);
        }
        o.push(`<path class="line ${cls}" d="${d}"/>`);
      }
    }
    for (const v of spec.vlines || []) {
      if (num(v.at) === null || v.at < x0 || v.at > x1) continue;
      const x = X(v.at).toFixed(1);
      o.push(`<line class="marker ${esc(v.cls || "")}" x1="${x}" x2="${x}" y1="${m.t}" y2="${m.t + H}"/>`);
    }
    for (const h of spec.hlines || []) {
      if (num(h.at) === null || h.at < y0 || h.at > y1) continue;
      const y = Y(h.at).toFixed(1);
      o.push(`<line class="marker ${esc(h.cls || "")}" x1="${m.l}" x2="${m.l + W}" y1="${y}" y2="${y}"/>`);
    }
    o.push("</g></svg>");
    const legend = [];
    const entries = [...(spec.series || []), ...(spec.bands || []), ...(spec.vlines || []), ...(spec.hlines || [])];
    for (const e of entries) {
      if (!e.label) continue;
      const kind = e.type === "hist" || e.type === "bars" || e.type === "ribbon" || e.from !== undefined ? "box" : e.type === "points" ? "dot" : "line";
      legend.push(`<span class="key"><span class="swatch ${kind} ${esc(e.cls || "")}"></span>${esc(e.label)}</span>`);
    }
    const title = spec.title ? `<div class="chart-title">${esc(spec.title)}</div>` : "";
    el.innerHTML = title + o.join("") + (legend.length ? `<div class="legend">${legend.join("")}</div>` : "");
    if (!el._chartObserved && typeof ResizeObserver !== "undefined") {
      el._chartObserved = true;
      let last = el.clientWidth;
      new ResizeObserver(() => {
        if (el.clientWidth !== last && el._chartSpec) { last = el.clientWidth; draw(el, el._chartSpec); }
      }).observe(el);
    }
  }

  /* horizontal bars of named values (e.g. coefficients), with an optional reference mark */
  function hbars(el, spec) {
    const rows = spec.labels.length;
    const vals = [...spec.values, ...(spec.ref || [])].filter((v) => num(v) !== null);
    const lim = Math.max(1e-12, ...vals.map(Math.abs)) * 1.1;
    const width = Math.max(260, el.clientWidth || 600);
    const rowH = 22, m = { l: 70, r: 16, t: 10, b: 40 };
    const height = m.t + m.b + rows * rowH;
    const W = width - m.l - m.r;
    const X = (v) => m.l + ((v + lim) / (2 * lim)) * W;
    const o = [`<svg xmlns="${NS}" class="chart-svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(spec.title || "bars")}">`];
    for (const t of linearTicks(-lim, lim, Math.max(2, Math.floor(W / 90)))) {
      const x = X(t).toFixed(1);
      o.push(`<line class="grid" x1="${x}" x2="${x}" y1="${m.t}" y2="${m.t + rows * rowH}"/>`);
      o.push(`<text class="tick" x="${x}" y="${m.t + rows * rowH + 16}" text-anchor="middle">${esc(tickText(t, false))}</text>`);
    }
    o.push(`<line class="zero" x1="${X(0)}" x2="${X(0)}" y1="${m.t}" y2="${m.t + rows * rowH}"/>`);
    spec.labels.forEach((name, i) => {
      const y = m.t + i * rowH, v = spec.values[i];
      o.push(`<text class="tick" x="${m.l - 6}" y="${y + rowH / 2}" text-anchor="end" dominant-baseline="middle">${esc(name)}</text>`);
      if (num(v) !== null) {
        const a = Math.min(X(0), X(v)), w = Math.abs(X(v) - X(0));
        o.push(`<rect class="hbar ${v === 0 ? "is-zero" : ""}" x="${a.toFixed(1)}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 8}"><title>${esc(name + ": " + v)}</title></rect>`);
        if (v === 0) o.push(`<text class="zero-label" x="${X(0) + 6}" y="${y + rowH / 2}" dominant-baseline="middle">exactly 0</text>`);
      }
      if (spec.ref && num(spec.ref[i]) !== null) {
        const x = X(spec.ref[i]).toFixed(1);
        o.push(`<line class="ref-mark" x1="${x}" x2="${x}" y1="${y + 2}" y2="${y + rowH - 2}"/>`);
      }
    });
    if (spec.xlabel) o.push(`<text class="axis-label" x="${m.l + W / 2}" y="${height - 6}" text-anchor="middle">${esc(spec.xlabel)}</text>`);
    o.push("</svg>");
    const legend = `<div class="legend"><span class="key"><span class="swatch box hbar-key"></span>${esc(spec.label || "value")}</span>` +
      (spec.ref ? `<span class="key"><span class="swatch line ref-key"></span>${esc(spec.refLabel || "reference")}</span>` : "") + "</div>";
    el.innerHTML = o.join("") + legend;
    el._chartSpec = null;
  }

  return { draw, hbars, linearTicks, logTicks };
})();
