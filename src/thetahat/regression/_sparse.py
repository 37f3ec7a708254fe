"""Sparse designs (scipy.sparse): validation, the GLM pass, the Hessian operator, the Gram.

A sparse X is never densified. Everything the dense code does with X is done here
with the two products a CSR matrix is good at, ``X v`` and ``X' u`` (one read of
the stored entries each), and the weighted cross-product ``X' diag(v) X`` where
the ``k x k`` Hessian is small enough to form (:data:`HESSIAN_MAX_K`).

**The intercept without centring.** The dense solver centres columns whose mean
dwarfs their spread; subtracting a mean from a sparse column would fill it in.
Here the intercept is the last coordinate of ``theta`` and its rows of the
gradient and Hessian are ``sum r``, ``X' v`` and ``sum v``: the centring is
implicit (the Schur complement of the intercept's block is the centred Hessian).
Its only cost is rounding in that complement, a relative ``eps E[x_j^2] / var(x_j)``,
which for a sparse column of density ``d`` (mean ``m`` of order ``d``) is
``eps / (1 - d)``: nothing; the dense path centres only above a mean-to-spread
ratio of 30, which a mostly-zero column cannot reach.
"""

from __future__ import annotations

import operator
from collections.abc import ItemsView, Iterator, Mapping, Sequence, ValuesView
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from ._linalg import GramStats
from ._loss import Family, PassResult, linear_predictor

__all__ = [
    "HESSIAN_MAX_K",
    "CoefficientMap",
    "FeatureNames",
    "HessianOperator",
    "append_ones",
    "check_sparse_X",
    "column",
    "column_sd",
    "dense_columns",
    "hessian_free",
    "issparse",
    "row_views",
    "sparse_gram",
    "sparse_pass",
    "squared_colsum",
    "with_intercept",
]

Array = NDArray[np.float64]

#: coefficients (intercept included) up to which a sparse fit forms the k x k Hessian
#: and uses the dense solver's Newton steps (and its exact covariance); above it the
#: fit is Hessian-free (:mod:`._newton_cg`). 2,000 coefficients: a 32 MB Hessian whose
#: Cholesky takes about 0.1 s, comparable with a pass over 10^6 rows; the CG path's
#: memory is O(nnz + n + k) whatever k.
HESSIAN_MAX_K = 2000


def issparse(X: Any) -> bool:
    """Whether ``X`` is a scipy.sparse matrix or array (checked without importing scipy.sparse
    when it was never imported)."""
    if isinstance(X, np.ndarray):
        return False
    import sys

    mod = sys.modules.get("scipy.sparse")
    return bool(mod is not None and mod.issparse(X))


#: stored values per chunk of the entry-by-entry finiteness check (1 MB of flags)
CHECK_CHUNK = 1 << 20


def hessian_free(X: Any, fit_intercept: bool) -> bool:
    """Whether a fit of ``X`` is Hessian-free (sparse, more than :data:`HESSIAN_MAX_K`
    coefficients): its rows are then read in blocks (:mod:`._newton_cg`), so a 0/1
    target may be held as int8."""
    return issparse(X) and X.shape[1] + int(fit_intercept) > HESSIAN_MAX_K


