"""Several fitted families over one data set (density, cdf, Q-Q, P-P), and the 2 x 2
diagnostic panel of one fit; censored data through Turnbull's NPMLE."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..statistics import Censored
from ..statistics.turnbull import NPMLE, turnbull
from ._common import new_figure, quiet

__all__ = ["KINDS", "compare", "diagnostics"]

KINDS = ("density", "cdf", "qq", "pp")


def _fits(fits: Any) -> list[tuple[str, Any]]:
    """(label, estimate) pairs from a Comparison, a mapping or a sequence of estimates."""
    if hasattr(fits, "estimates") and hasattr(fits, "order"):
        return [(label, fits.estimates[label]) for label in fits.order]
    if isinstance(fits, Mapping):
        pairs = list(fits.items())
    elif hasattr(fits, "family") and hasattr(fits, "params"):
        pairs = [(None, fits)]
    else:
        pairs = [(None, f) for f in fits]
    if not pairs:
        raise ValueError("plot.compare needs at least one fit")
    out = []
    for label, est in pairs:
        if getattr(est, "family", None) is None:
            raise TypeError(f"plot.compare takes estimates of distributions, got {est!r}")
        if est.family.event_vector:
            raise ValueError(
                f"{type(est.family).__name__} has vector observations: plot a univariate fit"
            )
        out.append((label or type(est.family).__name__, est))
    return out


def _data(fits: list[tuple[str, Any]], data: Any) -> NDArray[np.float64] | Censored:
    if data is None:
        data = fits[0][1].data
        if data is None:
            raise ValueError("the fit keeps no data (it was fitted to statistics): pass data=")
        weights = fits[0][1].weights
        if weights is not None and not isinstance(data, Censored):
            return np.repeat(np.asarray(data, float), np.asarray(weights).astype(np.intp))
    if isinstance(data, Censored):
        return data
    x = np.asarray(data, dtype=float)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"data must be a non-empty 1-d array, got shape {x.shape}")
    return x


def _grid(lo: float, hi: float, discrete: bool) -> NDArray[np.float64]:
    if discrete:
        return np.arange(np.floor(lo), np.floor(hi) + 1.0)
    pad = 0.05 * ((hi - lo) or 1.0)
    return np.linspace(lo - pad, hi + pad, 400)


def _span(x: Any) -> tuple[float, float]:
    if isinstance(x, Censored):
        ends = np.concatenate([x.lower, x.upper])
        ends = ends[np.isfinite(ends)]
        return float(ends.min()), float(ends.max())
    return float(x.min()), float(x.max())


def _line(ax: Any, xs: Any, ys: Any, gid: str, **kw: Any) -> Any:
    (ln,) = ax.plot(xs, ys, **kw)
    ln.set_gid(gid)
    return ln


def _density(ax: Any, fits: list[tuple[str, Any]], x: Any, bins: Any) -> None:
    if isinstance(x, Censored):
        raise ValueError(
            "a density plot needs every value observed; for censored data use kind='cdf', "
            "'qq' or 'pp' (drawn from Turnbull's nonparametric MLE)"
        )
    discrete = fits[0][1].family.discrete
    if discrete:
        values, counts = np.unique(x, return_counts=True)
        for patch in ax.bar(
            values, counts / x.size, width=0.8, alpha=0.4, color="grey", label="data"
        ):
            patch.set_gid("data")
    else:
        for patch in ax.hist(x, bins=bins, density=True, alpha=0.4, color="grey", label="data")[2]:
            patch.set_gid("data")
    lo, hi = _span(x)
    for i, (label, est) in enumerate(fits):
        dist = est.dist
        grid = _grid(lo, hi, dist.discrete)
        dens = np.asarray(dist.pmf(grid) if dist.discrete else dist.pdf(grid), dtype=float)
        _line(ax, grid, np.where(np.isfinite(dens), dens, np.nan), "fit", color=f"C{i}",
              label=label, lw=1.6, marker="o" if dist.discrete else None, ms=3)  # fmt: skip
    ax.set_xlabel("x")
    ax.set_ylabel("probability" if discrete else "density")
    ax.set_title("Histogram and fitted densities")


def _npmle_cdf(ax: Any, np_: NPMLE) -> None:
    """Turnbull's cdf: flat between intervals; grey boxes where it is not unique."""
    before, after = np_.cdf_before, np_.cdf_after
    lo, hi = (
        float(np_.left[np.isfinite(np_.left)].min()),
        float(np_.right[np.isfinite(np_.right)].max()),
    )
    xs = [min(lo, hi) - 1e-12]
    ys = [0.0]
    for a, b, f0, f1 in zip(np_.left, np_.right, before, after, strict=True):
        a_ = a if np.isfinite(a) else lo
        b_ = b if np.isfinite(b) else hi
        xs += [a_, b_]
        ys += [f0, f1]
        if b_ > a_:
            rect = ax.fill_between([a_, b_], f0, f1, color="grey", alpha=0.3, lw=0)
            rect.set_gid("npmle_gap")
    _line(ax, xs, ys, "npmle", color="black", lw=1.2, label="Turnbull NPMLE",
          drawstyle="default")  # fmt: skip


