"""Reading data for the command line: CSV, TSV, Parquet, JSON lines, or numbers on stdin.

A table is read into a plain ``dict`` of column name -> NumPy array (numeric
columns as float64, anything else as an object array), so callers need neither
pandas nor pyarrow; both are imported only when a file of their kind is read.

Formats are chosen by the file's extension (``.csv``, ``.tsv``, ``.parquet`` /
``.pq``, ``.jsonl`` / ``.ndjson`` / ``.json``); anything else, and standard
input (``-``), is sniffed from its first non-blank line: a number means numbers
one per line, ``{`` means JSON lines, anything else a CSV header.

Nothing is dropped silently: a missing value or a non-number in a column that is
used raises ``ValueError`` naming the column, the row and the value.
"""

from __future__ import annotations

import io
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
    "PROGRESS_MIN_BYTES",
    "Table",
    "choose_column",
    "detect_format",
    "numeric_column",
    "read_table",
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
#: the name a single column of numbers read one per line gets
LINES_COLUMN = "value"


def want_progress(quiet: bool, size: int, stream: Any = None) -> bool:
    """Whether to draw a progress bar: not quiet, a big input, stderr a terminal."""
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return (not quiet) and size >= PROGRESS_MIN_BYTES and bool(isatty and isatty())


def detect_format(path: str | Path, first_line: str | None = None) -> str:
    """The format of ``path`` from its extension, else sniffed from ``first_line``."""
    ext = Path(str(path)).suffix.lower()
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    if first_line is None:
        return "csv"
    line = first_line.strip()
    if line.startswith("{"):
        return "jsonl"
    try:
        float(line)
    except ValueError:
        return "csv"
    return "lines"


def _first_line(text: str) -> str | None:
    for line in text.splitlines():
        if line.strip():
            return line
    return None


@contextmanager
def _open_binary(path: Path, progress: bool) -> Iterator[IO[bytes]]:
    if progress:
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
        Column name -> array, in file order.
    """
    if fmt is not None and fmt not in FORMATS:
        raise ValueError(f"unknown input format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if str(source) == "-":
        stream = sys.stdin if stdin is None else stdin
        text = stream.read()
        if fmt == "parquet":
            raise ValueError("Parquet cannot be read from standard input; give the file path")
        kind = fmt or detect_format("-", _first_line(text))
        return _parse_text(text, kind, "<stdin>")
    path = Path(source)
    if path.is_dir():
        raise ValueError(f"{str(path)!r} is a directory, not a data file")
    if not path.exists():
        raise FileNotFoundError(f"no such file: {str(path)!r}")
    kind = fmt or detect_format(path)
    if kind == "csv" and path.suffix.lower() not in _EXTENSIONS:
        with open(path, encoding="utf-8", errors="replace") as fh:
            kind = detect_format(path, _first_line(fh.read(65536)))
    progress = want_progress(quiet, path.stat().st_size)
    name = str(path)
    with _open_binary(path, progress) as fh:
        if kind == "parquet":
            return _read_parquet(fh, name)
        raw = fh.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{name!r} is not UTF-8 text (byte {exc.start}); for Parquet use a .parquet name"
        ) from None
    return _parse_text(text, kind, name)


def _frame_to_table(frame: Any) -> Table:
    out: Table = {}
    for col in frame.columns:
        series = frame[col]
        key = str(col)
        if key in out:
            raise ValueError(f"column {key!r} appears twice")
        if series.dtype.kind in "biuf":
            out[key] = series.to_numpy(dtype=float, na_value=np.nan)
        else:
            out[key] = series.to_numpy(dtype=object)
    return out


def _parse_text(text: str, kind: str, name: str) -> Table:
    if kind == "lines":
        return {LINES_COLUMN: _parse_lines(text, name)}
    if not text.strip():
        raise ValueError(f"{name!r} is empty: no data to read")
    import pandas as pd

    buf = io.StringIO(text)
    try:
        if kind in ("csv", "tsv"):
            frame = pd.read_csv(buf, sep="," if kind == "csv" else "\t")
        else:
            frame = pd.read_json(buf, lines=True)
    except ValueError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"cannot read {name!r} as {kind}: {first}") from None
    if frame.shape[0] == 0:
        raise ValueError(f"{name!r} has a header but no rows")
    return _frame_to_table(frame)


def _parse_lines(text: str, name: str) -> NDArray[np.float64]:
    values: list[float] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        item = line.strip()
        if not item:
            continue
        try:
            values.append(float(item))
        except ValueError:
            raise ValueError(
                f"line {lineno} of {name}: {item[:40]!r} is not a number "
                "(give numbers one per line, or a CSV with a header)"
            ) from None
    if not values:
        raise ValueError(f"{name} is empty: no numbers to read")
    return np.asarray(values, dtype=float)


def _read_parquet(fh: IO[bytes], name: str) -> Table:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(fh)
    except (pa.ArrowException, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"cannot read {name!r} as Parquet: {first}") from None
    if table.num_rows == 0:
        raise ValueError(f"{name!r} has no rows")
    return _frame_to_table(table.to_pandas())


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
    """Column ``column`` as float64, refusing missing values and non-numbers."""
    if column not in table:
        raise ValueError(f"no column {column!r} in {source}; columns: {', '.join(table)}")
    values = table[column]
    if values.dtype.kind != "f":
        out = np.empty(values.shape[0], dtype=float)
        for i, v in enumerate(values):
            try:
                out[i] = float(v)
            except (TypeError, ValueError):
                raise ValueError(
                    f"column {column!r} of {source} is not numeric: row {i + 1} is {v!r}"
                ) from None
        values = out
    missing = np.isnan(values)
    if missing.any():
        first = int(np.flatnonzero(missing)[0])
        raise ValueError(
            f"column {column!r} of {source} has {int(missing.sum())} missing value(s), first "
            f"at row {first + 1}; remove or fill them (nothing is dropped silently)"
        )
    return np.asarray(values, dtype=float)


def source_name(source: str | os.PathLike[str]) -> str:
    """How a source is named in messages."""
    return "<stdin>" if str(source) == "-" else str(source)
