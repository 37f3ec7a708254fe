"""The optimisation problem behind MLE and MAP fits, and its Newton solve.

A :class:`FitProblem` is a family (with its fixed parameters), the statistics
of the data (sufficient statistics, validated data, or censored data) and an
optional prior. :func:`solve` maximises its objective (log-likelihood plus log
prior) over the free parameters mapped to the real line by their domains
(``log`` for positive parameters, ``logit`` for probabilities), by Newton's
method with the family's analytic score and Hessian where it has them and
central differences otherwise; scipy's BFGS is the last resort. The same
problem gives profile likelihoods (:func:`profile_value`) and the Laplace
approximation.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._domains import Interval
from ..distributions import Distribution
from ..optim import SolverResult, Status, domain_derivatives, fd_grad_hess, maximize
from ..statistics import DataStats, statistics_of
from ..statistics.censored import CensoredStats, censored_loglik
from ._priors import prior_logpdf

__all__ = ["FitProblem", "profile_value", "solve", "support_bounds"]

Value = Any


#: what Python float arithmetic raises at the edge of a parameter space (a zero scale,
#: an overflowing power) where numpy arithmetic gives inf or nan
ARITHMETIC_ERRORS = (ZeroDivisionError, OverflowError, FloatingPointError)


def numpy_scalars(params: Mapping[str, Value]) -> dict[str, Value]:
    """``params`` with Python floats as numpy scalars, for the family's formula hooks.

    At the edge of the parameter space a formula divides by a zero scale or
    overflows: numpy arithmetic (under ``np.errstate(all="ignore")``) turns that into
    inf or nan, which the solver and the fit's status then report, where Python
    arithmetic would raise ``ZeroDivisionError`` or ``OverflowError`` at the user.
    """
    return {k: np.float64(v) if type(v) is float else v for k, v in params.items()}


@dataclass(frozen=True, eq=False)
class FitProblem:
    """Maximise ``loglik(theta) + log prior(theta)`` over the free parameters.

    ``parametrization="unconstrained"`` adds the log Jacobian of the map from the
    real line (so the mode is the mode of the density of log/logit parameters).
    """

    family: Distribution
    stats: Any
    prior: Any = None
    parametrization: str = "natural"

    @property
    def names(self) -> tuple[str, ...]:
        """The free parameters."""
        return self.family.estimable

    @property
    def by_observation(self) -> bool:
        """Parameters fixed per observation (``th.Gamma(rate=r)``): the family's
        statistics hooks do not apply; the log density is summed over the data and
        derivatives are numerical."""
        return bool(self.family.obs_arrays)

    def loglik(self, theta: Mapping[str, Value]) -> float:
        """Log-likelihood at the free values ``theta`` (fixed ones from the family)."""
        fam, stats = self.family, self.stats
        params = numpy_scalars({**fam.params, **theta})
        with np.errstate(all="ignore"):
            try:
                if isinstance(stats, CensoredStats):
                    return float(censored_loglik(fam, params, stats))
                if isinstance(stats, DataStats) and (not fam.has_loglik or fam.obs_arrays):
                    # no likelihood hook: the sum of log densities over the data
                    extra = {k: v for k, v in stats.obs.items() if k not in params}
                    return stats.total(fam.log_density(stats.x, {**params, **extra}))
                return fam.loglik(params, stats)
            except ARITHMETIC_ERRORS:
                return float("nan")

    def posterior_interval(self, level: float) -> dict[str, tuple[Any, Any]]:
        """The posterior's equal-tailed interval (exact for a conjugate prior, else the
        Laplace approximation); what ``Estimate.conf_int(kind="posterior")`` calls."""
        from .laplace_approximation import credible_interval

        return credible_interval(self, level)

    def profile(self, name: str, value: float, start: dict[str, Value] | None = None) -> float:
        """The objective maximised over the other free parameters with ``name = value``
        (:func:`profile_value`); what ``Estimate.conf_int(kind="profile")`` calls."""
        return profile_value(self, name, value, start)

    def logprior(self, theta: Mapping[str, Value]) -> float:
        """Log prior density at ``theta`` (0 without a prior)."""
        with np.errstate(all="ignore"):
            return prior_logpdf(self.prior, self.names, theta)

    def objective(self, theta: Mapping[str, Value]) -> float:
        """``loglik + logprior`` (the log posterior up to a constant)."""
        return self.loglik(theta) + self.logprior(theta)

    @property
    def analytic(self) -> bool:
        """Whether the family supplies an analytic score and Hessian for these statistics."""
        if self.family.obs_arrays:
            return False
        return self.family.has_score and not isinstance(self.stats, CensoredStats)

    def start(self) -> dict[str, float]:
        """Starting values: the family's moment start (or closed-form MLE), on stand-in
        data (bounds and interval midpoints) for censored data."""
        fam, stats = self.family, self.stats
        if fam.obs_arrays or isinstance(stats, CensoredStats):
            # stand-ins the family's own hooks can start from: for per-observation fixed
            # values, the family with each array replaced by its mean on the same data;
            # for censored data, the bounds and interval midpoints as exact values
            w: NDArray[np.float64] | None
            try:
                if isinstance(stats, CensoredStats):
                    x, w = stats.pseudo_data(fam)
                else:
                    assert isinstance(stats, DataStats)
                    means = {k: float(np.mean(v)) for k, v in fam.obs_arrays.items()}
                    fam = type(fam)(**{**fam.params, **means})
                    x, w = stats.x, stats.w
                stats = statistics_of(fam, x, weights=w)
            except (ValueError, TypeError):
                return {}
        return fam.start_values(stats)


def _default_start(dom: Any) -> float:
    low, high = getattr(dom, "low", None), getattr(dom, "high", None)
    if low is not None and high is not None:
        return 0.5 * (low + high)
    if low is not None:
        return low + 1.0
    if high is not None:
        return high - 1.0
    return 0.0


class _Objective:
    """The objective over unconstrained coordinates of some free parameters."""

    def __init__(self, problem: FitProblem, held: Mapping[str, Value]) -> None:
        fam = problem.family
        self.problem = problem
        self.held = dict(held)
        self.names = [n for n in problem.names if n not in held]
        bounds = support_bounds(problem)
        self.doms = [
            Interval(0.0, bounds[n]) if n in bounds else fam.param(n).domain for n in self.names
        ]
        order = fam.param_names()
        self.idx = [order.index(n) for n in self.names]
        self.unconstrained = problem.parametrization == "unconstrained"
        self._last: tuple[bytes, float] | None = None

    def theta(self, z: NDArray[np.float64]) -> dict[str, Value]:
        t, _, _ = domain_derivatives(self.doms, z)
        return {**self.held, **dict(zip(self.names, (float(v) for v in t), strict=True))}

    def ljac(self, z: NDArray[np.float64]) -> float:
        if not self.unconstrained:
            return 0.0
        return float(sum(float(d.log_jacobian(zi)) for d, zi in zip(self.doms, z, strict=True)))

    def f(self, z: NDArray[np.float64]) -> float:
        key = z.tobytes()
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        if not self._finite(z):
            return -np.inf
        with np.errstate(all="ignore"):
            v = self.problem.objective(self.theta(z)) + self.ljac(z)
        v = v if np.isfinite(v) else -np.inf
        self._last = (key, v)
        return v

    def _finite(self, z: NDArray[np.float64]) -> bool:
        with np.errstate(all="ignore"):
            t, _, _ = domain_derivatives(self.doms, z)
        return bool(np.all(np.isfinite(t)))

    def _prior_part(self, z: NDArray[np.float64]) -> float:
        if not self._finite(z):
            return -np.inf
        with np.errstate(all="ignore"):
            v = self.problem.logprior(self.theta(z)) + self.ljac(z)
        return v if np.isfinite(v) else -np.inf

    def fgh(self, z: NDArray[np.float64]) -> tuple[float, NDArray[np.float64], NDArray[np.float64]]:
        """Value, gradient and Hessian over z."""
        p = self.problem
        if not p.analytic or not self._finite(z):
            return fd_grad_hess(self.f, z)
        _t, d1, d2 = domain_derivatives(self.doms, z)
        theta = self.theta(z)
        params = numpy_scalars({**p.family.params, **theta})
        with np.errstate(all="ignore"):
            key = z.tobytes()
            if self._last is not None and self._last[0] == key and p.prior is None:
                ll = self._last[1] - self.ljac(z)
            else:
                ll = p.loglik(theta)
            try:
                g_full, h_full = p.family.score_hessian(params, p.stats)
            except ARITHMETIC_ERRORS:
                k = len(p.family.param_names())
                g_full, h_full = np.full(k, np.nan), np.full((k, k), np.nan)
        g = np.asarray(g_full, dtype=float)[self.idx]
        h = np.asarray(h_full, dtype=float)[np.ix_(self.idx, self.idx)]
        gz = d1 * g
        hz = d1[:, None] * h * d1[None, :] + np.diag(d2 * g)
        val = ll
        if p.prior is not None or self.unconstrained:
            pv, pg, ph = fd_grad_hess(self._prior_part, z)
            val, gz, hz = val + pv, gz + pg, hz + ph
        return (val if np.isfinite(val) else -np.inf), gz, hz

    def hessian_theta(self, z: NDArray[np.float64]) -> NDArray[np.float64]:
        """Hessian of the objective over the parameters themselves, at ``z``.

        From the z-Hessian: ``H_theta = (H_z - diag(theta'' g_theta)) / (theta' theta'^T)``.
        """
        _, gz, hz = self.fgh(z)
        _, d1, d2 = domain_derivatives(self.doms, z)
        if self.unconstrained:
            # the Jacobian term belongs to the z-density, not to theta's
            _, jg, jh = fd_grad_hess(self.ljac, z)
            gz, hz = gz - jg, hz - jh
        g_theta = gz / d1
        return np.asarray((hz - np.diag(d2 * g_theta)) / np.outer(d1, d1))


def support_bounds(problem: FitProblem) -> dict[str, float]:
    """Upper bounds the data put on free parameters (Pareto's ``xm <= min x``).

    Such a parameter lives on ``(0, bound]``: the solve maps it to the real line
    by a scaled logistic, and the bound itself is tried as a candidate (the log
    likelihood often increases up to it, so the mode sits there).
    """
    if not isinstance(problem.stats, DataStats):
        return {}
    found = problem.family.data_bounds(problem.stats)
    return {k: v for k, v in found.items() if k in problem.names}


def solve(
    problem: FitProblem,
    held: Mapping[str, Value] | None = None,
    start: Mapping[str, Value] | None = None,
) -> tuple[dict[str, Value], SolverResult]:
    """Maximise the problem's objective over its free parameters not in ``held``.

    Returns the maximiser (free parameters, ``held`` ones included) and the
    solver result (``fun`` is the maximum of the objective, without the log
    Jacobian term of the unconstrained parametrisation). A parameter bounded by
    the data (:func:`support_bounds`) is solved for inside its bound and at the
    bound (the other parameters re-optimised); the better of the two is kept.
    """
    theta, res = _solve_inside(problem, held or {}, start)
    bounds = {k: v for k, v in support_bounds(problem).items() if k not in (held or {})}
    for name, bound in bounds.items():
        at_edge = {**(held or {}), name: bound}
        theta_b, res_b = _solve_inside(problem, at_edge, start)
        inside_better = res.converged and res.fun > res_b.fun
        if res_b.converged and not inside_better:
            msg = (
                f"{name} = {bound:.6g}, at its bound from the data (the objective increases "
                f"up to it); {res_b.message}"
            )
            theta, res = (
                theta_b,
                SolverResult.done(res_b.x, res_b.fun, msg, res.iterations + res_b.iterations),
            )
    if not held and not bounds:
        theta, res = _edge_supremum(problem, theta, res)
    order = [*problem.names, *(k for k in theta if k not in problem.names)]
    return {k: theta[k] for k in order if k in theta}, res


#: how far (in log/logit units) a coordinate must have moved from its start, or be from
#: 0, before the solve checks whether the objective still rises towards the domain's edge
_FAR_FROM_START, _FAR_FROM_ZERO = 7.0, 12.0
#: the push (log/logit units, a factor of about 1100) that the edge check tries
_PUSH = 7.0


def _edge_supremum(
    problem: FitProblem, theta: dict[str, Value], res: SolverResult
) -> tuple[dict[str, Value], SolverResult]:
    """Report a supremum at the edge of the parameter space as a boundary, not a success.

    A solver that stops far out in a flat direction (Lomax shape -> inf on data no
    more dispersed than an exponential, a beta-binomial's a + b -> inf on
    binomial-looking counts, every observation right-censored) has not found a
    maximum: the objective keeps rising, or levels off, towards the edge. Each free
    coordinate far from its start is pushed a factor of ~1100 further (the others
    re-maximised); if the objective is no lower there, the supremum lies at the
    edge: status "boundary", the parameter named in ``edge``, the estimate where the
    solver stopped (a point on the way to the limit).
    """
    if not np.all(np.isfinite(res.x)) or not np.isfinite(res.fun):
        return theta, res
    obj = _Objective(problem, {})
    if len(res.x) != len(obj.names):
        return theta, res
    start = problem.start()
    far: list[tuple[int, str, float]] = []
    for i, (name, dom) in enumerate(zip(obj.names, obj.doms, strict=True)):
        z = float(res.x[i])
        s = start.get(name)
        z_start = 0.0
        if s is not None and np.isfinite(s) and dom.contains(s) and not dom.is_boundary(s):
            z_start = float(dom.to_unconstrained(s))
        if abs(z - z_start) > _FAR_FROM_START or abs(z) > _FAR_FROM_ZERO:
            far.append((i, name, 1.0 if z > z_start else -1.0))
    if not far:
        return theta, res
    tol = 1e-7 * (1.0 + abs(res.fun))
    # all far coordinates pushed together (a ridge such as a, b -> inf at a fixed ratio),
    # as far as the values stay finite floats
    for push in (_PUSH, 1.0, 0.1):
        z_push = np.array(res.x, dtype=float)
        for i, _, direction in far:
            z_push[i] += direction * push
        with np.errstate(all="ignore"):
            pushed_theta = obj.theta(z_push)
        if all(np.isfinite(v) for v in pushed_theta.values()):
            break
    else:
        return theta, res
    edge: list[str] = []
    try:
        with np.errstate(all="ignore"):
            f_joint = problem.objective(pushed_theta)
        if f_joint >= res.fun - tol:  # (+inf: the objective is unbounded there)
            edge = [name for _, name, _ in far]
        else:  # one at a time, the others re-maximised
            for i, name, direction in far:
                if _pushed_alone_no_lower(problem, obj, res, i, name, direction, pushed_theta, tol):
                    edge.append(name)
    except ValueError:  # a custom model that cannot be evaluated out there
        return theta, res
    if not edge:
        return theta, res
    where = ", ".join(
        f"{n} -> {'infinity' if float(res.x[obj.names.index(n)]) > 0 else 'its lower end'}"
        f" (stopped at {float(theta[n]):.6g})"
        for n in edge
    )
    msg = (
        f"the objective has no maximum inside the parameter space: it keeps rising or levels "
        f"off as {where}, so the supremum is a limit on the edge of the domain"
    )
    return theta, SolverResult(
        res.x, res.fun, True, Status.BOUNDARY, msg, res.iterations, edge=tuple(edge)
    )


def _pushed_alone_no_lower(
    problem: FitProblem,
    obj: _Objective,
    res: SolverResult,
    i: int,
    name: str,
    direction: float,
    joint: Mapping[str, Value],
    tol: float,
) -> bool:
    """Whether pushing coordinate ``i`` alone, the others re-maximised, loses nothing.

    The re-maximisation starts at the joint push, else where the solver stopped with
    only this coordinate pushed; along a curved ridge (Burr's shape1 -> inf with the
    rate falling as shape1^(-1/shape2): the Weibull limit) the objective can be -inf
    at a far push with the others held, so shorter pushes (a factor e, then 1.1)
    are tried until the re-maximisation can start.
    """
    for push in (_PUSH, 1.0, 0.1):
        starts: list[Mapping[str, Value]] = []
        if push == _PUSH:
            starts.append(joint)
        z_alone = np.array(res.x, dtype=float)
        z_alone[i] += direction * push
        with np.errstate(all="ignore"):
            starts.append(obj.theta(z_alone))
        for start in starts:
            if not all(np.isfinite(v) for v in start.values()):
                continue
            with np.errstate(all="ignore"):
                if not np.isfinite(problem.objective(start)):
                    continue
            pushed = _solve_inside(problem, {name: start[name]}, start)[1]
            return bool(pushed.fun >= res.fun - tol)
    return False


def _solve_inside(
    problem: FitProblem,
    held: Mapping[str, Value],
    start: Mapping[str, Value] | None,
) -> tuple[dict[str, Value], SolverResult]:
    obj = _Objective(problem, held)
    if not obj.names:
        val = problem.objective(obj.held)
        res = SolverResult.of(np.zeros(0), val, bool(np.isfinite(val)), "nothing free", 0)
        return dict(obj.held), res
    guess = {**problem.start(), **(start or {})}
    z0 = np.empty(len(obj.names))
    for i, (n, d) in enumerate(zip(obj.names, obj.doms, strict=True)):
        v = guess.get(n)
        high = getattr(d, "high", None)
        if v is not None and high is not None and np.isfinite(v) and v >= high:
            v = high * (1.0 - 1.0 / (problem.stats.n + 1.0))  # just inside a data bound
        ok = v is not None and np.isfinite(v) and d.contains(v) and not d.is_boundary(v)
        z0[i] = float(d.to_unconstrained(float(v) if ok and v is not None else _default_start(d)))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = maximize(obj.fgh, z0, f_only=obj.f)
    theta = obj.theta(res.x)
    edge = [
        n
        for n, d, zi in zip(obj.names, obj.doms, res.x, strict=True)
        if (getattr(d, "low", None) is not None or getattr(d, "high", None) is not None)
        and abs(zi) > 300.0
    ]
    if res.converged and edge:
        msg = (
            f"{', '.join(edge)} ran off to the edge of its domain "
            f"({', '.join(f'{n} = {theta[n]:.3g}' for n in edge)}): the objective has no "
            "maximum inside the parameter space"
        )
        res = SolverResult.failed(res.x, res.fun, msg, res.iterations)
    value = obj.f(res.x) - obj.ljac(res.x) if res.converged else problem.objective(theta)
    return theta, dataclasses.replace(res, fun=value)


def hessian_theta(
    problem: FitProblem, theta: Mapping[str, Value], held: Mapping[str, Value] | None = None
) -> NDArray[np.float64]:
    """Hessian of the objective over the free parameters (less ``held``) at ``theta``."""
    obj = _Objective(problem, held or {})
    z = np.array(
        [float(d.to_unconstrained(theta[n])) for n, d in zip(obj.names, obj.doms, strict=True)]
    )
    return obj.hessian_theta(z)


def hessian_z(
    problem: FitProblem, theta: Mapping[str, Value]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Hessian over the unconstrained coordinates at ``theta``, and d theta / dz."""
    obj = _Objective(problem, {})
    z = np.array(
        [float(d.to_unconstrained(theta[n])) for n, d in zip(obj.names, obj.doms, strict=True)]
    )
    _, d1, _ = domain_derivatives(obj.doms, z)
    return obj.fgh(z)[2], d1


def profile_value(
    problem: FitProblem, name: str, value: float, start: dict[str, Value] | None = None
) -> float:
    """The profile objective: max over the other free parameters with ``name = value``.

    ``start`` (updated in place with the maximiser) warm-starts the inner solve.
    """
    fam = problem.family
    if (
        problem.prior is None
        and not isinstance(problem.stats, CensoredStats)
        and not problem.by_observation
    ):
        # fast paths of the family with the parameter fixed
        sub = fam.with_params(**{name: value})
        if not sub.estimable:
            return FitProblem(sub, problem.stats).objective({})
        with np.errstate(all="ignore"):
            try:
                est = sub.closed_form_mle(problem.stats)
            except (ValueError, *ARITHMETIC_ERRORS):
                est = None
        if est is not None:
            return FitProblem(sub, problem.stats).objective(est)
    theta, res = solve(problem, {name: value}, start)
    if start is not None and res.converged:
        start.update({k: v for k, v in theta.items() if k != name})
    return float(res.fun)
