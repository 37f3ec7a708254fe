"""Multinomial (softmax) logistic regression: the fit of ``LogisticRegression`` on K > 2 classes.

Parametrisations (see :class:`~.glm.LogisticRegression`'s Notes for the user's view):

* **MLE**: the first class is the reference (statsmodels' ``MNLogit``): its weights
  and intercept are 0 and the ``(K - 1)(p + 1)`` others are identified; the solver
  works in exactly these coordinates.
* **A Normal or Laplace prior** is put on the weights of *every* class, independently
  (scikit-learn's symmetric multinomial): it treats the classes alike, so the MAP
  does not depend on which class comes first. The likelihood sees only differences
  between classes; the prior picks the representative (for a Gaussian prior each
  feature's weights sum to 0 over the classes; for a Laplace prior their median is
  0, so every feature has a weight exactly 0 in some class). The intercepts keep a
  flat prior, so only their differences are identified: the solver holds them
  against the first class and they are reported centred (summing to 0), as
  scikit-learn reports them; with ``shrink_intercept`` they are symmetric like the
  weights.

The solver is the binary GLM's (:func:`~._solvers._solve`: subsample warm start,
Newton-chord refinement, damped or proximal Newton, L-BFGS first for many
coefficients) over :class:`~._softmax.SoftmaxRows`, whose passes return the full
block Hessian.
"""

from __future__ import annotations

import math
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._psis import LaplaceCheck
from ..results import BoundaryWarning
from . import _sparse
from ._base import build_estimate, warn_all
from ._checks import NotIdentifiable, identifiability_message
from ._glm_base import _KIND, log_prior, penalty_vector, solved_covariance
from ._loss import Family, _blas_one_thread
from ._posterior import RegressionPosterior
from ._softmax import SOFTMAX, SoftmaxRows
from ._solvers import PenaltyVec, _solve
from .penalties import parse_prior

__all__ = ["fit_multinomial", "multiclass_labels", "multinomial_scores", "unique_labels"]

Array = NDArray[np.float64]
_LOG_2PI = math.log(2.0 * math.pi)
#: the curvature added, for the proximal Newton model only, along the shifts a pure
#: L1 prior alone holds: this fraction of the data's typical curvature (small enough
#: that the steps on the final active set are Newton steps to ~1e-7 relative)
SHIFT_CURV = 1e-7


#: rows per block of :func:`unique_labels`
LABEL_BLOCK = 1 << 16


def unique_labels(y: NDArray[Any], block: int = LABEL_BLOCK) -> NDArray[Any]:
    """``np.unique(y)`` of a 1-d ``y``, block by block: memory of one block and the
    labels, where ``np.unique`` sorts a copy of all of ``y`` (8 MB at a million rows,
    the largest allocation of a logistic fit beyond X). The same values (NaNs merged
    into one, as ``np.unique`` does); a million 0/1 labels 3.0 ms against 3.9."""
    n = y.shape[0]
    if n <= block:
        return np.unique(y)
    parts = [np.unique(y[s : s + block]) for s in range(0, n, block)]
    return np.unique(np.concatenate(parts))


def multiclass_labels(y: NDArray[Any], values: NDArray[Any] | None = None) -> NDArray[Any] | None:
    """The sorted classes of ``y`` when it has more than two of them, else None
    (binary targets, and labels the binary encoder rejects, go that way). ``values``:
    ``unique_labels(y)`` where the caller has it."""
    if y.ndim != 1:
        return None
    values = unique_labels(y) if values is None else values
    if y.dtype.kind in "biuf":
        if values.shape[0] <= 2 or not np.all(values == np.round(values)):
            return None
        return values
    return values if values.shape[0] > 2 else None


