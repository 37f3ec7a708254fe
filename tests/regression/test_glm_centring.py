"""Columns shifted far from 0 (by 1e9): finite, correct standard errors.

The GLM passes centre such columns internally; the reference is statsmodels on the
unshifted columns, with the shifted intercept's variance by the exact linear map
``b' = b - m w`` (``var b' = var b - 2 m cov(b, w) + m^2 var w``).
"""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from sklearn import linear_model as sk

import thetahat as th
from thetahat.regression import LinearRegression, LogisticRegression, PoissonRegression

SHIFT = np.array([1e9, 0.0])


def _data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    eta = X @ [0.5, -0.3] + 0.2
    yl = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
    yp = rng.poisson(np.exp(eta)).astype(float)
    return X, yl, yp


def _shifted_reference(ref: object) -> tuple[np.ndarray, np.ndarray]:
    """statsmodels' (const, x0, x1) params and cov mapped to the shifted columns."""
    p = np.asarray(ref.params)  # type: ignore[attr-defined]
    C = np.asarray(ref.cov_params())  # type: ignore[attr-defined]
    T = np.eye(3)
    T[0, 1:] = -SHIFT
    return T @ p, T @ C @ T.T


@pytest.mark.parametrize("n", [500, 150_000])  # the small path and the subsample path
@pytest.mark.parametrize("model", [LogisticRegression, PoissonRegression])
def test_mle_with_a_shifted_column(model, n) -> None:  # type: ignore[no-untyped-def]
    X, yl, yp = _data(n, 7)
    y = yl if model is LogisticRegression else yp
    fam = sm.families.Binomial() if model is LogisticRegression else sm.families.Poisson()
    ref = sm.GLM(y, sm.add_constant(X), family=fam).fit(tol=1e-12)
    params, cov = _shifted_reference(ref)
    est = model().fit(X + SHIFT, y).estimate_
    assert est.status == "success"
    got = [est.params[k] for k in ("intercept", "x0", "x1")]
    se = [est.se[k] for k in ("intercept", "x0", "x1")]
    # X + 1e9 is stored to ~1e-7 absolute: that bounds the agreement of the slopes
    np.testing.assert_allclose(got[1:], params[1:], rtol=1e-5)
    np.testing.assert_allclose(got[0], params[0], rtol=1e-5)
    np.testing.assert_allclose(se, np.sqrt(np.diag(cov)), rtol=1e-5)


@pytest.mark.parametrize("model", [LogisticRegression, PoissonRegression])
def test_map_with_a_shifted_column(model) -> None:  # type: ignore[no-untyped-def]
    X, yl, yp = _data(400, 8)
    y = yl if model is LogisticRegression else yp
    prior = th.Normal(0, 0.5)
    # the prior is on the slopes only, so shifting a column moves only the intercept
    if model is LogisticRegression:
        ref = sk.LogisticRegression(C=0.25, tol=1e-12, max_iter=10_000).fit(X, y)
        w, b = ref.coef_[0], float(ref.intercept_[0])
    else:
        ref = sk.PoissonRegressor(alpha=1 / (400 * 0.25), tol=1e-12, max_iter=10_000).fit(X, y)
        w, b = ref.coef_, float(ref.intercept_)
    base = model(prior=prior).fit(X, y).estimate_
    est = model(prior=prior).fit(X + SHIFT, y).estimate_
    np.testing.assert_allclose([est.params["x0"], est.params["x1"]], w, rtol=1e-5)
    np.testing.assert_allclose(est.params["intercept"], b - SHIFT @ w, rtol=1e-5)
    T = np.eye(3)
    T[0, 1:] = -SHIFT
    np.testing.assert_allclose(est.cov, T @ base.cov @ T.T, rtol=1e-5)


def test_linear_regression_with_a_shifted_column() -> None:
    X, _, _ = _data(300, 9)
    y = X @ [0.5, -0.3] + 1 + np.random.default_rng(1).normal(size=300)
    ref = sm.OLS(y, sm.add_constant(X)).fit()
    params, cov = _shifted_reference(ref)
    est = LinearRegression().fit(X + SHIFT, y).estimate_
    np.testing.assert_allclose(
        [est.params[k] for k in ("intercept", "x0", "x1")], params, rtol=1e-5
    )
    np.testing.assert_allclose(
        [est.se[k] for k in ("intercept", "x0", "x1")], np.sqrt(np.diag(cov)), rtol=1e-5
    )
