"""Beta-negative-binomial distribution."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._domains import POSITIVE
from ._base import DiscreteDistribution, Param
from .observations import counts_support

__all__ = ["BetaNegativeBinomial"]


class BetaNegativeBinomial(DiscreteDistribution):
    """Beta-negative-binomial: failures before the r-th success, p drawn from Beta(a, b).

    Parameters
    ----------
    r : float > 0
        Number of successes.
    a, b : float > 0
        Shapes of the Beta distribution of the success probability.

    Notes
    -----
    pmf ``Gamma(r + x) / (x! Gamma(r)) B(a + r, b + x) / B(a, b)``; mean
    ``r b / (a - 1)`` for a > 1. With ``r = 1`` it is the posterior predictive of a
    Geometric observation (failures before the first success) under a Beta
    posterior.

    Examples
    --------
    >>> import thetahat as th
    >>> d = th.BetaNegativeBinomial(1, 5, 2)
    >>> d.mean()
    0.5
    >>> round(float(d.pmf(0)), 4)
    0.7143
    """

    _params = (
        Param("r", POSITIVE, "number of successes"),
        Param("a", POSITIVE, "first Beta shape"),
        Param("b", POSITIVE, "second Beta shape"),
    )
    support_text = "non-negative integers"

    _support_mask = counts_support

    def _logp(self, x: NDArray[np.float64], r: float, a: float, b: float) -> NDArray[np.float64]:
        ok = (x >= 0) & (x == np.floor(x))
        xs = np.where(ok, x, 0.0)
        lp = (
            sc.gammaln(r + xs)
            - sc.gammaln(xs + 1.0)
            - sc.gammaln(r)
            + sc.betaln(a + r, b + xs)
            - sc.betaln(a, b)
        )
        return np.where(ok, lp, -np.inf)

    def _mean(self, r: float, a: float, b: float) -> float:
        return r * b / (a - 1.0) if a > 1 else np.inf

    def _var(self, r: float, a: float, b: float) -> float:
        if a <= 2:
            return np.inf
        return r * b * (r + a - 1.0) * (b + a - 1.0) / ((a - 2.0) * (a - 1.0) ** 2)

    def _sample(self, size: Any, rng: np.random.Generator, r: float, a: float, b: float) -> Any:
        p = rng.beta(a, b, size=size)
        return rng.negative_binomial(r, p)

    def _scipy(self, r: float, a: float, b: float) -> Any:
        return _real_betanbinom()(r, a, b)


@functools.cache
def _real_betanbinom() -> Any:
    """scipy's ``betanbinom`` with a real number of successes ``r``.

    ``scipy.stats.betanbinom`` accepts only an integer ``r`` (it returns nan
    otherwise) although its pmf, and the generic cdf/sf/ppf it builds from the
    pmf, hold for any ``r > 0``; this subclass only relaxes that check.
    """
    from scipy import stats

    class _BetaNBinomReal(type(stats.betanbinom)):  # type: ignore[misc]
        def _argcheck(self, n: Any, a: Any, b: Any) -> Any:
            return (n > 0) & (a > 0) & (b > 0)

    return _BetaNBinomReal(name="betanbinom")
