"""The one table reader: CSV, TSV, Parquet, JSON lines, or numbers one per line.

A table is read into a plain ``dict`` of column name -> NumPy array (numeric
columns as float64 with NaN for a missing value, anything else as an object
array of ``str``/``None``), so callers need neither pandas nor pyarrow; pyarrow
is imported only when a Parquet file is read.  Every command of the CLI reads
its input here.

Formats are chosen by the file's extension (``.csv``, ``.tsv``/``.tab``,
``.parquet``/``.pq``, ``.jsonl``/``.ndjson``, ``.json``); anything else, and
standard input (``-``), is sniffed from its first non-blank line: ``{`` or
``[`` means JSON, a line that splits into numbers only means a header-less
table of numbers, anything else a CSV (or TSV, when it holds tabs) header.

Rules (nothing is dropped or altered silently)

* A first line of numbers only is data, not a header: a header-less CSV keeps
  its first value.  Its columns are called ``value`` (one column) or
  ``col1``, ``col2``, ... .
* A UTF-8 byte-order mark is removed; CRLF and CR line ends are read like LF.
* Cells are stripped of surrounding spaces; an empty or whitespace-only cell is
  a missing value.  A blank line between data lines is a row of missing values
  (in a one-column file, a missing value); blank lines at the start and the end
  are not rows.
* A row with more cells than the header is refused, naming the row; a row with
  fewer cells has missing values in the rest (the missing values are refused
  when a column that holds them is used).
* Row numbers in messages are 1-based data rows (the header is not a row);
  JSON lines are numbered by line.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "FORMATS",
    "LINES_COLUMN",
    "PROGRESS_MIN_BYTES",
    "Table",
    "choose_column",
    "detect_format",
    "label_column",
    "numeric_column",
    "plain",
    "read_table",
    "source_name",
    "want_progress",
]

Table = dict[str, NDArray[Any]]

FORMATS = ("csv", "tsv", "parquet", "jsonl", "lines")
_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
#: files at least this large get a progress bar (when stderr is a terminal)
PROGRESS_MIN_BYTES = 16 * 1024 * 1024
#: the name of the column of a header-less one-column input
LINES_COLUMN = "value"


def want_progress(quiet: bool, size: int, stream: Any = None) -> bool:
    """Whether to draw a progress bar: not quiet, a big input, stderr a terminal."""
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return (not quiet) and size >= PROGRESS_MIN_BYTES and bool(isatty and isatty())


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def detect_format(path: str | Path, first_line: str | None = None) -> str:
    """The format of ``path`` from its extension, else sniffed from ``first_line``."""
    ext = Path(str(path)).suffix.lower()
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    if first_line is None:
        return "csv"
    line = first_line.strip()
    if line.startswith(("{", "[")):
        return "jsonl"
    if "\t" in line:
        return "tsv"
    if "," not in line and _is_number(line):
        return "lines"
    return "csv"


def _first_line(text: str) -> str | None:
    for line in text.splitlines():
        if line.strip():
            return line
    return None


def source_name(source: str | os.PathLike[str]) -> str:
    """How a source is named in messages."""
    return "<stdin>" if str(source) == "-" else str(source)


@contextmanager
def _open_binary(path: Path, progress: bool) -> Iterator[IO[bytes]]:
    if progress:
        from .._optional import require

        require("rich", "cli")
        from rich.console import Console
        from rich.progress import open as rich_open

        with rich_open(
            path,
            "rb",
            description=f"reading {path.name}",
            console=Console(stderr=True),
            transient=True,
        ) as fh:
            yield fh
    else:
        with open(path, "rb") as fh:
            yield fh


def read_table(
    source: str | Path,
    *,
    fmt: str | None = None,
    quiet: bool = False,
    stdin: IO[str] | None = None,
) -> Table:
    """Read a table from a file, or from standard input when ``source`` is ``"-"``.

    Parameters
    ----------
    source : str or Path
        A file path, or ``"-"`` for standard input.
    fmt : {"csv", "tsv", "parquet", "jsonl", "lines"}, optional
        Override the format detected from the extension or the content.
    quiet : bool
        Never draw a progress bar (one is drawn on stderr for files of at least
        :data:`PROGRESS_MIN_BYTES` when stderr is a terminal).
    stdin : text stream, optional
        Where ``"-"`` reads from (default ``sys.stdin``).

    Returns
    -------
    dict
        Column name -> array, in file order (see the module docstring).

    Raises
    ------
    FileNotFoundError
        For a missing file.
    ValueError
        For an empty input, a malformed row (named by its number), a repeated
        column name, or bytes that are not UTF-8.
    """
    if fmt is not None and fmt not in FORMATS:
        raise ValueError(f"unknown input format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if str(source) == "-":
        if fmt == "parquet":
            raise ValueError("Parquet cannot be read from standard input; give the file path")
        stream = sys.stdin if stdin is None else stdin
        text = _clean_text(stream.read())
        kind = fmt or detect_format("-", _first_line(text))
        return _parse_text(text, kind, "<stdin>", json_array=fmt is None)
    path = Path(source)
    if path.is_dir():
        raise ValueError(f"{str(path)!r} is a directory, not a data file")
    if not path.exists():
        raise FileNotFoundError(f"no such file: {str(path)!r}")
    name = str(path)
    kind = fmt or detect_format(path)
    with _open_binary(path, want_progress(quiet, path.stat().st_size)) as fh:
        if kind == "parquet":
            return _read_parquet(fh, name)
        raw = fh.read()
    try:
        text = _clean_text(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{name!r} is not UTF-8 text (byte {exc.start}); for Parquet use a .parquet name"
        ) from None
    ext = path.suffix.lower()
    if fmt is None and ext not in _EXTENSIONS:
        kind = detect_format(path, _first_line(text))
    json_array = fmt is None and ext not in (".jsonl", ".ndjson")
    return _parse_text(text, kind, name, json_array=json_array)


def _clean_text(text: str) -> str:
    """Drop a byte-order mark; CRLF and CR line ends become LF."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _parse_text(text: str, kind: str, name: str, *, json_array: bool = False) -> Table:
    if not text.strip():
        raise ValueError(f"{name} is empty: no data to read")
    if kind == "jsonl":
        return _parse_json(text, name, json_array and text.lstrip().startswith("["))
    return _parse_delimited(text, "\t" if kind == "tsv" else ",", name, lines=kind == "lines")


