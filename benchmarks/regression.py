"""Regression benchmark: thetahat vs scikit-learn and statsmodels, one run, one table.

Peak memory: each (problem, method) fits once in a fresh subprocess that builds the
same seeded data; the column is tracemalloc's peak of the memory allocated during the
fit (NumPy buffers included; the data themselves excluded). Times: best of five
wall-clock fits per method, all methods of a problem interleaved in one process.

    PYTHONPATH=src python benchmarks/regression.py
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import time
from typing import Any

import numpy as np

N_BIG, D_BIG = 1_000_000, 50
N_PATH, D_PATH, N_ALPHAS = 100_000, 500, 100


def _data(kind: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2024)
    n, d = (N_PATH, D_PATH) if kind == "path" else (N_BIG, D_BIG)
    X = np.empty((n, d))
    for s in range(0, n, 50_000):
        X[s : s + 50_000] = rng.standard_normal((min(50_000, n - s), d))
    beta = rng.normal(size=d) * 0.3
    if kind == "path":
        beta[20:] = 0.0
    eta = X @ beta
    if kind == "logistic":
        y = (rng.uniform(size=n) < 1.0 / (1.0 + np.exp(-eta - 0.2))).astype(float)
    else:
        y = eta + 1.0 + rng.standard_normal(n)
    return X, y


def _alphas(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    amax = float(np.abs(X.T @ y).max()) / X.shape[0]
    return np.geomspace(amax, amax * 1e-3, N_ALPHAS)


REPEAT = 5


def run_memory(problem: str, method: str) -> dict[str, Any]:
    """One fit in this (fresh) process: peak-RSS growth over the data, and the answer."""
    import tracemalloc

    X, y = _data(problem)
    out: dict[str, Any] = {}
    tracemalloc.start()
    coef = _fit(problem, method, X, y, out)
    out["peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    out["coef"] = np.asarray(coef, dtype=float).tolist()
    return out


def run_times(problem: str, methods: list[str]) -> dict[str, float]:
    """Best of REPEAT fits per method, the methods interleaved (the machine is shared:
    interleaving spreads load bursts over all methods instead of one)."""
    X, y = _data(problem)
    best = dict.fromkeys(methods, float("inf"))
    for _ in range(REPEAT):
        for method in methods:
            t0 = time.perf_counter()
            _fit(problem, method, X, y, {})
            best[method] = min(best[method], time.perf_counter() - t0)
    return best


def _fit(problem: str, method: str, X: np.ndarray, y: np.ndarray, out: dict[str, Any]) -> Any:
    if problem == "logistic":
        if method == "thetahat":
            import thetahat as th
            from thetahat.regression import LogisticRegression

            m = LogisticRegression(prior=th.Normal(0.0, 1.0)).fit(X, y)
            se = m.estimate_.se
            coef = m.coef_
            out["se_ok"] = bool(np.all(np.isfinite(list(se.values()))))
            out["iters"] = m.n_iter_
        elif method.startswith("sklearn"):
            from sklearn.linear_model import LogisticRegression as SK

            solver = method.split(":")[1]
            tight = solver.endswith("(tol=1e-10)")
            solver = solver.split(" ")[0]
            kw = {"tol": 1e-10, "max_iter": 10_000} if tight else {}
            m = SK(C=1.0, solver=solver, **kw).fit(X, y)
            coef = m.coef_[0]
            out["iters"] = int(np.max(m.n_iter_))
        else:
            import statsmodels.api as sm

            r = sm.Logit(y, sm.add_constant(X, prepend=False)).fit(disp=0)
            coef = np.asarray(r.params[:-1])
            out["se_ok"] = bool(np.all(np.isfinite(r.bse)))
            out["iters"] = int(r.mle_retvals["iterations"])
    elif problem == "ridge":
        alpha = 10.0
        if method == "thetahat":
            from thetahat.regression import LinearRegression, prior_from_penalty

            prior = prior_from_penalty("ridge", alpha=alpha, noise_sd=1.0)
            m = LinearRegression(prior=prior, noise_sd=1.0).fit(X, y)
            coef = m.coef_
            out["se_ok"] = bool(np.all(np.isfinite(list(m.estimate_.se.values()))))
        else:
            from sklearn.linear_model import Ridge

            coef = Ridge(alpha=alpha).fit(X, y).coef_
    else:
        alphas = _alphas(X, y)
        if method == "thetahat":
            from thetahat.regression import regularization_path

            n = X.shape[0]
            _, coefs = regularization_path(X, y, 1.0 / (n * alphas), fit_intercept=False)
            coef = coefs.ravel()  # strongest prior (largest alpha) first, like lasso_path
        else:
            from sklearn.linear_model import lasso_path

            _, c, _ = lasso_path(X, y, alphas=alphas)
            coef = c.T.ravel()
    return coef


CASES = [
    (
        "logistic",
        [
            "thetahat",
            "sklearn:lbfgs",
            "sklearn:lbfgs (tol=1e-10)",
            "sklearn:newton-cholesky",
            "sklearn:newton-cholesky (tol=1e-10)",
            "statsmodels:Logit",
        ],
    ),
    ("ridge", ["thetahat", "sklearn:Ridge"]),
    ("path", ["thetahat", "sklearn:lasso_path"]),
]
TITLES = {
    "logistic": f"logistic MAP, C=1 (n={N_BIG:.0e}, d={D_BIG})",
    "ridge": f"ridge, alpha=10 (n={N_BIG:.0e}, d={D_BIG})",
    "path": f"lasso path, {N_ALPHAS} penalties (n={N_PATH:.0e}, d={D_PATH})",
}


def main() -> None:
    rows = []
    for problem, methods in CASES:
        res = {}
        for method in methods:
            proc = subprocess.run(
                [sys.executable, __file__, "--one", problem, method],
                capture_output=True,
                text=True,
                check=True,
            )
            res[method] = json.loads(proc.stdout.strip().splitlines()[-1])
        times = run_times(problem, methods)
        ours = res["thetahat"]
        for method in methods:
            r = res[method]
            diff = float(np.max(np.abs(np.array(r["coef"]) - np.array(ours["coef"]))))
            rows.append(
                (
                    TITLES[problem] if method == "thetahat" else "",
                    method,
                    times[method],
                    times[method] / times["thetahat"],
                    r["peak_mb"],
                    diff,
                    "yes" if r.get("se_ok") else "no",
                    r.get("iters", "-"),
                )
            )
    print(
        f"machine: {platform.machine()}, {__import__('os').cpu_count()} cpus, "
        f"python {platform.python_version()}, numpy {np.__version__}"
    )
    head = "| problem | method | time (s) | time / thetahat | peak alloc MB | max abs coef diff "
    print(head + "vs thetahat | SEs | iterations |")
    print("|---|---|---:|---:|---:|---:|---|---:|")
    for p, m, t, ratio, mb, diff, se, it in rows:
        print(f"| {p} | {m} | {t:.3f} | {ratio:.2f} | {mb:.0f} | {diff:.1e} | {se} | {it} |")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        print(json.dumps(run_memory(sys.argv[2], sys.argv[3])))
    else:
        main()
