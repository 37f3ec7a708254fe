"""Regression on Dask: the estimators' fits partition by partition, one reduction per pass.

``LinearRegression``, ``LogisticRegression`` (every link), ``PoissonRegression`` and
``GLMRegression`` (every family and link, the dispersion included) accept Dask
arrays and DataFrames (X, y, ``sample_weight``, ``exposure``, ``offset``). Every
pass over the data maps a *block function* over the partitions on the workers:
the same in-memory code the estimators run on a NumPy array
(:func:`~._loss.fused_pass` for the GLMs' nll, gradient and Hessian,
:func:`~._linalg.centered_gram` for the linear model's cross-products, NumPy's
Householder QR for OLS), and folds the partitions' results in Dask's tree
reduction (:func:`thetahat.statistics.engines.dask.tree_reduce`). Only k x k
matrices reach the client, where the solver runs unchanged: Newton for the GLMs
is :func:`~._solvers._newton` over a :class:`~._dask_glm.DaskRows`, whose ``at`` is one
reduction per call. Nothing is computed before ``fit``; each pass reads the data
once (``persist()`` them first to keep them in cluster memory).

Passes made: one to validate and describe the data (counts, weighted means and
spreads of the columns and of y, the labels); then OLS: one TSQR pass and one
refinement pass; ridge/lasso/NIG/evidence: one pass for the centred
cross-products and one per residual sum of squares; GLMs: one per Newton (Fisher
scoring, for a non-canonical link) evaluation (``n_iter_`` steps, a few more when a
step backtracks), then for a GLMRegression one for Pearson's chi-squared and the
deviance and one per log-likelihood (and the Tweedie's ML dispersion, one per
Newton step on ``log phi``), all reported in ``estimate_.details["passes"]``. The
GLMs fit through the one GLM machinery in :mod:`._dask_glm` (its
:class:`~._dask_glm.DaskGLMRows` answers their questions of the rows); this module
holds the partitioned data (:class:`DaskDesign`, :func:`design`), the first pass
that validates and describes them (:class:`Summary`), and the linear model's fit.

Differences from the in-memory fits, by design: no strided-subsample warm start
(on a cluster a subsample costs a full read); a suspected separation of a GLM is
reported from the diverging iterates (the in-memory fit confirms it by a linear
programme over the rows, which would need the rows on the client), and neither a
coefficient only the prior holds nor the Laplace posterior's PSIS check
(``laplace_check_``) is looked at; a rank-deficient OLS design raises instead of
returning the minimum-norm solution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._optional import require
from ._families import GLMFamily
from ._linalg import GramStats, centered_gram
from .penalties import PriorSpec

__all__ = ["DaskDesign", "Summary", "design", "fit_linear_dask"]

Array = NDArray[np.float64]


# ----------------------------------------------------------------------- the data
@dataclass
class DaskDesign:
    """X, y, weights, exposure and offset of one fit as aligned lists of partitions.

    ``run(fn, merge, *args)`` is one pass: ``fn(X_b, y_b, w_b, offset_b, *args)``
    on every partition (validated NumPy blocks, see :func:`_load`), folded by
    ``merge`` in a tree; ``passes`` counts them.
    """

    X: list[Any]
    y: list[Any]
    inputs: dict[str, list[Any]]
    p: int
    names: list[str] | None
    add_ones: bool = False
    labels: Array | None = None
    passes: int = 0

    def labels_of_y(self) -> frozenset[Any]:
        """The distinct values of y (one pass over y only)."""
        import dask

        from ..statistics.engines.dask import tree_reduce

        parts = [dask.delayed(_y_values)(part) for part in self.y]
        self.passes += 1
        (out,) = dask.compute(tree_reduce(parts, _merge_sets))
        return out

    def run(self, fn: Any, merge: Any, *args: Any) -> Any:
        import dask

        from ..statistics.engines.dask import tree_reduce

        parts = [
            dask.delayed(_block)(
                fn,
                i,
                self.X[i],
                self.y[i],
                {k: v[i] for k, v in self.inputs.items()},
                self.add_ones,
                self.labels,
                args,
            )
            for i in range(len(self.X))
        ]
        self.passes += 1
        (out,) = dask.compute(tree_reduce(parts, merge))
        return out


def design(X: Any, y: Any, **inputs: Any) -> DaskDesign:
    """Partition lists of X, y and the per-row inputs (None ones left out), aligned."""
    require("dask", "dask")
    if getattr(X, "ndim", 2) != 2:
        raise ValueError(f"X must be 2-dimensional (rows x features), got {X.ndim} dimensions")
    names: list[str] | None = None
    if hasattr(X, "columns"):  # a Dask DataFrame
        names = [str(c) for c in X.columns]
        p = len(names)
        X_parts = _parts(X)
    elif hasattr(X, "chunks"):
        p = int(X.shape[1])
        X = X.rechunk({1: -1})  # whole rows in each block
        X_parts = _parts(X)
    else:
        raise TypeError(
            f"X must be a Dask array or DataFrame when y is a Dask collection, not "
            f"{type(X).__name__}: the rows of both are read partition by partition"
        )
    aligned = {"y": y, **{k: v for k, v in inputs.items() if v is not None}}
    out: dict[str, list[Any]] = {}
    for key, val in aligned.items():
        if np.ndim(val) == 0 and not hasattr(val, "chunks") and not hasattr(val, "npartitions"):
            out[key] = [float(val)] * len(X_parts)
            continue
        if not (hasattr(val, "chunks") or hasattr(val, "npartitions")):
            raise TypeError(
                f"{key} must be a Dask collection partitioned like X (or a scalar), not "
                f"{type(val).__name__}"
            )
        if hasattr(val, "chunks") and hasattr(X, "chunks") and not np.isnan(X.shape[0]):
            val = val.rechunk((X.chunks[0],))
        parts = _parts(val)
        if len(parts) != len(X_parts):
            raise ValueError(
                f"{key} has {len(parts)} partitions but X has {len(X_parts)}; give columns of "
                "one DataFrame, or arrays with the same row chunks"
            )
        out[key] = parts
    y_parts = out.pop("y")
    return DaskDesign(X=X_parts, y=y_parts, inputs=out, p=p, names=names)


def _parts(collection: Any) -> list[Any]:
    from ..statistics.engines.dask import partitions_of

    return partitions_of(collection)


def _block(
    fn: Any,
    index: int,
    X: Any,
    y: Any,
    inputs: dict[str, Any],
    add_ones: bool,
    labels: Array | None,
    args: tuple[Any, ...],
) -> Any:
    """Load one partition as checked NumPy blocks and apply ``fn`` (runs on a worker)."""
    try:
        Xb, yb, wb, ob = _load(X, y, inputs, add_ones, labels)
    except ValueError as exc:
        raise ValueError(f"partition {index} of the Dask data: {exc}") from None
    return fn(Xb, yb, wb, ob, *args)


def _load(
    X: Any, y: Any, inputs: dict[str, Any], add_ones: bool, labels: Array | None
) -> tuple[Array, Array, Array | None, Array | None]:
    from .._validation import check_finite

    Xb = np.asarray(X, dtype=np.float64)
    if Xb.ndim == 1:
        Xb = Xb[:, None]
    m = Xb.shape[0]
    check_finite(Xb, "X")
    if add_ones:
        Xb = np.column_stack([Xb, np.ones(m)])
    raw = np.asarray(y)
    if labels is not None and raw.dtype.kind not in "biuf":
        yb = (raw == labels[-1]).astype(np.float64)
    else:
        yb = np.asarray(raw, dtype=np.float64).reshape(-1)
        if labels is not None and not np.all(np.isin(labels, (0.0, 1.0))):
            yb = (yb == labels[-1]).astype(np.float64)
    if yb.shape[0] != m:
        raise ValueError(f"y has {yb.shape[0]} rows here but X has {m}; they must match")
    check_finite(yb, "y")
    vals = {k: _column(v, m, k) for k, v in inputs.items()}
    wb = vals.get("sample_weight")
    if wb is not None and np.any(wb < 0):
        raise ValueError("sample_weight must be >= 0")
    ob: Array | None = None
    if "exposure" in vals:
        if np.any(vals["exposure"] <= 0):
            raise ValueError("exposure must be > 0")
        ob = np.log(vals["exposure"])
    if "offset" in vals:
        ob = vals["offset"] if ob is None else ob + vals["offset"]
    return Xb, yb, wb, ob


def _column(v: Any, m: int, key: str) -> Array:
    from .._validation import check_finite

    arr = np.asarray(v, dtype=np.float64).reshape(-1)
    if arr.shape[0] == 1 and m != 1:
        arr = np.full(m, arr[0])
    if arr.shape[0] != m:
        raise ValueError(f"{key} has {arr.shape[0]} rows here but X has {m}; they must match")
    check_finite(arr, key)
    return arr


# ----------------------------------------------------------------------- pass 1
@dataclass
class Summary:
    """What the first pass learns: counts, weighted moments of X's columns and y, labels."""

    rows: int = 0
    positive: int = 0  # rows with positive weight
    sw: float = 0.0
    x_mean: Array = field(default_factory=lambda: np.zeros(0))
    x_m2: Array = field(default_factory=lambda: np.zeros(0))
    y_mean: float = 0.0
    y_m2: float = 0.0
    y_min: float = math.inf
    y_max: float = -math.inf
    off_sum: float = 0.0
    between: int = 0  # rows with 0 < y < 1 (binomial proportions)
    labels: tuple[Any, ...] = ()


