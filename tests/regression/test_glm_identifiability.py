"""The GLMs decide identifiability from the Hessian they already form: no SVD of X.

A flat prior on a rank-deficient design is refused with the columns named; the rank
comes from a pivoted Cholesky of the (scaled) k x k Hessian, so an ordinary fit pays
nothing for the check and never decomposes X.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
import scipy.linalg
import statsmodels.api as sm

import thetahat as th
from thetahat.regression import LogisticRegression, PoissonRegression, _checks


@contextlib.contextmanager
def no_svd() -> Iterator[None]:
    """Fail if anything inside computes an SVD (of X or otherwise)."""

    def boom(*a: object, **k: object) -> None:
        raise AssertionError("an SVD was computed")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(np.linalg, "svd", boom)
        mp.setattr(scipy.linalg, "svd", boom)
        yield


def _data(n: int = 400, seed: int = 3) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "z": rng.normal(size=n)})
    eta = 0.4 * X["a"] - 0.3 * X["b"] + 0.2
    yl = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
    yp = rng.poisson(np.exp(eta)).astype(float)
    return X, yl, yp


@pytest.mark.parametrize("model", [LogisticRegression, PoissonRegression])
def test_ordinary_mle_needs_no_svd_and_equals_statsmodels(model) -> None:  # type: ignore[no-untyped-def]
    X, yl, yp = _data()
    y = yl if model is LogisticRegression else yp
    with no_svd():
        ours = model().fit(X, y).estimate_
    fam = sm.families.Binomial() if model is LogisticRegression else sm.families.Poisson()
    ref = sm.GLM(y, sm.add_constant(X), family=fam).fit(tol=1e-12)
    assert ours.status == "success"
    keys = ["const", "a", "b", "z"]
    got = [ours.params["intercept" if k == "const" else k] for k in keys]
    se = [ours.se["intercept" if k == "const" else k] for k in keys]
    np.testing.assert_allclose(got, ref.params[keys], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(se, ref.bse[keys], rtol=1e-7)


@pytest.mark.parametrize("model", [LogisticRegression, PoissonRegression])
def test_collinear_columns_are_named(model) -> None:  # type: ignore[no-untyped-def]
    X, yl, yp = _data()
    y = yl if model is LogisticRegression else yp
    Xc = X.assign(c=X["a"] + 2 * X["b"])
    with no_svd(), pytest.raises(ValueError, match=r"column\(s\) a, b, c are linear combin"):
        model().fit(Xc, y)
    Xk = X.assign(k=3.0)
    with pytest.raises(ValueError, match=r"column\(s\) k are constant.*not identifiable"):
        model().fit(Xk, y)
    X0 = X.assign(zero=0.0)
    with pytest.raises(ValueError, match=r"column\(s\) zero are all zero"):
        model(fit_intercept=False).fit(X0, y)
    # a proper prior identifies the model
    fit = model(prior=th.Normal(0, 1)).fit(Xc, y)
    assert fit.estimate_.status == "success"
    assert np.all(np.isfinite(list(fit.estimate_.se.values())))


def test_collinear_on_large_data_takes_the_subsample_path_and_is_refused() -> None:
    rng = np.random.default_rng(5)
    n = 120_000
    X = rng.normal(size=(n, 3))
    X = np.column_stack([X, X[:, 0] - 0.5 * X[:, 2]])
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-X[:, 1]))).astype(float)
    with no_svd(), pytest.raises(ValueError, match=r"x0, x2, x3 are linear combinations"):
        LogisticRegression().fit(X, y)


def test_rare_dummy_missing_from_the_subsample_is_not_a_rank_problem() -> None:
    # a dummy set on 3 rows that the every-8th-row subsample never sees
    rng = np.random.default_rng(6)
    n = 120_000
    x = rng.normal(size=n)
    dummy = np.zeros(n)
    dummy[[1, 2, 3, 9, 10]] = 1.0
    X = np.column_stack([x, dummy])
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-0.5 * x))).astype(float)
    y[[1, 2]] = 0.0
    y[[3, 9]] = 1.0
    ours = LogisticRegression().fit(X, y).estimate_
    ref = sm.Logit(y, sm.add_constant(X)).fit(disp=0, method="newton", tol=1e-12)
    assert ours.status == "success"
    np.testing.assert_allclose(
        [ours.params["intercept"], ours.params["x0"], ours.params["x1"]], ref.params, rtol=1e-6
    )
    np.testing.assert_allclose(
        [ours.se["intercept"], ours.se["x0"], ours.se["x1"]], ref.bse, rtol=1e-6
    )


def test_too_few_rows() -> None:
    X = np.arange(6.0).reshape(3, 2) ** 2
    with pytest.raises(ValueError, match="3 coefficients but the data have 2 sample"):
        PoissonRegression().fit(X, [1.0, 2.0, 0.0], sample_weight=[1.0, 1.0, 0.0])


def test_rank_deficiency_of_a_hessian_names_the_groups() -> None:
    rng = np.random.default_rng(0)
    A = rng.normal(size=(50, 3))
    A = np.column_stack([A, A[:, 0] + A[:, 1], np.zeros(50)])
    groups = _checks.rank_deficiency(A.T @ A)
    assert [4] in groups
    assert any(sorted(g) == [0, 1, 3] for g in groups)
    assert _checks.rank_deficiency(A[:, :3].T @ A[:, :3]) == []
