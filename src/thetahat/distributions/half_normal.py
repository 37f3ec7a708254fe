"""Half-normal distribution (scale sigma)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._domains import POSITIVE
from ..statistics.sufficient import SuffStats
from ._base import ContinuousDistribution, Param, Value
from .family import many, where

__all__ = ["HalfNormal", "HalfNormalStats"]

_LOG_2_OVER_PI = float(np.log(2.0 / np.pi))


@dataclass(frozen=True)
class HalfNormalStats(SuffStats):
    """n and sum(x^2) (about zero: no centring, nothing cancels)."""

    sumsq: float = 0.0


class HalfNormal(ContinuousDistribution):
    """Half-normal distribution: ``|Z| sigma`` with Z standard normal.

    Parameters
    ----------
    sigma : float > 0
        Scale (the standard deviation of the normal that is folded).

    Notes
    -----
    density ``sqrt(2/pi) / sigma exp(-x^2 / (2 sigma^2))`` for x >= 0; mean
    ``sigma sqrt(2/pi)``; variance ``sigma^2 (1 - 2/pi)``. Closed-form MLE
    ``sigma^2 = sum x^2 / n``; Fisher information ``2 n / sigma^2``. Not shifted
    (no location parameter). Usable as a prior on a scale.

    Examples
    --------
    >>> import thetahat as th
    >>> round(th.HalfNormal(1.0).mean(), 4)
    0.7979
    >>> round(th.fit(th.HalfNormal, [0.3, 1.2, 0.7, 2.1]).params["sigma"], 4)
    1.2679
    """

    _params = (Param("sigma", POSITIVE, "scale"),)
    support_text = "non-negative numbers"
    _stats_type = HalfNormalStats
    _array_hooks = True

    def _logp(self, x: NDArray[np.float64], sigma: float) -> NDArray[np.float64]:
        z = x / sigma
        return np.where(x >= 0, 0.5 * _LOG_2_OVER_PI - np.log(sigma) - 0.5 * z * z, -np.inf)

    def _mean(self, sigma: float) -> float:
        return float(sigma * np.sqrt(2.0 / np.pi))

    def _mode(self, sigma: float) -> float:
        return 0.0

    def _var(self, sigma: float) -> float:
        return float(sigma * sigma * (1.0 - 2.0 / np.pi))

    def _sample(self, size: Any, rng: np.random.Generator, sigma: float) -> Any:
        return np.abs(rng.normal(0.0, sigma, size=size))

    def _cdf(self, x: NDArray[np.float64], sigma: float) -> NDArray[np.float64]:
        return np.asarray(sc.erf(np.maximum(x, 0.0) / (sigma * np.sqrt(2.0))))

    def _sf(self, x: NDArray[np.float64], sigma: float) -> NDArray[np.float64]:
        return np.asarray(sc.erfc(np.maximum(x, 0.0) / (sigma * np.sqrt(2.0))))

    def _ppf(self, q: NDArray[np.float64], sigma: float) -> NDArray[np.float64]:
        return np.asarray(sigma * np.sqrt(2.0) * sc.erfinv(q))

    def _scipy(self, sigma: float) -> Any:
        from scipy import stats

        return stats.halfnorm(scale=sigma)

    # -- family
    def _support_mask(self, x: NDArray[np.float64], **obs: Any) -> NDArray[np.bool_]:
        return x >= 0

    def _chunk_stats(self, x: NDArray[np.float64], w: NDArray[np.float64] | None, obs: Any) -> Any:
        if w is None:
            return HalfNormalStats(n=float(x.shape[0]), sumsq=float(np.dot(x, x)))
        return HalfNormalStats(n=float(np.sum(w)), sumsq=float(np.dot(w * x, x)))

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        s = params["sigma"]
        if not many(s) and s == 0:  # the limit sigma -> 0: a point mass at 0
            return float(np.inf if stats.sumsq == 0 else -np.inf)
        ll = stats.n * (0.5 * _LOG_2_OVER_PI - np.log(s)) - stats.sumsq / (2.0 * s * s)
        return where(s == 0, where(stats.sumsq == 0, np.inf, -np.inf), ll)  # groups: the limit

    def _mle(self, stats: Any) -> dict[str, Value]:
        v = np.sqrt(stats.sumsq / stats.n)
        return {"sigma": float(v) if not many(v) else v}  # one fit: a Python float

    def _grad_hess(
        self, params: Mapping[str, Value], stats: Any
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        s, n = params["sigma"], stats.n
        return (
            np.array([-n / s + stats.sumsq / s**3]),
            np.array([[n / (s * s) - 3.0 * stats.sumsq / s**4]]),
        )

    def _information(self, params: Mapping[str, Value], stats: Any) -> NDArray[np.float64]:
        return np.array([[2.0 * stats.n / params["sigma"] ** 2]])
