"""Generalised extreme value distribution of block maxima (loc, scale, shape)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._domains import POSITIVE, REAL
from .._logspace import log1mexp
from ..optim import SolverResult, fd_grad_hess, maximize
from ._base import ContinuousDistribution, Param, Value
from ._extremes import log1p_over, with_caveats

__all__ = ["GeneralizedExtremeValue"]

_EULER = float(np.euler_gamma)


class GeneralizedExtremeValue(ContinuousDistribution):
    """Generalised extreme value distribution (GEV) of block maxima.

    Parameters
    ----------
    loc : float
        Location mu.
    scale : float > 0
        Scale sigma.
    shape : float
        Shape xi (xi > 0: Frechet type, heavy upper tail; 0: Gumbel; xi < 0:
        reversed Weibull, bounded above by ``mu - sigma / xi``).

    Notes
    -----
    With ``z = (x - mu) / sigma`` and ``y = log1p(xi z) / xi`` (z at xi = 0), on
    ``1 + xi z > 0``: ``log f = -log sigma - (1 + xi) y - e^-y``,
    ``log F = -e^-y`` exactly and ``log S = log(-expm1(-e^-y))``;
    ``F^-1(q) = mu + sigma expm1(-xi log(-log q)) / xi``. Mean
    ``mu + sigma (Gamma(1 - xi) - 1) / xi`` (xi < 1), variance
    ``sigma^2 (Gamma(1 - 2 xi) - Gamma(1 - xi)^2) / xi^2`` (xi < 1/2), with the
    Gumbel limits at xi = 0. The sign convention is Coles' (R's ``evd``,
    ``ismev``, ``extRemes``): **scipy's** ``genextreme`` **uses c = -xi**;
    ``to_scipy()`` returns ``genextreme(-xi, mu, sigma)``.

    Fitting: Newton over ``(mu, log sigma, xi)`` with numerical derivatives
    (BFGS fallback), started from Hosking, Wallis & Wood's (1985)
    probability-weighted-moment estimates pulled inside the support. The
    likelihood is unbounded for xi < -1; for xi < -1/2 the MLE is not regular,
    and for small samples the shape is biased: each is reported
    (:mod:`thetahat.distributions._extremes`). Standard errors from the
    observed information.

    Examples
    --------
    >>> import thetahat as th
    >>> d = th.GeneralizedExtremeValue(0.0, 1.0, 0.1)
    >>> round(d.cdf(0.0), 6), round(float(d.to_scipy().cdf(0.0)), 6)
    (0.367879, 0.367879)
    >>> est = th.fit(th.GeneralizedExtremeValue, d.sample(3000, rng=4))
    >>> str(est.status), round(est.params["scale"], 1)
    ('success', 1.0)
    """

    _params = (
        Param("loc", REAL, "location mu"),
        Param("scale", POSITIVE, "scale sigma"),
        Param("shape", REAL, "shape xi"),
    )
    support_text = "real numbers (bounded on one side when the shape is not 0)"

    def _inside(
        self, x: NDArray[np.float64], loc: float, scale: float, shape: float
    ) -> NDArray[np.bool_]:
        return np.asarray(1.0 + shape * (x - loc) / scale > 0)

    def _y(
        self, x: NDArray[np.float64], loc: float, scale: float, shape: float
    ) -> NDArray[np.float64]:
        return log1p_over(float(shape), (x - loc) / scale)

    def _logp(
        self, x: NDArray[np.float64], loc: float, scale: float, shape: float
    ) -> NDArray[np.float64]:
        ok = self._inside(x, loc, scale, shape)
        y = self._y(np.where(ok, x, loc), loc, scale, shape)
        with np.errstate(over="ignore"):
            return np.where(ok, -np.log(scale) - (1.0 + shape) * y - np.exp(-y), -np.inf)

    def _logcdf(
        self, x: NDArray[np.float64], loc: float, scale: float, shape: float
    ) -> NDArray[np.float64]:
        ok = self._inside(x, loc, scale, shape)
        y = self._y(np.where(ok, x, loc), loc, scale, shape)
        outside = -np.inf if shape > 0 else 0.0  # below the lower end / above the upper end
        with np.errstate(over="ignore"):
            return np.where(ok, -np.exp(-y), outside)

    def _logsf(
        self, x: NDArray[np.float64], loc: float, scale: float, shape: float
    ) -> NDArray[np.float64]:
        with np.errstate(divide="ignore"):
            return log1mexp(self._logcdf(x, loc, scale, shape))

    def _cdf(
        self, x: NDArray[np.float64], loc: float, scale: float, shape: float
    ) -> NDArray[np.float64]:
        return np.asarray(np.exp(self._logcdf(x, loc, scale, shape)))

    def _sf(
        self, x: NDArray[np.float64], loc: float, scale: float, shape: float
    ) -> NDArray[np.float64]:
        return np.asarray(-np.expm1(self._logcdf(x, loc, scale, shape)))

    def _ppf(
        self, q: NDArray[np.float64], loc: float, scale: float, shape: float
    ) -> NDArray[np.float64]:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            g = -np.log(-np.log(q))  # the standard Gumbel quantile
            if shape == 0:
                return np.asarray(loc + scale * g)
            return np.asarray(loc + scale * np.expm1(shape * g) / shape)

    def _mean(self, loc: float, scale: float, shape: float) -> float:
        if shape >= 1:
            return np.inf
        if abs(shape) < 1e-7:
            return loc + scale * _EULER
        return float(loc + scale * (np.exp(sc.gammaln(1.0 - shape)) - 1.0) / shape)

    def _var(self, loc: float, scale: float, shape: float) -> float:
        if shape >= 0.5:
            return np.inf
        if abs(shape) < 1e-5:
            return float(scale * scale * np.pi**2 / 6.0)
        g1 = float(np.exp(sc.gammaln(1.0 - shape)))
        g2 = float(np.exp(sc.gammaln(1.0 - 2.0 * shape)))
        return scale * scale * (g2 - g1 * g1) / shape**2

    def _mode(self, loc: float, scale: float, shape: float) -> float:
        if shape == 0:
            return loc
        return float(loc + scale * ((1.0 + shape) ** (-shape) - 1.0) / shape)

    def _sample(
        self, size: Any, rng: np.random.Generator, loc: float, scale: float, shape: float
    ) -> Any:
        return self._ppf(np.asarray(rng.random(size=size)), loc, scale, shape)

    def _scipy(self, loc: float, scale: float, shape: float) -> Any:
        from scipy import stats

        return stats.genextreme(-shape, loc=loc, scale=scale)

    # -- family
    def _support_mask(self, x: NDArray[np.float64], **obs: Any) -> NDArray[np.bool_]:
        if all(k in self._values for k in ("loc", "scale", "shape")):
            v = self._values
            return self._inside(x, v["loc"], v["scale"], v["shape"])
        return np.ones(x.shape, dtype=bool)

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        p = params
        return stats.total(self._logp(stats.x, p["loc"], p["scale"], p["shape"]))

    def _start(self, stats: Any) -> dict[str, float]:
        """Probability-weighted moments (Hosking, Wallis & Wood 1985), inside the support."""
        x = np.sort(stats.positive())
        m = x.shape[0]
        b0 = float(np.mean(x))
        if m < 3 or not x[-1] > x[0]:
            sd = float(np.std(x)) or 1.0
            return {"loc": b0, "scale": sd, "shape": 0.0}
        j = np.arange(m, dtype=float)
        b1 = float(np.mean(j / (m - 1) * x))
        b2 = float(np.mean(j * (j - 1) / ((m - 1) * (m - 2)) * x))
        c = (2.0 * b1 - b0) / (3.0 * b2 - b0) - np.log(2.0) / np.log(3.0)
        k = 7.859 * c + 2.9554 * c * c  # Hosking's k = -xi
        k = float(np.clip(k, -0.9, 0.9))
        if abs(k) < 1e-6:
            k = 1e-6
        g = float(np.exp(sc.gammaln(1.0 + k)))
        scale = (2.0 * b1 - b0) * k / (g * (1.0 - 2.0**-k))
        loc = b0 + scale * (g - 1.0) / k
        xi = -k
        if not scale > 0:
            scale, xi = float(np.std(x)) * np.sqrt(6.0) / np.pi, 0.0
            loc = b0 - _EULER * scale
        # pull the shape towards 0 until every observation is inside the support
        for _ in range(60):
            if np.all(self._inside(x, loc, scale, xi)):
                break
            xi *= 0.5
        v = self._values
        return {
            "loc": float(v.get("loc", loc)),
            "scale": float(v.get("scale", scale)),
            "shape": float(v.get("shape", xi)),
        }

    def _fit_fast(self, stats: Any) -> tuple[dict[str, Value], SolverResult] | None:
        if self._values or stats.x.ndim != 1:
            return None
        st = self._start(stats)
        # coordinates (mu', log sigma', xi) standardised by the start's loc and scale
        c, s = st["loc"], st["scale"]

        def f(t: NDArray[np.float64]) -> float:
            with np.errstate(all="ignore"):
                val = self._loglik(
                    {"loc": c + s * t[0], "scale": s * np.exp(t[1]), "shape": t[2]}, stats
                )
            return val if np.isfinite(val) else -np.inf

        def fgh(t: NDArray[np.float64]) -> tuple[float, NDArray[np.float64], NDArray[np.float64]]:
            return fd_grad_hess(f, t)

        res = maximize(fgh, np.array([0.0, 0.0, st["shape"]]), f_only=f)
        t = res.x
        params = {
            "loc": c + s * float(t[0]),
            "scale": s * float(np.exp(t[1])),
            "shape": float(t[2]),
        }
        res = SolverResult.of(
            res.x, res.fun, res.converged, f"Newton on (loc, log scale, shape): {res.message}",
            res.iterations,
        )  # fmt: skip
        return with_caveats(params, res, stats.n)
