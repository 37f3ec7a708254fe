"""Issue 17 item 5: with a Normal prior on the weights and no noise_sd, sigma by type-II ML.

The reference is a direct numerical maximisation (scipy.optimize) of the Gaussian
marginal likelihood ``y ~ N(X m + b 1, sigma^2 I + tau^2 X X')`` with the intercept's
flat prior integrated out in closed form, computed here from the n x n covariance.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import optimize
from sklearn.linear_model import Ridge

import thetahat as th
from thetahat.regression import LinearRegression
from thetahat.results import BoundaryWarning


def _log_marginal(v: float, X, y, m: float, tau: float, intercept: bool) -> float:  # type: ignore[no-untyped-def]
    n = X.shape[0]
    S = v * np.eye(n) + tau**2 * X @ X.T
    r = y - X @ np.full(X.shape[1], m)
    c = np.linalg.cholesky(S)
    logdet = 2.0 * np.sum(np.log(np.diag(c)))
    Si_r = np.linalg.solve(S, r)
    quad = float(r @ Si_r)
    out = -0.5 * n * math.log(2 * math.pi) - 0.5 * logdet - 0.5 * quad
    if intercept:  # integrate b over the real line (unit density)
        one = np.ones(n)
        Si_1 = np.linalg.solve(S, one)
        A, B = float(one @ Si_1), float(one @ Si_r)
        out += 0.5 * math.log(2 * math.pi) - 0.5 * math.log(A) + 0.5 * B * B / A
    return out


def _direct_max(X, y, m, tau, intercept, lo=-20.0, hi=5.0):  # type: ignore[no-untyped-def]
    res = optimize.minimize_scalar(
        lambda t: -_log_marginal(math.exp(t), X, y, m, tau, intercept),
        bounds=(lo, hi),
        method="bounded",
        options={"xatol": 1e-12},
    )
    return math.exp(res.x), -res.fun


@pytest.mark.parametrize("intercept", [True, False])
@pytest.mark.parametrize("m", [0.0, 0.4])
def test_noise_maximises_the_marginal_likelihood(intercept: bool, m: float) -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(25, 3))
    y = 1.0 + X @ np.array([0.5, -1.0, 0.3]) + rng.normal(scale=0.7, size=25)
    tau = 0.8
    model = LinearRegression(prior=th.Normal(m, tau), fit_intercept=intercept).fit(X, y)
    v, logz = _direct_max(X, y, m, tau, intercept)
    assert model.noise_sd_**2 == pytest.approx(v, rel=1e-6)
    assert model.estimate_.details["log_evidence"] == pytest.approx(logz, rel=1e-9)
    assert model.estimate_.details["sigma_from"] == "type-II ML"
    assert model.estimate_.status == "success"
    # the weights are the posterior mean given that sigma: the ridge with alpha = sigma^2/tau^2
    assert model.posterior_ is not None
    if m == 0.0:
        ridge = Ridge(alpha=model.noise_sd_**2 / tau**2, fit_intercept=intercept).fit(X, y)
        np.testing.assert_allclose(model.coef_, ridge.coef_, rtol=1e-8)
    # standard errors conditional on sigma: the Gaussian posterior's
    given = LinearRegression(
        prior=th.Normal(m, tau), noise_sd=model.noise_sd_, fit_intercept=intercept
    )
    given.fit(X, y)
    for k, se in given.estimate_.se.items():
        assert model.estimate_.se[k] == pytest.approx(se, rel=1e-7)


def test_weighted_rows_equal_repeated_rows() -> None:
    rng = np.random.default_rng(4)
    X = rng.normal(size=(12, 2))
    y = X @ np.array([1.0, -2.0]) + rng.normal(size=12)
    w = rng.integers(1, 4, size=12)
    a = LinearRegression(prior=th.Normal(0, 1)).fit(X, y, sample_weight=w)
    b = LinearRegression(prior=th.Normal(0, 1)).fit(np.repeat(X, w, 0), np.repeat(y, w))
    assert a.noise_sd_ == pytest.approx(b.noise_sd_, rel=1e-9)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-9)


def test_exactly_fitted_small_data_now_fit() -> None:
    rng = np.random.default_rng(5)
    X = rng.normal(size=(3, 6))  # p > n: the weights can fit y exactly
    y = rng.normal(size=3)
    # a tight prior: the evidence prefers noise over large weights (an interior maximum)
    tight = LinearRegression(prior=th.Normal(0, 0.05)).fit(X, y)
    v, logz = _direct_max(X, y, 0.0, 0.05, True, lo=-30.0)
    assert tight.estimate_.status == "success"
    assert tight.noise_sd_**2 == pytest.approx(v, rel=1e-6)
    assert tight.estimate_.details["log_evidence"] == pytest.approx(logz, rel=1e-9)
    assert np.all(np.isfinite(list(tight.estimate_.se.values())))
    # a wide prior: the evidence is largest at sigma = 0, a boundary said so, yet finite
    with pytest.warns(BoundaryWarning, match="noise sd 0"):
        wide = LinearRegression(prior=th.Normal(0, 10.0)).fit(X, y)
    assert wide.estimate_.status == "boundary"
    assert wide.noise_sd_ == 0.0
    np.testing.assert_allclose(wide.predict(X), y, atol=1e-9)  # the interpolant
    assert np.all(np.isfinite(list(wide.estimate_.se.values())))
    t = np.linspace(-30, -20, 5)
    direct = [_log_marginal(math.exp(s), X, y, 0.0, 10.0, True) for s in t]
    assert np.all(np.diff(direct) < 0)  # the direct evidence falls away from sigma = 0
    assert wide.estimate_.details["log_evidence"] == pytest.approx(direct[0], rel=1e-8)


def test_one_sample_and_constant_targets() -> None:
    with pytest.raises(ValueError, match="1 sample"):
        LinearRegression(prior=th.Normal(0, 1)).fit([[1.0, 2.0]], [3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # no intercept: one row still leaves one degree of freedom for the noise
        LinearRegression(prior=th.Normal(0, 0.01), fit_intercept=False).fit([[1.0]], [3.0])
    with pytest.warns(BoundaryWarning):
        flat = LinearRegression(prior=th.Normal(0, 1)).fit(np.arange(8.0)[:, None], np.ones(8))
    assert flat.noise_sd_ == 0.0
    assert flat.estimate_.params["x0"] == 0.0


def test_laplace_prior_keeps_the_joint_map() -> None:
    rng = np.random.default_rng(6)
    X = rng.normal(size=(30, 2))
    y = X @ np.array([1.0, 0.0]) + rng.normal(size=30)
    lasso = LinearRegression(prior=th.Laplace(0, 1)).fit(X, y)
    assert lasso.estimate_.details["sigma_from"] == "joint MAP"
