"""Small formatting helpers shared by result objects and the CLI."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["fmt", "jsonable"]


def jsonable(value: Any) -> Any:
    """Convert numbers, arrays and containers to JSON-safe Python values.

    Non-finite floats become the strings ``"inf"``, ``"-inf"`` and ``"nan"``
    (strict JSON has no such numbers); this is part of the documented schema.
    """
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "iub" or (value.dtype.kind == "f" and np.isfinite(value).all()):
            return value.tolist()  # the common case, without a Python loop per value
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        if math.isnan(f):
            return "nan"
        if math.isinf(f):
            return "inf" if f > 0 else "-inf"
        return f
    if value is None or isinstance(value, str):
        return value
    return str(value)


def fmt(value: Any, width: int = 0) -> str:
    """A number in a compact, fixed-width-friendly form."""
    if value is None:
        s = "-"
    elif isinstance(value, float | np.floating | int | np.integer):
        f = float(value)
        s = f"{f:.6g}" if math.isfinite(f) else ("inf" if f > 0 else "-inf" if f < 0 else "nan")
    else:
        s = str(value)
    return s.rjust(width) if width else s
