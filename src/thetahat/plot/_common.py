"""Shared plotting helpers: an Agg-backed Figure, grids inside a parameter's domain."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "clip_grid",
    "cumulative_trapezoid",
    "domain_bounds",
    "new_figure",
    "quiet",
    "scalar_param",
    "trapezoid",
    "try_fit",
]


def new_figure(
    nrows: int = 1,
    ncols: int = 1,
    size: tuple[float, float] = (7.0, 4.2),
    ax: Any = None,
) -> tuple[Any, list[Any]]:
    """The figure and the ``nrows * ncols`` axes a plot draws on.

    With ``ax`` (one Axes, or a sequence of ``nrows * ncols`` Axes for a
    figure of several panels) the plot draws there and the figure is theirs.
    Otherwise a new pyplot figure is made (``plt.show()`` shows it; pyplot picks
    a non-interactive backend where there is no display), ``layout="constrained"``.
    """
    n = nrows * ncols
    if ax is not None:
        axes = list(np.ravel(np.asarray(ax, dtype=object))) if np.ndim(ax) else [ax]
        if len(axes) != n or not all(hasattr(a, "figure") and hasattr(a, "plot") for a in axes):
            what = "one matplotlib Axes" if n == 1 else f"a sequence of {n} matplotlib Axes"
            raise TypeError(f"ax must be {what} for this figure, got {ax!r}")
        return axes[0].figure, axes
    from .._optional import require

    plt = require("matplotlib.pyplot", "plot")
    fig = plt.figure(figsize=size, layout="constrained")
    return fig, list(fig.subplots(nrows, ncols, squeeze=False).ravel())


@contextmanager
def quiet() -> Iterator[None]:
    """Silence warnings (boundary MLEs are expected in pictures of thin data)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            yield


def try_fit(fn: Callable[[], Any]) -> Any:
    """``fn()``, or None when it raises ValueError (an estimate that does not exist)."""
    try:
        with quiet():
            return fn()
    except ValueError:
        return None


def domain_bounds(dom: Any) -> tuple[float, float]:
    """The (low, high) of a parameter domain, infinite where it is unbounded."""
    low = getattr(dom, "low", None)
    high = getattr(dom, "high", None)
    return (-np.inf if low is None else float(low), np.inf if high is None else float(high))


def clip_grid(lo: float, hi: float, dom: Any) -> tuple[float, float]:
    """Clip [lo, hi] to the interior of ``dom`` (a hair inside an open or closed edge)."""
    dlo, dhi = domain_bounds(dom)
    if np.isfinite(dlo) and np.isfinite(dhi):
        eps = 1e-4 * (dhi - dlo)
    else:
        eps = 1e-9 * max(1.0, abs(hi - lo))
    if np.isfinite(dlo):
        lo = max(lo, dlo + eps)
    if np.isfinite(dhi):
        hi = min(hi, dhi - eps)
    return lo, hi


def scalar_param(fam: Any, param: str | None, what: str) -> str:
    """The one scalar parameter a figure is about (``param``, or the only free one)."""
    names = fam.estimable
    if param is None:
        if len(names) != 1:
            raise ValueError(
                f"the {what} plot shows one parameter; {type(fam).__name__} has "
                f"{len(names)} free ({', '.join(names) or 'none'}): fix the others "
                f"(e.g. th.Normal(sigma=2)) or choose param="
            )
        param = names[0]
    if param not in names:
        raise ValueError(
            f"{param!r} is not a free parameter of {fam!r} (free: {', '.join(names) or 'none'})"
        )
    if fam.param(param).domain.vector:
        raise ValueError(f"{type(fam).__name__} parameter {param} is a vector; plot a scalar one")
    return param


def trapezoid(y: NDArray[np.float64], x: NDArray[np.float64]) -> float:
    """Trapezoidal integral of y over x."""
    return float(np.sum(0.5 * (y[1:] + y[:-1]) * np.diff(x)))


def cumulative_trapezoid(y: NDArray[np.float64], x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Running trapezoidal integral, starting at 0."""
    return np.concatenate([[0.0], np.cumsum(0.5 * (y[1:] + y[:-1]) * np.diff(x))])
