"""Information to covariance: :func:`invert_information` (one matrix; up to 3x3 in
scalar arithmetic) and :func:`invert_information_batch` (a stack, one per group);
``inf`` everywhere where singular. :func:`inverse_symmetric`: a large symmetric matrix's
inverse, by its Cholesky factor where positive definite; :func:`mirror_upper`."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray


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
    if k == 2:  # the most common size (two-parameter families)
        return invert_information_2x2(*m[0], *m[1])
    if k == 1:
        a = m[0][0]
        if not isfinite(a):
            return bad.copy()
        return np.array([[1.0 / a]]) if a > 0 else bad.copy()
    return invert_information_3x3(*m[0], *m[1], *m[2])


def inverse_2x2(a: float, b: float, c: float, d: float) -> tuple[float, float, float, float]:
    """The inverse ``(v00, v01, v10, v11)`` of ``[[a, b], [c, d]]`` as an information
    matrix, in Python floats (the adjugate over the determinant); all ``inf`` when
    singular, not finite, or a variance is not positive."""
    isfinite = math.isfinite
    if not (isfinite(a) and isfinite(b) and isfinite(c) and isfinite(d)):
        return _INF4
    det = a * d - b * c
    if not (det != 0 and isfinite(det)):
        return _INF4
    v00, v01, v10, v11 = d / det, -b / det, -c / det, a / det
    ok = v00 > 0 and v11 > 0 and isfinite(v00) and isfinite(v11)
    if not (ok and isfinite(v01) and isfinite(v10)):
        return _INF4
    return v00, v01, v10, v11


_INF4 = (math.inf, math.inf, math.inf, math.inf)


def invert_information_2x2(a: float, b: float, c: float, d: float) -> NDArray[np.float64]:
    """:func:`invert_information` of the 2x2 matrix ``[[a, b], [c, d]]`` given as Python
    floats (:func:`inverse_2x2`): for a direct fit that has the entries as floats (no
    array to build first: 2 of a Normal fit's 16 us)."""
    v00, v01, v10, v11 = inverse_2x2(a, b, c, d)
    return np.array([[v00, v01], [v10, v11]])


def invert_information_3x3(
    a: float, b: float, c: float, d: float, e: float, f: float, g: float, h: float, i: float
) -> NDArray[np.float64]:
    """:func:`invert_information` of the 3x3 matrix ``[[a, b, c], [d, e, f], [g, h, i]]``
    given as Python floats (the adjugate over the determinant; ``inf`` everywhere when
    singular, not finite, or a variance is not positive). For a solve that has the
    entries as floats already (Student t's compiled Newton): no array to build first."""
    isfinite = math.isfinite
    finite = isfinite(a) and isfinite(b) and isfinite(c) and isfinite(d) and isfinite(e)
    if not (finite and isfinite(f) and isfinite(g) and isfinite(h) and isfinite(i)):
        return _SINGULAR[2].copy()
    adj = [
        [e * i - f * h, c * h - b * i, b * f - c * e],
        [f * g - d * i, a * i - c * g, c * d - a * f],
        [d * h - e * g, b * g - a * h, a * e - b * d],
    ]
    det = a * adj[0][0] + b * adj[1][0] + c * adj[2][0]
    if not (det != 0 and isfinite(det)):
        return _SINGULAR[2].copy()
    cov = [[v / det for v in row] for row in adj]
    flat = cov[0] + cov[1] + cov[2]
    if not (flat[0] > 0 and flat[4] > 0 and flat[8] > 0 and all(map(isfinite, flat))):
        return _SINGULAR[2].copy()
    return np.array(cov)


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
    k = info.shape[-1]
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
    return out


#: from this size up a positive definite matrix is inverted through its Cholesky factor
#: (LAPACK dpotrf + dpotri, n^3 flops against LU's 2 n^3): 0.80x ``np.linalg.inv``'s time
#: at 64, 0.62x at 201, 0.48x at 301 (measured with the mirroring); below it LU is as fast
CHOLESKY_MIN_K = 64


def inverse_symmetric(A: NDArray[np.float64], overwrite: bool = False) -> NDArray[np.float64]:
    """The inverse of a symmetric matrix (only its upper triangle is read by the Cholesky
    route): through its Cholesky factor when it is positive definite and at least
    :data:`CHOLESKY_MIN_K` wide, else ``np.linalg.inv`` (which raises
    ``numpy.linalg.LinAlgError`` when ``A`` is singular; an indefinite but invertible
    ``A`` gets its inverse, as from ``np.linalg.inv``).

    With ``overwrite`` the Cholesky route factors and inverts in ``A``'s own memory
    (when ``A`` or its transpose is Fortran-contiguous: no k x k copy) and returns a
    view of it; ``A`` must not be used again. Where the factor fails, ``A`` is restored
    from its untouched strict lower triangle and saved diagonal before ``np.linalg.inv``.
    """
    return inverse_symmetric_logdet(A, overwrite)[0]


def inverse_symmetric_logdet(
    A: NDArray[np.float64], overwrite: bool = False
) -> tuple[NDArray[np.float64], float]:
    """:func:`inverse_symmetric` and ``log det A`` from the Cholesky factor's diagonal
    (NaN where the LU route ran: the caller takes its own determinant there)."""
    k = A.shape[0]
    if k >= CHOLESKY_MIN_K and np.all(np.isfinite(A)):
        from scipy.linalg import lapack

        # a symmetric A is its own transpose: a C-ordered one is factored as A.T
        a = A.T if overwrite and A.flags.c_contiguous and not A.flags.f_contiguous else A
        diag = np.diag(a).copy() if overwrite else None
        c, info = lapack.dpotrf(a, lower=False, clean=False, overwrite_a=overwrite)
        if info == 0:
            logdet = 2.0 * float(np.sum(np.log(np.diag(c))))
            # dpotri's dtrtri checks the factor's diagonal before writing anything
            inv, info = lapack.dpotri(c, lower=False, overwrite_c=True)
            if info == 0:
                return mirror_upper(np.asfortranarray(inv)), logdet
        if diag is not None and np.shares_memory(c, a):  # dpotrf wrote only the upper part
            iu = np.triu_indices(k, 1)
            a[iu] = a.T[iu]
            a.flat[:: k + 1] = diag
    return np.asarray(np.linalg.inv(A)), math.nan


def mirror_upper(H: NDArray[np.float64], step: int = 64) -> NDArray[np.float64]:
    """The symmetric matrix whose upper triangle is ``H``'s (Fortran-ordered, in place),
    as a C-ordered view; panels of ``step`` columns, so no k x k temporary."""
    k = H.shape[0]
    for a in range(0, k, step):
        b = min(a + step, k)
        H[b:, a:b] = H[a:b, b:].T
        blk = H[a:b, a:b]
        lower = np.tri(b - a, k=-1, dtype=bool)
        blk[lower] = blk.T[lower]
    return H.T
