"""The Student t's likelihood from its ten sums, once for the family and the engines.

The family (``distributions/student_t.py``: one fit, in Python floats) and the engine
passes (``statistics/engines/student.py``: every group at once, in arrays) fit the
same model by Newton on (df, loc, scale) from the same ten weighted sums at the
current point, with ``z = (x - loc) / scale``, ``r = 1 / (df + z^2)``, ``q = z^2 r``:

    n, r, z r, q, r^2, z r^2, q r, q z r, q^2, log(1 + z^2 / df)

This module holds what both need, so each formula exists once: the constants of the
fit (the Normal-limit thresholds), ``c(x) = log Gamma(x + 1/2) - log Gamma(x) -
log(x) / 2`` and its first two derivatives at ``x = df / 2`` (scalar and elementwise
drivers of the same recurrence and series), and the log-likelihood, score and
Hessian from the sums (plain arithmetic, so the one expression serves floats and
arrays). It is top level because statistics must not import distributions.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import special as sc

__all__ = [
    "C_SERIES",
    "NU_DRIFT",
    "NU_MAX",
    "SERIES_FROM",
    "c_derivs",
    "c_derivs_many",
    "fgh_terms",
    "spread_start",
]

#: coefficients of the asymptotic series of c(x) in odd powers of 1/x:
#: (2^(1-n) - 2) B_n / (n (n - 1)) for n = 2, 4, ..., 14
C_SERIES = (-1 / 8, 1 / 192, -1 / 640, 17 / 14336, -31 / 18432, 691 / 180224, -5461 / 425984)
#: x >= 10: the series is accurate to rounding (the next term is below 1e-16 relative)
SERIES_FROM = 10.0
LOG_2PI = float(np.log(2.0 * np.pi))
#: Newton heading past this df with the likelihood still rising: the Normal limit
NU_DRIFT = 1e3
#: the second look: df beyond this is indistinguishable from the Normal limit
NU_MAX = 1e8
#: samples up to this many rows also try Newton from df = 1.5 (a heavy-tailed maximum)
HEAVY_UP_TO = 20_000
#: the status message of data whose values are all equal
ALL_EQUAL = "all observations are equal: the likelihood is unbounded as the scale goes to 0"


def limit_message(slope: float) -> str:
    """The message of a fit at the Normal limit (df = inf), from the slope of the
    log-likelihood in 1/df at the Normal fit (> 0: it still rose at ``NU_MAX``).

    Examples
    --------
    >>> limit_message(2.0)
    'df beyond 1e+08: indistinguishable from the Normal limit'
    """
    if slope > 0:
        return f"df beyond {NU_MAX:g}: indistinguishable from the Normal limit"
    return (
        "df -> infinity: the Normal limit fits best (the log-likelihood at the Normal "
        f"fit falls towards finite df, slope {slope:.3g} in 1/df)"
    )


def _recurrence_step(x: Any) -> tuple[Any, Any]:
    """The increments of c' and c'' from ``c(x) = c(x + 1) + log(x (x + 1)) / 2 -
    log(x + 1/2)``, differentiated (plain arithmetic: floats or arrays)."""
    h = x + 0.5
    return (
        0.5 / x + 0.5 / (x + 1.0) - 1.0 / h,
        1.0 / (h * h) - 0.5 / (x * x) - 0.5 / ((x + 1.0) * (x + 1.0)),
    )


def _series(x: Any, c1: Any, c2: Any) -> tuple[Any, Any, Any]:
    """c, c', c'' at ``x >= SERIES_FROM`` by the asymptotic series, the derivatives added
    to the recurrence's ``c1``, ``c2`` (plain arithmetic: floats or arrays)."""
    r = 1.0 / x
    r2 = r * r
    p = r  # r^(2k+1)
    c = 0.0 * x
    for k, a in enumerate(C_SERIES):
        e = 2 * k + 1
        c = c + a * p
        c1 = c1 - e * a * p * r
        c2 = c2 + e * (e + 1) * a * p * r2
        p = p * r2
    return c, c1, c2


