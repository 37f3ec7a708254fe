"""The ``thetahat shrink`` command and the ``shrinkage`` plot."""

from __future__ import annotations

import click
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import thetahat as th
from thetahat.cli.shrink import register
from thetahat.io import read_table


@pytest.fixture
def cli() -> click.Group:
    @click.group()
    def grp() -> None:
        """test group"""

    register(grp)
    return grp


@pytest.fixture
def rats_csv(refdata, tmp_path):
    df = pd.read_csv(refdata / "bda_rat_tumor.csv")
    df["lab"] = [f"exp{i:02d}" for i in df["experiment"]]
    path = tmp_path / "rats.csv"
    df.to_csv(path, index=False)
    return path, df


def test_cli_prints_top_and_bottom_groups(cli, rats_csv):
    path, df = rats_csv
    res = CliRunner().invoke(
        cli,
        ["shrink", str(path), "--successes", "y", "--trials", "n", "--group", "lab", "--top", "3"],
    )
    assert res.exit_code == 0, res.output
    ref = th.shrink(df["y"].to_numpy(), df["n"].to_numpy())
    tab = ref.table.assign(lab=df["lab"]).sort_values("posterior_mean", ascending=False)
    out = res.output
    assert "Top 3 by posterior mean" in out and "Bottom 3 by posterior mean" in out
    top = tab["lab"].iloc[0]
    assert top in out
    line = next(ln for ln in out.splitlines() if top in ln)
    assert f"{tab['posterior_mean'].iloc[0]:.6g}" in line
    assert f"{tab['mle'].iloc[0]:.6g}" in line
    assert f"a={ref.prior.a:g}" in out
    # ordering: the top block lists the three highest posterior means, in order
    top_block = out.split("Top 3")[1].split("Bottom 3")[0]
    positions = [top_block.index(lab) for lab in tab["lab"].iloc[:3]]
    assert positions == sorted(positions)


def test_cli_parquet_and_table_output(cli, rats_csv, tmp_path):
    _, df = rats_csv
    pq = tmp_path / "rats.parquet"
    df.to_parquet(pq)
    out_csv = tmp_path / "table.csv"
    res = CliRunner().invoke(
        cli, ["shrink", str(pq), "--successes", "y", "--trials", "n", "--out", str(out_csv)]
    )
    assert res.exit_code == 0, res.output
    written = pd.read_csv(out_csv)
    ref = th.shrink(df["y"].to_numpy(), df["n"].to_numpy()).table
    np.testing.assert_allclose(written["posterior_mean"], ref["posterior_mean"])
    assert len(written) == 71


def test_cli_user_errors_are_exceptions_for_main(cli, rats_csv, tmp_path):
    path, _ = rats_csv
    runner = CliRunner()
    res = runner.invoke(
        cli, ["shrink", str(tmp_path / "nope.csv"), "--successes", "y", "--trials", "n"]
    )
    assert isinstance(res.exception, FileNotFoundError)
    res = runner.invoke(cli, ["shrink", str(path), "--successes", "hits", "--trials", "n"])
    assert isinstance(res.exception, ValueError) and "no column 'hits'" in str(res.exception)
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"k": [1, 9], "n": [5, 5]}).to_csv(bad, index=False)
    res = runner.invoke(cli, ["shrink", str(bad), "--successes", "k", "--trials", "n"])
    assert isinstance(
        res.exception, ValueError
    ) and "the first is row 2: 9 successes in 5 trials" in str(res.exception)
    odd = tmp_path / "data.xlsx"
    odd.write_bytes(b"PK\x03\x04\xff\xfe")
    with pytest.raises(ValueError, match="not UTF-8"):
        read_table(odd)
    res = runner.invoke(cli, ["shrink", str(path), "--successes", "y"])
    assert isinstance(res.exception, ValueError) and "--trials" in str(res.exception)


def test_cli_reports_complete_pooling(cli, tmp_path):
    path = tmp_path / "flat.csv"
    pd.DataFrame({"g": list("abcd"), "k": [3, 6, 9, 3], "n": [10, 20, 30, 10]}).to_csv(
        path, index=False
    )
    res = CliRunner().invoke(
        cli, ["shrink", str(path), "--successes", "k", "--trials", "n", "--group", "g"]
    )
    assert res.exit_code == 0
    assert "complete pooling" in res.output
