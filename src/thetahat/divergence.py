"""Entropy, cross-entropy and Kullback–Leibler divergence of thetahat distributions.

``th.entropy(p)``, ``th.cross_entropy(p, q)`` and ``th.kl(p, q)`` return an
:class:`InfoValue`: the value in nats, the method that produced it and an
estimate of its absolute error. Closed forms are used where they exist (same
family pairs, and the entropies of the common families); otherwise adaptive
quadrature (continuous, ``scipy.integrate.quad`` over the support of ``p``) or
summation over the support (discrete, the tail beyond ``1e-17`` of mass bounded
in the error). Identities: ``cross_entropy(p, q) = entropy(p) + kl(p, q)``.

Empirical forms take data as the first argument:

* ``cross_entropy(x, q)``: ``-(1/n) sum log q(x_i)``, the cross-entropy from the
  empirical distribution of ``x`` to ``q`` (error: its standard error as an
  estimate of the population cross-entropy);
* ``cross_entropy(x, Family)``: the same at the MLE, which minimises it, so
  that ``-n * value`` is the maximised log-likelihood (``.dist`` is the fit);
* ``kl(x, q)``: for discrete ``q`` exactly ``KL(empirical pmf || q)``; for
  continuous ``q`` the estimate ``cross_entropy(x, q) - H(x)`` with the
  differential entropy from spacings (``scipy.stats.differential_entropy``):
  minimising the forward KL from the data is maximising the likelihood;
* ``entropy(x)``: the plug-in entropy of integer data, the spacing estimate
  of the differential entropy otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .distributions import (
    Bernoulli,
    Beta,
    Binomial,
    Categorical,
    Dirichlet,
    Distribution,
    Exponential,
    Gamma,
    Geometric,
    HalfNormal,
    InverseGamma,
    Laplace,
    LogNormal,
    Normal,
    Pareto,
    Poisson,
    Weibull,
)
from .distributions.multivariate_normal import MultivariateNormal

__all__ = ["InfoValue", "cross_entropy", "entropy", "kl"]

#: mass left out of a discrete sum (its contribution is bounded in the error)
_TAIL = 1e-17


@dataclass(frozen=True)
class InfoValue:
    """An information quantity in nats with how it was computed.

    Attributes
    ----------
    quantity : {"entropy", "cross-entropy", "kl"}
    value : float
    method : str
        "closed form", "quadrature", "summation", or an empirical method.
    error : float
        Estimate of the absolute error (rounding for closed forms, the
        integrator's estimate, the tail bound of a sum, or a standard error for
        empirical values).
    dist : Distribution or None
        The distribution the data were compared with (the MLE for a family).

    Examples
    --------
    >>> import thetahat as th
    >>> v = th.kl(th.Normal(0, 1), th.Normal(1, 1))
    >>> v.quantity, v.value, v.method
    ('kl', 0.5, 'closed form')
    >>> float(v)
    0.5
    """

    quantity: str
    value: float
    method: str
    error: float = 0.0
    dist: Distribution | None = None

    def __float__(self) -> float:
        return self.value

    def __repr__(self) -> str:
        return (
            f"InfoValue({self.quantity}={self.value:.12g} nats, method={self.method!r}, "
            f"error={self.error:.2g})"
        )


def _closed(quantity: str, value: float) -> InfoValue:
    v = float(value)
    return InfoValue(quantity, v, "closed form", 8 * np.finfo(float).eps * max(abs(v), 1.0))


# ------------------------------------------------------------------ closed forms
def _xlogx_sum(p: NDArray[np.float64]) -> float:
    return float(np.sum(sc.xlogy(p, p)))


_ENTROPY: dict[type, Callable[..., float]] = {
    Normal: lambda d: 0.5 * math.log(2 * math.pi * math.e * d.sigma**2),
    LogNormal: lambda d: d.mu + 0.5 * math.log(2 * math.pi * math.e * d.sigma**2),
    Exponential: lambda d: 1.0 - math.log(d.rate),
    Laplace: lambda d: 1.0 + math.log(2.0 * d.scale),
    HalfNormal: lambda d: 0.5 * math.log(math.pi * d.sigma**2 / 2.0) + 0.5,
    Gamma: lambda d: (
        d.shape - math.log(d.rate) + sc.gammaln(d.shape) + (1.0 - d.shape) * sc.digamma(d.shape)
    ),
    InverseGamma: lambda d: (
        d.shape + math.log(d.scale) + sc.gammaln(d.shape) - (1.0 + d.shape) * sc.digamma(d.shape)
    ),
    Beta: lambda d: (
        sc.betaln(d.a, d.b)
        - (d.a - 1.0) * sc.digamma(d.a)
        - (d.b - 1.0) * sc.digamma(d.b)
        + (d.a + d.b - 2.0) * sc.digamma(d.a + d.b)
    ),
    Weibull: lambda d: np.euler_gamma * (1.0 - 1.0 / d.shape) + math.log(d.scale / d.shape) + 1.0,
    Pareto: lambda d: math.log(d.xm / d.alpha) + 1.0 / d.alpha + 1.0,
    Bernoulli: lambda d: -_xlogx_sum(np.array([d.p, 1.0 - d.p])),
    Categorical: lambda d: -_xlogx_sum(np.asarray(d.probs)),
    Geometric: lambda d: -(sc.xlogy(1.0 - d.p, 1.0 - d.p) + sc.xlogy(d.p, d.p)) / d.p,
    Dirichlet: lambda d: _dirichlet_entropy(np.asarray(d.alpha)),
    MultivariateNormal: lambda d: (
        0.5 * np.linalg.slogdet(2 * math.pi * math.e * np.asarray(d.cov))[1]
    ),
}


def _dirichlet_entropy(a: NDArray[np.float64]) -> float:
    a0, k = float(a.sum()), a.shape[0]
    log_b = float(np.sum(sc.gammaln(a)) - sc.gammaln(a0))
    return log_b + (a0 - k) * sc.digamma(a0) - float(np.sum((a - 1.0) * sc.digamma(a)))


def _kl_normal(p: Any, q: Any) -> float:
    return math.log(q.sigma / p.sigma) + (p.sigma**2 + (p.mu - q.mu) ** 2) / (2 * q.sigma**2) - 0.5


def _kl_bernoulli(p: float, q: float) -> float:
    with np.errstate(divide="ignore"):
        return float(
            sc.xlogy(p, p) - sc.xlogy(p, q) + sc.xlogy(1 - p, 1 - p) - sc.xlogy(1 - p, 1 - q)
        )


def _kl_gamma(p: Any, q: Any) -> float:
    k1, r1, k2, r2 = p.shape, p.rate, q.shape, q.rate
    return (
        (k1 - k2) * sc.digamma(k1)
        - sc.gammaln(k1)
        + sc.gammaln(k2)
        + k2 * (math.log(r1) - math.log(r2))
        + k1 * (r2 - r1) / r1
    )


def _kl_beta(p: Any, q: Any) -> float:
    a1, b1, a2, b2 = p.a, p.b, q.a, q.b
    return (
        sc.betaln(a2, b2)
        - sc.betaln(a1, b1)
        + (a1 - a2) * sc.digamma(a1)
        + (b1 - b2) * sc.digamma(b1)
        + (a2 - a1 + b2 - b1) * sc.digamma(a1 + b1)
    )


def _kl_laplace(p: Any, q: Any) -> float:
    d = abs(p.loc - q.loc)
    return (
        math.log(q.scale / p.scale) + d / q.scale + p.scale / q.scale * math.exp(-d / p.scale) - 1
    )


def _kl_categorical(p: Any, q: Any) -> float:
    a, b = np.asarray(p.probs), np.asarray(q.probs)
    if a.shape != b.shape:
        raise ValueError(f"categorical distributions over {a.size} and {b.size} classes")
    with np.errstate(divide="ignore"):
        return float(np.sum(sc.xlogy(a, a) - sc.xlogy(a, b)))


def _kl_dirichlet(p: Any, q: Any) -> float:
    a, b = np.asarray(p.alpha), np.asarray(q.alpha)
    if a.shape != b.shape:
        raise ValueError(f"Dirichlet distributions of sizes {a.size} and {b.size}")
    a0 = a.sum()
    return float(
        sc.gammaln(a0)
        - np.sum(sc.gammaln(a))
        - sc.gammaln(b.sum())
        + np.sum(sc.gammaln(b))
        + np.sum((a - b) * (sc.digamma(a) - sc.digamma(a0)))
    )


def _kl_mvn(p: Any, q: Any) -> float:
    m1, m2 = np.asarray(p.mu), np.asarray(q.mu)
    s1, s2 = np.asarray(p.cov), np.asarray(q.cov)
    k = m1.shape[0]
    c2 = np.linalg.cholesky(s2)
    sol = np.linalg.solve(c2, s1)
    tr = float(np.trace(np.linalg.solve(c2.T, sol)))
    z = np.linalg.solve(c2, m2 - m1)
    return 0.5 * (tr + float(z @ z) - k + np.linalg.slogdet(s2)[1] - np.linalg.slogdet(s1)[1])


def _kl_binomial(p: Any, q: Any) -> float | None:
    if np.ndim(p.n) or np.ndim(q.n) or p.n != q.n:
        return None  # different supports: numerically
    return float(p.n) * _kl_bernoulli(p.p, q.p)


_KL: dict[type, Callable[[Any, Any], float | None]] = {
    Normal: _kl_normal,
    LogNormal: _kl_normal,  # the KL of the logs: invariant under the bijection
    Exponential: lambda p, q: math.log(p.rate / q.rate) + q.rate / p.rate - 1.0,
    Bernoulli: lambda p, q: _kl_bernoulli(p.p, q.p),
    Binomial: _kl_binomial,
    Categorical: _kl_categorical,
    Poisson: lambda p, q: (
        float(sc.xlogy(p.rate, p.rate) - sc.xlogy(p.rate, q.rate) - p.rate + q.rate)
        if q.rate > 0 or p.rate == 0
        else math.inf
    ),
    Geometric: lambda p, q: (
        math.log(p.p / q.p) + (1 - p.p) / p.p * (math.log1p(-p.p) - math.log1p(-q.p))
        if p.p < 1
        else -math.log(q.p)
    ),
    Gamma: _kl_gamma,
    Beta: _kl_beta,
    Laplace: _kl_laplace,
    Dirichlet: _kl_dirichlet,
    MultivariateNormal: _kl_mvn,
}


# ------------------------------------------------------------------ numerical
def _check(d: Any, what: str) -> Distribution:
    if isinstance(d, type) and issubclass(d, Distribution):
        raise TypeError(f"{what} must have its parameters given, e.g. {d.__name__}(...)")
    if not isinstance(d, Distribution):
        raise TypeError(f"{what} must be a thetahat distribution, got {type(d).__name__}")
    if d.free:
        raise ValueError(
            f"{what} {d!r} must have all its parameters given ({', '.join(d.free)} missing)"
        )
    for name, v in d.params.items():
        if np.ndim(v) and not d.param(name).domain.vector:
            raise ValueError(
                f"{what} has one {name} per observation: give a single distribution "
                f"({type(d).__name__} with a scalar {name})"
            )
    if d.event_vector and type(d) not in _ENTROPY:
        raise TypeError(f"{type(d).__name__} is multivariate: no entropy/KL is available for it")
    return d


def _logd(d: Distribution, x: Any) -> Any:
    return d.logpmf(x) if d.discrete else d.logpdf(x)


def _expect_neg_log(p: Distribution, logq: Callable[[Any], Any], quantity: str) -> InfoValue:
    """E_p[log p(X) - log q(X)]-style integrals: -E_p[logq(X)] by quadrature or sum."""
    if p.discrete:
        return _sum(p, logq, quantity)
    import warnings

    from scipy import integrate

    lo, hi = _support(p)
    mid = float(p.ppf(0.5))

    def f(x: float) -> float:
        lp = float(_logd(p, x))
        if lp == -math.inf:
            return 0.0
        with np.errstate(divide="ignore"):
            return -math.exp(lp) * float(logq(x))

    val, err = 0.0, 0.0
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the error estimate is reported instead
        # split at the median: each half has one infinite end at most
        for a, b in ((lo, mid), (mid, hi)):
            v, e = integrate.quad(f, a, b, limit=200, epsabs=1e-13, epsrel=1e-12)
            val, err = val + v, err + e
    if not np.isfinite(val):
        return InfoValue(quantity, math.inf, "quadrature", 0.0)
    return InfoValue(quantity, float(val), "quadrature", float(err))


def _support(p: Distribution) -> tuple[float, float]:
    """The interval holding the mass of a continuous ``p``."""
    try:
        lo, hi = (float(v) for v in p.to_scipy().support())
    except TypeError:  # no scipy equivalent
        lo, hi = float(p.ppf(0.0)), float(p.ppf(1.0))
    return lo, hi


def _outside(p: Distribution, q: Distribution) -> bool:
    """Whether continuous ``p`` puts mass where ``q`` has none (then KL is infinite)."""
    if p.discrete:
        return False  # the sum finds it term by term
    (plo, phi), (qlo, qhi) = _support(p), _support(q)
    return qlo > plo or qhi < phi


def _sum(p: Distribution, logq: Callable[[Any], Any], quantity: str) -> InfoValue:
    lo = max(float(p.ppf(_TAIL)), 0.0)
    hi = float(p.ppf(1.0 - _TAIL))
    if not np.isfinite(hi):
        hi = float(p.ppf(1.0 - 1e-15))
    if hi - lo > 5e7:
        raise ValueError(f"the support of {p!r} is too wide to sum ({hi - lo:.3g} points)")
    x = np.arange(lo, hi + 1.0)
    lp = np.asarray(_logd(p, x), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lq = np.asarray(logq(x), dtype=float)
        w = np.exp(lp)
        terms = np.where(w > 0, -w * lq, 0.0)
    if np.any(np.isinf(terms)):
        return InfoValue(quantity, math.inf, "summation", 0.0)
    val = float(math.fsum(terms))
    # mass left out on both sides, times the size of -log q at the ends (terms decay)
    tail = float(p.cdf(lo - 1.0)) + float(p.sf(hi))
    edge = float(np.max(np.abs(lq[[0, -1]]))) if x.size else 0.0
    err = tail * max(edge, 1.0) * 2.0 + 1e-16 * float(np.sum(np.abs(terms)))
    return InfoValue(quantity, val, "summation", err)


# ------------------------------------------------------------------ empirical
def _is_dist(x: Any) -> bool:
    return isinstance(x, Distribution) or (isinstance(x, type) and issubclass(x, Distribution))


def _empirical_entropy(x: NDArray[np.float64], discrete: bool) -> InfoValue:
    if discrete:
        _, counts = np.unique(x, axis=0, return_counts=True)
        f = counts / x.shape[0]
        return InfoValue("entropy", -_xlogx_sum(f), "empirical pmf (plug-in)", 0.0)
    from scipy import stats

    h = float(stats.differential_entropy(x))
    # the spacing estimators' standard error is about sd(log density)/sqrt(n); unknown
    # here, so the error reported is the scale of that rate for a unit-variance density
    return InfoValue(
        "entropy", h, "spacing estimate (scipy differential_entropy)", 1.0 / math.sqrt(x.shape[0])
    )


def _data(x: Any, q: Any = None) -> NDArray[np.float64]:
    """Validated data: 1-dimensional, or one row per observation for a vector ``q``."""
    arr = np.asarray(x, dtype=float)
    ndim = 2 if q is not None and getattr(q, "event_vector", False) else 1
    if arr.ndim != ndim or arr.size == 0:
        what = "1-dimensional array" if ndim == 1 else "2-dimensional array (one row each)"
        raise ValueError(f"data must be a non-empty {what}, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        i = int(np.flatnonzero(~np.isfinite(arr.reshape(arr.shape[0], -1)).any(axis=1))[0])
        raise ValueError(f"data must be finite; data[{i}] = {arr[i].tolist()!r} is not")
    return arr


def _empirical_ce(x: NDArray[np.float64], q: Any) -> InfoValue:
    if isinstance(q, type) or q.free:
        from .inference.fit import fit

        est = fit(q, x)
        q = est.dist
        how = "empirical, at the MLE (the minimum over the family)"
    else:
        how = "empirical (mean of -log q over the data)"
    with np.errstate(divide="ignore"):
        v = -np.asarray(_logd(q, x), dtype=float)
    if np.isinf(v).any():
        i = int(np.flatnonzero(np.isinf(v))[0])
        why = f"{how}; data[{i}] = {x[i]!r} has zero probability under {q!r}"
        return InfoValue("cross-entropy", math.inf, why, 0.0, q)
    se = float(np.std(v, ddof=1) / math.sqrt(v.size)) if v.size > 1 else math.inf
    return InfoValue("cross-entropy", float(np.mean(v)), how, se, q)


# ------------------------------------------------------------------ public
def entropy(p: Any, *, discrete: bool | None = None) -> InfoValue:
    """Entropy ``H(p) = -E_p[log p(X)]`` in nats (differential for densities).

    ``p`` is a frozen thetahat distribution, or data (see the module docstring;
    ``discrete`` overrides the guess that integer data are discrete).

    Examples
    --------
    >>> import thetahat as th
    >>> th.entropy(th.Normal(0, 1)).value
    1.4189385332046727
    >>> th.entropy(th.Bernoulli(0.5)).value
    0.6931471805599453
    """
    if not _is_dist(p):
        x = _data(p)
        disc = bool(np.all(x == np.floor(x))) if discrete is None else discrete
        return _empirical_entropy(x, disc)
    d = _check(p, "p")
    fn = _ENTROPY.get(type(d))
    if fn is not None:
        return _closed("entropy", fn(d))
    return _expect_neg_log(d, lambda x: _logd(d, x), "entropy")


def kl(p: Any, q: Any) -> InfoValue:
    """Kullback–Leibler divergence ``KL(p || q) = E_p[log p(X) - log q(X)]`` in nats.

    ``p`` and ``q`` are frozen thetahat distributions (``inf`` where ``q`` has
    no mass where ``p`` has); ``p`` may be data (see the module docstring).

    Examples
    --------
    >>> import thetahat as th
    >>> th.kl(th.Normal(0, 1), th.Normal(1, 1)).value
    0.5
    >>> th.kl(th.Bernoulli(0.5), th.Bernoulli(0.5)).value
    0.0
    """
    if not _is_dist(p):
        x = _data(p, q)
        ce = _empirical_ce(x, q)
        assert ce.dist is not None
        h = _empirical_entropy(x, ce.dist.discrete)
        return InfoValue(
            "kl",
            ce.value - h.value,
            f"{ce.method} minus the data's entropy ({h.method})",
            ce.error + h.error,
            ce.dist,
        )
    a, b = _check(p, "p"), _check(q, "q")
    if a.discrete != b.discrete:
        raise TypeError("p and q must both be discrete or both continuous")
    if type(a) is type(b) and type(a) in _KL:
        v = _KL[type(a)](a, b)
        if v is not None:
            return _closed("kl", v)
    if _outside(a, b):
        return InfoValue("kl", math.inf, "support (q has no mass on part of p's support)")
    h = entropy(a)
    ce = _expect_neg_log(a, lambda x: _logd(b, x), "cross-entropy")
    method = ce.method if h.method == "closed form" else f"{ce.method} (and {h.method})"
    return InfoValue("kl", ce.value - h.value, method, ce.error + h.error)


def cross_entropy(p: Any, q: Any) -> InfoValue:
    """Cross-entropy ``H(p, q) = -E_p[log q(X)] = H(p) + KL(p || q)`` in nats.

    ``p`` may be data and ``q`` a family (``th.Normal``): the empirical
    cross-entropy at the MLE, its minimiser (see the module docstring).

    Examples
    --------
    >>> import thetahat as th
    >>> h = th.cross_entropy(th.Normal(0, 1), th.Normal(1, 1))
    >>> round(h.value, 4), h.method
    (1.9189, 'closed form')
    """
    if not _is_dist(p):
        return _empirical_ce(_data(p, q), q)
    a, b = _check(p, "p"), _check(q, "q")
    if a.discrete != b.discrete:
        raise TypeError("p and q must both be discrete or both continuous")
    if type(a) is type(b) and type(a) in _KL and type(a) in _ENTROPY:
        v = _KL[type(a)](a, b)
        if v is not None:
            return _closed("cross-entropy", _ENTROPY[type(a)](a) + v)
    if _outside(a, b):
        return InfoValue(
            "cross-entropy", math.inf, "support (q has no mass on part of p's support)"
        )
    return _expect_neg_log(a, lambda x: _logd(b, x), "cross-entropy")
