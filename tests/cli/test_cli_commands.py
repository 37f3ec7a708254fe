"""The thetahat command line: JSON output against the library, stdin, user errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import thetahat as th
from thetahat import datasets
from thetahat.cli import build_group, cli, main

GROUNDBEEF = datasets.path("groundbeef")
TOXOCARA = datasets.path("toxocara")


def run_json(args: list[str], stdin: str | None = None) -> dict:
    result = CliRunner().invoke(cli, [*args, "--format", "json"], input=stdin)
    assert result.exit_code == 0, result.output + str(result.exception)
    return json.loads(result.stdout)


def test_fit_json_matches_library() -> None:
    doc = run_json(["fit", GROUNDBEEF, "--family", "gamma"])
    x = np.asarray(datasets.load("groundbeef")["serving"], dtype=float)
    est = th.fit(th.Gamma, x)
    assert doc["schema"] == "thetahat/fit" and doc["schema_version"] == 1
    assert doc["family"] == "Gamma" and doc["method"] == "mle"
    assert doc["data"] == {"source": GROUNDBEEF, "column": "serving", "rows": 254}
    for k in ("shape", "rate"):
        assert doc["params"][k] == pytest.approx(est.params[k], rel=1e-12)
        assert doc["se"][k] == pytest.approx(est.se[k], rel=1e-12)
        assert doc["conf_int"][k] == pytest.approx(list(est.conf_int()[k]), rel=1e-12)
    assert doc["loglik"] == pytest.approx(est.loglik)
    assert doc["aic"] == pytest.approx(est.aic) and doc["bic"] == pytest.approx(est.bic)


def test_fit_map_with_prior_and_fixed() -> None:
    doc = run_json(
        ["fit", GROUNDBEEF, "-f", "normal", "--fixed", "sigma=30", "--prior", "normal(50, 10)"]
    )
    x = np.asarray(datasets.load("groundbeef")["serving"], dtype=float)
    est = th.fit(th.Normal(sigma=30), x, prior=th.Normal(50, 10))
    assert doc["method"] == "map" and doc["fixed"] == {"sigma": 30.0}
    assert doc["params"]["mu"] == pytest.approx(est.params["mu"])
    assert doc["prior"] == "Normal(mu=50, sigma=10)"


def test_posterior_from_stdin_matches_library() -> None:
    doc = run_json(
        ["posterior", "-", "-f", "bernoulli", "-p", "beta(2,2)"], stdin="\ufeff1\r\n1\r\n1\r\n\r\n"
    )
    post = th.posterior(th.Bernoulli, [1, 1, 1], prior=th.Beta(2, 2))
    assert doc["posterior"] == repr(post.dist) == "Beta(a=5, b=2)"
    assert doc["exact"] is True and doc["data"]["source"] == "<stdin>"
    assert doc["mode"]["p"] == pytest.approx(0.8)
    assert doc["mean"]["p"] == pytest.approx(post.mean()["p"])
    assert doc["interval"]["p"] == pytest.approx(list(post.interval()["p"]))
    assert doc["log_evidence"] == pytest.approx(post.log_evidence)


def test_posterior_laplace_matches_map() -> None:
    c = np.asarray(datasets.load("toxocara")["number"], dtype=float)
    doc = run_json(["posterior", TOXOCARA, "-f", "poisson", "-p", "exponential(0.1)", "--laplace"])
    est = th.fit(th.Poisson, c, prior=th.Exponential(0.1))
    assert doc["exact"] is False and doc["method"] == "laplace"
    assert doc["mode"]["rate"] == pytest.approx(est.params["rate"])
    assert doc["sd"]["rate"] == pytest.approx(est.se["rate"])


def test_fit_reads_parquet_and_jsonl(tmp_path: Path) -> None:
    import pandas as pd

    c = np.asarray(datasets.load("toxocara")["number"], dtype=float)
    frame = pd.DataFrame({"label": ["a"] * c.size, "count": c})
    frame.to_parquet(tmp_path / "t.parquet")
    frame.to_json(tmp_path / "t.jsonl", orient="records", lines=True)
    for name in ("t.parquet", "t.jsonl"):
        doc = run_json(["fit", str(tmp_path / name), "-f", "poisson"])
        assert doc["params"]["rate"] == pytest.approx(c.mean())
        assert doc["data"]["column"] == "count"


def test_compare_json_sorted_by_aic() -> None:
    doc = run_json(["compare", GROUNDBEEF, "--families", "gamma,normal,exponential"])
    x = np.asarray(datasets.load("groundbeef")["serving"], dtype=float)
    aics = {c.__name__: th.fit(c, x).aic for c in (th.Gamma, th.Normal, th.Exponential)}
    got = [r["family"] for r in doc["rows"]]
    assert got == sorted(aics, key=aics.get)
    for r in doc["rows"]:
        assert r["aic"] == pytest.approx(aics[r["family"]])
        assert set(r) >= {"family", "loglik", "k", "aic", "aicc", "bic", "ks", "params"}


def test_families_json_lists_discovered_classes() -> None:
    doc = run_json(["families"])
    names = {f["name"]: f for f in doc["families"]}
    assert {"Bernoulli", "Gamma", "Normal", "Poisson"} <= set(names)
    assert names["Bernoulli"]["conjugate_priors"] == ["Beta on p"]
    assert [p["name"] for p in names["Gamma"]["parameters"]] == ["shape", "rate"]


def test_csv_and_table_formats() -> None:
    r = CliRunner().invoke(cli, ["fit", TOXOCARA, "-f", "poisson", "--format", "csv"])
    lines = r.stdout.strip().splitlines()
    assert lines[0] == "param,estimate,se,low,high" and lines[1].startswith("rate,")
    r = CliRunner().invoke(cli, ["fit", TOXOCARA, "-f", "poisson"])
    assert r.exit_code == 0 and "rate" in r.stdout


def test_plot_option_writes_figure(tmp_path: Path) -> None:
    out = tmp_path / "fit.png"
    r = CliRunner().invoke(cli, ["fit", TOXOCARA, "-f", "poisson", "--plot", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["fit", "no-such-file.csv", "-f", "normal"], "no such file"),
        (["fit", GROUNDBEEF, "-f", "nosuchfamily"], "unknown distribution"),
        (["fit", GROUNDBEEF, "-f", "normal", "-c", "nope"], "no column 'nope'"),
        (["fit", GROUNDBEEF, "-f", "beta"], "row 1: 30 is not Beta data"),
        (["fit", GROUNDBEEF, "-f", "bernoulli"], "row 1: 30 is not Bernoulli data"),
        (["fit", GROUNDBEEF, "-f", "normal", "-p", "beta(2,,2)"], "column 8"),
        (["fit", GROUNDBEEF, "-f", "normal", "-p", "__import__('os').system('x')"], "unknown"),
        (["fit", GROUNDBEEF, "-f", "normal", "--fixed", "tau=1"], "no parameter 'tau'"),
        (["fit", GROUNDBEEF, "-f", "normal", "--level", "2"], "--level"),
        (["fit", GROUNDBEEF, "-f", "normal", "--bogus"], "No such option"),
        (["posterior", GROUNDBEEF, "-f", "normal", "-p", "gamma(2,1)"], "not conjugate"),
        (["fit", GROUNDBEEF, "-f", "normal", "--plot", "x.gif"], ".png"),
    ],
)
def test_user_errors_one_line_exit_2(
    args: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("thetahat: error: ") and needle in lines[0]
    assert "Traceback" not in err


def test_bad_stdin_and_debug_traceback(capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("1\nabc\n"))
    assert main(["fit", "-", "-f", "normal"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "line 2 of <stdin>" in err[0]
    assert main(["--debug", "fit", "nofile.csv", "-f", "normal"]) == 2
    err2 = capsys.readouterr().err
    assert "Traceback" in err2 and err2.strip().splitlines()[-1].startswith("thetahat: error:")


def test_missing_values_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "m.csv"
    p.write_text("x,y\n1,2\n,3\n2,4\n")
    assert main(["fit", str(p), "-f", "normal", "-c", "x"]) == 2
    assert "missing value(s), first at row 2" in capsys.readouterr().err


def test_register_pattern_extends_group() -> None:
    group = build_group(["families", "demo", "no_such_cli_module"])
    assert set(group.commands) == {"families", "demo"}


def test_progress_bar_only_for_big_input_on_a_terminal() -> None:
    from thetahat.io.table import PROGRESS_MIN_BYTES, want_progress

    class Tty:
        def isatty(self) -> bool:
            return True

    class Pipe:
        def isatty(self) -> bool:
            return False

    big = PROGRESS_MIN_BYTES
    assert want_progress(False, big, Tty())
    assert not want_progress(True, big, Tty())  # --quiet
    assert not want_progress(False, big, Pipe())  # not a terminal
    assert not want_progress(False, big - 1, Tty())  # quick to read


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    for name in ("fit", "posterior", "compare", "families", "demo"):
        assert name in out
