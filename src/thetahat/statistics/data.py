"""Data statistics for families without finite sufficient statistics.

Exponential families reduce the data to a few sums
(:class:`~thetahat.statistics.sufficient.SuffStats`).
Weibull, Student-t, Laplace, Pareto and the negative binomial do not: their
likelihood, score and Hessian need a pass over the data at every Newton step.
For them :func:`data_stats` validates the data once and returns a
:class:`DataStats` holding the values and their frequency weights; the family
hooks ``_loglik``, ``_grad_hess`` and ``_fit_fast`` then map-reduce over it.

Discrete data with few distinct values are compressed to (value, count) pairs
(a frequency table is a finite statistic), so a negative binomial fit to a
million counts iterates over a few dozen distinct values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import as_weights

__all__ = ["DataStats", "data_stats"]


@dataclass(frozen=True, eq=False)
class DataStats:
    """Validated data ``x`` with frequency weights ``w`` (None: all ones).

    ``n`` is the number of observations (the sum of the weights). ``cache`` holds
    derived arrays (``log x``) so repeated passes do not recompute them.

    Examples
    --------
    >>> import thetahat as th
    >>> from thetahat.statistics import DataStats, statistics_of
    >>> s = statistics_of(th.Weibull(), [1.0, 2.0, 3.0])
    >>> isinstance(s, DataStats), s.x, s.n
    (True, array([1., 2., 3.]), 3.0)
    """

    x: NDArray[np.float64]
    w: NDArray[np.float64] | None
    n: float
    obs: dict[str, NDArray[np.float64]] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)

    def total(self, v: Any) -> float:
        """The weighted sum ``sum_i w_i v_i``."""
        arr = np.asarray(v, dtype=float)
        if self.w is None:
            return float(np.sum(arr))
        return float(np.dot(self.w, arr))

    def logx(self) -> NDArray[np.float64]:
        """``log x``, computed once."""
        if "logx" not in self.cache:
            with np.errstate(divide="ignore"):
                self.cache["logx"] = np.log(self.x)
        out: NDArray[np.float64] = self.cache["logx"]
        return out

    def median(self) -> float:
        """Weighted median (the midpoint of the two middle values at an exact half, as numpy)."""
        if self.w is None:
            return float(np.median(self.x))
        keep = self.w > 0
        x, w = self.x[keep], self.w[keep]
        order = np.argsort(x, kind="stable")
        xs, cw = x[order], np.cumsum(w[order])
        half = 0.5 * cw[-1]
        i = min(int(np.searchsorted(cw, half)), len(xs) - 1)
        if cw[i] == half and i + 1 < len(xs):
            return float(0.5 * (xs[i] + xs[i + 1]))
        return float(xs[i])

    def mean_var(self) -> tuple[float, float]:
        """Weighted mean and (divide-by-n) variance."""
        m = self.total(self.x) / self.n
        d = self.x - m
        return m, self.total(d * d) / self.n

    def positive(self) -> NDArray[np.float64]:
        """The values that carry weight (``w > 0``)."""
        return self.x if self.w is None else self.x[self.w > 0]


def data_stats(
    family: Any, data: Any, weights: ArrayLike | None = None, *, compress: bool = False, **obs: Any
) -> DataStats:
    """Validate ``data`` for ``family`` and keep it with its weights.

    With ``compress`` (discrete families) repeated values become one value with
    the summed weight, which leaves every weighted sum unchanged.
    """
    x = family.check_data(data, **obs)
    w = as_weights(weights, x.shape[0])
    po = family.prepare_obs(x.shape[0], obs)
    if compress and not po and x.ndim == 1:
        xi = x.astype(np.int64)
        top = int(xi.max()) if xi.size else 0
        if top <= 4 * x.shape[0] + 1024:
            counts = np.bincount(xi, weights=w, minlength=top + 1).astype(float)
            vals = np.flatnonzero(counts)
            return DataStats(vals.astype(float), counts[vals], float(counts.sum()))
        vals_u, inv = np.unique(x, return_inverse=True)
        counts = np.bincount(inv, weights=w).astype(float)
        return DataStats(vals_u, counts, float(counts.sum()))
    n = float(x.shape[0]) if w is None else float(np.sum(w))
    return DataStats(x, w, n, obs=po)
