"""When a GLM's MLE does not exist or is not unique: rank and separation, decided cheaply.

Nothing here runs on an ordinary fit's happy path beyond one pivoted Cholesky of the
``k x k`` Hessian the solver has already formed:

* **Identifiability** (:func:`rank_deficiency`): the MLE is unique iff the Hessian
  ``X' W X`` (``W > 0``) has full rank, i.e. iff X does. The solver's Hessian is
  scaled to unit diagonal and factorised by LAPACK's pivoted Cholesky; a pivot below
  ``RANK_TOL`` is a column the others explain to ``1 - R^2 < RANK_TOL``. Only then
  are the columns named (:func:`identifiability_message`, which looks at X once).
* **Separation** (:func:`recession_direction`): a direction ``d`` along which the
  log-likelihood increases for ever. The solver suspects it from its iterates
  (coefficients that keep moving while fitted values run to 0/1 or 0); only then is
  a linear programme solved, over the suspicious coefficients only.
* **Under a prior** no linear programme is solved: :func:`univariate_separation`
  looks for the common one-column cases (a dummy whose rows all have one outcome, a
  threshold on one column) among the coefficients the prior, not the data, holds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._sparse import column, dense_columns, issparse

__all__ = [
    "RANK_TOL",
    "NotIdentifiable",
    "identifiability_message",
    "rank_deficiency",
    "recession_direction",
    "recession_lp",
    "univariate_separation",
]

Array = NDArray[np.float64]

#: a column explained by the others to 1 - R^2 below this (VIF above 1e11) counts as
#: a linear combination of them: the Hessian's rounding (about k eps relative) is far
#: below it, and Newton on a Hessian that ill-conditioned has no correct digits left
RANK_TOL = 1e-11


class NotIdentifiable(ValueError):
    """The MLE is not unique: X (restricted to rows of positive weight) lacks full rank."""

    def __init__(self, groups: list[list[int]]) -> None:
        super().__init__("the design does not have full rank")
        self.groups = groups


def rank_deficiency(H: Array) -> list[list[int]]:
    """Groups of coefficients (internal order, intercept last) that are linearly dependent.

    Empty when ``H`` has full rank. Each group is a dependent column and the columns
    that explain it (``R11^{-1} R12`` of the pivoted factor); a column whose Hessian
    diagonal is 0 is a group of its own.
    """
    from scipy.linalg import lapack

    diag = np.diag(H).copy()
    big = float(diag.max(initial=0.0))
    zero = ~(diag > 1e-300 + 1e-30 * big)
    groups = [[int(j)] for j in np.flatnonzero(zero)]
    live = np.flatnonzero(~zero)
    if live.size == 0:
        return groups
    s = 1.0 / np.sqrt(diag[live])
    # one k x k copy, scaled and factored in place (Fortran order: dpstrf writes into it;
    # a selection's C-ordered copy is the same symmetric matrix as its transpose)
    A = np.array(H, order="F") if live.size == H.shape[0] else H[np.ix_(live, live)].T
    A *= s[:, None]
    A *= s[None, :]
    c, piv, rank, info = lapack.dpstrf(A, lower=0, tol=RANK_TOL, overwrite_a=True)
    if info < 0:  # pragma: no cover - an illegal argument
        raise RuntimeError(f"dpstrf failed with info={info}")
    if rank < live.size:
        piv = piv - 1  # LAPACK's 1-based pivots
        R11 = np.triu(c[:rank, :rank])
        R12 = c[:rank, rank:]
        from scipy.linalg import solve_triangular

        Z = solve_triangular(R11, R12) if rank else np.zeros((0, live.size - rank))
        for t in range(live.size - rank):
            inv = [int(piv[i]) for i in np.flatnonzero(np.abs(Z[:, t]) > 1e-8)]
            groups.append(sorted(int(live[j]) for j in [int(piv[rank + t]), *inv]))
    return groups


def identifiability_message(
    X: Array, sw: Array | None, names: list[str], fit_intercept: bool, groups: list[list[int]]
) -> str:
    """The ValueError text for :func:`rank_deficiency`'s groups (labels: names + intercept)."""
    n, p = X.shape
    k = p + int(fit_intercept)
    npos = n if sw is None else int(np.count_nonzero(sw))
    if npos < k:
        return (
            f"the model has {k} coefficients but the data have {npos} sample(s) with positive "
            f"weight; the MLE is not identifiable. Use fewer features or a proper prior "
            f"(e.g. th.Normal(0, 1))"
        )
    involved = sorted({j for g in groups for j in g if j < p})
    keep = None if sw is None else sw > 0
    const = []
    for j in involved:
        col = column(X, j) if keep is None else column(X, j)[keep]
        lo, hi = float(col.min()), float(col.max())
        if (fit_intercept and hi - lo <= 1e-12 * max(abs(lo), abs(hi), 1e-300)) or (
            not fit_intercept and lo == hi == 0.0
        ):
            const.append(j)
    if const:
        what = "constant (the intercept already spans constants)" if fit_intercept else "all zero"
        return (
            f"column(s) {', '.join(names[j] for j in const)} are {what}: their coefficient is "
            "not identifiable under a flat prior. Drop them or use a proper prior "
            "(e.g. th.Normal(0, 1))"
        )
    with_b = fit_intercept and any(p in g for g in groups)
    return (
        f"column(s) {', '.join(names[j] for j in involved)} are linear combinations of each "
        f"other{' and the intercept' if with_b else ''}: the MLE is not identifiable. "
        "Drop them or use a proper prior (e.g. th.Normal(0, 1))"
    )


