"""Newton's method on one problem: :func:`newton_maximize` (levenberg/eigen damping,
step halving, scalar steps for up to three parameters), :func:`maximize` (with the
BFGS fallback, :func:`minimize_unconstrained`) and :func:`newton_1d` (safeguarded
Newton with bisection for profile equations)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from ._result import GradHess, SolverResult, Status


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
    return SolverResult.of(res.x, float(res.fun), converged, message, int(res.nit))


def newton_maximize(
    fgh: Callable[[NDArray[np.float64]], GradHess],
    z0: NDArray[np.float64],
    *,
    f_only: Callable[[NDArray[np.float64]], float] | None = None,
    damping: str = "levenberg",
    xtol: float = 1e-10,
    tol: float = 1e-15,
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
        Cheaper ``z -> f`` for the backtracking line search (``"levenberg"``).
    damping : {"levenberg", "eigen"}
        How a Hessian that is not negative definite is made usable (see Notes).
    xtol : float
        ``"levenberg"``: converged when the Newton step is below ``xtol * (1 + |z|)``
        in every coordinate.
    tol : float
        Converged when the predicted gain (the Newton decrement ``g^T d``, halved
        for ``"eigen"``) is below ``tol * (1 + |f|)``.
    maxiter : int

    Returns
    -------
    SolverResult
        ``x`` the maximiser, ``fun`` the maximum, ``hessian`` the Hessian there,
        and how the solve ended.

    Notes
    -----
    ``"levenberg"``: the step solves ``(-H + lam I) d = g``; ``lam = 0`` (a pure
    Newton step) when ``-H`` is positive definite, otherwise ``lam`` is raised
    until it is (towards gradient ascent). ``"eigen"``: with ``-H = V W V^T`` the
    step is ``V |W|^-1 V^T g`` (eigenvalues reflected and floored), which still
    ascends; converged only where ``-H`` is positive definite. Either way each
    step is halved until the function does not decrease, so every iterate
    improves on the last.
    """
    if damping not in ("levenberg", "eigen"):
        raise ValueError(f"damping must be 'levenberg' or 'eigen', got {damping!r}")
    eigen = damping == "eigen"
    z = np.array(z0, dtype=float)
    f, g, h = fgh(z)
    if not np.isfinite(f):
        return SolverResult.failed(z, -float(f), "objective not finite at the start")
    k = z.shape[0]
    eye = np.eye(k)
    # small systems (most fits: two or three parameters) step in Python floats: numpy's
    # per-call overhead would be most of the cost of such a step
    small = k <= _SMALL and not eigen
    for it in range(1, maxiter + 1):
        if small:
            found = _small_step(g, h, z, xtol)
            if found is None:
                return SolverResult.failed(z, f, "gradient or Hessian not finite", it - 1)
            d, gain, tiny = found
            if d is None:
                return SolverResult.failed(z, f, "Hessian is not usable", it - 1)
        else:
            if not (np.all(np.isfinite(g)) and np.all(np.isfinite(h))):
                return SolverResult.failed(z, f, "gradient or Hessian not finite", it - 1)
            d = _eigen_step(g, h) if eigen else _levenberg_step(g, h, eye)
            if d is None:
                return SolverResult.failed(z, f, "Hessian is not usable", it - 1)
            gain = float(g @ d)
            tiny = eigen or bool(np.all(np.abs(d) <= xtol * (1.0 + np.abs(z))))
        if eigen:
            if 0.5 * gain < tol * (1.0 + abs(f)) and _negative_definite(h):
                return _converged(z, f, h, it - 1)
        elif tiny or gain <= tol * (1.0 + abs(f)):
            z_new = z + d
            f_new = (f_only or (lambda v: fgh(v)[0]))(z_new)
            # the last step is below the objective's rounding: taken unless it is worse
            # by more than that (the line search's slack)
            if np.isfinite(f_new) and f_new >= f - 1e-12 * abs(f):
                z, f = z_new, f_new
            return _converged(z, f, h, it)
        step = 1.0
        for _ in range(60):
            z_new = z + step * d
            # a trial point that overflows is a rejected step, not an error
            with np.errstate(over="ignore", invalid="ignore"):
                if f_only is not None:
                    f_new = f_only(z_new)
                else:
                    f_new, g_new, h_new = fgh(z_new)
                ok = bool(np.isfinite(f_new) and f_new >= f - 1e-12 * abs(f))
                if ok and f_only is None:
                    ok = bool(np.all(np.isfinite(g_new)) and np.all(np.isfinite(h_new)))
            if ok:
                break
            step *= 0.5
        else:
            return SolverResult.failed(z, f, "line search could not improve the objective", it)
        moved = float(np.max(np.abs(z_new - z))) if eigen and k else 0.0
        z = z_new
        if f_only is not None:
            f, g, h = fgh(z)
        else:
            f, g, h = f_new, g_new, h_new
        if eigen and moved < 1e-14 * (1.0 + float(np.max(np.abs(z)))):
            if _negative_definite(h):
                return _converged(z, f, h, it)
            return SolverResult.failed(z, f, "stalled where the Hessian is not definite", it)
    return SolverResult.failed(z, f, f"no convergence in {maxiter} Newton iterations", maxiter)


