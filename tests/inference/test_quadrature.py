"""Quadrature posteriors: against exact conjugate posteriors (to 1e-8) and a long
MCMC run where no closed form exists."""

from __future__ import annotations

import doctest
import warnings

import numpy as np
import pytest

import thetahat as th


def _close(a: float, b: float, tol: float = 1e-8) -> bool:
    return abs(a - b) <= tol * max(1.0, abs(b))


@pytest.mark.parametrize(
    ("family", "data", "prior"),
    [
        (th.Bernoulli, [1, 1, 0, 1], th.Beta(2.0, 3.0)),
        (th.Bernoulli, [1, 1, 1], th.Beta(0.7, 0.9)),
        (th.Poisson, [2, 5, 1, 0, 3], th.Gamma(2.0, 1.0)),
        (th.Exponential, [0.3, 1.2, 2.2], th.Gamma(1.5, 2.0)),
        (th.Normal(sigma=2.0), [0.3, 1.2, -2.2, 4.0], th.Normal(1.0, 3.0)),
    ],
)
def test_one_parameter_matches_the_conjugate_posterior(family, data, prior) -> None:
    exact = th.posterior(family, data, prior=prior)
    quad = th.posterior(family, data, prior=prior, method="quadrature")
    assert quad.method == "quadrature"
    (name,) = exact.names
    for attr in ("mean", "var"):
        assert _close(getattr(quad, attr)()[name], getattr(exact, attr)()[name])
    lo, hi = quad.interval(0.9)[name]
    elo, ehi = exact.interval(0.9)[name]
    assert _close(lo, elo) and _close(hi, ehi)
    assert _close(quad.log_evidence, exact.log_evidence)
    # the error estimates are honest: they bound the true error and are small
    assert quad.log_evidence_error < 1e-8
    assert abs(quad.mean()[name] - exact.mean()[name]) <= 1e-12 + 10 * quad.errors[name]["mean"]


def _normal_mean_var_model() -> th.Model:
    return th.Model(
        logpdf=lambda x, mu, var: -0.5 * np.log(2 * np.pi * var) - 0.5 * (x - mu) ** 2 / var,
        params={"mu": "real", "var": "positive"},
        name="NormalMV",
    )


def test_two_parameters_match_normal_inverse_gamma() -> None:
    x = np.random.default_rng(2).normal(1.0, 2.0, 20)
    prior = th.NormalInverseGamma(0.0, 1.0, 2.0, 3.0)
    exact = th.posterior(th.Normal, x, prior=prior)
    quad = th.posterior(_normal_mean_var_model(), x, prior=prior, method="quadrature")
    for name in ("mu", "var"):
        assert _close(quad.mean()[name], float(exact.mean()[name]))
        assert _close(quad.var()[name], float(exact.var()[name]))
        for q, e in zip(quad.interval()[name], exact.interval()[name], strict=True):
            assert _close(q, float(e))
    assert _close(quad.log_evidence, exact.log_evidence)


def test_predictive_matches_the_negative_binomial() -> None:
    data, prior = [2, 5, 1, 0, 3], th.Gamma(2.0, 1.0)
    exact = th.posterior(th.Poisson, data, prior=prior).predictive()
    quad = th.posterior(th.Poisson, data, prior=prior, method="quadrature").predictive()
    k = np.arange(0, 15)
    assert np.allclose(quad.pmf(k), exact.pmf(k), rtol=1e-8, atol=1e-14)
    assert np.allclose(quad.cdf(k), exact.cdf(k), rtol=1e-8, atol=1e-14)
    assert _close(quad.mean(), float(exact.mean()))
    assert np.all(quad.error(k) < 1e-6)
    draws = quad.sample(4000, rng=1)
    assert abs(np.mean(draws) - float(exact.mean())) < 5 * np.sqrt(float(exact.var()) / 4000)


