"""GLM families and count models: thetahat vs glum and statsmodels.

    PYTHONPATH=src python benchmarks/glm_families.py                 # the default cells
    PYTHONPATH=src python benchmarks/glm_families.py --n 1e5 --rounds 2
    PYTHONPATH=src python benchmarks/glm_families.py --sm-n 1e5   # statsmodels on 1e5 rows, x10

Cells: Gamma regression with a log link and Tweedie (p = 1.5, log link), n x d
(default 1e6 x 50), against glum (``GeneralizedLinearRegressor``, alpha = 0, its
tolerance tightened to 1e-10) and statsmodels GLM (IRLS, standard errors included);
zero-inflated Poisson (default 1e6 rows, d = 5, inflation on the same X) against
statsmodels' ``ZeroInflatedPoisson`` (Newton, from its default start). Each cell
runs in a fresh process; contenders are interleaved round by round, best round
reported with the spread (worst / best). thetahat's time includes its standard
errors (``estimate_.se``), statsmodels' its ``bse``; glum computes none. Wall and
process CPU time (all threads) are both reported: on a shared machine the CPU ratio
is the one to read. The
"gap" column is each answer's objective (unit negative log-likelihood) minus the
best reached, relative to it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import warnings
from typing import Any

import numpy as np


def make_data(kind: str, n: int, d: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng([seed, n, d, len(kind)])
    X = rng.standard_normal((n, d))
    beta = rng.normal(size=d) * 0.5 / np.sqrt(d)
    mu = np.exp(0.5 + X @ beta)
    if kind == "gamma":
        y = rng.gamma(2.0, mu / 2.0)
    elif kind == "tweedie":  # compound Poisson-gamma, p = 1.5, phi = 1
        p, phi = 1.5, 1.0
        lam = mu ** (2 - p) / (phi * (2 - p))
        counts = rng.poisson(lam)
        shape = (2 - p) / (p - 1)
        y = np.where(
            counts > 0,
            rng.gamma(np.maximum(counts * shape, 1e-12), phi * (p - 1) * mu ** (p - 1)),
            0.0,
        )
    else:  # zip
        pi = 1.0 / (1.0 + np.exp(-(-1.0 + 0.5 * X[:, 0])))
        y = np.where(rng.uniform(size=n) < pi, 0.0, rng.poisson(mu)).astype(float)
    return X, y


def objective(kind: str, X: np.ndarray, y: np.ndarray, params: np.ndarray) -> float:
    """Negative log-likelihood up to constants (params: intercept, coef[, inflation])."""
    d = X.shape[1]
    eta = params[0] + X @ params[1 : d + 1]
    mu = np.exp(eta)
    if kind == "gamma":
        return float(np.sum(y / mu + eta))
    if kind == "tweedie":
        p = 1.5
        return float(np.sum(mu ** (2 - p) / (2 - p) - y * mu ** (1 - p) / (1 - p)))
    u = params[d + 1] + X @ params[d + 2 :]
    l0 = np.logaddexp(u, -mu)
    ll = np.where(y == 0, l0, y * eta - mu) - np.logaddexp(0.0, u)
    return float(-np.sum(ll))


def fit(method: str, kind: str, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
    info: dict[str, Any] = {}
    d = X.shape[1]
    if method == "thetahat":
        from thetahat.regression import GLMRegression, ZeroInflatedPoissonRegression

        if kind == "zip":
            m = ZeroInflatedPoissonRegression().fit(X, y)
            est = m.estimate_
            info["se_ok"] = bool(np.all(np.isfinite(list(est.se.values()))))
            info["iters"] = m.n_iter_
            return np.r_[m.intercept_, m.coef_, m.inflation_intercept_, m.inflation_coef_], info
        g = GLMRegression(family=kind, link="log", power=1.5 if kind == "tweedie" else None)
        g.fit(X, y)
        info["se_ok"] = bool(np.all(np.isfinite(list(g.estimate_.se.values()))))
        info["iters"] = g.n_iter_
        return np.r_[g.intercept_, g.coef_], info
    if method == "glum":
        from glum import GeneralizedLinearRegressor, TweedieDistribution

        fam: Any = "gamma" if kind == "gamma" else TweedieDistribution(1.5)
        r = GeneralizedLinearRegressor(family=fam, link="log", alpha=0.0, gradient_tol=1e-10).fit(
            X, y
        )
        info["iters"] = int(r.n_iter_)
        return np.r_[r.intercept_, r.coef_], info
    import statsmodels.api as sm

    A = sm.add_constant(X, prepend=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "zip":
            from statsmodels.discrete.count_model import ZeroInflatedPoisson

            r = ZeroInflatedPoisson(y, A, exog_infl=A).fit(method="newton", maxiter=100, disp=0)
            par = np.asarray(r.params)
            info["se_ok"] = bool(np.all(np.isfinite(r.bse)))
            info["iters"] = int(r.mle_retvals.get("iterations", -1))
            # statsmodels: inflation first
            return np.r_[par[d + 1 :], par[: d + 1]], info
        fam = (
            sm.families.Gamma(sm.families.links.Log())
            if kind == "gamma"
            else sm.families.Tweedie(var_power=1.5, link=sm.families.links.Log())
        )
        r = sm.GLM(y, A, family=fam).fit(tol=1e-10)
        info["se_ok"] = bool(np.all(np.isfinite(r.bse)))
        info["iters"] = int(r.fit_history["iteration"])
        return np.asarray(r.params), info


def cell(kind: str, n: int, d: int, rounds: int, methods: list[str]) -> dict[str, Any]:
    X, y = make_data(kind, n, d)
    out: dict[str, Any] = {m: {"wall": [], "cpu": []} for m in methods}
    for m in methods:  # imports and first-call costs, untimed
        fit(m, kind, X[:2000], y[:2000])
    for _ in range(rounds):
        for m in methods:
            if out[m]["wall"] and out[m]["wall"][0] > 120.0:
                continue  # one round of a fit this slow is enough
            t0, c0 = time.perf_counter(), time.process_time()
            params, info = fit(m, kind, X, y)
            out[m]["wall"].append(time.perf_counter() - t0)
            out[m]["cpu"].append(time.process_time() - c0)  # all threads of the process
            out[m]["params"], out[m]["info"] = params, info
    objs = {m: objective(kind, X, y, out[m]["params"]) for m in methods}
    best = min(objs.values())
    return {
        m: {
            "best": min(out[m]["wall"]),
            "cpu": min(out[m]["cpu"]),
            "spread": max(out[m]["wall"]) / min(out[m]["wall"]),
            "rounds": len(out[m]["wall"]),
            "gap": (objs[m] - best) / abs(best),
            "info": out[m]["info"],
        }
        for m in methods
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=float, default=1e6)
    ap.add_argument("--d", type=int, default=50)
    ap.add_argument("--zip-n", type=float, default=1e6)
    ap.add_argument("--zip-d", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--kind", nargs="+", default=["gamma", "tweedie", "zip"])
    ap.add_argument(
        "--sm-n",
        type=float,
        default=0,
        help="fit statsmodels on this many rows (the first ones) and scale its times by "
        "n / sm_n (its IRLS/Newton passes are linear in n); its gap is then against "
        "thetahat on the same rows",
    )
    args = ap.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cpus, python "
        f"{platform.python_version()}, numpy {np.__version__}, load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    for kind in args.kind:
        n, d = (int(args.zip_n), args.zip_d) if kind == "zip" else (int(args.n), args.d)
        methods = (
            ["thetahat", "statsmodels"] if kind == "zip" else ["thetahat", "glum", "statsmodels"]
        )
        sm_n = int(args.sm_n) if 0 < args.sm_n < n else n
        load = os.getloadavg()[0]
        if sm_n < n:
            res = _run_cell(kind, n, d, args.rounds, methods[:-1])
            small = _run_cell(kind, sm_n, d, 1, ["thetahat", "statsmodels"])
            sm = small["statsmodels"]
            sm["best"] *= n / sm_n
            sm["cpu"] *= n / sm_n
            res[f"statsmodels (at {sm_n:.0e} rows, x {n / sm_n:g})"] = sm
        else:
            res = _run_cell(kind, n, d, args.rounds, methods)
        ours = res["thetahat"]
        print(f"\n### {kind} n={n:.0e} d={d} (load average {load:.1f} at the start)\n")
        print(
            "| method | wall s (best) | spread | rounds | wall x thetahat | CPU s (best) "
            "| CPU x thetahat | rel. objective gap | SEs | iters |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|")
        for m, r in res.items():
            print(
                f"| {m} | {r['best']:.3f} | {r['spread']:.2f} | {r['rounds']} | "
                f"{r['best'] / ours['best']:.2f} | {r['cpu']:.3f} | "
                f"{r['cpu'] / ours['cpu']:.2f} | {r['gap']:.1e} | "
                f"{'yes' if r['info'].get('se_ok') else 'no'} | {r['info'].get('iters', '-')} |",
                flush=True,
            )


def _run_cell(kind: str, n: int, d: int, rounds: int, methods: list[str]) -> dict[str, Any]:
    """One cell in a fresh process (its JSON result)."""
    proc = subprocess.run(
        [sys.executable, __file__, "--cell", kind, str(n), str(d), str(rounds), *methods],
        capture_output=True,
        text=True,
        check=True,
    )
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


if __name__ == "__main__":
    if len(sys.argv) >= 7 and sys.argv[1] == "--cell":
        k, n_, d_, r_ = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        print(json.dumps(cell(k, n_, d_, r_, sys.argv[6:]), default=float))
    else:
        main()
