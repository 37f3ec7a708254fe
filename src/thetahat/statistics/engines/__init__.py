"""Engines: statistics computed where the data live (dataframes, SQL, files, clusters).

The layers, each written once:

* :mod:`.expr`: row expressions and the aggregate kinds (``sum``, ``min``,
  ``max``, ``moments``) every engine computes, and their exact merge;
* :mod:`.plans`: each family's statistics as aggregates (a :class:`~.plans.Plan`);
* :mod:`.base`: the :class:`~.base.Engine` protocol (what a table must answer)
  and the in-memory :class:`~.base.ArrayEngine`;
* :mod:`.frame`: narwhals, the one dataframe layer (pandas, polars, pyarrow,
  DuckDB);
* :mod:`.scan`: files streamed in record batches (``th.scan``);
* :mod:`.passes`: iterative families, one aggregate query per Newton step (the
  Student t's in :mod:`.student`);
* :mod:`.source`: :class:`~.source.TableSource`, the
  :class:`~thetahat.statistics.Source` over an engine (roles, nulls, groups);
* :mod:`.cluster`: Dask and Spark collections recognised without importing them;
  :mod:`.dask` and :mod:`.spark`: their engines (Dask: per-partition statistics by
  the in-memory code, merged in a tree; Spark: its own aggregates, one job per fit).
"""

from .base import ArrayEngine, Engine
from .cluster import as_engine_source, engine_of
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
    "as_engine_source",
    "col",
    "engine_of",
    "lit",
    "plan_for",
]
