"""The interview drill: the standard questions, answered by the derivation engine.

Each answer is made of steps taken from the derivations of
:mod:`thetahat.derive` (nothing here states a formula it did not derive), plus
numbers computed by thetahat itself where a claim is numeric; the common
wrong answers follow, each with the derivation or the numbers that refute it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy as sp

from ._steps import Derivation, f, relation

__all__ = ["drill_items", "run_drill"]


def _take(d: Derivation, titles: Sequence[str]) -> list[Any]:
    return [s for s in d.steps if any(s.title.startswith(t) for t in titles)]


def _item(title: str, question: str, source: Derivation, titles: Sequence[str]) -> Derivation:
    out = Derivation(title)
    out.add("Question", question)
    out.steps.extend(_take(source, titles))
    return out


def _gaussian() -> Derivation:
    from . import derive

    return _item(
        "Q1. Derive the MLE of a Gaussian",
        "x_1..x_n iid Normal(mu, sigma). Find the MLE of mu and sigma and their properties.",
        derive("normal"),
        ["Log-likelihood", "Sufficient", "Score", "Observed information at", "Bias"],
    )


def _regression_item(model: str, title: str, question: str) -> Derivation:
    """A question answered by the whole regression derivation of ``model``."""
    from . import regression

    d = regression(model)
    return _item(title, question, d, [s.title for s in d.steps])


def _ols() -> Derivation:
    return _regression_item(
        "ols",
        "Q2. Show that OLS is the MLE",
        "Linear model with Gaussian noise: why is least squares maximum likelihood?",
    )


def _ridge() -> Derivation:
    return _regression_item(
        "ridge",
        "Q3. Show that ridge regression is a MAP estimate",
        "Which prior does the L2 penalty encode, and what is lambda in terms of it?",
    )


def _cross_entropy() -> Derivation:
    import thetahat as th

    from . import derive

    d = derive("poisson")
    out = _item(
        "Q4. Cross-entropy and maximum likelihood",
        "Why does maximising the likelihood minimise a cross-entropy (and a KL divergence)?",
        d,
        ["Log-likelihood"],
    )
    n = sp.Symbol("n", positive=True)
    ce = sp.expand(-d.results["loglik"] / n)
    out.add(
        "Cross-entropy from the empirical distribution",
        "The empirical distribution puts mass 1/n on each observation, so its cross-entropy to "
        "the model is minus the average log-likelihood: the same function of the parameter up "
        "to the factor -1/n. KL(empirical || model) = cross-entropy - H(empirical), and "
        "H(empirical) has no parameter in it: argmax likelihood = argmin cross-entropy = "
        "argmin forward KL.",
        relation(f("H", sp.Symbol("phat"), sp.Symbol("q_lambda")), ce),
    )
    rng = np.random.default_rng(20261202)
    x = rng.poisson(3.2, size=400)
    at_mle = th.cross_entropy(x, th.Poisson)
    est = th.fit(th.Poisson, x)
    rate = float(est.params["rate"])
    near = [float(th.cross_entropy(x, th.Poisson(rate * s))) for s in (0.9, 0.97, 1.03, 1.1)]
    out.add(
        "Numbers (400 Poisson counts)",
        f"th.cross_entropy(x, th.Poisson) = {at_mle.value:.6f} nats at the MLE rate {rate:.4f}; "
        f"-loglik / n = {-est.loglik / x.size:.6f}; at 0.9, 0.97, 1.03, 1.1 times the MLE the "
        f"cross-entropy is {', '.join(f'{v:.6f}' for v in near)} (all larger).",
    )
    return out


def _succession() -> Derivation:
    import thetahat as th

    from . import derive

    d = derive("bernoulli", prior=th.Beta(1, 1))
    out = _item(
        "Q5. Laplace's rule of succession",
        "After k successes in n trials with a uniform prior, what is P(next trial succeeds)?",
        d,
        ["Posterior (conjugacy)", "Posterior mode and mean", "With the prior's numbers"],
    )
    mean = d.results["posterior_mean"]["p"]
    k, n = d.symbols["k"], d.symbols["n"]
    out.add(
        "Answer",
        "The predictive probability of a success is the posterior mean of p: (k + 1) / (n + 2). "
        "The sun has risen on n days out of n: (n + 1) / (n + 2), not 1 as the MLE says.",
        relation(sp.Symbol("P(x_{n+1} = 1 | x)"), mean),
        relation(sp.Symbol("P(x_{n+1} = 1 | x)"), mean.subs(k, n)),
    )
    return out


def _pseudo() -> Derivation:
    from . import derive

    return _item(
        "Q6. Conjugacy and pseudo-counts",
        "Gamma prior on a Poisson rate: what is the posterior, and what does the prior mean?",
        derive("poisson", prior="gamma"),
        ["Prior", "Posterior (conjugacy)", "Pseudo-counts"],
    )


def _asymptotic() -> Derivation:
    import thetahat as th

    from . import derive

    d = derive("exponential")
    out = _item(
        "Q7. Asymptotic properties of the MLE",
        "Consistency, asymptotic normality, efficiency: what do they say for an exponential rate?",
        d,
        ["Score equation", "Expected", "Fisher information", "Bias"],
    )
    rng = np.random.default_rng(7)
    rate, n, reps = 2.0, 200, 2000
    draws = np.array(
        [th.fit(th.Exponential, rng.exponential(1 / rate, n)).params["rate"] for _ in range(reps)]
    )
    crb = d.evaluate("crb", **{"lambda": rate, "n": n})[0, 0]
    out.add(
        "Numbers (2000 samples of 200 from rate 2)",
        "The bias lambda / (n - 1) vanishes (consistency), sqrt(n)(lambdahat - lambda) tends to "
        "Normal(0, 1 / I_1) and the variance reaches the Cramér–Rao bound (efficiency). "
        f"Simulated: mean {draws.mean():.4f} (bias formula {rate / (n - 1):.4f} above 2), "
        f"variance {draws.var(ddof=1):.5f} against the bound {crb:.5f}.",
    )
    return out


def _map_vs_mean() -> Derivation:
    import thetahat as th

    from . import derive

    d = derive("bernoulli", prior="beta")
    out = _item(
        "Q8. MAP versus the posterior mean",
        "Beta(a, b) prior, k successes in n trials: MAP and posterior mean.",
        d,
        ["MAP", "Posterior mode and mean", "Pseudo-counts"],
    )
    x = [1, 1, 1]
    est = th.fit(th.Bernoulli, x, prior=th.Beta(2, 2))
    post = th.posterior(th.Bernoulli, x, prior=th.Beta(2, 2))
    out.add(
        "Numbers (three heads, Beta(2, 2))",
        f"MAP (posterior mode) {est.params['p']:.4f}; posterior mean {post.mean()['p']:.4f}. "
        "The MAP minimises no expected loss but 0-1 in the limit; the mean minimises "
        "squared error and is what to predict with.",
    )
    return out


def _wrong_variance() -> Derivation:
    import thetahat as th

    from . import derive

    d = derive("normal")
    out = _item(
        "Wrong answer 1: 'the MLE of a variance is unbiased'",
        "It divides by n, not n - 1, so it is biased downwards by sigma^2 / n.",
        d,
        ["Bias"],
    )
    rng = np.random.default_rng(11)
    v = [float(th.fit(th.Normal, rng.normal(0, 2, 5)).params["sigma"]) ** 2 for _ in range(4000)]
    out.add(
        "Numbers (4000 samples of 5 from sigma = 2)",
        f"mean of sigmahat^2 = {np.mean(v):.3f}; (n - 1) sigma^2 / n = {4 * 4 / 5:.3f}; "
        "sigma^2 = 4.",
    )
    return out


def _wrong_mean() -> Derivation:
    from . import derive

    d = derive("poisson", prior="gamma")
    return _item(
        "Wrong answer 2: 'the MAP is the posterior mean'",
        "The MAP maximises the posterior density: it is the posterior's mode. For a Gamma "
        "posterior the mode (a' - 1) / b' and the mean a' / b' differ by 1 / b'.",
        d,
        ["MAP", "Posterior mode and mean"],
    )


def _wrong_invariance() -> Derivation:
    import thetahat as th

    from . import derive

    d = derive("bernoulli", prior="beta")
    out = _item(
        "Wrong answer 3: 'the MAP is invariant to reparametrisation, like the MLE'",
        "The MLE of g(p) is g(MLE of p) because a likelihood is not a density in the "
        "parameter. A posterior is: in eta = logit(p) its density picks up the Jacobian "
        "dp/deta = p (1 - p), which moves the mode.",
        d,
        ["MAP"],
    )
    eta = sp.Symbol("eta", real=True)
    p, a, b, k, n = (d.symbols[s] for s in ("p", "a", "b", "k", "n"))
    logpost = (a - 1 + k) * sp.log(p) + (b - 1 + n - k) * sp.log(1 - p)
    p_eta = 1 / (1 + sp.exp(-eta))
    jac = sp.log(sp.diff(p_eta, eta))
    in_eta = logpost.subs(p, p_eta) + jac
    sol = sp.solve(sp.simplify(sp.diff(in_eta, eta)), eta)
    p_at = sp.simplify(p_eta.subs(eta, sol[0])) if sol else None
    out.add(
        "The mode over eta",
        "Log posterior over eta (kernel), plus log |dp/deta|; solving its derivative for eta "
        "and mapping back:",
        relation(sp.log(f("p", eta)), in_eta),
        relation(f("logit^-1", sp.Symbol("eta_MAP")), p_at),
    )
    heads = [1, 1, 1]
    natural = th.fit(th.Bernoulli, heads, prior=th.Beta(2, 2)).params["p"]
    logit = th.fit(th.Bernoulli, heads, prior=th.Beta(2, 2), parametrization="unconstrained")
    data = [1] * 7 + [0] * 3
    m1 = th.fit(th.Bernoulli, data).params["p"]
    m2 = th.fit(th.Bernoulli, data, parametrization="unconstrained").params["p"]
    out.add(
        "Numbers",
        f"Three heads, Beta(2, 2): MAP over p {natural:.4f}, MAP over logit(p) mapped back "
        f"{logit.params['p']:.4f}. 7 heads in 10, no prior: MLE over p {m1:.4f}, over "
        f"logit(p) {m2:.4f} (the same: the MLE is invariant).",
    )
    return out


def drill_items() -> list[Derivation]:
    """The drill's questions and wrong answers, as derivations."""
    builders = (
        _gaussian,
        _ols,
        _ridge,
        _cross_entropy,
        _succession,
        _pseudo,
        _asymptotic,
        _map_vs_mean,
        _wrong_variance,
        _wrong_mean,
        _wrong_invariance,
    )
    return [b() for b in builders]


def run_drill(fmt: str = "text") -> str:
    """The drill rendered as ``text``, ``markdown`` or ``latex``."""
    sep = "\n" if fmt != "text" else "\n\n"
    return sep.join(d.render(fmt) for d in drill_items())
