"""Benchmark: slider change -> redrawn chart in the explorer, timed in the browser.

The page marks ``performance.mark`` when a slider's input event arrives and
again when the redrawn chart has been handed to the next animation frame
(``requestAnimationFrame`` after the SVG is in the DOM); ``performance.measure``
between the two is the latency a person sees: the request to thetahat's JSON
API, the computation, the JSON, and the drawing. Each change waits for its own
redraw (no coalescing), in headless Debian chromium driven by Playwright. The
page also splits each latency into the request (fetch and JSON decode), the
drawing (SVG built and put in the DOM) and the wait for the next frame.

Panels are interleaved in rounds (``ROUNDS`` rounds of ``changes / ROUNDS``
changes per panel), so drift on a shared machine hits every panel alike. The
table gives the median and 95th percentile over all changes, and the machine's
load average (it is shared: other jobs inflate the tail).

Goals (issue 20): p95 under 50 ms on the coin panel, under 150 ms on the
regression panel.

Run: ``.venv/bin/python benchmarks/explorer.py [--changes 200]`` (needs
``/usr/bin/chromium``: ``apt-get install chromium``, or run the browser tests
once as root, which install it).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "explore"))
from _explore_browser import CHROMIUM_ARGS, ensure_chromium
from playwright.sync_api import Page, sync_playwright

import thetahat as th
from thetahat.explore import running

ROUNDS = 4

#: panel label -> (tab, panel key, slider id, setup script, values to cycle through,
#: goal for the p95 in ms)
PANELS: dict[str, tuple[str, str, str, str, list[float], float | None]] = {
    "coin (prior a)": (
        "coin", "coin", "coin-a", "", [round(0.5 + 0.5 * (i % 40), 2) for i in range(40)],
        50.0,
    ),
    "conjugate pair (Beta-Bernoulli a)": (
        "pairs", "pairs", "", "", [round(0.2 + 0.25 * (i % 36), 2) for i in range(36)],
        None,
    ),
    "n grows (truth, n = 1000)": (
        "grow", "grow", "grow-truth", "", [round(0.05 + 0.025 * (i % 36), 3) for i in range(36)],
        None,
    ),
    "regression, Gaussian prior (width)": (
        "reg", "reg", "reg-width",
        "document.querySelector('input[name=reg-prior][value=normal]').click()",
        [round(-3.5 + 0.1 * (i % 38), 2) for i in range(38)], 150.0,
    ),
    "regression, Laplace prior (width)": (
        "reg", "reg", "reg-width",
        "document.querySelector('input[name=reg-prior][value=laplace]').click()",
        [round(-3.5 + 0.1 * (i % 38), 2) for i in range(38)], 150.0,
    ),
}  # fmt: skip

CHANGE_JS = """([sel, value]) => {
  const el = sel ? document.getElementById(sel)
                 : document.querySelector('#pair-inputs input[type=range]');
  el.value = String(value);
  el.dispatchEvent(new Event('input', {bubbles: true}));
  return window.explorer.started[el.closest('section').id.slice(6)];
}"""


def wait_drawn(page: Page, panel: str, seq: int) -> None:
    page.wait_for_function(f"window.explorer.drawn.{panel} >= {seq}", timeout=60_000)


def run_block(
    page: Page, spec: tuple[Any, ...], n: int, offset: int
) -> tuple[list[float], list[list[float]]]:
    tab, panel, slider, setup, values, _ = spec
    page.click(f"#tab-{tab}")
    page.wait_for_function(f"window.explorer.drawn.{panel} >= 1", timeout=60_000)
    if setup:  # (a click on the radio already checked starts nothing)
        page.evaluate(setup)
        wait_drawn(page, panel, page.evaluate(f"window.explorer.started.{panel}"))
    page.evaluate(
        f"window.explorer.latency.{panel} = []; window.explorer.parts.{panel} = [];"
        " performance.clearResourceTimings()"
    )
    for i in range(n):
        seq = page.evaluate(CHANGE_JS, [slider, values[(offset + i) % len(values)]])
        wait_drawn(page, panel, seq)
    lat = page.evaluate(f"window.explorer.latency.{panel}")
    parts = page.evaluate(f"window.explorer.parts.{panel}")
    return list(lat), list(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--changes", type=int, default=200, help="slider changes per panel")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=800)
    args = ap.parse_args()
    per_round = max(1, args.changes // ROUNDS)
    chromium = ensure_chromium()
    results: dict[str, tuple[list[float], list[list[float]]]] = {k: ([], []) for k in PANELS}
    load0 = os.getloadavg()[0]
    with running() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        ctx = browser.new_context(
            viewport={"width": args.width, "height": args.height}, bypass_csp=True
        )
        page = ctx.new_page()
        page.goto(url)
        page.wait_for_function("window.explorer && window.explorer.ready")
        version = browser.version
        # warm-up: every panel once (imports, caches), not timed
        for spec in PANELS.values():
            run_block(page, spec, 5, 0)
        for r in range(ROUNDS):
            for name, spec in PANELS.items():
                lat, parts = run_block(page, spec, per_round, r * per_round)
                results[name][0].extend(lat)
                results[name][1].extend(parts)
        browser.close()
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(
        f"explorer latency, slider change -> redrawn chart; {when}; {platform.machine()} "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, thetahat {th.__version__}, "
        f"chromium {version}, viewport {args.width}x{args.height}, {ROUNDS} interleaved rounds; "
        f"load average {load0:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    )
    print()
    print(
        "| panel | changes | median ms | p95 ms | max ms | median: request + JSON / draw / "
        "frame wait ms | goal p95 | met |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, (lat, parts) in results.items():
        a = np.asarray(lat)
        req, drw, frame = np.median(np.asarray(parts), axis=0)
        goal = PANELS[name][5]
        met = "" if goal is None else ("yes" if np.percentile(a, 95) < goal else "**no**")
        print(
            f"| {name} | {a.size} | {np.median(a):.1f} | {np.percentile(a, 95):.1f} | "
            f"{a.max():.1f} | {req:.1f} / {drw:.1f} / {frame:.1f} | "
            f"{'' if goal is None else f'< {goal:.0f} ms'} | {met} |"
        )


if __name__ == "__main__":
    main()
