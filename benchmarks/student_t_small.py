"""Student t fits on small samples: outcome and time, thetahat vs scipy.stats.t.fit.

For n in {10, 30, 100, 1000}, draws ``--samples`` samples of a t with 3 degrees of
freedom and, sample by sample, times ``th.fit(th.StudentT, x)`` and scipy's
``stats.t.fit(x)`` in turn (the same load for both). Prints how thetahat's fits
ended (success / boundary, where the boundary is the Normal limit df = inf), the
median time per fit of each with the interquartile range, the ratio of the medians,
and how often scipy's fit has a higher log-likelihood than thetahat's (``scipy
better``: the t likelihood is unbounded as df -> 0 and scale -> 0 at any
observation, so a fit can only be compared as an interior local maximum; both log-
likelihoods are scipy's summed log densities at the two estimates). Run:
``python benchmarks/student_t_small.py [--samples 100]``.
"""

from __future__ import annotations

import argparse
import collections
import platform
import time
import warnings

import numpy as np
from scipy import stats

import thetahat as th


def loglik(x: np.ndarray, df: float, loc: float, scale: float) -> float:
    if np.isinf(df):
        return float(np.sum(stats.norm.logpdf(x, loc, scale)))
    return float(np.sum(stats.t.logpdf(x, df, loc, scale)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=100)
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    print(f"# {platform.machine()}, python {platform.python_version()}, numpy {np.__version__}")
    print()
    print(
        "| n | thetahat outcomes | thetahat ms (IQR) | scipy ms (IQR) | scipy / thetahat "
        "| scipy better | loglik = scipy sum |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|")
    for n in (10, 30, 100, 1000):
        outcomes: collections.Counter[str] = collections.Counter()
        t_th, t_sp = [], []
        better = exact = 0
        for _ in range(args.samples):
            x = rng.standard_t(3.0, n)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t0 = time.perf_counter()
                est = th.fit(th.StudentT, x)
                t1 = time.perf_counter()
                ref = stats.t.fit(x)
                t2 = time.perf_counter()
                p = est.params
                ll = loglik(x, p["df"], p["loc"], p["scale"])
                ll_sp = loglik(x, *ref)
            t_th.append(t1 - t0)
            t_sp.append(t2 - t1)
            outcomes[est.status] += 1
            better += ll_sp > ll + 1e-9 * abs(ll)
            exact += abs(est.loglik - ll) <= 1e-10 * max(1.0, abs(ll))
        q_th = np.percentile(t_th, [25, 50, 75]) * 1e3
        q_sp = np.percentile(t_sp, [25, 50, 75]) * 1e3
        shown = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
        print(
            f"| {n} | {shown} | {q_th[1]:.2f} ({q_th[0]:.2f}-{q_th[2]:.2f}) | "
            f"{q_sp[1]:.1f} ({q_sp[0]:.1f}-{q_sp[2]:.1f}) | {q_sp[1] / q_th[1]:.0f}x | "
            f"{better}/{args.samples} | {exact}/{args.samples} |"
        )


if __name__ == "__main__":
    main()
