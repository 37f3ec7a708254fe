"""Negative log-likelihoods of generalised linear models, with gradient and Hessian.

Each family gives, for the linear predictor ``eta = X w + b + offset``, the
per-observation negative log-likelihood, the mean ``mu`` and the working
weights ``d^2 nll / d eta^2``. The gradient is ``X' W_s (mu - y)`` and the
Hessian ``X' W_s diag(v) X`` (W_s the sample weights), both accumulated in
row chunks so memory stays at one chunk beyond X itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

__all__ = ["LOGISTIC", "POISSON", "Family", "GLMState", "evaluate", "fused_pass", "hessian"]

Array = NDArray[np.float64]
CHUNK = 1 << 16


class Family(Protocol):
    """A GLM family with its canonical link."""

    name: str

    def nll(self, eta: Array, y: Array) -> Array:
        """Negative log-likelihood per observation."""
        ...

    def mean(self, eta: Array) -> Array:
        """The mean ``mu`` (inverse link)."""
        ...

    def variance(self, mu: Array) -> Array:
        """``d mu / d eta``: the working weight of the canonical link."""
        ...


class _Logistic:
    """Bernoulli with the logit link.

    ``nll = log(1 + exp(eta)) - y eta`` (computed as ``logaddexp(0, eta)``),
    ``mu = expit(eta)``, ``v = mu (1 - mu)``.
    """

    name = "logistic"

    def nll(self, eta: Array, y: Array) -> Array:
        return np.logaddexp(0.0, eta) - y * eta

    def mean(self, eta: Array) -> Array:
        return np.asarray(sc.expit(eta))

    def variance(self, mu: Array) -> Array:
        return mu * (1.0 - mu)


class _Poisson:
    """Poisson with the log link.

    ``nll = exp(eta) - y eta + log(y!)``, ``mu = exp(eta)``, ``v = mu``.
    """

    name = "poisson"

    def nll(self, eta: Array, y: Array) -> Array:
        return np.exp(eta) - y * eta + sc.gammaln(y + 1.0)

    def mean(self, eta: Array) -> Array:
        return np.exp(eta)

    def variance(self, mu: Array) -> Array:
        return mu


LOGISTIC = _Logistic()
POISSON = _Poisson()


@dataclass
class GLMState:
    """The model at one coefficient vector: linear predictor, mean, total nll."""

    eta: Array
    mu: Array
    nll: float


def linear_predictor(X: Array, coef: Array, intercept: float, offset: Array | None) -> Array:
    """``eta = X coef + intercept (+ offset)``."""
    eta = X @ coef
    eta += intercept
    if offset is not None:
        eta += offset
    return eta


def evaluate(
    family: Family,
    X: Array,
    y: Array,
    sw: Array | None,
    offset: Array | None,
    coef: Array,
    intercept: float,
) -> GLMState:
    """Linear predictor, mean and the (weighted) total negative log-likelihood."""
    eta = linear_predictor(X, coef, intercept, offset)
    with np.errstate(over="ignore"):
        per = family.nll(eta, y)
        mu = family.mean(eta)
    total = float(per.sum() if sw is None else sw @ per)
    return GLMState(eta=eta, mu=mu, nll=total)


def gradient(X: Array, y: Array, sw: Array | None, mu: Array, fit_intercept: bool) -> Array:
    """Gradient of the total nll over ``(coef, intercept)`` (intercept last)."""
    r = mu - y
    if sw is not None:
        r = r * sw
    g = X.T @ r
    if fit_intercept:
        g = np.append(g, r.sum())
    return np.asarray(g)


def hessian(family: Family, X: Array, sw: Array | None, mu: Array, fit_intercept: bool) -> Array:
    """``[X 1]' diag(sw v) [X 1]`` accumulated over row chunks (BLAS ``syrk``)."""
    n, p = X.shape
    k = p + int(fit_intercept)
    H = np.zeros((p, p))
    xv = np.zeros(p)
    vsum = 0.0
    for s in range(0, n, CHUNK):
        v = family.variance(mu[s : s + CHUNK])
        if sw is not None:
            v = v * sw[s : s + CHUNK]
        Xc = X[s : s + CHUNK]
        Z = Xc * np.sqrt(v)[:, None]
        H += Z.T @ Z  # NumPy dispatches a.T @ a to BLAS syrk
        if fit_intercept:
            xv += v @ Xc
            vsum += float(v.sum())
    full = np.zeros((k, k))
    full[:p, :p] = H
    if fit_intercept:
        full[:p, p] = xv
        full[p, :p] = xv
        full[p, p] = vsum
    return full


def fused_pass(
    family: Family,
    X: Array,
    y: Array,
    sw: Array | None,
    offset: Array | None,
    coef: Array,
    intercept: float,
    fit_intercept: bool,
    *,
    with_hessian: bool = False,
    with_nll: bool = True,
    chunk: int = 8192,
) -> tuple[float, Array, Array | None]:
    """Total nll (0 unless ``with_nll``), gradient and optional Hessian in ONE pass over X.

    Each cache-sized block of rows is read once for its linear predictor, its
    gradient contribution ``X_b'(mu_b - y_b)`` and its Hessian block
    ``X_b' diag(v_b) X_b``, instead of one pass over X for each.
    """
    n, p = X.shape
    k = p + int(fit_intercept)
    g = np.zeros(k)
    H = np.zeros((k, k)) if with_hessian else None
    total = 0.0
    for s in range(0, n, chunk):
        Xc = X[s : s + chunk]
        eta = Xc @ coef
        eta += intercept
        if offset is not None:
            eta += offset[s : s + chunk]
        yc = y[s : s + chunk]
        with np.errstate(over="ignore"):
            mu = family.mean(eta)
            if with_nll:
                per = family.nll(eta, yc)
                total += float(per.sum() if sw is None else sw[s : s + chunk] @ per)
        r = mu - yc
        if sw is not None:
            r = r * sw[s : s + chunk]
        g[:p] += Xc.T @ r
        if fit_intercept:
            g[p] += float(r.sum())
        if H is not None:
            v = family.variance(mu)
            if sw is not None:
                v = v * sw[s : s + chunk]
            Z = Xc * np.sqrt(v)[:, None]
            H[:p, :p] += Z.T @ Z
            if fit_intercept:
                xv = v @ Xc
                H[:p, p] += xv
                H[p, :p] += xv
                H[p, p] += float(v.sum())
    return total, g, H
