"""Row expressions and aggregates: the statistics of a family, written once for every engine.

An engine computes *aggregates* (:class:`Agg`) of *row expressions* (:class:`Expr`)
over a table, optionally per group. The expressions are a tiny tree (columns,
constants, ``+ - * /``, ``log``, ``exp``, ``floor``) that each engine
translates into its own language: narwhals expressions for dataframes and SQL
engines (DuckDB, polars lazy, and through narwhals Dask and PySpark), numpy for
in-memory arrays and streamed record batches (:func:`evaluate`). The aggregate
kinds are few and merge exactly across batches or partitions (:func:`merge`):

* ``sum``: the weighted sum ``sum_i w_i e_i`` (``w`` = 1 without weights);
* ``min`` / ``max`` of ``e`` over the rows that carry weight (support checks);
* ``moments``: ``(n, mean, m2)`` with ``m2 = sum w (e - mean)^2`` computed stably
  (the engine's own ``avg``/``var_pop``, a two-level shift, or the two-pass
  method), merged by Chan's formula.

Histograms are aggregates grouped by the value columns as extra keys.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "WEIGHT",
    "Agg",
    "Aggregated",
    "Expr",
    "align",
    "col",
    "evaluate",
    "group_reduce",
    "lit",
    "match_keys",
    "merge",
]

FloatArray = NDArray[np.float64]

#: the name under which an engine exposes the weight column in expressions
WEIGHT = "__weight__"


@dataclass(frozen=True)
class Expr:
    """A row expression: ``op`` applied to ``args`` (``col``: a column name, ``lit``: a number)."""

    op: str
    args: tuple[Any, ...]

    def _bin(self, op: str, other: Any, flip: bool = False) -> Expr:
        o = other if isinstance(other, Expr) else lit(float(other))
        return Expr(op, (o, self) if flip else (self, o))

    def __add__(self, other: Any) -> Expr:
        return self._bin("add", other)

    def __radd__(self, other: Any) -> Expr:
        return self._bin("add", other, True)

    def __sub__(self, other: Any) -> Expr:
        return self._bin("sub", other)

    def __rsub__(self, other: Any) -> Expr:
        return self._bin("sub", other, True)

    def __mul__(self, other: Any) -> Expr:
        return self._bin("mul", other)

    def __rmul__(self, other: Any) -> Expr:
        return self._bin("mul", other, True)

    def __truediv__(self, other: Any) -> Expr:
        return self._bin("div", other)

    def __rtruediv__(self, other: Any) -> Expr:
        return self._bin("div", other, True)

    def log(self) -> Expr:
        """Natural logarithm."""
        return Expr("log", (self,))

    def exp(self) -> Expr:
        """Exponential."""
        return Expr("exp", (self,))

    def lgamma(self) -> Expr:
        """log Gamma (only engines listing ``"lgamma"`` in their ``functions`` run it)."""
        return Expr("lgamma", (self,))

    def floor(self) -> Expr:
        """The largest integer not above (engines listing ``"floor"`` in ``functions``)."""
        return Expr("floor", (self,))

    def columns(self) -> set[str]:
        """The columns the expression reads."""
        if self.op == "col":
            return {self.args[0]}
        if self.op == "lit":
            return set()
        out: set[str] = set()
        for a in self.args:
            out |= a.columns()
        return out

    def translate(self, column: Callable[[str], Any], literal: Callable[[float], Any]) -> Any:
        """The expression in another language: ``column(name)`` and ``literal(v)`` give the
        leaves; the operators and ``.log()``/``.exp()`` of the result build the rest."""
        if self.op == "col":
            return column(self.args[0])
        if self.op == "lit":
            return literal(self.args[0])
        a = [x.translate(column, literal) for x in self.args]
        if self.op == "add":
            return a[0] + a[1]
        if self.op == "sub":
            return a[0] - a[1]
        if self.op == "mul":
            return a[0] * a[1]
        if self.op == "div":
            return a[0] / a[1]
        return getattr(a[0], self.op)()


def col(name: str) -> Expr:
    """The column ``name`` (a row expression).

    Examples
    --------
    >>> import numpy as np
    >>> e = (col("x") - 1.0).log()
    >>> sorted(e.columns())
    ['x']
    >>> evaluate(e, {"x": np.array([2.0, np.e + 1.0])}).round(12).tolist()
    [0.0, 1.0]
    """
    return Expr("col", (name,))


def lit(value: float) -> Expr:
    """A constant (a row expression).

    Examples
    --------
    >>> import numpy as np
    >>> evaluate(lit(2.0) * col("x"), {"x": np.array([1.0, 3.0])}).tolist()
    [2.0, 6.0]
    """
    return Expr("lit", (float(value),))


@dataclass(frozen=True)
class Agg:
    """An aggregate of a row expression: ``kind`` in ``sum``, ``min``, ``max``, ``moments``.

    ``centre`` (moments only) is a value near the mean (a two-level shift: the
    engine aggregates ``e - centre``, so no digits cancel when the mean is large
    relative to the spread); the result's mean includes it back.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([1.0, 2.0, 3.0, 10.0])
    >>> out = group_reduce({"s": Agg("sum", col("x")), "m": Agg("moments", col("x"))},
    ...                    {"x": x}, np.array([0, 0, 1, 1]), 2, None, 4)
    >>> out["s"].tolist(), out["m.mean"].tolist(), out["m.m2"].tolist()
    ([3.0, 13.0], [1.5, 6.5], [0.5, 24.5])
    """

    kind: str
    expr: Expr
    centre: float = 0.0


@dataclass
class Aggregated:
    """Aggregates per group: ``keys`` (name -> one value per group) and ``values``
    (aggregate name -> array; a ``moments`` aggregate ``m`` gives ``m.n``, ``m.mean``,
    ``m.m2``). Without keys there is one group."""

    keys: dict[str, NDArray[Any]]
    values: dict[str, FloatArray]
    size: int = field(default=0)

    def __post_init__(self) -> None:
        if not self.size:
            first = next(iter(self.values.values()), None)
            self.size = 0 if first is None else int(np.asarray(first).shape[0])


# ------------------------------------------------------------------ numpy evaluation
_NUMPY_UNARY: dict[str, Callable[[FloatArray], FloatArray]] = {"log": np.log, "exp": np.exp}


class _Num:
    """numpy arrays with ``.log()``/``.exp()`` so :meth:`Expr.translate` evaluates them."""

    def __init__(self, a: Any) -> None:
        self.a = a

    def __add__(self, o: _Num) -> _Num:
        return _Num(self.a + o.a)

    def __sub__(self, o: _Num) -> _Num:
        return _Num(self.a - o.a)

    def __mul__(self, o: _Num) -> _Num:
        return _Num(self.a * o.a)

    def __truediv__(self, o: _Num) -> _Num:
        return _Num(self.a / o.a)

    def log(self) -> _Num:
        return _Num(np.log(self.a))

    def exp(self) -> _Num:
        return _Num(np.exp(self.a))

    def lgamma(self) -> _Num:
        from scipy import special as sc

        return _Num(sc.gammaln(self.a))

    def floor(self) -> _Num:
        return _Num(np.floor(self.a))


def evaluate(expr: Expr, columns: Mapping[str, FloatArray], m: int | None = None) -> FloatArray:
    """The expression on in-memory columns (numpy arrays of ``m`` rows)."""
    if m is None:
        m = len(next(iter(columns.values())))
    with np.errstate(all="ignore"):
        out = expr.translate(lambda c: _Num(columns[c]), lambda v: _Num(v)).a
    return np.broadcast_to(np.asarray(out, dtype=float), (m,))


def group_reduce(
    aggs: Mapping[str, Agg],
    columns: Mapping[str, FloatArray],
    codes: NDArray[np.intp] | None,
    size: int,
    weights: FloatArray | None,
    m: int,
    counts: NDArray[np.intp] | None = None,
) -> dict[str, FloatArray]:
    """Every aggregate per group of ``codes`` (0..size-1; None: one group), vectorised
    with ``np.bincount`` (moments by the exact two-pass method per group).
    ``counts`` (optional, unweighted only): the rows per group, already counted."""
    if codes is None:
        codes = np.zeros(m, dtype=np.intp)
    w = weights
    if counts is not None and w is None:
        nw = np.asarray(counts, dtype=float)
    else:
        nw = _bincount(codes, w, size)
    # the rows that count for extremes (weight > 0); all of them unweighted, without
    # the copies a mask of all True would make of the codes and every expression
    live = None if w is None else w > 0
    out: dict[str, FloatArray] = {}
    for name, agg in aggs.items():
        if agg.kind == "sum" and agg.expr.op == "lit":
            out[name] = nw * float(agg.expr.args[0])  # a count: no second bincount
            continue
        e = evaluate(agg.expr, columns, codes.shape[0])
        with np.errstate(all="ignore"):
            if agg.kind == "sum":
                out[name] = _bincount(codes, e if w is None else w * e, size)
            elif agg.kind in ("min", "max"):
                if live is None:
                    out[name] = _extremes(agg.kind, codes, e, size)
                else:
                    out[name] = _extremes(agg.kind, codes[live], e[live], size)
            elif agg.kind == "moments":
                d = e - agg.centre
                s1 = _bincount(codes, d if w is None else w * d, size)
                mean_d = s1 / nw
                r = d - mean_d[codes]
                m2 = _bincount(codes, r * r if w is None else w * r * r, size)
                out[f"{name}.n"] = nw
                out[f"{name}.mean"] = agg.centre + mean_d
                out[f"{name}.m2"] = m2
            else:
                raise ValueError(f"unknown aggregate kind {agg.kind!r}")
    return out


def _extremes(kind: str, codes: NDArray[np.intp], e: FloatArray, size: int) -> FloatArray:
    """The least (``kind="min"``) or greatest value of ``e`` per group of ``codes``; +inf
    or -inf for a group without rows, NaN for a group holding a NaN.

    Through pandas' grouped reduction where pandas is loaded and ``e`` holds no NaN:
    ``np.minimum.at`` took 0.15-0.36 s per 3.1e6 rows of a Dask partition's values where
    pandas took 0.02 s (measured on the workers and on the client; the cause, some
    dependence of ``ufunc.at`` on the values, was not found). Extremes are exact either way.
    """
    fill = np.inf if kind == "min" else -np.inf
    pd = sys.modules.get("pandas")
    if pd is not None and codes.shape[0] > 4096 and not np.isnan(e).any():
        cat = pd.Categorical.from_codes(codes, categories=pd.RangeIndex(size), validate=False)
        grouped = pd.Series(e, copy=False).groupby(cat, observed=False)
        found = (grouped.min() if kind == "min" else grouped.max()).to_numpy(dtype=float)
        if found.shape[0] == size:
            return np.where(np.isnan(found), fill, found)  # NaN here: a group without rows
    acc = np.full(size, fill)
    # a NaN anywhere in the group shows (np.minimum.at propagates NaN)
    (np.minimum if kind == "min" else np.maximum).at(acc, codes, e)
    return acc


def _bincount(codes: NDArray[np.intp], w: FloatArray | None, size: int) -> FloatArray:
    return np.asarray(np.bincount(codes, weights=w, minlength=size), dtype=float)


def merge(aggs: Mapping[str, Agg], a: Aggregated, b: Aggregated) -> Aggregated:
    """The aggregates of two disjoint pieces of a table, merged by key (batches,
    partitions): sums add, extremes compare, moments merge by Chan's formula.

    Examples
    --------
    >>> import numpy as np
    >>> aggs = {"m": Agg("moments", col("x"))}
    >>> a = Aggregated({}, group_reduce(aggs, {"x": np.array([1.0, 2.0])}, None, 1, None, 2))
    >>> b = Aggregated({}, group_reduce(aggs, {"x": np.array([3.0, 10.0])}, None, 1, None, 2))
    >>> m = merge(aggs, a, b).values
    >>> float(m["m.n"][0]), float(m["m.mean"][0]), float(m["m.m2"][0])
    (4.0, 4.0, 50.0)
    """
    if a.size == 0:
        return b
    if b.size == 0:
        return a
    names = list(a.keys)
    if names:
        ka = list(zip(*(a.keys[k].tolist() for k in names), strict=True))
        kb = list(zip(*(b.keys[k].tolist() for k in names), strict=True))
        index = {k: i for i, k in enumerate(ka)}
        new = [k for k in kb if k not in index]
        for k in new:
            index[k] = len(index)
        size = len(index)
        ia = np.arange(a.size)
        ib = np.array([index[k] for k in kb], dtype=np.intp)
        allk = ka + new
        keys = {
            n: np.array([k[j] for k in allk], dtype=a.keys[n].dtype if not new else object)
            for j, n in enumerate(names)
        }
        keys = {n: _tidy(v) for n, v in keys.items()}
    else:
        size, ia, ib, keys = 1, np.zeros(1, dtype=np.intp), np.zeros(1, dtype=np.intp), {}

    def spread(v: FloatArray, idx: NDArray[np.intp], fill: float) -> FloatArray:
        out = np.full(size, fill)
        out[idx] = v
        return out

    values: dict[str, FloatArray] = {}
    for name, agg in aggs.items():
        if agg.kind == "sum":
            values[name] = spread(a.values[name], ia, 0.0) + spread(b.values[name], ib, 0.0)
        elif agg.kind in ("min", "max"):
            fill = math.inf if agg.kind == "min" else -math.inf
            f = np.fmin if agg.kind == "min" else np.fmax
            values[name] = f(spread(a.values[name], ia, fill), spread(b.values[name], ib, fill))
        else:
            na, nb = (spread(x.values[f"{name}.n"], i, 0.0) for x, i in ((a, ia), (b, ib)))
            ma, mb = (spread(x.values[f"{name}.mean"], i, 0.0) for x, i in ((a, ia), (b, ib)))
            qa, qb = (spread(x.values[f"{name}.m2"], i, 0.0) for x, i in ((a, ia), (b, ib)))
            n = na + nb
            with np.errstate(all="ignore"):
                frac = np.where(n > 0, nb / np.where(n > 0, n, 1.0), 0.0)
                d = mb - ma
                values[f"{name}.n"] = n
                values[f"{name}.mean"] = np.where(na > 0, ma + d * frac, mb)
                values[f"{name}.m2"] = qa + qb + np.where(na * nb > 0, d * d * na * frac, 0.0)
    return Aggregated(keys, values, size)


def _tidy(v: NDArray[Any]) -> NDArray[Any]:
    """An object array of keys back to a numeric dtype where its values allow."""
    if v.dtype != object:
        return v
    try:
        if all(isinstance(x, int | np.integer) and not isinstance(x, bool) for x in v):
            return v.astype(np.int64)
        if all(isinstance(x, float | int | np.number) for x in v):
            return v.astype(float)
    except (TypeError, ValueError):
        pass
    return v


def key_tuples(keys: Mapping[str, NDArray[Any]], names: Sequence[str]) -> list[tuple[Any, ...]]:
    """The group keys as tuples of plain Python values, in group order."""
    cols = [np.asarray(keys[n]).tolist() for n in names]
    return list(zip(*cols, strict=True)) if cols else [()]


def align(out: Aggregated, keys: Mapping[str, NDArray[Any]], names: Sequence[str]) -> Aggregated:
    """The aggregates ``out`` in the group order of ``keys`` (engines may return groups in
    any order)."""
    if not names:
        return out
    pos = match_keys(out.keys, keys, names)
    return Aggregated(dict(keys), {k: v[pos] for k, v in out.values.items()}, pos.shape[0])


def match_keys(
    table: Mapping[str, NDArray[Any]], rows: Mapping[str, NDArray[Any]], names: Sequence[str]
) -> NDArray[np.intp]:
    """For each row of ``rows``, the position of its key in ``table`` (vectorised: the
    keys are coded jointly with ``np.unique``, then looked up by binary search).

    Examples
    --------
    >>> import numpy as np
    >>> match_keys({"g": np.array(["b", "a"])}, {"g": np.array(["a", "a", "b"])}, ["g"])
    array([1, 1, 0])
    """
    m = len(table[names[0]])
    code_t = np.zeros(m, dtype=np.int64)
    code_r = np.zeros(len(rows[names[0]]), dtype=np.int64)
    for name in names:
        a, b = np.asarray(table[name]), np.asarray(rows[name])
        both = np.concatenate([a, b]) if a.dtype == b.dtype else np.concatenate(
            [a.astype(object), b.astype(object)])  # fmt: skip
        try:
            uniq, inv = np.unique(both, return_inverse=True)
        except TypeError:
            uniq, inv = np.unique(both.astype(str), return_inverse=True)
        inv = inv.reshape(-1)
        code_t = code_t * uniq.shape[0] + inv[:m]
        code_r = code_r * uniq.shape[0] + inv[m:]
    order = np.argsort(code_t, kind="stable")
    found = np.searchsorted(code_t[order], code_r)
    found = np.minimum(found, m - 1)
    if not np.array_equal(code_t[order][found], code_r):
        raise KeyError("a key of the rows is not among the table's groups")
    return np.asarray(order[found], dtype=np.intp)