# ------------------------------------------------------------------ CSV and TSV
def _parse_delimited(text: str, sep: str, name: str, *, lines: bool = False) -> Table:
    """CSV/TSV (``lines``: numbers one per line, no delimiter) as columns."""
    all_lines = text.split("\n")
    start = 0
    while start < len(all_lines) and not all_lines[start].strip():
        start += 1
    end = len(all_lines)
    while end > start and not all_lines[end - 1].strip():
        end -= 1
    body = all_lines[start:end]
    if lines:
        return {LINES_COLUMN: _parse_lines(body, name, start)}
    rows = [[cell.strip() for cell in row] for row in csv.reader(body, delimiter=sep)]
    first = rows[0]
    if all(cell and _is_number(cell) for cell in first):
        header = [LINES_COLUMN] if len(first) == 1 else [f"col{i + 1}" for i in range(len(first))]
        data, offset = rows, 0
    else:
        header, data, offset = first, rows[1:], 1
        for i, col in enumerate(header):
            if not col:
                raise ValueError(f"{name}: column {i + 1} of the header has no name")
        seen: set[str] = set()
        for col in header:
            if col in seen:
                raise ValueError(f"{name}: column {col!r} appears twice in the header")
            seen.add(col)
        if not data:
            raise ValueError(f"{name} has a header but no rows")
    width = len(header)
    for i, row in enumerate(data, start=1):
        if len(row) > width and any(row[width:]):
            raise ValueError(
                f"{name}: row {i} has {len(row)} cells but the header has {width} "
                f"(line {i + offset + start})"
            )
    return {col: _convert(data, j) for j, col in enumerate(header)}


def _convert(rows: list[list[str]], j: int) -> NDArray[Any]:
    """Column ``j`` as float64 (missing -> NaN) if every present cell is a number,
    else as an object array of the cells (missing -> None)."""
    cells = [row[j] if j < len(row) else "" for row in rows]
    try:
        return np.array([float(c) if c else math.nan for c in cells], dtype=float)
    except ValueError:
        return np.array([c if c else None for c in cells], dtype=object)


def _parse_lines(body: list[str], name: str, start: int) -> NDArray[np.float64]:
    """Numbers one per line; a blank line between numbers is a missing value."""
    out = np.empty(len(body), dtype=float)
    for i, line in enumerate(body):
        item = line.strip()
        if not item:
            out[i] = math.nan
            continue
        try:
            out[i] = float(item)
        except ValueError:
            raise ValueError(
                f"line {i + start + 1} of {name}: {_show(item)} is not a number "
                "(give numbers one per line, or a CSV with a header)"
            ) from None
    return out


# ------------------------------------------------------------------ JSON
def _parse_json(text: str, name: str, array: bool) -> Table:
    """JSON lines (one object per line), or (``array``) one JSON array of objects."""
    stripped = text.strip()
    records: list[tuple[int, Any]] = []
    if array:
        try:
            items = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{name} is not valid JSON: {exc.msg} (line {exc.lineno})") from None
        if not isinstance(items, list):
            raise ValueError(f"{name}: expected a JSON array of objects")
        records = [(i, item) for i, item in enumerate(items, start=1)]
        unit = "item"
    else:
        for lineno, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                records.append((lineno, json.loads(line)))
            except json.JSONDecodeError as exc:
                raise ValueError(
                    f"line {lineno} of {name} is not valid JSON: {exc.msg} (column {exc.colno})"
                ) from None
        unit = "line"
    if not records:
        raise ValueError(f"{name} is empty: no data to read")
    columns: dict[str, list[Any]] = {}
    for k, (where, rec) in enumerate(records):
        if not isinstance(rec, dict):
            raise ValueError(
                f"{unit} {where} of {name} is a JSON {type(rec).__name__}, not an object "
                '(write one {"column": value, ...} per line)'
            )
        for key, value in rec.items():
            if key not in columns:
                columns[key] = [None] * k
            columns[key].append(value)
        for col in columns.values():
            if len(col) == k:
                col.append(None)
    return {key: _json_column(values) for key, values in columns.items()}


