"""Hessian-free GLM fits of wide sparse designs: truncated Newton-CG, a working set for L1.

Memory is O(nnz + n + k) whatever the number of coefficients k (two n-vectors beyond
the data: see :func:`fit_wide`): the Hessian ``X' diag(v) X + diag(l2)`` is only ever
applied to vectors (:class:`~._sparse.HessianOperator`), and the covariance is computed
when first asked for (:class:`~thetahat.results.LazyCovariance`): whole (one formed
Hessian, inverted) up to :data:`COV_MAX_K` coefficients, otherwise the block of the
coefficients asked for, by conjugate-gradient solves ``H z = e_j``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..results import LazyCovariance
from . import _sparse
from ._glm_data import eta_of
from ._loss import Family, _blas_one_thread
from ._solvers import GLMFit, PenaltyVec

__all__ = ["COV_MAX_K", "WideGLMFit", "fit_wide", "pcg"]

Array = NDArray[np.float64]

#: coefficients up to which ``estimate_.cov`` (and so ``estimate_.se``) forms the whole
#: covariance of a Hessian-free fit (a 128 MB matrix, an O(k^3) inversion); above it
#: only blocks, through ``standard_errors(...)``.
COV_MAX_K = 4096
#: right-hand sides solved together by the covariance's CG (n x 16 temporaries): 1.6x
#: faster than one at a time (measured, n = 5e4, p = 2.5e4: X is read once for all).
#: Larger blocks gain nothing: SciPy's sparse-times-dense product costs per column what
#: a matrix-vector product does (1.3-1.8 ms per column and pass at 10^6 stored entries
#: for 1 to 100 columns, measured 2026-12-02), while the n x m temporaries grow
CG_BLOCK = 16
#: above this many coefficients asked for, the covariance block is taken from the
#: formed and inverted active Hessian (where it fits) instead of one CG per coefficient
CG_MAX_COLUMNS = 256
#: relative residual of the covariance's CG solves. A variance ``e_j' H^-1 e_j`` read
#: off the CG solution ``z`` (``e_j' z``) errs by the squared H-norm error of ``z``
#: (Galerkin), about ``rtol^2 cond``: 1e-7 gives variances to about 1e-14 cond;
#: covariances between coefficients err to first order, about 1e-7 relative.
COV_RTOL = 1e-7
CG_MAX_ITER = 500
#: iterations of one covariance CG solve before it is declared unconverged (at most
#: ``4 k``: exact arithmetic needs ``k``); a well-posed Jacobi-preconditioned Hessian
#: takes tens (31 measured at n = 5e4, p = 2.5e4 to ``COV_RTOL``)
COV_MAX_ITER = 5000
DIVERGING_ETA = 30.0
STANDARD_ERRORS_HINT = (
    "Ask for the coefficients you need: model.standard_errors(['x3', 'x17']) (names or "
    "indices) solves H z = e_j by conjugate gradients, without a k x k matrix."
)


def pcg(
    op: _sparse.HessianOperator,
    B: Array,
    precond: Array,
    rtol: float,
    max_iter: int,
) -> tuple[Array, int, bool]:
    """Preconditioned conjugate gradients for ``H Z = B`` (B a vector or a k x m block).

    Columns are independent CG runs done together (one read of X per iteration for
    all). Each stops when its residual is below ``rtol`` times its right-hand side
    (2-norm). A direction of non-positive curvature stops its column (a singular
    Hessian: a flat prior on a rank-deficient design). Returns ``Z``, the iterations
    and whether every column converged. Memory: five k x m arrays (``Z``, the
    residual, the direction, its product, one scratch) and the product's blocks; the
    preconditioned residual is not kept (``r' M^-1 r`` is one einsum).
    """
    vec = B.ndim == 1
    Bm = B[:, None] if vec else B
    Z = np.zeros_like(Bm)
    R = Bm * op.active[:, None]
    inv_m = (1.0 / precond)[:, None]
    P = R * inv_m
    tmp = np.empty_like(P)  # in-place updates: no k x m temporary per iteration
    ry = np.einsum("ij,ij->j", R, P)
    goal = rtol * np.linalg.norm(R, axis=0)
    live = np.linalg.norm(R, axis=0) > goal
    it = 0
    while live.any() and it < max_iter:
        it += 1
        HP = op.matvec(P)
        curv = np.einsum("ij,ij->j", P, HP)
        live &= curv > 0  # non-positive curvature: that column stops
        alpha = np.where(live, ry / np.where(curv > 0, curv, 1.0), 0.0)
        Z += np.multiply(P, alpha, out=tmp)
        R -= np.multiply(HP, alpha, out=HP)
        del HP
        live &= np.linalg.norm(R, axis=0) > goal
        ry_new = np.einsum("ij,ij,ij->j", R, R, np.broadcast_to(inv_m, R.shape))
        beta = np.where(live, ry_new / np.where(ry > 0, ry, 1.0), 0.0)
        P *= beta
        P += np.multiply(R, inv_m, out=tmp)
        ry = ry_new
    ok = bool(np.all(np.linalg.norm(R, axis=0) <= goal))
    return (Z[:, 0] if vec else Z), it, ok


@dataclass
class WideGLMFit(GLMFit):
    """A Hessian-free :class:`~._solvers.GLMFit`: ``result.hessian`` is None (not
    formed); ``operator`` applies it, and :meth:`covariance` is lazy."""

    operator: _sparse.HessianOperator | None = None

    def covariance(
        self, active: NDArray[np.bool_], scale: float = 1.0, consume: bool = False
    ) -> Any:
        """A :class:`~thetahat.results.LazyCovariance` of ``scale`` times the inverse
        Hessian over the ``active`` coefficients (NaN elsewhere). ``consume`` changes
        nothing: no Hessian was formed."""
        assert self.operator is not None
        op = _sparse.HessianOperator(
            self.operator.X,
            self.operator.v,
            self.operator.l2,
            self.operator.fit_intercept,
            active=np.asarray(active, dtype=bool),
        )
        lazy = LazyCovariance(op.k, _CovBlocks(op), limit=COV_MAX_K, hint=STANDARD_ERRORS_HINT)
        return lazy if scale == 1.0 else lazy * scale

    def hessian_diagonal(self) -> Array:
        assert self.operator is not None
        return self.operator.diagonal()


class _CovBlocks:
    """``cov[idx, idx]`` of ``H^-1`` over the operator's active coefficients: by inverting the
    formed active Hessian when the whole matrix is asked for, else by CG (16 at a time)."""

    def __init__(self, op: _sparse.HessianOperator) -> None:
        self.op = op

    def __call__(self, idx: NDArray[np.intp]) -> Array:
        op = self.op
        out = np.full((idx.size, idx.size), np.nan)
        live = op.active[idx]
        want = idx[live]
        if want.size == 0:
            return out
        n_active = int(op.active.sum())
        with _blas_one_thread():  # vector work: BLAS threads only contend (see _loss)
            if n_active <= COV_MAX_K and want.size > min(CG_MAX_COLUMNS, n_active // 4):
                sub = self._inverse_active()
                pos = np.searchsorted(np.flatnonzero(op.active), want)
                block = sub[np.ix_(pos, pos)]
            else:
                block = self._cg_block(want)
        out[np.ix_(live, live)] = block
        return out

    def _inverse_active(self) -> Array:
        from scipy import linalg

        act = np.flatnonzero(self.op.active)
        H = self.op.dense(act)
        c = linalg.cho_factor(H, check_finite=False)  # LinAlgError: singular (the caller's)
        inv = linalg.cho_solve(c, np.eye(act.size), check_finite=False)
        return np.asarray(0.5 * (inv + inv.T))

    def _cg_block(self, want: NDArray[np.intp]) -> Array:
        op = self.op
        M = np.maximum(op.diagonal(), 1e-300)
        cols = []
        for s in range(0, want.size, CG_BLOCK):
            part = want[s : s + CG_BLOCK]
            E = np.zeros((op.k, part.size))
            E[part, np.arange(part.size)] = 1.0
            Z, _, ok = pcg(op, E, M, COV_RTOL, min(COV_MAX_ITER, 4 * op.k))
            if not ok:
                raise np.linalg.LinAlgError(
                    "the conjugate-gradient solves for the covariance did not converge "
                    "(the Hessian is singular or too ill-conditioned)"
                )
            cols.append(Z[want])
        block = np.hstack(cols)
        return np.asarray(0.5 * (block + block.T))


#: rows per block of the family's per-row functions in the solve (their temporaries
#: are block-sized: the solve's memory is the n-vectors it keeps, ``eta``, ``v``, one more)
ROWS = 1 << 16


def _gradient_weights(
    family: Family, X: Any, eta: Array, y: Array, sw: Array | None, fit_intercept: bool
) -> tuple[Array, Array]:
    """The gradient of the nll, ``g = [X' r, sum r]``, and the Hessian weights ``v`` (times
    the sample weights), by blocks of rows: ``r`` is never held whole."""
    p = X.shape[1]
    v = np.empty(eta.shape[0])

    def part(start: int, stop: int) -> Array:
        g = np.zeros(p + int(fit_intercept))
        with np.errstate(over="ignore"):
            for lo, hi, _, Bt in _sparse.row_views(X, ROWS, start, stop):
                r, vv = family.derivatives(eta[lo:hi], y[lo:hi], True)
                assert vv is not None
                if sw is not None:
                    r = r * sw[lo:hi]
                    vv = vv * sw[lo:hi]
                v[lo:hi] = vv  # (each range writes its own rows)
                g[:p] += Bt @ r
                if fit_intercept:
                    g[p] += float(r.sum())
        return g

    return _sparse.summed(_sparse.split_rows(part, X.shape[0])), v


def _weights(family: Family, eta: Array, y: Array, sw: Array | None) -> Array:
    """The Hessian weights ``v`` (times the sample weights), by blocks of rows."""
    v = np.empty(eta.shape[0])
    with np.errstate(over="ignore"):
        for lo in range(0, eta.shape[0], ROWS):
            _, vv = family.derivatives(eta[lo : lo + ROWS], y[lo : lo + ROWS], True)
            assert vv is not None
            v[lo : lo + ROWS] = vv
    if sw is not None:
        v *= sw
    return v


def _nll(
    family: Family, eta: Array, y: Array, sw: Array | None, u: Array | None = None, t: float = 0.0
) -> float:
    """The (weighted) negative log-likelihood at ``eta`` (at ``eta + t u`` when ``u`` is
    given: the line search's trial points, without an n-vector for them), by blocks."""
    total = 0.0
    with np.errstate(over="ignore"):
        for lo in range(0, eta.shape[0], ROWS):
            e = eta[lo : lo + ROWS]
            if u is not None:
                e = u[lo : lo + ROWS] * t
                e += eta[lo : lo + ROWS]
            per = family.nll(e, y[lo : lo + ROWS])
            total += float(per.sum() if sw is None else sw[lo : lo + ROWS] @ per)
    return total


def _start(
    family: Family,
    X: Any,
    y: Array,
    sw: Array | None,
    offset: Array | None,
    b: bool,
    theta0: Array | None,
) -> tuple[int, int, Array]:
    """``p``, ``k`` and the starting point: ``theta0``, else 0 weights and the
    intercept-only model's intercept."""
    p = X.shape[1]
    k = p + int(b)
    if theta0 is not None:
        return p, k, theta0.copy()
    theta = np.zeros(k)
    if b:
        theta[-1] = family.start(float(np.average(y, weights=sw)))
        if offset is not None:
            theta[-1] -= float(np.average(offset, weights=sw))
    return p, k, theta


def fit_wide(
    family: Family,
    X: Any,
    y: Array,
    sw: Array | None,
    offset: Array | None,
    fit_intercept: bool,
    pen: PenaltyVec,
    *,
    theta0: Array | None = None,
    max_iter: int = 100,
    tol: float = 1e-10,
) -> WideGLMFit:
    """Minimise ``nll + pen`` for a wide sparse X without forming the Hessian.

    Notes
    -----
    **Truncated Newton-CG** (Nash 2000; the inexact Newton of Dembo, Eisenstat &
    Steihaug 1982). Each iteration takes one pass for the gradient ``X' r`` (the
    linear predictor is carried along), then solves ``H d = -g`` by conjugate
    gradients with the Jacobi preconditioner ``diag(H) = (X o X)' v + l2`` to the
    relative residual ``min(0.5, sqrt(|g| / |g_0|))`` (Eisenstat-Walker's forcing:
    loose far from the optimum, superlinear near it). Each CG iteration is one
    Hessian-vector product ``X' (v o (X p))`` (two reads of X, by blocks of rows). The
    line search (Armijo backtracking) reads X once: ``u = X d``, formed after the CG
    solve, makes every trial linear predictor ``eta + t u`` (block by block, inside the
    nll's sum), and the accepted one is added to ``eta`` in place.

    **Memory** beyond X and y: two n-vectors at any time (``eta`` and the weights ``v``
    through the gradient and CG; ``eta`` and ``u`` through the line search; the
    gradient's ``r`` and every product's ``X p`` exist block by block only) and O(k)
    for CG (:func:`pcg`).
    Stopping is the dense solver's: the last step moved no coefficient by more than
    ``tol (1 + max|theta|)``; since the step solves the Newton system to the
    forcing tolerance, it estimates the remaining error. A Laplace (L1) term goes to
    :func:`_working_set`. An iteration that cannot descend, or ``max_iter``
    iterations, end the solve unconverged (status "failed" upstream, never
    "success"); linear predictors beyond 30 in size that keep growing after 25
    iterations (separation, under a flat prior) end it as diverging.
    """
    if np.any(pen.l1 > 0):
        return _working_set(family, X, y, sw, offset, fit_intercept, pen, theta0, max_iter, tol)
    _, k, theta = _start(family, X, y, sw, offset, fit_intercept, theta0)
    eta = eta_of(X, theta, fit_intercept, offset)

    obj = _nll(family, eta, y, sw) + pen.value(theta)
    if not np.isfinite(obj):
        raise ValueError(
            "the starting point has an infinite objective; check the offset/exposure scale"
        )
    g0 = math.nan
    converged, message, iters = False, f"no convergence in {max_iter}", 0
    cg_total = 0
    # the solve's n-vectors: eta throughout, v through CG, u = X d through the line search
    for it in range(1, max_iter + 1):
        iters = it
        g, v = _gradient_weights(family, X, eta, y, sw, fit_intercept)
        g += pen.l2 * (theta - pen.mean)
        gnorm = float(np.linalg.norm(g))
        if it == 1:
            g0 = max(gnorm, 1e-300)
        if gnorm == 0.0:
            converged, message = True, ""
            break
        op = _sparse.HessianOperator(X, v, pen.l2, fit_intercept)
        M = np.maximum(op.diagonal(), 1e-300)
        forcing = min(0.5, math.sqrt(gnorm / g0))
        d, cg_it, _ = pcg(op, -g, M, forcing, min(CG_MAX_ITER, 2 * k))
        cg_total += cg_it
        decrease = float(g @ d)
        if not decrease < 0 or cg_it == 0:  # CG stopped before any progress: steepest descent
            d = -g / M
            decrease = float(g @ d)
        del op, v
        u = eta_of(X, d, fit_intercept, None)  # X d: every trial predictor is eta + t u
        t, accepted = 1.0, False
        for _ in range(40):
            cand = theta + t * d
            ob = _nll(family, eta, y, sw, u, t) + pen.value(cand)
            if np.isfinite(ob) and ob <= obj + 1e-4 * t * decrease + 1e-13 * abs(obj):
                accepted = True
                break
            t *= 0.5
        if not accepted:
            message = "the line search found no decrease"
            break
        for lo in range(0, eta.shape[0], ROWS):  # eta + t u in place, as the trial formed it
            eta[lo : lo + ROWS] += u[lo : lo + ROWS] * t
        del u
        moved = t * float(np.abs(d).max(initial=0.0))
        theta, obj = cand, ob
        if moved <= tol * (1.0 + float(np.abs(theta).max(initial=0.0))):
            converged, message = True, ""
            break
        if it >= 25 and float(np.abs(eta).max(initial=0.0)) > DIVERGING_ETA and moved > 1.0:
            message = "diverging (separation?): the linear predictor keeps growing"
            break
    nll = _nll(family, eta, y, sw)
    v = _weights(family, eta, y, sw)
    del eta
    op = _sparse.HessianOperator(X, v, pen.l2, fit_intercept)
    if message == "" and not converged:
        message = "not converged"
    fit = WideGLMFit.of(
        theta,
        None,
        nll,
        nll + pen.value(theta),
        iters,
        converged,
        message=f"{message} (Newton-CG, {cg_total} CG iterations)" if message else "",
    )
    fit.operator = op
    return fit


def _working_set(
    family: Family,
    X: Any,
    y: Array,
    sw: Array | None,
    offset: Array | None,
    fit_intercept: bool,
    pen: PenaltyVec,
    theta0: Array | None,
    max_iter: int,
    tol: float,
) -> WideGLMFit:
    """A Laplace (L1) prior on a wide sparse X: proximal Newton on a growing working set.

    Notes
    -----
    The lasso's solution is sparse, so its problem is solved on a working set ``W``
    (the nonzero and unpenalised coefficients, plus those that violate the
    optimality condition ``|g_j| <= l1_j`` at zero) with the formed-Hessian
    solver of :func:`~._solvers.fit_glm` (proximal Newton, each step's L1
    problem solved exactly by :func:`~._lasso.lasso_gram`, so zeros are exact)
    on the columns ``X[:, W]``. One full gradient pass (``X' r``, O(nnz)) then
    checks every coefficient outside ``W``; the largest violators (at most as
    many again as ``W`` holds) join it, until none is left. This is a working-set
    method (as in glmnet's strong rules and Blitz/celer), chosen over cyclic
    coordinate descent on CSC columns because each column update in Python costs
    microseconds of overhead whatever its length, while the working set solves
    exactly with the dense solver and reads X once per check. A working set that
    would exceed :data:`~._sparse.HESSIAN_MAX_K` coefficients raises ``ValueError``
    (a prior that keeps that many weights nonzero is not a sparse solution).
    """
    from ._solvers import fit_glm

    p, k, theta = _start(family, X, y, sw, offset, fit_intercept, theta0)
    free = pen.l1 == 0
    if int(free.sum()) > _sparse.HESSIAN_MAX_K:
        raise ValueError(
            f"{int(free.sum())} coefficients have no Laplace term: the working-set L1 "
            f"solver needs at most {_sparse.HESSIAN_MAX_K}"
        )
    work = free | (theta != 0)
    Xc = X.tocsc()
    iters, converged, message = 0, False, f"no convergence in {max_iter} working-set rounds"
    inner: GLMFit | None = None
    for _ in range(max_iter):
        idx = np.flatnonzero(work)
        feats = idx[idx < p]
        sub = PenaltyVec(pen.l2[idx], pen.mean[idx], pen.l1[idx])
        inner = fit_glm(
            family,
            Xc[:, feats].tocsr(),
            y,
            sw,
            offset,
            fit_intercept,
            sub,
            theta0=theta[idx],
            max_iter=max_iter,
            tol=tol,
            warm_start_subsample=False,
        )
        iters += inner.iterations
        theta = np.zeros(k)
        theta[idx] = inner.theta
        if not inner.converged:
            message = inner.message or "the working-set solve did not converge"
            break
        res = _sparse.sparse_pass(
            family,
            X,
            y,
            sw,
            offset,
            theta[:p],
            float(theta[p]) if fit_intercept else 0.0,
            fit_intercept,
            with_nll=False,
        )
        assert res.grad is not None
        g = res.grad + pen.l2 * (theta - pen.mean)
        excess = np.where(~work, np.abs(g) - pen.l1 * (1.0 + 1e-9), -np.inf)
        viol = excess > 0
        if not viol.any():
            converged, message = True, ""
            break
        # coefficients the last solve set to zero leave the set (they may come back)
        work &= (theta != 0) | free
        room = _sparse.HESSIAN_MAX_K - int(work.sum())
        if room <= 0:
            raise ValueError(
                f"the Laplace prior keeps more than {_sparse.HESSIAN_MAX_K} coefficients "
                "nonzero on this wide design: use a stronger prior (a smaller scale b) or a "
                "Normal prior (Hessian-free Newton-CG)"
            )
        add = np.flatnonzero(viol)
        grow = min(max(10, int(work.sum())), room)
        if add.size > grow:
            add = add[np.argsort(-excess[add])[:grow]]
        work[add] = True
    assert inner is not None
    v = _weights(family, eta_of(X, theta, fit_intercept, offset), y, sw)
    op = _sparse.HessianOperator(X, v, pen.l2, fit_intercept)
    fit = WideGLMFit.of(
        theta, None, inner.nll, inner.nll + pen.value(theta), iters, converged, message=message
    )
    fit.operator = op
    return fit
