"""Per-group maximum likelihood, vectorised across groups.

Every group's statistics are arrays (one entry per group, from one aggregate
pass); the MLE, log-likelihood and covariance of every group come from array
arithmetic. Closed forms are evaluated once for all groups; Gamma and Beta run
Newton's method on all groups at once (one iteration updates every group's
shape; converged groups stop moving); the Weibull's shapes come from the
engine's vectorised Newton passes (:mod:`thetahat.statistics.engines.passes`).
The formulas are the families' own (see each family's Notes); the test suite
checks every row against ``th.fit`` on that group's statistics.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

__all__ = ["VECTORISED", "fit_groups"]

FloatArray = NDArray[np.float64]
Fit = dict[str, Any]
_LOG_2PI = float(np.log(2.0 * np.pi))


#: Bernoulli-number coefficients of psi'(x) ~ 1/x + 1/(2x^2) + sum_k B_2k / x^(2k+1)
_TRIGAMMA_SERIES = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6)


def _trigamma(x: FloatArray) -> FloatArray:
    """psi'(x) for x > 0, vectorised: the recurrence psi'(x) = psi'(x + 1) + 1/x^2
    carries x past 10, where the asymptotic series is accurate to rounding (the next
    term is below 1e-16 relative). Written here because scipy's polygamma(1, x) and
    zeta(2, x) cost microseconds per element, which dominates a Newton step over
    10^5 groups."""
    x = np.asarray(x, dtype=float)
    steps = np.ceil(np.clip(10.0 - x, 0.0, 10.0))  # recurrence steps of each element
    acc = np.zeros_like(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(int(steps.max()) if steps.size else 0):
            acc += np.where(i < steps, 1.0 / ((x + i) * (x + i)), 0.0)
    x = x + steps
    r = 1.0 / x
    r2 = r * r
    series = np.zeros_like(x)
    for c in reversed(_TRIGAMMA_SERIES):
        series = series * r2 + c
    out: FloatArray = acc + r + 0.5 * r2 + series * r2 * r
    return out


def _diag(*variances: FloatArray) -> FloatArray:
    k = len(variances)
    out = np.zeros((variances[0].shape[0], k, k))
    for i, v in enumerate(variances):
        out[:, i, i] = v
    return out


def _result(params: dict[str, FloatArray], cov: FloatArray, loglik: FloatArray,
            edge: NDArray[np.bool_], failed: NDArray[np.bool_] | None = None) -> Fit:  # fmt: skip
    cov = np.where(edge[:, None, None], np.inf, cov)
    return {"params": params, "cov": cov, "loglik": loglik, "edge": edge,
            "failed": np.zeros_like(edge) if failed is None else failed}  # fmt: skip


def _normal_like(f: Mapping[str, FloatArray], log_shift: FloatArray | None) -> Fit:
    n, mean, m2 = f["n"], f["mean"], f["m2"]
    with np.errstate(all="ignore"):
        sigma = np.sqrt(m2 / n)
        ll = -0.5 * n * (_LOG_2PI + 1.0) - n * np.log(sigma)
        ll = np.where(sigma == 0, np.inf, ll)
        if log_shift is not None:
            ll = ll - log_shift
        s2 = sigma * sigma
        cov = _diag(s2 / n, s2 / (2.0 * n))
    return _result({"mu": mean, "sigma": sigma}, cov, ll, sigma == 0)


def _normal(f: Mapping[str, FloatArray]) -> Fit:
    return _normal_like(f, None)


def _lognormal(f: Mapping[str, FloatArray]) -> Fit:
    return _normal_like(f, f["n"] * f["mean"])


def _exponential(f: Mapping[str, FloatArray]) -> Fit:
    n, total = f["n"], f["total"]
    with np.errstate(all="ignore"):
        rate = np.where(total == 0, np.inf, n / total)
        ll = np.where(total == 0, np.inf, n * np.log(rate) - n)
    return _result({"rate": rate}, _diag(rate * rate / n), ll, total == 0)


def _poisson(f: Mapping[str, FloatArray]) -> Fit:
    with np.errstate(all="ignore"):
        rate = f["total"] / f["exposure"]
        ll = sc.xlogy(f["total"], rate) - rate * f["exposure"] + f["const"]
    return _result({"rate": rate}, _diag(rate / f["exposure"]), ll, rate == 0)


def _proportion(k: FloatArray, m: FloatArray, const: FloatArray | float) -> Fit:
    with np.errstate(all="ignore"):
        p = k / m
        ll = const + sc.xlogy(k, p) + sc.xlog1py(m - k, -p)
    return _result({"p": p}, _diag(p * (1.0 - p) / m), ll, (p == 0) | (p == 1))


def _bernoulli(f: Mapping[str, FloatArray]) -> Fit:
    return _proportion(f["k"], f["n"], 0.0)


def _binomial(f: Mapping[str, FloatArray]) -> Fit:
    return _proportion(f["k"], f["trials"], f["log_coef"])


def _geometric(f: Mapping[str, FloatArray]) -> Fit:
    n, total = f["n"], f["total"]
    with np.errstate(all="ignore"):
        p = n / (n + total)
        ll = sc.xlogy(n, p) + sc.xlog1py(total, -p)
    return _result({"p": p}, _diag(p * p * (1.0 - p) / n), ll, p == 1)


def _half_normal(f: Mapping[str, FloatArray]) -> Fit:
    n, ss = f["n"], f["sumsq"]
    with np.errstate(all="ignore"):
        sigma = np.sqrt(ss / n)
        ll = n * (0.5 * np.log(2.0 / np.pi) - np.log(sigma)) - 0.5 * n
        ll = np.where(sigma == 0, np.inf, ll)
    return _result({"sigma": sigma}, _diag(sigma * sigma / (2.0 * n)), ll, sigma == 0)


def _gamma(f: Mapping[str, FloatArray]) -> Fit:
    n, total, slog = f["n"], f["total"], f["slog"]
    with np.errstate(all="ignore"):
        s = np.log(total / n) - slog / n
        equal = ~(s > 0)
        ss = np.where(equal, 1.0, s)
        k = (3.0 - ss + np.sqrt((ss - 3.0) ** 2 + 24.0 * ss)) / (12.0 * ss)  # Minka's start
        # Newton on log k for log k - psi(k) = s, every group at once; groups whose step
        # fell to rounding stop (the rest keep iterating on the smaller arrays)
        z = np.log(k)
        active = np.flatnonzero(~equal)
        for _ in range(60):
            if active.size == 0:
                break
            za, sa = z[active], ss[active]
            ka = np.exp(za)
            g = za - sc.digamma(ka) - sa
            dg = 1.0 - ka * _trigamma(ka)  # d/dlog k
            step = -g / dg
            step = np.where(np.isfinite(step), step, 0.0)
            z[active] = za + step
            active = active[np.abs(step) > 1e-14 * np.maximum(1.0, np.abs(za))]
        k = np.exp(z)
        rate = k * n / total
        ll = n * (k * np.log(rate) - sc.gammaln(k)) + (k - 1.0) * slog - rate * total
        t = _trigamma(k)
        det = n * (k * t - 1.0) / (rate * rate)
        cov = np.empty((k.shape[0], 2, 2))
        cov[:, 0, 0] = k / (rate * rate) / det
        cov[:, 0, 1] = cov[:, 1, 0] = 1.0 / rate / det
        cov[:, 1, 1] = t / det
    k = np.where(equal, np.inf, k)
    rate = np.where(equal, np.inf, rate)
    ll = np.where(equal, np.inf, ll)
    return _result({"shape": k, "rate": rate}, cov, ll, equal)


def _beta(f: Mapping[str, FloatArray]) -> Fit:
    n, s1, s2 = f["n"], f["slog"], f["slog1m"]
    with np.errstate(all="ignore"):
        g1, g2 = np.exp(s1 / n), np.exp(s2 / n)
        d = np.maximum(1.0 - g1 - g2, 1e-12)
        z = np.stack([np.log(0.5 + 0.5 * g1 / d), np.log(0.5 + 0.5 * g2 / d)], axis=-1)
        done = np.zeros(n.shape[0], dtype=bool)
        for _ in range(200):
            a, b = np.exp(z[:, 0]), np.exp(z[:, 1])
            pab = sc.digamma(a + b)
            ga = n * (pab - sc.digamma(a)) + s1
            gb = n * (pab - sc.digamma(b)) + s2
            tab = _trigamma(a + b)
            haa = n * (tab - _trigamma(a))
            hbb = n * (tab - _trigamma(b))
            hab = n * tab
            # to log coordinates: d/dlog a = a d/da
            gza, gzb = a * ga, b * gb
            hzaa, hzbb, hzab = a * a * haa + gza, b * b * hbb + gzb, a * b * hab
            det = hzaa * hzbb - hzab * hzab
            da = -(hzbb * gza - hzab * gzb) / det
            db = -(hzaa * gzb - hzab * gza) / det
            bad = ~(np.isfinite(da) & np.isfinite(db)) | ~(det > 0) | ~(hzaa < 0)
            # outside the concave region: a gradient step
            da = np.where(bad, np.sign(gza) * 0.5, da)
            db = np.where(bad, np.sign(gzb) * 0.5, db)
            step = np.stack([da, db], axis=-1)
            step = np.clip(step, -1.0, 1.0)
            step[done] = 0.0
            z = z + step
            done |= np.max(np.abs(step), axis=1) <= 1e-14 * np.maximum(1.0, np.abs(z).max(axis=1))
            if np.all(done):
                break
        a, b = np.exp(z[:, 0]), np.exp(z[:, 1])
        ll = n * (-sc.betaln(a, b)) + (a - 1.0) * s1 + (b - 1.0) * s2
        tab = _trigamma(a + b)
        i_aa = n * (_trigamma(a) - tab)
        i_bb = n * (_trigamma(b) - tab)
        i_ab = -n * tab
        det = i_aa * i_bb - i_ab * i_ab
        cov = np.empty((n.shape[0], 2, 2))
        cov[:, 0, 0], cov[:, 1, 1] = i_bb / det, i_aa / det
        cov[:, 0, 1] = cov[:, 1, 0] = -i_ab / det
    return _result({"a": a, "b": b}, cov, ll, np.zeros(n.shape[0], dtype=bool), ~done)


def _weibull(f: Mapping[str, FloatArray]) -> Fit:
    k, lam, ll = f["shape"], f["scale"], f["loglik"]
    h = np.empty((k.shape[0], 2, 2))
    h[:, 0, 0], h[:, 1, 1] = f["_h00"], f["_h11"]
    h[:, 0, 1] = h[:, 1, 0] = f["_h01"]
    equal = ~np.isfinite(k)
    with np.errstate(all="ignore"):
        hh = np.where(equal[:, None, None], -np.eye(2), h)
        cov = np.linalg.inv(-hh)
        d = np.stack([np.ones_like(lam), lam], axis=-1)
        cov = cov * d[:, :, None] * d[:, None, :]
    return _result({"shape": k, "scale": lam}, cov, ll, equal, f["_ok"] == 0)


#: families whose per-group MLE is vectorised (the rest are fitted group by group)
VECTORISED: dict[str, Callable[[Mapping[str, FloatArray]], Fit]] = {
    "Normal": _normal, "LogNormal": _lognormal, "Exponential": _exponential,
    "Poisson": _poisson, "Bernoulli": _bernoulli, "Binomial": _binomial,
    "Geometric": _geometric, "HalfNormal": _half_normal, "Gamma": _gamma, "Beta": _beta,
    "Weibull": _weibull,
}  # fmt: skip


def fit_groups(family: Any, fields: Mapping[str, FloatArray]) -> Fit | None:
    """Every group's MLE from its statistics arrays, or None where the family (or its
    fixed parameters) is not vectorised.

    Examples
    --------
    >>> import numpy as np
    >>> import thetahat as th
    >>> out = fit_groups(th.Poisson(), {"n": np.array([2.0, 4.0]), "total": np.array([6.0, 2.0]),
    ...                                 "exposure": np.array([2.0, 4.0]), "const": np.zeros(2)})
    >>> out["params"]["rate"].tolist()
    [3.0, 0.5]
    """
    name = type(family).__name__
    fn = VECTORISED.get(name)
    fixed = {k for k in family.params if not (name == "Binomial" and k == "n")}
    if fn is None or fixed:
        return None
    return fn(fields)
