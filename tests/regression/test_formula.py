"""Issue 17 item 3: formulas and categorical columns, against statsmodels' formula API."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import polars as pl
import pytest
import statsmodels.formula.api as smf

import thetahat as th
from thetahat._optional import MissingExtraError
from thetahat.regression import (
    LinearRegression,
    LogisticRegression,
    NegativeBinomialRegression,
    PoissonRegression,
    from_formula,
)

FORMULA = "y ~ x1 + C(region) + x1:x2"


def _frame(n: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "x1": rng.normal(size=n),
            "x2": rng.normal(size=n),
            "region": rng.choice(["north", "south", "west"], size=n),
            "years": rng.uniform(0.5, 2.0, size=n),
        }
    )
    eff = df.region.map({"north": 0.0, "south": 0.4, "west": -0.6}).to_numpy()
    df["eta"] = 0.2 + 0.5 * df.x1 + eff + 0.3 * df.x1 * df.x2
    return df


def _named(est_params: dict[str, float]) -> dict[str, float]:
    return {("Intercept" if k == "intercept" else k): v for k, v in est_params.items()}


def _same(ours, ref, rtol: float) -> None:  # type: ignore[no-untyped-def]
    # the same names (statsmodels orders the categorical terms first; the order is free)
    params, se = _named(ours.estimate_.params), _named(ours.estimate_.se)
    assert sorted(params) == sorted(ref.params.index)
    names = list(ref.params.index)
    np.testing.assert_allclose([params[k] for k in names], ref.params, rtol=rtol)
    np.testing.assert_allclose([se[k] for k in names], ref.bse, rtol=rtol)


def test_ols_equals_statsmodels_formula() -> None:
    df = _frame()
    df["y"] = df.eta + np.random.default_rng(1).normal(size=len(df))
    _same(from_formula(FORMULA, df), smf.ols(FORMULA, df).fit(), 1e-9)
    no_b = "y ~ x1 + C(region) - 1"
    m = from_formula(no_b, df)
    assert m.estimator.fit_intercept is False
    _same(m, smf.ols(no_b, df).fit(), 1e-9)


def test_logit_and_poisson_equal_statsmodels_formula() -> None:
    df = _frame(seed=2)
    rng = np.random.default_rng(3)
    df["y"] = (rng.random(len(df)) < 1 / (1 + np.exp(-df.eta))).astype(int)
    ref = smf.logit(FORMULA, df).fit(disp=0, tol=1e-12)
    _same(from_formula(FORMULA, df, model="logistic"), ref, 1e-6)
    df["y"] = rng.poisson(df.years * np.exp(df.eta))
    ref = smf.poisson(FORMULA, df, exposure=df.years).fit(disp=0, tol=1e-12)
    ours = from_formula(FORMULA, df, model="poisson", fit_params={"exposure": "years"})
    _same(ours, ref, 1e-6)
    # predictions on new data use the same encoding as statsmodels'
    new = _frame(n=5, seed=9)
    np.testing.assert_allclose(
        ours.predict(new, exposure=new.years.to_numpy()),
        ref.predict(new, exposure=new.years),
        rtol=1e-6,
    )


def test_reference_level_and_string_columns_without_c() -> None:
    df = _frame(seed=4)
    df["y"] = df.eta + np.random.default_rng(5).normal(size=len(df))
    f = "y ~ x1 + C(region, contr.treatment('west'))"
    ours = from_formula(f, df)
    ref = smf.ols("y ~ x1 + C(region, Treatment('west'))", df).fit()
    key = "C(region, contr.treatment('west'))[T.north]"
    ref_key = "C(region, Treatment('west'))[T.north]"
    assert ours.estimate_.params[key] == pytest.approx(ref.params[ref_key], rel=1e-9)
    plain = from_formula("y ~ x1 + region", df)
    _same(plain, smf.ols("y ~ x1 + region", df).fit(), 1e-9)


def test_polars_and_dict_frames_fit_as_pandas() -> None:
    df = _frame(seed=6)
    df["y"] = df.eta + np.random.default_rng(7).normal(size=len(df))
    ref = from_formula(FORMULA, df)
    for data in (pl.from_pandas(df), {c: df[c].to_numpy() for c in df.columns}):
        m = from_formula(FORMULA, data)
        assert m.estimate_.params == pytest.approx(ref.estimate_.params, rel=1e-12)
    new = pl.from_pandas(_frame(n=4, seed=8))
    np.testing.assert_allclose(ref.predict(new), ref.predict(new.to_pandas()))


def test_estimator_instances_priors_and_labels() -> None:
    df = _frame(seed=10)
    rng = np.random.default_rng(11)
    df["y"] = np.where(rng.random(len(df)) < 1 / (1 + np.exp(-df.eta)), "yes", "no")
    m = from_formula(FORMULA, df, model=LogisticRegression(prior=th.Normal(0, 1)), link="probit")
    assert m.estimator.link == "probit" and list(m.classes_) == ["no", "yes"]
    direct = LogisticRegression(prior=th.Normal(0, 1), link="probit")
    direct.fit(m.design(df), df.y)
    np.testing.assert_allclose(m.coef_, direct.coef_, rtol=1e-12)
    assert set(m.predict(df.head(3))) <= {"no", "yes"}
    assert m.predict_proba(df.head(3)).shape == (3, 2)
    # every model name fits
    df["count"] = rng.poisson(np.exp(df.eta))
    nb = from_formula("count ~ x1 + C(region)", df, model="negative_binomial")
    assert isinstance(nb.estimator, NegativeBinomialRegression)
    band = nb.predict_interval(df.head(4))
    assert band.shape == (4, 2) and np.all(band[:, 0] < nb.predict(df.head(4)))
    lin = from_formula("np.log1p(count) ~ x1", df, prior=th.NormalInverseGamma(0, 1, 2, 2))
    assert lin.response == "np.log1p(count)"
    assert isinstance(lin.predictive(df.head(2)), th.StudentT)
    assert "x1" in lin.summary()


def test_unseen_levels_missing_columns_and_values_are_errors() -> None:
    df = _frame(seed=12)
    df["y"] = df.eta
    m = from_formula(FORMULA, df)
    new = _frame(n=3, seed=13)
    new.loc[1, "region"] = "east"
    with pytest.raises(ValueError, match=r"column 'region' has level\(s\) \['east'\]"):
        m.predict(new)
    with pytest.raises(ValueError, match=r"no column.*'x2'"):
        m.predict(new.drop(columns="x2").assign(region="north"))
    bad = df.copy()
    bad.loc[5, "x1"] = np.nan
    with pytest.raises(ValueError, match="x1"):
        from_formula(FORMULA, bad)
    bad = df.copy()
    bad.loc[7, "y"] = np.nan
    with pytest.raises(ValueError, match=r"null values|missing value"):
        from_formula(FORMULA, bad)
    with pytest.raises(ValueError, match="x1"):
        m.predict(new.assign(x1=[0.0, np.nan, 1.0], region="north"))


def test_bad_arguments() -> None:
    df = _frame(n=30)
    df["y"] = df.eta
    with pytest.raises(ValueError, match="model must be one of"):
        from_formula(FORMULA, df, model="svm")
    with pytest.raises(TypeError, match=r"thetahat\.regression estimator"):
        from_formula(FORMULA, df, model=object())
    with pytest.raises(TypeError, match="fit_intercept"):
        from_formula(FORMULA, df, fit_intercept=False)
    with pytest.raises(TypeError, match="LinearRegression"):
        from_formula(FORMULA, df, alpha=1.0)
    with pytest.raises(ValueError, match="no response"):
        from_formula("x1 + x2", df)
    with pytest.raises(TypeError, match="data frame"):
        from_formula(FORMULA, df.to_numpy())
    with pytest.raises(TypeError, match="formula must be a string"):
        from_formula(None, df)
    with pytest.raises(ValueError, match="names column 'w'"):
        from_formula(FORMULA, df, fit_params={"sample_weight": "w"})
    with pytest.raises(TypeError, match="not a classifier"):
        from_formula(FORMULA, df).predict_proba(df)


def test_missing_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "formulaic", None)
    with pytest.raises(MissingExtraError, match=r"thetahat\[formula\]"):
        from_formula("y ~ x", pd.DataFrame({"y": [1.0, 2.0], "x": [0.0, 1.0]}))


@pytest.mark.parametrize("make", [pd.DataFrame, pl.DataFrame])
def test_string_columns_passed_to_fit_point_to_from_formula(make) -> None:  # type: ignore[no-untyped-def]
    X = make({"x": [1.0, 2.0, 3.0, 4.0], "g": ["a", "b", "a", "b"]})
    y = np.array([1.0, 2.0, 2.5, 4.0])
    for est in (LinearRegression(), PoissonRegression(), NegativeBinomialRegression()):
        with pytest.raises(TypeError, match=r"non-numeric column\(s\) g .*from_formula"):
            est.fit(X, y)
    if make is pd.DataFrame:
        cat = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "g": pd.Categorical(["a", "b", "a", "b"])})
        with pytest.raises(TypeError, match="from_formula"):
            LinearRegression().fit(cat, y)
    numeric = make({"x": [1.0, 2.0, 3.0, 4.0], "b": [True, False, True, True]})
    fitted = LinearRegression().fit(numeric, y)  # numbers and booleans pass
    with pytest.raises(TypeError, match="from_formula"):
        fitted.predict(
            X.rename({"g": "b"}) if make is pl.DataFrame else X.rename(columns={"g": "b"})
        )
