"""Beta-Binomial shrinkage against a direct scipy.optimize maximisation, and by simulation."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, special, stats

import thetahat as th


def direct_beta_binomial(k: np.ndarray, n: np.ndarray) -> tuple[float, float, float]:
    """Maximise sum log BetaBinom(k | n, a, b) with scipy, in (logit mean, log a + b)."""
    coef = special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)

    def nll(u: np.ndarray) -> float:
        m, s = special.expit(u[0]), np.exp(u[1])
        a, b = m * s, (1 - m) * s
        return -float(np.sum(coef + special.betaln(a + k, b + n - k) - special.betaln(a, b)))

    p = k.sum() / n.sum()
    res = optimize.minimize(
        nll,
        [special.logit(p), np.log(10.0)],
        method="Nelder-Mead",
        options={"xatol": 1e-11, "fatol": 1e-13, "maxiter": 4000},
    )
    res = optimize.minimize(nll, res.x, method="BFGS", options={"gtol": 1e-10})
    m, s = special.expit(res.x[0]), np.exp(res.x[1])
    return float(m * s), float((1 - m) * s), -float(res.fun)


@pytest.fixture(scope="module")
def rats(refdata):
    return pd.read_csv(refdata / "bda_rat_tumor.csv")


@pytest.fixture(scope="module")
def baseball(refdata):
    return pd.read_csv(refdata / "efron_morris_1975_baseball.csv")


def test_rat_tumour_matches_direct_maximisation(rats):
    k, n = rats["y"].to_numpy(float), rats["n"].to_numpy(float)
    res = th.shrink(k, n)
    a, b, ll = direct_beta_binomial(k, n)
    assert res.prior.a == pytest.approx(a, rel=1e-5)
    assert res.prior.b == pytest.approx(b, rel=1e-5)
    assert res.loglik == pytest.approx(ll, abs=1e-8)
    assert not res.complete_pooling and res.hyper.converged
    tab = res.table
    assert list(tab.columns[:8]) == [
        "group",
        "n",
        "mle",
        "posterior_mean",
        "map",
        "lower",
        "upper",
        "shrinkage",
    ]
    np.testing.assert_allclose(tab["posterior_mean"], (a + k) / (a + b + n), rtol=1e-5)
    lo = stats.beta.ppf(0.025, a + k, b + n - k)
    np.testing.assert_allclose(tab["lower"], lo, rtol=1e-4)
    np.testing.assert_allclose(tab["mle"], k / n)
    np.testing.assert_allclose(tab["shrinkage"], (a + b) / (a + b + n), rtol=1e-5)


def test_rat_tumour_se_from_numerical_hessian(rats):
    k, n = rats["y"].to_numpy(float), rats["n"].to_numpy(float)
    res = th.shrink(k, n)
    a, b = res.prior.a, res.prior.b

    def ll(v):
        return float(np.sum(stats.betabinom.logpmf(k, n, v[0], v[1])))

    h = np.zeros((2, 2))
    x0 = np.array([a, b])
    eps = 1e-4 * x0
    for i in range(2):
        for j in range(2):
            e_i, e_j = np.eye(2)[i] * eps[i], np.eye(2)[j] * eps[j]
            h[i, j] = (
                ll(x0 + e_i + e_j) - ll(x0 + e_i - e_j) - ll(x0 - e_i + e_j) + ll(x0 - e_i - e_j)
            ) / (4 * eps[i] * eps[j])
    cov = np.linalg.inv(-h)
    np.testing.assert_allclose(res.hyper.cov, cov, rtol=1e-3)
    assert res.prior_se["a"] == pytest.approx(np.sqrt(cov[0, 0]), rel=1e-3)


def test_posterior_of_a_group_is_the_conjugate_posterior(rats):
    k, n = rats["y"].to_numpy(float), rats["n"].to_numpy(float)
    res = th.shrink(k, n)
    post = res.posterior(70)  # the current experiment, 4 of 14
    assert isinstance(post, th.Posterior)
    assert post.dist == th.Beta(res.prior.a + 4, res.prior.b + 10)
    row = res.table.iloc[70]
    assert post.mean()["p"] == pytest.approx(row["posterior_mean"], rel=1e-12)
    assert post.mode()["p"] == pytest.approx(row["map"], rel=1e-12)
    lo, hi = post.interval(0.95)["p"]
    assert (lo, hi) == pytest.approx((row["lower"], row["upper"]), rel=1e-10)
    # the evidence of each group sums to the marginal likelihood
    total = sum(res.posterior(i).log_evidence for i in range(len(k)))
    assert total == pytest.approx(res.loglik, abs=1e-9)
    exact = np.sum(stats.betabinom.logpmf(k, n, res.prior.a, res.prior.b))
    assert res.loglik == pytest.approx(exact, abs=1e-9)


def test_baseball_matches_direct_and_beats_raw_averages(baseball):
    k = baseball["r"].to_numpy(float)
    n = np.full(k.shape, 45.0)
    res = th.shrink(k, n)
    a, b, ll = direct_beta_binomial(k, n)
    assert res.loglik == pytest.approx(ll, abs=1e-7)
    # the likelihood is flat in the concentration here: compare what it pins down
    assert res.prior.mean() == pytest.approx(a / (a + b), rel=1e-6)
    assert res.prior.a + res.prior.b == pytest.approx(a + b, rel=1e-3)
    shrunk = res.table["posterior_mean"].to_numpy()
    np.testing.assert_allclose(shrunk, (a + k) / (a + b + n), rtol=1e-5)
    truth = baseball["p"].to_numpy(float)
    raw = k / n
    assert np.sum((shrunk - truth) ** 2) < np.sum((raw - truth) ** 2)
    assert np.sum((shrunk - truth) ** 2) < 0.5 * np.sum((raw - truth) ** 2)


def test_dataframe_with_group_column_sums_rows_first(baseball):
    # split each player's 45 at-bats into three rows of 15, shuffled
    rng = np.random.default_rng(1)
    rows = []
    for name, r in zip(baseball["name"], baseball["r"], strict=True):
        parts = rng.multinomial(int(r), [1 / 3] * 3)
        parts = np.minimum(parts, 15)
        parts[0] += int(r) - parts.sum()
        rows += [{"player": name, "hits": int(h), "ab": 15} for h in parts]
    df = pd.DataFrame(rows).sample(frac=1.0, random_state=3).reset_index(drop=True)
    res = th.shrink(df, group="player", successes="hits", trials="ab")
    order = pd.unique(df["player"])
    assert list(res.table["group"]) == list(order)
    direct = th.shrink(baseball["r"].to_numpy(float), np.full(18, 45.0))
    by_name = dict(zip(baseball["name"], direct.table["posterior_mean"], strict=True))
    np.testing.assert_allclose(res.table["posterior_mean"], [by_name[p] for p in order], rtol=1e-9)
    assert res.table["n"].eq(45).all()
    post = res.posterior(order[0])
    assert post.mean()["p"] == pytest.approx(by_name[order[0]], rel=1e-9)


def test_bernoulli_rows_without_trials_column():
    rng = np.random.default_rng(7)
    g = rng.integers(0, 30, 3000)
    p = rng.beta(3, 7, 30)[g]
    y = (rng.random(3000) < p).astype(int)
    df = pd.DataFrame({"ad": g, "click": y})
    res = th.shrink(df, group="ad", successes="click")
    k = np.bincount(g, weights=y, minlength=30)
    n = np.bincount(g, minlength=30).astype(float)
    order = pd.unique(g)
    ref = th.shrink(k[order], n[order])
    np.testing.assert_allclose(res.table["posterior_mean"], ref.table["posterior_mean"])


def test_simulation_recovers_prior_and_covers():
    rng = np.random.default_rng(2024)
    a_true, b_true, m = 3.0, 9.0, 4000
    n = rng.integers(5, 60, m).astype(float)
    theta = rng.beta(a_true, b_true, m)
    k = rng.binomial(n.astype(int), theta).astype(float)
    res = th.shrink(k, n)
    se = res.prior_se
    assert abs(res.prior.a - a_true) < 3 * se["a"]
    assert abs(res.prior.b - b_true) < 3 * se["b"]
    tab = res.table
    cover = np.mean((tab["lower"] <= theta) & (theta <= tab["upper"]))
    # binomial sd of the coverage over 4000 groups is 0.0034
    assert 0.935 < cover < 0.965
    cover80 = th.shrink(k, n, level=0.8).table
    c80 = np.mean((cover80["lower"] <= theta) & (theta <= cover80["upper"]))
    assert 0.78 < c80 < 0.82


def test_complete_pooling_is_reported():
    # every group exactly at the pooled rate: no between-group variation
    k = np.array([3.0, 6.0, 9.0, 3.0])
    n = np.array([10.0, 20.0, 30.0, 10.0])
    with pytest.warns(th.BoundaryWarning, match="complete pooling"):
        res = th.shrink(k, n)
    assert res.complete_pooling
    assert res.hyper.status == "boundary"
    np.testing.assert_allclose(res.table["posterior_mean"], 0.3, rtol=1e-8)
    np.testing.assert_allclose(res.table[["lower", "upper", "map"]], 0.3, rtol=1e-8)
    lo, hi = res.posterior(1).interval()["p"]
    assert 0.3 - 1e-5 < lo < 0.3 < hi < 0.3 + 1e-5
    np.testing.assert_allclose(res.table["shrinkage"], 1.0, atol=1e-8)
    pooled = np.sum(stats.binom.logpmf(k, n, 0.3))
    assert res.loglik == pytest.approx(pooled, abs=1e-9)
    assert "complete pooling" in res.summary()


def test_underdispersed_data_pool_completely_as_direct_search_says():
    rng = np.random.default_rng(5)
    n = np.full(200, 50.0)
    k = rng.binomial(50, 0.4, 200).astype(float)
    d = k - n * k.sum() / n.sum()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", th.BoundaryWarning)
        res = th.shrink(k, n)
    p = k.sum() / n.sum()
    overdispersed = np.dot(d, d) > p * (1 - p) * n.sum()
    assert res.complete_pooling == (not overdispersed)
    # the direct search cannot beat our likelihood
    _, _, ll = direct_beta_binomial(k, n)
    assert res.loglik >= ll - 1e-6


def test_zero_trial_groups_are_kept_and_flagged(rats):
    k = np.concatenate([rats["y"].to_numpy(float), [0.0]])
    n = np.concatenate([rats["n"].to_numpy(float), [0.0]])
    res = th.shrink(k, n)
    ref = th.shrink(k[:-1], n[:-1])
    assert res.prior == ref.prior
    last = res.table.iloc[-1]
    assert bool(last["no_data"]) and np.isnan(last["mle"])
    assert last["posterior_mean"] == pytest.approx(ref.prior.mean())
    assert last["shrinkage"] == 1.0
    lo, hi = ref.prior.interval(0.95)
    assert (last["lower"], last["upper"]) == pytest.approx((lo, hi))
    assert res.posterior(71).dist == res.prior
    assert any("zero trials" in w for w in res.warnings)


@pytest.mark.parametrize(
    ("k", "n", "match"),
    [
        ([1, 5, 2], [4, 4, 4], r"successes > trials .* group 2: 5 successes in 4 trials"),
        ([1, -1, 2], [4, 4, 4], r"group 2 has successes = -1 \(negative\)"),
        ([1, 2, 2.5], [4, 4, 4], r"group 3 has successes = 2.5 \(not a whole number\)"),
        ([1, 2, 2], [4, 4.5, 4], r"group 2 has trials = 4.5"),
        ([1, 2, 2], [4, 4], r"trials has 2 entries but successes has 3.*group 3"),
        ([1, np.nan, 2], [4, 4, 4], r"NaN .* group 2"),
        ([1], [4], "at least two groups"),
        ([0, 0, 0], [4, 5, 6], "0 successes"),
        ([0, 1, 0], [1, 1, 1], "at most one trial"),
        ([0, 3, 0], [3, 3, 2], "no successes or no failures"),
    ],
)
def test_bad_input_names_the_group(k, n, match):
    with pytest.raises(ValueError, match=match):
        th.shrink(k, n)


def test_bad_dataframe_input_names_row_and_group():
    df = pd.DataFrame({"ad": ["x", "y", "x", "z"], "c": [1, 4, 9, 0], "v": [5, 5, 5, 5]})
    with pytest.raises(ValueError, match=r"row 3 \(group 'x'\): 9 successes in 5 trials"):
        th.shrink(df, group="ad", successes="c", trials="v")
    with pytest.raises(ValueError, match="no column 'clicks'"):
        th.shrink(df, group="ad", successes="clicks", trials="v")
    ok = th.shrink(df.assign(c=[1, 4, 0, 0]), group="ad", successes="c", trials="v")
    with pytest.raises(ValueError, match="no group 'w'"):
        ok.posterior("w")
    with pytest.raises(TypeError, match="string"):
        th.shrink("abc", [1])


def test_betaln_identity_of_the_marginal_likelihood(rats):
    # the rising-factorial sums agree with a plain betaln evaluation at any (a, b)
    from thetahat.shrink._common import RisingSums

    k = rats["y"].to_numpy(float)
    for a in (0.3, 2.0, 57.0):
        f, f1, f2 = RisingSums(k)(a)
        assert f == pytest.approx(np.sum(special.gammaln(a + k) - special.gammaln(a)), rel=1e-12)
        assert f1 == pytest.approx(np.sum(special.digamma(a + k) - special.digamma(a)), rel=1e-10)
        assert f2 == pytest.approx(
            np.sum(special.polygamma(1, a + k) - special.polygamma(1, a)), rel=1e-10
        )
    big = np.array([0.0, 3e5, 7e5, 3e5])
    f, f1, f2 = RisingSums(big)(4.5)
    assert f == pytest.approx(np.sum(special.gammaln(4.5 + big) - special.gammaln(4.5)), rel=1e-12)
    assert f1 == pytest.approx(np.sum(special.digamma(4.5 + big) - special.digamma(4.5)), rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=3, max_size=25).filter(
        lambda g: len({(min(a, b), max(a, b)) for a, b in g}) > 1
    )
)
def test_no_nearby_prior_has_a_higher_marginal_likelihood(groups):
    k = np.array([min(a, b) for a, b in groups], dtype=float)
    n = np.array([max(a, b) for a, b in groups], dtype=float)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", th.BoundaryWarning)
            res = th.shrink(k, n)
    except ValueError as exc:
        # only the documented degenerate cases may refuse
        assert any(
            s in str(exc)
            for s in (
                "at least two groups",
                "0 successes",
                "only successes",
                "at most one trial",
                "no successes or no failures",
            )
        ), exc
        return
    coef = special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)

    def ll(a, b):
        return float(np.sum(coef + special.betaln(a + k, b + n - k) - special.betaln(a, b)))

    if res.complete_pooling:
        # the exact limit a + b -> inf: the binomial likelihood at the pooled rate
        p = k.sum() / n.sum()
        assert res.loglik == pytest.approx(np.sum(stats.binom.logpmf(k, n, p)), abs=1e-9)
        for s in (0.5, 5.0, 50.0, 500.0):
            assert ll(p * s, (1 - p) * s) <= res.loglik + 1e-9
        return
    assert res.loglik == pytest.approx(ll(res.prior.a, res.prior.b), abs=1e-6)
    a, b = res.prior.a, res.prior.b
    for fa, fb in [(1.05, 1.0), (0.95, 1.0), (1.0, 1.05), (1.0, 0.95), (1.05, 1.05), (0.9, 0.9)]:
        assert ll(a * fa, b * fb) <= res.loglik + 1e-7 * (1 + abs(res.loglik))
    assert 0 <= res.table["shrinkage"].min() and res.table["shrinkage"].max() <= 1
    assert np.all(res.table["lower"] <= res.table["posterior_mean"])
    assert np.all(res.table["posterior_mean"] <= res.table["upper"])
