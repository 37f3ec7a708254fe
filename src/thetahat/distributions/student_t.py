"""Student's t distribution with location and scale."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._domains import POSITIVE, REAL
from ._base import ContinuousDistribution, Param, Value

__all__ = ["StudentT"]


class StudentT(ContinuousDistribution):
    """Student's t distribution.

    Parameters
    ----------
    df : float > 0
        Degrees of freedom nu.
    loc : float
        Location (the mean when nu > 1).
    scale : float > 0
        Scale s (not the standard deviation: that is ``s sqrt(nu / (nu - 2))``).

    Notes
    -----
    ``log p = log Gamma((nu+1)/2) - log Gamma(nu/2) - log(nu pi)/2 - log s
    - (nu+1)/2 log(1 + z^2/nu)`` with ``z = (x - loc) / s``. It is the posterior
    predictive of a Normal with unknown mean and variance under a
    NormalInverseGamma prior.

    Fitting: no finite sufficient statistics; Newton on (log nu, loc, log s) with
    the analytic score and Hessian, each a pass over the data. With
    ``D = nu + z^2`` the score per observation is

        d/d loc   = (nu + 1) z / (s D)
        d/d s     = -1/s + (nu + 1) z^2 / (s D)
        d/d nu    = [psi((nu+1)/2) - psi(nu/2) - 1/nu - log(D/nu)
                     + (nu + 1) z^2 / (nu D)] / 2

    Starts: loc = median, s = 1.4826 MAD, nu from the excess kurtosis of the
    central 98% (nu = 4 + 6 / kurtosis, clipped to [1, 50]). Light-tailed data
    push nu to infinity (the Normal limit): the fit then reports a boundary.

    Per observation: ``df``, ``loc`` or ``scale`` may be fixed to an array with one value per
    observation (``th.StudentT(scale=s)``); a fit then sums the log density over the data,
    with numerical derivatives.
    """

    _params = (
        Param("df", POSITIVE, "degrees of freedom", obs_array=True),
        Param("loc", REAL, "location", obs_array=True),
        Param("scale", POSITIVE, "scale", obs_array=True),
    )
    support_text = "real numbers"

    def _logp(
        self, x: NDArray[np.float64], df: float, loc: float, scale: float
    ) -> NDArray[np.float64]:
        z = (x - loc) / scale
        return (
            sc.gammaln(0.5 * (df + 1.0))
            - sc.gammaln(0.5 * df)
            - 0.5 * np.log(df * np.pi)
            - np.log(scale)
            - 0.5 * (df + 1.0) * np.log1p(z * z / df)
        )

    def _mean(self, df: float, loc: float, scale: float) -> float:
        return loc if df > 1 else np.nan

    def _mode(self, df: float, loc: float, scale: float) -> float:
        return loc

    def _var(self, df: float, loc: float, scale: float) -> float:
        if df > 2:
            return scale * scale * df / (df - 2.0)
        return np.inf if df > 1 else np.nan

    def _sample(
        self, size: Any, rng: np.random.Generator, df: float, loc: float, scale: float
    ) -> Any:
        return loc + scale * rng.standard_t(df, size=size)

    def _cdf(self, x: NDArray[np.float64], df: float, loc: float, scale: float) -> Any:
        return sc.stdtr(df, (x - loc) / scale)

    def _sf(self, x: NDArray[np.float64], df: float, loc: float, scale: float) -> Any:
        return sc.stdtr(df, (loc - x) / scale)

    def _ppf(self, q: NDArray[np.float64], df: float, loc: float, scale: float) -> Any:
        return loc + scale * sc.stdtrit(df, q)

    def _scipy(self, df: float, loc: float, scale: float) -> Any:
        from scipy import stats

        return stats.t(df, loc, scale)

    # -- family (data-based: no finite sufficient statistics)
    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        df, loc, scale = params["df"], params["loc"], params["scale"]
        return stats.total(self._logp(stats.x, df, loc, scale))

    def _grad_hess(
        self, params: Mapping[str, Value], stats: Any
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        nu, s, n = params["df"], params["scale"], stats.n
        w = stats.w

        def sm(a: NDArray[np.float64]) -> float:
            return float(np.sum(a)) if w is None else float(np.dot(w, a))

        def dot(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
            return float(np.dot(a, b)) if w is None else float(np.dot(a * w, b))

        z = (stats.x - params["loc"]) / s
        z2 = z * z
        d = nu + z2
        r = 1.0 / d
        zr = z * r
        q = z2 * r
        s_r, s_zr, s_z2r = sm(r), sm(zr), sm(q)
        s_r2, s_zr2, s_z2r2 = dot(r, r), dot(zr, r), dot(q, r)
        s_z3r2, s_z4r2 = dot(zr, q), dot(q, q)
        s_logd = sm(np.log(d)) - n * np.log(nu)
        g_nu = 0.5 * (
            n * (sc.digamma(0.5 * (nu + 1.0)) - sc.digamma(0.5 * nu) - 1.0 / nu)
            - s_logd
            + (nu + 1.0) / nu * s_z2r
        )
        g_loc = (nu + 1.0) / s * s_zr
        g_s = -n / s + (nu + 1.0) / s * s_z2r
        h_ll = -(nu + 1.0) / (s * s) * (nu * s_r2 - s_z2r2)
        h_ls = -2.0 * nu * (nu + 1.0) / (s * s) * s_zr2
        h_lnu = (s_z3r2 - s_zr2) / s
        h_ss = n / (s * s) - (nu + 1.0) / (s * s) * (s_z2r + 2.0 * nu * s_z2r2)
        h_snu = (s_z4r2 - s_z2r2) / s
        # d/dnu of (nu+1) z^2 / (nu D) summed: -sum z^2/D / nu^2 - (nu+1) sum z^2/D^2 / nu
        h_nn = 0.5 * (
            0.5 * n * (sc.zeta(2.0, 0.5 * (nu + 1.0)) - sc.zeta(2.0, 0.5 * nu))
            + n / (nu * nu)
            - s_r
            + n / nu
            - s_z2r / (nu * nu)
            - (nu + 1.0) * s_z2r2 / nu
        )
        g = np.array([g_nu, g_loc, g_s])
        h = np.array([[h_nn, h_lnu, h_snu], [h_lnu, h_ll, h_ls], [h_snu, h_ls, h_ss]])
        return g, h

    def _start(self, stats: Any) -> dict[str, float]:
        x, w = stats.x, stats.w
        if x.shape[0] > 20000:
            # a start needs no precision: a systematic subsample of the data
            step = x.shape[0] // 10000
            x, w = x[::step], None if w is None else w[::step]
        if w is not None:
            keep = w > 0
            x, w = x[keep], w[keep]
        loc = _wmedian(x, w)
        mad = _wmedian(np.abs(x - loc), w)
        lo, hi = np.quantile(x, [0.01, 0.99]) if x.shape[0] > 100 else (-np.inf, np.inf)
        xc = x[(x >= lo) & (x <= hi)]
        m = float(np.mean(xc))
        v = float(np.var(xc))
        kurt = float(np.mean((xc - m) ** 4) / (v * v) - 3.0) if v > 0 else 0.0
        df = float(np.clip(4.0 + 6.0 / kurt, 1.0, 50.0)) if kurt > 0 else 30.0
        scale = 1.4826 * mad if mad > 0 else max(float(np.std(x)), 1e-8)
        return {
            "df": self._values.get("df", df),
            "loc": self._values.get("loc", loc),
            "scale": self._values.get("scale", scale),
        }


def _wmedian(v: NDArray[np.float64], w: NDArray[np.float64] | None) -> float:
    """Weighted median of ``v``."""
    if w is None:
        return float(np.median(v))
    order = np.argsort(v, kind="stable")
    cw = np.cumsum(w[order])
    return float(v[order][min(int(np.searchsorted(cw, 0.5 * cw[-1])), len(v) - 1)])