def _converged(z: NDArray[np.float64], f: float, h: NDArray[np.float64], it: int) -> SolverResult:
    return SolverResult(z, float(f), True, Status.SUCCESS, "Newton converged", it, hessian=h)


def _negative_definite(h: NDArray[np.float64]) -> bool:
    return bool(np.all(np.linalg.eigvalsh(-h) > 0))


def _levenberg_step(
    g: NDArray[np.float64], h: NDArray[np.float64], eye: NDArray[np.float64]
) -> NDArray[np.float64] | None:
    a = -h
    scale = max(float(np.max(np.abs(np.diag(a)))), 1e-300) if a.size else 1.0
    lam = 0.0
    for _ in range(60):
        try:
            c = np.linalg.cholesky(a + lam * eye)
            return np.asarray(np.linalg.solve(c.T, np.linalg.solve(c, g)))
        except np.linalg.LinAlgError:
            lam = max(lam * 10.0, 1e-10 * scale)
    return None


#: systems up to this size are solved in Python floats (LAPACK's call overhead, about
#: 20 us for a 3x3 Cholesky and two solves, is most of a small fit's Newton step)
_SMALL = 3


def _small_step(
    g: NDArray[np.float64], h: NDArray[np.float64], z: NDArray[np.float64], xtol: float
) -> tuple[NDArray[np.float64] | None, float, bool] | None:
    """The Levenberg step for k <= 3 in Python floats (the same ``lam`` sequence as
    :func:`_levenberg_step`, Cholesky by hand): ``(d, g^T d, |d| <= xtol (1 + |z|))``,
    ``d`` None when no ``lam`` makes the system positive definite; None when ``g`` or
    ``H`` is not finite."""
    isfinite = math.isfinite
    gl = g.tolist()
    a = [[-v for v in row] for row in h.tolist()]
    # one sum is finite when every term is (an overflowing sum is checked term by term)
    if not isfinite(sum(gl) + sum(map(sum, a))) and not (
        all(isfinite(v) for v in gl) and all(isfinite(v) for row in a for v in row)
    ):
        return None
    k = len(gl)
    if k == 0:
        return np.zeros(0), 0.0, True
    scale = max(max(abs(a[i][i]) for i in range(k)), 1e-300)
    lam = 0.0
    for _ in range(60):
        d = _cholesky_solve(a, gl, lam)
        if d is not None:
            gain = sum(gi * di for gi, di in zip(gl, d, strict=True))
            tiny = all(
                abs(di) <= xtol * (1.0 + abs(zi)) for di, zi in zip(d, z.tolist(), strict=True)
            )
            return np.array(d), gain, tiny
        lam = max(lam * 10.0, 1e-10 * scale)
    return None, 0.0, False


def _cholesky_solve(a: list[list[float]], g: list[float], lam: float) -> list[float] | None:
    """Solve ``(a + lam I) d = g`` by Cholesky (lower triangle of ``a``); None when
    ``a + lam I`` is not positive definite."""
    k = len(g)
    if k == 1:
        p = a[0][0] + lam
        return [g[0] / p] if p > 0.0 else None
    if k == 2:  # the same factorisation, written out
        p = a[0][0] + lam
        if not p > 0.0:
            return None
        b = a[1][0]
        q = a[1][1] + lam - b * b / p
        if not q > 0.0:
            return None
        d1 = (g[1] - b * g[0] / p) / q
        return [(g[0] - b * d1) / p, d1]
    low = [[0.0] * k for _ in range(k)]
    for i in range(k):
        for j in range(i + 1):
            s = a[i][j] + (lam if i == j else 0.0)
            for m in range(j):
                s -= low[i][m] * low[j][m]
            if i == j:
                if not s > 0.0:  # also NaN
                    return None
                low[i][i] = math.sqrt(s)
            else:
                low[i][j] = s / low[j][j]
    y = [0.0] * k
    for i in range(k):
        s = g[i]
        for m in range(i):
            s -= low[i][m] * y[m]
        y[i] = s / low[i][i]
    d = [0.0] * k
    for i in range(k - 1, -1, -1):
        s = y[i]
        for m in range(i + 1, k):
            s -= low[m][i] * d[m]
        d[i] = s / low[i][i]
    return d


