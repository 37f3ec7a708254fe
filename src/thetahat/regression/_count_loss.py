"""Log-likelihoods of the count models with their first and second derivatives.

A count model's row has up to three linear channels: the mean's log ``eta = x'w + b
(+ offset)``, the zero-inflation logit ``u = z'g + c`` and the log dispersion ``a =
log alpha`` (one number for all rows). :func:`row_derivatives` gives per row the
log-likelihood, its gradient over the channels and the channels' Hessian; the
chain rule to the coefficients (``X' diag(d) X`` blocks) is :func:`count_pass`,
which, like :func:`~._loss.fused_pass`, accumulates one block of rows at a time and
adds across blocks (the per-block hook of distributed engines).

Notes
-----
Poisson: ``l = y eta - e^eta - log y!``. NB2 (``Var = mu + alpha mu^2``, ``r = 1/alpha``):
``l = lgamma(y + r) - lgamma(r) - log y! + r log r + y eta - (r + y) log(r + mu)``.
NB1 (``Var = mu (1 + alpha)``, ``r = mu / alpha``):
``l = lgamma(y + r) - lgamma(r) - log y! - (r + y) log(1 + alpha) + y log alpha``.
Zero inflation with ``pi = expit(u)`` and ``l0 = log f(0)`` of the count part:
``l = logaddexp(u, l0) - log(1 + e^u)`` at ``y = 0`` and ``l_count - log(1 + e^u)``
otherwise; with ``s = expit(u - l0)`` (the posterior probability of a structural
zero) ``dl/du = s - pi``, ``dl/dt = (1 - s) l0_t``,
``d2l/du2 = s(1 - s) - pi(1 - pi)``, ``d2l/du dt = -s(1 - s) l0_t``,
``d2l/dt dt' = (1 - s) l0_tt' + s(1 - s) l0_t l0_t'`` (t, t' among eta and a).
Zero truncation: ``l - log(1 - e^l0)``; with ``q = 1 / expm1(-l0)`` it adds
``q l0_t`` to the gradient and ``q l0_tt' + q(1 + q) l0_t l0_t'`` to the Hessian.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

__all__ = ["CountSpec", "count_pass", "row_derivatives"]

Array = NDArray[np.float64]
CHUNK = 8192


@dataclass(frozen=True)
class CountSpec:
    """Which count model: ``base`` "poisson", "nb2" or "nb1"; ``inflated``; ``truncated``;
    ``alpha`` fixed (geometric: NB2 with alpha 1) or None (estimated)."""

    base: str
    inflated: bool = False
    truncated: bool = False
    alpha: float | None = None

    @property
    def has_alpha(self) -> bool:
        return self.base != "poisson" and self.alpha is None


def _base(
    base: str, y: Array, eta: Array, a: float, want_a: bool, at_zero: bool
) -> tuple[Array, list[Array], dict[tuple[int, int], Array]]:
    """log f(y), gradient [eta, (a)] and Hessian {(i, j)} of the count part."""
    if base == "poisson":
        mu = np.exp(eta)
        ll = y * eta - mu - (0.0 if at_zero else sc.gammaln(y + 1.0))
        return ll, [y - mu], {(0, 0): -mu}
    alpha = float(np.exp(a))
    mu = np.exp(eta)
    lgy = 0.0 if at_zero else sc.gammaln(y + 1.0)
    if base == "nb2":
        r = 1.0 / alpha
        rm = r + mu
        log_rm = np.log(rm)
        ll = sc.gammaln(y + r) - sc.gammaln(r) - lgy + r * np.log(r) + y * eta - (r + y) * log_rm
        ge = r * (y - mu) / rm
        hee = -r * mu * (r + y) / (rm * rm)
        grads = [ge]
        hess = {(0, 0): hee}
        if want_a:
            dr = sc.digamma(y + r) - sc.digamma(r) + np.log(r) + 1.0 - log_rm - (r + y) / rm
            drr = (
                sc.polygamma(1, y + r)
                - sc.polygamma(1, r)
                + 1.0 / r
                - 1.0 / rm
                - (mu - y) / (rm * rm)
            )
            dre = (y - mu) * mu / (rm * rm)
            grads.append(-r * dr)
            hess[(1, 1)] = r * r * drr + r * dr
            hess[(0, 1)] = -r * dre
        return ll, grads, hess
    # nb1
    rr = mu / alpha
    l1a = float(np.log1p(alpha))
    q = alpha / (1.0 + alpha)
    d1 = sc.digamma(y + rr) - sc.digamma(rr) - l1a
    d2 = sc.polygamma(1, y + rr) - sc.polygamma(1, rr)
    ll = sc.gammaln(y + rr) - sc.gammaln(rr) - lgy - (rr + y) * l1a + y * a
    grads = [d1 * rr]
    hess = {(0, 0): d2 * rr * rr + d1 * rr}
    if want_a:
        grads.append(-d1 * rr + y - (rr + y) * q)
        hess[(0, 1)] = (-d2 * rr - q) * rr - d1 * rr
        hess[(1, 1)] = d2 * rr * rr + d1 * rr + 2.0 * q * rr - (rr + y) * q * (1.0 - q)
    return ll, grads, hess


def row_derivatives(
    spec: CountSpec, y: Array, eta: Array, u: Array | None, a: float
) -> tuple[Array, list[Array], dict[tuple[int, int], Array]]:
    """Per-row log-likelihood, gradient and Hessian over the channels.

    Channels in order: eta, then u (inflated models), then a (estimated dispersion).
    Hessian entries keyed ``(i, j)`` with ``i <= j``.
    """
    want_a = spec.has_alpha
    if spec.alpha is not None:
        a = float(np.log(spec.alpha))
    ll, g, h = _base(spec.base, y, eta, a, want_a, False)
    m = len(g)  # count-part channels: eta (and a)
    if not (spec.inflated or spec.truncated):
        return ll, g, h
    z0 = np.zeros_like(y)
    l0, g0, h0 = _base(spec.base, z0, eta, a, want_a, True)
    if spec.truncated:
        with np.errstate(divide="ignore", over="ignore"):
            q = 1.0 / np.expm1(-l0)
            ll = ll - np.log(-np.expm1(l0))
        g = [g[i] + q * g0[i] for i in range(m)]
        h = {key: h[key] + q * h0[key] + q * (1.0 + q) * g0[key[0]] * g0[key[1]] for key in h}
        return ll, g, h
    assert u is not None
    zero = y == 0
    lse = np.logaddexp(u, l0)
    s = np.where(zero, np.exp(u - lse), 0.0)
    pi = sc.expit(u)
    ll = np.where(zero, lse, ll) - np.logaddexp(0.0, u)
    ss = s * (1.0 - s)
    # channel order: eta (0), u (1), a (2); the count part's a is its index 1
    idx = [0, 2][:m]
    gout = [np.zeros_like(y) for _ in range(m + 1)]
    hout: dict[tuple[int, int], Array] = {}
    for i, ci in enumerate(idx):
        gout[ci] = np.where(zero, (1.0 - s) * g0[i], g[i])
        hout[(1, ci) if ci > 1 else (ci, 1)] = np.where(zero, -ss * g0[i], 0.0)
        for j in range(i, m):
            key = (i, j)
            hout[(ci, idx[j])] = np.where(zero, (1.0 - s) * h0[key] + ss * g0[i] * g0[j], h[key])
    gout[1] = s - pi
    hout[(1, 1)] = ss - pi * (1.0 - pi)
    return ll, gout, hout


def count_pass(
    spec: CountSpec,
    X: Array,
    Z: Array | None,
    y: Array,
    sw: Array | None,
    offset: Array | None,
    w: Array,
    b: float,
    g: Array | None,
    c: float,
    a: float,
    fit_b: bool,
    fit_c: bool,
    *,
    with_hessian: bool = True,
    chunk: int = CHUNK,
) -> tuple[float, Array, Array | None]:
    """Log-likelihood, gradient and Hessian over ``(w, b, g, c, a)`` in one pass over rows.

    The parameter vector is the mean's weights and intercept, then (inflated models)
    the inflation weights and intercept, then (estimated dispersion) ``a``. Each block
    of rows forms ``[X_b 1]' diag(s h_ij) [X_b 1]``-type products per channel pair.
    """
    p = X.shape[1]
    kx = p + int(fit_b)
    kz = 0 if Z is None else Z.shape[1] + int(fit_c)
    ka = int(spec.has_alpha)
    k = kx + kz + ka
    grad = np.zeros(k)
    H = np.zeros((k, k)) if with_hessian else None
    total = 0.0
    slices = [slice(0, kx)]
    if spec.inflated:
        slices.append(slice(kx, kx + kz))
    if ka:
        slices.append(slice(kx + kz, k))
    n = X.shape[0]
    for s0 in range(0, n, chunk):
        e0 = min(s0 + chunk, n)
        Xc = X[s0:e0]
        eta = Xc @ w + b
        if offset is not None:
            eta += offset[s0:e0]
        Zc = None
        u = None
        if spec.inflated:
            assert Z is not None and g is not None
            Zc = Z[s0:e0]
            u = Zc @ g + c
        yc = y[s0:e0]
        wc = None if sw is None else sw[s0:e0]
        # (a trial point far out, rejected by the line search, may overflow: quietly)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            ll, gr, hs = row_derivatives(spec, yc, eta, u, a)
            total += float(ll.sum() if wc is None else wc @ ll)
            designs: list[Array | None] = [Xc]
            fits = [fit_b]
            if spec.inflated:
                designs.append(Zc)
                fits.append(fit_c)
            if ka:
                designs.append(None)
                fits.append(False)
            # each channel's [D 1] once per block (None: the scalar channel, a column of
            # ones), shared by its gradient and every Hessian block it is in
            ones = [_with_ones(D, f, e0 - s0) for D, f in zip(designs, fits, strict=True)]
            for i, gi in enumerate(gr):
                grad[slices[i]] += (gi if wc is None else gi * wc) @ ones[i]
            if H is None:
                continue
            for (i, j), hij in hs.items():
                hw = hij if wc is None else hij * wc
                blk = (ones[i] * hw[:, None]).T @ ones[j]  # [A 1]' diag(hw) [B 1]
                H[slices[i], slices[j]] += blk
                if i != j:
                    H[slices[j], slices[i]] += blk.T
    return total, grad, H


def _with_ones(D: Array | None, fit: bool, n: int) -> Array:
    if D is None:
        return np.ones((n, 1))
    return np.column_stack([D, np.ones(n)]) if fit else D
