"""Beta-binomial distribution."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._domains import NONNEGATIVE_INTEGER, POSITIVE
from ._base import DiscreteDistribution, Param
from .binomial import log_binom

__all__ = ["BetaBinomial"]


class BetaBinomial(DiscreteDistribution):
    """Beta-binomial: Binomial(n, p) successes with p drawn from Beta(a, b).

    Parameters
    ----------
    n : int >= 0 (or one per observation)
        Number of trials.
    a, b : float > 0
        Shapes of the Beta distribution of the success probability.

    Notes
    -----
    pmf ``C(n, x) B(x + a, n - x + b) / B(a, b)``; mean ``n a / (a + b)``;
    variance ``n a b (a + b + n) / ((a + b)^2 (a + b + 1))``. It is the posterior
    predictive of Binomial data under a Beta posterior, and the marginal
    likelihood of a group in Beta-Binomial empirical Bayes.

    Examples
    --------
    >>> import thetahat as th
    >>> d = th.BetaBinomial(10, 2, 3)
    >>> d.mean()
    4.0
    >>> round(float(d.pmf(4)), 4)
    0.1399
    """

    _params = (
        Param("n", NONNEGATIVE_INTEGER, "number of trials", per_observation=True),
        Param("a", POSITIVE, "first Beta shape"),
        Param("b", POSITIVE, "second Beta shape"),
    )
    support_text = "integers between 0 and n"

    def _support_mask(self, x: NDArray[np.float64], **obs: Any) -> NDArray[np.bool_]:
        n = obs.get("n", self._values.get("n"))
        if n is None:  # n unknown: the counts at least
            return np.asarray((x >= 0) & (x == np.floor(x)))
        return np.asarray((x >= 0) & (x <= n) & (x == np.floor(x)))

    def _logp(self, x: NDArray[np.float64], n: Any, a: float, b: float) -> NDArray[np.float64]:
        ok = (x >= 0) & (x <= n) & (x == np.floor(x))
        xs = np.where(ok, x, 0.0)
        lp = log_binom(n, xs) + sc.betaln(xs + a, n - xs + b) - sc.betaln(a, b)
        return np.where(ok, lp, -np.inf)

    def _mean(self, n: Any, a: float, b: float) -> Any:
        return n * a / (a + b)

    def _var(self, n: Any, a: float, b: float) -> Any:
        s = a + b
        return n * a * b * (s + n) / (s * s * (s + 1.0))

    def _sample(self, size: Any, rng: np.random.Generator, n: Any, a: float, b: float) -> Any:
        p = rng.beta(a, b, size=size)
        return rng.binomial(np.asarray(n, dtype=np.int64), p)

    def _scipy(self, n: Any, a: float, b: float) -> Any:
        from scipy import stats

        return stats.betabinom(n, a, b)
