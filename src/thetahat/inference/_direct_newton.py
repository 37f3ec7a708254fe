"""``th.fit``'s short path for the Newton families: Beta, Weibull, Student t (issue 12,
item 4: a small fit's fixed cost).

:func:`~thetahat.inference._direct.direct_fit` hands a plain float64 array of at most
4,096 values here when the family is one of these three with every parameter free.
The statistics are made from the array as ``statistics_of`` makes them (Beta's fused
sums of ``log x`` and ``log(1 - x)``; for Weibull and Student t the checked array
itself in a :class:`~thetahat.statistics.DataStats`), then each family's own solve
runs (Beta's ``_newton_mean_logs``, Weibull's ``_profile_newton``, Student t's
``_TFit`` with the compiled ``t_newton``), exactly as its ``_fit_fast`` runs it.

Where the solve ends inside the parameter space with success, the log-likelihood,
the covariance (the inverse observed information as ``fit._estimate_direct``
computes it, from the same floats) and the :class:`~thetahat.results.Estimate` are
assembled here, without the solver result object, the hooks' dispatch and the
general checks. Anything else (a boundary, a failed or declined solve, an arithmetic
exception) takes the general route's own steps from the statistics on
(``fit._formula(fam.fast_fit, ...)``, ``fit._estimate``, ``fit._fit_iterative``), so
statuses, messages and warnings are the general route's by construction;
``tests/inference/test_direct_estimate.py`` compares the two routes field by field.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _fastpath
from ..distributions import Beta, StudentT, Weibull
from ..distributions import student_t as _st
from ..distributions.beta import BetaStats, _newton_mean_logs, _score_information
from ..distributions.student_t import (
    _NEWTON_MAXITER,
    _NEWTON_TOL,
    _SUBSAMPLE_ABOVE,
    LOG_2PI,
    NU_DRIFT,
    _compiled,
    _log,
    _robust_stats,
    _TFit,
)
from ..distributions.weibull import _exp, _profile_newton
from ..optim import Status, invert_information
from ..results import Estimate
from ..statistics import DataStats
from ..statistics.sufficient import chunk_moments, made
from ._solve import ARITHMETIC_ERRORS, FitProblem

__all__ = ["STATISTICS", "newton_fit"]

_new = object.__new__
_isfinite = math.isfinite
#: what the interior solves return: parameters, log-likelihood, covariance, message,
#: iterations (None: the general route's steps)
Found = tuple[dict[str, float], float, Any, str, int] | None


#: the compiled fused Beta pass (None without the fit kernels)
_BETA_SUMS = _fastpath._kernels.beta_sums if _fastpath.HAVE_FIT_KERNELS else None


# ------------------------------------------------------------------ statistics
def beta_stats(x: Any) -> BetaStats | None:
    """Beta's statistics as its ``_reduce`` makes them (one fused pass); None: a value
    outside (0, 1) or not finite (the general route explains)."""
    if _BETA_SUMS is not None:  # the kernel _fastpath.beta_sums calls on one range
        bad, slog, slog1m = _BETA_SUMS(x, None)
    else:
        bad, slog, slog1m = _fastpath.beta_sums(x, None)
    if bad >= 0:
        return None
    return made(BetaStats, {"n": float(x.shape[0]), "slog": slog, "slog1m": slog1m})


def positive_data(x: Any) -> DataStats | None:
    """``data_stats`` of positive finite values (Weibull); None otherwise. The extremes
    go in the cache for :func:`weibull_mle` (these statistics are never kept)."""
    lo, hi = float(np.minimum.reduce(x)), float(np.maximum.reduce(x))
    if not (lo > 0.0 and hi < math.inf):  # (a NaN fails both)
        return None
    stats = _data(x)
    stats.cache["extremes"] = (lo, hi)
    return stats


def finite_data(x: Any) -> DataStats | None:
    """``data_stats`` of finite values (Student t); None otherwise (a NaN or inf, or a
    sum that overflows: the general route decides)."""
    if not _isfinite(np.add.reduce(x)):
        return None
    return _data(x)


def _data(x: Any) -> DataStats:
    """``DataStats(x, None, n)`` without the generated frozen ``__init__`` (it has no
    ``__post_init__``; tests/inference/test_direct_estimate.py checks both)."""
    stats = _new(DataStats)
    stats.__dict__.update(x=x, w=None, n=float(x.shape[0]), obs={}, cache={})
    return stats


#: Newton family class -> its statistics from a checked array (None: the general route)
STATISTICS: dict[type, Callable[[Any], Any]] = {
    Beta: beta_stats,
    Weibull: positive_data,
    StudentT: finite_data,
}


# ------------------------------------------------------------- interior solves
def beta_mle(fam: Beta, stats: BetaStats) -> Found:
    """``Beta._fit_fast``'s solve, and the covariance ``_estimate_direct`` takes from
    ``observed_information`` (minus ``_grad_hess``'s Hessian: ``n`` times the unit
    information at the estimate)."""
    n = stats.n
    g1, g2 = stats.slog / n, stats.slog1m / n
    if not (1.0 - math.exp(g1) - math.exp(g2) > 1e-12):
        return None
    start = fam._start(stats)
    found = _newton_mean_logs(g1, g2, float(start["a"]), float(start["b"]))
    if found is None:
        return None
    a, b, fun, it = found
    if not (0.0 < a < math.inf and 0.0 < b < math.inf):
        return None
    _, _, i11, i22, tab = _score_information(a, b, g1, g2)
    off = -(n * tab)
    cov = invert_information(np.array([[n * i11, off], [off, n * i22]]))
    return {"a": a, "b": b}, float(n * fun), cov, "Newton converged", it


def weibull_mle(fam: Weibull, stats: DataStats) -> Found:
    """``Weibull._fit_fast``'s profile Newton, and its ``_covariance`` from the Hessian
    in the scaled units (shape, scale / max x) at the end point."""
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
    s01, s10, s11 = h01 * e, h10 * e, h11 * (e * e)
    (c00, c01), (c10, c11) = invert_information(np.array([[-h00, -s01], [-s10, -s11]])).tolist()
    cov = np.array([[c00, c01 * lam], [c10 * lam, c11 * lam * lam]])
    return {"shape": k, "scale": lam}, float(ll), cov, msg, passes


def t_mle(fam: StudentT, stats: DataStats) -> Found | tuple[dict[str, Any], Any]:
    """``StudentT._fit_fast``'s solve (robust start, compiled Newton, the Normal limit),
    and the covariance from the Hessian the compiled solve left at its end point.
    A solve that ends on the boundary comes back as ``(params, result)``."""
    x = stats.x
    robust = _robust_stats(x) if x.shape[0] <= _SUBSAMPLE_ABOVE else None
    if robust is None or robust[3] == robust[4]:
        return None  # (all equal: on the boundary; the general route's steps)
    if _compiled():
        # _TFit.run's first step spelled out: the compiled Newton from the robust start;
        # a converged solve to df < 100 is its answer (anything else: run() from the top)
        t_newton = _st._t_newton  # (the module's: tests replace it there)
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
            if nu < 100.0 and _isfinite(loc) and 0.0 < s < math.inf and 0.0 < nu:
                if ll != ll or ll == -math.inf:
                    return None
                theta = {"df": nu, "loc": loc, "scale": s}
                if at[0] == nu and at[1] == loc and at[2] == s:
                    hnn, hln, hsn, hll, hls, hss = at[7:]
                    info = -np.array([[hnn, hln, hsn], [hln, hll, hls], [hsn, hls, hss]])
                else:
                    info = fam.observed_information(theta, stats)
                return theta, ll, invert_information(info), "Newton converged", it
    found = _TFit(fam, x, None, stats.n, stats.cache, robust).run()
    if found is None:
        return None
    params, res = found
    if res.status is not Status.SUCCESS or res.edge:
        return params, res
    nu, loc, s = params["df"], params["loc"], params["scale"]
    if not (0.0 < nu < math.inf and _isfinite(loc) and 0.0 < s < math.inf):
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


#: Newton family class -> its interior solve
_SOLVES: dict[type, Callable[[Any, Any], Any]] = {
    Beta: beta_mle,
    Weibull: weibull_mle,
    StudentT: t_mle,
}


# ------------------------------------------------------------------- the fit
def newton_fit(fam: Any, x: Any, stats: Any, data: Any) -> Estimate:
    """The MLE of a Newton family with every parameter free from its statistics
    ``stats`` of the checked array ``x`` (``data`` as the caller passed it)."""
    try:
        with np.errstate(all="ignore"):  # as the general route's fit._formula
            found = _SOLVES[type(fam)](fam, stats)
    except (*ARITHMETIC_ERRORS, ValueError):
        found = None
    problem = _new(FitProblem)
    if found is None or len(found) == 2:
        formula, estimate, iterative = _STEPS or _steps()
        if found is None:  # the general route's steps, on statistics of their own
            stats = STATISTICS[type(fam)](x)
            problem.__dict__.update(family=fam, stats=stats, prior=None, parametrization="natural")
            found = formula(fam.fast_fit, stats)
            if found is None:
                est = iterative(problem, None, "observed")
            else:
                est = estimate(problem, found[0], found[1], None, "observed")
        else:  # a boundary (Student t's df -> inf): fit._estimate reports it
            problem.__dict__.update(family=fam, stats=stats, prior=None, parametrization="natural")
            est = estimate(problem, found[0], found[1], None, "observed")
        est.__dict__["data"] = data  # as th.fit keeps it (a reference; weights stay None)
        return est
    theta, loglik, cov, message, iterations = found
    if type(stats) is DataStats:  # fit._kept: the data without the solve's cache
        stats = _data(x)
    problem.__dict__.update(family=fam, stats=stats, prior=None, parametrization="natural")
    est = Estimate._interior_mle(theta, cov, loglik, stats.n, fam, message, iterations, problem, {})
    est.__dict__["data"] = data
    return est


_STEPS: list[Any] = []


def _steps() -> list[Any]:
    """``fit``'s steps (imported on first use: ``fit`` imports ``_direct``)."""
    from .fit import _estimate, _fit_iterative, _formula

    _STEPS[:] = [_formula, _estimate, _fit_iterative]
    return _STEPS
