"""``posterior``: exact conjugate posteriors from sufficient statistics."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from numpy.typing import ArrayLike

from ..conjugacy import conjugate_priors, find_rule
from ..distributions import Flat
from ..statistics import statistics_of
from ._family import as_family, check_prior, resolve_categorical
from .fit import _is_table

__all__ = ["posterior"]


def posterior(
    family: Any,
    data: Any,
    *,
    prior: Any,
    weights: ArrayLike | None = None,
    exposure: ArrayLike | None = None,
    method: str = "exact",
    column: str | None = None,
    by: Any = None,
    trials: Any = None,
    nulls: str = "error",
) -> Any:
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
    column, by, trials, nulls
        Tables and groups as in :func:`thetahat.fit`: with ``by=`` one
        posterior per group, in a :class:`~thetahat.results.fittable.FitTable`.
    method : {"exact", "laplace"}
        ``"exact"``: the closed-form conjugate posterior. ``"laplace"``: for any
        proper prior, a Gaussian at the MAP with the inverse Hessian of the log
        posterior as covariance and the Laplace log evidence
        (:func:`~thetahat.inference.laplace_approximation.laplace_posterior`); not exact.

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
    if column is not None or by is not None or trials is not None or _is_table(data):
        from .frames import posterior_table

        return posterior_table(family, data, prior=prior, column=column, by=by,
                               weights=weights, exposure=exposure, trials=trials,
                               nulls=nulls, method=method)  # fmt: skip
    if method == "laplace":
        from .laplace_approximation import laplace_posterior

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
    stats = statistics_of(fam, data, weights=weights, exposure=exposure, sufficient=True)
    return rule.posterior(fam, prior, stats)
