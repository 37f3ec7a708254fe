"""Options and input shared by the commands: data source, family, output; reading a column."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import click

from ._output import FORMATS

__all__ = [
    "Inputs",
    "check_level",
    "data_options",
    "family_options",
    "load_inputs",
    "output_options",
    "parse_family",
    "read_column",
    "scan_inputs",
]

_INPUT_FORMATS = ("csv", "tsv", "parquet", "jsonl", "lines")


@dataclass
class Inputs:
    """What a fit reads: the family (fixed parameters applied), data and extras."""

    family: Any
    data: Any
    source: str
    column: str
    weights: Any = None
    exposure: Any = None
    #: the library's name of each per-row input ("data", "weights", ...) -> its column
    columns: dict[str, str] = field(default_factory=dict)
    #: rows read when the data were streamed (``data`` is then a ``th.Scan``)
    rows: int | None = None

    @contextmanager
    def rows_named(self) -> Iterator[None]:
        """Inside, a library error pointing at ``weights[4]`` names row 5 of its column.

        The library indexes arrays from 0; a file's rows are numbered from 1.
        """
        try:
            yield
        except ValueError as exc:
            text = str(exc)

            def row(m: re.Match[str]) -> str:
                return f"row {int(m.group(2)) + 1} of column {self.columns[m.group(1)]!r}"

            names = "|".join(re.escape(k) for k in self.columns)
            new = re.sub(rf"\b({names})\[(\d+)\]", row, text) if names else text
            if new == text:
                raise
            raise ValueError(new) from None

    def data_json(self) -> dict[str, Any]:
        """The ``data`` object of the JSON output."""
        rows = self.rows if self.rows is not None else int(self.data.shape[0])
        return {"source": self.source, "column": self.column, "rows": rows}


def data_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The input options shared by fit, posterior and compare."""
    decorators = [
        click.argument("source", metavar="FILE|-"),
        click.option("-c", "--column", help="Column of the data (default: the only numeric one)."),
        click.option(
            "--input-format",
            type=click.Choice(_INPUT_FORMATS),
            help="Override the format read from the file name or content.",
        ),
        click.option("--weights", "weights_col", metavar="COL", help="Frequency-weight column."),
    ]
    for deco in reversed(decorators):
        fn = deco(fn)
    return fn


def family_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--family``, ``--fixed``, ``--exposure``, ``--trials``."""
    decorators = [
        click.option(
            "-f",
            "--family",
            required=True,
            help="Family name (see `thetahat families`), e.g. poisson, or normal(sigma=2).",
        ),
        click.option(
            "--fixed",
            multiple=True,
            metavar="NAME=VALUE",
            help="Fix a parameter instead of estimating it (repeatable).",
        ),
        click.option("--exposure", "exposure_col", metavar="COL", help="Poisson exposure column."),
        click.option(
            "--trials", "trials_col", metavar="COL", help="Binomial trials column (n per row)."
        ),
    ]
    for deco in reversed(decorators):
        fn = deco(fn)
    return fn


def output_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--format``, ``--level``, ``--plot``."""
    decorators = [
        click.option(
            "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True
        ),
        click.option(
            "--level", type=float, default=0.95, show_default=True, help="Interval level."
        ),
        click.option("--plot", "plot_out", metavar="OUT.png|OUT.svg", help="Write a figure."),
    ]
    for deco in reversed(decorators):
        fn = deco(fn)
    return fn


def read_column(
    ctx: click.Context, source: str, column: str | None, input_format: str | None
) -> tuple[Any, str, dict[str, Any], str]:
    """Read ``source`` and pick the data column: (values, column, table, source name)."""
    from ..io import choose_column, numeric_column, read_table, source_name
    from ._output import is_quiet

    name = source_name(source)
    table = read_table(source, fmt=input_format, quiet=is_quiet(ctx), stdin=sys.stdin)
    col = choose_column(table, column, name)
    return numeric_column(table, col, name), col, table, name


