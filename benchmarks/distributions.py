"""Benchmark: thetahat's MLE fits against scipy.stats on the same data, same run.

For each family and n: thetahat's time and log-likelihood; scipy's equivalent fit
(loc fixed at 0, scale fixed at 1 for Beta, ``scipy.stats.fit`` for the negative
binomial) and scipy's default call (loc free, what most users run); and the
floor, the time of the passes over the data the fit's statistics need (Gamma:
``log x`` and the sums of x and log x; Beta: ``log x``, ``log1p(-x)`` and their
sums; LogNormal: ``log x``, its sum and its sum of squares), timed both on whole
arrays and chunk by chunk into one scratch buffer, the faster kept. Timing:
``th.fit`` and the floors are timed in turn within each round, best of 15 to 200
rounds (about 0.3 s of ``th.fit``; the same load for all); scipy's equivalent fit
best of up to 15 within 2 s; scipy's default call once (it takes seconds).
Ratios are scipy time / thetahat time (> 1: thetahat faster) and thetahat / floor
(best of each), with ``spread`` the interquartile range of the per-round ratios
thetahat / floor (the same round, so the same load); ``dll`` is thetahat's
log-likelihood minus scipy's (>= 0: thetahat at least as good). scipy is timed up to
``--scipy-max`` values (its Student t fit takes a minute at 1e6). Run:
``python benchmarks/distributions.py [--quick] [--only=Gamma,Beta] [--sizes=1e6,1e7]
[--scipy-max=1e6]``; ``THETAHAT_NUM_THREADS=1`` for thetahat on one thread (the
floors are single-threaded numpy).
"""

from __future__ import annotations

import os

# one BLAS thread: on a shared machine a threaded dot product over a cache-sized
# chunk can stall for milliseconds (both libraries run under the same setting)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import platform
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import stats

import thetahat as th
from thetahat._fastpath import CHUNK  # the chunk length the library reduces by


def best_time(fn: Callable[[], Any], repeat: int, budget: float = 2.0) -> tuple[float, Any]:
    """Best of ``repeat`` calls, stopping early once ``budget`` seconds are spent."""
    best, out, spent = np.inf, None, 0.0
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t0
        best, spent = min(best, dt), spent + dt
        if spent > budget:
            break
    return best, out


def best_interleaved(
    fns: list[Callable[[], Any]], repeat: int
) -> tuple[list[float], Any, list[list[float]]]:
    """Best of ``repeat`` rounds for each callable, timed in turn within each round (the
    same load for all); returns the best times, the first callable's output, and every
    round's times (for the spread)."""
    best = [np.inf] * len(fns)
    rounds: list[list[float]] = []
    out = None
    for _ in range(repeat):
        row = []
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            res = fn()
            row.append(time.perf_counter() - t0)
            best[i] = min(best[i], row[-1])
            if i == 0:
                out = res
        rounds.append(row)
    return best, out, rounds


def repeats_for(fn: Callable[[], Any]) -> int:
    """Rounds for a call: 15 at least, more for fast calls (up to about 0.3 s in all)."""
    t0 = time.perf_counter()
    fn()
    dt = time.perf_counter() - t0
    return int(min(200, max(15, 0.3 / max(dt, 1e-9))))


def loglik(dist: Any, x: np.ndarray, discrete: bool = False) -> float:
    return float(np.sum(dist.logpmf(x) if discrete else dist.logpdf(x)))


def nbinom_fit(x: np.ndarray) -> Any:
    res = stats.fit(stats.nbinom, x, bounds={"n": (0.01, 100.0), "p": (0.001, 1.0)})
    return stats.nbinom(res.params.n, res.params.p)


# Floors: the passes over the data a fit's statistics need, each timed two ways and
# the faster kept: on whole arrays, and chunk by chunk into one scratch buffer (what
# thetahat does; it avoids page-faulting fresh temporaries on every call).
def chunked(x: np.ndarray, body: Callable[[np.ndarray, np.ndarray], Any]) -> None:
    buf = np.empty(min(x.shape[0], CHUNK))
    for i in range(0, x.shape[0], CHUNK):
        xc = x[i : i + CHUNK]
        body(xc, buf[: xc.shape[0]])


def gamma_passes(xc: np.ndarray, b: np.ndarray) -> None:
    # Gamma: one log and the sums of x and log x
    np.log(xc, out=b)
    xc.sum(), b.sum()


def beta_passes(xc: np.ndarray, b: np.ndarray) -> None:
    # Beta: log x, log1p(-x) and their sums
    np.log(xc, out=b)
    b.sum()
    np.negative(xc, out=b)
    np.log1p(b, out=b)
    b.sum()


def lognormal_passes(xc: np.ndarray, b: np.ndarray) -> None:
    # LogNormal: log x, its sum and its sum of squares
    np.log(xc, out=b)
    b.sum(), np.dot(b, b)


def floor_gamma(x: np.ndarray) -> None:
    lx = np.log(x)
    np.sum(x), np.sum(lx)


def floor_beta(x: np.ndarray) -> None:
    np.sum(np.log(x)), np.sum(np.log1p(-x))


def floor_lognormal(x: np.ndarray) -> None:
    lx = np.log(x)
    np.sum(lx), np.dot(lx, lx)


def floor_weibull(x: np.ndarray) -> None:
    # the statistic: log x; one profile-Newton pass: exp(k y) and three dot products
    lx = np.log(x)
    y = lx - np.max(lx)
    e = np.exp(1.5 * y)
    ey = e * y
    np.sum(e), np.sum(ey), np.dot(ey, y), np.sum(y)


