"""MAP with any prior, the Laplace posterior and profile intervals."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import optimize, special, stats

import thetahat as th
from thetahat.inference._solve import FitProblem, solve
from thetahat.statistics import statistics_of


@pytest.mark.parametrize(
    ("fam", "x"),
    [
        (th.Gamma, np.random.default_rng(1).gamma(0.8, 2.0, 200)),
        (th.Weibull, np.random.default_rng(2).weibull(1.4, 200)),
        (th.StudentT, np.random.default_rng(3).standard_t(3.0, 200)),
        (th.Beta, np.random.default_rng(4).beta(2.0, 3.0, 200)),
    ],
)
def test_map_with_flat_prior_is_the_mle(fam: type, x: np.ndarray) -> None:
    mle = th.fit(fam, x)
    flat = {k: th.Flat() for k in mle.params}
    for prior in (flat, th.Flat()):
        if prior == th.Flat() and len(mle.params) > 1:
            continue
        est = th.fit(fam, x, prior=prior)
        assert est.method == "map"
        for k in mle.params:
            assert est.params[k] == pytest.approx(mle.params[k], rel=1e-7)


def test_generic_map_solver_equals_exact_posterior_mode() -> None:
    x = np.random.default_rng(5).poisson(3.0, 50)
    prior = th.Gamma(2.0, 0.5)
    exact = th.posterior(th.Poisson, x, prior=prior).mode()["rate"]
    fam = th.Poisson()
    theta, res = solve(FitProblem(fam, statistics_of(fam, x), prior))
    assert res.converged
    assert theta["rate"] == pytest.approx(exact, rel=1e-8)
    # and through fit (which takes the conjugate route)
    assert th.fit(th.Poisson, x, prior=prior).params["rate"] == pytest.approx(exact, rel=1e-10)
    y = np.random.default_rng(6).normal(1.0, 2.0, 40)
    nprior = th.Normal(0.0, 1.0)
    exact_mu = th.posterior(th.Normal(sigma=2.0), y, prior=nprior).mode()["mu"]
    fam2 = th.Normal(sigma=2.0)
    theta2, _ = solve(FitProblem(fam2, statistics_of(fam2, y), nprior))
    assert theta2["mu"] == pytest.approx(exact_mu, rel=1e-8)


def test_map_with_non_conjugate_priors_maximises_the_log_posterior() -> None:
    x = np.random.default_rng(7).gamma(2.0, 1.0, 30)
    prior = {"shape": th.LogNormal(0.0, 1.0), "rate": th.Gamma(2.0, 1.0)}
    est = th.fit(th.Gamma, x, prior=prior)

    def neg_post(v: np.ndarray) -> float:
        k, r = v
        if k <= 0 or r <= 0:
            return np.inf
        return -float(
            np.sum(stats.gamma.logpdf(x, k, scale=1 / r))
            + stats.lognorm.logpdf(k, 1.0)
            + stats.gamma.logpdf(r, 2.0, scale=1.0)
        )

    ref = optimize.minimize(neg_post, [1.0, 1.0], method="Nelder-Mead",
                            options={"xatol": 1e-10, "fatol": 1e-12})  # fmt: skip
    assert est.params["shape"] == pytest.approx(ref.x[0], rel=1e-5)
    assert est.params["rate"] == pytest.approx(ref.x[1], rel=1e-5)
    assert est.logpost == pytest.approx(-ref.fun, rel=1e-9)
    # the covariance is the inverse curvature of the log posterior
    h = np.empty((2, 2))
    v0, eps = np.array([est.params["shape"], est.params["rate"]]), 1e-4
    for i in range(2):
        for j in range(2):
            ei, ej = np.eye(2)[i] * eps, np.eye(2)[j] * eps
            h[i, j] = (
                neg_post(v0 + ei + ej) - neg_post(v0 + ei - ej)
                - neg_post(v0 - ei + ej) + neg_post(v0 - ei - ej)
            ) / (4 * eps * eps)  # fmt: skip
    np.testing.assert_allclose(est.cov, np.linalg.inv(h), rtol=1e-3)


def test_unconstrained_parametrization_moves_the_mode() -> None:
    x = np.random.default_rng(8).exponential(2.0, 15)
    a, b = 3.0, 2.0
    natural = th.fit(th.Exponential, x, prior=th.Gamma(a, b))
    logspace = th.fit(th.Exponential, x, prior=th.Gamma(a, b), parametrization="unconstrained")
    # posterior Gamma(a + n, b + S): mode (a + n - 1)/(b + S); mode of log rate: (a + n)/(b + S)
    assert natural.params["rate"] == pytest.approx((a + x.size - 1) / (b + x.sum()), rel=1e-10)
    assert logspace.params["rate"] == pytest.approx((a + x.size) / (b + x.sum()), rel=1e-8)
    assert logspace.extra["unconstrained"]["rate"] == pytest.approx(
        np.log((a + x.size) / (b + x.sum())), rel=1e-8
    )


def test_prior_support_must_match_the_domain() -> None:
    x = [1.0, 2.0, 3.5]
    with pytest.raises(ValueError, match=r"Normal.*rate.*outside the parameter's domain"):
        th.fit(th.Gamma, x, prior={"shape": th.Gamma(2, 1), "rate": th.Normal(0, 1)})
    with pytest.raises(ValueError, match="domain"):
        th.fit(th.Bernoulli, [1, 0], prior=th.Gamma(2.0, 1.0))
    with pytest.raises(ValueError, match="dict"):
        th.fit(th.Gamma, x, prior=th.LogNormal(0, 1))
    with pytest.raises(ValueError, match="not a free parameter"):
        th.fit(th.Gamma(shape=2.0), x, prior={"shape": th.LogNormal(0, 1)})
    with pytest.raises(ValueError, match="parametrization"):
        th.fit(th.Gamma, x, parametrization="log")


def _beta_posterior_check(n: int) -> tuple[float, float, float]:
    rng = np.random.default_rng(n)
    x = rng.binomial(1, 0.3, n)
    prior = th.Beta(2.0, 2.0)
    exact = th.posterior(th.Bernoulli, x, prior=prior)
    approx = th.posterior(th.Bernoulli, x, prior=prior, method="laplace")
    assert approx.exact is False
    d_mean = abs(approx.mean()["p"] - exact.mean()["p"]) / exact.std()["p"]
    d_sd = abs(approx.std()["p"] / exact.std()["p"] - 1.0)
    d_ev = abs(approx.log_evidence - exact.log_evidence)
    return d_mean, d_sd, d_ev


def test_laplace_posterior_approaches_the_exact_one() -> None:
    errs = [_beta_posterior_check(n) for n in (20, 200, 2000)]
    for k in range(3):
        assert errs[0][k] > errs[1][k] > errs[2][k]
    assert errs[2][0] < 0.05 and errs[2][1] < 0.01 and errs[2][2] < 0.01


def test_laplace_posterior_mode_is_the_map_and_evidence_matches_quadrature() -> None:
    x = np.random.default_rng(9).gamma(2.0, 1.0, 200)
    prior = {"shape": th.LogNormal(0.0, 1.0), "rate": th.Gamma(2.0, 1.0)}
    post = th.posterior(th.Gamma, x, prior=prior, method="laplace")
    est = th.fit(th.Gamma, x, prior=prior)
    # a Gaussian over (log shape, log rate), mapped back (issue 10): its mode is the MAP,
    # its variances close to the MAP's inverse curvature at n = 200
    assert post.mode()["shape"] == pytest.approx(est.params["shape"], rel=1e-8)
    np.testing.assert_allclose(list(post.var().values()), np.diag(est.cov), rtol=0.05)
    draws = post.sample(2000, rng=1)
    assert draws["rate"].shape == (2000,)
    lo, hi = post.interval(0.95)["shape"]
    assert lo < est.params["shape"] < hi

    lp_max = est.logpost
    n, sx, slx = x.shape[0], float(x.sum()), float(np.log(x).sum())

    def log_post(k: np.ndarray, r: np.ndarray) -> np.ndarray:
        # the Gamma log-likelihood from its sufficient statistics, vectorised over a grid
        loglik = n * (k * np.log(r) - special.gammaln(k)) + (k - 1) * slx - r * sx
        return loglik + stats.lognorm.logpdf(k, 1.0) + stats.gamma.logpdf(r, 2.0)

    # the integrand is smooth and negligible beyond 8 se: a 96 x 96 Gauss-Legendre
    # tensor rule is exact to far below the tolerance (dblquad's adaptive rule took
    # seconds for the same number)
    k0, r0 = est.params["shape"], est.params["rate"]
    sk, sr = 8 * est.se["shape"], 8 * est.se["rate"]
    t, w = np.polynomial.legendre.leggauss(96)
    kk, rr = k0 + sk * t[:, None], r0 + sr * t[None, :]
    val = float(sk * sr * np.sum(w[:, None] * w[None, :] * np.exp(log_post(kk, rr) - lp_max)))
    assert post.log_evidence == pytest.approx(lp_max + np.log(val), abs=0.02)


def test_laplace_needs_a_proper_prior() -> None:
    with pytest.raises(ValueError, match="proper"):
        th.posterior(th.Gamma, [1.0, 2.0], prior={"shape": th.Flat(), "rate": th.Flat()},
                     method="laplace")  # fmt: skip
    with pytest.raises(ValueError, match="method"):
        th.posterior(th.Gamma, [1.0, 2.0], prior=th.Gamma(1, 1), method="bogus")


def test_profile_interval_matches_closed_form_for_normal_mean() -> None:
    x = np.random.default_rng(10).normal(5.0, 2.0, 25)
    est = th.fit(th.Normal, x)
    lo, hi = est.conf_int(0.95, kind="profile")["mu"]
    # profile log-lik of mu: -n/2 log(1 + (xbar - mu)^2 / s2); cut at chi2_1 / 2
    n, xbar, s2 = x.size, x.mean(), x.var()
    half = np.sqrt(s2 * np.expm1(stats.chi2.ppf(0.95, 1) / n))
    assert lo == pytest.approx(xbar - half, rel=1e-7)
    assert hi == pytest.approx(xbar + half, rel=1e-7)


def test_profile_interval_for_map_and_one_parameter_families() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = th.fit(th.Bernoulli, [1, 1, 0, 1, 1], prior=th.Beta(2.0, 2.0))
    lo, hi = est.conf_int(0.9, kind="profile")["p"]
    # log posterior Beta(6, 3): find its cut-off directly
    post = stats.beta(6, 3)
    top = post.logpdf(est.params["p"])
    for v in (lo, hi):
        assert top - post.logpdf(v) == pytest.approx(stats.chi2.ppf(0.9, 1) / 2, rel=1e-6)
    w = th.fit(th.Exponential, np.random.default_rng(1).exponential(1.0, 10))
    lo, hi = w.conf_int(kind="profile")["rate"]
    assert lo < w.params["rate"] < hi and hi - w.params["rate"] > w.params["rate"] - lo


def test_delta_method_transform() -> None:
    x = np.random.default_rng(2).weibull(1.5, 500) * 2.0
    est = th.fit(th.Weibull, x)
    mean = est.transform(lambda shape, scale: th.Weibull(shape, scale).mean(), "mean",
                         of=("shape", "scale"))  # fmt: skip
    assert mean.params["mean"] == pytest.approx(th.Weibull(**est.params).mean())
    assert 0.5 * x.std() / np.sqrt(x.size) < mean.se["mean"] < 2 * x.std() / np.sqrt(x.size)
