"""Inverse-Wishart and normal-inverse-Wishart: the conjugate priors of a multivariate
normal's covariance (mean known) and of its mean and covariance together."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._domains import POSITIVE
from ._base import ContinuousDistribution, Param, check_level
from .multivariate_normal import CovarianceMatrix, RealVector

__all__ = ["InverseWishart", "NormalInverseWishart", "iw_logpdf", "iw_var"]

_LOG_PI = float(np.log(np.pi))
_LOG_2 = float(np.log(2.0))


def _logdet(m: NDArray[np.float64]) -> Any:
    """log det of (a stack of) positive-definite matrices, through Cholesky."""
    chol = np.linalg.cholesky(m)
    return 2.0 * np.sum(np.log(np.diagonal(chol, axis1=-2, axis2=-1)), axis=-1)


def iw_logpdf(s: NDArray[np.float64], nu: float, psi: NDArray[np.float64]) -> Any:
    """``log IW(S | nu, psi)`` for (a stack of) k x k matrices ``S``."""
    k = psi.shape[0]
    inv = np.linalg.inv(s)
    tr = np.einsum("ij,...ji->...", psi, inv)
    return (
        0.5 * nu * _logdet(psi)
        - 0.5 * nu * k * _LOG_2
        - sc.multigammaln(0.5 * nu, k)
        - 0.5 * (nu + k + 1.0) * _logdet(s)
        - 0.5 * tr
    )


def iw_var(nu: float, psi: NDArray[np.float64]) -> NDArray[np.float64]:
    """Elementwise variance of ``S ~ IW(nu, psi)`` (inf where ``nu <= k + 3``)."""
    k = psi.shape[0]
    a = nu - k
    if a <= 3:
        return np.full(psi.shape, np.inf)
    d = np.diag(psi)
    num = (a + 1.0) * psi**2 + (a - 1.0) * np.outer(d, d)
    return np.asarray(num / (a * (a - 1.0) ** 2 * (a - 3.0)))


def _iw_diag_interval(
    nu: float, psi: NDArray[np.float64], q: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Quantiles ``q`` of the diagonal entries: ``S_ii ~ InverseGamma((nu - k + 1)/2, psi_ii/2)``;
    off-diagonal entries (no closed-form marginal) are NaN."""
    k = psi.shape[0]
    shape = 0.5 * (nu - k + 1.0)
    out = np.full((q.shape[0], k, k), np.nan)
    diag = 0.5 * np.diag(psi)[None, :] / sc.gammainccinv(shape, q[:, None])
    idx = np.arange(k)
    out[:, idx, idx] = diag
    return out


class InverseWishart(ContinuousDistribution):
    """Inverse-Wishart distribution over k x k covariance matrices.

    Parameters
    ----------
    nu : float > k - 1
        Degrees of freedom (``nu`` pseudo-observations).
    psi : array_like, shape (k, k)
        Scale matrix (symmetric positive definite): a pseudo scatter matrix.

    Notes
    -----
    ``log p(S) = nu/2 log|psi| - nu k/2 log 2 - log Gamma_k(nu/2)
    - (nu + k + 1)/2 log|S| - tr(psi S^-1)/2``; mean ``psi / (nu - k - 1)``
    (``nu > k + 1``), mode ``psi / (nu + k + 1)``. As the prior of a
    :class:`MultivariateNormal`'s ``cov`` with ``mu`` known it updates to
    ``IW(nu + n, psi + sum (x - mu)(x - mu)^T)``. The diagonal entries are
    ``InverseGamma((nu - k + 1)/2, psi_ii/2)``, which ``interval`` uses (the
    off-diagonal entries have no closed-form marginal: NaN there; ``sample`` them).
    Checked against ``scipy.stats.invwishart``.

    Examples
    --------
    >>> import numpy as np, thetahat as th
    >>> prior = th.InverseWishart(5.0, np.eye(2))
    >>> prior.mode().tolist()
    [[0.125, 0.0], [0.0, 0.125]]
    """

    _params = (
        Param("nu", POSITIVE, "degrees of freedom"),
        Param("psi", CovarianceMatrix(), "scale matrix"),
    )
    support_text = "symmetric positive-definite matrices"
    event_vector = True

    def _check_joint(self) -> None:
        nu, psi = self._values.get("nu"), self._values.get("psi")
        if nu is not None and psi is not None and not nu > psi.shape[0] - 1:
            raise ValueError(
                f"InverseWishart needs nu > k - 1 = {psi.shape[0] - 1} for a {psi.shape[0]} x "
                f"{psi.shape[0]} scale matrix, got nu = {nu:g}"
            )

    def _logp(self, x: Any, nu: float, psi: Any) -> Any:
        return iw_logpdf(np.asarray(x, dtype=float), nu, psi)

    def _mean(self, nu: float, psi: Any) -> Any:
        k = psi.shape[0]
        return psi / (nu - k - 1.0) if nu > k + 1 else np.full(psi.shape, np.inf)

    def _mode(self, nu: float, psi: Any) -> Any:
        return psi / (nu + psi.shape[0] + 1.0)

    def _var(self, nu: float, psi: Any) -> Any:
        return iw_var(nu, psi)

    def _sample(self, size: Any, rng: np.random.Generator, nu: float, psi: Any) -> Any:
        from scipy import stats

        return stats.invwishart(nu, psi).rvs(size=size, random_state=rng)

    def _cdf(self, x: Any, **p: Any) -> Any:
        raise TypeError("InverseWishart is matrix-valued: it has no cdf")

    def _ppf(self, q: Any, **p: Any) -> Any:
        raise TypeError("InverseWishart is matrix-valued: use interval() for the diagonal")

    def interval(self, level: float = 0.95) -> tuple[Any, Any]:
        """Equal-tailed intervals of the diagonal entries (NaN off the diagonal)."""
        lv = check_level(level)
        p = self._require_frozen("interval")
        q = np.array([(1.0 - lv) / 2.0, (1.0 + lv) / 2.0])
        out = _iw_diag_interval(p["nu"], p["psi"], q)
        return out[0], out[1]

    def _scipy(self, nu: float, psi: Any) -> Any:
        from scipy import stats

        return stats.invwishart(nu, psi)


