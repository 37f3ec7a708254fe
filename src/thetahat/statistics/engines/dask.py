"""Dask: a family's statistics computed partition by partition on the cluster.

:class:`DaskSource` wraps a Dask array, Series or DataFrame column. Its
``statistics`` maps the in-memory entry point
(:func:`~thetahat.statistics.statistics_of`, the same reducer and validation as
for a NumPy array) over the partitions on the workers and folds the per-partition
statistics with ``+`` in a tree (``SPLIT_EVERY`` at a time, as Dask's own
reductions do); only the statistics, a few numbers per partition, travel to the
client. Nothing is computed before the call, and the data are read once (call
``persist()`` first to keep them in cluster memory across calls).

Requires the ``dask`` extra (``pip install "thetahat[dask]"``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..._optional import require
from ..source import Statistics, statistics_of
from .base import FrameEngine
from .cluster import pick_column
from .expr import Agg, Aggregated, Expr, evaluate, merge

__all__ = ["SPLIT_EVERY", "DaskEngine", "DaskSource", "dask_engine", "partitions_of", "tree_reduce"]

#: statistics merged per task of the tree reduction (Dask's own default for reductions)
SPLIT_EVERY = 8


class DaskSource:
    """A Dask collection as a :class:`~thetahat.statistics.Source`.

    Parameters
    ----------
    data : dask.array.Array, dask.dataframe.Series or dask.dataframe.DataFrame
        One-dimensional data (a DataFrame: the column ``column``, or its only column).
    column : str, optional
        The column of a DataFrame to fit.

    Notes
    -----
    ``weights`` and per-observation inputs (``exposure``, Binomial's trials) passed
    to the fit may be Dask collections partitioned like ``data`` (columns of the
    same DataFrame, or arrays, which are rechunked to ``data``'s chunks), scalars,
    or column names of ``data``'s DataFrame. A partition with no rows contributes
    ``SuffStats.zero()``, the identity of ``+``.

    Examples
    --------
    >>> import dask.array as da
    >>> import thetahat as th
    >>> x = da.from_array(np.arange(1.0, 9.0), chunks=3)
    >>> th.fit(th.Normal, x).params["mu"]
    4.5
    """

    def __init__(self, data: Any, column: str | None = None) -> None:
        require("dask", "dask")
        self.frame = data if _is_frame(data) else None
        self.column = column
        self.data = _column(data, column)

    def statistics(self, family: Any, weights: Any, obs: Mapping[str, Any]) -> Statistics:
        """The statistics of the data for ``family``: one distributed pass.

        Examples
        --------
        >>> import dask.array as da
        >>> import thetahat as th
        >>> src = DaskSource(da.from_array(np.arange(4.0), chunks=2))
        >>> src.statistics(th.Normal(), None, {}).n
        4.0
        """
        cls = type(family).__name__
        if family.statistics_type is None or family.obs_arrays:
            raise TypeError(
                f"{cls} has no finite sufficient statistics: a fit on Dask needs a family "
                "whose statistics are sums over the rows"
            )
        x_parts = partitions_of(self.data)
        inputs: dict[str, Any] = {}
        for key, val in {"weights": weights, **obs}.items():
            if val is None:
                continue
            inputs[key] = self._aligned(val, key, len(x_parts))
        import dask

        parts = [
            dask.delayed(_partition_stats)(
                family,
                i,
                x_parts[i],
                {k: v[i] if isinstance(v, list) else v for k, v in inputs.items()},
            )
            for i in range(len(x_parts))
        ]
        total = tree_reduce(parts, _merge)
        (result,) = dask.compute(total)
        if result.n <= 0:
            raise ValueError(f"the Dask data hold no observations to fit {cls} to")
        return result

    def _aligned(self, val: Any, key: str, nparts: int) -> Any:
        """``val`` as a list of partitions aligned with the data, or a scalar."""
        if isinstance(val, str):
            if self.frame is None:
                raise ValueError(
                    f"{key}={val!r} names a column, but the data are not a Dask DataFrame"
                )
            val = _column(self.frame, val)
        if np.ndim(val) == 0 and not hasattr(val, "npartitions") and not hasattr(val, "chunks"):
            return val
        if not hasattr(val, "npartitions") and not hasattr(val, "chunks"):
            raise TypeError(
                f"{key} must be a Dask collection partitioned like the data, a column name or "
                f"a scalar, not {type(val).__name__}: an in-memory array has no partitions "
                "to pair with the data's"
            )
        if hasattr(val, "chunks") and hasattr(self.data, "chunks"):
            val = val.rechunk(self.data.chunks)
        parts = partitions_of(val)
        if len(parts) != nparts:
            raise ValueError(
                f"{key} has {len(parts)} partitions but the data have {nparts}; give columns "
                "of the same DataFrame or arrays of the same length"
            )
        return parts


def _is_frame(obj: Any) -> bool:
    # a DataFrame (two-dimensional, without array chunks)
    return (
        hasattr(obj, "npartitions") and getattr(obj, "ndim", 1) == 2 and not hasattr(obj, "chunks")
    )


def _column(data: Any, column: str | None) -> Any:
    """The one-dimensional collection to fit (a DataFrame's column)."""
    if _is_frame(data):
        return data[pick_column([str(c) for c in data.columns], column, "Dask")]
    if column is not None:
        raise ValueError(f"column={column!r} needs a DataFrame, not a {type(data).__name__}")
    if hasattr(data, "chunks") and getattr(data, "ndim", 1) != 1:
        raise ValueError(
            f"Dask data for a univariate fit must be one-dimensional, got shape {data.shape}"
        )
    return data


def partitions_of(collection: Any) -> list[Any]:
    """The partitions (blocks) of a one-dimensional Dask collection as delayed objects.

    Examples
    --------
    >>> import dask.array as da
    >>> len(partitions_of(da.zeros(10, chunks=4)))
    3
    """
    parts = collection.to_delayed()
    return list(np.asarray(parts, dtype=object).ravel())


def tree_reduce(parts: Sequence[Any], merge: Any, split_every: int = SPLIT_EVERY) -> Any:
    """Fold delayed values with ``merge(*values)`` in a tree, ``split_every`` per task.

    Examples
    --------
    >>> import dask
    >>> tree_reduce([dask.delayed(i) for i in range(20)], lambda *v: sum(v)).compute()
    190
    """
    import dask

    level = list(parts)
    if not level:
        raise ValueError("the Dask collection has no partitions")
    while len(level) > 1:
        level = [
            dask.delayed(merge)(*level[i : i + split_every])
            for i in range(0, len(level), split_every)
        ]
    return level[0]


def _merge(*stats: Any) -> Any:
    total = stats[0]
    for s in stats[1:]:
        total = total + s
    return total


def _partition_stats(family: Any, index: int, x: Any, inputs: dict[str, Any]) -> Any:
    """One partition's statistics by the in-memory entry point (runs on a worker)."""
    arr = np.asarray(x, dtype=np.float64)
    if arr.shape[0] == 0:
        return family.statistics_type.zero()
    values = {k: _values(v) for k, v in inputs.items()}
    weights = values.pop("weights", None)
    try:
        return statistics_of(family, arr, weights=weights, **values)
    except ValueError as exc:
        raise ValueError(f"partition {index} of the Dask data: {exc}") from None


def _values(v: Any) -> Any:
    return np.asarray(v, dtype=np.float64) if hasattr(v, "__len__") else v


# --------------------------------------------------------------------------- the engine
def dask_engine(frame: Any, roles: Mapping[str, str], keys: Sequence[str] = ()) -> DaskEngine:
    """A :class:`DaskEngine` over a Dask DataFrame, its columns renamed to their roles
    (role -> column name; ``keys`` are the group-key roles).

    Examples
    --------
    >>> import pandas as pd, dask.dataframe as dd
    >>> ddf = dd.from_pandas(pd.DataFrame({"v": [1.0, 2.0, 4.0]}), npartitions=2)
    >>> dask_engine(ddf, {"x": "v"}).nrows()
    3
    """
    require("dask", "dask")
    names = [str(c) for c in frame.columns]
    for role, name in roles.items():
        if name not in names:
            from .frame import _role_text

            raise ValueError(
                f"no column {name!r} ({_role_text(role)}); the columns are {', '.join(names)}"
            )
    kinds = {role: _kind(frame[name].dtype) for role, name in roles.items()}
    picked = frame[list(dict.fromkeys(roles.values()))]
    renamed = {name: role for role, name in roles.items()}
    if len(renamed) < len(roles):  # one column in two roles: select it twice
        picked = picked.assign(**{r: frame[n] for r, n in roles.items() if renamed[n] != r})
    return DaskEngine(picked.rename(columns=renamed), kinds, keys)


def _kind(dtype: Any) -> str:
    kind = getattr(dtype, "kind", "O")
    if kind == "b":
        return "boolean"
    if kind in "iuf":
        return "numeric"
    return "other"


class DaskEngine(FrameEngine):
    """A Dask DataFrame as an :class:`~.base.Engine`: every pass is one Dask computation.

    ``aggregate`` runs the in-memory aggregation (:func:`~.base.aggregate_arrays`,
    the code that reduces a NumPy array or a batch of a file) on each partition
    and merges the partitions' aggregates by key in a tree (:func:`~.expr.merge`:
    sums add, extremes compare, moments by Chan's formula), so a group that lives
    in one partition only, or an empty partition, merges like any other.

    Besides the protocol it takes ``defer_nulls`` (each partition task counts the
    nulls of every column beside its aggregates: no pass of its own) and declares
    ``reports_empty`` (an empty table aggregates to no group: no row count first).
    A fit is then one pass over the data where it was three (null counts, row
    count, aggregates): measured at 10^8 rows, 16 partitions, 10^4 groups.
    """

    reports_empty = True

    def nrows(self) -> int:
        return int(self.frame.shape[0].compute())

    def _null(self, c: str) -> Any:
        return self.frame[c].isna()

    def null_counts(self, columns: Sequence[str]) -> dict[str, int]:
        import dask

        counts = dask.compute(*[self._null(c).sum() for c in columns])
        return {c: int(v) for c, v in zip(columns, counts, strict=True)}

    def drop_nulls(self, columns: Sequence[str]) -> DaskEngine:
        return self._with(self.frame.dropna(subset=list(columns))) if columns else self

    def where(self, values: Mapping[str, Any]) -> DaskEngine:
        keep = None
        for k, v in values.items():
            t = self.frame[k] == (v.item() if isinstance(v, np.generic) else v)
            keep = t if keep is None else keep & t
        return self if keep is None else self._with(self.frame[keep])

    def head_mean(self, expr: Expr) -> float:
        cols = sorted(expr.columns() & set(self.columns)) or ["x"]
        head = self.frame[cols].head(64, npartitions=-1)
        if len(head) == 0:
            return float("nan")
        return float(np.mean(evaluate(expr, {c: head[c].to_numpy(dtype=float) for c in cols})))

    def aggregate(
        self, aggs: Mapping[str, Agg], keys: Sequence[str], params: Aggregated | None = None
    ) -> Aggregated:
        """One pass: the aggregates of every partition, merged in a tree."""
        import dask

        needed = set(keys)
        for a in aggs.values():
            needed |= {c for c in a.expr.columns() if c in self.kinds}
        if "__weight__" in self.kinds:
            needed.add("__weight__")
        counted = self.columns if self.null_check is not None else ()
        cols = sorted(needed | set(counted))
        parts = [
            dask.delayed(_aggregate_partition)(
                part, cols, self._kinds(cols), aggs, keys, params, counted
            )
            for part in self.frame[cols].to_delayed()
        ]
        (out,) = dask.compute(tree_reduce(parts, functools.partial(_merge_counted, aggs)))
        total, nulls = out
        if self.null_check is not None:
            self.null_check(dict(zip(counted, nulls.tolist(), strict=True)))
        return total

    def _kinds(self, cols: Sequence[str]) -> dict[str, str]:
        return {c: ("key" if c in self.keys else self.kinds[c]) for c in cols}

    def arrays(self, columns: Sequence[str]) -> None:
        """None: the rows stay on the cluster."""
        return None

    def batches(self, columns: Sequence[str]) -> Iterator[dict[str, NDArray[Any]]]:
        """The columns partition by partition (one partition in memory at a time)."""
        cols = list(columns)
        kinds = self._kinds(cols)
        for part in self.frame[cols].to_delayed():
            frame = part.compute()
            if self.null_check is not None and bool(frame[cols].isna().any(axis=None)):
                self.null_check(self.null_counts(cols))  # every partition's, to name them all
            yield _as_arrays(frame, cols, kinds)

    def map_batches(
        self, fn: Callable[[dict[str, NDArray[Any]]], Any], columns: Sequence[str]
    ) -> list[Any]:
        """``fn`` of each partition's columns (as :meth:`batches` gives them), run on the
        workers in one pass; the results, in partition order, come to the client.

        With deferred nulls each task counts its partition's nulls and skips ``fn``
        where there are any; the counts are checked before any result is used.
        """
        import dask

        cols = list(columns)
        counted = tuple(cols) if self.null_check is not None else ()
        tasks = [
            dask.delayed(_map_partition)(fn, part, cols, self._kinds(cols), counted)
            for part in self.frame[cols].to_delayed()
        ]
        found = dask.compute(*tasks)
        if self.null_check is not None:
            nulls = sum((n for _, n in found), np.zeros(len(counted), dtype=np.int64))
            self.null_check(dict(zip(counted, nulls.tolist(), strict=True)))
        return [r for r, _ in found]


def _as_arrays(
    part: Any, cols: Sequence[str], kinds: Mapping[str, str], clean: Sequence[str] = ()
) -> dict[str, Any]:
    """A partition's columns as numpy arrays; ``clean`` columns are known to hold no
    nulls (counted): a float column among them is taken without a copy."""
    out: dict[str, Any] = {}
    for c in cols:
        s = part[c]
        if kinds[c] in ("key", "other"):
            out[c] = s.to_numpy()
        elif c in clean and s.dtype == np.float64:
            out[c] = s.to_numpy()
        else:  # nulls as NaN, as the other engines give them
            out[c] = s.to_numpy(dtype=float, na_value=np.nan)
    return out


def _aggregate_partition(
    part: Any,
    cols: Sequence[str],
    kinds: Mapping[str, str],
    aggs: Mapping[str, Agg],
    keys: Sequence[str],
    params: Aggregated | None,
    counted: Sequence[str] = (),
) -> tuple[Aggregated, NDArray[np.int64]]:
    """One partition's aggregates by the in-memory code, and the null counts of the
    ``counted`` columns (runs on a worker). A partition with nulls aggregates nothing:
    the client refuses the data on seeing the counts."""
    from .base import aggregate_arrays

    nulls = np.array([int(part[c].isna().sum()) for c in counted], dtype=np.int64)
    if nulls.any():
        return Aggregated({k: np.zeros(0) for k in keys}, {}, 0), nulls
    return aggregate_arrays(_as_arrays(part, cols, kinds, counted), aggs, keys, params), nulls


def _map_partition(
    fn: Callable[[dict[str, NDArray[Any]]], Any],
    part: Any,
    cols: Sequence[str],
    kinds: Mapping[str, str],
    counted: Sequence[str],
) -> tuple[Any, NDArray[np.int64]]:
    """``fn`` of one partition's columns and the partition's null counts (on a worker)."""
    nulls = np.array([int(part[c].isna().sum()) for c in counted], dtype=np.int64)
    if nulls.any():
        return None, nulls
    return fn(_as_arrays(part, cols, kinds, counted)), nulls


def _merge_counted(
    aggs: Mapping[str, Agg], *parts: tuple[Aggregated, NDArray[np.int64]]
) -> tuple[Aggregated, NDArray[np.int64]]:
    """:func:`_merge_aggregated` of the aggregates, with the null counts added."""
    nulls = parts[0][1]
    for _, n in parts[1:]:
        nulls = nulls + n
    return _merge_aggregated(aggs, *(a for a, _ in parts)), nulls


def _merge_aggregated(aggs: Mapping[str, Agg], *parts: Aggregated) -> Aggregated:
    """The aggregates of several partitions merged by key at once (a task of the tree).

    Grouped, the keys of all parts are coded together (:func:`~.base.factorize_keys`)
    and every aggregate is reduced with ``np.bincount``/``ufunc.at``: sums add,
    extremes compare (NaN-ignoring), moments by the parallel formula
    ``n = sum n_i``, ``mean = sum n_i mean_i / n``,
    ``m2 = sum m2_i + sum n_i (mean_i - mean)^2`` (Chan's merge of many parts);
    measured 0.28 s -> 0.03 s for 16 partitions of 10^4 groups, where merging them
    pair by pair through Python dictionaries of the keys took the time.
    """
    live = [p for p in parts if p.size]
    if len(live) <= 1:
        return live[0] if live else parts[0]
    names = list(live[0].keys)
    if not names:
        total = live[0]
        for p in live[1:]:
            total = merge(aggs, total, p)
        return total
    from .base import factorize_keys

    cols = []
    for k in names:
        pieces = [np.asarray(p.keys[k]) for p in live]
        same = all(x.dtype == pieces[0].dtype for x in pieces)
        cols.append(np.concatenate(pieces if same else [x.astype(object) for x in pieces]))
    codes, uniq = factorize_keys(cols)
    size = int(uniq[0].shape[0])

    def cat(name: str) -> NDArray[np.float64]:
        return np.concatenate([np.asarray(p.values[name], dtype=float) for p in live])

    def add(v: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.bincount(codes, weights=v, minlength=size).astype(float)

    values: dict[str, NDArray[np.float64]] = {}
    for name, agg in aggs.items():
        if agg.kind == "sum":
            values[name] = add(cat(name))
        elif agg.kind in ("min", "max"):
            acc = np.full(size, np.inf if agg.kind == "min" else -np.inf)
            (np.fmin if agg.kind == "min" else np.fmax).at(acc, codes, cat(name))
            values[name] = acc
        else:
            n_i, mean_i, m2_i = cat(f"{name}.n"), cat(f"{name}.mean"), cat(f"{name}.m2")
            has = n_i > 0
            n = add(n_i)
            with np.errstate(all="ignore"):
                mean = add(np.where(has, n_i * mean_i, 0.0)) / n
                d = np.where(has, mean_i - mean[codes], 0.0)
                values[f"{name}.n"] = n
                values[f"{name}.mean"] = mean
                values[f"{name}.m2"] = add(np.where(has, m2_i, 0.0)) + add(n_i * d * d)
    return Aggregated(dict(zip(names, uniq, strict=True)), values, size)
