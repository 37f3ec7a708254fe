"""``compare``: fit several families to the same data and rank them."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import to_float64
from ..results import Comparison, Estimate
from ..results.comparison import GOF_COLUMNS
from ..statistics.censored import Censored
from ..statistics.engines import WEIGHT, TableSource
from ._family import as_family
from ._resample import spawn
from .fit import _is_table, fit

#: internal failures a family's fit may still hit on extreme data: reported in its row
_NUMERICAL = (
    ZeroDivisionError, OverflowError, FloatingPointError, IndexError, MemoryError,
    np.linalg.LinAlgError,
)  # fmt: skip

__all__ = ["Comparison", "compare", "ks_statistic"]

CRITERIA = ("aic", "aicc", "bic")

#: the goodness-of-fit columns of a row where they do not apply
_NO_GOF = dict.fromkeys(GOF_COLUMNS, math.nan)


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
    column: str | None = None,
    nulls: str = "error",
    prior: Any = None,
    model_prior: Sequence[float] | None = None,
    gof: bool = False,
    n_boot: int = 1000,
    rng: Any = None,
) -> Comparison:
    """Fit each family by MLE and rank them by an information criterion.

    Parameters
    ----------
    families : sequence of Distribution classes or instances
        E.g. ``[th.Gamma, th.Weibull, th.LogNormal]``; discrete families fit
        integer data.
    data : array_like or Censored
    criterion : {"aic", "aicc", "bic"}
    weights : array_like or str, optional
        Frequency weights (a column name with a table).
    column : str, optional
        With a table (dataframe, relation, ``th.scan``): the column to fit; the
        statistics are computed where the data live (the KS column needs the
        data in memory and is NaN otherwise).
    nulls : {"error", "drop"}
        As in :func:`thetahat.fit`.
    prior : list or dict, optional
        One proper prior per family (a list in the order of ``families``, or a dict
        keyed by family class or label): adds each family's log evidence (exact,
        quadrature or Laplace, with its error and ``method``), the Bayes factor
        against the best and the posterior model probability ``post_prob``, and
        ranks by evidence (``criterion="evidence"``, the default then).
    model_prior : sequence of float, optional
        Prior model probabilities (uniform by default).
    gof : bool
        Add parametric-bootstrap p-values of the KS, Cramér-von Mises and
        Anderson-Darling statistics (``n_boot`` re-fitted resamples per family,
        :meth:`Estimate.gof`); the statistics and the pooled chi-squared are
        always given.
    n_boot : int
        Resamples per family for the p-values (with ``gof=True``).
    rng : int or numpy.random.Generator, optional
        Seeds the resamples (each family gets its own stream).

    Returns
    -------
    Comparison

    Notes
    -----
    ``AIC = 2k - 2 log L``, ``AICc = AIC + 2k(k+1)/(n-k-1)``,
    ``BIC = k log n - 2 log L``; lower is better. The goodness-of-fit columns
    (``ks``, ``cvm``, ``ad``, their p-values, ``chisq`` and its p-value) are those
    of fitdistrplus' ``gofstat`` (see :func:`thetahat.inference.gof.gof`); they are
    NaN where they do not apply (EDF statistics for discrete families and
    censored data). Comparing a discrete and a
    continuous family by likelihood is meaningless (a pmf is not a density), so
    mix them only knowingly. A family that cannot fit the data (zeros for a
    Weibull, non-integers for a Poisson) is listed with the reason instead of
    being dropped.

    Examples
    --------
    >>> import thetahat as th
    >>> x = [1.2, 3.4, 2.2, 0.8, 5.1, 2.9, 1.7, 2.5]
    >>> cmp = th.compare([th.Gamma, th.Weibull, th.LogNormal], x)
    >>> cmp.best.family
    Gamma()
    >>> [row["family"] for row in cmp.rows]
    ['Gamma', 'LogNormal', 'Weibull']
    """
    if prior is not None and criterion == "aic":
        criterion = "evidence"
    if criterion == "evidence" and prior is None:
        raise ValueError("criterion='evidence' needs prior= (one prior per family)")
    if criterion not in (*CRITERIA, "evidence"):
        raise ValueError(f"criterion must be one of {', '.join(CRITERIA)}, got {criterion!r}")
    fams = [as_family(f) for f in families]
    if not fams:
        raise ValueError("compare needs at least one family")
    rows: list[dict[str, Any]] = []
    estimates: dict[str, Estimate] = {}
    reasons: dict[str, str] = {}
    seen: set[str] = set()
    x = w = None
    if column is not None or _is_table(data):
        from .frames import as_source

        data = as_source(data, column=column, weights=weights, nulls=nulls)
        weights = None
        held = data.engine.arrays(["x", *([WEIGHT] if data.has_weights else [])])
        x = None if held is None else np.asarray(held["x"], dtype=float)
        w = None if held is None or WEIGHT not in held else np.asarray(held[WEIGHT], dtype=float)
    try:  # for the goodness-of-fit columns only: each family's fit validates the data itself
        if not isinstance(data, TableSource):
            x = None if isinstance(data, Censored) else to_float64(data)
            w = None if weights is None else to_float64(weights, "weights")
    except (ValueError, TypeError):
        x = w = None
    streams = spawn(rng, len(fams)) if gof else [None] * len(fams)
    for fam, stream in zip(fams, streams, strict=True):
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
                         "aic": math.nan, "aicc": math.nan, "bic": math.nan, **_NO_GOF,
                         "status": "not applicable" if user else "failed",
                         "note": note})  # fmt: skip
            continue
        estimates[label] = est
        gof_cols = dict(_NO_GOF)
        notes = list(est.warnings)
        if x is not None and x.ndim == 1 and est.status != "failed":
            try:
                res = est.gof(x, weights=w, n_boot=n_boot if gof else 0, rng=stream)
            except (ValueError, TypeError, *_NUMERICAL):
                res = None
            if res is not None:
                gof_cols.update(res.as_row())
                if res.n_failed:
                    notes.append(f"{res.n_failed} of {res.n_boot} goodness-of-fit re-fits failed")
        rows.append({"family": label, "loglik": est.loglik, "k": est.df_model, "aic": est.aic,
                     "aicc": est.aicc, "bic": est.bic, **gof_cols, "status": est.status,
                     "note": "; ".join(notes)})  # fmt: skip
    if prior is not None:  # evidence columns beside AIC/BIC (issue 15)
        from .evidence import add_evidence

        labels = [r["family"] for r in rows]
        add_evidence(rows, fams, labels, data, prior, weights, model_prior)
    return Comparison.ranked(rows, estimates, reasons, criterion)
