"""The textbook figure: prior, likelihood and posterior of one parameter."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._domains import POSITIVE
from ._common import (
    clip_grid,
    cumulative_trapezoid,
    new_figure,
    quiet,
    scalar_param,
    trapezoid,
    try_fit,
)

__all__ = ["posterior"]


def _label(value: float) -> str:
    return f"{value:.4g}"


def posterior(
    family: Any,
    data: Any,
    prior: Any,
    *,
    level: float = 0.95,
    weights: ArrayLike | None = None,
    exposure: ArrayLike | None = None,
    points: int = 801,
    ax: Any = None,
) -> Any:
    """Prior, likelihood and posterior of a family's one free parameter.

    Parameters
    ----------
    family : Distribution class or instance
        The likelihood; exactly one parameter may be free (fix the others:
        ``th.Normal(sigma=2)``).
    data : array_like
    prior : Distribution or {name: Distribution}
        A proper prior over the free parameter.
    level : float
        Probability of the shaded equal-tailed credible interval.
    weights, exposure : array_like, optional
        As in :func:`thetahat.fit`.
    points : int
        Grid points per range (the prior's and the posterior's ranges are merged).
    ax : matplotlib Axes, optional
        Draw there (default: a new pyplot figure).

    Returns
    -------
    matplotlib.figure.Figure
        One axes with lines ``prior``, ``likelihood`` (scaled to the posterior's
        height), ``posterior``, vertical lines ``mle``, ``map`` and ``mean``, and
        the shaded ``interval`` (artist gids).

    Notes
    -----
    With a conjugate prior the posterior curve is the exact posterior density
    (e.g. ``Beta(a + k, b + n - k)``); otherwise it is
    ``exp(loglik(theta) + log prior(theta))`` normalised by the trapezoidal rule
    on the grid, and its mean and interval are read off the same grid.  The
    likelihood is ``exp(loglik - max loglik)`` times the posterior's maximum, so
    it has the posterior's height: its shape, not its scale, is the information.

    Examples
    --------
    >>> import thetahat as th
    >>> fig = th.plot.posterior(th.Bernoulli, [1, 1, 1], th.Beta(2, 2))
    >>> [ax.get_xlabel() for ax in fig.axes]
    ['p']
    """
    import thetahat as th

    from .._validation import check_level
    from ..conjugacy import find_rule
    from ..inference import as_family, check_prior

    lv = check_level(level)
    fam = as_family(family)
    prior = check_prior(prior, fam)
    name = scalar_param(fam, None, "posterior")
    if isinstance(prior, Mapping):
        prior = prior[name] if name in prior else None
    if prior is None:
        raise ValueError(f"the posterior plot needs a prior for {name}")
    if isinstance(prior, th.Flat):
        raise ValueError("a flat prior is improper: the posterior plot needs a proper prior")
    obs = {} if exposure is None else {"exposure": exposure}
    stats = fam.suff_stats(data, weights, **obs)
    mle = try_fit(lambda: th.fit(fam, data, weights=weights, exposure=exposure))
    mapf = try_fit(lambda: th.fit(fam, data, prior=prior, weights=weights, exposure=exposure))
    rule = find_rule(fam, prior)
    post = None
    if rule is not None:
        with quiet():
            post = th.posterior(fam, data, prior=prior, weights=weights, exposure=exposure)
        name = post.names[0]  # the prior's parametrisation (var for a Normal's sigma)

    def to_family(v: float) -> dict[str, Any]:
        return dict(rule.to_family({name: v})) if rule is not None else {name: v}

    def mle_value() -> float | None:
        if mle is None:
            return None
        if name in mle.params:
            return float(mle.params[name])
        if name == "var" and "sigma" in mle.params:
            return float(mle.params["sigma"]) ** 2
        return None

    # a posterior parameter not among the family's is a variance (InverseGamma on var)
    pdom = fam.param(name).domain if name in fam.param_names() else POSITIVE
    lo, hi = (float(v) for v in prior.interval(0.999))
    if post is not None:
        plo, phi = (float(v) for v in post.dist.interval(0.99999))
    else:
        centre = float(mapf.params[name]) if mapf is not None else 0.5 * (lo + hi)
        se = float(mapf.se[name]) if mapf is not None else np.nan
        if not np.isfinite(se) or se <= 0:
            se = 0.1 * (hi - lo)
        plo, phi = centre - 10.0 * se, centre + 10.0 * se
    m = mle_value()
    if m is not None and np.isfinite(m):
        plo, phi = min(plo, m), max(phi, m)
    lo, hi = clip_grid(min(lo, plo), max(hi, phi), pdom)
    plo, phi = clip_grid(plo, phi, pdom)
    grid = np.unique(np.concatenate([np.linspace(lo, hi, points), np.linspace(plo, phi, points)]))

    with np.errstate(all="ignore"):
        loglik = np.array([fam.loglik({**fam.params, **to_family(v)}, stats) for v in grid])
        prior_pdf = np.exp(np.asarray(prior.logdensity(grid), dtype=float))
        if post is not None:
            post_pdf = np.exp(np.asarray(post.dist.logdensity(grid), dtype=float))
            mean = float(post.mean()[name])
            ci_lo, ci_hi = (float(v) for v in post.interval(lv)[name])
            mode = float(post.mode()[name])
        else:
            logpost = loglik + np.log(prior_pdf)
            post_pdf = _normalised(logpost, grid)
            cdf = cumulative_trapezoid(post_pdf, grid)
            mean = trapezoid(grid * post_pdf, grid)
            ci_lo = float(np.interp((1 - lv) / 2, cdf, grid))
            ci_hi = float(np.interp((1 + lv) / 2, cdf, grid))
            mode = float(mapf.params[name]) if mapf is not None else float(grid[np.argmax(logpost)])
    finite = np.isfinite(loglik)
    like = np.zeros_like(grid)
    if finite.any():
        like[finite] = np.exp(loglik[finite] - loglik[finite].max())
    like *= float(np.nanmax(post_pdf))

    fig, (ax,) = new_figure(ax=ax)
    band = (grid >= ci_lo) & (grid <= ci_hi)
    shade = ax.fill_between(
        grid, 0.0, post_pdf, where=band, alpha=0.25, color="C2", label=f"{lv:.0%} credible interval"
    )
    shade.set_gid("interval")
    (ln,) = ax.plot(grid, prior_pdf, color="C0", lw=2, label=f"prior {prior!r}")
    ln.set_gid("prior")
    (ln,) = ax.plot(grid, like, color="C1", lw=2, ls="--", label="likelihood (scaled)")
    ln.set_gid("likelihood")
    post_label = f"posterior {post.dist!r}" if post is not None else "posterior (grid)"
    (ln,) = ax.plot(grid, post_pdf, color="C2", lw=2.5, label=post_label)
    ln.set_gid("posterior")
    if m is not None:
        ax.axvline(m, color="C1", ls=":", lw=2, label=f"MLE = {_label(m)}").set_gid("mle")
    ax.axvline(mode, color="C3", lw=1.5, label=f"MAP = {_label(mode)}").set_gid("map")
    ax.axvline(mean, color="C2", ls="-.", lw=1.5, label=f"posterior mean = {_label(mean)}").set_gid(
        "mean"
    )
    n = getattr(stats, "n", None)
    ax.set_title(f"{type(fam).__name__} {name}: prior, likelihood, posterior (n = {n:g})")
    ax.set_xlabel(name)
    ax.set_ylabel("density")
    ax.set_ylim(bottom=0.0)
    ax.legend(fontsize=8, loc="best")
    return fig


def _normalised(logp: NDArray[np.float64], grid: NDArray[np.float64]) -> NDArray[np.float64]:
    finite = np.isfinite(logp)
    out = np.zeros_like(grid)
    if not finite.any():
        raise ValueError("the log posterior is not finite anywhere on the grid")
    out[finite] = np.exp(logp[finite] - logp[finite].max())
    total = trapezoid(out, grid)
    return out / total
