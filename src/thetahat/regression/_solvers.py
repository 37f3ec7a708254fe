"""Newton / IRLS and proximal Newton for the GLMs, with a subsample warm start."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

from ..optim import SolverResult, Status, inverse_symmetric, inverse_symmetric_logdet
from ..results import LazyCovariance
from . import _sparse
from ._checks import NotIdentifiable, rank_deficiency, recession_direction
from ._data import DeferredFinite
from ._lasso import lasso_gram
from ._linalg import sample_moments
from ._loss import Family, PassResult, _blas_one_thread, blas_one_thread_for, fused_pass
from ._packed import PackedCholesky, packed_covariance, rfp_diagonal_index

__all__ = ["GLMFit", "PenaltyVec", "fit_glm"]

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
    """Result of a GLM solve: optim's :class:`~thetahat.optim.SolverResult` and what a
    GLM adds to it.

    ``result.x`` are the coefficients (intercept last), ``result.fun`` the objective
    (negative log posterior), ``result.hessian`` the objective's Hessian (None where
    the solve did not form it: the Hessian-free fits); ``result.status`` is
    ``success``, ``failed`` (did not converge) or ``boundary`` (``separated``
    names the coefficients, internal order, along which the objective decreases
    without bound). The Hessian is taken in the solver's coordinates: with
    ``centre`` (the column values subtracted inside the passes) those of
    ``(w, b_c)``, ``b = b_c - centre'w``; :meth:`covariance` maps its inverse back.
    ``packed``: where the solve kept the Hessian's Cholesky factor in packed form
    (:mod:`._packed`; ``result.hessian`` is then None), that factor.
    """

    result: SolverResult
    nll: float
    separated: list[int] = field(default_factory=list)
    centre: Array | None = None
    #: log det of the last :meth:`covariance` (from its Cholesky factor; NaN where
    #: that was not taken), which the Laplace evidence reuses instead of a k x k LU
    cov_logdet: float = math.nan
    packed: PackedCholesky | None = None

    @classmethod
    def of(
        cls,
        theta: Array,
        hessian: Array | None,
        nll: float,
        objective: float,
        iterations: int,
        converged: bool,
        separated: list[int] | None = None,
        message: str = "",
    ) -> Self:
        """A fit from the solver's loop (status from ``converged`` and ``separated``)."""
        if separated:
            status = Status.BOUNDARY
        else:
            status = Status.SUCCESS if converged else Status.FAILED
        res = SolverResult(theta, objective, converged, status, message, iterations, hessian)
        return cls(res, nll, list(separated or []))

    @property
    def theta(self) -> Array:
        return self.result.x

    @property
    def hessian(self) -> Array:
        assert self.result.hessian is not None, "this solve did not form the Hessian"
        return self.result.hessian

    @property
    def objective(self) -> float:
        return self.result.fun

    @property
    def iterations(self) -> int:
        return self.result.iterations

    @property
    def converged(self) -> bool:
        return self.result.converged

    @property
    def message(self) -> str:
        return self.result.message

    def moved(self, theta: Array, hessian: Array | None = None) -> GLMFit:
        """A copy at other coordinates: ``theta`` (and the Hessian there, when given)."""
        res = replace(
            self.result, x=theta, hessian=self.result.hessian if hessian is None else hessian
        )
        return replace(self, result=res)

    def counted(self, more: int) -> GLMFit:
        """The same fit with ``more`` iterations added (a warm start's)."""
        self.result = replace(self.result, iterations=self.result.iterations + more)
        return self

    def uncentred(self, centre: Array | None) -> GLMFit:
        """The fit in the original coordinates of a solve whose passes centred the
        columns by ``centre`` (``b = b_c - centre'w``; the Hessian stays centred)."""
        self.centre = centre
        if centre is not None:
            theta = self.theta.copy()
            theta[-1] -= float(centre @ theta[:-1])
            self.result = replace(self.result, x=theta)
        return self

    def covariance(
        self, active: NDArray[np.bool_], scale: float = 1.0, consume: bool = False
    ) -> Array | LazyCovariance:
        """``scale`` times the inverse Hessian over ``active`` coefficients (NaN
        elsewhere), original coordinates.

        With ``consume`` the inverse is taken in the Hessian's own memory and the
        fit's Hessian is gone afterwards (``result.hessian`` None): a fit's last use of
        it, with no k x k copy (at k = 201, each is 0.32 MB). Raises
        ``numpy.linalg.LinAlgError`` when that block is singular (the Hessian then
        stays). A packed fit's (``packed``) is a stored
        :class:`~thetahat.results.LazyCovariance` over the inverse in packed form
        (:func:`~._packed.packed_covariance`; without ``consume``, of a copy).
        """
        k = self.theta.shape[0]
        if self.packed is not None:  # (the packed path has no L1 term: all active)
            chol = self.packed if consume else self.packed.copy()
            if consume:
                self.packed = None
            lazy, self.cov_logdet = packed_covariance(chol, scale, self.centre)
            return lazy
        if active.all():  # (no k x k copies for the selection)
            cov, logdet_h = inverse_symmetric_logdet(self.hessian, overwrite=consume)
            # T above has determinant 1: the centring leaves the determinant as it is
            self.cov_logdet = k * math.log(scale) - logdet_h if scale > 0 else math.nan
        else:
            self.cov_logdet = math.nan
            cov = np.full((k, k), np.nan)
            cov[np.ix_(active, active)] = inverse_symmetric(self.hessian[np.ix_(active, active)])
        if consume:
            self.result = replace(self.result, hessian=None)
        if scale != 1.0:
            cov *= scale
        if self.centre is None:
            return cov
        # b = b_c - m'w: cov_b = T cov_c T' with T = [[I, 0], [-m', 1]]; only the last
        # row and column change (in place; NaN rows of inactive coefficients count as 0)
        live = ~np.isnan(cov[-1, :-1])
        m = np.where(active[:-1], self.centre, 0.0)
        cw = (cov[:-1, :-1] @ m) if active.all() else np.nan_to_num(cov[:-1, :-1]) @ m
        cross = np.where(live, cov[-1, :-1], 0.0)
        last = cov[-1, -1] - 2.0 * float(cross @ m) + float(m @ cw)
        new = np.where(live, cov[-1, :-1] - cw, np.nan)
        cov[-1, :-1] = new
        cov[:-1, -1] = new
        cov[-1, -1] = last
        return cov

    def hessian_diagonal(self) -> Array:
        """The Hessian's diagonal (solver coordinates)."""
        if self.packed is not None:
            return self.packed.diagonal.copy()
        return np.diag(self.hessian).copy()


