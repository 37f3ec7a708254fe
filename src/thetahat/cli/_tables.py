"""Streamed files and ``--by`` for the commands: the same path as ``th.scan``.

A file given with ``--by``, or larger than :data:`STREAM_ABOVE`, is not loaded:
it is opened with :func:`thetahat.scan` and its statistics are computed batch
by batch (per group with ``--by``), exactly as ``th.fit(family, th.scan(path),
column=..., by=...)`` does. Smaller files and stdin are read whole by
:mod:`thetahat.io` as before.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import click

__all__ = [
    "STREAM_ABOVE",
    "by_option",
    "compare_by",
    "echo_fit_table",
    "fit_table_json",
    "open_scan",
    "scan_column",
    "streamed",
]

#: files larger than this (bytes) are streamed in record batches instead of loaded
STREAM_ABOVE = 64 << 20

_SCAN_FORMATS = {"csv": "csv", "tsv": "tsv", "parquet": "parquet", "jsonl": "json"}


def by_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--by COL`` (repeatable): one fit per group; the file is streamed."""
    return click.option(
        "--by",
        "by",
        multiple=True,
        metavar="COL",
        help="Fit each group of COL separately (repeat for several keys); streams the file.",
    )(fn)


def streamed(source: str, input_format: str | None, by: Sequence[str]) -> bool:
    """Whether ``source`` goes through ``th.scan`` (``--by``, or a large file)."""
    if source == "-":
        if by:
            raise ValueError("--by reads a FILE (CSV, TSV, Parquet, JSON lines), not stdin")
        return False
    if input_format == "lines":
        if by:
            raise ValueError("--by needs a table with named columns, not numbers one per line")
        return False
    if not os.path.isfile(source):
        if by:
            raise FileNotFoundError(f"no such file: {source!r}")
        return False
    if by:
        return True
    from ..statistics.engines.scan import _FORMATS

    ext = os.path.splitext(source)[1].lower()
    known = input_format in _SCAN_FORMATS or ext in _FORMATS
    return known and os.path.getsize(source) > STREAM_ABOVE


def open_scan(source: str, input_format: str | None) -> Any:
    """The file as a :class:`thetahat.Scan`."""
    import thetahat as th

    fmt = None if input_format is None else _SCAN_FORMATS.get(input_format)
    return th.scan(source, format=fmt)


def scan_column(scan: Any, column: str | None, used: Sequence[str | None]) -> str:
    """The data column: the one named, else the only numeric column not used otherwise."""
    import pyarrow as pa

    if column is not None:
        return column
    schema = scan.dataset.schema
    numeric = [
        f.name
        for f in schema
        if f.name not in used and (pa.types.is_integer(f.type) or pa.types.is_floating(f.type))
    ]
    if len(numeric) == 1:
        return str(numeric[0])
    raise ValueError(
        f"choose the data column with --column; the columns are {', '.join(schema.names)}"
    )


def fit_table_json(res: Any, family: Any, source: str, column: str, level: float) -> dict[str, Any]:
    """The ``--by`` JSON object (schema ``thetahat/fit_table``): one row per group."""
    from ._output import SCHEMA_VERSION

    cols = res.to_dict()
    rows = [dict(zip(cols, vals, strict=True)) for vals in zip(*cols.values(), strict=True)]
    return {
        "schema": "thetahat/fit_table",
        "schema_version": SCHEMA_VERSION,
        "kind": res.kind,
        "family": type(family).__name__,
        "data": {"source": source, "column": column},
        "by": list(res.by),
        "n_groups": len(res),
        "n_dropped": res.n_dropped,
        "passes": res.passes,
        "level": level,
        "rows": rows,
    }


def echo_fit_table(res: Any, fmt: str, title: str, doc: dict[str, Any]) -> None:
    """A FitTable as a table, CSV or JSON."""
    from ._output import echo_csv, echo_json, echo_table

    if fmt == "json":
        echo_json(doc)
        return
    cols = res.to_dict()
    names = [c for c in cols if c != "posterior"]
    if fmt == "csv":
        echo_csv(names, [list(v) for v in zip(*(cols[c] for c in names), strict=True)])
        return
    # the terminal table: estimates, standard errors and status (CSV/JSON have every column)
    shown = [c for c in names if not c.endswith(("_low", "_high")) and c != "warnings"]
    body = [list(v) for v in zip(*(cols[c] for c in shown), strict=True)]
    notes = [f"{len(res)} groups; intervals and warnings: --format csv or json"]
    if res.n_dropped:
        notes.append(f"{res.n_dropped} row(s) with nulls dropped")
    echo_table(title, shown, body, notes)


def compare_by(
    families: Sequence[Any], scan: Any, column: str, by: Sequence[str], weights: str | None
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Per group, the families ranked by AIC: one grouped fit (one pass) per family."""
    import math
    import warnings

    import thetahat as th

    rows: list[dict[str, Any]] = []
    failed: list[dict[str, str]] = []
    for cls in families:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t = th.fit(cls, scan, column=column, by=list(by), weights=weights)
        except (ValueError, TypeError) as exc:
            failed.append({"family": cls.__name__, "error": str(exc)})
            continue
        k = len(cls().estimable)
        for i, key in enumerate(t.keys):
            ll, n = float(t.columns["loglik"][i]), float(t.columns["n"][i])
            row: dict[str, Any] = dict(zip(t.by, key, strict=True))
            row.update({"family": cls.__name__, "loglik": ll, "k": k, "aic": 2 * k - 2 * ll,
                        "bic": k * math.log(n) - 2 * ll, "n": n,
                        "status": str(t.columns["status"][i])})  # fmt: skip
            rows.append(row)
    rows.sort(key=lambda r: (tuple(str(r[b]) for b in by), r["aic"]))
    return rows, failed
