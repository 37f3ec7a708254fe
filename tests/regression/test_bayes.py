"""Bayesian linear regression: direct computation, BayesianRidge, brute-force evidence."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, special, stats
from sklearn.linear_model import BayesianRidge

import thetahat as th
from thetahat.regression import LinearRegression


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    X = rng.normal(size=(60, 3))
    y = X @ [0.5, -1.0, 0.25] + 2.0 + 0.8 * rng.normal(size=60)
    return X, y


def test_nig_posterior_matches_direct_computation(data) -> None:  # type: ignore[no-untyped-def]
    X, y = data
    mu0, lam, a0, b0 = 0.2, 2.0, 3.0, 1.5
    model = LinearRegression(prior=th.NormalInverseGamma(mu0, lam, a0, b0)).fit(X, y)
    post = model.posterior_
    # direct: augmented design, prior precision lam on weights, 0 on the intercept
    A = np.column_stack([X, np.ones(len(y))])
    L0 = np.diag([lam] * 3 + [0.0])
    m0 = np.array([mu0] * 3 + [0.0])
    Ln = A.T @ A + L0
    mn = np.linalg.solve(Ln, A.T @ y + L0 @ m0)
    an = a0 + (len(y) - 1) / 2
    bn = b0 + 0.5 * (y @ y + m0 @ L0 @ m0 - mn @ Ln @ mn)
    np.testing.assert_allclose(post.loc, mn, rtol=1e-10)
    assert post.noise_shape == pytest.approx(an)
    assert post.noise_scale == pytest.approx(bn, rel=1e-10)
    assert post.df == pytest.approx(2 * an)
    np.testing.assert_allclose(post.scale, (bn / an) * np.linalg.inv(Ln), rtol=1e-9)
    # marginal t intervals
    lo, hi = post.interval(0.9)["x1"]
    ref = stats.t(2 * an, mn[1], np.sqrt(bn / an * np.linalg.inv(Ln)[1, 1])).interval(0.9)
    np.testing.assert_allclose([lo, hi], ref, rtol=1e-9)
    # Student-t predictive interval
    x_new = X[:3]
    _, lo, hi = model.predict(x_new, return_interval=0.95)
    An = np.column_stack([x_new, np.ones(3)])
    sc = np.sqrt(bn / an * (1 + np.einsum("ij,jk,ik->i", An, np.linalg.inv(Ln), An)))
    np.testing.assert_allclose(hi, stats.t(2 * an, An @ mn, sc).ppf(0.975), rtol=1e-9)
    np.testing.assert_allclose(lo, stats.t(2 * an, An @ mn, sc).ppf(0.025), rtol=1e-9)
    # noise variance draws follow InverseGamma(an, bn)
    s2 = post.sample(20000, rng=1)["sigma2"]
    assert stats.kstest(s2, stats.invgamma(an, scale=bn).cdf).pvalue > 1e-3


def test_gaussian_posterior_matches_bayesian_ridge(data) -> None:  # type: ignore[no-untyped-def]
    X, y = data
    br = BayesianRidge(max_iter=3, tol=1e-300).fit(X, y)
    # at BayesianRidge's (fixed) precisions the posterior is exact and must coincide
    tau, sigma = 1.0 / np.sqrt(br.lambda_), 1.0 / np.sqrt(br.alpha_)
    model = LinearRegression(prior=th.Normal(0, tau), noise_sd=sigma).fit(X, y)
    np.testing.assert_allclose(model.coef_, br.coef_, rtol=1e-9)
    assert model.intercept_ == pytest.approx(br.intercept_, rel=1e-9)
    np.testing.assert_allclose(model.posterior_.cov[:3, :3], br.sigma_, rtol=1e-9)
    mean, lo, hi = model.predict(X[:4], return_interval=0.95)
    bmean, bstd = br.predict(X[:4], return_std=True)
    # BayesianRidge's std leaves out the intercept's uncertainty: compare the mean,
    # and check our interval is at least as wide
    np.testing.assert_allclose(mean, bmean, rtol=1e-9)
    assert np.all((hi - lo) / 2 >= 1.959963984540054 * bstd * (1 - 1e-12))


def test_evidence_choice_matches_bayesian_ridge(data) -> None:  # type: ignore[no-untyped-def]
    X, y = data
    # without an intercept both maximise the same marginal likelihood exactly
    br = BayesianRidge(
        fit_intercept=False,
        alpha_1=0.0,
        alpha_2=0.0,
        lambda_1=0.0,
        lambda_2=0.0,
        tol=1e-14,
        max_iter=100_000,
        compute_score=True,
    ).fit(X, y)
    model = LinearRegression(prior="evidence", fit_intercept=False).fit(X, y)
    assert model.noise_sd_ == pytest.approx(1 / np.sqrt(br.alpha_), rel=1e-6)
    assert model.prior_.sigma == pytest.approx(1 / np.sqrt(br.lambda_), rel=1e-6)
    np.testing.assert_allclose(model.coef_, br.coef_, rtol=1e-6)
    assert model.posterior_.log_evidence == pytest.approx(br.scores_[-1], rel=1e-8)


def test_log_evidence_nig_by_quadrature() -> None:
    rng = np.random.default_rng(6)
    x = rng.normal(size=8)
    y = 0.7 * x + 0.5 * rng.normal(size=8)
    mu0, lam, a0, b0 = 0.0, 1.5, 2.0, 0.5
    model = LinearRegression(
        prior=th.NormalInverseGamma(mu0, lam, a0, b0), fit_intercept=False
    ).fit(x[:, None], y)

    lg = a0 * np.log(b0) - special.gammaln(a0)  # InverseGamma normalising constant

    def joint(w: float, s2: float) -> float:
        # Normal likelihood, Normal(mu0, s2/lam) prior on w, InverseGamma(a0, b0) on s2
        r = y - w * x
        ll = -0.5 * len(y) * np.log(2 * np.pi * s2) - (r @ r) / (2 * s2)
        lw = -0.5 * np.log(2 * np.pi * s2 / lam) - lam * (w - mu0) ** 2 / (2 * s2)
        ls = lg - (a0 + 1) * np.log(s2) - b0 / s2
        return float(np.exp(ll + lw + ls))

    z, _ = integrate.dblquad(joint, 1e-6, 5.0, -4.0, 6.0, epsabs=1e-14, epsrel=1e-10)
    assert model.posterior_.log_evidence == pytest.approx(np.log(z), abs=1e-6)


def test_log_evidence_gaussian_with_intercept_by_quadrature() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=10)
    y = 1.0 + 0.5 * x + 0.3 * rng.normal(size=10)
    tau, sigma = 0.8, 0.3
    model = LinearRegression(prior=th.Normal(0, tau), noise_sd=sigma).fit(x[:, None], y)

    def joint(w: float, b: float) -> float:
        r = y - b - w * x
        ll = -0.5 * len(y) * np.log(2 * np.pi * sigma**2) - (r @ r) / (2 * sigma**2)
        lw = -0.5 * np.log(2 * np.pi * tau**2) - w**2 / (2 * tau**2)
        return float(np.exp(ll + lw))  # flat unit prior on b

    z, _ = integrate.dblquad(joint, 0.0, 2.0, -1.0, 2.0, epsabs=0, epsrel=1e-10)
    assert model.posterior_.log_evidence == pytest.approx(np.log(z), abs=1e-6)
