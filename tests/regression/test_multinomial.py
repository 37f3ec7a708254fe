"""Multinomial (softmax) logistic regression against statsmodels' MNLogit and scikit-learn,
computed in the test; its bad input, separation and parametrisations."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from sklearn import linear_model as sk

import thetahat as th
from thetahat.regression import LogisticRegression, prior_from_penalty
from thetahat.results import BoundaryWarning


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.abs(b)))


@pytest.fixture(scope="module")
def anes() -> tuple[pd.DataFrame, np.ndarray]:
    """MNLogit's own example: party identification (7 classes) of 944 voters."""
    data = sm.datasets.anes96.load_pandas()
    return data.exog.copy(), data.endog.to_numpy().astype(int)


def test_mle_equals_statsmodels_mnlogit(anes) -> None:  # type: ignore[no-untyped-def]
    X, y = anes
    ref = sm.MNLogit(y, sm.add_constant(X)).fit(method="newton", tol=1e-12, maxiter=100, disp=0)
    ours = LogisticRegression().fit(X, y)
    assert ours.estimate_.status == "success"
    P, B = np.asarray(ref.params), np.asarray(ref.bse)  # (1 + p, K - 1), first class dropped
    classes = ours.classes_[1:]
    feats = ["intercept", *X.columns]
    params = np.array([[ours.estimate_.params[f"{f}[{c}]"] for c in classes] for f in feats])
    se = np.array([[ours.estimate_.se[f"{f}[{c}]"] for c in classes] for f in feats])
    assert _rel(params, P) <= 1e-8
    assert _rel(se, B) <= 1e-8
    assert ours.estimate_.loglik == pytest.approx(ref.llf, rel=1e-12)
    # the reference class is 0 in coef_ / intercept_, which are shaped as scikit-learn's
    assert ours.coef_.shape == (7, X.shape[1]) and np.all(ours.coef_[0] == 0)
    assert ours.intercept_[0] == 0.0
    assert _rel(ours.coef_[1:], P[1:].T) <= 1e-8
    proba = ours.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(proba, ref.predict(sm.add_constant(X)), rtol=1e-7, atol=1e-12)
    assert ours.estimate_.aic == pytest.approx(ref.aic, rel=1e-10)
    assert "x" not in ours.estimate_.params and "selfLR[0]" not in ours.estimate_.params


@pytest.fixture(scope="module")
def iris() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


@pytest.mark.parametrize("C", [0.05, 1.0, 20.0])
def test_normal_prior_equals_sklearn(iris, C) -> None:  # type: ignore[no-untyped-def]
    X, y = iris
    prior = prior_from_penalty("logistic", C=C)
    ours = LogisticRegression(prior=prior).fit(X, y)
    ref = sk.LogisticRegression(C=C, solver="newton-cholesky", tol=1e-14, max_iter=1000).fit(X, y)
    # the symmetric parametrisation: every class's weights, each feature's summing to 0
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(ours.coef_.sum(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-11)
    lbfgs = sk.LogisticRegression(C=C, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), lbfgs.predict_proba(X), atol=1e-5)
    assert set(ours.estimate_.params) == {
        f"{f}[{c}]" for f in ["intercept", "x0", "x1", "x2", "x3"] for c in (0, 1, 2)
    }


def test_normal_prior_weighted_equals_sklearn(iris) -> None:  # type: ignore[no-untyped-def]
    X, y = iris
    w = np.random.default_rng(3).integers(0, 4, size=y.shape[0]).astype(float)
    ours = LogisticRegression(prior=th.Normal(0, 1.5)).fit(X, y, sample_weight=w)
    ref = sk.LogisticRegression(C=1.5**2, solver="newton-cholesky", tol=1e-14).fit(
        X, y, sample_weight=w
    )
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-9, atol=1e-11)
    # frequency weights: the same fit as the repeated rows
    rep = np.repeat(np.arange(y.shape[0]), w.astype(int))
    again = LogisticRegression(prior=th.Normal(0, 1.5)).fit(X[rep], y[rep])
    np.testing.assert_allclose(ours.coef_, again.coef_, rtol=1e-9, atol=1e-12)
    assert _rel(list(ours.estimate_.se.values()), list(again.estimate_.se.values())) <= 1e-8


