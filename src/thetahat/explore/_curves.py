"""What the charts draw: densities on grids, posterior marginals, scaled likelihoods.

Every number here comes from thetahat's distributions (``pdf``, ``logpmf``,
``ppf``) or fits; this module only chooses grids and packs the results for JSON.
The page draws them and computes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray

import thetahat as th

__all__ = [
    "density",
    "flat_prior_likelihood",
    "grid_between",
    "marginals",
    "scaled_likelihood",
    "span",
]

Array = NDArray[np.float64]

#: points on each density grid: smooth at 1280 px wide and cheap to send
GRID_POINTS = 241


def curve(values: Iterable[float]) -> list[float | None]:
    """A curve for the chart: non-finite points become gaps (null)."""
    arr = np.asarray(values, dtype=float)
    ok = np.isfinite(arr)
    out = arr.tolist()
    if not ok.all():
        for i in np.flatnonzero(~ok).tolist():
            out[i] = None
    return out


def marginals(post: th.Distribution, names: tuple[str, ...]) -> list[tuple[str, th.Distribution]]:
    """One-dimensional marginals of a prior or posterior, as thetahat distributions.

    thetahat's public API has no marginal of a joint distribution, so it is
    written here from the standard identities: a ``NormalInverseGamma(m, lam, a,
    b)`` on (mu, var) has ``mu ~ StudentT(2a, m, sqrt(b / (a lam)))`` and
    ``var ~ InverseGamma(a, b)``; component i of a ``Dirichlet(alpha)`` is
    ``Beta(alpha_i, sum(alpha) - alpha_i)``. One-dimensional ones are themselves.
    """
    if isinstance(post, th.NormalInverseGamma):
        mu, lam, a, b = (float(post.params[k]) for k in ("mu", "lam", "shape", "scale"))
        return [
            ("mu", th.StudentT(2.0 * a, mu, math.sqrt(b / (a * lam)))),
            ("var", th.InverseGamma(a, b)),
        ]
    if isinstance(post, th.Dirichlet):
        alpha = np.asarray(post.params["alpha"], dtype=float)
        total = float(alpha.sum())
        return [(f"probs[{i}]", th.Beta(float(x), total - float(x))) for i, x in enumerate(alpha)]
    return [(names[0], post)]


def span(dists: list[th.Distribution], points: list[float], low: float, high: float) -> Array:
    """A grid covering the bulk of ``dists`` (0.1% to 99.9%) and ``points``, inside [low, high].

    The first distribution (the posterior) sets the scale: the others widen the
    grid by at most ten of its widths, so a vague prior does not flatten the picture.
    """
    lo, hi = (float(v) for v in np.atleast_1d(dists[0].ppf([0.001, 0.999])))
    width = max(hi - lo, 1e-12)
    for d in dists[1:]:
        a, b = (float(v) for v in np.atleast_1d(d.ppf([0.01, 0.99])))
        lo, hi = min(lo, max(a, lo - 10 * width)), max(hi, min(b, hi + 10 * width))
    for p in points:
        if math.isfinite(p):
            lo, hi = min(lo, p), max(hi, p)
    pad = 0.05 * (hi - lo)
    return grid_between(max(low, lo - pad), min(high, hi + pad))


def grid_between(lo: float, hi: float) -> Array:
    """``GRID_POINTS`` evenly spaced points on [lo, hi]."""
    return np.linspace(lo, hi, GRID_POINTS)


def density(dist: th.Distribution, grid: Array) -> list[float | None]:
    """``dist``'s density on the grid (gaps where it is infinite)."""
    with np.errstate(all="ignore"):
        return curve(np.exp(dist.logpdf(grid)))


def scaled_likelihood(loglik: Callable[[float], float], grid: Array) -> list[float | None]:
    """The likelihood on the grid scaled to area 1, so it shares the densities' axis.

    ``loglik(theta)`` is the log-likelihood of the data at one parameter value;
    the scale (one number) is fixed by the trapezoid rule on the grid.
    """
    with np.errstate(all="ignore"):
        ll = np.array([loglik(float(g)) for g in grid], dtype=float)
        finite = np.isfinite(ll)
        if not finite.any():
            return [None] * grid.size
        lik = np.where(finite, np.exp(ll - ll[finite].max()), 0.0)
        area = float(np.sum((lik[1:] + lik[:-1]) * np.diff(grid)) / 2.0)  # trapezoid rule
        return curve(lik / area if area > 0 else lik)


def flat_prior_likelihood(
    family: Any, values: Array, weights: Array | None, grid: Array
) -> list[float | None]:
    """The likelihood of a probability p scaled to area 1, as one vectorised density.

    Under the uniform prior Beta(1, 1) the posterior is the likelihood times 1,
    normalised: exactly the scaled likelihood, and thetahat's conjugate update
    computes it (a loop of log pmf evaluations over the grid costs 20-50 ms).
    """
    flat = th.posterior(family, values, prior=th.Beta(1.0, 1.0), weights=weights)
    return density(flat.dist, grid)
