"""Multivariate Student t distribution: the predictive of a multivariate normal under a
normal-inverse-Wishart or inverse-Wishart prior."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._domains import POSITIVE
from ._base import ContinuousDistribution, Param, check_level
from .multivariate_normal import CovarianceMatrix, RealVector

__all__ = ["MultivariateStudentT"]


class MultivariateStudentT(ContinuousDistribution):
    """Multivariate Student t distribution over k-vectors.

    Parameters
    ----------
    df : float > 0
        Degrees of freedom.
    loc : array_like, shape (k,)
        Location (the mean where ``df > 1``).
    shape : array_like, shape (k, k)
        Shape matrix (symmetric positive definite); the covariance is
        ``shape df / (df - 2)`` where ``df > 2``.

    Notes
    -----
    ``log p = log Gamma((df + k)/2) - log Gamma(df/2) - k/2 log(df pi) - 1/2 log|shape|
    - (df + k)/2 log(1 + (x - loc)^T shape^-1 (x - loc) / df)``; as scipy's
    ``multivariate_t(loc, shape, df)``. Each coordinate is a univariate Student t
    with scale ``sqrt(shape_ii)``, which ``interval`` uses.

    Examples
    --------
    >>> import numpy as np, thetahat as th
    >>> t = th.MultivariateStudentT(5.0, np.zeros(2), np.eye(2))
    >>> round(float(t.logpdf(np.zeros(2))), 6)
    -1.837877
    """

    _params = (
        Param("df", POSITIVE, "degrees of freedom"),
        Param("loc", RealVector(), "location vector"),
        Param("shape", CovarianceMatrix(), "shape matrix"),
    )
    support_text = "real vectors"
    event_vector = True

    def _check_joint(self) -> None:
        m, s = self._values.get("loc"), self._values.get("shape")
        if m is not None and s is not None and s.shape[0] != m.shape[0]:
            raise ValueError(
                f"MultivariateStudentT shape has shape {s.shape} but loc has {m.shape[0]} entries"
            )

    def _logp(self, x: NDArray[np.float64], df: float, loc: Any, shape: Any) -> Any:
        k = loc.shape[0]
        d = np.asarray(x, dtype=float) - loc
        if d.shape[-1] != k:
            raise ValueError(f"MultivariateStudentT values must have {k} entries, got {d.shape}")
        chol = np.linalg.cholesky(shape)
        sol = np.linalg.solve(chol, d.reshape(-1, k).T)
        maha = np.sum(sol * sol, axis=0)
        logdet = 2.0 * np.sum(np.log(np.diag(chol)))
        out = (
            sc.gammaln(0.5 * (df + k))
            - sc.gammaln(0.5 * df)
            - 0.5 * k * np.log(df * np.pi)
            - 0.5 * logdet
            - 0.5 * (df + k) * np.log1p(maha / df)
        )
        return out.reshape(d.shape[:-1]) if d.ndim > 1 else float(out[0])

    def _mean(self, df: float, loc: Any, shape: Any) -> Any:
        return loc.copy() if df > 1 else np.full(loc.shape, np.nan)

    def _mode(self, df: float, loc: Any, shape: Any) -> Any:
        return loc.copy()

    def _var(self, df: float, loc: Any, shape: Any) -> Any:
        return np.diag(shape) * df / (df - 2.0) if df > 2 else np.full(loc.shape, np.inf)

    def cov(self) -> NDArray[np.float64]:
        """The covariance matrix ``shape df / (df - 2)`` (inf where ``df <= 2``)."""
        p = self._require_frozen("cov")
        if p["df"] <= 2:
            return np.full(p["shape"].shape, np.inf)
        return np.asarray(p["shape"] * p["df"] / (p["df"] - 2.0))

    def _sample(self, size: Any, rng: np.random.Generator, df: float, loc: Any, shape: Any) -> Any:
        shp = () if size is None else tuple(np.atleast_1d(size))
        k = loc.shape[0]
        z = rng.standard_normal((*shp, k)) @ np.linalg.cholesky(shape).T
        g = rng.chisquare(df, size=shp) / df
        return loc + z / np.sqrt(g)[..., None]

    def _cdf(self, x: Any, **p: Any) -> Any:
        return np.asarray(self._scipy(**p).cdf(x), dtype=float)

    def _sf(self, x: Any, **p: Any) -> Any:
        raise TypeError("a multivariate t has no single survival function; use cdf")

    def _ppf(self, q: Any, df: float, loc: Any, shape: Any) -> Any:
        # marginal quantiles, one per coordinate
        return loc + np.sqrt(np.diag(shape)) * sc.stdtrit(df, np.asarray(q, float)[..., None])

    def interval(self, level: float = 0.95) -> tuple[Any, Any]:
        """Marginal equal-tailed intervals, one per coordinate."""
        lv = check_level(level)
        p = self._require_frozen("interval")
        t = float(sc.stdtrit(p["df"], (1.0 + lv) / 2.0))
        sd = np.sqrt(np.diag(p["shape"]))
        return p["loc"] - t * sd, p["loc"] + t * sd

    def _scipy(self, df: float, loc: Any, shape: Any) -> Any:
        from scipy import stats

        return stats.multivariate_t(loc, shape, df=df)
