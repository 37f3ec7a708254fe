"""Gumbel distribution of the maximum (location and scale), fitted by profile Newton."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._domains import POSITIVE, REAL
from .._logspace import log1mexp
from ..optim import SolverResult, newton_1d
from ._base import ContinuousDistribution, Param, Value
from ._locscale import locscale_grad_hess

__all__ = ["Gumbel"]

_EULER = float(np.euler_gamma)


def _psi(z: NDArray[np.float64], derivatives: bool = True) -> tuple[Any, Any, Any]:
    """Standard Gumbel (maximum): ``psi = -z - e^-z``, ``psi' = e^-z - 1``, ``psi'' = -e^-z``."""
    e = np.exp(-z)
    return -z - e, e - 1.0, -e


class Gumbel(ContinuousDistribution):
    """Gumbel distribution of the maximum (type I extreme value), ``loc`` and ``scale``.

    Parameters
    ----------
    loc : float
        Location mu (the mode).
    scale : float > 0
        Scale beta.

    Notes
    -----
    With ``z = (x - mu) / beta``: ``log f = -z - e^-z - log beta``,
    ``F = exp(-e^-z)``, so ``log F = -e^-z`` exactly and
    ``log S = log(-expm1(-e^-z))``; ``F^-1(q) = mu - beta log(-log q)``; mean
    ``mu + gamma beta`` (gamma: Euler's constant), variance ``pi^2 beta^2 / 6``.
    scipy's ``gumbel_r(loc, scale)``; the limit of block maxima with a light tail
    (:class:`GeneralizedExtremeValue` with shape 0).

    Fitting: no finite sufficient statistics; the MLE is a profile Newton
    solve on the scale alone. For fixed beta the location is
    ``mu = -beta log(sum w e^(-x/beta) / n)``, and the score of the scale
    reduces to

        beta = xbar - sum w x e^(-x/beta) / sum w e^(-x/beta),

    whose left minus right side increases in beta (its derivative is
    ``1 + V / beta^2``, V the variance of x under the weights
    ``w e^(-x/beta)``), so the root is unique. The data are shifted by their
    minimum so no exponential overflows. Standard errors from the observed
    information (analytic Hessian); the expected information is
    ``n / beta^2 [[1, gamma - 1], [gamma - 1, pi^2/6 + (1 - gamma)^2]]``.

    Examples
    --------
    >>> import thetahat as th
    >>> d = th.Gumbel(10.0, 2.0)
    >>> round(d.mean(), 4), round(d.logcdf(10.0), 4)
    (11.1544, -1.0)
    >>> est = th.fit(th.Gumbel, d.sample(5000, rng=3))
    >>> str(est.status), round(est.params["scale"], 1)
    ('success', 2.0)
    """

    _params = (Param("loc", REAL, "location (mode)"), Param("scale", POSITIVE, "scale beta"))
    support_text = "real numbers"

    def _logp(self, x: NDArray[np.float64], loc: float, scale: float) -> NDArray[np.float64]:
        z = (x - loc) / scale
        with np.errstate(over="ignore"):
            return np.asarray(-z - np.exp(-z) - np.log(scale))

    def _mean(self, loc: float, scale: float) -> float:
        return loc + _EULER * scale

    def _mode(self, loc: float, scale: float) -> float:
        return loc

    def _var(self, loc: float, scale: float) -> float:
        return float(np.pi**2 * scale * scale / 6.0)

    def _sample(self, size: Any, rng: np.random.Generator, loc: float, scale: float) -> Any:
        return rng.gumbel(loc, scale, size=size)

    def _logcdf(self, x: NDArray[np.float64], loc: float, scale: float) -> NDArray[np.float64]:
        with np.errstate(over="ignore"):
            return np.asarray(-np.exp(-(x - loc) / scale))

    def _logsf(self, x: NDArray[np.float64], loc: float, scale: float) -> NDArray[np.float64]:
        with np.errstate(over="ignore", divide="ignore"):
            return log1mexp(-np.exp(-(x - loc) / scale))

    def _cdf(self, x: NDArray[np.float64], loc: float, scale: float) -> NDArray[np.float64]:
        return np.asarray(np.exp(self._logcdf(x, loc, scale)))

    def _sf(self, x: NDArray[np.float64], loc: float, scale: float) -> NDArray[np.float64]:
        with np.errstate(over="ignore"):
            return np.asarray(-np.expm1(-np.exp(-(x - loc) / scale)))

    def _ppf(self, q: NDArray[np.float64], loc: float, scale: float) -> NDArray[np.float64]:
        with np.errstate(divide="ignore"):
            return np.asarray(loc - scale * np.log(-np.log(q)))

    def _scipy(self, loc: float, scale: float) -> Any:
        from scipy import stats

        return stats.gumbel_r(loc, scale)

    # -- family
    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        return stats.total(self._logp(stats.x, params["loc"], params["scale"]))

    def _grad_hess(
        self, params: Mapping[str, Value], stats: Any
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        with np.errstate(over="ignore"):
            _, g, h = locscale_grad_hess(_psi, stats.x, stats.w, params["loc"], params["scale"])
        return g, h

    def _information(self, params: Mapping[str, Value], stats: Any) -> NDArray[np.float64]:
        b2 = float(params["scale"]) ** 2
        off = _EULER - 1.0
        full = stats.n / b2 * np.array([[1.0, off], [off, np.pi**2 / 6.0 + off * off]])
        idx = [i for i, k in enumerate(("loc", "scale")) if k not in self._values]
        return np.asarray(full[np.ix_(idx, idx)])

    def _start(self, stats: Any) -> dict[str, float]:
        mean, var = stats.mean_var()
        beta = max(float(np.sqrt(6.0 * var)) / np.pi, 1e-300)
        beta = float(self._values.get("scale", beta))
        return {"loc": self._values.get("loc", mean - _EULER * beta), "scale": beta}

    def _fit_fast(self, stats: Any) -> tuple[dict[str, Value], SolverResult] | None:
        if "loc" in self._values or stats.x.ndim != 1:
            return None
        x, w = stats.x, stats.w
        n = float(stats.n)
        c = float(np.min(x if w is None else x[w > 0]))
        y = x - c
        ybar = stats.total(y) / n
        if not ybar > 0:
            return None  # every value equal: the generic solve reports the boundary

        def weights_at(beta: float) -> tuple[NDArray[np.float64], float]:
            e = np.exp(-y / beta)
            ew = e if w is None else w * e
            return ew, float(np.sum(ew))

        def mu_at(beta: float) -> float:
            return c - beta * math.log(weights_at(beta)[1] / n)

        if "scale" in self._values:  # the location in closed form
            beta = float(self._values["scale"])
            mu = mu_at(beta)
            ll = self._loglik({"loc": mu, "scale": beta}, stats)
            return {"loc": mu}, SolverResult.done([mu], ll, "closed form (scale given)")

        def eq(u: float) -> tuple[float, float]:
            beta = math.exp(u)
            ew, tot = weights_at(beta)
            a = float(ew @ y) / tot
            v = float(ew @ (y - a) ** 2) / tot
            # decreasing in u: ybar - a(beta) - beta
            return ybar - a - beta, -beta * (1.0 + v / beta**2)

        start = self._start(stats)["scale"]
        sol = newton_1d(eq, math.log(start), xtol=1e-13)
        beta = math.exp(float(sol.x[0]))
        mu = mu_at(beta)
        params = {"loc": mu, "scale": beta}
        ll = self._loglik(params, stats)
        res = SolverResult.of(
            [mu, float(sol.x[0])], ll, sol.converged, f"Gumbel profile Newton: {sol.message}",
            sol.iterations,
        )  # fmt: skip
        return params, res
