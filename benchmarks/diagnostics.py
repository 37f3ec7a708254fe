"""Goodness-of-fit p-values and the bootstrap: thetahat vs scipy.stats.goodness_of_fit.

Both compute parametric-bootstrap (Monte Carlo) p-values that re-fit the family to
every resample: ``est.gof(n_boot=B)`` (KS, Cramér-von Mises and Anderson-Darling
together, over the package's thread pool) against
``scipy.stats.goodness_of_fit(dist, x, known_params={"loc": 0}, statistic="ad",
n_mc_samples=m)`` (one statistic; its fits are numerical optimisations). scipy is
too slow for B = 1000 at n = 10^4, so it runs ``--scipy-resamples`` resamples and
its time is scaled to 1000 (its cost is linear in the resamples: one fit each).
Contenders are interleaved round by round and the best of ``--rounds`` is kept
(the machine is shared and noisy); the spread (max / min over rounds) is printed.
Each run is timed on two clocks at once: wall time, and the process's CPU time over
all its threads (on a shared machine waiting for a core does not count; thetahat's
pool work does). The load average is printed before and after.
Also times ``th.fit(th.Weibull, x).bootstrap(1000)`` (n = 10^4; goal < 2 s).
Run: ``python benchmarks/diagnostics.py [--rounds 3] [--scipy-resamples 16]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings
from collections.abc import Callable

import numpy as np
import scipy
from scipy import stats

import thetahat as th
from thetahat._fastpath import num_threads

N = 10_000
B = 1000


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall, process CPU) seconds of one call."""
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def row(label: str, ours: list[tuple[float, float]], ref: list[tuple[float, float]]) -> str:
    cells = []
    for k in (0, 1):  # wall, cpu
        a = [t[k] for t in ours]
        b = [t[k] for t in ref]
        cells.append(
            f"{min(a):.2f} ({max(a) / min(a):.2f}) | {min(b):.1f} ({max(b) / min(b):.2f}) | "
            f"**{min(b) / min(a):.0f}x**"
        )
    return f"| {label} | " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scipy-resamples", type=int, default=16)
    parser.add_argument("--skip-bootstrap", action="store_true")
    args = parser.parse_args()
    load0 = os.getloadavg()[0]
    rng = np.random.default_rng(2026)
    data = {
        "Gamma": (th.Gamma, stats.gamma, rng.gamma(2.0, 1.5, N)),
        "Weibull": (th.Weibull, stats.weibull_min, rng.weibull(1.5, N) * 2.0),
    }
    m = args.scipy_resamples
    times: dict[str, list[tuple[float, float]]] = {}
    pvals: dict[str, list[float]] = {}
    warnings.simplefilter("ignore")
    for r in range(args.rounds):
        for name, (fam, sp, x) in data.items():
            est = th.fit(fam, x)
            res: dict[str, object] = {}
            times.setdefault(f"th {name}", []).append(
                timed(lambda est=est, res=res, r=r: res.update(g=est.gof(n_boot=B, rng=r)))
            )
            pvals.setdefault(f"th {name}", []).append(res["g"].ad_pvalue)  # type: ignore[attr-defined]

            def scipy_gof(sp=sp, x=x, r=r, res=res) -> None:
                res["s"] = stats.goodness_of_fit(
                    sp, x, known_params={"loc": 0.0}, statistic="ad", n_mc_samples=m, rng=r
                )

            wall, cpu = timed(scipy_gof)
            times.setdefault(f"scipy {name}", []).append((wall * B / m, cpu * B / m))
            pvals.setdefault(f"scipy {name}", []).append(res["s"].pvalue)  # type: ignore[attr-defined]
        if not args.skip_bootstrap:
            est_w = th.fit(th.Weibull, data["Weibull"][2])
            times.setdefault("bootstrap", []).append(
                timed(lambda est_w=est_w, r=r: est_w.bootstrap(B, rng=r))
            )
    print(
        f"# {platform.machine()}, {os.cpu_count()} cpus ({num_threads()} threads used), "
        f"python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}"
    )
    print(
        f"# best of {args.rounds} interleaved rounds; (spread = max/min over rounds); "
        f"load average {load0:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    print(f"# scipy: {m} resamples per round, time x {B / m:g}; thetahat: {B} resamples")
    print()
    print(
        "| task (n = 10^4, 1000 resamples) | thetahat wall s | scipy wall s | ratio "
        "| thetahat CPU s | scipy CPU s | ratio |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in data:
        print(row(f"GoF p-values, {name}", times[f"th {name}"], times[f"scipy {name}"]))
    bt = times.get("bootstrap")
    if bt:
        w, c = [t[0] for t in bt], [t[1] for t in bt]
        print(
            f"| bootstrap of a Weibull fit (+ BCa jackknife) | {min(w):.2f} "
            f"({max(w) / min(w):.2f}) | - | goal < 2 s | {min(c):.2f} ({max(c) / min(c):.2f}) "
            "| - | - |"
        )
    print()
    print("AD p-values per round:", {k: [round(v, 3) for v in vs] for k, vs in pvals.items()})


if __name__ == "__main__":
    main()
