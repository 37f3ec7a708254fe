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
    "as_generator",
    "as_weights",
    "check_finite",
    "check_level",
    "check_same_length",
    "first_bad",
    "to_float64",
]


def first_bad(mask: NDArray[np.bool_]) -> int | tuple[int, ...]:
    """Index of the first True in ``mask`` (an int for 1-d, a tuple otherwise)."""
    flat = int(np.flatnonzero(mask.ravel())[0])
    if mask.ndim == 1:
        return flat
    return tuple(int(i) for i in np.unravel_index(flat, mask.shape))


def _first_index(data: Any, bad: Any) -> str:
    """Where the first element of a (nested) sequence for which ``bad(v)`` holds is."""

    def walk(v: Any, path: tuple[int, ...]) -> tuple[int, ...] | None:
        if isinstance(v, list | tuple) or (isinstance(v, np.ndarray) and v.ndim > 0):
            for i, item in enumerate(v):
                found = walk(item, (*path, i))
                if found is not None:
                    return found
            return None
        return path if bad(v) else None

    try:
        found = walk(data, ())
    except TypeError:
        found = None
    if not found:
        return ""
    return f" at index {found[0] if len(found) == 1 else found}"


def _too_big(v: Any) -> bool:
    try:
        float(v)
    except OverflowError:
        return True
    except (TypeError, ValueError):
        return False
    return False


_FLOAT64 = np.dtype(np.float64)


def to_float64(data: Any, name: str = "data") -> NDArray[np.float64]:
    """``np.asarray(data, dtype=float64)`` that never alters or drops a value silently.

    Refused with a message naming the value: strings, complex numbers (numpy would
    drop the imaginary part), masked arrays with masked values (numpy would keep the
    values under the mask; ``data.compressed()`` fits the unmasked ones), integers
    beyond the float64 range (about 1.8e308) and other non-numbers.
    """
    if type(data) is np.ndarray and data.dtype is _FLOAT64:
        return data  # already what the rest expects (a masked array is a subclass)
    if isinstance(data, str | bytes):
        raise TypeError(f"{name} must be numbers, not a string")
    if isinstance(data, np.ma.MaskedArray):
        mask = np.ma.getmaskarray(data)
        if mask.any():
            raise ValueError(
                f"{name} is a masked array with {int(mask.sum())} masked value(s) (the first "
                f"at index {first_bad(mask)}); thetahat neither fits nor silently drops masked "
                f"values: pass {name}.compressed() to use the unmasked ones"
            )
        data = np.ma.getdata(data)
    kind = getattr(getattr(data, "dtype", None), "kind", None)
    if kind == "c" or isinstance(data, complex | np.complexfloating):
        raise TypeError(
            f"{name} must be real numbers, got complex values (dtype "
            f"{getattr(data, 'dtype', type(data).__name__)}); pass the real part explicitly "
            "(np.real) if the imaginary parts are zero"
        )
    try:
        return np.asarray(data, dtype=np.float64)
    except OverflowError:
        where = _first_index(data, _too_big)
        raise ValueError(
            f"{name} holds an integer too large for a float64{where} (the largest is about "
            "1.8e308); rescale the values"
        ) from None
    except (TypeError, ValueError) as exc:
        where = _first_index(data, lambda v: isinstance(v, complex | np.complexfloating))
        if where:
            raise TypeError(f"{name} must be real numbers, got a complex value{where}") from None
        raise TypeError(f"{name} must be numeric: {exc}") from None


def as_float_array(data: Any, name: str = "data", *, ndim: int | None = 1) -> NDArray[np.float64]:
    """Convert to a float64 array, rejecting strings, objects and wrong shapes."""
    arr = to_float64(data, name)
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


def as_generator(rng: Any = None, random_state: Any = None) -> np.random.Generator:
    """The one random-state convention: ``rng=`` a seed or ``numpy.random.Generator``.

    ``random_state=`` (scikit-learn's and scipy's name) is accepted as an alias; a
    legacy ``numpy.random.RandomState`` is wrapped (its stream continues), a
    ``SeedSequence`` or ``BitGenerator`` seeds a new Generator. Giving both names,
    or anything else (a float, a string), is a TypeError naming what was given.
    """
    if rng is not None and random_state is not None:
        raise TypeError("give rng= or random_state= (the same thing), not both")
    value = rng if rng is not None else random_state
    if isinstance(value, np.random.Generator):
        return value
    if isinstance(value, np.random.RandomState):
        return np.random.Generator(value._bit_generator)
    if value is None or isinstance(value, np.random.SeedSequence | np.random.BitGenerator):
        return np.random.default_rng(value)
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"a random seed must be >= 0, got {int(value)}")
        return np.random.default_rng(int(value))
    raise TypeError(
        "rng must be None, an integer seed or a numpy.random.Generator (a RandomState, "
        f"SeedSequence or BitGenerator also works), got {type(value).__name__} {value!r}"
    )
