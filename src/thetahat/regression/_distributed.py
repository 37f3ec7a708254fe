"""Regression on Dask: the estimators' fits partition by partition, one reduction per pass.

``LinearRegression``, ``LogisticRegression`` and ``PoissonRegression`` accept Dask
arrays and DataFrames (X, y, ``sample_weight``, ``exposure``, ``offset``). Every
pass over the data maps a *block function* over the partitions on the workers:
the same in-memory code the estimators run on a NumPy array
(:func:`~._loss.fused_pass` for the GLMs' nll, gradient and Hessian,
:func:`~._linalg.centered_gram` for the linear model's cross-products, NumPy's
Householder QR for OLS), and folds the partitions' results in Dask's tree
reduction (:func:`thetahat.statistics.engines.dask.tree_reduce`). Only k x k
matrices reach the client, where the solver runs unchanged: Newton for the GLMs
is :func:`~._solvers._newton` over a :class:`DaskRows`, whose ``at`` is one
reduction per call. Nothing is computed before ``fit``; each pass reads the data
once (``persist()`` them first to keep them in cluster memory).

Passes made: one to validate and describe the data (counts, weighted means and
spreads of the columns and of y, the labels); then OLS: one TSQR pass and one
refinement pass; ridge/lasso/NIG/evidence: one pass for the centred
cross-products and one per residual sum of squares; GLMs: one per Newton
evaluation (``n_iter_`` steps, a few more when a step backtracks), reported in
``estimate_.details["passes"]``.

Differences from the in-memory fits, by design: no strided-subsample warm start
(on a cluster a subsample costs a full read); a suspected separation of a GLM is
reported from the diverging iterates (the in-memory fit confirms it by a linear
programme over the rows, which would need the rows on the client); a
rank-deficient OLS design raises instead of returning the minimum-norm solution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._optional import require
from ..results import BoundaryWarning
from ._base import build_estimate, warn_all
from ._glm_base import _KIND, _laplace_posterior, log_prior, penalty_vector, solved_covariance
from ._linalg import GramStats, centered_gram
from ._loss import LOGISTIC, POISSON, Family, PassResult, _blas_one_thread, fused_pass
from ._solvers import PenaltyVec, _newton
from .penalties import PriorSpec, parse_prior

__all__ = ["DaskDesign", "DaskRows", "fit_glm_dask", "fit_linear_dask"]

Array = NDArray[np.float64]
_LOG_2PI = math.log(2.0 * math.pi)


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
    labels: tuple[Any, ...] = ()


def _describe(X: Array, y: Array, w: Array | None, off: Array | None, raw_y: bool) -> Summary:
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


# ----------------------------------------------------------------------- the GLMs
def _glm_block(
    X: Array,
    y: Array,
    w: Array | None,
    off: Array | None,
    family: Family,
    theta: Array,
    fit_b: bool,
    flags: dict[str, bool],
    centre: Array | None,
) -> PassResult:
    """The per-block hook of a GLM pass: the in-memory fused pass over one partition."""
    c, b = (theta[:-1], float(theta[-1])) if fit_b else (theta, 0.0)
    if X.shape[0] == 0:
        k = theta.shape[0]
        return PassResult(
            0.0,
            np.zeros(k) if flags.get("with_grad", True) else None,
            np.zeros((k, k)) if flags.get("with_hessian", False) else None,
            0.0,
        )
    return fused_pass(family, X, y, w, off, c, b, fit_b, centre=centre, **flags)


def _add_passes(*parts: PassResult) -> PassResult:
    out = PassResult(
        parts[0].nll,
        None if parts[0].grad is None else parts[0].grad.copy(),
        None if parts[0].hess is None else parts[0].hess.copy(),
        parts[0].eta_max,
    )
    for q in parts[1:]:
        out.nll += q.nll
        if out.grad is not None and q.grad is not None:
            out.grad += q.grad
        if out.hess is not None and q.hess is not None:
            out.hess += q.hess
        out.eta_max = max(out.eta_max, q.eta_max)
    return out


@dataclass
class DaskRows:
    """The solver's view of distributed rows: ``at`` is one Dask reduction.

    Implements what :func:`~._solvers._newton` reads of its rows (``family``,
    ``fit_intercept``, ``at``).
    """

    family: Family
    data: DaskDesign
    fit_intercept: bool
    centre: Array | None = None

    def at(self, theta: Array, **flags: bool) -> PassResult:
        """nll, gradient and Hessian (as ``flags`` ask) at ``theta``, over every partition."""
        out: PassResult = self.data.run(
            _glm_block, _add_passes, self.family, theta, self.fit_intercept, flags, self.centre
        )
        return out


def fit_glm_dask(
    est: Any,
    family: Family,
    X: Any,
    y: Any,
    sample_weight: Any = None,
    exposure: Any = None,
    offset: Any = None,
) -> Any:
    """Fit a LogisticRegression or PoissonRegression on Dask collections; returns ``est``.

    ``family`` is the estimator's (canonical) family; the fitted attributes are those
    of the in-memory fit (``coef_``, ``intercept_``, ``n_iter_``, ``estimate_``, and
    ``posterior_`` under a prior), ``estimate_.details["passes"]`` counts the passes.

    Examples
    --------
    >>> import dask.array as da
    >>> import thetahat as th
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 2))
    >>> y = (rng.random(400) < 1 / (1 + np.exp(-X[:, 0]))).astype(float)
    >>> dist = th.regression.LogisticRegression().fit(da.from_array(X, chunks=(100, 2)),
    ...                                    da.from_array(y, chunks=100))
    >>> mem = th.regression.LogisticRegression().fit(X, y)
    >>> bool(np.allclose(dist.coef_, mem.coef_, rtol=1e-9))
    True
    """
    if family is not LOGISTIC and family is not POISSON:
        raise ValueError(
            f"on Dask, {type(est).__name__} fits its canonical link (logit for "
            "LogisticRegression, log for PoissonRegression); other links need the rows "
            "in memory"
        )
    spec = parse_prior(est.prior)
    fit_b = bool(est.fit_intercept)
    inputs = {"sample_weight": sample_weight, "exposure": exposure, "offset": offset}
    data = design(X, y, **inputs)
    _fitted_inputs(est, X)
    names = est.feature_names_
    if family is LOGISTIC:
        found = data.labels_of_y()
        _set_classes(est, found)
        data.labels = np.asarray(est.classes_)
    s: Summary = data.run(_describe, _merge_summary, False)
    p = data.p
    k = p + int(fit_b)
    if s.positive == 0:
        raise ValueError("the Dask data have no rows with positive weight")
    if family is POISSON and s.y_min < 0:
        raise ValueError(
            f"PoissonRegression needs counts >= 0; y has negative values ({s.y_min!r})"
        )
    if family is LOGISTIC and s.y_min == s.y_max:
        raise ValueError(
            "y has only one class among the rows with positive weight: logistic regression "
            "needs both outcomes"
        )
    if spec.is_flat and s.positive < k:
        raise ValueError(
            f"the model has {k} coefficients but the data have {s.positive} sample(s) with "
            "positive weight; the MLE is not identifiable. Use fewer features or a proper "
            "prior (e.g. th.Normal(0, 1))"
        )
    pen = penalty_vector(spec, p, fit_b, fit_b and bool(est.shrink_intercept), type(est).__name__)
    centre = None
    if fit_b and pen.l2[-1] == 0 and pen.l1[-1] == 0 and p:
        sd = np.sqrt(s.x_m2 / s.sw)
        if np.any(np.abs(s.x_mean) > 30.0 * sd):  # as the in-memory solver's CENTRE_RATIO
            centre = s.x_mean
    rows = DaskRows(family, data, fit_b, centre)
    theta = np.zeros(k)
    if fit_b:
        theta[-1] = family.start(s.y_mean)
        if family is POISSON and data.inputs.keys() & {"exposure", "offset"}:
            theta[-1] -= s.off_sum / s.sw
        if centre is not None:
            theta[-1] += float(centre @ theta[:-1])
    from ._checks import NotIdentifiable

    try:
        with _blas_one_thread():
            # DaskRows has what _newton reads of its rows (family, fit_intercept, at);
            # top=False: a suspected divergence ends the solve (no LP over remote rows)
            res = _newton(
                rows,  # type: ignore[arg-type]
                pen,
                theta,
                int(est.max_iter),
                float(est.tol),
                0,
                spec.is_flat,
                top=False,
            )
    except NotIdentifiable as exc:
        bad = sorted({names[j] if j < p else "intercept" for g in exc.groups for j in g})
        raise ValueError(
            f"column(s) {', '.join(bad)} are linear combinations of each other"
            f"{' and the intercept' if fit_b else ''}: the MLE is not identifiable. "
            "Drop them or use a proper prior (e.g. th.Normal(0, 1))"
        ) from None
    res = res.uncentred(centre)
    _glm_estimate(est, res, spec, pen, names, fit_b, s.sw, data.passes)
    return est


def _set_classes(est: Any, found: frozenset[Any]) -> None:
    values = np.array(sorted(found))
    if values.shape[0] > 2:
        raise ValueError(
            f"Only binary classification is supported on Dask collections: y has "
            f"{values.shape[0]} classes ({', '.join(map(str, values[:5]))}); the multinomial "
            "model is fitted in memory (pass NumPy arrays or a pandas DataFrame)"
        )
    if values.shape[0] < 2:
        raise ValueError(
            "y has only one class: logistic regression needs both outcomes "
            "(the MLE would be infinite)"
        )
    if values.dtype.kind in "biuf" and set(values.tolist()) <= {0, 1}:
        values = np.array([0, 1], dtype=values.dtype)
    est.classes_ = values


def _glm_estimate(
    est: Any,
    res: Any,
    spec: PriorSpec,
    pen: PenaltyVec,
    names: list[str],
    fit_b: bool,
    n: float,
    passes: int,
) -> None:
    """``coef_``, ``intercept_``, ``n_iter_`` and ``estimate_`` of a distributed GLM fit."""
    est.__dict__.pop("posterior_", None)
    theta = res.theta
    k = theta.shape[0]
    est.coef_ = theta[:-1].copy() if fit_b else theta.copy()
    est.intercept_ = float(theta[-1]) if fit_b else 0.0
    est.n_iter_ = res.iterations
    warns: list[str] = []
    status = "success"
    active = (theta != 0) | (pen.l1 == 0)
    cov = np.full((k, k), np.nan)
    if res.message == "diverging":
        warns.append(
            "the Newton iterates diverge (|eta| grows while the steps do not shrink): the "
            "data look (quasi-)separated, so the estimate may not exist. A prior fixes "
            "this, e.g. prior=th.Normal(0, 2.5)"
        )
        status = "boundary"
        cov = np.full((k, k), np.inf)
        warn_all(tuple(warns), BoundaryWarning)
    else:
        cov, status = solved_covariance(res, active, 1.0, warns, status)
    logprior = log_prior(theta, pen) if not spec.is_flat else None
    kind = _KIND[spec.kind]
    est.estimate_ = build_estimate(
        model=f"{est._model} ({kind}, Dask)",
        names=names,
        theta=theta,
        cov=cov,
        fit_intercept=fit_b,
        method="mle" if spec.is_flat else "map",
        loglik=-res.nll,
        n=n,
        df_model=k,
        prior=est.prior,
        logpost=None if logprior is None else -res.nll + logprior,
        warnings=tuple(warns),
        status=status,
        message=(
            "se of weights at exactly 0 (the L1 kink) are NaN"
            if spec.l1 > 0 and not active.all()
            else ""
        ),
        converged=res.converged,
        iterations=res.iterations,
        extra={"n_nonzero": int(np.sum(theta != 0)), "passes": passes, "engine": "dask"},
    )
    if logprior is not None and status == "success":
        labels = [*names, "intercept"] if fit_b else list(names)
        est.posterior_ = _laplace_posterior(labels, theta, cov, -res.nll + logprior, n, est.prior)


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

        if spec.kind in ("nig", "evidence"):
            est._bayes_from_gram(gs, rss_of, names, fit_b, spec)
        else:
            est._map_from_gram(gs, rss_of, names, fit_b, spec)
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
