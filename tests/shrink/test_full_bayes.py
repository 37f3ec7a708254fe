"""``th.shrink(method="full")``: the hyperparameters integrated by quadrature.

Published numbers are kept here with their source; independent checks integrate
the same hyperposterior by brute force (a dense rectangle rule, as BDA does)."""

from __future__ import annotations

import doctest
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import special as sc
from scipy import stats

import thetahat as th

# BDA3 (Gelman, Carlin, Stern, Dunson, Vehtari, Rubin 2013), Table 5.3: posterior
# quantiles of the school effects (25%, 50%, 75%) and of mu and tau (2.5%, 25%, 50%,
# 75%, 97.5%) in the eight-schools model with p(mu, tau) ∝ 1, from 200 posterior
# simulation draws, rounded (Monte Carlo noise of a point or two is part of the
# published numbers). The schools' 2.5% and 97.5% columns rest on ~5 draws each and
# are not used. The exact computations below are checked against brute force too.
BDA_TABLE_5_3 = {
    "A": (7, 10, 16),
    "B": (3, 8, 12),
    "C": (2, 7, 11),
    "D": (4, 8, 11),
    "E": (1, 5, 10),
    "F": (2, 6, 10),
    "G": (7, 10, 15),
    "H": (3, 8, 13),
    "mu": (-2, 5, 8, 11, 18),
    "tau": (0.3, 2.3, 5.1, 8.8, 21),
}
QS = (0.025, 0.25, 0.5, 0.75, 0.975)
#: tolerance per quantile for 200 draws
TOL = (3.0, 1.6, 1.6, 1.6, 3.0)