def fit_multinomial(
    est: Any, X: Array, y: NDArray[Any], classes: NDArray[Any], sw: Array | None
) -> None:
    """Fit ``est`` (a LogisticRegression) to K > 2 classes; sets ``classes_``, ``coef_``
    (K, p), ``intercept_`` (K,), ``n_iter_``, ``estimate_`` and, under a prior,
    ``posterior_``."""
    est.__dict__.pop("posterior_", None)
    est.__dict__.pop("laplace_check_", None)
    K = classes.shape[0]
    if est.link != "logit":
        raise ValueError(
            f"Only binary classification is supported with link={est.link!r}: y has {K} "
            "classes, and the multinomial model (the softmax of linear predictors) needs "
            "link='logit'"
        )
    n, p = X.shape
    if _sparse.issparse(X) and (K - 1) * (p + int(est.fit_intercept)) > _sparse.HESSIAN_MAX_K:
        raise ValueError(
            f"the multinomial model on a sparse X has {(K - 1) * (p + int(est.fit_intercept))} "
            f"coefficients; sparse X is fitted with the full block Hessian up to "
            f"{_sparse.HESSIAN_MAX_K} (no Hessian-free multinomial path): select features "
            "or use fewer classes"
        )
    names = est.feature_names_
    codes = np.searchsorted(classes, y)
    pos = np.ones(n, dtype=bool) if sw is None else sw > 0
    members = np.bincount(codes[pos], minlength=K)
    npos = int(members.sum())
    if K >= npos:
        raise ValueError(
            f"y has {K} classes among {npos} row(s) (of positive weight): with at least as "
            "many classes as rows no class has two members, and a multinomial model has "
            "nothing to estimate"
        )
    if np.any(members == 0):
        c = np.asarray(classes[int(np.argmin(members))]).item()
        raise ValueError(
            f"class {c!r} has no rows of positive sample_weight: its probability would be 0 "
            "and its intercept -inf"
        )
    spec = parse_prior(est.prior)
    who = "LogisticRegression"
    penalty_vector(spec, 0, False, False, who)  # refuses NIG and "evidence" priors
    if spec.is_flat and np.any(members == 1):
        c = np.asarray(classes[int(np.argmin(members))]).item()
        raise ValueError(
            f"class {c!r} has a single member: the multinomial MLE of its coefficients is "
            "not estimable (a lone row is separated from the others whenever it lies on "
            "the edge of the data, and its coefficients then diverge). Merge the class "
            "or use a prior (e.g. prior=th.Normal(0, 2.5))"
        )
    if spec.mean != 0:
        raise ValueError(
            "the Normal prior of a multinomial model must be centred at 0: a mean shared by "
            "every class's weights cancels in the softmax"
        )
    fit_b = bool(est.fit_intercept)
    q = p + int(fit_b)
    m = K - 1
    if spec.is_flat and npos < q:
        raise ValueError(identifiability_message(X, sw, names, fit_b, []))
    counts = np.bincount(codes, weights=sw, minlength=K).astype(float)
    lay = _Layout(K, p, fit_b, symmetric=not spec.is_flat, shrink_b=bool(est.shrink_intercept))
    pen = lay.penalty(spec.l2, spec.l1)
    u0 = lay.start(counts)
    shift = lay.shift() if (spec.l1 > 0 and spec.l2 == 0) else None
    sample = X[:: max(1, n // 2048)]
    n_obs = float(n if sw is None else sw.sum())
    # mean square of X's entries (sparse: its stored values; the zeros add nothing)
    vals: Any = sample.data if _sparse.issparse(sample) else sample
    msq = float(np.sum(np.square(vals))) / max(sample.shape[0] * sample.shape[1], 1)
    curv = SHIFT_CURV * n_obs * (msq + 1.0) / K
    sd = _sparse.column_sd(sample)
    rows = SoftmaxRows(
        cast(Family, SOFTMAX),  # the solver reads only its name and separation kind
        X,
        codes.astype(float),
        sw,
        None,
        fit_b,
        None,
        n_classes=K,
        T=lay.T,
        shift=shift,
        shift_curv=curv if shift is not None else 0.0,
        scale_u=lay.scales(np.where(sd > 0, sd, 1.0)),
    )
    try:
        with _blas_one_thread():
            res = _solve(rows, pen, u0, int(est.max_iter), float(est.tol), spec.is_flat, True, True)
    except NotIdentifiable as exc:
        feats = [sorted({j % q for j in g}) for g in exc.groups]
        raise ValueError(identifiability_message(X, sw, names, fit_b, feats)) from None
    u = res.theta.copy()
    if shift is not None:  # the model's added curvature is no part of the posterior
        res = res.moved(res.theta, res.hessian - rows.shift_curv * (shift @ shift.T))
        u = lay.median_zero(u)
    labels_u = lay.labels_u(names, classes)
    warns: list[str] = []
    status = "success"
    active = (u != 0) | (pen.l1 == 0)
    k_u = u.shape[0]
    centred = spec.l2 > 0 and spec.l1 == 0
    logdet_u = math.nan
    shift_basis = np.zeros((u.shape[0], 0))
    if res.separated:
        warns.append(est._divergence_message("logistic", labels_u, res.separated, "mle"))
        status = "boundary"
        cov_u = np.full((k_u, k_u), np.inf)
        warn_all(tuple(warns), BoundaryWarning)
    elif centred:
        # the Hessian is the data's on the deviations plus l2 I: block diagonal between
        # the deviations and the shifts (where it is l2 I alone). Inverting it whole would
        # mix a 1/l2 of order tau^2 into the deviations' few digits, so the deviations'
        # block is inverted on its own, in an orthonormal basis Q of theirs
        Q, shift_basis = _complement(lay.shift())
        onq = res.moved(Q.T @ u, Q.T @ res.hessian @ Q)
        cov_z, status = solved_covariance(onq, np.ones(Q.shape[1], bool), 1.0, warns, status)
        cov_u = Q @ cov_z @ Q.T
        shifts = k_u - Q.shape[1]
        logdet_u = float(np.linalg.slogdet(cov_z)[1]) - shifts * math.log(spec.l2)
    else:
        cov_u, status = solved_covariance(res.moved(u), active, 1.0, warns, status)
    A, labels = lay.report(names, classes, centred=centred)
    theta = A @ u
    C0 = np.where(np.isnan(cov_u), 0.0, cov_u)
    with np.errstate(invalid="ignore"):
        cov = A @ C0 @ A.T
    inactive = (A @ (~active).astype(float)) > 0
    cov[inactive, :] = np.nan
    cov[:, inactive] = np.nan
    coef, intercept = lay.sklearn(u)
    est.classes_ = classes
    est.coef_ = coef
    est.intercept_ = intercept
    est.n_iter_ = res.iterations
    lp = None if spec.is_flat else log_prior(u, pen)
    loglik = -res.nll
    parametrisation = "reference (first class)" if spec.is_flat else "symmetric"
    est.estimate_ = build_estimate(
        model=f"{who} (multinomial, {_KIND[spec.kind]})",
        names=labels,
        theta=theta,
        cov=cov,
        fit_intercept=False,
        method="mle" if spec.is_flat else "map",
        loglik=loglik,
        n=n_obs,
        df_model=m * q,
        prior=est.prior,
        logpost=None if lp is None else loglik + lp,
        warnings=tuple(warns),
        status=status,
        message=(
            "se of weights at exactly 0 (the L1 kink) are NaN"
            if spec.l1 > 0 and not active.all()
            else ""
        ),
        converged=res.converged,
        iterations=res.iterations,
        extra={
            "n_nonzero": int(np.sum(coef != 0)),
            "n_classes": K,
            "classes": list(classes.tolist()),
            "parametrisation": parametrisation,
            "solver": "Newton (full block Hessian)",
        },
        summary_lines=(
            f"Classes: {K}",
            f"Reference: {classes[0]!s}" if spec.is_flat else "Parametrisation: symmetric",
        ),
    )
    if centred and status == "success":
        # issue 15's PSIS check of the Laplace posterior, over the solver's coordinates
        # (the shifts' N(0, 1/l2) included: the check needs a proper Gaussian)
        full = cov_u + shift_basis @ shift_basis.T / spec.l2
        est.laplace_check_ = LaplaceCheck(_SoftmaxLogPosterior(rows, pen), u, full)
    if lp is not None and status == "success":
        if centred:
            sign, logdet = 1.0, logdet_u
        elif np.all(np.isfinite(cov_u)):
            sign, logdet = np.linalg.slogdet(cov_u)
        else:
            sign, logdet = 0.0, np.nan
        log_ev = loglik + lp + 0.5 * k_u * _LOG_2PI + 0.5 * logdet if sign > 0 else np.nan
        est.posterior_ = RegressionPosterior(
            names=tuple(labels),
            loc=theta.copy(),
            scale=np.where(np.isnan(cov), 0.0, cov),
            df=None,
            log_evidence=float(log_ev),
            n=n_obs,
            prior=est.prior,
            exact=False,
        )


class _Layout:
    """The solver's coordinates ``u`` of one multinomial problem and their maps.

    MLE: ``u`` is the reference coordinates, class by class (classes ``1..K-1``),
    each ``[w (p), b]``. Under a prior: the weights of all K classes, class by class
    (K x p), then the intercepts: K (``shrink_b``), K - 1 against the first class
    (a flat prior), or none. ``T`` maps ``u`` to the reference coordinates (None: the
    same).
    """

    def __init__(self, K: int, p: int, fit_b: bool, *, symmetric: bool, shrink_b: bool) -> None:
        self.K, self.p, self.fit_b, self.symmetric = K, p, fit_b, symmetric
        self.shrink_b = fit_b and shrink_b and symmetric
        self.q = p + int(fit_b)
        m = K - 1
        if not symmetric:
            self.k = m * self.q
            self.nb = 0
            self.T: Array | None = None
            return
        self.nb = K if self.shrink_b else (m if fit_b else 0)
        self.k = K * p + self.nb
        T = np.zeros((m * self.q, self.k))
        for c in range(m):
            for j in range(p):
                T[c * self.q + j, (c + 1) * p + j] = 1.0
                T[c * self.q + j, j] = -1.0
            if fit_b and self.shrink_b:
                T[c * self.q + p, K * p + c + 1] = 1.0
                T[c * self.q + p, K * p] = -1.0
            elif fit_b:
                T[c * self.q + p, K * p + c] = 1.0
        self.T = T

    def penalty(self, l2: float, l1: float) -> PenaltyVec:
        mask = np.zeros(self.k)
        if self.symmetric:
            mask[: self.K * self.p] = 1.0
            if self.shrink_b:
                mask[self.K * self.p :] = 1.0
        return PenaltyVec(l2=l2 * mask, mean=np.zeros(self.k), l1=l1 * mask)

    def start(self, counts: Array) -> Array:
        """Zero weights and the intercept-only model's MLE (log frequency ratios)."""
        u = np.zeros(self.k)
        if not self.fit_b:
            return u
        logc = np.log(np.maximum(counts, 1e-300))
        if not self.symmetric:
            u.reshape(self.K - 1, self.q)[:, self.p] = logc[1:] - logc[0]
        elif self.shrink_b:
            u[self.K * self.p :] = logc - logc.mean()
        else:
            u[self.K * self.p :] = logc[1:] - logc[0]
        return u

    def scales(self, sd: Array) -> Array:
        """L-BFGS's per-coefficient scales: each column's spread, 1 for intercepts."""
        if not self.symmetric:
            return np.tile(np.r_[sd, np.ones(int(self.fit_b))], self.K - 1)
        return np.r_[np.tile(sd, self.K), np.ones(self.nb)]

    def shift(self) -> Array:
        """The directions that move every class's weight of one feature (or, shrunk, the
        intercepts) together, as columns (k x number of shifts)."""
        cols = []
        for j in range(self.p):
            s = np.zeros(self.k)
            s[j : self.K * self.p : self.p] = 1.0
            cols.append(s)
        if self.shrink_b:
            s = np.zeros(self.k)
            s[self.K * self.p :] = 1.0
            cols.append(s)
        return np.column_stack(cols) if cols else np.zeros((self.k, 0))

    def median_zero(self, u: Array) -> Array:
        """Under an L1 prior with K even a feature's weights may all be nonzero where the
        median is an interval (the objective is flat across it): move them by the
        interval's end nearer 0, which zeroes one weight and changes nothing else."""
        u = u.copy()
        blocks = [u[: self.K * self.p].reshape(self.K, self.p).T]
        if self.shrink_b:
            blocks.append(u[self.K * self.p :][None, :])
        for B in blocks:
            for row in B:
                if np.all(row != 0) and self.K % 2 == 0:
                    s = np.sort(row)
                    lo, hi = s[self.K // 2 - 1], s[self.K // 2]
                    if lo < 0 < hi:
                        row -= lo if -lo < hi else hi
                        row[np.argmin(np.abs(row))] = 0.0
        out = u.copy()
        out[: self.K * self.p] = blocks[0].T.ravel()
        if self.shrink_b:
            out[self.K * self.p :] = blocks[1][0]
        return out

    def labels_u(self, names: list[str], classes: NDArray[Any]) -> list[str]:
        """Labels of the solver's coordinates (for the separation message)."""
        if not self.symmetric:
            feats = [*names, "intercept"][: self.q]
            return [f"{f}[{c}]" for c in classes[1:] for f in feats]
        out = [f"{f}[{c}]" for c in classes for f in names]
        bcls = classes if self.shrink_b else classes[1:]
        return out + [f"intercept[{c}]" for c in bcls[: self.nb]]

    def report(
        self, names: list[str], classes: NDArray[Any], centred: bool
    ) -> tuple[Array, list[str]]:
        """``A`` (reported = A u) and the reported labels: class by class, the intercept
        first, then the features; the MLE's classes after the reference, the MAP's all K.
        Flat-prior intercepts are centred (summing to 0); with ``centred`` (a Normal
        prior) so is every symmetric row: what is reported is each coefficient's
        deviation from its mean over the classes, the part the data identify."""
        K, p, q = self.K, self.p, self.q
        rows: list[Array] = []
        labels: list[str] = []
        cls = list(classes) if self.symmetric else list(classes[1:])
        for c_i, c in enumerate(cls):
            if self.fit_b:
                r = np.zeros(self.k)
                if not self.symmetric:
                    r[c_i * q + p] = 1.0
                elif self.shrink_b:
                    r[K * p + c_i] = 1.0
                    if centred:
                        r[K * p :] -= 1.0 / K
                else:  # b = (0, u_b) centred
                    r[K * p :] = -1.0 / K
                    if c_i > 0:
                        r[K * p + c_i - 1] += 1.0
                rows.append(r)
                labels.append(f"intercept[{c}]")
            for j in range(p):
                r = np.zeros(self.k)
                if not self.symmetric:
                    r[c_i * q + j] = 1.0
                else:
                    r[c_i * p + j] = 1.0
                    if centred:
                        r[j : K * p : p] -= 1.0 / K
                rows.append(r)
                labels.append(f"{names[j]}[{c}]")
        return np.array(rows).reshape(len(rows), self.k), labels

    def sklearn(self, u: Array) -> tuple[Array, Array]:
        """``coef_`` (K, p) and ``intercept_`` (K,) as scikit-learn shapes them."""
        K, p = self.K, self.p
        coef = np.zeros((K, p))
        b = np.zeros(K)
        if not self.symmetric:
            B = u.reshape(K - 1, self.q)
            coef[1:] = B[:, :p]
            if self.fit_b:
                b[1:] = B[:, p]
            return coef, b
        coef[:] = u[: K * p].reshape(K, p)
        if self.shrink_b:
            b[:] = u[K * p :]
        elif self.fit_b:
            b[1:] = u[K * p :]
            b -= b.mean()
        return coef, b


def _complement(S: Array) -> tuple[Array, Array]:
    """Orthonormal bases of the complement of the columns of ``S`` (k x s, full rank)
    and of their span."""
    k, r = S.shape
    if r == 0:
        return np.eye(k), np.zeros((k, 0))
    Qf, _ = np.linalg.qr(S, mode="complete")
    return np.asarray(Qf[:, r:]), np.asarray(Qf[:, :r])


class _SoftmaxLogPosterior:
    """The multinomial log posterior at rows of draws of the solver's coordinates
    (picklable, unlike a closure): blocks of 64 draws against blocks of rows, one gemm
    each, plus the log prior."""

    def __init__(self, rows: SoftmaxRows, pen: PenaltyVec) -> None:
        self.rows, self.pen = rows, pen

    def __call__(self, draws: Array) -> Array:
        with _blas_one_thread():  # small products: BLAS threads only stall (see _loss)
            return self._logpost(draws)

    def _logpost(self, draws: Array) -> Array:
        r = self.rows
        X, codes, sw = r.X, r.y.astype(np.intp), r.sw
        n, p = X.shape
        m, q = r.n_classes - 1, p + int(r.fit_intercept)
        out = np.array([log_prior(u, self.pen) for u in draws])
        for d0 in range(0, draws.shape[0], 64):
            U = draws[d0 : d0 + 64]
            B = (U if r.T is None else U @ r.T.T).reshape(-1, m, q)
            s = B.shape[0]
            # class-major columns: eta is (rows, m, s), reduced over its middle axis
            Wt = B[:, :, :p].transpose(1, 0, 2).reshape(m * s, p).T
            b = (B[:, :, p].T if r.fit_intercept else np.zeros((m, s)))[None]
            ll = np.zeros(s)
            for i0 in range(0, n, 4096):
                eta = (X[i0 : i0 + 4096] @ Wt).reshape(-1, m, s) + b
                top = np.maximum(eta.max(axis=1), 0.0)
                lse = top + np.log(np.exp(-top) + np.exp(eta - top[:, None, :]).sum(axis=1))
                c = codes[i0 : i0 + 4096]
                rows_i = np.arange(c.shape[0])
                obs = np.where((c > 0)[:, None], eta[rows_i, np.maximum(c - 1, 0), :], 0.0)
                per = lse - obs
                ll -= per.sum(axis=0) if sw is None else sw[i0 : i0 + 4096] @ per
            out[d0 : d0 + 64] += ll
        return out


def multinomial_scores(est: Any, X: Any) -> Array:
    """The K linear predictors ``X coef_' + intercept_`` (n, K)."""
    Xa = est._validate_predict(X)
    return np.asarray(Xa @ est.coef_.T + est.intercept_)


def log_softmax(scores: Array) -> Array:
    """Log class probabilities from the K scores (stable log-sum-exp)."""
    return np.asarray(scores - sc.logsumexp(scores, axis=1, keepdims=True))
