"""Command-line input and options: stdin everywhere, rows named 1-based, options on either side."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

import thetahat as th
from thetahat import datasets
from thetahat.cli import main

TOXOCARA = datasets.path("toxocara")


def run(args: list[str], capsys: pytest.CaptureFixture[str], stdin: str | None = None, mp=None):
    if stdin is not None:
        mp.setattr("sys.stdin", io.StringIO(stdin))
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def one_error(code: int, err: str) -> str:
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    assert lines[0].startswith("thetahat: error: ") and "Traceback" not in err
    return lines[0]


def test_headerless_csv_keeps_its_first_value(tmp_path: Path, capsys) -> None:
    p = tmp_path / "x.csv"
    p.write_text("7\n1\n2\n")
    code, out, _ = run(["fit", str(p), "-f", "poisson", "--format", "json"], capsys)
    doc = json.loads(out)
    assert code == 0 and doc["data"]["rows"] == 3
    assert doc["params"]["rate"] == pytest.approx(10 / 3)


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("x\n0\n1\n2\n", "row 3: 2 is not Bernoulli data"),
        ("x\n0\n \n1\n", "first at row 2"),
        ("x\n1\n\n0\n", "first at row 2"),
        ("x\r\n0\r\n1\r\n5\r\n", "row 3: 5 is not Bernoulli data"),
    ],
)
def test_bad_rows_are_named_one_based(tmp_path: Path, capsys, content: str, needle: str) -> None:
    p = tmp_path / "b.csv"
    p.write_text(content, newline="")
    code, _, err = run(["fit", str(p), "-f", "bernoulli"], capsys)
    line = one_error(code, err)
    assert needle in line and "np.float64" not in line


def test_infinite_prior_hyperparameter_is_a_clear_error(capsys) -> None:
    code, _, err = run(["fit", TOXOCARA, "-f", "poisson", "-p", "gamma(1e999, 2)"], capsys)
    assert "1e999 is too large" in one_error(code, err)


def test_family_typo_suggests_the_name(capsys) -> None:
    code, _, err = run(["fit", TOXOCARA, "-f", "gama"], capsys)
    assert "did you mean 'gamma'?" in one_error(code, err)


@pytest.mark.parametrize(
    "args",
    [
        ["--quiet", "fit", TOXOCARA, "-f", "poisson", "--format", "json"],
        ["fit", TOXOCARA, "-f", "poisson", "--format", "json", "--quiet"],
        ["-q", "--format", "json", "fit", TOXOCARA, "-f", "poisson"],
        ["-f", "poisson", "fit", TOXOCARA, "-q", "--format", "json"],
    ],
)
def test_options_before_or_after_the_command(args: list[str], capsys) -> None:
    code, out, err = run(args, capsys)
    assert code == 0, err
    c = np.asarray(datasets.load("toxocara")["number"], dtype=float)
    assert json.loads(out)["params"]["rate"] == pytest.approx(c.mean())


def test_debug_after_the_command_shows_the_traceback(capsys) -> None:
    code, _, err = run(["fit", "nofile.csv", "-f", "normal", "--debug"], capsys)
    assert code == 2 and "Traceback" in err


def test_regress_reads_stdin_csv_and_jsonl(capsys, monkeypatch) -> None:
    rng = np.random.default_rng(5)
    a = rng.normal(size=40)
    y = 0.5 - a + rng.normal(size=40)
    csv_text = "a,y\n" + "".join(f"{u:.17g},{v:.17g}\n" for u, v in zip(a, y, strict=True))
    code, out, err = run(
        ["regress", "-", "--target", "y", "--format", "json"], capsys, csv_text, monkeypatch
    )
    assert code == 0, err
    doc = json.loads(out)
    ref = th.regression.LinearRegression().fit(a[:, None], y)
    assert doc["data"] == {"source": "<stdin>", "target": "y", "features": ["a"], "rows": 40}
    assert doc["params"]["a"] == pytest.approx(ref.coef_[0], rel=1e-10)
    jl = "".join(json.dumps({"a": u, "y": v}) + "\n" for u, v in zip(a, y, strict=True))
    code, out2, err = run(
        ["regress", "-", "--target", "y", "--format", "json"], capsys, jl, monkeypatch
    )
    assert code == 0, err
    assert json.loads(out2)["params"] == doc["params"]


def test_shrink_families_match_the_library(tmp_path: Path, capsys, refdata: Path) -> None:
    import pandas as pd

    schools = refdata / "bda_eight_schools.csv"
    code, out, err = run(
        ["shrink", str(schools), "-f", "normal", "--estimates", "y", "--se", "sigma",
         "--method", "reml", "--format", "json"],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    df = pd.read_csv(schools)
    with pytest.warns(th.BoundaryWarning):
        ref = th.shrink(df["y"].to_numpy(), se=df["sigma"].to_numpy(), family=th.Normal,
                        method="reml")  # fmt: skip
    doc = json.loads(out)
    assert doc["family"] == "Normal" and doc["method"] == "reml"
    np.testing.assert_allclose(doc["groups"]["posterior_mean"], ref.columns["posterior_mean"])
    p = tmp_path / "plants.csv"
    p.write_text("plant,defects,hours\na,3,10\nb,0,4\na,1,6\nc,9,20\nd,2,3\n")
    code, out, err = run(
        ["shrink", str(p), "--family", "gamma-poisson", "--counts", "defects",
         "--exposure", "hours", "--group", "plant", "--format", "csv"],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    got = pd.read_csv(io.StringIO(out))
    with pytest.warns(th.BoundaryWarning):
        ref = th.shrink(np.array([3, 0, 1, 9, 2.0]), exposure=np.array([10, 4, 6, 20, 3.0]),
                        group=np.array(list("abacd")), family=th.Poisson)  # fmt: skip
    assert got["group"].tolist() == ["a", "b", "c", "d"]
    np.testing.assert_allclose(got["posterior_mean"], ref.columns["posterior_mean"])


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["-f", "poison", "--counts", "k"], "did you mean 'poisson'?"),
        (["-f", "poisson", "--successes", "k"], "--successes does not apply to --family poisson"),
        (["-f", "normal", "--estimates", "k"], "needs --se"),
        (["--successes", "k", "--method", "reml", "--trials", "n"], "reml applies to"),
    ],
)
def test_shrink_option_errors(tmp_path: Path, capsys, args: list[str], needle: str) -> None:
    p = tmp_path / "s.csv"
    p.write_text("k,n\n1,5\n2,5\n")
    code, _, err = run(["shrink", str(p), *args], capsys)
    assert needle in one_error(code, err)


def test_missing_extra_is_named(tmp_path: Path, capsys, monkeypatch) -> None:
    import sys

    import pyarrow as pa
    import pyarrow.parquet as pq

    from thetahat._optional import MissingExtraError, require

    with pytest.raises(MissingExtraError, match=r'pip install "thetahat\[plot\]"'):
        require("thetahat_no_such_module", "plot")
    path = tmp_path / "x.parquet"
    pq.write_table(pa.table({"x": [1.0, 2.0]}), path)
    for mod in [m for m in sys.modules if m == "pyarrow" or m.startswith("pyarrow.")]:
        monkeypatch.setitem(sys.modules, mod, None)
    code, _, err = run(["fit", str(path), "-f", "normal"], capsys)
    assert 'pip install "thetahat[frames]"' in one_error(code, err)


def test_missing_core_extra_is_named_by_the_cli(capsys, monkeypatch) -> None:
    """A library path that imports pandas without saying so still gets the extra named
    (th.compare itself ranks with numpy and scipy only)."""
    import sys

    import thetahat as th

    for mod in [m for m in sys.modules if m == "pandas" or m.startswith("pandas.")]:
        monkeypatch.setitem(sys.modules, mod, None)
    code, _, _ = run(["compare", TOXOCARA, "--families", "poisson"], capsys)
    assert code == 0

    def compare_needing_pandas(*args: object, **kwargs: object) -> None:
        import pandas  # noqa: F401

    monkeypatch.setattr(th, "compare", compare_needing_pandas)
    code, _, err = run(["compare", TOXOCARA, "--families", "poisson"], capsys)
    assert 'pandas is needed for this and is not installed: pip install "thetahat[frames]"' in (
        one_error(code, err)
    )


@pytest.mark.parametrize(
    ("content", "opts", "needle"),
    [
        ("x,w\n1,1\n2,-1\n", ["--weights", "w", "-f", "poisson"], "row 2 of column 'w'"),
        ("x,t\n1,1\n2,0\n", ["--exposure", "t", "-f", "poisson"], "row 2 of column 't'"),
        ("x,n\n1,5\n7,5\n", ["--trials", "n", "-f", "binomial"], "row 2 of column 'x'"),
    ],
)
def test_library_errors_name_file_rows(
    tmp_path: Path, capsys, content: str, opts: list[str], needle: str
) -> None:
    p = tmp_path / "d.csv"
    p.write_text(content)
    code, _, err = run(["fit", str(p), "-c", "x", *opts], capsys)
    line = one_error(code, err)
    assert needle in line and "[1]" not in line


@pytest.mark.parametrize(
    ("content", "opts", "needle"),
    [
        ("k,n\n1,5\n-1,5\n", [], "row 2 has successes = -1"),
        ("k,n,g\n1,5,a\n2,5,a\n9,5,b\n", ["--group", "g"], "row 3 (group 'b')"),
    ],
)
def test_shrink_errors_name_file_rows(
    tmp_path: Path, capsys, content: str, opts: list[str], needle: str
) -> None:
    p = tmp_path / "s.csv"
    p.write_text(content)
    code, _, err = run(["shrink", str(p), "--successes", "k", "--trials", "n", *opts], capsys)
    assert needle in one_error(code, err)


def test_every_extra_named_exists_in_pyproject() -> None:
    import re
    import tomllib

    from thetahat._optional import EXTRA_OF

    root = Path(__file__).resolve().parents[2]
    extras = tomllib.loads((root / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]

    def packages(extra: str) -> set[str]:
        out: set[str] = set()
        for dep in extras[extra]:
            inner = re.fullmatch(r"thetahat\[(.*)\]", dep)
            if inner:
                for e in inner.group(1).split(","):
                    out |= packages(e.strip())
            else:
                out.add(re.split(r"[<>=!\[ ]", dep)[0].lower())
        return out

    pip_name = {"sklearn": "scikit-learn"}
    for module, extra in EXTRA_OF.items():
        assert pip_name.get(module, module) in packages(extra), (module, extra)
