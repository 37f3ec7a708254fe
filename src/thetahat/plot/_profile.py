"""The profile log-likelihood of one parameter and its likelihood-ratio interval."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special as sc

from ._common import clip_grid, domain_bounds, new_figure, quiet, scalar_param

__all__ = ["profile", "profile_curve"]


def profile_curve(
    estimate: Any,
    data: Any,
    param: str,
    grid: NDArray[np.float64],
    *,
    weights: ArrayLike | None = None,
    exposure: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """Profile log-likelihood ``max over the other free parameters of loglik`` on ``grid``."""
    import thetahat as th

    fam = estimate.family
    others = [n for n in fam.estimable if n != param]
    obs = {} if exposure is None else {"exposure": exposure}
    out = np.empty(grid.shape[0])
    with quiet():
        if not others:
            stats = fam.suff_stats(data, weights, **obs)
            for i, v in enumerate(grid):
                out[i] = fam.loglik({**fam.params, param: float(v)}, stats)
        else:
            for i, v in enumerate(grid):
                try:
                    sub = fam.with_params(**{param: float(v)})
                    out[i] = th.fit(sub, data, weights=weights, exposure=exposure).loglik
                except ValueError:
                    out[i] = np.nan
    return out


def _crossing(x0: float, x1: float, y0: float, y1: float, level: float) -> float:
    if y1 == y0:
        return x0
    return x0 + (level - y0) * (x1 - x0) / (y1 - y0)


def profile(
    estimate: Any,
    data: Any,
    param: str | None = None,
    *,
    level: float = 0.95,
    weights: ArrayLike | None = None,
    exposure: ArrayLike | None = None,
    points: int = 201,
    width: float = 4.0,
    ax: Any = None,
) -> Any:
    """Profile log-likelihood of ``param`` with the likelihood-ratio interval shaded.

    Parameters
    ----------
    estimate : Estimate
        A fit of a distribution family (``th.fit(th.Gamma, x)``).
    data : array_like
        The data it was fitted to (with the same ``weights``/``exposure``).
    param : str, optional
        The parameter (default: the only free one).
    level : float
        Confidence level of the interval.
    points : int
        Grid points.
    width : float
        The grid spans the estimate +- ``width`` Wald standard errors (clipped to
        the parameter's domain; the whole of a bounded domain when the standard
        error is infinite).
    ax : matplotlib Axes, optional
        Draw there (default: a new pyplot figure).

    Returns
    -------
    matplotlib.figure.Figure
        Lines ``profile`` (the curve), ``cutoff`` (the horizontal threshold),
        ``estimate`` (vertical, at the MLE) and the shaded ``interval``.

    Notes
    -----
    ``pl(psi) = max over the other parameters of loglik(psi, lambda)``; the
    interval is ``{psi : pl(psi) >= max pl - chi2_1(level) / 2}`` (Wilks), with
    ``chi2_1(level) = ndtri((1 + level) / 2)^2``; its ends are found by linear
    interpolation between grid points.

    Examples
    --------
    >>> import thetahat as th
    >>> x = th.Gamma(2.0, 0.5).sample(100, rng=0)
    >>> fig = th.plot.profile(th.fit(th.Gamma, x), x, "shape")
    >>> len(fig.axes)
    1
    """
    from .._validation import check_level

    lv = check_level(level)
    if estimate.family is None:
        raise ValueError("the profile plot needs an estimate of a distribution's parameters")
    fam = estimate.family
    name = scalar_param(fam, param, "profile")
    if name not in estimate.params:
        raise ValueError(f"{name!r} was not estimated (estimated: {', '.join(estimate.params)})")
    centre = float(estimate.params[name])
    se = float(estimate.se[name])
    dom = fam.param(name).domain
    dlo, dhi = domain_bounds(dom)
    if np.isfinite(se) and se > 0:
        lo, hi = centre - width * se, centre + width * se
    elif np.isfinite(dlo) and np.isfinite(dhi):
        lo, hi = dlo, dhi
    else:
        span = max(1.0, abs(centre))
        lo, hi = centre - span, centre + span
    lo, hi = clip_grid(lo, hi, dom)
    grid = np.unique(np.concatenate([np.linspace(lo, hi, points), [centre]]))
    pl = profile_curve(estimate, data, name, grid, weights=weights, exposure=exposure)
    finite = np.isfinite(pl)
    if not finite.any():
        raise ValueError("the profile log-likelihood is not finite anywhere on the grid")
    top = float(np.nanmax(pl))
    cut = top - 0.5 * float(sc.ndtri((1.0 + lv) / 2.0)) ** 2
    inside = np.flatnonzero(finite & (pl >= cut))
    i0, i1 = int(inside[0]), int(inside[-1])
    ci_lo = (
        float(grid[i0]) if i0 == 0 else _crossing(grid[i0 - 1], grid[i0], pl[i0 - 1], pl[i0], cut)
    )
    ci_hi = (
        float(grid[i1])
        if i1 == grid.size - 1
        else _crossing(grid[i1], grid[i1 + 1], pl[i1], pl[i1 + 1], cut)
    )

    fig, (ax,) = new_figure(ax=ax)
    span = ax.axvspan(ci_lo, ci_hi, color="C2", alpha=0.2, label=f"{lv:.0%} interval")
    span.set_gid("interval")
    (ln,) = ax.plot(grid, pl, color="C0", lw=2, label="profile log-likelihood")
    ln.set_gid("profile")
    ax.axhline(cut, color="grey", ls="--", label=f"max - {top - cut:.3g}").set_gid("cutoff")
    ax.axvline(centre, color="C3", lw=1.5, label=f"estimate = {centre:.4g}").set_gid("estimate")
    ax.set_ylim(bottom=cut - 2.0 * (top - cut), top=top + 0.3 * (top - cut))
    ax.set_xlabel(name)
    ax.set_ylabel("log-likelihood")
    ax.set_title(
        f"{type(fam).__name__} {name}: profile interval [{ci_lo:.4g}, {ci_hi:.4g}] at {lv:.0%}"
    )
    ax.legend(fontsize=8)
    return fig
