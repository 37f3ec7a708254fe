"""A GLM's Hessian, its Cholesky factor and its inverse in half the memory: LAPACK's
rectangular full packed form.

A wide fit on few rows (1e4 x 200, say) holds little per row but a ``k x k``
Hessian and covariance (0.32 MB each at ``k = 201``), and the passes' per-worker
sums. L-BFGS, which returns no standard errors, holds about four n-vectors there
(0.31 MB). In the rectangular full packed form (RFP: ``TRANSR = 'N'``,
``UPLO = 'L'``) a symmetric matrix takes ``k (k + 1) / 2`` values, and LAPACK works
on it with Level-3 BLAS (``dsfrk``, ``dpftrf``, ``dpftrs``, ``dpftri``: all
exported by SciPy), so the whole way from the last pass's Hessian to the returned
covariance stays in one such array: the compiled pass adds ``Z'Z`` as ``dsfrk``
does, by ``dsyrk`` on the two triangles and ``dgemm`` on the block between them,
split over two threads (``_kernels_glm.c``), :class:`PackedCholesky` factors it in
place, and
:func:`packed_covariance` inverts the factor in place and hands it out as a
:class:`~thetahat.results.LazyCovariance` that reads its entries (the whole matrix
is formed only when asked for).

Notes
-----
The layout, for ``s = 1`` when ``k`` is even (else 0), ``lda = k + s`` and
``n1 = ceil(k / 2)``: entry ``(i, j)``, ``i >= j``, is at
``i + s + j lda`` for ``j < n1`` and at ``(j - n1) + (i - n1 + 1 - s) lda``
otherwise (the trailing triangle, stored transposed above the leading one).
LAPACK's ``dtrttf`` and ``dtfttr`` are the reference (the tests compare against
them).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..optim import mirror_upper
from ..results import LazyCovariance

__all__ = ["PackedCholesky", "packed_covariance", "rfp_diagonal_index", "rfp_index", "rfp_size"]

Array = NDArray[np.float64]

_FORM = {"transr": "N", "uplo": "L"}
#: columns per chunk where a packed matrix is read as dense columns (k x 16 values)
_CHUNK = 16


def rfp_size(k: int) -> int:
    """The number of values a ``k x k`` symmetric matrix takes in packed form."""
    return k * (k + 1) // 2


def rfp_index(i: Any, j: Any, k: int) -> NDArray[np.intp]:
    """Positions of the entries ``(i, j)`` (broadcast; either triangle) of a ``k x k``
    symmetric matrix in its packed form."""
    i, j = np.asarray(i, dtype=np.intp), np.asarray(j, dtype=np.intp)
    hi, lo = np.maximum(i, j), np.minimum(i, j)
    s = 1 - k % 2
    lda, n1 = k + s, (k + 1) // 2
    return np.where(lo < n1, hi + s + lo * lda, (lo - n1) + (hi - n1 + 1 - s) * lda)


def rfp_diagonal_index(k: int) -> NDArray[np.intp]:
    """Positions of the diagonal of a ``k x k`` matrix in packed form."""
    d = np.arange(k)
    return rfp_index(d, d, k)


def rfp_columns(a: Array, k: int, j0: int, j1: int) -> Array:
    """Columns ``j0:j1`` of the packed symmetric matrix ``a``, dense (``k x (j1 - j0)``)."""
    return a[rfp_index(np.arange(k)[:, None], np.arange(j0, j1)[None, :], k)]


def rfp_matvec(a: Array, k: int, x: Array) -> Array:
    """``A x`` for the packed symmetric ``A``, a chunk of columns at a time."""
    out = np.empty(k)
    for j0 in range(0, k, _CHUNK):
        j1 = min(k, j0 + _CHUNK)
        out[j0:j1] = x @ rfp_columns(a, k, j0, j1)
    return out


def rfp_block(a: Array, k: int, idx: NDArray[np.intp]) -> Array:
    """The dense block ``A[idx][:, idx]`` of the packed symmetric ``A``."""
    idx = np.asarray(idx, dtype=np.intp)
    return a[rfp_index(idx[:, None], idx[None, :], k)]


class PackedCholesky:
    """``H = L L'`` for a positive definite ``H`` in packed form, factored in its own
    memory (LAPACK ``dpftrf``).

    ``ok`` is False where ``H`` is not positive definite (or not finite); the array
    is then no longer ``H``. ``diagonal`` is ``H``'s diagonal, kept from before;
    ``at_diagonal`` the diagonal's positions in the array.
    """

    def __init__(self, packed: Array, k: int) -> None:
        from scipy.linalg import lapack

        if packed.shape != (rfp_size(k),) or not packed.flags.c_contiguous:
            raise ValueError(f"a packed {k} x {k} matrix has {rfp_size(k)} contiguous values")
        self.k = k
        self.a = packed
        self.at_diagonal = rfp_diagonal_index(k)
        self.diagonal = packed[self.at_diagonal]
        if not np.all(np.isfinite(packed)):
            self.ok = False
            return
        c, info = lapack.dpftrf(k, packed, overwrite_a=1, **_FORM)
        if not np.shares_memory(c, packed):  # pragma: no cover - f2py copies only odd input
            packed[:] = c
        self.ok = info == 0

    def copy(self) -> PackedCholesky:
        """The same factor in memory of its own."""
        out = PackedCholesky.__new__(PackedCholesky)
        out.__dict__.update(self.__dict__, a=self.a.copy())
        return out

    def pivots(self) -> Array:
        """``L_jj^2 / H_jj``: the share of column ``j``'s curvature that the columns
        before it leave unexplained (1 minus the weighted R^2 of column ``j`` on
        ``0..j-1``; scale-free). A value near 0 is a near-exact linear dependency."""
        lj = self.a[self.at_diagonal]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.diagonal > 0, lj * lj / self.diagonal, 0.0)

    def logdet(self) -> float:
        """``log det H``."""
        return 2.0 * float(np.sum(np.log(self.a[self.at_diagonal])))

    def solve(self, b: Array) -> Array:
        """``H^{-1} b`` (LAPACK ``dpftrs``)."""
        from scipy.linalg import lapack

        x, info = lapack.dpftrs(self.k, self.a, np.array(b, dtype=float)[:, None], **_FORM)
        if info != 0:  # pragma: no cover - an illegal argument
            raise RuntimeError(f"dpftrs failed with info={info}")
        return np.asarray(x[:, 0])


def packed_covariance(
    chol: PackedCholesky, scale: float = 1.0, centre: Array | None = None
) -> tuple[LazyCovariance, float]:
    """``scale`` times ``H^{-1}`` from ``H``'s factor, inverted in the factor's memory
    (LAPACK ``dpftri``; ``chol`` is spent), and ``log det`` of that covariance.

    With ``centre`` (``m``: the columns' values the passes subtracted, intercept last)
    the covariance is mapped to the original coordinates, ``b = b_c - m'w``:
    ``T C T'`` with ``T = [[I, 0], [-m', 1]]``, which changes only the last row and
    column (written in place). Raises ``numpy.linalg.LinAlgError`` where the factor is
    singular.
    """
    from scipy.linalg import lapack

    k, a = chol.k, chol.a
    if not chol.ok:
        raise np.linalg.LinAlgError("the Hessian is not positive definite")
    logdet_h = chol.logdet()
    inv, info = lapack.dpftri(k, a, overwrite_a=1, **_FORM)
    if info != 0:
        raise np.linalg.LinAlgError(f"the Hessian is singular (dpftri info={info})")
    if not np.shares_memory(inv, a):  # pragma: no cover - f2py copies only odd input
        a[:] = inv
    if scale != 1.0:
        a *= scale
    if centre is not None and k > 0:
        m = np.append(np.asarray(centre, dtype=float), 0.0)
        cw = rfp_matvec(a, k, m)[:-1]  # C[:-1, :-1] m (m's last entry is 0)
        last_row = rfp_index(k - 1, np.arange(k), k)
        row = a[last_row]
        corner = float(row[-1] - 2.0 * (row[:-1] @ m[:-1]) + m[:-1] @ cw)
        a[last_row[:-1]] = row[:-1] - cw
        a[last_row[-1]] = corner
    logdet = k * math.log(scale) - logdet_h if scale > 0 else math.nan
    blocks = _PackedBlocks(a, k, chol.at_diagonal)
    return LazyCovariance(k, blocks, limit=k, diagonal=blocks.diagonal), logdet


class _PackedBlocks:
    """``block(idx)`` of a :class:`~thetahat.results.LazyCovariance` over a packed
    symmetric matrix (the whole matrix by LAPACK's ``dtfttr``), and ``diagonal(idx)``;
    a class, not closures, so a fitted estimator pickles."""

    def __init__(self, a: Array, k: int, at_diagonal: NDArray[np.intp]) -> None:
        self.a, self.k, self.at_diagonal = a, k, at_diagonal

    def diagonal(self, idx: NDArray[np.intp]) -> Array:
        return np.asarray(self.a[self.at_diagonal[idx]])

    def __call__(self, idx: NDArray[np.intp]) -> Array:
        if idx.shape == (self.k,) and np.array_equal(idx, np.arange(self.k)):
            from scipy.linalg import lapack

            full, info = lapack.dtfttr(self.k, self.a, **_FORM)
            if info != 0:  # pragma: no cover - an illegal argument
                raise RuntimeError(f"dtfttr failed with info={info}")
            # (its lower triangle filled: the transpose's upper one, mirrored in place)
            return np.asarray(mirror_upper(full.T).T)
        return rfp_block(self.a, self.k, idx)
