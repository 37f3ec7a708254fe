"""Is the Laplace approximation good enough (PSIS k-hat), its importance correction,
and MCMC's diagnostics."""

from __future__ import annotations

import numpy as np
import pytest

import thetahat as th


def test_khat_is_large_on_a_skewed_small_sample() -> None:
    # a scale posterior from two observations: long right tail on the log scale
    post = th.posterior(th.Normal, [0.5, 1.3], method="laplace",
                        prior={"mu": th.Normal(0, 10), "sigma": th.Gamma(1, 0.1)})  # fmt: skip
    assert post.khat > 0.7
    assert "bad" in post.summary()


def test_khat_is_small_on_a_large_sample() -> None:
    x = th.Gamma(shape=2.0, rate=1.0).sample(5000, rng=0)
    prior = {"shape": th.Gamma(2, 1), "rate": th.Gamma(2, 1)}
    post = th.posterior(th.Gamma, x, prior=prior, method="laplace")
    assert post.khat < 0.5
    assert "PSIS k-hat" in post.summary()


def test_laplace_is_moves_towards_the_exact_posterior() -> None:
    x = th.Gamma(shape=2.0, rate=1.0).sample(25, rng=1)
    prior = {"shape": th.Gamma(2, 1), "rate": th.Gamma(2, 1)}
    quad = th.posterior(th.Gamma, x, prior=prior, method="quadrature")
    lap = th.posterior(th.Gamma, x, prior=prior, method="laplace")
    lis = th.posterior(
        th.Gamma,
        x,
        prior=prior,
        method="laplace-is",
    )
    assert lis.method == "laplace-is" and lis.khat < 0.7
    for name in ("shape", "rate"):
        exact = quad.mean()[name]
        assert abs(lis.mean()[name] - exact) < abs(lap.mean()[name] - exact)
        assert abs(lis.mean()[name] - exact) < 5 * lis.errors["mcse_mean"][name]
    assert abs(lis.log_evidence - quad.log_evidence) < 5 * lis.log_evidence_error + 1e-3


def test_khat_of_a_non_laplace_posterior_is_an_error() -> None:
    post = th.posterior(th.Bernoulli, [1, 0], prior=th.Beta(1, 1))
    with pytest.raises(ValueError, match="khat"):
        _ = post.khat


def test_mcmc_reports_rhat_ess_and_exports_to_arviz() -> None:
    import arviz as az

    post = th.posterior(th.Poisson, [3, 5, 4, 2], prior=th.Gamma(2, 1), method="mcmc",
                        mcmc={"rng": 3})  # fmt: skip
    exact = th.posterior(th.Poisson, [3, 5, 4, 2], prior=th.Gamma(2, 1))
    assert post.diagnostics["rhat"] <= 1.01 and post.diagnostics["ess_bulk"] > 400
    assert abs(post.mean()["rate"] - exact.mean()["rate"]) < 5 * post.errors["mcse_mean"]["rate"]
    idata = post.to_arviz()
    assert isinstance(idata, az.InferenceData)
    assert idata.posterior["rate"].shape == post.dist.chains.shape[:2]
    assert "R-hat" in post.summary()


def test_mcmc_that_did_not_converge_warns() -> None:
    with pytest.warns(RuntimeWarning, match="R-hat"):
        post = th.posterior(th.Poisson, [3, 5, 4], prior=th.Gamma(2, 1), method="mcmc",
                            mcmc={"draws": 5, "tune": 0, "max_draws": 5, "rng": 0})  # fmt: skip
    assert post.diagnostics["rhat"] > 1.01
    assert any("R-hat" in w for w in post.warnings)


def test_mcmc_bad_options() -> None:
    with pytest.raises(ValueError, match="draws"):
        th.posterior(th.Poisson, [3], prior=th.Gamma(2, 1), method="mcmc", mcmc={"draws": 0})
    with pytest.raises(ValueError, match="walkers"):
        th.posterior(th.Poisson, [3], prior=th.Gamma(2, 1), method="mcmc", mcmc={"walkers": 1})


def test_to_arviz_of_any_posterior() -> None:
    post = th.posterior(th.Bernoulli, [1, 0, 1], prior=th.Beta(1, 1))
    idata = post.to_arviz(draws=100, rng=0)
    assert np.asarray(idata.posterior["p"]).shape == (1, 100)
