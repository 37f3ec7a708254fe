"""Sparse-X benchmark (issue 17): thetahat vs scikit-learn and glum on hashed features.

    PYTHONPATH=src python benchmarks/sparse.py                      # (a) and (c), default sizes
    PYTHONPATH=src python benchmarks/sparse.py --part a --n 1e6 --p 1e5 --rounds 1
    PYTHONPATH=src python benchmarks/sparse.py --part c --n 2e5 --p 1e3 1e4

Data: ``n`` rows, ``p`` hashed features, 20 nonzeros per row (values +-1 at
uniformly drawn columns, as a signed feature hasher makes them); a tenth of the
true weights nonzero; a binary target (logistic) or counts (Poisson).

* **(a) wide logistic**, L2 prior ``Normal(0, 1)`` = scikit-learn's ``C = 1``,
  coefficients only: thetahat's Hessian-free Newton-CG (its covariance is lazy: not
  formed by the fit) vs scikit-learn's ``lbfgs`` (at its default tol 1e-4 and at
  1e-6) and ``saga``; then the time thetahat takes for the standard errors of 100
  chosen coefficients (``standard_errors``: block conjugate gradients).
* **(c) glum**, binary and Poisson with the same prior (glum's ``alpha = 1 / n``),
  thetahat vs glum's default solver (IRLS with its formed Hessian).

Per contender: the objective reached (negative log posterior), its gap to the best
any contender reached (relative), and the peak memory allocated during the fit
beyond the data (tracemalloc, a separate untimed fit, every contender measured the
same way in the same fresh process: what NumPy and Python allocate, X and y
excluded). Timed rounds interleave the contenders (the machine is shared: a load
burst hits all of them); the table gives the best round and the spread (worst /
best), wall and process CPU time (all threads). Each scale runs in a fresh process.
``--no-se`` leaves out (a)'s standard errors (minutes at n = 1e6).
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

NNZ_PER_ROW = 20


def make_data(n: int, p: int, kind: str, seed: int = 17) -> tuple[Any, np.ndarray]:
    import scipy.sparse as sp

    rng = np.random.default_rng([seed, n, p])
    cols = rng.integers(0, p, size=n * NNZ_PER_ROW).astype(np.int32)
    vals = rng.choice([-1.0, 1.0], size=n * NNZ_PER_ROW)
    indptr = np.arange(0, n * NNZ_PER_ROW + 1, NNZ_PER_ROW, dtype=np.int32)  # saga: 32-bit
    X = sp.csr_array((vals, cols, indptr), shape=(n, p))
    X.sum_duplicates()
    beta = rng.normal(size=p) * (rng.random(p) < 0.1)
    eta = X @ beta
    if kind == "logistic":
        y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(eta - 0.5)))).astype(float)
    else:
        y = rng.poisson(np.exp(0.2 + 0.3 * eta)).astype(float)
    return X, y


def objective(kind: str, X: Any, y: np.ndarray, w: np.ndarray, b: float) -> float:
    """Negative log posterior under Normal(0, 1) on the weights (flat intercept)."""
    eta = X @ w + b
    if kind == "logistic":
        nll = float(np.sum(np.logaddexp(0.0, eta) - y * eta))
    else:
        nll = float(np.sum(np.exp(eta) - y * eta))  # (log y! omitted: a constant)
    return nll + 0.5 * float(w @ w)


def fit(method: str, kind: str, X: Any, y: np.ndarray) -> tuple[np.ndarray, float, Any]:
    n = X.shape[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "thetahat":
            import thetahat as th
            from thetahat.regression import LogisticRegression, PoissonRegression

            cls = LogisticRegression if kind == "logistic" else PoissonRegression
            m = cls(prior=th.Normal(0, 1), tol=1e-8).fit(X, y)
            return m.coef_, m.intercept_, m
        if method.startswith("sklearn"):
            from sklearn.linear_model import LogisticRegression as SkLogistic

            solver = method.split()[1]
            tol = float(method.split("tol=")[1]) if "tol=" in method else 1e-4
            s = SkLogistic(C=1.0, solver=solver, tol=tol, max_iter=100_000).fit(X, y)
            return s.coef_[0], float(s.intercept_[0]), s
        if method == "glum":
            from glum import GeneralizedLinearRegressor

            fam = "binomial" if kind == "logistic" else "poisson"
            g = GeneralizedLinearRegressor(family=fam, alpha=1.0 / n, gradient_tol=1e-8).fit(X, y)
            return np.asarray(g.coef_), float(g.intercept_), g
    raise ValueError(method)


PEERS = {"a": ["sklearn lbfgs", "sklearn lbfgs tol=1e-6", "sklearn saga"], "c": ["glum"]}


def cell(
    part: str,
    kind: str,
    n: int,
    p: int,
    rounds: int,
    peers: list[str] | None = None,
    se: bool = True,
) -> dict[str, Any]:
    import tracemalloc

    X, y = make_data(n, p, kind)
    methods = ["thetahat", *(PEERS[part] if peers is None else peers)]
    for m in methods:  # imports outside the timing
        fit(m, kind, X[:200], y[:200])
    out: dict[str, Any] = {m: {"times": [], "cpu": []} for m in methods}
    tracemalloc.start()
    for m in methods:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        w, b, model = fit(m, kind, X, y)
        out[m]["mb"] = (tracemalloc.get_traced_memory()[1] - before) / 2**20
        out[m]["obj"] = objective(kind, X, y, w, b)
        if m == "thetahat" and part == "a" and se:
            chosen = np.random.default_rng(0).choice(p, 100, replace=False)
            tracemalloc.stop()
            t0, c0 = time.perf_counter(), time.process_time()
            model.standard_errors([int(j) for j in chosen])
            out[m]["se100_s"] = time.perf_counter() - t0
            out[m]["se100_cpu"] = time.process_time() - c0
            out[m]["cov_formed"] = bool(model.estimate_.cov.formed)
            tracemalloc.start()
        del model
    tracemalloc.stop()
    for _ in range(rounds):
        for m in methods:
            t0, c0 = time.perf_counter(), time.process_time()
            fit(m, kind, X, y)
            out[m]["times"].append(time.perf_counter() - t0)
            out[m]["cpu"].append(time.process_time() - c0)
    best = min(out[m]["obj"] for m in methods)
    for m in methods:
        out[m]["gap"] = (out[m]["obj"] - best) / abs(best)
    return out


def run_cell(
    part: str, kind: str, n: int, p: int, rounds: int, peers: list[str] | None, se: bool = True
) -> dict[str, Any]:
    code = (
        "import json, sys; sys.path.insert(0, 'benchmarks'); import sparse; "
        f"print(json.dumps(sparse.cell({part!r}, {kind!r}, {n}, {p}, {rounds}, {peers!r}, "
        f"{se!r})))"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    )
    return json.loads(res.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def print_cell(part: str, kind: str, n: int, p: int, res: dict[str, Any]) -> None:
    ref = min(res["thetahat"]["times"])
    print(f"\n({part}) {kind}, n = {n:.0e}, p = {p:.0e}, {NNZ_PER_ROW} nonzeros per row")
    cref = min(res["thetahat"]["cpu"])
    print(
        "| method | best wall s | spread | wall ratio | best cpu s | cpu ratio | objective gap "
        "| peak MB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for m, r in res.items():
        t, c = min(r["times"]), min(r["cpu"])
        spread = max(r["times"]) / t
        print(
            f"| {m} | {t:.2f} | {spread:.2f} | {t / ref:.2f} | {c:.2f} | {c / cref:.2f} "
            f"| {r['gap']:.1e} | {r['mb']:.1f} |"
        )
    if "se100_s" in res["thetahat"]:
        print(
            f"se of 100 chosen coefficients: {res['thetahat']['se100_s']:.2f} s wall, "
            f"{res['thetahat']['se100_cpu']:.2f} s cpu "
            f"(covariance formed: {res['thetahat']['cov_formed']})"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--part", choices=["a", "c", "both"], default="both")
    ap.add_argument("--n", type=float, nargs="+", default=[2e5])
    ap.add_argument("--p", type=float, nargs="+", default=None)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument(
        "--peers", nargs="+", default=None, help="e.g. 'sklearn lbfgs' (default: all of the part)"
    )
    ap.add_argument("--no-se", action="store_true", help="(a) without the se of 100 coefficients")
    args = ap.parse_args()
    print(
        f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.machine()}, "
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
    )
    parts = ["a", "c"] if args.part == "both" else [args.part]
    for part in parts:
        ps = args.p or ([1e5] if part == "a" else [1e3, 1e4])
        kinds = ["logistic"] if part == "a" else ["logistic", "poisson"]
        for n in args.n:
            for p in ps:
                for kind in kinds:
                    res = run_cell(
                        part, kind, int(n), int(p), args.rounds, args.peers, not args.no_se
                    )
                    print_cell(part, kind, int(n), int(p), res)
                    sys.stdout.flush()


if __name__ == "__main__":
    main()
