"""The README's Python blocks run as written, on simulated data with the names they use."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def python_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def example_data() -> dict:
    """The data the README's blocks name (documented in its Install section)."""
    import pandas as pd

    rng = np.random.default_rng(0)
    n = 200
    x = rng.gamma(2.0, 3.0, n)
    years = rng.uniform(0.5, 2.0, n)
    trials = rng.integers(5, 20, n)
    views = rng.integers(20, 400, 40)
    clicks = rng.binomial(views, rng.beta(2.0, 60.0, 40))
    ads = [f"ad{i}" for i in range(40)]
    X = rng.normal(size=(n, 3))
    lower = rng.gamma(2.0, 3.0, n)
    return {
        "x": x,
        "w": rng.integers(1, 4, n),
        "r": rng.uniform(0.2, 0.5, n),
        "k": rng.binomial(trials, 0.3),
        "trials": trials,
        "counts": rng.poisson(3.0 * years),
        "years": years,
        "clicks": clicks,
        "views": views,
        "df": pd.DataFrame(
            {"ad": ads * 2, "clicks": np.tile(clicks // 2, 2), "views": np.tile(views // 2 + 1, 2)}
        ),
        "defects": rng.poisson(5.0, 30),
        "hours": rng.uniform(50.0, 150.0, 30),
        "effects": np.array([28.0, 8, -3, 7, -1, 1, 18, 12]),
        "sigma": np.array([15.0, 10, 16, 11, 9, 11, 10, 18]),
        "times": rng.weibull(1.5, n) * 10.0,
        "still_running": rng.random(n) < 0.2,
        "lower": lower,
        "upper": lower + np.where(rng.random(n) < 0.3, rng.uniform(0.1, 1.0, n), 0.0),
        "X": X,
        "y": X @ np.array([1.0, -0.5, 0.0]) + rng.normal(size=n),
    }


def test_readme_has_the_blocks_and_opens_with_make() -> None:
    text = README.read_text(encoding="utf-8")
    first = re.search(r"```sh\n(.*?)```", text, flags=re.S)
    assert first is not None
    commands = [ln.split("#")[0].strip() for ln in first.group(1).strip().splitlines()]
    assert commands == ["make demo", "make test"]
    assert len(python_blocks()) >= 1


def test_readme_python_blocks_run() -> None:
    import thetahat as th

    ns: dict = {"th": th, "np": np, **example_data()}
    for i, block in enumerate(python_blocks()):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # boundary warnings are part of the story
            try:
                exec(compile(block, f"README.md python block {i + 1}", "exec"), ns)
            except Exception as exc:  # pragma: no cover - the message names the block
                pytest.fail(f"README python block {i + 1} fails: {exc!r}\n{block}")
    est = ns["est"]
    assert est.params  # the blocks ran to their end


def test_license_file_matches_pyproject() -> None:
    import tomllib

    root = README.parent
    meta = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert meta["license"] == "MIT" and meta["license-files"] == ["LICENSE"]
    text = (root / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "WITHOUT WARRANTY OF ANY KIND" in text
