"""Location-scale families from a standard log density: derivatives and the Newton fit.

A location-scale family has ``log f(x) = psi(z) - log s`` with ``z = (x - mu) / s``.
Its score and Hessian over (mu, s) follow from ``psi'`` and ``psi''`` alone:

    d/dmu    = -psi'(z) / s
    d/ds     = -(psi'(z) z + 1) / s
    d2/dmu2  =  psi''(z) / s^2
    d2/dmuds =  (psi''(z) z + psi'(z)) / s^2
    d2/ds2   =  (psi''(z) z^2 + 2 psi'(z) z + 1) / s^2

summed over the observations with their weights. :func:`newton_fit` maximises
the log-likelihood over ``(mu, log s)`` with these analytic derivatives (the
Logistic's fast path; the Gumbel uses its own profile equation).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..optim import SolverResult, newton_maximize

__all__ = ["locscale_grad_hess", "newton_fit"]

#: ``(z, derivatives) -> (psi(z), psi'(z), psi''(z))`` of a standard density (the
#: derivatives may be None when not asked for)
Psi = Callable[[NDArray[np.float64], bool], tuple[Any, Any, Any]]


def locscale_grad_hess(
    psi: Psi, x: NDArray[np.float64], w: NDArray[np.float64] | None, mu: float, s: float
) -> tuple[float, NDArray[np.float64], NDArray[np.float64]]:
    """Log-likelihood, score and Hessian over (mu, s) (see the module docstring)."""
    z = (x - mu) / s
    p0, p1, p2 = psi(z, True)

    def tot(v: Any) -> float:
        arr = np.asarray(v, dtype=float)
        return float(np.sum(arr) if w is None else np.dot(w, arr))

    n = float(x.shape[0]) if w is None else float(np.sum(w))
    ll = tot(p0) - n * np.log(s)
    s1, s1z, s2, s2z, s2zz = tot(p1), tot(p1 * z), tot(p2), tot(p2 * z), tot(p2 * z * z)
    g = np.array([-s1 / s, -(s1z + n) / s])
    h_mm = s2 / s**2
    h_ms = (s2z + s1) / s**2
    h_ss = (s2zz + 2.0 * s1z + n) / s**2
    return ll, g, np.array([[h_mm, h_ms], [h_ms, h_ss]])


def newton_fit(
    psi: Psi,
    x: NDArray[np.float64],
    w: NDArray[np.float64] | None,
    mu0: float,
    s0: float,
) -> tuple[dict[str, float], SolverResult]:
    """MLE of (loc, scale) by damped Newton over ``(mu, log s)`` with analytic derivatives.

    The coordinates are centred and scaled by the start (``x' = (x - mu0) / s0``) so
    the Hessian is well conditioned whatever the data's units; the estimate is
    mapped back.
    """
    xs = (x - mu0) / s0

    def fgh(t: NDArray[np.float64]) -> tuple[float, NDArray[np.float64], NDArray[np.float64]]:
        mu, ls = float(t[0]), float(t[1])
        s = float(np.exp(ls))
        ll, g, h = locscale_grad_hess(psi, xs, w, mu, s)
        # chain rule to (mu, log s): d/dls = s d/ds, d2/dls2 = s^2 d2/ds2 + s d/ds
        gz = np.array([g[0], s * g[1]])
        hz = np.array(
            [[h[0, 0], s * h[0, 1]], [s * h[0, 1], s * s * h[1, 1] + s * g[1]]],
        )
        return (ll if np.isfinite(ll) else -np.inf), gz, hz

    n = float(x.shape[0]) if w is None else float(np.sum(w))

    def f_only(t: NDArray[np.float64]) -> float:
        s = float(np.exp(t[1]))
        p0 = psi((xs - float(t[0])) / s, False)[0]
        ll = float(np.sum(p0) if w is None else np.dot(w, p0)) - n * float(t[1])
        return ll if np.isfinite(ll) else -np.inf

    with np.errstate(over="ignore", under="ignore"):
        res = newton_maximize(fgh, np.zeros(2), f_only=f_only)
    mu = mu0 + s0 * float(res.x[0])
    s = s0 * float(np.exp(res.x[1]))
    # the log-likelihood in the data's units: each density is divided by s0
    fun = res.fun - n * np.log(s0)
    out = SolverResult.of(
        np.array([mu, np.log(s)]), fun, res.converged, f"Newton on (loc, log scale): {res.message}",
        res.iterations,
    )  # fmt: skip
    return {"loc": mu, "scale": s}, out
