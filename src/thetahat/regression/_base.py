"""Shared plumbing of the regression estimators: validation, names, Estimate building."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from .._warnings import warn_user
from ..optim import Status
from ..results import BoundaryWarning, Estimate, LazyCovariance
from ._data import check_numeric_frame, check_weights, check_X, check_y
from ._sparse import CoefficientMap, FeatureNames, check_sparse_X, issparse, with_intercept

__all__ = ["RegressionBase", "build_estimate", "order_intercept_first"]

Array = NDArray[np.float64]


class RegressionBase(BaseEstimator):
    """Validation and naming shared by thetahat's scikit-learn estimators."""

    fit_intercept: bool

    def _accepts_sparse(self) -> bool:
        """Whether this configuration fits a scipy.sparse X (issue 17); others refuse it
        with scikit-learn's TypeError."""
        return False

    def _check_X(self, X: Any, reset: bool, finite: bool = True) -> Any:
        kw: dict[str, Any] = {} if reset else {"reset": False}
        if reset:
            kw["ensure_min_samples"] = 1
        check_numeric_frame(X)
        sparse_ok = self._accepts_sparse()
        Xa = validate_data(
            self,
            X,
            ensure_all_finite=False,
            dtype=np.float64,
            accept_sparse="csr" if sparse_ok else False,
            accept_large_sparse=sparse_ok,
            **kw,
        )
        if issparse(Xa):
            return check_sparse_X(Xa)
        return check_X(Xa) if finite else np.asarray(Xa, dtype=np.float64)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = self._accepts_sparse()
        return tags

    def standard_errors(self, which: Any = None) -> dict[str, float]:
        """Standard errors of the coefficients ``which`` (names such as ``"x3"`` or
        ``"intercept"``, or column indices of X; all when None), computed on request.

        For a wide sparse fit (a Hessian-free Newton-CG solve) the whole covariance is
        not formed; this solves ``H z = e_j`` by conjugate gradients for the coefficients
        asked for only (no ``k x k`` matrix), while ``estimate_.se`` raises beyond
        ``COV_MAX_K`` coefficients. Elsewhere it reads ``estimate_.cov``.

        Examples
        --------
        >>> import numpy as np, scipy.sparse as sp, thetahat as th
        >>> from thetahat.regression import LogisticRegression
        >>> rng = np.random.default_rng(0)
        >>> X = sp.random(500, 3, density=0.5, random_state=1, format="csr")
        >>> y = (rng.random(500) < 0.5).astype(float)
        >>> m = LogisticRegression(prior=th.Normal(0, 1)).fit(X, y)
        >>> sorted(m.standard_errors(["x0", 2]))
        ['x0', 'x2']
        """
        check_is_fitted(self)
        est = self.estimate_
        labels = list(est.params)
        if which is None:
            pos = list(range(len(labels)))
        else:
            items = [which] if isinstance(which, str | int | np.integer) else list(which)
            pos = []
            where = {lab: i for i, lab in enumerate(labels)}  # (one lookup per item)
            feats = self.feature_names_
            for w in items:
                if isinstance(w, str):
                    if w not in where:
                        raise ValueError(f"{w!r} is not a coefficient; names are {labels[:5]}...")
                    pos.append(where[w])
                else:
                    j = int(w)
                    if not -len(feats) <= j < len(feats):
                        raise ValueError(f"column index {j} is out of range ({len(feats)} columns)")
                    pos.append(where[feats[j]])
        cov = est.cov
        if isinstance(cov, LazyCovariance):
            var = cov.variances(np.asarray(pos, dtype=np.intp))
        else:
            var = np.diag(cov)[pos]
        with np.errstate(invalid="ignore"):
            se = np.where(var >= 0, np.sqrt(np.abs(var)), np.nan)
        return {labels[j]: float(v) for j, v in zip(pos, se, strict=True)}

    def _validate_fit(
        self, X: Any, y: Any, sample_weight: Any, *, y_numeric: bool = True, finite_X: bool = True
    ) -> tuple[Array, Any, Array | None]:
        """X, y and the weights checked; with ``finite_X=False`` a dense X's finiteness
        is left to the caller (a GLM's first full pass proves it: ``_fit_glm``'s
        ``x_checked``)."""
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None"
            )
        Xa = self._check_X(X, reset=True, finite=finite_X)
        ya = np.asarray(y)
        if ya.ndim == 2 and ya.shape[1] == 1:
            ya = column_or_1d(ya, warn=True)
        if y_numeric or ya.dtype.kind in "biuf":
            ya = check_y(ya, Xa.shape[0]) if y_numeric else ya
            if not y_numeric:
                check_y(ya, Xa.shape[0])
        elif ya.ndim != 1 or ya.shape[0] != Xa.shape[0]:
            raise ValueError(
                f"y has shape {ya.shape} but X has {Xa.shape[0]} rows; they must match"
            )
        sw = check_weights(sample_weight, Xa.shape[0])
        return Xa, ya, sw

    def _validate_predict(self, X: Any) -> Array:
        check_is_fitted(self)
        return self._check_X(X, reset=False)

    @property
    def feature_names_(self) -> list[str]:
        """Names used in ``estimate_``: DataFrame columns, else x0, x1, ..."""
        check_is_fitted(self)
        return list(self._fit_names())

    def _fit_names(self) -> list[str]:
        """:attr:`feature_names_` for the fit's own use: without column names, a
        :class:`~._sparse.FeatureNames` (``x0, x1, ...`` made when read: no list of
        10^5 strings for a wide X), read as a list (indexed, iterated), never changed."""
        names = getattr(self, "feature_names_in_", None)
        if names is not None:
            return [str(c) for c in names]
        return cast(list[str], FeatureNames(self.n_features_in_))

    def summary(self, level: float = 0.95) -> str:
        """The fitted model's coefficient table (``estimate_.summary()``)."""
        check_is_fitted(self)
        return str(self.estimate_.summary(level))


