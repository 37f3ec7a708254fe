"""Laplace approximation to a posterior: a Gaussian at the MAP.

For a model without a conjugate prior, ``th.posterior(..., method="laplace")``
finds the mode ``z_hat`` of the log posterior density ``l(z)`` over the
unconstrained coordinates ``z`` (log of a positive parameter, logit of a
probability; the Jacobian of the map included), takes ``Sigma = (-H)^-1`` with
``H`` the Hessian of ``l`` at the mode, and returns ``Normal(z_hat, Sigma)``
mapped back to the parameters (:class:`MappedGaussian`) with the log evidence

    log p(data) ~= l(z_hat) + k/2 log(2 pi) + 1/2 log det Sigma.

The approximation is exact for a Gaussian posterior and improves as n grows
(the posterior tends to a Gaussian: Bernstein-von Mises).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._psis import LaplaceCheck
from .._warnings import warn_user
from ..distributions import Flat
from ..optim import invert_information
from ..results import Posterior
from ..statistics import statistics_of
from ._approx import VectorPosterior, approximate_posterior, to_theta
from ._density import LogPosterior
from ._family import as_family, check_prior, is_flat
from ._priors import check_prior_support
from ._solve import FitProblem, _Objective, hessian_z, solve, support_bounds

__all__ = ["MappedGaussian", "laplace_posterior"]


class MappedGaussian(VectorPosterior):
    """A Gaussian over unconstrained coordinates, mapped back to the parameters.

    ``theta_i = g_i(z_i)`` with ``z ~ MultivariateNormal(mean, cov)`` and ``g_i`` the
    inverse of the parameter's log/logit map (``exp`` for a positive parameter, a
    scaled logistic for one in an interval, the identity on the real line), so
    every interval and draw lies inside the parameter space. ``mode()`` is the
    exact posterior mode (the MAP, found on the parameters themselves); equal-tailed
    intervals are ``g_i(mean_i +- q sd_i)``; means and variances are Gauss-Hermite
    integrals over each coordinate's normal marginal.

    Parameters
    ----------
    mean, cov : array
        Mean and covariance of the unconstrained coordinates.
    domains : tuple of Domain
        Each parameter's domain (its map to the real line).
    mode : array
        The MAP on the parameters' own scale.
    """

    def __init__(self, mean: Any, cov: Any, domains: tuple[Any, ...], mode: Any) -> None:
        super().__init__()
        object.__setattr__(self, "z_mean", np.asarray(mean, dtype=float))
        object.__setattr__(self, "z_cov", np.asarray(cov, dtype=float))
        object.__setattr__(self, "domains", tuple(domains))
        object.__setattr__(self, "map_value", np.asarray(mode, dtype=float))

    def __repr__(self) -> str:
        sd = np.sqrt(np.diag(self.z_cov))
        parts = ", ".join(f"{m:.4g} +- {s:.3g}" for m, s in zip(self.z_mean, sd, strict=True))
        return f"MappedGaussian(log/logit coordinates: {parts})"

    @property
    def k(self) -> int:
        """Number of parameters."""
        return int(self.z_mean.shape[0])

    def _to_theta(self, z: Any) -> Any:
        return to_theta(self.domains, z)

    def _moments(self) -> tuple[Any, Any]:
        t, w = np.polynomial.hermite_e.hermegauss(96)
        w = w / w.sum()
        sd = np.sqrt(np.diag(self.z_cov))
        means, variances = [], []
        for i, d in enumerate(self.domains):
            with np.errstate(all="ignore"):
                vals = np.asarray(d.from_unconstrained(self.z_mean[i] + sd[i] * t), dtype=float)
            m = float(np.dot(w, vals))
            means.append(m)
            variances.append(float(np.dot(w, (vals - m) ** 2)))
        return np.array(means), np.array(variances)

    def mean(self) -> Any:
        return self._out(self._moments()[0])

    def var(self) -> Any:
        return self._out(self._moments()[1])

    def interval(self, level: float = 0.95) -> tuple[Any, Any]:
        from scipy import special as sc

        from .._validation import check_level

        q = float(sc.ndtri(0.5 + 0.5 * check_level(level)))
        sd = np.sqrt(np.diag(self.z_cov))
        with np.errstate(all="ignore"):
            lo = self._to_theta(self.z_mean - q * sd)
            hi = self._to_theta(self.z_mean + q * sd)
        return self._out(lo), self._out(hi)

    def _sample(self, size: Any, rng: np.random.Generator) -> Any:
        z = rng.multivariate_normal(self.z_mean, self.z_cov, size=size)
        with np.errstate(all="ignore"):
            return self._out(self._to_theta(z))

    def _logdensity(self, x: ArrayLike) -> Any:
        """Log density over the parameters: the normal density of z less log |d theta/dz|."""
        theta = np.asarray(x, dtype=float)
        if self.k == 1 and (theta.ndim == 0 or theta.shape[-1] != 1):
            theta = theta[..., None]
        with np.errstate(all="ignore"):
            z = np.stack(
                [np.asarray(d.to_unconstrained(theta[..., i])) for i, d in enumerate(self.domains)],
                axis=-1,
            )
            jac = sum(np.asarray(d.log_jacobian(z[..., i])) for i, d in enumerate(self.domains))
        from scipy import stats as sps

        lz = sps.multivariate_normal(self.z_mean, self.z_cov).logpdf(z)
        out = np.where(np.all(np.isfinite(z), axis=-1), lz - jac, -np.inf)
        return float(out) if np.ndim(out) == 0 else out


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
    data : array_like, Censored or SuffStats
    prior : Distribution or dict
        A proper prior (a dict name -> distribution, or a joint prior); Flat is
        improper and has no evidence.
    weights, exposure : array_like, optional

    Returns
    -------
    Posterior
        ``exact=False``; ``dist`` is a :class:`MappedGaussian` over ``names`` (a
        Gaussian over their log/logit coordinates); ``mode()`` is the MAP.
    """
    fam, stats = _validate_proper(family, data, prior, weights, exposure)
    return _laplace(fam, stats, check_prior(prior, fam))


