"""``thetahat shrink``: empirical-Bayes shrinkage of many small groups from a file or stdin.

Three families, as :func:`thetahat.shrink`:

* ``--family binomial`` (default): ``--successes C --trials C``, Beta prior;
* ``--family poisson``: ``--counts C [--exposure C]``, Gamma prior;
* ``--family normal``: ``--estimates C --se C``, Normal prior on the group means.

``--group C`` sums rows per group first. The table is read by
:func:`thetahat.io.read_table`; ``--format json`` follows ``docs/cli-json-schema.md``
(schema ``thetahat/shrink``); ``--format csv`` prints the full per-group table.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ._options import check_level
from ._output import SCHEMA_VERSION, captured_warnings, echo_json, is_quiet
from ._tables import by_option, open_scan, streamed

if TYPE_CHECKING:
    from ..results.shrinkage import Shrinkage

__all__ = ["FAMILIES", "register", "render", "run_shrink", "shrink_json"]

#: --family name -> (thetahat class name, the data option, the size option)
FAMILIES = {
    "binomial": ("Binomial", "successes", "trials"),
    "poisson": ("Poisson", "counts", "exposure"),
    "normal": ("Normal", "estimates", "se"),
}
_FAMILY_ALIASES = {
    "beta-binomial": "binomial",
    "betabinomial": "binomial",
    "gamma-poisson": "poisson",
    "gammapoisson": "poisson",
    "normal-normal": "normal",
    "normalnormal": "normal",
    "gaussian": "normal",
}


def _family(name: str) -> str:
    import difflib

    key = name.strip().lower().replace("_", "-")
    key = _FAMILY_ALIASES.get(key, key)
    if key in FAMILIES:
        return key
    close = difflib.get_close_matches(key, [*FAMILIES, *_FAMILY_ALIASES], n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise ValueError(
        f"unknown --family {name!r}; {hint}choose binomial (Beta-Binomial), "
        "poisson (Gamma-Poisson) or normal (Normal-Normal)"
    )


def run_shrink(
    source: str | Path,
    *,
    family: str = "binomial",
    data: str | None = None,
    size: str | None = None,
    group: str | None = None,
    level: float = 0.95,
    method: str = "ml",
    input_format: str | None = None,
    quiet: bool = False,
) -> Shrinkage:
    """Shrink the groups of a table: ``data`` is the successes / counts / estimates
    column, ``size`` the trials / exposure / se column (see :data:`FAMILIES`)."""
    import thetahat as th

    from ..io import label_column, numeric_column, read_table, source_name

    key = _family(family)
    cls_name, data_opt, _ = FAMILIES[key]
    if data is None:
        raise ValueError(f"--family {key} needs --{data_opt} (the column of each row's value)")
    name = source_name(source)
    table = read_table(source, fmt=input_format, quiet=quiet, stdin=sys.stdin)
    values = numeric_column(table, data, name)
    labels = None if group is None else label_column(table, group, name)
    sizes = None if size is None else numeric_column(table, size, name)
    with _file_rows(grouped=labels is not None):
        return _shrink(th, key, cls_name, values, sizes, labels, level, method)


def shrink_streamed(
    source: str, key: str, given: dict[str, Any], by: tuple[str, ...], level: float,
    input_format: str | None,
) -> Shrinkage:  # fmt: skip
    """Shrinkage of the groups of a streamed file: the per-group statistics come from one
    grouped pass (``th.fit(..., by=...)``) and go to ``th.shrink``."""
    import thetahat as th

    if not streamed(str(source), input_format, by):
        raise ValueError("--by needs a file")
    scan = open_scan(str(source), input_format)
    if key == "binomial":
        if given["successes"] is None:
            raise ValueError("--family binomial needs --successes")
        fam = th.Binomial if given["trials"] else th.Bernoulli
        table = th.fit(fam, scan, column=given["successes"], trials=given["trials"], by=list(by))
    else:
        if given["counts"] is None:
            raise ValueError("--family poisson needs --counts")
        table = th.fit(th.Poisson, scan, column=given["counts"], exposure=given["exposure"],
                       by=list(by))  # fmt: skip
    out: Shrinkage = table.shrink(level)
    return out


@contextmanager
def _file_rows(*, grouped: bool) -> Iterator[None]:
    """Library messages count groups/rows from 1 (``group 3``, ``row 3 (group 'b')``);
    without ``--group`` each row of the file is a group, so ``group 3`` is the file's
    row 3 and is named so."""
    try:
        yield
    except ValueError as exc:
        text = str(exc)
        new = text if grouped else re.sub(r"\bgroup (\d+)\b", r"row \1", text)
        if new == text:
            raise
        raise ValueError(new) from None


def _shrink(
    th: Any,
    key: str,
    cls_name: str,
    values: Any,
    sizes: Any,
    labels: Any,
    level: float,
    method: str,
) -> Shrinkage:
    kw: dict[str, Any] = {"group": labels, "level": level, "family": getattr(th, cls_name)}
    if key == "binomial":
        if sizes is None and labels is None:
            raise ValueError(
                "give --trials (successes out of trials per row), or --group to count each "
                "row as one trial"
            )
        if sizes is None:
            sizes = values * 0.0 + 1.0
        return th.shrink(values, sizes, **kw)
    if method != "ml":
        kw["method"] = method
    if key == "poisson":
        return th.shrink(values, exposure=sizes, **kw)
    if sizes is None:
        raise ValueError("--family normal needs --se (the standard error of each estimate)")
    return th.shrink(values, se=sizes, **kw)


def _size_label(res: Shrinkage) -> tuple[str, str]:
    return {
        "Binomial": ("successes", "trials"),
        "Poisson": ("counts", "exposure"),
        "Normal": ("se", "rows"),
    }.get(res.family, ("", "n"))


def render(res: Shrinkage, top: int = 10, *, width: int = 100) -> str:
    """The report as text: the prior, then the top and bottom groups by posterior mean."""
    from io import StringIO

    from .._optional import require

    require("rich", "cli")
    from rich.console import Console
    from rich.table import Table

    from .._format import fmt

    buf = StringIO()
    console = Console(file=buf, width=width, no_color=True, highlight=False)
    hyper = ", ".join(
        f"{k} {fmt(v)} (se {fmt(res.hyper.se[k])})" for k, v in res.hyper.params.items()
    )
    console.print(
        f"{res.n_groups} groups; {res.family} family; prior {res.prior!r}: {hyper}; "
        f"log marginal likelihood {fmt(res.loglik)}",
        soft_wrap=True,
    )
    if res.complete_pooling:
        console.print("complete pooling: every group is shrunk to the pooled value")
    c = res.columns
    pm = c["posterior_mean"]
    order = sorted(range(res.n_groups), key=lambda i: -pm[i])
    k = min(top, res.n_groups)
    pct = f"{100 * res.level:g}%"
    first, size = _size_label(res)
    for title, idx in (
        (f"Top {k} by posterior mean", order[:k]),
        (f"Bottom {k} by posterior mean", order[-k:]),
    ):
        table = Table(title=title, title_justify="left")
        for col in ("group", first, size, "raw", "shrunk", f"{pct} interval"):
            table.add_column(col, justify="left" if col == "group" else "right")
        for i in idx:
            table.add_row(
                str(res.groups[i]),
                fmt(c[first][i]),
                fmt(c["n"][i]),
                fmt(c["mle"][i]),
                fmt(pm[i]),
                f"{fmt(c['lower'][i])} - {fmt(c['upper'][i])}",
            )
        console.print(table)
    n_empty = int(res.no_data.sum())
    if n_empty:
        console.print(f"{n_empty} group(s) without data keep the prior as their posterior")
    return buf.getvalue()


def _columns(res: Shrinkage) -> dict[str, Any]:
    out: dict[str, Any] = {"group": [str(g) for g in res.groups.tolist()]}
    for key, col in res.columns.items():
        out[key] = col
    out["no_data"] = res.no_data
    return out


def shrink_json(res: Shrinkage, source: str, data: dict[str, Any]) -> dict[str, Any]:
    """The documented ``shrink`` JSON object (schema ``thetahat/shrink``)."""
    return {
        "schema": "thetahat/shrink",
        "schema_version": SCHEMA_VERSION,
        "family": res.family,
        "method": res.method,
        "data": {"source": source, **data},
        "n_groups": res.n_groups,
        "level": res.level,
        "prior": repr(res.prior),
        "hyper": res.hyper.params,
        "hyper_se": res.hyper.se,
        "loglik": res.loglik,
        "complete_pooling": res.complete_pooling,
        "groups": _columns(res),
        "warnings": list(res.warnings),
    }


def register(group: click.Group) -> None:
    """Add the ``shrink`` command to a click group."""

    @group.command("shrink")
    @click.argument("source", metavar="FILE|-")
    @click.option(
        "-f",
        "--family",
        default="binomial",
        show_default=True,
        help="binomial (Beta-Binomial), poisson (Gamma-Poisson) or normal (Normal-Normal).",
    )
    @click.option("--successes", metavar="COL", help="Successes column (binomial).")
    @click.option(
        "--trials",
        metavar="COL",
        help="Trials column (binomial; without it every row is one 0/1 trial, with --group).",
    )
    @click.option("--counts", metavar="COL", help="Counts column (poisson).")
    @click.option("--exposure", metavar="COL", help="Exposure column (poisson; default 1).")
    @click.option("--estimates", metavar="COL", help="Estimates column (normal).")
    @click.option("--se", metavar="COL", help="Standard-error column (normal).")
    @click.option(
        "--group",
        "group_col",
        metavar="COL",
        help="Group column: rows are summed per group (default: one row per group).",
    )
    @by_option
    @click.option(
        "--method",
        type=click.Choice(["ml", "reml"]),
        default="ml",
        show_default=True,
        help="How the prior is fitted (reml: normal only).",
    )
    @click.option(
        "--top",
        default=10,
        show_default=True,
        type=click.IntRange(min=1),
        help="How many top and bottom groups to print.",
    )
    @click.option("--level", default=0.95, show_default=True, type=float, help="Credible level.")
    @click.option(
        "--input-format",
        type=click.Choice(("csv", "tsv", "parquet", "jsonl", "lines")),
        help="Override the format read from the file name or content.",
    )
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json", "csv"]),
        default="table",
        show_default=True,
        help="table: the prior and the extreme groups; json/csv: every group.",
    )
    @click.option(
        "--out",
        default=None,
        type=click.Path(dir_okay=False, path_type=Path),
        help="Also write the full per-group table to this CSV file.",
    )
    @click.pass_context
    def shrink_command(
        ctx: click.Context,
        source: str,
        family: str,
        successes: str | None,
        trials: str | None,
        counts: str | None,
        exposure: str | None,
        estimates: str | None,
        se: str | None,
        group_col: str | None,
        by: tuple[str, ...],
        method: str,
        top: int,
        level: float,
        input_format: str | None,
        fmt: str,
        out: Path | None,
    ) -> None:
        """Empirical-Bayes shrinkage of many small groups toward a prior fitted to all of them.

        \b
        Examples:
          thetahat shrink ads.csv --successes clicks --trials views --group ad
          thetahat shrink plants.csv -f poisson --counts defects --exposure hours
          thetahat shrink schools.csv -f normal --estimates y --se sigma --format json
        """
        from ..io import source_name
        from ..io.table import to_csv_text

        check_level(level)
        key = _family(family)
        given = {
            "successes": successes,
            "trials": trials,
            "counts": counts,
            "exposure": exposure,
            "estimates": estimates,
            "se": se,
        }
        _, data_opt, size_opt = FAMILIES[key]
        wrong = [k for k, v in given.items() if v is not None and k not in (data_opt, size_opt)]
        if wrong:
            raise ValueError(
                f"--{wrong[0]} does not apply to --family {key} "
                f"(it takes --{data_opt} and --{size_opt})"
            )
        if method == "reml" and key != "normal":
            raise ValueError("--method reml applies to --family normal only")
        if by and group_col is not None:
            raise ValueError("give --group or --by, not both")
        if by and key == "normal":
            if len(by) > 1:
                raise ValueError("--family normal groups by one column: --group COL")
            group_col, by = by[0], ()
        with captured_warnings(ctx):
            if by:
                res = shrink_streamed(source, key, given, by, level, input_format)
            else:
                res = run_shrink(
                    source,
                    family=key,
                    data=given[data_opt],
                    size=given[size_opt],
                    group=group_col,
                    level=level,
                    method=method,
                    input_format=input_format,
                    quiet=is_quiet(ctx),
                )
        cols = {data_opt: given[data_opt], size_opt: given[size_opt],
                "group": group_col if not by else ",".join(by)}  # fmt: skip
        if fmt == "json":
            echo_json(shrink_json(res, source_name(source), {"columns": cols}))
        elif fmt == "csv":
            click.echo(to_csv_text(_columns(res)), nl=False)
        else:
            click.echo(render(res, top), nl=False)
        if out is not None:
            out.write_text(to_csv_text(_columns(res)), encoding="utf-8")
            click.echo(f"wrote {res.n_groups} rows to {out}", err=fmt != "table")
