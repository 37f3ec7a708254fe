"""Files streamed in constant memory: ``th.scan`` (CSV, Parquet, JSON lines).

Files are opened as a pyarrow dataset and read in record batches: pyarrow's
dataset scanner reads only the named columns, a bounded number of batches
ahead, from one file or a glob of many, for all three formats with one API,
and hands each batch to numpy without copying. (polars' ``scan_*`` streams too,
but returns only the final result of a query, not batches for our reducers,
and its streaming engine decides its own memory.) Each batch goes through the
family's in-memory reducer and the statistics merge with ``+``; iterative
families take one scan per Newton step. On a terminal a progress bar (rows
read, rows/s) shows for scans of more than a few batches; elsewhere it is silent.
"""

from __future__ import annotations

import glob as _glob
import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..._optional import require
from .base import aggregate_arrays
from .expr import Agg, Aggregated, Expr, evaluate, merge

__all__ = ["Scan", "ScanEngine", "scan"]

#: rows per record batch: large enough to amortise the per-batch cost, small enough
#: that a batch of a few columns stays in the tens of megabytes
BATCH_ROWS = 1 << 20
_FORMATS = {".csv": "csv", ".tsv": "csv", ".parquet": "parquet", ".pq": "parquet",
            ".jsonl": "json", ".ndjson": "json", ".json": "json"}  # fmt: skip


class Scan:
    """Files opened lazily for streaming (what :func:`scan` returns).

    Pass it to ``th.fit``/``th.posterior``/``th.compare`` with ``column=``; each
    statistics pass reads the files once, batch by batch.

    Attributes
    ----------
    paths : list of str
    format : {"csv", "parquet", "json"}
    dataset : pyarrow.dataset.Dataset

    Examples
    --------
    >>> import os, tempfile
    >>> import thetahat as th
    >>> path = os.path.join(tempfile.mkdtemp(), "counts.csv")
    >>> with open(path, "w") as f:
    ...     _ = f.write("shop,visits\\na,3\\nb,5\\na,4\\n")
    >>> s = th.scan(path)
    >>> s.columns, s.format
    (['shop', 'visits'], 'csv')
    >>> th.fit(th.Poisson, s, column="visits", by="shop").columns["rate"].tolist()
    [3.5, 5.0]
    """

    def __init__(self, paths: list[str], fmt: str, progress: bool | None) -> None:
        tsv = fmt == "tsv" or (fmt == "csv" and all(p.endswith(".tsv") for p in paths))
        fmt = "csv" if fmt == "tsv" else fmt
        self.paths, self.format = paths, fmt
        ds = require("pyarrow.dataset", "frames")
        if fmt == "csv":
            import pyarrow.csv as pcsv

            parse = pcsv.ParseOptions(delimiter="\t" if tsv else ",")
            # an empty field is a null, for text columns (group keys) too
            convert = pcsv.ConvertOptions(strings_can_be_null=True)
            file_format: Any = ds.CsvFileFormat(parse_options=parse, convert_options=convert)
        else:
            file_format = fmt
        self.dataset = ds.dataset(paths, format=file_format)
        self.progress = progress

    @property
    def columns(self) -> list[str]:
        """The column names."""
        return list(self.dataset.schema.names)

    def __repr__(self) -> str:
        what = self.paths[0] if len(self.paths) == 1 else f"{len(self.paths)} files"
        return f"<Scan {self.format} {what}: {', '.join(self.columns)}>"


