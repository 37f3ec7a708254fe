"""The solver: one Newton skeleton, one typed result with a status.

Every iterative fit in thetahat ends in a :class:`SolverResult`: the point,
the value, a :class:`Status` (``success``, ``boundary`` or ``failed``), a
message saying how it ended, and the iteration count (the optimistix /
scikit-learn convention: a solve that did not converge says so, it never
reports success).

* :func:`newton_maximize` maximises a smooth function from its value, gradient
  and Hessian, with the two damping modes the fits need: ``"levenberg"``
  (raise ``lam`` in ``(-H + lam I) d = g`` until it is positive definite: the
  generic MLE/MAP solve) and ``"eigen"`` (reflect the Hessian's eigenvalues: a
  modified Newton step that still ascends, for the empirical-Bayes marginal
  likelihoods); each step is halved until the function does not decrease.
* :func:`maximize` is Newton with its explicit fallback: scipy's BFGS when
  Newton fails, polished by Newton from BFGS's end point.
* :func:`newton_1d` finds the root of a decreasing function (a profile score
  equation) by safeguarded Newton with bisection.
* :func:`invert_information` turns an information matrix into a covariance
  (``inf`` everywhere when it is singular).

* :func:`newton_batch`, :func:`newton_1d_batch` and
  :func:`invert_information_batch` are the same three vectorised over many
  independent problems (one per group of a ``by=`` fit), ending in one
  :class:`BatchResult` with a status and message per row.

Families with closed forms never come here; families with a one-dimensional
profile equation (Gamma shape, Weibull shape, negative-binomial ``r``) use
:func:`newton_1d`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "BatchResult",
    "SolverResult",
    "Status",
    "domain_derivatives",
    "fd_grad_hess",
    "invert_information",
    "invert_information_batch",
    "maximize",
    "minimize_unconstrained",
    "newton_1d",
    "newton_1d_batch",
    "newton_batch",
    "newton_maximize",
    "numeric_hessian",
]

GradHess = tuple[float, NDArray[np.float64], NDArray[np.float64]]


class Status(StrEnum):
    """How a fit ended. A ``str``: ``status == "success"`` holds for the member."""

    #: converged to an interior optimum
    SUCCESS = "success"
    #: the optimum sits on the boundary of the parameter space (or does not exist
    #: inside it): the value is the supremum, its standard error is infinite
    BOUNDARY = "boundary"
    #: the solve did not converge, or produced no usable value
    FAILED = "failed"


@dataclass(frozen=True)
class SolverResult:
    """Outcome of an iterative solve.

    ``status`` is coerced to :class:`Status` and kept honest: a result that did
    not converge, or whose point holds a NaN, is never ``success`` or
    ``boundary`` (it becomes ``failed``). ``hessian`` is the Hessian at ``x``
    where the solver had it.
    """

    x: NDArray[np.float64]
    fun: float
    converged: bool
    status: Status
    message: str
    iterations: int
    hessian: NDArray[np.float64] | None = None
    #: parameters whose supremum lies at the edge of their domain (status "boundary")
    edge: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        status = self.status if type(self.status) is Status else Status(self.status)
        if status is not Status.FAILED:
            x = np.asarray(self.x, dtype=float)
            # a boundary result may come with converged=False (no maximum inside the
            # space), but never with NaN
            if (x.size and bool(np.isnan(x).any())) or (
                status is Status.SUCCESS and not self.converged
            ):
                status = Status.FAILED
        object.__setattr__(self, "status", status)
        if status is Status.FAILED and self.converged:
            object.__setattr__(self, "converged", False)

    @classmethod
    def done(cls, x: Any, fun: float, message: str, iterations: int = 0) -> SolverResult:
        """A converged result (``success``)."""
        return cls(
            np.asarray(x, dtype=float), float(fun), True, Status.SUCCESS, message, iterations
        )

    @classmethod
    def failed(cls, x: Any, fun: float, message: str, iterations: int = 0) -> SolverResult:
        """A result that did not converge (``failed``)."""
        return cls(
            np.asarray(x, dtype=float), float(fun), False, Status.FAILED, message, iterations
        )

    @classmethod
    def boundary(cls, x: Any, fun: float, message: str, iterations: int = 0) -> SolverResult:
        """The supremum is on the boundary of the parameter space (no interior maximum)."""
        x_arr = np.asarray(x, dtype=float)
        return cls(x_arr, float(fun), False, Status.BOUNDARY, message, iterations)

    @classmethod
    def of(cls, x: Any, fun: float, converged: bool, message: str, iterations: int) -> SolverResult:
        """``success`` or ``failed`` by ``converged``."""
        status = Status.SUCCESS if converged else Status.FAILED
        return cls(np.asarray(x, dtype=float), float(fun), converged, status, message, iterations)


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


def invert_information(
    info: NDArray[np.float64], *, rcond: float | None = None
) -> NDArray[np.float64]:
    """Inverse of an information matrix; ``inf`` everywhere when it is singular.

    Singular means: not finite, not invertible, or an inverse with a
    non-positive variance. With ``rcond`` the matrix must also be positive
    definite with its smallest eigenvalue above ``rcond`` times the largest
    (the empirical-Bayes fits, whose information can be near-singular at
    complete pooling). Matrices up to 3x3 are inverted in scalar arithmetic
    (the adjugate over the determinant, without LAPACK's call overhead).
    """
    if type(info) is not np.ndarray or info.dtype != np.float64:
        info = np.asarray(info, dtype=float)
    if rcond is None and info.shape in _SMALL_SHAPES:
        return _invert_small(info)
    if info.size == 0:
        return info
    bad = np.full(info.shape, np.inf)
    if not np.all(np.isfinite(info)):
        return bad
    if rcond is not None:
        try:
            w = np.linalg.eigvalsh(info)
        except np.linalg.LinAlgError:
            return bad
        if not (np.all(w > 0) and w[0] > rcond * w[-1]):
            return bad
    if info.shape in _SMALL_SHAPES:
        return _invert_small(info)
    try:
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        return bad
    if np.any(np.diag(cov) <= 0) or not np.all(np.isfinite(cov)):
        return bad
    return np.asarray(cov)


_SMALL_SHAPES = ((1, 1), (2, 2), (3, 3))
#: the singular answer of each small size (copied out: callers may write into it)
_SINGULAR = tuple(np.full((k, k), np.inf) for k in (1, 2, 3))


def _invert_small(info: NDArray[np.float64]) -> NDArray[np.float64]:
    """Up to 3x3 (finite or not): the adjugate over the determinant in Python floats;
    ``inf`` everywhere when singular, not finite, or a variance is not positive."""
    k = info.shape[0]
    m = info.tolist()
    isfinite = math.isfinite
    bad = _SINGULAR[k - 1]
    if not all(isfinite(v) for row in m for v in row):
        return bad.copy()
    if k == 1:
        a = m[0][0]
        return np.array([[1.0 / a]]) if a > 0 else bad.copy()
    if k == 2:  # spelled out: the most common size (two-parameter families)
        (a, b), (c, d) = m
        det = a * d - b * c
        if not (det != 0 and isfinite(det)):
            return bad.copy()
        v00, v01, v10, v11 = d / det, -b / det, -c / det, a / det
        ok = v00 > 0 and v11 > 0 and isfinite(v00) and isfinite(v11)
        if not (ok and isfinite(v01) and isfinite(v10)):
            return bad.copy()
        return np.array([[v00, v01], [v10, v11]])
    else:
        (a, b, c), (d, e, f), (g, h, i) = m
        adj = [
            [e * i - f * h, c * h - b * i, b * f - c * e],
            [f * g - d * i, a * i - c * g, c * d - a * f],
            [d * h - e * g, b * g - a * h, a * e - b * d],
        ]
        det = a * adj[0][0] + b * adj[1][0] + c * adj[2][0]
    if not (det != 0 and isfinite(det)):
        return bad.copy()
    cov = [[v / det for v in row] for row in adj]
    if not all(cov[j][j] > 0 for j in range(k)) or not all(isfinite(v) for row in cov for v in row):
        return bad.copy()
    return np.array(cov)


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


# ---------------------------------------------------------------------- many solves at once
@dataclass(frozen=True)
class BatchResult:
    """Outcome of many independent solves run together (one per group).

    The batched counterpart of :class:`SolverResult`: one row per solve, each
    with its own :class:`Status` and message, kept honest the same way (a row
    that did not converge, or whose point holds a NaN, is ``failed``). Row ``i``
    as a :class:`SolverResult` is ``result[i]``.

    Attributes
    ----------
    x : ndarray, shape (m, k)
        Each solve's point.
    fun : ndarray, shape (m,)
        Each solve's objective value (NaN where the caller computes it).
    converged : ndarray of bool, shape (m,)
    status : ndarray of str, shape (m,)
        Each row's :class:`Status` value (``"success"``, ``"boundary"``, ``"failed"``;
        compare with the members: ``res.status == Status.SUCCESS``).
    message : ndarray of str, shape (m,)
    iterations : ndarray of int, shape (m,)

    Examples
    --------
    >>> import numpy as np
    >>> r = BatchResult.of(np.array([[1.0], [np.nan]]), np.zeros(2), np.array([True, True]),
    ...                    "Newton converged", np.array([3, 4]))
    >>> [str(s) for s in r.status]
    ['success', 'failed']
    >>> r[0].status, len(r)
    (<Status.SUCCESS: 'success'>, 2)
    """

    x: NDArray[np.float64]
    fun: NDArray[np.float64]
    converged: NDArray[np.bool_]
    status: NDArray[np.str_]
    message: NDArray[np.object_]
    iterations: NDArray[np.int64]

    def __post_init__(self) -> None:
        x = np.asarray(self.x, dtype=float).reshape(len(self.fun), -1)
        status = np.asarray(self.status).astype("<U8")
        if not np.isin(status, _STATUS_VALUES).all():
            raise ValueError(f"unknown status values {sorted(set(status.tolist()))}")
        nan = np.isnan(x).any(axis=1) if x.size else np.zeros(len(status), dtype=bool)
        conv = np.asarray(self.converged, dtype=bool)
        bad = (status != Status.FAILED) & (nan | ((status == Status.SUCCESS) & ~conv))
        status[bad] = Status.FAILED
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "status", status)
        object.__setattr__(self, "converged", conv & (status != Status.FAILED))
        object.__setattr__(self, "message", np.asarray(self.message, dtype=object))
        object.__setattr__(self, "iterations", np.asarray(self.iterations, dtype=np.int64))

    @classmethod
    def of(
        cls,
        x: NDArray[np.float64],
        fun: NDArray[np.float64],
        converged: NDArray[np.bool_],
        message: Any,
        iterations: Any = 0,
    ) -> BatchResult:
        """``success`` or ``failed`` by ``converged``, row by row (``message`` one string
        for all rows or one per row)."""
        conv = np.asarray(converged, dtype=bool)
        m = conv.shape[0]
        status = np.where(conv, Status.SUCCESS.value, Status.FAILED.value)
        msg = np.broadcast_to(np.asarray(message, dtype=object), (m,)).copy()
        its = np.broadcast_to(np.asarray(iterations), (m,)).copy()
        return cls(np.asarray(x, dtype=float), np.asarray(fun, dtype=float), conv, status, msg, its)

    def __len__(self) -> int:
        return int(self.fun.shape[0])

    def __getitem__(self, i: int) -> SolverResult:
        return SolverResult(
            self.x[i], float(self.fun[i]), bool(self.converged[i]), Status(self.status[i]),
            str(self.message[i]), int(self.iterations[i]),
        )  # fmt: skip

    def where(self, rows: NDArray[np.bool_], other: BatchResult) -> BatchResult:
        """This result with ``other``'s rows where ``rows`` holds (same length)."""
        pick = np.asarray(rows, dtype=bool)

        def mix(a: Any, b: Any) -> Any:
            a, b = np.asarray(a), np.asarray(b)
            shape = pick.reshape((-1,) + (1,) * (a.ndim - 1))
            return np.where(shape, b, a)

        return BatchResult(
            mix(self.x, other.x), mix(self.fun, other.fun), mix(self.converged, other.converged),
            mix(self.status, other.status), mix(self.message, other.message),
            mix(self.iterations, other.iterations),
        )  # fmt: skip