@dataclass(frozen=True)
class _Rows:
    """What every pass of one solve reads: the family, X, y, weights, offset and centre."""

    family: Family
    X: Array
    y: Array
    sw: Array | None
    offset: Array | None
    fit_intercept: bool
    centre: Array | None = None
    spread: Array | None = None  # the columns' sample spread, when fit_glm computed it
    # X's finiteness check, when deferred to the first pass over these (all) rows
    finite: DeferredFinite | None = None

    def at(self, theta: Array, **flags: bool) -> PassResult:
        """:func:`fused_pass` at ``theta`` (intercept last), with its ``with_*`` flags;
        the first pass also settles a deferred finiteness check of X (its max |eta|)."""
        c, b = (theta[:-1], float(theta[-1])) if self.fit_intercept else (theta, 0.0)
        pending = self.finite is not None and not self.finite.done
        res = fused_pass(
            self.family,
            self.X,
            self.y,
            self.sw,
            self.offset,
            c,
            b,
            self.fit_intercept,
            centre=self.centre,
            quiet=pending,
            **flags,
        )
        if pending and self.finite is not None:
            self.finite.settle(c, res.eta_max)
        return res

    def strided(self, stride: int) -> tuple[_Rows, float]:
        """Every ``stride``-th row and its share of the total weight.

        A strided view, not a copy: BLAS reads it with a leading dimension of
        ``stride`` rows, at the same speed (measured) and without 1/stride of X in
        memory.
        """
        sub = slice(None, None, stride)
        n = self.X.shape[0]
        sw = None if self.sw is None else self.sw[sub]
        frac = len(range(0, n, stride)) / n
        if self.sw is not None and sw is not None:
            frac = float(sw.sum()) / float(self.sw.sum())
        off = None if self.offset is None else self.offset[sub]
        X = self.X[sub]
        # X's finiteness if still to prove: the subsample's passes prove their rows first
        finite = None if self.finite is None or self.finite.done else self.finite.rows(X)
        # the columns' spread carries over: the subsample's is the same up to sampling
        sub_rows = _Rows(
            self.family,
            X,
            self.y[sub],
            sw,
            off,
            self.fit_intercept,
            self.centre,
            self.spread,
            finite,
        )
        return sub_rows, frac

    def scales(self) -> Array:
        """Per-coefficient scales for L-BFGS: each column's spread (about 2,000 strided
        rows; 1 where it is 0) and 1 for the intercept."""
        sd = self.spread
        if sd is None and _sparse.issparse(self.X):
            sd = _sparse.column_sd(_sample_rows(self.X))
        elif sd is None:
            sd = _moments(self.X)[1]
        return np.r_[np.where(sd > 0, sd, 1.0), np.ones(int(self.fit_intercept))]

    def recession(self, cols: list[int]) -> list[int]:
        """The coefficients among ``cols`` along which the likelihood rises without bound
        (:func:`~._checks.recession_direction`); empty when there are none."""
        kind = self.family.separation
        if not cols or kind is None:
            return []
        return recession_direction(
            kind, self.X, self.y, self.sw, self.fit_intercept, [int(j) for j in cols]
        )


