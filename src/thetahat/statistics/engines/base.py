"""The engine interface: how a table that may live elsewhere computes statistics.

An :class:`Engine` is a table with named columns that answers three questions;
:class:`~thetahat.statistics.engines.source.TableSource` turns the answers into
a family's statistics (ungrouped or per group) through the family's
:class:`~thetahat.statistics.engines.plans.Plan`:

``aggregate(aggs, keys, params=None)``
    One pass over the table: every :class:`~.expr.Agg` per group of the ``keys``
    columns (none: one group). ``params`` (optional) holds per-group constants
    used as columns in the expressions (an iterative family's current parameters
    for every group at once); the engine joins them by key. Returns
    :class:`~.expr.Aggregated`.
``arrays(columns)``
    The columns as float64 numpy arrays, or None when the engine cannot hold
    them (a database, a file larger than memory). Where it can, statistics are
    computed by the in-memory reducers, so every path agrees to rounding.
``batches(columns)``
    The columns as an iterator of numpy record batches (constant memory), or
    None. Sources that stream (files, partitions) implement this; their
    statistics are merged with ``+`` (:mod:`thetahat.statistics.sufficient`).

plus ``columns`` (names), ``kind(name)`` (``"numeric"``, ``"boolean"`` or
``"other"``), ``nrows()`` (the number of rows), ``null_counts(columns)`` and
``drop_nulls(columns)``, ``where(values)`` (the rows of one group) and
``head_mean(expr)`` (the mean of an expression over a few rows: the centre of a
two-level shift). Engines work on *role* names (``x``, ``n``, ``exposure``,
:data:`~.expr.WEIGHT`, group keys) that the source chose; they rename the
user's columns once when created.

Optionally ``defer_nulls(check) -> bool``: the engine counts the nulls of every
column within each aggregate query and calls ``check(counts)`` (which raises for
any), saving the separate null-counting pass (``nulls="error"``). Optional flags:
``reports_empty`` (an ungrouped aggregate of an empty table returns no group, so
no row count is asked first) and ``exact_moments`` (``moments`` aggregates are
exact without a shift from the caller: no head mean, no per-group centring pass).

A new engine (Dask, Spark, a database without narwhals support) implements this
protocol; everything after it (plans, grouped fits, ``FitTable``) is shared.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from .expr import Agg, Aggregated, Expr, evaluate, group_reduce

__all__ = ["ArrayEngine", "Engine", "NoPerGroupConstants", "factorize_keys"]


class NoPerGroupConstants(Exception):
    """An engine cannot take per-group constants for this many groups in one query:
    the caller falls back to another route (fetching the data, or the engine's own
    var_pop), never to a partial result."""


FloatArray = NDArray[np.float64]


@runtime_checkable
class Engine(Protocol):
    """A table that computes aggregates where its data live (see the module docstring).

    Examples
    --------
    >>> import numpy as np
    >>> isinstance(ArrayEngine({"x": np.ones(3)}, {"x": "numeric"}), Engine)
    True
    """

    columns: tuple[str, ...]

    def kind(self, name: str) -> str:
        """``"numeric"``, ``"boolean"`` or ``"other"``."""
        ...

    def nrows(self) -> int:
        """The number of rows."""
        ...

    def null_counts(self, columns: Sequence[str]) -> dict[str, int]:
        """The number of nulls (and NaN in float columns) in each column."""
        ...

    def drop_nulls(self, columns: Sequence[str]) -> Engine:
        """The rows without a null in any of ``columns``."""
        ...

    def where(self, values: Mapping[str, Any]) -> Engine:
        """The rows whose key columns equal ``values``."""
        ...

    def head_mean(self, expr: Expr) -> float:
        """The mean of ``expr`` over a few rows (NaN when there are none)."""
        ...

    def aggregate(
        self,
        aggs: Mapping[str, Agg],
        keys: Sequence[str],
        params: Aggregated | None = None,
    ) -> Aggregated:
        """One pass: the aggregates per group of ``keys``."""
        ...

    def arrays(self, columns: Sequence[str]) -> dict[str, NDArray[Any]] | None:
        """The columns in memory, or None."""
        ...

    def batches(self, columns: Sequence[str]) -> Iterator[dict[str, NDArray[Any]]] | None:
        """The columns batch by batch, or None."""
        ...


def factorize_keys(
    cols: Sequence[NDArray[Any]],
) -> tuple[NDArray[np.intp], list[NDArray[Any]]]:
    """Group codes (first appearance order) and the unique key values per column.

    Examples
    --------
    >>> import numpy as np
    >>> codes, keys = factorize_keys([np.array(["b", "a", "b"]), np.array([1, 1, 1])])
    >>> codes.tolist(), keys[0].tolist(), keys[1].tolist()
    ([0, 1, 0], ['b', 'a'], [1, 1])
    """
    m = cols[0].shape[0]
    if len(cols) == 1 and m:
        found = _int_codes(np.asarray(cols[0]))
        if found is not None:
            return found
    if len(cols) == 1 and "pandas" in sys.modules and m:
        # one key: pandas' hash table, O(n), where np.unique sorts (measured: 16
        # partitions of 125,000 rows with 10^4 groups, 0.9 s of sorting -> 0.1 s);
        # the same codes, in first-appearance order
        arr = np.asarray(cols[0])
        codes_pd, _ = sys.modules["pandas"].factorize(arr, sort=False, use_na_sentinel=False)
        codes = np.asarray(codes_pd, dtype=np.intp)
        firsts = np.empty(int(codes.max()) + 1, dtype=np.intp)
        firsts[codes[::-1]] = np.arange(m - 1, -1, -1, dtype=np.intp)  # the first wins
        return codes, [arr[firsts]]
    codes = np.zeros(m, dtype=np.intp)
    uniq_rows: list[NDArray[Any]] = []
    for c in cols:
        arr = np.asarray(c)
        try:
            u, first, inv = np.unique(arr, return_index=True, return_inverse=True)
        except TypeError:  # mixed objects: compare as strings
            u, first, inv = np.unique(arr.astype(str), return_index=True, return_inverse=True)
        # renumber in order of first appearance
        order = np.argsort(first, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(order.shape[0])
        codes = codes * u.shape[0] + rank[inv.reshape(-1)]
        uniq_rows.append(arr)
    # compress the combined codes, first-appearance order
    u, first, inv = np.unique(codes, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.shape[0])
    final = rank[inv.reshape(-1)].astype(np.intp)
    firsts = first[order]
    return final, [np.asarray(c)[firsts] for c in uniq_rows]


def _int_codes(arr: NDArray[Any]) -> tuple[NDArray[np.intp], list[NDArray[Any]]] | None:
    """:func:`factorize_keys` of one integer key over a range not much wider than the
    rows (``value - min`` indexes the groups directly: no hashing, no sort), or None.

    The first appearance of each value comes from a prefix of the rows, doubled until
    every value present has been seen (the whole column at worst): with 10^5 groups
    over 10^7 rows that is a few times 10^5 rows, where hashing every row with
    pandas' factorize cost 0.5 s of CPU (benchmarks/engines.py (c)).
    """
    found = _int_bins(arr)
    if found is None:
        return None
    raw, order, counts, key = found
    rank = np.empty(counts.shape[0], dtype=np.intp)
    rank[order] = np.arange(order.shape[0], dtype=np.intp)
    return rank[raw], [key]


def _int_bins(
    arr: NDArray[Any],
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp], NDArray[Any]] | None:
    """One integer key over a narrow range as bins ``value - min``: the bins, the bins
    present in first-appearance order, the rows per bin and the key values in that
    order; None for another key (see :func:`_int_codes`)."""
    if arr.dtype.kind not in "iu" or arr.ndim != 1 or arr.shape[0] == 0:
        return None
    m = arr.shape[0]
    lo, hi = int(arr.min()), int(arr.max())
    span = hi - lo + 1
    if span > 4 * m + 1024:
        return None  # a sparse range: the hash table
    if lo == 0 and arr.dtype == np.intp:
        raw = arr  # the values index the groups as they are: no copy
    else:
        raw = (arr - arr.dtype.type(lo)).astype(np.intp, copy=False)
    counts = np.bincount(raw, minlength=span)
    present = np.flatnonzero(counts)
    k = present.shape[0]
    end = min(m, 4 * k)
    while True:
        first = np.full(span, m, dtype=np.intp)
        first[raw[:end][::-1]] = np.arange(end - 1, -1, -1, dtype=np.intp)  # the first wins
        if end == m or bool(np.all(first[present] < m)):
            break
        end = min(m, 2 * end)
    order = present[np.argsort(first[present], kind="stable")]
    return raw, order, counts, arr[first[order]]


class FrameEngine:
    """What the engines over one dataframe object (narwhals, Dask, Spark) hold alike:
    the frame, the columns' kinds, the group keys and the null check they run inside
    their aggregate passes (``defer_nulls``); ``_with`` is the same engine on another
    frame (a filtered one)."""

    def __init__(
        self,
        frame: Any,
        kinds: Mapping[str, str],
        keys: Sequence[str] = (),
        null_check: Callable[[dict[str, int]], None] | None = None,
    ) -> None:
        self.frame = frame
        self.kinds = dict(kinds)
        self.keys = tuple(keys)
        self.columns = tuple(kinds)
        self.null_check = null_check

    def defer_nulls(self, check: Callable[[dict[str, int]], None]) -> bool:
        """Count the nulls of every column within each aggregate pass (no pass of its
        own) and hand the counts to ``check``, which raises when there are any."""
        self.null_check = check
        return True

    def kind(self, name: str) -> str:
        return self.kinds[name]

    def _with(self, frame: Any) -> Any:
        return type(self)(frame, self.kinds, self.keys, self.null_check)


class ArrayEngine:
    """In-memory columns (numpy arrays, eager dataframes): the reference engine.

    Examples
    --------
    >>> import numpy as np
    >>> from thetahat.statistics.engines import Agg, col
    >>> eng = ArrayEngine({"x": np.array([1.0, 2.0, 4.0]), "g": np.array(["a", "b", "a"])},
    ...                   {"x": "numeric", "g": "other"}, keys=["g"])
    >>> out = eng.aggregate({"total": Agg("sum", col("x"))}, ["g"])
    >>> out.keys["g"].tolist(), out.values["total"].tolist()
    (['a', 'b'], [5.0, 2.0])
    """

    def __init__(
        self, data: Mapping[str, NDArray[Any]], kinds: Mapping[str, str], keys: Sequence[str] = ()
    ) -> None:
        self.data = dict(data)
        self.kinds = dict(kinds)
        self.keys = tuple(keys)
        self.columns = tuple(self.data)

    def kind(self, name: str) -> str:
        return self.kinds[name]

    def nrows(self) -> int:
        return int(next(iter(self.data.values())).shape[0]) if self.data else 0

    def _null(self, name: str) -> NDArray[np.bool_]:
        v = self.data[name]
        if v.dtype.kind == "f":
            return np.isnan(v)
        if v.dtype.kind == "M":
            return np.isnat(v)
        if v.dtype == object:
            return np.array([x is None or (isinstance(x, float) and x != x) for x in v])
        return np.zeros(v.shape[0], dtype=bool)

    def null_counts(self, columns: Sequence[str]) -> dict[str, int]:
        return {c: int(self._null(c).sum()) for c in columns}

    def drop_nulls(self, columns: Sequence[str]) -> ArrayEngine:
        bad = np.zeros(self.nrows(), dtype=bool)
        for c in columns:
            bad |= self._null(c)
        return ArrayEngine({k: v[~bad] for k, v in self.data.items()}, self.kinds, self.keys)

    def where(self, values: Mapping[str, Any]) -> ArrayEngine:
        keep = np.ones(self.nrows(), dtype=bool)
        for k, v in values.items():
            keep &= self.data[k] == v
        return ArrayEngine({k: a[keep] for k, a in self.data.items()}, self.kinds, self.keys)

    def head_mean(self, expr: Expr) -> float:
        head = {
            k: np.asarray(v[:64], dtype=float) for k, v in self.data.items() if k in expr.columns()
        }
        if not head or next(iter(head.values())).shape[0] == 0:
            return float("nan")
        return float(np.mean(evaluate(expr, head)))

    def aggregate(
        self,
        aggs: Mapping[str, Agg],
        keys: Sequence[str],
        params: Aggregated | None = None,
    ) -> Aggregated:
        return aggregate_arrays(self.data, aggs, keys, params)

    def arrays(self, columns: Sequence[str]) -> dict[str, NDArray[Any]]:
        return {c: self.data[c] for c in columns}

    def batches(self, columns: Sequence[str]) -> Iterator[dict[str, NDArray[Any]]]:
        yield self.arrays(columns)


def aggregate_arrays(
    data: Mapping[str, NDArray[Any]],
    aggs: Mapping[str, Agg],
    keys: Sequence[str],
    params: Aggregated | None = None,
) -> Aggregated:
    """:meth:`Engine.aggregate` of in-memory columns (also each batch of a stream).

    Examples
    --------
    >>> import numpy as np
    >>> from thetahat.statistics.engines import Agg, col
    >>> out = aggregate_arrays({"x": np.array([1.0, 3.0])}, {"hi": Agg("max", col("x"))}, [])
    >>> out.values["hi"].tolist()
    [3.0]
    """
    from .expr import WEIGHT

    needed: set[str] = set()
    for a in aggs.values():
        needed |= a.expr.columns()
    m = int(next(iter(data.values())).shape[0]) if data else 0
    if m == 0:
        return Aggregated({k: np.asarray(data[k][:0]) for k in keys}, {}, 0)
    w = np.asarray(data[WEIGHT], dtype=float) if WEIGHT in data else None
    if len(keys) == 1 and params is None:
        binned = _int_bins(np.asarray(data[keys[0]]))
        if binned is not None:
            # one integer key over a narrow range: reduce by ``value - min`` directly and
            # keep the present values in first-appearance order afterwards (the same sums,
            # row by row per group, without renumbering every row)
            raw, order, counts, key = binned
            cols = {c: np.asarray(data[c], dtype=float) for c in needed if c in data}
            found = group_reduce(aggs, cols, raw, counts.shape[0], w, m, counts)
            return Aggregated({keys[0]: key}, {k: v[order] for k, v in found.items()}, order.size)
    if keys:
        codes, uniq = factorize_keys([np.asarray(data[k]) for k in keys])
        size = uniq[0].shape[0]
        key_arrays = dict(zip(keys, uniq, strict=True))
    else:
        codes, size, key_arrays = None, 1, {}
    columns = {c: np.asarray(data[c], dtype=float) for c in needed if c in data}
    if params is not None:
        # per-group constants, joined by key
        if keys:
            index = {k: i for i, k in enumerate(_tuples(params.keys, keys))}
            mine = _tuples(key_arrays, keys)
            pos = np.array([index[k] for k in mine], dtype=np.intp)
        else:
            pos = np.zeros(1, dtype=np.intp)
        at = codes if codes is not None else np.zeros(m, dtype=np.intp)
        for name, v in params.values.items():
            columns[name] = np.asarray(v, dtype=float)[pos][at]
    values = group_reduce(aggs, columns, codes, size, w, m)
    return Aggregated(key_arrays, values, size)


def _tuples(keys: Mapping[str, NDArray[Any]], names: Sequence[str]) -> list[tuple[Any, ...]]:
    return list(zip(*(np.asarray(keys[n]).tolist() for n in names), strict=True))
