"""Logistic distribution (location and scale), fitted by Newton with analytic derivatives."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._domains import POSITIVE, REAL
from ..optim import SolverResult
from ._base import ContinuousDistribution, Param, Value
from ._locscale import locscale_grad_hess, newton_fit

__all__ = ["Logistic"]

_SQRT3_PI = float(np.sqrt(3.0) / np.pi)


def _psi(z: NDArray[np.float64], derivatives: bool = True) -> tuple[Any, Any, Any]:
    """Standard logistic: ``psi(z) = -|z| - 2 log1p(exp(-|z|))`` and its derivatives
    ``psi' = 1 - 2 F(z)``, ``psi'' = -2 F(z) F(-z)``, from one ``exp(-|z|)``."""
    a = np.abs(z)
    e = np.exp(-a)
    p0 = -a - 2.0 * np.log1p(e)
    if not derivatives:
        return p0, None, None
    r = 1.0 / (1.0 + e)
    er = e * r  # F(-|z|); r = F(|z|)
    pos = z >= 0
    f, fc = np.where(pos, r, er), np.where(pos, er, r)  # F(z), F(-z)
    return p0, fc - f, -2.0 * r * er


class Logistic(ContinuousDistribution):
    """Logistic distribution with location ``loc`` and scale ``scale``.

    Parameters
    ----------
    loc : float
        Location mu (mean, median and mode).
    scale : float > 0
        Scale s (the sd is ``s pi / sqrt 3``).

    Notes
    -----
    With ``z = (x - mu) / s``: ``log f = -z - log s - 2 log(1 + e^-z)`` (evaluated as
    ``-|z| - 2 log1p(e^-|z|)``, symmetric, no overflow), ``F = expit(z)``,
    ``log F = log_expit(z)``, ``log S = log_expit(-z)`` (exact in both tails),
    ``F^-1(q) = mu + s logit(q)``; mean mu, variance ``s^2 pi^2 / 3``. R's
    ``dlogis(x, location, scale)``, scipy's ``logistic(loc, scale)``; the log of a
    :class:`LogLogistic` variable is Logistic.

    Fitting: no finite sufficient statistics. The MLE solves the score equations
    ``sum w (2 F(z) - 1) = 0`` and ``sum w (z (1 - 2 F(z)) - 1) = 0`` by damped
    Newton over ``(mu, log s)`` with the analytic Hessian
    (:mod:`thetahat.distributions._locscale`), from the median and
    ``sd sqrt 3 / pi``; standard errors from the observed information (expected
    information ``n diag(1/3, (pi^2 + 3)/9) / s^2``).

    Examples
    --------
    >>> import thetahat as th
    >>> d = th.Logistic(1.0, 2.0)
    >>> round(d.cdf(1.0), 6), round(d.ppf(0.75), 6)
    (0.5, 3.197225)
    >>> est = th.fit(th.Logistic, d.sample(2000, rng=1))
    >>> str(est.status), round(est.params["loc"], 1)
    ('success', 1.0)
    """

    _params = (Param("loc", REAL, "location"), Param("scale", POSITIVE, "scale s"))
    support_text = "real numbers"

    def _logp(self, x: NDArray[np.float64], loc: float, scale: float) -> NDArray[np.float64]:
        a = np.abs((x - loc) / scale)
        return np.asarray(-a - 2.0 * np.log1p(np.exp(-a)) - np.log(scale))

    def _mean(self, loc: float, scale: float) -> float:
        return loc

    def _mode(self, loc: float, scale: float) -> float:
        return loc

    def _var(self, loc: float, scale: float) -> float:
        return float(scale * scale * np.pi**2 / 3.0)

    def _sample(self, size: Any, rng: np.random.Generator, loc: float, scale: float) -> Any:
        return rng.logistic(loc, scale, size=size)

    def _cdf(self, x: NDArray[np.float64], loc: float, scale: float) -> NDArray[np.float64]:
        return np.asarray(sc.expit((x - loc) / scale))

    def _sf(self, x: NDArray[np.float64], loc: float, scale: float) -> NDArray[np.float64]:
        return np.asarray(sc.expit((loc - x) / scale))

    def _logcdf(self, x: NDArray[np.float64], loc: float, scale: float) -> NDArray[np.float64]:
        return np.asarray(sc.log_expit((x - loc) / scale))

    def _logsf(self, x: NDArray[np.float64], loc: float, scale: float) -> NDArray[np.float64]:
        return np.asarray(sc.log_expit((loc - x) / scale))

    def _ppf(self, q: NDArray[np.float64], loc: float, scale: float) -> NDArray[np.float64]:
        with np.errstate(divide="ignore"):
            return np.asarray(loc + scale * sc.logit(q))

    def _scipy(self, loc: float, scale: float) -> Any:
        from scipy import stats

        return stats.logistic(loc, scale)

    # -- family
    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        return stats.total(self._logp(stats.x, params["loc"], params["scale"]))

    def _grad_hess(
        self, params: Mapping[str, Value], stats: Any
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        _, g, h = locscale_grad_hess(_psi, stats.x, stats.w, params["loc"], params["scale"])
        return g, h

    def _information(self, params: Mapping[str, Value], stats: Any) -> NDArray[np.float64]:
        s2 = float(params["scale"]) ** 2
        full = stats.n * np.diag([1.0 / 3.0, (np.pi**2 + 3.0) / 9.0]) / s2
        idx = [i for i, k in enumerate(("loc", "scale")) if k not in self._values]
        return np.asarray(full[np.ix_(idx, idx)])

    def _start(self, stats: Any) -> dict[str, float]:
        _, var = stats.mean_var()
        return {
            "loc": self._values.get("loc", stats.median()),
            "scale": self._values.get("scale", max(float(np.sqrt(var)) * _SQRT3_PI, 1e-300)),
        }

    def _fit_fast(self, stats: Any) -> tuple[dict[str, Value], SolverResult] | None:
        if self._values or stats.x.ndim != 1:
            return None
        st = self._start(stats)
        if not st["scale"] > 1e-300:
            return None
        return newton_fit(_psi, stats.x, stats.w, st["loc"], st["scale"])
