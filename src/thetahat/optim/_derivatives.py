"""Finite-difference derivatives (:func:`numeric_hessian`, :func:`fd_grad_hess`) and
the derivatives of the maps from the real line onto interval domains
(:func:`domain_derivatives`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._result import GradHess


def numeric_hessian(
    fun: Callable[[NDArray[np.float64]], float],
    x: NDArray[np.float64],
    *,
    h: NDArray[np.float64] | None = None,
    f0: float | None = None,
) -> NDArray[np.float64]:
    """Central-difference Hessian of ``fun`` at ``x`` (steps scaled to |x|)."""
    k = x.shape[0]
    if h is None:
        h = 1e-4 * np.maximum(np.abs(x), 1e-2)
    hess = np.empty((k, k))
    if f0 is None:
        f0 = fun(x)
    for i in range(k):
        for j in range(i, k):
            if i == j:
                e = np.zeros(k)
                e[i] = h[i]
                val = (fun(x + e) - 2.0 * f0 + fun(x - e)) / (h[i] * h[i])
            else:
                ei = np.zeros(k)
                ej = np.zeros(k)
                ei[i], ej[j] = h[i], h[j]
                val = (
                    fun(x + ei + ej) - fun(x + ei - ej) - fun(x - ei + ej) + fun(x - ei - ej)
                ) / (4.0 * h[i] * h[j])
            hess[i, j] = hess[j, i] = val
    return hess


def domain_derivatives(
    domains: Sequence[Any], z: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """theta(z), d theta / dz and d2 theta / dz2 for interval domains, elementwise.

    Positive parameters use ``theta = low + exp(z)``, bounded ones a scaled logistic.
    """
    theta = np.empty_like(z)
    d1 = np.empty_like(z)
    d2 = np.empty_like(z)
    for i, (dom, zi) in enumerate(zip(domains, z, strict=True)):
        low, high = getattr(dom, "low", None), getattr(dom, "high", None)
        if low is None and high is None:
            theta[i], d1[i], d2[i] = zi, 1.0, 0.0
        elif high is None:
            assert low is not None
            e = float(np.exp(zi))
            theta[i], d1[i], d2[i] = low + e, e, e
        elif low is None:
            e = float(np.exp(zi))
            theta[i], d1[i], d2[i] = high - e, -e, -e
        else:
            width = high - low
            s = float(1.0 / (1.0 + np.exp(-zi)))
            theta[i] = low + width * s
            d1[i] = width * s * (1.0 - s)
            d2[i] = d1[i] * (1.0 - 2.0 * s)
    return theta, d1, d2


def fd_grad_hess(
    fun: Callable[[NDArray[np.float64]], float], x: NDArray[np.float64], step: float = 1e-4
) -> GradHess:
    """Value, central-difference gradient and Hessian of ``fun`` at ``x``."""
    k = x.shape[0]
    h = step * np.maximum(np.abs(x), 1.0)
    # the gradient locates the optimum: a smaller step (cube root of eps) for it
    hg = 6e-6 * np.maximum(np.abs(x), 1.0)
    f0 = fun(x)
    g = np.empty(k)
    for i in range(k):
        e = np.zeros(k)
        e[i] = hg[i]
        g[i] = (fun(x + e) - fun(x - e)) / (2.0 * hg[i])
    return float(f0), g, numeric_hessian(fun, x, h=h, f0=f0)
