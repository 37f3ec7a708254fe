"""Small solvers that report how they ended instead of failing silently.

:func:`minimize_unconstrained` is the generic last resort: it minimises a smooth
function of parameters mapped to the real line by their domains (log for
positive parameters, logit for probabilities) with scipy's BFGS, and returns a
:class:`SolverResult` with a status and a message. Families with closed forms or
analytic Newton steps never come here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "SolverResult",
    "domain_derivatives",
    "fd_grad_hess",
    "minimize_unconstrained",
    "newton_1d",
    "newton_maximize",
    "numeric_hessian",
]

GradHess = tuple[float, NDArray[np.float64], NDArray[np.float64]]


@dataclass(frozen=True)
class SolverResult:
    """Outcome of an iterative solve."""

    x: NDArray[np.float64]
    fun: float
    converged: bool
    status: str
    message: str
    iterations: int
    #: parameters whose supremum lies at the edge of their domain (status "boundary")
    edge: tuple[str, ...] = ()


def minimize_unconstrained(
    fun: Callable[[NDArray[np.float64]], float],
    z0: NDArray[np.float64],
    *,
    gtol: float = 1e-9,
    maxiter: int = 2000,
) -> SolverResult:
    """Minimise ``fun`` over R^k from ``z0`` (BFGS with numerical gradients)."""
    from scipy import optimize

    def safe(z: NDArray[np.float64]) -> float:
        with np.errstate(all="ignore"):
            v = float(fun(z))
        return v if np.isfinite(v) else 1e300

    res = optimize.minimize(safe, z0, method="BFGS", options={"gtol": gtol, "maxiter": maxiter})
    # BFGS often reports "precision loss" at an optimum that is as good as it gets;
    # polish with Nelder-Mead-free check: accept when the gradient is small relative to scale
    converged = bool(res.success)
    message = str(res.message)
    if not converged and res.fun < 1e299:
        g = getattr(res, "jac", None)
        if g is not None and np.all(np.abs(g) <= 1e-4 * max(1.0, abs(res.fun))):
            converged = True
            message = f"converged (gradient small; optimiser said: {res.message})"
    status = "success" if converged else "failed"
    return SolverResult(
        x=np.asarray(res.x, dtype=float),
        fun=float(res.fun),
        converged=converged,
        status=status,
        message=message,
        iterations=int(res.nit),
    )


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


def newton_maximize(
    fgh: Callable[[NDArray[np.float64]], GradHess],
    z0: NDArray[np.float64],
    *,
    f_only: Callable[[NDArray[np.float64]], float] | None = None,
    xtol: float = 1e-10,
    maxiter: int = 100,
) -> SolverResult:
    """Maximise a smooth function with a damped Newton method.

    Parameters
    ----------
    fgh : callable
        ``z -> (f, g, H)``: value, gradient and Hessian at ``z`` (unconstrained).
    z0 : ndarray
        Starting point.
    f_only : callable, optional
        Cheaper ``z -> f`` for the backtracking line search.
    xtol : float
        Converged when the Newton step is below ``xtol * (1 + |z|)`` in every
        coordinate, or the predicted gain ``g^T d / 2`` is at rounding level.

    Returns
    -------
    SolverResult
        ``x`` the maximiser, ``fun`` the maximum, and how the solve ended.

    Notes
    -----
    The step solves ``(-H + lam I) d = g``. ``lam = 0`` (a pure Newton step) when
    ``-H`` is positive definite; otherwise ``lam`` is raised until it is (a
    Levenberg-Marquardt step towards gradient ascent). Each step is halved until
    the function does not decrease, so every iterate improves on the last.
    """
    fval = f_only if f_only is not None else (lambda z: fgh(z)[0])
    z = np.array(z0, dtype=float)
    f, g, h = fgh(z)
    if not np.isfinite(f):
        return SolverResult(z, -float(f), False, "failed", "objective not finite at the start", 0)
    k = z.shape[0]
    eye = np.eye(k)
    for it in range(1, maxiter + 1):
        if not (np.all(np.isfinite(g)) and np.all(np.isfinite(h))):
            return SolverResult(
                z, float(f), False, "failed", "gradient or Hessian not finite", it - 1
            )
        a = -h
        scale = max(float(np.max(np.abs(np.diag(a)))), 1e-300)
        lam = 0.0
        d = None
        for _ in range(60):
            try:
                c = np.linalg.cholesky(a + lam * eye)
                d = np.linalg.solve(c.T, np.linalg.solve(c, g))
                break
            except np.linalg.LinAlgError:
                lam = max(lam * 10.0, 1e-10 * scale)
        if d is None:
            return SolverResult(z, float(f), False, "failed", "Hessian is not usable", it - 1)
        gain = float(g @ d)
        if np.all(np.abs(d) <= xtol * (1.0 + np.abs(z))) or gain <= 1e-15 * (1.0 + abs(f)):
            z_new = z + d
            f_new = fval(z_new)
            if np.isfinite(f_new) and f_new >= f:
                z, f = z_new, f_new
            return SolverResult(z, float(f), True, "success", "Newton converged", it)
        step = 1.0
        for _ in range(60):
            z_new = z + step * d
            f_new = fval(z_new)
            if np.isfinite(f_new) and f_new >= f - 1e-12 * abs(f):
                break
            step *= 0.5
        else:
            return SolverResult(
                z, float(f), False, "failed", "line search could not improve the objective", it
            )
        z = z_new
        f, g, h = fgh(z)
    return SolverResult(
        z, float(f), False, "failed", f"no convergence in {maxiter} Newton iterations", maxiter
    )


def newton_1d(
    fun: Callable[[float], tuple[float, float]],
    x0: float,
    *,
    lower: float = -np.inf,
    upper: float = np.inf,
    xtol: float = 1e-12,
    maxiter: int = 100,
) -> tuple[float, bool, str, int]:
    """Root of a decreasing function by safeguarded Newton (bisection fallback).

    ``fun(x) -> (value, derivative)``; the root is kept bracketed once a sign
    change has been seen. Returns ``(root, converged, message, iterations)``.
    """
    x = float(x0)
    lo, hi = float(lower), float(upper)
    isfinite = math.isfinite
    for it in range(1, maxiter + 1):
        v, dv = fun(x)
        v, dv = float(v), float(dv)
        if not isfinite(v):
            return x, False, "profile equation not finite", it
        if v > 0:
            lo = max(lo, x)
        else:
            hi = min(hi, x)
        if v == 0:
            return x, True, "profile Newton converged", it
        step = -v / dv if dv < 0 and isfinite(dv) else math.nan
        if isfinite(step) and abs(step) <= xtol * (1.0 + abs(x)):
            return x + step, True, "profile Newton converged", it
        x_new = x + step
        if not isfinite(x_new) or x_new <= lo or x_new >= hi:
            if isfinite(lo) and isfinite(hi):
                x_new = 0.5 * (lo + hi)
            elif isfinite(lo):
                x_new = lo + 2.0 * max(abs(lo), 1.0)
            else:
                x_new = hi - 2.0 * max(abs(hi), 1.0)
        if abs(x_new - x) <= xtol * (1.0 + abs(x)):
            return x_new, True, "profile Newton converged", it
        x = x_new
    return x, False, f"no convergence in {maxiter} profile Newton iterations", maxiter


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
