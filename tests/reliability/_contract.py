"""The contract every fit result must keep, checked independently of the library.

A result is either a clear ``ValueError``/``TypeError`` (checked by the callers) or an
:class:`~thetahat.Estimate` whose parts agree with each other:

* the status tells the truth: NaN parameters never come with "success" or
  "boundary"; a fit that did not converge is never "success"; a "success" has
  finite parameters strictly inside their domains;
* the log-likelihood is the log-likelihood at the reported estimate, recomputed
  here from scipy.stats (``to_scipy().logpdf``/``logpmf`` summed over the data);
* Wald intervals lie inside the parameters' domains.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import thetahat as th

STATUSES = ("success", "boundary", "failed")


def _finite(v: Any) -> bool:
    return bool(np.all(np.isfinite(np.asarray(v, dtype=float))))


def _has_nan(v: Any) -> bool:
    return bool(np.any(np.isnan(np.asarray(v, dtype=float))))


def scipy_loglik(est: th.Estimate, data: Any, weights: Any = None) -> float | None:
    """Sum of scipy's log density of ``data`` at the estimate (None: no scipy twin)."""
    fam = est.family
    if fam is None:
        return None
    try:
        frozen = fam.with_params(**est.extra.get("family_params", est.params))
        ref = frozen.to_scipy()
    except (TypeError, ValueError):
        return None
    x = np.asarray(data, dtype=float)
    with np.errstate(all="ignore"):
        logp = ref.logpmf(x) if fam.discrete else ref.logpdf(x)
    w = np.ones(x.shape[0]) if weights is None else np.asarray(weights, dtype=float)
    return float(np.sum(w * np.asarray(logp, dtype=float)))


def check_estimate(est: Any, data: Any = None, weights: Any = None) -> None:
    """Assert the contract above on ``est`` (``data``: the plain array that was fitted)."""
    assert isinstance(est, th.Estimate), type(est)
    assert est.status in STATUSES, est.status
    values = list(est.params.values())
    if any(_has_nan(v) for v in values):
        assert est.status == "failed", (est.status, est.params)
    if est.status == "success":
        assert est.converged, est.message
        assert all(_finite(v) for v in values), est.params
        assert est.family is not None
        for name, v in est.params.items():
            try:
                dom = est.family.param(name).domain
            except KeyError:
                continue
            assert dom.contains(v) and not np.any(dom.is_boundary(v)), (name, v)
    if not est.converged:
        assert est.status != "success", est.message
    if est.status == "boundary":
        assert est.warnings, "a boundary result must say so in its warnings"
    assert not math.isnan(est.loglik) or est.status == "failed", (est.status, est.loglik)
    # the log-likelihood at the reported estimate, recomputed from scipy
    if data is not None and est.status != "failed" and all(_finite(v) for v in values):
        want = scipy_loglik(est, data, weights)
        if want is not None and math.isfinite(want):
            # float64 sums of terms like x log(lambda) (~1e16 for counts near 1e14) carry
            # an absolute rounding error of their size times 1e-16: allow that much
            x = np.abs(np.asarray(data, dtype=float))
            with np.errstate(all="ignore"):
                scale = float(np.sum(x * (1.0 + np.abs(np.log(np.where(x > 0, x, 1.0))))))
            assert math.isclose(est.loglik, want, rel_tol=1e-6, abs_tol=1e-6 + 1e-13 * scale), (
                est.loglik,
                want,
            )
    # Wald intervals inside the domain
    if est.family is not None:
        for name, (lo, hi) in est.conf_int().items():
            try:
                dom = est.family.param(name).domain
            except KeyError:
                continue
            low, high = getattr(dom, "low", None), getattr(dom, "high", None)
            lo_a, hi_a = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
            if low is not None:
                assert not np.any(lo_a < low), (name, lo, low)
            if high is not None:
                assert not np.any(hi_a > high), (name, hi, high)


def check_error(exc: BaseException, *words: str) -> None:
    """A clear user error: ValueError/TypeError whose message names the problem."""
    assert isinstance(exc, ValueError | TypeError), repr(exc)
    msg = str(exc)
    assert msg and len(msg) > 15, msg
    assert "np.float64(" not in msg, msg
    for w in words:
        assert w.lower() in msg.lower(), (w, msg)
