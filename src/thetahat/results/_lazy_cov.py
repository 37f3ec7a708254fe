"""A covariance matrix computed when first asked for, whole or a block at a time.

Wide fits (a sparse design with 10^5 coefficients) cannot hold a ``k x k``
covariance, and even where they could, inverting the Hessian costs ``O(k^3)`` that a
user who only wants coefficients should not pay. :class:`LazyCovariance` stands
where an :class:`~thetahat.results.Estimate` keeps its ``cov``: NumPy sees the whole
matrix through ``__array__`` (computed once and kept) where ``k`` is at most
``limit``; a block ``cov[np.ix_(i, i)]`` of any size is computed on its own (for a
Hessian-free fit: conjugate-gradient solves, see
:mod:`thetahat.regression._newton_cg`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["LazyCovariance"]

Array = NDArray[np.float64]


class LazyCovariance:
    """A ``k x k`` covariance matrix computed on first use.

    Parameters
    ----------
    k : int
        The number of parameters.
    block : callable
        ``block(idx)`` returns the covariance of the parameters ``idx`` (an integer
        array), shape ``(len(idx), len(idx))``.
    limit : int
        The largest ``k`` for which the whole matrix may be formed
        (``np.asarray(cov)``); beyond it asking for the whole matrix raises
        ``ValueError`` with ``hint``, while blocks stay available.
    hint : str
        What to do instead, named in that error (e.g. a ``standard_errors`` method).
    scale : float
        A factor applied to every entry (a GLM's dispersion).
    perm : array of int, optional
        The order of the rows and columns shown (entry ``i`` is parameter ``perm[i]``
        of ``block``'s order).
    diagonal : callable, optional
        ``diagonal(idx)``: the variances of the parameters ``idx`` (``block``'s
        order), where they are read more cheaply than through ``block``: the matrix is
        stored (a GLM's packed inverse Hessian), and :attr:`stored` is True.

    Notes
    -----
    The whole matrix, once formed, is kept: ``estimate.se`` then costs nothing more.
    Blocks are not kept. ``cov * c`` is another lazy covariance sharing ``block``.

    Examples
    --------
    >>> import numpy as np
    >>> from thetahat.results import LazyCovariance
    >>> C = np.array([[2.0, 0.5], [0.5, 1.0]])
    >>> lazy = LazyCovariance(2, lambda i: C[np.ix_(i, i)], limit=10)
    >>> np.diag(lazy).tolist()
    [2.0, 1.0]
    >>> (lazy * 2.0)[np.ix_([1], [1])].tolist()
    [[2.0]]
    """

    ndim = 2
    dtype = np.dtype(np.float64)

    def __init__(
        self,
        k: int,
        block: Callable[[NDArray[np.intp]], Array],
        *,
        limit: int,
        hint: str = "",
        scale: float = 1.0,
        perm: NDArray[np.intp] | None = None,
        diagonal: Callable[[NDArray[np.intp]], Array] | None = None,
    ) -> None:
        self.k = int(k)
        self._block = block
        self.limit = int(limit)
        self.hint = hint
        self.scale = float(scale)
        self.perm = np.arange(self.k) if perm is None else np.asarray(perm, dtype=np.intp)
        self._diagonal = diagonal
        self._full: Array | None = None

    @property
    def shape(self) -> tuple[int, int]:
        """``(k, k)``."""
        return (self.k, self.k)

    @property
    def stored(self) -> bool:
        """Whether the entries are stored, not computed (reading any is cheap)."""
        return self._diagonal is not None

    @property
    def formed(self) -> bool:
        """Whether the whole matrix has been computed (and is kept)."""
        return self._full is not None

    def __len__(self) -> int:
        return self.k

    def __mul__(self, factor: float) -> LazyCovariance:
        return LazyCovariance(
            self.k,
            self._block,
            limit=self.limit,
            hint=self.hint,
            scale=self.scale * float(factor),
            perm=self.perm,
            diagonal=self._diagonal,
        )

    __rmul__ = __mul__

    def permuted(self, perm: NDArray[np.intp]) -> LazyCovariance:
        """The same matrix with rows and columns in the order ``perm``."""
        out = LazyCovariance(
            self.k,
            self._block,
            limit=self.limit,
            hint=self.hint,
            scale=self.scale,
            perm=self.perm[np.asarray(perm, dtype=np.intp)],
            diagonal=self._diagonal,
        )
        return out

    def block(self, idx: Any) -> Array:
        """The covariance of the parameters ``idx`` (positions in this matrix's order)."""
        pos = np.atleast_1d(np.asarray(idx, dtype=np.intp))
        if pos.size and (pos.min() < -self.k or pos.max() >= self.k):
            raise IndexError(f"index out of range for a {self.k} x {self.k} covariance")
        if self._full is not None:
            return self._full[np.ix_(pos, pos)].copy()
        return np.asarray(self._block(self.perm[pos]), dtype=float) * self.scale

    def variances(self, idx: Any) -> Array:
        """The diagonal entries at ``idx`` (each from its own block where not formed)."""
        pos = np.atleast_1d(np.asarray(idx, dtype=np.intp))
        if self._full is not None:
            return np.diag(self._full)[pos].copy()
        if self._diagonal is not None:
            return np.asarray(self._diagonal(self.perm[pos]), dtype=float) * self.scale
        return np.diag(self.block(pos)).copy()

    def toarray(self) -> Array:
        """The whole matrix (formed once; ``ValueError`` beyond ``limit``)."""
        if self._full is None:
            if self.k > self.limit:
                raise ValueError(
                    f"the covariance of this fit is {self.k} x {self.k}, too large to form "
                    f"(the limit is {self.limit} parameters). {self.hint}".rstrip()
                )
            self._full = self.block(np.arange(self.k))
        return self._full

    def __array__(self, dtype: Any = None, copy: Any = None) -> Array:
        full = self.toarray()
        return full if dtype is None else full.astype(dtype)

    def __getitem__(self, key: Any) -> Any:
        # cov[np.ix_(i, i)] (a square block) is computed on its own; anything else is
        # read from the whole matrix
        if (
            self._full is None
            and isinstance(key, tuple)
            and len(key) == 2
            and all(isinstance(a, np.ndarray) for a in key)
        ):
            rows, cols = (np.ravel(a) for a in key)
            if rows.shape == cols.shape and np.array_equal(rows, cols):
                return self.block(rows)
        return self.toarray()[key]

    def __repr__(self) -> str:
        state = "formed" if self._full is not None else "not formed"
        return f"<LazyCovariance {self.k} x {self.k}, {state}>"