@pytest.mark.parametrize(("C", "ratio"), [(0.05, 1.0), (0.3, 1.0), (1.0, 1.0), (0.5, 0.5)])
def test_laplace_prior_equals_sklearn_saga(iris, C, ratio) -> None:  # type: ignore[no-untyped-def]
    X, y = iris
    prior = prior_from_penalty("logistic", C=C, l1_ratio=ratio)
    ours = LogisticRegression(prior=prior).fit(X, y)
    ref = sk.LogisticRegression(
        C=C, l1_ratio=ratio, solver="saga", tol=1e-12, max_iter=200_000
    ).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-7)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-7)
    if ratio == 1.0:
        assert np.array_equal(ours.coef_ == 0, ref.coef_ == 0)
        # K = 3 is odd: each feature's median weight over the classes is exactly 0
        assert np.all(np.any(ours.coef_ == 0, axis=0))
        se = ours.estimate_.se
        for k, c in enumerate(ours.classes_):
            for j in range(4):
                assert np.isnan(se[f"x{j}[{c}]"]) == (ours.coef_[k, j] == 0)
    assert ours.estimate_.status == "success"


def test_shrunk_intercept_and_no_intercept_equal_sklearn(iris) -> None:  # type: ignore[no-untyped-def]
    X, y = iris
    ones = np.column_stack([X, np.ones(X.shape[0])])
    ref = sk.LogisticRegression(C=2.0, solver="newton-cholesky", tol=1e-14, fit_intercept=False)
    ref.fit(ones, y)
    ours = LogisticRegression(prior=th.Normal(0, 2.0**0.5), shrink_intercept=True).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_[:, :4], rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(ours.intercept_, ref.coef_[:, 4], rtol=1e-9, atol=1e-11)
    plain = LogisticRegression(prior=th.Normal(0, 2.0**0.5), fit_intercept=False).fit(X, y)
    ref0 = sk.LogisticRegression(C=2.0, solver="newton-cholesky", tol=1e-14, fit_intercept=False)
    ref0.fit(X, y)
    np.testing.assert_allclose(plain.coef_, ref0.coef_, rtol=1e-9, atol=1e-11)
    assert np.all(plain.intercept_ == 0) and "intercept[0]" not in plain.estimate_.params


def test_map_posterior_and_standard_errors(iris) -> None:  # type: ignore[no-untyped-def]
    """The covariance is the inverse Hessian of the negative log posterior over all K
    classes' coefficients (invertible under the prior), projected on the deviations from
    the class mean: checked against a finite-difference Hessian."""
    X, y = iris
    X = X[:, :2]
    tau = 1.3
    m = LogisticRegression(prior=th.Normal(0, tau), shrink_intercept=True).fit(X, y)
    theta = np.r_[m.coef_.ravel(), m.intercept_]

    def negpost(t: np.ndarray) -> float:
        W, b = t[:6].reshape(3, 2), t[6:]
        s = X @ W.T + b
        lse = np.log(np.exp(s).sum(axis=1))
        return float(np.sum(lse - s[np.arange(len(y)), y]) + t @ t / (2 * tau**2))

    k, h = theta.shape[0], 1e-4
    H = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            e_i, e_j = np.eye(k)[i] * h, np.eye(k)[j] * h
            H[i, j] = (
                negpost(theta + e_i + e_j)
                - negpost(theta + e_i - e_j)
                - negpost(theta - e_i + e_j)
                + negpost(theta - e_i - e_j)
            ) / (4 * h * h)
    # deviations from the class mean, per feature and for the intercepts
    D = np.eye(k)
    for group in ([0, 2, 4], [1, 3, 5], [6, 7, 8]):
        D[np.ix_(group, group)] -= 1.0 / 3.0
    sd = np.sqrt(np.diag(D @ np.linalg.inv(H) @ D.T))
    names = [f"x{j}[{c}]" for c in range(3) for j in range(2)]
    names += [f"intercept[{c}]" for c in range(3)]
    ours = np.array([m.estimate_.se[nm] for nm in names])
    np.testing.assert_allclose(ours, sd, rtol=1e-5)
    draws = m.posterior_.sample(20_000, rng=1)
    np.testing.assert_allclose(np.std(draws["x0[1]"]), m.estimate_.se["x0[1]"], rtol=0.03)
    assert np.isfinite(m.posterior_.log_evidence)
    assert "intercept[2]" in m.posterior_.summary()


