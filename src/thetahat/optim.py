"""Small solvers that report how they ended instead of failing silently.

:func:`minimize_unconstrained` is the generic last resort: it minimises a smooth
function of parameters mapped to the real line by their domains (log for
positive parameters, logit for probabilities) with scipy's BFGS, and returns a
:class:`SolverResult` with a status and a message. Families with closed forms or
analytic Newton steps never come here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["SolverResult", "minimize_unconstrained", "numeric_hessian"]


@dataclass(frozen=True)
class SolverResult:
    """Outcome of an iterative solve."""

    x: NDArray[np.float64]
    fun: float
    converged: bool
    status: str
    message: str
    iterations: int


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
    fun: Callable[[NDArray[np.float64]], float], x: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Central-difference Hessian of ``fun`` at ``x`` (steps scaled to |x|)."""
    k = x.shape[0]
    h = 1e-4 * np.maximum(np.abs(x), 1e-2)
    hess = np.empty((k, k))
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
