"""Normal-inverse-gamma distribution: the joint conjugate prior of a Normal's (mu, variance)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._domains import POSITIVE, REAL
from ._base import ContinuousDistribution, Param, check_level

__all__ = ["NormalInverseGamma"]

_LOG_2PI = float(np.log(2.0 * np.pi))


class NormalInverseGamma(ContinuousDistribution):
    """Normal-inverse-gamma distribution over (mu, var).

    ``var ~ InverseGamma(shape, scale)`` and ``mu | var ~ Normal(mu0, sqrt(var / lam))``.

    Parameters
    ----------
    mu : float
        Prior mean of mu (``mu0``).
    lam : float > 0
        Pseudo-observations behind ``mu0``: ``mu`` has the precision of ``lam`` data
        points.
    shape : float > 0
        Shape of the inverse-gamma on the variance (``2 shape`` pseudo-observations).
    scale : float > 0
        Scale of the inverse-gamma (half the pseudo sum of squares).

    Notes
    -----
    One value is a pair ``(mu, var)`` (arrays of shape (..., 2)). Marginally
    ``mu ~ StudentT(2 shape, mu0, sqrt(scale / (lam shape)))`` and
    ``var ~ InverseGamma(shape, scale)``; ``interval`` returns these marginal
    intervals. The joint mode is ``(mu0, scale / (shape + 1.5))``.

    Examples
    --------
    >>> import thetahat as th
    >>> prior = th.NormalInverseGamma(0, 1, 2, 2)
    >>> prior.mean()
    array([0., 2.])
    >>> post = th.posterior(th.Normal, [1.0, 2.0, 3.0], prior=prior)
    >>> post.dist
    NormalInverseGamma(mu=1.5, lam=4, shape=3.5, scale=4.5)
    """

    _params = (
        Param("mu", REAL, "prior mean of mu"),
        Param("lam", POSITIVE, "pseudo-observations for mu"),
        Param("shape", POSITIVE, "inverse-gamma shape"),
        Param("scale", POSITIVE, "inverse-gamma scale"),
    )
    support_text = "pairs (mu, var) with var > 0"
    event_vector = True
    data_ndim = 2

    def _logp(self, x: Any, mu: float, lam: float, shape: float, scale: float) -> Any:
        x = np.asarray(x, dtype=float)
        m, v = x[..., 0], x[..., 1]
        ok = v > 0
        vs = np.where(ok, v, 1.0)
        lp_var = shape * np.log(scale) - sc.gammaln(shape) - (shape + 1.0) * np.log(vs) - scale / vs
        lp_mu = -0.5 * (_LOG_2PI + np.log(vs / lam)) - 0.5 * lam * (m - mu) ** 2 / vs
        return np.where(ok, lp_var + lp_mu, -np.inf)

    def _mean(self, mu: float, lam: float, shape: float, scale: float) -> Any:
        return np.array([mu, scale / (shape - 1.0) if shape > 1 else np.inf])

    def _var(self, mu: float, lam: float, shape: float, scale: float) -> Any:
        ev = scale / (shape - 1.0) if shape > 1 else np.inf
        var_mu = ev / lam
        var_var = scale**2 / ((shape - 1.0) ** 2 * (shape - 2.0)) if shape > 2 else np.inf
        return np.array([var_mu, var_var])

    def _mode(self, mu: float, lam: float, shape: float, scale: float) -> NDArray[np.float64]:
        return np.array([mu, scale / (shape + 1.5)])

    def _sample(
        self, size: Any, rng: np.random.Generator, mu: float, lam: float, shape: float, scale: float
    ) -> Any:
        v = 1.0 / rng.gamma(shape, 1.0 / scale, size=size)
        m = rng.normal(mu, np.sqrt(v / lam))
        return np.stack([m, v], axis=-1)

    def _cdf(self, x: Any, **p: Any) -> Any:
        raise TypeError("NormalInverseGamma is bivariate: it has no cdf")

    def _ppf(self, q: Any, **p: Any) -> Any:
        raise TypeError("NormalInverseGamma is bivariate: use interval() for marginal intervals")

    def interval(self, level: float = 0.95) -> tuple[Any, Any]:
        """Equal-tailed marginal intervals: mu (Student t) and var (inverse gamma)."""
        lv = check_level(level)
        p = self._require_frozen("interval")
        t_scale = np.sqrt(p["scale"] / (p["lam"] * p["shape"]))
        q = np.array([(1.0 - lv) / 2.0, (1.0 + lv) / 2.0])
        mu_iv = p["mu"] + t_scale * sc.stdtrit(2.0 * p["shape"], q)
        var_iv = p["scale"] / sc.gammainccinv(p["shape"], q)
        return np.array([mu_iv[0], var_iv[0]]), np.array([mu_iv[1], var_iv[1]])

    def _scipy(self, **p: Any) -> Any:
        from scipy import stats

        if not hasattr(stats, "normal_inverse_gamma"):
            raise TypeError("this scipy has no normal_inverse_gamma")
        return stats.normal_inverse_gamma(p["mu"], p["lam"], p["shape"], p["scale"])