def _json_column(values: list[Any]) -> NDArray[Any]:
    if all(v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in values):
        return np.array([math.nan if v is None else float(v) for v in values], dtype=float)
    return np.array(values, dtype=object)


# ------------------------------------------------------------------ Parquet
def _read_parquet(fh: IO[bytes], name: str) -> Table:
    from .._optional import require

    pa = require("pyarrow", "frames")
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(fh)
    except (pa.ArrowException, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"cannot read {name!r} as Parquet: {first}") from None
    if table.num_rows == 0:
        raise ValueError(f"{name!r} has no rows")
    out: Table = {}
    for key, col in zip(table.column_names, table.columns, strict=True):
        if key in out:
            raise ValueError(f"{name}: column {key!r} appears twice")
        t = col.type
        if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t):
            floats = pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False)
            out[key] = np.asarray(floats, dtype=float)
        else:
            out[key] = np.array(col.to_pylist(), dtype=object)
    return out


# ------------------------------------------------------------------ columns
def choose_column(table: Table, column: str | None, source: str) -> str:
    """The column to use: ``column`` if given, else the only numeric one."""
    names = list(table)
    if column is not None:
        if column not in table:
            raise ValueError(f"no column {column!r} in {source}; columns: {', '.join(names)}")
        return column
    numeric = [k for k, v in table.items() if v.dtype.kind == "f"]
    if len(numeric) == 1:
        return numeric[0]
    if not numeric:
        raise ValueError(f"{source} has no numeric column; columns: {', '.join(names)}")
    raise ValueError(
        f"{source} has {len(numeric)} numeric columns ({', '.join(numeric)}); choose one "
        "with --column"
    )


def numeric_column(table: Table, column: str, source: str) -> NDArray[np.float64]:
    """Column ``column`` as float64, refusing missing values and non-numbers (1-based rows)."""
    if column not in table:
        raise ValueError(f"no column {column!r} in {source}; columns: {', '.join(table)}")
    values = table[column]
    if values.dtype.kind != "f":
        out = np.empty(values.shape[0], dtype=float)
        for i, v in enumerate(values):
            if v is None:
                out[i] = math.nan
                continue
            try:
                if isinstance(v, bool):
                    raise TypeError
                out[i] = float(v)
            except (TypeError, ValueError):
                raise ValueError(
                    f"column {column!r} of {source} is not numeric: row {i + 1} is {_show(v)}"
                ) from None
        values = out
    _refuse_missing(np.isnan(values), column, source, "value(s)",
                    "; remove or fill them (nothing is dropped silently)")  # fmt: skip
    return np.asarray(values, dtype=float)


def _refuse_missing(missing: NDArray[np.bool_], column: str, source: str, what: str,
                    hint: str = "") -> None:  # fmt: skip
    """Raise where ``column`` has missing entries: how many, and the first row."""
    if missing.any():
        first = int(np.flatnonzero(missing)[0])
        raise ValueError(
            f"column {column!r} of {source} has {int(missing.sum())} missing {what}, first "
            f"at row {first + 1}{hint}"
        )


def label_column(table: Table, column: str, source: str) -> NDArray[Any]:
    """Column ``column`` as labels (integral numbers as ``int``), refusing missing values."""
    if column not in table:
        raise ValueError(f"no column {column!r} in {source}; columns: {', '.join(table)}")
    values = table[column]
    if values.dtype.kind == "f":
        missing = np.isnan(values)
        if not missing.any():
            if np.all(values == np.round(values)) and np.all(np.abs(values) < 2**53):
                return values.astype(np.int64)
            return values
    else:
        missing = np.array([v is None for v in values], dtype=bool)
    _refuse_missing(missing, column, source, "label(s)")
    return values


def plain(v: Any) -> str:
    """A number as people write it: ``2``, ``0.25``, ``inf`` (never ``np.float64(2.0)``)."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        if math.isfinite(v) and v == int(v) and abs(v) < 1e16:
            return str(int(v))
        return repr(v)
    return str(v)


def _show(v: Any) -> str:
    """A cell as a user wrote it: text quoted, numbers plain."""
    text = repr(v) if isinstance(v, str) else plain(v)
    return text if len(text) <= 40 else text[:37] + "..."


def to_csv_text(columns: dict[str, Any]) -> str:
    """Columns (equal-length sequences) as CSV text with a header row."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    names = list(columns)
    writer.writerow(names)
    cols = [np.asarray(columns[k]).tolist() for k in names]
    for row in zip(*cols, strict=True):
        writer.writerow(["" if v is None else repr(v) if isinstance(v, float) else v for v in row])
    return buf.getvalue()
