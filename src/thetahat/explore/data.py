"""API of the "your data" panel: read pasted numbers or a CSV, fit, compare, shrink.

Uploads are read in memory from the request body (the page reads the chosen
file and posts its text): nothing is written to disk. Everything statistical is
``th.fit``, ``th.compare`` and ``th.shrink``; histograms and density curves are
computed here so that the page only draws.
"""

from __future__ import annotations

import csv
import io
import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

import thetahat as th

from .._format import jsonable
from ._curves import curve
from ._validate import ApiError, choice, integer, mapping, number, numbers, strings, text

__all__ = ["FAMILIES", "PRIORS", "compare", "example", "fit", "parse", "shrink"]

Array = NDArray[np.float64]

#: the largest upload or paste (characters), rows and columns read from it
MAX_TEXT = 2_000_000
MAX_ROWS = 100_000
MAX_COLUMNS = 50
#: families a comparison may fit at once, and groups a shrinkage may have
MAX_COMPARE = 12
MAX_GROUPS = 5_000

FAMILIES: dict[str, type[th.Distribution]] = {
    "normal": th.Normal,
    "gamma": th.Gamma,
    "exponential": th.Exponential,
    "lognormal": th.LogNormal,
    "weibull": th.Weibull,
    "beta": th.Beta,
    "studentt": th.StudentT,
    "laplace": th.Laplace,
    "halfnormal": th.HalfNormal,
    "inversegamma": th.InverseGamma,
    "pareto": th.Pareto,
    "poisson": th.Poisson,
    "negativebinomial": th.NegativeBinomial,
    "geometric": th.Geometric,
    "bernoulli": th.Bernoulli,
}

#: distributions offered as priors on one parameter, with default hyperparameters
PRIORS: dict[str, tuple[type[th.Distribution], tuple[float, ...]]] = {
    "normal": (th.Normal, (0.0, 10.0)),
    "gamma": (th.Gamma, (2.0, 1.0)),
    "lognormal": (th.LogNormal, (0.0, 2.0)),
    "beta": (th.Beta, (2.0, 2.0)),
    "halfnormal": (th.HalfNormal, (10.0,)),
    "inversegamma": (th.InverseGamma, (2.0, 1.0)),
    "exponential": (th.Exponential, (1.0,)),
    "laplace": (th.Laplace, (0.0, 1.0)),
    "studentt": (th.StudentT, (3.0, 0.0, 10.0)),
}


def catalog() -> dict[str, Any]:
    """Families and priors with their parameters, for the page's selectors."""

    def params(cls: type[th.Distribution]) -> list[dict[str, str]]:
        return [
            {"name": n, "domain": cls.param(n).domain.describe(), "doc": cls.param(n).doc}
            for n in cls.param_names()
        ]

    return {
        "families": [
            {"key": k, "name": c.__name__, "discrete": c.discrete, "params": params(c)}
            for k, c in FAMILIES.items()
        ],
        "priors": [
            {"key": k, "name": c.__name__, "params": params(c), "default": list(d)}
            for k, (c, d) in PRIORS.items()
        ],
        "examples": list(_EXAMPLES),
        "limits": {"text": MAX_TEXT, "rows": MAX_ROWS, "columns": MAX_COLUMNS},
    }


# ------------------------------------------------------------------ reading
def _is_number(s: str) -> bool:
    try:
        return math.isfinite(float(s))
    except ValueError:
        return False


