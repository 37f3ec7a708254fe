"""Fitting hooks of the Laplace (double exponential) family, as a mixin.

Kept apart from the density class so that the class (``laplace.py``) and its
fitting code can be merged independently: ``class Laplace(LaplaceFitting,
ContinuousDistribution)`` gets the MLE, the log-likelihood over data and the
Fisher information.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["LaplaceFitting"]

Value = Any


class LaplaceFitting:
    """Closed-form MLE and information for ``Laplace(loc, scale)``.

    Notes
    -----
    ``log L = -n log(2 b) - sum w |x - mu| / b``. The MLE of the location is a
    (weighted) median, which minimises ``sum w |x - mu|`` whatever ``b``; the
    scale's MLE is then the mean absolute deviation about it,
    ``b = sum w |x - mu| / n``. The likelihood is not differentiable in ``mu``
    (its second derivative is zero almost everywhere), so the standard errors
    use the expected information ``diag(n / b^2, n / b^2)``: the median's
    asymptotic variance is ``b^2 / n``.
    """

    _values: dict[str, Any]

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        mu, b = params["loc"], params["scale"]
        dev = stats.total(np.abs(stats.x - mu))
        if b == 0:  # the limit b -> 0: a point mass at mu
            return float(np.inf if dev == 0 else -np.inf)
        return float(-stats.n * np.log(2.0 * b) - dev / b)

    def _mle(self, stats: Any) -> dict[str, Value]:
        out: dict[str, Value] = {}
        mu = self._values.get("loc")
        if mu is None:
            mu = stats.median()
            out["loc"] = mu
        if "scale" not in self._values:
            out["scale"] = stats.total(np.abs(stats.x - mu)) / stats.n
        return out

    def _information(self, params: Mapping[str, Value], stats: Any) -> NDArray[np.float64]:
        b2 = float(params["scale"]) ** 2
        diag = [stats.n / b2 for k in ("loc", "scale") if k not in self._values]
        return np.diag(diag)

    def _start(self, stats: Any) -> dict[str, float]:
        est = self._mle(stats)
        if "scale" in est:
            est["scale"] = max(float(est["scale"]), 1e-12)
        return est