def _describe(
    X: Array,
    y: Array,
    w: Array | None,
    off: Array | None,
    raw_y: bool,
    glm: GLMFamily | None = None,
) -> Summary:
    if glm is not None:  # the family's support of y, as the in-memory fit checks it
        bad = glm.check_y(y)
        if bad is not None:
            raise ValueError(bad)
    m = X.shape[0]
    sw = float(m if w is None else w.sum())
    if m == 0 or sw == 0:
        return Summary(rows=m, x_mean=np.zeros(X.shape[1]), x_m2=np.zeros(X.shape[1]))
    xm = (X.mean(axis=0) if w is None else (w @ X) / sw).astype(float)
    d = X - xm
    x_m2 = (d * d).sum(axis=0) if w is None else w @ (d * d)
    ym = float(y.mean() if w is None else (w @ y) / sw)
    e = y - ym
    pos = y if w is None else y[w > 0]
    return Summary(
        rows=m,
        positive=int(m if w is None else np.count_nonzero(w)),
        sw=sw,
        x_mean=xm,
        x_m2=np.asarray(x_m2, dtype=float),
        y_mean=ym,
        y_m2=float(e @ e if w is None else w @ (e * e)),
        y_min=float(pos.min(initial=math.inf)),
        y_max=float(pos.max(initial=-math.inf)),
        off_sum=0.0 if off is None else float(off.sum() if w is None else w @ off),
        between=int(np.count_nonzero((y > 0) & (y < 1))),
    )


