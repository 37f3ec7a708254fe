/* thetahat explorer: the page. It reads inputs, asks the JSON API, and draws.
 *
 * No statistics here: every estimate, interval, density and curve is computed by
 * thetahat on the server; this script formats numbers and draws them (chart.js).
 *
 * Each slider change is timed in the browser: a performance mark when the input
 * event arrives, another when the redrawn chart has been handed to the next
 * frame; `window.explorer.latency[panel]` keeps the durations (benchmarks/explorer.py).
 */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const PANELS = ["coin", "pairs", "grow", "reg", "data"];
  const X = (window.explorer = { drawn: {}, latency: {}, parts: {}, started: {}, errors: [] });
  for (const p of PANELS) { X.drawn[p] = 0; X.latency[p] = []; X.parts[p] = []; }
  const state = { catalog: null, columns: [], visited: {} };

  // ---------------------------------------------------------------- helpers
  function fmt(v, digits = 6) {
    if (v === null || v === undefined) return "–";
    if (v === "inf") return "∞";
    if (v === "-inf") return "−∞";
    if (v === "nan") return "NaN";
    if (typeof v !== "number") return String(v);
    if (v === 0) return "0";
    const a = Math.abs(v);
    if (a >= 1e6 || a < 1e-4) return v.toExponential(digits - 1).replace(/\.?0+e/, "e").replace("+", "");
    return String(Number(v.toPrecision(digits)));
  }

  function esc(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  /* an input's value as a number, or its raw text so the server names the problem */
  function val(id) {
    const el = typeof id === "string" ? $(id) : id;
    const t = el.value.trim();
    if (t === "") return null;
    const v = Number(t);
    return Number.isFinite(v) ? v : t;
  }

  function showError(msg) {
    const box = $("error");
    box.textContent = msg;
    box.hidden = false;
  }

  function hideError() {
    $("error").hidden = true;
  }

  async function api(path, body) {
    const opts = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
    const r = await fetch(path, opts);
    let data;
    try { data = await r.json(); } catch (e) { data = { error: `HTTP ${r.status}` }; }
    if (!r.ok) throw new Error(data.error || `HTTP ${r.status}`);
    return data;
  }

  function row(label, value, id, raw) {
    const attr = id ? ` id="${id}"` : "";
    const data = raw !== undefined && raw !== null ? ` data-value="${esc(raw)}"` : "";
    return `<tr><th scope="row">${esc(label)}</th><td${attr}${data}>${value}</td></tr>`;
  }

  function notes(el, list) {
    el.innerHTML = (list || []).filter(Boolean).map((n) => `<li>${esc(n)}</li>`).join("");
  }

  /* a panel's live update: latest input wins, one request in flight, each redraw timed */
  function live(panel, build, draw) {
    let seq = 0, inflight = false, pending = null;
    async function send(job) {
      inflight = true;
      try {
        const out = await api(job.path, job.body);
        const fetched = performance.now();
        draw(out);
        hideError();
        const drawnAt = performance.now();
        await new Promise((res) => requestAnimationFrame(res));
        const start = `${panel}:input:${job.seq}`, end = `${panel}:drawn:${job.seq}`;
        performance.mark(end);
        const m = performance.measure(`${panel}:redraw`, start, end);
        X.latency[panel].push(m.duration);
        // where the time went: request + JSON, drawing, waiting for the frame
        X.parts[panel].push([fetched - m.startTime, drawnAt - fetched, m.startTime + m.duration - drawnAt]);
        performance.clearMarks(start);
        performance.clearMarks(end);
        performance.clearMeasures(`${panel}:redraw`);
        X.drawn[panel] = job.seq;
      } catch (e) {
        X.errors.push(String(e.message || e));
        showError(e.message || String(e));
        X.drawn[panel] = job.seq;
      } finally {
        inflight = false;
        if (pending) { const p = pending; pending = null; send(p); }
      }
    }
    return function update() {
      const n = ++seq;
      performance.mark(`${panel}:input:${n}`);
      X.started[panel] = n;
      let job;
      try { job = build(); } catch (e) { showError(e.message); return; }
      if (!job) return;
      job.seq = n;
      if (inflight) {
        if (pending) performance.clearMarks(`${panel}:input:${pending.seq}`);
        pending = job;
      } else send(job);
    };
  }

  // ---------------------------------------------------------------- tabs
  const updaters = {};
  function select(panel) {
    for (const p of PANELS) {
      $(`panel-${p}`).hidden = p !== panel;
      $(`tab-${p}`).setAttribute("aria-selected", String(p === panel));
    }
    if (!state.visited[panel] && updaters[panel]) { state.visited[panel] = true; updaters[panel](); }
    else if (state.visited[panel]) redrawVisible(panel);
  }
  function redrawVisible(panel) {
    // charts drawn while hidden had no width: draw them again now
    for (const el of $(`panel-${panel}`).querySelectorAll(".chart")) if (el._chartSpec) Chart.draw(el, el._chartSpec);
  }
  for (const p of PANELS) $(`tab-${p}`).addEventListener("click", () => { select(p); history.replaceState(null, "", `#${p}`); });

  // ---------------------------------------------------------------- coin
  function coinBody() {
    $("coin-a-out").textContent = $("coin-a").value;
    $("coin-b-out").textContent = $("coin-b").value;
    return {
      path: "/api/coin",
      body: { a: val("coin-a"), b: val("coin-b"), heads: val("coin-heads"), tails: val("coin-tails"), level: val("coin-level") },
    };
  }
  function drawCoin(out) {
    const vlines = [];
    if (out.mle !== null) vlines.push({ at: out.mle, cls: "mle", label: `MLE ${fmt(out.mle, 4)}` });
    vlines.push({ at: out.map, cls: "map", label: `MAP ${fmt(out.map, 4)}` });
    vlines.push({ at: out.mean, cls: "mean", label: `posterior mean ${fmt(out.mean, 4)}` });
    Chart.draw($("coin-chart"), {
      height: 340,
      x: { label: "p = probability of heads", min: 0, max: 1 },
      y: { label: "density", min: 0, max: out.ymax },
      bands: [{ from: out.lower, to: out.upper, cls: "ci", label: `${Math.round(out.level * 100)}% credible interval` }],
      series: [
        { type: "area", x: out.grid, y: out.posterior, cls: "post", label: `posterior ${out.posterior_dist}` },
        { type: "line", x: out.grid, y: out.likelihood, cls: "lik", label: "likelihood (scaled to area 1)" },
        { type: "line", x: out.grid, y: out.prior, cls: "prior", label: `prior Beta(${fmt(out.a, 4)}, ${fmt(out.b, 4)})` },
      ],
      vlines,
    });
    const se = (v) => (v === null || v === undefined ? "" : ` <span class="muted">± ${fmt(v, 3)} (se)</span>`);
    $("coin-readout").innerHTML = [
      row("MLE  k / n", out.mle === null ? "– (no data)" : fmt(out.mle) + se(out.mle_se), "coin-mle", out.mle),
      row("MAP  posterior mode", fmt(out.map) + se(out.map_se), "coin-map", out.map),
      row("posterior mean", fmt(out.mean), "coin-mean", out.mean),
      row(`${Math.round(out.level * 100)}% credible interval`, `[${fmt(out.lower, 4)}, ${fmt(out.upper, 4)}]`, "coin-interval"),
      row("posterior", esc(out.posterior_dist), "coin-posterior"),
      row("prior as pseudo-counts", `${fmt(out.pseudo_counts.heads, 4)} heads + ${fmt(out.pseudo_counts.tails, 4)} tails`, "coin-pseudo"),
      row("data", `${out.heads} heads, ${out.tails} tails`),
      row("log evidence  log p(data)", fmt(out.log_evidence, 5), "coin-evidence", out.log_evidence),
    ].join("");
    const warn = $("coin-boundary");
    if (out.boundary) {
      const lib = (out.notes || []).find((n) => n.startsWith("MLE:"));
      warn.innerHTML = `<strong>Boundary:</strong> the MLE is p = ${fmt(out.mle)}: the data alone rule ${out.mle === 1 ? "tails" : "heads"} out entirely (standard error ∞). ` +
        `The prior's pseudo-counts keep the MAP at ${fmt(out.map, 4)}.` + (lib ? `<br><span class="muted">thetahat: ${esc(lib.slice(5))}</span>` : "");
      warn.hidden = false;
    } else warn.hidden = true;
  }
  updaters.coin = live("coin", coinBody, drawCoin);
  for (const id of ["coin-a", "coin-b", "coin-heads", "coin-tails"]) $(id).addEventListener("input", () => updaters.coin());
  $("coin-level").addEventListener("change", () => updaters.coin());
  function bump(id) {
    const v = val(id);
    $(id).value = String((typeof v === "number" ? v : 0) + 1);
    updaters.coin();
  }
  $("coin-add-head").addEventListener("click", () => bump("coin-heads"));
  $("coin-add-tail").addEventListener("click", () => bump("coin-tails"));
  $("coin-reset").addEventListener("click", () => { $("coin-heads").value = "0"; $("coin-tails").value = "0"; updaters.coin(); });

  // ---------------------------------------------------------------- conjugate pairs
  function pairSpec() {
    return state.catalog.pairs.find((p) => p.key === $("pair-select").value);
  }
  function buildPairInputs() {
    const spec = pairSpec();
    const box = $("pair-inputs");
    const html = [];
    for (const group of ["hyper", "fixed", "data"]) {
      if (!spec[group].length) continue;
      html.push(`<h3 class="muted">${{ hyper: "prior", fixed: "likelihood (known)", data: "data summaries" }[group]}</h3>`);
      for (const f of spec[group]) {
        const id = `pair-${group}-${f.name}`;
        if (f.kind === "vector") {
          html.push(`<label>${esc(f.label)} <input type="text" id="${id}" data-group="${group}" data-name="${f.name}" data-kind="vector" value="${f.default.join(", ")}"></label>`);
        } else if (group === "hyper") {
          const hi = Math.min(f.high, Math.max(10, Math.abs(f.default) * 5));
          const lo = f.kind === "real" ? -hi : Math.max(f.low, f.step);  // a multiple of the step
          html.push(`<label class="slider">${esc(f.label)} <output id="${id}-out">${f.default}</output>` +
            `<input type="range" id="${id}" data-group="${group}" data-name="${f.name}" min="${lo}" max="${hi}" step="${f.step}" value="${f.default}"></label>`);
        } else {
          html.push(`<label>${esc(f.label)} <input type="number" id="${id}" data-group="${group}" data-name="${f.name}" step="${f.kind === "count" ? 1 : "any"}" value="${f.default}"></label>`);
        }
      }
    }
    box.innerHTML = html.join("");
    for (const el of box.querySelectorAll("input")) el.addEventListener("input", () => updaters.pairs());
  }
  function pairBody() {
    const body = { pair: $("pair-select").value, hyper: {}, fixed: {}, data: {} };
    for (const el of $("pair-inputs").querySelectorAll("input")) {
      const { group, name, kind } = el.dataset;
      if (kind === "vector") {
        body[group][name] = el.value.split(/[\s,;]+/).filter(Boolean).map((t) => (Number.isFinite(Number(t)) ? Number(t) : t));
      } else {
        body[group][name] = val(el);
        const o = $(`${el.id}-out`);
        if (o) o.textContent = el.value;
      }
    }
    return { path: "/api/conjugate", body };
  }
  function axisName(name) {
    return { p: "p (probability)", rate: "rate", mu: "mu (mean)", var: "var (variance)" }[name] || name;
  }
  function drawPairs(out) {
    $("pair-rule").textContent = `${out.prior}  →  ${out.posterior}     [${out.rule}]`;
    const box = $("pair-charts");
    while (box.children.length < out.coords.length) { const d = document.createElement("div"); d.className = "chart"; box.appendChild(d); }
    while (box.children.length > out.coords.length) box.removeChild(box.lastChild);
    const small = out.coords.length > 1;
    out.coords.forEach((c, i) => {
      const vlines = [];
      if (c.mle !== null) vlines.push({ at: c.mle, cls: "mle", label: "MLE" });
      vlines.push({ at: c.map, cls: "map", label: small ? "MAP (joint mode)" : "MAP" }, { at: c.mean, cls: "mean", label: "posterior mean" });
      Chart.draw(box.children[i], {
        height: small ? 250 : 330,
        title: small ? c.name : "",
        x: { label: axisName(c.name), min: c.grid[0], max: c.grid[c.grid.length - 1] },
        y: { label: "density", min: 0, max: c.ymax },
        bands: [{ from: c.lower, to: c.upper, cls: "ci", label: i === 0 ? `${Math.round(out.level * 100)}% credible interval` : "" }],
        series: [
          { type: "area", x: c.grid, y: c.posterior, cls: "post", label: "posterior" },
          { type: "line", x: c.grid, y: c.likelihood, cls: "lik", label: "likelihood (scaled)" },
          { type: "line", x: c.grid, y: c.prior, cls: "prior", label: "prior" },
        ],
        vlines,
      });
    });
    const head = `<thead><tr><th></th><th>MLE</th><th>MAP</th><th>mean</th><th>${Math.round(out.level * 100)}% interval</th></tr></thead>`;
    const body = out.coords.map((c) => `<tr><th scope="row">${esc(c.name)}</th><td>${fmt(c.mle)}</td><td data-value="${c.map}">${fmt(c.map)}</td><td>${fmt(c.mean)}</td><td>[${fmt(c.lower, 4)}, ${fmt(c.upper, 4)}]</td></tr>`);
    const pc = Object.entries(out.pseudo_counts).map(([k, v]) => `${k} = ${Array.isArray(v) ? "[" + v.map((x) => fmt(x, 4)).join(", ") + "]" : fmt(v, 4)}`).join(", ");
    $("pair-readout").innerHTML = head + "<tbody>" + body.join("") +
      `<tr><th scope="row">prior as pseudo-data</th><td colspan="4">${esc(pc)}</td></tr>` +
      `<tr><th scope="row">log evidence</th><td colspan="4">${out.log_evidence === null ? "– (needs the observations)" : fmt(out.log_evidence, 5)}</td></tr>` +
      `<tr><th scope="row">observations</th><td colspan="4">${fmt(out.n)}</td></tr></tbody>`;
    notes($("pair-notes"), [...out.notes, ...out.warnings]);
  }
  updaters.pairs = live("pairs", pairBody, drawPairs);
  $("pair-select").addEventListener("change", () => { buildPairInputs(); updaters.pairs(); });

  // ---------------------------------------------------------------- n grows
  const GROW = {
    bernoulli: { truth: [0.01, 0.99, 0.01, 0.3], h: [["prior a", "a", 2], ["prior b", "b", 2]], param: "p" },
    poisson: { truth: [0.1, 20, 0.1, 3], h: [["prior shape", "shape", 2], ["prior rate", "rate", 1]], param: "rate" },
    exponential: { truth: [0.1, 10, 0.1, 1.5], h: [["prior shape", "shape", 2], ["prior rate", "rate", 1]], param: "rate" },
    normal: { truth: [-5, 5, 0.1, 1], h: [["prior mean", "mu", 0], ["prior sd", "sigma", 1]], param: "mu" },
  };
  function growFamily() {
    const g = GROW[$("grow-family").value];
    const t = $("grow-truth");
    [t.min, t.max, t.step, t.value] = g.truth.map(String);
    g.h.forEach(([label, , v], i) => { $(`grow-h${i + 1}-label`).textContent = label; $(`grow-h${i + 1}`).value = String(v); });
  }
  function growBody() {
    const g = GROW[$("grow-family").value];
    $("grow-truth-out").textContent = $("grow-truth").value;
    const prior = {};
    g.h.forEach(([, name], i) => { prior[name] = val(`grow-h${i + 1}`); });
    return { path: "/api/grow", body: { family: $("grow-family").value, truth: val("grow-truth"), prior, n_max: val("grow-nmax"), seed: val("grow-seed") } };
  }
  function drawGrow(out) {
    Chart.draw($("grow-chart"), {
      height: 300,
      title: `Estimates of ${out.param} as n grows (prior ${out.prior})`,
      x: { label: "n (observations so far)", log: true },
      y: { label: out.param, zero: false },
      series: [
        { type: "ribbon", x: out.n, lo: out.lower, hi: out.upper, cls: "ci", label: `${Math.round(out.level * 100)}% credible interval` },
        { type: "line", x: out.n, y: out.mle, cls: "mle" },
        { type: "points", x: out.n, y: out.mle, cls: "mle", r: 3, label: "MLE" },
        { type: "line", x: out.n, y: out.map, cls: "map", label: "MAP" },
      ],
      hlines: [{ at: out.truth, cls: "truth", label: `truth ${fmt(out.truth, 4)}` }],
    });
    Chart.draw($("grow-diff"), {
      height: 280,
      title: "|MAP − MLE| against 1/n (log–log): slope 1",
      x: { label: "1 / n", log: true },
      y: { label: "|MAP − MLE|", log: true },
      series: [
        { type: "line", x: out.inv_n, y: out.reference, cls: "ref", label: "c / n (slope 1)" },
        { type: "points", x: out.inv_n, y: out.diff, cls: "diff", r: 3.5, label: "|MAP − MLE|" },
      ],
    });
    const zeros = out.diff.filter((d) => d === null).length;
    notes($("grow-notes"), [...out.notes, zeros ? `${zeros} sample size(s) with MAP = MLE exactly are not on the log axis` : "", ...out.warnings]);
  }
  updaters.grow = live("grow", growBody, drawGrow);
  $("grow-family").addEventListener("change", () => { growFamily(); updaters.grow(); });
  for (const id of ["grow-truth", "grow-h1", "grow-h2", "grow-seed"]) $(id).addEventListener("input", () => updaters.grow());
  $("grow-nmax").addEventListener("change", () => updaters.grow());
  $("grow-new").addEventListener("click", () => { const s = val("grow-seed"); $("grow-seed").value = String((typeof s === "number" ? s : 0) + 1); updaters.grow(); });

  // ---------------------------------------------------------------- regularisers are priors
  function regPrior() {
    return document.querySelector('input[name="reg-prior"]:checked').value;
  }
  function regBody() {
    const w = Math.pow(10, Number($("reg-width").value));
    $("reg-width-out").textContent = `${regPrior() === "normal" ? "τ" : "b"} = ${fmt(w, 3)}`;
    return { path: "/api/regularise", body: { prior: regPrior(), width: Number(w.toPrecision(12)), dataset: $("reg-dataset").value } };
  }
  function drawReg(out) {
    const sym = out.kind === "normal" ? "τ" : "b";
    Chart.draw($("reg-path"), {
      height: 320,
      title: `MAP weights along the prior width (${out.kind === "normal" ? "Gaussian: ridge" : "Laplace: lasso"})`,
      x: { label: `prior width ${sym} (log scale; standardised units)`, log: true, min: out.scales[0], max: out.scales[out.scales.length - 1] },
      y: { label: "weight (sd of y per sd of feature)", zero: false },
      series: out.names.map((n, i) => ({ type: "line", x: out.scales, y: out.paths[i], cls: `c${i % 10}`, label: n })),
      vlines: [{ at: out.width, cls: "width", label: `current ${sym}` }],
    });
    Chart.hbars($("reg-bars"), {
      labels: out.names, values: out.map, ref: out.ols,
      label: `MAP at ${sym} = ${fmt(out.width, 3)}`, refLabel: "MLE (least squares)",
      xlabel: "weight (standardised)",
    });
    const sk = Object.entries(out.sklearn)[0];
    $("reg-readout").innerHTML = [
      row("prior", esc(out.prior)),
      row(out.lambda.name, fmt(out.lambda.value, 4), "reg-lambda", out.lambda.value),
      row(`scikit-learn ${sk[0] === "ridge" ? "Ridge" : "Lasso"} alpha`, fmt(sk[1].alpha, 4), "reg-alpha", sk[1].alpha),
      row("objective", esc(out.objective)),
      row("weights exactly 0", `<span id="reg-zeros" data-value="${out.zeros}">${out.zeros}</span> of ${out.names.length}`),
      row("noise sd σ (least squares, held fixed)", fmt(out.sigma, 4)),
      row("rows", String(out.n)),
    ].join("");
  }
  updaters.reg = live("reg", regBody, drawReg);
  $("reg-width").addEventListener("input", () => updaters.reg());
  for (const el of document.querySelectorAll('input[name="reg-prior"]')) el.addEventListener("change", () => updaters.reg());
  $("reg-dataset").addEventListener("change", () => updaters.reg());

  // ---------------------------------------------------------------- your data
  function dataTask() {
    return document.querySelector('input[name="data-task"]:checked').value;
  }
  function showTask() {
    const t = dataTask();
    $("data-fit-controls").hidden = t !== "fit";
    $("data-compare-controls").hidden = t !== "compare";
    $("data-shrink-controls").hidden = t !== "shrink";
  }
  function fillColumns() {
    const numeric = state.columns.filter((c) => c.numeric);
    const opts = (cols) => cols.map((c) => `<option value="${esc(c.name)}">${esc(c.name)}</option>`).join("");
    for (const el of document.querySelectorAll(".data-numcol")) el.innerHTML = opts(numeric);
    $("shr-group").innerHTML = `<option value="">(every row is a group)</option>` + opts(state.columns);
    const names = numeric.map((c) => c.name);
    // sensible defaults for grouped binomial data: successes y/k, trials n
    const pick = (cands, fallback) => cands.find((c) => names.includes(c)) || fallback;
    if (names.length) {
      $("shr-k").value = pick(["y", "k", "successes", "hits", "r", "clicks"], names[0]);
      $("shr-n").value = pick(["n", "trials", "views", "atbats"], names[Math.min(1, names.length - 1)]);
    }
    const text = state.columns.find((c) => !c.numeric);
    if (text) $("shr-group").value = text.name;
    const rows = state.columns.length ? state.columns[0].values.length : 0;
    $("data-summary").textContent = `${rows} rows; columns: ` + state.columns.map((c) => `${c.name} (${c.numeric ? "numbers" : "text"}${c.missing ? `, ${c.missing} missing` : ""})`).join(", ");
  }
  async function readText(text) {
    try {
      const out = await api("/api/data/parse", { text });
      state.columns = out.columns;
      fillColumns();
      hideError();
      updaters.data();
    } catch (e) { showError(e.message); }
  }
  function column(name) {
    const c = state.columns.find((x) => x.name === name);
    if (!c) throw new Error("read some data first: paste numbers, upload a CSV or pick an example");
    return c;
  }
  function numbersOf(name) {
    return column(name).values.filter((v) => v !== null);
  }
  function defaultPrior(domain) {
    if (/between 0 and 1|\(0, 1\)|\[0, 1\]/.test(domain)) return "beta";
    if (/> 0|positive|>= 0/.test(domain)) return "lognormal";
    return "normal";
  }
  function buildPriors() {
    const fam = state.catalog.data.families.find((f) => f.key === $("fit-family").value);
    const priors = state.catalog.data.priors;
    const box = $("fit-priors");
    if (document.querySelector('input[name="fit-method"]:checked').value !== "map") { box.innerHTML = ""; return; }
    box.innerHTML = fam.params.map((p) => {
      const chosen = defaultPrior(p.domain);
      const options = priors.map((q) => `<option value="${q.key}" ${q.key === chosen ? "selected" : ""}>${q.name}</option>`).join("");
      return `<div class="prior-row" data-param="${p.name}"><label>prior on ${esc(p.name)} <span class="muted">(${esc(p.domain)})</span>` +
        `<select class="prior-dist">${options}</select></label><div class="counts prior-params"></div></div>`;
    }).join("");
    for (const r of box.querySelectorAll(".prior-row")) {
      const sel = r.querySelector(".prior-dist");
      const fill = () => {
        const q = priors.find((x) => x.key === sel.value);
        r.querySelector(".prior-params").innerHTML = q.params.map((p, i) => `<label>${esc(p.name)} <input type="number" step="any" value="${q.default[i]}"></label>`).join("");
        for (const el of r.querySelectorAll("input")) el.addEventListener("input", () => updaters.data());
      };
      fill();
      sel.addEventListener("change", () => { fill(); updaters.data(); });
    }
  }
  function dataBody() {
    if (!state.columns.length) return null;
    const task = dataTask();
    if (task === "fit") {
      const body = { values: numbersOf($("fit-column").value), family: $("fit-family").value, method: document.querySelector('input[name="fit-method"]:checked').value };
      if (body.method === "map") {
        body.prior = {};
        for (const r of $("fit-priors").querySelectorAll(".prior-row")) {
          body.prior[r.dataset.param] = { dist: r.querySelector(".prior-dist").value, params: [...r.querySelectorAll(".prior-params input")].map(val) };
        }
      }
      return { path: "/api/data/fit", body, task, column: $("fit-column").value };
    }
    if (task === "compare") {
      const families = [...$("cmp-families").querySelectorAll("input:checked")].map((el) => el.value);
      return { path: "/api/data/compare", body: { values: numbersOf($("cmp-column").value), families, criterion: $("cmp-criterion").value }, task, column: $("cmp-column").value };
    }
    const k = column($("shr-k").value).values, n = column($("shr-n").value).values;
    const g = $("shr-group").value ? column($("shr-group").value).values.map(String) : null;
    const keep = k.map((v, i) => v !== null && n[i] !== null);
    const body = { successes: k.filter((_, i) => keep[i]), trials: n.filter((_, i) => keep[i]) };
    if (g) body.groups = g.filter((_, i) => keep[i]);
    return { path: "/api/data/shrink", body, task };
  }
  function drawFit(out, column) {
    const h = out.histogram;
    const series = [];
    if (h.kind === "histogram") series.push({ type: "hist", edges: h.edges, y: h.height, x: h.edges, label: "data (histogram, density)" });
    else series.push({ type: "bars", x: h.x, y: h.height, label: "data (relative frequency)" });
    if (out.curve) {
      if (out.discrete) series.push({ type: "points", x: out.curve.x, y: out.curve.y, cls: "fit", label: `fitted ${out.family} pmf` });
      else series.push({ type: "line", x: out.curve.x, y: out.curve.y, cls: "fit", label: `fitted ${out.family} density (${out.method.toUpperCase()})` });
    }
    Chart.draw($("data-chart"), { height: 320, x: { label: column }, y: { label: out.discrete ? "probability" : "density", min: 0 }, series });
    const ps = Object.keys(out.params);
    const head = `<thead><tr><th>parameter</th><th>${out.method.toUpperCase()}</th><th>se</th><th>95% interval</th></tr></thead>`;
    const rows = ps.map((p) => `<tr><th scope="row">${esc(p)}</th><td id="fit-${esc(p)}" data-value="${out.params[p]}">${fmt(out.params[p])}</td><td>${fmt(out.se[p], 4)}</td><td>[${fmt(out.conf_int_95[p][0], 4)}, ${fmt(out.conf_int_95[p][1], 4)}]</td></tr>`);
    const extra = [["log-likelihood", out.loglik], ["AIC", out.aic], ["BIC", out.bic], ["n", out.n]].map(([k, v]) => `<tr><th scope="row">${k}</th><td colspan="3">${fmt(v, 7)}</td></tr>`);
    extra.push(`<tr><th scope="row">status</th><td colspan="3">${esc(out.status)}${out.message ? " — " + esc(out.message) : ""}</td></tr>`);
    if (out.prior) extra.push(`<tr><th scope="row">prior</th><td colspan="3">${esc(out.prior)}</td></tr>`);
    $("data-readout").innerHTML = head + "<tbody>" + rows.join("") + extra.join("") + "</tbody>";
    notes($("data-notes"), out.warnings);
  }
  function drawCompare(out, column) {
    const h = out.histogram;
    const series = [h.kind === "histogram" ? { type: "hist", edges: h.edges, y: h.height, x: h.edges, label: "data" } : { type: "bars", x: h.x, y: h.height, label: "data" }];
    out.rows.slice(0, 5).forEach((r, i) => {
      const c = out.curves[r.family];
      if (c) series.push({ type: "line", x: c.x, y: c.y, cls: `c${i}`, label: `${r.family}${i === 0 ? " (best)" : ""}` });
    });
    Chart.draw($("data-chart"), { height: 320, x: { label: column }, y: { label: h.kind === "histogram" ? "density" : "probability", min: 0 }, series });
    const cols = ["family", "loglik", "k", "aic", "aicc", "bic", "ks", "status", "note"];
    $("data-readout").innerHTML = `<thead><tr>${cols.map((c) => `<th>${c === out.criterion ? "<strong>" + c.toUpperCase() + "</strong>" : c}</th>`).join("")}</tr></thead><tbody>` +
      out.rows.map((r) => `<tr>${cols.map((c) => `<td>${typeof r[c] === "number" ? fmt(r[c], 6) : esc(r[c] ?? "")}</td>`).join("")}</tr>`).join("") + "</tbody>";
    notes($("data-notes"), [...out.notes, ...out.warnings]);
  }
  function drawShrink(out) {
    const xs = out.rows.map((r) => r.mle), ys = out.rows.map((r) => r.shrunk);
    const finite = xs.filter((v) => typeof v === "number");
    const lo = Math.min(...finite, ...ys), hi = Math.max(...finite, ...ys);
    Chart.draw($("data-chart"), {
      height: 360,
      title: "Raw rate (MLE) against shrunk rate (posterior mean), one point per group",
      x: { label: "raw rate successes / trials (MLE)" },
      y: { label: "shrunk rate (posterior mean)", zero: false },
      series: [
        { type: "line", x: [lo, hi], y: [lo, hi], cls: "diag", label: "no shrinkage (y = x)" },
        { type: "points", x: xs, y: ys, lo: out.rows.map((r) => r.lower), hi: out.rows.map((r) => r.upper), cls: "shrunk", r: 3.5,
          tips: out.rows.map((r) => `${r.group}: ${fmt(r.successes)}/${fmt(r.n)} raw ${fmt(r.mle, 3)} → ${fmt(r.shrunk, 3)}`), label: `groups (bars: ${Math.round(out.level * 100)}% intervals)` },
      ],
      hlines: [{ at: out.prior_mean, cls: "pmean", label: `prior mean ${fmt(out.prior_mean, 3)}` }],
    });
    const top = Math.min(10, out.top_raw.length);
    const byName = Object.fromEntries(out.rows.map((r) => [r.group, r]));
    const lines = [];
    for (let i = 0; i < top; i++) {
      const a = byName[out.top_raw[i]], b = byName[out.top_shrunk[i]];
      lines.push(`<tr><td>${i + 1}</td><td>${esc(a.group)} <span class="muted">${fmt(a.successes)}/${fmt(a.n)}</span></td><td>${fmt(a.mle, 4)}</td><td>${esc(b.group)} <span class="muted">${fmt(b.successes)}/${fmt(b.n)}</span></td><td>${fmt(b.shrunk, 4)}</td></tr>`);
    }
    $("data-readout").innerHTML = `<thead><tr><th>#</th><th>top by raw rate</th><th>raw</th><th>top by shrunk rate</th><th>shrunk</th></tr></thead><tbody>${lines.join("")}` +
      `<tr><th scope="row" colspan="2">fitted prior</th><td colspan="3">${esc(out.prior)}${out.complete_pooling ? " (complete pooling)" : ""}</td></tr></tbody>`;
    notes($("data-notes"), [...out.notes, ...out.warnings]);
  }
  let lastDataJob = null;
  updaters.data = live("data", () => { const job = dataBody(); lastDataJob = job; return job; }, (out) => {
    if (out.rows && out.prior_mean !== undefined) drawShrink(out);
    else if (out.rows) drawCompare(out, lastDataJob ? lastDataJob.column : "");
    else drawFit(out, lastDataJob ? lastDataJob.column : "");
  });
  $("data-read").addEventListener("click", () => readText($("data-text").value));
  $("data-file").addEventListener("change", () => {
    const f = $("data-file").files[0];
    if (!f) return;
    const limit = state.catalog ? state.catalog.data.limits.text : 2000000;
    if (f.size > limit) { showError(`${f.name} is ${f.size} bytes; the limit is ${limit}`); return; }
    f.text().then((t) => { $("data-text").value = t.length > 20000 ? t.slice(0, 20000) + "\n…" : t; readText(t); });
  });
  $("data-example").addEventListener("change", async () => {
    const name = $("data-example").value;
    if (!name) return;
    try {
      const out = await api(`/api/data/example/${encodeURIComponent(name)}`);
      $("data-text").value = out.text;
      if (name === "rat_tumor") document.querySelector('input[name="data-task"][value="shrink"]').checked = true;
      showTask();
      readText(out.text);
    } catch (e) { showError(e.message); }
  });
  for (const el of document.querySelectorAll('input[name="data-task"]')) el.addEventListener("change", () => { showTask(); updaters.data(); });
  for (const el of document.querySelectorAll('input[name="fit-method"]')) el.addEventListener("change", () => { buildPriors(); updaters.data(); });
  $("fit-family").addEventListener("change", () => { buildPriors(); updaters.data(); });
  for (const id of ["fit-column", "cmp-column", "cmp-criterion", "shr-group", "shr-k", "shr-n"]) $(id).addEventListener("change", () => updaters.data());
  $("data-run").addEventListener("click", () => updaters.data());

  // ---------------------------------------------------------------- start
  async function start() {
    try {
      state.catalog = await api("/api/catalog");
    } catch (e) { showError(`cannot reach the thetahat server: ${e.message}`); return; }
    $("version").textContent = `thetahat ${state.catalog.version}`;
    $("pair-select").innerHTML = state.catalog.pairs.map((p) => `<option value="${p.key}">${esc(p.label)}</option>`).join("");
    buildPairInputs();
    growFamily();
    const d = state.catalog.data;
    $("data-example").innerHTML = `<option value="">—</option>` + d.examples.map((n) => `<option value="${n}">${n}</option>`).join("");
    $("fit-family").innerHTML = d.families.map((f) => `<option value="${f.key}">${f.name}</option>`).join("");
    $("fit-family").value = "gamma";
    const checked = ["gamma", "weibull", "lognormal", "normal", "exponential"];
    $("cmp-families").innerHTML = d.families.map((f) => `<label><input type="checkbox" value="${f.key}" ${checked.includes(f.key) ? "checked" : ""}> ${f.name}</label>`).join("");
    for (const el of $("cmp-families").querySelectorAll("input")) el.addEventListener("change", () => updaters.data());
    buildPriors();
    showTask();
    const first = PANELS.includes(location.hash.slice(1)) ? location.hash.slice(1) : "coin";
    select(first);
    X.ready = true;
  }
  start();
})();
