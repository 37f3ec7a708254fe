"""The one table renderer behind every summary: columns never run together, headers fit."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

import thetahat as th
from thetahat.regression import LinearRegression
from thetahat.results._table import Block, Report


def _rows_are_separated(text: str) -> None:
    """No two numbers glued together in any line (0.02177070.00282108)."""
    for line in text.splitlines():
        if not line.startswith("Warning"):
            assert not re.search(r"\d\.\d+\.\d", line), line


def test_wide_numbers_never_run_together_and_headers_fit() -> None:
    block = Block(
        ["estimate", "a very long column header", "x"],
        [("p", [0.021770701234, 0.00282108567, -1.234567e-300]), ("q", [1e300, np.inf, np.nan])],
    )
    text = Report("t", [("Family", "F")], [block]).text()
    lines = text.splitlines()
    header = next(line for line in lines if "a very long column header" in line)
    row = next(line for line in lines if line.startswith("p "))
    # each cell ends where its header ends (right-aligned under it)
    assert row.index("0.00282109") + len("0.00282109") == header.index("header") + len("header")
    assert "0.0217707  " in row or "0.0217707" in row.split()
    assert len(row.split()) == 4
    _rows_are_separated(text)


def test_every_summary_renders_through_the_renderer() -> None:
    rng = np.random.default_rng(0)
    x = rng.gamma(2.0, 1.0, 200)
    est = th.fit(th.Gamma, x)
    post = th.posterior(th.Bernoulli, [1, 1, 0], prior=th.Beta(2, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        shr = th.shrink([1, 5, 3, 8, 0, 2], [10, 12, 9, 20, 5, 7])
        comp = th.compare([th.Gamma, th.Weibull, th.Poisson], x)
    X = rng.normal(size=(50, 2))
    reg = LinearRegression().fit(X, X @ [1.0, -2.0] + rng.normal(size=50))
    for obj in (est, post, shr, comp, reg.estimate_):
        text = obj.summary()
        width = len(text.splitlines()[1])
        assert width >= 78
        # rules frame the tables; nothing is wider than the rules
        assert all(len(line) <= width for line in text.splitlines() if not line.startswith("Warn"))
        _rows_are_separated(text)
        html = obj._repr_html_()
        assert html.startswith("<div>") and "<table>" in html
        assert len(repr(obj)) < 200 and "\n" not in repr(obj)
    assert "P>|t|" in reg.summary() and "R-squared" in reg.summary()


def test_to_frame_of_estimate_and_posterior() -> None:
    est = th.fit(th.Normal, np.random.default_rng(1).normal(3.0, 2.0, 100))
    frame = est.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.index) == ["mu", "sigma"]
    assert frame.loc["mu", "estimate"] == pytest.approx(est.params["mu"])
    assert frame.loc["sigma", "std err"] == pytest.approx(est.se["sigma"])
    post = th.posterior(th.Categorical, [0, 1, 1, 2], prior=th.Dirichlet([1.0, 1.0, 1.0]))
    pf = post.to_frame()
    assert list(pf.index) == ["probs[0]", "probs[1]", "probs[2]"]
    np.testing.assert_allclose(pf["mean"], post.mean()["probs"])


def test_comparison_needs_no_pandas_for_its_ranking() -> None:
    x = np.random.default_rng(2).gamma(2.0, 1.0, 100)
    comp = th.compare([th.Exponential, th.Gamma], x)
    assert comp.column("family") == list(comp.table["family"])
    assert comp.to_dict()["rows"][0]["family"] == comp.order[0]
