"""Parameters fixed to one value per observation (th.Gamma(rate=r), th.Weibull(scale=s), ...).

Each fit is checked against scipy.stats log densities with the same array parameters,
summed and maximised by scipy.optimize in the test.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, stats

import thetahat as th

N = 400


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _case(name: str):
    r = _rng(CASES.index(name))
    if name == "gamma_rate":
        rate = r.uniform(0.5, 3.0, N)
        x = r.gamma(2.5, 1.0 / rate)
        return (
            th.Gamma(rate=rate),
            x,
            ["shape"],
            lambda t: stats.gamma.logpdf(x, t[0], scale=1.0 / rate).sum(),
            [1.0],
        )
    if name == "gamma_shape":
        k = r.uniform(1.0, 4.0, N)
        x = r.gamma(k, 1.0 / 1.7)
        return (
            th.Gamma(shape=k),
            x,
            ["rate"],
            lambda t: stats.gamma.logpdf(x, k, scale=1.0 / t[0]).sum(),
            [1.0],
        )
    if name == "weibull_scale":
        s = r.uniform(0.5, 2.0, N)
        x = s * r.weibull(1.5, N)
        return (
            th.Weibull(scale=s),
            x,
            ["shape"],
            lambda t: stats.weibull_min.logpdf(x, t[0], scale=s).sum(),
            [1.0],
        )
    if name == "lognormal_sigma":
        sig = r.uniform(0.2, 1.0, N)
        x = r.lognormal(0.7, sig)
        return (
            th.LogNormal(sigma=sig),
            x,
            ["mu"],
            lambda t: stats.lognorm.logpdf(x, sig, scale=np.exp(t[0])).sum(),
            [0.0],
        )
    if name == "lognormal_mu":
        mu = r.normal(0.0, 1.0, N)
        x = r.lognormal(mu, 0.6)
        return (
            th.LogNormal(mu=mu),
            x,
            ["sigma"],
            lambda t: stats.lognorm.logpdf(x, t[0], scale=np.exp(mu)).sum(),
            [1.0],
        )
    if name == "nbinom_r":
        rr = r.uniform(1.0, 5.0, N)
        x = r.negative_binomial(rr, 0.3)
        return (
            th.NegativeBinomial(r=rr),
            x,
            ["p"],
            lambda t: stats.nbinom.logpmf(x, rr, t[0]).sum(),
            [0.5],
        )
    if name == "t_scale":
        s = r.uniform(0.5, 2.0, N)
        x = 1.0 + s * r.standard_t(4.0, N)
        return (
            th.StudentT(scale=s),
            x,
            ["df", "loc"],
            lambda t: stats.t.logpdf(x, t[0], loc=t[1], scale=s).sum(),
            [3.0, 0.5],
        )
    if name == "normal_sigma":
        sig = r.uniform(0.5, 3.0, N)
        x = r.normal(2.0, sig)
        return (
            th.Normal(sigma=sig),
            x,
            ["mu"],
            lambda t: stats.norm.logpdf(x, t[0], sig).sum(),
            [0.0],
        )
    raise KeyError(name)  # pragma: no cover


CASES = ["gamma_rate", "gamma_shape", "weibull_scale", "lognormal_sigma", "lognormal_mu",
         "nbinom_r", "t_scale", "normal_sigma"]  # fmt: skip


def _scipy_max(ll, x0):
    def neg(t: np.ndarray) -> float:
        v = ll(t)
        return -v if np.isfinite(v) else 1e300

    res = optimize.minimize(neg, x0, method="Nelder-Mead",
                            options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000})  # fmt: skip
    return res.x, -res.fun


@pytest.mark.parametrize("name", CASES)
def test_per_observation_fit_matches_scipy_optimum(name: str) -> None:
    fam, x, free, ll, x0 = _case(name)
    est = th.fit(fam, x)
    assert est.status == "success"
    assert list(est.params) == free
    t_sp, ll_sp = _scipy_max(ll, x0)
    theta = [est.params[k] for k in free]
    # thetahat's log-likelihood, recomputed by scipy, is at least scipy's optimum
    assert ll(theta) >= ll_sp - 1e-8 * N
    assert est.loglik == pytest.approx(ll(theta), rel=1e-12, abs=1e-9)
    np.testing.assert_allclose(theta, t_sp, rtol=2e-5, atol=1e-7)


@pytest.mark.parametrize("name", ["gamma_rate", "lognormal_sigma", "t_scale"])
def test_per_observation_se_is_the_inverse_curvature_of_scipys_loglik(name: str) -> None:
    fam, x, free, ll, _ = _case(name)
    est = th.fit(fam, x)
    t = np.array([est.params[k] for k in free])
    k = t.size
    h = 1e-4 * np.maximum(np.abs(t), 1.0)
    hess = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            ei, ej = np.eye(k)[i] * h[i], np.eye(k)[j] * h[j]
            hess[i, j] = (ll(t + ei + ej) - ll(t + ei - ej) - ll(t - ei + ej) + ll(t - ei - ej)) / (
                4 * h[i] * h[j]
            )
    np.testing.assert_allclose(est.cov, np.linalg.inv(-hess), rtol=1e-3)


def test_per_observation_closed_forms() -> None:
    # known rate per observation with the shape fixed too: rate free is a closed form
    fam, x, _, _, _ = _case("gamma_shape")
    k = fam.shape
    assert th.fit(fam, x).params["rate"] == pytest.approx(np.sum(k) / np.sum(x), rel=1e-9)
    # inverse-variance weighted mean
    fam, x, _, _, _ = _case("normal_sigma")
    w = 1.0 / fam.sigma**2
    assert th.fit(fam, x).params["mu"] == pytest.approx(np.sum(w * x) / np.sum(w), rel=1e-9)
    fam, x, _, _, _ = _case("nbinom_r")
    p = np.sum(fam.r) / (np.sum(fam.r) + np.sum(x))
    assert th.fit(fam, x).params["p"] == pytest.approx(p, rel=1e-8)


def test_per_observation_weights_repeat_rows_and_profile_intervals() -> None:
    fam, x, _, ll, _ = _case("gamma_rate")
    w = _rng(5).integers(0, 4, N).astype(float)
    est_w = th.fit(fam, x, weights=w)
    keep = np.repeat(np.arange(N), w.astype(int))
    rep = th.fit(th.Gamma(rate=fam.rate[keep]), x[keep])
    assert est_w.params["shape"] == pytest.approx(rep.params["shape"], rel=1e-9)
    assert est_w.loglik == pytest.approx(rep.loglik, rel=1e-10)
    est = th.fit(fam, x)
    lo, hi = est.conf_int(kind="profile")["shape"]
    crit = 0.5 * stats.chi2.ppf(0.95, 1)
    for end in (lo, hi):
        assert ll([end]) == pytest.approx(est.loglik - crit, abs=1e-6)


def test_per_observation_map_with_a_prior() -> None:
    fam, x, _, ll, _ = _case("gamma_rate")
    prior = th.Gamma(2.0, 1.0)
    est = th.fit(fam, x, prior={"shape": prior})
    res = optimize.minimize_scalar(
        lambda k: -(ll([k]) + stats.gamma.logpdf(k, 2.0, scale=1.0)),
        bounds=(0.1, 20.0), method="bounded", options={"xatol": 1e-10},
    )  # fmt: skip
    assert est.method == "map"
    assert est.params["shape"] == pytest.approx(res.x, rel=1e-6)


def test_per_observation_bad_input() -> None:
    x = _rng(1).gamma(2.0, 1.0, 10)
    with pytest.raises(ValueError, match=r"rate .*has 3 entries but data has 10"):
        th.fit(th.Gamma(rate=[1.0, 2.0, 3.0]), x)
    with pytest.raises(ValueError, match=r"rate\[1\] = -1.0"):
        th.Gamma(rate=[1.0, -1.0, 2.0])
    with pytest.raises(ValueError, match=r"scale\[2\] = nan"):
        th.Weibull(scale=[1.0, 2.0, np.nan])
    with pytest.raises(ValueError, match="1-dimensional"):
        th.Gamma(rate=np.ones((2, 5)))
    with pytest.raises(ValueError, match="scalar parameters"):
        th.fit(th.Poisson, [1, 2, 3], prior=th.Gamma(shape=[1.0, 2.0, 3.0], rate=1.0))
    # conjugate updates reduce data to statistics, which per-observation values break
    with pytest.raises(ValueError, match="per-observation sigma has no sufficient statistics"):
        th.posterior(th.Normal(sigma=np.full(10, 2.0)), x, prior=th.Normal(0.0, 10.0))
    with pytest.raises(ValueError, match="per-observation shape has no sufficient statistics"):
        th.Gamma(shape=np.full(10, 2.0)).suff_stats(x)
    with pytest.raises(ValueError, match="censored data is not supported"):
        th.fit(th.Gamma(rate=np.ones(10)), th.Censored(x, x))
    # data outside the support still named, with per-observation values present
    with pytest.raises(ValueError, match=r"data\[4\] = -1.0"):
        th.fit(th.Gamma(rate=np.ones(6)), [1.0, 2.0, 3.0, 4.0, -1.0, 2.0])
    # a scalar stays a scalar (the family's own statistics and fast path)
    est = th.fit(th.Gamma(rate=2.0), x)
    assert est.extra["problem"].stats.__class__.__name__ == "GammaStats"


def test_per_observation_laplace_posterior_centres_on_the_map() -> None:
    fam, x, _, _, _ = _case("gamma_rate")
    prior = {"shape": th.Gamma(2.0, 1.0)}
    post = th.posterior(fam, x, prior=prior, method="laplace")
    est = th.fit(fam, x, prior=prior)
    assert not post.exact
    assert post.mode()["shape"] == pytest.approx(est.params["shape"], rel=1e-8)


def test_per_observation_expected_information_is_refused_with_a_reason() -> None:
    fam, x, _, _, _ = _case("gamma_rate")
    with pytest.raises(ValueError, match="no closed-form expected information"):
        th.fit(fam, x, information="expected")
    text = th.fit(fam, x).summary()
    assert "shape" in text and "rate=" in text  # the fixed per-observation values are listed


def test_per_observation_fit_refuses_sufficient_statistics() -> None:
    x = np.array([0.5, 1.2, 2.0, 0.7])
    with pytest.raises(ValueError, match="needs the observations themselves"):
        th.fit(th.Gamma(rate=np.array([1.0, 2.0, 3.0, 1.5])), th.Gamma().suff_stats(x))


def test_per_observation_mle_does_not_depend_on_parametrization() -> None:
    rng = np.random.default_rng(4)
    rate = rng.uniform(0.5, 3.0, 300)
    x = rng.gamma(2.0, 1.0 / rate)
    fam = th.Gamma(rate=rate)
    nat = th.fit(fam, x)
    unc = th.fit(fam, x, parametrization="unconstrained")
    assert unc.params["shape"] == pytest.approx(nat.params["shape"], rel=1e-7)
    best = optimize.minimize_scalar(
        lambda k: -stats.gamma.logpdf(x, k, scale=1.0 / rate).sum(),
        bounds=(0.1, 20),
        method="bounded",
        options={"xatol": 1e-10},
    )
    assert nat.params["shape"] == pytest.approx(best.x, rel=1e-6)


def test_per_observation_values_must_be_finite() -> None:
    with pytest.raises(ValueError, match=r"rate\[1\] = inf"):
        th.Gamma(rate=np.array([1.0, np.inf, 1.0, 1.0]))
    with pytest.raises(ValueError, match=r"sigma\[2\]"):
        th.Normal(sigma=np.array([1.0, 2.0, np.nan]))
