"""Dataframes and SQL relations through narwhals: the one dataframe layer.

:func:`as_engine` takes anything narwhals supports. Eager frames (pandas,
polars ``DataFrame``, pyarrow ``Table``) are already in memory: their columns
become numpy arrays (:class:`~.base.ArrayEngine`), so statistics come from the
same reducers as an array and agree to the last bit. Lazy frames (polars
``LazyFrame``, a DuckDB relation) become a :class:`NarwhalsEngine`: aggregates
are narwhals expressions the engine runs (DuckDB's ``sum``/``avg``/``var_pop``
with ``GROUP BY``), and only the aggregates travel to Python. Dask and PySpark
DataFrames have engines of their own (:mod:`.dask`, :mod:`.spark`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..._optional import require
from .base import ArrayEngine, Engine, FrameEngine, NoPerGroupConstants
from .expr import Agg, Aggregated, Expr

__all__ = ["MAX_CASES", "NarwhalsEngine", "as_engine", "is_frame", "values_of"]

#: per-group constants (centres, Newton iterates) go to the engine as a CASE over the
#: groups up to this many groups; beyond, grouped work that needs them fetches the data
MAX_CASES = 256


def _nw() -> Any:
    return require("narwhals", "frames")


def is_frame(data: Any) -> bool:
    """Whether narwhals recognises ``data`` as a dataframe or lazy frame (without
    importing narwhals unless a dataframe library is already loaded).

    Examples
    --------
    >>> import pandas as pd
    >>> is_frame(pd.DataFrame({"x": [1.0]})), is_frame([1.0])
    (True, False)
    """
    import sys

    mod = type(data).__module__.split(".")[0]
    if mod not in ("pandas", "polars", "pyarrow", "duckdb", "dask", "pyspark", "sqlframe",
                   "modin", "cudf", "ibis", "narwhals", "dask_expr"):  # fmt: skip
        return False
    if mod in ("dask", "dask_expr"):  # a Dask DataFrame (engines.dask), not through narwhals
        from .dask import _is_frame

        return _is_frame(data)
    if "narwhals" not in sys.modules:
        try:
            require("narwhals", "frames")
        except ImportError:
            return False
    nw = sys.modules["narwhals"]
    try:
        nw.from_native(data)
    except TypeError:
        return False
    return True


def _kind(dtype: Any) -> str:
    nw = _nw()
    if dtype == nw.Boolean:
        return "boolean"
    if dtype.is_numeric():
        return "numeric"
    return "other"


def as_engine(data: Any, roles: Mapping[str, str], keys: Sequence[str] = ()) -> Engine:
    """An engine over ``data`` with the user's columns renamed to their roles
    (role -> column name; ``keys`` are the group-key roles, kept as they are).
    Checks that every column exists.

    Examples
    --------
    >>> import pandas as pd
    >>> eng = as_engine(pd.DataFrame({"v": [1, 2]}), {"x": "v"})
    >>> type(eng).__name__, eng.arrays(["x"])["x"].tolist()
    ('ArrayEngine', [1.0, 2.0])
    """
    from .cluster import engine_of

    if engine_of(data) == "dask":  # partitions reduced by the in-memory code (engines.dask)
        from .dask import dask_engine

        return dask_engine(data, roles, keys)
    if engine_of(data) == "spark":  # one Spark job per pass (engines.spark)
        from .spark import spark_engine

        return spark_engine(data, roles, keys)
    nw = _nw()
    frame = nw.from_native(data)
    schema = frame.collect_schema() if hasattr(frame, "collect_schema") else frame.schema
    names = list(schema.names())
    for role, name in roles.items():
        if not isinstance(name, str):
            raise TypeError(f"{_role_text(role)} must be a column name, got {type(name).__name__}")
        if name not in names:
            raise ValueError(
                f"no column {name!r} ({_role_text(role)}); the columns are "
                f"{', '.join(map(str, names))}"
            )
    kinds = {role: _kind(schema[name]) for role, name in roles.items()}
    if isinstance(frame, nw.DataFrame):
        data_np: dict[str, NDArray[Any]] = {}
        for role, name in roles.items():
            s = frame[name]
            arr = s.to_numpy()
            if kinds[role] in ("numeric", "boolean") and role not in keys:
                arr = _as_float(arr, s.null_count())
            data_np[role] = arr
        return ArrayEngine(data_np, kinds, keys)
    # numbers as float64 once, here (not at every use in an expression)
    exprs = [
        nw.col(name).cast(nw.Float64).alias(role)
        if kinds[role] in ("numeric", "boolean") and role not in keys
        else nw.col(name).alias(role)
        for role, name in roles.items()
    ]
    return NarwhalsEngine(frame.select(*exprs), kinds, keys)


def _as_float(arr: NDArray[Any], nulls: int) -> NDArray[np.float64]:
    if arr.dtype == object:  # nullable integers/booleans: None -> NaN
        return np.array([np.nan if v is None else float(v) for v in arr], dtype=float)
    out = np.asarray(arr, dtype=float)
    del nulls
    return out


def _role_text(role: str) -> str:
    from .expr import WEIGHT

    return {"x": "column", WEIGHT: "weights", "n": "trials", "exposure": "exposure"}.get(role, "by")


class NarwhalsEngine(FrameEngine):
    """A lazy frame whose backend runs the aggregates (see the module docstring).

    Examples
    --------
    >>> import duckdb
    >>> from thetahat.statistics.engines import Agg, col
    >>> eng = as_engine(duckdb.sql("SELECT range::DOUBLE AS v FROM range(5)"), {"x": "v"})
    >>> type(eng).__name__, eng.aggregate({"s": Agg("sum", col("x"))}, []).values["s"].tolist()
    ('NarwhalsEngine', [10.0])
    """

    def _collect(self, lazy: Any) -> Any:
        return lazy.collect()

    def nrows(self) -> int:
        nw = _nw()
        out = self._collect(self.frame.select(nw.len()))
        return int(out.item(0, 0))

    def _null_expr(self, c: str) -> Any:
        nw = _nw()
        e = nw.col(c).is_null()
        if self.kinds.get(c) in ("numeric", "boolean") and c not in self.keys:
            e = e | nw.col(c).is_nan().fill_null(False)
        return e

    def null_counts(self, columns: Sequence[str]) -> dict[str, int]:
        nw = _nw()
        if not columns:
            return {}
        exprs = [self._null_expr(c).cast(nw.Float64).sum().alias(c) for c in columns]
        out = self._collect(self.frame.select(*exprs))
        return {c: int(out[c].to_numpy()[0] or 0) for c in columns}

    def drop_nulls(self, columns: Sequence[str]) -> NarwhalsEngine:
        bad = None
        for c in columns:
            e = self._null_expr(c)
            bad = e if bad is None else bad | e
        if bad is None:
            return self
        return self._with(self.frame.filter(~bad))

    def where(self, values: Mapping[str, Any]) -> NarwhalsEngine:
        nw = _nw()
        frame = self.frame
        for k, v in values.items():
            frame = frame.filter(nw.col(k) == nw.lit(v))
        return self._with(frame)

    def _expr(self, e: Expr) -> Any:
        nw = _nw()
        return e.translate(lambda c: nw.col(c), lambda v: nw.lit(v))

    def head_mean(self, expr: Expr) -> float:
        out = self._collect(self.frame.head(64).select(self._expr(expr).mean().alias("c")))
        v = out["c"].to_numpy()
        return float(v[0]) if v.shape[0] and v[0] is not None else float("nan")

    def _agg_exprs(self, aggs: Mapping[str, Agg], shifted: bool) -> list[Any]:
        from .expr import WEIGHT

        nw = _nw()
        weighted = WEIGHT in self.kinds
        w = nw.col(WEIGHT)
        out = []
        for name, a in aggs.items():
            e = self._expr(a.expr)
            if a.kind == "sum" and not a.expr.columns() and not weighted:
                # a constant: its sum is the row count times it
                out.append((nw.len().cast(nw.Float64) * e).alias(name))
            elif a.kind == "sum":
                out.append((e * w if weighted else e).sum().alias(name))
            elif a.kind in ("min", "max"):
                if weighted:
                    e = nw.when(w > 0).then(e)
                out.append(getattr(e, a.kind)().alias(name))
            else:
                d = e - nw.lit(a.centre)
                if weighted or shifted:
                    # a two-level shift: sums of w (e - c) and w (e - c)^2 about a centre
                    # c near the mean (of the table, or of each group); the centred m2
                    # follows without cancellation, from plain sums (faster than var_pop)
                    n = w.sum() if weighted else d.count().cast(nw.Float64)
                    out += [n.alias(f"{name}.n"), (w * d if weighted else d).sum().alias(
                        f"{name}.s1"), (w * d * d if weighted else d * d).sum().alias(
                        f"{name}.s2")]  # fmt: skip
                else:
                    # groups without their own centres: the engine's own stable avg / var_pop
                    out += [
                        d.count().cast(nw.Float64).alias(f"{name}.n"),
                        d.mean().alias(f"{name}.d"),
                        d.var(ddof=0).alias(f"{name}.v"),
                    ]
        return out

    @property
    def functions(self) -> frozenset[str]:
        """Row functions beyond ``log``/``exp`` this engine runs (DuckDB: ``lgamma``,
        ``floor``; narwhals has neither)."""
        return frozenset({"lgamma", "floor"}) if self._duckdb() is not None else frozenset()

    def _duckdb(self) -> Any:
        """The DuckDB relation behind the frame, or None (another backend)."""
        native = self.frame.to_native()
        return native if type(native).__module__.split(".")[0] == "duckdb" else None

    def aggregate(
        self,
        aggs: Mapping[str, Agg],
        keys: Sequence[str],
        params: Aggregated | None = None,
    ) -> Aggregated:
        native = self._duckdb()
        if native is not None:
            return self._aggregate_sql(native, aggs, keys, params)
        return self._aggregate_nw(aggs, keys, params)

    def _aggregate_nw(
        self, aggs: Mapping[str, Agg], keys: Sequence[str], params: Aggregated | None
    ) -> Aggregated:
        """:meth:`aggregate` through narwhals expressions (every backend but DuckDB)."""
        frame = self.frame
        if params is not None:
            if keys and params.size > MAX_CASES:
                raise NoPerGroupConstants(
                    f"per-group constants for more than {MAX_CASES} groups; this engine "
                    "fetches the data instead"
                )
            frame = frame.with_columns(*self._constants(params, keys))
        exprs = self._agg_exprs(aggs, shifted=not keys or params is not None)
        if self.null_check is not None:
            nw = _nw()
            exprs += [self._null_expr(c).cast(nw.Float64).sum().alias(f"__nulls__{c}")
                      for c in self.columns]  # fmt: skip
        if keys:
            lazy = frame.group_by(*keys).agg(*exprs)
        else:
            lazy = frame.select(*exprs)
        out = self._collect(lazy)
        cols = {c: out[c].to_numpy() for c in out.columns}
        if self.null_check is not None:
            self.null_check({c: int(np.nansum(_floats(cols.pop(f"__nulls__{c}"))))
                             for c in self.columns})  # fmt: skip
        key_arrays = {k: np.asarray(cols[k]) for k in keys}
        size = int(next(iter(cols.values())).shape[0]) if cols else 0
        values = values_of(aggs, cols)
        if not keys and size == 1 and values.get(next(iter(values), ""), np.ones(1)).size == 0:
            size = 0
        return Aggregated(key_arrays, values, size)

    def _aggregate_sql(
        self, native: Any, aggs: Mapping[str, Agg], keys: Sequence[str],
        params: Aggregated | None,
    ) -> Aggregated:  # fmt: skip
        """:meth:`aggregate` as one SQL query on a DuckDB relation (see :mod:`.sql`)."""
        from .sql import aggregate_query

        nulls = self.columns if self.null_check is not None else ()
        try:
            sql, outputs = aggregate_query(aggs, keys, self.kinds, params, nulls, "__th_rel")
        except TypeError:  # key values without a SQL literal here (dates, ...): narwhals
            return self._aggregate_nw(aggs, keys, params)
        rel = native.query("__th_rel", sql)
        table = rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()
        cols = {c: table.column(c).to_numpy() for c in table.column_names}
        if self.null_check is not None:
            self.null_check({c: int(np.nansum(_floats(cols.pop(f"__nulls__{c}"))))
                             for c in self.columns})  # fmt: skip
        return outputs(cols)

    def _constants(self, params: Aggregated, keys: Sequence[str]) -> list[Any]:
        """Per-group constants as columns: a literal without keys, else a CASE over the
        groups' keys (one branch per group)."""
        nw = _nw()
        out = []
        for name, v in params.values.items():
            if not keys:
                out.append(nw.lit(float(v[0])).alias(name))
                continue
            e: Any = None
            for i in range(params.size):
                cond = None
                for k in keys:
                    kv = params.keys[k][i]
                    c = nw.col(k) == nw.lit(kv.item() if isinstance(kv, np.generic) else kv)
                    cond = c if cond is None else cond & c
                e = nw.when(cond).then(nw.lit(float(v[i]))) if e is None else e.when(
                    cond).then(nw.lit(float(v[i])))  # fmt: skip
            out.append(e.alias(name))
        return out

    def arrays(self, columns: Sequence[str]) -> None:
        return None

    def batches(self, columns: Sequence[str]) -> Iterator[dict[str, NDArray[Any]]] | None:
        return None

    def fetch(self, columns: Sequence[str]) -> dict[str, NDArray[Any]]:
        """The columns pulled into memory (families whose fits need the data)."""
        if self.null_check is not None:
            self.null_check(self.null_counts(list(self.columns)))
        out = self._collect(self.frame.select(*columns))
        res: dict[str, NDArray[Any]] = {}
        for c in columns:
            s = out[c]
            arr = s.to_numpy()
            numeric = self.kinds.get(c) != "other" and c not in self.keys
            res[c] = _as_float(arr, 0) if numeric else arr
        return res


