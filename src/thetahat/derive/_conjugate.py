"""Conjugate priors as SymPy models, and the posterior derivation.

A :class:`PriorSpec` states the prior's log density with its normalising
constant and how to take a mean under it; :func:`derive_posterior` adds the
log-likelihood, solves for the MAP, finds the posterior by matching the log
posterior to the prior's kernel with unknown hyperparameters, and reads the
prior as pseudo-data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sympy as sp
import sympy.stats as ss

from ._algebra import separate, sum_over_observations
from ._families import FamilySpec, n
from ._likelihood import _tidy
from ._steps import Derivation, f, relation

__all__ = ["PRIORS", "PriorSpec", "derive_posterior", "prior_spec"]

_REAL_V = sp.Symbol("v", positive=True)  # a Normal variance


@dataclass(frozen=True)
class PriorSpec:
    """A conjugate prior family (see the module docstring)."""

    key: str
    title: str
    families: tuple[str, ...]
    #: the family's free parameters it covers
    free: tuple[str, ...]
    #: hyperparameter names in the library's order (th.Beta(a, b) ...)
    hyper_names: tuple[str, ...]
    #: (theta symbols, hyperparameter symbols) -> log density with its constant
    log_density: Callable[[list[sp.Symbol], list[sp.Symbol]], Any]
    #: (theta, hyperparameters) -> means of theta under the prior (name -> expr)
    mean: Callable[[list[sp.Symbol], list[sp.Symbol]], list[Any]]
    #: hyperparameters -> the natural ones, which the data increment additively
    natural: Callable[[list[sp.Symbol]], list[Any]]
    #: family parameter name -> (the parameter the prior is on, family value in it)
    on: dict[str, tuple[sp.Symbol, Any]] | None = None
    real_hyper: tuple[str, ...] = ()


def _hyper(spec: PriorSpec, k: int, suffix: str = "") -> list[sp.Symbol]:
    names = list(spec.hyper_names)
    if spec.key == "dirichlet":
        names = [f"alpha_{j}" for j in range(1, k + 1)]
    return [
        sp.Symbol(f"{h}{suffix}", real=True)
        if h in spec.real_hyper
        else sp.Symbol(f"{h}{suffix}", positive=True)
        for h in names
    ]


def _beta_logd(th: list[sp.Symbol], h: list[sp.Symbol]) -> Any:
    (p,), (a, b) = th, h
    return (
        (a - 1) * sp.log(p)
        + (b - 1) * sp.log(1 - p)
        + sp.log(sp.gamma(a + b))
        - sp.log(sp.gamma(a))
        - sp.log(sp.gamma(b))
    )


def _dirichlet_logd(th: list[sp.Symbol], h: list[sp.Symbol]) -> Any:
    ps = [*th, 1 - sum(th)]
    out = sp.log(sp.gamma(sum(h))) - sum(sp.log(sp.gamma(a)) for a in h)
    return out + sum((a - 1) * sp.log(p) for a, p in zip(h, ps, strict=True))


def _dirichlet_mean(th: list[sp.Symbol], h: list[sp.Symbol]) -> list[Any]:
    # each component of a Dirichlet is Beta(alpha_j, sum(alpha) - alpha_j)
    total = sum(h)
    return [ss.E(ss.Beta(f"P_{j}", a, total - a)) for j, a in enumerate(h[: len(th)], 1)]


def _gamma_logd(th: list[sp.Symbol], h: list[sp.Symbol]) -> Any:
    (lam,), (a, b) = th, h
    return a * sp.log(b) - sp.log(sp.gamma(a)) + (a - 1) * sp.log(lam) - b * lam


def _normal_logd(th: list[sp.Symbol], h: list[sp.Symbol]) -> Any:
    (mu,), (m, s) = th, h
    return -sp.log(2 * sp.pi) / 2 - sp.log(s) - (mu - m) ** 2 / (2 * s**2)


def _invgamma_logd(th: list[sp.Symbol], h: list[sp.Symbol]) -> Any:
    (v,), (a, b) = th, h
    return a * sp.log(b) - sp.log(sp.gamma(a)) - (a + 1) * sp.log(v) - b / v


def _nig_logd(th: list[sp.Symbol], h: list[sp.Symbol]) -> Any:
    (mu, v), (m, lam, a, b) = th, h
    return (
        -sp.log(2 * sp.pi) / 2
        + sp.log(lam) / 2
        - sp.log(v) / 2
        - lam * (mu - m) ** 2 / (2 * v)
        + _invgamma_logd([v], [a, b])
    )


def _first_branch(e: Any) -> Any:
    """The branch of a Piecewise result where the expectation exists (shape > 1)."""
    e = sp.piecewise_fold(e)
    return e.args[0][0] if isinstance(e, sp.Piecewise) else e


def _invgamma_mean(th: list[sp.Symbol], h: list[sp.Symbol]) -> list[Any]:
    # v ~ InverseGamma(a, b) exactly when 1/v ~ Gamma(a, rate b)
    a, b = h[-2], h[-1]
    return [sp.simplify(_first_branch(ss.E(1 / ss.Gamma("U", a, 1 / b))))]


def _nig_mean(th: list[sp.Symbol], h: list[sp.Symbol]) -> list[Any]:
    # the tower rule: E[mu] = E[E[mu | v]] with mu | v ~ Normal(m, sqrt(v / lambda0))
    m, lam = h[0], h[1]
    cond = ss.E(ss.Normal("M", m, sp.sqrt(th[1] / lam)))
    return [cond, *_invgamma_mean(th[1:], h)]


_NORMAL_ON_VAR = {"sigma": (_REAL_V, sp.sqrt(_REAL_V))}

PRIORS: dict[str, PriorSpec] = {
    "beta": PriorSpec(
        "beta",
        "Beta(a, b) on p",
        ("bernoulli", "binomial", "geometric"),
        ("p",),
        ("a", "b"),
        _beta_logd,
        lambda th, h: [ss.E(ss.Beta("P", h[0], h[1]))],
        lambda h: list(h),
    ),
    "dirichlet": PriorSpec(
        "dirichlet",
        "Dirichlet(alpha) on the class probabilities",
        ("categorical", "multinomial"),
        (),
        ("alpha",),
        _dirichlet_logd,
        _dirichlet_mean,
        lambda h: list(h),
    ),
    "gamma": PriorSpec(
        "gamma",
        "Gamma(shape a, rate b) on the rate",
        ("poisson", "exponential"),
        ("rate",),
        ("a", "b"),
        _gamma_logd,
        lambda th, h: [ss.E(ss.Gamma("R", h[0], 1 / h[1]))],
        lambda h: list(h),
    ),
    "normal": PriorSpec(
        "normal",
        "Normal(m, s) on mu (sigma known)",
        ("normal",),
        ("mu",),
        ("m", "s"),
        _normal_logd,
        lambda th, h: [ss.E(ss.Normal("M", h[0], h[1]))],
        lambda h: [h[0] / h[1] ** 2, 1 / h[1] ** 2],
        real_hyper=("m",),
    ),
    "inverse-gamma": PriorSpec(
        "inverse-gamma",
        "InverseGamma(a, b) on the variance v = sigma^2 (mu known)",
        ("normal",),
        ("sigma",),
        ("a", "b"),
        _invgamma_logd,
        _invgamma_mean,
        lambda h: list(h),
        on=_NORMAL_ON_VAR,
    ),
    "normal-inverse-gamma": PriorSpec(
        "normal-inverse-gamma",
        "NormalInverseGamma(m, lambda0, a, b) on (mu, v = sigma^2): "
        "mu | v ~ Normal(m, v / lambda0), v ~ InverseGamma(a, b)",
        ("normal",),
        ("mu", "sigma"),
        ("m", "lambda0", "a", "b"),
        _nig_logd,
        _nig_mean,
        lambda h: [h[1], h[1] * h[0], h[2], h[3] + h[1] * h[0] ** 2 / 2],
        on=_NORMAL_ON_VAR,
        real_hyper=("m",),
    ),
}


def prior_spec(name: str, family: str, free: tuple[str, ...]) -> PriorSpec:
    """The conjugate prior ``name`` for ``family`` with ``free`` parameters."""
    key = str(name).strip().lower().replace("_", "-").replace("invgamma", "inverse-gamma")
    key = {"nig": "normal-inverse-gamma", "inversegamma": "inverse-gamma"}.get(key, key)
    spec = PRIORS.get(key)
    options = [k for k, v in PRIORS.items() if family in v.families]
    if spec is None or family not in spec.families:
        raise ValueError(
            f"no conjugate prior {name!r} for {family}; conjugate priors for it: "
            f"{', '.join(options) or 'none'}"
        )
    if spec.free and tuple(sorted(spec.free)) != tuple(sorted(free)):
        good = [f"{k} (free: {', '.join(PRIORS[k].free)})" for k in options]
        raise ValueError(
            f"the {spec.key} prior covers {', '.join(spec.free)} free; with "
            f"{', '.join(free)} free use one of: {'; '.join(good)}"
        )
    return spec


def derive_posterior(
    d: Derivation, fam: FamilySpec, prior: PriorSpec, free: tuple[str, ...]
) -> Derivation:
    """Add the Bayesian steps for ``prior`` to the MLE derivation ``d``."""
    on = prior.on or {}
    subs = {fam.params[k]: v for k, (_, v) in on.items() if k in free}
    theta = [on[k][0] if k in on else fam.params[k] for k in free]
    theta = [t for t in theta if t not in fam.depend]
    logp = fam.logp.xreplace(fam.depend).xreplace(subs)
    loglik, rest = sum_over_observations(logp, theta, fam.data + fam.covariates, fam.sums, n)
    if rest != 0:
        loglik += sp.Symbol(fam.const_name)
    hyper = _hyper(prior, len(fam.data))
    post_h = _hyper(prior, len(fam.data), "'")
    d.symbols.update({str(h): h for h in hyper})
    d.symbols.update({str(t): t for t in theta})
    logprior = prior.log_density(theta, hyper)
    lp = sp.log(f("pi", *theta))
    d.add(
        f"Prior: {prior.title}",
        "Its log density, normalising constant kept"
        + (
            " (the prior is on the variance v, so the likelihood is written in v)." if subs else "."
        ),
        relation(lp, logprior),
    )
    evid = sp.Symbol("log p(x)")
    logpost = loglik + logprior
    post_sym = sp.log(f("p", *theta))
    d.add(
        "Log posterior",
        "Bayes' rule: log-likelihood plus log prior minus the log evidence, which does "
        "not depend on the parameters.",
        relation(post_sym, logpost - evid),
    )
    grad = [_tidy(sp.diff(logpost, t)) for t in theta]
    sols = sp.solve(grad, theta, dict=True)
    sols = [
        s for s in sols if all(s[t].is_positive is not False or not t.is_positive for t in theta)
    ]
    if not sols:
        raise ValueError("SymPy found no stationary point of the log posterior")
    mapv = {t: _counts_tidy(fam)(_tidy(sols[0][t])) for t in theta}
    d.results["map"] = {str(t): v for t, v in mapv.items()}
    d.add(
        "MAP",
        "Set the gradient of the log posterior to zero (the evidence drops out) and solve:",
        *[relation(sp.Derivative(post_sym, t), g) for t, g in zip(theta, grad, strict=True)],
        *[relation(sp.Symbol(f"{t}_MAP"), v) for t, v in mapv.items()],
    )
    # the posterior: the log posterior is the prior's log kernel with new hyperparameters
    groups: dict[Any, Any] = {}
    for coef, _, par in separate(logpost - prior.log_density(theta, post_h), theta, []):
        if par != 1:
            groups[par] = groups.get(par, 0) + coef
    sol = sp.solve([sp.Eq(c, 0) for c in groups.values()], post_h, dict=True)
    if not sol:
        raise ValueError(f"the log posterior is not of the {prior.key} form")
    hyp = {h: _tidy(sol[0][h]) for h in post_h}
    tidy = _counts_tidy(fam)
    d.results["posterior"] = {str(h)[:-1]: v for h, v in hyp.items()}
    d.add(
        "Posterior (conjugacy)",
        f"The log posterior has the form of the {prior.key} log density in the parameters: "
        "matching the coefficient of each function of the parameters gives the posterior's "
        "hyperparameters, and the normalising constant follows from the prior's form.",
        *[relation(h, v) for h, v in hyp.items()],
    )
    mode_sols = sp.solve(
        [sp.diff(prior.log_density(theta, post_h), t) for t in theta], theta, dict=True
    )
    mode = {t: _tidy(mode_sols[0][t]) for t in theta}
    for t in theta:
        if sp.simplify(tidy(mode[t].xreplace(hyp)) - mapv[t]) != 0:
            raise AssertionError(f"the posterior mode of {t} differs from the MAP")
    means = [_tidy(m) for m in prior.mean(theta, post_h)]
    post_mean = {t: tidy(_tidy(m.xreplace(hyp))) for t, m in zip(theta, means, strict=True)}
    for last, value in fam.depend.items():  # the last class probability
        mapv[last] = tidy(_tidy(value.xreplace(mapv)))
        post_mean[last] = tidy(_tidy(value.xreplace(post_mean)))
    d.results["map"] = {str(t): v for t, v in mapv.items()}
    d.results["posterior_mode"] = dict(d.results["map"])
    d.results["posterior_mean"] = {str(t): v for t, v in post_mean.items()}
    d.add(
        "Posterior mode and mean",
        "The mode of the posterior is the MAP (checked: the same expression); the mean "
        "is the integral of the parameter against the posterior, a different number.",
        *[relation(f("mode", t), mode[t]) for t in theta],
        *[relation(f("E", t), m) for t, m in zip(theta, means, strict=True)],
    )
    _pseudo(d, fam, prior, theta, loglik, hyper, post_h, hyp)
    return d


def _counts_tidy(fam: FamilySpec) -> Callable[[Any], Any]:
    """Write the sum of the class counts as the total (n or N) where it appears."""
    if not fam.depend:
        return lambda e: e
    total = sum(fam.sums[x] for x in fam.data)
    return lambda e: sp.factor(sp.sympify(e).subs(total, fam.amount))


def _pseudo(
    d: Derivation,
    fam: FamilySpec,
    prior: PriorSpec,
    theta: list[sp.Symbol],
    loglik: Any,
    hyper: list[sp.Symbol],
    post_h: list[sp.Symbol],
    hyp: dict[sp.Symbol, Any],
) -> None:
    """The prior as imaginary data: additive updates, and the posterior mean as a
    weighted average of the MLE and the prior mean."""
    nat0, nat1 = prior.natural(hyper), prior.natural(post_h)
    incr = [_tidy(b.xreplace(hyp) - a) for a, b in zip(nat0, nat1, strict=True)]
    d.results["increments"] = {str(a): v for a, v in zip(nat0, incr, strict=True)}
    t0 = theta[0]
    known = d.results.get("mle", {}).get(str(t0))
    mle = [known] if known is not None else sp.solve(sp.diff(loglik, t0), t0)
    eqs = []
    if mle and not (mle[0].free_symbols & set(theta)):
        w = sp.Symbol("w")
        prior_mean = prior.mean(theta, hyper)[0]
        post_mean = d.results["posterior_mean"][str(t0)]
        wsol = sp.solve(sp.Eq(post_mean, w * mle[0] + (1 - w) * prior_mean), w)
        if wsol:
            weight = _tidy(wsol[0])
            worth = _tidy(fam.amount * (1 - weight) / weight)
            d.results["weight"] = weight
            d.results["prior_worth"] = worth
            eqs = [
                relation(f("E", t0), w * mle[0] + (1 - w) * prior_mean),
                relation(w, weight),
                relation(sp.Symbol("n_0"), worth),
            ]
    d.add(
        "Pseudo-counts",
        "Each natural hyperparameter grows by a statistic of the data, so the prior reads "
        "as data already seen; the posterior mean is a weighted average of the MLE and the "
        f"prior mean, the prior weighing as much as that much data (in units of {fam.amount}).",
        *[relation(f("Delta", a), v) for a, v in zip(nat0, incr, strict=True)],
        *eqs,
    )