@pytest.fixture(scope="module")
def schools(refdata):
    df = pd.read_csv(refdata / "bda_eight_schools.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # complete pooling by ML: the EB fit's warning
        res = th.shrink(df["y"].to_numpy(float), family=th.Normal,
                        se=df["sigma"].to_numpy(float), method="full")  # fmt: skip
    return df, res


@pytest.fixture(scope="module")
def rats(refdata):
    df = pd.read_csv(refdata / "bda_rat_tumor.csv")
    res = th.shrink(df["y"].to_numpy(float), df["n"].to_numpy(float), method="full")
    return df, res


def test_eight_schools_against_bda_table_5_3(schools) -> None:
    df, res = schools
    for j, school in enumerate(df["school"]):
        got = [float(res.mixture.quantile(q)[j]) for q in QS[1:4]]
        for g, pub, tol in zip(got, BDA_TABLE_5_3[school], TOL[1:4], strict=True):
            assert abs(g - pub) <= tol, (school, got)
    hp = res.hyperposterior
    for name in ("mu", "tau"):
        got = [hp.quantile(name, q) for q in QS]
        for g, pub, tol in zip(got, BDA_TABLE_5_3[name], TOL, strict=True):
            assert abs(g - pub) <= tol, (name, got)
    assert res.method == "full" and not res.complete_pooling
    # full Bayes widens the intervals: tau is uncertain, not 0 as the ML fit says
    assert np.all(res.columns["upper"] - res.columns["lower"] > 10.0)


def test_eight_schools_tau_posterior_by_brute_force(schools) -> None:
    df, res = schools
    y, s = df["y"].to_numpy(float), df["sigma"].to_numpy(float)
    # p(tau | y) ∝ V_mu^(1/2) prod (s^2 + tau^2)^(-1/2) exp(-(y - mu_hat)^2 / 2(s^2 + tau^2)),
    # BDA3 eq. (5.21), on a fine grid of tau
    tau = np.linspace(1e-6, 200.0, 400_001)
    v = s[None, :] ** 2 + tau[:, None] ** 2
    mu_hat = (y / v).sum(1) / (1 / v).sum(1)
    lp = 0.5 * np.log(1 / (1 / v).sum(1)) - 0.5 * (np.log(v) + (y - mu_hat[:, None]) ** 2 / v).sum(
        1
    )
    p = np.exp(lp - lp.max())
    cdf = np.cumsum(p) / p.sum()
    hp = res.hyperposterior
    for q in QS:
        assert hp.quantile("tau", q) == pytest.approx(np.interp(q, cdf, tau), rel=2e-3, abs=1e-3)
    mean_tau = float((p * tau).sum() / p.sum())
    assert hp.mean()["tau"] == pytest.approx(mean_tau, rel=1e-3)


def test_rat_tumour_hyperposterior(rats) -> None:
    df, res = rats
    k, n = df["y"].to_numpy(float), df["n"].to_numpy(float)
    hp = res.hyperposterior
    # BDA3 section 5.3, Figure 5.3: the posterior of (log(a/b), log(a+b)) under
    # p(a, b) ∝ (a + b)^(-5/2) is centred near (-1.8, 2.8); BDA computes it on the grid
    # log(a/b) in [-2.3, -1.3], log(a+b) in [1, 5]. Read from the figure: +- 0.15.
    assert hp.mean()["log(a/b)"] == pytest.approx(-1.8, abs=0.15)
    assert hp.mean()["log(a+b)"] == pytest.approx(2.8, abs=0.15)
    # the same integral by brute force on BDA's grid (widened to hold the tails)
    x1, x2 = np.meshgrid(np.linspace(-2.6, -1.0, 321), np.linspace(0.0, 9.0, 1801), indexing="ij")
    s = np.exp(x2)
    a, b = s * sc.expit(x1), s * sc.expit(-x1)
    lp = np.log(a) + np.log(b) - 2.5 * np.log(s)
    lp = lp + (sc.betaln(a[..., None] + k, b[..., None] + n - k) - sc.betaln(a, b)[..., None]).sum(
        -1
    )
    p = np.exp(lp - lp.max())
    p /= p.sum()
    assert hp.mean()["log(a/b)"] == pytest.approx(float((p * x1).sum()), abs=2e-4)
    assert hp.mean()["log(a+b)"] == pytest.approx(float((p * x2).sum()), abs=2e-3)
    # each group's posterior mean: E[(a + k) / (a + b + n)] over the hyperposterior
    brute = ((a[..., None] + k) / (s[..., None] + n) * p[..., None]).sum((0, 1))
    assert np.allclose(res.columns["posterior_mean"], brute, atol=2e-4)


def test_group_intervals_against_simulation(rats) -> None:
    _, res = rats
    draws = res.mixture.sample(40_000, np.random.default_rng(1))
    lo, hi = np.quantile(draws, [0.025, 0.975], axis=0)
    assert np.allclose(res.columns["lower"], lo, atol=0.01)
    assert np.allclose(res.columns["upper"], hi, atol=0.01)


def test_prob_above_and_ranking(rats) -> None:
    _, res = rats
    p = res.prob_above(0.2)
    draws = res.mixture.sample(40_000, np.random.default_rng(2))
    assert np.allclose(p, (draws > 0.2).mean(0), atol=0.01)
    rk = res.ranking(draws=20_000, rng=3)
    assert rk["prob_best"].sum() == pytest.approx(1.0)
    assert np.all(np.diff(rk["prob_best"]) <= 0)
    assert np.all(rk["prob_best_se"] < 0.005)
    with pytest.raises(ValueError, match="threshold"):
        res.prob_above(float("nan"))


def test_empirical_bayes_prob_above_is_the_conjugate_sf() -> None:
    k, n = np.array([3.0, 10.0, 1.0, 7.0]), np.array([20.0, 25.0, 15.0, 30.0])
    res = th.shrink(k, n)
    a, b = res.hyper.params["a"], res.hyper.params["b"]
    assert np.allclose(res.prob_above(0.25), stats.beta(a + k, b + n - k).sf(0.25))
    rk = res.ranking(draws=20_000, rng=0)
    assert rk["group"][0] == 1  # 10 / 25 is the best rate


def test_gamma_poisson_full_against_brute_force() -> None:
    x = np.array([0.0, 3.0, 5.0, 2.0, 9.0, 4.0])
    t = np.array([1.0, 2.0, 2.5, 1.5, 3.0, 2.0])
    res = th.shrink(x, family=th.Poisson, exposure=t, method="full")
    g1, g2 = np.meshgrid(np.linspace(-2.0, 3.5, 551), np.linspace(-8.0, 12.0, 2001), indexing="ij")
    shape, rate = np.exp(g2), np.exp(g2 - g1)
    lp = -2.5 * np.log(shape + rate) + np.log(shape) + np.log(rate)
    ll = sc.gammaln(shape[..., None] + x) - sc.gammaln(shape)[..., None]
    ll = (
        ll
        + shape[..., None] * np.log(rate[..., None])
        - (shape[..., None] + x) * np.log(rate[..., None] + t)
    )
    p = np.exp(lp + ll.sum(-1) - (lp + ll.sum(-1)).max())
    p /= p.sum()
    brute = ((shape[..., None] + x) / (rate[..., None] + t) * p[..., None]).sum((0, 1))
    assert np.allclose(res.columns["posterior_mean"], brute, rtol=2e-3)


def test_custom_hyperprior_and_bad_input() -> None:
    k, n = np.array([3.0, 10.0, 1.0, 7.0]), np.array([20.0, 25.0, 15.0, 30.0])
    res = th.shrink(k, n, method="full", hyperprior=lambda a, b: -3.0 * np.log(a + b))
    assert np.all(np.isfinite(res.columns["posterior_mean"]))
    with pytest.raises(ValueError, match="hyperprior"):
        th.shrink(k, n, hyperprior=lambda a, b: 0.0)
    with pytest.raises(ValueError, match="method"):
        th.shrink(k, n, method="bayes")


def test_docstring_examples_run() -> None:
    import importlib

    res = doctest.testmod(importlib.import_module("thetahat.shrink._full"))
    assert res.failed == 0 and res.attempted >= 2
