"""Warnings and helpers shared by the result objects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._format import fmt

Value = Any


class BoundaryWarning(UserWarning):
    """The estimate lies on the boundary of the parameter space (or does not exist).

    Examples
    --------
    >>> import thetahat as th
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     est = th.fit(th.Bernoulli, [1, 1, 1])
    ...
    >>> [w.category.__name__ for w in caught]
    ['BoundaryWarning']
    >>> est.status, est.se
    (<Status.BOUNDARY: 'boundary'>, {'p': inf})
    """


class ConvergenceWarning(UserWarning):
    """An iterative solver stopped before meeting its tolerance.

    Examples
    --------
    >>> import thetahat as th
    >>> issubclass(th.ConvergenceWarning, UserWarning)
    True
    >>> est = th.fit(th.Weibull, [1.1, 2.3, 0.7, 1.8, 3.0, 1.4])
    >>> est.converged
    True
    """


def _flat_labels(params: Mapping[str, Value]) -> list[str]:
    labels: list[str] = []
    for name, v in params.items():
        if type(v) is float or np.ndim(v) == 0:
            labels.append(name)
        else:
            labels.extend(f"{name}[{i}]" for i in range(np.size(v)))
    return labels


def _unflatten(params: Mapping[str, Value], flat: NDArray[np.float64]) -> dict[str, Value]:
    out: dict[str, Value] = {}
    # Python floats in one conversion, and no NumPy call for a float parameter: a
    # regression's 201 coefficients took 1.3 ms (np.size and np.ndim on each), 0.2 now
    values = flat.tolist()
    i = 0
    for name, v in params.items():
        if type(v) is float or np.ndim(v) == 0:
            out[name] = values[i]
            i += 1
        else:
            size = int(np.size(v))
            out[name] = np.asarray(flat[i : i + size], dtype=float).reshape(np.shape(v))
            i += size
    return out


def _flatten(params: Mapping[str, Value]) -> NDArray[np.float64]:
    if not params:
        return np.zeros(0)
    return np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in params.values()])


def _round(v: Any) -> Any:
    f = float(v)
    return round(f, 3) if np.isfinite(f) else f


def _short(v: Any) -> str:
    if isinstance(v, np.ndarray):
        if v.size > 4:
            return f"array(len={v.size})"
        return np.array2string(v, separator=", ")
    return fmt(v)


def _prior_text(prior: Any) -> str:
    if isinstance(prior, Mapping):
        return "; ".join(f"{k}={v!r}" for k, v in prior.items())
    return repr(prior)


def close_table(lines: list[str], warnings: tuple[str, ...], width: int) -> str:
    """Finish a summary table: the closing rule, then one line per warning."""
    lines.append("=" * width)
    lines.extend(f"Warning: {w}" for w in warnings)
    return "\n".join(lines)
