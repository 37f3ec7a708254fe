"""LogisticRegression and PoissonRegression: MLE by Newton/IRLS, MAP under a named prior."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from .._validation import first_bad
from ..results import BoundaryWarning, ConvergenceWarning
from ._base import RegressionBase, build_estimate, warn_all
from ._checks import NotIdentifiable, identifiability_message, univariate_separation
from ._data import is_dask
from ._loss import LOGISTIC, POISSON, Family, _blas_one_thread, linear_predictor
from ._solvers import GLMFit, PenaltyVec, fit_glm
from .penalties import PriorSpec, parse_prior

__all__ = ["LogisticRegression", "PoissonRegression"]

Array = NDArray[np.float64]
_LOG_2PI = math.log(2.0 * math.pi)


class _GLMBase(RegressionBase):
    """Shared fit of the canonical-link GLMs."""

    def __init__(
        self,
        prior: Any = None,
        fit_intercept: bool = True,
        shrink_intercept: bool = False,
        max_iter: int = 100,
        tol: float = 1e-10,
    ) -> None:
        self.prior = prior
        self.fit_intercept = fit_intercept
        self.shrink_intercept = shrink_intercept
        self.max_iter = max_iter
        self.tol = tol

    _family: Family
    _model: str

    def _penalty(self, spec: PriorSpec, p: int, fit_b: bool) -> PenaltyVec:
        if spec.kind in ("nig", "evidence"):
            raise ValueError(
                f"{type(self).__name__} takes a Normal, a Laplace or a pair of both as prior; "
                f"{self.prior!r} applies to LinearRegression"
            )
        k = p + int(fit_b)
        shrink_b = fit_b and bool(self.shrink_intercept)
        mask = np.ones(k)
        if fit_b and not shrink_b:
            mask[-1] = 0.0
        return PenaltyVec(l2=spec.l2 * mask, mean=spec.mean * mask, l1=spec.l1 * mask)

    def _fit_glm(
        self,
        X: Array,
        y: Array,
        sw: Array | None,
        offset: Array | None,
    ) -> GLMFit:
        spec = parse_prior(self.prior)
        names = self.feature_names_
        fit_b = bool(self.fit_intercept)
        k = X.shape[1] + int(fit_b)
        if spec.is_flat and (X.shape[0] if sw is None else np.count_nonzero(sw)) < k:
            raise ValueError(identifiability_message(X, sw, names, fit_b, []))
        pen = self._penalty(spec, X.shape[1], fit_b)
        try:
            res = fit_glm(
                self._family,
                X,
                y,
                sw,
                offset,
                fit_b,
                pen,
                max_iter=int(self.max_iter),
                tol=float(self.tol),
                check_rank=spec.is_flat,
            )
        except NotIdentifiable as exc:
            raise ValueError(identifiability_message(X, sw, names, fit_b, exc.groups)) from None
        theta = res.theta
        self.coef_ = theta[:-1].copy() if fit_b else theta.copy()
        self.intercept_ = float(theta[-1]) if fit_b else 0.0
        self.n_iter_ = res.iterations
        labels = [*names, "intercept"] if fit_b else list(names)
        warns: list[str] = []
        status = "success"
        active = (theta != 0) | (pen.l1 == 0)
        cov = np.full((k, k), np.nan)
        if res.separated:  # along coefficients no prior holds: no MLE (or MAP)
            kind = "mle" if spec.is_flat else "map"
            warns.append(self._divergence_message(labels, res.separated, kind))
            status = "boundary"
            cov = np.full((k, k), np.inf)
            warn_all(tuple(warns), BoundaryWarning)
        else:
            if not spec.is_flat:
                along = _prior_held_separation(self._family.name, X, y, sw, fit_b, res, pen)
                if along:
                    warns.append(self._divergence_message(labels, along, "held"))
                    warn_all(tuple(warns), BoundaryWarning)
            try:
                with _blas_one_thread():
                    cov = res.covariance(active)
            except np.linalg.LinAlgError:
                cov = np.full((k, k), np.inf)
                warns.append("the Hessian is singular: standard errors are infinite")
                status = "boundary"
            if not res.converged:
                m = f"the Newton iterations stopped before converging ({res.message})"
                warns.append(m)
                status = "failed"
                warn_all((m,), ConvergenceWarning)
        logprior = _log_prior(theta, pen) if not spec.is_flat else None
        kind = {
            "flat": "MLE",
            "gaussian": "MAP, Normal prior",
            "laplace": "MAP, Laplace prior",
            "elasticnet": "MAP, Normal + Laplace prior",
        }[spec.kind]
        msg = ""
        if spec.l1 > 0 and not active.all():
            msg = "se of weights at exactly 0 (the L1 kink) are NaN"
        self.estimate_ = build_estimate(
            model=f"{self._model} ({kind})",
            names=names,
            theta=theta,
            cov=cov,
            fit_intercept=fit_b,
            method="mle" if spec.is_flat else "map",
            loglik=-res.nll,
            n=float(X.shape[0] if sw is None else sw.sum()),
            df_model=k,
            prior=self.prior,
            logpost=None if logprior is None else -res.nll + logprior,
            warnings=tuple(warns),
            status=status,
            message=msg,
            converged=res.converged,
            iterations=res.iterations,
            extra={"n_nonzero": int(np.sum(theta != 0))},
        )
        return res

    def _divergence_message(self, labels: list[str], along: list[int], kind: str) -> str:
        """Why the estimate diverges along ``along``: the MLE ("mle"), a MAP whose prior
        leaves those coefficients free ("map"), or a MAP held only by the prior ("held")."""
        bad = ", ".join(labels[j] for j in along)
        fix = "A prior fixes this, e.g. prior=th.Normal(0, 2.5)"
        if self.fit_intercept and len(labels) - 1 in along:
            fix += ", with shrink_intercept=True for the intercept"
        if kind == "held":
            fix = "This MAP is finite only because of the prior"
        what = "MAP (the prior does not hold the intercept)" if kind == "map" else "MLE"
        if self._family is LOGISTIC:
            return (
                f"the data are (quasi-)separated: the likelihood keeps increasing along "
                f"{bad}, so the {what} does not exist (those coefficients diverge). {fix}"
            )
        return (
            f"the counts are 0 wherever the linear predictor can be lowered: the likelihood "
            f"keeps increasing along {bad} (fitted means of zero counts go to 0), so the "
            f"{what} does not exist (those coefficients diverge). {fix}"
        )


#: a penalised coefficient counts as held by the prior, not the data, when the data's
#: curvature along it is below this multiple of the prior's
PRIOR_HELD = 100.0


def _prior_held_separation(
    family: str,
    X: Array,
    y: Array,
    sw: Array | None,
    fit_b: bool,
    res: GLMFit,
    pen: PenaltyVec,
) -> list[int]:
    """Would the MLE diverge along one column that only the prior holds? (no LP)

    The data's curvature along coefficient ``j`` is the Hessian's diagonal minus the
    prior's (``l2_j``, plus ``l1_j / |theta_j|`` for a Laplace prior, the curvature
    of its quadratic majoriser). Where it is below ``PRIOR_HELD`` times the prior's,
    :func:`~._checks.univariate_separation` checks that column (one read of it).
    Separation along several columns at once is not looked for under a prior.
    """
    theta = res.theta
    absd = np.abs(theta)
    prior_curv = pen.l2 + np.divide(pen.l1, absd, out=np.zeros_like(absd), where=absd > 0)
    data_curv = np.diag(res.hessian) - pen.l2
    held = (prior_curv > 0) & (data_curv < PRIOR_HELD * prior_curv)
    if fit_b:
        held[-1] = False
    if not held.any():
        return []
    return univariate_separation(family, X, y, sw, fit_b, [int(j) for j in np.flatnonzero(held)])


def _log_prior(theta: Array, pen: PenaltyVec) -> float:
    total = 0.0
    on2 = pen.l2 > 0
    if on2.any():
        d = (theta - pen.mean)[on2]
        total += float(np.sum(0.5 * (np.log(pen.l2[on2]) - _LOG_2PI)) - 0.5 * pen.l2[on2] @ (d * d))
    on1 = pen.l1 > 0
    if on1.any():
        total += float(np.sum(np.log(0.5 * pen.l1[on1])) - pen.l1[on1] @ np.abs(theta[on1]))
    return total


class LogisticRegression(ClassifierMixin, _GLMBase):
    """Binary logistic regression: MLE by Newton (IRLS), MAP under a Normal or Laplace prior.

    Parameters
    ----------
    prior : None, th.Normal(m, tau), th.Laplace(0, b) or a pair of both
        None is the MLE. ``Normal(0, tau)`` is scikit-learn's L2 penalty with
        ``C = tau^2``; ``Laplace(0, b)`` its L1 penalty with ``C = b``.
    fit_intercept : bool
        The intercept has a flat prior unless ``shrink_intercept``.
    shrink_intercept : bool
    max_iter : int
        Newton iterations (each is a full Hessian; 5-10 are typical).
    tol : float
        Stop when a step moves no coefficient by more than ``tol (1 + max|theta|)``.

    Attributes
    ----------
    classes_, coef_, intercept_, n_iter_, estimate_

    Notes
    -----
    ``log p(y | X, w) = sum_i [y_i eta_i - log(1 + exp(eta_i))]``, ``eta = Xw + b``.
    Newton: gradient ``X'(mu - y)``, Hessian ``X' diag(mu(1 - mu)) X`` plus the
    prior's precision; L1 by proximal Newton. Standard errors: the inverse
    Hessian of the negative log posterior at the MAP (Laplace approximation),
    or the inverse Fisher information at the MLE. Separation (the MLE does not
    exist) is suspected from the Newton iterates (coefficients that keep moving
    while fitted probabilities run to 0/1), confirmed by a linear programme over
    the moving coefficients, and reported with a ``BoundaryWarning`` naming them
    (status "boundary"); under a prior, a coefficient the prior rather than the
    data holds is checked for one-column separation, and a warning says the MAP
    is finite only because of the prior. A rank-deficient design under a flat
    prior is refused (pivoted Cholesky of the Hessian). ``y`` must be 0/1
    (or two labels of another type, mapped in sorted order).
    """

    _family = LOGISTIC
    _model = "LogisticRegression"

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LogisticRegression:
        """Fit the model; returns self (Dask arrays and DataFrames are fitted on the cluster)."""
        if is_dask(X, y, sample_weight):
            from ._distributed import fit_glm_dask

            return fit_glm_dask(self, X, y, sample_weight)
        Xa, ya, sw = self._validate_fit(X, y, sample_weight, y_numeric=False)
        y01 = self._encode(np.asarray(ya))
        if sw is not None and np.unique(y01[sw > 0]).shape[0] < 2:
            raise ValueError(
                "the rows with positive sample_weight have only one class: logistic "
                "regression needs both outcomes"
            )
        self._fit_glm(Xa, y01, sw, None)
        return self

    def _encode(self, ya: NDArray[Any]) -> Array:
        if ya.ndim != 1:
            raise ValueError(f"y must be 1-dimensional, got shape {ya.shape}")
        if ya.dtype.kind in "biuf":
            yf = ya.astype(float)
            if not np.isfinite(yf).all():
                from .._validation import check_finite

                check_finite(yf, "y")
            bad = (yf != 0) & (yf != 1)
            # the sort in unique is only needed when some label is not 0/1
            values = np.unique(yf) if bad.any() else np.array([0.0, 1.0])
            if bad.any() and values.shape[0] == 2 and np.all(values == np.round(values)):
                # two integer labels other than 0/1 (e.g. 1/2): scikit-learn's contract
                classes = values.astype(ya.dtype)
                y01 = (yf == values[1]).astype(float)
                bad = np.zeros_like(bad)
            elif values.shape[0] > 2 and np.all(values == np.round(values)) and bad.any():
                raise ValueError(
                    f"Only binary classification is supported: y has {values.shape[0]} classes; "
                    f"LogisticRegression needs y in {{0, 1}}, and y[{first_bad(bad)}] = "
                    f"{float(yf[first_bad(bad)])!r} is not"
                )
            else:
                classes = np.array([0, 1], dtype=ya.dtype)
                y01 = yf
            if bad.any():
                i = first_bad(bad)
                raise ValueError(
                    f"Unknown label type: LogisticRegression needs y in {{0, 1}}; y[{i}] = "
                    f"{float(yf[i])!r} is not ({int(bad.sum())} value(s) outside {{0, 1}})"
                )
        else:
            classes = np.unique(ya)
            if classes.shape[0] > 2:
                raise ValueError(
                    f"Only binary classification is supported: y has {classes.shape[0]} classes "
                    f"({', '.join(map(str, classes[:5]))})"
                )
            y01 = (ya == classes[-1]).astype(float)
        if y01.min() == y01.max():  # y01 is 0/1 here
            raise ValueError(
                "y has only one class: logistic regression needs both outcomes "
                "(the MLE would be infinite)"
            )
        self.classes_ = classes
        return y01

    def decision_function(self, X: Any) -> Array:
        """The linear predictor ``X w + b`` (log odds of the second class)."""
        Xa = self._validate_predict(X)
        return linear_predictor(Xa, self.coef_, self.intercept_, None)

    def predict_proba(self, X: Any) -> Array:
        """Class probabilities, shape (n, 2), columns in ``classes_`` order."""
        from scipy import special as sc

        p1 = sc.expit(self.decision_function(X))
        return np.column_stack([1.0 - p1, p1])

    def predict_log_proba(self, X: Any) -> Array:
        """Log class probabilities (computed as ``-log1p(exp(-+eta))``)."""
        eta = self.decision_function(X)
        return np.column_stack([-np.logaddexp(0.0, eta), -np.logaddexp(0.0, -eta)])

    def predict(self, X: Any) -> NDArray[Any]:
        """The more probable class label."""
        check_is_fitted(self)
        return np.asarray(self.classes_[(self.decision_function(X) > 0).astype(int)])

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags


class PoissonRegression(RegressorMixin, _GLMBase):
    """Poisson regression with a log link and optional exposure: MLE or MAP.

    Parameters
    ----------
    prior : None, th.Normal(m, tau), th.Laplace(0, b) or a pair of both
        ``Normal(0, tau)`` equals scikit-learn's ``PoissonRegressor(alpha)`` with
        ``alpha = 1 / (n tau^2)``.
    fit_intercept, shrink_intercept, max_iter, tol
        As in :class:`LogisticRegression`.

    Notes
    -----
    ``y_i ~ Poisson(exposure_i exp(x_i'w + b))``: ``log exposure`` (plus any
    ``offset``) enters the linear predictor with coefficient 1.
    ``log p = y eta - exp(eta) - log y!``; gradient ``X'(mu - y)``, Hessian
    ``X' diag(mu) X``. Counts must be >= 0 (non-integers are allowed, as a
    quasi-likelihood). The Poisson analogue of separation (all counts 0, or a
    column whose rows all count 0: the likelihood rises as their means go to 0)
    is detected as for :class:`LogisticRegression` and reported as a boundary
    result naming the diverging coefficients.
    """

    _family = POISSON
    _model = "PoissonRegression"

    def fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        exposure: Any = None,
        offset: Any = None,
    ) -> PoissonRegression:
        """Fit the model; ``exposure`` (> 0) and ``offset`` are per row (Dask: on the cluster)."""
        if is_dask(X, y, sample_weight, exposure, offset):
            from ._distributed import fit_glm_dask

            return fit_glm_dask(self, X, y, sample_weight, exposure, offset)
        Xa, ya, sw = self._validate_fit(X, y, sample_weight)
        yf = np.asarray(ya, dtype=float)
        from ._data import check_y

        yf = check_y(yf, Xa.shape[0])
        if np.any(yf < 0):
            i = first_bad(yf < 0)
            raise ValueError(
                f"PoissonRegression needs counts >= 0; y[{i}] = {float(yf[i])!r} is negative "
                f"({int((yf < 0).sum())} negative value(s))"
            )
        off = _offset(exposure, offset, Xa.shape[0])
        self._fit_glm(Xa, yf, sw, off)
        return self

    def predict(self, X: Any, exposure: Any = None, offset: Any = None) -> Array:
        """Expected counts ``exposure exp(X w + b + offset)``."""
        Xa = self._validate_predict(X)
        off = _offset(exposure, offset, Xa.shape[0])
        return np.exp(linear_predictor(Xa, self.coef_, self.intercept_, off))

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.positive_only = True
        return tags


def _offset(exposure: Any, offset: Any, n: int) -> Array | None:
    from .._validation import check_finite

    out: Array | None = None
    if exposure is not None:
        e = np.asarray(exposure, dtype=float)
        e = np.full(n, float(e)) if e.ndim == 0 else e
        if e.shape != (n,):
            raise ValueError(f"exposure has shape {e.shape} but X has {n} rows")
        check_finite(e, "exposure")
        if np.any(e <= 0):
            i = first_bad(e <= 0)
            raise ValueError(f"exposure must be > 0; exposure[{i}] = {float(e[i])!r}")
        out = np.log(e)
    if offset is not None:
        o = np.asarray(offset, dtype=float)
        o = np.full(n, float(o)) if o.ndim == 0 else o
        if o.shape != (n,):
            raise ValueError(f"offset has shape {o.shape} but X has {n} rows")
        check_finite(o, "offset")
        out = o if out is None else out + o
    return out
