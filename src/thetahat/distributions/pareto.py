"""Pareto distribution (shape alpha and minimum xm)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._domains import POSITIVE
from ._base import ContinuousDistribution, Param, Value

__all__ = ["Pareto"]


class Pareto(ContinuousDistribution):
    """Pareto (type I) distribution with tail index ``alpha`` and minimum ``xm``.

    Parameters
    ----------
    alpha : float > 0
        Tail index (shape); the tail is ``P(X > x) = (xm / x)^alpha``.
    xm : float > 0
        Minimum value (scale); scipy's ``pareto(alpha, scale=xm)``.

    Notes
    -----
    density ``alpha xm^alpha / x^(alpha + 1)`` for x >= xm. Closed-form MLE:
    ``xm = min x`` and ``alpha = n / sum log(x / xm)``. The support depends on
    ``xm``, so the likelihood is not regular in it: ``xm_hat`` is the sample
    minimum, converges at rate 1/n and is distributed as
    ``Pareto(n alpha, xm)``, whose variance
    ``xm^2 n alpha / ((n alpha - 1)^2 (n alpha - 2))`` is reported as its
    squared standard error; ``alpha`` has information ``n / alpha^2``. Its
    profile interval is one-sided at ``min x``.

    Examples
    --------
    >>> import thetahat as th
    >>> th.fit(th.Pareto, [1.0, 1.5, 2.0, 4.0]).params["xm"]
    1.0
    >>> th.Pareto(3, 1).mean()
    1.5
    """

    _params = (Param("alpha", POSITIVE, "tail index"), Param("xm", POSITIVE, "minimum"))
    support_text = "numbers >= xm (positive when xm is free)"

    def _logp(self, x: NDArray[np.float64], alpha: float, xm: float) -> NDArray[np.float64]:
        ok = x >= xm
        xs = np.where(ok, x, xm)
        return np.where(
            ok, np.log(alpha) + alpha * np.log(xm) - (alpha + 1.0) * np.log(xs), -np.inf
        )

    def _mean(self, alpha: float, xm: float) -> float:
        return alpha * xm / (alpha - 1.0) if alpha > 1 else np.inf

    def _mode(self, alpha: float, xm: float) -> float:
        return xm

    def _var(self, alpha: float, xm: float) -> float:
        if alpha <= 2:
            return np.inf
        return xm * xm * alpha / ((alpha - 1.0) ** 2 * (alpha - 2.0))

    def _sample(self, size: Any, rng: np.random.Generator, alpha: float, xm: float) -> Any:
        return xm * np.exp(rng.standard_exponential(size=size) / alpha)

    def _cdf(self, x: NDArray[np.float64], alpha: float, xm: float) -> NDArray[np.float64]:
        return np.asarray(-np.expm1(-alpha * np.log(np.maximum(x, xm) / xm)))

    def _sf(self, x: NDArray[np.float64], alpha: float, xm: float) -> NDArray[np.float64]:
        return np.asarray(np.exp(-alpha * np.log(np.maximum(x, xm) / xm)))

    def _ppf(self, q: NDArray[np.float64], alpha: float, xm: float) -> NDArray[np.float64]:
        return np.asarray(xm * np.exp(-np.log1p(-q) / alpha))

    def _scipy(self, alpha: float, xm: float) -> Any:
        from scipy import stats

        return stats.pareto(alpha, scale=xm)

    # -- family
    def _support_mask(self, x: NDArray[np.float64], **obs: Any) -> NDArray[np.bool_]:
        xm = self._values.get("xm")
        return x > 0 if xm is None else x >= xm

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        a, xm = params["alpha"], params["xm"]
        if np.min(stats.positive()) < xm:
            return -np.inf
        if a == np.inf:  # the limit alpha -> inf: a point mass at xm
            return float(np.inf if stats.total(stats.logx()) == stats.n * np.log(xm) else -np.inf)
        return float(stats.n * (np.log(a) + a * np.log(xm)) - (a + 1.0) * stats.total(stats.logx()))

    def _mle(self, stats: Any) -> dict[str, Value]:
        xm = self._values.get("xm", float(np.min(stats.positive())))
        out: dict[str, Value] = {}
        if "alpha" not in self._values:
            out["alpha"] = stats.n / (stats.total(stats.logx()) - stats.n * np.log(xm))
        if "xm" not in self._values:
            out["xm"] = xm
        return out

    def _grad_hess(
        self, params: Mapping[str, Value], stats: Any
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        a, xm, n = params["alpha"], params["xm"], stats.n
        g = np.array([n / a + n * np.log(xm) - stats.total(stats.logx()), n * a / xm])
        h = np.array([[-n / (a * a), n / xm], [n / xm, -n * a / (xm * xm)]])
        return g, h

    def _support_bounds(self, stats: Any) -> dict[str, float]:
        """``xm <= min x``: the data bound the free minimum (MAP solves respect it)."""
        if "xm" in self._values:
            return {}
        return {"xm": float(np.min(stats.positive()))}

    def _covariance(self, params: Mapping[str, Value], stats: Any) -> NDArray[np.float64]:
        a, xm, n = params["alpha"], params["xm"], stats.n
        diag = []
        if "alpha" not in self._values:
            diag.append(a * a / n)
        if "xm" not in self._values:
            na = n * a
            diag.append(xm * xm * na / ((na - 1.0) ** 2 * (na - 2.0)) if na > 2 else np.inf)
        return np.diag(diag)