def _validate_proper(
    family: Any, data: Any, prior: Any, weights: Any, exposure: Any
) -> tuple[Any, Any]:
    """The family and statistics of a posterior under a proper prior (checked)."""
    fam = as_family(family)
    prior = check_prior(prior, fam)
    if prior is None or is_flat(prior) or isinstance(prior, Flat):
        raise ValueError(
            "a full posterior needs a proper prior (Flat is improper: no evidence); "
            "give prior= a distribution or a dict name -> distribution"
        )
    if isinstance(prior, dict):
        missing = [n for n in fam.estimable if n not in prior]
        if missing:
            raise ValueError(f"a prior is needed for every free parameter; missing {missing}")
        if any(isinstance(p, Flat) for p in prior.values()):
            raise ValueError("a full posterior needs proper priors, not Flat")
    check_prior_support(prior, fam)
    stats = statistics_of(fam, data, weights=weights, exposure=exposure)
    return fam, stats


def _laplace(fam: Any, stats: Any, prior: Any) -> Posterior:
    """The Laplace approximation from validated statistics (see :func:`laplace_posterior`)."""
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
    # the Gaussian lives on the unconstrained coordinates (log of a positive parameter,
    # logit of a probability), at the mode of their density (the Jacobian included)
    zproblem = FitProblem(fam, stats, prior, "unconstrained")
    theta_z, res_z = solve(zproblem, start=theta)
    if not res_z.converged:
        msgs.append(f"the mode search over log/logit coordinates did not converge: {res_z.message}")
    obj = _Objective(zproblem, {})
    z_mode = np.array(
        [float(d.to_unconstrained(theta_z[n])) for n, d in zip(obj.names, obj.doms, strict=True)]
    )
    with np.errstate(all="ignore"):
        hz, _ = hessian_z(zproblem, theta_z)
        cov = invert_information(-hz)
    if not np.all(np.isfinite(cov)) or not np.all(np.isfinite(z_mode)):
        raise ValueError(
            "the log posterior does not curve at the mode (singular Hessian): no Laplace "
            f"approximation; mode {dict(zip(names, (float(theta[n]) for n in names), strict=True))}"
        )
    _, logdet = np.linalg.slogdet(cov)
    k = len(names)
    log_peak = float(res_z.fun) + obj.ljac(z_mode)
    log_ev = log_peak + 0.5 * k * math.log(2.0 * math.pi) + 0.5 * float(logdet)
    dist = MappedGaussian(
        z_mode,
        0.5 * (cov + cov.T),
        tuple(obj.doms),
        np.array([float(theta[n]) for n in names]),
    )
    for m in msgs:
        warn_user(m, RuntimeWarning)
    return approximate_posterior(
        dist,
        names,
        family=fam,
        prior=prior,
        stats=stats,
        n=float(stats.n),
        warnings=msgs,
        method="laplace",
        log_evidence=log_ev,
        diagnostics=LaplaceCheck(LogPosterior(zproblem), z_mode, dist.z_cov),
    )


def _plain(v: Any) -> Any:
    return float(v) if np.ndim(v) == 0 else np.asarray(v, dtype=float)


def credible_interval(problem: FitProblem, level: float) -> dict[str, tuple[Any, Any]]:
    """The posterior's equal-tailed interval of a MAP problem, name -> (low, high).

    Exact where the prior is conjugate (the posterior the MAP is the mode of);
    otherwise the Laplace approximation over log/logit coordinates, which stays
    inside the parameter space where a Wald interval at the mode may not.
    ``Estimate.conf_int(kind="posterior")`` calls it through ``FitProblem``.
    """
    from ..conjugacy import find_rule

    prior = problem.prior
    if prior is None or is_flat(prior):
        raise ValueError(
            "kind='posterior' needs a MAP estimate with a proper prior (th.fit(..., prior=...)); "
            "an MLE has confidence intervals: kind='wald' or 'profile'"
        )
    rule = None if isinstance(prior, dict) else find_rule(problem.family, prior)
    if rule is not None:
        post = rule.update(prior, problem.stats, problem.family)
        lo, hi = post.interval(level)
        los, his = rule.split(lo), rule.split(hi)
        return {k: (_plain(los[k]), _plain(his[k])) for k in los}
    return _laplace(problem.family, problem.stats, prior).interval(level)
