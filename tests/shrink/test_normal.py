"""Normal-Normal shrinkage (eight schools) against direct scipy maximisation."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

import thetahat as th


def marginal_ll(y, se, mu, tau):
    return float(np.sum(stats.norm.logpdf(y, mu, np.sqrt(se**2 + tau**2))))


def central_hessian(f, x0, rel=1e-4):
    """Hessian by central differences with steps relative to each coordinate."""
    k = x0.shape[0]
    eps = rel * np.maximum(np.abs(x0), 1.0)
    h = np.zeros((k, k))
    for i in range(k):
        for j in range(k):
            e_i, e_j = np.eye(k)[i] * eps[i], np.eye(k)[j] * eps[j]
            h[i, j] = (
                f(x0 + e_i + e_j) - f(x0 + e_i - e_j) - f(x0 - e_i + e_j) + f(x0 - e_i - e_j)
            ) / (4 * eps[i] * eps[j])
    return h


def restricted_ll(y, se, tau):
    v = se**2 + tau**2
    w = 1 / v
    mu = np.sum(w * y) / np.sum(w)
    return marginal_ll(y, se, mu, tau) - 0.5 * np.log(np.sum(w))


def direct(y, se, method="ml"):
    """Maximise over (mu, tau >= 0) by L-BFGS-B, or tau alone for REML."""
    hi = 10 * (np.std(y) + se.max())
    if method == "ml":
        res = optimize.minimize(
            lambda p: -marginal_ll(y, se, p[0], p[1]),
            [np.mean(y), np.std(y)],
            method="L-BFGS-B",
            bounds=[(None, None), (0.0, hi)],
            options={"ftol": 1e-15, "gtol": 1e-10},
        )
        return float(res.x[0]), float(res.x[1])
    res = optimize.minimize_scalar(
        lambda t: -restricted_ll(y, se, t),
        bounds=(0.0, hi),
        method="bounded",
        options={"xatol": 1e-10},
    )
    tau = float(res.x)
    w = 1 / (se**2 + tau**2)
    return float(np.sum(w * y) / np.sum(w)), tau


@pytest.fixture(scope="module")
def schools(refdata):
    df = pd.read_csv(refdata / "bda_eight_schools.csv")
    return df["y"].to_numpy(float), df["sigma"].to_numpy(float)


@pytest.mark.parametrize("method", ["ml", "reml"])
def test_eight_schools_against_direct_maximisation(schools, method):
    y, se = schools
    with pytest.warns(th.BoundaryWarning, match="complete pooling"):
        res = th.shrink(y, se=se, family=th.Normal, method=method)
    mu, tau = direct(y, se, method)
    # both searches end on the boundary tau = 0: no between-school variance
    assert tau < 1e-3
    assert res.hyper.params["tau"] == 0.0 and res.complete_pooling
    assert res.hyper.params["mu"] == pytest.approx(mu, abs=1e-4)
    assert res.hyper.params["mu"] == pytest.approx(np.sum(y / se**2) / np.sum(1 / se**2))
    assert res.hyper.se["mu"] == pytest.approx(1 / np.sqrt(np.sum(1 / se**2)))
    np.testing.assert_allclose(res.table["posterior_mean"], res.hyper.params["mu"])
    assert res.loglik == pytest.approx(marginal_ll(y, se, res.hyper.params["mu"], 0.0))


@pytest.mark.parametrize("method", ["ml", "reml"])
def test_heterogeneous_schools_against_direct_maximisation(schools, method):
    y, se = schools
    y = 3.0 * y  # three times the effects: clear between-school variation
    res = th.shrink(y, se=se, family=th.Normal, method=method)
    mu, tau = direct(y, se, method)
    assert not res.complete_pooling and res.hyper.converged
    assert res.hyper.params["tau"] == pytest.approx(tau, rel=1e-5)
    assert res.hyper.params["mu"] == pytest.approx(mu, rel=1e-5, abs=1e-5)
    t = res.hyper.params["tau"]
    b = se**2 / (se**2 + t**2)
    m = res.hyper.params["mu"]
    np.testing.assert_allclose(res.table["shrinkage"], b)
    np.testing.assert_allclose(res.table["posterior_mean"], b * m + (1 - b) * y)
    sd = np.sqrt(1 / (1 / se**2 + 1 / t**2))
    np.testing.assert_allclose(res.table["upper"], stats.norm.ppf(0.975, res.table["map"], sd))
    if method == "reml":
        # the restricted likelihood carries (k - 1) / 2 log(2 pi), not k / 2
        assert res.hyper.extra["reml_loglik"] == pytest.approx(
            restricted_ll(y, se, t) + 0.5 * np.log(2 * np.pi)
        )


def test_ml_se_from_numerical_hessian(schools):
    y, se = schools
    y = 3.0 * y
    res = th.shrink(y, se=se, family=th.Normal)
    x0 = np.array([res.hyper.params["mu"], res.hyper.params["tau"]])
    cov = np.linalg.inv(-central_hessian(lambda w: marginal_ll(y, se, *w), x0))
    np.testing.assert_allclose(res.hyper.cov, cov, rtol=1e-3, atol=1e-6)


def test_equal_se_gives_the_closed_form_shrinkage_factor():
    rng = np.random.default_rng(4)
    k, sigma = 12, 1.5
    y = rng.normal(0, 2.5, k)
    s = np.sum((y - y.mean()) ** 2)
    ml = th.shrink(y, se=np.full(k, sigma), family=th.Normal)
    reml = th.shrink(y, se=np.full(k, sigma), family=th.Normal, method="reml")
    assert ml.table["shrinkage"][0] == pytest.approx(min(1, k * sigma**2 / s), rel=1e-9)
    assert reml.table["shrinkage"][0] == pytest.approx(min(1, (k - 1) * sigma**2 / s), rel=1e-9)
    # James-Stein uses (k - 3) and shrinks the least
    js = y.mean() + (1 - (k - 3) * sigma**2 / s) * (y - y.mean())
    ours = ml.table["posterior_mean"].to_numpy()
    assert np.all(np.abs(js - y.mean()) >= np.abs(ours - y.mean()) - 1e-12)


def test_simulation_recovery_and_coverage():
    rng = np.random.default_rng(99)
    m, mu, tau = 3000, 1.0, 2.0
    se = rng.uniform(0.5, 4.0, m)
    theta = rng.normal(mu, tau, m)
    y = rng.normal(theta, se)
    res = th.shrink(y, se=se, family=th.Normal)
    assert abs(res.hyper.params["mu"] - mu) < 3 * res.prior_se["mu"]
    assert abs(res.hyper.params["tau"] - tau) < 3 * res.prior_se["tau"]
    tab = res.table
    cover = np.mean((tab["lower"] <= theta) & (theta <= tab["upper"]))
    assert 0.935 < cover < 0.965  # binomial sd over 3000 groups: 0.004


def test_posterior_and_evidence(schools):
    y, se = schools
    res = th.shrink(3 * y, se=se, family=th.Normal)
    post = res.posterior(0)
    assert post.mean()["mu"] == pytest.approx(res.table["posterior_mean"][0])
    assert post.std()["mu"] == pytest.approx(
        np.sqrt(1 / (1 / se[0] ** 2 + 1 / res.hyper.params["tau"] ** 2))
    )
    total = sum(res.posterior(i).log_evidence for i in range(8))
    assert total == pytest.approx(res.loglik, abs=1e-9)


def test_dataframe_rows_combine_by_precision():
    df = pd.DataFrame(
        {
            "site": ["a", "a", "b", "c", "c", "d", "e"],
            "est": [1.0, 3.0, 10.0, -4.0, -2.0, 7.0, 0.0],
            "se": [1.0, 2.0, 1.5, 1.0, 1.0, 2.0, 1.0],
        }
    )
    res = th.shrink(df, group="site", estimates="est", se="se", family=th.Normal)
    w_a = np.array([1.0, 0.25])
    ya = np.sum(w_a * [1.0, 3.0]) / w_a.sum()
    y = np.array([ya, 10.0, -3.0, 7.0, 0.0])
    s = np.array([1 / np.sqrt(w_a.sum()), 1.5, 1 / np.sqrt(2), 2.0, 1.0])
    ref = th.shrink(y, se=s, family=th.Normal)
    np.testing.assert_allclose(res.table["posterior_mean"], ref.table["posterior_mean"])
    np.testing.assert_allclose(res.table["se"], s)
    assert list(res.table["n"]) == [2, 1, 2, 1, 1]


def test_groups_labelled_by_the_dataframe_index(schools):
    y, se = schools
    df = pd.DataFrame({"y": 3 * y, "s": se}, index=list("ABCDEFGH"))
    res = th.shrink(df, estimates="y", se="s", family=th.Normal)
    assert list(res.table["group"]) == list("ABCDEFGH")
    assert res.posterior("C").mean()["mu"] == pytest.approx(res.table["posterior_mean"][2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", th.BoundaryWarning)
        text = th.shrink(y, se=se, family=th.Normal).summary()
    assert "complete" in text and "tau" in text


@pytest.mark.parametrize(
    ("y", "se", "match"),
    [
        ([1.0, 2.0, 3.0], [1.0, -1.0, 1.0], r"se must be > 0; group 2 has se = -1"),
        ([1.0, 2.0, 3.0], [1.0, 0.0, 1.0], r"se must be > 0; group 2"),
        ([1.0, np.inf, 3.0], [1.0, 1.0, 1.0], r"estimates .* infinite .* group 2"),
        ([1.0, 2.0, 3.0], [1.0, 1.0], r"se has 2 entries but estimates has 3"),
        ([1.0], [1.0], r"at least two groups"),
    ],
)
def test_bad_input(y, se, match):
    with pytest.raises(ValueError, match=match):
        th.shrink(y, se=se, family=th.Normal)


def test_normal_needs_se():
    with pytest.raises(ValueError, match="standard error"):
        th.shrink([1.0, 2.0], family=th.Normal)


def test_all_equal_estimates_pool_completely_with_a_clear_message():
    with pytest.warns(th.BoundaryWarning, match="complete pooling.*pooled mean 4"):
        res = th.shrink([4.0, 4.0, 4.0, 4.0], se=[1.0, 2.0, 1.0, 3.0], family=th.Normal)
    assert res.complete_pooling
    np.testing.assert_allclose(res.table["posterior_mean"], 4.0)
    np.testing.assert_allclose(res.table["upper"] - res.table["lower"], 0.0)


def test_option_errors():
    with pytest.raises(ValueError, match="level"):
        th.shrink([1.0, 2.0], se=[1.0, 1.0], family=th.Normal, level=1.5)
    with pytest.raises(ValueError, match="method"):
        th.shrink([1.0, 2.0], se=[1.0, 1.0], family=th.Normal, method="bayes")
    with pytest.raises(ValueError, match="REML needs at least three"):
        th.shrink([1.0, 2.0], se=[1.0, 1.0], family=th.Normal, method="reml")
    with pytest.raises(TypeError, match="name dataframe columns"):
        th.shrink([1.0, 2.0], se=[1.0, 1.0], family=th.Normal, estimates="y")
    df = pd.DataFrame({"g": ["a", None, "b"], "y": [1.0, 2.0, 3.0], "s": [1.0, 1.0, 1.0]})
    with pytest.raises(ValueError, match=r"missing .* row 2"):
        th.shrink(df, group="g", estimates="y", se="s", family=th.Normal)