def test_wide_prior_standard_errors_tend_to_the_mle(anes) -> None:  # type: ignore[no-untyped-def]
    """As tau grows the MAP's deviations and their covariance tend to the MLE's (the
    reference coordinates mapped to deviations from the class mean)."""
    X, y = anes
    mle = LogisticRegression().fit(X, y)
    wide = LogisticRegression(prior=th.Normal(0, 1e4)).fit(X, y)
    K, q = 7, X.shape[1] + 1
    # reported MLE order: per class after the first, intercept then features
    M = np.zeros((K * q, (K - 1) * q))
    for c in range(1, K):
        M[c * q : (c + 1) * q, (c - 1) * q : c * q] = np.eye(q)
    D = np.eye(K * q)
    for j in range(q):
        idx = [c * q + j for c in range(K)]
        D[np.ix_(idx, idx)] -= 1.0 / K
    T = D @ M
    dev = T @ np.array(list(mle.estimate_.params.values()))
    se = np.sqrt(np.diag(T @ mle.estimate_.cov @ T.T))
    np.testing.assert_allclose(list(wide.estimate_.params.values()), dev, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(list(wide.estimate_.se.values()), se, rtol=1e-4)


def test_centred_intercepts_posterior_is_degenerate_but_samples(iris) -> None:  # type: ignore[no-untyped-def]
    X, y = iris
    m = LogisticRegression(prior=th.Normal(0, 1)).fit(X, y)
    np.testing.assert_allclose(m.intercept_.sum(), 0.0, atol=1e-12)
    draws = m.posterior_.sample(500, rng=2)
    total = draws["intercept[0]"] + draws["intercept[1]"] + draws["intercept[2]"]
    np.testing.assert_allclose(total, 0.0, atol=1e-6)
    assert all(np.isfinite(v) and v > 0 for v in m.estimate_.se.values())


def test_string_labels_predict_and_shapes() -> None:
    rng = np.random.default_rng(4)
    X = rng.normal(size=(400, 3))
    scores = X @ rng.normal(size=(3, 4))
    codes = np.argmax(scores + rng.gumbel(size=scores.shape), axis=1)
    labels = np.array(["red", "green", "blue", "amber"])[codes]
    m = LogisticRegression(prior=th.Normal(0, 3)).fit(X, labels)
    assert list(m.classes_) == ["amber", "blue", "green", "red"]
    assert m.coef_.shape == (4, 3) and m.intercept_.shape == (4,)
    proba = m.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-14)
    pred = m.predict(X)
    assert pred.dtype.kind == "U" and set(pred) <= set(labels)
    assert np.array_equal(pred, m.classes_[np.argmax(proba, axis=1)])
    np.testing.assert_allclose(np.exp(m.predict_log_proba(X)), proba, rtol=1e-12)
    assert m.decision_function(X).shape == (400, 4)
    ref = sk.LogisticRegression(C=9.0, solver="newton-cholesky", tol=1e-14).fit(X, labels)
    np.testing.assert_allclose(m.predict_proba(X), ref.predict_proba(X), atol=1e-10)
    assert "x2[amber]" in m.estimate_.se and "intercept[red]" in m.estimate_.se
    mle = LogisticRegression().fit(X, labels)
    assert "x0[amber]" not in mle.estimate_.params and "x0[red]" in mle.estimate_.params
    assert "Reference:" in mle.summary() and "amber" in mle.summary()


def test_two_classes_stay_binary(iris) -> None:  # type: ignore[no-untyped-def]
    X, y = iris
    keep = y > 0
    m = LogisticRegression().fit(X[keep], y[keep])
    assert m.coef_.shape == (4,) and list(m.classes_) == [1, 2]
    assert set(m.estimate_.params) == {"intercept", "x0", "x1", "x2", "x3"}


@pytest.mark.parametrize("n", [1000, 60_000])
def test_large_paths_equal_statsmodels(n) -> None:  # type: ignore[no-untyped-def]
    """Many coefficients on few rows (L-BFGS first, then Newton) and many rows (a
    subsample's fit refined by Newton-chord passes) land on MNLogit's MLE."""
    rng = np.random.default_rng(n)
    p, K = (37, 5) if n == 1000 else (4, 4)  # 152 coefficients; 15 on many rows
    X = rng.normal(size=(n, p))
    B = rng.normal(scale=0.3, size=(p, K))
    codes = np.argmax(X @ B + rng.gumbel(size=(n, K)), axis=1)
    ours = LogisticRegression().fit(X, codes)
    ref = sm.MNLogit(codes, sm.add_constant(X)).fit(method="newton", tol=1e-12, disp=0)
    assert _rel(ours.coef_[1:], np.asarray(ref.params)[1:].T) <= 1e-6
    se = np.array([[ours.estimate_.se[f"x{j}[{c}]"] for c in range(1, K)] for j in range(p)])
    assert _rel(se, np.asarray(ref.bse)[1:]) <= 1e-6


