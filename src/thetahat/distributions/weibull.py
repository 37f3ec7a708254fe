"""Weibull distribution (shape and scale), fitted by profile Newton on the shape."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .. import _fastpath
from .._domains import POSITIVE
from ..optim import (
    BatchResult,
    SolverResult,
    Status,
    inverse_2x2,
    invert_information,
    invert_information_batch,
    newton_1d,
)
from ..statistics.sufficient import chunk_moments
from ._base import ContinuousDistribution, Param, Value
from .observations import positive_support

try:  # one pass of a small fit without _fastpath's threading wrapper
    from .._kernels import weibull_moments as _moments_kernel
    from .._kernels import weibull_profile as _profile_kernel
except ImportError:  # pragma: no cover - no C compiler: _fastpath's numpy passes
    _moments_kernel = _profile_kernel = None  # type: ignore[assignment]

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

    decreasing in k, so the root is unique. The data are scaled by their
    largest value c (``y = log(x / c) <= 0``), so the powers ``exp(k y)`` cannot
    overflow, and the scale comes back as ``lambda = c exp(log(A / n) / k)``.

    With ``log x`` computed once, one fused pass at a shape k0
    (``thetahat._fastpath.weibull_moments``: ``exp`` and the powers) gives
    the moments ``M_j = sum w e^(k0 y) y^j``, j <= 8; the sums at any nearby
    shape k0 + d follow from ``e^(d y) = sum_j (d y)^j / j!``, so Newton on the
    profile score runs on them without touching the data, and a new pass is
    taken only where the series would be inaccurate (``|d| Y > 1``, Y the
    8th-moment scale of y). A fit from the log-moment start
    (``k0 = pi / (sd(log x) sqrt 6)``) typically takes two passes; the final
    shape moves less than ``1e-3 / Y`` from the last pass, so the estimate's
    log-likelihood and Hessian come from the series to rounding. Up to 4,096
    values a pass costs less than solving the series' root in Python, so each
    Newton step takes a pass at its own shape instead (typically four or five, the
    last step below ``1e-9 / Y``). Standard
    errors use the observed information, inverted in the scaled units
    (shape, lambda / c) and scaled back. Not shifted: no location
    parameter (scipy's ``weibull_min.fit`` frees ``loc`` by default and then
    often misses the optimum).

    Per observation: ``shape`` or ``scale`` may be fixed to an array with one value per
    observation (``th.Weibull(scale=s)``); a fit then sums the log density over the data,
    with numerical derivatives.

    Examples
    --------
    >>> import thetahat as th
    >>> est = th.fit(th.Weibull, [1.1, 2.3, 0.7, 1.8, 3.0, 1.4])
    >>> {k: round(v, 3) for k, v in est.params.items()}
    {'shape': 2.439, 'scale': 1.944}
    >>> est.status
    <Status.SUCCESS: 'success'>
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
        # E^(1/k) for E ~ Exp(1) is Weibull(k): numpy's ziggurat exponentials and one
        # vectorised power take 68 us per 10^4 values, Generator.weibull's scalar pow
        # loop 163 us (measured; the parametric bootstrap and GoF draw 10^7 of them)
        e = rng.standard_exponential(size)
        return scale * (e if shape == 1.0 else e ** (1.0 / shape))

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
    _support_mask = positive_support

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        k, lam = params["shape"], params["scale"]
        hit = stats.cache.get("weibull_at")
        if hit is not None and hit[0] == (k, lam):
            return float(hit[1])
        if not (0.0 < k < np.inf and 0.0 < lam < np.inf):
            # the limits: a point mass at lambda as k -> infinity
            at = np.all((stats.x == lam) if stats.w is None else (stats.x == lam) | (stats.w == 0))
            return np.inf if np.isinf(k) and bool(at) else -np.inf
        sl, st = _sums_at(stats, k, lam)[:2]
        return float(stats.n * np.log(k / lam) + (k - 1.0) * sl - st)

    def _grad_hess(
        self, params: Mapping[str, Value], stats: Any
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        k, lam = params["shape"], params["scale"]
        hit = stats.cache.get("weibull_at")
        if hit is not None and hit[0] == (k, lam):
            return hit[2], hit[3]
        if not (0.0 < k < np.inf and 0.0 < lam < np.inf):
            return np.full(2, np.nan), np.full((2, 2), np.nan)
        m = _sums_at(stats, k, lam)
        g, h = _weibull_gh(k, 1.0, stats.n, m[1], m[2], m[3], m[0])
        # back from the scaled units (shape, lambda' = lambda / lambda)
        d = np.array([1.0, 1.0 / lam])
        with np.errstate(over="ignore"):
            return g * d, h * np.outer(d, d)

    def _covariance(self, params: Mapping[str, Value], stats: Any) -> NDArray[np.float64]:
        """Inverse observed information, inverted in the scaled units (shape, scale / lambda)
        and scaled back (a variance beyond the float range is inf, below it 0)."""
        k, lam = float(params["shape"]), float(params["scale"])
        hit = stats.cache.get("weibull_scaled")
        if hit is not None and hit[0] == (k, lam) and not self._values:
            # the fast fit's end point, both parameters free: in floats (the same
            # products as _unscaled; a float product overflows to inf as numpy's does)
            return _covariance_scaled(hit[1], lam)
        if hit is not None and hit[0] == (k, lam):
            h = np.array(hit[1])
        else:
            m = _sums_at(stats, k, lam)
            h = _weibull_gh(k, 1.0, stats.n, m[1], m[2], m[3], m[0])[1]
        free = [i for i, name in enumerate(("shape", "scale")) if name not in self._values]
        cov = invert_information(-h if len(free) == 2 else -h[np.ix_(free, free)])
        return np.asarray(_unscaled(cov, np.array([1.0, lam])[free]))

    # -- many groups: the engine passes found every group's MLE (statistics.engines.passes)
    @property
    def fits_many(self) -> bool:
        """Every group's MLE from the engine's vectorised Newton passes (both parameters free)."""
        return not self._values

    def fit_many(self, stats: Any) -> tuple[dict[str, NDArray[np.float64]], BatchResult] | None:
        """The groups' MLE as the engine passes found it (a
        :class:`~thetahat.statistics.engines.passes.PassSolution`); None for anything else
        (the data are needed).

        Examples
        --------
        >>> import numpy as np
        >>> import thetahat as th
        >>> from thetahat.inference.frames import as_source
        >>> x = th.Weibull(2.0, 3.0).sample(400, rng=3)
        >>> gs = as_source(x, by=np.arange(400) % 2).grouped(th.Weibull())
        >>> params, res = th.Weibull().fit_many(gs.batch())
        >>> params["shape"].shape, [str(s) for s in res.status]
        ((2,), ['success', 'success'])
        """
        from ..statistics.engines.passes import PassSolution

        if not isinstance(stats, PassSolution) or self._values:
            return None
        msg = np.where(stats.ok, "profile Newton converged (engine passes)",
                       "profile Newton did not converge (engine passes)")  # fmt: skip
        res = BatchResult.of(np.log(stats.shape)[:, None], stats.loglik, stats.ok, msg,
                             stats.passes)  # fmt: skip
        status = np.where(stats.equal, Status.BOUNDARY.value, res.status)
        res = BatchResult(res.x, res.fun, res.converged & ~stats.equal, status,
                          np.where(stats.equal, _EQUAL, res.message), res.iterations)  # fmt: skip
        return {"shape": stats.shape, "scale": stats.scale}, res

    def covariance_many(self, params: Mapping[str, Any], stats: Any) -> NDArray[np.float64]:
        """Every group's inverse observed information from the passes' Hessians, inverted in
        the scaled units and scaled back (as :meth:`_covariance`)."""
        scale = np.asarray(params["scale"], dtype=float)
        d = np.stack([np.ones_like(scale), scale], axis=-1)
        equal = np.asarray(stats.equal, dtype=bool)
        h = np.where(equal[:, None, None], -np.eye(2), stats.hessian)
        return _unscaled(invert_information_batch(-h), d)

    def _start(self, stats: Any) -> dict[str, float]:
        # log x of the values with weight (computed once: stats.logx())
        lx = stats.logx() if stats.w is None else stats.logx()[stats.w > 0]
        step = max(1, lx.shape[0] // 10000)  # a start needs no precision: a subsample
        lx = lx[::step]
        n, mean, _, m2 = chunk_moments(lx, None)  # one compiled read (np.var: 7 us at n = 100)
        return self._start_from(mean, m2 / n)

    def _start_from(self, m: float, v: float) -> dict[str, float]:
        # log x of a Weibull has sd pi / (k sqrt 6) and mean log(lambda) - euler / k
        k = math.pi / math.sqrt(6.0 * v) if v > 0 else 1.0
        k = self._values.get("shape", k)
        return {"shape": k, "scale": self._values.get("scale", _exp(m + 0.5772 / k))}

    def _fit_fast(self, stats: Any) -> tuple[dict[str, Value], SolverResult] | None:
        if self._values or stats.x.ndim != 1:
            return None
        xp = stats.positive()
        top = float(np.maximum.reduce(xp))  # (np.max's wrapper costs more than the read)
        ltop = math.log(top)
        if float(np.minimum.reduce(xp)) == top:
            return {"shape": np.inf, "scale": top}, SolverResult.boundary([np.inf], np.inf, _EQUAL)
        found = _profile_newton(stats, ltop, self._start(stats)["shape"])
        if found is None:
            return None
        k, shift, ll, g, h, ok, msg, passes = found
        scale = _exp(ltop + shift)
        # the Hessian in the scaled units (lambda / c) for the covariance; natural units
        # (which may underflow for data near 1e300) for the generic hooks
        # h * outer(d, d) and g * d with d = (1, e), spelled out in floats (the same
        # products; a float product overflows to inf as numpy's does under errstate)
        (h00, h01), (h10, h11) = h
        g0, g1 = g
        e = _exp(shift)  # to the units (shape, lambda / lambda)
        scaled = [[h00, h01 * e], [h10 * e, h11 * (e * e)]]
        stats.cache["weibull_scaled"] = ((k, scale), scaled)
        e = _exp(-ltop)  # natural units (data near 1e-300 overflow)
        natural = np.array([[h00, h01 * e], [h10 * e, h11 * (e * e)]])
        stats.cache["weibull_at"] = ((k, scale), ll, np.array([g0, g1 * e]), natural)
        res = SolverResult.of([math.log(k)], ll, ok, msg, passes)
        return {"shape": k, "scale": scale}, res


def direct_mle(
    fam: Weibull, stats: Any
) -> tuple[dict[str, float], float, NDArray[np.float64], str, int] | None:
    """The MLE of a Weibull with both parameters free, for ``th.fit``'s short path
    (:mod:`thetahat.inference._direct_newton`, whose statistics carry the data's
    extremes; issue 12: a small fit's fixed cost).

    ``Weibull._fit_fast``'s profile Newton, and its ``_covariance`` from the Hessian in
    the scaled units (shape, scale / max x) at the end point: the parameters,
    log-likelihood, covariance, message and passes of an interior success; None for
    anything else (equal values: the boundary; the general route's steps decide).
    """
    low, top = stats.cache["extremes"]
    if low == top:
        return None  # all equal: shape -> inf, on the boundary
    ltop = math.log(top)
    # Weibull._start on the log values (stats.logx(): positive x, so no errstate)
    lx = stats.cache["logx"] = np.log(stats.x)
    m, mean, _, m2 = chunk_moments(lx, None)
    found = _profile_newton(stats, ltop, fam._start_from(mean, m2 / m)["shape"])
    if found is None:
        return None
    k, shift, ll, _, h, ok, msg, passes = found
    lam = _exp(ltop + shift)
    if not (ok and 0.0 < k < math.inf and 0.0 < lam < math.inf):
        return None
    (h00, h01), (h10, h11) = h
    e = _exp(shift)
    cov = _covariance_scaled([[h00, h01 * e], [h10 * e, h11 * (e * e)]], lam)
    return {"shape": k, "scale": lam}, float(ll), cov, msg, passes


def _covariance_scaled(h: list[list[float]], lam: float) -> NDArray[np.float64]:
    """The covariance of (shape, scale) from the Hessian ``h`` over (shape, scale /
    lambda) in floats: inverted in those units, scaled back (the same products as
    ``_unscaled``; a float product overflows to inf as numpy's does)."""
    (h00, h01), (h10, h11) = h
    c00, c01, c10, c11 = inverse_2x2(-h00, -h01, -h10, -h11)
    return np.array([[c00, c01 * lam], [c10 * lam, c11 * lam * lam]])


def _unscaled(cov: NDArray[np.float64], d: NDArray[np.float64]) -> NDArray[np.float64]:
    """A covariance over (shape, scale / lambda) back to (shape, scale): ``cov * d d^T``
    with ``d = (1, lambda)`` (one group, or a stack of groups); a variance beyond the
    float range is inf, below it 0."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        return np.asarray(cov * d[..., :, None] * d[..., None, :])


def _sums_at(stats: Any, k: float, lam: float) -> NDArray[np.float64]:
    """``weibull_moments`` of the data with ``y = log(x / lam)``: sums of w y, w t,
    w t y, w t y^2, ... with ``t = (x / lam)^k``."""
    return _fastpath.weibull_moments(stats.logx(), stats.w, float(np.log(lam)), float(k), True)


def _series(m: list[float], d: float) -> tuple[float, float, float]:
    """``(A, B, C)``: sums of ``w e^(k y) y^j`` for j = 0, 1, 2 at shape ``k0 + d`` from
    the moments ``m`` at ``k0`` (``e^(d y) = sum (d y)^i / i!``, truncated)."""
    order = len(m) - 1
    a = b = c = 0.0
    coef = 1.0
    for i in range(order + 1):  # plain floats: a few microseconds
        a += coef * m[i]
        if i < order:
            b += coef * m[i + 1]
        if i < order - 1:
            c += coef * m[i + 2]
        coef *= d / (i + 1)
    return a, b, c


def _series_root(m: list[float], k: float, ybar: float, lo: float, hi: float) -> float | None:
    """The step ``d`` in ``[lo, hi]`` to the root of the profile score at shape ``k + d``
    from the series of the moments ``m`` at ``k`` (optim's safeguarded ``newton_1d``); the
    edge of the range when the root lies beyond it (the next pass is taken there), None
    when the series breaks down."""

    def score(kd: float) -> tuple[float, float]:
        a, b, c = _series(m, kd - k)
        ba = b / a
        return 1.0 / kd + ybar - ba, -1.0 / (kd * kd) - (c / a - ba * ba)

    # the profile score decreases in the shape: its signs at the edges say where the root is
    at_hi, at_lo = score(k + hi)[0], score(k + lo)[0]
    if not (math.isfinite(at_hi) and math.isfinite(at_lo)):
        return None
    if at_hi >= 0.0:
        return hi
    if at_lo <= 0.0:
        return lo
    sol = newton_1d(score, k, lower=k + lo, upper=k + hi, xtol=1e-15)
    return float(sol.x[0]) - k if sol.converged else None


#: a pass is final when the shape moved less than this over the moments' y scale
_FINAL_STEP = 1e-3
#: up to this many values, each Newton step on the shape takes a pass at its shape
_EXACT_PASSES_MAX = 4096
#: ... and the step after the last pass is below this over the y scale (Newton's error
#: after it, about its square, is below rounding)
_EXACT_STEP = 1e-9


def _profile_newton(
    stats: Any, ltop: float, k0: float, max_passes: int = 30
) -> tuple[float, float, float, list[float], list[list[float]], bool, str, int] | None:
    """Root of the profile score ``1/k + mean(y) - B/A`` from the moments at successive
    shapes (see ``Weibull`` Notes). Returns the shape, ``log(lambda / c)``, the
    log-likelihood, its score and Hessian over (shape, lambda / c) as floats, whether it
    converged, a message and the number of passes."""
    n, k = float(stats.n), float(k0)
    lx = stats.logx()  # once (numpy's log); each pass then exponentiates
    # small data: a pass costs less than the series' root in Python, so each Newton step
    # on the profile score takes a pass at its shape (exact sums), until the step is
    # below rounding; large data: the series saves passes
    exact = lx.shape[0] <= _EXACT_PASSES_MAX
    isfinite = math.isfinite
    w = stats.w
    raw = (
        _moments_kernel is not None
        and _fastpath.HAVE_FIT_KERNELS
        and lx.shape[0] < _fastpath.PARALLEL_MIN
        and lx.flags.c_contiguous
        and (w is None or (w.flags.c_contiguous and w.dtype == np.float64))
    )
    if raw and exact and w is None and _profile_kernel is not None:
        # the exact passes in one compiled call (_kernels_newton.c: this loop, written out)
        code, k_c, d, npass, sy, mt = _profile_kernel(lx, n, ltop, k, max_passes)
        if code == 0:
            return _profile_end(n, ltop, k_c, d, sy, list(mt), npass)
        if code != 3:
            return None
    for npass in range(1, max_passes + 1):
        if raw:  # one kernel call, as _fastpath.weibull_moments makes below PARALLEL_MIN
            sums = _moments_kernel(lx, w, ltop, k, True)
            sy, m = sums[0], list(sums[1:])
        else:
            arr = _fastpath.weibull_moments(lx, w, ltop, k, True)
            sy, m = float(arr[0]), arr[1:].tolist()
        if not (isfinite(sy) and all(map(isfinite, m)) and m[0] > 0):
            return None
        ybar = sy / n
        reach = (m[-1] / m[0]) ** (1.0 / (len(m) - 1))  # |y| scale under e^(k y)
        limit = 1.0 / max(reach, 1e-300)  # the series is trusted for |d| <= limit
        if exact:
            ba = m[1] / m[0]
            v, dv = 1.0 / k + ybar - ba, -1.0 / (k * k) - (m[2] / m[0] - ba * ba)
            if not (dv < 0.0 and isfinite(v)):
                return None
            d = min(max(-v / dv, -limit, -0.5 * k), limit)  # the series' trust region
            if abs(d) * reach > _EXACT_STEP:
                k = k + d
                continue
        else:
            found = _series_root(m, k, ybar, max(-limit, -0.5 * k), limit)
            if found is None:
                return None
            d = found
        if abs(d) * reach <= _FINAL_STEP and abs(d) < limit:
            return _profile_end(n, ltop, k, d, sy, m, npass)
        k = k + d
    return None


def _profile_end(
    n: float, ltop: float, k: float, d: float, sy: float, m: list[float], npass: int
) -> tuple[float, float, float, list[float], list[list[float]], bool, str, int]:
    """:func:`_profile_newton`'s end: the last step ``d`` from shape ``k`` through the
    series of that pass's moments ``m`` (``sy``: the sum of ``y``)."""
    k_new = k + d
    a, b, c = _series(m, d)
    shift = _log(a / n) / k_new  # log(lambda / c)
    # at the profile scale sum w (x/lambda)^k = n; with t = e^(k y) n / a and
    # log(x/lambda) = y - shift, every sum the Hessian needs comes from (a, b, c)
    sl = sy - n * shift
    stl = (n / a) * (b - shift * a)
    stl2 = (n / a) * (c - 2.0 * shift * b + shift * shift * a)
    ll = float(n * (_log(k_new) - ltop - shift) + (k_new - 1.0) * sl - n)
    lam = _exp(shift)
    g, h = _weibull_gh_floats(k_new, lam, n, n, stl, stl2, sl)
    return k_new, shift, ll, g, h, True, "profile Newton converged", npass


def _weibull_gh(
    k: float, lam: float, n: float, st: float, stl: float, stl2: float, sl: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Score and Hessian of the Weibull log-likelihood from its weighted sums.

    ``st = sum t``, ``stl = sum t l``, ``stl2 = sum t l^2``, ``sl = sum l`` with
    ``l = log(x / lambda)`` and ``t = exp(k l)``.
    """
    g, h = _weibull_gh_floats(k, lam, n, st, stl, stl2, sl)
    return np.array(g), np.array(h)


def _weibull_gh_floats(
    k: float, lam: float, n: float, st: float, stl: float, stl2: float, sl: float
) -> tuple[list[float], list[list[float]]]:
    """:func:`_weibull_gh` as Python floats (one fit's arithmetic; numpy's per-call
    overhead would be most of it)."""
    g = [n / k + sl - stl, (k / lam) * (st - n)]
    h_kl = (st - n + k * stl) / lam
    h = [[-n / (k * k) - stl2, h_kl], [h_kl, -(k / (lam * lam)) * (st - n + k * st)]]
    return g, h


def _exp(v: float) -> float:
    """``exp v`` as a float, inf beyond the float range (as numpy's)."""
    try:
        return math.exp(v)
    except OverflowError:
        return math.inf


def _log(v: float) -> float:
    """``log v`` of a float (-inf at 0 and NaN below, as numpy's)."""
    return math.log(v) if v > 0.0 else -math.inf if v == 0.0 else math.nan
