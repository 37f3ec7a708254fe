"""Dirichlet distribution over probability vectors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._domains import POSITIVE_VECTOR
from ..statistics.sufficient import SuffStats
from ._base import ContinuousDistribution, Param, Value, check_level

__all__ = ["Dirichlet", "DirichletStats"]


@dataclass(frozen=True)
class DirichletStats(SuffStats):
    """n and the per-component sum of log x."""

    slog: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))


class Dirichlet(ContinuousDistribution):
    """Dirichlet distribution over probability vectors of length K.

    Parameters
    ----------
    alpha : array of K positive concentrations
        As a prior on class probabilities, ``alpha_j`` are pseudo-counts
        (``alpha_j - 1`` at the mode); ``Dirichlet([1]*K)`` is uniform.

    Notes
    -----
    density ``prod(x_j^(alpha_j - 1)) / B(alpha)`` on the simplex; mean
    ``alpha / alpha_0``; each component is marginally
    ``Beta(alpha_j, alpha_0 - alpha_j)``, which ``interval`` uses. Conjugate prior
    of Categorical and Multinomial probabilities.

    Examples
    --------
    >>> import thetahat as th
    >>> th.Dirichlet([1, 2, 3]).mean().round(3)
    array([0.167, 0.333, 0.5  ])
    >>> th.Dirichlet([2, 2, 2]).mode().round(3)
    array([0.333, 0.333, 0.333])
    """

    _params = (Param("alpha", POSITIVE_VECTOR, "concentrations"),)
    support_text = "probability vectors (rows summing to 1 with entries in (0, 1))"
    event_vector = True
    data_ndim = 2
    _stats_type = DirichletStats

    def _logp(self, x: Any, alpha: NDArray[np.float64]) -> Any:
        x = np.asarray(x, dtype=float)
        ok = np.all(x >= 0, axis=-1) & (np.abs(np.sum(x, axis=-1) - 1.0) < 1e-9)
        xs = np.where(x >= 0, x, 1.0)
        with np.errstate(divide="ignore"):
            lp = np.sum(sc.xlogy(alpha - 1.0, xs), axis=-1) - (
                np.sum(sc.gammaln(alpha)) - sc.gammaln(np.sum(alpha))
            )
        return np.where(ok, lp, -np.inf)

    def _mean(self, alpha: NDArray[np.float64]) -> Any:
        return alpha / alpha.sum()

    def _mode(self, alpha: NDArray[np.float64]) -> Any:
        # components with alpha <= 1 sit at 0; the rest share the mass as alpha - 1
        excess = np.maximum(alpha - 1.0, 0.0)
        total = excess.sum()
        if total == 0:
            return alpha / alpha.sum()
        return excess / total

    def _var(self, alpha: NDArray[np.float64]) -> Any:
        a0 = alpha.sum()
        m = alpha / a0
        return m * (1.0 - m) / (a0 + 1.0)

    def cov(self) -> NDArray[np.float64]:
        """Covariance matrix of the components."""
        alpha = np.asarray(self._require_frozen("cov")["alpha"])
        a0 = alpha.sum()
        m = alpha / a0
        return np.asarray((np.diag(m) - np.outer(m, m)) / (a0 + 1.0))

    def _sample(self, size: Any, rng: np.random.Generator, alpha: Any) -> Any:
        return rng.dirichlet(alpha, size=size)

    def _cdf(self, x: Any, alpha: Any) -> Any:
        raise TypeError("Dirichlet is multivariate: it has no cdf")

    def _ppf(self, q: Any, alpha: Any) -> Any:
        raise TypeError("Dirichlet is multivariate: use interval() for marginal intervals")

    def interval(self, level: float = 0.95) -> tuple[Any, Any]:
        """Equal-tailed marginal interval of each component (Beta marginals)."""
        lv = check_level(level)
        alpha = np.asarray(self._require_frozen("interval")["alpha"])
        rest = alpha.sum() - alpha
        lo = sc.betaincinv(alpha, rest, (1.0 - lv) / 2.0)
        hi = sc.betaincinv(alpha, rest, (1.0 + lv) / 2.0)
        return np.asarray(lo), np.asarray(hi)

    def _scipy(self, alpha: Any) -> Any:
        from scipy import stats

        return stats.dirichlet(alpha)

    # -- family
    def _support_mask(self, x: NDArray[np.float64], **obs: Any) -> NDArray[np.bool_]:
        return np.asarray(
            np.all((x > 0) & (x < 1), axis=1) & (np.abs(np.sum(x, axis=1) - 1.0) < 1e-9)
        )

    def _chunk_stats(self, x: NDArray[np.float64], w: NDArray[np.float64] | None, obs: Any) -> Any:
        lx = np.log(x)
        if w is None:
            return DirichletStats(n=float(x.shape[0]), slog=np.sum(lx, axis=0))
        return DirichletStats(n=float(np.sum(w)), slog=w @ lx)

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        alpha = np.asarray(params["alpha"])
        lb = np.sum(sc.gammaln(alpha)) - sc.gammaln(np.sum(alpha))
        return float(np.dot(alpha - 1.0, stats.slog) - stats.n * lb)

    def _information(self, params: Mapping[str, Value], stats: Any) -> NDArray[np.float64]:
        alpha = np.asarray(params["alpha"])
        return np.asarray(
            stats.n * (np.diag(sc.polygamma(1, alpha)) - sc.polygamma(1, alpha.sum()))
        )