def c_derivs(nu: float) -> tuple[float, float, float]:
    """c, c', c'' at x = nu / 2 for one df, in Python floats, without cancellation for
    large nu: below x = 10 the recurrence carries x up to where the series is accurate,
    and c itself is ``lgamma(x + 1/2) - lgamma(x) - log(x) / 2`` (no cancellation there).

    Examples
    --------
    >>> import math
    >>> c, _, _ = c_derivs(3.0)
    >>> round(c - (math.lgamma(2.0) - math.lgamma(1.5) - 0.5 * math.log(1.5)), 14)
    0.0
    """
    x = x0 = 0.5 * nu
    c1 = c2 = 0.0
    while x < SERIES_FROM:
        d1, d2 = _recurrence_step(x)
        c1 += d1
        c2 += d2
        x += 1.0
    c, c1, c2 = _series(x, c1, c2)
    if x != x0:
        c = math.lgamma(x0 + 0.5) - math.lgamma(x0) - 0.5 * math.log(x0)
    return c, c1, c2


def c_derivs_many(nu: Any) -> tuple[Any, Any, Any]:
    """:func:`c_derivs` elementwise over an array of df (one per group).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import special as sc
    >>> c, c1, _ = c_derivs_many(np.array([3.0, 80.0]))
    >>> x = np.array([1.5, 40.0])
    >>> bool(np.allclose(c, sc.gammaln(x + 0.5) - sc.gammaln(x) - 0.5 * np.log(x)))
    True
    """
    x0 = 0.5 * np.asarray(nu, dtype=float)
    x = x0.copy()
    c1 = np.zeros_like(x)
    c2 = np.zeros_like(x)
    with np.errstate(all="ignore"):
        low = x < SERIES_FROM
        while low.any():
            d1, d2 = _recurrence_step(x)
            c1 += np.where(low, d1, 0.0)
            c2 += np.where(low, d2, 0.0)
            x = np.where(low, x + 1.0, x)
            low = x < SERIES_FROM
        c, c1, c2 = _series(x, c1, c2)
        direct = sc.gammaln(x0 + 0.5) - sc.gammaln(x0) - 0.5 * np.log(x0)
        c = np.where(x != x0, direct, c)
    return c, c1, c2


def fgh_terms(sums: Any, nu: Any, s: Any, log_s: Any, cs: tuple[Any, Any, Any]) -> tuple[Any, ...]:
    """Log-likelihood, the score's three entries and the Hessian's six distinct entries
    over (df, loc, scale), from the ten sums (``sums``: n, r, zr, q, rr, zrr, qr, qzr,
    qq, l in that order), ``s`` the scale, ``log_s`` its log and ``cs`` the
    :func:`c_derivs` at df. Plain arithmetic: Python floats for one fit, arrays for groups.

    Returns ``(ll, g_nu, g_loc, g_s, h_nn, h_ln, h_sn, h_ll, h_ls, h_ss)``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import stats
    >>> x = stats.t(4, 1, 2).rvs(300, random_state=0)
    >>> z = (x - 1.0) / 2.0
    >>> r = 1.0 / (4.0 + z * z); q = z * z * r
    >>> parts = (np.ones_like(x), r, z * r, q, r * r, z * r * r, q * r, q * z * r, q * q,
    ...          np.log1p(z * z / 4.0))
    >>> ll = fgh_terms([float(v.sum()) for v in parts], 4.0, 2.0, np.log(2.0), c_derivs(4.0))[0]
    >>> bool(np.isclose(ll, stats.t(4, 1, 2).logpdf(x).sum()))
    True
    """
    n, _, s_zr, s_q, s_rr, s_zrr, s_qr, s_qzr, s_qq, s_l = sums
    c, c1, c2 = cs
    a = nu + 1.0
    ss = s * s
    return (
        n * (c - 0.5 * LOG_2PI - log_s) - 0.5 * a * s_l,
        0.5 * (n * c1 - s_l + a / nu * s_q),
        a / s * s_zr,
        (a * s_q - n) / s,
        0.25 * n * c2 + 0.5 * s_q / nu - 0.5 * s_q / (nu * nu) - 0.5 * a / nu * s_qr,
        (s_qzr - s_zrr) / s,
        (s_qq - s_qr) / s,
        -a / ss * (nu * s_rr - s_qr),
        -2.0 * nu * a / ss * s_zrr,
        (n - a * (s_q + 2.0 * nu * s_qr)) / ss,
    )


