"""Separation, bad input and the identifiability checks of the regression estimators."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import thetahat as th
from thetahat.regression import (
    LinearRegression,
    LogisticRegression,
    PoissonRegression,
    prior_from_penalty,
)


def test_perfect_separation_warns_and_map_is_finite() -> None:
    X = pd.DataFrame(
        {"dose": [1.0, 2, 3, 4, 5, 6, 7, 8], "noise": [0.3, -1, 2, 0.5, -0.2, 1, 0, 1]}
    )
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    with pytest.warns(th.BoundaryWarning, match=r"separated.*along dose, intercept, so.*prior"):
        mle = LogisticRegression().fit(X, y)
    assert mle.estimate_.status == "boundary"
    assert np.isinf(mle.estimate_.se["dose"])
    assert mle.n_iter_ < 50
    with pytest.warns(th.BoundaryWarning, match="finite only because of the prior"):
        mp = LogisticRegression(prior=th.Laplace(0, 2.0)).fit(X, y)
    assert np.all(np.isfinite(mp.coef_))
    assert np.all(np.isfinite([v for v in mp.estimate_.params.values()]))
    with pytest.warns(th.BoundaryWarning):
        gauss = LogisticRegression(prior=th.Normal(0, 2.5)).fit(X, y)
    assert np.all(np.isfinite(list(gauss.estimate_.se.values())))
    assert np.all(mp.predict(X) == y)


def test_quasi_separation_names_the_diverging_coefficient() -> None:
    rng = np.random.default_rng(0)
    x1 = np.r_[np.zeros(30), np.ones(30)]
    x2 = rng.normal(size=60)
    y = np.r_[rng.integers(0, 2, size=30), np.ones(30)]  # x1 = 1 -> always 1
    X = pd.DataFrame({"group": x1, "x2": x2})
    with pytest.warns(th.BoundaryWarning) as rec:
        LogisticRegression().fit(X, y)
    msg = str(rec[0].message)
    assert "along group, so" in msg  # the sparsest separating direction: group alone
    mp = LogisticRegression(prior=th.Normal(0, 2.0))
    with pytest.warns(th.BoundaryWarning, match="along group, so.*finite only because"):
        mp.fit(X, y)
    # without separation a MAP fit is silent
    y2 = y.copy()
    y2[-1] = 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LogisticRegression(prior=th.Normal(0, 2.0)).fit(X, y2)
    assert np.isfinite(mp.estimate_.params["group"]) and np.isfinite(mp.estimate_.se["group"])


@pytest.mark.parametrize("model", [LinearRegression(), LogisticRegression(), PoissonRegression()])
def test_nan_and_inf_are_named(model) -> None:  # type: ignore[no-untyped-def]
    X = np.ones((6, 2)) * np.arange(6)[:, None] + np.eye(6, 2)
    y = np.array([0.0, 1, 0, 1, 1, 0])
    Xbad = X.copy()
    Xbad[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"NaN.*\(3, 1\)"):
        model.fit(Xbad, y)
    Xbad[3, 1] = np.inf
    with pytest.raises(ValueError, match=r"inf.*\(3, 1\)"):
        model.fit(Xbad, y)
    ybad = y.copy()
    ybad[4] = np.nan
    with pytest.raises(ValueError, match=r"NaN.*4"):
        model.fit(X, ybad)
    with pytest.raises(ValueError, match="y has 5 values but X has 6 rows"):
        model.fit(X, y[:5])
    with pytest.raises(ValueError, match="sample_weight"):
        model.fit(X, y, sample_weight=np.ones(4))
    with pytest.raises(ValueError, match=r"sample_weight\[2\]"):
        model.fit(X, y, sample_weight=[1, 1, -1, 1, 1, 1])


def test_logistic_y_outside_01() -> None:
    X = np.arange(10.0)[:, None]
    # three integer labels are a multinomial target (tests/regression/test_multinomial.py);
    # this one's class 2 has a single member, which the MLE refuses
    with pytest.raises(ValueError, match="class 2 has a single member"):
        LogisticRegression().fit(X, [0, 1, 0, 2, 1, 0, 1, 0, 1, 1])
    with pytest.raises(ValueError, match=r"y\[1\] = 0.5"):
        LogisticRegression().fit(X, [0, 0.5, 0, 1, 1, 0, 1, 0, 1, 1])
    with pytest.raises(ValueError, match="only one class"):
        LogisticRegression().fit(X, np.ones(10))


def test_poisson_negative_counts_and_exposure() -> None:
    X = np.arange(8.0)[:, None]
    with pytest.raises(ValueError, match=r"y\[2\] = -1.0"):
        PoissonRegression().fit(X, [0, 1, -1, 2, 3, 1, 0, 2])
    with pytest.raises(ValueError, match=r"exposure\[1\]"):
        PoissonRegression().fit(X, [0, 1, 1, 2, 3, 1, 0, 2], exposure=[1, 0, 1, 1, 1, 1, 1, 1])


def test_constant_column_with_flat_prior_is_named() -> None:
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": rng.normal(size=20), "const": 3.0, "b": rng.normal(size=20)})
    y = rng.normal(size=20)
    for model in (
        LinearRegression(prior=th.Flat()),
        LogisticRegression(),
        PoissonRegression(),
    ):
        target = (y > 0).astype(float) if not isinstance(model, LinearRegression) else y
        with pytest.raises(ValueError, match=r"const.*not identifiable"):
            model.fit(X, target)
    X["c"] = X["a"] + 2 * X["b"]
    with pytest.raises(ValueError, match=r"column\(s\) a, b, c are linear combinations"):
        LinearRegression(prior=th.Flat()).fit(X.drop(columns="const"), y)
    # prior=None keeps scikit-learn's minimum-norm answer, with a warning naming it
    with pytest.warns(th.BoundaryWarning, match="const"):
        ols = LinearRegression().fit(X.drop(columns="c"), y)
    assert ols.estimate_.status == "boundary"
    # a proper prior identifies the model
    ridge = LinearRegression(prior=th.Normal(0, 1), noise_sd=1.0).fit(X, y)
    assert np.all(np.isfinite(list(ridge.estimate_.se.values())))


def test_bad_priors_and_hyperparameters() -> None:
    X, y = np.arange(10.0)[:, None], np.arange(10.0) + np.sin(np.arange(10.0))
    with pytest.raises(TypeError, match="instance"):
        LinearRegression(prior=th.Normal).fit(X, y)
    with pytest.raises(ValueError, match="all its parameters"):
        LinearRegression(prior=th.Normal(sigma=1)).fit(X, y)
    with pytest.raises(ValueError, match="centred at 0"):
        LinearRegression(prior=th.Laplace(1, 1)).fit(X, y)
    with pytest.raises(ValueError, match="LinearRegression"):
        LogisticRegression(prior="evidence").fit(X, (y > 4).astype(float))
    with pytest.raises(ValueError, match="noise_sd"):
        LinearRegression(noise_sd=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="alpha must be a positive"):
        prior_from_penalty("ridge", alpha=0.0)
    with pytest.raises(ValueError, match="n_samples"):
        prior_from_penalty("lasso", alpha=1.0)
    with pytest.raises(ValueError, match="model must be one of"):
        prior_from_penalty("svm", alpha=1.0)
    with pytest.raises(ValueError, match="level"):
        LinearRegression().fit(X, y).predict(X, return_interval=1.5)


def test_pandas_names_flow_into_summary() -> None:
    rng = np.random.default_rng(2)
    X = pd.DataFrame({"height_cm": rng.normal(170, 10, 50), "age": rng.normal(40, 5, 50)})
    y = 0.1 * X["height_cm"] + rng.normal(size=50)
    model = LinearRegression().fit(X, y)
    text = model.summary()
    assert "height_cm" in text and "age" in text and "P>|t|" in text
    assert set(model.estimate_.params) == {"intercept", "height_cm", "age"}
    d = model.estimate_.to_dict()
    assert set(d["pvalues"]) == {"intercept", "height_cm", "age"}


def test_import_thetahat_does_not_load_sklearn() -> None:
    import subprocess
    import sys

    code = (
        "import sys, thetahat as th; "
        "assert 'sklearn' not in sys.modules, 'sklearn imported'; "
        "assert 'thetahat.regression' not in sys.modules; "
        "th.regression.LinearRegression; assert 'sklearn' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------ X's finiteness, proven by the first pass
# (regression/_data.py DeferredFinite: the GLMs do not read X once more to check it)
@pytest.mark.parametrize(
    ("n", "p"),
    [(300, 3), (1_000, 160), (48_000, 4)],
    ids=["newton", "lbfgs", "subsample"],  # the solver's three routes to the first full pass
)
@pytest.mark.parametrize("model", [LogisticRegression, PoissonRegression])
def test_a_nan_anywhere_in_X_is_named_by_its_own_error(model, n: int, p: int) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(3)
    X = rng.standard_normal((n, p))
    y = (rng.random(n) < 0.4).astype(float)
    # the first row, a row of the 1/8 subsample, a row outside it, the last row
    for i, j in [(0, 0), (8 * (n // 16), 1), (8 * (n // 16) + 3, p - 1), (n - 1, p - 1)]:
        for bad, word in [(np.nan, "NaN"), (-np.inf, "infinite")]:
            Xbad = X.copy()
            Xbad[i, j] = bad
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # no NumPy warning before the error
                with pytest.raises(ValueError, match=rf"X contains 1 {word}.*\({i}, {j}\)"):
                    model().fit(Xbad, y)


def test_finiteness_proof_and_its_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    from thetahat.regression import _data
    from thetahat.regression._loss import LOGISTIC, fused_pass, nan_max

    assert np.isnan(nan_max(0.0, np.nan)) and np.isnan(nan_max(np.nan, 1.0))
    assert nan_max(1.0, 2.0) == 2.0 and max(0.0, np.nan) == 0.0  # (why nan_max exists)
    calls: list[str] = []
    real = _data.check_X

    def counted(X: np.ndarray, name: str = "X") -> np.ndarray:
        calls.append(name)
        return real(X, name)

    monkeypatch.setattr(_data, "check_X", counted)
    rng = np.random.default_rng(4)
    X = rng.standard_normal((2_000, 4))
    y = (rng.random(2_000) < 0.5).astype(float)
    LogisticRegression().fit(X, y)  # (its first pass is at 0, its second proves it)
    LogisticRegression().fit(np.tile(X, (25, 1)), np.tile(y, 25))  # (subsample first)
    assert calls == []  # proven by a pass: X is not read again
    # a column of zeros has a MAP of exactly 0, which proves nothing: X is checked
    Xz = np.column_stack([X, np.zeros(2_000)])
    with warnings.catch_warnings():  # (the zero column's own BoundaryWarning)
        warnings.simplefilter("ignore", th.BoundaryWarning)
        LogisticRegression(prior=th.Normal(0, 1)).fit(Xz, y)
    assert calls == ["X"]
    # a pass at nonzero coefficients reports a NaN row by a NaN max |eta| ...
    Xn = X.copy()
    Xn[1_234, 2] = np.nan
    res = fused_pass(LOGISTIC, Xn, y, None, None, np.ones(4), 0.0, True, quiet=True)
    assert np.isnan(res.eta_max)
    with pytest.raises(ValueError, match=r"\(1234, 2\)"):
        _data.DeferredFinite(Xn).settle(np.ones(4), res.eta_max)
    # ... while a finite max |eta| at a zero coefficient proves nothing: still to check
    pending = _data.DeferredFinite(Xn)
    pending.settle(np.array([1.0, 1.0, 0.0, 1.0]), 1.0)
    assert not pending.done
    with pytest.raises(ValueError, match=r"\(1234, 2\)"):
        pending.check()


@pytest.mark.parametrize("model", [LogisticRegression, PoissonRegression])
def test_values_too_large_for_float64_products_are_named(model) -> None:  # type: ignore[no-untyped-def]
    # finite, so X passes the check, but x^2 overflows the Hessian: one clear error
    # instead of scipy's "array must not contain infs or NaNs" or a rank message
    rng = np.random.default_rng(8)
    for n, p in [(2_000, 5), (400, 160)]:  # Newton; L-BFGS and the exact-Hessian finish
        X = rng.standard_normal((n, p))
        X[n // 2, 1] = 1e160
        y = (rng.random(n) < 0.5).astype(float)
        for prior in (None, th.Normal(0, 1)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # (NumPy's overflow, wide X)
                with pytest.raises(ValueError, match=r"overflows at the starting point.*1e\+160"):
                    model(prior=prior).fit(X, y)
