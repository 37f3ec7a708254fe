"""``thetahat derive``: formats, priors given as SPECs, regressions, the drill, errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from thetahat.cli import cli, main


def run(args: list[str]) -> str:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output + str(result.exception)
    return result.stdout


def test_text_markdown_and_latex() -> None:
    text = run(["derive", "bernoulli", "--prior", "beta"])
    assert "Score equation" in text and "Pseudo-counts" in text
    md = run(["derive", "exponential", "--format", "markdown"])
    assert md.startswith("## Maximum likelihood") and "$$" in md
    tex = run(
        ["derive", "normal", "--free", "sigma", "--prior", "inverse-gamma", "--format", "latex"]
    )
    assert r"\section*{" in tex and r"\begin{gather*}" in tex


def test_prior_spec_numbers_are_substituted() -> None:
    out = run(["derive", "poisson", "--prior", "gamma(2, 1)"])
    assert "With the prior's numbers" in out and "a = 2, b = 1" in out


def test_regressions() -> None:
    assert "Normal equations" in run(["derive", "ols"])
    assert "soft thresholding" in run(["derive", "lasso"])


def test_drill_has_every_question_and_wrong_answer() -> None:
    out = run(["derive", "--drill"])
    for q in range(1, 9):
        assert f"Q{q}." in out
    for w in range(1, 4):
        assert f"Wrong answer {w}" in out
    assert "0.8000" in out and "0.7143" in out  # MAP vs mean, and the logit-scale MAP


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["derive"], "give a FAMILY"),
        (["derive", "weibull"], "unknown family 'weibull'"),
        (["derive", "normal", "--prior", "beta"], "no conjugate prior 'beta' for normal"),
        (["derive", "ridge", "--prior", "normal"], "takes no --prior"),
        (["derive", "bernoulli", "--drill"], "--drill takes no FAMILY"),
        (["derive", "poisson", "--prior", "gamma(2,"], "thetahat: error:"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_import_thetahat_does_not_import_sympy() -> None:
    code = "import sys, json, thetahat, thetahat.cli; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "sympy" not in json.loads(out.stdout)