_STATUS_VALUES = np.array([s.value for s in Status])

BatchGradHess = tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]


def newton_batch(
    fgh: Callable[[NDArray[np.float64], NDArray[np.intp]], BatchGradHess],
    z0: NDArray[np.float64],
    *,
    f_only: Callable[[NDArray[np.float64], NDArray[np.intp]], NDArray[np.float64]],
    xtol: float = 1e-10,
    tol: float = 1e-15,
    maxiter: int = 100,
) -> BatchResult:
    """Maximise many independent smooth functions at once (one per row of ``z0``).

    :func:`newton_maximize`'s ``"levenberg"`` Newton, vectorised over the rows:
    every iteration updates every row that has not converged, each with its own
    damping and its own step halving (the objective never decreases in a row).

    Parameters
    ----------
    fgh : callable
        ``(z, rows) -> (f, g, H)`` for the rows ``rows`` (indices into ``z0``) at
        the points ``z`` (shape ``(len(rows), k)``): values ``(len(rows),)``,
        gradients ``(len(rows), k)`` and Hessians ``(len(rows), k, k)``.
    z0 : ndarray, shape (m, k)
        Starting points.
    f_only : callable
        ``(z, rows) -> f``: the values alone, for the step halving (-inf or NaN
        outside the domain: a rejected step).
    xtol, tol, maxiter
        As in :func:`newton_maximize`, per row.

    Returns
    -------
    BatchResult
        Each row's maximiser, maximum, status and message.

    Notes
    -----
    With ``A = -H``: ``lam = 0`` where ``A`` is positive definite, else the first
    of ``1e-10 s, 1e-9 s, ...`` (``s`` the largest diagonal entry of ``A``) that
    makes ``A + lam I`` positive definite; the step solves ``(A + lam I) d = g``.
    A row has converged when its step is below ``xtol (1 + |z|)`` or its predicted
    gain ``g^T d`` below ``tol (1 + |f|)``.

    Examples
    --------
    >>> import numpy as np
    >>> c = np.array([1.0, -2.0, 3.0])  # maximise -(z - c)^4 - (z - c)^2 row by row
    >>> def fgh(z, rows):
    ...     d = z[:, 0] - c[rows]
    ...     return -d**4 - d**2, (-4 * d**3 - 2 * d)[:, None], (-12 * d**2 - 2)[:, None, None]
    >>> r = newton_batch(fgh, np.zeros((3, 1)), f_only=lambda z, rows: fgh(z, rows)[0])
    >>> np.round(r.x[:, 0], 10).tolist(), [str(s) for s in r.status]
    ([1.0, -2.0, 3.0], ['success', 'success', 'success'])
    """
    z = np.array(z0, dtype=float)
    m, k = z.shape
    fun = np.full(m, np.nan)
    conv = np.zeros(m, dtype=bool)
    its = np.zeros(m, dtype=np.int64)
    msg = np.full(m, f"no convergence in {maxiter} Newton iterations", dtype=object)
    rows = np.arange(m, dtype=np.intp)
    with np.errstate(all="ignore"):
        f, g, h = fgh(z, rows)
    fun[:] = f
    start_bad: NDArray[np.bool_] = ~np.isfinite(f)
    msg[start_bad] = "objective not finite at the start"
    live = ~start_bad
    rows, f, g, h = rows[live], f[live], g[live], h[live]
    eye = np.eye(k)
    for it in range(1, maxiter + 1):
        if rows.size == 0:
            break
        zr = z[rows]
        finite = np.asarray(np.isfinite(g).all(axis=1) & np.isfinite(h).all(axis=(1, 2)))
        a = -np.where(finite[:, None, None], h, -eye)
        gg = np.where(finite[:, None], g, 0.0)
        with np.errstate(all="ignore"):
            wmin = np.linalg.eigvalsh(a)[:, 0]
            scale = np.maximum(np.abs(np.diagonal(a, axis1=1, axis2=2)).max(axis=1), 1e-300)
            # the first of 1e-10 s, 1e-9 s, ... above -wmin (scale s), as newton_maximize
            j = np.ceil(np.log10(np.maximum(-wmin, 1e-300) / (1e-10 * scale)) + 1e-12)
            lam = np.where(wmin > 0, 0.0, 1e-10 * scale * 10.0 ** np.clip(j, 0.0, 60.0))
            d = np.linalg.solve(a + lam[:, None, None] * eye, gg[:, :, None])[:, :, 0]
        usable = finite & np.isfinite(d).all(axis=1)
        gain = np.einsum("ij,ij->i", gg, d)
        tiny = (np.abs(d) <= xtol * (1.0 + np.abs(zr))).all(axis=1)
        tiny |= gain <= tol * (1.0 + np.abs(f))
        last = usable & tiny
        # rows ending here: the last step is taken unless it is worse beyond rounding
        if last.any():
            zl = zr[last] + d[last]
            with np.errstate(all="ignore"):
                fl = f_only(zl, rows[last])
            take = np.isfinite(fl) & (fl >= f[last] - 1e-12 * np.abs(f[last]))
            idx = rows[last]
            z[idx] = np.where(take[:, None], zl, zr[last])
            fun[idx] = np.where(take, fl, f[last])
            conv[idx], its[idx], msg[idx] = True, it, "Newton converged"
        failed = ~usable
        if failed.any():
            idx = rows[failed]
            its[idx] = it - 1
            msg[idx] = np.where(finite[failed], "Hessian is not usable",
                                "gradient or Hessian not finite")  # fmt: skip
        move = usable & ~tiny
        rows_m, z_m, d_m, f_m = rows[move], zr[move], d[move], f[move]
        step = np.ones(rows_m.shape[0])
        pending = np.ones(rows_m.shape[0], dtype=bool)
        f_new = np.full(rows_m.shape[0], -np.inf)
        for _ in range(60):
            if not pending.any():
                break
            with np.errstate(all="ignore"):
                trial = f_only(z_m[pending] + step[pending, None] * d_m[pending], rows_m[pending])
            ok = np.isfinite(trial) & (trial >= f_m[pending] - 1e-12 * np.abs(f_m[pending]))
            at = np.flatnonzero(pending)
            f_new[at[ok]] = trial[ok]
            pending[at[ok]] = False
            step[at[~ok]] *= 0.5
        stuck: NDArray[np.bool_] = pending
        if stuck.any():
            idx = rows_m[stuck]
            its[idx], msg[idx] = it, "line search could not improve the objective"
            fun[idx] = f_m[stuck]
        moved = ~stuck
        idx = rows_m[moved]
        z[idx] = z_m[moved] + step[moved, None] * d_m[moved]
        its[idx] = it
        with np.errstate(all="ignore"):
            f, g, h = fgh(z[idx], idx)
        fun[idx] = f
        rows = idx
    return BatchResult.of(z, fun, conv, msg, its)


