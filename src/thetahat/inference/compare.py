"""``compare``: fit several families to the same data and rank them."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import to_float64
from ..censoring import Censored
from ..results import Estimate
from ._family import as_family
from .fit import fit

#: internal failures a family's fit may still hit on extreme data: reported in its row
_NUMERICAL = (
    ZeroDivisionError, OverflowError, FloatingPointError, IndexError, MemoryError,
    np.linalg.LinAlgError,
)  # fmt: skip

__all__ = ["Comparison", "compare", "ks_statistic"]

CRITERIA = ("aic", "aicc", "bic")


@dataclass(frozen=True)
class Comparison:
    """Families fitted to one data set, best first.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per family: ``family``, ``loglik``, ``k`` (free parameters),
        ``aic``, ``aicc``, ``bic``, ``ks`` (Kolmogorov-Smirnov distance of a
        continuous fit to the data), ``status`` and ``note`` (the reason a
        family is not applicable); sorted by ``criterion``, not-applicable last.
    estimates : dict
        Family label -> Estimate, for the families that could be fitted.
    not_applicable : dict
        Family label -> the reason it could not be fitted.
    criterion : str
    """

    table: Any
    estimates: dict[str, Estimate]
    not_applicable: dict[str, str]
    criterion: str
    order: tuple[str, ...] = field(default=())

    @property
    def best(self) -> Estimate:
        """The estimate of the best family by the criterion."""
        if not self.estimates:
            raise ValueError(
                "no family could be fitted: " + "; ".join(self.not_applicable.values())
            )
        return self.estimates[self.order[0]]

    def __str__(self) -> str:
        return str(self.table.to_string(index=False))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (records of the table)."""
        from .._format import jsonable

        return jsonable({"criterion": self.criterion, "rows": self.table.to_dict(orient="records")})


def ks_statistic(cdf: Any, x: NDArray[np.float64], w: NDArray[np.float64] | None = None) -> float:
    """Kolmogorov-Smirnov distance ``sup |F_n - F|`` (weighted empirical cdf with weights)."""
    order = np.argsort(x, kind="stable")
    xs = x[order]
    ws = np.ones_like(xs) if w is None else w[order]
    cw = np.cumsum(ws)
    total = cw[-1]
    # the empirical cdf jumps at the last of each run of ties
    last = np.r_[xs[1:] != xs[:-1], True]
    hi = cw[last] / total
    lo = np.r_[0.0, hi[:-1]]
    f = np.asarray(cdf(xs[last]), dtype=float)
    return float(max(np.max(hi - f), np.max(f - lo)))


def _label(fam: Any, seen: set[str]) -> str:
    name = type(fam).__name__ if not fam.params else repr(fam)
    label, i = name, 2
    while label in seen:
        label, i = f"{name} #{i}", i + 1
    seen.add(label)
    return label


def compare(
    families: Sequence[Any],
    data: Any,
    *,
    criterion: str = "aic",
    weights: ArrayLike | None = None,
) -> Comparison:
    """Fit each family by MLE and rank them by an information criterion.

    Parameters
    ----------
    families : sequence of Distribution classes or instances
        E.g. ``[th.Gamma, th.Weibull, th.LogNormal]``; discrete families fit
        integer data.
    data : array_like or Censored
    criterion : {"aic", "aicc", "bic"}
    weights : array_like, optional
        Frequency weights.

    Returns
    -------
    Comparison

    Notes
    -----
    ``AIC = 2k - 2 log L``, ``AICc = AIC + 2k(k+1)/(n-k-1)``,
    ``BIC = k log n - 2 log L``; lower is better. Comparing a discrete and a
    continuous family by likelihood is meaningless (a pmf is not a density), so
    mix them only knowingly. A family that cannot fit the data (zeros for a
    Weibull, non-integers for a Poisson) is listed with the reason instead of
    being dropped.
    """
    import pandas as pd

    if criterion not in CRITERIA:
        raise ValueError(f"criterion must be one of {', '.join(CRITERIA)}, got {criterion!r}")
    fams = [as_family(f) for f in families]
    if not fams:
        raise ValueError("compare needs at least one family")
    rows: list[dict[str, Any]] = []
    estimates: dict[str, Estimate] = {}
    reasons: dict[str, str] = {}
    seen: set[str] = set()
    try:  # for the KS column only: each family's fit validates the data itself
        x = None if isinstance(data, Censored) else to_float64(data)
        w = None if weights is None else to_float64(weights, "weights")
    except (ValueError, TypeError):
        x = w = None
    for fam in fams:
        label = _label(fam, seen)
        try:
            with warnings.catch_warnings(record=True):
                warnings.simplefilter("always")
                est = fit(fam, data, weights=weights)
        except (ValueError, TypeError, *_NUMERICAL) as exc:
            # a family the data do not fit is a row with the reason, never the end of compare
            user = isinstance(exc, ValueError | TypeError)
            note = str(exc) if user else f"numerical failure ({type(exc).__name__}: {exc})"
            reasons[label] = note
            rows.append({"family": label, "loglik": math.nan, "k": len(fam.estimable),
                         "aic": math.nan, "aicc": math.nan, "bic": math.nan, "ks": math.nan,
                         "status": "not applicable" if user else "failed",
                         "note": note})  # fmt: skip
            continue
        estimates[label] = est
        ks = math.nan
        if not fam.discrete and x is not None and x.ndim == 1:
            try:
                ks = ks_statistic(est.dist.cdf, x, w)
            except (ValueError, TypeError):
                ks = math.nan
        rows.append({"family": label, "loglik": est.loglik, "k": est.df_model, "aic": est.aic,
                     "aicc": est.aicc, "bic": est.bic, "ks": ks, "status": est.status,
                     "note": "; ".join(est.warnings)})  # fmt: skip
    table = pd.DataFrame(rows)
    table["_na"] = table["status"].isin(["not applicable", "failed"]) & table["loglik"].isna()
    table = table.sort_values(["_na", criterion], na_position="last", kind="stable")
    table = table.drop(columns="_na").reset_index(drop=True)
    order = tuple(f for f in table["family"] if f in estimates)
    return Comparison(table, estimates, reasons, criterion, order)
