"""Student's t distribution with location and scale."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._domains import POSITIVE, REAL
from ._base import ContinuousDistribution, Param

__all__ = ["StudentT"]


class StudentT(ContinuousDistribution):
    """Student's t distribution.

    Parameters
    ----------
    df : float > 0
        Degrees of freedom nu.
    loc : float
        Location (the mean when nu > 1).
    scale : float > 0
        Scale s (not the standard deviation: that is ``s sqrt(nu / (nu - 2))``).

    Notes
    -----
    ``log p = log Gamma((nu+1)/2) - log Gamma(nu/2) - log(nu pi)/2 - log s
    - (nu+1)/2 log(1 + z^2/nu)`` with ``z = (x - loc) / s``. It is the posterior
    predictive of a Normal with unknown mean and variance under a
    NormalInverseGamma prior.
    """

    _params = (
        Param("df", POSITIVE, "degrees of freedom"),
        Param("loc", REAL, "location"),
        Param("scale", POSITIVE, "scale"),
    )
    support_text = "real numbers"

    def _logp(
        self, x: NDArray[np.float64], df: float, loc: float, scale: float
    ) -> NDArray[np.float64]:
        z = (x - loc) / scale
        return (
            sc.gammaln(0.5 * (df + 1.0))
            - sc.gammaln(0.5 * df)
            - 0.5 * np.log(df * np.pi)
            - np.log(scale)
            - 0.5 * (df + 1.0) * np.log1p(z * z / df)
        )

    def _mean(self, df: float, loc: float, scale: float) -> float:
        return loc if df > 1 else np.nan

    def _mode(self, df: float, loc: float, scale: float) -> float:
        return loc

    def _var(self, df: float, loc: float, scale: float) -> float:
        if df > 2:
            return scale * scale * df / (df - 2.0)
        return np.inf if df > 1 else np.nan

    def _sample(
        self, size: Any, rng: np.random.Generator, df: float, loc: float, scale: float
    ) -> Any:
        return loc + scale * rng.standard_t(df, size=size)

    def _cdf(self, x: NDArray[np.float64], df: float, loc: float, scale: float) -> Any:
        return sc.stdtr(df, (x - loc) / scale)

    def _sf(self, x: NDArray[np.float64], df: float, loc: float, scale: float) -> Any:
        return sc.stdtr(df, (loc - x) / scale)

    def _ppf(self, q: NDArray[np.float64], df: float, loc: float, scale: float) -> Any:
        return loc + scale * sc.stdtrit(df, q)

    def _scipy(self, df: float, loc: float, scale: float) -> Any:
        from scipy import stats

        return stats.t(df, loc, scale)
