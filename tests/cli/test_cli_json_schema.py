"""Every ``--format json`` document has exactly the keys docs/cli-json-schema.md lists."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from thetahat import datasets
from thetahat.cli import cli

SCHEMA_DOC = Path(__file__).resolve().parents[2] / "docs" / "cli-json-schema.md"


def documented_keys() -> dict[str, set[str]]:
    """schema name -> the keys in the first column of its section's table."""
    out: dict[str, set[str]] = {}
    current = None
    for line in SCHEMA_DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^## `thetahat/(\w+)`", line)
        if m:
            current = m.group(1)
            out[current] = {"schema", "schema_version"}
            continue
        if line.startswith("## "):
            current = None
        if current and line.startswith("| `"):
            first = line.split("|")[1]
            out[current].update(re.findall(r"`(\w+)`", first))
    return out


def run_json(args: list[str], stdin: str | None = None) -> dict:
    result = CliRunner().invoke(cli, [*args, "--format", "json"], input=stdin)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def docs() -> dict[str, set[str]]:
    return documented_keys()


def regress_csv(tmp_path: Path) -> Path:
    import numpy as np

    rng = np.random.default_rng(1)
    a = rng.normal(size=60)
    y = 1 + 2 * a + rng.normal(size=60)
    p = tmp_path / "r.csv"
    p.write_text("a,y\n" + "".join(f"{u:.17g},{v:.17g}\n" for u, v in zip(a, y, strict=True)))
    return p


def test_every_command_follows_the_document(docs: dict[str, set[str]], tmp_path: Path) -> None:
    gb, tox = datasets.path("groundbeef"), datasets.path("toxocara")
    rats = tmp_path / "rats.csv"
    rats.write_text("y,n\n0,20\n2,20\n1,19\n4,25\n3,10\n")
    reg = regress_csv(tmp_path)
    waits = tmp_path / "waits.csv"
    waits.write_text("x,g\n1.5,a\n2.5,a\n0.7,a\n3.1,b\n0.4,b\n1.9,b\n")
    docs_by_cmd = {
        "fit": run_json(["fit", gb, "-f", "gamma"]),
        "posterior": run_json(["posterior", tox, "-f", "poisson", "-p", "gamma(2, 0.2)"]),
        "compare": run_json(["compare", gb, "--families", "gamma,normal"]),
        "regress": run_json(["regress", str(reg), "--target", "y"]),
        "shrink": run_json(["shrink", str(rats), "--successes", "y", "--trials", "n"]),
        "families": run_json(["families"]),
        "fit_table": run_json(["fit", str(waits), "-c", "x", "-f", "gamma", "--by", "g"]),
        "compare_by": run_json(
            ["compare", str(waits), "-c", "x", "--families", "gamma", "--by", "g"]
        ),
    }
    assert set(docs_by_cmd) == set(docs)
    for name, doc in docs_by_cmd.items():
        assert doc["schema"] == f"thetahat/{name}" and doc["schema_version"] == 1
        assert set(doc) == docs[name], name
    bayes = run_json(["regress", str(reg), "--target", "y", "--prior", "nig(0, 1, 2, 2)"])
    assert set(bayes["posterior"]) == {
        "exact",
        "names",
        "mode",
        "mean",
        "sd",
        "interval",
        "log_evidence",
    }
    shrink_cols = set(docs_by_cmd["shrink"]["groups"])
    assert {"group", "n", "successes", "mle", "posterior_mean", "lower", "upper"} <= shrink_cols
