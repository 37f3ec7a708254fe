"""Multivariate normal distribution (used for Laplace-approximate posteriors)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special as sc

from .._domains import Domain
from ._base import ContinuousDistribution, Param, check_level

__all__ = ["MultivariateNormal"]


@dataclass(frozen=True)
class RealVector(Domain):
    """Vectors of real numbers."""

    vector: bool = True

    def contains(self, value: ArrayLike) -> bool:
        v = np.asarray(value, dtype=float)
        return bool(v.ndim == 1 and v.size >= 1 and np.all(np.isfinite(v)))

    def describe(self) -> str:
        return "a vector of finite real numbers"


@dataclass(frozen=True)
class CovarianceMatrix(Domain):
    """Symmetric positive-definite matrices."""

    vector: bool = True

    def contains(self, value: ArrayLike) -> bool:
        m = np.asarray(value, dtype=float)
        if m.ndim != 2 or m.shape[0] != m.shape[1] or not np.all(np.isfinite(m)):
            return False
        if not np.allclose(m, m.T, rtol=1e-10, atol=0.0):
            return False
        try:
            np.linalg.cholesky(m)
        except np.linalg.LinAlgError:
            return False
        return True

    def describe(self) -> str:
        return "a symmetric positive-definite matrix"


class MultivariateNormal(ContinuousDistribution):
    """Multivariate normal distribution over vectors.

    Parameters
    ----------
    mu : array_like, shape (k,)
        Mean vector.
    cov : array_like, shape (k, k)
        Covariance matrix (symmetric positive definite).

    Notes
    -----
    ``log p = -k/2 log(2 pi) - 1/2 log det S - 1/2 (x - m)^T S^-1 (x - m)``,
    evaluated through the Cholesky factor of S. ``interval`` gives the marginal
    equal-tailed intervals ``m_i -+ z sqrt(S_ii)``. The posterior of
    ``th.posterior(..., method="laplace")`` is one of these.

    Examples
    --------
    >>> d = th.MultivariateNormal([0.0, 1.0], [[1.0, 0.5], [0.5, 2.0]])
    >>> d.mean()
    array([0., 1.])
    >>> d.sample(3, rng=0).shape
    (3, 2)
    """

    _params = (
        Param("mu", RealVector(), "mean vector"),
        Param("cov", CovarianceMatrix(), "covariance matrix"),
    )
    support_text = "real vectors"
    event_vector = True

    def _check_joint(self) -> None:
        m, c = self._values.get("mu"), self._values.get("cov")
        if m is not None and c is not None and c.shape[0] != m.shape[0]:
            raise ValueError(
                f"MultivariateNormal cov has shape {c.shape} but mu has {m.shape[0]} entries"
            )

    def _logp(self, x: NDArray[np.float64], mu: Any, cov: Any) -> Any:
        k = mu.shape[0]
        chol = np.linalg.cholesky(cov)
        d = np.asarray(x, dtype=float) - mu
        if d.shape[-1] != k:
            raise ValueError(f"MultivariateNormal values must have {k} entries, got {d.shape}")
        sol = np.linalg.solve(chol, d.reshape(-1, k).T)
        maha = np.sum(sol * sol, axis=0)
        logdet = 2.0 * np.sum(np.log(np.diag(chol)))
        out = -0.5 * (k * np.log(2.0 * np.pi) + logdet + maha)
        return out.reshape(d.shape[:-1]) if d.ndim > 1 else float(out[0])

    def _mean(self, mu: Any, cov: Any) -> Any:
        return mu.copy()

    def _mode(self, mu: Any, cov: Any) -> Any:
        return mu.copy()

    def _var(self, mu: Any, cov: Any) -> Any:
        return np.diag(cov).copy()

    def _sample(self, size: Any, rng: np.random.Generator, mu: Any, cov: Any) -> Any:
        return rng.multivariate_normal(mu, cov, size=size, method="cholesky")

    def _scipy(self, mu: Any, cov: Any) -> Any:
        from scipy import stats

        return stats.multivariate_normal(mu, cov)

    def _cdf(self, x: NDArray[np.float64], mu: Any, cov: Any) -> Any:
        return np.asarray(self._scipy(mu, cov).cdf(x), dtype=float)

    def _sf(self, x: NDArray[np.float64], mu: Any, cov: Any) -> Any:
        raise TypeError("a multivariate normal has no single survival function; use cdf")

    def _ppf(self, q: NDArray[np.float64], mu: Any, cov: Any) -> Any:
        # marginal quantiles, one per coordinate
        return mu + np.sqrt(np.diag(cov)) * sc.ndtri(np.asarray(q, dtype=float)[..., None])

    def interval(self, level: float = 0.95) -> tuple[Any, Any]:
        """Marginal equal-tailed intervals, one per coordinate."""
        lv = check_level(level)
        p = self._require_frozen("interval")
        z = float(sc.ndtri((1.0 + lv) / 2.0))
        sd = np.sqrt(np.diag(p["cov"]))
        return p["mu"] - z * sd, p["mu"] + z * sd
