"""Input checks and grouping for ``shrink``: bad values named by group (or row)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validation import to_float64

__all__ = ["Where", "broadcast", "check_counts", "column", "factorize", "is_frame", "numbers"]

FloatArray = NDArray[np.float64]


class Where:
    """Names the place of a bad value: a group, or a row and its group."""

    def __init__(self, labels: NDArray[Any] | None, grouped: bool) -> None:
        self.labels, self.grouped = labels, grouped

    def __call__(self, i: int) -> str:
        # counted from 1, like the rows of a table: index i is group/row i + 1
        if self.labels is None:
            return f"group {i + 1}"
        label = self.labels[i]
        if isinstance(label, np.generic):  # a plain number or string, not np.int64(3)
            label = label.item()
        if self.grouped:
            return f"row {i + 1} (group {label!r})"
        return f"group {label!r} (row {i + 1})"


def numbers(values: Any, name: str, where: Where) -> FloatArray:
    if isinstance(values, str | bytes):
        raise TypeError(f"{name} must be numbers, not the string {values!r}")
    arr = to_float64(values, name)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional (one value per group), got {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: shrinkage needs groups")
    bad = ~np.isfinite(arr)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{name} has {int(bad.sum())} NaN or infinite value(s); the first is {where(i)}: "
            f"{arr[i].tolist()!r}"
        )
    return arr


#: whole numbers are exact in float64 up to 2**53; beyond, a count is not a count
MAX_COUNT = 2.0**53


def check_counts(arr: FloatArray, name: str, where: Where) -> None:
    bad = (arr < 0) | (arr != np.floor(arr)) | (arr > MAX_COUNT)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        if arr[i] > MAX_COUNT:
            raise ValueError(
                f"{name} must be whole numbers up to 2**53 = {MAX_COUNT:.6g} (beyond, float64 "
                f"cannot tell consecutive counts apart); {where(i)} has {name} = {arr[i]:g}"
            )
        what = "negative" if arr[i] < 0 else "not a whole number"
        raise ValueError(
            f"{name} must be non-negative whole numbers; {where(i)} has {name} = {arr[i]:g} "
            f"({what})"
        )


def same_length(arr: FloatArray, name: str, m: int, first: str) -> None:
    if arr.shape[0] != m:
        short = min(arr.shape[0], m)
        raise ValueError(
            f"{name} has {arr.shape[0]} entries but {first} has {m}: they must have one value "
            f"per group (or row); group {short + 1} has a {first if arr.shape[0] < m else name} "
            f"value and no {name if arr.shape[0] < m else first} value"
        )


def broadcast(value: Any, name: str, m: int, first: str, where: Where) -> FloatArray:
    arr = numbers(value, name, where)
    if arr.shape[0] == 1 and m != 1:
        return np.full(m, float(arr[0]))
    same_length(arr, name, m, first)
    return arr


def is_frame(data: Any) -> bool:
    mod = type(data).__module__
    return hasattr(data, "columns") and (mod.startswith("pandas") or mod.startswith("polars"))


def column(frame: Any, name: Any, role: str) -> Any:
    if name is None:
        raise ValueError(f"with a dataframe, name the {role} column ({role}='column name')")
    if not isinstance(name, str):
        raise TypeError(
            f"with a dataframe, {role} must be a column name, got {type(name).__name__}"
        )
    if name not in frame.columns:
        raise ValueError(
            f"no column {name!r} for {role}; the columns are {', '.join(map(str, frame.columns))}"
        )
    return frame[name].to_numpy()


def factorize(labels: Any, m: int) -> tuple[NDArray[np.intp], NDArray[Any]]:
    import pandas as pd

    arr = np.asarray(labels)
    if arr.ndim != 1 or arr.shape[0] != m:
        raise ValueError(
            f"group has {arr.shape[0] if arr.ndim else 1} labels but the data have {m} rows; "
            "give one label per row"
        )
    codes, uniques = pd.factorize(arr, sort=False, use_na_sentinel=True)
    if (codes < 0).any():
        i = int(np.flatnonzero(codes < 0)[0])
        raise ValueError(
            f"group labels are missing (NaN/None) at {int((codes < 0).sum())} row(s); "
            f"the first is row {i + 1}"
        )
    return codes.astype(np.intp), np.asarray(uniques)