def _design(X: Array, cols: list[int], fit_intercept: bool, rows: NDArray[np.bool_]) -> Array:
    p = X.shape[1]
    feats = [j for j in cols if j < p]
    if feats and issparse(X):  # only the suspected columns, only on this failure path
        A = dense_columns(X, feats)[rows]
    else:
        A = (
            X[np.ix_(rows, np.asarray(feats, dtype=np.intp))]
            if feats
            else np.zeros((int(rows.sum()), 0))
        )
    if fit_intercept and p in cols:
        A = np.column_stack([A, np.ones(A.shape[0])])
    return A


def recession_direction(
    family: str,
    X: Array,
    y: Array,
    sw: Array | None,
    fit_intercept: bool,
    cols: list[int],
) -> list[int]:
    """Coefficients (among ``cols``, internal order) along which the log-likelihood rises
    without bound; empty when there is no such direction within ``cols``.

    Notes
    -----
    Logistic: the data are (quasi-)separated iff some ``d != 0`` has
    ``s_i x_i' d >= 0`` for every row, ``s_i = 2 y_i - 1`` (Albert & Anderson 1984).
    Poisson: the likelihood rises without bound iff some ``d`` has ``x_i' d = 0``
    on every row with ``y_i > 0`` and ``x_i' d <= 0`` on the rows with ``y_i = 0``,
    negative on at least one (their means then go to 0; all-zero counts and a
    dummy whose rows all count 0 are the common cases). Both are decided by a
    linear programme (Konis 2007): maximise ``sum_i a_i' d`` subject to
    ``a_i' d >= 0``, ``b_i' d = 0`` and ``-1 <= d_j <= 1``, with ``a_i = s_i x_i``
    (logistic) or ``-x_i`` on zero counts (Poisson) and ``b_i = x_i`` on positive
    counts. A positive optimum means the MLE does not exist; the nonzero entries
    of the sparsest such ``d`` (a second programme minimising ``||d||_1``) are the
    diverging coefficients. Rows of zero weight, and rows that are zero on
    ``cols``, are left out; duplicate rows are merged.
    """
    cols = sorted(cols)
    keep = np.ones(X.shape[0], dtype=bool) if sw is None else sw > 0
    if family == "logistic":
        A = _design(X, cols, fit_intercept, keep) * (2.0 * y[keep] - 1.0)[:, None]
        B = np.zeros((0, A.shape[1]))
    else:
        A = -_design(X, cols, fit_intercept, keep & (y == 0))
        B = _design(X, cols, fit_intercept, keep & (y > 0))
    return [cols[j] for j in recession_lp(A, B)]


