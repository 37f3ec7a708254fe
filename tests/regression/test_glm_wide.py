"""Wide GLMs (k >= LBFGS_MIN_K, too few rows for a subsample): L-BFGS on gradient passes,
then one exact Hessian. They must reach the same optimum and standard errors as
statsmodels' and scikit-learn's Newton solvers.

The crossover is lowered for these tests (a 1,500 x 40 problem takes the wide path),
so they run in seconds; the path is the same at any width."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from sklearn import linear_model as sk

import thetahat as th
from thetahat.regression import LogisticRegression, PoissonRegression, _solvers

N, D = 1500, 40


@pytest.fixture(autouse=True)
def low_crossover(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_solvers, "LBFGS_MIN_K", 20)


@pytest.fixture(scope="module")
def wide() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(21)
    # columns on different scales: the L-BFGS phase must not depend on units
    X = rng.normal(size=(N, D)) * rng.uniform(0.05, 20.0, size=D)
    beta = rng.normal(size=D) / np.sqrt(D) / X.std(axis=0)
    eta = X @ beta
    yl = (rng.uniform(size=N) < 1 / (1 + np.exp(-eta))).astype(float)
    yp = rng.poisson(np.exp(0.3 + 0.5 * eta)).astype(float)
    return X, yl, yp


def test_the_wide_path_is_taken(wide, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    X, yl, _ = wide
    assert D + 1 >= _solvers.LBFGS_MIN_K and N <= _solvers.SUBSAMPLE_ABOVE
    calls = []
    real = _solvers._lbfgs

    def spy(*a, **k):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(_solvers, "_lbfgs", spy)
    LogisticRegression().fit(X, yl)
    assert calls == [1]


@pytest.mark.parametrize("model", [LogisticRegression, PoissonRegression])
def test_wide_mle_equals_statsmodels(wide, model) -> None:  # type: ignore[no-untyped-def]
    X, yl, yp = wide
    y = yl if model is LogisticRegression else yp
    fam = sm.families.Binomial() if model is LogisticRegression else sm.families.Poisson()
    ref = sm.GLM(y, sm.add_constant(X, prepend=False), family=fam).fit(tol=1e-13)
    est = model().fit(X, y).estimate_
    assert est.status == "success" and est.converged
    names = [f"x{j}" for j in range(D)] + ["intercept"]
    got = np.array([est.params[k] for k in names])
    se = np.array([est.se[k] for k in names])
    np.testing.assert_allclose(got, ref.params, rtol=1e-7, atol=1e-9 * np.abs(ref.params).max())
    np.testing.assert_allclose(se, ref.bse, rtol=1e-6)
    assert est.loglik == pytest.approx(ref.llf, rel=1e-11)


def test_wide_map_equals_sklearn(wide) -> None:  # type: ignore[no-untyped-def]
    X, yl, _ = wide
    C = 0.5
    ours = LogisticRegression(prior=th.Normal(0, np.sqrt(C))).fit(X, yl)
    ref = sk.LogisticRegression(C=C, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    ref.fit(X, yl)
    np.testing.assert_allclose(ours.coef_, ref.coef_[0], rtol=1e-6, atol=1e-9)
    assert ours.intercept_ == pytest.approx(ref.intercept_[0], abs=1e-7)
    # the Laplace standard errors: inverse Hessian of the negative log posterior
    A = np.column_stack([X, np.ones(N)])
    mu = 1 / (1 + np.exp(-(A @ np.append(ref.coef_[0], ref.intercept_[0]))))
    H = (A * (mu * (1 - mu))[:, None]).T @ A
    H[:-1, :-1] += np.eye(D) / C
    se = np.sqrt(np.diag(np.linalg.inv(H)))
    est = ours.estimate_
    got = [est.se[f"x{j}"] for j in range(D)] + [est.se["intercept"]]
    np.testing.assert_allclose(got, se, rtol=1e-5)
