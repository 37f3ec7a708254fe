"""Laplace (double exponential) distribution with location and scale."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._domains import POSITIVE, REAL
from ._base import ContinuousDistribution, Param, Value

__all__ = ["Laplace"]


class Laplace(ContinuousDistribution):
    """Laplace distribution.

    Parameters
    ----------
    loc : float
        Location mu (mean, median and mode).
    scale : float > 0
        Scale b (the mean absolute deviation; the sd is ``b sqrt 2``).

    Notes
    -----
    ``log p = -log(2 b) - |x - mu| / b``; variance ``2 b^2``. As a prior on a
    regression coefficient it is the lasso (L1) penalty.

    Fitting: ``log L = -n log(2 b) - sum w |x - mu| / b``. The MLE of the location is a
    (weighted) median, which minimises ``sum w |x - mu|`` whatever ``b``; the
    scale's MLE is then the mean absolute deviation about it,
    ``b = sum w |x - mu| / n``. The likelihood is not differentiable in ``mu``
    (its second derivative is zero almost everywhere), so the standard errors
    use the expected information ``diag(n / b^2, n / b^2)``: the median's
    asymptotic variance is ``b^2 / n``.

    Examples
    --------
    >>> import thetahat as th
    >>> th.fit(th.Laplace, [1.0, 2.0, 2.5, 4.0, 10.0]).params
    {'loc': 2.5, 'scale': 2.2}
    >>> th.Laplace(0, 1).var()
    2.0
    """

    _params = (Param("loc", REAL, "location"), Param("scale", POSITIVE, "scale b"))
    support_text = "real numbers"

    def _logp(self, x: NDArray[np.float64], loc: float, scale: float) -> NDArray[np.float64]:
        return -np.log(2.0 * scale) - np.abs(x - loc) / scale

    def _mean(self, loc: float, scale: float) -> float:
        return loc

    def _mode(self, loc: float, scale: float) -> float:
        return loc

    def _var(self, loc: float, scale: float) -> float:
        return 2.0 * scale * scale

    def _sample(self, size: Any, rng: np.random.Generator, loc: float, scale: float) -> Any:
        return rng.laplace(loc, scale, size=size)

    def _cdf(self, x: NDArray[np.float64], loc: float, scale: float) -> NDArray[np.float64]:
        z = (x - loc) / scale
        return np.where(z < 0, 0.5 * np.exp(np.minimum(z, 0.0)), 1.0 - 0.5 * np.exp(-np.abs(z)))

    def _sf(self, x: NDArray[np.float64], loc: float, scale: float) -> NDArray[np.float64]:
        return self._cdf(2.0 * loc - x, loc, scale)

    def _ppf(self, q: NDArray[np.float64], loc: float, scale: float) -> NDArray[np.float64]:
        with np.errstate(divide="ignore"):
            return np.where(
                q < 0.5, loc + scale * np.log(2.0 * q), loc - scale * np.log(2.0 - 2.0 * q)
            )

    def _scipy(self, loc: float, scale: float) -> Any:
        from scipy import stats

        return stats.laplace(loc, scale)

    # -- family
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

    def _exact_information(self, params: Mapping[str, Value], cs: Any) -> NDArray[np.float64]:
        """Information about (loc, scale) from the exact observations of censored data
        ``cs``, with the location's kink replaced by its expectation.

        ``-d2/dmu2 (-|x - mu| / b) = (2 / b) delta(x - mu)`` is zero except at a kink,
        and the location's estimate sits on one (a data point), so the observed
        curvature is meaningless there. Its expectation is ``(2 / b)`` times the
        expected number of exact observations per unit length at ``mu``: the units at
        risk there times the hazard ``f(mu) / S(mu) = 1 / b``. The units at risk are
        counted from above (exact values and right-censoring points ``>= mu``) and from
        below (exact values and left-censoring points ``<= mu``), the smaller count
        taken: ``I_mu,mu = 2 min(N_up, N_down) / b^2``. On complete data
        ``N_up = N_down = n / 2`` gives ``n / b^2``, the closed-form rule (the median's
        variance ``b^2 / n``); with every unit censored below ``mu`` it is 0 and the
        censored terms' own curvature (smooth there, added by the caller) carries the
        information. The other entries are observed: ``sum w sign(x - mu) / b^2`` and
        ``sum w (2 |x - mu| / b^3 - 1 / b^2)``.
        """
        mu, b = float(params["loc"]), float(params["scale"])
        x, w = cs.exact, cs.w_exact
        d = x - mu
        n_up = float(np.sum(w[x >= mu]) + np.sum(cs.w_right[cs.right >= mu]))
        n_down = float(np.sum(w[x <= mu]) + np.sum(cs.w_left[cs.left <= mu]))
        i_mm = 2.0 * min(n_up, n_down) / b**2
        i_mb = float(np.dot(w, np.sign(d))) / b**2
        i_bb = float(np.dot(w, 2.0 * np.abs(d) / b**3 - 1.0 / b**2))
        return np.array([[i_mm, i_mb], [i_mb, i_bb]])

    def _start(self, stats: Any) -> dict[str, float]:
        est = self._mle(stats)
        if "scale" in est:
            est["scale"] = max(float(est["scale"]), 1e-12)
        return est