def scan(path_or_glob: str | os.PathLike[str], format: str | None = None) -> Scan:
    """Open CSV, Parquet or JSON-lines files for streaming in constant memory.

    Parameters
    ----------
    path_or_glob : str or path
        A file, a directory of files, or a glob (``"data/*.parquet"``).
    format : {"csv", "tsv", "parquet", "json"}, optional
        The files' format; by default from the extension (``.csv``/``.tsv``,
        ``.parquet``/``.pq``, ``.jsonl``/``.ndjson``/``.json``; JSON means JSON
        lines, one object per line).

    Returns
    -------
    Scan
        For ``th.fit(family, scan, column="x", by=...)``, ``th.posterior``,
        ``th.compare``: every pass streams the files batch by batch.

    Notes
    -----
    Memory stays bounded by a few record batches of the columns used, whatever
    the files' size. Families with finite sufficient statistics take one pass
    (grouped: one pass for every group); iterative ones (Weibull) one pass per
    Newton step; families that need the data in memory (Student t, Laplace,
    Pareto, Lomax) gather the column.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> import thetahat as th
    >>> path = os.path.join(tempfile.mkdtemp(), "waits.csv")
    >>> with open(path, "w") as f:
    ...     _ = f.write("wait\\n" + "\\n".join(str(v) for v in [1.5, 0.5, 2.0, 1.0]))
    >>> th.fit(th.Exponential, th.scan(path), column="wait").params
    {'rate': 0.8}
    """
    text = os.fspath(path_or_glob)
    if any(ch in text for ch in "*?["):
        paths = sorted(_glob.glob(text))
        if not paths:
            raise FileNotFoundError(f"no files match {text!r}")
    elif Path(text).is_dir():
        paths = sorted(str(p) for p in Path(text).iterdir() if p.is_file())
        if not paths:
            raise FileNotFoundError(f"directory {text!r} holds no files")
    elif Path(text).exists():
        paths = [text]
    else:
        raise FileNotFoundError(f"no such file: {text!r}")
    if format is None:
        exts = {_FORMATS.get(Path(p).suffix.lower()) for p in paths}
        if None in exts or len(exts) != 1:
            raise ValueError(
                f"cannot tell the format of {text!r} from its extension: pass "
                "format='csv', 'parquet' or 'json'"
            )
        fmt = next(iter(exts))
        assert fmt is not None
    else:
        if format not in ("csv", "tsv", "parquet", "json"):
            raise ValueError(f"format must be 'csv', 'tsv', 'parquet' or 'json', got {format!r}")
        fmt = format
    return Scan(paths, fmt, None)


def _kind(t: Any) -> str:
    import pyarrow as pa

    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "numeric"
    return "other"


