"""Continuous uniform distribution on [low, high]; the MLE is the sample range."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

from .._domains import REAL
from ..optim import SolverResult, Status
from ..statistics.sufficient import SuffStats
from ._base import ContinuousDistribution, Param, Value

__all__ = ["Uniform", "UniformStats"]


@dataclass(frozen=True)
class UniformStats(SuffStats):
    """n, the smallest and the largest observation (with positive weight).

    Merges by ``min``/``max`` (not by addition): the statistics of the union of
    two pieces of data.
    """

    low: float = np.inf
    high: float = -np.inf

    def __add__(self, other: Self) -> Self:
        if type(other) is not type(self):
            return NotImplemented
        return dataclasses.replace(
            self, n=self.n + other.n, low=min(self.low, other.low), high=max(self.high, other.high)
        )


class Uniform(ContinuousDistribution):
    """Continuous uniform distribution on ``[low, high]``.

    Parameters
    ----------
    low : float
        Lower end a.
    high : float > low
        Upper end b.

    Notes
    -----
    density ``1 / (b - a)`` on [a, b]; ``F = (x - a) / (b - a)`` clipped to [0, 1];
    mean ``(a + b) / 2``, variance ``(b - a)^2 / 12``. scipy's
    ``uniform(loc=a, scale=b - a)``. As a prior it is the flat density on a
    bounded interval (``Uniform(0, 1)`` on a probability is ``Beta(1, 1)``).

    Fitting: the likelihood ``(b - a)^-n`` (zero unless every observation is in
    [a, b]) increases as the interval shrinks, so the MLE is the sample range,
    ``a = min x``, ``b = max x``: on the boundary the data set, not a stationary
    point. The fit's status is therefore ``"boundary"``, with a message saying so,
    and the reported standard errors are the sampling standard deviations of the
    sample extremes (exact, not Wald): ``var(min) = var(max) = (b - a)^2 n /
    ((n + 1)^2 (n + 2))`` and ``cov(min, max) = (b - a)^2 / ((n + 1)^2 (n + 2))``.
    Both are biased inwards by ``(b - a) / (n + 1)``; the unbiased (UMVU)
    estimates are ``min - (max - min) / (n - 1)`` and ``max + (max - min) / (n - 1)``.
    With one end given, the other's MLE is the sample extreme in closed form.
    The statistics (n, min, max) merge by min and max. Censored data are refused
    with the reason: their likelihood is maximised on kinks (at the extreme
    bounds) that a derivative-based solve cannot reach.

    Examples
    --------
    >>> import thetahat as th
    >>> th.Uniform(0.0, 4.0).cdf(1.0)
    0.25
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     est = th.fit(th.Uniform, [0.5, 2.0, 3.5, 1.0])
    >>> str(est.status), est.params
    ('boundary', {'low': 0.5, 'high': 3.5})
    """

    _params = (Param("low", REAL, "lower end a"), Param("high", REAL, "upper end b"))
    support_text = "numbers in [low, high] (any real numbers when both are free)"
    _stats_type = UniformStats

    def _check_joint(self) -> None:
        lo, hi = self._values.get("low"), self._values.get("high")
        if lo is not None and hi is not None and not lo < hi:
            raise ValueError(f"Uniform needs low < high, got low = {lo!r}, high = {hi!r}")

    def _logp(self, x: NDArray[np.float64], low: float, high: float) -> NDArray[np.float64]:
        ok = (x >= low) & (x <= high)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(ok, -np.log(high - low), -np.inf)

    def _mean(self, low: float, high: float) -> float:
        return 0.5 * (low + high)

    def _var(self, low: float, high: float) -> float:
        return (high - low) ** 2 / 12.0

    def _sample(self, size: Any, rng: np.random.Generator, low: float, high: float) -> Any:
        return rng.uniform(low, high, size=size)

    def _cdf(self, x: NDArray[np.float64], low: float, high: float) -> NDArray[np.float64]:
        return np.asarray(np.clip((x - low) / (high - low), 0.0, 1.0))

    def _sf(self, x: NDArray[np.float64], low: float, high: float) -> NDArray[np.float64]:
        return np.asarray(np.clip((high - x) / (high - low), 0.0, 1.0))

    def _ppf(self, q: NDArray[np.float64], low: float, high: float) -> NDArray[np.float64]:
        return np.asarray(low + q * (high - low))

    def _scipy(self, low: float, high: float) -> Any:
        from scipy import stats

        return stats.uniform(loc=low, scale=high - low)

    # -- family
    def _support_mask(self, x: NDArray[np.float64], **obs: Any) -> NDArray[np.bool_]:
        ok = np.ones(x.shape, dtype=bool)
        if "low" in self._values:
            ok &= x >= self._values["low"]
        if "high" in self._values:
            ok &= x <= self._values["high"]
        return ok

    def _chunk_stats(
        self, x: NDArray[np.float64], w: NDArray[np.float64] | None, obs: Any
    ) -> UniformStats:
        xs = x if w is None else x[w > 0]
        n = float(x.shape[0]) if w is None else float(w.sum())
        if xs.size == 0:
            return UniformStats(n=n)
        return UniformStats(n=n, low=float(xs.min()), high=float(xs.max()))

    def _check_censorable(self) -> None:
        if "low" in self._values and "high" in self._values:
            return  # nothing to fit: evaluating the censored likelihood is fine
        raise ValueError(
            "Uniform cannot be fitted to censored data: its censored likelihood is maximised "
            "on the kinks at the extreme observations (low = the smallest value that bounds "
            "it from below, high = the largest from above), where the derivative-based "
            "censored solve has no gradient; fit the exact observations, or give low and high"
        )

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        a, b = params["low"], params["high"]
        if not (a <= stats.low and b >= stats.high and b > a):
            return -np.inf
        return float(-stats.n * np.log(b - a))

    def _mle(self, stats: Any) -> dict[str, Value] | None:
        # with one end given the other is the sample extreme; with both free see _fit_fast
        if "low" in self._values and "high" not in self._values:
            return {"high": stats.high}
        if "high" in self._values and "low" not in self._values:
            return {"low": stats.low}
        return None

    def _fit_fast(self, stats: Any) -> tuple[dict[str, Value], SolverResult] | None:
        if self._values:
            return None
        est = {"low": float(stats.low), "high": float(stats.high)}
        if not est["low"] < est["high"]:
            msg = (
                "every observation is equal: the likelihood (b - a)^-n grows without bound as "
                "the interval shrinks to that value; no uniform distribution is the MLE"
            )
            return est, SolverResult.boundary([est["low"], est["high"]], np.inf, msg)
        ll = self._loglik(est, stats)
        msg = (
            "low = min(x) and high = max(x): the likelihood (b - a)^-n increases as the "
            "interval shrinks to the sample range, so the MLE sits on the boundary the data "
            "set (not a stationary point); standard errors are the sampling sd of the sample "
            "minimum and maximum"
        )
        res = SolverResult(np.array([est["low"], est["high"]]), ll, True, Status.BOUNDARY, msg, 0)
        return est, res

    def _covariance(self, params: Mapping[str, Value], stats: Any) -> NDArray[np.float64]:
        a, b, n = float(params["low"]), float(params["high"]), float(stats.n)
        c = (b - a) ** 2 / ((n + 1.0) ** 2 * (n + 2.0))
        full = np.array([[n * c, c], [c, n * c]])
        idx = [i for i, k in enumerate(("low", "high")) if k not in self._values]
        return np.asarray(full[np.ix_(idx, idx)])

    def _start(self, stats: Any) -> dict[str, float]:
        # (a MAP's Newton solve) the sample range, widened a little: a finite likelihood
        pad = 1e-3 * max(stats.high - stats.low, 1.0)
        return {
            "low": float(self._values.get("low", stats.low - pad)),
            "high": float(self._values.get("high", stats.high + pad)),
        }
