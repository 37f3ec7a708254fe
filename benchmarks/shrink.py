"""Benchmark: Beta-Binomial shrinkage of 10^6 groups, end to end, against scipy.

One run, one table (times are the best of ``REPEAT`` runs, measured here):

* ``th.shrink`` end to end: input checks, the prior fit (Newton on counted
  rising-factorial sums), per-group posteriors (mean, mode, 95% interval);
  once from per-group arrays, once from 5 x 10^6 rows with a group label
  (per-group sums included);
* the same marginal likelihood maximised by ``scipy.optimize.minimize``:
  L-BFGS-B with the analytic gradient (betaln + digamma over all groups), and
  Nelder-Mead on betaln alone; these fit the prior only, no posteriors;
* one vectorised ``scipy.special.betaln`` pass over the groups (the floor: any
  evaluation of the marginal likelihood costs at least this);
* ablations of the two aggregation ideas: the fit with per-group
  digamma/trigamma Newton sums instead of histograms, and the intervals with
  ``betaincinv`` on every group instead of once per distinct (k, n) pair, and
  the pair deduplication by ``np.unique`` instead of a dense bincount.

Run: ``PYTHONPATH=src python benchmarks/shrink.py``
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import optimize
from scipy import special as sc

import thetahat as th
from thetahat.shrink._binomial import beta_binomial_fit, beta_binomial_groups
from thetahat.shrink._common import pair_index

M = 1_000_000
ROWS = 5_000_000
REPEAT = 3


def best(fn: Callable[[], Any], repeat: int = REPEAT) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def make_data(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # ad-like groups: trials 1 + Poisson(25), click rates ~ Beta(2, 30)
    n = 1.0 + rng.poisson(25.0, M)
    k = rng.binomial(n.astype(np.int64), rng.beta(2.0, 30.0, M)).astype(float)
    return k, n


def negll_and_grad(u: np.ndarray, k: np.ndarray, n: np.ndarray) -> tuple[float, np.ndarray]:
    a, b = np.exp(u)
    f = np.sum(sc.betaln(a + k, b + n - k)) - k.shape[0] * sc.betaln(a, b)
    dab = sc.digamma(a + b + n)
    ga = np.sum(sc.digamma(a + k) - dab) - k.shape[0] * (sc.digamma(a) - sc.digamma(a + b))
    gb = np.sum(sc.digamma(b + n - k) - dab) - k.shape[0] * (sc.digamma(b) - sc.digamma(a + b))
    return -float(f), -np.array([a * ga, b * gb])


def scipy_lbfgs(k: np.ndarray, n: np.ndarray) -> tuple[float, float, int]:
    res = optimize.minimize(
        negll_and_grad,
        np.log([1.0, 10.0]),
        args=(k, n),
        jac=True,
        method="L-BFGS-B",
        options={"gtol": 1e-6},
    )
    a, b = np.exp(res.x)
    return float(a), float(b), int(res.nfev)


def scipy_nelder_mead(k: np.ndarray, n: np.ndarray) -> tuple[float, float, int]:
    def nll(u: np.ndarray) -> float:
        a, b = np.exp(u)
        return -float(np.sum(sc.betaln(a + k, b + n - k)) - k.shape[0] * sc.betaln(a, b))

    res = optimize.minimize(
        nll, np.log([1.0, 10.0]), method="Nelder-Mead", options={"xatol": 1e-6, "fatol": 1e-6}
    )
    a, b = np.exp(res.x)
    return float(a), float(b), int(res.nfev)


def per_group_newton(k: np.ndarray, n: np.ndarray, a: float, b: float, iters: int) -> None:
    """The fit's Newton sums evaluated over every group (no histograms), ``iters`` times."""
    for _ in range(iters + 1):
        s = a + b
        sc.digamma(a + k).sum(), sc.digamma(b + n - k).sum(), sc.digamma(s + n).sum()
        sc.polygamma(1, a + k).sum(), sc.polygamma(1, b + n - k).sum()
        sc.polygamma(1, s + n).sum()


