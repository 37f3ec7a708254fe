"""``thetahat fit`` and ``thetahat posterior``: one family fitted to one column of data."""

from __future__ import annotations

import math
from typing import Any

import click

from ._options import (
    Inputs,
    check_level,
    data_options,
    family_options,
    load_inputs,
    output_options,
    scan_inputs,
)
from ._output import SCHEMA_VERSION, captured_warnings, echo_csv, echo_json, echo_table
from ._tables import by_option, echo_fit_table, fit_table_json, streamed

__all__ = ["estimate_json", "register"]


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


def _streamed_fit(
    ctx: click.Context, kind: str, prior_obj: Any, fmt: str, level: float,
    plot_out: str | None, by: tuple[str, ...], laplace: bool, **kw: Any,
) -> tuple[Inputs, Any] | None:  # fmt: skip
    """Fit (or posterior of) a streamed file: echoes a ``--by`` table and returns None,
    or returns the inputs and the whole-file result for the usual output."""
    import thetahat as th

    if plot_out is not None:
        raise ValueError("--plot needs the data in memory: not with --by or a streamed file")
    inputs, table_kw = scan_inputs(ctx, by=by, **kw)
    with captured_warnings(ctx):
        if kind == "fit" or laplace:
            res = th.fit(inputs.family, inputs.data, prior=prior_obj, **table_kw)
        else:
            res = th.posterior(inputs.family, inputs.data, prior=prior_obj, **table_kw)
    if by:
        what = "posterior" if kind == "posterior" else "fit"
        title = (
            f"{what} of {inputs.family!r} on {inputs.source} [{inputs.column}] by {', '.join(by)}"
        )
        doc = fit_table_json(res, inputs.family, inputs.source, inputs.column, level)
        echo_fit_table(res, fmt, title, doc)
        return None
    inputs.rows = int(res.n)
    return inputs, res


def _fit_cmd(
    ctx: click.Context,
    prior: str | None,
    fmt: str,
    level: float,
    plot_out: str | None,
    by: tuple[str, ...] = (),
    **kw: Any,
) -> None:
    import thetahat as th

    from ..io import parse_prior

    check_level(level)
    prior_obj = None if prior is None else parse_prior(prior)
    if streamed(kw["source"], kw["input_format"], by):
        done = _streamed_fit(ctx, "fit", prior_obj, fmt, level, plot_out, by, False, **kw)
        if done is None:
            return
        inputs, est = done
    else:
        inputs = load_inputs(ctx, **kw)
        with captured_warnings(ctx), inputs.rows_named():
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
        from ._output import save_figure, use_agg

        use_agg()

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
    by: tuple[str, ...] = (),
    **kw: Any,
) -> None:
    import thetahat as th

    from ..conjugacy import conjugate_priors, find_rule
    from ..inference import resolve_categorical
    from ..io import parse_prior

    check_level(level)
    prior_obj = parse_prior(prior)
    if isinstance(prior_obj, th.Flat) or (
        isinstance(prior_obj, dict) and any(isinstance(p, th.Flat) for p in prior_obj.values())
    ):
        raise ValueError("a flat prior is improper: give a proper prior for a posterior")
    stream = streamed(kw["source"], kw["input_format"], by)
    given: Any = None
    if stream:
        if laplace and by:
            raise ValueError("--laplace with --by is not supported: fit by group with --prior")
        given = _streamed_fit(ctx, "posterior", prior_obj, fmt, level, plot_out, by, laplace,
                              **kw)  # fmt: skip
        if given is None:
            return
        inputs = given[0]
        obs: dict[str, Any] = {}
    else:
        inputs = load_inputs(ctx, **kw)
        obs = {"weights": inputs.weights, "exposure": inputs.exposure}
    with captured_warnings(ctx), inputs.rows_named():
        if given is not None and laplace:
            est = given[1]
            body = _laplace_json(est, inputs, level)
            n = est.n
        elif laplace:
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
            post = (
                given[1]
                if given is not None
                else th.posterior(inputs.family, inputs.data, prior=prior_obj, **obs)
            )
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
        from ._output import save_figure, use_agg

        use_agg()

        with captured_warnings(ctx):
            fig = plot.posterior(inputs.family, inputs.data, prior_obj, level=level, **obs)
        save_figure(fig, plot_out)


def register(group: click.Group) -> None:
    """Add ``fit`` and ``posterior`` to ``group``."""

    @group.command("fit")
    @data_options
    @family_options
    @by_option
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
    @by_option
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
