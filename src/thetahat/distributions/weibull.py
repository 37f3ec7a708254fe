"""Weibull distribution (shape and scale), fitted by profile Newton on the shape."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._domains import POSITIVE
from ..optim import SolverResult, newton_1d
from ._base import ContinuousDistribution, Param, Value

__all__ = ["Weibull"]

_EQUAL = "all observations are equal: the shape MLE is infinite"


class Weibull(ContinuousDistribution):
    """Weibull distribution with ``shape`` k and ``scale`` lambda.

    Parameters
    ----------
    shape : float > 0
        Shape k (k < 1: decreasing hazard; k = 1: exponential; k > 1: increasing).
    scale : float > 0
        Scale lambda (the 63.2% quantile).

    Notes
    -----
    ``log p = log k - log lambda + (k - 1) log(x / lambda) - (x / lambda)^k`` for
    x >= 0; ``cdf = 1 - exp(-(x/lambda)^k)``; scipy's ``weibull_min(k, scale=lambda)``.

    The Weibull has no finite sufficient statistics. With both free the fit is a
    profile Newton solve on k: for fixed k the scale is
    ``lambda^k = sum w x^k / n``, and the profile score is

        1/k + sum w log x / n - sum w x^k log x / sum w x^k = 0,

    decreasing in k, so the root is unique; the powers are taken as
    ``exp(k (log x - max log x))`` so nothing overflows. Standard errors use the
    observed information (the analytic Hessian). Not shifted: no location
    parameter (scipy's ``weibull_min.fit`` frees ``loc`` by default and then
    often misses the optimum).

    Per observation: ``shape`` or ``scale`` may be fixed to an array with one value per
    observation (``th.Weibull(scale=s)``); a fit then sums the log density over the data,
    with numerical derivatives.
    """

    _params = (
        Param("shape", POSITIVE, "shape k", obs_array=True),
        Param("scale", POSITIVE, "scale lambda", obs_array=True),
    )
    support_text = "positive numbers"

    def _logp(self, x: NDArray[np.float64], shape: float, scale: float) -> NDArray[np.float64]:
        ok = x >= 0
        z = np.where(ok, x, 1.0) / scale
        with np.errstate(divide="ignore"):
            lz = np.log(z)
        lp = np.log(shape / scale) + (shape - 1.0) * lz - np.exp(shape * lz)
        if np.any(shape == 1.0):
            lp = np.where((z == 0) & (shape == 1.0), np.log(shape / scale), lp)
        return np.where(ok, lp, -np.inf)

    def _mean(self, shape: float, scale: float) -> float:
        from scipy import special as sc

        return float(scale * np.exp(sc.gammaln(1.0 + 1.0 / shape)))

    def _var(self, shape: float, scale: float) -> float:
        from scipy import special as sc

        g1 = np.exp(sc.gammaln(1.0 + 1.0 / shape))
        g2 = np.exp(sc.gammaln(1.0 + 2.0 / shape))
        return float(scale * scale * (g2 - g1 * g1))

    def _mode(self, shape: float, scale: float) -> float:
        return float(scale * ((shape - 1.0) / shape) ** (1.0 / shape)) if shape > 1 else 0.0

    def _sample(self, size: Any, rng: np.random.Generator, shape: float, scale: float) -> Any:
        return scale * rng.weibull(shape, size=size)

    def _cdf(self, x: NDArray[np.float64], shape: float, scale: float) -> NDArray[np.float64]:
        return np.asarray(-np.expm1(-((np.maximum(x, 0.0) / scale) ** shape)))

    def _sf(self, x: NDArray[np.float64], shape: float, scale: float) -> NDArray[np.float64]:
        return np.asarray(np.exp(-((np.maximum(x, 0.0) / scale) ** shape)))

    def _ppf(self, q: NDArray[np.float64], shape: float, scale: float) -> NDArray[np.float64]:
        return np.asarray(scale * (-np.log1p(-q)) ** (1.0 / shape))

    def _scipy(self, shape: float, scale: float) -> Any:
        from scipy import stats

        return stats.weibull_min(shape, scale=scale)

    # -- family
    def _support_mask(self, x: NDArray[np.float64], **obs: Any) -> NDArray[np.bool_]:
        return x > 0

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        k, lam = params["shape"], params["scale"]
        hit = stats.cache.get("weibull_at")
        if hit is not None and hit[0] == (k, lam):
            return float(hit[1])
        lz = stats.logx() - np.log(lam)
        return float(stats.n * np.log(k / lam) + stats.total((k - 1.0) * lz - np.exp(k * lz)))

    def _grad_hess(
        self, params: Mapping[str, Value], stats: Any
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        k, lam, n = params["shape"], params["scale"], stats.n
        hit = stats.cache.get("weibull_at")
        if hit is not None and hit[0] == (k, lam):
            return hit[2], hit[3]
        lz = stats.logx() - np.log(lam)
        t = np.exp(k * lz)
        st, stl, stl2, sl = (stats.total(v) for v in (t, t * lz, t * lz * lz, lz))
        return _weibull_gh(k, lam, n, st, stl, stl2, sl)

    def _start(self, stats: Any) -> dict[str, float]:
        lx = stats.logx()
        m = stats.total(lx) / stats.n
        v = stats.total((lx - m) ** 2) / stats.n
        return self._start_from(m, v)

    def _start_from(self, m: float, v: float) -> dict[str, float]:
        # log x of a Weibull has sd pi / (k sqrt 6) and mean log(lambda) - euler / k
        k = float(np.pi / np.sqrt(6.0 * v)) if v > 0 else 1.0
        k = self._values.get("shape", k)
        return {"shape": k, "scale": self._values.get("scale", float(np.exp(m + 0.5772 / k)))}

    def _fit_fast(self, stats: Any) -> tuple[dict[str, Value], SolverResult] | None:
        if self._values:
            return None
        lx = stats.logx()
        w = stats.w
        ltop = float(np.max(lx if w is None else lx[w > 0]))
        y = lx - ltop  # <= 0: the powers exp(k y) cannot overflow
        y2 = y * y
        n = stats.n
        sy, syy = stats.total(y), stats.total(y2)
        ybar = sy / n
        var = max(syy / n - ybar * ybar, 0.0)
        if not var > 1e-14 * max(1.0, ybar * ybar):
            res = SolverResult.boundary(
                [np.inf], np.inf, "all observations are equal: the shape MLE is infinite"
            )
            return {"shape": np.inf, "scale": float(np.exp(ltop))}, res  # fmt: skip
        buf = np.empty_like(y)
        cache: dict[float, tuple[float, float, float]] = {}

        def sums(k: float) -> tuple[float, float, float]:
            if k not in cache:
                np.multiply(y, k, out=buf)
                np.exp(buf, out=buf)
                if w is not None:
                    np.multiply(buf, w, out=buf)
                cache[k] = (float(np.sum(buf)), float(np.dot(buf, y)), float(np.dot(buf, y2)))
            return cache[k]

        def eq(u: float) -> tuple[float, float]:
            k = float(np.exp(u))
            a, b, c = sums(k)
            f = 1.0 / k + ybar - b / a
            df = -1.0 / (k * k) - (c / a - (b / a) ** 2)
            return f, df * k

        k0 = self._start_from(ybar + ltop, var)["shape"]
        sol = newton_1d(eq, float(np.log(k0)), xtol=1e-13)
        u = float(sol.x[0])
        k = float(np.exp(u))
        a, b, c = sums(k)
        shift = np.log(a / n) / k  # log(lambda) - ltop
        scale = float(np.exp(ltop + shift))
        # at the profile scale sum w (x/lambda)^k = n exactly; t = exp(k y) n / a and
        # log(x/lambda) = y - shift, so every sum the Hessian needs comes from (a, b, c)
        sl = sy - n * shift
        stl = (n / a) * (b - shift * a)
        stl2 = (n / a) * (c - 2.0 * shift * b + shift * shift * a)
        ll = float(n * np.log(k / scale) + (k - 1.0) * sl - n)
        g, h = _weibull_gh(k, scale, n, n, stl, stl2, sl)
        stats.cache["weibull_at"] = ((k, scale), ll, g, h)
        params = {"shape": k, "scale": scale}
        return params, SolverResult.of([u], ll, sol.converged, sol.message, sol.iterations)


def _weibull_gh(
    k: float, lam: float, n: float, st: float, stl: float, stl2: float, sl: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Score and Hessian of the Weibull log-likelihood from its weighted sums.

    ``st = sum t``, ``stl = sum t l``, ``stl2 = sum t l^2``, ``sl = sum l`` with
    ``l = log(x / lambda)`` and ``t = exp(k l)``.
    """
    g = np.array([n / k + sl - stl, (k / lam) * (st - n)])
    h_kl = (st - n + k * stl) / lam
    h = np.array([[-n / (k * k) - stl2, h_kl], [h_kl, -(k / lam**2) * (st - n + k * st)]])
    return g, h
