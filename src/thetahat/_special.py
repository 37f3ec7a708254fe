"""Special functions the families need over many groups at once, faster than scipy's.

``trigamma`` is written here because scipy's ``polygamma(1, x)`` and ``zeta(2, x)``
cost over a microsecond per element, which dominates a Newton step of 10^5 groups
(benchmarks/engines.py (c)). ``gamma_cdf_sf_sorted`` because scipy's ``gammainc`` at
the 10^4 sorted values of each goodness-of-fit resample was over half of its time
(benchmarks/diagnostics.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from ._fastpath import HAVE_FIT_KERNELS

if HAVE_FIT_KERNELS:
    from . import _kernels

__all__ = ["gamma_cdf_sf_sorted", "trigamma"]

#: Bernoulli-number coefficients of psi'(x) ~ 1/x + 1/(2x^2) + sum_k B_2k / x^(2k+1)
_TRIGAMMA_SERIES = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6)


def trigamma(x: Any) -> Any:
    """psi'(x) for x > 0: scipy's ``zeta(2, x)`` for a few values, vectorised for many.

    Arrays: the recurrence ``psi'(x) = psi'(x + 1) + 1/x^2`` carries x past 10,
    where the asymptotic series is accurate to rounding (the next term is below
    1e-16 relative).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import special as sc
    >>> x = np.linspace(0.3, 45.0, 100)
    >>> bool(np.allclose(trigamma(x), sc.zeta(2.0, x), rtol=1e-14))
    True
    """
    if type(x) is float or np.size(x) < 64:  # a few values: scipy's one call is cheaper
        return sc.zeta(2.0, x)
    x = np.asarray(x, dtype=float)
    steps = np.ceil(np.clip(10.0 - np.nan_to_num(x, nan=10.0), 0.0, 10.0))
    acc = np.zeros_like(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(int(steps.max()) if steps.size else 0):
            acc += np.where(i < steps, 1.0 / ((x + i) * (x + i)), 0.0)
        x = x + steps
        r = 1.0 / x
        r2 = r * r
        series = np.zeros_like(x)
        for c in reversed(_TRIGAMMA_SERIES):
            series = series * r2 + c
        out: NDArray[np.float64] = acc + r + 0.5 * r2 + series * r2 * r
    return out


#: a gap is integrated by the 3-point Gauss-Legendre rule when its width times the
#: density's derivative scale, ``h ((|a - 1| + 1) / t + 1)``, is at most this (the
#: rule's relative error is then below about 1e-15); wider gaps get scipy's value
_GAP = 0.01
#: shapes the walk serves: below, t^(a-1) near 0 overflows the vector exp; above, the
#: density's exponent ``(a - 1) log t - t - log Gamma(a)`` loses digits to cancellation
_SHAPES = (0.05, 100.0)


def gamma_cdf_sf_sorted(
    a: float, y: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``(P(a, y), Q(a, y))``, the regularised incomplete gamma functions, at sorted ``y``.

    The lower function below the median and the upper one above it, each complement
    taken where it is at least 1/2, so both tails keep their relative accuracy (an
    Anderson-Darling statistic takes the logarithms of both at the extreme order
    statistics). With the compiled kernels, scipy's ``gammainc``/``gammaincc`` give
    the values at the two extremes and at the few points after a wide gap; every
    other value is its neighbour's (towards its tail) plus the integral of the
    density over the gap by 3-point Gauss-Legendre (``_kernels.gamma_walk``). Every
    increment is positive and at most the value it builds, so the values keep the
    rule's relative accuracy (tests/test_special.py: within 1e-13 of scipy over a
    grid of shapes, sample sizes and both tails). Measured at 10^4 sorted values of
    shape 2 (quiet machine, one thread): 0.38 ms with scipy, 0.11 ms walked, 0.06 of
    it in the kernel (benchmarks/RESULTS.md, "diagnostics, third pass"). Without the
    kernels, or for shapes outside ``[0.05, 100]``, scipy's functions throughout.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import special as sc
    >>> y = np.sort(np.random.default_rng(0).gamma(2.5, size=5000))
    >>> p, q = gamma_cdf_sf_sorted(2.5, y)
    >>> bool(np.allclose(p, sc.gammainc(2.5, y), rtol=1e-13, atol=0))
    True
    >>> bool(np.allclose(q, sc.gammaincc(2.5, y), rtol=1e-13, atol=0))
    True
    """
    y = np.ascontiguousarray(y, dtype=float)
    cut = int(np.searchsorted(y, float(sc.gammaincinv(a, 0.5)), side="right"))
    n = y.shape[0]
    if not (HAVE_FIT_KERNELS and _SHAPES[0] <= a <= _SHAPES[1] and n > 2):
        lo, hi = sc.gammainc(a, y[:cut]), sc.gammaincc(a, y[cut:])
        return np.concatenate([lo, 1.0 - hi]), np.concatenate([1.0 - lo, hi])
    left = y[:-1]
    with np.errstate(all="ignore"):
        wide = (y[1:] - left) * ((abs(a - 1.0) + 1.0) / left + 1.0) > _GAP
    wide |= ~(left >= 1e-300)  # zeros and subnormals: no logarithm in the vector path
    # gap j (between y[j] and y[j + 1]) builds F[j + 1] below the cut and S[j] above it
    idx = np.flatnonzero(wide)
    lo_at = np.concatenate([[0], idx[idx + 1 < cut] + 1]) if cut else idx[:0]
    hi_at = np.concatenate([idx[idx >= cut], [n - 1]]) if cut < n else idx[:0]
    f = np.full(n, np.nan)
    s = np.full(n, np.nan)
    f[lo_at] = sc.gammainc(a, y[lo_at])
    s[hi_at] = sc.gammaincc(a, y[hi_at])
    _kernels.gamma_walk(y, float(a), -float(sc.gammaln(a)), cut, f, s)
    return f, s
