"""The noise variance of a linear model with a Normal prior on its weights, by type-II ML.

With ``w ~ Normal(m, tau)`` and no ``noise_sd``, the joint mode of the weights and
sigma runs to sigma = 0 whenever the weights can fit the data exactly (small data,
``p >= n``): the posterior density grows without bound there. Integrating the
weights out first removes that: the marginal likelihood (evidence)
``p(y | sigma^2) = N(y; X m, sigma^2 I + tau^2 X X')`` (a flat intercept
integrated out too) is finite wherever the data are not an exact fit in fewer
dimensions than there are rows, and it is maximised over sigma^2 alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._bayes_linear import _full_cov
from ._linalg import GramStats

__all__ = ["NoiseFit", "noise_by_evidence"]

Array = NDArray[np.float64]
_LOG_2PI = math.log(2.0 * math.pi)
#: points of the log-spaced search over sigma^2 before the root is polished
GRID = 161


@dataclass(frozen=True)
class NoiseFit:
    """The type-II ML noise variance and the weights' posterior given it.

    ``theta`` (weights, intercept last) and ``cov`` are the posterior mean and
    covariance conditional on ``sigma2``; ``boundary`` is True where the evidence is
    largest at ``sigma2 = 0`` (an exact fit the prior does not contradict).
    """

    sigma2: float
    theta: Array
    cov: Array
    log_evidence: float
    boundary: bool
    iterations: int


class _Spectrum:
    """The evidence as a function of v = sigma^2 in the eigenbasis of the centred Gram.

    With ``G = U diag(s) U'``, ``r = U'(c - G m)`` and ``b_i = r_i^2 / s_i`` (the sum of
    squares least squares explains along direction i), ``a_i = l2 v / (s_i + l2 v)``:
    ``2 log Z = const - (n_eff - rank) log v - sum log(s_i + l2 v) - RSS_ols / v
    - sum b_i l2 / (s_i + l2 v)`` and ``d(2 log Z)/d log v =
    (RSS_ols + sum b_i a_i^2) / v - (n_eff - rank) - sum a_i``, i.e. the stationary
    point is ``v = RSS(ridge at v) / (n_eff - gamma)``, gamma the effective number of
    weights.
    """

    def __init__(self, gs: GramStats, l2: float, mean: float, fit_b: bool):
        p = gs.G.shape[0]
        s, U = np.linalg.eigh(gs.G) if p else (np.zeros(0), np.zeros((0, 0)))
        mu = np.full(p, float(mean))
        c = gs.c - gs.G @ mu
        yy = gs.yy - 2.0 * float(mu @ gs.c) + float(mu @ gs.G @ mu)
        tol = 10.0 * max(p, 1) * np.finfo(float).eps * float(s.max(initial=0.0))
        self.pos = s > tol
        self.s, self.U, self.mu, self.l2 = s[self.pos], U, mu, float(l2)
        self.r_all = U.T @ c
        r = self.r_all[self.pos]
        self.r = r
        self.b = r * r / self.s
        self.rank = int(self.pos.sum())
        self.n_eff = gs.sw - int(fit_b)
        self.rss = 0.0  # the least-squares RSS, set by ``set_rss`` from a pass over the data
        self.const = (
            -0.5 * self.n_eff * _LOG_2PI
            - 0.5 * int(fit_b) * math.log(gs.sw)
            + 0.5 * self.rank * math.log(l2)
        )
        self.yy = max(yy, 0.0)

    def least_squares(self, gs: GramStats, fit_b: bool) -> Array:
        """The minimum-norm (about the prior mean) least-squares coefficients."""
        shift = np.zeros(self.pos.shape[0])
        shift[self.pos] = self.r / self.s
        w = self.mu + self.U @ shift
        return np.append(w, gs.ybar - float(gs.xbar @ w)) if fit_b else w

    def set_rss(self, rss_ols: float) -> None:
        """The least-squares RSS; below rounding level of the target's, an exact fit (0)."""
        self.rss = 0.0 if rss_ols <= 1e-20 * max(self.yy, 1e-300) else float(rss_ols)

    def log_evidence(self, v: float) -> float:
        m = self.n_eff - self.rank
        if v == 0.0:
            if self.rss > 0 or m > 0:
                return -math.inf if self.rss > 0 else math.inf
            return (
                self.const
                - 0.5 * float(np.sum(np.log(self.s)))
                - 0.5 * float(np.sum(self.b * self.l2 / self.s))
            )
        d = self.s + self.l2 * v
        return self.const - 0.5 * (
            m * math.log(v)
            + float(np.sum(np.log(d)))
            + self.rss / v
            + float(np.sum(self.b * self.l2 / d))
        )

    def slope(self, t: float) -> float:
        """``d log Z / d log v`` at ``v = exp(t)``."""
        v = math.exp(t)
        a = self.l2 * v / (self.s + self.l2 * v)
        return 0.5 * ((self.rss + float(self.b @ (a * a))) / v - (self.n_eff - self.rank) - a.sum())

    def posterior(self, v: float, gs: GramStats, fit_b: bool) -> tuple[Array, Array]:
        """Posterior mean (weights, intercept last) and covariance given ``v``."""
        d_inv = np.zeros(self.pos.shape[0])
        scale = np.full(self.pos.shape[0], 1.0 / self.l2)  # null directions: the prior's
        d_inv[self.pos] = 1.0 / (self.s + self.l2 * v)
        scale[self.pos] = v * d_inv[self.pos]
        w = self.mu + self.U @ (d_inv * self.r_all)
        cov_w = (self.U * scale) @ self.U.T
        theta = np.append(w, gs.ybar - float(gs.xbar @ w)) if fit_b else w
        return theta, _full_cov(cov_w, gs, fit_b, v / gs.sw)


