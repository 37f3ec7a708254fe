"""Categorical distribution over K classes labelled 0..K-1."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special as sc

from .._domains import SIMPLEX
from ..statistics.sufficient import SuffStats
from ._base import DiscreteDistribution, Param, Value

__all__ = ["Categorical", "CountStats", "multinomial_cov"]

#: most classes a fit handles: the covariance of K probabilities is a K x K matrix
MAX_CLASSES = 10_000


def _check_classes(k: int, why: str) -> None:
    if k > MAX_CLASSES:
        raise ValueError(
            f"Categorical with {k} classes ({why}) is more than the {MAX_CLASSES} a fit "
            "handles (its covariance is a K x K matrix); class labels are 0..K-1: relabel "
            "sparse labels with np.unique(x, return_inverse=True)"
        )


@dataclass(frozen=True)
class CountStats(SuffStats):
    """n observations and the (weighted) count of each class."""

    counts: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    #: total trials (for Multinomial: sum of row totals; for Categorical: n)
    trials: float = 0.0
    #: data-only log-likelihood terms (multinomial coefficients)
    log_coef: float = 0.0

    def __add__(self, other: Any) -> Any:
        if (
            type(other) is type(self)
            and self.n
            and other.n
            and (self.counts.shape != other.counts.shape)
        ):
            raise ValueError(
                f"cannot merge counts over {self.counts.shape[0]} and {other.counts.shape[0]} "
                "classes"
            )
        return super().__add__(other)


def multinomial_cov(probs: NDArray[np.float64], trials: float) -> NDArray[np.float64]:
    """Covariance of the MLE of multinomial probabilities: (diag(p) - p p^T) / N."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (np.diag(probs) - np.outer(probs, probs)) / trials


class Categorical(DiscreteDistribution):
    """Categorical distribution: one draw from K classes labelled 0, 1, ..., K-1.

    Parameters
    ----------
    probs : array of K probabilities summing to 1
        Class probabilities.
    k : int, keyword only
        Number of classes when ``probs`` is left free (``th.Categorical(k=4)``).
        When neither is given, a fit takes K from a Dirichlet prior, or else as the
        largest label + 1 (and says so in the estimate's warnings).

    Notes
    -----
    pmf ``P(x = j) = probs[j]``. Sufficient statistics: the class counts c.
    MLE ``probs = c / n``; covariance of the MLE ``(diag(p) - p p^T) / n``.
    Conjugate prior ``Dirichlet(alpha)`` -> ``Dirichlet(alpha + c)``.

    Examples
    --------
    >>> import thetahat as th
    >>> th.fit(th.Categorical, [0, 1, 2, 2, 1, 2]).params["probs"].round(3)
    array([0.167, 0.333, 0.5  ])
    >>> th.posterior(th.Categorical, [0, 1, 2, 2, 1, 2], prior=th.Dirichlet([1, 1, 1])).dist
    Dirichlet(alpha=[2., 3., 4.])
    """

    _params = (Param("probs", SIMPLEX, "class probabilities"),)
    support_text = "integer class labels 0..K-1"
    _stats_type = CountStats

    def __init__(self, probs: ArrayLike | None = None, *, k: int | None = None) -> None:
        super().__init__(probs=probs)
        if probs is not None:
            kk = int(np.asarray(probs).shape[0])
            if k is not None and int(k) != kk:
                raise ValueError(f"Categorical got k={k} but {kk} probabilities")
        elif k is not None:
            if int(k) != k or int(k) < 2:
                raise ValueError(f"Categorical k must be an integer >= 2, got {k!r}")
            kk = int(k)
            _check_classes(kk, f"k={kk}")
        else:
            kk = 0
        object.__setattr__(self, "k", kk or None)

    def with_k(self, k: int) -> Categorical:
        """The same family with the number of classes set."""
        if self.probs is not None:
            return self
        return type(self)(k=k)

    def __repr__(self) -> str:
        if self.probs is None and self.k:
            return f"{type(self).__name__}(k={self.k})"
        return super().__repr__()

    def _logp(self, x: NDArray[np.float64], probs: NDArray[np.float64]) -> NDArray[np.float64]:
        kk = probs.shape[0]
        ok = (x >= 0) & (x < kk) & (x == np.floor(x))
        idx = np.where(ok, x, 0).astype(np.intp)
        with np.errstate(divide="ignore"):
            return np.where(ok, np.log(probs[idx]), -np.inf)

    def _mean(self, probs: NDArray[np.float64]) -> float:
        return float(np.dot(np.arange(probs.shape[0]), probs))

    def _var(self, probs: NDArray[np.float64]) -> float:
        j = np.arange(probs.shape[0])
        m = float(np.dot(j, probs))
        return float(np.dot((j - m) ** 2, probs))

    def _sample(self, size: Any, rng: np.random.Generator, probs: NDArray[np.float64]) -> Any:
        return rng.choice(probs.shape[0], size=size, p=probs)

    def _cdf(self, x: NDArray[np.float64], probs: NDArray[np.float64]) -> NDArray[np.float64]:
        c = np.concatenate([[0.0], np.cumsum(probs)])
        idx = np.clip(np.floor(x) + 1, 0, probs.shape[0]).astype(np.intp)
        return np.asarray(np.minimum(c[idx], 1.0))

    def _ppf(self, q: NDArray[np.float64], probs: NDArray[np.float64]) -> NDArray[np.float64]:
        c = np.cumsum(probs)
        return np.minimum(np.searchsorted(c, q, side="left"), probs.shape[0] - 1).astype(float)

    def _scipy(self, probs: NDArray[np.float64]) -> Any:
        from scipy import stats

        return stats.rv_discrete(values=(np.arange(probs.shape[0]), probs))

    # -- family
    @property
    def n_classes(self) -> int | None:
        """K, when known."""
        return self.k

    def _support_mask(self, x: NDArray[np.float64], **obs: Any) -> NDArray[np.bool_]:
        ok = (x >= 0) & (x == np.floor(x))
        if self.k:
            ok &= x < self.k
        return ok

    def suff_stats(self, data: Any, weights: ArrayLike | None = None, **obs: Any) -> Any:
        if not self.k:
            x = self.check_data(data)
            top = float(np.max(x))
            _check_classes(int(min(top, 1e18)) + 1, f"the largest label is {top:.15g}")
            k = max(int(top) + 1, 2)
            return self.with_k(k).suff_stats(x, weights, **obs)
        return super().suff_stats(data, weights, **obs)

    def _chunk_stats(self, x: NDArray[np.float64], w: NDArray[np.float64] | None, obs: Any) -> Any:
        assert self.k is not None
        counts = np.bincount(x.astype(np.intp), weights=w, minlength=self.k).astype(float)
        n = float(counts.sum())
        return CountStats(n=n, counts=counts, trials=n)

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        return float(np.sum(sc.xlogy(stats.counts, params["probs"])))

    def _mle(self, stats: Any) -> dict[str, Value]:
        return {"probs": stats.counts / stats.trials}

    def _covariance(self, params: Mapping[str, Value], stats: Any) -> NDArray[np.float64]:
        return multinomial_cov(np.asarray(params["probs"]), stats.trials)
