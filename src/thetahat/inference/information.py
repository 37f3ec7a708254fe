"""Uncertainty of a fit: observed or expected information, and profile intervals.

* :func:`covariance`: the inverse of the observed information (minus the Hessian
  of the objective at the estimate; the default) or of the expected (Fisher)
  information where the family has it in closed form, plus the prior's
  curvature for a MAP.
* profile intervals live with the result (:mod:`thetahat.results._profile`):
  the estimate keeps its :class:`~thetahat.inference._solve.FitProblem`, whose
  ``profile`` method re-maximises with one parameter held.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..optim import invert_information
from ..statistics.censored import CensoredStats
from ._solve import FitProblem, hessian_theta, hessian_z, numpy_scalars, support_bounds

__all__ = ["covariance"]

INFORMATION_KINDS = ("observed", "expected")


def _finite_value(v: Any) -> bool:
    if type(v) is float:
        return math.isfinite(v)
    return bool(np.all(np.isfinite(np.asarray(v, dtype=float))))


def covariance(
    problem: FitProblem, theta: Mapping[str, Any], kind: str = "observed"
) -> NDArray[np.float64]:
    """Covariance of the estimate ``theta`` of ``problem``'s free parameters.

    Notes
    -----
    ``observed``: ``(-H)^-1`` with ``H`` the Hessian of ``loglik + log prior``
    at the estimate (analytic where the family has it). Exponential families in
    closed form use their Fisher information, which equals the observed
    information at the MLE. Families whose likelihood is not twice
    differentiable (Laplace's location) and Pareto's support parameter use
    their closed-form variances. ``expected``: the Fisher information
    ``n I(theta)`` (plus the prior's curvature for a MAP). With
    ``parametrization="unconstrained"`` the curvature is taken over the
    log/logit coordinates and mapped back by the delta method.
    """
    if kind not in INFORMATION_KINDS:
        raise ValueError(f"information must be 'observed' or 'expected', got {kind!r}")
    fam, stats = problem.family, problem.stats
    k = len(problem.names)
    params = numpy_scalars({**fam.params, **theta})
    if not all(_finite_value(v) for v in theta.values()):
        return np.full((k, k), np.inf)
    censored = isinstance(stats, CensoredStats)
    at_bound = [n for n, b in support_bounds(problem).items() if float(theta[n]) >= b]
    if at_bound and problem.prior is not None:
        # also for parametrization="unconstrained": the bounded coordinate is infinite
        # there, so the delta method from the log/logit coordinates has nothing to use
        return _covariance_at_bound(problem, theta, at_bound)
    if censored and kind == "expected":
        raise ValueError(
            "the expected (Fisher) information of censored data depends on the censoring "
            "mechanism (when each unit would have been censored, unknown for the units "
            "observed exactly), which the data do not carry; use information='observed' "
            "(the default, as survival software does)"
        )
    if censored and fam.has_kink:
        return _censored_kink_covariance(problem, theta)
    if problem.parametrization == "unconstrained":
        hz, d1 = hessian_z(problem, theta)
        cov_z = invert_information(-hz)
        return np.asarray(cov_z * np.outer(d1, d1))
    if problem.by_observation:
        if kind == "expected":
            raise ValueError(
                f"{type(fam).__name__} with per-observation parameters has no closed-form "
                "expected information; use information='observed'"
            )
        with np.errstate(all="ignore"):
            return invert_information(-hessian_theta(problem, theta))
    if fam.has_closed_form_covariance and problem.prior is None and not censored:
        return fam.closed_form_covariance(params, stats)
    info = None
    use_expected = kind == "expected" or (not problem.analytic and problem.prior is None)
    if not censored and use_expected:
        with np.errstate(all="ignore"):
            expected = fam.fisher_information(params, stats)
        if expected is not None:
            info = np.asarray(expected, dtype=float)
            if problem.prior is not None:
                prior_only = FitProblem(fam, stats, problem.prior)
                info = info - (
                    hessian_theta(prior_only, theta) - _loglik_hessian(prior_only, theta)
                )
    if info is None and problem.analytic and problem.prior is None and kind == "observed":
        # minus the analytic Hessian over the free parameters, directly
        with np.errstate(all="ignore"):
            info = fam.observed_information(params, stats)
    if info is None:
        if kind == "expected" and not censored:
            raise ValueError(
                f"{type(fam).__name__} has no closed-form expected information; use "
                "information='observed'"
            )
        with np.errstate(all="ignore"):
            info = -hessian_theta(problem, theta)
    return invert_information(info)


def _censored_kink_covariance(problem: FitProblem, theta: Mapping[str, Any]) -> NDArray[np.float64]:
    """Covariance for censored data of a family whose density has a kink at a parameter
    (Laplace's location): the family's ``exact_information`` gives the exact
    observations' information (expected where the curvature is degenerate), the
    censored terms (and the prior) their observed curvature, smooth there."""
    fam, cs = problem.family, problem.stats
    empty = np.zeros(0)
    rest = dataclasses.replace(cs, exact=empty, w_exact=empty)
    sub = dataclasses.replace(problem, stats=rest)
    with np.errstate(all="ignore"):
        h_rest = hessian_theta(sub, theta) if rest.n else np.zeros((len(problem.names),) * 2)
        full = fam.exact_information({**fam.params, **theta}, cs)
    order = list(fam.param_names())
    idx = [order.index(n) for n in problem.names]
    return invert_information(np.asarray(full)[np.ix_(idx, idx)] - h_rest)


def _covariance_at_bound(
    problem: FitProblem, theta: Mapping[str, Any], at_bound: list[str]
) -> NDArray[np.float64]:
    """Covariance of a MAP with parameters at their bound from the data (Pareto's xm).

    The log posterior does not curve there (it increases up to the bound), so the
    bounded parameter takes the sampling variance of the family's closed form
    (for Pareto's ``xm = min x``: that of the minimum) and the others the inverse
    curvature of the log posterior with the bounded ones held.
    """
    fam, names = problem.family, list(problem.names)
    k = len(names)
    cov = np.zeros((k, k))
    others = [i for i, n in enumerate(names) if n not in at_bound]
    if others:
        held = {n: theta[n] for n in at_bound}
        with np.errstate(all="ignore"):
            h = hessian_theta(problem, theta, held)
        cov[np.ix_(others, others)] = invert_information(-h)
    closed = None
    if fam.has_closed_form_covariance:
        closed = fam.closed_form_covariance({**fam.params, **theta}, problem.stats)
    for n in at_bound:
        i = names.index(n)
        cov[i, i] = float(closed[i, i]) if closed is not None else np.inf
    return cov


def _loglik_hessian(problem: FitProblem, theta: Mapping[str, Any]) -> NDArray[np.float64]:
    return hessian_theta(FitProblem(problem.family, problem.stats), theta)
