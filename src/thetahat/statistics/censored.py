"""Censored observations: ``th.Censored(lower, upper)`` as data for a fit.

Each observation is known to lie in ``[lower, upper]``:

* ``lower == upper``: observed exactly (contributes ``log f(x)``);
* ``upper = inf``: right-censored at ``lower`` (``log S(lower)``);
* ``lower = -inf``: left-censored at ``upper`` (``log F(upper)``);
* otherwise interval-censored (``log(F(upper) - F(lower))``),

the likelihood of fitdistrplus's ``fitdistcens`` and scipy's ``CensoredData``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import as_float_array, as_weights, check_same_length, first_bad

__all__ = ["Censored", "CensoredStats", "censored_loglik", "censored_stats"]


class Censored:
    """Censored data: each observation lies in ``[lower, upper]``.

    Parameters
    ----------
    lower, upper : array_like
        Bounds per observation; ``lower == upper`` is an exact value,
        ``upper = inf`` right-censoring, ``lower = -inf`` left-censoring.

    Examples
    --------
    >>> import thetahat as th
    >>> th.Censored.right([1.2, 3.4, 5.0], censored=[False, False, True])  # doctest: +SKIP
    """

    def __init__(self, lower: ArrayLike, upper: ArrayLike) -> None:
        lo = as_float_array(lower, "lower")
        hi = as_float_array(upper, "upper")
        check_same_length(lo.shape[0], hi, "upper", "lower")
        for name, arr in (("lower", lo), ("upper", hi)):
            if np.any(np.isnan(arr)):
                i = first_bad(np.isnan(arr))
                raise ValueError(f"Censored {name} contains NaN at index {i}")
        if np.any(lo > hi):
            i = first_bad(lo > hi)
            raise ValueError(
                f"Censored needs lower <= upper; at index {i} lower = {lo[i].tolist()!r} > "
                f"upper = {hi[i].tolist()!r}"
            )
        both_inf = (np.isinf(lo) & np.isinf(hi)) | (lo == np.inf) | (hi == -np.inf)
        if np.any(both_inf):
            i = first_bad(both_inf)
            raise ValueError(
                f"Censored observation {i} = [{lo[i].tolist()!r}, {hi[i].tolist()!r}] carries "
                "no information"
            )
        self.lower = lo
        self.upper = hi

    @classmethod
    def right(cls, x: ArrayLike, censored: ArrayLike) -> Censored:
        """Right-censored data: ``x`` with a flag that is True where only ``X > x`` is known."""
        xx = as_float_array(x, "x")
        c = _flags(censored, xx.shape[0])
        return cls(xx, np.where(c, np.inf, xx))

    @classmethod
    def left(cls, x: ArrayLike, censored: ArrayLike) -> Censored:
        """Left-censored data: True where only ``X <= x`` is known (below a detection limit)."""
        xx = as_float_array(x, "x")
        c = _flags(censored, xx.shape[0])
        return cls(np.where(c, -np.inf, xx), xx)

    def __len__(self) -> int:
        return int(self.lower.shape[0])

    def __repr__(self) -> str:
        ex = int(np.sum(self.lower == self.upper))
        return f"Censored({len(self)} observations, {ex} exact)"


def _flags(censored: ArrayLike, m: int) -> NDArray[np.bool_]:
    """Censoring flags: booleans or 0/1, one per observation (a 2 or 0.5 is refused, not
    read as True)."""
    raw = np.asarray(censored)
    if raw.dtype != bool:
        vals = as_float_array(raw, "censored", ndim=None)
        bad = ~np.isin(vals, (0.0, 1.0))
        if np.any(bad):
            i = first_bad(bad)
            raise ValueError(
                f"censored flags must be True/False or 0/1; censored[{i}] = "
                f"{vals[i].tolist()!r} ({int(bad.sum())} value(s) other than 0/1)"
            )
        raw = vals == 1.0
    c = np.asarray(raw, dtype=bool)
    check_same_length(m, c, "censored", "x")
    return c


@dataclass(frozen=True, eq=False)
class CensoredStats:
    """Censored data split by kind, with frequency weights (all 1 when none given).

    Examples
    --------
    >>> import thetahat as th
    >>> from thetahat.statistics import statistics_of
    >>> s = statistics_of(th.Weibull(), th.Censored.right([1.0, 2.0, 3.0], [False, True, False]))
    >>> type(s).__name__, s.exact, s.right
    ('CensoredStats', array([1., 3.]), array([2.]))
    """

    exact: NDArray[np.float64]
    w_exact: NDArray[np.float64]
    left: NDArray[np.float64]
    w_left: NDArray[np.float64]
    right: NDArray[np.float64]
    w_right: NDArray[np.float64]
    lo: NDArray[np.float64]
    hi: NDArray[np.float64]
    w_int: NDArray[np.float64]
    n: float

    def pseudo_data(self, family: Any) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Values standing in for every observation (bounds, midpoints), to start a fit."""
        x = np.concatenate([self.exact, self.left, self.right, 0.5 * (self.lo + self.hi)])
        w = np.concatenate([self.w_exact, self.w_left, self.w_right, self.w_int])
        ok = np.isfinite(x) & family.in_support(np.where(np.isfinite(x), x, 0.0)) & (w > 0)
        return x[ok], w[ok]


