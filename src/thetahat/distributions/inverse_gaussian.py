"""Inverse Gaussian (Wald) distribution: mean and shape, closed-form MLE."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._domains import POSITIVE
from .._logspace import log1mexp
from ..statistics.sufficient import SuffStats
from ._base import ContinuousDistribution, Param, Value
from .observations import positive_support

__all__ = ["InverseGaussian", "InverseGaussianStats"]


@dataclass(frozen=True)
class InverseGaussianStats(SuffStats):
    """n, sum(x), sum(1/x) and sum(log x) (weighted)."""

    total: float = 0.0
    sinv: float = 0.0
    slog: float = 0.0


class InverseGaussian(ContinuousDistribution):
    """Inverse Gaussian (Wald) distribution with mean ``mu`` and ``shape`` lambda.

    Parameters
    ----------
    mu : float > 0
        The mean (named ``mu``: ``mean()`` is the method every distribution has).
    shape : float > 0
        Shape lambda (variance ``mu^3 / lambda``).

    Notes
    -----
    ``log f = (log lambda - log(2 pi) - 3 log x) / 2 - lambda (x - mu)^2 / (2 mu^2 x)``
    for x > 0: the first-passage time of a Brownian motion with drift. With
    ``r = sqrt(lambda / x)``::

        F(x) = Phi(r (x/mu - 1)) + exp(2 lambda / mu) Phi(-r (x/mu + 1))

    evaluated in log space (``log_ndtr``; the product never overflows), the
    survival function as ``Phi(-r(x/mu - 1)) - exp(2 lambda/mu) Phi(-r(x/mu + 1))``
    with the difference taken as ``log1p(-exp(.))`` of the logs. scipy's
    ``invgauss(mu / lambda, scale=lambda)``; R's ``statmod::dinvgauss(mean, shape)``.

    Sufficient statistics n, ``S = sum x``, ``R = sum 1/x``, ``L = sum log x``:
    ``log L = n/2 log(lambda / 2 pi) - 3/2 L - lambda (S / (2 mu^2) - n / mu + R / 2)``.
    Closed-form MLE: ``mu = S / n`` and ``1 / lambda = R / n - n / S`` (the mean of
    ``1/x - 1/xbar``); with mu given, ``1 / lambda = (S / mu^2 - 2 n / mu + R) / n``.
    Fisher information ``n diag(lambda / mu^3, 1 / (2 lambda^2))``, equal to the
    observed information at the MLE. ``n lambda_hat^-1 / lambda^-1`` is
    chi-square with n - 1 degrees of freedom (Tweedie 1957).

    Examples
    --------
    >>> import thetahat as th
    >>> d = th.InverseGaussian(2.0, 3.0)
    >>> d.mean(), round(d.var(), 6)
    (2.0, 2.666667)
    >>> est = th.fit(th.InverseGaussian, [1.0, 2.0, 4.0])
    >>> round(est.params["mu"], 6), round(est.params["shape"], 6)
    (2.333333, 6.461538)
    """

    _params = (Param("mu", POSITIVE, "mu mu"), Param("shape", POSITIVE, "shape lambda"))
    support_text = "positive numbers"
    _stats_type = InverseGaussianStats

    def _logp(self, x: NDArray[np.float64], mu: float, shape: float) -> NDArray[np.float64]:
        ok = x > 0
        xs = np.where(ok, x, 1.0)
        lp = 0.5 * (np.log(shape / (2.0 * np.pi)) - 3.0 * np.log(xs)) - shape * (xs - mu) ** 2 / (
            2.0 * mu * mu * xs
        )
        return np.where(ok, lp, -np.inf)

    def _mean(self, mu: float, shape: float) -> float:
        return mu

    def _mode(self, mu: float, shape: float) -> float:
        t = 1.5 * mu / shape
        return float(mu * (math.sqrt(1.0 + t * t) - t))

    def _var(self, mu: float, shape: float) -> float:
        return mu**3 / shape

    def _sample(self, size: Any, rng: np.random.Generator, mu: float, shape: float) -> Any:
        return rng.wald(mu, shape, size=size)

    def _logs(
        self, x: NDArray[np.float64], mu: float, shape: float
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """``log Phi(a)``, ``log Phi(-a)`` and ``2 lambda / mu + log Phi(-b)``."""
        xs = np.where(x > 0, x, 1.0)
        r = np.sqrt(shape / xs)
        a = r * (xs / mu - 1.0)
        b = r * (xs / mu + 1.0)
        return sc.log_ndtr(a), sc.log_ndtr(-a), 2.0 * shape / mu + sc.log_ndtr(-b)

    def _logcdf(self, x: NDArray[np.float64], mu: float, shape: float) -> NDArray[np.float64]:
        la, _, lb = self._logs(x, mu, shape)
        return np.where(x > 0, np.logaddexp(la, lb), -np.inf)

    def _logsf(self, x: NDArray[np.float64], mu: float, shape: float) -> NDArray[np.float64]:
        _, lna, lb = self._logs(x, mu, shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = lna + log1mexp(np.minimum(lb - lna, 0.0))
        return np.where(x > 0, out, 0.0)

    def _cdf(self, x: NDArray[np.float64], mu: float, shape: float) -> NDArray[np.float64]:
        return np.asarray(np.exp(self._logcdf(x, mu, shape)))

    def _sf(self, x: NDArray[np.float64], mu: float, shape: float) -> NDArray[np.float64]:
        return np.asarray(np.exp(self._logsf(x, mu, shape)))

    def _ppf(self, q: NDArray[np.float64], mu: float, shape: float) -> NDArray[np.float64]:
        return np.asarray(self._scipy(mu, shape).ppf(q), dtype=float)

    def _scipy(self, mu: float, shape: float) -> Any:
        from scipy import stats

        return stats.invgauss(mu / shape, scale=shape)

    # -- family
    _support_mask = positive_support

    def _chunk_stats(
        self, x: NDArray[np.float64], w: NDArray[np.float64] | None, obs: Any
    ) -> InverseGaussianStats:
        inv, lx = 1.0 / x, np.log(x)
        if w is None:
            return InverseGaussianStats(
                float(x.shape[0]), float(x.sum()), float(inv.sum()), float(lx.sum())
            )
        return InverseGaussianStats(float(w.sum()), float(w @ x), float(w @ inv), float(w @ lx))

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        mu, lam, n = params["mu"], params["shape"], stats.n
        quad = stats.total / (2.0 * mu * mu) - n / mu + stats.sinv / 2.0
        return float(0.5 * n * np.log(lam / (2.0 * np.pi)) - 1.5 * stats.slog - lam * quad)

    def _mle(self, stats: Any) -> dict[str, Value]:
        n = stats.n
        out: dict[str, Value] = {}
        mu = self._values.get("mu")
        if mu is None:
            mu = stats.total / n
            out["mu"] = mu
        if "shape" not in self._values:
            inv_lam = (stats.total / (mu * mu) - 2.0 * n / mu + stats.sinv) / n
            # (an exact 0 when every observation is equal: lambda -> infinity, the boundary)
            out["shape"] = 1.0 / inv_lam if inv_lam > 0 else np.inf
        return out

    def _grad_hess(
        self, params: Mapping[str, Value], stats: Any
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        mu, lam, n, s = params["mu"], params["shape"], stats.n, stats.total
        quad = s / (2.0 * mu * mu) - n / mu + stats.sinv / 2.0
        d_mu = s / mu**3 - n / mu**2  # minus d quad / d mu
        g = np.array([lam * d_mu, n / (2.0 * lam) - quad])
        h = np.array(
            [[lam * (-3.0 * s / mu**4 + 2.0 * n / mu**3), d_mu], [d_mu, -n / (2.0 * lam * lam)]]
        )
        return g, h

    def _information(self, params: Mapping[str, Value], stats: Any) -> NDArray[np.float64]:
        mu, lam = float(params["mu"]), float(params["shape"])
        full = stats.n * np.diag([lam / mu**3, 0.5 / lam**2])
        idx = [i for i, k in enumerate(("mu", "shape")) if k not in self._values]
        return np.asarray(full[np.ix_(idx, idx)])
