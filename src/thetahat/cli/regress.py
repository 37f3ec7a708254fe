"""``thetahat regress``: regression from a data file or stdin (MLE, MAP or Bayes).

The table is read by :func:`thetahat.io.read_table` (CSV, TSV, Parquet, JSON
lines, ``-`` for standard input) and the ``--prior`` SPEC by
:func:`thetahat.io.parse_regression_prior` (the one prior grammar). The JSON
output follows ``docs/cli-json-schema.md`` (schema ``thetahat/regress``).
"""

from __future__ import annotations

import sys
from typing import Any

import click

from ._options import check_level
from ._output import SCHEMA_VERSION, captured_warnings, echo_json

__all__ = ["register", "regress_json", "run_regress"]

_MODELS = {
    "linear": "LinearRegression",
    "logistic": "LogisticRegression",
    "poisson": "PoissonRegression",
}


def _design(
    table: dict[str, Any], source: str, target: str, features: str | None, exposure: str | None
) -> tuple[Any, Any, list[str]]:
    """(X as a DataFrame, y, feature names) from a table read by :mod:`thetahat.io`."""
    from .._optional import require
    from ..io import numeric_column

    cols = list(table)
    if target not in cols:
        raise ValueError(f"no column {target!r} in {source}; columns: {', '.join(cols)}")
    names = (
        [f.strip() for f in features.split(",") if f.strip()]
        if features
        else [c for c in cols if c not in (target, exposure)]
    )
    missing = [f for f in names if f not in cols]
    if missing:
        raise ValueError(
            f"no column(s) {', '.join(missing)} in {source}; columns: {', '.join(cols)}"
        )
    if not names:
        raise ValueError("no feature columns: give --features")
    pd = require("pandas", "regression")
    X = pd.DataFrame({c: numeric_column(table, c, source) for c in names})
    y = numeric_column(table, target, source)
    return X, y, names


def run_regress(
    source: str,
    target: str,
    features: str | None = None,
    prior: str | None = None,
    model: str = "linear",
    exposure: str | None = None,
    noise_sd: float | None = None,
    intercept: bool = True,
    *,
    input_format: str | None = None,
    quiet: bool = False,
) -> tuple[Any, dict[str, Any]]:
    """Fit the requested regression to a table; returns (fitted estimator, data description)."""
    from ..io import numeric_column, parse_regression_prior, read_table, source_name
    from ..regression import LinearRegression, LogisticRegression, PoissonRegression

    p = parse_regression_prior(prior)
    name = source_name(source)
    table = read_table(source, fmt=input_format, quiet=quiet, stdin=sys.stdin)
    X, y, names = _design(table, name, target, features, exposure)
    kw: dict[str, Any] = {}
    if model == "logistic":
        est: Any = LogisticRegression(prior=p, fit_intercept=intercept)
    elif model == "poisson":
        est = PoissonRegression(prior=p, fit_intercept=intercept)
        if exposure is not None:
            kw["exposure"] = numeric_column(table, exposure, name)
    else:
        if exposure is not None:
            raise ValueError("--exposure applies to --poisson only")
        est = LinearRegression(prior=p, fit_intercept=intercept, noise_sd=noise_sd)
    est.fit(X, y, **kw)
    data = {"source": name, "target": target, "features": names, "rows": int(y.shape[0])}
    return est, data


def regress_json(
    est: Any, data: dict[str, Any], prior: str | None, level: float, warnings: list[str]
) -> dict[str, Any]:
    """The documented ``regress`` JSON object (schema ``thetahat/regress``)."""
    e = est.estimate_
    d = e.to_dict()
    ci = e.conf_int(level)
    post = getattr(est, "posterior_", None)
    post_doc = None
    if post is not None:
        pci = post.interval(level)
        post_doc = {
            "exact": bool(getattr(post, "exact", True)),
            "names": list(post.mean()),
            "mode": post.mode(),
            "mean": post.mean(),
            "sd": post.std(),
            "interval": {k: [lo, hi] for k, (lo, hi) in pci.items()},
            "log_evidence": getattr(post, "log_evidence", None),
        }
    return {
        "schema": "thetahat/regress",
        "schema_version": SCHEMA_VERSION,
        "model": type(est).__name__,
        "prior": None if prior is None or not prior.strip() else prior.strip(),
        "data": data,
        "method": e.method,
        "n": e.n,
        "level": level,
        "params": e.params,
        "se": e.se,
        "conf_int": {k: [lo, hi] for k, (lo, hi) in ci.items()},
        "statistic": d.get("statistic"),
        "pvalues": d.get("pvalues"),
        "loglik": e.loglik,
        "logpost": e.logpost,
        "df_model": e.df_model,
        "aic": e.aic,
        "bic": e.bic,
        "status": e.status,
        "converged": e.converged,
        "message": e.message,
        "warnings": list(dict.fromkeys([*e.warnings, *warnings])),
        "posterior": post_doc,
    }


def register(group: click.Group) -> None:
    """Add ``regress`` to a click group."""

    @group.command("regress")
    @click.argument("source", metavar="FILE|-")
    @click.option("--target", required=True, help="Response column.")
    @click.option(
        "--features", default=None, help="Comma-separated feature columns (default: all others)."
    )
    @click.option(
        "--prior",
        default=None,
        metavar="SPEC",
        help="normal(0,1), laplace(0,0.1), normal(..)+laplace(..), nig(m,lam,a,b), evidence.",
    )
    @click.option("--logistic", is_flag=True, help="Logistic regression (y in {0, 1}).")
    @click.option("--poisson", is_flag=True, help="Poisson regression (counts).")
    @click.option("--exposure", default=None, metavar="COL", help="Exposure column (Poisson).")
    @click.option("--noise-sd", type=float, default=None, help="Known noise sd (linear).")
    @click.option("--no-intercept", is_flag=True, help="Fit without an intercept.")
    @click.option(
        "--input-format",
        type=click.Choice(("csv", "tsv", "parquet", "jsonl", "lines")),
        help="Override the format read from the file name or content.",
    )
    @click.option("--level", type=float, default=0.95, show_default=True, help="Interval level.")
    @click.option(
        "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
    )
    @click.pass_context
    def regress(
        ctx: click.Context,
        source: str,
        target: str,
        features: str | None,
        prior: str | None,
        logistic: bool,
        poisson: bool,
        exposure: str | None,
        noise_sd: float | None,
        no_intercept: bool,
        input_format: str | None,
        level: float,
        fmt: str,
    ) -> None:
        """Regression of TARGET on features from FILE (or stdin with -): MLE, MAP or Bayes.

        \b
        Examples:
          thetahat regress data.csv --target y --prior 'laplace(0, 0.1)'
          thetahat regress - --target clicked --logistic --format json < ads.jsonl
        """
        from ._output import is_quiet

        check_level(level)
        if logistic and poisson:
            raise ValueError("choose one of --logistic and --poisson")
        model = "logistic" if logistic else "poisson" if poisson else "linear"
        with captured_warnings(ctx) as caught:
            est, data = run_regress(
                source,
                target,
                features,
                prior,
                model,
                exposure,
                noise_sd,
                not no_intercept,
                input_format=input_format,
                quiet=is_quiet(ctx),
            )
        if fmt == "json":
            echo_json(regress_json(est, data, prior, level, caught))
            return
        post = getattr(est, "posterior_", None)
        text = est.estimate_.summary()
        click.echo(text if post is None else text + "\n\n" + post.summary(level))