def floor_t(x: np.ndarray) -> None:
    # one pass of the score and Hessian: z, D = nu + z^2 and a few weighted sums
    z = x - 0.1
    d = 3.0 + z * z
    r = z / d
    np.sum(np.log(d)), np.sum(r), np.dot(r, z), np.sum(1.0 / d)


def floor_counts(x: np.ndarray) -> None:
    np.bincount(x.astype(np.int64))


REPEAT = 15  # best of this many calls of scipy's equivalent fit (within 2 s)

CASES: list[tuple[str, Any, Callable[..., Any], Any, Any, Any, bool]] = [
    # name, thetahat family, sampler, scipy equivalent, scipy default, floor, discrete
    ("Gamma", th.Gamma, lambda r, n: r.gamma(1.7, 2.0, n),
     lambda x: stats.gamma(*stats.gamma.fit(x, floc=0)),
     lambda x: stats.gamma(*stats.gamma.fit(x)), (floor_gamma, gamma_passes), False),
    ("Beta", th.Beta, lambda r, n: r.beta(2.0, 5.0, n),
     lambda x: stats.beta(*stats.beta.fit(x, floc=0, fscale=1)),
     lambda x: stats.beta(*stats.beta.fit(x)), (floor_beta, beta_passes), False),
    ("LogNormal", th.LogNormal, lambda r, n: r.lognormal(0.5, 0.8, n),
     lambda x: stats.lognorm(*stats.lognorm.fit(x, floc=0)),
     lambda x: stats.lognorm(*stats.lognorm.fit(x)), (floor_lognormal, lognormal_passes), False),
    ("Weibull", th.Weibull, lambda r, n: 2.0 * r.weibull(1.5, n),
     lambda x: stats.weibull_min(*stats.weibull_min.fit(x, floc=0)),
     lambda x: stats.weibull_min(*stats.weibull_min.fit(x)), floor_weibull, False),
    ("StudentT", th.StudentT, lambda r, n: 0.1 + r.standard_t(3.0, n),
     lambda x: stats.t(*stats.t.fit(x)), None, floor_t, False),
    ("NegativeBinomial", th.NegativeBinomial, lambda r, n: r.negative_binomial(2.5, 0.3, n),
     nbinom_fit, None, floor_counts, True),
]  # fmt: skip


def _arg(name: str, default: str) -> str:
    return next((a.split("=", 1)[1] for a in sys.argv if a.startswith(f"--{name}=")), default)


def main() -> None:
    quick = "--quick" in sys.argv
    sizes = [int(float(v)) for v in _arg("sizes", "1e4" if quick else "1e5,1e6").split(",")]
    scipy_max = int(float(_arg("scipy-max", "1e6")))
    only_arg = _arg("only", "")
    only = only_arg.split(",") if only_arg else None
    rng = np.random.default_rng(2024)
    head = (
        f"{'family':<17}{'n':>8}{'th s':>9}{'eq s':>9}{'eq/th':>8}{'dll eq':>10}"
        f"{'dflt s':>9}{'dflt/th':>8}{'dll dflt':>10}{'floor s':>9}{'th/floor':>9}"
        f"{'spread':>12}{'iters':>6}"
    )
    from thetahat import _fastpath

    print(
        f"# {platform.machine()}, {os.cpu_count()} cpus, python {platform.python_version()}, "
        f"numpy {np.__version__}, BLAS threads {os.environ['OPENBLAS_NUM_THREADS']}, "
        f"thetahat threads {_fastpath.num_threads()}, fit kernels "
        f"{'compiled' if _fastpath.HAVE_FIT_KERNELS else 'numpy fallback'}"
    )
    print(head)
    print("-" * len(head))
    for name, fam, sampler, eq_fit, default_fit, floor, discrete in CASES:
        if only is not None and name not in only:
            continue
        for n in sizes:
            x = sampler(rng, n)
            whole, passes = floor if isinstance(floor, tuple) else (floor, None)
            fns = [lambda fam=fam, x=x: th.fit(fam, x), lambda f=whole, x=x: f(x)]
            if passes is not None:
                fns.append(lambda p=passes, x=x: chunked(x, p))
            times, est, rounds = best_interleaved(fns, repeats_for(fns[0]))
            t_th, t_fl = times[0], min(times[1:])
            per_round = [r[0] / min(r[1:]) for r in rounds]
            q25, q75 = np.percentile(per_round, [25, 75])
            spread = f"{q25:.2f}-{q75:.2f}"
            ll_th = loglik(est.dist.to_scipy(), x, discrete)
            if n > scipy_max:
                print(
                    f"{name:<17}{n:>8.0e}{t_th:>9.5f}{'-':>9}{'-':>8}{'-':>10}{'-':>9}{'-':>8}"
                    f"{'-':>10}{t_fl:>9.5f}{t_th / t_fl:>9.2f}{spread:>12}{est.iterations:>6}"
                )
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t_eq, d_eq = best_time(lambda f=eq_fit, x=x: f(x), REPEAT)
                if default_fit is not None:
                    t_df, d_df = best_time(lambda f=default_fit, x=x: f(x), 1)
                else:  # scipy's default call is the equivalent one
                    t_df, d_df = t_eq, d_eq
            ll_eq, ll_df = loglik(d_eq, x, discrete), loglik(d_df, x, discrete)
            print(
                f"{name:<17}{n:>8.0e}{t_th:>9.5f}{t_eq:>9.5f}{t_eq / t_th:>8.1f}"
                f"{ll_th - ll_eq:>10.3g}{t_df:>9.3f}{t_df / t_th:>8.1f}{ll_th - ll_df:>10.3g}"
                f"{t_fl:>9.5f}{t_th / t_fl:>9.2f}{spread:>12}{est.iterations:>6}"
            )


if __name__ == "__main__":
    main()
