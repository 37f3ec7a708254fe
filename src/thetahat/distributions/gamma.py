"""Gamma distribution (shape and rate)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._domains import POSITIVE
from ..stats import SuffStats
from ._base import ContinuousDistribution, Param, Value

__all__ = ["Gamma", "GammaStats"]


@dataclass(frozen=True)
class GammaStats(SuffStats):
    """n, sum(x) and sum(log x)."""

    total: float = 0.0
    slog: float = 0.0


class Gamma(ContinuousDistribution):
    """Gamma distribution with ``shape`` and ``rate``.

    Parameters
    ----------
    shape : float > 0
        Shape k (as a prior on a Poisson rate: pseudo-count of events).
    rate : float > 0
        Rate beta = 1 / scale (scipy's ``scale`` is ``1 / rate``); as a prior on a
        Poisson rate: pseudo-exposure.

    Notes
    -----
    density ``beta^k x^(k-1) exp(-beta x) / Gamma(k)``; mean ``k / beta``;
    variance ``k / beta^2``. Sufficient statistics n, S = sum(x), L = sum(log x).
    With the shape fixed the MLE of the rate is ``k n / S``. Fisher information
    ``n [[psi1(k), -1/beta], [-1/beta, k/beta^2]]`` for (shape, rate).
    Not shifted: there is no location parameter. Conjugate prior of the Poisson
    rate and the Exponential rate.
    """

    _params = (Param("shape", POSITIVE, "shape k"), Param("rate", POSITIVE, "rate (1 / scale)"))
    support_text = "positive numbers"
    _stats_type = GammaStats

    def _logp(self, x: NDArray[np.float64], shape: float, rate: float) -> NDArray[np.float64]:
        ok = x >= 0
        xs = np.where(ok, x, 1.0)
        with np.errstate(divide="ignore"):
            lp = shape * np.log(rate) - sc.gammaln(shape) + sc.xlogy(shape - 1.0, xs) - rate * xs
        return np.where(ok, lp, -np.inf)

    def _mean(self, shape: float, rate: float) -> float:
        return shape / rate

    def _mode(self, shape: float, rate: float) -> float:
        return max(shape - 1.0, 0.0) / rate

    def _var(self, shape: float, rate: float) -> float:
        return shape / (rate * rate)

    def _sample(self, size: Any, rng: np.random.Generator, shape: float, rate: float) -> Any:
        return rng.gamma(shape, 1.0 / rate, size=size)

    def _cdf(self, x: NDArray[np.float64], shape: float, rate: float) -> NDArray[np.float64]:
        return np.asarray(sc.gammainc(shape, rate * np.maximum(x, 0.0)))

    def _sf(self, x: NDArray[np.float64], shape: float, rate: float) -> NDArray[np.float64]:
        return np.asarray(sc.gammaincc(shape, rate * np.maximum(x, 0.0)))

    def _ppf(self, q: NDArray[np.float64], shape: float, rate: float) -> NDArray[np.float64]:
        return np.asarray(sc.gammaincinv(shape, q) / rate)

    def _scipy(self, shape: float, rate: float) -> Any:
        from scipy import stats

        return stats.gamma(shape, scale=1.0 / rate)

    # -- family
    def _support_mask(self, x: NDArray[np.float64], **obs: Any) -> NDArray[np.bool_]:
        return x > 0

    def _chunk_stats(self, x: NDArray[np.float64], w: NDArray[np.float64] | None, obs: Any) -> Any:
        lx = np.log(x)
        if w is None:
            return GammaStats(n=float(x.shape[0]), total=float(np.sum(x)), slog=float(np.sum(lx)))
        return GammaStats(n=float(np.sum(w)), total=float(np.dot(w, x)), slog=float(np.dot(w, lx)))

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        k, r = params["shape"], params["rate"]
        return float(
            stats.n * (k * np.log(r) - sc.gammaln(k)) + (k - 1.0) * stats.slog - r * stats.total
        )

    def _mle(self, stats: Any) -> dict[str, Value] | None:
        if "shape" in self._values and "rate" not in self._values:
            return {"rate": self._values["shape"] * stats.n / stats.total}
        return None

    def _information(self, params: Mapping[str, Value], stats: Any) -> NDArray[np.float64]:
        k, r = params["shape"], params["rate"]
        full = stats.n * np.array([[sc.polygamma(1, k), -1.0 / r], [-1.0 / r, k / (r * r)]])
        idx = [i for i, name in enumerate(("shape", "rate")) if name not in self._values]
        return np.asarray(full[np.ix_(idx, idx)])
