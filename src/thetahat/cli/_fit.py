"""``thetahat fit`` and ``thetahat posterior``: one family fitted to one column of data."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

from ._output import FORMATS, SCHEMA_VERSION, captured_warnings, echo_csv, echo_json, echo_table

__all__ = ["Inputs", "load_inputs", "register"]

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

    def data_json(self) -> dict[str, Any]:
        """The ``data`` object of the JSON output."""
        return {"source": self.source, "column": self.column, "rows": int(self.data.shape[0])}


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
    from ..spec import parse_distribution, parse_fixed

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
    return Inputs(fam, data, name, col, weights, exposure)


def _prior_text(prior: Any) -> str | None:
    if prior is None:
        return None
    if isinstance(prior, dict):
        return "; ".join(f"{k}={v!r}" for k, v in prior.items())
    return repr(prior)


def _fixed_json(fam: Any) -> dict[str, Any]:
    import numpy as np

    return {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in fam.params.items()}


def estimate_json(est: Any, inputs: Inputs, level: float) -> dict[str, Any]:
    """The documented ``fit`` JSON object (schema ``thetahat/fit``)."""
    ci = est.conf_int(level)
    return {
        "schema": "thetahat/fit",
        "schema_version": SCHEMA_VERSION,
        "family": type(inputs.family).__name__,
        "fixed": _fixed_json(inputs.family),
        "method": est.method,
        "prior": _prior_text(est.prior),
        "data": inputs.data_json(),
        "n": est.n,
        "level": level,
        "params": est.params,
        "se": est.se,
        "conf_int": {k: [lo, hi] for k, (lo, hi) in ci.items()},
        "loglik": est.loglik,
        "logpost": est.logpost,
        "df_model": est.df_model,
        "aic": est.aic,
        "aicc": est.aicc,
        "bic": est.bic,
        "status": est.status,
        "converged": est.converged,
        "message": est.message,
        "warnings": list(est.warnings),
    }


def _rows(*cols: dict[str, Any]) -> list[list[Any]]:
    import numpy as np

    rows: list[list[Any]] = []
    for name, v in cols[0].items():
        if np.ndim(v) == 0:
            rows.append([name, *[c[name] for c in cols[1:]]])
        else:
            for i in range(np.size(v)):
                rows.append([f"{name}[{i}]", *[np.ravel(c[name])[i] for c in cols[1:]]])
    return rows


def _check_level(level: float) -> None:
    if not 0.0 < level < 1.0:
        raise ValueError(f"--level must be between 0 and 1 (exclusive), got {level!r}")


def _fit_cmd(
    ctx: click.Context, prior: str | None, fmt: str, level: float, plot_out: str | None, **kw: Any
) -> None:
    import thetahat as th

    from ..spec import parse_prior

    _check_level(level)
    prior_obj = None if prior is None else parse_prior(prior)
    inputs = load_inputs(ctx, **kw)
    with captured_warnings(ctx):
        est = th.fit(
            inputs.family,
            inputs.data,
            prior=prior_obj,
            weights=inputs.weights,
            exposure=inputs.exposure,
        )
    ci = est.conf_int(level)
    if fmt == "json":
        echo_json(estimate_json(est, inputs, level))
    else:
        lo = {k: v[0] for k, v in ci.items()}
        hi = {k: v[1] for k, v in ci.items()}
        rows = _rows(est.params, est.params, est.se, lo, hi)
        if fmt == "csv":
            echo_csv(["param", "estimate", "se", "low", "high"], rows)
        else:
            how = "MLE" if est.method == "mle" else f"MAP, prior {_prior_text(est.prior)}"
            notes = [
                f"n = {est.n:g}   log-lik = {est.loglik:.6g}   AIC = {est.aic:.6g}   "
                f"BIC = {est.bic:.6g}   status: {est.status}"
            ]
            echo_table(
                f"{inputs.family!r} on {inputs.source} [{inputs.column}]: {how}",
                ["param", "estimate", "std err", f"{level:.3g} low", f"{level:.3g} high"],
                rows,
                notes,
            )
    if plot_out is not None:
        from .. import plot
        from ._output import save_figure

        with captured_warnings(ctx):
            fig = plot.fit(est, inputs.data)
        save_figure(fig, plot_out)


def _laplace_json(est: Any, inputs: Inputs, level: float) -> dict[str, Any]:
    import numpy as np

    ci = est.conf_int(level)
    cov = np.asarray(est.cov, dtype=float)
    k = cov.shape[0]
    sign, logdet = np.linalg.slogdet(cov) if k else (1.0, 0.0)
    ok = k and sign > 0 and np.all(np.isfinite(cov)) and est.logpost is not None
    log_ev = est.logpost + 0.5 * k * math.log(2.0 * math.pi) + 0.5 * logdet if ok else math.inf
    return {
        "names": list(est.params),
        "posterior": "Normal approximation at the MAP (Laplace)",
        "exact": False,
        "method": "laplace",
        "mode": est.params,
        "mean": est.params,
        "sd": est.se,
        "interval": {key: [lo, hi] for key, (lo, hi) in ci.items()},
        "log_evidence": log_ev if math.isfinite(log_ev) else math.nan,
        "warnings": list(est.warnings),
    }


def _posterior_cmd(
    ctx: click.Context,
    prior: str,
    laplace: bool,
    fmt: str,
    level: float,
    plot_out: str | None,
    **kw: Any,
) -> None:
    import thetahat as th

    from ..conjugacy import conjugate_priors, find_rule
    from ..inference import resolve_categorical
    from ..spec import parse_prior

    _check_level(level)
    prior_obj = parse_prior(prior)
    inputs = load_inputs(ctx, **kw)
    obs = {"weights": inputs.weights, "exposure": inputs.exposure}
    if isinstance(prior_obj, th.Flat) or (
        isinstance(prior_obj, dict) and any(isinstance(p, th.Flat) for p in prior_obj.values())
    ):
        raise ValueError("a flat prior is improper: give a proper prior for a posterior")
    with captured_warnings(ctx):
        if laplace:
            est = th.fit(inputs.family, inputs.data, prior=prior_obj, **obs)
            body = _laplace_json(est, inputs, level)
            n = est.n
        else:
            single = isinstance(prior_obj, th.Distribution)
            if (
                not single
                or find_rule(resolve_categorical(inputs.family, prior_obj), prior_obj) is None
            ):
                conj = "; ".join(conjugate_priors(inputs.family)) or "none"
                raise ValueError(
                    f"prior {_prior_text(prior_obj)} is not conjugate for {inputs.family!r} "
                    f"(conjugate: {conj}); add --laplace for a normal approximation"
                )
            post = th.posterior(inputs.family, inputs.data, prior=prior_obj, **obs)
            ci = post.interval(level)
            body = {
                "names": list(post.names),
                "posterior": repr(post.dist),
                "exact": True,
                "method": "conjugate",
                "mode": post.mode(),
                "mean": post.mean(),
                "sd": post.std(),
                "interval": {key: [lo, hi] for key, (lo, hi) in ci.items()},
                "log_evidence": post.log_evidence,
                "warnings": list(post.warnings),
            }
            n = post.n
    doc = {
        "schema": "thetahat/posterior",
        "schema_version": SCHEMA_VERSION,
        "family": type(inputs.family).__name__,
        "fixed": _fixed_json(inputs.family),
        "prior": _prior_text(prior_obj),
        "data": inputs.data_json(),
        "n": n,
        "level": level,
        **body,
    }
    if fmt == "json":
        echo_json(doc)
    else:
        lo = {k: v[0] for k, v in doc["interval"].items()}
        hi = {k: v[1] for k, v in doc["interval"].items()}
        rows = _rows(doc["mode"], doc["mode"], doc["mean"], doc["sd"], lo, hi)
        if fmt == "csv":
            echo_csv(["param", "mode", "mean", "sd", "low", "high"], rows)
        else:
            echo_table(
                f"posterior of {inputs.family!r} on {inputs.source} [{inputs.column}]",
                ["param", "mode (MAP)", "mean", "sd", f"{level:.3g} low", f"{level:.3g} high"],
                rows,
                [
                    f"prior {doc['prior']} -> {doc['posterior']}   n = {n:g}   "
                    f"log evidence = {doc['log_evidence']:.6g}"
                ],
            )
    if plot_out is not None:
        from .. import plot
        from ._output import save_figure

        with captured_warnings(ctx):
            fig = plot.posterior(inputs.family, inputs.data, prior_obj, level=level, **obs)
        save_figure(fig, plot_out)


def register(group: click.Group) -> None:
    """Add ``fit`` and ``posterior`` to ``group``."""

    @group.command("fit")
    @data_options
    @family_options
    @click.option("-p", "--prior", metavar="SPEC", help="Prior for a MAP fit, e.g. 'beta(2, 2)'.")
    @output_options
    @click.pass_context
    def fit_command(ctx: click.Context, **kw: Any) -> None:
        """Fit a family to a column of FILE (or stdin with -) by MLE, or MAP with --prior.

        \b
        SPEC examples: 'beta(2, 2)', 'gamma(shape=2, rate=1)',
                       'mu=normal(0, 10); sigma=gamma(2, 1)'
        --plot writes the data with the fitted density or pmf and a QQ plot.
        """
        _fit_cmd(ctx, **kw)

    @group.command("posterior")
    @data_options
    @family_options
    @click.option(
        "-p", "--prior", metavar="SPEC", required=True, help="The prior, e.g. 'beta(2,2)'."
    )
    @click.option("--laplace", is_flag=True, help="Normal approximation at the MAP (any prior).")
    @output_options
    @click.pass_context
    def posterior_command(ctx: click.Context, **kw: Any) -> None:
        """The posterior of a family's parameters: exact for a conjugate prior, or --laplace.

        --plot writes prior, likelihood and posterior with MLE, MAP and mean marked.
        """
        _posterior_cmd(ctx, **kw)