def recession_lp(A: Array, B: Array) -> list[int]:
    """The nonzero entries of the sparsest ``d != 0`` with ``A d >= 0`` (not all 0) and
    ``B d = 0``; empty when there is none (see :func:`recession_direction`)."""
    from scipy.optimize import linprog

    A = _distinct_nonzero(A)
    B = _distinct_nonzero(B)
    k = A.shape[1]
    if A.shape[0] == 0 or k == 0:
        return []
    scale = np.maximum(np.abs(A).max(axis=0), np.abs(B).max(axis=0, initial=0.0))
    scale[scale == 0] = 1.0
    A, B = A / scale, B / scale
    eq = {"A_eq": B, "b_eq": np.zeros(B.shape[0])} if B.shape[0] else {}
    res = linprog(
        -A.sum(axis=0),
        A_ub=-A,
        b_ub=np.zeros(A.shape[0]),
        bounds=[(-1.0, 1.0)] * k,
        method="highs",
        **eq,
    )
    if res.status != 0 or -res.fun <= 1e-7 * A.shape[0]:
        return []
    # the sparsest such direction names the coefficients that must diverge:
    # minimise ||d||_1 subject to the constraints and sum(A d) >= 1 (d = d+ - d-)
    total = A.sum(axis=0)
    eq2 = {"A_eq": np.hstack([B, -B]), "b_eq": np.zeros(B.shape[0])} if B.shape[0] else {}
    sparse = linprog(
        np.ones(2 * k),
        A_ub=np.vstack([np.hstack([-A, A]), np.hstack([-total, total])[None, :]]),
        b_ub=np.r_[np.zeros(A.shape[0]), -1.0],
        bounds=[(0.0, None)] * (2 * k),
        method="highs",
        **eq2,
    )
    d = sparse.x[:k] - sparse.x[k:] if sparse.status == 0 else res.x
    d = d / np.abs(d).max()
    return [int(j) for j in np.flatnonzero(np.abs(d) > 1e-6)]


def _distinct_nonzero(M: Array) -> Array:
    if M.shape[0] == 0:
        return M
    M = M[np.any(M != 0, axis=1)]
    return np.unique(M, axis=0) if M.shape[0] else M


def univariate_separation(
    family: str,
    X: Array,
    y: Array,
    sw: Array | None,
    fit_intercept: bool,
    cols: list[int],
) -> list[int]:
    """One column (with or without the intercept) along which the MLE would diverge.

    Looks at each column ``j`` of ``cols`` once (``O(n)`` time and memory per column):
    logistic, ``s_i x_ij`` one-signed (``d = e_j``) or, with an intercept, the two
    classes' ranges of ``x_j`` not overlapping (``d = e_j - c e_b``, a threshold);
    Poisson, ``x_ij`` zero (or, with an intercept, constant) on the rows with
    positive counts and one-signed around that value on the zero counts. Returns the
    first such direction's coefficients (internal order), else an empty list.
    """
    p = X.shape[1]
    keep = None if sw is None else sw > 0
    yk = y if keep is None else y[keep]
    pos = yk > 0
    if family != "logistic" and fit_intercept and not pos.any():
        return [p]  # all counts 0: the intercept runs to -inf
    feats = np.asarray([j for j in cols if j < p], dtype=np.intp)
    if feats.size == 0:
        return []
    # (min, max) of each x_j over the rows with y = 0 (a) and y > 0 (b), NaN for none
    amin, amax, bmin, bmax = _class_ranges(X, keep, pos, feats)
    with np.errstate(invalid="ignore"):
        if family == "logistic":
            alone = ((bmin >= 0) & (amax <= 0) & ((bmax > 0) | (amin < 0))) | (
                (bmax <= 0) & (amin >= 0) & ((bmin < 0) | (amax > 0))
            )
            threshold = (amax <= bmin) | (bmax <= amin) if fit_intercept else alone & False
        else:
            a_any = ~np.isnan(amin)
            b_empty = np.isnan(bmin)
            at_zero = b_empty | ((bmin == 0) & (bmax == 0))
            alone = a_any & at_zero & (((amin >= 0) & (amax > 0)) | ((amax <= 0) & (amin < 0)))
            const = ~b_empty & (bmin == bmax)
            threshold = (
                a_any
                & const
                & (((amin >= bmin) & (amax > bmin)) | ((amax <= bmin) & (amin < bmin)))
                if fit_intercept
                else alone & False
            )
    hit = np.flatnonzero(alone | threshold)
    if hit.size == 0:
        return []
    i = int(hit[0])
    return [int(feats[i])] if alone[i] else [int(feats[i]), p]


