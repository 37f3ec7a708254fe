"""Binomial distribution (number of trials known, possibly per observation)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._domains import NONNEGATIVE_INTEGER, UNIT
from ..statistics.sufficient import SuffStats
from ._base import DiscreteDistribution, Param, Value
from .family import any_true

__all__ = ["Binomial", "BinomialStats", "log_binom"]


def log_binom(n: Any, k: Any) -> Any:
    """log C(n, k), stable for large n."""
    return sc.gammaln(n + 1.0) - sc.gammaln(k + 1.0) - sc.gammaln(n - k + 1.0)


@dataclass(frozen=True)
class BinomialStats(SuffStats):
    """Observations n, total trials, total successes k, and sum of log C(trials, x)."""

    trials: float = 0.0
    k: float = 0.0
    log_coef: float = 0.0


class Binomial(DiscreteDistribution):
    """Binomial distribution: successes in ``n`` independent trials with probability ``p``.

    Parameters
    ----------
    n : int >= 0, or an array with one value per observation
        Number of trials. It is always known: give it to fit ``p``
        (``th.fit(th.Binomial(n=10), k)`` or ``th.Binomial(n=trials_array)``).
    p : float in [0, 1]
        Success probability of each trial.

    Notes
    -----
    pmf: ``C(n, x) p^x (1 - p)^(n - x)``. Sufficient statistics: total trials
    N = sum(n_i) and total successes K = sum(x_i). MLE ``p = K / N``; Fisher
    information ``N / (p (1 - p))``. Conjugate prior ``Beta(a, b)`` ->
    ``Beta(a + K, b + N - K)``.

    Examples
    --------
    >>> import thetahat as th
    >>> th.Binomial(10, 0.3).mean()
    3.0
    >>> th.fit(th.Binomial(n=10), [3, 4, 2]).params
    {'p': 0.3}
    >>> th.posterior(th.Binomial(n=10), [3, 4, 2], prior=th.Beta(1, 1)).dist
    Beta(a=10, b=22)
    """

    _params = (
        Param("n", NONNEGATIVE_INTEGER, "number of trials", per_observation=True),
        Param("p", UNIT, "success probability"),
    )
    support_text = "integers between 0 and the number of trials n"
    _stats_type = BinomialStats
    _array_hooks = True

    def _logp(self, x: NDArray[np.float64], n: Any, p: float) -> NDArray[np.float64]:
        ok = (x >= 0) & (x <= n) & (x == np.floor(x))
        xs = np.where(ok, x, 0.0)
        lp = log_binom(n, xs) + sc.xlogy(xs, p) + sc.xlog1py(n - xs, -p)
        return np.where(ok, lp, -np.inf)

    def _mean(self, n: Any, p: float) -> Any:
        return n * p

    def _var(self, n: Any, p: float) -> Any:
        return n * p * (1.0 - p)

    def _sample(self, size: Any, rng: np.random.Generator, n: Any, p: float) -> Any:
        return rng.binomial(np.asarray(n, dtype=np.int64), p, size=size)

    def _cdf(self, x: NDArray[np.float64], n: Any, p: float) -> NDArray[np.float64]:
        k = np.floor(x)
        # bdtr's float-n loop is deprecated in scipy: give the trials as integers
        trials = np.asarray(n).astype(np.int64)
        inside = sc.bdtr(np.clip(k, 0, n), trials, p)
        return np.where(k < 0, 0.0, np.where(k >= n, 1.0, inside))

    def _scipy(self, n: Any, p: float) -> Any:
        from scipy import stats

        return stats.binom(n, p)

    # -- family
    def _prepare_obs(self, m: int, obs: dict[str, Any]) -> dict[str, NDArray[np.float64]]:
        if "n" not in self._values:
            raise ValueError(
                "Binomial needs the number of trials n: use th.Binomial(n=...) with a number "
                "or one value per observation"
            )
        return super()._prepare_obs(m, obs)

    def _support_mask(self, x: NDArray[np.float64], **obs: Any) -> NDArray[np.bool_]:
        n = obs["n"]
        return (x >= 0) & (x <= n) & (x == np.floor(x))

    def _chunk_stats(
        self, x: NDArray[np.float64], w: NDArray[np.float64] | None, obs: Any
    ) -> BinomialStats:
        n = obs["n"]
        lc = log_binom(n, x)
        if w is None:
            return BinomialStats(
                n=float(x.shape[0]),
                trials=float(np.sum(n)),
                k=float(np.sum(x)),
                log_coef=float(np.sum(lc)),
            )
        return BinomialStats(
            n=float(np.sum(w)),
            trials=float(np.dot(w, n)),
            k=float(np.dot(w, x)),
            log_coef=float(np.dot(w, lc)),
        )

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        p = params["p"]
        out = stats.log_coef + sc.xlogy(stats.k, p) + sc.xlog1py(stats.trials - stats.k, -p)
        return out

    def _mle(self, stats: Any) -> dict[str, Value]:
        if any_true(stats.trials == 0):
            raise ValueError("Binomial data have zero trials in total: p cannot be estimated")
        return {"p": stats.k / stats.trials}

    def _information(self, params: Mapping[str, Value], stats: Any) -> NDArray[np.float64]:
        p = np.float64(params["p"])
        with np.errstate(divide="ignore"):
            return np.array([[stats.trials / (p * (1.0 - p))]])
