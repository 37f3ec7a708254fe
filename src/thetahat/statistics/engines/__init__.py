"""Engines: statistics computed where the data live (dataframes, SQL, files, clusters).

The layers, each written once:

* :mod:`.expr`: row expressions and the aggregate kinds (``sum``, ``min``,
  ``max``, ``moments``) every engine computes, and their exact merge;
* :mod:`.plans`: each family's statistics as aggregates (a :class:`~.plans.Plan`);
* :mod:`.base`: the :class:`~.base.Engine` protocol (what a table must answer)
  and the in-memory :class:`~.base.ArrayEngine`;
* :mod:`.frame`: narwhals, the one dataframe layer (pandas, polars, pyarrow,
  DuckDB, and through it Dask and PySpark);
* :mod:`.scan`: files streamed in record batches (``th.scan``);
* :mod:`.passes`: iterative families, one aggregate query per Newton step;
* :mod:`.source`: :class:`~.source.TableSource`, the
  :class:`~thetahat.statistics.Source` over an engine (roles, nulls, groups).
"""

from .base import ArrayEngine, Engine
from .expr import WEIGHT, Agg, Aggregated, Expr, col, lit
from .passes import EngineStats
from .plans import Plan, plan_for
from .source import GroupedStats, TableSource

__all__ = [
    "WEIGHT",
    "Agg",
    "Aggregated",
    "ArrayEngine",
    "Engine",
    "EngineStats",
    "Expr",
    "GroupedStats",
    "Plan",
    "TableSource",
    "col",
    "lit",
    "plan_for",
]
