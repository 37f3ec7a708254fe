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
from ._data import check_identifiable
from ._loss import LOGISTIC, POISSON, Family, linear_predictor
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
        if spec.is_flat:
            check_identifiable(X, sw, names, fit_b)
        pen = self._penalty(spec, X.shape[1], fit_b)
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
            check_separation=self._family is LOGISTIC and spec.is_flat,
        )
        if (
            self._family is LOGISTIC
            and not spec.is_flat
            and not res.separated
            and X.shape[0] * (X.shape[1] + 1) <= 2_000_000
        ):
            # a prior keeps the MAP finite; still say when the MLE would not exist
            from ._solvers import separation_directions

            res.separated = separation_directions(X, y, sw, fit_b)
        theta = res.theta
        self.coef_ = theta[:-1].copy() if fit_b else theta.copy()
        self.intercept_ = float(theta[-1]) if fit_b else 0.0
        self.n_iter_ = res.iterations
        labels = [*names, "intercept"] if fit_b else list(names)
        warns: list[str] = []
        status = "success"
        k = theta.shape[0]
        active = (theta != 0) | (pen.l1 == 0)
        cov = np.full((k, k), np.nan)
        if res.separated:
            bad = ", ".join(labels[j] for j in res.separated)
            msg = (
                f"the data are (quasi-)separated: the likelihood keeps increasing along "
                f"{bad}, so the MLE does not exist (those coefficients diverge). "
                "A prior fixes this, e.g. prior=th.Normal(0, 2.5)"
            )
            if spec.is_flat:
                warns.append(msg)
                status = "boundary"
                cov = np.full((k, k), np.inf)
            else:
                warns.append(msg + "; this MAP is finite only because of the prior")
        if not res.separated or not spec.is_flat:
            try:
                sub = np.linalg.inv(res.hessian[np.ix_(active, active)])
                cov[np.ix_(active, active)] = sub
            except np.linalg.LinAlgError:
                cov = np.full((k, k), np.inf)
                warns.append("the Hessian is singular: standard errors are infinite")
                status = "boundary"
            if not res.converged:
                m = f"the Newton iterations stopped before converging ({res.message})"
                warns.append(m)
                warn_all((m,), ConvergenceWarning)
        if res.separated:
            warn_all(tuple(warns[:1]), BoundaryWarning)
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
    exist) is decided by a linear programme and reported with a
    ``BoundaryWarning`` naming the diverging coefficients. ``y`` must be 0/1
    (or two labels of another type, mapped in sorted order).
    """

    _family = LOGISTIC
    _model = "LogisticRegression"

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LogisticRegression:
        """Fit the model; returns self."""
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
    quasi-likelihood).
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
        """Fit the model; ``exposure`` (> 0) and ``offset`` are per row."""
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
