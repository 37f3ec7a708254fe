"""Rendering command results: rich tables, JSON (schema in docs/cli-json-schema.md), CSV."""

from __future__ import annotations

import csv
import io
import json
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

__all__ = [
    "FORMATS",
    "SCHEMA_VERSION",
    "captured_warnings",
    "echo_csv",
    "echo_json",
    "echo_table",
    "is_quiet",
    "save_figure",
    "use_agg",
]

FORMATS = ("table", "json", "csv")
#: bumped only for incompatible changes of the JSON output
SCHEMA_VERSION = 1


def is_quiet(ctx: click.Context) -> bool:
    """The group's ``--quiet`` flag."""
    obj = ctx.find_root().obj
    return bool(obj.get("quiet")) if isinstance(obj, dict) else False


def echo_json(obj: dict[str, Any]) -> None:
    """Print a JSON document (non-finite numbers already as "inf"/"-inf"/"nan")."""
    from .._format import jsonable

    click.echo(json.dumps(jsonable(obj), indent=2, allow_nan=False))


def echo_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print rows as CSV with a header."""
    from .._format import jsonable

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(jsonable(v)) for v in row])
    click.echo(buf.getvalue(), nl=False)


def _csv_cell(v: Any) -> Any:
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, list):
        return " ".join(str(_csv_cell(x)) for x in v)
    return "" if v is None else v


def _cell(v: Any) -> str:
    import numpy as np

    from .._format import fmt

    if isinstance(v, np.ndarray):
        return ", ".join(fmt(x) for x in v.ravel())
    if isinstance(v, list | tuple):
        return ", ".join(_cell(x) for x in v)
    return fmt(v)


def echo_table(
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    notes: Sequence[str] = (),
) -> None:
    """Print a rich table on stdout (plain text when stdout is not a terminal)."""
    from .._optional import require

    require("rich", "cli")
    from rich.console import Console
    from rich.table import Table

    stream = sys.stdout
    isatty = bool(getattr(stream, "isatty", lambda: False)())
    console = Console(file=stream, width=None if isatty else 110, highlight=False)
    table = Table(title=title, title_justify="left")
    for i, col in enumerate(columns):
        table.add_column(col, justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*[v if isinstance(v, str) else _cell(v) for v in row])
    console.print(table)
    for note in notes:
        console.print(note, markup=False, soft_wrap=True)


@contextmanager
def captured_warnings(ctx: click.Context) -> Iterator[list[str]]:
    """Collect warnings raised inside; print them as ``warning: ...`` on stderr after.

    The list yielded is filled with the messages (for the JSON ``warnings`` field);
    ``--quiet`` suppresses the printing.
    """
    messages: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield messages
    for w in caught:
        text = str(w.message)
        if text not in messages:
            messages.append(text)
    if not is_quiet(ctx):
        for text in messages:
            click.echo(f"warning: {text}", err=True)


def use_agg() -> None:
    """Draw off-screen: the command writes files and never opens a window (its own process)."""
    from .._optional import require

    require("matplotlib", "plot").use("Agg")


def save_figure(fig: Any, out: str) -> None:
    """Write a matplotlib Figure to ``out`` (.png, .svg or .pdf)."""
    path = Path(out)
    if path.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise ValueError(f"--plot file must end in .png, .svg or .pdf, got {out!r}")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise FileNotFoundError(f"directory {str(parent)!r} for --plot does not exist")
    from .._optional import require

    plt = require("matplotlib.pyplot", "plot")
    try:
        fig.savefig(path, dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