class NormalInverseWishart(ContinuousDistribution):
    """Normal-inverse-Wishart distribution over a mean vector and a covariance matrix.

    ``cov ~ InverseWishart(nu, psi)`` and ``mu | cov ~ MultivariateNormal(m, cov / kappa)``.

    Parameters
    ----------
    mu : array_like, shape (k,)
        Prior mean of the mean vector (``m``).
    kappa : float > 0
        Prior count: ``mu`` has the precision of ``kappa`` observations.
    nu : float > k - 1
        Degrees of freedom of the covariance.
    psi : array_like, shape (k, k)
        Scale matrix (a pseudo scatter matrix).

    Notes
    -----
    A value is a dict ``{"mu": vector, "cov": matrix}`` (what ``mode``, ``mean``,
    ``sample`` return and ``logpdf`` takes; ``sample(n)`` gives arrays with a
    leading axis). ``log p = log N(mu | m, cov / kappa) + log IW(cov | nu, psi)``.
    Joint mode ``(m, psi / (nu + k + 2))``. Marginally ``mu`` is a multivariate
    Student t with ``nu - k + 1`` degrees of freedom and shape
    ``psi / (kappa (nu - k + 1))``; ``interval`` gives its marginal intervals and
    those of the diagonal of ``cov``.

    Updating with ``n`` observations of mean ``xbar`` and scatter ``M``::

        kappa_n = kappa + n,  nu_n = nu + n,  m_n = (kappa m + n xbar) / kappa_n
        psi_n   = psi + M + kappa n / kappa_n (xbar - m)(xbar - m)^T

    Examples
    --------
    >>> import numpy as np, thetahat as th
    >>> prior = th.NormalInverseWishart(np.zeros(2), 1.0, 4.0, np.eye(2))
    >>> prior.mode()["cov"].tolist()
    [[0.125, 0.0], [0.0, 0.125]]
    """

    _params = (
        Param("mu", RealVector(), "prior mean of the mean"),
        Param("kappa", POSITIVE, "prior count for the mean"),
        Param("nu", POSITIVE, "degrees of freedom"),
        Param("psi", CovarianceMatrix(), "scale matrix"),
    )
    support_text = "pairs {mu: vector, cov: positive-definite matrix}"
    event_vector = True

    def _check_joint(self) -> None:
        m, psi, nu = self._values.get("mu"), self._values.get("psi"), self._values.get("nu")
        if m is not None and psi is not None and psi.shape[0] != m.shape[0]:
            raise ValueError(
                f"NormalInverseWishart psi has shape {psi.shape} but mu has {m.shape[0]} entries"
            )
        if nu is not None and psi is not None and not nu > psi.shape[0] - 1:
            raise ValueError(
                f"NormalInverseWishart needs nu > k - 1 = {psi.shape[0] - 1}, got nu = {nu:g}"
            )

    @staticmethod
    def _pair(x: Any) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        if isinstance(x, Mapping):
            return np.asarray(x["mu"], dtype=float), np.asarray(x["cov"], dtype=float)
        if isinstance(x, tuple) and len(x) == 2:
            return np.asarray(x[0], dtype=float), np.asarray(x[1], dtype=float)
        raise TypeError("a NormalInverseWishart value is a dict {'mu': vector, 'cov': matrix}")

    def logdensity(self, x: Any) -> Any:
        """Log density at ``{"mu": vector, "cov": matrix}`` (stacks along leading axes)."""
        p = self._require_frozen("logpdf")
        mu, cov = self._pair(x)
        k = p["mu"].shape[0]
        d = mu - p["mu"]
        inv = np.linalg.inv(cov)
        maha = np.einsum("...i,...ij,...j->...", d, inv, d)
        lp_mu = -0.5 * (k * np.log(2.0 * np.pi) + _logdet(cov) - k * np.log(p["kappa"]))
        out = lp_mu - 0.5 * p["kappa"] * maha + iw_logpdf(cov, p["nu"], p["psi"])
        return float(out) if np.ndim(out) == 0 else np.asarray(out)

    def logpdf(self, x: Any) -> Any:
        """Log density at ``{"mu": vector, "cov": matrix}``."""
        return self.logdensity(x)

    def pdf(self, x: Any) -> Any:
        """Density at ``{"mu": vector, "cov": matrix}``."""
        return np.exp(self.logdensity(x))

    def _logp(self, x: Any, **p: Any) -> Any:
        raise TypeError("a NormalInverseWishart value is a dict {'mu': vector, 'cov': matrix}")

    def _mean(self, mu: Any, kappa: float, nu: float, psi: Any) -> Any:
        k = psi.shape[0]
        cov = psi / (nu - k - 1.0) if nu > k + 1 else np.full(psi.shape, np.inf)
        return {"mu": mu.copy(), "cov": cov}

    def _mode(self, mu: Any, kappa: float, nu: float, psi: Any) -> Any:
        return {"mu": mu.copy(), "cov": psi / (nu + psi.shape[0] + 2.0)}

    def _var(self, mu: Any, kappa: float, nu: float, psi: Any) -> Any:
        k = psi.shape[0]
        v_mu = np.diag(psi) / (kappa * (nu - k - 1.0)) if nu > k + 1 else np.full(k, np.inf)
        return {"mu": v_mu, "cov": iw_var(nu, psi)}

    def _sample(
        self, size: Any, rng: np.random.Generator, mu: Any, kappa: float, nu: float, psi: Any
    ) -> Any:
        from scipy import stats

        k = psi.shape[0]
        shape = () if size is None else tuple(np.atleast_1d(size))
        m = int(np.prod(shape)) if shape else 1
        covs = np.asarray(stats.invwishart(nu, psi).rvs(size=m, random_state=rng)).reshape(m, k, k)
        chol = np.linalg.cholesky(covs / kappa)
        mus = mu + np.einsum("mij,mj->mi", chol, rng.standard_normal((m, k)))
        return {"mu": mus.reshape(*shape, k), "cov": covs.reshape(*shape, k, k)}

    def _cdf(self, x: Any, **p: Any) -> Any:
        raise TypeError("NormalInverseWishart is matrix-valued: it has no cdf")

    def _ppf(self, q: Any, **p: Any) -> Any:
        raise TypeError("NormalInverseWishart is matrix-valued: use interval()")

    def interval(self, level: float = 0.95) -> tuple[Any, Any]:
        """Marginal equal-tailed intervals: each ``mu_i`` (Student t) and each diagonal
        entry of ``cov`` (inverse gamma); NaN off the diagonal."""
        lv = check_level(level)
        p = self._require_frozen("interval")
        k = p["psi"].shape[0]
        df = p["nu"] - k + 1.0
        q = np.array([(1.0 - lv) / 2.0, (1.0 + lv) / 2.0])
        scale = np.sqrt(np.diag(p["psi"]) / (p["kappa"] * df))
        mu_iv = p["mu"][None, :] + scale[None, :] * sc.stdtrit(df, q)[:, None]
        cov_iv = _iw_diag_interval(p["nu"], p["psi"], q)
        return {"mu": mu_iv[0], "cov": cov_iv[0]}, {"mu": mu_iv[1], "cov": cov_iv[1]}