def main() -> None:
    rng = np.random.default_rng(20261122)
    k, n = make_data(rng)

    t_betaln, _ = best(lambda: sc.betaln(2.0 + k, 30.0 + n - k))
    t_arrays, (res, _) = best(lambda: (r := th.shrink(k, n), r.table))
    a, b = res.prior.a, res.prior.b

    # a harder case: heavy-tailed trials (log-normal views), many distinct (k, n) pairs
    n_heavy = np.ceil(rng.lognormal(3.0, 1.5, M))
    k_heavy = rng.binomial(n_heavy.astype(np.int64), rng.beta(2.0, 30.0, M)).astype(float)
    t_heavy, _ = best(lambda: (r := th.shrink(k_heavy, n_heavy), r.table))
    t_betaln_heavy, _ = best(lambda: sc.betaln(2.0 + k_heavy, 30.0 + n_heavy - k_heavy))
    heavy_pairs = pair_index(k_heavy, n_heavy)[0].shape[0]

    # rows: 5 x 10^6 daily rows of 10^6 ads, each row 1 + Poisson(4) trials
    owner = rng.integers(0, M, ROWS)
    owner[:M] = rng.permutation(M)  # every group present, in a shuffled order
    theta = rng.beta(2.0, 30.0, M)
    nr = 1.0 + rng.poisson(4.0, ROWS)
    kr = rng.binomial(nr.astype(np.int64), theta[owner]).astype(float)
    t_rows, res_rows = best(lambda: th.shrink(kr, nr, group=owner), repeat=2)
    g = res_rows.groups.astype(np.intp)
    ref_rows = th.shrink(
        np.bincount(owner, weights=kr, minlength=M)[g],
        np.bincount(owner, weights=nr, minlength=M)[g],
    )
    same = np.allclose(
        res_rows.table["posterior_mean"].to_numpy(), ref_rows.table["posterior_mean"].to_numpy()
    )

    t_fit, fit = best(lambda: beta_binomial_fit(k, n))
    t_post, _ = best(lambda: beta_binomial_groups(k, n, fit, 0.95))
    t_lbfgs, (la, lb, l_nfev) = best(lambda: scipy_lbfgs(k, n), repeat=1)
    t_nm, (na, nb, nm_nfev) = best(lambda: scipy_nelder_mead(k, n), repeat=1)

    # ablations
    t_pg_newton, _ = best(lambda: per_group_newton(k, n, a, b, max(fit.iterations, 1)), repeat=1)
    t_pg_interval, _ = best(
        lambda: (sc.betaincinv(a + k, b + n - k, 0.025), sc.betaincinv(a + k, b + n - k, 0.975)),
        repeat=1,
    )
    t_pairs_dense, (uk, _, _) = best(lambda: pair_index(k, n))
    t_pairs_unique, _ = best(lambda: np.unique(n * (n.max() + 1) + k, return_inverse=True))

    ll_ours = res.loglik

    def ll(a_: float, b_: float) -> float:
        return float(
            np.sum(sc.betaln(a_ + k, b_ + n - k))
            - M * sc.betaln(a_, b_)
            + np.sum(sc.gammaln(n + 1) - sc.gammaln(k + 1) - sc.gammaln(n - k + 1))
        )

    rows = [
        (
            "th.shrink, 10^6 groups from arrays (end to end)",
            t_arrays,
            "posteriors and the .table DataFrame included",
        ),
        (
            "th.shrink, 5x10^6 rows -> 10^6 groups (end to end)",
            t_rows,
            f"per-group sums included; same result: {same}",
        ),
        (
            "th.shrink, heavy-tailed trials (end to end)",
            t_heavy,
            f"{heavy_pairs} distinct pairs, max n {n_heavy.max():.0f}; "
            f"{t_heavy / t_betaln_heavy:.2f}x its own betaln pass",
        ),
        (
            "  of which: prior fit (Newton, histogram sums)",
            t_fit,
            f"{fit.iterations} Newton iterations",
        ),
        ("  of which: per-group posteriors", t_post, f"{uk.shape[0]} distinct (k, n) pairs"),
        (
            "scipy.optimize L-BFGS-B, analytic gradient",
            t_lbfgs,
            f"{l_nfev} evaluations; loglik gap {ll(la, lb) - ll_ours:+.2e} (prior only)",
        ),
        (
            "scipy.optimize Nelder-Mead",
            t_nm,
            f"{nm_nfev} evaluations; loglik gap {ll(na, nb) - ll_ours:+.2e} (prior only)",
        ),
        ("one scipy.special.betaln pass over the groups", t_betaln, "the floor"),
        ("ablation: Newton sums over every group", t_pg_newton, "digamma + trigamma per group"),
        ("ablation: betaincinv on every group", t_pg_interval, "instead of per distinct pair"),
        ("ablation: pair dedup by np.unique (sort)", t_pairs_unique, "instead of dense bincount"),
        ("pair dedup by dense bincount (used)", t_pairs_dense, ""),
    ]
    print(
        f"# shrink benchmark: {M:,} groups; {platform.machine()}, {os.cpu_count()} cpus, "
        f"python {platform.python_version()}, numpy {np.__version__}"
    )
    print(f"# fitted prior Beta({a:.5g}, {b:.5g}); loglik {ll_ours:.10g}")
    print()
    print(f"| {'what':<52} | {'seconds':>8} | {'vs th.shrink':>12} | note |")
    print(f"|{'-' * 54}|{'-' * 10}:|{'-' * 14}:|------|")
    for name, t, note in rows:
        print(f"| {name:<52} | {t:8.3f} | {t / t_arrays:11.2f}x | {note} |")
    print()
    print(f"scipy L-BFGS-B / th.shrink end to end: {t_lbfgs / t_arrays:.1f}x (goal >= 10x)")
    print(f"scipy Nelder-Mead / th.shrink end to end: {t_nm / t_arrays:.1f}x")
    print(f"th.shrink end to end / one betaln pass: {t_arrays / t_betaln:.2f}x (goal <= 3x)")


if __name__ == "__main__":
    main()
