"""The nonparametric MLE of a distribution from censored data (Turnbull 1976)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .censored import Censored

__all__ = ["NPMLE", "turnbull"]


@dataclass(frozen=True)
class NPMLE:
    """Turnbull's nonparametric MLE: probability masses on innermost intervals.

    Attributes
    ----------
    left, right : ndarray
        The Turnbull (innermost) intervals ``(left_j, right_j]`` (a point where
        ``left_j == right_j``) that carry mass;
        within one the NPMLE is not unique (only the interval's total is).
    mass : ndarray
        Probability of each interval (sums to 1).
    iterations : int
    converged : bool

    Examples
    --------
    >>> from thetahat.statistics.turnbull import turnbull
    >>> import thetahat as th
    >>> est = turnbull(th.Censored([1.0, 2.0, 2.0], [1.0, 3.0, float("inf")]))
    >>> est.left.tolist(), est.right.tolist(), est.mass.round(3).tolist()
    ([1.0, 2.0], [1.0, 3.0], [0.333, 0.667])
    """

    left: NDArray[np.float64]
    right: NDArray[np.float64]
    mass: NDArray[np.float64]
    iterations: int
    converged: bool

    @property
    def cdf_after(self) -> NDArray[np.float64]:
        """The NPMLE cdf just above each interval, ``F(right_j)``."""
        return np.asarray(np.cumsum(self.mass))

    @property
    def cdf_before(self) -> NDArray[np.float64]:
        """The NPMLE cdf just below each interval, ``F(left_j-)``."""
        return np.asarray(np.concatenate([[0.0], np.cumsum(self.mass)[:-1]]))


def turnbull(
    data: Censored, weights: ArrayLike | None = None, *, tol: float = 1e-10, max_iter: int = 10000
) -> NPMLE:
    """The NPMLE of the distribution of censored data by self-consistency (EM).

    Parameters
    ----------
    data : Censored
        Observations ``[lower_i, upper_i]`` (exact where equal).
    weights : array_like, optional
        Frequency weights.
    tol, max_iter
        Stop when no mass changes by more than ``tol``.

    Returns
    -------
    NPMLE

    Notes
    -----
    An observation is read as ``(lower, upper]`` (its likelihood is
    ``F(upper) - F(lower)``), or as the point ``{x}`` when exact. The innermost
    intervals are ``(l, r]`` with ``l`` a lower end and ``r`` the next upper end
    with no other end between them, and the exact values (Peto 1973; Turnbull 1976). With
    ``alpha_ij = 1`` when interval ``j`` lies in observation ``i``, the
    self-consistency iteration is
    ``s_j <- sum_i w_i alpha_ij s_j / sum_k alpha_ik s_k / sum_i w_i``, which
    increases the likelihood ``prod_i (sum_j alpha_ij s_j)^w_i`` to its maximum.
    Identical observations are merged first, so the work grows with the number of
    distinct intervals. With only exact and right-censored values this is the
    Kaplan-Meier estimate.
    """
    if not isinstance(data, Censored):
        raise TypeError(f"turnbull needs th.Censored data, got {type(data).__name__}")
    lo, hi = data.lower, data.upper
    w = np.ones(lo.shape[0]) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != lo.shape or np.any(w < 0) or not np.all(np.isfinite(w)):
        raise ValueError("weights must be finite, non-negative, one per observation")
    pairs, inverse = np.unique(np.stack([lo, hi], axis=1), axis=0, return_inverse=True)
    wu = np.bincount(inverse.ravel(), weights=w, minlength=pairs.shape[0])
    keep = wu > 0
    pairs, wu = pairs[keep], wu[keep]
    if wu.sum() <= 0:
        raise ValueError("turnbull needs at least one observation with positive weight")
    # innermost intervals, with an observation read as (lower, upper] (the likelihood's
    # F(upper) - F(lower)) or as the point {x} when exact: sort the ends with, at one
    # value, an exact value's lower end first, then upper ends, then the other lower ends
    exact = pairs[:, 0] == pairs[:, 1]
    ends = np.concatenate([pairs[:, 0], pairs[:, 1]])
    rank = np.concatenate([np.where(exact, 0, 2), np.ones(pairs.shape[0], dtype=int)])
    order = np.lexsort((rank, ends))
    e, r = ends[order], rank[order]
    starts = np.flatnonzero((r[:-1] != 1) & (r[1:] == 1))
    left, right = e[starts], e[starts + 1]
    point = r[starts] == 0
    lo_i, hi_i, ex_i = pairs[:, :1], pairs[:, 1:], exact[:, None]
    alpha = np.where(
        ex_i,
        point[None, :] & (left[None, :] == lo_i),
        np.where(
            point[None, :],
            (lo_i < left[None, :]) & (left[None, :] <= hi_i),
            (lo_i <= left[None, :]) & (right[None, :] <= hi_i),
        ),
    )
    total = wu.sum()
    s = np.full(left.shape[0], 1.0 / left.shape[0])
    converged = False
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        denom = alpha @ s
        new = s * ((wu / denom) @ alpha) / total
        if np.max(np.abs(new - s)) < tol:
            s, converged = new, True
            break
        s = new
    pos = s > 1e-12
    mass = s[pos] / s[pos].sum()
    return NPMLE(left[pos], right[pos], mass, it, converged)