def _merge_summary(*parts: Summary) -> Summary:
    """Chan's pairwise merge of the weighted moments; counts and bounds add up."""
    out = parts[0]
    for s in parts[1:]:
        if s.sw == 0:
            out = Summary(**{**out.__dict__, "rows": out.rows + s.rows})
            continue
        if out.sw == 0:
            out = Summary(**{**s.__dict__, "rows": out.rows + s.rows})
            continue
        n = out.sw + s.sw
        f = out.sw * s.sw / n
        dx = s.x_mean - out.x_mean
        dy = s.y_mean - out.y_mean
        out = Summary(
            rows=out.rows + s.rows,
            positive=out.positive + s.positive,
            sw=n,
            x_mean=out.x_mean + dx * (s.sw / n),
            x_m2=out.x_m2 + s.x_m2 + dx * dx * f,
            y_mean=out.y_mean + dy * (s.sw / n),
            y_m2=out.y_m2 + s.y_m2 + dy * dy * f,
            y_min=min(out.y_min, s.y_min),
            y_max=max(out.y_max, s.y_max),
            off_sum=out.off_sum + s.off_sum,
            between=out.between + s.between,
        )
    return out


def _y_values(y: Any) -> frozenset[Any]:
    values = np.unique(np.asarray(y).reshape(-1))
    if values.shape[0] > 3:  # more than enough to refuse: not binary
        values = values[:3]
    return frozenset(values.tolist())


def _merge_sets(*parts: frozenset[Any]) -> frozenset[Any]:
    return frozenset().union(*parts)


def _fitted_inputs(est: Any, X: Any) -> None:
    """scikit-learn's fitted input attributes: ``n_features_in_`` (and column names)."""
    names = [str(c) for c in X.columns] if hasattr(X, "columns") else None
    est.n_features_in_ = len(names) if names is not None else int(X.shape[1])
    if names is not None:
        est.feature_names_in_ = np.asarray(names, dtype=object)
    else:
        est.__dict__.pop("feature_names_in_", None)


# ----------------------------------------------------------------------- the linear model
def _tsqr_block(X: Array, y: Array, w: Array | None, off: Array | None, fit_b: bool) -> Array:
    """R of this block's weighted ``[X, 1, y]`` (Householder QR; the leaf of TSQR)."""
    A = np.column_stack([X, np.ones(X.shape[0]), y] if fit_b else [X, y])
    if w is not None:
        A = A * np.sqrt(w)[:, None]
    return _r_of(A)


