"""The textbook numbers the whole project is built around."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import thetahat as th


def test_three_heads_mle_is_one_with_boundary_warning() -> None:
    with pytest.warns(th.BoundaryWarning, match=r"p = 1.*prior fixes this"):
        est = th.fit(th.Bernoulli, [1, 1, 1])
    assert est.method == "mle"
    assert est.params["p"] == 1.0
    assert est.se["p"] == np.inf
    assert est.status == "boundary"
    assert any("p = 1" in w for w in est.warnings)


def test_three_heads_map_with_beta_2_2_is_0_8() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = th.fit(th.Bernoulli, [1, 1, 1], prior=th.Beta(2, 2))
    assert est.method == "map"
    assert est.params["p"] == pytest.approx(0.8, rel=1e-15)
    # the MAP is the mode of the exact posterior Beta(2 + 3, 2 + 0)
    post = th.posterior(th.Bernoulli, [1, 1, 1], prior=th.Beta(2, 2))
    assert post.dist == th.Beta(5, 2)
    assert post.mode()["p"] == pytest.approx(est.params["p"])
    # logpost = loglik + log prior at the mode
    from scipy import stats

    expected = 3 * np.log(0.8) + stats.beta(2, 2).logpdf(0.8)
    assert est.logpost == pytest.approx(expected, rel=1e-12)


def test_rule_of_succession() -> None:
    post = th.posterior(th.Bernoulli, [1, 1, 1], prior=th.Beta(1, 1))
    assert post.mean()["p"] == pytest.approx(4 / 5)
    # and in general (k + 1) / (n + 2)
    post = th.posterior(th.Bernoulli, [1, 0, 1, 1, 0, 0, 0], prior=th.Beta(1, 1))
    assert post.mean()["p"] == pytest.approx((3 + 1) / (7 + 2))


def test_normal_mle_variance_divides_by_n_and_sigma_is_its_root() -> None:
    x = np.array([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0])
    est = th.fit(th.Normal, x)
    assert est.params["mu"] == pytest.approx(x.mean())
    assert est.params["sigma"] ** 2 == pytest.approx(np.var(x, ddof=0), rel=1e-14)
    assert est.params["sigma"] == pytest.approx(np.sqrt(np.var(x, ddof=0)), rel=1e-14)
    # invariance: the MLE of the variance is the square of the MLE of sigma
    var = est.transform(lambda s: s**2, "var", of="sigma")
    assert var.params["var"] == pytest.approx(np.var(x), rel=1e-12)
    # delta method: se(var) = 2 sigma se(sigma)
    assert var.se["var"] == pytest.approx(2 * est.params["sigma"] * est.se["sigma"], rel=1e-6)


def test_map_tends_to_mle_and_prior_weight_decays_like_one_over_n() -> None:
    rng = np.random.default_rng(3)
    prior = th.Beta(5, 5)
    gaps = []
    ns = [10, 100, 1000, 10000]
    for n in ns:
        x = rng.binomial(1, 0.3, size=n)
        mle = th.fit(th.Bernoulli, x).params["p"]
        map_ = th.fit(th.Bernoulli, x, prior=prior).params["p"]
        gaps.append(abs(map_ - mle))
    # |MAP - MLE| = |(a - 1) - (a + b - 2) p_hat| / (n + a + b - 2): O(1/n)
    for n, g in zip(ns, gaps, strict=True):
        assert g <= 4.0 * 8 / (n + 8)
    assert gaps[-1] < gaps[0] / 50
