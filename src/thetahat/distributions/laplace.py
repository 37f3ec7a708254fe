"""Laplace (double exponential) distribution with location and scale."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._domains import POSITIVE, REAL
from ._base import ContinuousDistribution, Param, Value

__all__ = ["Laplace"]


class Laplace(ContinuousDistribution):
    """Laplace distribution.

    Parameters
    ----------
    loc : float
        Location mu (mean, median and mode).
    scale : float > 0
        Scale b (the mean absolute deviation; the sd is ``b sqrt 2``).

    Notes
    -----
    ``log p = -log(2 b) - |x - mu| / b``; variance ``2 b^2``. As a prior on a
    regression coefficient it is the lasso (L1) penalty.

    Fitting: ``log L = -n log(2 b) - sum w |x - mu| / b``. The MLE of the location is a
    (weighted) median, which minimises ``sum w |x - mu|`` whatever ``b``; the
    scale's MLE is then the mean absolute deviation about it,
    ``b = sum w |x - mu| / n``. The likelihood is not differentiable in ``mu``
    (its second derivative is zero almost everywhere), so the standard errors
    use the expected information ``diag(n / b^2, n / b^2)``: the median's
    asymptotic variance is ``b^2 / n``.
    """

    _params = (Param("loc", REAL, "location"), Param("scale", POSITIVE, "scale b"))
    support_text = "real numbers"

    def _logp(self, x: NDArray[np.float64], loc: float, scale: float) -> NDArray[np.float64]:
        return -np.log(2.0 * scale) - np.abs(x - loc) / scale

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
        return np.where(z < 0, 0.5 * np.exp(np.minimum(z, 0.0)), 1.0 - 0.5 * np.exp(-np.abs(z)))

    def _sf(self, x: NDArray[np.float64], loc: float, scale: float) -> NDArray[np.float64]:
        return self._cdf(2.0 * loc - x, loc, scale)

    def _ppf(self, q: NDArray[np.float64], loc: float, scale: float) -> NDArray[np.float64]:
        with np.errstate(divide="ignore"):
            return np.where(
                q < 0.5, loc + scale * np.log(2.0 * q), loc - scale * np.log(2.0 - 2.0 * q)
            )

    def _scipy(self, loc: float, scale: float) -> Any:
        from scipy import stats

        return stats.laplace(loc, scale)

    # -- family
    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        mu, b = params["loc"], params["scale"]
        return float(-stats.n * np.log(2.0 * b) - stats.total(np.abs(stats.x - mu)) / b)

    def _mle(self, stats: Any) -> dict[str, Value]:
        out: dict[str, Value] = {}
        mu = self._values.get("loc")
        if mu is None:
            mu = stats.median()
            out["loc"] = mu
        if "scale" not in self._values:
            out["scale"] = stats.total(np.abs(stats.x - mu)) / stats.n
        return out

    def _information(self, params: Mapping[str, Value], stats: Any) -> NDArray[np.float64]:
        b2 = float(params["scale"]) ** 2
        diag = [stats.n / b2 for k in ("loc", "scale") if k not in self._values]
        return np.diag(diag)

    def _start(self, stats: Any) -> dict[str, float]:
        est = self._mle(stats)
        if "scale" in est:
            est["scale"] = max(float(est["scale"]), 1e-12)
        return est
