"""``shrink`` of a Dask or Spark DataFrame: the groups' sums computed on the cluster.

With ``group=`` the rows are summed per group in one aggregate pass of the
frame's engine (:mod:`thetahat.statistics.engines`: a Dask tree reduction, a
Spark ``groupBy().agg``): successes and trials, counts and exposure, or for
Normal estimates the precision-weighted sums; the same pass carries the checks
the in-memory input makes row by row (nulls, negative or non-whole counts,
successes above trials, standard errors <= 0), so only one row per group reaches
the client, where the empirical-Bayes fit runs as for arrays. Without ``group=``
every row is a group: the two columns are brought to the client.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..statistics.engines import Agg, col, lit
from ._input import MAX_COUNT

__all__ = ["cluster_groups"]

FloatArray = NDArray[np.float64]


def cluster_groups(
    kind: str,
    frame: Any,
    first: str,
    second: str | None,
    group: str | None,
) -> tuple[Any, Any, Any]:
    """``(first, second, labels)`` for ``shrink``: per-group sums with ``group`` (then
    ``labels`` are the groups and ``second`` may carry the row counts under
    ``"rows"``), else the columns themselves (``labels`` None).

    Examples
    --------
    >>> import pandas as pd, dask.dataframe as dd
    >>> df = pd.DataFrame({"k": [1, 0, 2, 3], "n": [2, 1, 4, 5], "g": ["a", "a", "b", "b"]})
    >>> out = cluster_groups("binomial", dd.from_pandas(df, npartitions=2), "k", "n", "g")
    >>> out[0].tolist(), out[1]["second"].tolist(), out[2].tolist()
    ([1.0, 5.0], [3.0, 9.0], ['a', 'b'])
    """
    from ..statistics.engines.frame import as_engine

    roles = {"a": first, **({"b": second} if second is not None else {})}
    keys = ["_by0"] if group is not None else []
    if group is not None:
        roles["_by0"] = group
    engine = as_engine(frame, roles, keys)
    for role in roles:
        if role not in keys and engine.kind(role) == "other":
            raise TypeError(f"column {roles[role]!r} is not numeric: convert it first")
    checked: dict[str, int] = {}

    def check(counts: dict[str, int]) -> None:
        checked.update(counts)
        bad = {c: n for c, n in counts.items() if n}
        if bad:
            text = ", ".join(f"{n} in column {roles[c]!r}" for c, n in bad.items())
            raise ValueError(f"the data hold nulls or NaN ({text}); drop those rows first")

    defer = getattr(engine, "defer_nulls", None)
    if defer is None or not defer(check):
        check(engine.null_counts(list(roles)))
    if group is None:
        cols: list[str] = [c for c in ("a", "b") if c in roles]
        data = _fetch(engine, cols)
        return data["a"], data.get("b"), None
    a, b = col("a"), col("b")
    aggs = {"rows": Agg("sum", lit(1.0)), "a_lo": Agg("min", a), "a_hi": Agg("max", a)}
    if kind == "normal":
        prec = lit(1.0) / (b * b)
        aggs |= {"wsum": Agg("sum", prec), "wa": Agg("sum", prec * a), "b_lo": Agg("min", b)}
    else:
        aggs |= {"total": Agg("sum", a), "a_frac": Agg("max", a - a.floor())}
        if second is not None:
            aggs |= {"second": Agg("sum", b), "b_lo": Agg("min", b), "b_hi": Agg("max", b)}
            if kind == "binomial":
                aggs |= {"over": Agg("max", a - b), "b_frac": Agg("max", b - b.floor())}
        elif kind == "binomial":  # every row one trial
            aggs["over"] = Agg("max", a - lit(1.0))
    out = engine.aggregate(aggs, keys)
    if out.size == 0:
        raise ValueError("the data have no rows: shrinkage needs groups")
    v = out.values
    labels = np.asarray(out.keys["_by0"])
    order = _order(labels)
    v = {k: np.asarray(x, dtype=float)[order] for k, x in v.items()}
    labels = labels[order]
    _check(kind, v, labels, first, second)
    if kind == "normal":
        return v["wa"] / v["wsum"], {"second": 1.0 / np.sqrt(v["wsum"]), "rows": v["rows"]}, labels
    return (
        v["total"],
        {"second": v.get("second", v["rows"]), "rows": v["rows"]},
        labels,
    )


def _fetch(engine: Any, cols: list[str]) -> dict[str, FloatArray]:
    fetch = getattr(engine, "fetch", None)
    if fetch is not None:
        return {c: np.asarray(x, dtype=float) for c, x in fetch(cols).items()}
    parts = list(engine.batches(cols))
    return {c: np.concatenate([np.asarray(p[c], dtype=float) for p in parts]) for c in cols}


def _order(labels: NDArray[Any]) -> NDArray[np.intp]:
    """Groups sorted by label (engines return them in any order)."""
    try:
        return np.argsort(labels, kind="stable")
    except TypeError:
        return np.argsort(labels.astype(str), kind="stable")


def _check(
    kind: str, v: dict[str, FloatArray], labels: NDArray[Any], first: str, second: str | None
) -> None:
    """The row checks of the in-memory input, from the groups' extremes."""

    def fail(name: str, i: int, what: str) -> None:
        label = labels[i].item() if isinstance(labels[i], np.generic) else labels[i]
        raise ValueError(f"{name} {what} in group {label!r}")

    def bad(mask: Any) -> int | None:
        hit = np.flatnonzero(mask)
        return int(hit[0]) if hit.size else None

    checks: list[tuple[str, Any, str]] = [
        (first, ~np.isfinite(v["a_lo"]) | ~np.isfinite(v["a_hi"]), "holds infinite values")
    ]
    if kind == "normal":
        checks.append((str(second), ~(v["b_lo"] > 0), "must be > 0: a standard error <= 0"))
    else:
        checks += [
            (first, v["a_lo"] < 0, "must be non-negative whole numbers: a negative value"),
            (first, v["a_frac"] > 0, "must be non-negative whole numbers: a fraction"),
            (first, v["a_hi"] > MAX_COUNT, "must be whole numbers up to 2**53"),
        ]
        if "second" in v:
            checks.append((str(second), v["b_lo"] < 0, "must be >= 0: a negative value"))
        if kind == "binomial" and "second" in v:
            checks += [
                (str(second), v["b_frac"] > 0, "must be whole numbers: a fraction"),
                (str(second), v["b_hi"] > MAX_COUNT, "must be whole numbers up to 2**53"),
            ]
        if kind == "binomial":
            what = f"exceeds {second} in a row" if second else "exceeds 1 (one trial per row)"
            checks.append((first, v["over"] > 0, what))
    for name, mask, what in checks:
        i = bad(mask)
        if i is not None:
            fail(name, i, what)
