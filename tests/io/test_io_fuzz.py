"""Arbitrary text into the reader and the SPEC grammar: a result, or one clear ValueError."""

from __future__ import annotations

import io

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import thetahat as th
from thetahat.io import SpecError, numeric_column, parse_prior, parse_regression_prior, read_table

SPEC_PIECES = [
    "beta", "gamma", "normal", "laplace", "nig", "dirichlet", "poisson", "__import__", "os",
    "(", ")", ",", "=", ";", "[", "]", "+", "-", ".", " ", "2", "0", "1e999", "1e-999",
    "inf", "-inf", "nan", "a", "b", "mu", "sigma", "shape", "rate", "'x'", "\n", "e5", "0.5",
]  # fmt: skip

CELLS = ["0", "1", "-2.5", "1e300", "1e-300", "inf", "nan", "abc", "", " ", "\t", '"q,r"', "x"]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(SPEC_PIECES), max_size=14))
def test_spec_grammar_never_crashes(pieces: list[str]) -> None:
    text = "".join(pieces)
    for parse in (parse_prior, parse_regression_prior):
        try:
            got = parse(text)
        except SpecError as exc:
            msg = str(exc)
            assert "\n" not in msg.replace("\\n", "") and "<HERE>" in msg and "column " in msg
            continue
        if isinstance(got, dict):
            assert all(isinstance(v, th.Distribution) for v in got.values())
        elif isinstance(got, tuple):
            assert all(isinstance(v, th.Distribution) for v in got)
        else:
            assert got is None or got == "evidence" or isinstance(got, th.Distribution)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.lists(st.lists(st.sampled_from(CELLS), min_size=1, max_size=4), min_size=1, max_size=8),
    st.sampled_from([",", "\t"]),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_reader_never_crashes_and_keeps_rows(
    rows: list[list[str]], sep: str, eol: str, bom: bool
) -> None:
    text = ("\ufeff" if bom else "") + eol.join(sep.join(r) for r in rows) + eol
    try:
        table = read_table("-", stdin=io.StringIO(text))
    except ValueError as exc:
        assert "\n" not in str(exc)
        return
    lengths = {v.shape[0] for v in table.values()}
    assert len(lengths) == 1  # every column has every row
    for name in table:
        try:
            values = numeric_column(table, name, "<stdin>")
        except ValueError as exc:
            msg = str(exc)
            assert "row " in msg and "np.float64" not in msg and "\n" not in msg
        else:
            assert np.all(~np.isnan(values))