class ScanEngine:
    """An :class:`~.base.Engine` over a :class:`Scan`: every pass streams the files.

    Examples
    --------
    >>> import os, tempfile
    >>> import thetahat as th
    >>> path = os.path.join(tempfile.mkdtemp(), "v.csv")
    >>> with open(path, "w") as f:
    ...     _ = f.write("v\\n1\\n2\\n")
    >>> eng = ScanEngine(th.scan(path), {"x": "v"})
    >>> [b["x"].tolist() for b in eng.batches(["x"])], eng.nrows()
    ([[1.0, 2.0]], 2)
    """

    def __init__(
        self,
        source: Scan,
        roles: Mapping[str, str],
        keys: Sequence[str] = (),
        filters: Any = None,
    ) -> None:
        self.scan, self.roles, self.keys = source, dict(roles), tuple(keys)
        schema = source.dataset.schema
        names = list(schema.names)
        for role, name in roles.items():
            if name not in names:
                from .frame import _role_text

                raise ValueError(
                    f"no column {name!r} ({_role_text(role)}); the columns are {', '.join(names)}"
                )
        self.kinds = {role: _kind(schema.field(name).type) for role, name in roles.items()}
        self.columns = tuple(roles)
        self.filters = filters
        self.null_check: Any = None

    def defer_nulls(self, check: Any) -> bool:
        """Count nulls in every batch read for statistics (no pass of their own, and no
        wide read-ahead) and hand the counts to ``check``, which raises for any."""
        self.null_check = check
        return True

    def kind(self, name: str) -> str:
        return self.kinds[name]

    def _with(self, expr: Any) -> ScanEngine:
        f = expr if self.filters is None else self.filters & expr
        out = ScanEngine(self.scan, self.roles, self.keys, f)
        out.null_check = self.null_check
        return out

    def nrows(self) -> int:
        return int(self.scan.dataset.count_rows(filter=self.filters))

    def _valid(self, role: str) -> Any:
        ds = require("pyarrow.dataset", "frames")
        import pyarrow.compute as pc

        f = ds.field(self.roles[role])
        e = f.is_valid()
        if self.kinds[role] == "numeric" and role not in self.keys:
            e = e & ~pc.is_nan(f.cast("float64"))
        return e

    def null_counts(self, columns: Sequence[str]) -> dict[str, int]:
        total = self.nrows()
        return {c: total - int(self.scan.dataset.count_rows(filter=self._and(self._valid(c))))
                for c in columns}  # fmt: skip

    def _and(self, e: Any) -> Any:
        return e if self.filters is None else self.filters & e

    def drop_nulls(self, columns: Sequence[str]) -> ScanEngine:
        e = None
        for c in columns:
            v = self._valid(c)
            e = v if e is None else e & v
        return self if e is None else self._with(e)

    def where(self, values: Mapping[str, Any]) -> ScanEngine:
        ds = require("pyarrow.dataset", "frames")
        e = None
        for k, v in values.items():
            t = ds.field(self.roles[k]) == (v.item() if isinstance(v, np.generic) else v)
            e = t if e is None else e & t
        return self if e is None else self._with(e)

    def head_mean(self, expr: Expr) -> float:
        for batch in self.batches(sorted(expr.columns() or {"x"})):
            if batch["x" if "x" in batch else next(iter(batch))].shape[0]:
                return float(np.mean(evaluate(expr, {k: v[:64] for k, v in batch.items()})))
        return float("nan")

    def aggregate(
        self, aggs: Mapping[str, Agg], keys: Sequence[str], params: Aggregated | None = None
    ) -> Aggregated:
        needed = set(keys)
        for a in aggs.values():
            needed |= {c for c in a.expr.columns() if c in self.roles}
        if "__weight__" in self.roles:
            needed.add("__weight__")
        total = Aggregated({k: np.zeros(0) for k in keys}, {}, 0)
        for batch in self.batches(sorted(needed)):
            if next(iter(batch.values())).shape[0] == 0:
                continue
            total = merge(aggs, total, aggregate_arrays(batch, aggs, keys, params))
        return total

    def arrays(self, columns: Sequence[str]) -> None:
        return None

    def batches(self, columns: Sequence[str]) -> Iterator[dict[str, NDArray[Any]]]:
        """The columns (roles) batch by batch, as numpy arrays (nulls as NaN)."""
        names = [self.roles[c] for c in columns]
        ds = require("pyarrow.dataset", "frames")
        extra: dict[str, Any] = {}
        if self.scan.format == "parquet":
            # no pre-buffering of whole column chunks ahead: memory stays a few batches
            extra["fragment_scan_options"] = ds.ParquetFragmentScanOptions(pre_buffer=False)
        scanner = self.scan.dataset.scanner(
            columns=list(dict.fromkeys(names)), filter=self.filters, batch_size=BATCH_ROWS,
            batch_readahead=1, fragment_readahead=1, **extra,
        )  # fmt: skip
        bar = _Progress.start(self.scan)
        try:
            for rb in scanner.to_batches():
                out: dict[str, NDArray[Any]] = {}
                nulls: dict[str, int] = {}
                for role, name in zip(columns, names, strict=True):
                    arr = rb.column(rb.schema.get_field_index(name))
                    nulls[role] = arr.null_count
                    if role in self.keys or self.kinds[role] == "other":
                        out[role] = np.asarray(arr.to_numpy(zero_copy_only=False))
                    else:
                        out[role] = _float(arr)
                        nulls[role] = int(np.count_nonzero(np.isnan(out[role])))
                if self.null_check is not None:
                    self.null_check(nulls)
                if bar is not None:
                    bar.advance(rb.num_rows)
                yield out
        finally:
            if bar is not None:
                bar.stop()


def _float(arr: Any) -> NDArray[np.float64]:
    import pyarrow as pa

    if arr.null_count:
        arr = arr.cast(pa.float64()).fill_null(np.nan)
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=float)


class _Progress:
    """A rich progress bar (rows read, rows/s) on a terminal; None elsewhere."""

    def __init__(self, progress: Any, task: Any) -> None:
        self.progress, self.task, self.rows = progress, task, 0

    @classmethod
    def start(cls, source: Scan) -> _Progress | None:
        show = source.progress
        if show is None:
            show = sys.stderr.isatty() and sum(os.path.getsize(p) for p in source.paths) > 64 << 20
        if not show:
            return None
        try:
            rich = require("rich.progress", "cli")
        except ImportError:
            return None
        columns = (rich.TextColumn("scanning"), rich.SpinnerColumn(),
                   rich.TextColumn("{task.completed:,.0f} rows"),
                   rich.TextColumn("{task.fields[rate]}"), rich.TimeElapsedColumn())  # fmt: skip
        progress = rich.Progress(*columns, transient=True)
        progress.start()
        task = progress.add_task("scan", total=None, rate="")
        bar = cls(progress, task)
        bar.t0 = time.perf_counter()
        return bar

    t0 = 0.0

    def advance(self, rows: int) -> None:
        self.rows += rows
        dt = max(time.perf_counter() - self.t0, 1e-9)
        self.progress.update(self.task, advance=rows, rate=f"{self.rows / dt:,.0f} rows/s")

    def stop(self) -> None:
        self.progress.stop()
