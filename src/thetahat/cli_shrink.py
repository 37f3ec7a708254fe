"""``thetahat shrink FILE --successes C --trials C [--group C]``: empirical Bayes from a file.

The command reads a CSV or Parquet file with pandas, shrinks each group's rate
toward a Beta prior fitted to all the groups (:func:`thetahat.shrink`), and
prints the fitted prior and the top and bottom groups by posterior mean next to
their raw rates. User errors are raised as ValueError / FileNotFoundError for
the top-level ``main`` to turn into one line on stderr.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from ._format import fmt

if TYPE_CHECKING:
    import click
    import pandas as pd

    from .results.shrinkage import Shrinkage

__all__ = ["read_table", "register", "render", "run_shrink"]

_CSV = {".csv", ".txt", ".tsv"}
_PARQUET = {".parquet", ".pq"}


def read_table(path: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """Read a CSV/TSV or Parquet file into a pandas DataFrame (by its suffix)."""
    import pandas as pd

    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"no such file: {p}")
    if p.is_dir():
        raise ValueError(f"{p} is a directory, not a data file")
    suffix = p.suffix.lower()
    if suffix in _PARQUET:
        return pd.read_parquet(p, columns=columns)
    if suffix in _CSV:
        try:
            frame = pd.read_csv(p, sep="\t" if suffix == ".tsv" else ",")
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise ValueError(f"cannot read {p} as {suffix[1:].upper()}: {exc}") from None
        except pd.errors.EmptyDataError:
            raise ValueError(f"{p} is empty") from None
        return frame
    raise ValueError(f"cannot tell the format of {p.name!r}: use a .csv, .tsv or .parquet file")


def run_shrink(
    path: str | Path,
    successes: str,
    trials: str | None,
    group: str | None = None,
    level: float = 0.95,
) -> tuple[Shrinkage, list[str]]:
    """Shrink the groups of a file; returns the result and any warnings raised."""
    from .shrink import shrink

    frame = read_table(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = shrink(frame, group=group, successes=successes, trials=trials, level=level)
    return res, [str(w.message) for w in caught]


def render(res: Shrinkage, top: int = 10, *, width: int = 100) -> str:
    """The report as text: the prior, then the top and bottom groups by posterior mean."""
    from io import StringIO

    from rich.console import Console
    from rich.table import Table

    buf = StringIO()
    console = Console(file=buf, width=width, no_color=True, highlight=False)
    a, b = res.hyper.params["a"], res.hyper.params["b"]
    se = res.hyper.se
    console.print(
        f"{res.n_groups} groups; prior {res.prior!r}: mean {fmt(a / (a + b))}, "
        f"a + b = {fmt(a + b)} (se a {fmt(se['a'])}, se b {fmt(se['b'])}); "
        f"log marginal likelihood {fmt(res.loglik)}"
    )
    if res.complete_pooling:
        console.print("complete pooling: every group is shrunk to the pooled rate")
    tab = res.table
    ranked = tab.sort_values("posterior_mean", ascending=False, kind="stable")
    k = min(top, len(tab))
    pct = f"{100 * res.level:g}%"
    for title, part in (
        (f"Top {k} by posterior mean", ranked.head(k)),
        (f"Bottom {k} by posterior mean", ranked.tail(k)),
    ):
        table = Table(title=title, title_justify="left")
        for col in ("group", "successes", "trials", "raw rate", "shrunk rate", f"{pct} interval"):
            table.add_column(col, justify="left" if col == "group" else "right")
        for row in part.itertuples(index=False):
            table.add_row(
                str(row.group),
                fmt(row.successes),
                fmt(row.n),
                fmt(row.mle),
                fmt(row.posterior_mean),
                f"{fmt(row.lower)} - {fmt(row.upper)}",
            )
        console.print(table)
    n_empty = int(res.no_data.sum())
    if n_empty:
        console.print(f"{n_empty} group(s) with zero trials keep the prior as their posterior")
    return buf.getvalue()


def register(group: click.Group) -> None:
    """Add the ``shrink`` command to a click group."""
    import click

    @group.command("shrink")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--successes", required=True, metavar="COLUMN", help="Successes column.")
    @click.option(
        "--trials",
        default=None,
        metavar="COLUMN",
        help="Trials column (without it every row is one trial with 0/1 successes).",
    )
    @click.option(
        "--group",
        "group_col",
        default=None,
        metavar="COLUMN",
        help="Group column: rows are summed per group (default: one row per group).",
    )
    @click.option(
        "--top",
        default=10,
        show_default=True,
        type=click.IntRange(min=1),
        help="How many top and bottom groups to print.",
    )
    @click.option(
        "--level",
        default=0.95,
        show_default=True,
        type=float,
        help="Credible level of the intervals.",
    )
    @click.option(
        "--out",
        default=None,
        type=click.Path(dir_okay=False, path_type=Path),
        help="Also write the full per-group table to this CSV file.",
    )
    def shrink_command(
        file: Path,
        successes: str,
        trials: str | None,
        group_col: str | None,
        top: int,
        level: float,
        out: Path | None,
    ) -> None:
        """Empirical-Bayes shrinkage of many small groups toward a fitted Beta prior."""
        if trials is None and group_col is None:
            raise ValueError(
                "give --trials (successes out of trials per row), or --group to count each "
                "row as one trial"
            )
        res, caught = run_shrink(file, successes, trials, group_col, level)
        click.echo(render(res, top), nl=False)
        for msg in caught:
            click.echo(f"warning: {msg}", err=True)
        if out is not None:
            res.table.to_csv(out, index=False)
            click.echo(f"wrote {len(res.table)} rows to {out}")

    _ = shrink_command
