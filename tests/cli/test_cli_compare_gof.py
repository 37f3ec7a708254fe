"""``thetahat compare --gof --plot``: fitdistrplus' gofstat table, bootstrap p-values, a figure."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

import thetahat as th
from thetahat import datasets
from thetahat.cli import cli, main

GROUNDBEEF = datasets.path("groundbeef")


def _run(args: list[str]) -> tuple[int, str, str]:
    res = CliRunner().invoke(cli, args)
    return res.exit_code, res.stdout, res.stderr


def test_gof_table_is_gofstats_layout(tmp_path) -> None:
    out = tmp_path / "qq.png"
    args = ["compare", GROUNDBEEF, "--families", "gamma,weibull,lognormal", "--gof",
            "--n-boot", "50", "--seed", "1", "--plot", str(out)]  # fmt: skip
    code, text, _ = _run(args)
    assert code == 0, text
    for label in ("Kolmogorov-Smirnov statistic", "Cramer-von Mises statistic",
                  "Anderson-Darling statistic", "Akaike's Information Criterion"):  # fmt: skip
        assert label in text
    assert "4.54365" in text  # the lognormal's Anderson-Darling, as fitdistrplus prints it
    assert out.exists() and out.stat().st_size > 1000


def test_gof_json_has_the_columns_and_pvalues() -> None:
    code, text, _ = _run(["compare", GROUNDBEEF, "--families", "gamma,lognormal", "--gof",
                          "--n-boot", "40", "--seed", "3", "--format", "json"])  # fmt: skip
    assert code == 0
    doc = json.loads(text)
    x = np.asarray(datasets.load("groundbeef")["serving"], dtype=float)
    for row in doc["rows"]:
        assert 0 < row["ad_pvalue"] <= 1 and 0 < row["ks_pvalue"] <= 1
        est = th.fit(getattr(th, row["family"]), x)
        assert row["cvm"] == pytest.approx(est.gof(n_boot=0).cvm)


def test_plot_kinds_and_bad_options(tmp_path, capsys) -> None:
    out = tmp_path / "cdf.svg"
    code, _, _ = _run(["compare", GROUNDBEEF, "--families", "gamma", "--plot", str(out),
                       "--kind", "cdf"])  # fmt: skip
    assert code == 0 and out.read_text().startswith("<?xml")
    code = main(["compare", GROUNDBEEF, "--families", "gamma", "--gof", "--n-boot", "0"])
    err = capsys.readouterr().err
    assert code == 2 and "--n-boot" in err and len(err.strip().splitlines()) == 1