def load_inputs(
    ctx: click.Context,
    *,
    source: str,
    column: str | None,
    input_format: str | None,
    weights_col: str | None,
    family: str,
    fixed: tuple[str, ...],
    exposure_col: str | None,
    trials_col: str | None,
) -> Inputs:
    """Parse the family options and read the data and its extra columns."""
    from ..io import numeric_column

    fam, values = parse_family(family, fixed)
    data, col, table, name = read_column(ctx, source, column, input_format)
    if trials_col is not None:
        if "n" not in fam.param_names():
            raise ValueError(
                f"--trials applies to Binomial-like families, not {type(fam).__name__}"
            )
        values["n"] = numeric_column(table, trials_col, name)
    if values:
        fam = fam.with_params(**values)
    weights = None if weights_col is None else numeric_column(table, weights_col, name)
    exposure = None if exposure_col is None else numeric_column(table, exposure_col, name)
    given = {"data": col, "weights": weights_col, "exposure": exposure_col, "n": trials_col}
    columns = {k: v for k, v in given.items() if v is not None}
    inputs = Inputs(fam, data, name, col, weights, exposure, columns)
    with inputs.rows_named():
        check_rows(fam, data, name, col)
    return inputs


def parse_family(family: str, fixed: tuple[str, ...]) -> tuple[Any, dict[str, Any]]:
    """The family of ``--family`` and the values of ``--fixed`` (not yet applied)."""
    from ..io import parse_distribution, parse_fixed

    fam = parse_distribution(family)
    values: dict[str, Any] = {}
    for item in fixed:
        name, value = parse_fixed(item)
        if name not in fam.param_names():
            raise ValueError(
                f"--fixed {item!r}: {type(fam).__name__} has no parameter {name!r}; its "
                f"parameters are {', '.join(fam.param_names())}"
            )
        values[name] = value
    return fam, values


def scan_inputs(
    ctx: click.Context,
    *,
    source: str,
    column: str | None,
    input_format: str | None,
    weights_col: str | None,
    family: str,
    fixed: tuple[str, ...],
    exposure_col: str | None,
    trials_col: str | None,
    by: tuple[str, ...] = (),
) -> tuple[Inputs, dict[str, Any]]:
    """The inputs of a streamed file (``th.scan``) and the table keywords of the fit."""
    from ..io import source_name
    from ._tables import open_scan, scan_column

    del ctx
    fam, values = parse_family(family, fixed)
    if values:
        fam = fam.with_params(**values)
    scan = open_scan(source, input_format)
    col = scan_column(scan, column, [weights_col, exposure_col, trials_col, *by])
    kw = {"column": col, "weights": weights_col, "exposure": exposure_col,
          "trials": trials_col, "by": list(by) or None}  # fmt: skip
    given = {"data": col, "weights": weights_col, "exposure": exposure_col, "n": trials_col}
    columns = {k: v for k, v in given.items() if v is not None}
    return Inputs(fam, scan, source_name(source), col, columns=columns, rows=0), kw


def check_rows(fam: Any, data: Any, source: str, column: str) -> None:
    """Refuse data outside ``fam``'s support, naming the first bad row (1-based) of the file.

    The family's own check says what is wrong; the row is found by bisecting on
    prefixes of the data (O(log n) checks, only when the data are bad).  With a
    fixed value per observation (``--trials``) the family's message stands as is.
    """
    import numpy as np

    from ..io.table import plain

    try:
        fam.check_data(data)
    except ValueError:
        if any(isinstance(v, np.ndarray) and v.ndim > 0 for v in fam.params.values()):
            raise
        lo, hi = 0, int(data.shape[0])  # data[:lo] passes, data[:hi] does not
        while hi - lo > 1:
            mid = (lo + hi) // 2
            try:
                fam.check_data(data[:mid])
            except ValueError:
                hi = mid
            else:
                lo = mid
        support = getattr(fam, "support_text", "")
        raise ValueError(
            f"column {column!r} of {source}, row {hi}: {plain(data[hi - 1])} is not "
            f"{type(fam).__name__} data" + (f" (which must be {support})" if support else "")
        ) from None


def check_level(level: float) -> None:
    """Refuse an interval level outside (0, 1)."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"--level must be between 0 and 1 (exclusive), got {level!r}")
