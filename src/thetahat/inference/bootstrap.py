"""The bootstrap of an estimate: re-fits of resamples over the package's thread pool."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import to_float64
from ..optim import Status
from ..results import Estimate, _flatten
from ..results.bootstrap import Bootstrap
from ..statistics.censored import Censored
from ._resample import REFIT_ERRORS, light_mle, map_resamples, map_tasks, spawn

__all__ = ["KINDS", "bootstrap"]

KINDS = ("parametric", "nonparametric")

#: groups of the delete-a-group jackknife behind the BCa acceleration
JACKKNIFE_GROUPS = 100


def _rows(est: Estimate, data: Any, weights: Any) -> Any:
    """The data as resamplable rows: an array (rows of a 2-d one) or Censored."""
    if isinstance(data, Censored):
        if weights is not None:
            raise ValueError("bootstrap of censored data takes no weights")
        return data
    x = to_float64(data, "data")
    if weights is None:
        return x
    w = to_float64(weights, "weights")
    if w.shape != x.shape[:1] or np.any(w < 0) or np.any(w != np.floor(w)):
        raise ValueError(
            "bootstrap takes frequency weights only (non-negative integers, one per row)"
        )
    return np.repeat(x, w.astype(np.intp), axis=0)


def _take(rows: Any, idx: NDArray[np.intp]) -> Any:
    if isinstance(rows, Censored):
        return Censored(rows.lower[idx], rows.upper[idx])
    return rows[idx]


def _count(rows: Any) -> int:
    return len(rows) if isinstance(rows, Censored) else int(rows.shape[0])


def bootstrap(
    est: Estimate,
    n: int = 1000,
    kind: str = "parametric",
    *,
    rng: Any = None,
    data: Any = None,
    weights: ArrayLike | None = None,
) -> Bootstrap:
    """Bootstrap an estimate: re-fit ``n`` resamples.

    Parameters
    ----------
    est : Estimate
        A fit of a distribution (``th.fit(th.Weibull, x)``), MLE or MAP.
    n : int
        Number of resamples.
    kind : {"parametric", "nonparametric"}
        Draw each resample from the fitted distribution, or resample the data's
        rows with replacement (the only kind for censored data, whose censoring
        mechanism is not modelled).
    rng : int or numpy.random.Generator, optional
    data, weights : optional
        The data the estimate was fitted to (default: the data it keeps).

    Returns
    -------
    Bootstrap
        Replicates (failed re-fits as NaN rows, counted in ``n_failed``), with
        percentile and BCa intervals.

    Notes
    -----
    Each resample is fitted as the original was (the same family with its fixed
    parameters, the same prior). The BCa acceleration comes from a delete-a-group
    jackknife over at most 100 random groups of the data (Davison and Hinkley
    1997, section 5.3), which costs at most 100 fits whatever ``n`` is.

    Examples
    --------
    >>> import numpy as np, thetahat as th
    >>> x = np.random.default_rng(3).weibull(1.5, size=300) * 2.0
    >>> b = th.fit(th.Weibull, x).bootstrap(n=100, kind="nonparametric", rng=4)
    >>> b.samples.shape, b.failed_share
    ((100, 2), 0.0)
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be 'parametric' or 'nonparametric', got {kind!r}")
    n_boot = int(n)
    if n_boot < 2:
        raise ValueError(f"n (the number of resamples) must be at least 2, got {n}")
    if est.family is None:
        raise ValueError("bootstrap needs the estimate of a distribution's parameters")
    if data is None:
        data, weights = est.data, est.weights if weights is None else weights
    if data is None:
        raise ValueError("this estimate keeps no data (it was fitted to statistics): pass data=")
    if est.family.obs_arrays:
        raise ValueError("bootstrap of a family with per-observation inputs is not supported")
    rows = _rows(est, data, weights)
    if kind == "parametric" and isinstance(rows, Censored):
        raise ValueError(
            "a parametric bootstrap of censored data needs the censoring mechanism, which "
            "thetahat does not model: use kind='nonparametric'"
        )
    from .fit import fit

    fam, prior = est.family, (est.prior if est.method == "map" else None)
    size = _count(rows)
    theta = _flatten(est.params)
    p = theta.shape[0]
    dist = est.dist if kind == "parametric" else None

    def refit(sample: Any) -> NDArray[np.float64]:
        try:
            if prior is None:
                handled, params = light_mle(fam, sample)
                if handled:
                    return np.full(p, np.nan) if params is None else _flatten(params)
            got = fit(fam, sample, prior=prior)
        except REFIT_ERRORS:
            return np.full(p, np.nan)
        if got.status is Status.FAILED:
            return np.full(p, np.nan)
        return _flatten(got.params)

    def block(gen: np.random.Generator, count: int) -> NDArray[np.float64]:
        out = np.empty((count, p))
        for j in range(count):
            if dist is not None:
                sample = np.asarray(dist.sample(size, gen), dtype=float)
            else:
                sample = _take(rows, gen.integers(0, size, size))
            out[j] = refit(sample)
        return out

    samples = np.concatenate(map_resamples(block, n_boot, rng, size), axis=0)
    # delete-a-group jackknife (random groups) for the BCa acceleration
    groups = min(size, JACKKNIFE_GROUPS)
    label = spawn(rng, 1)[0].permutation(size) % groups

    jk = np.array(
        map_tasks(lambda g: refit(_take(rows, np.flatnonzero(label != g))), range(groups), size)
    ).reshape(groups, p)
    failed = int(np.isnan(samples).any(axis=1).sum())
    notes = []
    if failed:
        notes.append(f"{failed} of {n_boot} re-fits failed: their rows are NaN and left out")
    return Bootstrap(dict(est.params), samples, jk, kind, failed, tuple(notes))
