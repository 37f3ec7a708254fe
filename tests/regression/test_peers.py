"""MAP and MLE against scikit-learn and statsmodels, computed in the test."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from sklearn import linear_model as sk

import thetahat as th
from thetahat.regression import (
    LinearRegression,
    LogisticRegression,
    PoissonRegression,
    penalty_from_prior,
    prior_from_penalty,
)


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-2)))


@pytest.fixture(scope="module")
def linear_data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 6)) * [1, 2, 0.5, 1, 3, 1]
    y = X @ [1.0, -0.5, 0.0, 2.0, 0.1, 0.0] + 3.0 + rng.normal(size=300)
    w = rng.integers(1, 4, size=300).astype(float)
    return X, y, w


@pytest.mark.parametrize("weighted", [False, True])
def test_ridge_equals_sklearn(linear_data, weighted) -> None:  # type: ignore[no-untyped-def]
    X, y, w = linear_data
    sw = w if weighted else None
    alpha, sigma = 7.5, 1.3
    prior = prior_from_penalty("ridge", alpha=alpha, noise_sd=sigma)
    ours = LinearRegression(prior=prior, noise_sd=sigma).fit(X, y, sample_weight=sw)
    ref = sk.Ridge(alpha=alpha, solver="cholesky").fit(X, y, sample_weight=sw)
    assert _rel(ours.coef_, ref.coef_) <= 1e-6
    assert abs(ours.intercept_ - ref.intercept_) <= 1e-6 * abs(ref.intercept_)
    assert penalty_from_prior(prior, "ridge", noise_sd=sigma)["alpha"] == pytest.approx(alpha)


@pytest.mark.parametrize("weighted", [False, True])
def test_lasso_and_elastic_net_equal_sklearn(linear_data, weighted) -> None:  # type: ignore[no-untyped-def]
    X, y, w = linear_data
    sw = w if weighted else None
    n = float(len(y) if sw is None else sw.sum())
    for alpha, ratio in [(0.05, None), (0.3, None), (0.1, 0.5), (0.2, 0.2)]:
        if ratio is None:
            prior = prior_from_penalty("lasso", alpha=alpha, n_samples=n, noise_sd=2.0)
            ref = sk.Lasso(alpha=alpha, tol=1e-14, max_iter=100_000)
        else:
            prior = prior_from_penalty(
                "elasticnet", alpha=alpha, l1_ratio=ratio, n_samples=n, noise_sd=2.0
            )
            ref = sk.ElasticNet(alpha=alpha, l1_ratio=ratio, tol=1e-14, max_iter=100_000)
        ref.fit(X, y, sample_weight=sw)
        ours = LinearRegression(prior=prior, noise_sd=2.0).fit(X, y, sample_weight=sw)
        assert _rel(ours.coef_, ref.coef_) <= 1e-6
        assert np.array_equal(ours.coef_ == 0, ref.coef_ == 0)
        assert abs(ours.intercept_ - ref.intercept_) <= 1e-6 * abs(ref.intercept_)
        back = penalty_from_prior(
            prior, "lasso" if ratio is None else "elasticnet", n_samples=n, noise_sd=2.0
        )
        assert back["alpha"] == pytest.approx(alpha)
        if ratio is not None:
            assert back["l1_ratio"] == pytest.approx(ratio)


@pytest.fixture(scope="module")
def logit_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2)
    X = rng.normal(size=(500, 5))
    eta = X @ [0.8, -1.0, 0.0, 0.5, 0.2] - 0.3
    y = (rng.uniform(size=500) < 1 / (1 + np.exp(-eta))).astype(float)
    return X, y


def test_logistic_l2_equals_sklearn(logit_data) -> None:  # type: ignore[no-untyped-def]
    X, y = logit_data
    for C in (0.01, 0.5, 10.0):
        prior = prior_from_penalty("logistic", C=C)
        ours = LogisticRegression(prior=prior).fit(X, y)
        ref = sk.LogisticRegression(C=C, solver="newton-cholesky", tol=1e-12, max_iter=1000)
        ref.fit(X, y)
        assert _rel(ours.coef_, ref.coef_[0]) <= 1e-6
        assert abs(ours.intercept_ - ref.intercept_[0]) <= 1e-6
        np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-8)
        assert penalty_from_prior(prior, "logistic")["C"] == pytest.approx(C)


def test_logistic_l1_equals_sklearn(logit_data) -> None:  # type: ignore[no-untyped-def]
    X, y = logit_data
    for C in (0.02, 0.1):
        prior = prior_from_penalty("logistic", C=C, l1_ratio=1.0)
        assert isinstance(prior, th.Laplace)
        ours = LogisticRegression(prior=prior, fit_intercept=False).fit(X, y)
        ref = sk.LogisticRegression(
            C=C,
            l1_ratio=1.0,
            solver="liblinear",
            fit_intercept=False,
            tol=1e-12,
            max_iter=10_000,
            random_state=0,  # liblinear shuffles coordinates: keep the run reproducible
        ).fit(X, y)
        assert np.array_equal(ours.coef_ == 0, ref.coef_[0] == 0)
        assert _rel(ours.coef_, ref.coef_[0]) <= 1e-6
        est = ours.estimate_
        zero = [k for k, v in est.params.items() if v == 0]
        assert all(np.isnan(est.se[k]) for k in zero)
        assert (C == 0.02) <= bool(zero)
    # with an unpenalised intercept: saga
    C = 0.05
    ours = LogisticRegression(prior=th.Laplace(0, C)).fit(X, y)
    ref = sk.LogisticRegression(
        C=C, l1_ratio=1.0, solver="saga", tol=1e-14, max_iter=100_000, random_state=0
    )
    ref.fit(X, y)
    assert _rel(ours.coef_, ref.coef_[0]) <= 1e-6
    assert abs(ours.intercept_ - ref.intercept_[0]) <= 1e-6


def test_logistic_mle_equals_statsmodels(logit_data) -> None:  # type: ignore[no-untyped-def]
    X, y = logit_data
    ours = LogisticRegression().fit(X, y)
    ref = sm.Logit(y, sm.add_constant(X)).fit(disp=0, method="newton", tol=1e-12, maxiter=100)
    est = ours.estimate_
    keys = list(est.params)
    assert _rel([est.params[k] for k in keys], ref.params) <= 1e-6
    assert _rel([est.se[k] for k in keys], ref.bse) <= 1e-6
    assert _rel([est.pvalues[k] for k in keys], ref.pvalues) <= 1e-5
    assert est.loglik == pytest.approx(ref.llf, rel=1e-10)
    assert est.aic == pytest.approx(ref.aic, rel=1e-10)


def test_logistic_map_covariance_is_inverse_hessian(logit_data) -> None:  # type: ignore[no-untyped-def]
    from scipy.optimize import approx_fprime

    X, y = logit_data
    tau = 0.7
    model = LogisticRegression(prior=th.Normal(0, tau)).fit(X, y)
    theta = np.append(model.coef_, model.intercept_)
    A = np.column_stack([X, np.ones(len(y))])

    def grad(t: np.ndarray) -> np.ndarray:
        mu = 1 / (1 + np.exp(-(A @ t)))
        g = A.T @ (mu - y)
        g[:-1] += t[:-1] / tau**2
        return g

    assert np.abs(grad(theta)).max() < 1e-8
    H = np.array([approx_fprime(theta, lambda t, i=i: grad(t)[i], 1e-6) for i in range(6)])
    cov = np.linalg.inv(H)
    se = np.sqrt(np.diag(cov))
    est = model.estimate_
    ours = [est.se[k] for k in ["x0", "x1", "x2", "x3", "x4", "intercept"]]
    np.testing.assert_allclose(ours, se, rtol=1e-5)


def test_poisson_mle_with_exposure_equals_statsmodels() -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 3))
    expo = rng.uniform(0.5, 5.0, size=400)
    y = rng.poisson(expo * np.exp(X @ [0.3, -0.2, 0.1] + 0.5))
    ours = PoissonRegression().fit(X, y, exposure=expo)
    ref = sm.GLM(y, sm.add_constant(X), family=sm.families.Poisson(), exposure=expo).fit(tol=1e-13)
    est = ours.estimate_
    keys = list(est.params)
    assert _rel([est.params[k] for k in keys], ref.params) <= 1e-6
    assert _rel([est.se[k] for k in keys], ref.bse) <= 1e-6
    assert est.loglik == pytest.approx(ref.llf, rel=1e-10)
    np.testing.assert_allclose(ours.predict(X, exposure=expo), ref.fittedvalues, rtol=1e-6)


def test_poisson_map_equals_sklearn() -> None:
    rng = np.random.default_rng(4)
    X = rng.normal(size=(300, 4))
    y = rng.poisson(np.exp(X @ [0.3, -0.2, 0.1, 0.0] + 0.2))
    w = rng.uniform(0.5, 2.0, size=300)
    alpha = 0.05
    prior = prior_from_penalty("poisson", alpha=alpha, n_samples=w.sum())
    ours = PoissonRegression(prior=prior).fit(X, y, sample_weight=w)
    ref = sk.PoissonRegressor(alpha=alpha, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    ref.fit(X, y, sample_weight=w)
    assert _rel(ours.coef_, ref.coef_) <= 1e-6
    assert abs(ours.intercept_ - ref.intercept_) <= 1e-6


def test_ols_matches_statsmodels_weighted(linear_data) -> None:  # type: ignore[no-untyped-def]
    X, y, w = linear_data
    ours = LinearRegression().fit(X, y, sample_weight=w)
    # frequency weights: statsmodels' GLM with freq_weights uses the same n = sum(w)
    ref = sm.GLM(y, sm.add_constant(X), freq_weights=w).fit()
    est = ours.estimate_
    keys = list(est.params)
    assert _rel([est.params[k] for k in keys], ref.params) <= 1e-9
    assert _rel([est.se[k] for k in keys], ref.bse) <= 1e-9
    lo, hi = ours.predict(X[:5], return_interval=0.9)[1:]
    unw = sm.OLS(np.repeat(y, w.astype(int)), sm.add_constant(np.repeat(X, w.astype(int), 0)))
    pred = unw.fit().get_prediction(sm.add_constant(X[:5], has_constant="add"))
    frame = pred.summary_frame(alpha=0.1)
    np.testing.assert_allclose(lo, frame["obs_ci_lower"], rtol=1e-9)
    np.testing.assert_allclose(hi, frame["obs_ci_upper"], rtol=1e-9)


def test_intercept_shrunk_only_when_asked(linear_data) -> None:  # type: ignore[no-untyped-def]
    X, y, _ = linear_data
    tau = 0.2
    shrunk = LinearRegression(prior=th.Normal(0, tau), noise_sd=1.0, shrink_intercept=True)
    shrunk.fit(X, y)
    # the same as Ridge on [X, 1] without a separate intercept: the prior covers it
    A = np.column_stack([X, np.ones(len(y))])
    ref = sk.Ridge(alpha=1.0 / tau**2, fit_intercept=False, solver="cholesky").fit(A, y)
    assert _rel(np.append(shrunk.coef_, shrunk.intercept_), ref.coef_) <= 1e-6
    free = LinearRegression(prior=th.Normal(0, tau), noise_sd=1.0).fit(X, y)
    assert abs(free.intercept_ - 3.0) < abs(shrunk.intercept_ - 3.0)