#: the range of the start's df (Newton goes on from there, to any df)
START_DF = (1.0, 50.0)
#: the grid of the start's quantile ratios: log p (the tail's plotting position) and log df
_LOG_P = (math.log(0.003), math.log(0.2), 25)
_LOG_DF = (math.log(START_DF[0]), math.log(START_DF[1]), 33)


@lru_cache(maxsize=1)
def _ratio_table() -> tuple[list[float], list[float], list[list[float]], list[float]]:
    """``R(p, df) = t_df^-1(1 - p) / t_df^-1(3/4)`` on the grid ``_LOG_P x _LOG_DF``, and
    ``t_df^-1(3/4)`` along ``_LOG_DF`` (Python lists; computed on first use)."""
    lp = np.linspace(*_LOG_P)
    ldf = np.linspace(*_LOG_DF)
    df = np.exp(ldf)
    q75 = sc.stdtrit(df, 0.75)
    ratio = sc.stdtrit(df[None, :], 1.0 - np.exp(lp)[:, None]) / q75
    return lp.tolist(), ldf.tolist(), ratio.tolist(), q75.tolist()


def spread_start(lo: float, hi: float, mad: float, n: int) -> tuple[float, float] | None:
    """The df and scale of the Student t whose quantiles match a sample's: ``lo`` and
    ``hi`` its ``(n // 100)``-th smallest and largest values (0-based ranks ``j = n //
    100`` and ``n - 1 - j``), ``mad`` its median absolute deviation. None when they say
    nothing (fewer than 4 values, or a MAD of 0).

    Notes
    -----
    The ratio ``r = (hi - lo) / (2 MAD)`` does not depend on location or scale; for a
    t with ``df`` degrees of freedom it is about ``R(p, df) = t_df^-1(1 - p) /
    t_df^-1(3/4)`` with ``p = (j + 1/2) / n`` (the order statistic's plotting
    position), which falls with ``df``. The start solves ``R(p, df) = r`` on a grid of
    ``log p`` and ``log df`` (bilinear in those, clipped to df in [1, 50]), and the
    scale is ``MAD / t_df^-1(3/4)``. From this start the Newton solve took 4.1 steps
    on samples of 1,000 t5 values where the excess kurtosis of the central 98% (``df =
    4 + 6 / kurtosis``, which trimming biases towards large df) took 6.6.

    Examples
    --------
    >>> from scipy import stats
    >>> p = 10.5 / 1000  # j = 10 of n = 1,000
    >>> lo, hi = 3.0 + 2.0 * stats.t.ppf([p, 1 - p], 5)
    >>> df, scale = spread_start(lo, hi, 2.0 * stats.t.ppf(0.75, 5), 1000)
    >>> round(df, 1), round(scale, 2)
    (5.0, 2.0)
    """
    if n < 4 or not mad > 0:
        return None
    neg, ldf, q75 = _ratio_row(n)
    r = (hi - lo) / (2.0 * mad)
    # the first node with R(p, df) < r (R falls with df; len(neg) for r = NaN too)
    k = bisect_right(neg, -r)
    if k == 0:
        k, u = 0, 0.0  # heavier than df = 1
    elif k == len(neg):
        k, u = len(neg) - 2, 1.0  # lighter than df = 50
    else:
        k -= 1
        u = (neg[k] + r) / (neg[k] - neg[k + 1])
    log_df = ldf[k] + u * (ldf[k + 1] - ldf[k])
    scale = mad / (q75[k] + u * (q75[k + 1] - q75[k]))
    return math.exp(log_df), float(scale)


@lru_cache(maxsize=128)
def _ratio_row(n: int) -> tuple[tuple[float, ...], list[float], list[float]]:
    """``-R(p, df)`` along the df grid at the plotting position ``p`` of ``n`` values
    (interpolated in ``log p``; increasing), with the grid's ``log df`` and
    ``t_df^-1(3/4)`` (cached: a fit's size recurs)."""
    lp, ldf, ratio, q75 = _ratio_table()
    x = min(max(math.log((n // 100 + 0.5) / n), lp[0]), lp[-1])
    i = min(max(bisect_right(lp, x) - 1, 0), len(lp) - 2)
    t = (x - lp[i]) / (lp[i + 1] - lp[i])
    below, above = ratio[i], ratio[i + 1]
    neg = tuple(-(a + t * (b - a)) for a, b in zip(below, above, strict=True))
    return neg, ldf, q75
