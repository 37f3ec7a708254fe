"""``thetahat regress`` (through click's CliRunner) and the regularisation-path figure."""

from __future__ import annotations

import json
from pathlib import Path

import click
import numpy as np
import pandas as pd
import statsmodels.api as sm
from click.testing import CliRunner

import thetahat as th
from thetahat.cli.regress import register
from thetahat.io import parse_regression_prior


def _group() -> click.Group:
    @click.group()
    def cli() -> None:
        pass

    register(cli)
    return cli


def _frame(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    n = 120
    df = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "t": rng.uniform(1, 3, n)})
    df["y"] = 1 + 2 * df["a"] - df["b"] + rng.normal(size=n)
    df["click"] = (rng.uniform(size=n) < 1 / (1 + np.exp(-df["a"]))).astype(int)
    df["count"] = rng.poisson(df["t"] * np.exp(0.3 * df["a"]))
    path = tmp_path / "d.csv"
    df.to_csv(path, index=False)
    return path


def test_regress_ols_table_and_json(tmp_path: Path) -> None:
    path = _frame(tmp_path)
    df = pd.read_csv(path)
    res = CliRunner().invoke(_group(), ["regress", str(path), "--target", "y", "--features", "a,b"])
    assert res.exit_code == 0, res.output
    assert "intercept" in res.output and "P>|t|" in res.output
    res = CliRunner().invoke(
        _group(), ["regress", str(path), "--target", "y", "--features", "a,b", "--format", "json"]
    )
    out = json.loads(res.output)
    ref = sm.OLS(df["y"], sm.add_constant(df[["a", "b"]])).fit()
    np.testing.assert_allclose(
        [out["params"][k] for k in ("intercept", "a", "b")], ref.params, rtol=1e-10
    )
    np.testing.assert_allclose([out["se"][k] for k in ("intercept", "a", "b")], ref.bse, rtol=1e-10)


def test_regress_logistic_poisson_and_priors(tmp_path: Path) -> None:
    path = _frame(tmp_path)
    df = pd.read_csv(path)
    res = CliRunner().invoke(
        _group(),
        [
            "regress",
            str(path),
            "--target",
            "click",
            "--features",
            "a",
            "--logistic",
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    ref = sm.Logit(df["click"], sm.add_constant(df[["a"]])).fit(disp=0)
    assert abs(json.loads(res.output)["params"]["a"] - ref.params["a"]) < 1e-6
    res = CliRunner().invoke(
        _group(),
        [
            "regress",
            str(path),
            "--target",
            "count",
            "--features",
            "a",
            "--poisson",
            "--exposure",
            "t",
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    ref = sm.GLM(
        df["count"], sm.add_constant(df[["a"]]), family=sm.families.Poisson(), exposure=df["t"]
    ).fit()
    assert abs(json.loads(res.output)["params"]["a"] - ref.params["a"]) < 1e-6
    res = CliRunner().invoke(
        _group(),
        ["regress", str(path), "--target", "y", "--features", "a,b", "--prior", "nig(0,1,2,2)"],
    )
    assert res.exit_code == 0 and "posterior" in res.output
    assert parse_regression_prior("normal(0, 2) + laplace(0, 0.5)") == (
        th.Normal(0, 2),
        th.Laplace(0, 0.5),
    )
    assert parse_regression_prior("evidence") == "evidence"


def test_regress_user_errors(tmp_path: Path) -> None:
    path = _frame(tmp_path)
    cases = [
        (
            ["regress", str(tmp_path / "nope.csv"), "--target", "y"],
            FileNotFoundError,
            "no such file",
        ),
        (["regress", str(path), "--target", "zz"], ValueError, "no column 'zz'"),
        (
            ["regress", str(path), "--target", "y", "--prior", "normal(0, __import__)"],
            ValueError,
            "expected a number",
        ),
        (
            ["regress", str(path), "--target", "y", "--prior", "cauchy(0, 1)"],
            ValueError,
            "unknown distribution 'cauchy'",
        ),
        (
            ["regress", str(path), "--target", "y", "--logistic", "--features", "a"],
            ValueError,
            "y in {0, 1}",
        ),
    ]
    for args, exc, text in cases:
        res = CliRunner().invoke(_group(), args)
        assert isinstance(res.exception, exc), (args, res.exception)
        assert text in str(res.exception)