def _class_ranges(
    X: Any, keep: NDArray[np.bool_] | None, pos: NDArray[np.bool_], feats: NDArray[np.intp]
) -> tuple[Array, Array, Array, Array]:
    """Per column of ``feats``: min and max over the kept rows with y = 0, then with y > 0
    (NaN where a class has no rows). A sparse X is read once (its implicit zeros
    counted); a dense one column by column."""
    if issparse(X):  # (no row-index arrays: O(n) bytes, not O(n) int64s)
        full = _sparse_class_ranges(X, keep, pos)
        return full[0][feats], full[1][feats], full[2][feats], full[3][feats]
    rows = np.arange(X.shape[0]) if keep is None else np.flatnonzero(keep)
    parts = (rows[~pos], rows[pos])
    out = np.full((4, feats.size), np.nan)
    for i, j in enumerate(feats):
        for c, r in enumerate(parts):
            if r.size:
                x = X[r, j]
                out[2 * c, i], out[2 * c + 1, i] = x.min(), x.max()
    return out[0], out[1], out[2], out[3]


def _sparse_class_ranges(
    X: Any, keep: NDArray[np.bool_] | None, pos: NDArray[np.bool_]
) -> list[Array]:
    """:func:`_class_ranges` of a CSR X from its stored entries in one read: per class,
    the column-wise min and max of the stored values, and 0 where a column has fewer
    stored entries in that class than the class has rows (an implicit zero)."""
    from ._sparse import ROW_BLOCK, split_rows

    n, p = X.shape
    label = np.full(n, -1, dtype=np.int8)
    label[slice(None) if keep is None else keep] = pos
    sizes = [int(pos.size - pos.sum()), int(pos.sum())]

    def part(start: int, stop: int) -> list[tuple[Array, Array, Array]]:
        acc = [(np.full(p, np.inf), np.full(p, -np.inf), np.zeros(p)) for _ in sizes]
        for r0 in range(start, stop, ROW_BLOCK):  # blocks of rows: no X-sized temporary
            r1 = min(r0 + ROW_BLOCK, stop)
            a, b = int(X.indptr[r0]), int(X.indptr[r1])
            per_entry = np.repeat(label[r0:r1], np.diff(X.indptr[r0 : r1 + 1]))
            for c in range(len(sizes)):
                mask = per_entry == c
                cols, vals = X.indices[a:b][mask], X.data[a:b][mask]
                np.minimum.at(acc[c][0], cols, vals)
                np.maximum.at(acc[c][1], cols, vals)
                acc[c][2][:] += np.bincount(cols, minlength=p)
        return acc

    parts = split_rows(part, n)  # (over threads: exact, min/max/count merge in any order)
    lo_hi = parts[0]
    for other in parts[1:]:
        for c in range(len(sizes)):
            np.minimum(lo_hi[c][0], other[c][0], out=lo_hi[c][0])
            np.maximum(lo_hi[c][1], other[c][1], out=lo_hi[c][1])
            lo_hi[c][2][:] += other[c][2]
    stats: list[Array] = []
    for c, size in enumerate(sizes):
        if size == 0:
            stats += [np.full(p, np.nan)] * 2
            continue
        lo, hi, count = lo_hi[c]
        implicit = count < size  # some row of the class has x_j = 0 (not stored)
        stats.append(np.where(implicit, np.minimum(lo, 0.0), lo))
        stats.append(np.where(implicit, np.maximum(hi, 0.0), hi))
    return stats