def order_intercept_first(
    names: list[str], theta: Array, cov: Array, fit_intercept: bool
) -> tuple[Mapping[str, float], Array]:
    """Params dict ``{"intercept": b, name: w, ...}`` and cov reordered to match.

    Internally the intercept is the last coordinate; results show it first, as
    statsmodels and R do.
    """
    k = theta.shape[0]
    perm = np.r_[k - 1, : k - 1] if fit_intercept else np.arange(k)
    if isinstance(cov, LazyCovariance) and k > cov.limit:  # no dict of k names either
        lazy = with_intercept(names, "first") if fit_intercept else names
        return CoefficientMap(lazy, theta[perm]), cov.permuted(perm)
    labels = (["intercept", *names]) if fit_intercept else list(names)
    params = {lab: float(theta[j]) for lab, j in zip(labels, perm, strict=True)}
    if isinstance(cov, LazyCovariance):  # reordered, still not formed
        return params, cov.permuted(perm)
    return params, cov[np.ix_(perm, perm)]


def build_estimate(
    *,
    model: str,
    names: list[str],
    theta: Array,
    cov: Array,
    fit_intercept: bool,
    method: str,
    loglik: float,
    n: float,
    df_model: int,
    prior: Any,
    logpost: float | None = None,
    df_resid: float | None = None,
    warnings: tuple[str, ...] = (),
    status: str = "success",
    message: str = "",
    converged: bool = True,
    iterations: int = 0,
    extra: dict[str, Any] | None = None,
    summary_lines: tuple[str, ...] = (),
) -> Estimate:
    """An Estimate of regression coefficients keyed by name (intercept first)."""
    params, cov_o = order_intercept_first(names, theta, cov, fit_intercept)
    return Estimate(
        method=method,
        params=cast(dict[str, float], params),  # (a CoefficientMap where too wide: a Mapping)
        cov=cov_o,
        loglik=float(loglik),
        n=float(n),
        df_model=int(df_model),
        family=None,
        logpost=None if logpost is None else float(logpost),
        prior=prior,
        warnings=warnings,
        status=Status(status),
        message=message,
        converged=converged,
        iterations=iterations,
        df_resid=df_resid,
        model=model,
        tests=True,
        summary_lines=summary_lines,
        details=dict(extra or {}),
    )


def warn_all(messages: tuple[str, ...], category: type[Warning] = BoundaryWarning) -> None:
    """Emit each message as a warning, pointing at the user's line (however deep the fit)."""
    for m in messages:
        warn_user(m, category)
