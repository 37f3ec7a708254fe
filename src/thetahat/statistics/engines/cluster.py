"""Cluster collections (Dask, Spark) recognised by module name, without importing them.

``th.fit`` and friends hand dataframes to :mod:`thetahat.inference.frames` (a
:class:`~.source.TableSource` over an engine); collections that are not
dataframes (a Dask array or Series) reach :func:`~thetahat.statistics.statistics_of`,
which asks :func:`as_engine_source` for their engine's
:class:`~thetahat.statistics.Source`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["as_engine_source", "engine_of"]


def engine_of(obj: Any) -> str | None:
    """``"dask"``, ``"spark"`` or None: the cluster engine that ``obj`` belongs to.

    Examples
    --------
    >>> import numpy as np
    >>> engine_of(np.zeros(3)) is None
    True
    """
    top = type(obj).__module__.split(".")[0]
    if top in ("dask", "dask_expr"):
        return "dask"
    if top == "pyspark":
        return "spark"
    return None


def as_engine_source(obj: Any, column: str | None = None) -> Any:
    """The engine :class:`~thetahat.statistics.Source` for ``obj``, or None.

    Examples
    --------
    >>> as_engine_source([1.0, 2.0]) is None
    True
    """
    engine = engine_of(obj)
    if engine == "dask":
        from .dask import DaskSource

        return DaskSource(obj, column=column)
    if engine == "spark":
        from .spark import SparkSource

        return SparkSource(obj, column=column)
    return None


def pick_column(cols: list[str], column: str | None, what: str) -> str:
    """The column of a cluster DataFrame to fit: ``column``, or the only one; a clear
    error naming the columns otherwise (``what``: "Dask", "Spark").

    Examples
    --------
    >>> pick_column(["x"], None, "Dask"), pick_column(["x", "g"], "g", "Spark")
    ('x', 'g')
    """
    if column is None:
        if len(cols) != 1:
            raise ValueError(
                f"the {what} DataFrame has {len(cols)} columns ({', '.join(cols[:5])}); "
                "name the one to fit with column="
            )
        return cols[0]
    if column not in cols:
        raise ValueError(
            f"column {column!r} is not in the {what} DataFrame (columns: {', '.join(cols[:10])})"
        )
    return column
