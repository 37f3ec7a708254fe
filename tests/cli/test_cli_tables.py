"""``--by`` and streamed files on the command line: the same numbers as th.fit of a scan."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import thetahat as th
from thetahat.cli import _tables, cli, main


@pytest.fixture
def table(tmp_path: Path) -> tuple[pd.DataFrame, Path, Path]:
    rng = np.random.default_rng(11)
    df = pd.DataFrame(
        {
            "wait": rng.gamma(2.0, 3.0, 900),
            "shop": rng.choice(["a", "b", "c"], 900),
            "clicks": rng.binomial(1, 0.3, 900),
            "views": rng.integers(1, 5, 900),
        }
    )
    csv, parquet = tmp_path / "d.csv", tmp_path / "d.parquet"
    df.to_csv(csv, index=False, float_format="%.17g")
    df.to_parquet(parquet)
    return df, csv, parquet


def run(args: list[str]) -> str:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.stdout


def test_fit_by_matches_the_library(table: tuple[pd.DataFrame, Path, Path]) -> None:
    df, csv, parquet = table
    ref = th.fit(th.Gamma, df, column="wait", by="shop")
    for path in (csv, parquet):
        doc = json.loads(run(["fit", str(path), "-c", "wait", "-f", "gamma", "--by", "shop",
                              "--format", "json"]))  # fmt: skip
        assert doc["schema"] == "thetahat/fit_table" and doc["by"] == ["shop"]
        assert [r["shop"] for r in doc["rows"]] == ["a", "b", "c"]
        for i, row in enumerate(doc["rows"]):
            assert row["shape"] == pytest.approx(ref.columns["shape"][i], rel=1e-12)
            assert row["rate_se"] == pytest.approx(ref.columns["rate_se"][i], rel=1e-12)
    text = run(["fit", str(csv), "-c", "wait", "-f", "gamma", "--by", "shop"])
    assert "by shop" in text and "3 groups" in text
    head = run(["fit", str(csv), "-c", "wait", "-f", "gamma", "--by", "shop", "--format", "csv"])
    assert head.splitlines()[0].startswith("shop,n,shape,shape_se,shape_low,shape_high,rate")


def test_posterior_compare_and_shrink_by(table: tuple[pd.DataFrame, Path, Path]) -> None:
    df, csv, _ = table
    doc = json.loads(run(["posterior", str(csv), "-c", "clicks", "-f", "bernoulli", "-p",
                          "beta(2, 2)", "--by", "shop", "--format", "json"]))  # fmt: skip
    ref = th.posterior(th.Bernoulli, df, column="clicks", prior=th.Beta(2, 2), by="shop")
    assert doc["kind"] == "posterior"
    assert [r["p_mean"] for r in doc["rows"]] == pytest.approx(ref.columns["p_mean"], rel=1e-12)
    cmp = json.loads(run(["compare", str(csv), "-c", "wait", "--families", "gamma,weibull",
                          "--by", "shop", "--format", "json"]))  # fmt: skip
    assert cmp["schema"] == "thetahat/compare_by"
    rows_a = [r for r in cmp["rows"] if r["shop"] == "a"]
    assert [r["family"] for r in rows_a] == sorted(
        ("Gamma", "Weibull"), key=lambda f: next(r["aic"] for r in rows_a if r["family"] == f)
    )
    gamma_a = th.fit(th.Gamma, df.wait[df.shop == "a"].to_numpy())
    assert next(r["loglik"] for r in rows_a if r["family"] == "Gamma") == pytest.approx(
        gamma_a.loglik, rel=1e-12
    )
    out = json.loads(run(["shrink", str(csv), "--successes", "clicks", "--trials", "views",
                          "--by", "shop", "--format", "json"]))  # fmt: skip
    k = df.groupby("shop").clicks.sum().to_numpy()
    n = df.groupby("shop").views.sum().to_numpy()
    with pytest.warns(th.BoundaryWarning, match="complete pooling"):
        ref_s = th.shrink(k, n)
    assert out["groups"]["group"] == ["a", "b", "c"]
    assert out["hyper"]["a"] == pytest.approx(ref_s.hyper.params["a"], rel=1e-6)


def test_large_files_stream(table: tuple[pd.DataFrame, Path, Path],
                            monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    df, csv, _ = table
    monkeypatch.setattr(_tables, "STREAM_ABOVE", 1000)  # this file counts as large
    assert _tables.streamed(str(csv), None, ())
    doc = json.loads(run(["fit", str(csv), "-c", "wait", "-f", "gamma", "--format", "json"]))
    est = th.fit(th.Gamma, df.wait.to_numpy())
    assert doc["data"]["rows"] == 900
    assert doc["params"]["shape"] == pytest.approx(est.params["shape"], rel=1e-12)
    cmp = json.loads(run(["compare", str(csv), "-c", "wait", "--families", "gamma,lognormal",
                          "--format", "json"]))  # fmt: skip
    assert cmp["rows"][0]["family"] == "Gamma"


def test_by_errors(table: tuple[pd.DataFrame, Path, Path], capsys: pytest.CaptureFixture[str],
                   monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    import io

    _, csv, _ = table
    monkeypatch.setattr("sys.stdin", io.StringIO("1\n2\n"))
    for args, msg in (
        (["fit", "-", "-f", "gamma", "--by", "shop"], "--by reads a FILE"),
        (["fit", str(csv), "-c", "wait", "-f", "gamma", "--by", "nope"], "no column 'nope' (by)"),
        (["fit", str(csv), "-c", "wait", "-f", "gamma", "--by", "shop", "--plot", "x.png"],
         "--plot needs the data in memory"),
        (["shrink", str(csv), "--successes", "clicks", "--by", "shop", "--group", "shop"],
         "give --group or --by, not both"),
    ):  # fmt: skip
        assert main(args) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("thetahat: error:") and msg in err[0], err
