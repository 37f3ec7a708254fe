"""Closed-form Bayesian linear regression: Gaussian prior with known noise, NIG prior, evidence.

All functions take the centred Gram statistics (:class:`GramStats`) of the data, so
an unshrunk intercept is integrated out exactly under a flat prior (unit density).
Coordinates: weights first, intercept last.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from ._linalg import GramStats

__all__ = ["LinearPosterior", "evidence_precisions", "gaussian_posterior", "nig_posterior"]

Array = NDArray[np.float64]
_LOG_2PI = math.log(2.0 * math.pi)


@dataclass(frozen=True)
class LinearPosterior:
    """Posterior mean and covariance (intercept last), with the log evidence.

    ``unit_cov`` is the covariance divided by sigma^2 for the NIG case (so the
    marginal t has scale ``(bn / an) unit_cov``); for known noise it is the
    covariance itself and ``an``/``bn`` are None.
    """

    theta: Array
    unit_cov: Array
    log_evidence: float
    an: float | None = None
    bn: float | None = None


def _full_cov(cov_w: Array, gs: GramStats, fit_intercept: bool, var_b0: float) -> Array:
    """Covariance over (w, intercept) from that of w on centred data.

    With ``b' = b + xbar' w`` the posterior precision is block diagonal, so
    ``cov(b) = var_b0 + xbar' C xbar`` and ``cov(w, b) = -C xbar``.
    """
    if not fit_intercept:
        return cov_w
    p = cov_w.shape[0]
    out = np.empty((p + 1, p + 1))
    out[:p, :p] = cov_w
    cx = cov_w @ gs.xbar
    out[:p, p] = -cx
    out[p, :p] = -cx
    out[p, p] = var_b0 + float(gs.xbar @ cx)
    return out


def _chol_inv_logdet(P: Array) -> tuple[Array, float]:
    from scipy import linalg

    c, low = linalg.cho_factor(P, check_finite=False)
    inv = linalg.cho_solve((c, low), np.eye(P.shape[0]))
    return inv, 2.0 * float(np.sum(np.log(np.diag(c))))


def gaussian_posterior(
    gs: GramStats, sigma2: float, l2: float, mean: float, fit_intercept: bool, rss_of: object
) -> LinearPosterior:
    """Exact posterior for ``w ~ Normal(mean, 1/sqrt(l2))`` and known noise variance.

    Notes
    -----
    Precision ``P = G / sigma^2 + l2 I``, mean ``P^{-1} (c / sigma^2 + l2 m)``.
    Log evidence (flat intercept, k0 = 1 if fitted):
    ``-N/2 log(2 pi sigma^2) + k0/2 log(2 pi) - k0/2 log(N/sigma^2)
    + p/2 log l2 - 1/2 log|P| - RSS/(2 sigma^2) - l2 ||w - m||^2 / 2``.
    """
    p = gs.G.shape[0]
    P = gs.G / sigma2 + l2 * np.eye(p)
    cov_w, logdet = _chol_inv_logdet(P)
    w = cov_w @ (gs.c / sigma2 + l2 * mean)
    b = gs.ybar - float(gs.xbar @ w)
    theta = np.append(w, b) if fit_intercept else w
    rss = float(rss_of(theta))  # type: ignore[operator]
    k0 = int(fit_intercept)
    d = w - mean
    log_ev = (
        -0.5 * gs.sw * (_LOG_2PI + math.log(sigma2))
        + 0.5 * k0 * (_LOG_2PI - math.log(gs.sw / sigma2))
        + 0.5 * p * math.log(l2)
        - 0.5 * logdet
        - 0.5 * rss / sigma2
        - 0.5 * l2 * float(d @ d)
    )
    cov = _full_cov(cov_w, gs, fit_intercept, sigma2 / gs.sw)
    return LinearPosterior(theta=theta, unit_cov=cov, log_evidence=log_ev)


def nig_posterior(
    gs: GramStats,
    mu0: float,
    lam: float,
    a0: float,
    b0: float,
    fit_intercept: bool,
    rss_of: object,
) -> LinearPosterior:
    """Exact posterior for ``w | s2 ~ N(mu0, s2 / lam)``, ``s2 ~ InverseGamma(a0, b0)``.

    Notes
    -----
    ``Lambda_n = G + lam I``, ``m_n = Lambda_n^{-1}(c + lam mu0)``,
    ``a_n = a0 + (N - k0) / 2``, ``b_n = b0 + (RSS(m_n) + lam ||m_n - mu0||^2) / 2``.
    Marginally ``w ~ t_{2 a_n}(m_n, (b_n / a_n) Lambda_n^{-1})`` (intercept
    included, flat prior). Log evidence:
    ``-(N - k0)/2 log(2 pi) + p/2 log lam - 1/2 log|Lambda_n| - k0/2 log N
    + a0 log b0 - a_n log b_n + log Gamma(a_n) - log Gamma(a0)``.
    """
    p = gs.G.shape[0]
    Ln = gs.G + lam * np.eye(p)
    cov_w, logdet = _chol_inv_logdet(Ln)
    w = cov_w @ (gs.c + lam * mu0)
    b = gs.ybar - float(gs.xbar @ w)
    theta = np.append(w, b) if fit_intercept else w
    k0 = int(fit_intercept)
    rss = float(rss_of(theta))  # type: ignore[operator]
    d = w - mu0
    an = a0 + 0.5 * (gs.sw - k0)
    bn = b0 + 0.5 * (rss + lam * float(d @ d))
    log_ev = (
        -0.5 * (gs.sw - k0) * _LOG_2PI
        + 0.5 * p * math.log(lam)
        - 0.5 * logdet
        - 0.5 * k0 * math.log(gs.sw)
        + a0 * math.log(b0)
        - an * math.log(bn)
        + float(sc.gammaln(an) - sc.gammaln(a0))
    )
    cov = _full_cov(cov_w, gs, fit_intercept, 1.0 / gs.sw)
    return LinearPosterior(theta=theta, unit_cov=cov, log_evidence=log_ev, an=an, bn=bn)


def evidence_precisions(
    gs: GramStats, fit_intercept: bool, *, tol: float = 1e-12, max_iter: int = 5_000
) -> tuple[float, float, int]:
    """Noise and weight precisions (alpha, lambda) maximising the evidence (type-II ML).

    Notes
    -----
    MacKay's fixed point on the eigenvalues ``s_i`` of the centred Gram matrix:
    with ``m = (alpha G + lambda I)^{-1} alpha c`` and
    ``gamma = sum alpha s_i / (alpha s_i + lambda)`` (the effective number of
    parameters), ``lambda = gamma / ||m||^2`` and
    ``alpha = (N - k0 - gamma) / RSS(m)``, where k0 = 1 when a flat intercept is
    integrated out. scikit-learn's BayesianRidge iterates the same equations
    (with ``N`` in place of ``N - k0``).
    """
    n_eff = gs.sw - int(fit_intercept)
    if n_eff < 2:
        raise ValueError(
            f"prior='evidence' needs at least 2 samples beyond the intercept; got "
            f"{gs.sw:g} sample(s)"
        )
    s, U = np.linalg.eigh(gs.G)
    s = np.maximum(s, 0.0)
    cr = U.T @ gs.c
    var_y = max(gs.yy / n_eff, 1e-300)
    # the evidence can keep rising towards an interpolating fit (alpha -> inf) or an
    # infinitely wide prior; the search is bounded to 1e-6..1e6 of the data's scale
    a_lo, a_hi = 1e-6 / var_y, 1e6 / var_y
    l_lo, l_hi = 1e-6 / var_y, 1e6 * max(float(s.max(initial=0.0)), 1.0) / var_y
    alpha, lam = 1.0 / var_y, 1.0
    done = False
    it = 0
    while it < max_iter:
        it += 1
        denom = alpha * s + lam
        m_rot = alpha * cr / denom
        gamma = float(np.sum(alpha * s / denom))
        rss = max(gs.yy - 2.0 * float(cr @ m_rot) + float(s @ (m_rot * m_rot)), 1e-300)
        norm2 = float(m_rot @ m_rot)
        lam_new = gamma / max(norm2, 1e-300)
        alpha_new = (n_eff - gamma) / rss
        alpha_new = min(max(alpha_new, a_lo), a_hi)
        lam_new = min(max(lam_new, l_lo), l_hi)
        done = abs(lam_new - lam) <= tol * lam and abs(alpha_new - alpha) <= tol * alpha
        alpha, lam = alpha_new, lam_new
        if done:
            break
    at_bound = alpha in (a_lo, a_hi) or lam in (l_lo, l_hi)
    if not done or at_bound:
        alpha, lam = _polish(s, cr, gs.yy, n_eff, alpha, lam, (a_lo, a_hi), (l_lo, l_hi))
    return alpha, lam, it


def _polish(
    s: Array,
    cr: Array,
    yy: float,
    n_eff: float,
    alpha: float,
    lam: float,
    a_box: tuple[float, float],
    l_box: tuple[float, float],
) -> tuple[float, float]:
    """Maximise the log evidence over (log alpha, log lambda) in the box (L-BFGS-B).

    ``2 log Z = p log lam + N log alpha - sum log(alpha s_i + lam) - alpha RSS(m)
    - lam ||m||^2 + const``; by the envelope theorem its gradient in
    ``log alpha`` is ``N - gamma - alpha RSS`` and in ``log lam``
    ``p - sum lam / (alpha s_i + lam) - lam ||m||^2`` (halved).
    """
    from scipy.optimize import minimize

    p = s.shape[0]

    def negative(z: Array) -> tuple[float, Array]:
        a, lm = math.exp(z[0]), math.exp(z[1])
        denom = a * s + lm
        m = a * cr / denom
        rss = max(yy - 2.0 * float(cr @ m) + float(s @ (m * m)), 0.0)
        nm = float(m @ m)
        val = p * z[1] + n_eff * z[0] - float(np.sum(np.log(denom))) - a * rss - lm * nm
        ga = n_eff - float(np.sum(a * s / denom)) - a * rss
        gl = p - float(np.sum(lm / denom)) - lm * nm
        return -0.5 * val, -0.5 * np.array([ga, gl])

    res = minimize(
        negative,
        np.log([alpha, lam]),
        jac=True,
        method="L-BFGS-B",
        bounds=[(math.log(a_box[0]), math.log(a_box[1])), (math.log(l_box[0]), math.log(l_box[1]))],
        options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 1000},
    )
    return math.exp(res.x[0]), math.exp(res.x[1])
