"""Multinomial distribution of count vectors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._domains import NONNEGATIVE_INTEGER, SIMPLEX
from ._base import DiscreteDistribution, Param, Value
from .categorical import CountStats, multinomial_cov

__all__ = ["Multinomial"]


class Multinomial(DiscreteDistribution):
    """Multinomial distribution: counts in K classes out of ``n`` trials.

    Parameters
    ----------
    n : int >= 0 (or one per observation)
        Number of trials. When fitting it may be left out: each observation's
        total is its row sum.
    probs : array of K probabilities summing to 1
        Class probabilities.

    Notes
    -----
    Data are count vectors, one row per observation (shape (m, K)). pmf
    ``n! / prod(x_j!) prod(p_j^x_j)``. Sufficient statistics: the column totals
    c. MLE ``probs = c / sum(c)``; covariance ``(diag(p) - p p^T) / sum(c)``.
    Conjugate prior ``Dirichlet(alpha)`` -> ``Dirichlet(alpha + c)``.

    Examples
    --------
    >>> import thetahat as th
    >>> th.fit(th.Multinomial(n=5), [[1, 4], [2, 3]]).params["probs"]
    array([0.3, 0.7])
    >>> float(th.Multinomial(3, [0.5, 0.5]).pmf([1, 2]))
    0.375
    """

    _params = (
        Param("n", NONNEGATIVE_INTEGER, "number of trials", per_observation=True),
        Param("probs", SIMPLEX, "class probabilities"),
    )
    support_text = "rows of non-negative integer counts (summing to n when n is given)"
    event_vector = True
    data_ndim = 2
    _stats_type = CountStats
    _known_from_data = ("n",)

    def _check_joint(self) -> None:
        probs = self._values.get("probs")
        self_k = None if probs is None else probs.shape[0]
        object.__setattr__(self, "k", self_k)

    def _logp(self, x: NDArray[np.float64], n: Any, probs: NDArray[np.float64]) -> Any:
        x = np.asarray(x, dtype=float)
        ok = np.all((x >= 0) & (x == np.floor(x)), axis=-1) & (np.sum(x, axis=-1) == n)
        xs = np.where((x >= 0) & (x == np.floor(x)), x, 0.0)
        with np.errstate(divide="ignore"):
            lp = (
                sc.gammaln(np.sum(xs, axis=-1) + 1.0)
                - np.sum(sc.gammaln(xs + 1.0), axis=-1)
                + np.sum(sc.xlogy(xs, probs), axis=-1)
            )
        return np.where(ok, lp, -np.inf)

    def _mean(self, n: Any, probs: NDArray[np.float64]) -> Any:
        return np.multiply.outer(n, probs) if np.ndim(n) else n * probs

    def _var(self, n: Any, probs: NDArray[np.float64]) -> Any:
        v = probs * (1.0 - probs)
        return np.multiply.outer(n, v) if np.ndim(n) else n * v

    def _sample(self, size: Any, rng: np.random.Generator, n: Any, probs: Any) -> Any:
        return rng.multinomial(np.asarray(n, dtype=np.int64), probs, size=size)

    def _cdf(self, x: Any, n: Any, probs: Any) -> Any:
        raise TypeError("Multinomial is multivariate: it has no cdf")

    def _ppf(self, q: Any, n: Any, probs: Any) -> Any:
        raise TypeError("Multinomial is multivariate: it has no quantile function")

    def _scipy(self, n: Any, probs: Any) -> Any:
        from scipy import stats

        return stats.multinomial(n, probs)

    # -- family
    def _support_mask(self, x: NDArray[np.float64], **obs: Any) -> NDArray[np.bool_]:
        ok = np.all((x >= 0) & (x == np.floor(x)), axis=1)
        if "n" in obs:
            ok &= np.sum(x, axis=1) == obs["n"]
        probs = self._values.get("probs")
        if probs is not None:
            ok &= x.shape[1] == probs.shape[0]
        return np.asarray(ok)

    def _as_data(self, data: Any) -> NDArray[np.float64]:
        x = super()._as_data(data)
        if x.shape[1] < 2:
            raise ValueError(
                f"Multinomial data need at least 2 columns (classes), got {x.shape[1]}"
            )
        return x

    def _chunk_stats(self, x: NDArray[np.float64], w: NDArray[np.float64] | None, obs: Any) -> Any:
        rows = np.sum(x, axis=1)
        lc = sc.gammaln(rows + 1.0) - np.sum(sc.gammaln(x + 1.0), axis=1)
        if w is None:
            return CountStats(
                n=float(x.shape[0]),
                counts=np.sum(x, axis=0),
                trials=float(np.sum(rows)),
                log_coef=float(np.sum(lc)),
            )
        return CountStats(
            n=float(np.sum(w)),
            counts=w @ x,
            trials=float(np.dot(w, rows)),
            log_coef=float(np.dot(w, lc)),
        )

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        return float(stats.log_coef + np.sum(sc.xlogy(stats.counts, params["probs"])))

    def _mle(self, stats: Any) -> dict[str, Value]:
        if stats.trials == 0:
            raise ValueError(
                "Multinomial data have zero trials in total: probs cannot be estimated"
            )
        return {"probs": stats.counts / stats.trials}

    def _covariance(self, params: Mapping[str, Value], stats: Any) -> NDArray[np.float64]:
        return multinomial_cov(np.asarray(params["probs"]), stats.trials)
