"""Property test of the reader: every value of a numbers file comes back, or the row is named."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thetahat.io import numeric_column, read_table

values = st.lists(
    st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=1, max_size=30
)


@st.composite
def layouts(draw: st.DrawFn) -> tuple[str, list[float], int | None]:
    """(file text, the values written, 1-based row of an inserted blank line or None)."""
    xs = draw(values)
    header = draw(st.booleans())
    eol = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    bom = draw(st.booleans())
    pad = draw(st.sampled_from(["", " ", "\t", "  "]))
    cells = [f"{pad}{x!r}{pad}" for x in xs]
    blank = (
        draw(st.none() | st.integers(min_value=1, max_value=len(xs) - 1)) if len(xs) > 1 else None
    )
    if blank is not None:
        cells.insert(blank, pad)  # an empty (or whitespace-only) line between two values
    lines = (["x"] if header else []) + cells
    trailing = eol * draw(st.integers(min_value=0, max_value=3))
    text = ("\ufeff" if bom else "") + eol.join(lines) + eol + trailing
    return text, xs, None if blank is None else blank + 1


@settings(max_examples=200, deadline=None, derandomize=True)
@given(layouts())
def test_numbers_round_trip_or_the_blank_row_is_named(case: tuple[str, list[float], int | None]):
    text, xs, blank_row = case
    table = read_table("-", stdin=io.StringIO(text))
    (name,) = table
    if blank_row is None:
        got = numeric_column(table, name, "<stdin>")
        np.testing.assert_array_equal(got, np.asarray(xs))  # nothing lost, nothing altered
    else:
        assert table[name].shape[0] == len(xs) + 1  # the blank line is a row, not dropped
        with pytest.raises(ValueError, match=f"first at row {blank_row};"):
            numeric_column(table, name, "<stdin>")
