"""Bernoulli distribution."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._domains import UNIT
from ..statistics.sufficient import SuffStats
from ._base import DiscreteDistribution, Param, Value

__all__ = ["Bernoulli", "BernoulliStats"]


@dataclass(frozen=True)
class BernoulliStats(SuffStats):
    """n observations (sum of weights) and k successes (weighted sum of the data)."""

    k: float = 0.0


class Bernoulli(DiscreteDistribution):
    """Bernoulli distribution: one trial that is 1 with probability ``p``.

    Parameters
    ----------
    p : float in [0, 1]
        Probability of a 1 ("success", "heads").

    Notes
    -----
    pmf: ``P(x) = p^x (1 - p)^(1 - x)`` for x in {0, 1}. Sufficient statistics:
    n and k = sum(x). MLE ``p = k / n``; Fisher information ``n / (p (1 - p))``.
    Conjugate prior: ``Beta(a, b)`` -> ``Beta(a + k, b + n - k)``.

    Examples
    --------
    >>> import thetahat as th
    >>> th.Bernoulli(0.3).mean()
    0.3
    >>> th.fit(th.Bernoulli, [1, 0, 1, 1]).params
    {'p': 0.75}
    >>> th.fit(th.Bernoulli, [1, 1, 1], prior=th.Beta(2, 2)).params
    {'p': 0.8}
    """

    _params = (Param("p", UNIT, "probability of a 1"),)
    support_text = "0 or 1"
    _stats_type = BernoulliStats
    _array_hooks = True

    def _logp(self, x: NDArray[np.float64], p: float) -> NDArray[np.float64]:
        ok = (x == 0) | (x == 1)
        xs = np.where(ok, x, 0.0)
        return np.where(ok, sc.xlogy(xs, p) + sc.xlog1py(1.0 - xs, -p), -np.inf)

    def _mean(self, p: float) -> float:
        return p

    def _var(self, p: float) -> float:
        return p * (1.0 - p)

    def _sample(self, size: Any, rng: np.random.Generator, p: float) -> Any:
        return rng.binomial(1, p, size=size)

    def _cdf(self, x: NDArray[np.float64], p: float) -> NDArray[np.float64]:
        return np.where(x < 0, 0.0, np.where(x < 1, 1.0 - p, 1.0))

    def _scipy(self, p: float) -> Any:
        from scipy import stats

        return stats.bernoulli(p)

    # -- family
    def _support_mask(self, x: NDArray[np.float64], **obs: Any) -> NDArray[np.bool_]:
        return (x == 0) | (x == 1)

    def _chunk_stats(self, x: NDArray[np.float64], w: NDArray[np.float64] | None, obs: Any) -> Any:
        if w is None:
            return BernoulliStats(n=float(x.shape[0]), k=float(np.sum(x)))
        return BernoulliStats(n=float(np.sum(w)), k=float(np.dot(w, x)))

    def _checked_chunk_stats(
        self, x: NDArray[np.float64], w: NDArray[np.float64] | None, obs: Any
    ) -> BernoulliStats | None:
        ones = x == 1
        k = np.count_nonzero(ones)
        if k + np.count_nonzero(x == 0) != x.shape[0]:
            return None
        if w is None:
            return BernoulliStats(n=float(x.shape[0]), k=float(k))
        return BernoulliStats(n=float(np.sum(w)), k=float(np.sum(w[ones])))

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        p = params["p"]
        return sc.xlogy(stats.k, p) + sc.xlog1py(stats.n - stats.k, -p)

    def _mle(self, stats: Any) -> dict[str, Value]:
        return {"p": stats.k / stats.n}

    def _information(self, params: Mapping[str, Value], stats: Any) -> NDArray[np.float64]:
        p = np.float64(params["p"])
        with np.errstate(divide="ignore"):
            return np.array([[stats.n / (p * (1.0 - p))]])
