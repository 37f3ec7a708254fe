"""Exponential distribution (rate parametrisation)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._domains import POSITIVE
from ..statistics.sufficient import SuffStats, made
from ._base import ContinuousDistribution, Param, Value
from .family import many, where

__all__ = ["Exponential", "ExponentialStats"]


@dataclass(frozen=True)
class ExponentialStats(SuffStats):
    """n observations and their (weighted) total."""

    total: float = 0.0


class Exponential(ContinuousDistribution):
    """Exponential distribution with ``rate`` (the inverse of the mean).

    Parameters
    ----------
    rate : float > 0
        Events per unit time; the mean is ``1 / rate`` (scipy's ``scale``).

    Notes
    -----
    density ``rate exp(-rate x)`` for x >= 0. Sufficient statistics n and
    S = sum(x). MLE ``rate = n / S``; Fisher information ``n / rate^2``.
    Conjugate prior ``Gamma(shape, rate=b)`` -> ``Gamma(shape + n, b + S)``.
    Not shifted: there is no location parameter.

    Examples
    --------
    >>> import thetahat as th
    >>> th.Exponential(2.0).mean()
    0.5
    >>> th.fit(th.Exponential, [0.5, 1.5, 1.0]).params
    {'rate': 1.0}
    """

    _params = (Param("rate", POSITIVE, "events per unit time (1 / mean)"),)
    support_text = "non-negative numbers"
    _stats_type = ExponentialStats
    _array_hooks = True

    def _logp(self, x: NDArray[np.float64], rate: float) -> NDArray[np.float64]:
        return np.where(x >= 0, np.log(rate) - rate * np.maximum(x, 0.0), -np.inf)

    def _mean(self, rate: float) -> float:
        return 1.0 / rate

    def _var(self, rate: float) -> float:
        return 1.0 / (rate * rate)

    def _sample(self, size: Any, rng: np.random.Generator, rate: float) -> Any:
        return rng.exponential(1.0 / rate, size=size)

    def _cdf(self, x: NDArray[np.float64], rate: float) -> NDArray[np.float64]:
        return np.where(x < 0, 0.0, -np.expm1(-rate * np.maximum(x, 0.0)))

    def _sf(self, x: NDArray[np.float64], rate: float) -> NDArray[np.float64]:
        return np.where(x < 0, 1.0, np.exp(-rate * np.maximum(x, 0.0)))

    def _ppf(self, q: NDArray[np.float64], rate: float) -> NDArray[np.float64]:
        with np.errstate(divide="ignore"):  # q = 1 -> inf
            return -np.log1p(-q) / rate

    def _scipy(self, rate: float) -> Any:
        from scipy import stats

        return stats.expon(scale=1.0 / rate)

    # -- family
    def _support_mask(self, x: NDArray[np.float64], **obs: Any) -> NDArray[np.bool_]:
        return x >= 0

    def _chunk_stats(self, x: NDArray[np.float64], w: NDArray[np.float64] | None, obs: Any) -> Any:
        if w is None:  # the ufunc's reduce: np.sum's result without its Python wrapper
            n, total = float(x.shape[0]), float(np.add.reduce(x))
            return made(ExponentialStats, {"n": n, "total": total})
        return ExponentialStats(n=float(np.sum(w)), total=float(np.dot(w, x)))

    def _checked_chunk_stats(
        self, x: NDArray[np.float64], w: NDArray[np.float64] | None, obs: Any
    ) -> ExponentialStats | None:
        # min >= 0 rejects negatives, NaN and -inf; a non-finite total rejects +inf
        if not np.minimum.reduce(x) >= 0:
            return None
        st = self._chunk_stats(x, w, obs)
        return st if math.isfinite(st.total) or not np.isposinf(x).any() else None

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        rate = params["rate"]
        if type(rate) is float and 0 < rate < math.inf and not many(stats.n):
            return stats.n * math.log(rate) - rate * stats.total  # one fit: Python floats
        if not many(rate) and rate == np.inf:  # the limit rate -> inf: a point mass at 0
            return float(np.inf if stats.total == 0 else -np.inf)
        ll = stats.n * np.log(rate) - rate * stats.total
        return where(rate == np.inf, where(stats.total == 0, np.inf, -np.inf), ll)  # groups

    def _mle(self, stats: Any) -> dict[str, Value]:
        if not many(stats.total):  # one fit: Python floats
            return {"rate": np.inf if stats.total == 0 else stats.n / stats.total}
        with np.errstate(divide="ignore"):  # groups: all-zero data give rate inf
            return {"rate": where(stats.total == 0, np.inf, stats.n / stats.total)}

    def _information(self, params: Mapping[str, Value], stats: Any) -> NDArray[np.float64]:
        rate = params["rate"]
        return np.array([[stats.n / (rate * rate)]])


def direct_mle(
    fam: Exponential, x: NDArray[np.float64]
) -> tuple[ExponentialStats, dict[str, float], float, NDArray[np.float64], str, int] | None:
    """The MLE of a free Exponential rate from a small array, in Python floats.

    ``th.fit``'s short path (issue 12: a small fit's fixed cost). ``x`` is a C-contiguous
    float64 array of 1 to 4096 values; returns the statistics, the estimate, the
    log-likelihood, the covariance ``rate^2 / n`` (as ``1 / (n / rate^2)``, the inverse
    the general route takes), the message and the iterations exactly as
    ``_checked_chunk_stats``, ``_mle``, ``_loglik`` and ``_information`` give them; None
    (the general route decides and explains) for anything else: a negative value, NaN
    or inf, all zeros (rate inf, on the boundary).
    """
    if not np.minimum.reduce(x) >= 0:
        return None
    total = float(np.add.reduce(x))
    if not (total > 0 and math.isfinite(total)):
        return None
    n = float(x.shape[0])
    rate = n / total
    if not math.isfinite(rate):
        return None
    stats = made(ExponentialStats, {"n": n, "total": total})
    theta = {"rate": rate}
    loglik = float(fam._loglik(theta, stats))
    r2 = rate * rate
    if not r2 > 0:  # underflow (values near 1e300): the general route's numpy arithmetic
        return None
    a = n / r2
    if not (a > 0 and math.isfinite(a)):
        return None
    return stats, theta, loglik, np.array([[1.0 / a]]), "closed form", 0
