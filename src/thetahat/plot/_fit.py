"""The data with the fitted density (or pmf), and a QQ plot."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._common import new_figure, quiet

__all__ = ["fit"]


def fit(estimate: Any, data: Any, *, bins: Any = "auto", ax: Any = None) -> Any:
    """Histogram (or bar chart) of the data with the fitted distribution, and a QQ plot.

    Parameters
    ----------
    estimate : Estimate
        A fit of a univariate family (``th.fit(th.Gamma, x)``).
    data : array_like
        The data it was fitted to.
    bins : int, sequence or str
        Histogram bins for continuous data (as in ``numpy.histogram``).
    ax : pair of matplotlib Axes, optional
        Draw the two panels there (default: a new pyplot figure).

    Returns
    -------
    matplotlib.figure.Figure
        Left axes: the ``data`` (density histogram, or bars of relative
        frequencies for a discrete family) and the fitted ``density`` (pdf curve or
        pmf markers). Right axes: ``qq`` points (theoretical quantiles
        ``F^-1((i - 0.5) / n)`` against the sorted data) and the ``qq_line`` y = x.

    Notes
    -----
    A good fit puts the QQ points on the diagonal; curvature shows a wrong tail
    (a Normal fitted to skewed data bends away at the ends).

    Examples
    --------
    >>> import thetahat as th
    >>> x = th.Gamma(2.0, 0.5).sample(200, rng=0)
    >>> fig = th.plot.fit(th.fit(th.Gamma, x), x)
    >>> len(fig.axes)
    2
    """
    dist = estimate.dist
    if dist.event_vector:
        raise ValueError(f"{type(dist).__name__} has vector observations; plot a univariate fit")
    x = np.asarray(data, dtype=float)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"data must be a non-empty 1-d array, got shape {x.shape}")
    fig, (left, right) = new_figure(1, 2, size=(10.0, 4.2), ax=ax)
    with quiet():
        if dist.discrete:
            values, counts = np.unique(x, return_counts=True)
            bars = left.bar(values, counts / x.size, width=0.8, alpha=0.5, color="C0", label="data")
            for patch in bars:
                patch.set_gid("data")
            hi = max(float(values.max()), float(dist.ppf(0.995)))
            support = np.arange(np.floor(min(0.0, values.min())), np.floor(hi) + 1.0)
            pmf = np.asarray(dist.pmf(support), dtype=float)
            (ln,) = left.plot(support, pmf, "o-", color="C3", ms=4, lw=1, label=f"{dist!r} pmf")
            ln.set_gid("density")
            left.set_ylabel("relative frequency")
        else:
            _heights, edges, patches = left.hist(
                x, bins=bins, density=True, alpha=0.5, color="C0", label="data"
            )
            for patch in patches:
                patch.set_gid("data")
            pad = 0.05 * (edges[-1] - edges[0] or 1.0)
            grid = np.linspace(edges[0] - pad, edges[-1] + pad, 400)
            dens = np.asarray(dist.pdf(grid), dtype=float)
            dens = np.where(np.isfinite(dens), dens, np.nan)
            (ln,) = left.plot(grid, dens, color="C3", lw=2, label=f"{dist!r} pdf")
            ln.set_gid("density")
            left.set_ylabel("density")
        left.set_xlabel("x")
        left.set_title(f"{estimate.method.upper()} fit, n = {x.size}")
        left.legend(fontsize=8)

        xs = np.sort(x)
        probs = (np.arange(1, xs.size + 1) - 0.5) / xs.size
        theo = np.asarray(dist.ppf(probs), dtype=float)
    (ln,) = right.plot(theo, xs, "o", ms=3, color="C0", label="data")
    ln.set_gid("qq")
    finite = np.isfinite(theo)
    lo = float(min(theo[finite].min(), xs.min())) if finite.any() else float(xs.min())
    hi = float(max(theo[finite].max(), xs.max())) if finite.any() else float(xs.max())
    (ln,) = right.plot([lo, hi], [lo, hi], color="grey", ls="--", label="y = x")
    ln.set_gid("qq_line")
    right.set_xlabel(f"quantiles of {dist!r}")
    right.set_ylabel("sorted data")
    right.set_title("QQ plot")
    return fig
