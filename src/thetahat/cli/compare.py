"""``thetahat compare``: several families fitted to one column, ranked by AIC.

The ranking is :func:`thetahat.compare` (its ``Comparison.rows`` have the columns
family, loglik, k, aic, aicc, bic and the goodness-of-fit statistics); families
that cannot fit the data are reported with the reason, never dropped. ``--gof``
adds parametric-bootstrap p-values and prints fitdistrplus' ``gofstat`` table
(statistics by family); ``--plot`` draws ``th.plot.compare`` (Q-Q by default).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import click
import numpy as np
from numpy.typing import NDArray

from ._options import data_options, read_column
from ._output import FORMATS, SCHEMA_VERSION, captured_warnings, echo_csv, echo_json, echo_table
from ._tables import by_option, compare_by, open_scan, scan_column, streamed

__all__ = ["can_fit", "candidate_families", "compare_table", "register"]

COLUMNS = ("family", "loglik", "k", "aic", "aicc", "bic", "ks")

#: the columns --gof adds (statistics and their bootstrap p-values)
GOF_COLUMNS = ("cvm", "ad", "ks_pvalue", "cvm_pvalue", "ad_pvalue", "chisq", "chisq_pvalue")

#: fitdistrplus' gofstat rows: label, column
GOFSTAT_ROWS = (
    ("Kolmogorov-Smirnov statistic", "ks"),
    ("Cramer-von Mises statistic", "cvm"),
    ("Anderson-Darling statistic", "ad"),
    ("Kolmogorov-Smirnov p-value (bootstrap)", "ks_pvalue"),
    ("Cramer-von Mises p-value (bootstrap)", "cvm_pvalue"),
    ("Anderson-Darling p-value (bootstrap)", "ad_pvalue"),
    ("Chi-squared statistic", "chisq"),
    ("Chi-squared p-value", "chisq_pvalue"),
    ("Akaike's Information Criterion", "aic"),
    ("Bayesian Information Criterion", "bic"),
)


def can_fit(cls: Any) -> bool:
    try:
        fam = cls()
    except (TypeError, ValueError):
        return False
    if not fam.estimable or cls.data_ndim != 1 or cls.event_vector:
        return False
    if not fam.has_loglik:
        return False
    return all(not (fam.param(n).domain.vector or fam.param(n).per_observation) for n in fam.free)


def candidate_families(data: NDArray[np.float64]) -> tuple[list[type], list[tuple[str, str]]]:
    """Families that can be fitted to univariate ``data`` and whose support holds it.

    Returns the classes and, for the others that could be fitted to some data,
    (name, reason) pairs explaining why they were left out.
    """
    from ..io import distribution_classes

    chosen: list[type] = []
    skipped: list[tuple[str, str]] = []
    for name, cls in distribution_classes().items():
        if not can_fit(cls):
            continue
        try:
            cls().check_data(data)
        except (TypeError, ValueError) as exc:
            skipped.append((name, str(exc)))
            continue
        chosen.append(cls)
    return chosen, skipped


def compare_table(
    families: list[type],
    data: Any,
    weights: Any = None,
    column: str | None = None,
    gof: bool = False,
    n_boot: int = 1000,
    seed: int | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Rows (one per fitted family, best first) and the families that could not fit
    (``data`` an array, or a ``th.Scan`` with ``column``).

    With ``gof`` the rows also hold the goodness-of-fit columns with ``n_boot``
    bootstrap resamples, and ``"estimate"``: the fit (for ``--plot``).
    """
    import thetahat as th

    kw: dict[str, Any] = {} if weights is None else {"weights": weights}
    if column is not None:
        kw["column"] = column
    if gof:
        kw.update(gof=True, n_boot=n_boot, rng=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = th.compare(families, data, **kw)
    rows: list[dict[str, Any]] = []
    for rec in result.rows:
        name = getattr(rec["family"], "__name__", str(rec["family"]))
        est = result.estimates.get(name)
        if est is None:
            continue
        row = {c: rec.get(c) for c in COLUMNS + (GOF_COLUMNS if gof else ())}
        row["family"] = name
        row["params"] = est.params
        row["estimate"] = est
        row["n"] = est.n
        rows.append(row)
    failed = [{"family": k, "error": v} for k, v in result.not_applicable.items()]
    return rows, failed


def _compare_cmd(
    ctx: click.Context,
    source: str,
    column: str | None,
    input_format: str | None,
    weights_col: str | None,
    families: str | None,
    fmt: str,
    gof: bool,
    n_boot: int,
    seed: int | None,
    plot_out: str | None,
    kind: str,
    by: tuple[str, ...] = (),
) -> None:
    from ..io import lookup_distribution, numeric_column, source_name

    stream = streamed(source, input_format, by)
    if stream:
        name = source_name(source)
        scan = open_scan(source, input_format)
        col = scan_column(scan, column, [weights_col, *by])
        # the support check on the first batch; families the rest rules out fail in their row
        from ..inference.frames import as_source

        batches = as_source(scan, column=col).engine.batches(["x"])
        assert batches is not None
        data = next(iter(batches))["x"]
        weights: Any = weights_col
    else:
        data, col, table, name = read_column(ctx, source, column, input_format)
        weights = None if weights_col is None else numeric_column(table, weights_col, name)
    skipped: list[tuple[str, str]] = []
    if families:
        classes = [lookup_distribution(f.strip()) for f in families.split(",") if f.strip()]
        if not classes:
            raise ValueError("--families is empty; give names separated by commas")
    else:
        classes, skipped = candidate_families(data)
        if not classes:
            raise ValueError(f"no family can be fitted to column {col!r} of {name}")
    if n_boot < 1:
        raise ValueError(f"--n-boot must be a positive integer, got {n_boot}")
    if plot_out is not None:
        from ._output import use_agg

        use_agg()
    if by:
        with captured_warnings(ctx):
            grows, gfailed = compare_by(classes, scan, col, by, weights_col)
        gcols = [*by, "family", "n", "loglik", "k", "aic", "bic", "status"]
        if fmt == "json":
            echo_json({"schema": "thetahat/compare_by", "schema_version": SCHEMA_VERSION,
                       "data": {"source": name, "column": col}, "by": list(by), "sort": "aic",
                       "rows": grows, "failed": gfailed})  # fmt: skip
        elif fmt == "csv":
            echo_csv(gcols, [[r[c] for c in gcols] for r in grows])
        else:
            notes = [f"{f['family']}: failed: {f['error']}" for f in gfailed]
            echo_table(f"families fitted to {name}, column {col}, by {', '.join(by)}; best "
                       "AIC first in each group", gcols, [[r[c] for c in gcols] for r in grows],
                       notes)  # fmt: skip
        return
    with captured_warnings(ctx):
        if stream:
            rows, failed = compare_table(classes, scan, weights, col, gof, n_boot, seed)
        else:
            rows, failed = compare_table(classes, data, weights, None, gof, n_boot, seed)
    best = rows[0]["aic"] if rows else math.nan
    for r in rows:
        r["delta_aic"] = r["aic"] - best
    if plot_out is not None:
        if not rows:
            raise ValueError("no family could be fitted: nothing to plot")
        if stream:
            raise ValueError("--plot draws the data, so it needs a file read into memory "
                             "(below 64 MiB and without --by)")  # fmt: skip
        from ..plot import compare as plot_compare
        from ._output import save_figure

        fits = {r["family"]: r["estimate"] for r in rows}
        w = None if weights is None else np.asarray(weights, dtype=float)
        shown = data if w is None else np.repeat(data, w.astype(np.intp))
        save_figure(plot_compare(fits, shown, kind=kind), plot_out)
    for r in rows:
        del r["estimate"]
    if fmt == "json":
        echo_json(
            {
                "schema": "thetahat/compare",
                "schema_version": SCHEMA_VERSION,
                "data": {
                    "source": name,
                    "column": col,
                    "rows": int(rows[0]["n"]) if stream and rows else int(data.shape[0]),
                },
                "sort": "aic",
                "rows": rows,
                "failed": failed,
                "skipped": [{"family": f, "reason": why} for f, why in skipped],
            }
        )
        return
    cols = [*COLUMNS, *(GOF_COLUMNS if gof else ()), "delta_aic"]
    body = [[r[c] for c in cols] for r in rows]
    if fmt == "csv":
        echo_csv(cols, body)
        return
    cols = [*COLUMNS, "delta_aic"]  # the statistics by family follow in gofstat's layout
    body = [[r[c] for c in cols] for r in rows]
    if gof:
        echo_table(
            f"Goodness-of-fit statistics, {name} [{col}] ({n_boot} bootstrap resamples per family)",
            ["", *(r["family"] for r in rows)],
            [[label, *(r[c] for r in rows)] for label, c in GOFSTAT_ROWS],
        )
    notes = [f"{f['family']}: failed: {f['error']}" for f in failed]
    if skipped:
        notes.append("not tried (data outside their support): " + ", ".join(f for f, _ in skipped))
    echo_table(f"families fitted to {name} [{col}], best AIC first", cols, body, notes)


def register(group: click.Group) -> None:
    """Add ``compare`` to ``group``."""

    @group.command("compare")
    @data_options
    @by_option
    @click.option(
        "--families",
        metavar="A,B,C",
        help="Families to compare (default: every family whose support holds the data).",
    )
    @click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
    @click.option(
        "--gof",
        is_flag=True,
        help="Goodness of fit: KS, Cramer-von Mises, Anderson-Darling with parametric-bootstrap "
        "p-values (re-fitting each resample), chi-squared; fitdistrplus' gofstat table.",
    )
    @click.option(
        "--n-boot", type=int, default=1000, show_default=True, help="Bootstrap resamples (--gof)."
    )
    @click.option("--seed", type=int, default=None, help="Seed of the bootstrap resamples.")
    @click.option(
        "--plot", "plot_out", metavar="OUT.png|OUT.svg|OUT.pdf", help="Draw the fits over the data."
    )
    @click.option(
        "--kind",
        type=click.Choice(["qq", "pp", "cdf", "density"]),
        default="qq",
        show_default=True,
        help="What --plot draws.",
    )
    @click.pass_context
    def compare_command(ctx: click.Context, **kw: Any) -> None:
        """Fit several families to a column of FILE and rank them by AIC (and BIC, KS)."""
        _compare_cmd(ctx, **kw)
