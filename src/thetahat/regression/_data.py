"""Input checks for the regression estimators: X, y, sample weights, feature names."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validation import as_weights, check_finite

__all__ = [
    "DeferredFinite",
    "check_X",
    "check_numeric_frame",
    "check_weights",
    "check_y",
    "feature_names",
    "identifiability_problem",
    "is_dask",
]


def is_dask(*values: Any) -> bool:
    """Whether any of ``values`` is a Dask collection (checked without importing Dask)."""
    return any(type(v).__module__.split(".")[0] == "dask" for v in values)


def check_X(X: NDArray[Any], name: str = "X") -> NDArray[np.float64]:
    """Finite float64 2-d array (raises naming the first NaN/inf as (row, column))."""
    arr = np.asarray(X, dtype=np.float64)
    if not _all_finite(arr):
        check_finite(arr, name)
    return arr


def _all_finite(arr: NDArray[np.float64]) -> bool:
    """Whether every entry is finite; on a large 2-d array via one matrix-vector product.

    A NaN or infinite entry makes its row's sum ``X @ 1`` NaN or infinite
    (``inf * 1 = inf``, ``nan + x = nan``, ``inf - inf = nan``), so a finite
    ``X @ 1`` proves X finite, in one BLAS pass and without an n x p boolean
    temporary. A non-finite sum (a NaN/inf, or finite values so large that the
    sum overflows) sends the caller to the exact, entry-wise check.
    """
    if arr.ndim == 2 and arr.size >= 1 << 16:
        from ._loss import _blas_one_thread  # a memory-bound pass: threads only contend

        with np.errstate(over="ignore", invalid="ignore"), _blas_one_thread():
            row_sums = arr @ np.ones(arr.shape[1])
        return bool(np.isfinite(row_sums).all())
    return bool(np.isfinite(arr).all())


class DeferredFinite:
    """The finiteness check of a dense X, deferred to the solver's first pass over all
    of its rows, where it costs nothing.

    That pass computes ``eta = X coef + b`` for every row. When every coefficient is
    finite and nonzero, a NaN or infinite entry makes its row's eta NaN or infinite
    (``nan * c = nan``, ``inf * c = +-inf`` for ``c != 0``, ``inf - inf = nan``; no
    BLAS skips a nonzero coefficient), so all eta finite proves X finite, as
    :func:`_all_finite`'s ``X @ 1`` does in a pass of its own (0.17 s at 1e6 x 200,
    6% of a logistic fit). A non-finite eta (a bad entry, or finite values so large
    that eta overflowed) makes :meth:`settle` run :func:`check_X`, which raises naming
    the first bad entry. Whoever defers must call :meth:`check` once the solve is done
    (it does nothing when a pass proved X finite) and before anything else reads X:
    :class:`~._glm_data.MemoryRows` does, and also checks first when a solve raises.
    A subsample's solve, which runs before the first full pass, proves its own rows
    the same way (:meth:`rows`); a sample's moments are proven by their finite
    spread, or the sample is checked (:meth:`part`). Passes run without floating-point warnings
    until proven, so a NaN in X is reported by its error alone.
    """

    def __init__(
        self, X: NDArray[np.float64], name: str = "X", whole: DeferredFinite | None = None
    ) -> None:
        self.X, self.name, self.done = X, name, False
        self.whole = whole  # for the rows of a subsample: the check of all of X

    def rows(self, view: NDArray[np.float64]) -> DeferredFinite:
        """The same deferred check for ``view``, some of X's rows (a subsample's
        solve): its passes prove those rows; a bad entry is named by checking X."""
        return DeferredFinite(view, self.name, self.whole or self)

    def settle(self, coef: NDArray[np.float64], eta_max: float) -> None:
        """After a pass over every row at ``coef`` whose ``max |eta|`` was ``eta_max``
        (NaN when some eta was NaN): a non-finite eta means a bad entry (or values so
        large that eta overflowed) and X is checked; a finite one at nonzero
        coefficients proves X finite; at a zero coefficient (a solve's first pass from
        0) it proves nothing, and the check waits for the next pass."""
        if self.done:
            return
        if not math.isfinite(eta_max):
            self.check()
        elif bool(np.all(coef != 0) and np.all(np.isfinite(coef))):
            self.done = True

    def part(self, rows: NDArray[np.float64], spread: NDArray[np.float64] | None) -> None:
        """The rows ``rows`` (a view of X) that something reads before the first full
        pass, with their columns' ``spread`` where it was computed (None otherwise): a
        finite spread proves them finite (a NaN or inf makes its column's NaN), else
        they are checked; a NaN or inf there raises as :func:`check_X` on the whole of
        X does (its first bad entry)."""
        if spread is not None and bool(np.all(np.isfinite(spread))):
            return
        if not self.done and not _all_finite(rows):
            self.check()

    def check(self) -> None:
        """The check itself (of all of X), unless a pass has settled it."""
        if not self.done:
            if self.whole is not None:
                self.whole.check()
            else:
                check_X(self.X, self.name)
            self.done = True


def check_y(y: Any, n: int) -> NDArray[np.float64]:
    """A finite 1-d float target with one value per row of X."""
    arr = np.asarray(y, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"y must be 1-dimensional, got shape {arr.shape}")
    if arr.shape[0] != n:
        raise ValueError(f"y has {arr.shape[0]} values but X has {n} rows; they must match")
    check_finite(arr, "y")
    return arr


def check_weights(sample_weight: Any, n: int) -> NDArray[np.float64] | None:
    """Frequency weights: finite, >= 0, one per row, not all zero (None passes)."""
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.ndim == 0:
        w = np.full(n, float(w))
    out = as_weights(w, n, "sample_weight", "X")
    assert out is not None
    return out


def feature_names(X: Any, n_features: int) -> list[str]:
    """Column names of a DataFrame, else x0, x1, ..."""
    cols = getattr(X, "columns", None)
    if cols is not None and len(cols) == n_features:
        return [str(c) for c in cols]
    return [f"x{j}" for j in range(n_features)]


def identifiability_problem(
    X: NDArray[np.float64],
    w: NDArray[np.float64] | None,
    names: list[str],
    fit_intercept: bool,
) -> str | None:
    """Why the MLE is not identifiable (too few rows, constant or collinear columns), or None.

    A column that is constant (with an intercept) or all zero, or a column that is
    a linear combination of others, leaves a direction of the weights the
    likelihood cannot see; a flat prior does not fix that, a proper one does.
    """
    rows = X if w is None else X[w > 0]
    n, p = rows.shape
    k = p + int(fit_intercept)
    if n < k:
        return (
            f"the model has {k} coefficients but the data have {n} sample(s) with positive "
            f"weight; the MLE is not identifiable. Use fewer features or a proper prior "
            f"(e.g. th.Normal(0, 1))"
        )
    if p == 0:
        return None
    scale = np.abs(rows).max(axis=0)
    if fit_intercept:
        const = np.ptp(rows, axis=0) <= 1e-12 * np.maximum(scale, 1e-300)
        msg = "constant (the intercept already spans constants)"
    else:
        const = scale == 0
        msg = "all zero"
    if const.any():
        bad = [names[j] for j in np.flatnonzero(const)]
        return (
            f"column(s) {', '.join(bad)} are {msg}: their coefficient is not identifiable "
            f"under a flat prior. Drop them or use a proper prior (e.g. th.Normal(0, 1))"
        )
    A = rows - rows.mean(axis=0) if fit_intercept else rows
    norms = np.linalg.norm(A, axis=0)
    _, d, vt = np.linalg.svd(A / norms, full_matrices=False)
    tol = max(A.shape) * np.finfo(float).eps * d[0]
    rank = int(np.sum(d > tol))
    if rank < p:
        null = np.abs(vt[rank:]).max(axis=0)
        bad = [names[j] for j in np.flatnonzero(null > 1e-6)]
        return (
            f"column(s) {', '.join(bad)} are linear combinations of each other"
            f"{' and the intercept' if fit_intercept else ''}: the MLE is not identifiable. "
            "Drop them or use a proper prior (e.g. th.Normal(0, 1))"
        )
    return None


def check_numeric_frame(X: Any, name: str = "X") -> None:
    """A data frame with categorical or string columns raises ``TypeError`` pointing to
    :func:`~thetahat.regression.from_formula` (numeric and boolean columns pass).

    Only frames are inspected (by their module, so nothing is imported for arrays):
    pandas directly, any other eager frame (polars, pyarrow, ...) through narwhals.
    """
    top = type(X).__module__.split(".")[0]
    if top not in ("pandas", "polars", "pyarrow", "modin", "cudf"):
        return
    bad: list[str] = []
    if top == "pandas" and getattr(X, "ndim", 0) == 2:
        bad = [f"{c} ({d})" for c, d in X.dtypes.items() if getattr(d, "kind", "O") not in "biuf"]
    elif top != "pandas":
        try:
            import narwhals as nw
        except ModuleNotFoundError:
            return  # scikit-learn's conversion then reports what it cannot read
        frame = nw.from_native(X, eager_only=True, pass_through=True)
        if isinstance(frame, nw.DataFrame):
            bad = [
                f"{c} ({d})"
                for c, d in frame.schema.items()
                if not (d.is_numeric() or d == nw.Boolean)
            ]
    if bad:
        raise TypeError(
            f"{name} has non-numeric column(s) {', '.join(bad)}: a categorical or string "
            "column needs an encoding. Use thetahat.regression.from_formula('y ~ x + C(group)', "
            "data, model=...) (treatment coding), or encode the columns yourself"
        )