def _plus_diagonal(H: Array, d: Array) -> Array:
    """``H + diag(d)``, in place (a pass's Hessian, owned by the caller, full or in
    packed form), no k x k temporary."""
    if H.ndim == 1:
        H[rfp_diagonal_index(d.shape[0])] += d
    else:
        H.flat[:: H.shape[0] + 1] += d
    return H


def _solve_newton(H: Array, g: Array) -> Array:
    """``H^{-1} g`` by Cholesky (LAPACK's dpotrf and dpotrs called directly: SciPy's
    ``cho_factor`` and ``cho_solve`` cost 64 us at k = 11 against 6 us, six times a
    fit at 1e4 x 10); a ``H`` that is not positive definite by its eigenvalues, those
    below ``1e-10 max(max(vals), 1)`` raised to that floor."""
    from scipy.linalg import lapack

    c, info = lapack.dpotrf(H, lower=0, clean=0)
    if info == 0:
        x, info = lapack.dpotrs(c, g, lower=0)
        if info == 0:
            return np.asarray(x)
    vals, vecs = np.linalg.eigh(H)
    floor = max(float(vals.max()), 1.0) * 1e-10
    return np.asarray(vecs @ ((vecs.T @ g) / np.maximum(vals, floor)))


SUBSAMPLE_ABOVE = 40_000  # rows; larger problems are first solved on a subsample
STRIDE = 8  # the subsample keeps every STRIDE-th row
SUBSAMPLE_TOL = 1e-2  # the subsample only has to land well inside its sampling error of the optimum
CENTRE_RATIO = 30.0  # centre the columns inside the passes when some |mean| > this x sd
DIVERGING_ETA = 20.0  # |eta| beyond this while the steps do not shrink: suspect separation
SUSPECT_AFTER = 25  # ... or this many Newton iterations without converging
#: from this many coefficients on, a problem without a subsample warm start is first
#: solved by L-BFGS (gradient passes only) instead of Newton (a Hessian pass per step).
#: L-BFGS needs 10-40 gradient passes where Newton needs about 6 Hessian passes.
#: Measured again with the compiled pass (`_kernels_glm.c`, which made the gradient
#: pass 1.3-2.4x cheaper; whole fits with standard errors, best of 6, interleaved):
#: at k = 101 and 121 (n = 1e4 and 3e4, logistic and Poisson) L-BFGS took 0.54-0.81
#: of Newton's time, at k = 201 0.51-0.63; below, the families part: at k = 61
#: L-BFGS was 1.1-1.5x faster for logistic and 1.1-2.5x slower for Poisson, and at
#: k <= 51 Newton was as fast or faster. (Before the compiled pass, Newton was
#: faster up to d = 100 and the threshold was 150.)
LBFGS_MIN_K = 100
LBFGS_GTOL = 1e-7
#: on at most this many rows per k^2 (the caller's full data: after L-BFGS, or after the
#: subsample's warm start from 40,000 rows on), the exact Hessian is taken in packed form,
#: and its factor and the covariance stay in that memory (:mod:`._packed`): there the
#: k x k sums of two workers, not the rows, were a fit's memory (1e4 x 200: 0.84 MB
#: beyond X against 0.31 for L-BFGS without standard errors; 4.1e4 x 200: 1.18 against
#: 1.02, now 0.84). A fit in full storage holds about 3.6 k x k matrices, L-BFGS about
#: 3 to 4 n-vectors, so they cross near n = k^2. The packed pass splits the Hessian's
#: entries, not the rows, over two threads (``_loss._compiled_parts``): Poisson Hessian
#: pass, best of 15, against two workers' full sums: 7.95 against 6.77 ms at 1e4 x 200,
#: 6.15 against 4.86 at 2e4 x 100, 54.8 against 45.3 at 8e4 x 200 (on one thread 11.6,
#: 7.8 and 92)
PACKED_ROWS_PER_K2 = 2


