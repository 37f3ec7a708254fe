"""Dirichlet-multinomial distribution."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._domains import NONNEGATIVE_INTEGER, POSITIVE_VECTOR
from ._base import DiscreteDistribution, Param

__all__ = ["DirichletMultinomial"]


class DirichletMultinomial(DiscreteDistribution):
    """Dirichlet-multinomial: Multinomial(n, p) counts with p drawn from Dirichlet(alpha).

    Parameters
    ----------
    n : int >= 0
        Number of trials (``n = 1`` is the predictive of one Categorical draw,
        returned as a one-hot count vector).
    alpha : array of K positive concentrations

    Notes
    -----
    pmf ``n! Gamma(alpha_0) / Gamma(n + alpha_0) prod Gamma(x_j + alpha_j) /
    (x_j! Gamma(alpha_j))``; mean ``n alpha / alpha_0``; variance
    ``n m_j (1 - m_j) (n + alpha_0) / (1 + alpha_0)`` with ``m = alpha / alpha_0``.
    It is the posterior predictive of Multinomial data under a Dirichlet posterior.

    Examples
    --------
    >>> import thetahat as th
    >>> d = th.DirichletMultinomial(4, [1.0, 1.0])
    >>> round(float(d.pmf([2, 2])), 4)
    0.2
    >>> d.mean()
    array([2., 2.])
    """

    _params = (
        Param("n", NONNEGATIVE_INTEGER, "number of trials"),
        Param("alpha", POSITIVE_VECTOR, "concentrations"),
    )
    support_text = "count vectors summing to n"
    event_vector = True
    data_ndim = 2

    def _logp(self, x: Any, n: float, alpha: NDArray[np.float64]) -> Any:
        x = np.asarray(x, dtype=float)
        valid = (x >= 0) & (x == np.floor(x))
        ok = np.all(valid, axis=-1) & (np.sum(x, axis=-1) == n)
        xs = np.where(valid, x, 0.0)
        a0 = alpha.sum()
        lp = (
            sc.gammaln(n + 1.0)
            + sc.gammaln(a0)
            - sc.gammaln(n + a0)
            + np.sum(sc.gammaln(xs + alpha) - sc.gammaln(xs + 1.0) - sc.gammaln(alpha), axis=-1)
        )
        return np.where(ok, lp, -np.inf)

    def _mean(self, n: float, alpha: NDArray[np.float64]) -> Any:
        return n * alpha / alpha.sum()

    def _var(self, n: float, alpha: NDArray[np.float64]) -> Any:
        a0 = alpha.sum()
        m = alpha / a0
        return n * m * (1.0 - m) * (n + a0) / (1.0 + a0)

    def _sample(self, size: Any, rng: np.random.Generator, n: float, alpha: Any) -> Any:
        shape = () if size is None else (size,) if np.isscalar(size) else tuple(size)
        p = rng.dirichlet(alpha, size=shape or None)
        if not shape:
            return rng.multinomial(int(n), p)
        flat = p.reshape(-1, alpha.shape[0])
        draws = np.array([rng.multinomial(int(n), row) for row in flat])
        return draws.reshape((*shape, alpha.shape[0]))

    def _cdf(self, x: Any, n: float, alpha: Any) -> Any:
        raise TypeError("DirichletMultinomial is multivariate: it has no cdf")

    def _ppf(self, q: Any, n: float, alpha: Any) -> Any:
        raise TypeError("DirichletMultinomial is multivariate: it has no quantile function")

    def _scipy(self, n: float, alpha: Any) -> Any:
        from scipy import stats

        return stats.dirichlet_multinomial(alpha, int(n))
