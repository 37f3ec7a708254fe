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
Also times ``th.fit(th.Weibull, x).bootstrap(1000)`` (n = 10^4; goal < 2 s).
Run: ``python benchmarks/diagnostics.py [--rounds 3] [--scipy-resamples 8] [--clock cpu]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings

import numpy as np
from scipy import stats

import thetahat as th
from thetahat._fastpath import num_threads

N = 10_000
B = 1000


#: wall time, or the process's CPU time over all its threads (``--clock cpu``: on a
#: shared machine, waiting for a core does not count; thetahat's pool work does)
CLOCK = [time.perf_counter]


def timed(fn) -> float:
    t0 = CLOCK[0]()
    fn()
    return CLOCK[0]() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scipy-resamples", type=int, default=8)
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    parser.add_argument("--skip-bootstrap", action="store_true")
    args = parser.parse_args()
    if args.clock == "cpu":
        CLOCK[0] = time.process_time
    rng = np.random.default_rng(2026)
    data = {
        "Gamma": (th.Gamma, stats.gamma, rng.gamma(2.0, 1.5, N)),
        "Weibull": (th.Weibull, stats.weibull_min, rng.weibull(1.5, N) * 2.0),
    }
    m = args.scipy_resamples
    times: dict[str, list[float]] = {}
    pvals: dict[str, float] = {}
    warnings.simplefilter("ignore")
    for r in range(args.rounds):
        for name, (fam, sp, x) in data.items():
            est = th.fit(fam, x)
            res: dict[str, object] = {}
            times.setdefault(f"th {name}", []).append(
                timed(lambda est=est, res=res, r=r: res.update(g=est.gof(n_boot=B, rng=r)))
            )
            pvals[f"th {name}"] = res["g"].ad_pvalue  # type: ignore[attr-defined]

            def scipy_gof(sp=sp, x=x, r=r) -> None:
                stats.goodness_of_fit(
                    sp, x, known_params={"loc": 0.0}, statistic="ad", n_mc_samples=m, rng=r
                )

            times.setdefault(f"scipy {name}", []).append(timed(scipy_gof) * B / m)
        if not args.skip_bootstrap:
            est_w = th.fit(th.Weibull, data["Weibull"][2])
            times.setdefault("bootstrap", []).append(
                timed(lambda est_w=est_w, r=r: est_w.bootstrap(B, rng=r))
            )
    print(
        f"# {platform.machine()}, {os.cpu_count()} cpus ({num_threads()} threads used), "
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {stats.__name__ and __import__('scipy').__version__}"
    )
    print(
        f"# best of {args.rounds} interleaved rounds; spread = max/min over rounds; clock "
        f"{args.clock}; load average {os.getloadavg()[0]:.1f}"
    )
    print()
    print("| task (n = 10^4, 1000 resamples) | thetahat s | scipy s (scaled) | scipy / thetahat |")
    print("|---|---:|---:|---:|")
    for name in data:
        a, b = times[f"th {name}"], times[f"scipy {name}"]
        print(
            f"| GoF p-values, {name} (KS+CvM+AD vs AD only; scipy {m} resamples x {B // m}) "
            f"| {min(a):.2f} (spread {max(a) / min(a):.2f}) | {min(b):.0f} "
            f"(spread {max(b) / min(b):.2f}) | {min(b) / min(a):.0f}x |"
        )
    bt = times.get("bootstrap")
    if bt:
        print(
            f"| bootstrap of a Weibull fit (percentile + BCa jackknife) | {min(bt):.2f} "
            f"(spread {max(bt) / min(bt):.2f}) | - | goal < 2 s |"
        )
    print()
    print("AD p-values (thetahat):", {k: round(v, 4) for k, v in pvals.items()})


if __name__ == "__main__":
    main()
