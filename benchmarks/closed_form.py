"""Closed-form fits at scale: thetahat vs one np.sum pass and vs scipy.stats, in one run.

Usage: python benchmarks/closed_form.py [--n 100000000] [--repeat 3] [--clock thread]

For Normal, Poisson, Exponential and Bernoulli data of n float64 values, prints the
best-of-``repeat`` time of ``th.fit`` (validation + sufficient statistics + estimate +
standard errors + log-likelihood), its throughput in GB/s, the ratio of its
throughput to one ``np.sum`` over the same array (goal: >= 0.5 for Normal and
Poisson), and the ratio of scipy's fit time to ours where scipy.stats has a fit
method (``norm.fit``; ``expon.fit`` with ``floc=0``). scipy.stats has no fit method
for discrete distributions; its generic ``scipy.stats.fit`` is timed at a smaller n
in a second table. Normal and Poisson run their compiled kernels over threads for
large arrays (``thetahat._fastpath``); their "1 thread" rows set
``THETAHAT_NUM_THREADS=1`` for a like-for-like comparison with the single-threaded
``np.sum``. The contenders of a row (``np.sum``, ``th.fit``, scipy) run in turn within
each round, so they see the same load; ``spread`` is the interquartile range of the
per-round throughput ratios. ``--only "Poisson, 1 thread;Normal"`` picks rows.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np


def best(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


#: the clock of ``interleaved``: wall time, or this thread's CPU time (``--clock thread``:
#: waiting for a core on a shared machine does not count; meaningful for one-thread rows)
CLOCK: list[Callable[[], float]] = [time.perf_counter]


def interleaved(fns: list[Callable[[], Any]], repeat: int) -> list[list[float]]:
    """Times of each callable in each of ``repeat`` rounds (in turn within a round)."""
    rounds = []
    clock = CLOCK[0]
    for _ in range(repeat):
        row = []
        for fn in fns:
            t0 = clock()
            fn()
            row.append(clock() - t0)
        rounds.append(row)
    return rounds


def main() -> None:
    import warnings

    from scipy import stats

    import thetahat as th

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--n-generic", type=int, default=100_000)
    parser.add_argument("--only", default="", help="row names separated by ;")
    parser.add_argument("--clock", choices=("wall", "thread"), default="wall")
    args = parser.parse_args()
    if args.clock == "thread":
        CLOCK[0] = time.thread_time
    n, rep = args.n, args.repeat
    rng = np.random.default_rng(0)

    cases: list[tuple[str, Any, Callable[[], np.ndarray], Callable[[np.ndarray], Any] | None]] = [
        ("Normal", th.Normal, lambda: rng.normal(3.0, 2.0, n), lambda x: stats.norm.fit(x)),
        ("Normal, 1 thread", th.Normal, lambda: rng.normal(3.0, 2.0, n), None),
        ("Poisson", th.Poisson, lambda: rng.poisson(3.0, n).astype(float), None),
        ("Poisson, 1 thread", th.Poisson, lambda: rng.poisson(3.0, n).astype(float), None),
        (
            "Exponential",
            th.Exponential,
            lambda: rng.exponential(2.0, n),
            lambda x: stats.expon.fit(x, floc=0),
        ),
        ("Bernoulli", th.Bernoulli, lambda: rng.binomial(1, 0.3, n).astype(float), None),
    ]
    print(f"# closed-form fits, n = {n:.0e} float64 ({n * 8 / 1e9:.1f} GB per array)")
    from thetahat import _fastpath

    print(f"# {platform.machine()}, {platform.python_version()}, numpy {np.__version__}")
    kernel = "compiled (thetahat._kernels)" if _fastpath.HAVE_KERNELS else "numpy fallback"
    print(f"# count kernel: {kernel}; threads for large arrays: {_fastpath.num_threads()}")
    print(f"# clock: {args.clock}; load average {os.getloadavg()[0]:.1f}")
    print()
    print(
        "| family | np.sum ms | thetahat fit ms | GB/s | throughput / np.sum | spread "
        "| scipy fit ms | scipy / thetahat |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    only = [v.strip() for v in args.only.split(";") if v.strip()]
    for name, family, make, scipy_fit in cases:
        if only and name not in only:
            continue
        x = make()
        one_thread = name.endswith("1 thread")

        def fit(x: np.ndarray = x, f: Any = family, one: bool = one_thread) -> None:
            if one:
                os.environ["THETAHAT_NUM_THREADS"] = "1"
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    th.fit(f, x)
            finally:
                os.environ.pop("THETAHAT_NUM_THREADS", None)

        fns: list[Callable[[], Any]] = [lambda x=x: np.sum(x), fit]
        if scipy_fit is not None:
            fns.append(lambda x=x, f=scipy_fit: f(x))
        rounds = interleaved(fns, rep)
        t_sum, t_fit = (min(r[i] for r in rounds) for i in (0, 1))
        q25, q75 = np.percentile([r[0] / r[1] for r in rounds], [25, 75])
        gbs = x.nbytes / t_fit / 1e9
        if scipy_fit is not None:
            t_sp = min(r[2] for r in rounds)
            sp, ratio = f"{t_sp * 1e3:.1f}", f"{t_sp / t_fit:.1f}x"
        elif one_thread:
            sp, ratio = "(as above)", "-"
        else:
            sp, ratio = "no fit method", "-"
        print(
            f"| {name} | {t_sum * 1e3:.1f} | {t_fit * 1e3:.1f} | {gbs:.1f} | "
            f"{t_sum / t_fit:.2f} | {q25:.2f}-{q75:.2f} | {sp} | {ratio} |"
        )
        del x

    m = args.n_generic
    print()
    print(f"# discrete families vs scipy.stats.fit (generic optimiser), n = {m:.0e}")
    print()
    print("| family | thetahat fit ms | scipy.stats.fit ms | scipy / thetahat |")
    print("|---|---:|---:|---:|")
    generic = [
        ("Poisson", th.Poisson, rng.poisson(3.0, m).astype(float), stats.poisson, {"mu": (0, 50)}),
        (
            "Bernoulli",
            th.Bernoulli,
            rng.binomial(1, 0.3, m).astype(float),
            stats.bernoulli,
            {"p": (0, 1)},
        ),
    ]
    for name, family, x, dist, bounds in generic:
        t_fit = best(lambda x=x, f=family: th.fit(f, x), rep)
        t_sp = best(lambda x=x, d=dist, b=bounds: stats.fit(d, x, bounds=b), 1)
        print(f"| {name} | {t_fit * 1e3:.2f} | {t_sp * 1e3:.1f} | {t_sp / t_fit:.0f}x |")


if __name__ == "__main__":
    main()