def _eigen_step(g: NDArray[np.float64], h: NDArray[np.float64]) -> NDArray[np.float64]:
    w, vecs = np.linalg.eigh(-h)
    floor = 1e-12 * max(1.0, float(np.max(np.abs(w))))
    return np.asarray(vecs @ ((vecs.T @ g) / np.maximum(np.abs(w), floor)))


def maximize(
    fgh: Callable[[NDArray[np.float64]], GradHess],
    z0: NDArray[np.float64],
    *,
    f_only: Callable[[NDArray[np.float64]], float],
) -> SolverResult:
    """Newton from ``z0`` with its explicit fallback.

    If Newton fails: scipy's BFGS on ``f_only`` from where Newton stopped, then
    Newton again from BFGS's end point (BFGS stops on a loose gradient test).
    The message says which path found the answer.
    """
    res = newton_maximize(fgh, z0, f_only=f_only)
    if res.converged:
        return res
    fallback = minimize_unconstrained(
        lambda z: -f_only(z), res.x if np.all(np.isfinite(res.x)) else z0
    )
    if not (fallback.converged and -fallback.fun >= res.fun - 1e-9 * abs(res.fun)):
        return res
    its = res.iterations + fallback.iterations
    polished = newton_maximize(fgh, fallback.x, f_only=f_only)
    if polished.converged and polished.fun >= -fallback.fun:
        return SolverResult.done(
            polished.x,
            polished.fun,
            f"Newton converged from BFGS's end point (Newton from the start: {res.message})",
            its + polished.iterations,
        )
    return SolverResult.done(
        fallback.x,
        -fallback.fun,
        f"BFGS fallback after Newton failed ({res.message}): {fallback.message}",
        its,
    )


def newton_1d(
    fun: Callable[[float], tuple[float, float]],
    x0: float,
    *,
    lower: float = -np.inf,
    upper: float = np.inf,
    xtol: float = 1e-12,
    maxiter: int = 100,
) -> SolverResult:
    """Root of a decreasing function by safeguarded Newton (bisection fallback).

    ``fun(x) -> (value, derivative)``; the root is kept bracketed once a sign
    change has been seen. Returns a :class:`SolverResult` whose ``x`` holds the
    root and whose ``fun`` is NaN (the caller knows its objective there).
    """
    x = float(x0)
    lo, hi = float(lower), float(upper)
    isfinite = math.isfinite

    def ok(root: float, it: int) -> SolverResult:
        return SolverResult.done(np.array([root]), math.nan, "profile Newton converged", it)

    for it in range(1, maxiter + 1):
        v, dv = fun(x)
        v, dv = float(v), float(dv)
        if not isfinite(v):
            return SolverResult.failed(np.array([x]), math.nan, "profile equation not finite", it)
        if v > 0:
            lo = max(lo, x)
        else:
            hi = min(hi, x)
        if v == 0:
            return ok(x, it)
        step = -v / dv if dv < 0 and isfinite(dv) else math.nan
        if isfinite(step) and abs(step) <= xtol * (1.0 + abs(x)):
            return ok(x + step, it)
        x_new = x + step
        if not isfinite(x_new) or x_new <= lo or x_new >= hi:
            if isfinite(lo) and isfinite(hi):
                x_new = 0.5 * (lo + hi)
            elif isfinite(lo):
                x_new = lo + 2.0 * max(abs(lo), 1.0)
            else:
                x_new = hi - 2.0 * max(abs(hi), 1.0)
        if abs(x_new - x) <= xtol * (1.0 + abs(x)):
            return ok(x_new, it)
        x = x_new
    msg = f"no convergence in {maxiter} profile Newton iterations"
    return SolverResult.failed(np.array([x]), math.nan, msg, maxiter)
