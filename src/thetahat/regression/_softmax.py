"""The multinomial (softmax) logistic likelihood: nll, gradient and block Hessian in one pass.

The coefficients run over the ``m = K - 1`` classes after the first (the reference,
whose linear predictor is 0), class by class, each block ``[w (p), b]`` (``b`` only
with an intercept). For row ``i`` with class ``c_i``, ``eta_ik = x_i'w_k + b_k``
(``eta_i0 = 0``), ``p_ik = exp(eta_ik - lse_i)`` with ``lse_i = log sum_k exp(eta_ik)``
and ``nll_i = lse_i - eta_{i c_i}``. The gradient of class ``k`` is
``sum_i s_i (p_ik - [c_i = k]) x~_i`` and the Hessian block of classes ``k, l`` is
``sum_i s_i (p_ik [k = l] - p_ik p_il) x~_i x~_i'`` (``x~ = [x, 1]``). Like
:func:`~._loss.fused_pass` this is the per-block hook of the solver: one read of each
block of rows gives all three, and blocks add.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from .. import _fastpath
from . import _sparse
from ._checks import recession_lp
from ._loss import CHUNK, PassResult, _blas_one_thread, _n_workers, merge_passes
from ._solvers import _Rows

__all__ = ["SOFTMAX", "SoftmaxRows", "softmax_pass"]

Array = NDArray[np.float64]
#: doubles held by the per-block products ``x~_ia x~_ib`` of a Hessian pass (8 MB: 790
#: rows for 50 features; the products stay in the last-level cache while the gemm reads
#: them, and each block's ~90 numpy calls (which hold the GIL between them) are ~5% of its
#: time, so two workers run nearly in parallel; blocks of 197-1182 rows cost the same CPU
#: time within the noise, 128 rows ~20% more in GIL-held call overhead)
HESS_BLOCK = 1 << 20
#: the separation LP is not built beyond this many constraint entries (rows x classes x
#: coefficients): the fit then reports non-convergence instead of naming the direction
LP_MAX_ENTRIES = 20_000_000


@dataclass(frozen=True)
class _SoftmaxFamily:
    """What the solver asks of a family (its name and its kind of separation)."""

    name: str = "multinomial"
    separation: str | None = "multinomial"


SOFTMAX = _SoftmaxFamily()


def softmax_pass(
    X: Array,
    codes: NDArray[np.intp],
    sw: Array | None,
    theta: Array,
    n_classes: int,
    fit_intercept: bool,
    *,
    with_nll: bool = True,
    with_grad: bool = True,
    with_hessian: bool = False,
) -> PassResult:
    """Total nll, gradient and Hessian (each optional) of the multinomial logit in ONE pass.

    ``theta`` is laid out class by class over classes ``1..K-1`` (see the module
    docstring); ``codes`` are the class indices ``0..K-1``. Rows are split over
    worker threads as in :func:`~._loss.fused_pass` (BLAS held to one thread).

    Notes
    -----
    Per block of rows, held class by row: ``eta' = W' X_b' + b`` (one gemm), a stable
    log-sum-exp with the reference's 0, ``P'`` the probabilities of classes ``1..K-1``.
    The gradient is ``(P - Y)' X_b`` (one gemm). The Hessian's distinct entries are one
    gemm per block (:class:`_DistinctHessian`: the per-row ``W_i``'s distinct entries
    against the distinct products ``x~_ia x~_ib``, the intercept included), 0.6x the
    multiply-adds of one ``p x p`` product per pair of classes, expanded to the full
    matrix once per worker. A Hessian pass takes blocks of :data:`HESS_BLOCK` doubles
    of products, a gradient pass blocks of :data:`~._loss.CHUNK` rows; each worker's
    numpy calls hold the GIL only between the calls (a few percent of a block's time),
    so the passes run in parallel over the workers.
    """
    n = X.shape[0]
    flags = (with_nll, with_grad, with_hessian)
    m = n_classes - 1
    p = X.shape[1]
    q = p + int(fit_intercept)
    chunk = max(128, min(CHUNK, HESS_BLOCK // (q * (q + 1) // 2))) if with_hessian else CHUNK
    args = (X, codes, sw, theta, m, fit_intercept, flags, chunk)
    with _blas_one_thread():
        parts = _fastpath.map_ranges(lambda lo, hi: _rows(*args, lo, hi), n, _n_workers(n))
    return merge_passes(parts)


def _rows(
    X: Array,
    codes: NDArray[np.intp],
    sw: Array | None,
    theta: Array,
    m: int,
    fit_intercept: bool,
    flags: tuple[bool, bool, bool],
    chunk: int,
    lo: int,
    hi: int,
) -> PassResult:
    """:func:`softmax_pass` over rows ``lo:hi``.

    Each block is held class by row (``eta'``, ``p'``: m x rows), so the log-sum-exp's
    reductions over the classes are elementwise operations on m contiguous rows."""
    with_nll, with_grad, with_hessian = flags
    p = X.shape[1]
    q = p + int(fit_intercept)
    blocks = theta.reshape(m, q)
    Wt = np.ascontiguousarray(blocks[:, :p])  # m x p
    b = blocks[:, p:] if fit_intercept else None  # m x 1
    G = np.zeros((m, q)) if with_grad else None
    H = _DistinctHessian(q, m, chunk) if with_hessian else None
    XT = np.empty((q, chunk)) if with_hessian else None  # x~' of a block, rows contiguous
    if XT is not None and fit_intercept:
        XT[p] = 1.0
    total = 0.0
    eta_max = 0.0
    for s in range(lo, hi, chunk):
        e = min(s + chunk, hi)
        Xc = X[s:e]
        if _sparse.issparse(Xc):  # a block of rows at a time: O(chunk x p) memory
            Xc = Xc.toarray()  # type: ignore[attr-defined]
        yc = codes[s:e]
        wc = None if sw is None else sw[s:e]
        obs = np.flatnonzero(yc > 0)  # rows not of the reference class, and their classes
        cls = yc[obs] - 1
        eta = Wt @ Xc.T  # m x rows
        if b is not None:
            eta += b
        top = eta.max(axis=0)
        np.maximum(top, 0.0, out=top)
        ex = eta - top
        np.exp(ex, out=ex)
        den = ex.sum(axis=0)
        den += np.exp(-top)
        if with_nll:
            lse = np.log(den)
            lse += top
            own = eta[cls, obs]
            if wc is None:
                total += float(lse.sum()) - float(own.sum())
            else:
                total += float(wc @ lse) - float(wc[obs] @ own)
            eta_max = max(eta_max, float(eta.max(initial=0.0)), -float(eta.min(initial=0.0)))
        if not (with_grad or with_hessian):
            continue
        P = ex
        P /= den  # p' (m x rows)
        if G is not None:
            R = P.copy() if H is not None else P
            R[cls, obs] -= 1.0
            if wc is not None:
                R *= wc
            G[:, :p] += R @ Xc
            if fit_intercept:
                G[:, p] += R.sum(axis=1)
        if H is not None and XT is not None:
            XTc = XT[:, : e - s]
            XTc[:p] = Xc.T
            H.add(XTc, P, wc)
    return PassResult(
        total,
        None if G is None else G.ravel(),
        None if H is None else H.hessian(),
        eta_max,
    )


def _by_diagonal(q: int) -> tuple[Array, NDArray[np.intp]]:
    """The pairs ``(a, b >= a)`` of ``0..q-1`` ordered by diagonal ``d = b - a``, then
    ``a``: the starts of each diagonal's run (``q + 1`` of them) and the ``q x q``
    table of each pair's position (symmetric)."""
    starts = np.r_[0, np.cumsum(np.arange(q, 0, -1))]
    pos = np.empty((q, q), dtype=np.intp)
    for d in range(q):
        a = np.arange(q - d)
        pos[a, a + d] = pos[a + d, a] = starts[d] + a
    return starts, pos


class _DistinctHessian:
    """The Hessian's distinct entries, summed by blocks of rows in one GEMM per block.

    ``H = sum_i W_i (x) x~_i x~_i'`` with ``W_i = s_i (diag p_i - p_i p_i')`` (m x m):
    entry ``(k, a; l, b)`` is ``sum_i W_i[k, l] x~_ia x~_ib``, so with the
    ``m (m + 1) / 2`` distinct entries of each ``W_i`` as the rows of ``M'`` (45 x rows
    for 10 classes) and the ``q (q + 1) / 2`` distinct products ``x~_ia x~_ib`` as the
    rows of ``Q'`` (1,326 x rows for 50 features and the intercept), the distinct
    entries of ``H`` are ``M' Q``: one gemm per block, ``n m (m + 1) q (q + 1) / 4``
    multiply-adds in all (the least a sum of per-row symmetric Kronecker products
    costs; the intercept is the constant row of ``x~'``). ``W_ii`` is formed as
    ``p (1 - p)`` (no cancellation of ``p - p^2``).

    Both sets of distinct pairs are ordered by diagonal (``b - a``, then ``a``), so
    each diagonal's products are one elementwise product of two contiguous slabs of
    the block's rows (``x~'[d:] * x~'[:q-d]``): ``q + m`` numpy calls per block
    whatever its length, into buffers held across blocks (the products stay in
    cache while the gemm reads them; no allocation per block).
    """

    def __init__(self, q: int, m: int, rows: int) -> None:
        self.q, self.m = q, m
        self.sq, self.pq = _by_diagonal(q)
        self.sm, self.pm = _by_diagonal(m)
        nq, nm = int(self.sq[-1]), int(self.sm[-1])
        self.Dt = np.zeros((nm, nq))
        self.Qt = np.empty((nq, rows))
        self.Mt = np.empty((nm, rows))
        self.out = np.empty((nm, nq))

    def add(self, XT: Array, PT: Array, wc: Array | None) -> None:
        """Add a block: ``XT`` its ``x~'`` (q x rows, the intercept's row of ones
        included), ``PT`` its probabilities ``p'`` of classes ``1..m`` (m x rows)."""
        c = XT.shape[1]
        q, m = self.q, self.m
        Qt, Mt = self.Qt[:, :c], self.Mt[:, :c]
        sq, sm = self.sq, self.sm
        for d in range(q):  # x~_a x~_(a+d), a = 0..q-1-d
            np.multiply(XT[d:], XT[: q - d], out=Qt[sq[d] : sq[d + 1]])
        np.subtract(1.0, PT, out=Mt[:m])
        Mt[:m] *= PT  # W_kk = p_k (1 - p_k)
        for d in range(1, m):  # W_k(k+d) = -p_k p_(k+d)
            np.multiply(PT[d:], PT[: m - d], out=Mt[sm[d] : sm[d + 1]])
        np.negative(Mt[m:], out=Mt[m:])
        if wc is not None:
            Mt *= wc
        np.matmul(Mt, Qt.T, out=self.out)
        self.Dt += self.out

    def hessian(self) -> Array:
        """The whole ``(m q) x (m q)`` Hessian (class by class, each ``[w, b]``)."""
        q, m = self.q, self.m
        idx = self.pm[:, None, :, None] * self.Dt.shape[1] + self.pq[None, :, None, :]
        return self.Dt.ravel()[idx].reshape(m * q, m * q)


@dataclass(frozen=True)
class SoftmaxRows(_Rows):
    """The solver's view of a multinomial problem (a :class:`~._solvers._Rows`).

    ``y`` holds the class indices. The solver's coordinates ``u`` map to the
    reference coordinates of :func:`softmax_pass` by ``theta = T u`` (``T`` None:
    the same); gradients and Hessians are mapped back (``T'g``, ``T'HT``).
    ``shift`` (with ``shift_curv``) adds ``shift_curv S S'`` to the Hessian, ``S``
    the directions that move every class's weight of one feature together: the
    likelihood cannot see them, and only an L1 prior holds them (see
    :mod:`._multinomial`), whose proximal Newton steps need a positive definite
    model. ``scale_u`` are L-BFGS's per-coefficient scales.
    """

    n_classes: int = 3
    T: Array | None = None
    shift: Array | None = None
    shift_curv: float = 0.0
    scale_u: Array | None = None

    def at(self, theta: Array, packed: bool = False, **flags: bool) -> PassResult:
        # (``packed`` asks for a packed Hessian, which the softmax pass does not make:
        # its Hessian comes full, as the solver then expects)
        u = theta
        th = u if self.T is None else self.T @ u
        res = softmax_pass(
            self.X,
            self.y.astype(np.intp, copy=False),
            self.sw,
            th,
            self.n_classes,
            self.fit_intercept,
            **flags,
        )
        if self.T is not None:
            if res.grad is not None:
                res.grad = self.T.T @ res.grad
            if res.hess is not None:
                res.hess = self.T.T @ res.hess @ self.T
        if res.hess is not None and self.shift is not None:
            res.hess += self.shift_curv * (self.shift @ self.shift.T)
        return res

    def strided(self, stride: int) -> tuple[SoftmaxRows, float]:
        sub, frac = super().strided(stride)
        return replace(self, X=sub.X, y=sub.y, sw=sub.sw, shift_curv=self.shift_curv * frac), frac

    def scales(self) -> Array:
        assert self.scale_u is not None
        return self.scale_u

    def recession(self, cols: list[int]) -> list[int]:
        """Coefficients (among ``cols``) along which the multinomial likelihood rises for
        ever: a direction ``d`` with ``x~_i'(d_{c_i} - d_k) >= 0`` for every row and every
        other class (the observed class gains on every other), not all 0 (Albert &
        Anderson 1984 for K classes), decided by :func:`~._checks.recession_lp`.
        Only for the reference coordinates (``T`` None: the MLE)."""
        if not cols or self.T is not None:
            return []
        m, p = self.n_classes - 1, self.X.shape[1]
        q = p + int(self.fit_intercept)
        keep = np.ones(self.X.shape[0], dtype=bool) if self.sw is None else self.sw > 0
        Xk = self.X[keep]
        if _sparse.issparse(Xk):  # the LP is dense: only where it is small
            if Xk.shape[0] * Xk.shape[1] > LP_MAX_ENTRIES:
                return []
            Xk = Xk.toarray()  # type: ignore[union-attr]
        if self.fit_intercept:
            Xk = np.column_stack([Xk, np.ones(Xk.shape[0])])
        Xk, inverse = np.unique(Xk, axis=0, return_inverse=True)
        yk = self.y[keep].astype(np.intp)
        pairs = np.unique(np.column_stack([inverse.ravel(), yk]), axis=0)
        cols = sorted(int(j) for j in cols)
        if pairs.shape[0] * m * len(cols) > LP_MAX_ENTRIES:
            return []
        # one constraint per (distinct row, observed class, other class)
        rows_i = np.repeat(pairs[:, 0], m)
        obs = np.repeat(pairs[:, 1], m)
        other = np.tile(np.arange(m + 1), pairs.shape[0])
        other = other.reshape(pairs.shape[0], m + 1)
        other = other[other != pairs[:, 1][:, None]].ravel()
        A = np.zeros((rows_i.shape[0], m * q))
        Ab = A.reshape(-1, m, q)
        sel = obs > 0
        Ab[np.flatnonzero(sel), obs[sel] - 1, :] += Xk[rows_i[sel]]
        sel = other > 0
        Ab[np.flatnonzero(sel), other[sel] - 1, :] -= Xk[rows_i[sel]]
        found = recession_lp(A[:, cols], np.zeros((0, len(cols))))
        return [cols[j] for j in found]
