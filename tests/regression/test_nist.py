"""NIST StRD linear least-squares regression: all 11 datasets against certified values."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from thetahat.regression import LinearRegression

NAMES = [
    "norris",
    "pontius",
    "noint1",
    "noint2",
    "filip",
    "longley",
    "wampler1",
    "wampler2",
    "wampler3",
    "wampler4",
    "wampler5",
]
HARD = {"filip", "wampler4", "wampler5"}


def _load(refdata: Path, name: str) -> tuple[np.ndarray, np.ndarray, dict, bool]:
    meta = json.loads((refdata / f"nist_lls_{name}.json").read_text())
    data = np.loadtxt(refdata / f"nist_lls_{name}.csv", delimiter=",", skiprows=1)
    y = data[:, 0]
    deg = meta["polynomial_degree"]
    if deg:
        X = np.column_stack([data[:, 1] ** k for k in range(1, deg + 1)])
    else:
        X = data[:, 1:]
    return X, y, meta, bool(meta["has_intercept"])


def _close(actual: float, certified: float, digits: int, scale: float) -> None:
    # relative agreement to `digits` significant digits; certified zeros (exact fits)
    # are compared on the scale of the quantity they are a deviation of
    tol = 10.0 ** (-digits)
    if certified == 0.0:
        assert abs(actual) <= tol * scale, (actual, certified)
    else:
        assert abs(actual - certified) <= tol * abs(certified), (actual, certified)


@pytest.mark.parametrize("name", NAMES)
def test_nist_certified_values(refdata: Path, name: str) -> None:
    X, y, meta, intercept = _load(refdata, name)
    cert = meta["certified_values"]
    digits = 7 if name in HARD else 9
    model = LinearRegression(fit_intercept=intercept).fit(X, y)
    est = model.estimate_
    keys = list(est.params)
    assert keys[0] == ("intercept" if intercept else "x0")
    est_vals = [est.params[k] for k in keys]
    se_vals = [est.se[k] for k in keys]
    for (val, se), cp in zip(zip(est_vals, se_vals, strict=True), cert["parameters"], strict=True):
        _close(val, cp["estimate"], digits, 1.0)
        _close(se, cp["standard_deviation"], digits, abs(cp["estimate"]))
    _close(
        est.extra["sigma_resid"],
        cert["residual_standard_deviation"],
        digits,
        float(np.std(y)),
    )
    _close(est.extra["r2"], cert["r_squared"], digits, 1.0)
    # t intervals on n - p degrees of freedom, as NIST and statsmodels
    assert est.df_resid == len(y) - len(keys)


def test_nist_longley_matches_statsmodels(refdata: Path) -> None:
    import pandas as pd
    import statsmodels.api as sm

    df = pd.read_csv(refdata / "nist_lls_longley.csv")
    X = df.drop(columns="y")
    model = LinearRegression().fit(X, df["y"])
    ref = sm.OLS(df["y"], sm.add_constant(X)).fit()
    est = model.estimate_
    assert list(est.params) == ["intercept", "x1", "x2", "x3", "x4", "x5", "x6"]
    ci = est.conf_int(0.95)
    ref_ci = ref.conf_int(0.05).to_numpy()
    for i, key in enumerate(est.params):
        np.testing.assert_allclose(est.pvalues[key], ref.pvalues.iloc[i], rtol=1e-6)
        np.testing.assert_allclose(ci[key], ref_ci[i], rtol=1e-8)
    np.testing.assert_allclose(est.loglik, ref.llf, rtol=1e-10)
    assert "x4" in model.summary()
