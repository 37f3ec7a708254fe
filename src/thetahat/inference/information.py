"""Uncertainty of a fit: observed or expected information, and profile intervals.

* :func:`covariance`: the inverse of the observed information (minus the Hessian
  of the objective at the estimate; the default) or of the expected (Fisher)
  information where the family has it in closed form, plus the prior's
  curvature for a MAP.
* :func:`profile_intervals`: for each parameter, the values whose profile
  objective is within ``chi2_1(level) / 2`` of the maximum; asymmetric where
  the likelihood is. ``Estimate.conf_int(kind="profile")`` calls it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..censoring import CensoredStats
from ._solve import (
    FitProblem,
    hessian_theta,
    hessian_z,
    numpy_scalars,
    profile_value,
    support_bounds,
)

__all__ = ["covariance", "invert_information", "profile_intervals"]

INFORMATION_KINDS = ("observed", "expected")


def invert_information(info: NDArray[np.float64]) -> NDArray[np.float64]:
    """Inverse of an information matrix; ``inf`` everywhere when it is singular."""
    info = np.asarray(info, dtype=float)
    if info.size == 0:
        return info
    if info.shape == (1, 1) or info.shape == (2, 2):
        return _invert_small(info)
    if not np.all(np.isfinite(info)):
        return np.full(info.shape, np.inf)
    try:
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        return np.full(info.shape, np.inf)
    if np.any(np.diag(cov) <= 0) or not np.all(np.isfinite(cov)):
        return np.full(info.shape, np.inf)
    return np.asarray(cov)


def _invert_small(info: NDArray[np.float64]) -> NDArray[np.float64]:
    """:func:`invert_information` of a 1x1 or 2x2 matrix, in scalar arithmetic.

    The adjugate over the determinant (what LU with pivoting computes for 2x2,
    without its call overhead); the same conventions: ``inf`` everywhere when
    the matrix is singular, not finite, or not positive definite.
    """
    flat = [float(v) for v in info.ravel()]
    if not all(math.isfinite(v) for v in flat):
        return np.full(info.shape, np.inf)
    if len(flat) == 1:
        a = flat[0]
        return np.array([[1.0 / a]]) if a > 0 else np.full((1, 1), np.inf)
    a, b, c, d = flat
    det = a * d - b * c
    if not (det != 0 and math.isfinite(det)):
        return np.full((2, 2), np.inf)
    cov = [d / det, -b / det, -c / det, a / det]
    if not (cov[0] > 0 and cov[3] > 0 and all(math.isfinite(v) for v in cov)):
        return np.full((2, 2), np.inf)
    return np.array(cov).reshape(2, 2)


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
    if censored and hasattr(type(fam), "_exact_information"):
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
    cov_fn = getattr(type(fam), "_covariance", None)
    if cov_fn is not None and problem.prior is None and not censored:
        return np.asarray(cov_fn(fam, params, stats), dtype=float)
    info = None
    use_expected = kind == "expected" or (not problem.analytic and problem.prior is None)
    if not censored and use_expected:
        with np.errstate(all="ignore"):
            expected = fam._information(params, stats)
        if expected is not None:
            info = np.asarray(expected, dtype=float)
            if problem.prior is not None:
                prior_only = FitProblem(fam, stats, problem.prior)
                info = info - (
                    hessian_theta(prior_only, theta) - _loglik_hessian(prior_only, theta)
                )
    if info is None and problem.analytic and problem.prior is None and kind == "observed":
        # the analytic Hessian over the free parameters, directly
        order = fam.param_names()
        with np.errstate(all="ignore"):
            _, h = fam._grad_hess(params, stats)
        h = np.asarray(h, dtype=float)
        if problem.names != order:
            idx = [order.index(n) for n in problem.names]
            h = h[np.ix_(idx, idx)]
        info = -h
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
    (Laplace's location): the family's ``_exact_information`` gives the exact
    observations' information (expected where the curvature is degenerate), the
    censored terms (and the prior) their observed curvature, smooth there."""
    fam, cs = problem.family, problem.stats
    empty = np.zeros(0)
    rest = dataclasses.replace(cs, exact=empty, w_exact=empty)
    sub = dataclasses.replace(problem, stats=rest)
    with np.errstate(all="ignore"):
        h_rest = hessian_theta(sub, theta) if rest.n else np.zeros((len(problem.names),) * 2)
        full = fam._exact_information({**fam.params, **theta}, cs)
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
    cov_fn = getattr(type(fam), "_covariance", None)
    closed = None
    if cov_fn is not None:
        closed = np.asarray(cov_fn(fam, {**fam.params, **theta}, problem.stats), dtype=float)
    for n in at_bound:
        i = names.index(n)
        cov[i, i] = float(closed[i, i]) if closed is not None else np.inf
    return cov