def noise_by_evidence(gs: GramStats, l2: float, mean: float, fit_b: bool, rss_of: Any) -> NoiseFit:
    """Maximise the evidence of ``w ~ Normal(mean, 1/sqrt(l2))`` over the noise variance.

    ``rss_of(theta)`` is the weighted residual sum of squares of the coefficients
    ``theta`` (weights, intercept last), computed from the data (one pass): the least
    squares RSS that decides whether the fit is exact is taken from it rather than
    from the cross-products, where it would cancel.

    The evidence is searched on a log-spaced grid of sigma^2 (it need not be
    unimodal), and the best grid point is polished by a bracketed root of the
    derivative in log sigma^2 (Brent). Where the best value is at the smallest
    sigma^2 and the data are fitted exactly, the maximum is at sigma^2 = 0
    (``boundary``); if the data lie exactly in fewer dimensions than the rows, the
    evidence is unbounded there and ``log_evidence`` is +inf.
    """
    from scipy.optimize import brentq

    n_eff = gs.sw - int(fit_b)
    if n_eff <= 0:
        raise ValueError(
            f"the noise sd cannot be estimated from {gs.sw:g} sample(s)"
            f"{' and an intercept' if fit_b else ''}: the residuals have no degrees of "
            "freedom; give noise_sd"
        )
    sp = _Spectrum(gs, l2, mean, fit_b)
    sp.set_rss(float(rss_of(sp.least_squares(gs, fit_b))))
    if sp.yy <= 0.0 and sp.rss == 0.0:  # nothing to explain: y constant (about its mean)
        theta, cov = sp.posterior(0.0, gs, fit_b)
        return NoiseFit(0.0, theta, cov, sp.log_evidence(0.0), True, 0)
    top = max(sp.yy, sp.rss) / max(n_eff - sp.rank, 0.5)
    if sp.rss > 0:
        bottom = sp.rss / (4.0 * (n_eff + sp.pos.shape[0]))
    else:
        bottom = float(sp.s.min(initial=1.0)) / sp.l2 * 1e-10 if sp.rank else top * 1e-12
    bottom = min(bottom, top * 1e-3)
    while sp.slope(math.log(top)) > 0:  # the evidence still rises: widen upwards
        top *= 10.0
    ts = np.linspace(math.log(bottom), math.log(top), GRID)
    values = np.array([sp.log_evidence(math.exp(t)) for t in ts])
    j = int(np.argmax(values))
    if j == 0 and sp.rss == 0.0 and sp.slope(ts[0]) <= 0:
        theta, cov = sp.posterior(0.0, gs, fit_b)
        return NoiseFit(0.0, theta, cov, sp.log_evidence(0.0), True, GRID)
    lo, hi = ts[max(j - 1, 0)], ts[min(j + 1, GRID - 1)]
    if sp.slope(lo) > 0 > sp.slope(hi):
        t, info = brentq(sp.slope, lo, hi, xtol=1e-14, rtol=1e-14, full_output=True)
        iters = GRID + int(info.iterations)
    else:  # the derivative does not change sign around the best point (flat evidence)
        t, iters = float(ts[j]), GRID
    v = math.exp(t)
    theta, cov = sp.posterior(v, gs, fit_b)
    return NoiseFit(v, theta, cov, sp.log_evidence(v), False, iters)