def newton_step(H: Array, g: Array, theta: Array, l1: Array | None) -> tuple[Array, float]:
    """The Newton step from ``theta`` for an objective with gradient ``g`` and Hessian
    ``H`` (a smooth prior's terms included) and, with ``l1``, the proximal Newton step
    for that objective plus ``sum l1 |theta|`` (the local quadratic model plus the L1
    term minimised exactly by :func:`lasso_gram`); with the objective's predicted
    change along it (negative for a descent direction)."""
    if l1 is not None:
        v, _, _ = lasso_gram(H, H @ theta - g, l1, w0=theta)
        step = v - theta
        return step, float(g @ step) + float(l1 @ (np.abs(v) - np.abs(theta)))
    step = -_solve_newton(H, g)
    return step, float(g @ step)


def _sample_rows(X: Any) -> Any:
    """About 2,000 evenly strided rows of X (dense or sparse)."""
    return X[:: max(1, X.shape[0] // 2048)]


def _moments(X: Array) -> tuple[Array, Array]:
    """Column means and spreads of about 2,000 evenly strided rows of a dense X."""
    return sample_moments(_sample_rows(X))


def _centre(X: Array, fit_intercept: bool, pen: PenaltyVec) -> tuple[Array | None, Array | None]:
    """Column values to subtract inside the passes (None when centring is not needed),
    and the columns' sample spread where it was computed for that (None otherwise).

    Only with an unpenalised intercept (centring then just moves it). Judged on about
    2,000 evenly strided rows: any value near each column's mean removes the
    cancellation, which matters once a mean is large against the column's spread. The
    spread is kept for :meth:`_Rows.scales`, which would otherwise compute it again.
    """
    if not fit_intercept or pen.l2[-1] > 0 or pen.l1[-1] > 0 or X.shape[1] == 0:
        return None, None
    if _sparse.issparse(X):  # implicit: the intercept's rows of the pass (see _sparse)
        return None, None
    m, sd = _moments(X)
    if not np.any(np.abs(m) > CENTRE_RATIO * sd):
        return None, sd
    return np.asarray(m, dtype=float), sd


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
    check_rank: bool = False,
    warm_start_subsample: bool = True,
    finite: DeferredFinite | None = None,
) -> GLMFit:
    """Minimise ``nll(theta) + pen(theta)`` by damped Newton (IRLS) or proximal Newton.

    Notes
    -----
    Without an L1 term each step solves ``H s = g`` (Cholesky of the Hessian
    ``X' W X + diag(l2)``) and backtracks on the objective (Armijo). With an L1
    term the step minimises the local quadratic model plus the L1 term exactly
    (:func:`lasso_gram` on the Hessian), then backtracks (proximal Newton, Lee,
    Sun & Saunders 2014). Stopping: the step computed from the last pass's
    gradient moves no coefficient by more than ``tol (1 + max |theta|)``; Newton's
    quadratic convergence makes the remaining error of the order of that step
    squared. That step is taken without a pass at its end (the returned nll moved
    by its first-order change ``g's``, the returned Hessian the last pass's, within
    ``tol`` of the returned coefficients), as :func:`_refine` does; a backtracked
    step that small also stops, at its pass. Each iteration is one
    pass over X (:func:`fused_pass`: nll, gradient and Hessian together, the
    Hessian at the trial point computed speculatively, since the full step is
    almost always accepted).

    On more than 100,000 rows the problem is first solved on an evenly strided
    subsample of every 8th row (recursively, with the prior scaled to the
    subsample's size, to a loose tolerance). That lands within the subsample's
    sampling error of the optimum, and the full data then see only
    :func:`_refine`'s passes: Newton-chord steps with the subsample's Hessian
    (Anderson-accelerated), then one pass for the exact Hessian, then a last
    gradient pass that checks the stopping rule above.

    Degenerate problems cost nothing on the way to an ordinary answer. With
    ``check_rank`` (a flat prior) the first Hessian is tested for rank by a
    pivoted Cholesky (:func:`~._checks.rank_deficiency`), raising
    :class:`~._checks.NotIdentifiable`; no decomposition of X is made. When the
    iterates diverge (``|eta| > 20`` while the steps stop shrinking, or 25
    iterations without converging) the coefficients the last step moved, among
    those no prior holds, go to :func:`~._checks.recession_direction`'s linear
    programme; a confirmed direction ends the solve with ``separated`` set.
    When the intercept is free and some column's mean is large against its
    spread, the passes centre the columns (see :func:`fused_pass`).
    """
    k = X.shape[1] + int(fit_intercept)
    if _sparse.issparse(X) and k > _sparse.HESSIAN_MAX_K:  # Hessian-free (issue 17)
        from ._newton_cg import fit_wide

        with _blas_one_thread():
            return fit_wide(
                family, X, y, sw, offset, fit_intercept, pen, theta0=theta0, max_iter=max_iter,
                tol=tol,
            )  # fmt: skip
    if finite is None:
        centre, spread = _centre(X, fit_intercept, pen)
    else:  # X not yet checked: the ~2,000 rows _centre and the L-BFGS scales read first
        with np.errstate(all="ignore"):
            centre, spread = _centre(X, fit_intercept, pen)
        finite.part(_sample_rows(X), spread)
    rows = _Rows(family, X, y, sw, offset, fit_intercept, centre, spread, finite)
    if theta0 is None:
        theta = np.zeros(k)
        if fit_intercept:
            ybar = float(np.average(y, weights=sw))
            theta[-1] = family.start(ybar)
            if offset is not None:
                theta[-1] -= float(np.average(offset, weights=sw))
    else:
        theta = theta0.copy()
        if rows.centre is not None:
            theta[-1] += float(rows.centre @ theta[:-1])
    # the k x k algebra (Cholesky, solves, L-BFGS) too is held to one BLAS thread: on
    # a loaded machine a threaded 201 x 201 Cholesky stalled for 0.2 s (1 ms alone)
    with blas_one_thread_for(k):
        res = _solve(rows, pen, theta, max_iter, tol, check_rank, warm_start_subsample, top=True)
    return res.uncentred(rows.centre)


def _solve(
    rows: _Rows,
    pen: PenaltyVec,
    theta: Array,
    max_iter: int,
    tol: float,
    check_rank: bool,
    warm: bool,
    top: bool,
) -> GLMFit:
    """:func:`fit_glm` in the solver's coordinates (``top``: the caller's full data)."""
    n, k = rows.X.shape[0], theta.shape[0]
    iters = 0
    has_l1 = bool(np.any(pen.l1 > 0))
    packed = top and n <= PACKED_ROWS_PER_K2 * k * k
    if warm and n > SUBSAMPLE_ABOVE and n // STRIDE >= 20 * k:
        sub, frac = rows.strided(STRIDE)
        try:
            rough: GLMFit | None = _solve(
                sub,
                pen.scaled(frac),
                theta,
                max_iter,
                max(tol, SUBSAMPLE_TOL),
                check_rank,
                True,
                False,
            )
        except NotIdentifiable:  # perhaps only the subsample: the full data decide
            rough = None
        if rough is not None and rough.converged and np.all(np.isfinite(rough.theta)) and frac > 0:
            theta = rough.theta
            iters += rough.iterations
            if not has_l1:
                H0 = rough.hessian  # the subsample's, scaled in place: it is not used again
                H0 /= frac
                refined = _refine(rows, pen, theta, H0, tol, check_rank, packed=packed)
                if refined is not None:
                    return refined.counted(iters)
    elif k >= LBFGS_MIN_K and not has_l1:
        theta, passes = _lbfgs(rows, pen, theta, k, tol)
        iters += passes
        at_end = rows.at(theta, with_nll=False, with_hessian=True, packed=packed)
        assert at_end.hess is not None
        H = _plus_diagonal(at_end.hess, pen.l2)
        refined = _refine(rows, pen, theta, H, tol, check_rank, exact=True, packed=packed)
        if refined is not None:
            return refined.counted(iters)
    return _newton(rows, pen, theta, max_iter, tol, iters, check_rank, top)


def _lbfgs(rows: _Rows, pen: PenaltyVec, theta: Array, k: int, tol: float) -> tuple[Array, int]:
    """L-BFGS (SciPy's L-BFGS-B, unbounded) to near the optimum: one fused nll + gradient
    pass per evaluation, no Hessian. Returns the point reached and the passes made.

    The coefficients are scaled by their columns' spread (from about 2,000 strided
    rows) and the objective by the total weight, so the stopping rule (largest
    gradient entry below ``gtol = min(1e-4, max(1e-7, tol^2))``: 1e-7 for the
    default tol, 1e-4 for a subsample's loose one) means about the same distance to
    the optimum whatever the units; :func:`_refine` then takes the exact Hessian
    there and finishes by Newton steps, whose error is about the square of the
    distance left. 1e-7 leaves the Hessian well inside :func:`_refine`'s
    ``0.3 sqrt(tol)`` of the optimum (at 1e4 x 200 it moved the standard errors by a
    relative 5e-8 against 1e-9, for two evaluations fewer). Evaluations are capped at
    what Newton would spend (about ``6 (1 + k / 8)`` gradient-pass equivalents) plus a
    margin.
    """
    from scipy.optimize import minimize

    s = rows.scales()
    total = float(rows.X.shape[0] if rows.sw is None else rows.sw.sum())
    passes = 0

    def f(u: Array) -> tuple[float, Array]:
        nonlocal passes
        passes += 1
        th = u / s
        r = rows.at(th)
        assert r.grad is not None
        d = th - pen.mean
        obj = r.nll + 0.5 * float(pen.l2 @ (d * d))
        g = r.grad + pen.l2 * d
        return obj / total, g / s / total

    cap = int(10 * (1 + k / 8)) + 20
    gtol = min(1e-4, max(LBFGS_GTOL, tol * tol))
    res = minimize(
        f,
        theta * s,
        jac=True,
        method="L-BFGS-B",
        options={"maxfun": cap, "maxiter": cap, "gtol": gtol, "ftol": 0.0, "maxcor": 20},
    )
    u = np.asarray(res.x)
    out = u / s
    return (out if np.all(np.isfinite(out)) else theta), passes


def _newton(
    rows: _Rows,
    pen: PenaltyVec,
    theta: Array,
    max_iter: int,
    tol: float,
    iters: int,
    check_rank: bool,
    top: bool,
) -> GLMFit:
    """Damped (proximal) Newton from ``theta``; see :func:`fit_glm`.

    On a subsample (``top`` false) suspected divergence ends the solve unconverged
    (the caller then works on the full data); on the full data it is confirmed or
    refuted once by the linear programme.
    """
    has_l1 = bool(np.any(pen.l1 > 0))
    l2diag = np.diag(pen.l2)
    free = (pen.l2 == 0) & (pen.l1 == 0)

    def at(th: Array, full: bool = True) -> PassResult:
        return rows.at(th, with_grad=full, with_hessian=full)

    cur = at(theta)
    obj = cur.nll + pen.value(theta)
    if not np.isfinite(obj):
        raise ValueError(
            "the starting point has an infinite objective; check the offset/exposure scale"
        )
    assert cur.hess is not None and cur.grad is not None
    if not (np.all(np.isfinite(cur.grad)) and np.all(np.isfinite(cur.hess))):
        if rows.finite is not None:  # a NaN in X not yet proven absent: that is the reason
            rows.finite.check()
        raise ValueError(_overflow_message(rows.X))
    if check_rank:
        groups = rank_deficiency(cur.hess + l2diag)
        if groups:
            raise NotIdentifiable(groups)
    checked = not free.any() or rows.family.separation is None
    prev_moved = np.inf
    for _ in range(1, max_iter + 1):
        iters += 1
        assert cur.grad is not None and cur.hess is not None
        g = cur.grad + pen.l2 * (theta - pen.mean)
        H = cur.hess + l2diag
        step, decrease = newton_step(H, g, theta, pen.l1 if has_l1 else None)
        scale = 1.0 + float(np.abs(theta).max(initial=0.0))
        if float(np.abs(step).max(initial=0.0)) <= tol * scale:  # (False for a NaN step)
            # the step from a fresh gradient is within tol: the stopping rule holds here,
            # so the step is taken without a pass at its end (the old rule's seventh of
            # seven at 1e4 x 10); the Hessian is this pass's, the nll first-order moved
            end = theta + step
            nll = cur.nll + float(cur.grad @ step)
            return GLMFit.of(end, H, nll, nll + pen.value(end), iters, True)
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
        if small or not accepted:
            return GLMFit.of(theta, H, cur.nll, obj, iters, accepted)
        slow = moved > 0.25 * prev_moved
        prev_moved = moved
        if not checked and (
            (cur.eta_max > DIVERGING_ETA and slow and iters >= 4) or iters >= SUSPECT_AFTER
        ):
            if not top:
                return GLMFit.of(theta, H, cur.nll, obj, iters, False, [], "diverging")
            checked = True
            moving = np.abs(step) >= 0.05 * float(np.abs(step).max(initial=0.0))
            if rows.fit_intercept:
                moving[-1] = True
            dirs = rows.recession(list(np.flatnonzero(moving & free)))
            if not dirs and not (moving | ~free).all():
                dirs = rows.recession(list(np.flatnonzero(free)))
            if dirs:
                return GLMFit.of(theta, H, cur.nll, obj, iters, False, dirs, "separation")
    return GLMFit.of(theta, H, cur.nll, obj, iters, False, [], f"no convergence in {max_iter}")


def _overflow_message(X: Array) -> str:
    """Why the gradient or Hessian at a finite start is not finite (X is finite)."""
    big = float(abs(X).max() if _sparse.issparse(X) else np.max(np.abs(X), initial=0.0))
    return (
        f"the gradient or Hessian overflows at the starting point: X's values are too "
        f"large for float64 products (largest |value| {big:.3g}); rescale X's "
        f"columns (e.g. to unit spread) and fit again"
    )


def _refine(
    rows: _Rows,
    pen: PenaltyVec,
    theta: Array,
    H0: Array,
    tol: float,
    check_rank: bool,
    max_iter: int = 50,
    exact: bool = False,
    packed: bool = False,
) -> GLMFit | None:
    """Newton-chord passes from a warm start, one exact Hessian, and a checked stop.

    Notes
    -----
    ``H0`` is an approximate Hessian (the subsample's, scaled to the full data).
    Each pass computes the gradient ``g`` and steps ``theta -= H^{-1} g`` with a
    fixed ``H`` (a chord step); near the optimum the error contracts by the factor
    ``rho = ||H^{-1}(H - H*)||`` per pass (about 0.05 for an eighth of the rows),
    and the step length ``|s_k|`` estimates the error before it, so
    ``|s_k| min(1, |s_k| / |s_{k-1}|)`` estimates the error after it. While the
    chord uses ``H0`` its iterates are Anderson-accelerated (:class:`_Anderson`):
    at 1e5 x 200 the observed contraction went from about 0.3 to 0.13 per pass,
    ten full-data gradient passes to seven. Once that
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
    With ``exact``, ``H0`` is the exact Hessian at ``theta`` (after L-BFGS) and
    serves as ``H*`` from the start; without it ``H0`` is overwritten by its factor.
    With ``packed`` the exact Hessians are taken in packed form (1-d, :mod:`._packed`;
    an exact ``H0`` already is), factored in their own memory, and that factor is what
    the fit keeps (``GLMFit.packed``).
    Returns None when the iteration does not contract (the gradient must halve at
    each pass), or (``check_rank``) a Hessian lacks full rank, and the caller
    falls back to damped Newton.
    """
    got = _factored(H0, exact, check_rank)
    if got is None:
        return None
    H_star: Array | PackedCholesky | None
    solve, H_star = got
    loose = float(np.sqrt(tol))
    th = theta.copy()
    prev = np.inf
    last = before = np.inf
    th_star = th
    chord = _Anderson()
    for it in range(1, max_iter + 1):
        scale = 1.0 + float(np.abs(th).max())
        # the error at th is about the last step times the observed contraction factor
        err = last if not np.isfinite(before) else last * min(1.0, last / before)
        want_h = H_star is None and err <= 0.1 * loose * scale
        res = rows.at(th, with_nll=want_h or H_star is not None, with_hessian=want_h, packed=packed)
        assert res.grad is not None
        g = res.grad + pen.l2 * (th - pen.mean)
        gnorm = float(np.abs(g).max())
        if not np.isfinite(gnorm) or gnorm > 0.5 * prev:
            back = chord.retreat()
            if back is None:
                return None
            th = back  # the accelerated step did not contract: the plain chord step instead
            last, before = np.inf, np.inf
            continue
        prev = gnorm
        if want_h:
            assert res.hess is not None
            got = _factored(_plus_diagonal(res.hess, pen.l2), True, check_rank)
            if got is None:
                return None
            solve, H_star = got
            th_star = th.copy()
            chord.reset()
        step = solve(g)
        before, last = last, float(np.abs(step).max())
        new = th - step if H_star is not None else chord.next(th, -step)
        scale = 1.0 + float(np.abs(new).max())
        if H_star is not None and last <= tol * scale:
            if float(np.abs(new - th_star).max()) > 0.3 * loose * scale:
                H_star = None  # moved too far from the exact Hessian: take it again
                solve = _no_solve  # (the old factor freed before the next one is made)
                last, before = 0.0, np.inf
                th = new
                continue
            nll = res.nll - float(res.grad @ step)
            if isinstance(H_star, PackedCholesky):
                fit = GLMFit.of(new, None, nll, nll + pen.value(new), it, True)
                fit.packed = H_star
                return fit
            return GLMFit.of(new, H_star, nll, nll + pen.value(new), it, True)
        th = new
    return None


#: a packed Hessian's Cholesky pivot (the share of a column's curvature the columns
#: before it leave unexplained, :meth:`PackedCholesky.pivots`) below this sends the
#: fit to the full-storage route, whose pivoted Cholesky decides the rank
#: (:func:`~._checks.rank_deficiency`, ``RANK_TOL`` = 1e-11 with pivoting); without
#: pivoting a dependency shows up in the last of its columns, here with a margin
PACKED_PIVOT_TOL = 1e-6


def _no_solve(g: Array) -> Array:  # pragma: no cover - replaced before any use
    raise AssertionError("no factor")


def _factored(
    H: Array, keep: bool, check_rank: bool
) -> tuple[Any, Array | PackedCholesky | None] | None:
    """``(solve, kept)`` for the chord and Newton steps with ``H``, or None where ``H``
    is not finite, not positive definite or (``check_rank``) not of full rank.

    ``kept`` is what the fit returns as its Hessian: ``H`` itself where ``keep``
    (factored in a copy), else None (factored in its own memory: its transpose, the
    same symmetric matrix, is the Fortran-ordered array LAPACK writes into). A packed
    ``H`` (1-d) is factored in its own memory and the factor is kept.
    """
    from scipy import linalg

    if H.ndim == 1:
        chol = PackedCholesky(H, (math.isqrt(8 * H.shape[0] + 1) - 1) // 2)
        if not chol.ok or (check_rank and float(chol.pivots().min(initial=1.0)) < PACKED_PIVOT_TOL):
            return None  # (a rank or overflow problem: _newton's full route says which)
        return chol.solve, chol
    if not np.all(np.isfinite(H)) or (check_rank and rank_deficiency(H)):
        return None  # (an overflowing Hessian: _newton says so)
    try:
        if keep:
            factor = linalg.cho_factor(H, check_finite=False)
        else:
            factor = linalg.cho_factor(H.T, lower=False, overwrite_a=True, check_finite=False)
    except linalg.LinAlgError:
        return None
    return (lambda g: linalg.cho_solve(factor, g)), (H if keep else None)


class _Anderson:
    """Anderson acceleration (depth ``depth``) of the chord iteration ``x + f(x)``,
    ``f(x) = -H0^{-1} g(x)``.

    Notes
    -----
    From the last iterates ``x_j`` and chord steps ``f_j``, with the differences
    ``dX_j = x_{j+1} - x_j`` and ``dF_j = f_{j+1} - f_j``, the next iterate is
    ``x + f - (dX + dF) gamma``, ``gamma = argmin |f - dF gamma|`` (Walker & Ni 2011,
    mixing 1). Near the optimum the chord iteration is linear, with
    ``f(x) = -H0^{-1} H* (x - x*)``, and Anderson's iterates then are GMRES's on
    ``H0^{-1} H*`` (whose spectrum lies within the subsample's relative Hessian
    error of 1): the error contracts faster than the plain chord's factor
    ``rho = ||I - H0^{-1} H*||`` with no extra pass. Each accelerated iterate is
    kept only if the next pass's gradient halves; otherwise the caller goes back to
    the plain chord step from the last iterate (:meth:`retreat`).
    """

    def __init__(self, depth: int = 5) -> None:
        self.depth = depth
        self.xs: list[Array] = []
        self.fs: list[Array] = []
        self.accelerated = False

    def reset(self) -> None:
        self.xs, self.fs, self.accelerated = [], [], False

    def next(self, x: Array, f: Array) -> Array:
        """The next iterate from ``x`` and its chord step ``f``."""
        self.xs.append(x.copy())
        self.fs.append(f.copy())
        if len(self.xs) > self.depth + 1:
            del self.xs[0], self.fs[0]
        self.accelerated = len(self.xs) > 1
        if not self.accelerated:
            return x + f
        dX = np.diff(np.array(self.xs), axis=0).T
        dF = np.diff(np.array(self.fs), axis=0).T
        gamma = np.linalg.lstsq(dF, f, rcond=None)[0]
        out = x + f - (dX + dF) @ gamma
        if not np.all(np.isfinite(out)):
            self.accelerated = False
            return x + f
        return np.asarray(out)

    def retreat(self) -> Array | None:
        """After an accelerated iterate failed: the plain chord step from the iterate
        before it (history cleared); None when the failed one was already plain."""
        if not self.accelerated:
            return None
        x, f = self.xs[-1], self.fs[-1]
        self.reset()
        return x + f
