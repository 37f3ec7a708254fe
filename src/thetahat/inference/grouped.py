"""Per-group maximum likelihood, vectorised across groups: orchestration only.

Every group's statistics are arrays (one entry per group, from one aggregate
pass). The family does the mathematics through its batched protocol
(:mod:`thetahat.distributions.family`: ``fit_many``, ``loglik_many``,
``covariance_many``; the closed forms and score/information hooks are the same
ones a single fit uses, and iterative families run optim's batched Newton).
This module only turns the family's answer into the table's columns: estimates,
standard errors, intervals inside the parameter domain, log-likelihoods, and each
group's status (boundary where a parameter sits on the edge of its domain, failed
where the solve did not converge). Groups whose batched solve failed are fitted
again one by one by ``th.fit`` (its fallbacks included), so every row is the
group's own ``th.fit``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from ..optim import Status

__all__ = ["GroupFits", "fit_groups", "solved_groups"]

FloatArray = NDArray[np.float64]

#: the warnings column of a row, by status
_NOTES = {
    Status.SUCCESS: "",
    Status.BOUNDARY: "estimate on the boundary: infinite standard error",
    Status.FAILED: "did not converge",
}


@dataclass(frozen=True)
class GroupFits:
    """The vectorised fits of every group: the table's columns (parameters with their
    ``_se``, ``_low``, ``_high``; ``loglik``, ``status``, ``warnings``)."""

    columns: dict[str, NDArray[Any]]


def fit_groups(
    family: Any, stats: Any, level: float = 0.95,
    refit: Callable[[int], Any] | None = None,
) -> GroupFits | None:  # fmt: skip
    """Every group's MLE from its statistics (fields as arrays, one entry per group),
    or None where the family has no batched fit (the groups are fitted one by one).

    ``refit(i)`` (optional) fits group ``i`` alone (``th.fit`` on its statistics):
    used for the groups whose batched solve failed.

    Examples
    --------
    >>> import numpy as np
    >>> import thetahat as th
    >>> st = th.Poisson().statistics_type(n=np.array([2.0, 4.0]), total=np.array([6.0, 2.0]),
    ...                                   exposure=np.array([2.0, 4.0]), const=np.zeros(2))
    >>> out = fit_groups(th.Poisson(), st)
    >>> out.columns["rate"].tolist(), out.columns["status"].tolist()
    ([3.0, 0.5], ['success', 'success'])
    """
    if stats is None or not family.fits_many:
        return None
    try:
        found = family.fit_many(stats)
    except (ValueError, *_ARITHMETIC):
        return None  # e.g. a group without trials: fitted one by one, which names it
    if found is None:
        return None
    params, res = found
    params = {k: np.array(v, dtype=float) for k, v in params.items()}  # writable copies
    loglik = np.array(res.fun, dtype=float)
    unknown = np.isnan(loglik)  # the solve did not give it (closed forms)
    if unknown.any():
        loglik = np.where(unknown, family.loglik_many(params, stats), loglik)
    cov = family.covariance_many(params, stats)
    out = solved_groups(family, params, loglik, cov, res.status, level)
    if refit is not None:
        failed = out.columns["status"] == Status.FAILED.value
        if failed.any():
            _refit(out.columns, np.flatnonzero(failed), refit, list(params), level)
    return out


def solved_groups(
    family: Any, params: dict[str, NDArray[np.float64]], loglik: NDArray[np.float64],
    cov: NDArray[np.float64], status_in: NDArray[np.str_], level: float = 0.95,
) -> GroupFits:  # fmt: skip
    """The table columns of every group's MLE found elsewhere (a batched solve, or engine
    passes): parameters, standard errors and Wald intervals, log-likelihood, status.

    Examples
    --------
    >>> import numpy as np
    >>> import thetahat as th
    >>> out = solved_groups(th.Exponential(), {"rate": np.array([2.0])}, np.array([-1.0]),
    ...                     np.array([[[0.25]]]), np.array(["success"]))
    >>> out.columns["rate_se"].tolist(), out.columns["status"].tolist()
    ([0.5], ['success'])
    """
    params = {k: np.array(v, dtype=float) for k, v in params.items()}
    loglik = np.asarray(loglik, dtype=float)
    edge = np.asarray(status_in) == Status.BOUNDARY
    for name, v in params.items():
        edge = edge | np.asarray(family.param(name).domain.is_boundary(v)) | np.isinf(v)
    failed = np.asarray(status_in) == Status.FAILED
    for v in (*params.values(), loglik):
        failed = failed | np.isnan(v)
    edge &= ~failed
    cov = np.where(edge[:, None, None], np.inf, cov)
    status = np.where(failed, Status.FAILED.value,
                      np.where(edge, Status.BOUNDARY.value, Status.SUCCESS.value))  # fmt: skip
    z = float(np.sqrt(2.0) * sc.erfinv(level))
    cols: dict[str, NDArray[Any]] = {}
    for j, (name, v) in enumerate(params.items()):
        se = np.sqrt(cov[:, j, j])
        with np.errstate(invalid="ignore"):
            lo, hi = v - z * se, v + z * se
        dom = family.param(name).domain
        low, high = getattr(dom, "low", None), getattr(dom, "high", None)
        cols[name], cols[f"{name}_se"] = v, se
        cols[f"{name}_low"] = lo if low is None else np.maximum(lo, low)
        cols[f"{name}_high"] = hi if high is None else np.minimum(hi, high)
    cols["loglik"] = loglik
    cols["status"] = status
    notes = np.array([_NOTES[Status(v)] for v in _VALUES])
    cols["warnings"] = notes[np.searchsorted(_VALUES, status)]
    return GroupFits(cols)


_VALUES = np.sort(np.array([s.value for s in Status]))
_ARITHMETIC = (ZeroDivisionError, OverflowError, FloatingPointError)


def _refit(
    cols: dict[str, NDArray[Any]], rows: NDArray[np.intp], refit: Callable[[int], Any],
    names: list[str], level: float,
) -> None:  # fmt: skip
    """The rows whose batched solve failed, each fitted alone (``th.fit``'s fallbacks)."""
    cols["status"] = cols["status"].astype(object)
    cols["warnings"] = cols["warnings"].astype(object)
    for i in rows.tolist():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est = refit(i)
        ci = est.conf_int(level)
        for name in names:
            cols[name][i] = est.params[name]
            cols[f"{name}_se"][i] = est.se[name]
            cols[f"{name}_low"][i], cols[f"{name}_high"][i] = ci[name]
        cols["loglik"][i] = est.loglik
        cols["status"][i] = str(est.status)
        cols["warnings"][i] = "; ".join(est.warnings)
    cols["status"] = cols["status"].astype(str)
    cols["warnings"] = cols["warnings"].astype(str)