def _cdf(ax: Any, fits: list[tuple[str, Any]], x: Any) -> None:
    lo, hi = _span(x)
    if isinstance(x, Censored):
        _npmle_cdf(ax, turnbull(x))
    else:
        xs = np.sort(x)
        _line(ax, xs, np.arange(1, xs.size + 1) / xs.size, "ecdf", drawstyle="steps-post",
              color="black", lw=1.2, label="empirical")  # fmt: skip
    for i, (label, est) in enumerate(fits):
        grid = _grid(lo, hi, est.family.discrete)
        ds = "steps-post" if est.family.discrete else "default"
        _line(ax, grid, est.dist.cdf(grid), "fit", color=f"C{i}", lw=1.6, label=label,
              drawstyle=ds)  # fmt: skip
    ax.set_xlabel("x")
    ax.set_ylabel("cumulative probability")
    ax.set_title("Empirical and fitted cdfs")


def _rectangles(
    ax: Any, x0: Any, x1: Any, y0: Any, y1: Any, color: str, gid: str, label: str
) -> None:
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle

    rects = [Rectangle((a, c), b - a, d - c) for a, b, c, d in zip(x0, x1, y0, y1, strict=True)]
    coll = PatchCollection(rects, facecolor=color, edgecolor=color, alpha=0.35)
    coll.set_gid(gid)
    ax.add_collection(coll)
    ax.plot([], [], color=color, label=label, lw=6, alpha=0.35)


def _qq(ax: Any, fits: list[tuple[str, Any]], x: Any) -> None:
    if isinstance(x, Censored):
        np_ = turnbull(x)
        lo, hi = _span(x)
        y0 = np.where(np.isfinite(np_.left), np_.left, lo)
        y1 = np.where(np.isfinite(np_.right), np_.right, hi)
        for i, (label, est) in enumerate(fits):
            q0 = np.asarray(est.dist.ppf(np.clip(np_.cdf_before, 0, 1)), dtype=float)
            q1 = np.asarray(est.dist.ppf(np.clip(np_.cdf_after, 0, 1)), dtype=float)
            q0, q1 = np.where(np.isfinite(q0), q0, lo), np.where(np.isfinite(q1), q1, hi)
            _rectangles(ax, q0, q1, y0, y1, f"C{i}", "qq", label)
        ref = [lo, hi]
    else:
        xs = np.sort(x)
        probs = (np.arange(1, xs.size + 1) - 0.5) / xs.size
        ref = [float(xs[0]), float(xs[-1])]
        for i, (label, est) in enumerate(fits):
            theo = np.asarray(est.dist.ppf(probs), dtype=float)
            _line(ax, theo, xs, "qq", ls="", marker="o", ms=3, color=f"C{i}", label=label)
            fin = theo[np.isfinite(theo)]
            if fin.size:
                ref = [min(ref[0], float(fin.min())), max(ref[1], float(fin.max()))]
    _line(ax, ref, ref, "diagonal", color="grey", ls="--", lw=1)
    ax.autoscale_view()
    ax.set_xlabel("theoretical quantiles")
    ax.set_ylabel("empirical quantiles")
    ax.set_title("Q-Q plot")


def _pp(ax: Any, fits: list[tuple[str, Any]], x: Any) -> None:
    if isinstance(x, Censored):
        np_ = turnbull(x)
        for i, (label, est) in enumerate(fits):
            f0 = np.asarray(est.dist.cdf(np_.left), dtype=float)
            f1 = np.asarray(est.dist.cdf(np_.right), dtype=float)
            _rectangles(ax, f0, f1, np_.cdf_before, np_.cdf_after, f"C{i}", "pp", label)
    else:
        xs = np.sort(x)
        probs = (np.arange(1, xs.size + 1) - 0.5) / xs.size
        for i, (label, est) in enumerate(fits):
            _line(ax, est.dist.cdf(xs), probs, "pp", ls="", marker="o", ms=3, color=f"C{i}",
                  label=label)  # fmt: skip
    _line(ax, [0, 1], [0, 1], "diagonal", color="grey", ls="--", lw=1)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("theoretical probabilities")
    ax.set_ylabel("empirical probabilities")
    ax.set_title("P-P plot")


