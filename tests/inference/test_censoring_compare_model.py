"""Censored data, model comparison and custom models."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import optimize, stats

import thetahat as th


def _max_censored(logf, logF, logS, x0, exact, left, right, lo, hi):  # type: ignore[no-untyped-def]
    """The censored likelihood written out, maximised by scipy over log-parameters."""

    def nll(z: np.ndarray) -> float:
        p = np.exp(z)
        val = (
            np.sum(logf(exact, *p)) + np.sum(logF(left, *p)) + np.sum(logS(right, *p))
            + np.sum(np.log(np.exp(logF(hi, *p)) - np.exp(logF(lo, *p))))
        )  # fmt: skip
        return -float(val) if np.isfinite(val) else 1e300

    res = optimize.minimize(nll, np.log(x0), method="Nelder-Mead",
                            options={"xatol": 1e-11, "fatol": 1e-12, "maxiter": 10000})  # fmt: skip
    return np.exp(res.x), -res.fun


def test_weibull_censored_against_handwritten_likelihood_and_scipy() -> None:
    rng = np.random.default_rng(0)
    t = 2.0 * rng.weibull(1.5, 300)
    c = rng.uniform(0.5, 4.0, 300)
    right = t > c
    obs = np.where(right, c, t)
    est = th.fit(th.Weibull, th.Censored.right(obs, right))
    wf = stats.weibull_min
    p, ll = _max_censored(
        lambda x, k, s: wf.logpdf(x, k, scale=s), lambda x, k, s: wf.logcdf(x, k, scale=s),
        lambda x, k, s: wf.logsf(x, k, scale=s), [1.0, 1.0],
        obs[~right], np.array([]), obs[right], np.array([]), np.array([]),
    )  # fmt: skip
    assert est.params["shape"] == pytest.approx(p[0], rel=1e-5)
    assert est.params["scale"] == pytest.approx(p[1], rel=1e-5)
    assert est.loglik >= ll - 1e-8 * obs.size
    cd = stats.CensoredData(uncensored=obs[~right], right=obs[right])
    k, _, s = stats.weibull_min.fit(cd, floc=0)
    ref = float(
        np.sum(wf.logpdf(obs[~right], k, scale=s)) + np.sum(wf.logsf(obs[right], k, scale=s))
    )
    assert est.loglik >= ref - 1e-8 * obs.size
    assert est.params["shape"] == pytest.approx(k, rel=1e-3)
    assert np.all(np.isfinite(list(est.se.values())))


def test_lognormal_left_and_interval_censoring() -> None:
    rng = np.random.default_rng(1)
    x = rng.lognormal(0.5, 0.8, 200)
    lower, upper = x.copy(), x.copy()
    det = x < 0.8  # below a detection limit: left-censored
    lower[det], upper[det] = -np.inf, 0.8
    binned = (x > 3.0) & (x < 6.0)  # known only to a bin
    lower[binned], upper[binned] = 3.0, 6.0
    est = th.fit(th.LogNormal, th.Censored(lower, upper))
    ln = stats.lognorm
    exact = ~(det | binned)
    p, ll = _max_censored(
        lambda v, m, s: ln.logpdf(v, s, scale=np.exp(np.log(m))),
        lambda v, m, s: ln.logcdf(v, s, scale=m), lambda v, m, s: ln.logsf(v, s, scale=m),
        [1.0, 1.0], x[exact], np.full(det.sum(), 0.8), np.array([]),
        np.full(binned.sum(), 3.0), np.full(binned.sum(), 6.0),
    )  # fmt: skip
    # the hand-written version is parametrised by the median exp(mu) and sigma
    assert np.exp(est.params["mu"]) == pytest.approx(p[0], rel=1e-5)
    assert est.params["sigma"] == pytest.approx(p[1], rel=1e-5)
    assert est.loglik == pytest.approx(ll, abs=1e-6)
    bins = np.c_[np.full(binned.sum(), 3.0), np.full(binned.sum(), 6.0)]
    cd = stats.CensoredData(uncensored=x[exact], left=np.full(det.sum(), 0.8), interval=bins)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s, _, _ = stats.lognorm.fit(cd, floc=0)
    assert est.params["sigma"] == pytest.approx(s, rel=1e-3)


def test_censored_with_only_exact_values_is_the_plain_fit() -> None:
    x = np.random.default_rng(2).gamma(2.0, 1.0, 100)
    a = th.fit(th.Gamma, th.Censored(x, x))
    b = th.fit(th.Gamma, x)
    assert a.params["shape"] == pytest.approx(b.params["shape"], rel=1e-6)
    assert a.se["rate"] == pytest.approx(b.se["rate"], rel=1e-3)
    w = np.arange(100) % 3
    c = th.fit(th.Gamma, th.Censored(x, x), weights=w)
    d = th.fit(th.Gamma, x, weights=w)
    assert c.params["rate"] == pytest.approx(d.params["rate"], rel=1e-6)


def test_censored_bad_input() -> None:
    with pytest.raises(ValueError, match="index 1"):
        th.Censored([1.0, 3.0], [2.0, 2.5])
    with pytest.raises(ValueError, match="NaN"):
        th.Censored([1.0, np.nan], [2.0, 2.5])
    with pytest.raises(ValueError, match="discrete"):
        th.fit(th.Poisson, th.Censored([1.0], [2.0]))
    with pytest.raises(ValueError, match=r"exact observation 1"):
        th.fit(th.Weibull, th.Censored([1.0, 0.0], [np.inf, 0.0]))


def test_compare_ranks_and_lists_not_applicable() -> None:
    x = np.random.default_rng(3).gamma(2.0, 1.5, 400)
    comp = th.compare([th.Weibull, th.Gamma, th.LogNormal, th.Exponential, th.Poisson], x)
    t = comp.table
    assert list(t.columns[:7]) == ["family", "loglik", "k", "aic", "aicc", "bic", "ks"]
    assert list(t["aic"].iloc[:4]) == sorted(t["aic"].iloc[:4])
    assert t["family"].iloc[0] == "Gamma" and comp.best.family == th.Gamma()
    assert t["family"].iloc[-1] == "Poisson" and "integers" in comp.not_applicable["Poisson"]
    g = comp.estimates["Gamma"]
    assert t["loglik"].iloc[0] == pytest.approx(g.loglik)
    ks = stats.kstest(x, g.dist.to_scipy().cdf).statistic
    assert t["ks"].iloc[0] == pytest.approx(ks, rel=1e-10)
    by_bic = th.compare([th.Gamma, th.Exponential], x, criterion="bic")
    assert by_bic.criterion == "bic" and list(by_bic.table["bic"]) == sorted(by_bic.table["bic"])
    zeros = np.r_[0.0, x]
    comp2 = th.compare([th.Weibull, th.HalfNormal], zeros)
    assert "data[0] = 0.0" in comp2.not_applicable["Weibull"]
    assert comp2.best.family == th.HalfNormal()
    with pytest.raises(ValueError, match="criterion"):
        th.compare([th.Gamma], x, criterion="waic")


def test_compare_discrete_families_on_counts() -> None:
    k = np.random.default_rng(4).negative_binomial(2.0, 0.3, 500)
    comp = th.compare([th.Poisson, th.NegativeBinomial, th.Geometric], k)
    assert comp.table["family"].iloc[0] == "NegativeBinomial"
    assert np.isnan(comp.table["ks"]).all()


def test_custom_model_matches_builtin() -> None:
    x = np.random.default_rng(5).gamma(3.0, 0.5, 300)

    def logpdf(v: np.ndarray, k: float, r: float) -> np.ndarray:
        return stats.gamma.logpdf(v, k, scale=1.0 / r)

    m = th.Model(logpdf, params={"k": "positive", "r": "positive"})
    est = th.fit(m, x)
    ref = th.fit(th.Gamma, x)
    assert est.params["k"] == pytest.approx(ref.params["shape"], rel=1e-6)
    assert est.se["r"] == pytest.approx(ref.se["rate"], rel=1e-4)
    ci = est.conf_int(kind="profile")["k"]
    ref_ci = ref.conf_int(kind="profile")["shape"]
    np.testing.assert_allclose(ci, ref_ci, rtol=1e-5)
    fixed = th.fit(m.with_params(k=3.0), x)
    assert fixed.params["r"] == pytest.approx(3.0 * x.size / x.sum(), rel=1e-7)

    def score(v: np.ndarray, k: float, r: float) -> list[np.ndarray]:
        from scipy import special as sc

        return [np.log(r) - sc.digamma(k) + np.log(v), k / r - v]

    m2 = th.Model(logpdf, params={"k": "positive", "r": "positive"}, score=score, name="G2")
    est2 = th.fit(m2, x)
    assert est2.params["k"] == pytest.approx(ref.params["shape"], rel=1e-8)
    post = th.posterior(m2, x, prior={"k": th.Gamma(2, 1), "r": th.Gamma(2, 1)}, method="laplace")
    assert post.names == ("k", "r")


def test_custom_model_bad_input() -> None:
    m = th.Model(lambda x, mu: np.where(x > 2, np.nan, -((x - mu) ** 2)), params={"mu": "real"})
    with pytest.raises(ValueError, match=r"custom logpdf of Model returned NaN at data\[1\]"):
        th.fit(m, [1.0, 3.0])
    with pytest.raises(ValueError, match="domain"):
        th.Model(lambda x, a: x, params={"a": "complex"})
    with pytest.raises(TypeError, match="callable"):
        th.Model("x ** 2", params={"a": "real"})