def newton_1d_batch(
    fun: Callable[[NDArray[np.float64], NDArray[np.intp]], tuple[Any, Any]],
    x0: NDArray[np.float64],
    *,
    lower: Any = -np.inf,
    upper: Any = np.inf,
    xtol: float = 1e-12,
    maxiter: int = 100,
) -> BatchResult:
    """Roots of many decreasing functions at once: :func:`newton_1d` vectorised.

    ``fun(x, rows) -> (value, derivative)`` for the rows ``rows`` (indices into
    ``x0``) at the points ``x``. Every row keeps its own bracket once it has seen
    a sign change, and falls back to bisection (or doubling outwards) where a
    Newton step leaves it. ``fun`` of the result is NaN (the caller knows its
    objective at the roots).

    Examples
    --------
    >>> import numpy as np
    >>> c = np.array([0.5, 2.0, 10.0])
    >>> r = newton_1d_batch(lambda x, rows: (c[rows] - x**3, -3 * x**2), np.ones(3))
    >>> np.round(r.x[:, 0] ** 3, 12).tolist(), bool(r.converged.all())
    ([0.5, 2.0, 10.0], True)
    """
    x = np.array(x0, dtype=float).reshape(-1)
    m = x.shape[0]
    lo = np.broadcast_to(np.asarray(lower, dtype=float), (m,)).copy()
    hi = np.broadcast_to(np.asarray(upper, dtype=float), (m,)).copy()
    root = x.copy()
    conv = np.zeros(m, dtype=bool)
    its = np.zeros(m, dtype=np.int64)
    msg = np.full(m, f"no convergence in {maxiter} profile Newton iterations", dtype=object)
    rows = np.arange(m, dtype=np.intp)
    for it in range(1, maxiter + 1):
        if rows.size == 0:
            break
        xr = x[rows]
        with np.errstate(all="ignore"):
            v, dv = fun(xr, rows)
        v = np.broadcast_to(np.asarray(v, dtype=float), xr.shape)
        dv = np.broadcast_to(np.asarray(dv, dtype=float), xr.shape)
        its[rows] = it
        bad = ~np.isfinite(v)
        msg[rows[bad]] = "profile equation not finite"
        root[rows[bad]] = xr[bad]
        lo[rows] = np.where(v > 0, np.maximum(lo[rows], xr), lo[rows])
        hi[rows] = np.where(v <= 0, np.minimum(hi[rows], xr), hi[rows])
        with np.errstate(all="ignore"):
            step = np.where((dv < 0) & np.isfinite(dv), -v / dv, np.nan)
            small = np.isfinite(step) & (np.abs(step) <= xtol * (1.0 + np.abs(xr)))
            x_new = xr + step
            lor, hir = lo[rows], hi[rows]
            out = ~np.isfinite(x_new) | (x_new <= lor) | (x_new >= hir)
            both = np.isfinite(lor) & np.isfinite(hir)
            alt = np.where(both, 0.5 * (lor + hir), np.where(
                np.isfinite(lor), lor + 2.0 * np.maximum(np.abs(lor), 1.0),
                hir - 2.0 * np.maximum(np.abs(hir), 1.0)))  # fmt: skip
            x_new = np.where(out, alt, x_new)
            close = np.abs(x_new - xr) <= xtol * (1.0 + np.abs(xr))
        zero = (v == 0) & ~bad
        done_at = np.where(zero, xr, np.where(small, xr + step, x_new))
        done = ~bad & (zero | small | close)
        root[rows[done]] = done_at[done]
        conv[rows[done]] = True
        msg[rows[done]] = "profile Newton converged"
        keep = ~bad & ~done
        x[rows[keep]] = x_new[keep]
        root[rows[keep]] = x_new[keep]
        rows = rows[keep]
    return BatchResult.of(root[:, None], np.full(m, np.nan), conv, msg, its)


