"""Generalised Pareto distribution of exceedances over a threshold (scale, shape)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._domains import POSITIVE, REAL
from .._logspace import log1mexp
from ..optim import SolverResult
from ._base import ContinuousDistribution, Param, Value
from ._extremes import log1p_over, with_caveats

__all__ = ["GeneralizedPareto"]


class GeneralizedPareto(ContinuousDistribution):
    """Generalised Pareto distribution (GPD) of exceedances ``x = y - u >= 0``.

    Parameters
    ----------
    scale : float > 0
        Scale sigma.
    shape : float
        Shape xi (xi > 0: a Pareto-type heavy tail; 0: exponential; xi < 0: bounded
        above by ``-sigma / xi``).

    Notes
    -----
    With ``y = log1p(xi x / sigma) / xi`` (``x / sigma`` at xi = 0):
    ``log f = -log sigma - (1 + xi) y``, ``log S = -y``, ``log F = log(-expm1(-y))``,
    all exact in the tails; ``F^-1(q) = sigma expm1(-xi log(1 - q)) / xi``. Mean
    ``sigma / (1 - xi)`` (xi < 1), variance ``sigma^2 / ((1 - xi)^2 (1 - 2 xi))``
    (xi < 1/2). The sign convention is Coles' (and R's ``evd``/``ismev``,
    scipy's ``genpareto(c=xi, scale=sigma)``). Peaks over a threshold u: fit the
    exceedances ``y - u`` of the observations above u.

    Fitting (Grimshaw 1993): with ``tau = xi / sigma`` fixed, the MLE of xi is
    ``mean log1p(tau x)``, so the likelihood profiles to one dimension,
    ``l(tau) = -n log(xi(tau) / tau) - n (1 + xi(tau))``, maximised over
    ``tau > -1 / max x`` on a grid and refined by Brent's method. The
    likelihood is unbounded for xi < -1, so the MLE is the local maximum with
    xi > -1; for xi < -1/2 it is not regular and for small samples the shape
    is biased; both are reported (:mod:`thetahat.distributions._extremes`).
    Standard errors from the observed information.

    Examples
    --------
    >>> import thetahat as th
    >>> d = th.GeneralizedPareto(2.0, 0.25)
    >>> round(d.mean(), 6), round(d.ppf(0.5), 6)
    (2.666667, 1.513657)
    >>> est = th.fit(th.GeneralizedPareto, d.sample(4000, rng=5))
    >>> str(est.status), abs(est.params["shape"] - 0.25) < 3 * est.se["shape"]
    ('success', True)
    """

    _params = (Param("scale", POSITIVE, "scale sigma"), Param("shape", REAL, "shape xi"))
    support_text = "non-negative numbers (exceedances over the threshold)"

    def _y(self, x: NDArray[np.float64], scale: float, shape: float) -> NDArray[np.float64]:
        return log1p_over(float(shape), np.maximum(x, 0.0) / scale)

    def _inside(self, x: NDArray[np.float64], scale: float, shape: float) -> NDArray[np.bool_]:
        ok = x >= 0
        if shape < 0:
            ok &= x * (-shape) < scale  # below the upper end -sigma / xi
        return np.asarray(ok)

    def _logp(self, x: NDArray[np.float64], scale: float, shape: float) -> NDArray[np.float64]:
        ok = self._inside(x, scale, shape)
        y = self._y(np.where(ok, x, 0.0), scale, shape)
        return np.where(ok, -np.log(scale) - (1.0 + shape) * y, -np.inf)

    def _logsf(self, x: NDArray[np.float64], scale: float, shape: float) -> NDArray[np.float64]:
        ok = self._inside(x, scale, shape)
        y = self._y(np.where(ok, x, 0.0), scale, shape)
        return np.where(ok, -y, np.where(x < 0, 0.0, -np.inf))

    def _logcdf(self, x: NDArray[np.float64], scale: float, shape: float) -> NDArray[np.float64]:
        with np.errstate(divide="ignore"):
            return log1mexp(self._logsf(x, scale, shape))

    def _cdf(self, x: NDArray[np.float64], scale: float, shape: float) -> NDArray[np.float64]:
        return np.asarray(-np.expm1(self._logsf(x, scale, shape)))

    def _sf(self, x: NDArray[np.float64], scale: float, shape: float) -> NDArray[np.float64]:
        return np.asarray(np.exp(self._logsf(x, scale, shape)))

    def _ppf(self, q: NDArray[np.float64], scale: float, shape: float) -> NDArray[np.float64]:
        with np.errstate(divide="ignore"):
            e = -np.log1p(-q)  # the standard exponential quantile
        if shape == 0:
            return np.asarray(scale * e)
        with np.errstate(over="ignore", invalid="ignore"):
            return np.asarray(np.where(np.isinf(e), np.where(shape > 0, np.inf, -scale / shape),
                                       scale * np.expm1(shape * e) / shape))  # fmt: skip

    def _mean(self, scale: float, shape: float) -> float:
        return scale / (1.0 - shape) if shape < 1 else np.inf

    def _var(self, scale: float, shape: float) -> float:
        if shape >= 0.5:
            return np.inf
        return scale * scale / ((1.0 - shape) ** 2 * (1.0 - 2.0 * shape))

    def _mode(self, scale: float, shape: float) -> float:
        return 0.0 if shape > -1 else -scale / shape

    def _sample(self, size: Any, rng: np.random.Generator, scale: float, shape: float) -> Any:
        return self._ppf(np.asarray(rng.random(size=size)), scale, shape)

    def _scipy(self, scale: float, shape: float) -> Any:
        from scipy import stats

        return stats.genpareto(shape, scale=scale)

    # -- family
    def _support_mask(self, x: NDArray[np.float64], **obs: Any) -> NDArray[np.bool_]:
        if "scale" in self._values and "shape" in self._values:
            return self._inside(x, self._values["scale"], self._values["shape"])
        return np.asarray(x >= 0)

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        return stats.total(self._logp(stats.x, params["scale"], params["shape"]))

    def _start(self, stats: Any) -> dict[str, float]:
        # method of moments (Hosking & Wallis 1987), pulled inside the support
        m, v = stats.mean_var()
        xi = 0.5 * (1.0 - m * m / v) if v > 0 else 0.0
        xi = float(self._values.get("shape", min(max(xi, -0.45), 0.9)))
        scale = m * (1.0 - xi) if xi < 1 else m
        top = float(np.max(stats.positive()))
        if xi < 0:
            scale = max(scale, -xi * top * 1.01)
        return {"scale": float(self._values.get("scale", scale)), "shape": xi}

    def _fit_fast(self, stats: Any) -> tuple[dict[str, Value], SolverResult] | None:
        if self._values or stats.x.ndim != 1:
            return None
        x, n = stats.x, float(stats.n)
        top = float(np.max(stats.positive()))
        if not top > 0:
            return None

        def xi_of(u: float) -> float:
            tau = math.expm1(u) / top
            return stats.total(log1p_over(1.0, tau * x)) / n

        def profile(u: float) -> float:
            tau = math.expm1(u) / top
            xi = xi_of(u)
            if not np.isfinite(xi):
                return -np.inf
            # sigma = xi / tau, with its tau -> 0 limit (the mean) taken exactly
            sigma = stats.total(log1p_over(tau, x)) / n if tau != 0 else stats.total(x) / n
            if not sigma > 0:
                return -np.inf
            return -n * math.log(sigma) - n * (1.0 + xi)

        # u = log(1 + tau max x) over a grid; the valid region is xi(u) > -1
        grid = np.concatenate([-np.geomspace(40.0, 1e-3, 60), [0.0], np.geomspace(1e-3, 12.0, 50)])
        vals = np.array([profile(u) if xi_of(u) > -1.0 else -np.inf for u in grid])
        ok = np.isfinite(vals)
        if not ok.any():
            return None
        i = int(np.argmax(np.where(ok, vals, -np.inf)))
        first = int(np.flatnonzero(ok)[0])
        if i in (first, len(grid) - 1):
            side = "shape <= -1 (where the likelihood is unbounded)" if i == first else "infinity"
            u = float(grid[i])
            params = {"scale": self._sigma(stats, u, top), "shape": xi_of(u)}
            msg = (
                "the generalised Pareto likelihood has no local maximum with shape > -1: it "
                f"keeps increasing towards {side}; the estimate is where the search stopped"
            )
            return params, SolverResult.boundary([u], profile(u), msg)
        from scipy import optimize

        lo, hi = float(grid[i - 1]), float(grid[i + 1])
        opt = optimize.minimize_scalar(
            lambda u: -profile(u), bounds=(lo, hi), method="bounded", options={"xatol": 1e-12}
        )
        u = float(opt.x) if -opt.fun >= vals[i] else float(grid[i])
        params = {"scale": self._sigma(stats, u, top), "shape": xi_of(u)}
        ll = self._loglik(params, stats)
        res = SolverResult.done([u], ll, "profile likelihood over shape / scale (Grimshaw)", 1)
        return with_caveats(params, res, n)

    @staticmethod
    def _sigma(stats: Any, u: float, top: float) -> float:
        tau = math.expm1(u) / top
        if tau == 0:
            return float(stats.total(stats.x) / stats.n)
        return float(stats.total(log1p_over(tau, stats.x)) / stats.n)