def test_agrees_with_a_long_mcmc_run() -> None:
    x = th.Gamma(shape=1.7, rate=2.0).sample(30, rng=4)
    prior = {"shape": th.Gamma(2.0, 1.0), "rate": th.Gamma(2.0, 1.0)}
    quad = th.posterior(th.Gamma, x, prior=prior, method="quadrature")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mc = th.posterior(th.Gamma, x, prior=prior, method="mcmc",
                          mcmc={"draws": 4000, "tune": 1000, "rng": 5})  # fmt: skip
    for name in ("shape", "rate"):
        mcse = mc.errors["mcse_mean"][name]
        assert abs(quad.mean()[name] - mc.mean()[name]) < 5 * mcse
        sd = np.sqrt(quad.var()[name])
        assert abs(np.sqrt(mc.var()[name]) - sd) < 0.05 * sd
        for a, b in zip(quad.interval()[name], mc.interval()[name], strict=True):
            assert abs(a - b) < 0.1 * sd


def test_grid_density_marginals_and_draws_are_consistent() -> None:
    x = th.Gamma(shape=2.0, rate=1.0).sample(40, rng=1)
    prior = {"shape": th.Gamma(2.0, 1.0), "rate": th.Gamma(2.0, 1.0)}
    post = th.posterior(th.Gamma, x, prior=prior, method="quadrature")
    g = post.dist
    assert np.isclose(g.weights.sum(), 1.0)
    assert g.nodes.shape == (g.weights.shape[0], 2)
    for name in post.names:
        t, dens = g.marginal(name)
        assert np.isclose(np.trapezoid(dens, t), 1.0, atol=2e-3)  # trapezoid on theta
    # the normalised joint density at the mode matches a direct evaluation
    mode = post.mode()
    lp = g.logpdf(np.array([mode["shape"], mode["rate"]]))
    assert np.isfinite(lp)
    draws = post.sample(20000, rng=2)
    for name in post.names:
        sd = np.sqrt(post.var()[name])
        assert abs(np.mean(draws[name]) - post.mean()[name]) < 0.05 * sd
    assert "quadrature" in post.summary() and "Log evidence error" in post.summary()


def test_auto_says_which_method_it_used() -> None:
    assert th.posterior(th.Bernoulli, [1, 0], prior=th.Beta(1, 1), method="auto").method == (
        "conjugate"
    )
    prior = {"shape": th.Gamma(2, 1), "scale": th.Gamma(2, 1)}
    x = th.Weibull(shape=2.0, scale=1.0).sample(20, rng=0)
    assert th.posterior(th.Weibull, x, prior=prior, method="auto").method == ("quadrature")
    four = th.Model(
        logpdf=lambda x, a, b, c, d: -0.5 * (x - a - b - c - d) ** 2,
        params={"a": "real", "b": "real", "c": "real", "d": "real"},
    )
    pri4 = {n: th.Normal(0, 1) for n in "abcd"}
    post = th.posterior(four, [0.1, 0.3, -0.2], prior=pri4, method="auto")
    assert post.method == "laplace"
    with pytest.raises(ValueError, match="at most 3"):
        th.posterior(four, [0.1, 0.3], prior=pri4, method="quadrature")


def test_bad_method_and_improper_prior() -> None:
    with pytest.raises(ValueError, match="method must be one of"):
        th.posterior(th.Poisson, [1, 2], prior=th.Gamma(1, 1), method="grid")
    with pytest.raises(ValueError, match="proper"):
        th.posterior(th.Poisson, [1, 2], prior=th.Flat(), method="quadrature")


def test_docstring_examples_run() -> None:
    import thetahat._psis
    import thetahat.inference._density
    import thetahat.inference.importance
    import thetahat.inference.mcmc
    import thetahat.inference.quadrature

    for mod in (
        thetahat.inference.quadrature,
        thetahat.inference.importance,
        thetahat.inference.mcmc,
        thetahat.inference._density,
        thetahat._psis,
    ):
        res = doctest.testmod(mod)
        assert res.failed == 0 and res.attempted >= 1, mod.__name__