def invert_information_batch(info: NDArray[np.float64]) -> NDArray[np.float64]:
    """:func:`invert_information` of a stack of information matrices ``(m, k, k)``:
    each one's inverse, ``inf`` everywhere in a row that is singular (not finite,
    not invertible, or with a variance that is not positive).

    Examples
    --------
    >>> import numpy as np
    >>> info = np.array([[[4.0, 0.0], [0.0, 2.0]], [[1.0, 1.0], [1.0, 1.0]]])
    >>> (invert_information_batch(info) + 0.0).tolist()  # (+ 0.0: no signed zeros)
    [[[0.25, 0.0], [0.0, 0.5]], [[inf, inf], [inf, inf]]]
    """
    info = np.asarray(info, dtype=float)
    m, k = info.shape[0], info.shape[-1]
    out = np.full(info.shape, np.inf)
    finite = np.asarray(np.isfinite(info).all(axis=(1, 2)))
    with np.errstate(all="ignore"):
        if k == 1:
            cov = 1.0 / info
            det = info[:, 0, 0]
        elif k == 2:  # the adjugate over the determinant, as invert_information
            a, b, c, d = info[:, 0, 0], info[:, 0, 1], info[:, 1, 0], info[:, 1, 1]
            det = a * d - b * c
            cov = np.stack([np.stack([d, -b], -1), np.stack([-c, a], -1)], -2) / det[:, None, None]
        else:
            det = np.linalg.det(np.where(finite[:, None, None], info, np.eye(k)))
            safe = np.where((finite & (det != 0))[:, None, None], info, np.eye(k))
            cov = np.linalg.inv(safe)
    diag = np.diagonal(cov, axis1=1, axis2=2)
    ok = finite & (det != 0) & np.isfinite(det) & (diag > 0).all(axis=1)
    ok &= np.isfinite(cov).all(axis=(1, 2))
    out[ok] = cov[ok]
    del m
    return out
