"""``th.fit``'s short path for the commonest small fit (issue 12: a fit's fixed cost).

A fit of a family with every parameter free, on a plain array or list of at most
4,096 values, with no prior, weights, exposure, censoring, table or ``by=``, where the
family computes its statistics, estimate, log-likelihood and covariance directly from
the array in Python floats (Normal, Poisson, Exponential: closed forms; Gamma: its
profile Newton solve). The general route passes through ``statistics_of``, the
reducer's chunk loop, the dispatch on priors and the assembly of any estimate, each
of which checks what cannot happen here; this path makes one call into the family
module and builds the :class:`~thetahat.results.Estimate` as the general route's
``_estimate_direct`` does, field for field (``tests/inference/test_direct_estimate.py``
compares the two routes). Anything else, bad data included, returns None and the
general route fits it or raises its error.

The Newton families (Beta, Weibull, Student t) take a second short path
(:func:`newton_fit`): their statistics made from the array directly (Beta's fused
sums; the validated array itself for the other two), then the general route's own
steps from the family's fast solve on (``fit._formula(fam.fast_fit, ...)``,
``fit._estimate``, or ``fit._fit_iterative`` where the fast solve declines), so the
solve, the status (success, boundary, failed), the messages and warnings are the
general route's by construction.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .._validation import as_float_array
from .. import _fastpath
from ..distributions import Beta, Exponential, Gamma, Normal, Poisson, StudentT, Weibull
from ..distributions.beta import BetaStats
from ..distributions.exponential import direct_mle as exponential_mle
from ..distributions.gamma import direct_mle as gamma_mle
from ..distributions.normal import direct_mle as normal_mle
from ..distributions.poisson import direct_mle as poisson_mle
from ..results import Estimate
from ..statistics import DataStats
from ..statistics.sufficient import made
from ._family import as_family
from ._solve import FitProblem

__all__ = ["direct_fit"]

#: the largest array the short path takes (one chunk of the reducer, the compiled
#: moments' exact-centre limit): beyond it the fixed cost no longer matters
LIMIT = 4096

#: family class -> its module's ``direct_mle(fam, x)`` (the family's own formulas)
_ROUTES: dict[type, Callable[[Any, Any], Any]] = {
    Normal: normal_mle,
    Poisson: poisson_mle,
    Exponential: exponential_mle,
    Gamma: gamma_mle,
}

_FLOAT64 = np.dtype(np.float64)
_new = object.__new__


def _beta_stats(x: Any) -> BetaStats | None:
    """Beta's statistics as its ``_reduce`` makes them (one fused pass); None: a value
    outside (0, 1) or not finite (the general route explains)."""
    bad, slog, slog1m = _fastpath.beta_sums(x, None)
    if bad >= 0:
        return None
    return made(BetaStats, {"n": float(x.shape[0]), "slog": slog, "slog1m": slog1m})


def _positive_data(x: Any) -> DataStats | None:
    """``data_stats`` of positive finite values (Weibull); None otherwise."""
    if not (np.minimum.reduce(x) > 0 and math.isfinite(np.add.reduce(x))):
        return None
    return _data(x)


def _finite_data(x: Any) -> DataStats | None:
    """``data_stats`` of finite values (Student t); None otherwise (a NaN or inf, or a
    sum that overflows: the general route decides)."""
    if not math.isfinite(np.add.reduce(x)):
        return None
    return _data(x)


def _data(x: Any) -> DataStats:
    # DataStats(x, None, n) without the generated frozen __init__ (it has no
    # __post_init__; tests/inference/test_direct_estimate.py checks both)
    stats = _new(DataStats)
    stats.__dict__.update(x=x, w=None, n=float(x.shape[0]), obs={}, cache={})
    return stats


#: Newton family class -> its statistics from a checked array (None: the general route)
_NEWTON: dict[type, Callable[[Any], Any]] = {
    Beta: _beta_stats,
    Weibull: _positive_data,
    StudentT: _finite_data,
}


def direct_fit(family: Any, data: Any) -> Estimate | None:
    """The MLE of ``family`` on ``data`` by the short path, or None (the general route).

    The caller has checked that no keyword of ``th.fit`` differs from its default.
    ``data`` that are not float64 (integers, float32, a list) are converted by the
    same check the general route applies (``as_float_array``), so bad input raises
    the same error here.
    """
    if isinstance(family, type):
        route = _ROUTES.get(family)
        if route is None:
            route = _NEWTON.get(family)
            if route is None:
                return None
            newton = True
        else:
            newton = False
        fam = as_family(family)
    else:
        route = _ROUTES.get(type(family))
        newton = False
        if route is None:
            route = _NEWTON.get(type(family))
            newton = True
        if route is None or family.params:  # a fixed parameter: the general route
            return None
        fam = family
    tp = type(data)
    if tp is np.ndarray and data.dtype is _FLOAT64:
        x = data
    elif tp is np.ndarray and data.ndim == 1 and data.shape[0] <= LIMIT:
        x = as_float_array(data, "data", ndim=1)  # integers, float32: converted as there
    elif (tp is list or tp is tuple) and len(data) <= LIMIT:
        x = as_float_array(data, "data", ndim=1)  # (longer ones are converted once, there)
    else:
        return None
    if x.ndim != 1 or not 0 < x.shape[0] <= LIMIT or not x.flags.c_contiguous:
        return None
    if newton:
        return newton_fit(fam, x, route(x), data)
    found = route(fam, x)
    if found is None:
        return None
    stats, theta, loglik, cov, message, iterations = found
    if loglik != loglik:  # NaN: the general route reports the breakdown
        return None
    # FitProblem(fam, stats, None) without the generated frozen __init__ (it has no
    # __post_init__; tests/inference/test_direct_estimate.py checks both)
    problem = _new(FitProblem)
    problem.__dict__.update(family=fam, stats=stats, prior=None, parametrization="natural")
    est = Estimate._interior_mle(theta, cov, loglik, stats.n, fam, message, iterations, problem, {})
    est.__dict__["data"] = data  # as th.fit keeps it (a reference; weights stay None)
    return est


def newton_fit(fam: Any, x: Any, stats: Any, data: Any) -> Estimate | None:
    """The MLE of a Newton family (Beta, Weibull, Student t; every parameter free) from
    its statistics ``stats`` of the checked array ``x``: the general route's steps after
    ``statistics_of`` (the family has no closed form), or None where ``stats`` is None.
    """
    if stats is None:
        return None
    steps = _STEPS or _steps()
    formula, estimate, iterative = steps
    problem = _new(FitProblem)
    problem.__dict__.update(family=fam, stats=stats, prior=None, parametrization="natural")
    found = formula(fam.fast_fit, stats)
    if found is None:
        est = iterative(problem, None, "observed")
    else:
        est = estimate(problem, found[0], found[1], None, "observed")
    est.__dict__["data"] = data  # as th.fit keeps it (a reference; weights stay None)
    return est


_STEPS: list[Any] = []


def _steps() -> list[Any]:
    """``fit``'s steps (imported on first use: ``fit`` imports this module)."""
    from .fit import _estimate, _fit_iterative, _formula

    _STEPS[:] = [_formula, _estimate, _fit_iterative]
    return _STEPS
