"""Gamma distribution (shape and rate)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._domains import POSITIVE
from .._special import trigamma
from ..optim import BatchResult, SolverResult, Status, newton_1d, newton_1d_batch
from ..statistics.sufficient import CHUNK, SuffStats, log_chunks, made
from ._base import ContinuousDistribution, Param, Value
from .family import many
from .observations import positive_support

__all__ = ["Gamma", "GammaStats"]

_EQUAL = "all observations are equal: the shape MLE is infinite"


@dataclass(frozen=True)
class GammaStats(SuffStats):
    """n, sum(x) and sum(log x)."""

    total: float = 0.0
    slog: float = 0.0


class Gamma(ContinuousDistribution):
    """Gamma distribution with ``shape`` and ``rate``.

    Parameters
    ----------
    shape : float > 0
        Shape k (as a prior on a Poisson rate: pseudo-count of events).
    rate : float > 0
        Rate beta = 1 / scale (scipy's ``scale`` is ``1 / rate``); as a prior on a
        Poisson rate: pseudo-exposure.

    Notes
    -----
    density ``beta^k x^(k-1) exp(-beta x) / Gamma(k)``; mean ``k / beta``;
    variance ``k / beta^2``. Sufficient statistics n, S = sum(x), L = sum(log x).
    With the shape fixed the MLE of the rate is ``k n / S``. Fisher information
    ``n [[psi1(k), -1/beta], [-1/beta, k/beta^2]]`` for (shape, rate).

    With both free the fit is a profile Newton solve on the shape: substituting
    ``beta = k n / S`` the score equation is ``log k - psi(k) = log(S/n) - L/n``,
    solved in ``log k`` from Minka's closed-form start; the rate follows.

    Not shifted: there is no location parameter (scipy's ``gamma.fit`` frees
    ``loc`` by default; fix it at 0 to compare). Conjugate prior of the Poisson
    rate and the Exponential rate.

    Per observation: ``shape`` or ``rate`` may be fixed to an array with one value per
    observation (``th.Gamma(rate=r)``); a fit then sums the log density over the data,
    with numerical derivatives.

    Examples
    --------
    >>> import thetahat as th
    >>> th.Gamma(2, 0.5).mean()
    4.0
    >>> est = th.fit(th.Gamma, [1.2, 3.4, 2.2, 0.8, 5.1, 2.9])
    >>> {k: round(v, 3) for k, v in est.params.items()}
    {'shape': 2.966, 'rate': 1.141}
    >>> th.fit(th.Gamma(shape=2), [1.2, 3.4, 2.2]).params
    {'rate': 0.8823529411764706}
    """

    _params = (
        Param("shape", POSITIVE, "shape k", obs_array=True),
        Param("rate", POSITIVE, "rate (1 / scale)", obs_array=True),
    )
    support_text = "positive numbers"
    _stats_type = GammaStats
    _array_hooks = True
    _array_formulas = True

    def _logp(self, x: NDArray[np.float64], shape: float, rate: float) -> NDArray[np.float64]:
        ok = x >= 0
        xs = np.where(ok, x, 1.0)
        with np.errstate(divide="ignore"):
            lp = shape * np.log(rate) - sc.gammaln(shape) + sc.xlogy(shape - 1.0, xs) - rate * xs
        return np.where(ok, lp, -np.inf)

    def _mean(self, shape: float, rate: float) -> float:
        return shape / rate

    def _mode(self, shape: float, rate: float) -> float:
        if many(shape) or many(rate):  # many members at once
            return np.maximum(shape - 1.0, 0.0) / rate
        return max(shape - 1.0, 0.0) / rate

    def _var(self, shape: float, rate: float) -> float:
        return shape / (rate * rate)

    def _sample(self, size: Any, rng: np.random.Generator, shape: float, rate: float) -> Any:
        return rng.gamma(shape, 1.0 / rate, size=size)

    def _cdf(self, x: NDArray[np.float64], shape: float, rate: float) -> NDArray[np.float64]:
        return np.asarray(sc.gammainc(shape, rate * np.maximum(x, 0.0)))

    def _sf(self, x: NDArray[np.float64], shape: float, rate: float) -> NDArray[np.float64]:
        return np.asarray(sc.gammaincc(shape, rate * np.maximum(x, 0.0)))

    def _ppf(self, q: NDArray[np.float64], shape: float, rate: float) -> NDArray[np.float64]:
        return np.asarray(sc.gammaincinv(shape, q) / rate)

    def _scipy(self, shape: float, rate: float) -> Any:
        from scipy import stats

        return stats.gamma(shape, scale=1.0 / rate)

    # -- family
    _support_mask = positive_support

    def _reduce(
        self, x: NDArray[np.float64], w: NDArray[np.float64] | None, po: dict[str, Any]
    ) -> SuffStats | None:
        # One fused pass: log x into a scratch buffer reused across chunks. The sum of
        # logs is finite exactly when every x is in (0, inf) (log of a zero is -inf,
        # of a negative or NaN is NaN, of +inf is +inf), so it is also the check.
        m = x.shape[0]
        if w is None and m <= CHUNK:
            # one chunk (a small fit): the same sums without the generator and its buffer
            with np.errstate(divide="ignore", invalid="ignore"):
                slog = float(np.add.reduce(np.log(x)))
            if not math.isfinite(slog):
                return None
            total = float(np.add.reduce(x))
            return made(GammaStats, {"n": float(m), "total": total, "slog": slog})
        total = slog = 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            for xc, b, wc in log_chunks(x, w):
                if wc is None:
                    total += float(xc.sum())
                    slog += float(b.sum())
                else:
                    total += float(wc @ xc)
                    slog += float(wc @ b)
        if not math.isfinite(slog):
            return None
        return GammaStats(n=float(m) if w is None else float(w.sum()), total=total, slog=slog)

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        return _gamma_loglik(stats.n, stats.total, stats.slog, params["shape"], params["rate"])

    def _mle(self, stats: Any) -> dict[str, Value] | None:
        if "shape" in self._values and "rate" not in self._values:
            return {"rate": self._values["shape"] * stats.n / stats.total}
        return None

    def _information(self, params: Mapping[str, Value], stats: Any) -> NDArray[np.float64]:
        k, r = params["shape"], params["rate"]
        full = stats.n * np.array([[trigamma(k), -1.0 / r], [-1.0 / r, k / (r * r)]])
        idx = [i for i, name in enumerate(("shape", "rate")) if name not in self._values]
        return np.asarray(full[np.ix_(idx, idx)])

    def _covariance(self, params: Mapping[str, Value], stats: Any) -> NDArray[np.float64]:
        """Inverse information of the free parameters, in closed form.

        The Hessian of the log-likelihood does not involve the data, so the
        observed information equals the expected one everywhere; its 2x2 inverse
        is ``[[k, beta], [beta, beta^2 psi1(k)]] / (n (k psi1(k) - 1))``.
        """
        k, r, n = float(params["shape"]), float(params["rate"]), float(stats.n)
        fixed = self._values
        if fixed and "shape" in fixed:  # the rate free
            return np.array([[r * r / (n * k)]])
        t = float(sc.zeta(2.0, k))
        if fixed and "rate" in fixed:  # the shape free
            return np.array([[1.0 / (n * t)]])
        d = n * (k * t - 1.0)  # > 0: k psi1(k) > 1 for every k > 0 (0 after rounding)
        if not d > 0:
            return np.full((2, 2), np.inf)
        return np.array([[k / d, r / d], [r / d, r * r * t / d]])

    def _grad_hess(
        self, params: Mapping[str, Value], stats: Any
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        k, r, n = params["shape"], params["rate"], stats.n
        g = np.array([n * (np.log(r) - sc.digamma(k)) + stats.slog, n * k / r - stats.total])
        h = np.array([[-n * sc.zeta(2.0, k), n / r], [n / r, -n * k / (r * r)]])
        return g, h

    def _start(self, stats: Any) -> dict[str, float]:
        s = float(np.log(stats.total / stats.n) - stats.slog / stats.n)
        k = _minka_start(s) if s > 0 else 1.0
        k = self._values.get("shape", k)
        return {"shape": k, "rate": self._values.get("rate", k * stats.n / stats.total)}

    def _fit_fast(self, stats: Any) -> tuple[dict[str, Value], SolverResult] | None:
        if self._values:
            return None
        return _profile_shape(stats.n, stats.total, stats.slog, stats.n)

    def _fit_fast_many(self, stats: Any) -> tuple[dict[str, Value], BatchResult] | None:
        if self._values:
            return None
        return _profile_shape_many(stats.n, stats.total, stats.slog)


def _gamma_loglik(n: Any, total: Any, slog: Any, k: Any, rate: Any) -> Any:
    """The Gamma log-likelihood from (n, sum x, sum log x) (scalars or one entry per group)."""
    return n * (k * np.log(rate) - sc.gammaln(k)) + (k - 1.0) * slog - rate * total


def _minka_start(s: Any) -> Any:
    """Minka's approximation to the root of ``log k - psi(k) = s`` (s > 0; scalar or array)."""
    return (3.0 - s + ((s - 3.0) ** 2 + 24.0 * s) ** 0.5) / (12.0 * s)


def _profile_equation(u: Any, k: Any, s: Any) -> tuple[Any, Any]:
    """The profile score equation ``log k - psi(k) - s`` at ``u = log k`` and its
    derivative in ``u``, ``1 - k psi'(k)`` (decreasing: ``k psi'(k) > 1``)."""
    return u - sc.digamma(k) - s, 1.0 - k * trigamma(k)


def _profile_shape_many(n: Any, total: Any, slog: Any) -> tuple[dict[str, Value], BatchResult]:
    """:func:`_profile_shape` for every group at once (optim's batched profile Newton)."""
    with np.errstate(all="ignore"):
        s = np.log(total / n) - slog / n
    equal = ~(s > 0)
    s = np.where(equal, 1.0, s)

    def eq(u: NDArray[np.float64], rows: NDArray[np.intp]) -> tuple[Any, Any]:
        return _profile_equation(u, np.exp(u), s[rows])

    sol = newton_1d_batch(eq, np.log(_minka_start(s)), xtol=1e-8)
    u = sol.x[:, 0]
    with np.errstate(all="ignore"):
        k = np.exp(u)
        rate = k * n / total
        ll = _gamma_loglik(n, total, slog, k, rate)
    res = BatchResult.of(sol.x, ll, sol.converged, sol.message, sol.iterations)
    m = u.shape[0]
    edge = BatchResult(np.full((m, 1), np.inf), np.full(m, np.inf), np.zeros(m, dtype=bool),
                       np.full(m, Status.BOUNDARY.value), np.full(m, _EQUAL, dtype=object),
                       np.zeros(m, dtype=np.int64))  # fmt: skip
    params = {"shape": np.where(equal, np.inf, k), "rate": np.where(equal, np.inf, rate)}
    return params, res.where(equal, edge)


def _profile_shape(
    n: float, total: float, slog: float, n_eff: float
) -> tuple[dict[str, Value], SolverResult]:
    """Profile Newton for a Gamma shape from (n, sum x, sum log x)."""
    s = math.log(total / n) - slog / n
    if not s > 0:
        res = SolverResult.boundary(
            [np.inf], np.inf, "all observations are equal: the shape MLE is infinite"
        )
        return {"shape": np.inf, "rate": np.inf}, res

    exp = math.exp

    def eq(u: float) -> tuple[float, float]:
        v, dv = _profile_equation(u, exp(u) if u < 700.0 else math.inf, s)
        return float(v), float(dv)

    # a Newton step below 1e-8 leaves an error of its square: stop after taking it
    sol = newton_1d(eq, math.log(_minka_start(s)), xtol=1e-8)
    u = float(sol.x[0])
    k = math.exp(u)
    rate = k * n / total
    ll = float(_gamma_loglik(n, total, slog, k, rate))
    res = SolverResult.of([u], ll, sol.converged, sol.message, sol.iterations)
    return {"shape": k, "rate": rate}, res


def direct_mle(
    fam: Gamma, x: NDArray[np.float64]
) -> tuple[GammaStats, dict[str, float], float, NDArray[np.float64], str, int] | None:
    """The MLE of a Gamma with both parameters free from a small array.

    ``th.fit``'s short path (issue 12: a small fit's fixed cost). ``x`` is a C-contiguous
    float64 array of 1 to 4096 values; returns the statistics (``_reduce``'s one-chunk
    sums), the estimate and log-likelihood of the profile Newton solve
    (:func:`_profile_shape`, as ``_fit_fast``), the closed-form covariance
    (``_covariance``), the solver's message and iterations; None (the general route
    decides and explains) for anything else: a value that is not positive and finite,
    equal values (shape inf), a solve that did not end in success.
    """
    if not np.minimum.reduce(x) > 0:  # also NaN: then np.log below warns of nothing
        return None
    slog = float(np.add.reduce(np.log(x)))
    if not math.isfinite(slog):  # an inf
        return None
    n = float(x.shape[0])
    stats = made(GammaStats, {"n": n, "total": float(np.add.reduce(x)), "slog": slog})
    try:
        with np.errstate(all="ignore"):  # as the general route's _formula
            theta, res = _profile_shape(n, stats.total, slog, n)
            if res.status is not Status.SUCCESS:
                return None
            k, rate = theta["shape"], theta["rate"]
            if not (0 < k < math.inf and 0 < rate < math.inf):
                return None
            theta = {"shape": float(k), "rate": float(rate)}
            cov = fam._covariance(theta, stats)
    except (ZeroDivisionError, OverflowError, FloatingPointError, ValueError):
        return None
    loglik = res.fun
    if math.isnan(loglik) or loglik == -math.inf or cov.shape != (2, 2):
        return None
    return stats, theta, loglik, cov, res.message, res.iterations
