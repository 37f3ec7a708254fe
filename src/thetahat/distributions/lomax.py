"""Lomax (Pareto type II) distribution."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._domains import POSITIVE
from ._base import ContinuousDistribution, Param

__all__ = ["Lomax"]


class Lomax(ContinuousDistribution):
    """Lomax (Pareto II) distribution on x >= 0.

    Parameters
    ----------
    shape : float > 0
        Tail index alpha.
    scale : float > 0
        Scale lambda.

    Notes
    -----
    density ``alpha / lambda (1 + x / lambda)^(-alpha - 1)``; mean
    ``lambda / (alpha - 1)`` for alpha > 1. It is the posterior predictive of an
    Exponential observation under a ``Gamma(shape, rate)`` posterior on the rate
    (``scale = rate``).

    Examples
    --------
    >>> import thetahat as th
    >>> th.Lomax(3, 2).mean()
    1.0
    >>> round(float(th.Lomax(3, 2).sf(1.0)), 4)
    0.2963
    """

    _params = (Param("shape", POSITIVE, "tail index"), Param("scale", POSITIVE, "scale"))
    support_text = "non-negative numbers"

    def _support_mask(self, x: NDArray[np.float64], **obs: Any) -> NDArray[np.bool_]:
        return np.asarray(x >= 0)

    def _logp(self, x: NDArray[np.float64], shape: float, scale: float) -> NDArray[np.float64]:
        ok = x >= 0
        xs = np.where(ok, x, 0.0)
        return np.where(ok, np.log(shape / scale) - (shape + 1.0) * np.log1p(xs / scale), -np.inf)

    def _mode(self, shape: float, scale: float) -> float:
        return 0.0

    def _mean(self, shape: float, scale: float) -> float:
        return scale / (shape - 1.0) if shape > 1 else np.inf

    def _var(self, shape: float, scale: float) -> float:
        if shape <= 2:
            return np.inf
        return scale**2 * shape / ((shape - 1.0) ** 2 * (shape - 2.0))

    def _sample(self, size: Any, rng: np.random.Generator, shape: float, scale: float) -> Any:
        rate = rng.gamma(shape, 1.0 / scale, size=size)
        return rng.exponential(1.0 / rate)

    def _cdf(self, x: NDArray[np.float64], shape: float, scale: float) -> NDArray[np.float64]:
        xs = np.maximum(x, 0.0)
        return np.asarray(-np.expm1(-shape * np.log1p(xs / scale)))

    def _sf(self, x: NDArray[np.float64], shape: float, scale: float) -> NDArray[np.float64]:
        xs = np.maximum(x, 0.0)
        return np.asarray(np.exp(-shape * np.log1p(xs / scale)))

    def _ppf(self, q: NDArray[np.float64], shape: float, scale: float) -> NDArray[np.float64]:
        with np.errstate(divide="ignore"):  # q = 1 -> inf
            return np.asarray(scale * np.expm1(-np.log1p(-q) / shape))

    def _scipy(self, shape: float, scale: float) -> Any:
        from scipy import stats

        return stats.lomax(shape, scale=scale)