def _loglik_hessian(problem: FitProblem, theta: Mapping[str, Any]) -> NDArray[np.float64]:
    return hessian_theta(FitProblem(problem.family, problem.stats), theta)


def profile_intervals(estimate: Any, level: float) -> dict[str, tuple[Any, Any]]:
    """Profile-likelihood (profile-posterior for a MAP) intervals for every parameter.

    Notes
    -----
    For parameter ``j`` the interval is ``{v : 2 (l_max - l_p(v)) <= chi2_1(level)}``
    with ``l_p(v) = max over the other parameters of the objective at theta_j = v``.
    Each end is bracketed by stepping out from the estimate in the parameter's
    unconstrained coordinate (steps scaled by its standard error) and found by
    Brent's method; an end that reaches the edge of the domain is the edge.
    """
    from scipy import optimize, stats

    problem = estimate.extra.get("problem")
    if not isinstance(problem, FitProblem):
        raise ValueError(
            "profile intervals need the objective of the fit; this estimate has none "
            "(use kind='wald')"
        )
    crit = 0.5 * float(stats.chi2.ppf(level, 1))
    best = problem.objective({k: estimate.params[k] for k in problem.names})
    target = best - crit
    out: dict[str, tuple[Any, Any]] = {}
    se = estimate.se
    for name in problem.names:
        v_hat = float(estimate.params[name])
        dom = problem.family.param(name).domain
        if not np.isfinite(v_hat):
            out[name] = (math.nan, math.nan)
            continue
        z_hat = float(dom.to_unconstrained(v_hat))
        s = float(se[name])
        if np.isfinite(s) and s > 0:
            dz = float(dom.to_unconstrained(v_hat + 0.5 * s)) - z_hat
            step = float(abs(dz)) if np.isfinite(dz) and dz != 0 else 0.5
        else:
            step = 0.5

        warm = {k: float(estimate.params[k]) for k in problem.names if k != name}

        def gap(z: float, name: str = name, dom: Any = dom, warm: dict[str, Any] = warm) -> float:
            v = float(dom.from_unconstrained(z))
            val = profile_value(problem, name, v, warm)
            return (val if np.isfinite(val) else -1e300) - target

        real = getattr(dom, "low", None) is None and getattr(dom, "high", None) is None
        ends = []
        for sign in (-1.0, 1.0):
            warm.update({k: float(estimate.params[k]) for k in warm})
            z_in, z_out, found = z_hat, z_hat, False
            h = step
            while h <= (1e12 * max(step, abs(z_hat)) if real else 40.0):
                z_out = z_hat + sign * h
                if gap(z_out) < 0:
                    found = True
                    break
                z_in = z_out
                h *= 2.0
            if not found:
                edge = getattr(dom, "low" if sign < 0 else "high", None)
                ends.append(float(edge) if edge is not None else sign * math.inf)
                continue
            z_root = optimize.brentq(
                gap, min(z_in, z_out), max(z_in, z_out), xtol=1e-10, rtol=1e-10
            )
            ends.append(float(dom.from_unconstrained(z_root)))
        out[name] = (ends[0], ends[1])
    return out
