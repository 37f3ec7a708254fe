"""Normal-Normal empirical Bayes: prior mean and between-group sd by (restricted) ML."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from ..conjugacy import NORMAL_NORMAL
from ..distributions import Normal
from ..distributions.normal import NormalStats
from ..optim import invert_information, newton_1d
from ..results import Posterior
from ._common import HyperFit, hyper_fit

__all__ = ["normal_normal_fit", "normal_normal_groups", "normal_normal_posterior"]

FloatArray = NDArray[np.float64]
_LOG_2PI = math.log(2.0 * math.pi)


def _profile(
    v: float, y: FloatArray, s2: FloatArray, reml: bool
) -> tuple[float, float, float, float]:
    """Profile log-likelihood of ``v = tau^2`` (mean profiled out), with d/dv and d2/dv2."""
    w = 1.0 / (s2 + v)
    sw = float(w.sum())
    mu = float(np.dot(w, y)) / sw
    r = y - mu
    wr = w * r
    w2 = w * w
    f = -0.5 * float(np.sum(np.log(s2 + v))) - 0.5 * float(np.dot(wr, r))
    d1 = -0.5 * sw + 0.5 * float(np.dot(wr, wr))
    d2 = 0.5 * float(w2.sum()) - float(np.dot(w2 * w, r * r)) + float(np.dot(w2, r)) ** 2 / sw
    if reml:
        sw2 = float(w2.sum())
        f -= 0.5 * math.log(sw)
        d1 += 0.5 * sw2 / sw
        d2 += -float(np.dot(w2, w)) / sw + 0.5 * (sw2 / sw) ** 2
    return f, d1, d2, mu


def _score_log_v(u: float, y: FloatArray, s2: FloatArray, reml: bool) -> tuple[float, float]:
    """The profile score in ``v = tau^2`` at ``v = e^u`` and its derivative in ``u`` (the
    root is found in log v, so its tolerance is relative in v)."""
    v = math.exp(u)
    _, d1, d2, _ = _profile(v, y, s2, reml)
    return d1, d2 * v


def normal_normal_fit(y: FloatArray, se: FloatArray, method: str) -> HyperFit:
    """Fit ``y_j ~ Normal(mu, sqrt(se_j^2 + tau^2))``: the prior mean and tau.

    Notes
    -----
    With ``w_j = 1 / (se_j^2 + tau^2)`` the mean profiles out as
    ``mu(tau) = sum w_j y_j / sum w_j`` and the profile log-likelihood of
    ``v = tau^2`` is ``-1/2 sum [log(se_j^2 + v) + w_j (y_j - mu)^2]`` (REML adds
    ``-1/2 log sum w_j``, which accounts for estimating mu). Its derivative is
    ``1/2 sum w_j^2 r_j^2 - 1/2 sum w_j`` (REML: ``+ 1/2 sum w_j^2 / sum w_j``), and
    a Newton iteration safeguarded by bisection finds its root. When the derivative
    at ``v = 0`` is <= 0 the groups vary no more than their standard errors
    explain: ``tau = 0``, complete pooling.

    With equal standard errors ``sigma`` and ``S = sum (y_j - ybar)^2`` over k
    groups the shrinkage factor ``B = sigma^2 / (sigma^2 + tau^2)`` is
    ``min(1, k sigma^2 / S)`` by ML and ``min(1, (k - 1) sigma^2 / S)`` by REML;
    the James-Stein estimator (Efron-Morris form, shrinking toward the mean) uses
    ``(k - 3) sigma^2 / S``, the choice that makes the risk unbiased.

    The fit is equivariant under a change of units, so it runs on ``y / c`` and
    ``se / c`` with ``c`` the power of two nearest the data's magnitude (exact in
    floating point) and maps back: ``mu c``, ``tau c``, the log-likelihood less
    ``k log c`` (REML: ``(k - 1) log c``). Values near 1e300 or 1e-300 would
    otherwise overflow or underflow in ``se^2``.
    """
    k = y.shape[0]
    if k < 2:
        raise ValueError(f"shrinkage needs at least two groups; got {k}")
    reml = method == "reml"
    if reml and k < 3:
        raise ValueError("REML needs at least three groups (one degree of freedom goes to mu)")
    top = max(float(np.max(np.abs(y))), float(np.max(se)))
    c = math.ldexp(1.0, math.frexp(top)[1] - 1) if top > 0 else 1.0  # <= top: no overflow
    y, se = y / c, se / c
    s2 = se * se
    f0, d0, _, _ = _profile(0.0, y, s2, reml)
    v = 0.0
    sol = None
    spread = float(np.var(y)) + float(np.mean(s2))
    # a coarse scan guards against an interior maximum when the slope at 0 is negative
    best_f, best_v = f0, 0.0
    if d0 <= 0:
        for v_try in spread * np.logspace(-4, 2, 13):
            f_try = _profile(float(v_try), y, s2, reml)[0]
            if f_try > best_f + 1e-10 * (1.0 + abs(best_f)):
                best_f, best_v = f_try, float(v_try)
    if d0 > 0 or best_v > 0:
        lo = 0.0
        if best_v > 0:
            lo = best_v
            for _ in range(200):
                if _profile(lo, y, s2, reml)[1] > 0:
                    break
                lo *= 0.5
        hi = max(best_v, spread, 1e-300)
        while _profile(hi, y, s2, reml)[1] > 0:
            lo, hi = hi, hi * 4.0
            if hi > 1e300:
                raise ValueError("the between-group variance diverges: check the standard errors")
        sol = newton_1d(
            lambda u: _score_log_v(u, y, s2, reml),
            math.log(0.5 * (lo + hi)),
            lower=math.log(lo) if lo > 0 else -math.inf,
            upper=math.log(hi),
            xtol=1e-13,
            maxiter=200,
        )
        v = math.exp(float(sol.x[0]))
    complete = v == 0.0
    w = 1.0 / (s2 + v)
    sw = float(w.sum())
    mu = float(np.dot(w, y)) / sw
    r = y - mu
    loglik = -0.5 * float(np.sum(_LOG_2PI + np.log(s2 + v) + w * r * r))
    # information for (mu, v); tau = sqrt(v) by the delta method
    if reml:
        _, _, d2v, _ = _profile(v, y, s2, True)
        info = np.array([[sw, 0.0], [0.0, -d2v]])
    else:
        hmv = -float(np.dot(w * w, r))
        hvv = 0.5 * float(np.dot(w, w)) - float(np.dot(w**3, r * r))
        info = -np.array([[-sw, hmv], [hmv, hvv]])
    cov = np.full((2, 2), np.inf)
    cov[0, 0] = 1.0 / sw
    if not complete:
        cov_v = invert_information(info, rcond=1e-14)
        jac = np.diag([1.0, 0.5 / math.sqrt(v)])
        cov = jac @ cov_v @ jac
    reml_ll = None
    if reml:
        reml_ll = _profile(v, y, s2, True)[0] - 0.5 * (k - 1) * _LOG_2PI
        reml_ll -= (k - 1) * math.log(c)
    # back to the data's units
    tau = math.sqrt(v) * c
    mu, cov = mu * c, cov * (c * c)
    loglik -= k * math.log(c)
    params = {"mu": mu, "tau": tau}
    details = {} if reml_ll is None else {"reml_loglik": reml_ll}
    if complete:
        message = (
            "complete pooling: the groups vary no more than their standard errors explain "
            f"(tau = 0 by {method.upper()}), so every group is shrunk to the pooled mean "
            f"{mu:.6g}"
        )
        return hyper_fit(params, cov, loglik, None, message, details)
    assert sol is not None
    message = f"the search for tau did not converge in {sol.iterations} iterations"
    return hyper_fit(params, cov, loglik, sol, message, details)


def prior_sigma(tau: float, se: FloatArray) -> float:
    """The prior sd as a valid Normal: tau, floored just above 0 under complete pooling."""
    return tau if tau > 0 else 1e-12 * max(float(np.min(se)), 1e-300)


def normal_normal_groups(
    y: FloatArray, se: FloatArray, rows: FloatArray, params: dict[str, float], level: float
) -> tuple[dict[str, FloatArray], Normal]:
    """Per-group posteriors ``Normal(B mu + (1 - B) y_j, sqrt(B) tau)``, B the shrinkage."""
    mu, tau = params["mu"], params["tau"]
    prior = Normal(mu, prior_sigma(tau, se))
    b = 1.0 / (1.0 + (tau / se) ** 2)  # se^2 / (se^2 + tau^2), without overflow
    mean = b * mu + (1.0 - b) * y
    sd = np.sqrt(b) * tau
    z = float(sc.ndtri((1.0 + level) / 2.0))
    cols = {
        "n": rows,
        "se": se,
        "mle": y,
        "posterior_mean": mean,
        "map": mean,
        "lower": mean - z * sd,
        "upper": mean + z * sd,
        "shrinkage": b,
    }
    return cols, prior


def normal_normal_posterior(y: float, se: float, prior: Normal) -> Posterior:
    """One group's exact posterior through the Normal-Normal conjugate rule."""

    stats = NormalStats(n=1.0, mean=y, m2=0.0)
    return NORMAL_NORMAL.posterior(Normal(sigma=se), prior, stats)
