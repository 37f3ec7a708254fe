"""Geometric distribution, counting failures before the first success."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._domains import Interval
from ..statistics.sufficient import SuffStats
from ._base import DiscreteDistribution, Param, Value
from .observations import counts_support

__all__ = ["Geometric", "GeometricStats"]


@dataclass(frozen=True)
class GeometricStats(SuffStats):
    """n observations and the total number of failures."""

    total: float = 0.0


class Geometric(DiscreteDistribution):
    """Geometric distribution: the number of **failures before the first success**.

    Parameters
    ----------
    p : float in (0, 1]
        Success probability of each trial.

    Notes
    -----
    Support x = 0, 1, 2, ... (this is *not* scipy's ``geom``, which counts trials
    including the success and starts at 1; ``to_scipy()`` returns ``geom(p, loc=-1)``).
    pmf ``p (1 - p)^x``; mean ``(1 - p) / p``. Sufficient statistics n and
    S = sum(x). MLE ``p = n / (n + S)``; Fisher information ``n / (p^2 (1 - p))``.
    Conjugate prior ``Beta(a, b)`` -> ``Beta(a + n, b + S)``.

    Examples
    --------
    >>> import thetahat as th
    >>> th.Geometric(0.25).mean()
    3.0
    >>> th.fit(th.Geometric, [0, 3, 1, 4]).params
    {'p': 0.3333333333333333}
    """

    _params = (Param("p", Interval(0.0, 1.0, high_closed=True), "success probability"),)
    support_text = "non-negative integers (failures before the first success)"
    _stats_type = GeometricStats
    _array_hooks = True

    def _logp(self, x: NDArray[np.float64], p: float) -> NDArray[np.float64]:
        ok = (x >= 0) & (x == np.floor(x))
        xs = np.where(ok, x, 0.0)
        return np.where(ok, np.log(p) + sc.xlog1py(xs, -p), -np.inf)

    def _mean(self, p: float) -> float:
        return (1.0 - p) / p

    def _var(self, p: float) -> float:
        return (1.0 - p) / (p * p)

    def _sample(self, size: Any, rng: np.random.Generator, p: float) -> Any:
        return rng.geometric(p, size=size) - 1

    def _cdf(self, x: NDArray[np.float64], p: float) -> NDArray[np.float64]:
        k = np.floor(x)
        with np.errstate(divide="ignore", invalid="ignore"):  # p = 1: log1p(-1) = -inf
            inside = -np.expm1((np.maximum(k, 0.0) + 1.0) * np.log1p(-p))
        return np.where(k < 0, 0.0, inside)

    def _sf(self, x: NDArray[np.float64], p: float) -> NDArray[np.float64]:
        k = np.floor(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            inside = np.exp((np.maximum(k, 0.0) + 1.0) * np.log1p(-p))
        return np.where(k < 0, 1.0, inside)

    def _ppf(self, q: NDArray[np.float64], p: float) -> NDArray[np.float64]:
        # smallest k >= 0 with 1 - (1 - p)^(k + 1) >= q; q = 0 and 1 give -1 and inf
        # as in scipy (whose geom returns -1 for every q < 1 when p = 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            k = np.maximum(np.ceil(np.log1p(-q) / np.log1p(-p) - 1.0), 0.0)
        k = np.where(np.isnan(k), 0.0, k)
        # one step down where rounding overshot
        down = np.maximum(k - 1.0, 0.0)
        k = np.where((k > 0) & (self._cdf(down, p) >= q), down, k)
        return np.asarray(np.where(q <= 0, -1.0, np.where(q >= 1, np.inf, k)))

    def _scipy(self, p: float) -> Any:
        from scipy import stats

        return stats.geom(p, loc=-1)

    # -- family
    _support_mask = counts_support

    def _chunk_stats(self, x: NDArray[np.float64], w: NDArray[np.float64] | None, obs: Any) -> Any:
        if w is None:
            return GeometricStats(n=float(x.shape[0]), total=float(np.sum(x)))
        return GeometricStats(n=float(np.sum(w)), total=float(np.dot(w, x)))

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        p = params["p"]
        return sc.xlogy(stats.n, p) + sc.xlog1py(stats.total, -p)

    def _mle(self, stats: Any) -> dict[str, Value]:
        return {"p": stats.n / (stats.n + stats.total)}

    def _information(self, params: Mapping[str, Value], stats: Any) -> NDArray[np.float64]:
        p = np.float64(params["p"])
        with np.errstate(divide="ignore"):
            return np.array([[stats.n / (p * p * (1.0 - p))]])
