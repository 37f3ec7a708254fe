"""Laplace approximation to a posterior: a Gaussian at the MAP.

For a model without a conjugate prior, ``th.posterior(..., method="laplace")``
maximises the log posterior ``l(theta) = log p(data | theta) + log p(theta)``,
takes ``Sigma = (-H)^-1`` with ``H`` the Hessian of ``l`` at the mode, and
returns ``Normal(mode, sqrt(Sigma))`` (one parameter) or
``MultivariateNormal(mode, Sigma)`` with the log evidence

    log p(data) ~= l(theta_hat) + k/2 log(2 pi) + 1/2 log det Sigma.

The approximation is exact for a Gaussian posterior and improves as n grows
(the posterior tends to a Gaussian: Bernstein-von Mises).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._warnings import warn_user
from ..distributions import Flat, Normal
from ..distributions._datastats import fit_stats
from ..distributions.multivariate_normal import MultivariateNormal
from ..results import Posterior
from ._family import as_family, check_prior, is_flat
from ._priors import check_prior_support
from ._solve import FitProblem, hessian_theta, solve, support_bounds
from .information import invert_information

__all__ = ["laplace_posterior"]


def laplace_posterior(
    family: Any,
    data: Any,
    *,
    prior: Any,
    weights: ArrayLike | None = None,
    exposure: ArrayLike | None = None,
) -> Posterior:
    """The Laplace approximation to the posterior of a family's free parameters.

    Parameters
    ----------
    family : Distribution class or instance
    data : array_like or Censored
    prior : Distribution or dict
        A proper prior (a dict name -> distribution, or a joint prior); Flat is
        improper and has no evidence.
    weights, exposure : array_like, optional

    Returns
    -------
    Posterior
        ``exact=False``; ``dist`` is a Normal (one parameter) or a
        MultivariateNormal over ``names``.
    """
    from ..censoring import Censored, censored_stats

    fam = as_family(family)
    prior = check_prior(prior, fam)
    if prior is None or is_flat(prior) or isinstance(prior, Flat):
        raise ValueError(
            "the Laplace approximation needs a proper prior (Flat is improper: no evidence)"
        )
    if isinstance(prior, dict):
        missing = [n for n in fam.estimable if n not in prior]
        if missing:
            raise ValueError(f"a prior is needed for every free parameter; missing {missing}")
        if any(isinstance(p, Flat) for p in prior.values()):
            raise ValueError("the Laplace approximation needs proper priors, not Flat")
    check_prior_support(prior, fam)
    if isinstance(data, Censored):
        stats: Any = censored_stats(fam, data, weights)
    else:
        obs = {} if exposure is None else {"exposure": exposure}
        stats = fit_stats(fam, data, weights, **obs)
    problem = FitProblem(fam, stats, prior)
    for name in problem.names:
        if fam.param(name).domain.vector:
            raise ValueError(f"{type(fam).__name__} parameter {name} is a vector: not supported")
    theta, res = solve(problem)
    msgs: list[str] = []
    if not res.converged:
        msgs.append(f"the MAP search did not converge: {res.message}")
    names = problem.names
    at_bound = [n for n, b in support_bounds(problem).items() if float(theta[n]) >= b]
    if at_bound:
        raise ValueError(
            f"the posterior mode has {', '.join(f'{n} = {float(theta[n]):.6g}' for n in at_bound)}"
            " at its bound from the data (the log posterior increases up to it, its density "
            "is cut there): a Gaussian at the mode does not approximate it; use th.fit for "
            "the MAP"
        )
    with np.errstate(all="ignore"):
        cov = invert_information(-hessian_theta(problem, theta))
    mode = np.array([float(theta[n]) for n in names])
    if not np.all(np.isfinite(cov)):
        raise ValueError(
            "the log posterior does not curve at the mode (singular Hessian): no Laplace "
            f"approximation; mode {dict(zip(names, mode, strict=True))}"
        )
    _, logdet = np.linalg.slogdet(cov)
    k = len(names)
    log_ev = float(res.fun) + 0.5 * k * math.log(2.0 * math.pi) + 0.5 * float(logdet)
    dist: Any
    if k == 1:
        dist = Normal(float(mode[0]), float(np.sqrt(cov[0, 0])))
    else:
        dist = MultivariateNormal(mode, 0.5 * (cov + cov.T))
    for m in msgs:
        warn_user(m, RuntimeWarning)
    return Posterior(
        dist=dist,
        names=names,
        exact=False,
        log_evidence=log_ev,
        n=float(stats.n),
        family=fam,
        prior=prior,
        stats=stats,
        rule=None,
        warnings=tuple(msgs),
    )
