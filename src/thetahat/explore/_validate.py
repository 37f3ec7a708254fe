"""Reading a JSON request body: every field checked, every failure one line.

Each reader takes the decoded body (a dict), a field name and its bounds, and
returns the value or raises :class:`ApiError`, which the server turns into a
``400`` response ``{"error": "<one line>"}``. Bounds are part of the API's
computation limits: a request over a limit is refused before anything runs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "ApiError",
    "boolean",
    "choice",
    "integer",
    "mapping",
    "number",
    "numbers",
    "strings",
    "text",
]

_MISSING = object()


class ApiError(ValueError):
    """A bad request: the message is one line naming the field and the problem."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(" ".join(message.split()))
        self.status = status


def _get(body: dict[str, Any], name: str, default: Any) -> Any:
    value = body.get(name, _MISSING)
    if value is _MISSING or value is None:
        if default is _MISSING:
            raise ApiError(f"missing field {name!r}")
        return default
    return value


def number(
    body: dict[str, Any],
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    default: Any = _MISSING,
    positive: bool = False,
) -> float:
    """A finite number in ``[low, high]`` (``positive``: strictly above 0)."""
    value = _get(body, name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ApiError(f"{name} must be a number, got {type(value).__name__}")
    v = float(value)
    if not math.isfinite(v):
        raise ApiError(f"{name} must be finite, got {value!r}")
    if positive and not v > 0:
        raise ApiError(f"{name} must be positive, got {v:g}")
    if (low is not None and v < low) or (high is not None and v > high):
        raise ApiError(f"{name} must be between {low:g} and {high:g}, got {v:g}")
    return v


def integer(
    body: dict[str, Any], name: str, *, low: int, high: int, default: Any = _MISSING
) -> int:
    """A whole number in ``[low, high]`` (``3.0`` is accepted as 3)."""
    v = number(body, name, default=default)
    if v != int(v):
        raise ApiError(f"{name} must be a whole number, got {v:g}")
    if not low <= v <= high:
        raise ApiError(f"{name} must be between {low} and {high}, got {int(v)}")
    return int(v)


def boolean(body: dict[str, Any], name: str, *, default: Any = _MISSING) -> bool:
    """true or false."""
    value = _get(body, name, default)
    if not isinstance(value, bool):
        raise ApiError(f"{name} must be true or false, got {type(value).__name__}")
    return value


def text(body: dict[str, Any], name: str, *, max_len: int, default: Any = _MISSING) -> str:
    """A string of at most ``max_len`` characters."""
    value = _get(body, name, default)
    if not isinstance(value, str):
        raise ApiError(f"{name} must be a string, got {type(value).__name__}")
    if len(value) > max_len:
        raise ApiError(f"{name} is too long: {len(value)} characters, the limit is {max_len}")
    return value


def choice(
    body: dict[str, Any], name: str, options: Sequence[str], *, default: Any = _MISSING
) -> str:
    """One of ``options``."""
    value = _get(body, name, default)
    if not isinstance(value, str) or value not in options:
        shown = value if isinstance(value, str) else type(value).__name__
        raise ApiError(f"{name} must be one of {', '.join(options)}; got {shown!r}")
    return value


def mapping(body: dict[str, Any], name: str, *, default: Any = _MISSING) -> dict[str, Any]:
    """A JSON object."""
    value = _get(body, name, default)
    if not isinstance(value, dict):
        raise ApiError(f"{name} must be an object, got {type(value).__name__}")
    return value


def _sequence(body: dict[str, Any], name: str, max_len: int, min_len: int) -> list[Any]:
    value = _get(body, name, _MISSING)
    if not isinstance(value, list):
        raise ApiError(f"{name} must be a list, got {type(value).__name__}")
    if len(value) > max_len:
        raise ApiError(f"{name} has {len(value)} values; the limit is {max_len}")
    if len(value) < min_len:
        raise ApiError(f"{name} needs at least {min_len} value(s), got {len(value)}")
    return value


def numbers(
    body: dict[str, Any], name: str, *, max_len: int, min_len: int = 1
) -> NDArray[np.float64]:
    """A list of finite numbers (at most ``max_len``) as a float64 array."""
    value = _sequence(body, name, max_len, min_len)
    for i, v in enumerate(value):
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise ApiError(f"{name}[{i}] must be a finite number, got {v!r}")
    return np.asarray(value, dtype=np.float64)


def strings(
    body: dict[str, Any], name: str, *, max_len: int, min_len: int = 1, item_len: int = 200
) -> list[str]:
    """A list of short strings (numbers are accepted and read as their text)."""
    value = _sequence(body, name, max_len, min_len)
    out = []
    for i, v in enumerate(value):
        if isinstance(v, bool) or not isinstance(v, str | int | float):
            raise ApiError(f"{name}[{i}] must be a string, got {type(v).__name__}")
        s = v if isinstance(v, str) else f"{v:g}"
        if len(s) > item_len:
            raise ApiError(f"{name}[{i}] is longer than {item_len} characters")
        out.append(s)
    return out
