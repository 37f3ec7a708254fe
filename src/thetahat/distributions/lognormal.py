"""Log-normal distribution (mu and sigma of log x)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._domains import POSITIVE, REAL
from ..statistics.sufficient import (
    MomentStats,
    SuffStats,
    centred_moments,
    centred_sums,
    log_chunks,
    provisional_centre,
)
from ._base import ContinuousDistribution, Param, Value
from .normal import gaussian_information, gaussian_loglik, gaussian_mle
from .observations import positive_support

__all__ = ["LogNormal", "LogNormalStats"]

_LOG_2PI = float(np.log(2.0 * np.pi))


@dataclass(frozen=True)
class LogNormalStats(MomentStats):
    """n, mean of log x and centred sum of squares of log x (Chan merge)."""


class LogNormal(ContinuousDistribution):
    """Log-normal distribution: ``log X ~ Normal(mu, sigma)``.

    Parameters
    ----------
    mu : float
        Mean of ``log x`` (the log of the median).
    sigma : float > 0
        Standard deviation of ``log x``.

    Notes
    -----
    ``log p = -log(2 pi)/2 - log sigma - log x - (log x - mu)^2 / (2 sigma^2)``
    for x > 0; scipy's ``lognorm(s=sigma, scale=exp(mu))``. Mean
    ``exp(mu + sigma^2/2)``, variance ``(exp(sigma^2) - 1) exp(2 mu + sigma^2)``.
    Closed-form MLE from the log data: ``mu = mean(log x)``,
    ``sigma^2 = sum (log x - mu)^2 / n``; Fisher information
    ``diag(n / sigma^2, 2 n / sigma^2)``. Not shifted: no location parameter
    (scipy's ``lognorm.fit`` frees ``loc`` by default). Usable as a prior on a
    positive parameter.

    Per observation: ``mu`` or ``sigma`` may be fixed to an array with one value per
    observation (``th.LogNormal(sigma=s)``); a fit then sums the log density over the data,
    with numerical derivatives.

    Examples
    --------
    >>> import thetahat as th
    >>> round(th.LogNormal(0, 1).mean(), 4)
    1.6487
    >>> est = th.fit(th.LogNormal, [1.0, 2.0, 4.0, 8.0])
    >>> {k: round(v, 4) for k, v in est.params.items()}
    {'mu': 1.0397, 'sigma': 0.775}
    """

    _params = (
        Param("mu", REAL, "mean of log x", obs_array=True),
        Param("sigma", POSITIVE, "sd of log x", obs_array=True),
    )
    support_text = "positive numbers"
    _stats_type = LogNormalStats
    _array_hooks = True

    def _logp(self, x: NDArray[np.float64], mu: float, sigma: float) -> NDArray[np.float64]:
        ok = x > 0
        lx = np.log(np.where(ok, x, 1.0))
        z = (lx - mu) / sigma
        return np.where(ok, -0.5 * _LOG_2PI - np.log(sigma) - lx - 0.5 * z * z, -np.inf)

    def _mean(self, mu: float, sigma: float) -> float:
        return float(np.exp(mu + 0.5 * sigma * sigma))

    def _mode(self, mu: float, sigma: float) -> float:
        return float(np.exp(mu - sigma * sigma))

    def _var(self, mu: float, sigma: float) -> float:
        s2 = sigma * sigma
        return float(np.expm1(s2) * np.exp(2.0 * mu + s2))

    def _sample(self, size: Any, rng: np.random.Generator, mu: float, sigma: float) -> Any:
        return rng.lognormal(mu, sigma, size=size)

    def _z(self, x: NDArray[np.float64], mu: float, sigma: float) -> NDArray[np.float64]:
        with np.errstate(divide="ignore"):
            return (np.log(np.maximum(x, 0.0)) - mu) / sigma

    def _cdf(self, x: NDArray[np.float64], mu: float, sigma: float) -> NDArray[np.float64]:
        return np.asarray(sc.ndtr(self._z(x, mu, sigma)))

    def _sf(self, x: NDArray[np.float64], mu: float, sigma: float) -> NDArray[np.float64]:
        return np.asarray(sc.ndtr(-self._z(x, mu, sigma)))

    def _ppf(self, q: NDArray[np.float64], mu: float, sigma: float) -> NDArray[np.float64]:
        return np.asarray(np.exp(mu + sigma * sc.ndtri(q)))

    def _scipy(self, mu: float, sigma: float) -> Any:
        from scipy import stats

        return stats.lognorm(sigma, scale=np.exp(mu))

    # -- family
    _support_mask = positive_support

    def _reduce(
        self, x: NDArray[np.float64], w: NDArray[np.float64] | None, po: dict[str, Any]
    ) -> SuffStats | None:
        # The corrected two-pass method with one provisional centre c for all chunks
        # (the mean of log x at 64 points of the first chunk): per chunk, log x
        # into a scratch buffer reused across chunks, then the sum and sum of squares
        # of the deviations from c (one compiled read of the buffer where built); the
        # mean and centred sum of squares follow by
        # :func:`~thetahat.statistics.sufficient.centred_moments`.
        # The sums are finite exactly when every x is in (0, inf), so they are also the
        # check. No per-observation inputs reach here (``po`` is empty).
        m = x.shape[0]
        s = q = c = 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            for i, (_, b, wc) in enumerate(log_chunks(x, w)):
                if i == 0:  # one centre for all chunks, from the first
                    c = provisional_centre(b)
                    if not math.isfinite(c):
                        return None  # a sampled value is invalid
                if wc is None:  # one read of the buffer by the compiled kernel, if built
                    ds, dq = centred_sums(b, c)
                    s += ds
                    q += dq
                else:
                    d = np.subtract(b, c, out=b)
                    wd = wc * d
                    s += float(wd.sum())
                    q += float(wd @ d)
        n = float(m) if w is None else float(w.sum())
        if not (math.isfinite(s) and math.isfinite(q)):
            return None
        n, mean, err, m2 = centred_moments(n, c, s, q)
        return LogNormalStats(n=n, mean=mean, m2=m2, mean_err=err)

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        # the Normal's on log x (sigma -> 0: a point mass at exp(mu)) less the Jacobian
        ll = gaussian_loglik(params, stats)
        return ll - stats.n * (stats.mean + stats.mean_err)

    def _mle(self, stats: Any) -> dict[str, Value]:
        return gaussian_mle(self, stats)

    def _grad_hess(
        self, params: Mapping[str, Value], stats: Any
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        mu, s, n = params["mu"], params["sigma"], stats.n
        d = (stats.mean - mu) + stats.mean_err
        ss = stats.m2 + n * d * d
        g = np.array([n * d / (s * s), -n / s + ss / s**3])
        h = np.array(
            [
                [-n / (s * s), -2.0 * n * d / s**3],
                [-2.0 * n * d / s**3, n / (s * s) - 3 * ss / s**4],
            ]
        )
        return g, h

    def _covariance(self, params: Mapping[str, Value], stats: Any) -> NDArray[np.float64]:
        """Inverse observed information of the free parameters, in scalar arithmetic.

        From the Hessian in :meth:`_grad_hess`; at the MLE (``d = 0``,
        ``ss = n sigma^2``) it is ``diag(sigma^2 / n, sigma^2 / (2 n))``.
        """
        mu, s, n = float(params["mu"]), float(params["sigma"]), float(stats.n)
        d = (stats.mean - mu) + stats.mean_err
        ss = stats.m2 + n * d * d
        i_mm, i_ms, i_ss = n / (s * s), 2.0 * n * d / s**3, 3.0 * ss / s**4 - n / (s * s)
        free = [name for name in ("mu", "sigma") if name not in self._values]
        if free == ["mu"]:
            return np.array([[1.0 / i_mm]])
        if free == ["sigma"]:
            return np.array([[1.0 / i_ss]]) if i_ss > 0 else np.full((1, 1), np.inf)
        det = i_mm * i_ss - i_ms * i_ms
        if not det > 0:
            return np.full((2, 2), np.inf)
        return np.array([[i_ss / det, -i_ms / det], [-i_ms / det, i_mm / det]])

    def _information(self, params: Mapping[str, Value], stats: Any) -> NDArray[np.float64]:
        return gaussian_information(self, params, stats)
