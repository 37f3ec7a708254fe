"""Special functions the families need over many groups at once, faster than scipy's.

``trigamma`` is written here because scipy's ``polygamma(1, x)`` and ``zeta(2, x)``
cost over a microsecond per element, which dominates a Newton step of 10^5 groups
(benchmarks/engines.py (c)).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

__all__ = ["trigamma"]

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