def parse(body: dict[str, Any]) -> dict[str, Any]:
    """Columns of pasted numbers or CSV text (with a header row) for the page to choose from."""
    raw = text(body, "text", max_len=MAX_TEXT)
    lines = [ln for ln in raw.splitlines() if ln.strip()]
    if not lines:
        raise ApiError("text is empty: paste numbers or choose a CSV file")
    first = lines[0]
    delim = next((d for d in (",", "\t", ";") if d in first), None)
    head = next(csv.reader([first], delimiter=delim)) if delim else first.split()
    has_header = not all(_is_number(c.strip()) for c in head if c.strip())
    if not has_header:
        # plain numbers: one column of every value, separated by commas, tabs or spaces
        tokens = raw.replace(",", " ").replace(";", " ").split()
        if len(tokens) > MAX_ROWS:
            raise ApiError(f"text has {len(tokens)} values; the limit is {MAX_ROWS}")
        bad = next((i for i, t in enumerate(tokens) if not _is_number(t)), None)
        if bad is not None:
            raise ApiError(f"value {bad + 1} ({tokens[bad][:40]!r}) is not a number")
        return {"columns": [{"name": "x", "numeric": True, "values": [float(t) for t in tokens]}]}
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delim or " ")
    header = [h.strip() for h in next(reader)]
    if len(header) > MAX_COLUMNS:
        raise ApiError(f"the file has {len(header)} columns; the limit is {MAX_COLUMNS}")
    if len(set(header)) != len(header) or "" in header:
        raise ApiError("the header row needs a distinct, non-empty name for every column")
    cells: list[list[str]] = [[] for _ in header]
    for i, row in enumerate(reader, start=2):
        if i - 1 > MAX_ROWS:
            raise ApiError(f"the file has more than {MAX_ROWS} rows")
        if len(row) != len(header):
            raise ApiError(f"line {i} has {len(row)} fields; the header has {len(header)}")
        for j, c in enumerate(row):
            cells[j].append(c.strip())
    if not cells[0]:
        raise ApiError("the text has a header row but no data rows")
    columns = []
    for name, col in zip(header, cells, strict=True):
        present = [c for c in col if c != "" and c.upper() not in ("NA", "NAN")]
        numeric = bool(present) and all(_is_number(c) for c in present)
        values: list[Any] = (
            [float(c) if c in present and _is_number(c) else None for c in col]
            if numeric
            else [c[:200] for c in col]
        )
        columns.append(
            {
                "name": name,
                "numeric": numeric,
                "values": values,
                "missing": len(col) - len(present),
            }
        )
    return {"columns": columns, "rows": len(cells[0]) if cells else 0}


_EXAMPLES = ("groundbeef", "toxocara", "rat_tumor", "baseball")


def example(name: str) -> dict[str, Any]:
    """A dataset bundled with thetahat, as CSV text (read from the package, never written)."""
    if name not in _EXAMPLES:
        raise ApiError(f"unknown example {name!r}; examples: {', '.join(_EXAMPLES)}")
    from thetahat import datasets

    with open(datasets.path(name), encoding="utf-8") as fh:
        return {"name": name, "text": fh.read()}


# ------------------------------------------------------------------ fitting
def _prior(spec: Any, where: str) -> th.Distribution:
    if not isinstance(spec, dict):
        raise ApiError(f"{where} must be an object like {{'dist': 'gamma', 'params': [2, 1]}}")
    key = choice(spec, "dist", list(PRIORS))
    cls, default = PRIORS[key]
    vals = numbers(spec, "params", max_len=len(default), min_len=len(default))
    try:
        return cls(*vals.tolist())
    except (ValueError, TypeError) as exc:
        raise ApiError(f"{where}: {exc}") from None


def _histogram(x: Array, discrete: bool) -> dict[str, Any]:
    if discrete and x.max() - x.min() <= 200:
        ks, counts = np.unique(x, return_counts=True)
        return {"kind": "bars", "x": ks, "height": counts / x.size}
    bins = min(60, max(5, int(np.ceil(np.sqrt(x.size)))))
    dens, edges = np.histogram(x, bins=bins, density=True)
    return {"kind": "histogram", "edges": edges, "height": dens}


def _fitted_curve(dist: th.Distribution, x: Array, discrete: bool) -> dict[str, Any]:
    if discrete:
        ks = np.arange(max(0.0, x.min()), x.max() + 1.0) if x.max() - x.min() <= 200 else x[:0]
        with np.errstate(all="ignore"):
            return {"x": ks, "y": curve(dist.pmf(ks)) if ks.size else []}
    pad = 0.1 * (x.max() - x.min() or 1.0)
    grid = np.linspace(x.min() - pad, x.max() + pad, 241)
    with np.errstate(all="ignore"):
        return {"x": grid, "y": curve(np.exp(dist.logpdf(grid)))}


def _values(body: dict[str, Any]) -> Array:
    return numbers(body, "values", max_len=MAX_ROWS, min_len=1)


def fit(body: dict[str, Any]) -> dict[str, Any]:
    """``th.fit`` of one family by MLE or MAP (a prior per parameter from the catalog)."""
    x = _values(body)
    key = choice(body, "family", list(FAMILIES))
    cls = FAMILIES[key]
    method = choice(body, "method", ("mle", "map"), default="mle")
    prior: dict[str, th.Distribution] | None = None
    if method == "map":
        spec = mapping(body, "prior")
        unknown = sorted(set(spec) - set(cls.param_names()))
        if unknown:
            raise ApiError(
                f"prior names {unknown[0]!r}, not a parameter of {cls.__name__} "
                f"({', '.join(cls.param_names())})"
            )
        prior = {n: _prior(spec[n], f"prior.{n}") for n in cls.param_names() if n in spec}
        if not prior:
            raise ApiError("method 'map' needs a prior on at least one parameter")
    try:
        est = th.fit(cls, x, prior=prior)
    except (ValueError, TypeError) as exc:
        raise ApiError(str(exc)) from None
    out = est.to_dict()
    out["histogram"] = _histogram(x, cls.discrete)
    try:
        out["curve"] = _fitted_curve(est.dist, x, cls.discrete)
    except ValueError as exc:  # an estimate on the boundary is no distribution
        out["curve"] = None
        out["warnings"] = [*out["warnings"], str(exc)]
    out["family_key"] = key
    out["discrete"] = cls.discrete
    return jsonable(out)


