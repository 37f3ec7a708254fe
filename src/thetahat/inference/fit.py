"""``fit``: maximum likelihood and maximum a posteriori estimates.

Dispatch, in order of preference:

0. a plain array or list of at most 4,096 values, every keyword at its default, and a
   family with every parameter free that has a short path (Normal, Poisson,
   Exponential, Gamma; the Newton families Beta, Weibull, Student t through
   :mod:`~thetahat.inference._direct_newton`):
   :func:`thetahat.inference._direct.direct_fit`, the same Estimate as below without
   its layers (issue 12: a small fit's fixed cost);
1. no prior (or ``Flat``): the family's closed-form MLE (``_mle``), else its
   fast path (``_fit_fast``: a profile Newton solve on one shape parameter, or a
   Newton solve in scalar arithmetic);
2. a conjugate prior: the mode of the exact posterior, with the inverse
   curvature of the log posterior at the mode as covariance;
3. anything else (other priors, censored data, families without a formula):
   Newton's method on the log posterior over the parameters mapped to the real
   line, with the family's analytic score and Hessian where it has them
   (:mod:`thetahat.inference._solve`); BFGS only if Newton fails.

The covariance is the inverse observed information by default
(:mod:`thetahat.inference.information`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._domains import Interval
from .._warnings import warn_user
from ..conjugacy import conjugate_priors, find_rule
from ..distributions import Distribution
from ..optim import SolverResult, Status, invert_information
from ..results import BoundaryWarning, ConvergenceWarning, Estimate, _flat_labels
from ..statistics import CensoredStats, DataStats, SuffStats, statistics_of
from ._direct import direct_fit
from ._family import as_family, check_prior, is_flat, resolve_categorical
from ._priors import check_prior_support
from ._solve import ARITHMETIC_ERRORS, FitProblem, solve
from .information import INFORMATION_KINDS, covariance

__all__ = ["fit"]

#: how a MAP's intervals are labelled (its Wald interval is the curvature at the mode)
MAP_INTERVAL_NOTE = (
    "Wald intervals at the MAP are approximate; conf_int(kind='posterior') gives the posterior's"
)


#: the solver result of every closed-form fit (immutable: its x is read-only)
_CLOSED_FORM = SolverResult.done(np.zeros(0), np.nan, "closed form")
_CLOSED_FORM.x.flags.writeable = False


def fit(
    family: Any,
    data: Any,
    *,
    prior: Any = None,
    weights: ArrayLike | None = None,
    exposure: ArrayLike | None = None,
    information: str = "observed",
    parametrization: str = "natural",
    column: str | None = None,
    by: Any = None,
    trials: Any = None,
    nulls: str = "error",
) -> Any:
    """Fit a family's free parameters by maximum likelihood (MLE) or MAP.

    Parameters
    ----------
    family : Distribution class or instance
        ``th.Gamma`` estimates every parameter; ``th.Gamma(shape=2)`` fixes the
        shape and estimates the rate; a :func:`thetahat.Model` is a custom family.
    data : array_like, dataframe, Scan, Censored or SuffStats
        Observations (a 2-d array of count vectors for Multinomial); a table
        (pandas, polars eager or lazy, pyarrow, a DuckDB relation, or
        :func:`thetahat.scan` of files) with ``column=``, whose statistics are
        computed where the data live;
        ``th.Censored(lower, upper)`` for right-, left- and interval-censored
        data (continuous families); or the family's sufficient statistics already
        computed (e.g. merged from chunks with ``+``).
    prior : Distribution or dict, optional
        None for the MLE. A distribution over the free parameter, a dict
        name -> distribution (each one's support must match the parameter's
        domain: a Gamma or LogNormal for a positive parameter, a Beta for a
        probability), or a joint prior over all free parameters (a conjugate one
        such as ``NormalInverseGamma``, or a ``MultivariateNormal``).
        ``th.Flat()`` gives the MLE as a MAP.
    weights : array_like or str, optional
        Frequency weights: the same result as repeating each row ``w`` times
        (with a table: the weight column's name).
    exposure : array_like or str, optional
        Poisson only: exposure (time at risk, ...) per observation (or column).
    information : {"observed", "expected"}
        Standard errors from the observed information (minus the Hessian of the
        log-likelihood or log posterior at the estimate, the default) or from
        the expected (Fisher) information where the family has a closed form.
    parametrization : {"natural", "unconstrained"}
        Where the MAP is the mode: of the posterior density over the parameters
        as written (the default), or over their unconstrained versions (log of
        a positive parameter, logit of a probability); the estimate is reported
        on the natural scale, ``Estimate.unconstrained`` holds the coordinates.
    column : str, optional
        With a table: the column of observations.
    by : str, sequence of str, or array_like, optional
        Fit each group of these key columns (with an array: labels, one per
        observation): returns a :class:`~thetahat.results.fittable.FitTable`,
        vectorised across groups.
    trials : str or array_like, optional
        Binomial (and Beta-Binomial) trials per observation (a column name
        with a table).
    nulls : {"error", "drop"}
        With a table: a null in a used column is an error naming the count, or
        its row is dropped (``Estimate.n_dropped`` records how many).

    Returns
    -------
    Estimate or FitTable
        With ``status`` ("success", "boundary" or "failed"), ``message`` and
        ``iterations`` from the solver; ``conf_int(kind="profile")`` works on it.
        With ``by=``, a ``FitTable``.

    Notes
    -----
    The MLE maximises ``sum_i w_i log p(x_i | theta)``; the MAP maximises that
    plus ``log p(theta)``. The MAP is the mode of the posterior density *over the
    parameters as the prior is written*: unlike the MLE it is not invariant under
    reparametrisation (the mode of a rate's posterior is not the inverse of the
    mode of the scale's), hence ``parametrization``.

    An estimate on the boundary of the parameter space (three heads: p = 1)
    comes back with a :class:`BoundaryWarning` and ``se = inf``: the likelihood
    does not curve there, and a prior is the fix.

    Examples
    --------
    >>> import thetahat as th
    >>> est = th.fit(th.Normal, [4.9, 5.6, 5.1, 4.4, 5.0])
    >>> {k: round(v, 4) for k, v in est.params.items()}
    {'mu': 5.0, 'sigma': 0.3847}
    >>> round(est.se["mu"], 4)
    0.172
    >>> th.fit(th.Bernoulli, [1, 1, 1]).status
    <Status.BOUNDARY: 'boundary'>
    >>> th.fit(th.Bernoulli, [1, 1, 1], prior=th.Beta(2, 2)).params
    {'p': 0.8}
    >>> th.fit(th.Poisson, [3, 5, 2], exposure=[1.0, 2.0, 0.5]).params
    {'rate': 2.857142857142857}
    """
    if (
        prior is None
        and weights is None
        and exposure is None
        and column is None
        and by is None
        and trials is None
        and information == "observed"
        and parametrization == "natural"
    ):
        est = direct_fit(family, data)
        if est is not None:
            return est
    est = _fit(family, data, prior, weights, exposure, information, parametrization, column,
               by, trials, nulls)  # fmt: skip
    if isinstance(est, Estimate) and column is None and not isinstance(data, SuffStats):
        if not _is_table(data):
            # keep a reference to the data (no copy) for Estimate.gof and .bootstrap, which
            # re-fit resamples of them; ``est`` was just built for this call and nobody else
            # holds it: set the two fields in place (dataclasses.replace re-runs __init__)
            object.__setattr__(est, "data", data)
            object.__setattr__(est, "weights", weights)
    return est


def _fit(
    family: Any,
    data: Any,
    prior: Any,
    weights: Any,
    exposure: Any,
    information: str,
    parametrization: str,
    column: str | None,
    by: Any,
    trials: Any,
    nulls: str,
) -> Any:
    """``fit``'s general route (every case; see ``fit``)."""
    if column is not None or by is not None or trials is not None or _is_table(data):
        from .frames import fit_table

        return fit_table(family, data, column=column, by=by, weights=weights, exposure=exposure,
                         trials=trials, nulls=nulls, prior=prior, information=information,
                         parametrization=parametrization)  # fmt: skip
    if information not in INFORMATION_KINDS:
        raise ValueError(f"information must be 'observed' or 'expected', got {information!r}")
    if parametrization not in ("natural", "unconstrained"):
        raise ValueError(
            f"parametrization must be 'natural' or 'unconstrained', got {parametrization!r}"
        )
    fam = as_family(family)
    prior = check_prior(prior, fam)
    if isinstance(prior, Mapping) and len(prior) == 1 and not is_flat(prior):
        only = next(iter(prior.values()))
        if find_rule(resolve_categorical(fam, only), only) is not None:
            prior = only
    fam = resolve_categorical(fam, prior)
    if not fam.estimable:
        raise ValueError(f"every parameter of {fam!r} is given: there is nothing to fit")
    flat = prior is None or is_flat(prior)
    if not flat and find_rule(fam, prior) is None:
        check_prior_support(prior, fam)
    # the MLE is invariant under reparametrisation: only a MAP depends on the coordinates
    mode_space = "natural" if flat else parametrization
    stats = statistics_of(fam, data, weights=weights, exposure=exposure)
    if isinstance(stats, CensoredStats):
        problem = FitProblem(fam, stats, None if flat else prior, mode_space)
        return _fit_iterative(problem, prior, information)
    if fam.obs_arrays:
        # per-observation fixed values: the log density summed over the data
        problem = FitProblem(fam, stats, None if flat else prior, mode_space)
        return _fit_iterative(problem, prior, information)
    if flat:
        problem = FitProblem(fam, stats, None)
        est = _formula(fam.closed_form_mle, stats)
        if est is not None:
            return _estimate(problem, est, _CLOSED_FORM, prior, information)
        found = _formula(fam.fast_fit, stats)
        if found is not None:
            return _estimate(problem, found[0], found[1], prior, information)
        return _fit_iterative(problem, prior, information)
    rule = find_rule(fam, prior)
    if rule is not None and parametrization == "natural":
        return _fit_conjugate_map(fam, stats, prior, rule)
    return _fit_iterative(FitProblem(fam, stats, prior, parametrization), prior, information)


# ---------------------------------------------------------------------- helpers
def _is_table(data: Any) -> bool:
    """A dataframe, lazy frame, relation or scan (checked without importing their libraries)."""
    if isinstance(data, np.ndarray | list | tuple | float | int | SuffStats):
        return False
    from .frames import is_table

    return is_table(data)


def _any_nan(params: Mapping[str, Any]) -> bool:
    for v in params.values():
        if type(v) is float:
            if math.isnan(v):
                return True
        elif np.any(np.isnan(np.asarray(v, dtype=float))):
            return True
    return False


def _formula(hook: Any, stats: Any) -> Any:
    """A family's closed form or fast path, or None (the generic solve) where its Python
    arithmetic breaks down at extreme data (a zero divisor, an overflow near 1e308)."""
    try:
        with np.errstate(all="ignore"):
            return hook(stats)
    except ARITHMETIC_ERRORS:
        return None


def _boundary(fam: Distribution, params: Mapping[str, Any]) -> dict[str, NDArray[np.bool_]]:
    out = {}
    for name, v in params.items():
        try:
            dom = fam.param(name).domain
        except KeyError:
            continue
        if type(v) is float and isinstance(dom, Interval):
            # a scalar in an interval (the common case): plain comparisons
            low, high = dom.low, dom.high
            if math.isfinite(v) and (low is None or v > low) and (high is None or v < high):
                continue
        # infinite values are on the edge; NaN ones are not (a breakdown, reported as such)
        edge = np.asarray(dom.is_boundary(v)) | np.isinf(np.asarray(v, dtype=float))
        if isinstance(v, float) and not math.isnan(v) and not dom.contains(v):
            edge = np.asarray(True)
        if np.any(edge):
            out[name] = np.atleast_1d(edge)
    return out


def _boundary_message(fam: Distribution, name: str, value: Any, edge: Any, how: str) -> str:
    cls = type(fam).__name__
    if np.ndim(value) == 0:
        where = f"{name} = {float(value):g}"
    else:
        idx = np.flatnonzero(edge).tolist()
        where = f"{name}[{', '.join(map(str, idx))}] = {float(np.asarray(value)[idx[0]]):g}"
    priors = conjugate_priors(fam)
    hint = f" (conjugate: {'; '.join(priors)})" if priors else ""
    return (
        f"The {how} of {cls} has {where}, on the boundary of the parameter space: the data "
        f"alone cannot rule the other values out, so the standard error is infinite. "
        f"A prior fixes this{hint}."
    )


def _inf_rows(cov: NDArray[np.float64], labels: list[str], bad: dict[str, Any]) -> None:
    for name, edge in bad.items():
        if edge.size == 1:
            idx = [labels.index(name)]
        else:
            idx = [labels.index(f"{name}[{i}]") for i in np.flatnonzero(edge)]
        cov[idx, :] = np.inf
        cov[:, idx] = np.inf


def _warn(messages: list[str], category: type[Warning]) -> None:
    for m in messages:
        warn_user(m, category)


def _fit_conjugate_map(fam: Distribution, stats: Any, prior: Distribution, rule: Any) -> Estimate:
    post = rule.update(prior, stats, fam)
    mode_value = post.mode()
    params = {
        k: (float(v) if np.ndim(v) == 0 else np.asarray(v))
        for k, v in rule.split(mode_value).items()
    }
    fam_params = {**fam.params, **rule.to_family(params)}
    with np.errstate(divide="ignore", invalid="ignore"):
        loglik = fam.loglik(fam_params, stats)
        logprior = float(np.sum(prior.logdensity(mode_value)))
    labels = _flat_labels(params)
    try:
        with np.errstate(all="ignore"):
            cov = np.array(rule.curvature(post), dtype=float)
    except ARITHMETIC_ERRORS:
        # a mode on the edge of the parameter space (HHH under Beta(1, 1): p = 1), where
        # the log posterior does not curve: infinite standard errors, marked below
        cov = np.full((len(labels),) * 2, np.inf)
    bad = {k: e for k, e in _boundary(fam, rule.to_family(params)).items() if k in params}
    # boundary of a parameter named differently from the family's (var vs sigma)
    for name, v in params.items():
        if name not in fam.param_names() and np.any(np.asarray(v) <= 0):
            bad[name] = np.atleast_1d(np.asarray(v) <= 0)
    bad = {k: e for k, e in bad.items() if k in params}
    _inf_rows(cov, labels, bad)
    msgs = [_boundary_message(fam, k, params[k], e, "MAP") for k, e in bad.items()]
    _warn(msgs, BoundaryWarning)
    status = Status.BOUNDARY if bad else Status.SUCCESS
    if _any_nan(params) or math.isnan(loglik):
        status = Status.FAILED
        msgs.append(
            "the posterior mode or its log-likelihood is not a number: float64 arithmetic "
            "broke down on these data (magnitudes near 1e300); rescale the data"
        )
        _warn(msgs[-1:], ConvergenceWarning)
    return Estimate(
        method="map",
        params=params,
        cov=cov,
        loglik=loglik,
        n=float(stats.n),
        df_model=fam.df_of(params),
        family=fam,
        logpost=loglik + logprior,
        prior=prior,
        warnings=tuple(msgs),
        status=status,
        converged=status != Status.FAILED,
        message=f"mode of the exact posterior {post!r}; {MAP_INTERVAL_NOTE}",
        family_params=rule.to_family(params),
        posterior=post,
        objective=_conjugate_objective(fam, stats, prior, params),
    )


def _conjugate_objective(
    fam: Distribution, stats: Any, prior: Any, params: dict[str, Any]
) -> FitProblem | None:
    """The objective for posterior intervals (and profile intervals, where the parameters
    are scalars named as the family's)."""
    del params  # the objective is over the family's own parameters
    return _kept(FitProblem(fam, stats, prior))


def _kept(problem: FitProblem) -> FitProblem:
    """The objective an Estimate keeps for profile intervals, holding no more than needed.

    Families with sufficient statistics keep those (a few numbers; never the
    data). Families without them (Weibull, Student t, Laplace, Pareto) and
    censored data keep the validated data: the caller's float64 array itself, not
    a copy, with the weights; arrays derived during the fit (``log x``) are
    dropped and recomputed if a profile interval asks for them. Discrete data
    keep their frequency table.
    """
    stats = problem.stats
    if isinstance(stats, DataStats) and stats.cache:
        return _replaced(problem, stats=_replaced(stats, cache={}))
    return problem


def _replaced(obj: Any, **changes: Any) -> Any:
    """``dataclasses.replace`` for a dataclass without ``__post_init__`` or init-only
    fields: a shallow copy of its fields with ``changes`` set, without re-running the
    generated ``__init__`` (a quarter of the cost)."""
    new = object.__new__(type(obj))
    fields = vars(new)
    fields.update(vars(obj))
    fields.update(changes)
    return new


def _fit_iterative(problem: FitProblem, prior: Any, information: str) -> Estimate:
    for name in problem.names:
        if problem.family.param(name).domain.vector:
            raise ValueError(
                f"{type(problem.family).__name__} parameter {name} is a vector with no "
                "closed-form fit under this prior; use a conjugate prior"
            )
    theta, res = solve(problem)
    return _estimate(problem, theta, res, prior, information)


def _estimate(
    problem: FitProblem,
    est: dict[str, Any],
    res: SolverResult,
    prior: Any,
    information: str,
) -> Estimate:
    """Assemble the Estimate: log-likelihood, covariance, boundary and convergence notes."""
    direct = _estimate_direct(problem, est, res, prior, information)
    if direct is not None:
        return direct
    fam = problem.family
    est = {
        k: (v if type(v) is float else float(v) if np.ndim(v) == 0 else v) for k, v in est.items()
    }
    labels = _flat_labels(est)
    bad = _boundary(fam, est)
    # the solver's value is the log-likelihood for an MLE (+inf where it grows without
    # bound towards a degenerate estimate); recompute otherwise
    fresh = problem.prior is not None or math.isnan(res.fun) or res.fun == -np.inf
    loglik = problem.loglik(est) if fresh else res.fun
    try:
        with np.errstate(all="ignore"):
            cov = np.array(covariance(problem, est, information), dtype=float)
    except (*ARITHMETIC_ERRORS, np.linalg.LinAlgError):
        # the curvature overflows or divides by zero: no usable information there
        cov = np.full((len(labels),) * 2, np.inf)
    except ValueError:
        if not bad:
            raise
        cov = np.full((len(labels),) * 2, np.inf)
    if cov.shape != (len(labels), len(labels)):
        cov = np.full((len(labels),) * 2, np.inf)
    # a supremum the solver found on the edge (Lomax shape -> inf): no curvature there
    edge = {n: np.ones(1, dtype=bool) for n in res.edge if n in est and n not in bad}
    _inf_rows(cov, labels, {**bad, **edge})
    how = "MLE" if problem.prior is None else "MAP"
    msgs = [_boundary_message(fam, k, est[k], e, how) for k, e in bad.items()]
    if res.status == "boundary" and res.message:
        msgs.insert(0, res.message)
    _warn(msgs, BoundaryWarning)
    failed = not res.converged and res.status != "boundary"
    if failed:
        conv = f"the optimiser did not converge: {res.message}"
        msgs.append(conv)
        _warn([conv], ConvergenceWarning)
    elif _any_nan(est) or math.isnan(loglik):
        # never "success" or "boundary" with a NaN: the arithmetic broke down
        failed = True
        conv = (
            "the estimate or its log-likelihood is not a number: float64 arithmetic broke "
            "down on these data (magnitudes near 1e300 overflow when squared); rescale the data"
        )
        msgs.append(conv)
        _warn([conv], ConvergenceWarning)
    if failed:
        status = Status.FAILED
    elif bad or res.status is Status.BOUNDARY:
        status = Status.BOUNDARY
    else:
        status = Status.SUCCESS
    unconstrained = None
    if problem.parametrization == "unconstrained":
        unconstrained = {k: float(fam.param(k).domain.to_unconstrained(v)) for k, v in est.items()}
    logpost = None
    if prior is not None:
        logpost = float(loglik + problem.logprior(est)) if problem.prior is not None else loglik
    return Estimate(
        method="mle" if prior is None else "map",
        params=est,
        cov=cov,
        loglik=float(loglik),
        n=float(problem.stats.n),
        df_model=fam.df_of(est),
        family=fam,
        logpost=logpost,
        prior=prior,
        warnings=tuple(msgs),
        status=status,
        message=res.message if prior is None else f"{res.message}; {MAP_INTERVAL_NOTE}",
        converged=(res.converged and not failed) or status == "boundary",
        iterations=res.iterations,
        objective=_kept(problem),
        information=information,
        unconstrained=unconstrained,
        details=_details(problem, est),
    )


def _estimate_direct(
    problem: FitProblem,
    est: dict[str, Any],
    res: SolverResult,
    prior: Any,
    information: str,
) -> Estimate | None:
    """The Estimate of an interior MLE of scalar parameters, assembled directly.

    The common case of a small fit (no prior, a converged solve inside the
    parameter space, observed information, sufficient statistics or data without
    per-observation parameters): the same fields ``_estimate`` gives, computed in
    Python floats under one ``errstate`` and without the general route's checks for
    what cannot happen here (issue 12: a fit's fixed cost). Anything else, or an
    arithmetic exception where numpy scalars would give inf or nan, returns None and
    the general route decides.
    """
    if (
        prior is not None
        or information != "observed"
        or res.status is not Status.SUCCESS
        or res.edge
        or problem.parametrization != "natural"
    ):
        return None
    fam, stats = problem.family, problem.stats
    if type(stats) is CensoredStats or fam.obs_arrays:
        return None
    isfinite = math.isfinite
    theta: dict[str, float] = {}
    for k, v in est.items():
        if type(v) is not float:
            if np.ndim(v) != 0:
                return None
            v = float(v)
        if not isfinite(v):
            return None
        theta[k] = v
    if _boundary(fam, theta):
        return None
    params = {**fam.params, **theta}
    try:
        with np.errstate(all="ignore"):
            if isinstance(stats, DataStats) and fam.data_bounds(stats):
                return None  # a parameter bounded by the data (Pareto's xm)
            if math.isnan(res.fun) or res.fun == -math.inf:
                if isinstance(stats, DataStats) and not fam.has_loglik:
                    return None
                loglik = fam.loglik(params, stats)
            else:
                loglik = res.fun
            if fam.has_closed_form_covariance:
                cov = np.array(fam.closed_form_covariance(params, stats), dtype=float)
            else:
                info = (
                    fam.observed_information(params, stats)
                    if problem.analytic
                    else fam.fisher_information(params, stats)
                )
                if info is None:
                    return None  # numerical curvature: the general route
                cov = invert_information(info)
    except (*ARITHMETIC_ERRORS, ValueError, np.linalg.LinAlgError):
        return None
    size = len(theta)
    if math.isnan(loglik) or cov.shape != (size, size):
        return None
    # success, converged, finite parameters: nothing for Estimate.__post_init__ to change
    return Estimate._interior_mle(
        theta,
        cov,
        float(loglik),
        float(stats.n),
        fam,
        res.message,
        res.iterations,
        _kept(problem),
        _details(problem, theta),
    )


def _details(problem: FitProblem, est: dict[str, Any]) -> dict[str, Any]:
    """What the family reports besides an MLE's parameters (none for a MAP)."""
    if problem.prior is not None or isinstance(problem.stats, CensoredStats | DataStats):
        return {}
    try:
        return problem.family.fit_details({**problem.family.params, **est}, problem.stats)
    except ARITHMETIC_ERRORS:
        return {}
