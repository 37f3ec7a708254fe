"""Regression derivations against thetahat.regression: OLS, ridge, lasso, logistic (IRLS)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import thetahat as th
from thetahat import derive
from thetahat.regression import LinearRegression, LogisticRegression


def _data(seed: int, n: int = 60, p: int = 4) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p))
    y = x @ np.array([1.0, -2.0, 0.0, 0.5])[:p] + rng.normal(0, 0.7, n)
    return x, y


def test_ols_is_the_normal_equations_solution() -> None:
    x, y = _data(0)
    d = derive.regression("ols")
    w = d.evaluate("mle", X=x, y=y.reshape(-1, 1)).ravel()
    m = LinearRegression(fit_intercept=False).fit(x, y)
    np.testing.assert_allclose(w, m.coef_, rtol=1e-10)
    rss = float(np.sum((y - x @ w) ** 2))
    assert d.evaluate("sigma", RSS=rss, n=y.size) == pytest.approx(np.sqrt(rss / y.size))


def test_ridge_is_the_gaussian_map_with_lambda_sigma2_over_tau2() -> None:
    x, y = _data(1)
    sigma, tau = 0.8, 0.3
    d = derive.regression("ridge")
    lam = d.evaluate("lambda", sigma=sigma, tau=tau)
    assert lam == pytest.approx(sigma**2 / tau**2, rel=1e-15)
    w = d.evaluate("map", X=x, y=y.reshape(-1, 1), **{"lambda": lam}).ravel()
    m = LinearRegression(prior=th.Normal(0, tau), noise_sd=sigma, fit_intercept=False).fit(x, y)
    np.testing.assert_allclose(w, m.coef_, rtol=1e-9)


def test_lasso_map_satisfies_the_derived_conditions() -> None:
    x, y = _data(2, n=80, p=4)
    sigma, b = 1.0, 0.02
    d = derive.regression("lasso")
    lam = d.evaluate("lambda", sigma=sigma, b=b)
    assert lam == pytest.approx(sigma**2 / b)
    m = LinearRegression(prior=th.Laplace(0, b), noise_sd=sigma, fit_intercept=False).fit(x, y)
    w = np.asarray(m.coef_)
    g = x.T @ (y - x @ w)
    nz = w != 0
    assert (~nz).any() and nz.any()  # this lambda zeroes the null weight
    np.testing.assert_allclose(g[nz], lam * np.sign(w[nz]), rtol=1e-6)
    assert np.all(np.abs(g[~nz]) <= lam * (1 + 1e-9))


def test_lasso_soft_thresholding_on_an_orthonormal_design() -> None:
    rng = np.random.default_rng(3)
    q, _ = np.linalg.qr(rng.normal(size=(50, 3)))
    y = q @ np.array([3.0, -0.2, 1.0]) + rng.normal(0, 0.1, 50)
    d = derive.regression("lasso")
    lam = 0.5
    soft = d.results["soft_threshold"]
    z = q.T @ y
    fn = sp.lambdify([d.symbols["z"], d.symbols["lambda"]], soft, "numpy")
    expected = np.array([float(fn(v, lam)) for v in z])
    b = 1.0 / lam  # sigma = 1: lambda = 1 / b
    m = LinearRegression(prior=th.Laplace(0, b), noise_sd=1.0, fit_intercept=False).fit(q, y)
    np.testing.assert_allclose(m.coef_, expected, rtol=1e-8, atol=1e-10)
    assert expected[1] == 0.0


def test_logistic_irls_from_the_derived_score_and_hessian() -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(size=(300, 3))
    eta = x @ np.array([0.8, -1.2, 0.3])
    y = (rng.uniform(size=300) < 1 / (1 + np.exp(-eta))).astype(float)
    d = derive.regression("logistic")
    e, yi = d.symbols["eta"], d.symbols["y_i"]
    score = sp.lambdify([e, yi], d.results["dscore"], "numpy")
    curv = sp.lambdify([e, yi], d.results["dhessian"], "numpy")
    w = np.zeros(3)
    for _ in range(30):
        et = x @ w
        u = x.T @ score(et, y)
        h = x.T @ (curv(et, y)[:, None] * x)
        w = w - np.linalg.solve(h, u)
    m = LogisticRegression(fit_intercept=False).fit(x, y)
    np.testing.assert_allclose(w, m.coef_, rtol=1e-8)


def test_renderings() -> None:
    for name in derive.REGRESSIONS:
        d = derive.regression(name)
        for fmt in derive.FORMATS:
            out = d.render(fmt)
            assert d.title.split()[0] in out
    with pytest.raises(ValueError, match="unknown regression 'probit'"):
        derive.regression("probit")
