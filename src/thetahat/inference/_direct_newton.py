"""``th.fit``'s short path for the Newton families: Beta, Weibull, Student t (issue 12,
item 4: a small fit's fixed cost).

:func:`~thetahat.inference._direct.direct_fit` hands a plain float64 array of at most
4,096 values here when the family is one of these three with every parameter free.
The statistics are made from the array as ``statistics_of`` makes them (Beta's fused
sums of ``log x`` and ``log(1 - x)``; for Weibull and Student t the checked array
itself in a :class:`~thetahat.statistics.DataStats`), then each family module's
``direct_mle`` runs the family's own solve (Beta's ``_newton_mean_logs``, Weibull's
``_profile_newton``, Student t's compiled ``t_newton`` from its robust start) exactly
as its ``_fit_fast`` runs it, and gives the log-likelihood and the covariance (the
inverse observed information as ``fit._estimate_direct`` computes it, from the same
floats) of an interior success; the Estimate is assembled here, without the solver
result object, the hooks' dispatch and the general checks. Anything else (a
boundary, a failed or declined solve, an arithmetic exception) takes the general
route's own steps from the statistics on (``fit._formula(fam.fast_fit, ...)``,
``fit._estimate``, ``fit._fit_iterative``), so statuses, messages and warnings are
the general route's by construction; ``tests/inference/test_direct_estimate.py``
compares the two routes field by field.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _fastpath
from ..distributions import Beta, StudentT, Weibull
from ..distributions.beta import BetaStats
from ..distributions.beta import direct_mle as beta_mle
from ..distributions.student_t import direct_mle as t_mle
from ..distributions.weibull import direct_mle as weibull_mle
from ..results import Estimate
from ..statistics import DataStats
from ..statistics.sufficient import made
from ._solve import ARITHMETIC_ERRORS, FitProblem

__all__ = ["STATISTICS", "interior_estimate", "newton_fit", "problem_of"]

_new = object.__new__
_isfinite = math.isfinite


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
    go in the cache for ``weibull.direct_mle`` (these statistics are never kept)."""
    lo, hi = float(np.minimum.reduce(x)), float(np.maximum.reduce(x))
    if not (lo > 0.0 and hi < math.inf):  # (a NaN fails both)
        return None
    stats = _data(x)
    stats.cache["extremes"] = (lo, hi)
    return stats


def finite_data(x: Any) -> DataStats | None:
    """``data_stats`` of finite values (Student t); None otherwise (a NaN or inf, or a
    sum that overflows: the general route decides). The sum is the compiled kernel's
    where built: ``np.add.reduce`` costs 2.5 us at 1,000 values, 1.9 of them the
    reduction's call, against the kernel's 1.1."""
    kernel = _fastpath.CENTRED_SUMS_KERNEL
    total = kernel(x, 0.0)[0] if kernel is not None else np.add.reduce(x)
    if not _isfinite(total):
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


#: Newton family class -> its interior solve
_SOLVES: dict[type, Callable[[Any, Any], Any]] = {
    Beta: beta_mle,
    Weibull: weibull_mle,
    StudentT: t_mle,
}

#: solves that silence NumPy's floating-point warnings themselves, where they use NumPy
#: at all (Student t's compiled route uses none; ``np.errstate`` costs 2.4 us, a twentieth
#: of such a fit); the others run under ``np.errstate(all="ignore")`` here
_GUARDED = frozenset({StudentT})


# ------------------------------------------------------------------- the fit
def newton_fit(fam: Any, x: Any, stats: Any, data: Any) -> Estimate:
    """The MLE of a Newton family with every parameter free from its statistics
    ``stats`` of the checked array ``x`` (``data`` as the caller passed it)."""
    solve = _SOLVES[type(fam)]
    try:
        if type(fam) in _GUARDED:
            found = solve(fam, stats)
        else:
            with np.errstate(all="ignore"):  # as the general route's fit._formula
                found = solve(fam, stats)
    except (*ARITHMETIC_ERRORS, ValueError):
        found = None
    if found is None or len(found) == 2:
        formula, estimate, iterative = _STEPS or _steps()
        if found is None:  # the general route's steps, on statistics of their own
            problem = problem_of(fam, STATISTICS[type(fam)](x))
            found = formula(fam.fast_fit, problem.stats)
            if found is None:
                est = iterative(problem, None, "observed")
            else:
                est = estimate(problem, found[0], found[1], None, "observed")
        else:  # a boundary (Student t's df -> inf): fit._estimate reports it
            est = estimate(problem_of(fam, stats), found[0], found[1], None, "observed")
        est.__dict__["data"] = data  # as th.fit keeps it (a reference; weights stay None)
        return est
    theta, loglik, cov, message, iterations = found
    if type(stats) is DataStats:  # fit._kept: the data without the solve's cache
        stats.__dict__.update(obs={}, cache={})  # (made here for this fit alone)
    return interior_estimate(fam, stats, theta, loglik, cov, message, iterations, data)


def problem_of(fam: Any, stats: Any) -> FitProblem:
    """``FitProblem(fam, stats, None)`` without the generated frozen ``__init__`` (it has
    no ``__post_init__``; tests/inference/test_direct_estimate.py checks both)."""
    problem = _new(FitProblem)
    problem.__dict__.update(family=fam, stats=stats, prior=None, parametrization="natural")
    return problem


def interior_estimate(
    fam: Any, stats: Any, theta: Any, loglik: float, cov: Any, message: str, iterations: int,
    data: Any,
) -> Estimate:  # fmt: skip
    """The Estimate of an interior success as ``fit._estimate_direct`` builds it, with a
    reference to ``data`` as ``th.fit`` keeps it (weights stay None)."""
    problem = problem_of(fam, stats)
    est = Estimate._interior_mle(theta, cov, loglik, stats.n, fam, message, iterations, problem, {})
    est.__dict__["data"] = data
    return est


_STEPS: list[Any] = []


def _steps() -> list[Any]:
    """``fit``'s steps (imported on first use: ``fit`` imports ``_direct``)."""
    from .fit import _estimate, _fit_iterative, _formula

    _STEPS[:] = [_formula, _estimate, _fit_iterative]
    return _STEPS