def _r_of(A: Array) -> Array:
    r = np.linalg.qr(A, mode="r")
    return np.asarray(r, dtype=np.float64)


def _merge_r(*rs: Array) -> Array:
    """TSQR's inner node: the R of the stacked R factors (same R'R as the rows below)."""
    return _r_of(np.vstack(rs))


def _refine_block(
    X: Array, y: Array, w: Array | None, off: Array | None, fit_b: bool, coef: Array
) -> tuple[Array, np.longdouble]:
    """``A'W r`` and ``r'W r`` at ``coef`` in extended precision (the refinement pass)."""
    A = np.column_stack([X, np.ones(X.shape[0])]) if fit_b else X
    Al = A.astype(np.longdouble)
    r = y.astype(np.longdouble) - Al @ coef.astype(np.longdouble)
    wr = r if w is None else r * w.astype(np.longdouble)
    return Al.T @ wr, np.sum(wr * r)


def _add_pairs(*parts: tuple[Any, Any]) -> tuple[Any, Any]:
    g, s = parts[0]
    for g2, s2 in parts[1:]:
        g, s = g + g2, s + s2
    return g, s


def _gram_block(
    X: Array, y: Array, w: Array | None, off: Array | None, fit_b: bool
) -> GramStats | None:
    """This block's centred cross-products (the in-memory :func:`centered_gram`)."""
    if X.shape[0] == 0 or (w is not None and not np.any(w > 0)):
        return None
    return centered_gram(X, y, w, fit_b)


def _merge_gram(*parts: GramStats | None) -> GramStats | None:
    """Chan's pairwise merge of centred cross-products.

    With ``d = xbar_B - xbar_A``, ``e = ybar_B - ybar_A`` and ``f = n_A n_B / n``:
    ``G = G_A + G_B + f d d'``, ``c = c_A + c_B + f d e``, ``yy = yy_A + yy_B + f e^2``.
    No uncentred sum of squares is ever formed.
    """
    out: GramStats | None = None
    for s in parts:
        if s is None:
            continue
        if out is None:
            out = s
            continue
        n = out.sw + s.sw
        f = out.sw * s.sw / n
        d = s.xbar - out.xbar
        e = s.ybar - out.ybar
        out = GramStats(
            G=out.G + s.G + f * np.outer(d, d),
            c=out.c + s.c + f * d * e,
            yy=out.yy + s.yy + f * e * e,
            xbar=out.xbar + d * (s.sw / n),
            ybar=out.ybar + e * (s.sw / n),
            sw=n,
        )
    return out


def _rss_block(
    X: Array, y: Array, w: Array | None, off: Array | None, theta: Array, fit_b: bool
) -> float:
    c, b = (theta[:-1], float(theta[-1])) if fit_b else (theta, 0.0)
    r = y - X @ c - b
    return float(r @ r if w is None else w @ (r * r))


def _add(*parts: Any) -> Any:
    total = parts[0]
    for q in parts[1:]:
        total = total + q
    return total


