"""Negative binomial distribution (scipy's nbinom convention, real r)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._domains import POSITIVE, Interval
from ._base import DiscreteDistribution, Param

__all__ = ["NegativeBinomial"]


class NegativeBinomial(DiscreteDistribution):
    """Negative binomial: **failures before the r-th success** (scipy's ``nbinom``).

    Parameters
    ----------
    r : float > 0
        Number of successes; any positive real (a Gamma-Poisson mixture when real).
    p : float in (0, 1]
        Success probability of each trial.

    Notes
    -----
    pmf ``Gamma(x + r) / (Gamma(r) x!) p^r (1 - p)^x`` for x = 0, 1, ...; mean
    ``r (1 - p) / p``; variance ``r (1 - p) / p^2``. It is the posterior
    predictive of a Poisson count under a ``Gamma(shape, rate)`` posterior, with
    ``r = shape`` and ``p = rate / (rate + exposure)``.
    """

    _params = (
        Param("r", POSITIVE, "number of successes (real)"),
        Param("p", Interval(0.0, 1.0, high_closed=True), "success probability"),
    )
    support_text = "non-negative integers"

    def _logp(self, x: NDArray[np.float64], r: float, p: float) -> NDArray[np.float64]:
        ok = (x >= 0) & (x == np.floor(x))
        xs = np.where(ok, x, 0.0)
        lp = (
            sc.gammaln(xs + r)
            - sc.gammaln(r)
            - sc.gammaln(xs + 1.0)
            + r * np.log(p)
            + sc.xlog1py(xs, -p)
        )
        return np.where(ok, lp, -np.inf)

    def _mean(self, r: float, p: float) -> float:
        return r * (1.0 - p) / p

    def _var(self, r: float, p: float) -> float:
        return r * (1.0 - p) / (p * p)

    def _sample(self, size: Any, rng: np.random.Generator, r: float, p: float) -> Any:
        return rng.negative_binomial(r, p, size=size)

    def _cdf(self, x: NDArray[np.float64], r: float, p: float) -> NDArray[np.float64]:
        k = np.floor(x)
        return np.where(k < 0, 0.0, sc.betainc(r, np.maximum(k, 0.0) + 1.0, p))

    def _scipy(self, r: float, p: float) -> Any:
        from scipy import stats

        return stats.nbinom(r, p)
