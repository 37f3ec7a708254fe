"""Poisson distribution with an optional exposure per observation."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special as sc

from .. import _fastpath
from .._domains import NONNEGATIVE
from ..statistics.sufficient import SuffStats, made
from ._base import DiscreteDistribution, Param, Value
from .family import many
from .observations import counts_support

__all__ = ["Poisson", "PoissonStats"]


@dataclass(frozen=True)
class PoissonStats(SuffStats):
    """n, total count, total exposure, and the data-only log-likelihood terms.

    ``const`` = sum(w x log(exposure)) - sum(w log(x!)), which the log-likelihood
    needs but the estimate does not.
    """

    total: float = 0.0
    exposure: float = 0.0
    const: float = 0.0


class Poisson(DiscreteDistribution):
    """Poisson distribution of counts, with an optional exposure per observation.

    Parameters
    ----------
    rate : float >= 0
        Expected count per unit of exposure. Without exposure it is the mean.

    Notes
    -----
    With exposure ``t_i`` (time at risk, area, population...), observation i is
    Poisson with mean ``rate * t_i``: ``log p = x log(rate t) - rate t - log x!``.
    Sufficient statistics: n, X = sum(x), T = sum(t). MLE ``rate = X / T``;
    Fisher information ``T / rate``. Conjugate prior ``Gamma(shape, rate=b)`` ->
    ``Gamma(shape + X, b + T)``. Give exposure to ``th.fit``/``th.posterior``
    with ``exposure=``.

    Examples
    --------
    >>> import thetahat as th
    >>> th.Poisson(3.0).var()
    3.0
    >>> th.fit(th.Poisson, [2, 3, 1], exposure=[1.0, 2.0, 1.0]).params
    {'rate': 1.5}
    >>> th.posterior(th.Poisson, [2, 3, 1], prior=th.Gamma(2, 1)).dist
    Gamma(shape=8, rate=4)
    """

    _params = (Param("rate", NONNEGATIVE, "expected count per unit exposure"),)
    support_text = "non-negative integers (counts)"
    _stats_type = PoissonStats
    _array_hooks = True
    _obs_keywords = ("exposure",)

    def _logp(self, x: NDArray[np.float64], rate: float) -> NDArray[np.float64]:
        ok = (x >= 0) & (x == np.floor(x))
        xs = np.where(ok, x, 0.0)
        return np.where(ok, sc.xlogy(xs, rate) - rate - sc.gammaln(xs + 1.0), -np.inf)

    def _mean(self, rate: float) -> float:
        return rate

    def _var(self, rate: float) -> float:
        return rate

    def _sample(self, size: Any, rng: np.random.Generator, rate: float) -> Any:
        return rng.poisson(rate, size=size)

    def _cdf(self, x: NDArray[np.float64], rate: float) -> NDArray[np.float64]:
        k = np.floor(x)
        return np.where(k < 0, 0.0, sc.pdtr(np.maximum(k, 0.0), rate))

    def _scipy(self, rate: float) -> Any:
        from scipy import stats

        return stats.poisson(rate)

    # -- family
    def suff_stats(self, data: Any, weights: ArrayLike | None = None, **obs: Any) -> SuffStats:
        """Sufficient statistics (n, total, exposure) and the data-only term, in one pass.

        Unweighted counts without exposure go through one compiled pass (validation,
        ``sum(x)`` and ``sum(log x!)`` together; see ``thetahat._fastpath``).
        """
        if weights is not None or any(v is not None for v in obs.values()):
            return super().suff_stats(data, weights, **obs)
        x = self._as_data(data)
        bad, total, lf = _fastpath.count_stats(x)
        if bad >= 0:
            self._explain_bad_data(x, {})
        n = float(x.shape[0])
        return made(PoissonStats, {"n": n, "total": total, "exposure": n, "const": -lf})

    def _prepare_obs(self, m: int, obs: dict[str, Any]) -> dict[str, NDArray[np.float64]]:
        out = super()._prepare_obs(m, obs)
        t = out.get("exposure")
        if t is not None and np.any(t <= 0):
            i = int(np.flatnonzero(t <= 0)[0])
            raise ValueError(f"exposure must be > 0; exposure[{i}] = {float(t[i])!r}")
        return out

    _support_mask = counts_support

    def _chunk_stats(
        self, x: NDArray[np.float64], w: NDArray[np.float64] | None, obs: Any
    ) -> PoissonStats:
        t = obs.get("exposure")
        n = float(x.shape[0]) if w is None else float(np.sum(w))
        total = float(np.sum(x)) if w is None else float(np.dot(w, x))
        const = -_fastpath.sum_log_factorial(x, w)
        if t is None:
            exposure = n
        else:
            exposure = float(np.sum(t)) if w is None else float(np.dot(w, t))
            xlt = sc.xlogy(x, t)
            const += float(np.sum(xlt)) if w is None else float(np.dot(w, xlt))
        return PoissonStats(n=n, total=total, exposure=exposure, const=const)

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        rate, total = params["rate"], stats.total
        if type(rate) is float and type(total) is float and rate > 0 and total != 0:
            # one fit: xlogy(total, rate) is total * log(rate) here (no ufunc call)
            return total * math.log(rate) - rate * stats.exposure + stats.const
        return sc.xlogy(total, rate) - rate * stats.exposure + stats.const

    def _mle(self, stats: Any) -> dict[str, Value]:
        return {"rate": stats.total / stats.exposure}

    def _information(self, params: Mapping[str, Value], stats: Any) -> NDArray[np.float64]:
        if many(params["rate"]) or many(stats.exposure):  # per-group arrays
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.array([[stats.exposure / np.float64(params["rate"])]])
        rate, t = float(params["rate"]), float(stats.exposure)
        if rate == 0:  # as numpy's t / 0 (Python floats would raise)
            return np.array([[math.inf if t > 0 else math.nan]])
        return np.array([[t / rate]])


def direct_mle(
    fam: Poisson, x: NDArray[np.float64]
) -> tuple[PoissonStats, dict[str, float], float, NDArray[np.float64], str, int] | None:
    """The MLE of a free Poisson rate from a small array of counts, in Python floats.

    ``th.fit``'s short path (issue 12: a small fit's fixed cost). ``x`` is a C-contiguous
    float64 array of 1 to 4096 values; returns the statistics, the estimate, the
    log-likelihood, the covariance ``rate / n`` (as ``1 / (n / rate)``, the inverse the
    general route takes), the message and the iterations exactly as ``suff_stats``,
    ``_mle``, ``_loglik`` and ``_information`` give them; None (the general route
    decides and explains) for anything else: a value that is not a count, all zeros
    (rate 0, on the boundary).
    """
    bad, total, lf = _fastpath.count_stats(x)
    if bad >= 0 or not (total > 0 and math.isfinite(total)):
        return None
    n = float(x.shape[0])
    stats = made(PoissonStats, {"n": n, "total": total, "exposure": n, "const": -lf})
    rate = total / n
    theta = {"rate": rate}
    loglik = float(fam._loglik(theta, stats))
    a = n / rate
    if not (a > 0 and math.isfinite(a)):
        return None
    return stats, theta, loglik, np.array([[1.0 / a]]), "closed form", 0