def fit_linear_dask(est: Any, X: Any, y: Any, sample_weight: Any, spec: PriorSpec) -> Any:
    """Fit a LinearRegression on Dask collections; returns ``est``.

    Notes
    -----
    OLS is solved by TSQR (Demmel, Grigori, Hoemmen & Langou 2012): each
    partition's weighted ``A_b = W_b^{1/2} [X_b, 1, y_b]`` is reduced to its R
    factor by Householder QR, and the R factors are stacked and reduced again up
    the tree. ``R'R = A'WA`` holds at every node and each node is a backward
    stable QR, so the final R is the R factor of the whole ``[X, 1, y]`` to
    within ``O(eps) ||A||``: the coefficients have the error bound of a
    Householder QR of the whole design, ``cond(X) eps`` (plus
    ``cond(X)^2 eps`` times the relative residual), not the ``cond(X)^2 eps`` of
    normal equations. With y as the last column, ``R = [[R_X, z], [0, rho]]``:
    ``R_X b = z`` gives the coefficients, ``rho^2`` the RSS, and
    ``R_X^{-1} R_X^{-T}`` is ``(A'WA)^{-1}``. One further pass refines the
    solution once (the residual's ``A'W r`` and ``r'W r`` in extended
    precision, the correction solved with ``R_X``: corrected semi-normal
    equations, Björck 1987), which brings it to the in-memory QR's accuracy.

    Ridge, lasso, NIG and evidence fits take the centred cross-products
    ``Xc'WXc``, ``Xc'Wyc``, ``yc'Wyc``: each partition centres at its own
    weighted means and the partitions merge by Chan's formula
    (:func:`_merge_gram`), so no uncentred sum of squares (which loses
    ``log10(mean^2 / var)`` digits) is formed; from there the in-memory code
    runs unchanged, with a residual sum of squares a pass over the data.

    Examples
    --------
    >>> import dask.array as da
    >>> import thetahat as th
    >>> rng = np.random.default_rng(1)
    >>> X = rng.normal(size=(300, 3))
    >>> y = X @ [1.0, -2.0, 0.5] + 3 + rng.normal(size=300)
    >>> dist = th.regression.LinearRegression().fit(da.from_array(X, chunks=(70, 3)),
    ...                                  da.from_array(y, chunks=70))
    >>> mem = th.regression.LinearRegression().fit(X, y)
    >>> se = [(dist.estimate_.se[k], mem.estimate_.se[k]) for k in mem.estimate_.se]
    >>> bool(np.allclose(*zip(*se), rtol=1e-9))
    True
    """
    if est.noise_sd is not None and not (float(est.noise_sd) > 0):
        raise ValueError(f"noise_sd must be positive, got {est.noise_sd!r}")
    data = design(X, y, sample_weight=sample_weight)
    _fitted_inputs(est, X)
    names = est.feature_names_
    fit_b = bool(est.fit_intercept)
    if fit_b and est.shrink_intercept and not spec.is_flat:
        data.add_ones = True
        names = [*names, "intercept"]
        fit_b = False
    est._fit_b = fit_b
    s: Summary = data.run(_describe, _merge_summary, False)
    if s.positive == 0:
        raise ValueError("the Dask data have no rows with positive weight")
    if spec.is_flat:
        _ols(est, data, s, names, fit_b)
    else:
        gs = data.run(_gram_block, _merge_gram, fit_b)

        def rss_of(theta: Array) -> float:
            out: float = data.run(_rss_block, _add, theta, fit_b)
            return out

        est._fit_from_gram(gs, rss_of, names, fit_b, spec)
    est.estimate_.details.update(passes=data.passes, engine="dask")
    return est._set_coef(fit_b)


def _ols(est: Any, data: DaskDesign, s: Summary, names: list[str], fit_b: bool) -> None:
    from scipy import linalg

    k = len(names) + int(fit_b)
    if s.positive < k:
        raise ValueError(
            f"the model has {k} coefficients but the data have {s.positive} sample(s) with "
            "positive weight; the MLE is not identifiable. Use fewer features or a proper "
            "prior (e.g. th.Normal(0, 1))"
        )
    R_aug = data.run(_tsqr_block, _merge_r, fit_b)
    R, z = R_aug[:k, :k], R_aug[:k, k]
    _check_rank(R, names, fit_b)
    coef = linalg.solve_triangular(R, z)
    g, rss_l = data.run(_refine_block, _add_pairs, fit_b, coef)
    dx = linalg.solve_triangular(R, linalg.solve_triangular(R, g.astype(float), trans="T"))
    coef = coef + dx
    # r'Wr at coef + dx, exactly the quadratic: rss - 2 g'dx + |R dx|^2 (dx is tiny)
    Rdx = R @ dx
    rss = float(rss_l - 2.0 * np.longdouble(g @ dx.astype(np.longdouble))) + float(Rdx @ Rdx)
    rinv = linalg.solve_triangular(R, np.eye(k))
    unit = rinv @ rinv.T
    tss = s.y_m2 if fit_b else s.y_m2 + s.sw * s.y_mean**2
    est._record_ols(names, fit_b, coef, unit, rss, tss, s.sw, ())


def _check_rank(R: Array, names: list[str], fit_b: bool) -> None:
    """Refuse a rank-deficient design (from the singular values of R with unit columns)."""
    norms = np.linalg.norm(R, axis=0)
    norms[norms == 0] = 1.0
    _, d, vt = np.linalg.svd(R / norms)
    tol = R.shape[0] * np.finfo(float).eps * max(float(d[0]), 1e-300) * 10
    rank = int(np.sum(d > tol))
    if rank == R.shape[1]:
        return
    labels = [*names, "intercept"] if fit_b else list(names)
    null = np.abs(vt[rank:]).max(axis=0)
    bad = [labels[j] for j in np.flatnonzero(null > 1e-6)]
    raise ValueError(
        f"column(s) {', '.join(bad)} are linear combinations of each other: the OLS "
        "coefficients are not identifiable. Drop them or use a proper prior "
        "(e.g. th.Normal(0, 1))"
    )
