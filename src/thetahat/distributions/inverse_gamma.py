"""Inverse-gamma distribution (shape and scale)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._domains import POSITIVE
from ..optim import SolverResult
from ..statistics.sufficient import SuffStats
from ._base import ContinuousDistribution, Param, Value
from .family import many
from .observations import positive_support

__all__ = ["InverseGamma", "InverseGammaStats"]


@dataclass(frozen=True)
class InverseGammaStats(SuffStats):
    """n, sum(1/x) and sum(log x)."""

    sinv: float = 0.0
    slog: float = 0.0


class InverseGamma(ContinuousDistribution):
    """Inverse-gamma distribution: 1/X is Gamma(shape, rate=scale).

        Parameters
        ----------
        shape : float > 0
            Shape alpha (as a prior on a Normal variance: half the pseudo-observations).
        scale : float > 0
            Scale beta (as a prior on a variance: half the pseudo sum of squares).

        Notes
        -----
        density ``beta^alpha x^(-alpha-1) exp(-beta / x) / Gamma(alpha)``; mean
        ``beta / (alpha - 1)`` (alpha > 1); mode ``beta / (alpha + 1)``. Sufficient
        statistics n, sum(1/x), sum(log x); with the shape fixed the MLE of the scale
        is ``alpha n / sum(1/x)``. Fisher information
        ``n [[psi1(alpha), -1/beta], [-1/beta, alpha/beta^2]]``. With both free,
    ``1/x`` is Gamma(alpha, rate=beta) and the fit is the Gamma profile Newton on
    the shape. Not shifted (no location parameter). Conjugate prior of a
        Normal variance when the mean is known.

    Examples
    --------
    >>> import thetahat as th
    >>> th.InverseGamma(3, 2).mean()
    1.0
    >>> th.InverseGamma(3, 2).mode()
    0.5
    """

    _params = (Param("shape", POSITIVE, "shape alpha"), Param("scale", POSITIVE, "scale beta"))
    _array_formulas = True
    support_text = "positive numbers"
    _stats_type = InverseGammaStats

    def _logp(self, x: NDArray[np.float64], shape: float, scale: float) -> NDArray[np.float64]:
        ok = x > 0
        xs = np.where(ok, x, 1.0)
        lp = shape * np.log(scale) - sc.gammaln(shape) - (shape + 1.0) * np.log(xs) - scale / xs
        return np.where(ok, lp, -np.inf)

    def _mean(self, shape: float, scale: float) -> float:
        if not many(shape):
            return scale / (shape - 1.0) if shape > 1 else np.inf
        return np.where(shape > 1, scale / (shape - 1.0), np.inf)  # type: ignore[return-value]

    def _mode(self, shape: float, scale: float) -> float:
        return scale / (shape + 1.0)

    def _var(self, shape: float, scale: float) -> float:
        if not many(shape) and shape <= 2:
            return np.inf
        var = scale * scale / ((shape - 1.0) ** 2 * (shape - 2.0))
        return np.where(shape > 2, var, np.inf) if many(shape) else var  # type: ignore[return-value]

    def _sample(self, size: Any, rng: np.random.Generator, shape: float, scale: float) -> Any:
        return 1.0 / rng.gamma(shape, 1.0 / scale, size=size)

    def _cdf(self, x: NDArray[np.float64], shape: float, scale: float) -> NDArray[np.float64]:
        with np.errstate(divide="ignore"):
            return np.where(x > 0, sc.gammaincc(shape, scale / np.maximum(x, 1e-300)), 0.0)

    def _sf(self, x: NDArray[np.float64], shape: float, scale: float) -> NDArray[np.float64]:
        with np.errstate(divide="ignore"):
            return np.where(x > 0, sc.gammainc(shape, scale / np.maximum(x, 1e-300)), 1.0)

    def _ppf(self, q: NDArray[np.float64], shape: float, scale: float) -> NDArray[np.float64]:
        with np.errstate(divide="ignore"):
            return np.asarray(scale / sc.gammainccinv(shape, q))

    def _scipy(self, shape: float, scale: float) -> Any:
        from scipy import stats

        return stats.invgamma(shape, scale=scale)

    # -- family
    _support_mask = positive_support

    def _chunk_stats(self, x: NDArray[np.float64], w: NDArray[np.float64] | None, obs: Any) -> Any:
        ix, lx = 1.0 / x, np.log(x)
        if w is None:
            return InverseGammaStats(
                n=float(x.shape[0]), sinv=float(np.sum(ix)), slog=float(np.sum(lx))
            )
        return InverseGammaStats(
            n=float(np.sum(w)), sinv=float(np.dot(w, ix)), slog=float(np.dot(w, lx))
        )

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        a, b = params["shape"], params["scale"]
        return float(
            stats.n * (a * np.log(b) - sc.gammaln(a)) - (a + 1.0) * stats.slog - b * stats.sinv
        )

    def _mle(self, stats: Any) -> dict[str, Value] | None:
        if "shape" in self._values and "scale" not in self._values:
            return {"scale": self._values["shape"] * stats.n / stats.sinv}
        return None

    def _information(self, params: Mapping[str, Value], stats: Any) -> NDArray[np.float64]:
        a, b = params["shape"], params["scale"]
        full = stats.n * np.array([[sc.zeta(2.0, a), -1.0 / b], [-1.0 / b, a / (b * b)]])
        idx = [i for i, name in enumerate(("shape", "scale")) if name not in self._values]
        return np.asarray(full[np.ix_(idx, idx)])

    def _grad_hess(
        self, params: Mapping[str, Value], stats: Any
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        a, b, n = params["shape"], params["scale"], stats.n
        g = np.array([n * (np.log(b) - sc.digamma(a)) - stats.slog, n * a / b - stats.sinv])
        h = np.array([[-n * sc.zeta(2.0, a), n / b], [n / b, -n * a / (b * b)]])
        return g, h

    def _start(self, stats: Any) -> dict[str, float]:
        from .gamma import _minka_start

        s = float(np.log(stats.sinv / stats.n) + stats.slog / stats.n)
        a = self._values.get("shape", _minka_start(s) if s > 0 else 1.0)
        return {"shape": a, "scale": self._values.get("scale", a * stats.n / stats.sinv)}

    def _fit_fast(self, stats: Any) -> tuple[dict[str, Value], SolverResult] | None:
        if self._values:
            return None
        from .gamma import _profile_shape

        est, res = _profile_shape(stats.n, stats.sinv, -stats.slog, stats.n)
        # log-likelihood of x, not of 1/x: the Jacobian adds -2 sum(log x)
        res = SolverResult(
            res.x,
            res.fun - 2.0 * stats.slog,
            res.converged,
            res.status,
            res.message,
            res.iterations,
        )
        return {"shape": est["shape"], "scale": est["rate"]}, res