def check_sparse_X(X: Any, name: str = "X") -> Any:
    """A CSR float64 ``csr_array`` with finite entries (ValueError naming the first bad one).

    Duplicate entries are summed (COO input may repeat a position); stored zeros
    are kept (harmless).
    """
    from scipy import sparse

    A = sparse.csr_array(X, dtype=np.float64)
    if not A.has_canonical_format:
        A = A.copy()
        A.sum_duplicates()
    # NaN and inf propagate to the sum (no temporary the size of X's values); a sum that
    # overflows from finite values is looked at entry by entry, by chunks, as a bad one is
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduce(A.data) if A.data.size else 0.0
    if not np.isfinite(total):
        pos, n_nan, n_inf = -1, 0, 0
        for a in range(0, A.data.size, CHECK_CHUNK):
            chunk = A.data[a : a + CHECK_CHUNK]
            bad = ~np.isfinite(chunk)
            if bad.any():
                nan = int(np.isnan(chunk).sum())
                n_nan, n_inf = n_nan + nan, n_inf + int(bad.sum()) - nan
                pos = a + int(np.flatnonzero(bad)[0]) if pos < 0 else pos
    else:
        pos = -1
    if pos >= 0:
        row = int(np.searchsorted(A.indptr, pos, side="right") - 1)
        col = int(A.indices[pos])
        parts = [f"{n_nan} NaN"] if n_nan else []
        if n_inf:
            parts.append(f"{n_inf} infinite")
        raise ValueError(
            f"sparse {name} contains {' and '.join(parts)} stored value(s); the first is at "
            f"(row {row}, column {col}) ({float(A.data[pos])!r}). Remove or impute them "
            "before fitting."
        )
    return A


def column(X: Any, j: int) -> Array:
    """Column ``j`` of a dense or sparse X as a dense 1-d array (O(n))."""
    if issparse(X):
        return np.asarray(X[:, [j]].toarray()).ravel()
    return np.asarray(X[:, j])


def dense_columns(X: Any, cols: list[int]) -> Array:
    """The columns ``cols`` of a sparse X as a dense n x len(cols) array."""
    return np.asarray(X[:, np.asarray(cols, dtype=np.intp)].toarray())


#: rows per block of the O(nnz) reductions that need a per-entry temporary (so that
#: no temporary the size of X's stored values is made: 2^13 rows x 20 entries = 1.3 MB)
ROW_BLOCK = 1 << 13


#: rows per block of the Hessian's products: a block's ``X_B d`` is 2 MB for one vector
#: (a quarter as many rows for a block of vectors: 8 MB for 16). Smaller blocks cost
#: time: at n = 1e6, p = 1e5, 20 entries a row, a product took 67 ms in blocks of 2^18
#: rows, 74 ms in blocks of 2^16 and 82 ms of 2^14, against 64 ms whole (CPU, 2026-12-02)
MATVEC_ROWS = 1 << 18


def row_blocks(X: Any) -> Any:
    """``(lo, hi, a, b)`` per block of rows: rows ``lo:hi`` are stored entries ``a:b``."""
    n = X.shape[0]
    for lo in range(0, n, ROW_BLOCK):
        hi = min(lo + ROW_BLOCK, n)
        yield lo, hi, int(X.indptr[lo]), int(X.indptr[hi])


def row_views(X: Any, rows: int, start: int = 0, stop: int | None = None) -> Any:
    """``(lo, hi, B, Bt)`` per block of ``rows`` rows of a CSR X (rows ``start:stop``):
    ``B = X[lo:hi]`` (CSR) and its transpose ``Bt`` (CSC), both over views of X's stored
    entries (no copy).

    The arrays are set on empty containers: SciPy's constructor would copy a view of a
    much larger array (its ``prune``), which is the block-sized temporary this avoids.
    """
    from scipy import sparse

    n, p = X.shape
    n = n if stop is None else stop
    for lo in range(start, n, rows):
        hi = min(lo + rows, n)
        a, b = int(X.indptr[lo]), int(X.indptr[hi])
        ptr = (X.indptr[lo : hi + 1] - a).astype(X.indices.dtype, copy=False)
        B = sparse.csr_array((hi - lo, p), dtype=np.float64)
        Bt = sparse.csc_array((p, hi - lo), dtype=np.float64)
        for M in (B, Bt):
            M.indptr, M.indices, M.data = ptr, X.indices[a:b], X.data[a:b]
        yield lo, hi, B, Bt


#: rows per worker thread at least (below that a pass runs in the calling thread)
SPLIT_ROWS = 1 << 16


