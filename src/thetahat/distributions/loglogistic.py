"""Log-logistic (Fisk) distribution in actuar's ``llogis`` parametrisation."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._domains import POSITIVE
from ..optim import SolverResult
from ._base import ContinuousDistribution, Param, Value
from ._locscale import newton_fit
from .logistic import _psi as _logistic_psi
from .observations import positive_support

__all__ = ["LogLogistic"]


def _log_v(x: NDArray[np.float64], shape: float, scale: float) -> NDArray[np.float64]:
    """``log v = shape log(x / scale)`` (``-inf`` at 0; callers mask x <= 0)."""
    with np.errstate(divide="ignore"):
        return np.asarray(shape * (np.log(np.maximum(x, 0.0)) - np.log(scale)))


class LogLogistic(ContinuousDistribution):
    """Log-logistic distribution with ``shape`` gamma and ``scale`` theta (actuar's ``llogis``).

    Parameters
    ----------
    shape : float > 0
        Shape gamma (the log of the variable has scale ``1 / gamma``).
    scale : float > 0
        Scale theta (the median).

    Notes
    -----
    With ``v = (x / theta)^gamma``: ``f = gamma v / (x (1 + v)^2)``,
    ``F = v / (1 + v)``, so ``log F = log_expit(log v)`` and
    ``log S = log_expit(-log v)``, exact in both tails;
    ``F^-1(q) = theta (q / (1 - q))^(1/gamma)``. The k-th moment
    ``theta^k (k pi / gamma) / sin(k pi / gamma)`` exists for ``k < gamma``. This is
    actuar's ``dllogis(x, shape, scale)`` as fitdistrplus fits it
    (``rate = 1 / scale``), scipy's ``fisk(shape, scale=scale)``; R's
    ``flexsurv::dllogis`` agrees. ``log X`` is :class:`Logistic` with location
    ``log theta`` and scale ``1 / gamma``.

    Fitting: by that identity the MLE is the Logistic MLE on ``log x`` (Newton
    with analytic derivatives, :mod:`thetahat.distributions._locscale`), mapped
    by ``gamma = 1 / s`` and ``theta = e^mu``, the invariance of the MLE; the
    log-likelihood differs by ``-sum w log x``. Standard errors from the
    observed information of the log-logistic likelihood itself.

    Examples
    --------
    >>> import thetahat as th
    >>> d = th.LogLogistic(4.0, 10.0)
    >>> d.cdf(10.0), round(d.ppf(0.9), 4)
    (0.5, 17.3205)
    >>> est = th.fit(th.LogLogistic, d.sample(3000, rng=2))
    >>> str(est.status), round(est.params["scale"], 0)
    ('success', 10.0)
    """

    _params = (Param("shape", POSITIVE, "shape gamma"), Param("scale", POSITIVE, "scale theta"))
    support_text = "positive numbers"

    def _logp(self, x: NDArray[np.float64], shape: float, scale: float) -> NDArray[np.float64]:
        ok = x > 0
        xs = np.where(ok, x, 1.0)
        lv = _log_v(xs, shape, scale)
        lp = np.log(shape) + lv - np.log(xs) - 2.0 * np.logaddexp(0.0, lv)
        return np.where(ok, lp, -np.inf)

    def _mean(self, shape: float, scale: float) -> float:
        if shape <= 1:
            return np.inf
        b = np.pi / shape
        return float(scale * b / np.sin(b))

    def _var(self, shape: float, scale: float) -> float:
        if shape <= 2:
            return np.inf
        b = np.pi / shape
        return float(scale * scale * (2.0 * b / np.sin(2.0 * b) - (b / np.sin(b)) ** 2))

    def _mode(self, shape: float, scale: float) -> float:
        if shape <= 1:
            return 0.0
        return float(scale * ((shape - 1.0) / (shape + 1.0)) ** (1.0 / shape))

    def _sample(self, size: Any, rng: np.random.Generator, shape: float, scale: float) -> Any:
        return scale * np.exp(rng.logistic(0.0, 1.0 / shape, size=size))

    def _logcdf(self, x: NDArray[np.float64], shape: float, scale: float) -> NDArray[np.float64]:
        return np.asarray(sc.log_expit(_log_v(x, shape, scale)))

    def _logsf(self, x: NDArray[np.float64], shape: float, scale: float) -> NDArray[np.float64]:
        return np.asarray(sc.log_expit(-_log_v(x, shape, scale)))

    def _cdf(self, x: NDArray[np.float64], shape: float, scale: float) -> NDArray[np.float64]:
        return np.asarray(sc.expit(_log_v(x, shape, scale)))

    def _sf(self, x: NDArray[np.float64], shape: float, scale: float) -> NDArray[np.float64]:
        return np.asarray(sc.expit(-_log_v(x, shape, scale)))

    def _ppf(self, q: NDArray[np.float64], shape: float, scale: float) -> NDArray[np.float64]:
        with np.errstate(divide="ignore"):
            return np.asarray(scale * np.exp(sc.logit(q) / shape))

    def _scipy(self, shape: float, scale: float) -> Any:
        from scipy import stats

        return stats.fisk(shape, scale=scale)

    # -- family
    _support_mask = positive_support

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        return stats.total(self._logp(stats.x, params["shape"], params["scale"]))

    def _start(self, stats: Any) -> dict[str, float]:
        lx = stats.logx()
        n = stats.n
        m = stats.total(lx) / n
        sd = float(np.sqrt(max(stats.total((lx - m) ** 2) / n, 0.0)))
        shape = float(np.pi / (np.sqrt(3.0) * sd)) if sd > 0 else 1.0
        return {
            "shape": float(self._values.get("shape", shape)),
            "scale": float(self._values.get("scale", math.exp(float(np.median(lx))))),
        }

    def _fit_fast(self, stats: Any) -> tuple[dict[str, Value], SolverResult] | None:
        if self._values or stats.x.ndim != 1:
            return None
        st = self._start(stats)
        if not 0 < st["shape"] < np.inf:
            return None
        lx = stats.logx()
        loc, res = newton_fit(_logistic_psi, lx, stats.w, np.log(st["scale"]), 1.0 / st["shape"])
        params = {"shape": 1.0 / loc["scale"], "scale": float(np.exp(loc["loc"]))}
        ll = res.fun - stats.total(lx)
        out = SolverResult.of(
            res.x, ll, res.converged, f"Logistic MLE on log x: {res.message}", res.iterations
        )
        return params, out
