"""The Newton solvers vectorised over many independent problems (one per group of a
``by=`` fit): :func:`newton_batch` and :func:`newton_1d_batch`, ending in one
:class:`BatchResult`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._result import BatchGradHess, BatchResult


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