def _draw(ax: Any, kind: str, fits: list[tuple[str, Any]], x: Any, bins: Any) -> None:
    with quiet():
        if kind == "density":
            _density(ax, fits, x, bins)
        elif kind == "cdf":
            _cdf(ax, fits, x)
        elif kind == "qq":
            _qq(ax, fits, x)
        else:
            _pp(ax, fits, x)
    ax.legend(fontsize=8)


def compare(
    fits: Any, data: Any = None, *, kind: str = "cdf", bins: Any = "auto", ax: Any = None
) -> Any:
    """Several fitted distributions over one data set, as fitdistrplus' ``*comp`` plots.

    Parameters
    ----------
    fits : Comparison, sequence of Estimate, or mapping label -> Estimate
        Fits of univariate families to the same data (``th.compare(...)`` gives one).
    data : array_like or Censored, optional
        The data (default: the data the first fit keeps).
    kind : {"density", "cdf", "qq", "pp"}
        Histogram with fitted densities (pmfs for discrete data); empirical cdf
        steps with fitted cdfs; Q-Q (fitted quantiles at ``(i - 0.5)/n`` against
        the sorted data); P-P (fitted cdf at the sorted data against ``(i - 0.5)/n``).
    bins : int, sequence or str
        Histogram bins (``kind="density"``).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Artists carry gids: ``data``/``ecdf``/``npmle`` (the data), ``fit`` (one
        curve per family), ``qq``/``pp`` (points or rectangles), ``diagonal``.

    Notes
    -----
    For censored data (``th.Censored``) the empirical cdf is Turnbull's
    nonparametric MLE (:func:`thetahat.statistics.turnbull.turnbull`): flat
    between its innermost intervals, shaded where it is not unique; Q-Q and P-P
    plots draw one rectangle per interval (its ends against its probability
    range), as fitdistrplus' ``qqcompcens``/``ppcompcens``. A density needs every
    value observed and is refused for censored data.

    Examples
    --------
    >>> import numpy as np, thetahat as th
    >>> x = np.random.default_rng(0).gamma(2.0, 1.5, size=200)
    >>> comp = th.compare([th.Gamma, th.Weibull, th.LogNormal], x)
    >>> fig = th.plot.compare(comp, kind="qq")
    >>> len([a for a in fig.axes[0].get_lines() if a.get_gid() == "qq"])
    3
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    pairs = _fits(fits)
    x = _data(pairs, data)
    fig, (axis,) = new_figure(1, 1, size=(6.4, 4.8), ax=ax)
    _draw(axis, kind, pairs, x, bins)
    return fig


def diagnostics(fit: Any, data: Any = None, *, bins: Any = "auto", ax: Any = None) -> Any:
    """The 2 x 2 diagnostic panel of one fit (fitdistrplus' ``plot.fitdist``).

    Density over the histogram, empirical and fitted cdf, Q-Q and P-P plots (for
    censored data: Turnbull's cdf with the Q-Q and P-P rectangles, and the fitted
    density alone in the first panel).

    Parameters
    ----------
    fit : Estimate
    data : array_like or Censored, optional
        Default: the data the fit keeps.
    bins : int, sequence or str
    ax : four matplotlib Axes, optional
        In the order density, cdf, Q-Q, P-P.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np, thetahat as th
    >>> x = np.random.default_rng(0).weibull(1.5, size=150)
    >>> fig = th.plot.diagnostics(th.fit(th.Weibull, x))
    >>> [a.get_title() for a in fig.axes][2]
    'Q-Q plot'
    """
    pairs = _fits([fit])
    x = _data(pairs, data)
    fig, axes = new_figure(2, 2, size=(10.0, 8.0), ax=ax)
    if isinstance(x, Censored):
        lo, hi = _span(x)
        grid = _grid(lo, hi, False)
        with quiet():
            _line(axes[0], grid, pairs[0][1].dist.pdf(grid), "fit", color="C0", label=pairs[0][0])
        axes[0].set_title("Fitted density (censored data)")
        axes[0].legend(fontsize=8)
    else:
        _draw(axes[0], "density", pairs, x, bins)
    for axis, kind in zip(axes[1:], ("cdf", "qq", "pp"), strict=True):
        _draw(axis, kind, pairs, x, bins)
    return fig
