"""``posterior``: exact conjugate posteriors from sufficient statistics."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from numpy.typing import ArrayLike

from ..conjugacy import conjugate_priors, find_rule
from ..distributions import Flat
from ..results import Posterior
from ..statistics import statistics_of
from ._family import as_family, check_prior, resolve_categorical
from .fit import _is_table

__all__ = ["METHODS", "posterior"]

#: the ways :func:`posterior` computes a posterior
METHODS = ("exact", "auto", "quadrature", "laplace", "laplace-is", "mcmc")


def posterior(
    family: Any,
    data: Any,
    *,
    prior: Any,
    weights: ArrayLike | None = None,
    exposure: ArrayLike | None = None,
    method: str = "exact",
    mcmc: Mapping[str, Any] | None = None,
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
    method : {"exact", "auto", "quadrature", "laplace", "laplace-is", "mcmc"}
        ``"exact"``: the closed-form conjugate posterior. ``"quadrature"``: for up to
        three free parameters and any proper prior, the posterior integrated on an
        adaptive grid, exact to its stated error
        (:func:`~thetahat.inference.quadrature.quadrature_posterior`).
        ``"laplace"``: a Gaussian at the MAP with the inverse Hessian of the log
        posterior as covariance and the Laplace log evidence, with the PSIS
        diagnostic ``khat`` (:func:`~thetahat.inference.laplace_approximation.laplace_posterior`).
        ``"laplace-is"``: Laplace corrected by Pareto-smoothed importance sampling.
        ``"mcmc"``: emcee's ensemble sampler
        (:func:`~thetahat.inference.mcmc.mcmc_posterior`). ``"auto"``: exact when
        the prior is conjugate, else quadrature (<= 3 parameters), else Laplace;
        ``Posterior.method`` says which.
    mcmc : dict, optional
        Options of ``method="mcmc"`` (``draws``, ``tune``, ``walkers``, ``chains``, ``rng``).

    Returns
    -------
    Posterior

    Notes
    -----
    The update is arithmetic on the sufficient statistics, e.g. for Bernoulli
    data with k successes in n trials ``Beta(a, b) -> Beta(a + k, b + n - k)``;
    the evidence ``log p(data)`` is the ratio of normalising constants,
    ``log B(a + k, b + n - k) - log B(a, b)``.

    Examples
    --------
    >>> import thetahat as th
    >>> post = th.posterior(th.Bernoulli, [1, 1, 1], prior=th.Beta(2, 2))
    >>> post.dist
    Beta(a=5, b=2)
    >>> post.mean()
    {'p': 0.7142857142857143}
    >>> round(post.log_evidence, 4)
    -1.6094
    >>> prior = {"shape": th.LogNormal(0, 1), "rate": th.Gamma(2, 1)}
    >>> lap = th.posterior(th.Gamma, [1.2, 3.4, 2.2, 0.8], prior=prior, method="laplace")
    >>> lap.exact, {k: round(v, 3) for k, v in lap.mode().items()}
    (False, {'shape': 1.553, 'rate': 0.839})
    >>> th.posterior(th.Bernoulli, [1, 1, 1], prior=th.Beta(2, 2), method="auto").method
    'conjugate'
    >>> x = th.Weibull(shape=2.0, scale=1.0).sample(20, rng=0)
    >>> th.posterior(th.Weibull, x, prior={"shape": th.Gamma(2, 1),
    ...              "scale": th.Gamma(2, 1)}, method="auto").method
    'quadrature'
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if column is not None or by is not None or trials is not None or _is_table(data):
        from .frames import posterior_table

        return posterior_table(family, data, prior=prior, column=column, by=by,
                               weights=weights, exposure=exposure, trials=trials,
                               nulls=nulls, method=method)  # fmt: skip
    kw = {"prior": prior, "weights": weights, "exposure": exposure}
    if method == "auto":
        return _auto(family, data, **kw)
    if method == "laplace":
        from .laplace_approximation import laplace_posterior

        return laplace_posterior(family, data, **kw)
    if method == "laplace-is":
        from .importance import laplace_is_posterior

        return laplace_is_posterior(family, data, **kw)
    if method == "quadrature":
        from .quadrature import quadrature_posterior

        return quadrature_posterior(family, data, **kw)
    if method == "mcmc":
        from .mcmc import mcmc_posterior

        return mcmc_posterior(family, data, **kw, **(mcmc or {}))
    return _exact(family, data, prior, weights, exposure)


def _auto(family: Any, data: Any, **kw: Any) -> Posterior:
    """Exact conjugacy, else quadrature (<= 3 free parameters), else Laplace."""
    from .quadrature import MAX_QUADRATURE_DIM

    fam = as_family(family)
    prior = kw["prior"]
    checked = check_prior(prior, fam) if prior is not None else None
    single = checked if not isinstance(checked, Mapping) or len(checked) != 1 else None
    if single is None and isinstance(checked, Mapping) and len(checked) == 1:
        single = next(iter(checked.values()))
    conj = (
        single is not None
        and not isinstance(single, Flat)
        and not fam.obs_arrays
        and find_rule(resolve_categorical(fam, single), single) is not None
    )
    if conj:
        return _exact(family, data, prior, kw["weights"], kw["exposure"])
    if len(fam.estimable) <= MAX_QUADRATURE_DIM:
        from .quadrature import quadrature_posterior

        return quadrature_posterior(family, data, **kw)
    from .laplace_approximation import laplace_posterior

    return laplace_posterior(family, data, **kw)


def _exact(family: Any, data: Any, prior: Any, weights: Any, exposure: Any) -> Posterior:
    """The closed-form conjugate posterior."""
    fam, prior, rule = exact_rule(family, prior)
    stats = statistics_of(fam, data, weights=weights, exposure=exposure, sufficient=True)
    return rule.posterior(fam, prior, stats)


def exact_rule(family: Any, prior: Any) -> tuple[Any, Any, Any]:
    """The family, the prior and their conjugate rule for an exact posterior (errors
    naming what is missing: no prior, a dict of priors, Flat, no conjugate pair).

    Examples
    --------
    >>> import thetahat as th
    >>> exact_rule(th.Bernoulli, th.Beta(1, 1))[2].description
    'Beta(a, b) -> Beta(a + k, b + n - k)'
    """
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
    return fam, prior, rule
