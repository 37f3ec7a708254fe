"""``shrinkage``: raw versus shrunk estimates, one point per group, sized by its data."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..results.shrinkage import Shrinkage
from ._common import new_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["shrinkage"]


def _weights(result: Shrinkage) -> np.ndarray:
    """How much data each group has: trials, exposure, or precision 1 / se^2 (Normal)."""
    if result.family == "Normal":
        se = np.asarray(result.columns["se"], dtype=float)
        return np.asarray(1.0 / (se * se))
    return np.asarray(result.columns["n"], dtype=float)


def shrinkage(
    result: Shrinkage,
    *,
    ax: Axes | None = None,
    max_points: int = 20_000,
    seed: int = 0,
    title: str | None = None,
) -> Figure:
    """Plot each group's raw estimate against its shrunk (posterior mean) estimate.

    Parameters
    ----------
    result : Shrinkage
        From :func:`thetahat.shrink`.
    ax : matplotlib Axes, optional
        Draw into this axes (default: a new pyplot figure).
    max_points : int
        At most this many groups are drawn (a fixed random subset, said in the
        title), so a million groups still plot quickly.
    seed : int
        Seed of that subset.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The diagonal ``shrunk = raw`` is no pooling (each group on its own); the
    horizontal line at the prior mean is complete pooling. Each point sits
    between them, at the weighted average
    ``posterior mean = w * prior mean + (1 - w) * raw``; small groups (small
    points, area proportional to their trials, exposure or precision) move
    furthest toward the prior. Groups without data have no raw estimate and are
    not drawn.

    Examples
    --------
    >>> import thetahat as th
    >>> res = th.shrink([0, 2, 5, 1, 9, 3], [20, 25, 30, 15, 40, 22])
    >>> fig = th.plot.shrinkage(res)
    >>> len(fig.axes)
    1
    """
    if not isinstance(result, Shrinkage):
        raise TypeError(f"shrinkage() plots a th.shrink result, got {type(result).__name__}")
    if max_points < 1:
        raise ValueError(f"max_points must be >= 1, got {max_points}")
    fig, (ax,) = new_figure(size=(6.4, 5.2), ax=ax)
    raw = np.asarray(result.columns["mle"], dtype=float)
    shrunk = np.asarray(result.columns["posterior_mean"], dtype=float)
    weight = _weights(result)
    idx = np.flatnonzero(np.isfinite(raw))
    shown_note = ""
    if idx.shape[0] > max_points:
        rng = np.random.default_rng(seed)
        idx = np.sort(rng.choice(idx, size=max_points, replace=False))
        shown_note = f" ({max_points} of {int(np.isfinite(raw).sum())} groups shown)"
    w = weight[idx]
    top = float(w.max()) if w.size and float(w.max()) > 0 else 1.0
    sizes = 6.0 + 120.0 * np.sqrt(w / top)
    ax.scatter(
        raw[idx], shrunk[idx], s=sizes, alpha=0.55, edgecolors="none", label="groups", zorder=3
    )
    prior_mean = float(np.asarray(result.prior.mean(), dtype=float))
    if idx.size:
        lo = float(min(raw[idx].min(), shrunk[idx].min(), prior_mean))
        hi = float(max(raw[idx].max(), shrunk[idx].max(), prior_mean))
    else:
        lo, hi = prior_mean - 1.0, prior_mean + 1.0
    pad = 0.03 * (hi - lo if hi > lo else 1.0)
    ax.plot(
        [lo - pad, hi + pad],
        [lo - pad, hi + pad],
        color="0.4",
        lw=1.0,
        ls="--",
        label="no pooling (shrunk = raw)",
    )
    ax.axhline(prior_mean, color="C3", lw=1.2, label=f"prior mean {prior_mean:.4g}")
    what = {"Binomial": "rate", "Poisson": "rate", "Normal": "effect"}.get(result.family, "value")
    ax.set_xlabel(f"raw {what} (group's own estimate)")
    ax.set_ylabel(f"shrunk {what} (posterior mean)")
    pooled = ", complete pooling" if result.complete_pooling else ""
    ax.set_title(title or f"Shrinkage toward {result.prior!r}{pooled}{shown_note}", fontsize=9)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    return fig
