"""Predictive uncertainty of the regression estimators: ``predict_interval`` and ``predictive``.

Three mixins, one per kind of model:

- :class:`LinearIntervals` (``LinearRegression``): the mean ``x'w`` and a new
  observation ``x'w + e`` are Student t (OLS with estimated noise, the
  NormalInverseGamma posterior) or Gaussian (known or type-II noise, ridge, lasso);
  ``predictive`` returns the posterior predictive as one vectorised thetahat
  distribution.
- :class:`GLMIntervals` (the GLMs) and :class:`CountIntervals` (the count models):
  the interval of the mean by the delta method on a scale where the estimate is
  close to Gaussian (the linear predictor; the log mean for the zero-inflated
  models), mapped through the monotone inverse link, so the interval stays inside
  the mean's range (a probability in (0, 1), a count mean > 0).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc
from sklearn.utils.validation import check_is_fitted

from ._sparse import issparse

__all__ = ["CountIntervals", "GLMIntervals", "LinearIntervals"]

Array = NDArray[np.float64]
_KINDS = ("confidence", "prediction")


def _level_and_kind(level: Any, kind: Any) -> tuple[float, str]:
    if isinstance(level, bool) or not isinstance(level, (int, float, np.integer, np.floating)):
        raise TypeError(f"level must be a number in (0, 1), got {type(level).__name__} {level!r}")
    lv = float(level)
    if not 0.0 < lv < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    if kind not in _KINDS:
        raise ValueError(f"kind must be 'confidence' or 'prediction', got {kind!r}")
    return lv, str(kind)


def _quadratic(J: Array, C: Array) -> Array:
    """``diag(J C J')`` without forming the n x n product (0 where a row of J is 0)."""
    JC = J @ np.where(np.isnan(C), 0.0, C)
    return np.maximum(np.einsum("ij,ij->i", JC, J), 0.0)


def _sparse_quadratic(Xs: Any, C: Any, fit_intercept: bool, intercept_last: bool) -> Array:
    """:func:`_quadratic` of the design ``[X, 1]`` (``intercept_last``) or ``[1, X]`` of a
    sparse X, never densified: only the covariance block of the columns its rows use
    is read (of a lazy covariance, only that block is computed)."""
    from scipy import sparse

    n, p = Xs.shape
    cols = np.unique(Xs.indices)
    idx = cols if intercept_last or not fit_intercept else cols + 1
    J = Xs[:, cols]
    if fit_intercept:
        idx = np.r_[idx, p if intercept_last else 0]
        J = sparse.hstack([J, np.ones((n, 1))], format="csr")
    if idx.size == 0:
        return np.zeros(n)
    B = np.asarray(C[np.ix_(idx, idx)], dtype=float)
    JB = np.asarray(J @ np.where(np.isnan(B), 0.0, B))
    return np.maximum(np.asarray(J.multiply(JB).sum(axis=1), dtype=float).ravel(), 0.0)


def _design(Xa: Array, fit_intercept: bool, intercept_last: bool) -> Array:
    ones = np.ones((Xa.shape[0], 1))
    if not fit_intercept:
        return Xa
    return np.hstack([Xa, ones] if intercept_last else [ones, Xa])


class LinearIntervals:
    """``predict_interval`` and ``predictive`` of :class:`~thetahat.regression.LinearRegression`."""

    fit_intercept: bool
    coef_: Array
    intercept_: float
    _pred: tuple[str, Array, float, float | None]
    _validate_predict: Callable[[Any], Array]

    def _mean_and_scales(self, X: Any) -> tuple[Array, Array, Array, str, float | None]:
        """Mean, the mean's scale, a new observation's scale, "t"/"normal", df."""
        Xa = self._validate_predict(X)
        mean = Xa @ self.coef_ + self.intercept_
        kind, S, noise_var, df = self._pred
        # the fit's coordinates: weights first, the intercept (a shrunk one too) last
        if issparse(Xa):
            quad = _sparse_quadratic(Xa, S, self.fit_intercept, True)
        else:
            quad = _quadratic(_design(Xa, self.fit_intercept, True), S)
        return mean, np.sqrt(quad), np.sqrt(quad + noise_var), kind, df

    def predict_interval(
        self, X: Any, level: float = 0.95, kind: str = "confidence"
    ) -> NDArray[np.float64]:
        """Interval of the mean (``kind="confidence"``) or of a new observation
        (``kind="prediction"``) at each row of X.

        Parameters
        ----------
        X : array-like of shape (n, p)
        level : float
            Coverage, in (0, 1).
        kind : {"confidence", "prediction"}
            ``"confidence"``: the interval of ``E[y | x] = x'w + b``;
            ``"prediction"``: of a new observation ``y = x'w + b + e``.

        Returns
        -------
        ndarray of shape (n, 2)
            Lower and upper bounds per row, as statsmodels'
            ``get_prediction(X).conf_int(alpha=1 - level, obs=...)``.

        Notes
        -----
        With ``a = (x, 1)`` and ``S`` the covariance (scale matrix) of the weights
        (intercept last), the mean has scale ``sqrt(a'Sa)`` and a new observation
        ``sqrt(a'Sa + sigma^2)``.

        - OLS with estimated noise: ``S = s^2 (A'WA)^{-1}``, Student t on
          ``n - k`` degrees of freedom (exact; the classical intervals, equal to
          the posterior under the flat prior on ``(w, log sigma)``).
        - NormalInverseGamma prior: the posterior's Student t on ``2 a_n`` degrees
          of freedom (exact posterior predictive).
        - Known ``noise_sd`` (OLS or a Normal prior) and ``prior="evidence"``:
          Gaussian (exact given sigma).
        - A Normal prior with the noise sd estimated (type-II ML): Gaussian,
          conditional on the estimated sigma (its uncertainty is not propagated).
        - Laplace and elastic-net priors: Gaussian from the Laplace approximation
          at the MAP (weights at exactly 0 contribute no variance).

        Examples
        --------
        >>> import numpy as np
        >>> from thetahat.regression import LinearRegression
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(40, 1))
        >>> y = 1.0 + 2.0 * X[:, 0] + rng.normal(size=40)
        >>> model = LinearRegression().fit(X, y)
        >>> model.predict_interval([[0.0]]).round(2)
        array([[0.94, 1.65]])
        >>> model.predict_interval([[0.0]], kind="prediction").round(2)
        array([[-0.98,  3.57]])
        """
        lv, what = _level_and_kind(level, kind)
        mean, se_mean, se_obs, dist, df = self._mean_and_scales(X)
        q = (1.0 + lv) / 2.0
        z = float(sc.stdtrit(df, q)) if dist == "t" else float(sc.ndtri(q))
        half = z * (se_mean if what == "confidence" else se_obs)
        return np.column_stack([mean - half, mean + half])

    def predictive(self, X: Any) -> Any:
        """The posterior predictive distribution of a new observation at each row of X.

        Returns
        -------
        thetahat.StudentT or thetahat.Normal
            One distribution with vectorised parameters (one entry per row):
            ``StudentT(df, loc, scale)`` for the NormalInverseGamma prior and for OLS
            (the posterior predictive under the flat prior on ``(w, log sigma)``),
            ``Normal(loc, scale)`` where the noise variance is fixed (given, or
            chosen by the evidence, which a Normal prior on the weights uses when
            ``noise_sd`` is None).

        Raises
        ------
        ValueError
            For a Laplace or elastic-net prior (no closed-form posterior: the MAP
            is not a posterior mean) and for OLS on data with no residual degrees
            of freedom.

        Examples
        --------
        >>> import numpy as np
        >>> import thetahat as th
        >>> from thetahat.regression import LinearRegression
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(40, 1))
        >>> y = 1.0 + 2.0 * X[:, 0] + rng.normal(size=40)
        >>> model = LinearRegression(prior=th.NormalInverseGamma(0, 1, 2, 2)).fit(X, y)
        >>> pred = model.predictive([[0.0], [1.0]])
        >>> pred.ppf(0.975).round(2)
        array([3.59, 5.48])
        """
        from ..distributions import Normal, StudentT

        check_is_fitted(self)
        posterior = getattr(self, "posterior_", None)
        prior = getattr(self, "prior_", None)
        dist, df = self._pred[0], self._pred[3]
        if posterior is None and prior is not None:
            raise ValueError(
                "predictive() needs a posterior: this fit is a MAP under a Laplace or "
                "elastic-net prior; use a Normal or NormalInverseGamma prior, or "
                "predict_interval() for the Laplace approximation"
            )
        if posterior is None and dist != "t":
            raise ValueError(
                "predictive() needs a posterior: OLS without residual degrees of freedom "
                "(or with a given noise_sd, use predict_interval) has none"
            )
        mean, _, se_obs, _, _ = self._mean_and_scales(X)
        if dist == "t":
            return StudentT(df=float(df or 0.0), loc=mean, scale=se_obs)
        return Normal(mean, se_obs)


def _mean_block(est: Any, names: list[str]) -> Array:
    """The rows/columns of ``estimate_.cov`` of the coefficients ``names``."""
    keys = list(est.estimate_.params)
    idx = [keys.index(n) for n in names]
    return np.asarray(est.estimate_.cov)[np.ix_(idx, idx)]


def _mean_interval(
    scale: Array, se: Array, inverse: Callable[[Array], Array], lv: float, family: Any = None
) -> Array:
    """``inverse`` of ``scale +- z se``, ordered, and kept inside the mean's range.

    A GLM family whose link does not map the whole line into the mean's range (the
    inverse links need ``eta > 0``; identity and log links of positive or bounded
    means) has the linear predictor's interval cut to the valid part first, so the
    mean's interval is the image of what the model can reach (an inverse link with
    ``eta``'s interval reaching 0 gives an upper bound of +inf).
    """
    from ._families import GLMFamily

    z = float(sc.ndtri((1.0 + lv) / 2.0))
    lo, hi = scale - z * se, scale + z * se
    bounds = (-np.inf, np.inf)
    unbounded = np.zeros(lo.shape, dtype=bool)
    if isinstance(family, GLMFamily):
        if family.link_name in ("inverse", "inverse_squared"):
            unbounded = lo <= 0.0  # mu = 1/eta (1/sqrt(eta)) runs to +inf as eta -> 0+
            lo = np.where(unbounded, hi, lo)
        bounds = (-np.inf, np.inf) if family.dist == "gaussian" else (0.0, np.inf)
        if family.dist == "binomial":
            bounds = (0.0, 1.0)
    with np.errstate(over="ignore", divide="ignore"):
        a, b = inverse(lo), inverse(hi)
    out = np.column_stack([np.minimum(a, b), np.maximum(a, b)])
    out[unbounded, 1] = np.inf
    return np.clip(out, *bounds)


_NOT_PREDICTION = (
    "kind='prediction' is not defined for {who}: a new observation's distribution is not "
    "a shifted mean (discrete or skewed responses), so no delta-method interval covers it; "
    "use kind='confidence' for the mean, or LinearRegression for Gaussian noise"
)


def _linear_part(
    est: Any, X: Any, level: Any, kind: Any, offset: Any, exposure: Any
) -> tuple[float, Array, Array, list[str], Array]:
    """Level, validated X, the linear predictor (with offsets), the names of the
    mean's coefficients in ``estimate_`` (intercept first) and its Jacobian."""
    from .glm import _offset

    lv, what = _level_and_kind(level, kind)
    who = type(est).__name__
    if what == "prediction":
        raise ValueError(_NOT_PREDICTION.format(who=who))
    check_is_fitted(est)
    if np.ndim(est.coef_) != 1:
        raise ValueError(f"predict_interval applies to one linear predictor; {who} has several")
    Xa = est._validate_predict(X)
    off = _offset(exposure, offset, Xa.shape[0])
    eta = np.asarray(Xa @ est.coef_) + est.intercept_ + (0.0 if off is None else off)
    if issparse(Xa):  # (the caller reads the covariance by position: see _sparse_quadratic)
        return lv, Xa, eta, [], Xa
    names = (["intercept"] if est.fit_intercept else []) + list(est.feature_names_)
    return lv, Xa, eta, names, _design(Xa, est.fit_intercept, False)


class GLMIntervals:
    """``predict_interval`` of the GLMs: the mean's interval through the link."""

    fit_intercept: bool
    coef_: Array
    intercept_: float
    _validate_predict: Callable[[Any], Array]
    _family: Callable[[], Any]

    def predict_interval(
        self,
        X: Any,
        level: float = 0.95,
        kind: str = "confidence",
        *,
        offset: Any = None,
        exposure: Any = None,
    ) -> NDArray[np.float64]:
        """Interval of the mean ``g^-1(x'w + b + offset)`` at each row of X.

        Parameters
        ----------
        X : array-like of shape (n, p)
        level : float
            Coverage, in (0, 1).
        kind : {"confidence"}
            Only the mean's interval; ``"prediction"`` raises ``ValueError``.
        offset, exposure : array-like, optional
            As in ``predict`` (not for LogisticRegression).

        Returns
        -------
        ndarray of shape (n, 2)
            Lower and upper bounds of the mean per row (the probability of the
            second class for LogisticRegression).

        Notes
        -----
        The delta method on the linear predictor: ``eta = a'theta`` with
        ``se(eta) = sqrt(a' C a)`` (``C`` the covariance of ``estimate_``: the
        inverse Fisher information at the MLE, the Laplace posterior's at a MAP),
        the normal interval ``eta +- z se`` mapped through the inverse link, which
        is monotone: the interval stays inside the mean's range (statsmodels'
        ``GLMResults.get_prediction().conf_int()``, with the bounds ordered for a
        decreasing link). Where the linear predictor's interval leaves the link's
        domain (an inverse link's ``eta <= 0``), it is cut to the domain first: the
        mean's bound there is +inf rather than a negative mean.

        Examples
        --------
        >>> import numpy as np
        >>> from thetahat.regression import LogisticRegression
        >>> rng = np.random.default_rng(1)
        >>> X = rng.normal(size=(200, 1))
        >>> y = rng.random(200) < 1 / (1 + np.exp(-2 * X[:, 0]))
        >>> model = LogisticRegression().fit(X, y)
        >>> model.predict_interval([[0.0], [2.0]]).round(3)
        array([[0.428, 0.596],
               [0.932, 0.993]])
        """
        from sklearn.base import ClassifierMixin

        if isinstance(self, ClassifierMixin) and (offset is not None or exposure is not None):
            raise TypeError(f"{type(self).__name__} takes no offset or exposure")
        lv, Xa, eta, names, J = _linear_part(self, X, level, kind, offset, exposure)
        if issparse(Xa):  # estimate_.cov: the intercept first, then X's columns in order
            cov = self.estimate_.cov  # type: ignore[attr-defined]
            se = np.sqrt(_sparse_quadratic(Xa, cov, self.fit_intercept, False))
        else:
            se = np.sqrt(_quadratic(J, _mean_block(self, names)))
        family = self._family()
        return _mean_interval(eta, se, family.mean, lv, family)


class CountIntervals:
    """``predict_interval`` of the count models (the expected count's interval)."""

    fit_intercept: bool
    coef_: Array
    intercept_: float
    _validate_predict: Callable[[Any], Array]
    _count_spec: Callable[[], Any]
    _inflation_own: bool

    def predict_interval(
        self,
        X: Any,
        level: float = 0.95,
        kind: str = "confidence",
        *,
        offset: Any = None,
        exposure: Any = None,
        inflation_X: Any = None,
    ) -> NDArray[np.float64]:
        """Interval of the expected count (what ``predict`` returns) at each row of X.

        Parameters
        ----------
        X : array-like of shape (n, p)
        level : float
            Coverage, in (0, 1).
        kind : {"confidence"}
            Only the mean's interval; ``"prediction"`` raises ``ValueError``.
        offset, exposure, inflation_X : array-like, optional
            As in ``predict``.

        Returns
        -------
        ndarray of shape (n, 2)

        Notes
        -----
        The delta method on the log of the mean, mapped back by ``exp`` (so the
        bounds are positive): ``log mu = eta`` for negative binomial and
        geometric regression, ``log E[y] = eta - log(1 + exp(eta_z))`` for the
        zero-inflated models (gradient ``a`` for the count weights and
        ``-pi z`` for the inflation weights, ``pi`` the structural-zero
        probability). The truncated Poisson mean ``mu / (1 - exp(-mu))``
        increases with ``eta``, so the interval of ``eta`` maps to its interval.

        Examples
        --------
        >>> import numpy as np
        >>> from thetahat.regression import NegativeBinomialRegression
        >>> rng = np.random.default_rng(2)
        >>> X = rng.normal(size=(500, 1))
        >>> mu = np.exp(1.0 + 0.5 * X[:, 0])
        >>> y = rng.negative_binomial(2.0, 2.0 / (2.0 + mu))
        >>> m = NegativeBinomialRegression().fit(X, y)
        >>> m.predict_interval([[0.0]]).round(2)
        array([[2.46, 2.92]])
        """
        from .._validation import check_finite

        lv, Xa, eta, names, J = _linear_part(self, X, level, kind, offset, exposure)
        inverse: Callable[[Array], Array] = np.exp
        spec = self._count_spec()
        if spec.inflated:
            if self._inflation_own and inflation_X is None:
                raise ValueError("this model was fitted with inflation_X: pass it here too")
            Z = Xa if inflation_X is None else np.asarray(inflation_X, dtype=float)
            if Z.ndim != 2 or Z.shape[0] != Xa.shape[0]:
                raise ValueError(
                    f"inflation_X must be 2-d with one row per row of X ({Xa.shape[0]}); "
                    f"got shape {Z.shape}"
                )
            check_finite(Z, "inflation_X")
            eta_z = Z @ self.inflation_coef_ + self.inflation_intercept_  # type: ignore[attr-defined]
            pi = sc.expit(eta_z)
            zkeys = [k for k in self.estimate_.params if k.startswith("inflate_")]  # type: ignore[attr-defined]
            names = names + zkeys
            Jz = _design(Z, self.fit_intercept, False) * -pi[:, None]
            J = np.hstack([J, Jz])
            eta = eta - np.logaddexp(0.0, eta_z)
        elif spec.truncated:

            def inverse(e: Array) -> Array:
                mu = np.exp(e)
                return np.asarray(mu / -np.expm1(-mu))

        se = np.sqrt(_quadratic(J, _mean_block(self, names)))
        return _mean_interval(eta, se, inverse, lv)
