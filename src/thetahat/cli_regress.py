"""``thetahat regress``: regression from a data file (MLE, MAP or Bayes).

Exposes :func:`register`, which adds the command to a click group. User errors are
raised as ``ValueError``/``FileNotFoundError`` (the top-level ``main`` turns them
into one line on stderr and exit code 2). Heavy imports happen inside the command.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import click

__all__ = ["parse_regression_prior", "register", "run_regress"]

_CALL = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_\-]*)\s*\(([^()]*)\)\s*$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_NAMES = {
    "normal": "Normal",
    "gaussian": "Normal",
    "laplace": "Laplace",
    "normalinversegamma": "NormalInverseGamma",
    "nig": "NormalInverseGamma",
}


def _one(text: str) -> Any:
    import thetahat as th

    m = _CALL.match(text)
    if m is None:
        raise ValueError(
            f"cannot read prior {text.strip()!r}: expected NAME(numbers), e.g. normal(0, 1)"
        )
    key = m.group(1).lower().replace("_", "").replace("-", "")
    if key not in _NAMES:
        raise ValueError(
            f"unknown regression prior {m.group(1)!r}; use normal, laplace, nig "
            "(normalinversegamma), a sum normal(..)+laplace(..), 'evidence' or 'flat'"
        )
    args: list[float] = []
    kwargs: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in m.group(2).split(","))):
        name, _, value = part.rpartition("=")
        value = value.strip()
        if not _NUMBER.match(value):
            raise ValueError(f"prior argument {part!r} in {text.strip()!r} is not a number")
        if name:
            kwargs[name.strip()] = float(value)
        else:
            args.append(float(value))
    return getattr(th, _NAMES[key])(*args, **kwargs)


def parse_regression_prior(spec: str | None) -> Any:
    """Read a ``--prior`` SPEC: ``normal(0, 1)``, ``laplace(0, 0.1)``,
    ``normal(0, 1)+laplace(0, 0.1)`` (elastic net), ``nig(0, 1, 2, 2)``,
    ``evidence`` or ``flat``/``none``. Parsed, never evaluated."""
    if spec is None:
        return None
    text = spec.strip()
    if text.lower() in ("", "none", "flat", "mle"):
        return None
    if text.lower() == "evidence":
        return "evidence"
    parts = text.split("+")
    if len(parts) == 2:
        return (_one(parts[0]), _one(parts[1]))
    if len(parts) > 2:
        raise ValueError(f"a prior sums at most a normal and a laplace; got {spec!r}")
    return _one(text)


def _read(path: str) -> Any:
    import pandas as pd

    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"no such file: {path}")
    suffix = p.suffix.lower()
    if suffix == ".parquet":
        return pd.read_parquet(p)
    sep = "\t" if suffix in (".tsv", ".tab") else ","
    try:
        return pd.read_csv(p, sep=sep)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {path} as a table: {exc}") from None


def run_regress(
    file: str,
    target: str,
    features: str | None = None,
    prior: str | None = None,
    model: str = "linear",
    exposure: str | None = None,
    noise_sd: float | None = None,
    intercept: bool = True,
    fmt: str = "table",
) -> str:
    """Fit the requested regression to a table and return the text to print."""
    import numpy as np

    from .regression import LinearRegression, LogisticRegression, PoissonRegression

    frame = _read(file)
    cols = [str(c) for c in frame.columns]
    if target not in cols:
        raise ValueError(f"no column {target!r} in {file}; columns: {', '.join(cols)}")
    names = (
        [f.strip() for f in features.split(",")]
        if features
        else [c for c in cols if c not in (target, exposure)]
    )
    missing = [f for f in names if f not in cols]
    if missing:
        raise ValueError(f"no column(s) {', '.join(missing)} in {file}; columns: {', '.join(cols)}")
    if not names:
        raise ValueError("no feature columns: give --features")
    X = frame[names]
    for c in names:
        if not np.issubdtype(X[c].dtype, np.number):
            raise ValueError(f"feature column {c!r} is not numeric (dtype {X[c].dtype})")
    y = frame[target].to_numpy()
    p = parse_regression_prior(prior)
    kw: dict[str, Any] = {}
    if model == "logistic":
        est: Any = LogisticRegression(prior=p, fit_intercept=intercept)
    elif model == "poisson":
        est = PoissonRegression(prior=p, fit_intercept=intercept)
        if exposure is not None:
            if exposure not in cols:
                raise ValueError(f"no exposure column {exposure!r} in {file}")
            kw["exposure"] = frame[exposure].to_numpy(dtype=float)
    else:
        if exposure is not None:
            raise ValueError("--exposure applies to --poisson only")
        est = LinearRegression(prior=p, fit_intercept=intercept, noise_sd=noise_sd)
    est.fit(X, y, **kw)
    post = getattr(est, "posterior_", None)
    if fmt == "json":
        out = {"model": type(est).__name__, "estimate": est.estimate_.to_dict()}
        if post is not None:
            out["posterior"] = post.to_dict()
        return json.dumps(out, indent=2)
    text = est.estimate_.summary()
    return text if post is None else text + "\n\n" + post.summary()


def register(group: click.Group) -> None:
    """Add ``regress`` to a click group."""
    import click

    @group.command("regress")
    @click.argument("file", type=str)
    @click.option("--target", required=True, help="Response column.")
    @click.option(
        "--features", default=None, help="Comma-separated feature columns (default: all others)."
    )
    @click.option(
        "--prior",
        default=None,
        help="normal(0,1), laplace(0,0.1), normal(..)+laplace(..), nig(m,lam,a,b), evidence.",
    )
    @click.option("--logistic", is_flag=True, help="Logistic regression (y in {0, 1}).")
    @click.option("--poisson", is_flag=True, help="Poisson regression (counts).")
    @click.option("--exposure", default=None, help="Exposure column (Poisson).")
    @click.option("--noise-sd", type=float, default=None, help="Known noise sd (linear).")
    @click.option("--no-intercept", is_flag=True, help="Fit without an intercept.")
    @click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
    def regress(
        file: str,
        target: str,
        features: str | None,
        prior: str | None,
        logistic: bool,
        poisson: bool,
        exposure: str | None,
        noise_sd: float | None,
        no_intercept: bool,
        fmt: str,
    ) -> None:
        """Regression of TARGET on features from FILE (CSV/TSV/Parquet): MLE, MAP or Bayes."""
        if logistic and poisson:
            raise ValueError("choose one of --logistic and --poisson")
        model = "logistic" if logistic else "poisson" if poisson else "linear"
        click.echo(
            run_regress(
                file, target, features, prior, model, exposure, noise_sd, not no_intercept, fmt
            )
        )
