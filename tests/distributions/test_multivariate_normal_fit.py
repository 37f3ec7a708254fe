"""Multivariate normal fits, NormalInverseWishart / InverseWishart posteriors, the t predictive.

Checked against scipy.stats (multivariate_normal, invwishart, multivariate_t), numpy's
covariance, simulation, and the marginal-likelihood identity
``log p(X) = log p(X | theta) + log p(theta) - log p(theta | X)`` evaluated with scipy.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import thetahat as th

COV = np.array([[2.0, 0.6, -0.3], [0.6, 1.0, 0.2], [-0.3, 0.2, 0.5]])
MU = np.array([1.0, -2.0, 0.5])


@pytest.fixture(scope="module")
def X():
    return np.random.default_rng(0).multivariate_normal(MU, COV, size=300)


def test_mle_matches_numpy_and_scipy(X):
    est = th.fit(th.MultivariateNormal, X)
    np.testing.assert_allclose(est.params["mu"], X.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(est.params["cov"], np.cov(X.T, bias=True), rtol=1e-12)
    np.testing.assert_allclose(est.details["cov_unbiased"], np.cov(X.T), rtol=1e-12)
    ref = stats.multivariate_normal(est.params["mu"], est.params["cov"]).logpdf(X).sum()
    assert est.loglik == pytest.approx(ref, rel=1e-12)
    assert est.df_model == 3 + 6 and est.status == "success"
    se = est.se
    np.testing.assert_allclose(se["mu"], np.sqrt(np.diag(est.params["cov"]) / 300))
    c = est.params["cov"]
    np.testing.assert_allclose(se["cov"], np.sqrt((c**2 + np.outer(np.diag(c), np.diag(c))) / 300))


def test_mle_with_known_mean(X):
    est = th.fit(th.MultivariateNormal(mu=MU), X)
    d = X - MU
    np.testing.assert_allclose(est.params["cov"], d.T @ d / 300, rtol=1e-12)
    assert list(est.params) == ["cov"] and est.df_model == 6


def test_standard_errors_by_simulation():
    rng = np.random.default_rng(1)
    cov = COV[:2, :2]
    draws = np.array(
        [
            th.fit(th.MultivariateNormal, rng.multivariate_normal(MU[:2], cov, 200)).params["cov"]
            for _ in range(400)
        ]
    )
    est = th.fit(th.MultivariateNormal, rng.multivariate_normal(MU[:2], cov, 200))
    se = np.sqrt((cov**2 + np.outer(np.diag(cov), np.diag(cov))) / 200)
    np.testing.assert_allclose(draws.std(axis=0), se, rtol=0.15)
    np.testing.assert_allclose(est.se["cov"], se, rtol=0.25)


def test_streaming_statistics_merge_with_chans_update():
    rng = np.random.default_rng(2)
    X = 1e8 + rng.multivariate_normal(np.zeros(2), COV[:2, :2], 3000)  # far from zero
    fam = th.MultivariateNormal()
    parts = [fam.suff_stats(X[i : i + 700]) for i in range(0, 3000, 700)]
    merged = sum(parts[1:], start=parts[0])
    whole = fam.suff_stats(X)
    d = X - X.mean(axis=0)
    # the values themselves are only resolved to ~1.5e-8 at 1e8; raw sums of squares
    # (X^T X - n xbar xbar^T, ~1e20 each) would lose every digit
    np.testing.assert_allclose(merged.scatter, d.T @ d, rtol=1e-7)
    naive = X.T @ X - 3000 * np.outer(X.mean(axis=0), X.mean(axis=0))
    assert np.max(np.abs(naive - d.T @ d)) > 1e3 * np.max(np.abs(merged.scatter - d.T @ d))
    np.testing.assert_allclose(merged.mean, whole.mean, rtol=1e-14)
    assert (type(merged).zero() + merged).n == 3000
    a = th.fit(th.MultivariateNormal, merged)
    b = th.fit(th.MultivariateNormal, X)
    np.testing.assert_allclose(a.params["cov"], b.params["cov"], rtol=1e-7)
    w = rng.integers(0, 4, 3000)
    np.testing.assert_allclose(
        th.fit(th.MultivariateNormal, X, weights=w).params["cov"],
        th.fit(th.MultivariateNormal, np.repeat(X, w, axis=0)).params["cov"],
        rtol=1e-9,
    )


def _niw_logpdf(mu, cov, prior):
    return stats.multivariate_normal(prior.mu, cov / prior.kappa).logpdf(mu) + stats.invwishart(
        prior.nu, prior.psi
    ).logpdf(cov)


def test_niw_posterior_and_evidence_by_the_marginal_likelihood_identity(X):
    prior = th.NormalInverseWishart(np.zeros(3), 2.0, 6.0, np.eye(3))
    post = th.posterior(th.MultivariateNormal, X, prior=prior)
    # at any theta: log p(X) = log p(X | theta) + log p(theta) - log p(theta | X)
    mu, cov = MU + 0.1, COV * 1.1
    ident = (
        stats.multivariate_normal(mu, cov).logpdf(X).sum()
        + _niw_logpdf(mu, cov, prior)
        - _niw_logpdf(mu, cov, post.dist)
    )
    assert post.log_evidence == pytest.approx(ident, rel=1e-10)
    assert prior.logpdf({"mu": mu, "cov": cov}) == pytest.approx(_niw_logpdf(mu, cov, prior))
    # MAP: the posterior mode, and the mode is where the log posterior is largest
    est = th.fit(th.MultivariateNormal, X, prior=prior)
    np.testing.assert_allclose(est.params["mu"], post.dist.mu)
    np.testing.assert_allclose(est.params["cov"], post.dist.psi / (post.dist.nu + 3 + 2))
    best = _niw_logpdf(est.params["mu"], est.params["cov"], post.dist)
    for scale in (0.98, 1.02):
        assert _niw_logpdf(est.params["mu"], est.params["cov"] * scale, post.dist) < best
    # online updates equal one posterior of all the data
    online = th.posterior(th.MultivariateNormal, X[:100], prior=prior).update(X[100:])
    assert online.log_evidence == pytest.approx(post.log_evidence, rel=1e-12)


def test_niw_in_one_dimension_is_the_normal_inverse_gamma():
    x = np.random.default_rng(3).normal(1.0, 2.0, 40)
    niw = th.posterior(
        th.MultivariateNormal, x[:, None], prior=th.NormalInverseWishart([0.5], 2.0, 3.0, [[4.0]])
    )
    nig = th.posterior(th.Normal, x, prior=th.NormalInverseGamma(0.5, 2.0, 1.5, 2.0))
    assert niw.log_evidence == pytest.approx(nig.log_evidence, rel=1e-12)
    pred_t = niw.predictive()
    pred_1 = nig.predictive()
    assert float(pred_t.logpdf(np.array([1.3]))) == pytest.approx(float(pred_1.logpdf(1.3)))


def test_predictive_is_the_evidence_ratio(X):
    prior = th.NormalInverseWishart(np.zeros(3), 1.0, 5.0, 2.0 * np.eye(3))
    post = th.posterior(th.MultivariateNormal, X[:50], prior=prior)
    new = X[50]
    both = th.posterior(th.MultivariateNormal, X[:51], prior=prior)
    pred = post.predictive()
    assert isinstance(pred, th.MultivariateStudentT)
    assert float(pred.logpdf(new)) == pytest.approx(both.log_evidence - post.log_evidence)
    ref = stats.multivariate_t(pred.loc, pred.shape, df=pred.df).logpdf(new)
    assert float(pred.logpdf(new)) == pytest.approx(ref, rel=1e-12)


def test_inverse_wishart_known_mean(X):
    prior = th.InverseWishart(5.0, np.eye(3))
    fam = th.MultivariateNormal(mu=MU)
    post = th.posterior(fam, X, prior=prior)
    cov = COV * 0.9
    ident = (
        stats.multivariate_normal(MU, cov).logpdf(X).sum()
        + stats.invwishart(5.0, np.eye(3)).logpdf(cov)
        - stats.invwishart(post.dist.nu, post.dist.psi).logpdf(cov)
    )
    assert post.log_evidence == pytest.approx(ident, rel=1e-10)
    est = th.fit(fam, X, prior=prior)
    np.testing.assert_allclose(est.params["cov"], post.dist.psi / (post.dist.nu + 4))
    pred = post.predictive()
    both = th.posterior(fam, np.vstack([X, X[:1]]), prior=prior)
    assert float(pred.logpdf(X[0])) == pytest.approx(both.log_evidence - post.log_evidence)


def test_inverse_wishart_against_scipy():
    psi = np.array([[2.0, 0.3], [0.3, 1.0]])
    iw = th.InverseWishart(7.0, psi)
    ref = stats.invwishart(7.0, psi)
    s = ref.rvs(size=5, random_state=1)
    np.testing.assert_allclose(iw.logpdf(s), ref.logpdf(np.moveaxis(s, 0, -1)), rtol=1e-12)
    np.testing.assert_allclose(iw.mean(), ref.mean())
    np.testing.assert_allclose(iw.mode(), ref.mode())
    heavy = th.InverseWishart(20.0, psi)  # finite 4th moments: the sample variance settles
    np.testing.assert_allclose(heavy.sample(40000, rng=2).var(axis=0), heavy.var(), rtol=0.05)
    draws = iw.sample(40000, rng=2)
    lo, hi = iw.interval(0.9)
    inside = (draws[:, 0, 0] > lo[0, 0]) & (draws[:, 0, 0] < hi[0, 0])
    assert inside.mean() == pytest.approx(0.9, abs=0.01)
    assert np.isnan(lo[0, 1])


def test_niw_moments_and_intervals_by_simulation():
    niw = th.NormalInverseWishart(
        np.array([1.0, 0.0]), 3.0, 8.0, np.array([[2.0, 0.4], [0.4, 1.0]])
    )
    draws = niw.sample(40000, rng=3)
    np.testing.assert_allclose(draws["mu"].mean(axis=0), niw.mean()["mu"], atol=0.01)
    np.testing.assert_allclose(draws["cov"].mean(axis=0), niw.mean()["cov"], rtol=0.03)
    np.testing.assert_allclose(draws["mu"].var(axis=0), niw.var()["mu"], rtol=0.05)
    lo, hi = niw.interval(0.8)
    cover = (draws["mu"] > lo["mu"]) & (draws["mu"] < hi["mu"])
    np.testing.assert_allclose(cover.mean(axis=0), 0.8, atol=0.01)


def test_multivariate_t_against_scipy():
    t = th.MultivariateStudentT(6.0, MU, COV)
    x = np.random.default_rng(4).normal(size=(7, 3))
    ref = stats.multivariate_t(MU, COV, df=6.0)
    np.testing.assert_allclose(t.logpdf(x), ref.logpdf(x), rtol=1e-12)
    draws = t.sample(60000, rng=5)
    np.testing.assert_allclose(np.cov(draws.T), t.cov(), rtol=0.06, atol=0.02)


def test_bad_input(X):
    with pytest.raises(ValueError, match="singular"):
        th.fit(th.MultivariateNormal, X[:2])
    with pytest.raises(ValueError, match="columns"):
        th.fit(
            th.MultivariateNormal,
            X,
            prior=th.NormalInverseWishart(np.zeros(2), 1.0, 4.0, np.eye(2)),
        )
    with pytest.raises(ValueError, match="nu > k - 1"):
        th.InverseWishart(1.0, np.eye(3))
    with pytest.raises(ValueError, match="data"):
        th.fit(th.MultivariateNormal, np.array([[1.0, np.nan], [2.0, 3.0], [1.0, 1.0]]))
    # with a prior, two observations of 3-vectors are fine
    est = th.fit(
        th.MultivariateNormal,
        X[:2],
        prior=th.NormalInverseWishart(np.zeros(3), 1.0, 5.0, np.eye(3)),
    )
    assert est.status == "success"
