"""GLMs on more than 100,000 rows take the subsample warm start and the chord/Newton refinement
(and the threaded row passes): they must still equal statsmodels and scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from sklearn import linear_model as sk

import thetahat as th
from thetahat.regression import LogisticRegression, PoissonRegression, _solvers, prior_from_penalty

N = 150_000


def _rel(a: object, b: object) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-2)))


@pytest.fixture(scope="module")
def big_logit() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    X = rng.normal(size=(N, 4)) * [1.0, 2.0, 0.5, 1.0]
    eta = X @ [0.4, -0.3, 1.0, 0.0] - 0.5
    y = (rng.uniform(size=N) < 1.0 / (1.0 + np.exp(-eta))).astype(float)
    return X, y


def test_large_path_is_taken(big_logit) -> None:  # type: ignore[no-untyped-def]
    X, _ = big_logit
    assert X.shape[0] > _solvers.SUBSAMPLE_ABOVE
    assert X.shape[0] // _solvers.STRIDE >= 20 * (X.shape[1] + 1)


def test_large_logistic_mle_equals_statsmodels(big_logit) -> None:  # type: ignore[no-untyped-def]
    X, y = big_logit
    ours = LogisticRegression().fit(X, y)
    ref = sm.Logit(y, sm.add_constant(X)).fit(disp=0, method="newton", tol=1e-12, maxiter=100)
    est = ours.estimate_
    keys = list(est.params)
    assert est.converged
    assert _rel([est.params[k] for k in keys], ref.params) <= 1e-6
    assert _rel([est.se[k] for k in keys], ref.bse) <= 1e-6
    assert est.loglik == pytest.approx(ref.llf, rel=1e-10)


def test_large_logistic_map_weighted_equals_sklearn(big_logit) -> None:  # type: ignore[no-untyped-def]
    X, y = big_logit
    w = np.random.default_rng(12).uniform(0.2, 3.0, size=N)
    C = 1e-3
    ours = LogisticRegression(prior=prior_from_penalty("logistic", C=C)).fit(X, y, sample_weight=w)
    ref = sk.LogisticRegression(C=C, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    ref.fit(X, y, sample_weight=w)
    assert ours.estimate_.converged
    assert _rel(ours.coef_, ref.coef_[0]) <= 1e-6
    assert abs(ours.intercept_ - ref.intercept_[0]) <= 1e-6
    # the standard errors: the inverse Hessian of the negative log posterior at the MAP
    A = np.column_stack([X, np.ones(N)])
    mu = 1.0 / (1.0 + np.exp(-(A @ np.append(ref.coef_[0], ref.intercept_[0]))))
    H = (A * (w * mu * (1 - mu))[:, None]).T @ A
    H[:-1, :-1] += np.eye(4) / C
    se = np.sqrt(np.diag(np.linalg.inv(H)))
    est = ours.estimate_
    got = [est.se[k] for k in ["x0", "x1", "x2", "x3", "intercept"]]
    np.testing.assert_allclose(got, se, rtol=1e-6)


def _l1_logistic_reference(X: np.ndarray, y: np.ndarray, C: float) -> np.ndarray:
    """min sum(logloss) + ||w||_1 / C (scikit-learn's L1 objective divided by C), by
    L-BFGS-B on w = u - v with u, v >= 0: smooth, deterministic, and exact zeros at the
    bounds. (liblinear, the scikit-learn solver for this, shuffles its coordinates at
    random and at tol=1e-12 sometimes ran for minutes on these 150,000 rows.)"""
    from scipy import optimize

    d = X.shape[1]

    def f(uv: np.ndarray) -> tuple[float, np.ndarray]:
        w = uv[:d] - uv[d:]
        eta = X @ w
        nll = float(np.sum(np.logaddexp(0.0, eta) - y * eta))
        g = X.T @ (1.0 / (1.0 + np.exp(-eta)) - y)
        return nll + float(uv.sum()) / C, np.concatenate([g + 1.0 / C, -g + 1.0 / C])

    res = optimize.minimize(
        f,
        np.zeros(2 * d),
        jac=True,
        method="L-BFGS-B",
        bounds=[(0.0, None)] * (2 * d),
        options={"ftol": 1e-15, "gtol": 1e-9, "maxiter": 10_000},
    )
    assert res.success, res.message
    return np.asarray(res.x[:d] - res.x[d:])


def test_large_logistic_l1_equals_reference(big_logit) -> None:  # type: ignore[no-untyped-def]
    X, y = big_logit
    C = 2e-4
    ours = LogisticRegression(prior=th.Laplace(0, C), fit_intercept=False).fit(X, y)
    ref = _l1_logistic_reference(X, y, C)
    assert (ref == 0).any() and (ref != 0).any()  # the penalty zeroes some, not all
    assert np.array_equal(ours.coef_ == 0, ref == 0)
    assert _rel(ours.coef_, ref) <= 1e-5


def test_large_poisson_mle_with_exposure_equals_statsmodels() -> None:
    rng = np.random.default_rng(13)
    X = rng.normal(size=(N, 3))
    expo = rng.uniform(0.5, 5.0, size=N)
    y = rng.poisson(expo * np.exp(X @ [0.3, -0.2, 0.1] + 0.5)).astype(float)
    ours = PoissonRegression().fit(X, y, exposure=expo)
    ref = sm.GLM(y, sm.add_constant(X), family=sm.families.Poisson(), exposure=expo).fit(tol=1e-13)
    est = ours.estimate_
    keys = list(est.params)
    assert est.converged
    assert _rel([est.params[k] for k in keys], ref.params) <= 1e-6
    assert _rel([est.se[k] for k in keys], ref.bse) <= 1e-6
    assert est.loglik == pytest.approx(ref.llf, rel=1e-10)


def test_large_X_finiteness_screen() -> None:
    from thetahat.regression._data import check_X

    rng = np.random.default_rng(14)
    X = rng.normal(size=(40_000, 3))  # 120,000 entries: the X @ 1 screen is used
    y = (X[:, 0] > 0).astype(float)
    for bad in (np.nan, np.inf, -np.inf):
        Xb = X.copy()
        Xb[12_345, 2] = bad
        with pytest.raises(ValueError, match=r"index \(12345, 2\)"):
            LogisticRegression().fit(Xb, y)
    # finite entries whose row sum overflows are not mistaken for infinities
    Xh = X.copy()
    Xh[7, :2] = 1.5e308
    with np.errstate(over="ignore"):
        assert np.isinf(Xh[7].sum())
    assert check_X(Xh) is not None
