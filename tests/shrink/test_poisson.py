"""Gamma-Poisson shrinkage against a direct Negative-Binomial maximisation and by simulation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

import thetahat as th


def nb_loglik(x: np.ndarray, t: np.ndarray, shape: float, rate: float) -> float:
    """Negative-Binomial marginal of Poisson(lambda t) with lambda ~ Gamma(shape, rate)."""
    return float(np.sum(stats.nbinom.logpmf(x, shape, rate / (rate + t))))


def direct_gamma_poisson(x: np.ndarray, t: np.ndarray) -> tuple[float, float, float]:
    def nll(u: np.ndarray) -> float:
        return -nb_loglik(x, t, *np.exp(u))

    m = x.sum() / t.sum()
    res = optimize.minimize(
        nll,
        np.log([1.0, 1.0 / m]),
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 4000},
    )
    res = optimize.minimize(nll, res.x, method="BFGS", options={"gtol": 1e-8})
    shape, rate = np.exp(res.x)
    return float(shape), float(rate), -float(res.fun)


@pytest.fixture(scope="module")
def sim():
    rng = np.random.default_rng(11)
    m = 1500
    t = rng.uniform(0.2, 30.0, m)
    lam = rng.gamma(2.0, 1.0 / 0.8, m)  # shape 2, rate 0.8
    x = rng.poisson(lam * t).astype(float)
    return x, t, lam


def test_matches_direct_maximisation(sim):
    x, t, _ = sim
    res = th.shrink(x, exposure=t, family=th.Poisson)
    shape, rate, ll = direct_gamma_poisson(x, t)
    assert res.prior.shape == pytest.approx(shape, rel=1e-4)
    assert res.prior.rate == pytest.approx(rate, rel=1e-4)
    assert res.loglik == pytest.approx(ll, abs=1e-6)
    assert res.loglik == pytest.approx(nb_loglik(x, t, res.prior.shape, res.prior.rate), abs=1e-7)
    tab = res.table
    a, b = res.prior.shape, res.prior.rate
    np.testing.assert_allclose(tab["posterior_mean"], (a + x) / (b + t), rtol=1e-12)
    np.testing.assert_allclose(tab["upper"], stats.gamma.ppf(0.975, a + x, scale=1 / (b + t)))
    np.testing.assert_allclose(tab["shrinkage"], b / (b + t))
    np.testing.assert_allclose(tab["n"], t)


def test_se_and_recovery(sim):
    x, t, lam = sim
    res = th.shrink(x, exposure=t, family=th.Poisson)
    se = res.prior_se
    assert abs(res.prior.shape - 2.0) < 3 * se["shape"]
    assert abs(res.prior.rate - 0.8) < 3 * se["rate"]
    # se against a numerical Hessian of scipy's Negative-Binomial log-likelihood
    x0 = np.array([res.hyper.params["shape"], res.hyper.params["rate"]])
    eps = 1e-4 * x0
    hess = np.zeros((2, 2))
    for i in range(2):
        for j in range(2):
            e_i, e_j = np.eye(2)[i] * eps[i], np.eye(2)[j] * eps[j]
            hess[i, j] = (
                nb_loglik(x, t, *(x0 + e_i + e_j))
                - nb_loglik(x, t, *(x0 + e_i - e_j))
                - nb_loglik(x, t, *(x0 - e_i + e_j))
                + nb_loglik(x, t, *(x0 - e_i - e_j))
            ) / (4 * eps[i] * eps[j])
    cov = np.linalg.inv(-hess)
    np.testing.assert_allclose(res.hyper.cov, cov, rtol=1e-3)
    tab = res.table
    cover = np.mean((tab["lower"] <= lam) & (lam <= tab["upper"]))
    assert 0.93 < cover < 0.97  # binomial sd over 1500 groups: 0.0056


def test_posterior_of_a_group_and_total_evidence(sim):
    x, t, _ = sim
    res = th.shrink(x, exposure=t, family=th.Poisson)
    post = res.posterior(3)
    assert post.dist == th.Gamma(res.prior.shape + x[3], res.prior.rate + t[3])
    assert post.mean()["rate"] == pytest.approx(res.table["posterior_mean"][3])
    assert post.mode()["rate"] == pytest.approx(res.table["map"][3])
    evid = sum(res.posterior(i).log_evidence for i in range(200))
    assert evid == pytest.approx(nb_loglik(x[:200], t[:200], res.prior.shape, res.prior.rate))


def test_constant_exposure_default_and_large_counts():
    rng = np.random.default_rng(3)
    lam = rng.gamma(1.5, 1.0 / 0.0005, 400)  # counts in the thousands
    x = rng.poisson(lam).astype(float)
    res = th.shrink(x, family=th.Poisson)
    shape, rate, ll = direct_gamma_poisson(x, np.ones_like(x))
    assert res.prior.shape == pytest.approx(shape, rel=1e-4)
    assert res.prior.rate == pytest.approx(rate, rel=1e-4)
    assert res.loglik == pytest.approx(ll, abs=1e-6)
    # counts above the tail-sum limit take the digamma path
    big = np.array([3e5, 5e5, 2.5e5, 4.1e5, 6e5])
    res2 = th.shrink(big, family=th.Poisson)
    s2, _, ll2 = direct_gamma_poisson(big, np.ones(5))
    assert res2.loglik == pytest.approx(ll2, abs=1e-5)
    assert res2.prior.shape == pytest.approx(s2, rel=1e-3)


def test_complete_pooling_and_zero_exposure():
    x = np.array([4.0, 8.0, 4.0, 0.0])
    t = np.array([1.0, 2.0, 1.0, 0.0])
    with pytest.warns(th.BoundaryWarning, match="complete pooling"):
        res = th.shrink(x, exposure=t, family=th.Poisson)
    assert res.complete_pooling
    np.testing.assert_allclose(res.table["posterior_mean"], 4.0, rtol=1e-8)
    pooled = np.sum(stats.poisson.logpmf(x[:3], 4.0 * t[:3]))
    assert res.loglik == pytest.approx(pooled)
    assert list(res.no_data) == [False, False, False, True]
    assert np.isnan(res.table["mle"][3])
    assert res.posterior(3).dist == res.prior


def test_dataframe_rows_are_summed():
    df = pd.DataFrame(
        {
            "plant": ["a", "b", "a", "c", "b", "c", "d"],
            "defects": [3, 0, 9, 1, 1, 0, 14],
            "hours": [10.0, 5.0, 12.0, 8.0, 4.0, 9.0, 6.0],
        }
    )
    res = th.shrink(df, group="plant", counts="defects", exposure="hours", family=th.Poisson)
    ref = th.shrink([12, 1, 1, 14], exposure=[22.0, 9.0, 17.0, 6.0], family=th.Poisson)
    assert list(res.table["group"]) == ["a", "b", "c", "d"]
    np.testing.assert_allclose(res.table["posterior_mean"], ref.table["posterior_mean"])
    assert res.posterior("b").n == 2


@pytest.mark.parametrize(
    ("x", "t", "match"),
    [
        ([1, -2, 3], [1, 1, 1], r"group 2 has counts = -2"),
        ([1, 2, 3.5], [1, 1, 1], r"group 3 has counts = 3.5"),
        ([1, 2, 3], [1, -1, 1], r"exposure must be >= 0; group 2"),
        ([1, 2, 3], [1, 0, 1], r"group 2 has a count of 2 with zero exposure"),
        ([1, 2, 3], [1, 1], r"exposure has 2 entries but counts has 3"),
        ([0, 0, 0], [1, 1, 1], r"every group has a count of 0"),
        ([5, 0], [1, 0], r"at least two groups"),
    ],
)
def test_bad_input(x, t, match):
    with pytest.raises(ValueError, match=match):
        th.shrink(x, exposure=t, family=th.Poisson)


def test_reml_is_for_normal_only():
    with pytest.raises(ValueError, match="Normal family only"):
        th.shrink([1, 2, 3], family=th.Poisson, method="reml")
    with pytest.raises(ValueError, match="supports"):
        th.shrink([1, 2, 3], family=th.Exponential)
