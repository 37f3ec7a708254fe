"""Newton / IRLS and proximal Newton for GLMs, and the separation check of logistic regression."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ._lasso import lasso_gram
from ._loss import Family, PassResult, fused_pass

__all__ = ["GLMFit", "PenaltyVec", "fit_glm", "separation_directions"]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class PenaltyVec:
    """Per-coefficient prior terms: ``1/2 l2 (theta - mean)^2 + l1 |theta|``.

    Vectors run over ``(coef..., intercept)``; the intercept's entries are 0 unless
    it is asked to be shrunk.
    """

    l2: Array
    mean: Array
    l1: Array

    def value(self, theta: Array) -> float:
        d = theta - self.mean
        return float(0.5 * (self.l2 @ (d * d)) + self.l1 @ np.abs(theta))

    def scaled(self, factor: float) -> PenaltyVec:
        return PenaltyVec(self.l2 * factor, self.mean, self.l1 * factor)


@dataclass
class GLMFit:
    """Result of a GLM solve: coefficients (intercept last), Hessian of the objective."""

    theta: Array
    hessian: Array
    nll: float
    objective: float
    iterations: int
    converged: bool
    separated: list[int] = field(default_factory=list)
    message: str = ""


def _split(theta: Array, fit_intercept: bool) -> tuple[Array, float]:
    if fit_intercept:
        return theta[:-1], float(theta[-1])
    return theta, 0.0


@dataclass(frozen=True)
class _Rows:
    """What every pass of one solve reads: the family, X, y, weights and offset."""

    family: Family
    X: Array
    y: Array
    sw: Array | None
    offset: Array | None
    fit_intercept: bool

    def at(self, theta: Array, **flags: bool) -> PassResult:
        """:func:`fused_pass` at ``theta`` (intercept last), with its ``with_*`` flags."""
        c, b = _split(theta, self.fit_intercept)
        return fused_pass(
            self.family, self.X, self.y, self.sw, self.offset, c, b, self.fit_intercept, **flags
        )


def _solve_newton(H: Array, g: Array) -> Array:
    from scipy import linalg

    try:
        return np.asarray(linalg.cho_solve(linalg.cho_factor(H, check_finite=False), g))
    except linalg.LinAlgError:
        vals, vecs = np.linalg.eigh(H)
        floor = max(float(vals.max()), 1.0) * 1e-10
        return np.asarray(vecs @ ((vecs.T @ g) / np.maximum(vals, floor)))


SUBSAMPLE_ABOVE = 100_000  # rows; larger problems are first solved on a subsample
STRIDE = 8  # the subsample keeps every STRIDE-th row
SUBSAMPLE_TOL = 1e-2  # the subsample only has to land well inside its sampling error of the optimum


def fit_glm(
    family: Family,
    X: Array,
    y: Array,
    sw: Array | None,
    offset: Array | None,
    fit_intercept: bool,
    pen: PenaltyVec,
    *,
    theta0: Array | None = None,
    max_iter: int = 100,
    tol: float = 1e-10,
    check_separation: bool = False,
    warm_start_subsample: bool = True,
) -> GLMFit:
    """Minimise ``nll(theta) + pen(theta)`` by damped Newton (IRLS) or proximal Newton.

    Notes
    -----
    Without an L1 term each step solves ``H s = g`` (Cholesky of the Hessian
    ``X' W X + diag(l2)``) and backtracks on the objective (Armijo). With an L1
    term the step minimises the local quadratic model plus the L1 term exactly
    (:func:`lasso_gram` on the Hessian), then backtracks (proximal Newton, Lee,
    Sun & Saunders 2014). Stopping: the last step moved no coefficient by more
    than ``tol (1 + max |theta|)``; Newton's quadratic convergence makes the
    remaining error of the order of that step squared. Each iteration is one
    pass over X (:func:`fused_pass`: nll, gradient and Hessian together, the
    Hessian at the trial point computed speculatively, since the full step is
    almost always accepted); the returned Hessian is the one at the returned
    coefficients.

    On more than 100,000 rows the problem is first solved on an evenly strided
    subsample of every 8th row (recursively, with the prior scaled to the
    subsample's size, to a loose tolerance). That lands within the subsample's
    sampling error of the optimum, and the full data then see only
    :func:`_refine`'s passes: Newton-chord steps with the subsample's Hessian,
    then one pass for the exact Hessian, then a last gradient pass that checks
    the stopping rule above.
    """
    n, p = X.shape
    k = p + int(fit_intercept)
    has_l1 = bool(np.any(pen.l1 > 0))
    if theta0 is None:
        theta = np.zeros(k)
        if fit_intercept:
            ybar = float(np.average(y, weights=sw))
            theta[-1] = _start_intercept(family.name, ybar)
            if offset is not None and family.name == "poisson":
                theta[-1] -= float(np.average(offset, weights=sw))
    else:
        theta = theta0.copy()
    iters = 0
    rows = _Rows(family, X, y, sw, offset, fit_intercept)
    if warm_start_subsample and n > SUBSAMPLE_ABOVE and n // STRIDE >= 20 * k:
        sub = slice(None, None, STRIDE)
        sw_sub = None if sw is None else sw[sub]
        if sw is None or sw_sub is None:
            frac = len(range(0, n, STRIDE)) / n
        else:
            frac = float(sw_sub.sum()) / float(sw.sum())
        rough = fit_glm(
            family,
            np.ascontiguousarray(X[sub]),
            y[sub],
            sw_sub,
            None if offset is None else offset[sub],
            fit_intercept,
            pen.scaled(frac),
            theta0=theta,
            max_iter=max_iter,
            tol=max(tol, SUBSAMPLE_TOL),
            check_separation=False,
            warm_start_subsample=True,
        )
        if rough.converged and np.all(np.isfinite(rough.theta)) and frac > 0:
            theta = rough.theta
            iters += rough.iterations
            if not has_l1:
                refined = _refine(rows, pen, theta, rough.hessian / frac, tol)
                if refined is not None:
                    refined.iterations += iters
                    return refined
    return _newton(rows, pen, theta, max_iter, tol, check_separation, iters)


def _newton(
    rows: _Rows,
    pen: PenaltyVec,
    theta: Array,
    max_iter: int,
    tol: float,
    check_separation: bool,
    iters: int,
) -> GLMFit:
    """Damped (proximal) Newton from ``theta``; see :func:`fit_glm`."""
    has_l1 = bool(np.any(pen.l1 > 0))
    l2diag = np.diag(pen.l2)

    def at(th: Array, full: bool = True) -> PassResult:
        return rows.at(th, with_grad=full, with_hessian=full)

    cur = at(theta)
    obj = cur.nll + pen.value(theta)
    if not np.isfinite(obj):
        raise ValueError(
            "the starting point has an infinite objective; check the offset/exposure scale"
        )
    checked = False
    for it in range(1, max_iter + 1):
        iters += 1
        assert cur.grad is not None and cur.hess is not None
        g = cur.grad + pen.l2 * (theta - pen.mean)
        H = cur.hess + l2diag
        if has_l1:
            v, _, _ = lasso_gram(H, H @ theta - g, pen.l1, w0=theta)
            step = v - theta
            decrease = float(g @ step) + float(pen.l1 @ (np.abs(v) - np.abs(theta)))
        else:
            step = -_solve_newton(H, g)
            decrease = float(g @ step)
        t = 1.0
        accepted = False
        for _ in range(40):
            cand = theta + t * step
            nxt = at(cand, full=t == 1.0)
            ob = nxt.nll + pen.value(cand)
            if np.isfinite(ob) and ob <= obj + 1e-4 * t * decrease + 1e-13 * abs(obj):
                accepted = True
                break
            t *= 0.5
        moved = t * float(np.abs(step).max(initial=0.0))
        if accepted:
            if nxt.grad is None:  # backtracked: gradient and Hessian at the accepted point
                nxt = at(cand)
            theta, cur, obj = cand, nxt, ob
        small = moved <= tol * (1.0 + float(np.abs(theta).max(initial=0.0)))
        assert cur.hess is not None
        H = cur.hess + l2diag
        if check_separation and not checked and (cur.eta_max > 30.0 or it >= max_iter // 2):
            checked = True
            dirs = separation_directions(rows.X, rows.y, rows.sw, rows.fit_intercept)
            if dirs:
                return GLMFit(theta, H, cur.nll, obj, iters, False, dirs, "separation")
        if small or not accepted:
            return GLMFit(theta, H, cur.nll, obj, iters, accepted)
    return GLMFit(theta, H, cur.nll, obj, iters, False, [], f"no convergence in {max_iter}")


def _refine(
    rows: _Rows,
    pen: PenaltyVec,
    theta: Array,
    H0: Array,
    tol: float,
    max_iter: int = 50,
) -> GLMFit | None:
    """Newton-chord passes from a warm start, one exact Hessian, and a checked stop.

    Notes
    -----
    ``H0`` is an approximate Hessian (the subsample's, scaled to the full data).
    Each pass computes the gradient ``g`` and steps ``theta -= H^{-1} g`` with a
    fixed ``H`` (a chord step); near the optimum the error contracts by the factor
    ``rho = ||H^{-1}(H - H*)||`` per pass (about 0.05 for an eighth of the rows),
    and the step length ``|s_k|`` estimates the error before it, so
    ``|s_k| min(1, |s_k| / |s_{k-1}|)`` estimates the error after it. Once that
    estimate is below ``0.1 sqrt(tol) (1 + max|theta|)`` (1e-6 for the default
    tol) the next pass also computes the exact Hessian ``H*`` there. That Hessian
    is the one returned, for the standard errors: it is taken within about 1e-6
    of the optimum, which moves the standard errors by a relative 1e-7 or so.
    The chord then switches to ``H*``, which makes the next step a Newton step
    (its error is of the order of its square). The iteration stops, as
    :func:`_newton` does, when a step moved no coefficient by more than
    ``tol (1 + max|theta|)`` (a step always computed from a fresh gradient, so
    on the full data a last gradient pass checks it). The returned nll is that
    of the last pass plus the first-order change ``-g's`` of the last step ``s``
    (``|s| <= tol``). If the returned coefficients lie further than
    ``0.3 sqrt(tol) (1 + max|theta|)`` from where the Hessian was taken (the
    error estimate was too optimistic), it is taken again.
    Returns None when the iteration does not contract (the gradient must halve at
    each pass), and the caller falls back to damped Newton.
    """
    from scipy import linalg

    try:
        factor = linalg.cho_factor(H0, check_finite=False)
    except linalg.LinAlgError:
        return None
    loose = float(np.sqrt(tol))
    l2diag = np.diag(pen.l2)
    th = theta.copy()
    prev = np.inf
    last = before = np.inf
    H_star: Array | None = None
    th_star = th
    for it in range(1, max_iter + 1):
        scale = 1.0 + float(np.abs(th).max())
        # the error at th is about the last step times the observed contraction factor
        err = last if not np.isfinite(before) else last * min(1.0, last / before)
        want_h = H_star is None and err <= 0.1 * loose * scale
        res = rows.at(th, with_nll=want_h or H_star is not None, with_hessian=want_h)
        assert res.grad is not None
        g = res.grad + pen.l2 * (th - pen.mean)
        gnorm = float(np.abs(g).max())
        if not np.isfinite(gnorm) or gnorm > 0.5 * prev:
            return None
        prev = gnorm
        if want_h:
            assert res.hess is not None
            H_star = res.hess + l2diag
            th_star = th.copy()
            try:
                factor = linalg.cho_factor(H_star, check_finite=False)
            except linalg.LinAlgError:
                return None
        step = linalg.cho_solve(factor, g)
        new = th - step
        before, last = last, float(np.abs(step).max())
        scale = 1.0 + float(np.abs(new).max())
        if H_star is not None and last <= tol * scale:
            if float(np.abs(new - th_star).max()) > 0.3 * loose * scale:
                H_star = None  # moved too far from the exact Hessian: take it again
                last, before = 0.0, np.inf
                th = new
                continue
            nll = res.nll - float(res.grad @ step)
            return GLMFit(new, H_star, nll, nll + pen.value(new), it, True)
        th = new
    return None


def _start_intercept(name: str, ybar: float) -> float:
    if name == "logistic":
        q = min(max(ybar, 1e-10), 1 - 1e-10)
        return float(np.log(q / (1.0 - q)))
    return float(np.log(max(ybar, 1e-10)))


def separation_directions(X: Array, y: Array, sw: Array | None, fit_intercept: bool) -> list[int]:
    """Coefficients along which the logistic likelihood keeps rising (empty: none).

    Notes
    -----
    The data are (quasi-)separated iff some ``d != 0`` has ``s_i x_i' d >= 0`` for
    every observation, ``s_i = 2 y_i - 1``; then the log-likelihood increases
    without bound along ``d`` and the MLE does not exist (Albert & Anderson
    1984). This is decided by the linear programme of Konis (2007):
    maximise ``sum_i s_i x_i' d`` subject to ``s_i x_i' d >= 0`` and
    ``-1 <= d_j <= 1``; a positive optimum means separation, and the nonzero
    entries of its ``d`` are the diverging coefficients. Rows with zero weight
    are left out; duplicate rows are merged first.
    """
    from scipy.optimize import linprog

    keep = np.ones(X.shape[0], dtype=bool) if sw is None else sw > 0
    A = X[keep]
    if fit_intercept:
        A = np.column_stack([A, np.ones(A.shape[0])])
    s = 2.0 * y[keep] - 1.0
    S = np.unique(A * s[:, None], axis=0)
    scale = np.abs(S).max(axis=0)
    scale[scale == 0] = 1.0
    S = S / scale
    res = linprog(
        -S.sum(axis=0),
        A_ub=-S,
        b_ub=np.zeros(S.shape[0]),
        bounds=[(-1.0, 1.0)] * S.shape[1],
        method="highs",
    )
    if res.status != 0 or -res.fun <= 1e-7 * S.shape[0]:
        return []
    # the sparsest separating direction names the coefficients that must diverge:
    # minimise ||d||_1 subject to S d >= 0 and sum(S d) >= 1 (d = d+ - d-)
    k = S.shape[1]
    total = S.sum(axis=0)
    sparse = linprog(
        np.ones(2 * k),
        A_ub=np.vstack([np.hstack([-S, S]), np.hstack([-total, total])[None, :]]),
        b_ub=np.r_[np.zeros(S.shape[0]), -1.0],
        bounds=[(0.0, None)] * (2 * k),
        method="highs",
    )
    d = sparse.x[:k] - sparse.x[k:] if sparse.status == 0 else res.x
    d = d / np.abs(d).max()
    return [int(j) for j in np.flatnonzero(np.abs(d) > 1e-6)]
