"""Input checks shared by every public entry point.

Each check raises ``ValueError`` (or ``TypeError``) with a message that names the
problem and where it is: how many bad values, the first offending index and value.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "as_float_array",
    "as_weights",
    "check_finite",
    "check_level",
    "check_same_length",
    "first_bad",
]


def first_bad(mask: NDArray[np.bool_]) -> int | tuple[int, ...]:
    """Index of the first True in ``mask`` (an int for 1-d, a tuple otherwise)."""
    flat = int(np.flatnonzero(mask.ravel())[0])
    if mask.ndim == 1:
        return flat
    return tuple(int(i) for i in np.unravel_index(flat, mask.shape))


def as_float_array(data: Any, name: str = "data", *, ndim: int | None = 1) -> NDArray[np.float64]:
    """Convert to a float64 array, rejecting strings, objects and wrong shapes."""
    if isinstance(data, str | bytes):
        raise TypeError(f"{name} must be numbers, not a string")
    try:
        arr = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numeric: {exc}") from None
    if ndim is not None:
        if ndim == 1 and arr.ndim == 0:
            arr = arr.reshape(1)
        if arr.ndim != ndim:
            raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: at least one observation is needed")
    return arr


def check_finite(arr: NDArray[np.float64], name: str = "data") -> None:
    """Raise if any value is NaN or infinite, saying how many and the first index."""
    ok = np.isfinite(arr)
    if not ok.all():
        bad = ~ok
        idx = first_bad(bad)
        n_nan = int(np.isnan(arr).sum())
        n_inf = int(bad.sum()) - n_nan
        parts = []
        if n_nan:
            parts.append(f"{n_nan} NaN")
        if n_inf:
            parts.append(f"{n_inf} infinite")
        raise ValueError(
            f"{name} contains {' and '.join(parts)} value(s); the first is at index {idx} "
            f"({arr[idx].tolist()!r}). Remove or impute them before fitting."
        )


def check_same_length(n: int, other: NDArray[Any], name: str, data_name: str = "data") -> None:
    """Raise if ``other`` (a per-observation array) does not have ``n`` entries."""
    if other.ndim != 1 or other.shape[0] != n:
        raise ValueError(
            f"{name} has {other.shape[0] if other.ndim else 1} entries but {data_name} has {n} "
            f"observations; they must have the same length"
        )


def as_weights(
    weights: ArrayLike | None, n: int, name: str = "weights", data_name: str = "data"
) -> NDArray[np.float64] | None:
    """Validate frequency weights: finite, non-negative, one per observation, not all 0."""
    if weights is None:
        return None
    w = as_float_array(weights, name)
    check_same_length(n, w, name, data_name)
    check_finite(w, name)
    if np.any(w < 0):
        i = first_bad(w < 0)
        raise ValueError(f"{name} must be >= 0; {name}[{i}] = {float(w[i])!r}")
    if float(w.sum()) <= 0:
        raise ValueError(f"{name} sum to zero: there is no data to fit")
    return w


def per_observation(
    value: ArrayLike, n: int, name: str, data_name: str = "data"
) -> NDArray[np.float64]:
    """A scalar broadcast to ``n`` entries, or an array that must have ``n`` entries."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return np.full(n, float(arr))
    check_same_length(n, arr, name, data_name)
    return arr


def check_level(level: float) -> float:
    """Validate a probability level such as 0.95 for an interval."""
    lv = float(level)
    if not 0.0 < lv < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    return lv