def compare(body: dict[str, Any]) -> dict[str, Any]:
    """``th.compare``: several families by MLE, ranked by AIC, AICc or BIC."""
    x = _values(body)
    keys = strings(body, "families", max_len=MAX_COMPARE, min_len=2, item_len=40)
    unknown = [k for k in keys if k not in FAMILIES]
    if unknown:
        raise ApiError(f"unknown family {unknown[0]!r}; families: {', '.join(FAMILIES)}")
    if len(set(keys)) != len(keys):
        raise ApiError("families has a family twice")
    criterion = choice(body, "criterion", ("aic", "aicc", "bic"), default="aic")
    try:
        res = th.compare([FAMILIES[k] for k in keys], x, criterion=criterion)
    except (ValueError, TypeError) as exc:
        raise ApiError(str(exc)) from None
    discrete = all(FAMILIES[k].discrete for k in keys)
    curves = {}
    for name, est in res.estimates.items():
        try:
            curves[name] = _fitted_curve(est.dist, x, FAMILIES[name.lower()].discrete)
        except (ValueError, KeyError):
            continue
    notes = []
    if len({FAMILIES[k].discrete for k in keys}) > 1:
        notes.append("discrete and continuous families mixed: a pmf is not a density")
    return jsonable(
        {
            "criterion": criterion,
            "rows": res.to_dict()["rows"],
            "histogram": _histogram(x, discrete),
            "curves": curves,
            "notes": notes,
        }
    )


def shrink(body: dict[str, Any]) -> dict[str, Any]:
    """``th.shrink`` of binomial groups: successes out of trials, rows summed per group label."""
    k = numbers(body, "successes", max_len=MAX_ROWS)
    n = numbers(body, "trials", max_len=MAX_ROWS)
    if n.size != k.size:
        raise ApiError(f"successes has {k.size} values but trials has {n.size}")
    groups = None
    if body.get("groups") is not None:
        labels = strings(body, "groups", max_len=MAX_ROWS)
        if len(labels) != k.size:
            raise ApiError(f"groups has {len(labels)} labels but successes has {k.size} values")
        groups = np.asarray(labels, dtype=object)
        if len(set(labels)) > MAX_GROUPS:
            raise ApiError(f"there are {len(set(labels))} groups; the limit is {MAX_GROUPS}")
    elif k.size > MAX_GROUPS:
        raise ApiError(f"there are {k.size} groups; the limit is {MAX_GROUPS}")
    level = number(body, "level", low=0.5, high=0.999, default=0.95)
    top = integer(body, "top", low=1, high=MAX_GROUPS, default=30)
    try:
        res = th.shrink(k, n, group=groups, level=level)
    except (ValueError, TypeError) as exc:
        raise ApiError(str(exc)) from None
    cols = res.columns
    rows = [
        {
            "group": str(g),
            "n": cols["n"][i],
            "successes": cols["successes"][i],
            "mle": cols["mle"][i],
            "shrunk": cols["posterior_mean"][i],
            "lower": cols["lower"][i],
            "upper": cols["upper"][i],
            "shrinkage": cols["shrinkage"][i],
        }
        for i, g in enumerate(res.groups.tolist())
    ]
    by_raw = sorted(range(len(rows)), key=lambda i: -np.nan_to_num(rows[i]["mle"], nan=-1.0))
    by_shrunk = sorted(range(len(rows)), key=lambda i: -rows[i]["shrunk"])
    return jsonable(
        {
            "prior": repr(res.prior),
            "prior_mean": float(res.prior.mean()),
            "hyper": res.hyper.params,
            "hyper_se": res.hyper.se,
            "complete_pooling": res.complete_pooling,
            "level": level,
            "rows": rows,
            "top_raw": [rows[i]["group"] for i in by_raw[:top]],
            "top_shrunk": [rows[i]["group"] for i in by_shrunk[:top]],
            "notes": list(res.warnings),
        }
    )
