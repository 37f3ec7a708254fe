"""``fit``: maximum likelihood and maximum a posteriori estimates.

Dispatch, in order of preference:

1. no prior (or ``Flat``): the family's closed-form MLE from its sufficient
   statistics, with the inverse Fisher information as covariance;
2. a conjugate prior: the mode of the exact posterior, with the inverse
   curvature of the log posterior at the mode as covariance;
3. anything else: numerical maximisation of the log posterior over the
   parameters mapped to the real line (:mod:`thetahat.optim`).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..conjugacy import conjugate_priors, find_rule
from ..distributions import Distribution
from ..optim import minimize_unconstrained, numeric_hessian
from ..results import BoundaryWarning, ConvergenceWarning, Estimate, _flat_labels
from ..stats import SuffStats
from ._family import as_family, check_prior, is_flat, resolve_categorical

__all__ = ["fit"]


def stats_of(fam: Distribution, data: Any, weights: Any, exposure: Any) -> Any:
    """The family's sufficient statistics of ``data``, or ``data`` itself when it is
    already a :class:`SuffStats` of the right type (merged chunks, SQL aggregates)."""
    if isinstance(data, SuffStats):
        if fam._stats_type is None or not isinstance(data, fam._stats_type):
            raise TypeError(
                f"{type(data).__name__} are not the sufficient statistics of "
                f"{type(fam).__name__} (expected {getattr(fam._stats_type, '__name__', None)})"
            )
        if weights is not None or exposure is not None:
            raise ValueError(
                "weights and exposure belong to raw data; they are already in the statistics"
            )
        if data.n <= 0:
            raise ValueError("the sufficient statistics hold no observations")
        return data
    obs = {} if exposure is None else {"exposure": exposure}
    return fam.suff_stats(data, weights, **obs)


def fit(
    family: Any,
    data: Any,
    *,
    prior: Any = None,
    weights: ArrayLike | None = None,
    exposure: ArrayLike | None = None,
) -> Estimate:
    """Fit a family's free parameters by maximum likelihood (MLE) or MAP.

    Parameters
    ----------
    family : Distribution class or instance
        ``th.Poisson`` estimates every parameter; ``th.Normal(sigma=2.0)`` fixes
        sigma and estimates mu.
    data : array_like or SuffStats
        Observations (a 2-d array of count vectors for Multinomial), or the family's
        sufficient statistics already computed (e.g. merged from chunks with ``+``).
    prior : Distribution or dict, optional
        None for the MLE. A distribution over the free parameter (or the joint
        conjugate prior, e.g. ``NormalInverseGamma`` for a Normal's (mu, var)),
        or a dict name -> distribution. ``th.Flat()`` gives the MLE as a MAP.
    weights : array_like, optional
        Frequency weights: the same result as repeating each row ``w`` times.
    exposure : array_like, optional
        Poisson only: exposure (time at risk, ...) per observation.

    Returns
    -------
    Estimate

    Notes
    -----
    The MLE maximises ``sum_i w_i log p(x_i | theta)``; the MAP maximises that
    plus ``log p(theta)``. The MAP is the mode of the posterior density *over the
    parameters as the prior is written*: it is not invariant under
    reparametrisation (a prior on the variance gives the mode of the variance,
    reported as ``var``), while the MLE is.

    An estimate on the boundary of the parameter space (three heads: p = 1)
    comes back with a :class:`BoundaryWarning` and ``se = inf``: the likelihood
    does not curve there, and a prior is the fix.
    """
    fam = as_family(family)
    prior = check_prior(prior, fam)
    if isinstance(prior, Mapping) and len(prior) == 1 and not is_flat(prior):
        only = next(iter(prior.values()))
        if find_rule(resolve_categorical(fam, only), only) is not None:
            prior = only
    fam = resolve_categorical(fam, prior)
    if not fam.estimable:
        raise ValueError(f"every parameter of {fam!r} is given: there is nothing to fit")
    stats = stats_of(fam, data, weights, exposure)
    if prior is None or is_flat(prior):
        return _fit_mle(fam, stats, prior)
    rule = find_rule(fam, prior)
    if rule is not None:
        return _fit_conjugate_map(fam, stats, prior, rule)
    return _fit_generic(fam, stats, prior)


# ---------------------------------------------------------------------- helpers
def _boundary(fam: Distribution, params: Mapping[str, Any]) -> dict[str, NDArray[np.bool_]]:
    out = {}
    for name, v in params.items():
        try:
            dom = fam.param(name).domain
        except KeyError:
            continue
        edge = np.asarray(dom.is_boundary(v)) | ~np.isfinite(np.asarray(v, dtype=float))
        if isinstance(v, float) and not dom.contains(v):
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


def _invert(info: NDArray[np.float64]) -> NDArray[np.float64]:
    info = np.asarray(info, dtype=float)
    if info.size == 0:
        return info
    if not np.all(np.isfinite(info)):
        out = np.full(info.shape, np.inf)
        return out
    try:
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        return np.full(info.shape, np.inf)
    if np.any(np.diag(cov) < 0):
        return np.full(info.shape, np.inf)
    return np.asarray(cov)


def _warn(messages: list[str], category: type[Warning]) -> None:
    for m in messages:
        warnings.warn(m, category, stacklevel=3)


def _fit_mle(fam: Distribution, stats: Any, prior: Any) -> Estimate:
    est = fam._mle(stats)
    if est is None:
        return _fit_generic(fam, stats, prior)
    all_params = {**fam.params, **est}
    labels = _flat_labels(est)
    bad = _boundary(fam, est)
    with np.errstate(divide="ignore", invalid="ignore"):
        loglik = fam._loglik(all_params, stats)
    cov_fn = getattr(fam, "_covariance", None)
    if cov_fn is not None:
        cov = np.array(cov_fn(all_params, stats), dtype=float)
    else:
        info = fam._information(all_params, stats)
        cov = _invert(np.asarray(info)) if info is not None else np.full((len(labels),) * 2, np.inf)
    _inf_rows(cov, labels, bad)
    msgs = [_boundary_message(fam, k, est[k], e, "MLE") for k, e in bad.items()]
    _warn(msgs, BoundaryWarning)
    method = "mle" if prior is None else "map"
    return Estimate(
        method=method,
        params=est,
        cov=cov,
        loglik=float(loglik),
        n=float(stats.n),
        df_model=fam.df_of(est),
        family=fam,
        logpost=None if prior is None else float(loglik),
        prior=prior,
        warnings=tuple(msgs),
        status="boundary" if bad else "success",
        message="closed form",
    )


def _fit_conjugate_map(fam: Distribution, stats: Any, prior: Distribution, rule: Any) -> Estimate:
    post = rule.update(prior, stats, fam)
    mode_value = post.mode()
    params = {
        k: (float(v) if np.ndim(v) == 0 else np.asarray(v))
        for k, v in rule.split(mode_value).items()
    }
    fam_params = {**fam.params, **rule.to_family(params)}
    with np.errstate(divide="ignore", invalid="ignore"):
        loglik = float(fam._loglik(fam_params, stats))
        logprior = float(np.sum(prior._logdensity(mode_value)))
    cov = np.array(rule.curvature(post), dtype=float)
    labels = _flat_labels(params)
    bad = {k: e for k, e in _boundary(fam, rule.to_family(params)).items() if k in params}
    # boundary of a parameter named differently from the family's (var vs sigma)
    for name, v in params.items():
        if name not in fam.param_names() and np.any(np.asarray(v) <= 0):
            bad[name] = np.atleast_1d(np.asarray(v) <= 0)
    bad = {k: e for k, e in bad.items() if k in params}
    _inf_rows(cov, labels, bad)
    msgs = [_boundary_message(fam, k, params[k], e, "MAP") for k, e in bad.items()]
    _warn(msgs, BoundaryWarning)
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
        status="boundary" if bad else "success",
        message=f"mode of the exact posterior {post!r}",
        extra={"family_params": rule.to_family(params), "posterior": post},
    )


def _prior_logpdf(prior: Any, names: tuple[str, ...], theta: dict[str, Any]) -> float:
    if prior is None:
        return 0.0
    if isinstance(prior, Mapping):
        return float(sum(float(np.sum(p._logdensity(theta[k]))) for k, p in prior.items()))
    if len(names) != 1:
        raise ValueError(
            f"a single prior {prior!r} was given for {len(names)} free parameters "
            f"({', '.join(names)}) and it is not a conjugate joint prior; give a dict "
            "name -> prior"
        )
    return float(np.sum(prior._logdensity(theta[names[0]])))


def _fit_generic(fam: Distribution, stats: Any, prior: Any) -> Estimate:
    names = fam.estimable
    for name in names:
        if fam.param(name).domain.vector:
            raise ValueError(
                f"{type(fam).__name__} parameter {name} is a vector with no closed-form fit "
                "under this prior; use a conjugate prior"
            )
    doms = [fam.param(n).domain for n in names]
    start = getattr(fam, "_start", None)
    theta0 = start(stats) if start is not None else {}
    z0 = np.array(
        [
            float(d.to_unconstrained(theta0.get(n, _default_start(d))))
            for n, d in zip(names, doms, strict=True)
        ]
    )
    use_prior = None if is_flat(prior) else prior

    def theta_of(z: NDArray[np.float64]) -> dict[str, Any]:
        return {n: float(d.from_unconstrained(zi)) for n, d, zi in zip(names, doms, z, strict=True)}

    def neg_logpost_theta(t: NDArray[np.float64]) -> float:
        theta = dict(zip(names, (float(v) for v in t), strict=True))
        for n, d in zip(names, doms, strict=True):
            if not d.contains(theta[n]):
                return np.inf
        with np.errstate(all="ignore"):
            val = fam._loglik({**fam.params, **theta}, stats) + _prior_logpdf(
                use_prior, names, theta
            )
        return -float(val) if np.isfinite(val) else np.inf

    res = minimize_unconstrained(
        lambda z: neg_logpost_theta(np.array(list(theta_of(z).values()))), z0
    )
    est = theta_of(res.x)
    t_hat = np.array([est[n] for n in names])
    with np.errstate(all="ignore"):
        hess = numeric_hessian(neg_logpost_theta, t_hat)
    cov = _invert(hess)
    loglik = float(fam._loglik({**fam.params, **est}, stats))
    bad = _boundary(fam, est)
    _inf_rows(cov, list(names), bad)
    how = "MLE" if use_prior is None else "MAP"
    msgs = [_boundary_message(fam, k, est[k], e, how) for k, e in bad.items()]
    _warn(msgs, BoundaryWarning)
    if not res.converged:
        conv = f"the optimiser did not converge: {res.message}"
        msgs.append(conv)
        _warn([conv], ConvergenceWarning)
    method = "mle" if prior is None else "map"
    return Estimate(
        method=method,
        params=est,
        cov=cov,
        loglik=loglik,
        n=float(stats.n),
        df_model=fam.df_of(est),
        family=fam,
        logpost=None if prior is None else -res.fun,
        prior=prior,
        warnings=tuple(msgs),
        status="failed" if not res.converged else ("boundary" if bad else "success"),
        message=res.message,
        converged=res.converged,
        iterations=res.iterations,
    )


def _default_start(dom: Any) -> float:
    low, high = getattr(dom, "low", None), getattr(dom, "high", None)
    if low is not None and high is not None:
        return 0.5 * (low + high)
    if low is not None:
        return low + 1.0
    if high is not None:
        return high - 1.0
    return 0.0
