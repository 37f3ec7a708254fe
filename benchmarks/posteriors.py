"""Quadrature posteriors vs MCMC at matched accuracy, and ab_test throughput.

One run prints, for the Gamma and Weibull posteriors (two free parameters, Gamma(2, 1)
priors), the time of ``th.posterior(method="quadrature")`` and of emcee (the sampler
``method="mcmc"`` runs, on the same log posterior) to reach matched accuracy: the
Monte Carlo standard error of every posterior mean at most 1% of its posterior sd
(bulk ESS >= 10^4, what quadrature's ~1e-10 refinement error comfortably beats). The
emcee time is measured on a shorter run and scaled by its bulk ESS per second (ESS
grows linearly with the run). Contenders are interleaved, best of ``--repeat``.
Then ``th.ab_test`` on 10^4 pairs of Beta-Binomial arms (comparisons per second).

PyMC and NumPyro are not dependencies of the project; emcee is the peer here.
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings

import numpy as np

import thetahat as th

PRIORS = {
    "Gamma": {"shape": th.Gamma(2.0, 1.0), "rate": th.Gamma(2.0, 1.0)},
    "Weibull": {"shape": th.Gamma(2.0, 1.0), "scale": th.Gamma(2.0, 1.0)},
}
TARGET_ESS = 10_000.0


def _data(family: str, n: int) -> np.ndarray:
    rng = np.random.default_rng(7)
    if family == "Gamma":
        return rng.gamma(2.0, 1.0 / 1.5, n)
    return 1.3 * rng.weibull(1.7, n)


def _quad(fam, x, prior):
    t = time.perf_counter()
    post = th.posterior(fam, x, prior=prior, method="quadrature")
    return time.perf_counter() - t, post


def _mcmc(fam, x, prior, draws):
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        opts = {"draws": draws, "tune": 500, "max_draws": draws, "rng": 1}
        post = th.posterior(fam, x, prior=prior, method="mcmc", mcmc=opts)
    return time.perf_counter() - t, post


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,100000")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--draws", type=int, default=1000)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"# posteriors benchmark, {stamp}, {platform.machine()}, "
          f"Python {platform.python_version()}, numpy {np.__version__}")  # fmt: skip
    print("| family | n | quadrature s | evaluations | emcee s (measured) | emcee ESS | "
          "emcee s at ESS 1e4 | max abs(mean diff)/sd | ratio |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in ("Gamma", "Weibull"):
        fam = getattr(th, name)
        for n in sizes:
            x = _data(name, n)
            prior = PRIORS[name]
            tq, tm = [], []
            for _ in range(args.repeat):  # interleaved
                t, q = _quad(fam, x, prior)
                tq.append(t)
                t, m = _mcmc(fam, x, prior, args.draws)
                tm.append((t, m))
            best_q = min(tq)
            t_m, m = min(tm, key=lambda v: v[0])
            ess = float(m.diagnostics["ess_bulk"])
            matched = t_m * TARGET_ESS / ess
            diff = max(abs(q.mean()[k] - m.mean()[k]) / np.sqrt(q.var()[k]) for k in q.names)
            cells = [name, f"{n:.0e}", f"{best_q:.3f}", str(q.dist.n_evaluations), f"{t_m:.2f}",
                     f"{ess:.0f}", f"{matched:.1f}", f"{diff:.3f}",
                     f"{matched / best_q:.0f}x"]  # fmt: skip
            print("| " + " | ".join(cells) + " |")
    rng = np.random.default_rng(0)
    trials = rng.integers(50, 5000, 10_000)
    sa, sb = rng.binomial(trials, 0.10), rng.binomial(trials, 0.11)
    times = []
    for _ in range(max(3, args.repeat)):
        t = time.perf_counter()
        res = th.ab_test(sa, trials, sb, trials)
        times.append(time.perf_counter() - t)
    best = min(times)
    methods = {str(m): int(np.sum(res.method == m)) for m in set(res.method)}
    print(
        f"\nab_test: 10^4 pairs in {best:.3f} s (best of {len(times)}; spread "
        f"{min(times):.3f}-{max(times):.3f} s) = {1e4 / best:,.0f} comparisons/s; "
        f"methods {methods}; max error of P(B > A) {np.max(res.prob_b_better_error):.2e}"
    )


if __name__ == "__main__":
    main()