def split_rows(fn: Any, n: int) -> list[Any]:
    """``fn(lo, hi)`` over near-equal row ranges of ``range(n)``, one per worker thread,
    results in order. SciPy's sparse products release the GIL (two threads over the
    halves of a 1e6 x 1e5 CSR with 20 entries a row: 1.7x one thread), so a wide fit's
    passes split their rows as the dense passes do; each range keeps its own sums,
    added in a fixed order by the caller (the result does not depend on timing)."""
    from .. import _fastpath

    return _fastpath.map_ranges(fn, n, max(1, min(_fastpath.num_threads(), n // SPLIT_ROWS)))


#: rows per block of :func:`squared_colsum` (its squared values: 5 MB at 20 entries a row)
SQUARE_ROWS = 1 << 15


def squared_colsum(X: Any, v: Array) -> Array:
    """``(X o X)' v``: the column sums of the squared entries weighted by rows, by blocks
    of :data:`SQUARE_ROWS` rows (a block's squared values, no copy of X's values), each
    one sparse product ``X_B^2' v_B``. (A ``bincount`` per block of 8,192 rows, before,
    took 0.75 s a call at n = 1e6, p = 1e5 under load: a p-vector made and added per
    block, 122 of them.)"""
    if not issparse(X) or X.format != "csr":
        X = check_sparse_X(X)

    def part(start: int, stop: int) -> Array:
        out = np.zeros(X.shape[1])
        for lo, hi, _, Bt in row_views(X, SQUARE_ROWS, start, stop):
            Bt.data = np.square(Bt.data)
            out += Bt @ v[lo:hi]
        return out

    return summed(split_rows(part, X.shape[0]))


def sparse_product(X: Any, w: Array) -> Array:
    """``X w`` (an n-vector) for a sparse X; a CSR X by row ranges over the worker
    threads (:func:`split_rows`), into one output."""
    if not (issparse(X) and X.format == "csr" and w.ndim == 1):
        return np.asarray(X @ w, dtype=np.float64)
    u = np.empty(X.shape[0])

    def part(start: int, stop: int) -> None:
        for lo, hi, B, _ in row_views(X, MATVEC_ROWS, start, stop):
            u[lo:hi] = B @ w

    split_rows(part, X.shape[0])
    return u


def summed(parts: list[Array]) -> Array:
    """The ranges' sums of :func:`split_rows` added in their order (into the first)."""
    out = parts[0]
    for q in parts[1:]:
        out += q
    return out


def column_sd(X: Any) -> Array:
    """Column standard deviations of a dense or sparse X (sparse: from the stored values)."""
    if not issparse(X):
        return np.asarray(X.std(axis=0))
    n = max(X.shape[0], 1)
    m = np.asarray(X.sum(axis=0)).ravel() / n
    m2 = squared_colsum(X, np.ones(X.shape[0])) / n
    return np.asarray(np.sqrt(np.maximum(m2 - m * m, 0.0)))


def append_ones(X: Any) -> Any:
    """``[X, 1]``: a column of ones appended (sparse stays sparse)."""
    if issparse(X):
        from scipy import sparse

        return sparse.hstack([X, np.ones((X.shape[0], 1))], format="csr")
    return np.column_stack([X, np.ones(X.shape[0])])


def _row_scaled(X: Any, s: Array) -> Any:
    """``diag(s) X`` for a CSR X, by scaling the stored values (O(nnz), no structure change)."""
    from scipy import sparse

    vals = X.data * np.repeat(s, np.diff(X.indptr))
    return sparse.csr_array((vals, X.indices, X.indptr), shape=X.shape, copy=False)


def weighted_cross(X: Any, v: Array) -> Array:
    """``X' diag(v) X`` as a dense p x p array (a sparse product, then dense)."""
    Z = _row_scaled(X, v)
    return np.asarray((X.T @ Z).toarray())


def sparse_pass(
    family: Family,
    X: Any,
    y: Array,
    sw: Array | None,
    offset: Array | None,
    coef: Array,
    intercept: float,
    fit_intercept: bool,
    *,
    with_nll: bool = True,
    with_grad: bool = True,
    with_hessian: bool = False,
) -> PassResult:
    """:func:`~._loss.fused_pass` for a CSR X: nll, gradient and the formed Hessian.

    ``eta = X w + b``, ``g = [X' r, sum r]``, ``H = [[X' V X, X' v], [v' X, sum v]]``
    (``r``, ``v`` the family's derivative and weight times the sample weights).
    """
    p = X.shape[1]
    k = p + int(fit_intercept)
    eta = linear_predictor(X, coef, intercept, offset)
    total, eta_max = 0.0, 0.0
    with np.errstate(over="ignore"):
        if with_nll:
            eta_max = float(np.abs(eta).max(initial=0.0))
            per = family.nll(eta, y)
            total = float(per.sum() if sw is None else sw @ per)
        g = H = None
        if with_grad or with_hessian:
            r, v = family.derivatives(eta, y, with_hessian)
            if sw is not None:
                r = r * sw
                v = None if v is None else v * sw
            if with_grad:
                g = np.empty(k)
                g[:p] = X.T @ r
                if fit_intercept:
                    g[p] = float(r.sum())
            if with_hessian and v is not None:
                H = np.empty((k, k))
                H[:p, :p] = weighted_cross(X, v)
                if fit_intercept:
                    xv = X.T @ v
                    H[:p, p] = H[p, :p] = xv
                    H[p, p] = float(v.sum())
    return PassResult(total, g, H, eta_max)


class HessianOperator:
    """``H = X' diag(v) X + diag(l2)`` over ``(w, b)`` as an operator (never formed whole
    unless asked), restricted to the ``active`` coefficients (others held at 0).

    ``matvec`` takes a vector or a ``(k, m)`` block (m right-hand sides at once: one
    read of X for all of them).
    """

    def __init__(
        self,
        X: Any,
        v: Array,
        l2: Array,
        fit_intercept: bool,
        active: NDArray[np.bool_] | None = None,
    ) -> None:
        self.X, self.v, self.l2, self.fit_intercept = X, v, l2, fit_intercept
        self.p = X.shape[1]
        self.k = self.p + int(fit_intercept)
        self.active = np.ones(self.k, dtype=bool) if active is None else active
        self.all_active = bool(self.active.all())

    def predictor(self, d: Array) -> Array:
        """``X d_w + d_b`` (the change of the linear predictor along ``d``)."""
        u = sparse_product(self.X, d[: self.p])
        if self.fit_intercept:
            u += d[self.p]
        return u

    def matvec(self, d: Array) -> Array:
        """``H d``, by blocks of :data:`MATVEC_ROWS` rows: ``X_B' (v_B o (X_B d))`` summed
        over the blocks, so no n-sized temporary (n x m for a block of m vectors) is made
        (the whole product held 8 MB per vector at n = 1e6: the solve's third n-vector)."""
        col = (lambda a: a) if d.ndim == 1 else (lambda a: a[:, None])
        if not self.all_active:
            d = d * col(self.active)
        dw = d[: self.p]
        m = 1 if d.ndim == 1 else d.shape[1]  # (CG's single vector comes as k x 1)
        rows = MATVEC_ROWS if m == 1 else max(MATVEC_ROWS // 4, 1)

        def part(start: int, stop: int) -> Array:
            out = np.zeros_like(d)
            for lo, hi, B, Bt in row_views(self.X, rows, start, stop):
                t = B @ dw
                if self.fit_intercept:
                    t += d[self.p]
                t *= col(self.v[lo:hi])
                out[: self.p] += Bt @ t
                if self.fit_intercept:
                    out[self.p] += t.sum(axis=0)
            return out

        out = summed(split_rows(part, self.X.shape[0]))
        out += d * col(self.l2)
        if not self.all_active:
            out *= col(self.active)
        return out

    def diagonal(self) -> Array:
        """``diag(H)`` in one read of X (the squared entries)."""
        out = np.empty(self.k)
        out[: self.p] = squared_colsum(self.X, self.v)
        if self.fit_intercept:
            out[self.p] = float(self.v.sum())
        return out + self.l2

    def dense(self, idx: NDArray[np.intp]) -> Array:
        """The block ``H[idx, idx]`` formed (``X[:, idx]' V X[:, idx]``)."""
        feats = idx[idx < self.p]
        Xs = self.X[:, feats]
        sub = np.empty((idx.size, idx.size))
        m = feats.size
        sub[:m, :m] = weighted_cross(Xs, self.v)
        if m < idx.size:  # the intercept, last in idx (idx sorted)
            xv = Xs.T @ self.v
            sub[:m, m] = sub[m, :m] = xv
            sub[m, m] = float(self.v.sum())
        sub[np.diag_indices(idx.size)] += self.l2[idx]
        return sub


def sparse_gram(X: Any, y: Array, sw: Array | None, fit_intercept: bool) -> GramStats:
    """:func:`~._linalg.centered_gram` of a sparse X, centred implicitly.

    ``G = X'WX - N xbar xbar'`` and ``c = X'W(y - ybar)`` (the centred cross-products
    without a centred copy of X; see the module docstring for their rounding).
    """
    n, p = X.shape
    w = np.ones(n) if sw is None else sw
    total = float(w.sum())
    if fit_intercept:
        xbar = np.asarray(X.T @ w, dtype=float) / total
        ybar = float(w @ y) / total
    else:
        xbar, ybar = np.zeros(p), 0.0
    yc = y - ybar
    G = weighted_cross(X, w)
    if fit_intercept:
        G -= total * np.outer(xbar, xbar)
    c = np.asarray(X.T @ (w * yc), dtype=float)
    yy = float(w @ (yc * yc))
    return GramStats(G=0.5 * (G + G.T), c=c, yy=yy, xbar=xbar, ybar=ybar, sw=total)


class FeatureNames(Sequence[str]):
    """The default names ``x0, ..., x{p-1}`` (with ``"intercept"`` first or last), each
    made when it is asked for: what stands for a list of p names where X had no column
    names (10^5 strings are 6 MB; this is two integers).

    It behaves as the list it stands for where read (``len``, indexing and slices,
    iteration, ``in``, ``index``, equality with a list); it cannot be changed.

    Examples
    --------
    >>> from thetahat.regression._sparse import FeatureNames
    >>> names = FeatureNames(3, intercept="first")
    >>> list(names), names[-1], names.index("x1"), "x3" in names
    (['intercept', 'x0', 'x1', 'x2'], 'x2', 2, False)
    """

    __slots__ = ("_at", "_p")

    def __init__(self, p: int, intercept: str | None = None) -> None:
        if intercept not in (None, "first", "last"):
            raise ValueError(f"intercept must be None, 'first' or 'last'; got {intercept!r}")
        self._p, self._at = int(p), intercept

    def __len__(self) -> int:
        return self._p + int(self._at is not None)

    def _name(self, i: int) -> str:
        if self._at == "first":
            return "intercept" if i == 0 else f"x{i - 1}"
        return "intercept" if i == self._p else f"x{i}"

    def __getitem__(self, i: Any) -> Any:
        n = len(self)
        if isinstance(i, slice):
            return [self._name(j) for j in range(*i.indices(n))]
        j = operator.index(i)
        j = j + n if j < 0 else j
        if not 0 <= j < n:
            raise IndexError(f"name index {i} out of range ({n} names)")
        return self._name(j)

    def __iter__(self) -> Iterator[str]:
        if self._at == "first":
            yield "intercept"
        yield from (f"x{j}" for j in range(self._p))
        if self._at == "last":
            yield "intercept"

    def index(self, value: Any, start: int = 0, stop: int | None = None) -> int:
        """The position of the name ``value`` (ValueError when it is not one), read off
        the name itself."""
        pos = self._position(value)
        if pos is None or not start <= pos < (len(self) if stop is None else stop):
            raise ValueError(f"{value!r} is not in the names")
        return pos

    def _position(self, value: Any) -> int | None:
        if value == "intercept" and self._at is not None:
            return 0 if self._at == "first" else self._p
        if not isinstance(value, str) or not value.startswith("x"):
            return None
        digits = value[1:]
        if not digits.isdigit() or not digits.isascii() or str(int(digits)) != digits:
            return None
        j = int(digits)
        if j >= self._p:
            return None
        return j + int(self._at == "first")

    def __contains__(self, value: object) -> bool:
        return self._position(value) is not None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FeatureNames):
            return (self._p, self._at) == (other._p, other._at)
        if isinstance(other, list | tuple):
            return len(other) == len(self) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # (as a list's: it compares equal to lists)

    def __repr__(self) -> str:
        return f"FeatureNames({self._p}, intercept={self._at!r})"


def with_intercept(names: Sequence[str], where: str) -> list[str]:
    """``names`` with ``"intercept"`` put ``"first"`` or ``"last"`` (a
    :class:`FeatureNames` stays one, typed as the list it stands for: no list of p
    names is made)."""
    if isinstance(names, FeatureNames) and names._at is None:
        return cast(list[str], FeatureNames(names._p, where))
    return ["intercept", *names] if where == "first" else [*names, "intercept"]


class CoefficientMap(Mapping[str, float]):
    """A read-only ``name -> value`` mapping over a coefficient array (no dict of 10^5
    entries): what ``estimate_.params`` holds for a fit too wide for its covariance.

    It behaves as the dict it stands for (iteration in ``labels`` order, ``len``,
    ``[]``, ``get``, ``in``, equality with a dict) and cannot be changed. The
    name-to-position index is built on the first lookup by name.

    Examples
    --------
    >>> import numpy as np
    >>> from thetahat.regression._sparse import CoefficientMap
    >>> m = CoefficientMap(["intercept", "x0", "x1"], np.array([0.5, 1.0, -2.0]))
    >>> m["x1"], len(m), m == {"intercept": 0.5, "x0": 1.0, "x1": -2.0}
    (-2.0, 3, True)
    """

    __slots__ = ("_index", "_labels", "_values")

    def __init__(self, labels: Sequence[str], values: Array) -> None:
        if len(labels) != len(values):
            raise ValueError(f"{len(labels)} labels for {len(values)} values")
        self._labels = labels
        self._values = np.array(values, dtype=np.float64)
        self._values.flags.writeable = False
        self._index: dict[str, int] | None = None

    def __getitem__(self, key: str) -> float:
        if isinstance(self._labels, FeatureNames):  # the position is read off the name
            pos = self._labels._position(key)
            if pos is None:
                raise KeyError(key)
            return float(self._values[pos])
        if self._index is None:
            self._index = {lab: i for i, lab in enumerate(self._labels)}
        return float(self._values[self._index[key]])

    def __iter__(self) -> Iterator[str]:
        return iter(self._labels)

    def __len__(self) -> int:
        return len(self._labels)

    def values(self) -> ValuesView[float]:
        """A view of the values in key order (read from the array, no lookup by name)."""
        return _Values(self)

    def items(self) -> ItemsView[str, float]:
        """A view of the ``(name, value)`` pairs in key order (no lookup by name)."""
        return _Items(self)

    def __repr__(self) -> str:
        head = ", ".join(f"{k!r}: {v!r}" for k, v in list(self.items())[:3])
        return f"CoefficientMap({{{head}, ...}}, {len(self)} coefficients)"


class _Values(ValuesView[float]):
    _mapping: CoefficientMap

    def __iter__(self) -> Iterator[float]:
        return map(float, self._mapping._values)


class _Items(ItemsView[str, float]):
    _mapping: CoefficientMap

    def __iter__(self) -> Iterator[tuple[str, float]]:
        m = self._mapping
        return zip(m._labels, map(float, m._values), strict=True)