def censored_stats(family: Any, data: Censored, weights: ArrayLike | None = None) -> CensoredStats:
    """Validate censored data for a continuous ``family`` and split it by kind."""
    cls = type(family).__name__
    if family.discrete:
        raise ValueError(f"censored data need a continuous family; {cls} is discrete")
    family.check_censorable()  # custom models: the logcdf/logsf hooks are there
    lo, hi = data.lower, data.upper
    m = lo.shape[0]
    w = as_weights(weights, m)
    w = np.ones(m) if w is None else w
    exact = lo == hi
    if np.any(exact):
        xs = lo[exact]
        bad = ~(np.isfinite(xs) & family.in_support(np.where(np.isfinite(xs), xs, 0.0)))
        if np.any(bad):
            i = int(np.flatnonzero(exact)[int(np.flatnonzero(bad)[0])])
            raise ValueError(
                f"{cls} data must be {family.support_text}; the exact observation {i} = "
                f"{lo[i].tolist()!r} is not"
            )
    left = ~exact & np.isneginf(lo)
    right = ~exact & np.isposinf(hi) & ~left
    inter = ~(exact | left | right)
    return CensoredStats(
        exact=lo[exact], w_exact=w[exact], left=hi[left], w_left=w[left],
        right=lo[right], w_right=w[right], lo=lo[inter], hi=hi[inter], w_int=w[inter],
        n=float(w.sum()),
    )  # fmt: skip


def censored_loglik(family: Any, params: Mapping[str, Any], cs: CensoredStats) -> float:
    """``sum w log f(exact) + sum w log F(left) + sum w log S(right) + sum w log(F(hi)-F(lo))``."""
    total = 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        if cs.exact.size:
            total += float(np.dot(cs.w_exact, family.log_density(cs.exact, params)))
        if cs.left.size:
            total += float(np.dot(cs.w_left, family.logcdf_at(cs.left, params)))
        if cs.right.size:
            total += float(np.dot(cs.w_right, family.logsf_at(cs.right, params)))
        if cs.lo.size:
            # the difference of survival functions keeps precision in the upper tail
            f_lo, f_hi = family.cdf_at(cs.lo, params), family.cdf_at(cs.hi, params)
            s_lo, s_hi = family.sf_at(cs.lo, params), family.sf_at(cs.hi, params)
            upper_tail = f_lo > 0.5
            mass = np.where(upper_tail, s_lo - s_hi, f_hi - f_lo)
            total += float(np.dot(cs.w_int, np.log(np.maximum(mass, 0.0))))
    if np.isnan(total):
        return -np.inf
    return total if total < np.inf else -np.inf
