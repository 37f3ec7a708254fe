"""Student's t distribution with location and scale."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .. import _fastpath
from .._domains import POSITIVE, REAL
from .._student_t import (
    ALL_EQUAL,
    C_SERIES,
    HEAVY_UP_TO,
    LOG_2PI,
    NU_DRIFT,
    NU_MAX,
    SERIES_FROM,
    c_derivs,
    fgh_terms,
    limit_message,
    spread_start,
)
from ..optim import (
    SolverResult,
    Status,
    invert_information,
    invert_information_3x3,
    newton_maximize,
)
from ._base import ContinuousDistribution, Param, Value

try:  # the small-sample fit in one compiled call (_kernels_newton.c)
    from .._kernels import t_newton as _t_newton
    from .._kernels import t_start as _t_start
except ImportError:  # pragma: no cover - no C compiler: the same solve in Python floats
    _t_newton = _t_start = None  # type: ignore[assignment]

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
    the analytic score and Hessian. Each step is one fused pass over the data
    (``thetahat._fastpath.t_sums``: ten sums, among them ``sum log1p(z^2 / nu)``,
    which also gives the log-likelihood). With ``D = nu + z^2`` the score per
    observation is

        d/d loc   = (nu + 1) z / (s D)
        d/d s     = -1/s + (nu + 1) z^2 / (s D)
        d/d nu    = [c'(nu/2) - log1p(z^2/nu) + (nu + 1) z^2 / (nu D)] / 2

    with ``c(x) = log Gamma(x + 1/2) - log Gamma(x) - log(x) / 2`` (its asymptotic
    series for large x, so nothing cancels when nu is large). Starts: loc =
    median; nu and s from the quantiles, the t whose ratio of the spread between
    the (n // 100)-th smallest and largest values to twice the MAD is the sample's
    (nu clipped to [1, 50]) and whose MAD is the sample's (see
    ``_student_t.spread_start``); above 20,000 observations, the
    fit of every 8th observation (recursively) instead, so the full data see 2-4
    passes. Up to 20,000 observations the whole Newton solve (the same steps, line
    search and stopping rule as ``optim.newton_maximize``) and the robust start are one
    compiled call each (``thetahat._kernels.t_newton``, ``t_start``) where the kernels
    are built; otherwise Python floats with one fused pass per step (``_fastpath.t_sums``).

    The Normal is the limit nu -> infinity. In ``eta = 1/nu`` the log-likelihood
    at the Normal fit has slope ``sum (z^4 - 2 z^2 - 1) / 4`` (n (kurtosis - 3) / 4
    without weights or fixed values): when it is <= 0 and the t fit does not
    beat the Normal, or Newton heads to nu -> infinity, the MLE is the Normal fit
    (``df = inf``), reported as a boundary with its log-likelihood. All
    observations equal: scale 0, a boundary (the likelihood is unbounded).
    With df free the likelihood is in fact unbounded for any data (df -> 0
    and scale -> 0 at one observation: a spike whose density outgrows the
    others' decay); as scipy and R's ``MASS::fitdistr``, the fit is the local
    maximum Newton reaches from the robust start, never the spike.

    Per observation: ``df``, ``loc`` or ``scale`` may be fixed to an array with one value per
    observation (``th.StudentT(scale=s)``); a fit then sums the log density over the data,
    with numerical derivatives.

    Examples
    --------
    >>> import thetahat as th
    >>> d = th.StudentT(5, 0, 1)
    >>> round(d.var(), 4)
    1.6667
    >>> est = th.fit(th.StudentT(df=4), [-1.2, 0.3, 0.1, 0.8, 5.0, -0.4])
    >>> {k: round(v, 3) for k, v in est.params.items()}
    {'loc': 0.17, 'scale': 1.161}
    """

    _params = (
        Param("df", POSITIVE, "degrees of freedom", obs_array=True),
        Param("loc", REAL, "location", obs_array=True),
        Param("scale", POSITIVE, "scale", obs_array=True),
    )
    support_text = "real numbers"

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
        # scipy's stdtrit(df, 0) is +inf, not -inf
        q = np.asarray(q, dtype=float)
        t = np.where(q == 0.0, -np.inf, sc.stdtrit(df, q))
        return loc + scale * t

    def _scipy(self, df: float, loc: float, scale: float) -> Any:
        from scipy import stats

        return stats.t(df, loc, scale)

    # -- family (data-based: no finite sufficient statistics)
    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        df, loc, scale = params["df"], params["loc"], params["scale"]
        if np.ndim(df) or np.ndim(loc) or np.ndim(scale) or np.ndim(stats.x) != 1:
            return stats.total(self._logp(stats.x, df, loc, scale))
        return _TPass(stats.x, stats.w, stats.n).loglik(float(df), float(loc), float(scale))

    def _logp(
        self, x: NDArray[np.float64], df: float, loc: float, scale: float
    ) -> NDArray[np.float64]:
        z = (x - loc) / scale
        dfa = np.asarray(df, dtype=float)
        normal = np.isinf(dfa)
        dff = np.where(normal, 1.0, dfa)
        with np.errstate(over="ignore"):
            lt = _log_norm(dff) - 0.5 * (dff + 1.0) * np.log1p(z * z / dff)
        if np.any(normal):
            lt = np.where(normal, -0.5 * np.log(2.0 * np.pi) - 0.5 * z * z, lt)
        return np.asarray(lt - np.log(scale))

    def _grad_hess(
        self, params: Mapping[str, Value], stats: Any
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        nu, loc, s = (float(params[k]) for k in ("df", "loc", "scale"))
        hit = stats.cache.get("t_at")
        if hit is not None and hit[0] == (nu, loc, s):
            return np.array(hit[2]), np.array(hit[3])  # the compiled solve's last point
        _, g, h = _TPass(stats.x, stats.w, stats.n).fgh(nu, loc, s)
        return g, h

    def _start(self, stats: Any) -> dict[str, float]:
        return self._robust_start(stats.x, stats.w)

    def _robust_start(
        self,
        x: NDArray[np.float64],
        w: NDArray[np.float64] | None,
        robust: tuple[float, ...] | None = None,
    ) -> dict[str, float]:
        if x.shape[0] > 20000:
            # a start needs no precision: a systematic subsample of the data
            step = x.shape[0] // 10000
            x, w = x[::step], None if w is None else w[::step]
        if w is not None:
            keep = w > 0
            x, w = x[keep], w[keep]
        if robust is None and w is None:
            robust = _robust_stats(x)
        if robust is not None:  # the same statistics in one compiled call
            loc, mad, lo, hi = robust[:4]
        else:
            loc = _wmedian(x, w)
            mad = _wmedian(np.abs(x - loc), w)
            lo, hi = _tail_values(x)
        # df and scale from the quantiles (see _student_t.spread_start)
        found = spread_start(lo, hi, mad, x.shape[0])
        if found is not None:
            df, scale = found
        else:  # a MAD of 0 (or under 4 values); (huge values: the squares overflow)
            with np.errstate(all="ignore"):
                df, scale = 30.0, float(np.std(x))
        if not scale > 0:
            with np.errstate(all="ignore"):
                scale = max(float(np.max(np.abs(x - loc))), 1e-300)
        return {
            "df": self._values.get("df", df),
            "loc": self._values.get("loc", loc),
            "scale": self._values.get("scale", scale),
        }

    def _fit_fast(self, stats: Any) -> tuple[dict[str, Value], SolverResult] | None:
        """MLE by Newton on (log nu, loc, log s), one fused pass per step.

        None (the generic solver takes over) when Newton does not converge.
        """
        x, w = stats.x, stats.w
        if x.ndim != 1 or any(np.ndim(v) for v in self._values.values()):
            return None
        if not self.estimable:
            return None
        robust = _robust_stats(x) if w is None and x.shape[0] <= _SUBSAMPLE_ABOVE else None
        if robust is not None:  # (median, MAD, tail values, min, max)
            if robust[4] == robust[5]:
                return self._all_equal(robust[4])
        else:
            spread = x if w is None else x[w > 0]
            if spread.shape[0] and float(np.min(spread)) == float(np.max(spread)):
                return self._all_equal(float(spread[0]))
        return _TFit(self, x, w, float(stats.n), stats.cache, robust).run()

    def _all_equal(self, c: float) -> tuple[dict[str, Value], SolverResult]:
        est = {"df": np.inf, "loc": c, "scale": 0.0}
        params = {k: self._values.get(k, v) for k, v in est.items()}
        loc_ok = params["loc"] == c
        ll = np.inf if loc_ok and params["scale"] == 0.0 else -np.inf
        msg = ALL_EQUAL
        res = SolverResult.boundary(np.zeros(len(self.estimable)), ll, msg)
        return {k: params[k] for k in self.estimable}, res


# ---------------------------------------------------------------- Student t fit
_SUBSAMPLE_ABOVE = 20_000
_STRIDE = 8


def _log_norm(nu: Any) -> Any:
    """log Gamma((nu+1)/2) - log Gamma(nu/2) - log(nu pi)/2 = c(nu/2) - log(2 pi)/2,
    elementwise (the series of c for nu >= 20, scipy's gammaln below)."""
    nu = np.asarray(nu, dtype=float)
    if nu.ndim == 0:
        return c_derivs(float(nu))[0] - 0.5 * LOG_2PI
    x = 0.5 * nu
    big = x >= SERIES_FROM
    xs = np.where(big, x, SERIES_FROM)
    r2 = 1.0 / (xs * xs)
    series = np.zeros_like(xs)
    for a in reversed(C_SERIES):
        series = series * r2 + a
    series = series / xs
    xd = np.where(big, 1.0, x)
    direct = sc.gammaln(xd + 0.5) - sc.gammaln(xd) - 0.5 * np.log(xd)
    return np.where(big, series, direct) - 0.5 * LOG_2PI


class _TPass:
    """Log-likelihood, score and Hessian over (df, loc, scale) from one fused pass."""

    def __init__(self, x: NDArray[np.float64], w: NDArray[np.float64] | None, n: float) -> None:
        self.x, self.w, self.n = x, w, n

    def loglik(self, nu: float, loc: float, s: float) -> float:
        if s == 0.0:  # a point mass at loc: unbounded density there
            at = self.x == loc if self.w is None else (self.x == loc) | (self.w == 0)
            return np.inf if bool(np.all(at)) else -np.inf
        if np.isinf(nu):
            return _normal_loglik(self.x, self.w, self.n, loc, s)
        return self.fgh(nu, loc, s)[0]

    def fgh(
        self, nu: float, loc: float, s: float
    ) -> tuple[float, NDArray[np.float64], NDArray[np.float64]]:
        """Log-likelihood, score and Hessian over (df, loc, scale)."""
        ll, g, h = self.fgh_floats(nu, loc, s)
        return ll, np.array(g), np.array(h)

    def fgh_floats(
        self, nu: float, loc: float, s: float
    ) -> tuple[float, list[float], list[list[float]]]:
        """``fgh`` in Python floats (a Newton step on a small sample is mostly this
        arithmetic; numpy's per-call overhead would be most of it)."""
        sums = _fastpath.t_sums(self.x, self.w, nu, loc, s).tolist()
        sums[0] = self.n
        ll, g_nu, g_loc, g_s, h_nn, h_ln, h_sn, h_ll, h_ls, h_ss = fgh_terms(
            sums, nu, s, math.log(s), c_derivs(nu)
        )
        g = [g_nu, g_loc, g_s]
        h = [[h_nn, h_ln, h_sn], [h_ln, h_ll, h_ls], [h_sn, h_ls, h_ss]]
        return ll, g, h


def _normal_loglik(
    x: NDArray[np.float64], w: NDArray[np.float64] | None, n: float, loc: float, s: float
) -> float:
    d = (x - loc) / s
    q = float(d @ d) if w is None else float(w @ (d * d))
    return float(-n * (0.5 * LOG_2PI + np.log(s)) - 0.5 * q)


#: newton_maximize's defaults (the compiled solve uses the same)
_NEWTON_TOL = 1e-15
_NEWTON_MAXITER = 100
#: newton_maximize's messages by the compiled solve's codes
_NEWTON_FAILED = {
    3: "gradient or Hessian not finite",
    4: "Hessian is not usable",
    5: "line search could not improve the objective",
    6: f"no convergence in {_NEWTON_MAXITER} Newton iterations",
}


def _robust_stats(x: NDArray[np.float64]) -> tuple[float, ...] | None:
    """``_kernels.t_start(x)`` (median, MAD, the ``(n // 100)``-th smallest and largest,
    min, max of unweighted data) where compiled and x is not empty; None otherwise or
    for a value not finite."""
    if _t_start is None or not _compiled() or x.ndim != 1 or not x.shape[0]:
        return None
    return _t_start(np.ascontiguousarray(x))


def _compiled() -> bool:
    """Whether the small-sample solve runs compiled (``_kernels.t_newton``, ``t_start``;
    off with the other fit kernels where ``_fastpath.HAVE_FIT_KERNELS`` is false)."""
    return _t_newton is not None and _fastpath.HAVE_FIT_KERNELS


def _log(v: float) -> float:
    """``log v`` of a positive float (-inf at 0, as numpy's)."""
    return math.log(v) if v > 0.0 else -math.inf


class _Drift(Exception):
    """Newton is heading to df -> infinity (the Normal limit)."""


class _TFit:
    """The MLE of a Student t's free parameters (see ``StudentT`` Notes)."""

    NAMES = ("df", "loc", "scale")

    def __init__(
        self,
        fam: StudentT,
        x: NDArray[np.float64],
        w: NDArray[np.float64] | None,
        n: float,
        cache: dict[str, Any] | None = None,
        robust: tuple[float, ...] | None = None,
    ) -> None:
        self.fam, self.x, self.w, self.n = fam, x, w, n
        self.free = [i for i, k in enumerate(self.NAMES) if k in fam.estimable]
        self.fixed = {k: float(v) for k, v in fam.params.items()}
        self.passes = _TPass(x, w, n)
        self.nu_cap = NU_DRIFT
        # where the data's caches go (the score and Hessian at the compiled solve's end)
        self.cache = cache
        self.ends: dict[tuple[float, float, float], tuple[Any, ...]] = {}
        self.robust = robust  # the robust statistics of x when already computed

    def params(self, z: NDArray[np.float64]) -> tuple[float, float, float]:
        full = [self.fixed.get("df", 0.0), self.fixed.get("loc", 0.0), self.fixed.get("scale", 0.0)]
        for j, zj in enumerate(z.tolist()):
            i = self.free[j]
            full[i] = zj if i == 1 else (math.exp(zj) if zj < 709.0 else math.inf)
        return full[0], full[1], full[2]

    def coords(self, p: Mapping[str, float]) -> NDArray[np.float64]:
        return np.array(self.coord_list(p))

    def coord_list(self, p: Mapping[str, float]) -> list[float]:
        return [_log(p[self.NAMES[i]]) if i != 1 else float(p["loc"]) for i in self.free]

    def objective(self) -> tuple[Any, Any]:
        """fgh and f over the free coordinates, sharing one pass per point."""
        cache: dict[bytes, tuple[float, NDArray[np.float64], NDArray[np.float64]]] = {}

        def fgh(z: NDArray[np.float64]) -> tuple[float, NDArray[np.float64], NDArray[np.float64]]:
            key = z.tobytes()
            hit = cache.get(key)
            if hit is not None:
                return hit
            nu, loc, s = self.params(z)
            if not (1e-100 < nu < 1e300 and 1e-300 < s < 1e300):
                out = (-np.inf, np.zeros(len(z)), np.eye(len(z)))
                cache[key] = out
                return out
            try:
                f, g, h = self.passes.fgh_floats(nu, loc, s)
            except (OverflowError, ZeroDivisionError, ValueError):
                f, g, h = math.nan, [math.nan] * 3, [[math.nan] * 3] * 3
            # to (log nu, loc, log s): chain rule with d theta / dz = theta for the logs
            d = (nu, 1.0, s)
            idx = self.free
            gz = [d[i] * g[i] for i in idx]
            hz = [[d[i] * h[i][j] * d[j] for j in idx] for i in idx]
            for jj, i in enumerate(idx):
                if i != 1:
                    hz[jj][jj] += d[i] * g[i]
            out = (f if math.isfinite(f) else -np.inf, np.array(gz), np.array(hz))
            if nu > self.nu_cap and g[0] > 0 and 0 in idx:
                raise _Drift
            cache.clear()
            cache[key] = out
            return out

        return fgh, (lambda z: fgh(z)[0])

    def newton(self, start: Mapping[str, float], xtol: float) -> SolverResult:
        x, w = self.x, self.w
        if (
            _compiled()
            and x.shape[0] <= _SUBSAMPLE_ABOVE
            and x.flags.c_contiguous
            and (w is None or w.flags.c_contiguous)
        ):
            return self.compiled_newton(start, xtol)
        fgh, f = self.objective()
        return newton_maximize(fgh, self.coords(start), f_only=f, xtol=xtol)

    def compiled_newton(self, start: Mapping[str, float], xtol: float) -> SolverResult:
        """``newton`` in one compiled call (``_kernels.t_newton``): the same objective,
        steps, line search and stopping rule as ``newton_maximize`` over ``objective``,
        written out in C (a small sample's Newton solve is otherwise Python arithmetic)."""
        assert _t_newton is not None
        fixed = self.fixed
        code, z, f, it, h, at = _t_newton(
            self.x,
            self.w,
            self.n,
            LOG_2PI,
            self.coord_list(start),
            self.free,
            (fixed.get("df", 0.0), fixed.get("loc", 0.0), fixed.get("scale", 0.0)),
            xtol,
            _NEWTON_TOL,
            self.nu_cap,
            _NEWTON_MAXITER,
        )
        if code == 1:
            raise _Drift
        assert z is not None and h is not None and at is not None
        x = np.array(z)
        if code == 0:
            k = len(z)
            hz = np.array(h).reshape(k, k)
            self.ends[at[0], at[1], at[2]] = at[3:]
            return SolverResult(x, f, True, Status.SUCCESS, "Newton converged", it, hessian=hz)
        if code == 2:
            return SolverResult.failed(x, -f, "objective not finite at the start")
        return SolverResult.failed(x, f, _NEWTON_FAILED[code], it)

    def start(self) -> dict[str, float]:
        x, w = self.x, self.w
        if x.shape[0] > _SUBSAMPLE_ABOVE:
            sub_x = np.ascontiguousarray(x[::_STRIDE])
            sub_w = None if w is None else np.ascontiguousarray(w[::_STRIDE])
            sub_n = float(sub_x.shape[0]) if sub_w is None else float(np.sum(sub_w))
            sub = _TFit(self.fam, sub_x, sub_w, sub_n)
            found = sub.run(xtol=1e-4)
            if found is not None:
                p, res = found
                if res.status == "success":
                    return {**self.fam._robust_start(x, w), **{k: float(v) for k, v in p.items()}}
        return self.fam._robust_start(x, w, self.robust)

    def run(self, xtol: float = 1e-10) -> tuple[dict[str, Value], SolverResult] | None:
        start = self.start()
        drift = False
        try:
            res: SolverResult | None = self.newton(start, xtol)
        except _Drift:
            res, drift = None, True
        if res is not None and not res.converged:
            return None  # the generic solver takes over
        if res is not None and (0 not in self.free or self.params(res.x)[0] < 100.0):
            return self.result(res)
        # df free and large, or heading to infinity: compare with the Normal limit
        bound = self.normal_limit()
        if bound is None:
            return None if res is None else self.result(res)
        params, ll, slope = bound
        if drift and slope > 0:
            # the likelihood rises into finite df at the Normal fit: look further out
            self.nu_cap = NU_MAX
            try:
                res = self.newton(start, xtol)
            except _Drift:
                res = None
            if res is not None and not res.converged:
                return None
        if res is not None and res.fun > ll:
            return self.result(res)
        # before settling on the limit: a heavy-tailed local maximum the light-tailed
        # start walked away from (small samples, where the quantiles say little)
        heavy = self.heavy_tailed(start, xtol, ll)
        if heavy is not None:
            return heavy
        msg = limit_message(slope)
        return params, SolverResult.boundary(np.zeros(len(self.free)), ll, msg)

    def heavy_tailed(
        self, start: Mapping[str, float], xtol: float, ll_limit: float
    ) -> tuple[dict[str, Value], SolverResult] | None:
        """Newton from df = 1.5 (loc and scale from ``start``): its fit when it converges
        to a finite df with a higher log-likelihood than the Normal limit's."""
        if self.x.shape[0] > HEAVY_UP_TO:
            return None  # large samples: the quantile start and subsample fit decide
        try:
            res = self.newton({**start, "df": 1.5}, xtol)
        except _Drift:
            return None
        if res.converged and res.fun > ll_limit and self.params(res.x)[0] < self.nu_cap:
            return self.result(res)
        return None

    def result(self, res: SolverResult) -> tuple[dict[str, Value], SolverResult]:
        nu, loc, s = self.params(res.x)
        end = self.ends.get((nu, loc, s))
        if end is not None and self.cache is not None:
            ll, g0, g1, g2, hnn, hln, hsn, hll, hls, hss = end
            g = [g0, g1, g2]
            h = [[hnn, hln, hsn], [hln, hll, hls], [hsn, hls, hss]]
            self.cache["t_at"] = ((nu, loc, s), ll, g, h)
        est = dict(zip(self.NAMES, (nu, loc, s), strict=True))
        return {k: est[k] for k in self.fam.estimable}, res

    def normal_limit(self) -> tuple[dict[str, Value], float, float] | None:
        """The Normal fit of the free (loc, scale), its log-likelihood, and the slope of
        the log-likelihood in 1/df there (> 0: finite df does better nearby)."""
        x, w, n = self.x, self.w, self.n
        loc = self.fixed.get("loc")
        if loc is None:
            loc = float(np.mean(x)) if w is None else float(w @ x) / n
        d = x - loc
        s = self.fixed.get("scale")
        if s is None:
            s = float(np.sqrt((d @ d if w is None else w @ (d * d)) / n))
        if not (s > 0 and np.isfinite(s)):
            return None
        z2 = (d / s) ** 2
        terms = z2 * z2 - 2.0 * z2 - 1.0
        slope = 0.25 * float(np.sum(terms) if w is None else w @ terms)
        ll = _normal_loglik(x, w, n, loc, s)
        est = {"df": np.inf, "loc": loc, "scale": s}
        return {k: est[k] for k in self.fam.estimable}, ll, slope


def direct_mle(
    fam: StudentT, stats: Any
) -> tuple[dict[str, float], float, NDArray[np.float64], str, int] | tuple[Any, Any] | None:
    """The MLE of a Student t with every parameter free, for ``th.fit``'s short path
    (:mod:`thetahat.inference._direct_newton`; issue 12: a small fit's fixed cost).

    ``_fit_fast``'s solve (robust start, compiled Newton, the Normal limit) and the
    covariance from the Hessian the compiled solve left at its end point: the
    parameters, log-likelihood, covariance, message and iterations of an interior
    success; ``(params, result)`` for a solve that ends elsewhere (``fit._estimate``
    reports it); None where the general route's steps must run.

    The compiled route does its arithmetic in C and Python floats; whatever uses NumPy
    here runs under ``np.errstate(all="ignore")`` of its own (the caller sets none:
    ``_direct_newton._GUARDED``).
    """
    x = stats.x
    robust = _robust_stats(x) if x.shape[0] <= _SUBSAMPLE_ABOVE else None
    if robust is None or robust[4] == robust[5]:
        return None  # (all equal: on the boundary; the general route's steps)
    if _compiled():
        # _TFit.run's first step spelled out: the compiled Newton from the robust start;
        # a converged solve to df < 100 is its answer (anything else: run() from the top)
        t_newton = _t_newton
        assert t_newton is not None
        start = fam._robust_start(x, None, robust)
        z0 = [_log(start["df"]), float(start["loc"]), _log(start["scale"])]
        code, z, ll, it, _, at = t_newton(x, None, stats.n, LOG_2PI, z0, [0, 1, 2],
                                          (0.0, 0.0, 0.0), 1e-10, _NEWTON_TOL, NU_DRIFT,
                                          _NEWTON_MAXITER)  # fmt: skip
        if code == 0:
            assert z is not None and at is not None
            lnu, loc, ls = z
            nu = math.exp(lnu) if lnu < 709.0 else math.inf
            s = math.exp(ls) if ls < 709.0 else math.inf
            if nu < 100.0 and math.isfinite(loc) and 0.0 < s < math.inf and 0.0 < nu:
                if ll != ll or ll == -math.inf:
                    return None
                theta = {"df": nu, "loc": loc, "scale": s}
                if at[0] == nu and at[1] == loc and at[2] == s:
                    hnn, hln, hsn, hll, hls, hss = at[7:]  # (the information is -H)
                    cov = invert_information_3x3(
                        -hnn, -hln, -hsn, -hln, -hll, -hls, -hsn, -hls, -hss
                    )
                else:
                    with np.errstate(all="ignore"):
                        cov = invert_information(fam.observed_information(theta, stats))
                return theta, ll, cov, "Newton converged", it
    with np.errstate(all="ignore"):
        return _direct_general(fam, stats, robust)


def _direct_general(fam: StudentT, stats: Any, robust: tuple[float, ...]) -> Any:
    """:func:`direct_mle` where the compiled route did not finish: ``_TFit.run`` from
    the top, and the covariance from the information at its end."""
    x = stats.x
    found = _TFit(fam, x, None, stats.n, stats.cache, robust).run()
    if found is None:
        return None
    params, res = found
    if res.status is not Status.SUCCESS or res.edge:
        return params, res
    nu, loc, s = params["df"], params["loc"], params["scale"]
    if not (0.0 < nu < math.inf and math.isfinite(loc) and 0.0 < s < math.inf):
        return params, res
    ll = res.fun
    if ll != ll or ll == -math.inf:
        return params, res
    hit = stats.cache.get("t_at")
    if hit is not None and hit[0] == (nu, loc, s):
        info = -np.array(hit[3])
    else:
        info = fam.observed_information(params, stats)
    cov = invert_information(info)
    return {"df": nu, "loc": loc, "scale": s}, ll, cov, res.message, res.iterations


def _tail_values(x: NDArray[np.float64]) -> tuple[float, float]:
    """The ``(n // 100)``-th smallest and largest values of x (0-based ranks ``n // 100``
    and ``n - 1 - n // 100``; the extremes below 100 values), as ``t_start`` gives them."""
    n = x.shape[0]
    j = n // 100
    if j == 0:
        return float(np.min(x)), float(np.max(x))
    lo, hi = np.partition(x, [j, n - 1 - j])[[j, n - 1 - j]]
    return float(lo), float(hi)


def _wmedian(v: NDArray[np.float64], w: NDArray[np.float64] | None) -> float:
    """Weighted median of ``v``."""
    if w is None:
        if v.shape[0] <= 1000:  # one sort: np.median's dispatch costs more at this size
            srt = np.sort(v)
            mid = v.shape[0] // 2
            return float(srt[mid]) if v.shape[0] % 2 else 0.5 * float(srt[mid - 1] + srt[mid])
        return float(np.median(v))
    order = np.argsort(v, kind="stable")
    cw = np.cumsum(w[order])
    return float(v[order][min(int(np.searchsorted(cw, 0.5 * cw[-1])), len(v) - 1)])
