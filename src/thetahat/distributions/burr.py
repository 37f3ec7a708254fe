"""Burr (Burr type XII) distribution in actuar's parametrisation (shape1, shape2, rate)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._domains import POSITIVE
from .._logspace import log1mexp
from ._base import ContinuousDistribution, Param, Value
from .loglogistic import LogLogistic
from .observations import positive_support

__all__ = ["Burr"]


def _log_v(x: NDArray[np.float64], shape2: float, rate: float) -> NDArray[np.float64]:
    """``log v = shape2 log(rate x)`` (``-inf`` at 0)."""
    with np.errstate(divide="ignore"):
        return np.asarray(shape2 * (np.log(np.maximum(x, 0.0)) + np.log(rate)))


class Burr(ContinuousDistribution):
    """Burr (type XII) distribution, actuar's ``burr(shape1, shape2, rate)``.

    Parameters
    ----------
    shape1 : float > 0
        Shape alpha (the tail: ``S(x) ~ (rate x)^(-alpha shape2)``).
    shape2 : float > 0
        Shape gamma.
    rate : float > 0
        Rate ``1 / theta`` (theta the scale).

    Notes
    -----
    With ``v = (rate x)^gamma``: ``S = (1 + v)^-alpha``,
    ``f = alpha gamma v / (x (1 + v)^(alpha + 1))``; in log space
    ``log S = -alpha softplus(log v)`` (``softplus(t) = log(1 + e^t)`` via
    ``logaddexp``), ``log F = log(-expm1(log S))``, so neither tail loses
    precision; ``F^-1(q) = expm1(-log(1 - q) / alpha)^(1/gamma) / rate``. The k-th
    moment ``Gamma(1 + k/gamma) Gamma(alpha - k/gamma) / (Gamma(alpha) rate^k)``
    exists for ``k < alpha gamma``. This is actuar's ``dburr(x, shape1, shape2,
    rate)`` as fitdistrplus fits it, scipy's ``burr12(c=shape2, d=shape1,
    scale=1/rate)``; ``shape1 = 1`` is the :class:`LogLogistic`, ``shape2 = 1`` the
    :class:`Lomax`.

    Fitting: no finite sufficient statistics; Newton over the three log
    parameters with numerical derivatives, started from the log-logistic MLE
    (``shape1 = 1``). For fixed ``(gamma, rate)`` the MLE of alpha is
    ``n / sum w softplus(log v)``. The Burr likelihood is notoriously flat along a
    ridge where ``alpha -> infinity`` and the scale grows (the Weibull limit); a fit
    that runs along it is reported with status ``"boundary"``, not success.

    Examples
    --------
    >>> import thetahat as th
    >>> d = th.Burr(2.0, 3.0, 0.5)
    >>> round(d.cdf(2.0), 6), round(d.ppf(0.5), 6)
    (0.75, 1.490864)
    """

    _params = (
        Param("shape1", POSITIVE, "shape alpha"),
        Param("shape2", POSITIVE, "shape gamma"),
        Param("rate", POSITIVE, "rate (1 / scale)"),
    )
    support_text = "positive numbers"

    def _logp(
        self, x: NDArray[np.float64], shape1: float, shape2: float, rate: float
    ) -> NDArray[np.float64]:
        ok = x > 0
        xs = np.where(ok, x, 1.0)
        lv = _log_v(xs, shape2, rate)
        lp = np.log(shape1 * shape2) + lv - np.log(xs) - (shape1 + 1.0) * np.logaddexp(0.0, lv)
        return np.where(ok, lp, -np.inf)

    def _moment(self, k: float, shape1: float, shape2: float, rate: float) -> float:
        if k >= shape1 * shape2:
            return np.inf
        lg = sc.gammaln(1.0 + k / shape2) + sc.gammaln(shape1 - k / shape2) - sc.gammaln(shape1)
        return float(np.exp(lg - k * np.log(rate)))

    def _mean(self, shape1: float, shape2: float, rate: float) -> float:
        return self._moment(1.0, shape1, shape2, rate)

    def _var(self, shape1: float, shape2: float, rate: float) -> float:
        m2 = self._moment(2.0, shape1, shape2, rate)
        if not np.isfinite(m2):
            return np.inf
        return m2 - self._moment(1.0, shape1, shape2, rate) ** 2

    def _mode(self, shape1: float, shape2: float, rate: float) -> float:
        if shape2 <= 1:
            return 0.0
        return float(((shape2 - 1.0) / (shape1 * shape2 + 1.0)) ** (1.0 / shape2) / rate)

    def _sample(
        self, size: Any, rng: np.random.Generator, shape1: float, shape2: float, rate: float
    ) -> Any:
        u = rng.random(size=size)
        return self._ppf(np.asarray(u), shape1, shape2, rate)

    def _logsf(
        self, x: NDArray[np.float64], shape1: float, shape2: float, rate: float
    ) -> NDArray[np.float64]:
        return np.asarray(-shape1 * np.logaddexp(0.0, _log_v(x, shape2, rate)))

    def _logcdf(
        self, x: NDArray[np.float64], shape1: float, shape2: float, rate: float
    ) -> NDArray[np.float64]:
        with np.errstate(divide="ignore"):
            return log1mexp(self._logsf(x, shape1, shape2, rate))

    def _cdf(
        self, x: NDArray[np.float64], shape1: float, shape2: float, rate: float
    ) -> NDArray[np.float64]:
        return np.asarray(-np.expm1(self._logsf(x, shape1, shape2, rate)))

    def _sf(
        self, x: NDArray[np.float64], shape1: float, shape2: float, rate: float
    ) -> NDArray[np.float64]:
        return np.asarray(np.exp(self._logsf(x, shape1, shape2, rate)))

    def _ppf(
        self, q: NDArray[np.float64], shape1: float, shape2: float, rate: float
    ) -> NDArray[np.float64]:
        with np.errstate(divide="ignore", over="ignore"):
            v = np.expm1(-np.log1p(-q) / shape1)
            return np.asarray(v ** (1.0 / shape2) / rate)

    def _scipy(self, shape1: float, shape2: float, rate: float) -> Any:
        from scipy import stats

        return stats.burr12(shape2, shape1, scale=1.0 / rate)

    # -- family
    _support_mask = positive_support

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        p = params
        return stats.total(self._logp(stats.x, p["shape1"], p["shape2"], p["rate"]))

    def _start(self, stats: Any) -> dict[str, float]:
        given = self._values
        try:  # the log-logistic (shape1 = 1) MLE
            found = LogLogistic().fast_fit(stats)
        except (ValueError, FloatingPointError, ZeroDivisionError):
            found = None
        if found is not None and found[1].converged:
            ll = found[0]
        else:
            ll = LogLogistic()._start(stats)
        start = {"shape2": float(ll["shape"]), "rate": 1.0 / float(ll["scale"])}
        shape2 = float(given.get("shape2", start["shape2"]))
        rate = float(given.get("rate", start["rate"]))
        lv = _log_v(stats.x, shape2, rate)
        alpha = stats.n / stats.total(np.logaddexp(0.0, lv))
        return {"shape1": float(given.get("shape1", alpha)), "shape2": shape2, "rate": rate}
