"""The one table reader: every row kept or refused by number, every format read as what it is."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from thetahat.io import label_column, numeric_column, read_table
from thetahat.io.table import detect_format, plain, to_csv_text


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_bytes(content.encode("utf-8"))
    return p


def stdin(text: str) -> dict:
    return read_table("-", stdin=io.StringIO(text))


@pytest.mark.parametrize("name", ["x.csv", "x.txt", "x.dat"])
def test_headerless_numbers_keep_the_first_value(tmp_path: Path, name: str) -> None:
    t = read_table(write(tmp_path, name, "3\n1\n4\n1\n5\n"))
    assert list(t) == ["value"]
    np.testing.assert_array_equal(t["value"], [3, 1, 4, 1, 5])


def test_headerless_multi_column_numbers(tmp_path: Path) -> None:
    t = read_table(write(tmp_path, "x.csv", "1,2\n3,4\n"))
    assert list(t) == ["col1", "col2"]
    np.testing.assert_array_equal(t["col1"], [1, 3])
    np.testing.assert_array_equal(t["col2"], [2, 4])


def test_bom_crlf_and_cr_line_ends(tmp_path: Path) -> None:
    for content in (
        b"\xef\xbb\xbfx,y\r\n1,2\r\n3,4\r\n",
        b"x,y\r1,2\r3,4\r",
        b"\xef\xbb\xbf1\r\n3\r\n",
    ):
        t = read_table(write(tmp_path, "b.csv", content))
        first = next(iter(t))
        assert first in ("x", "value")  # the BOM is not part of the first name
        assert t[first].tolist() == [1.0, 3.0]
    t = stdin("\ufeffa\tb\r\n1\t2\r\n")
    assert t["a"].tolist() == [1.0] and t["b"].tolist() == [2.0]


def test_whitespace_cells_and_padding(tmp_path: Path) -> None:
    t = read_table(write(tmp_path, "w.csv", "x , y\n 1 , 2\n   ,4\n3,  \t\n"))
    assert list(t) == ["x", "y"]
    np.testing.assert_array_equal(t["x"][[0, 2]], [1, 3])
    assert np.isnan(t["x"][1]) and np.isnan(t["y"][2])
    with pytest.raises(ValueError, match=r"1 missing value.*first at row 2"):
        numeric_column(t, "x", "w.csv")
    with pytest.raises(ValueError, match="first at row 3"):
        numeric_column(t, "y", "w.csv")


def test_blank_lines_inside_are_missing_rows_outside_ignored(tmp_path: Path) -> None:
    t = read_table(write(tmp_path, "b.csv", "\n\nx\n1\n\n2\n\n\n"))
    assert t["x"].shape == (3,)  # the blank line between 1 and 2 is a row, not lost
    with pytest.raises(ValueError, match="first at row 2"):
        numeric_column(t, "x", "b.csv")
    t = stdin("1\n2\n\n")
    assert t["value"].tolist() == [1.0, 2.0]
    t = stdin("1\n\n2\n")
    with pytest.raises(ValueError, match="first at row 2"):
        numeric_column(t, "value", "<stdin>")


def test_non_numbers_named_by_row(tmp_path: Path) -> None:
    t = read_table(write(tmp_path, "n.csv", "x\n1\n2\nthree\n"))
    with pytest.raises(ValueError, match=r"row 3 is 'three'"):
        numeric_column(t, "x", "n.csv")
    with pytest.raises(ValueError, match=r"line 2 of <stdin>: 'abc' is not a number"):
        stdin("1\nabc\n")


def test_ragged_rows(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="row 2 has 3 cells but the header has 2"):
        read_table(write(tmp_path, "r.csv", "a,b\n1,2\n3,4,5\n"))
    t = read_table(write(tmp_path, "s.csv", "a,b\n1,2\n3\n"))
    assert np.isnan(t["b"][1])  # a short row has a missing value, refused when used


def test_header_problems(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'a' appears twice"):
        read_table(write(tmp_path, "d.csv", "a,a\n1,2\n"))
    with pytest.raises(ValueError, match="header but no rows"):
        read_table(write(tmp_path, "h.csv", "a,b\n"))
    with pytest.raises(ValueError, match="empty"):
        read_table(write(tmp_path, "e.csv", "\n \n"))
    with pytest.raises(ValueError, match="not UTF-8"):
        read_table(write(tmp_path, "l.csv", b"x\n\xe9\n"))


def test_jsonl_is_json_not_csv(tmp_path: Path) -> None:
    rows = [{"g": "a", "k": 1, "n": 10}, {"g": "b, c", "k": 2}, {"g": "d", "k": 3.5, "n": 7}]
    text = "\n".join(json.dumps(r) for r in rows) + "\n"
    for name in ("r.jsonl", "r.ndjson", "r.json", "r.data"):
        t = read_table(write(tmp_path, name, text))
        assert list(t) == ["g", "k", "n"]
        assert t["g"].tolist() == ["a", "b, c", "d"]  # a comma inside a value is not a column
        np.testing.assert_array_equal(t["k"], [1, 2, 3.5])
        assert np.isnan(t["n"][1])
    t = read_table(write(tmp_path, "arr.json", json.dumps(rows)))
    assert t["k"].tolist() == [1.0, 2.0, 3.5]
    with pytest.raises(ValueError, match=r"line 2 of .* is not valid JSON"):
        read_table(write(tmp_path, "bad.jsonl", '{"a": 1}\n{"a": \n'))
    with pytest.raises(ValueError, match=r"line 1 of .* not an object"):
        read_table(write(tmp_path, "list.jsonl", "[1, 2]\n"), fmt="jsonl")
    t = read_table(write(tmp_path, "bool.jsonl", '{"a": true}\n{"a": 1}\n'))
    with pytest.raises(ValueError, match="row 1 is True"):
        numeric_column(t, "a", "bool.jsonl")


def test_stdin_jsonl_and_tsv_are_sniffed() -> None:
    assert stdin('{"x": 1}\n{"x": 2}\n')["x"].tolist() == [1.0, 2.0]
    assert stdin("x\ty\n1\t2\n")["y"].tolist() == [2.0]
    assert detect_format("-", "1.5") == "lines"
    assert detect_format("-", "1,2") == "csv"


def test_parquet_without_pandas_nulls_are_missing(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"k": pa.array([1, None, 3]), "g": pa.array(["a", "b", None])})
    pq.write_table(table, tmp_path / "t.parquet")
    t = read_table(tmp_path / "t.parquet")
    assert np.isnan(t["k"][1]) and t["k"][2] == 3.0
    assert t["g"].tolist() == ["a", "b", None]
    with pytest.raises(ValueError, match="first at row 3"):
        label_column(t, "g", "t.parquet")
    with pytest.raises(ValueError, match="Parquet cannot be read from standard input"):
        read_table("-", fmt="parquet", stdin=io.StringIO(""))


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such file"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(ValueError, match="directory"):
        read_table(tmp_path)


def test_labels_integral_numbers_become_ints() -> None:
    t = {"g": np.array([1.0, 2.0, 1.0]), "h": np.array([0.5, 1.5])}
    assert label_column(t, "g", "s").tolist() == [1, 2, 1]
    assert label_column(t, "h", "s").tolist() == [0.5, 1.5]


def test_plain_numbers_in_messages() -> None:
    assert plain(np.float64(2.0)) == "2"
    assert plain(np.float64(0.25)) == "0.25"
    assert plain(float("inf")) == "inf"
    assert plain(np.int64(7)) == "7"


def test_csv_round_trip(tmp_path: Path) -> None:
    text = to_csv_text({"g": ["a", "b"], "x": np.array([0.1, 2.0])})
    t = read_table(write(tmp_path, "o.csv", text))
    assert t["g"].tolist() == ["a", "b"] and t["x"].tolist() == [0.1, 2.0]