def test_separated_mle_is_a_boundary() -> None:
    x = np.r_[np.linspace(0, 0.9, 10), np.linspace(1, 1.9, 10), np.linspace(2, 2.9, 10)]
    y = np.repeat([0, 1, 2], 10)
    with pytest.warns(BoundaryWarning, match="separated"):
        m = LogisticRegression().fit(x[:, None], y)
    assert m.estimate_.status == "boundary"
    assert not np.isfinite(list(m.estimate_.se.values())).any()
    # a prior holds it
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        held = LogisticRegression(prior=th.Normal(0, 2)).fit(x[:, None], y)
    assert held.estimate_.status == "success"


def test_bad_input_is_named() -> None:
    rng = np.random.default_rng(5)
    X = rng.normal(size=(30, 2))
    y = np.repeat([0, 1, 2], 10)
    with pytest.raises(ValueError, match="class 7 has a single member"):
        LogisticRegression().fit(X, np.r_[y[:-1], 7])
    # under a prior a single member is no problem
    LogisticRegression(prior=th.Normal(0, 1)).fit(X, np.r_[y[:-1], 7])
    with pytest.raises(ValueError, match="3 classes among 3 row"):
        LogisticRegression(prior=th.Normal(0, 1)).fit(X[:3], [0, 1, 2])
    Xn = X.copy()
    Xn[4, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        LogisticRegression().fit(Xn, y)
    with pytest.raises(ValueError, match="NaN"):
        LogisticRegression().fit(X, np.r_[y[:-1], np.nan])
    with pytest.raises(ValueError, match="Only binary classification is supported with link"):
        LogisticRegression(link="probit").fit(X, y)
    with pytest.raises(ValueError, match="centred at 0"):
        LogisticRegression(prior=th.Normal(1, 1)).fit(X, y)
    w = np.ones(30)
    w[y == 2] = 0.0
    with pytest.raises(ValueError, match="class 2 has no rows of positive sample_weight"):
        LogisticRegression(prior=th.Normal(0, 1)).fit(X, y, sample_weight=w)
    with pytest.raises(ValueError, match="Unknown label type"):
        LogisticRegression().fit(X, np.r_[y[:-1], 2.5])
    Xc = np.column_stack([X, 2 * X[:, 0]])
    with pytest.raises(ValueError, match="x0, x2 are linear combinations"):
        LogisticRegression().fit(Xc, y)
    mle = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="3 features"):
        mle.predict(np.ones((2, 3)))


def test_laplace_prior_even_k_reaches_sklearn_objective() -> None:
    """K = 4: a feature's median over the classes may be an interval, across which the
    objective is flat; the reported MAP takes the end nearer 0 (one exact zero per
    feature) and reaches saga's objective."""
    rng = np.random.default_rng(8)
    X = rng.normal(size=(300, 3))
    codes = np.argmax(X @ rng.normal(size=(3, 4)) + rng.gumbel(size=(300, 4)), axis=1)
    C = 0.2
    ours = LogisticRegression(prior=prior_from_penalty("logistic", C=C, l1_ratio=1.0))
    ours.fit(X, codes)
    ref = sk.LogisticRegression(C=C, l1_ratio=1.0, solver="saga", tol=1e-12, max_iter=200_000)
    ref.fit(X, codes)

    def objective(coef: np.ndarray, b: np.ndarray) -> float:
        s = X @ coef.T + b
        top = s.max(axis=1)
        lse = top + np.log(np.exp(s - top[:, None]).sum(axis=1))
        return float(np.sum(lse - s[np.arange(300), codes]) + np.abs(coef).sum() / C)

    mine, theirs = objective(ours.coef_, ours.intercept_), objective(ref.coef_, ref.intercept_)
    assert mine <= theirs + 1e-9 * abs(theirs)
    assert mine == pytest.approx(theirs, rel=1e-8)
    assert np.all(np.any(ours.coef_ == 0, axis=0))
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-6)


def test_laplace_check_of_the_map_posterior() -> None:
    """issue 15's PSIS check: close to Gaussian on many rows, further from it on few."""
    rng = np.random.default_rng(9)
    X = rng.normal(size=(800, 2))
    codes = np.argmax(X @ rng.normal(size=(2, 3)) + rng.gumbel(size=(800, 3)), axis=1)
    many = LogisticRegression(prior=th.Normal(0, 2)).fit(X, codes)
    few = LogisticRegression(prior=th.Normal(0, 2)).fit(X[:25], codes[:25])
    assert many.laplace_check_["khat"] < 0.5 and many.laplace_check_["ess_is"] > 1000
    assert few.laplace_check_["khat"] > many.laplace_check_["khat"]
    assert not hasattr(LogisticRegression().fit(X, codes), "laplace_check_")
