"""``posterior``: exact conjugate posteriors from sufficient statistics."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._warnings import warn_user
from ..conjugacy import ConjugateRule, conjugate_priors, find_rule
from ..distributions import Distribution, Flat
from ..results import Posterior
from ._family import as_family, check_prior, resolve_categorical
from ._solve import ARITHMETIC_ERRORS
from .fit import stats_of

__all__ = ["conjugate_posterior", "posterior"]


def posterior(
    family: Any,
    data: Any,
    *,
    prior: Any,
    weights: ArrayLike | None = None,
    exposure: ArrayLike | None = None,
    method: str = "exact",
) -> Posterior:
    """The posterior of a family's free parameters: exact (conjugate) or Laplace.

    Parameters
    ----------
    family : Distribution class or instance
        The likelihood, with any fixed parameters (``th.Normal(sigma=1)``).
    data : array_like or SuffStats
        Observations, or their sufficient statistics (merged chunks, SQL aggregates).
    prior : Distribution
        A conjugate prior (``thetahat families`` lists them): ``Beta`` for a
        Bernoulli/Binomial/Geometric probability, ``Dirichlet`` for class
        probabilities, ``Gamma`` for a Poisson or Exponential rate, ``Normal`` for a
        Normal mean (sigma fixed), ``InverseGamma`` for a Normal variance (mu
        fixed), ``NormalInverseGamma`` for both.
    weights, exposure : array_like, optional
        As in :func:`thetahat.fit`.
    method : {"exact", "laplace"}
        ``"exact"``: the closed-form conjugate posterior. ``"laplace"``: for any
        proper prior, a Gaussian at the MAP with the inverse Hessian of the log
        posterior as covariance and the Laplace log evidence
        (:func:`thetahat.inference.laplace.laplace_posterior`); ``exact`` is False.

    Returns
    -------
    Posterior

    Notes
    -----
    The update is arithmetic on the sufficient statistics, e.g. for Bernoulli
    data with k successes in n trials ``Beta(a, b) -> Beta(a + k, b + n - k)``;
    the evidence ``log p(data)`` is the ratio of normalising constants,
    ``log B(a + k, b + n - k) - log B(a, b)``.
    """
    if method == "laplace":
        from .laplace import laplace_posterior

        return laplace_posterior(family, data, prior=prior, weights=weights, exposure=exposure)
    if method != "exact":
        raise ValueError(f"method must be 'exact' or 'laplace', got {method!r}")
    fam = as_family(family)
    if prior is None:
        raise ValueError(
            f"posterior needs a prior; conjugate priors for {type(fam).__name__}: "
            f"{'; '.join(conjugate_priors(fam)) or 'none'}"
        )
    prior = check_prior(prior, fam)
    if isinstance(prior, Mapping):
        if len(prior) != 1:
            raise ValueError(
                "an exact posterior needs one conjugate prior (a joint prior such as "
                "NormalInverseGamma for several parameters), not a dict of priors"
            )
        prior = next(iter(prior.values()))
    if isinstance(prior, Flat):
        raise ValueError(
            "a Flat prior is improper: its posterior has no closed form here and no "
            "evidence; use a proper conjugate prior"
        )
    fam = resolve_categorical(fam, prior)
    rule = find_rule(fam, prior)
    if rule is None:
        raise ValueError(
            f"{prior!r} is not a conjugate prior for {fam!r}; conjugate priors for "
            f"{type(fam).__name__}: {'; '.join(conjugate_priors(fam)) or 'none'}; "
            "method='laplace' approximates any posterior"
        )
    if fam.obs_arrays:
        raise ValueError(
            f"{type(fam).__name__} with per-observation {', '.join(fam.obs_arrays)} has no "
            "sufficient statistics, so no exact conjugate update; method='laplace' "
            "approximates the posterior"
        )
    stats = stats_of(fam, data, weights, exposure)
    return conjugate_posterior(fam, prior, stats, rule)


def conjugate_posterior(
    family: Distribution, prior: Distribution, stats: Any, rule: ConjugateRule
) -> Posterior:
    """Posterior from sufficient statistics (also what ``Posterior.update`` uses)."""
    post = rule.update(prior, stats, family)
    try:
        with np.errstate(all="ignore"):
            log_ev = float(rule.evidence(prior, post, stats, family))
    except ARITHMETIC_ERRORS:  # data near 1e300: a square overflows
        log_ev = math.nan
    msgs: list[str] = []
    if not math.isfinite(log_ev):
        msgs.append("the log evidence is not finite")
        warn_user(msgs[-1], RuntimeWarning)
    return Posterior(
        dist=post,
        names=rule.names,
        exact=True,
        log_evidence=log_ev,
        n=float(stats.n),
        family=family,
        prior=prior,
        stats=stats,
        rule=rule,
        warnings=tuple(msgs),
    )
