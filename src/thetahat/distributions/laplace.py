"""Laplace (double exponential) distribution: the prior behind the lasso."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._domains import POSITIVE, REAL
from ._base import ContinuousDistribution, Param

__all__ = ["Laplace"]

_LOG2 = float(np.log(2.0))


class Laplace(ContinuousDistribution):
    """Laplace distribution with location ``loc`` and scale ``scale``.

    Parameters
    ----------
    loc : float
        Location: the mean, median and mode.
    scale : float > 0
        Scale b (the mean absolute deviation from ``loc``); the standard deviation
        is ``b sqrt(2)``. scipy's ``laplace(loc, scale)``.

    Notes
    -----
    ``log p = -log(2 b) - |x - loc| / b``. As a prior on regression weights,
    ``Laplace(0, b)`` turns the negative log posterior into least squares plus the
    L1 penalty ``|w| / b``: the lasso (see ``thetahat.regression``).
    ``cdf = exp(z) / 2`` for ``z = (x - loc) / b < 0`` and ``1 - exp(-z) / 2``
    otherwise; the ``ppf`` inverts it piecewise.
    """

    _params = (
        Param("loc", REAL, "location (mean, median and mode)"),
        Param("scale", POSITIVE, "scale b (mean absolute deviation)"),
    )
    support_text = "real numbers"

    def _logp(self, x: NDArray[np.float64], loc: float, scale: float) -> NDArray[np.float64]:
        return -_LOG2 - np.log(scale) - np.abs(x - loc) / scale

    def _mean(self, loc: float, scale: float) -> float:
        return loc

    def _mode(self, loc: float, scale: float) -> float:
        return loc

    def _var(self, loc: float, scale: float) -> float:
        return 2.0 * scale * scale

    def _sample(self, size: Any, rng: np.random.Generator, loc: float, scale: float) -> Any:
        return rng.laplace(loc, scale, size=size)

    def _cdf(self, x: NDArray[np.float64], loc: float, scale: float) -> NDArray[np.float64]:
        z = (x - loc) / scale
        return np.where(z < 0, 0.5 * np.exp(np.minimum(z, 0.0)), -0.5 * np.expm1(-np.abs(z)) + 0.5)

    def _sf(self, x: NDArray[np.float64], loc: float, scale: float) -> NDArray[np.float64]:
        z = (x - loc) / scale
        return np.where(z > 0, 0.5 * np.exp(-np.maximum(z, 0.0)), -0.5 * np.expm1(-np.abs(z)) + 0.5)

    def _ppf(self, q: NDArray[np.float64], loc: float, scale: float) -> NDArray[np.float64]:
        with np.errstate(divide="ignore"):
            low = loc + scale * np.log(2.0 * q)
            high = loc - scale * np.log(2.0 * (1.0 - q))
        return np.asarray(np.where(q < 0.5, low, high))

    def _scipy(self, loc: float, scale: float) -> Any:
        from scipy import stats

        return stats.laplace(loc, scale)
