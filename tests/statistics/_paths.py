"""The same table through every path: numpy, pandas, polars (eager and lazy), pyarrow,
a DuckDB database file, and streamed Parquet and CSV files (all created here)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

PATHS = ["pandas", "polars", "polars_lazy", "pyarrow", "duckdb_file", "parquet", "csv"]


def make_paths(df: pd.DataFrame, tmp: Path) -> dict[str, Callable[[], Any]]:
    """path name -> a function giving the table in that form (built lazily, once)."""
    import duckdb
    import polars as pl
    import pyarrow as pa
    import pyarrow.parquet as pq

    import thetahat as th

    made: dict[str, Any] = {}

    def once(name: str, build: Callable[[], Any]) -> Callable[[], Any]:
        def get() -> Any:
            if name not in made:
                made[name] = build()
            return made[name]

        return get

    def duck() -> Any:
        path = tmp / "table.duckdb"
        con = duckdb.connect(str(path))
        con.register("frame", df)
        con.execute("CREATE OR REPLACE TABLE t AS SELECT * FROM frame")
        con.unregister("frame")
        made["duckdb_con"] = con
        return con.table("t")

    def parquet() -> Any:
        path = tmp / "table.parquet"
        # several row groups, so the scan streams more than one batch
        pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path, row_group_size=700)
        return th.scan(path)

    def csv() -> Any:
        path = tmp / "table.csv"
        df.to_csv(path, index=False, float_format="%.17g")
        return th.scan(path)

    return {
        "pandas": lambda: df,
        "polars": once("polars", lambda: pl.from_pandas(df)),
        "polars_lazy": once("polars_lazy", lambda: pl.from_pandas(df).lazy()),
        "pyarrow": once("pyarrow", lambda: pa.Table.from_pandas(df, preserve_index=False)),
        "duckdb_file": once("duckdb_file", duck),
        "parquet": once("parquet", parquet),
        "csv": once("csv", csv),
    }


def rel_close(a: Any, b: Any, rtol: float) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    both_inf = np.isinf(a) & np.isinf(b) & (np.sign(a) == np.sign(b))
    close = np.abs(a - b) <= rtol * np.maximum(np.abs(b), 1e-300)
    return bool(np.all(both_inf | close | (np.isnan(a) & np.isnan(b))))