def values_of(aggs: Mapping[str, Agg], cols: Mapping[str, Any]) -> dict[str, NDArray[np.float64]]:
    """The aggregates' values from a query's result columns: sums and extremes as they
    are, ``moments`` from the shifted sums (``.n``, ``.s1``, ``.s2``) or the engine's own
    ``avg``/``var_pop`` (``.n``, ``.d``, ``.v``) as ``.n``, ``.mean``, ``.m2``.

    Examples
    --------
    >>> import numpy as np
    >>> from thetahat.statistics.engines import Agg, col
    >>> out = values_of({"m": Agg("moments", col("x"), centre=1.0)},
    ...                 {"m.n": np.array([2.0]), "m.s1": np.array([1.0]), "m.s2": np.array([1.0])})
    >>> out["m.mean"].tolist(), out["m.m2"].tolist()
    ([1.5], [0.5])
    """
    values: dict[str, NDArray[np.float64]] = {}
    for name, a in aggs.items():
        if a.kind != "moments":
            values[name] = _floats(cols[name])
        elif f"{name}.s1" in cols:
            n = _floats(cols[f"{name}.n"])
            s1, s2 = _floats(cols[f"{name}.s1"]), _floats(cols[f"{name}.s2"])
            with np.errstate(all="ignore"):
                dm = np.where(n > 0, s1 / n, 0.0)
                values[f"{name}.n"] = n
                values[f"{name}.mean"] = a.centre + dm
                values[f"{name}.m2"] = np.maximum(s2 - s1 * dm, 0.0)
        else:
            n = _floats(cols[f"{name}.n"])
            values[f"{name}.n"] = n
            values[f"{name}.mean"] = a.centre + _floats(cols[f"{name}.d"])
            values[f"{name}.m2"] = n * _floats(cols[f"{name}.v"])
    return values


def _floats(v: Any) -> NDArray[np.float64]:
    arr = np.asarray(v)
    if arr.dtype == object:
        try:  # decimals (SQL sums of integers) convert at C speed; None needs the loop
            return arr.astype(float)
        except (TypeError, ValueError):
            return np.array([np.nan if x is None else float(x) for x in arr], dtype=float)
    return arr.astype(float)
