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

The Newton families (Beta, Weibull, Student t) continue in
:mod:`thetahat.inference._direct_newton` once the array is checked here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._validation import as_float_array
from ..distributions import Exponential, Gamma, Normal, Poisson
from ..distributions.exponential import direct_mle as exponential_mle
from ..distributions.gamma import direct_mle as gamma_mle
from ..distributions.normal import direct_mle as normal_mle
from ..distributions.poisson import direct_mle as poisson_mle
from ..results import Estimate
from ._direct_newton import STATISTICS as _NEWTON
from ._direct_newton import interior_estimate, newton_fit
from ._family import as_family

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


def direct_fit(family: Any, data: Any) -> Estimate | None:
    """The MLE of ``family`` on ``data`` by the short path, or None (the general route).

    The caller has checked that no keyword of ``th.fit`` differs from its default.
    ``data`` that are not float64 (integers, float32, a list) are converted by the
    same check the general route applies (``as_float_array``), so bad input raises
    the same error here.
    """
    cls = family if isinstance(family, type) else type(family)
    route: Callable[..., Any] | None = _ROUTES.get(cls)
    newton = route is None
    if newton:
        route = _NEWTON.get(cls)
    if route is None:
        return None
    if cls is family:
        fam = as_family(family)
    elif family.params:  # a fixed parameter: the general route
        return None
    else:
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
    if newton:  # Beta, Weibull, Student t: _direct_newton from their statistics on
        stats = route(x)
        return None if stats is None else newton_fit(fam, x, stats, data)
    found = route(fam, x)
    if found is None:
        return None
    stats, theta, loglik, cov, message, iterations = found
    if loglik != loglik:  # NaN: the general route reports the breakdown
        return None
    return interior_estimate(fam, stats, theta, loglik, cov, message, iterations, data)
