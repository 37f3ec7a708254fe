"""Multinomial logistic regression: thetahat vs scikit-learn and statsmodels (issue 17, bench b).

    PYTHONPATH=src python benchmarks/multinomial.py                    # n 1e6, p 50, K 10
    PYTHONPATH=src python benchmarks/multinomial.py --n 2e5 --rounds 2 --sm-n 2e4
    PYTHONPATH=src python benchmarks/multinomial.py --base-ref 57b6345 --skip statsmodels

The MLE of a K-class softmax regression with an intercept. Contenders, interleaved
round by round (the machine is shared: a load burst then hits all of them), best
round and spread (worst / best) reported, wall and process CPU time (all threads):

* **thetahat**: ``LogisticRegression().fit(X, y)`` and its standard errors
  (``estimate_.se``, the full ``(K-1)(p+1)`` covariance) inside the timed region.
* **sklearn lbfgs tol=1e-10**: ``LogisticRegression(C=inf, tol=1e-10, max_iter=10000)``
  (no standard errors); **sklearn lbfgs** at its default tol, for reference.
* **sklearn newton-cholesky tol=1e-10** (``--newton-cholesky``): scikit-learn's own
  full-Hessian Newton (multinomial since 1.6).
* **thetahat base** (``--base-ref REF``): the same fit with the multinomial pass
  (``src/thetahat/regression/_softmax.py``) of git revision ``REF``, loaded beside the
  current one and swapped in for its rounds: before/after of that module in one run,
  interleaved with the rest (everything else is the current code).
* **statsmodels**: ``MNLogit(y, X).fit(method="newton")`` with ``bse``. statsmodels
  forms its Hessian from n x p temporaries per class pair, so at the full n it takes
  too long for a shared machine: it runs on the first ``--sm-n`` rows (default n/10)
  and its time is scaled by ``n / sm_n`` (every part of its Newton iteration is
  linear in n; the iteration count does not grow with n). The table says so.

``--skip NAME ...`` leaves contenders out (e.g. ``statsmodels`` while iterating).
The table gives each contender's CPU / wall ratio: how many cores it kept busy.

Accuracy: each answer's negative log-likelihood (one common pass) minus the best any
contender reached, relative to it. The load average is printed before and after.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np


def make_data(n: int, p: int, K: int, seed: int = 2024) -> tuple[np.ndarray, np.ndarray]:
    """Standard normal X, class scores X B + b with B ~ N(0, 1/p), Gumbel noise (the
    multinomial logit exactly)."""
    rng = np.random.default_rng([seed, n, p, K])
    B = rng.normal(size=(p, K)) / np.sqrt(p)
    b = rng.normal(scale=0.5, size=K)
    X = np.empty((n, p))
    y = np.empty(n, dtype=np.int64)
    for s in range(0, n, 100_000):
        e = min(s + 100_000, n)
        X[s:e] = rng.standard_normal((e - s, p))
        y[s:e] = np.argmax(X[s:e] @ B + b + rng.gumbel(size=(e - s, K)), axis=1)
    return X, y


def nll(X: np.ndarray, y: np.ndarray, coef: np.ndarray, intercept: np.ndarray) -> float:
    """The multinomial negative log-likelihood at (K, p) weights and K intercepts."""
    total = 0.0
    for s in range(0, X.shape[0], 65536):
        z = X[s : s + 65536] @ coef.T + intercept
        top = z.max(axis=1)
        lse = top + np.log(np.exp(z - top[:, None]).sum(axis=1))
        total += float(np.sum(lse - z[np.arange(z.shape[0]), y[s : s + 65536]]))
    return total


BASE: dict[str, Any] = {}


def load_base(ref: str) -> None:
    """Load ``_softmax.py`` as of git revision ``ref`` beside the current module."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    text = subprocess.run(
        ["git", "show", f"{ref}:src/thetahat/regression/_softmax.py"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = os.path.join(tempfile.mkdtemp(), "_softmax_base.py")
    with open(path, "w") as fh:
        fh.write(text)
    name = "thetahat.regression._softmax_base"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    BASE["pass"] = module.softmax_pass


def fit(method: str, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    info: dict[str, Any] = {}
    if method.startswith("thetahat"):
        from thetahat.regression import LogisticRegression, _softmax

        current = _softmax.softmax_pass
        if method == "thetahat base":
            _softmax.softmax_pass = BASE["pass"]
        try:
            m = LogisticRegression().fit(X, y)
            se = m.estimate_.se  # the standard errors are part of the timed fit
        finally:
            _softmax.softmax_pass = current
        info["se_ok"] = bool(np.all(np.isfinite(list(se.values()))))
        info["iters"] = m.n_iter_
        info["status"] = str(m.estimate_.status)
        return m.coef_, m.intercept_, info
    if method.startswith("sklearn"):
        import warnings

        from sklearn import linear_model as sk

        solver = method.split()[1]
        kw: dict[str, Any] = {"solver": solver}
        if "tol=" in method:
            kw.update(tol=1e-10, max_iter=10_000)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # C=inf: "no penalty" notice
            m = sk.LogisticRegression(C=np.inf, **kw).fit(X, y)
        info["iters"] = int(np.max(m.n_iter_))
        return m.coef_, m.intercept_, info
    import statsmodels.api as sm

    r = sm.MNLogit(y, sm.add_constant(X)).fit(method="newton", maxiter=100, disp=0)
    info["se_ok"] = bool(np.all(np.isfinite(r.bse)))
    info["iters"] = int(r.mle_retvals["iterations"])
    P = np.asarray(r.params)  # (1 + p, K - 1)
    K = P.shape[1] + 1
    coef = np.zeros((K, X.shape[1]))
    coef[1:] = P[1:].T
    return coef, np.r_[0.0, P[0]], info


def timed(f: Callable[[], Any]) -> tuple[Any, float, float]:
    w, c = time.perf_counter(), time.process_time()
    out = f()
    return out, time.perf_counter() - w, time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=float, default=1e6)
    ap.add_argument("--p", type=int, default=50)
    ap.add_argument("--K", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--sm-n", type=float, default=None, help="statsmodels' rows (default n/10)")
    ap.add_argument("--newton-cholesky", action="store_true")
    ap.add_argument("--base-ref", default=None, help="add 'thetahat base': _softmax.py at REF")
    ap.add_argument("--skip", nargs="*", default=[], help="contenders to leave out")
    args = ap.parse_args()
    n, p, K = int(args.n), args.p, args.K
    sm_n = int(args.sm_n) if args.sm_n else max(n // 10, 20 * p * K)
    print(
        f"multinomial MLE, n={n:.0e} p={p} K={K}; statsmodels on {sm_n:.0e} rows scaled by "
        f"{n / sm_n:g}; {platform.machine()}, nproc {os.cpu_count()}, "
        f"load {os.getloadavg()[0]:.1f}"
    )
    X, y = make_data(n, p, K)
    methods = ["thetahat", "sklearn lbfgs tol=1e-10", "sklearn lbfgs"]
    if args.base_ref:
        load_base(args.base_ref)
        methods.insert(1, "thetahat base")
    if args.newton_cholesky:
        methods.append("sklearn newton-cholesky tol=1e-10")
    methods.append("statsmodels")
    methods = [m for m in methods if m not in args.skip]
    rows = {"statsmodels": slice(0, sm_n)}
    walls: dict[str, list[float]] = {m: [] for m in methods}
    cpus: dict[str, list[float]] = {m: [] for m in methods}
    answers: dict[str, Any] = {}
    for m in methods:  # untimed warm-up: imports and first-call costs
        fit(m, X[: 50 * p * K], y[: 50 * p * K])
    for r in range(args.rounds):
        for m in methods:
            sl = rows.get(m, slice(None))
            (coef, b, info), w, c = timed(lambda m=m, sl=sl: fit(m, X[sl], y[sl]))
            scale = n / sm_n if m == "statsmodels" else 1.0
            walls[m].append(w * scale)
            cpus[m].append(c * scale)
            answers[m] = (coef, b, info)
            print(
                f"  round {r + 1} {m:<34} wall {w:8.2f} s  cpu {c:8.2f} s  "
                f"load {os.getloadavg()[0]:5.1f}  {info}",
                flush=True,
            )
    obj = {m: nll(X, y, *answers[m][:2]) for m in methods if m != "statsmodels"}
    sm_gap = np.nan
    if "statsmodels" in methods:
        Xs, ys = X[:sm_n], y[:sm_n]
        sm_obj = nll(Xs, ys, *answers["statsmodels"][:2])
        th_sub = fit("thetahat", Xs, ys)
        sm_gap = (sm_obj - nll(Xs, ys, th_sub[0], th_sub[1])) / abs(sm_obj)
    best = min(obj.values())
    t0 = min(walls["thetahat"])
    c0 = min(cpus["thetahat"])
    load = os.getloadavg()[0]
    print(f"\nload after: {load:.1f}; best of {args.rounds} rounds (spread = worst/best)")
    print(
        "| contender | wall s | spread | cpu s | cpu / wall | wall / thetahat | "
        "cpu / thetahat | obj. gap |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for m in methods:
        gap = sm_gap if m == "statsmodels" else (obj[m] - best) / abs(best)
        name = f"{m} (n={sm_n:.0e}, x{n / sm_n:g})" if m == "statsmodels" else m
        wb, cb = min(walls[m]), min(cpus[m])
        i = int(np.argmin(walls[m]))  # CPU / wall of the best round
        print(
            f"| {name} | {wb:.2f} | {max(walls[m]) / wb:.2f} | {cb:.2f} | "
            f"{cpus[m][i] / walls[m][i]:.2f} | {wb / t0:.2f} | {cb / c0:.2f} | {gap:.1e} |"
        )


if __name__ == "__main__":
    main()
