"""Multivariate normal distribution: fitted to rows of vectors, and the Laplace posterior."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special as sc

from .._domains import Domain
from ..statistics.sufficient import SuffStats
from ._base import ContinuousDistribution, Param, Value, check_level

__all__ = ["CovarianceMatrix", "MultivariateNormal", "MvnStats", "RealVector", "scatter_cov"]

_LOG_2PI = float(np.log(2.0 * np.pi))


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

    def free_size(self, size: int) -> int:
        """A symmetric k x k matrix has k (k + 1) / 2 free entries."""
        k = round(size**0.5)
        return k * (k + 1) // 2


@dataclass(frozen=True)
class MvnStats(SuffStats):
    """``n``, the mean vector and the scatter matrix ``M = sum w (x - xbar)(x - xbar)^T``.

    Merged with Chan's update for disjoint pieces A and B (``d = xbar_B - xbar_A``)::

        n    = n_A + n_B
        xbar = xbar_A + d n_B / n
        M    = M_A + M_B + d d^T n_A n_B / n

    which never forms a raw sum of squares (no cancellation for data far from 0).

    Examples
    --------
    >>> import numpy as np, thetahat as th
    >>> X = np.random.default_rng(0).normal(size=(100, 2))
    >>> fam = th.MultivariateNormal()
    >>> merged = fam.suff_stats(X[:30]) + fam.suff_stats(X[30:])
    >>> bool(np.allclose(merged.scatter, fam.suff_stats(X).scatter))
    True
    """

    mean: Any = 0.0
    scatter: Any = 0.0

    def _merge(self, other: Self) -> Self:
        a_mean, b_mean = np.asarray(self.mean, float), np.asarray(other.mean, float)
        if a_mean.shape != b_mean.shape:
            raise ValueError(
                f"cannot merge MvnStats of {a_mean.shape[0]}- and {b_mean.shape[0]}-vectors"
            )
        n = self.n + other.n
        d = b_mean - a_mean
        mean = a_mean + d * (other.n / n)
        scatter = self.scatter + other.scatter + np.outer(d, d) * (self.n * other.n / n)
        return type(self)(n=n, mean=mean, scatter=scatter)

    def scatter_about(self, mu: Any) -> NDArray[np.float64]:
        """``sum w (x - mu)(x - mu)^T = M + n (xbar - mu)(xbar - mu)^T``."""
        d = np.asarray(self.mean, float) - np.asarray(mu, float)
        return np.asarray(self.scatter + self.n * np.outer(d, d), dtype=float)


def scatter_cov(cov: NDArray[np.float64], n: float) -> NDArray[np.float64]:
    """Covariance of the entries of a scatter-based covariance estimate, ``vec`` order:
    ``Cov(S_ij, S_kl) = (S_ik S_jl + S_il S_jk) / n``."""
    k = cov.shape[0]
    c4 = np.einsum("ik,jl->ijkl", cov, cov) + np.einsum("il,jk->ijkl", cov, cov)
    return np.asarray(c4.reshape(k * k, k * k) / n)


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

    Fitting (data: an ``(n, k)`` array, one row per observation): the sufficient
    statistics are ``n``, the mean ``xbar`` and the scatter matrix
    ``M = sum (x - xbar)(x - xbar)^T`` (:class:`MvnStats`, merged with Chan's
    update). MLE ``mu = xbar``, ``cov = M / n`` (with ``mu`` fixed,
    ``cov = (M + n (xbar - mu)(xbar - mu)^T) / n``); the unbiased alternative
    ``M / (n - 1)`` is in ``Estimate.details["cov_unbiased"]``. Covariance of the
    MLE: ``cov / n`` for ``mu`` and ``Cov(S_ij, S_kl) = (S_ik S_jl + S_il S_jk) / n``
    for the entries of ``cov`` (flattened row by row, labels ``cov[i*k + j]``).
    Conjugate priors: ``NormalInverseWishart(mu, kappa, nu, psi)`` on (mu, cov)
    and ``InverseWishart(nu, psi)`` on cov with mu fixed.

    Examples
    --------
    >>> import numpy as np, thetahat as th
    >>> X = np.random.default_rng(0).multivariate_normal([1.0, -1.0], [[2.0, 0.5], [0.5, 1.0]], 500)
    >>> est = th.fit(th.MultivariateNormal, X)
    >>> bool(np.allclose(est.params["mu"], X.mean(axis=0))), est.df_model
    (True, 5)
    >>> bool(np.allclose(est.details["cov_unbiased"], np.cov(X.T)))
    True
    """

    _params = (
        Param("mu", RealVector(), "mean vector"),
        Param("cov", CovarianceMatrix(), "covariance matrix"),
    )
    support_text = "rows of finite real numbers (one k-vector per observation)"
    event_vector = True
    data_ndim = 2
    _stats_type = MvnStats

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

    # -- family
    def _support_mask(self, x: NDArray[np.float64], **obs: Any) -> NDArray[np.bool_]:
        ok = np.all(np.isfinite(x), axis=1)
        mu = self._values.get("mu")
        k = None if mu is None else mu.shape[0]
        cov = self._values.get("cov")
        k = k if cov is None else cov.shape[0]
        if k is not None and x.shape[1] != k:
            ok = np.zeros(x.shape[0], dtype=bool)
        return np.asarray(ok)

    def _as_data(self, data: Any) -> NDArray[np.float64]:
        x = super()._as_data(data)
        if x.shape[1] < 1:
            raise ValueError("MultivariateNormal data need at least one column")
        return x

    def _chunk_stats(self, x: NDArray[np.float64], w: NDArray[np.float64] | None, obs: Any) -> Any:
        if x.shape[0] == 0:
            return MvnStats.zero()
        if w is None:
            n = float(x.shape[0])
            mean = x.mean(axis=0)
            d = x - mean
            return MvnStats(n=n, mean=mean, scatter=d.T @ d)
        n = float(np.sum(w))
        if n == 0:
            return MvnStats.zero()
        mean = (w @ x) / n
        d = x - mean
        return MvnStats(n=n, mean=mean, scatter=(d * w[:, None]).T @ d)

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        mu, cov = np.asarray(params["mu"], float), np.asarray(params["cov"], float)
        k = mu.shape[0]
        chol = np.linalg.cholesky(cov)
        logdet = 2.0 * np.sum(np.log(np.diag(chol)))
        inv = np.linalg.inv(cov)
        quad = float(np.sum(inv * stats.scatter_about(mu)))
        return float(-0.5 * stats.n * (k * _LOG_2PI + logdet) - 0.5 * quad)

    def _mle(self, stats: Any) -> dict[str, Value]:
        if stats.n <= 0:
            raise ValueError("MultivariateNormal needs at least one observation")
        out: dict[str, Value] = {}
        mu = self._values.get("mu")
        if mu is None:
            out["mu"] = np.asarray(stats.mean, dtype=float).copy()
            scatter = np.asarray(stats.scatter, dtype=float)
        else:
            scatter = stats.scatter_about(mu)
        if "cov" not in self._values:
            cov = 0.5 * (scatter + scatter.T) / stats.n
            try:
                np.linalg.cholesky(cov)
            except np.linalg.LinAlgError:
                raise ValueError(
                    f"the sample covariance of these {stats.n:g} observations of "
                    f"{cov.shape[0]}-vectors is singular (fewer observations than dimensions, "
                    "or collinear columns): no MLE; a NormalInverseWishart prior gives a MAP"
                ) from None
            out["cov"] = cov
        return out

    def _covariance(self, params: Mapping[str, Value], stats: Any) -> NDArray[np.float64]:
        cov = np.asarray(params["cov"], dtype=float)
        blocks = []
        if "mu" not in self._values:
            blocks.append(cov / stats.n)
        if "cov" not in self._values:
            blocks.append(scatter_cov(cov, stats.n))
        from scipy.linalg import block_diag

        return np.asarray(block_diag(*blocks))

    def _fit_details(self, params: Mapping[str, Value], stats: Any) -> dict[str, Any]:
        if "cov" in self._values or "mu" in self._values or stats.n < 2:
            return {}
        return {"cov_unbiased": np.asarray(stats.scatter, dtype=float) / (stats.n - 1.0)}
