"""Shared machinery of empirical-Bayes shrinkage: sums over groups, Newton, pairs.

Everything here is written so that one Newton iteration over a million groups
costs next to nothing: the marginal log-likelihoods of the Beta-Binomial and the
Negative-Binomial depend on each group's integer counts only through *rising
factorial* sums

    F(x) = sum_j [log Gamma(x + v_j) - log Gamma(x)] = sum_j sum_{i < v_j} log(x + i)
         = sum_i N_i log(x + i),        N_i = #{j : v_j > i},

so a histogram of the counts, computed once, replaces the groups in every
evaluation of F, F' and F''.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from ..optim import SolverResult, Status

__all__ = [
    "HyperFit",
    "RisingSums",
    "groups_with_data",
    "hyper_fit",
    "pair_index",
    "value_index",
]

FloatArray = NDArray[np.float64]

#: counts up to this size use the tail-count form (exact, no special functions)
_TAIL_LIMIT = 1 << 18
#: dense keys up to this size are deduplicated with a bincount instead of a sort
_DENSE_LIMIT = 1 << 22


class RisingSums:
    """``F(x) = sum_j [lgamma(x + v_j) - lgamma(x)]`` and its derivatives in x.

    Parameters
    ----------
    v : ndarray of non-negative integer-valued floats
        One count per group (zeros contribute nothing).

    Notes
    -----
    With ``N_i = #{j: v_j > i}`` (a reversed cumulative histogram),
    ``F(x) = sum_i N_i log(x + i)``, ``F'(x) = sum_i N_i / (x + i)`` and
    ``F''(x) = -sum_i N_i / (x + i)^2``: exact rising-factorial sums whose cost is
    the largest count, not the number of groups. For counts above 2^18 the
    distinct values are kept instead, with
    ``F = sum_v c_v [lgamma(x + v) - lgamma(x)]``, ``F' = sum c_v [psi(x + v) - psi(x)]``
    and ``F'' = sum c_v [psi1(x + v) - psi1(x)]``.
    """

    def __init__(self, v: FloatArray) -> None:
        top = float(v.max()) if v.size else 0.0
        self.total = float(v.sum())
        self.tail: FloatArray | None = None
        self.values: FloatArray | None = None
        self.counts: FloatArray | None = None
        if top <= _TAIL_LIMIT:
            hist = np.bincount(v.astype(np.intp), minlength=int(top) + 1).astype(float)
            # N_i = #(v > i) for i = 0 .. top - 1
            self.tail = np.ascontiguousarray(np.cumsum(hist[::-1])[::-1][1:])
            self.steps = np.arange(self.tail.shape[0], dtype=float)
        else:
            vals, counts = np.unique(v[v > 0], return_counts=True)
            self.values, self.counts = vals, counts.astype(float)

    def __call__(self, x: float) -> tuple[float, float, float]:
        """``(F(x), F'(x), F''(x))``."""
        if self.tail is not None:
            d = x + self.steps
            inv = self.tail / d
            return (
                float(np.dot(self.tail, np.log(d))),
                float(inv.sum()),
                -float(np.dot(inv, 1.0 / d)),
            )
        assert self.values is not None and self.counts is not None
        c, xv = self.counts, x + self.values
        f = float(np.dot(c, sc.gammaln(xv) - sc.gammaln(x)))
        f1 = float(np.dot(c, sc.digamma(xv) - sc.digamma(x)))
        f2 = float(np.dot(c, sc.polygamma(1, xv) - sc.polygamma(1, x)))
        return f, f1, f2

    def log_factorials(self) -> float:
        """``sum_j log(v_j!)`` (= F(1))."""
        return self(1.0)[0]


def value_index(v: FloatArray) -> tuple[FloatArray, NDArray[np.intp]]:
    """Distinct values of a non-negative integer array and each entry's index into them."""
    top = float(v.max()) if v.size else 0.0
    if top < _DENSE_LIMIT:
        iv = v.astype(np.intp)
        present = np.bincount(iv, minlength=int(top) + 1) > 0
        rank = np.cumsum(present) - 1
        return np.flatnonzero(present).astype(float), rank[iv]
    vals, inv = np.unique(v, return_inverse=True)
    return vals, inv.astype(np.intp)


def pair_index(k: FloatArray, n: FloatArray) -> tuple[FloatArray, FloatArray, NDArray[np.intp]]:
    """Distinct ``(k, n)`` pairs of non-negative integers and each group's index into them.

    Groups sharing their counts share their posterior, so per-group work that is
    expensive (credible intervals by ``betaincinv``) is done once per distinct
    pair. Small counts use a dense key and a bincount, large ones a sort.
    """
    top = float(n.max()) if n.size else 0.0
    width = top + 1.0
    if width * width < _DENSE_LIMIT:
        key = (n * width + k).astype(np.intp)
        present = np.bincount(key, minlength=int(width * width)) > 0
        rank = np.cumsum(present) - 1
        keys = np.flatnonzero(present).astype(float)
        return keys % width, keys // width, rank[key]
    if width * width < 2.0**62:
        key64 = n.astype(np.int64) * np.int64(width) + k.astype(np.int64)
        ukeys, inv = np.unique(key64, return_inverse=True)
        return (
            (ukeys % np.int64(width)).astype(float),
            (ukeys // np.int64(width)).astype(float),
            inv.astype(np.intp),
        )
    pairs, inv = np.unique(np.stack([k, n], axis=1), axis=0, return_inverse=True)
    return pairs[:, 0], pairs[:, 1], np.asarray(inv, dtype=np.intp).ravel()


#: a hyperparameter fit: the prior's parameters, their covariance, how the solve ended
#: (optim's one result: ``fun`` the marginal log-likelihood, ``status`` "boundary" under
#: complete pooling) and details for the result (REML's restricted log-likelihood)
HyperFit = tuple[dict[str, float], FloatArray, SolverResult, dict[str, Any]]


def hyper_fit(
    params: dict[str, float],
    cov: FloatArray,
    loglik: float,
    solve: SolverResult | None,
    message: str = "",
    details: dict[str, Any] | None = None,
) -> HyperFit:
    """A hyperparameter fit from a Newton solve (``solve``), or without one (None) the
    complete-pooling limit: status "boundary" with ``message``, every parameter on the
    edge, infinite covariance."""
    x = np.array(list(params.values()))
    if solve is None:
        res = SolverResult(x, loglik, True, Status.BOUNDARY, message, 0, edge=tuple(params))
    else:
        msg = solve.message if solve.converged else message or solve.message
        res = SolverResult.of(x, loglik, solve.converged, msg, solve.iterations)
    return params, cov, res, details or {}


def groups_with_data(has: NDArray[np.bool_], what: str) -> int:
    """How many groups have data (``has``); at least two are needed to pool."""
    n_data = int(np.count_nonzero(has))
    if n_data < 2:
        raise ValueError(
            f"shrinkage needs at least two groups with {what}; got {n_data} "
            f"(of {has.shape[0]} groups). With one group there is nothing to pool"
        )
    return n_data


def pool_completely(cols: dict[str, FloatArray], pooled: float) -> None:
    """Columns of a completely pooled fit: every group's posterior is the point mass at
    the pooled value (the limit of a prior whose concentration goes to infinity)."""
    m = cols["shrinkage"].shape[0]
    for name in ("posterior_mean", "map", "lower", "upper"):
        cols[name] = np.full(m, pooled)
    cols["shrinkage"] = np.ones(m)
