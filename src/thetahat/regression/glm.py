"""The GLM estimators: GLMRegression (every family x link), LogisticRegression and
PoissonRegression (its binomial and Poisson specialisations): MLE or MAP."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from .._validation import first_bad
from ._data import is_dask
from ._families import GLMFamily, resolve_family
from ._glm_base import GLMBase, parse_scale
from ._loss import LOGISTIC, POISSON, Family, linear_predictor

__all__ = ["GLMRegression", "LogisticRegression", "PoissonRegression"]

Array = NDArray[np.float64]


class _Fit(GLMBase):
    """The hyperparameters every GLM estimator shares."""

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


class LogisticRegression(ClassifierMixin, GLMBase):
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
    link : {"logit", "probit", "cloglog"}
        The link ``g(p) = eta``: logit (the canonical link: Newton), probit
        (``p = Phi(eta)``) or complementary log-log (``p = 1 - exp(-exp(eta))``), both
        fitted by Fisher scoring (see :class:`GLMRegression`).

    Attributes
    ----------
    classes_, coef_, intercept_, n_iter_, estimate_
    posterior_ : RegressionPosterior
        Under a prior: the Laplace approximation at the MAP.
    laplace_check_ : Mapping
        With a Gaussian prior: the PSIS check of the Laplace posterior
        (``laplace_check_["khat"]``, computed on first access; needs ``thetahat[bayes]``).

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

    Examples
    --------
    >>> import numpy as np
    >>> import thetahat as th
    >>> from thetahat.regression import LogisticRegression
    >>> rng = np.random.default_rng(1)
    >>> X = rng.normal(size=(200, 2))
    >>> y = rng.random(200) < 1 / (1 + np.exp(-(X @ np.array([1.5, -1.0]))))
    >>> mle = LogisticRegression().fit(X, y)
    >>> mle.coef_.round(2)
    array([ 1.54, -1.07])
    >>> map_ = LogisticRegression(prior=th.Normal(0, 1)).fit(X, y)
    >>> map_.coef_.round(2)
    array([ 1.44, -1.  ])
    >>> {k: round(v, 3) for k, v in map_.estimate_.se.items()}
    {'intercept': 0.174, 'x0': 0.243, 'x1': 0.222}
    """

    _model = "LogisticRegression"

    def __init__(
        self,
        prior: Any = None,
        fit_intercept: bool = True,
        shrink_intercept: bool = False,
        max_iter: int = 100,
        tol: float = 1e-10,
        link: str = "logit",
    ) -> None:
        self.prior = prior
        self.fit_intercept = fit_intercept
        self.shrink_intercept = shrink_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.link = link

    def _family(self) -> Family:
        if self.link == "logit":
            return LOGISTIC
        if self.link not in ("probit", "cloglog"):
            raise ValueError(
                f"LogisticRegression's link must be 'logit', 'probit' or 'cloglog'; "
                f"got {self.link!r}"
            )
        return resolve_family("binomial", self.link, None)

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LogisticRegression:
        """Fit the model; returns self (Dask arrays and DataFrames are fitted on the cluster)."""
        if is_dask(X, y, sample_weight):
            from ._distributed import fit_glm_dask

            return fit_glm_dask(self, self._family(), X, y, sample_weight)
        Xa, ya, sw = self._validate_fit(X, y, sample_weight, y_numeric=False)
        y01 = self._encode(np.asarray(ya))
        if sw is not None and np.unique(y01[sw > 0]).shape[0] < 2:
            raise ValueError(
                "the rows with positive sample_weight have only one class: logistic "
                "regression needs both outcomes"
            )
        self._fit_glm(self._family(), Xa, y01, sw, None)
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
        """The log odds of the second class: the linear predictor ``X w + b`` for the
        logit link, ``log p - log(1 - p)`` with ``p = g^-1(X w + b)`` for the others
        (positive where the second class is the more probable, for every link)."""
        eta = self._eta(X)
        if self.link == "logit":
            return eta
        lp = self._log_proba(eta)
        return np.asarray(lp[:, 1] - lp[:, 0])

    def _eta(self, X: Any) -> Array:
        Xa = self._validate_predict(X)
        return linear_predictor(Xa, self.coef_, self.intercept_, None)

    def _log_proba(self, eta: Array) -> Array:
        from scipy import special as sc

        if self.link == "logit":
            return np.column_stack([-np.logaddexp(0.0, eta), -np.logaddexp(0.0, -eta)])
        if self.link == "probit":
            return np.column_stack([sc.log_ndtr(-eta), sc.log_ndtr(eta)])
        with np.errstate(over="ignore", divide="ignore"):
            e = np.exp(eta)
            return np.column_stack([-e, np.log(-np.expm1(-e))])

    def predict_proba(self, X: Any) -> Array:
        """Class probabilities, shape (n, 2), columns in ``classes_`` order."""
        from scipy import special as sc

        eta = self._eta(X)
        if self.link == "logit":
            p1, p0 = sc.expit(eta), sc.expit(-eta)
        elif self.link == "probit":
            p1, p0 = sc.ndtr(eta), sc.ndtr(-eta)
        else:
            with np.errstate(over="ignore"):
                p0 = np.exp(-np.exp(eta))
                p1 = -np.expm1(-np.exp(eta))
        return np.column_stack([p0, p1])

    def predict_log_proba(self, X: Any) -> Array:
        """Log class probabilities (for the logit link ``-log1p(exp(-+eta))``; for the
        others ``-inf`` where ``predict_proba`` underflows to 0, so that the two agree)."""
        lp = self._log_proba(self._eta(X))
        if self.link != "logit":
            lp = np.where(np.exp(lp) == 0.0, -np.inf, lp)
        return lp

    def predict(self, X: Any) -> NDArray[Any]:
        """The more probable class label."""
        check_is_fitted(self)
        return np.asarray(self.classes_[(self.decision_function(X) > 0).astype(int)])

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags


class PoissonRegression(RegressorMixin, _Fit):
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

    Examples
    --------
    >>> import numpy as np
    >>> from thetahat.regression import PoissonRegression
    >>> rng = np.random.default_rng(2)
    >>> X = rng.normal(size=(300, 1))
    >>> years = rng.uniform(0.5, 2.0, 300)
    >>> counts = rng.poisson(years * np.exp(0.3 + 0.8 * X[:, 0]))
    >>> model = PoissonRegression().fit(X, counts, exposure=years)
    >>> round(model.intercept_, 2), model.coef_.round(2)
    (0.38, array([0.74]))
    """

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

            return fit_glm_dask(self, POISSON, X, y, sample_weight, exposure, offset)
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
        self._fit_glm(POISSON, Xa, yf, sw, off)
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


class GLMRegression(RegressorMixin, _Fit):
    """A generalised linear model: any family with any of its links, MLE or MAP.

    Parameters
    ----------
    family : {"gaussian", "poisson", "binomial", "gamma", "inverse_gaussian", "tweedie"}
    link : {"identity", "log", "logit", "probit", "cloglog", "inverse", "inverse_squared"}
        Default: the family's canonical link (Tweedie: log, as glum and statsmodels).
        Links per family: gaussian identity/log/inverse; poisson log/identity;
        binomial logit/probit/cloglog/log; gamma inverse/log/identity;
        inverse_gaussian inverse_squared/inverse/log/identity; tweedie log/identity.
        Another pairing raises ``ValueError``.
    prior : None, th.Normal(m, tau), th.Laplace(0, b) or a pair of both
        On the weights (the intercept's prior is flat unless ``shrink_intercept``).
    power : float, optional
        The Tweedie power ``p`` in (1, 2) (``V(mu) = mu^p``); only for ``"tweedie"``.
    scale : "pearson", "ml" or float
        The dispersion ``phi`` of the families that have one (gaussian, gamma,
        inverse_gaussian, tweedie): Pearson's ``chi^2 / (n - k)`` (R's ``glm`` and
        statsmodels), the maximum-likelihood value, or a fixed number.
        Poisson and binomial have ``phi = 1``.
    fit_intercept, shrink_intercept, max_iter, tol
        As in :class:`LogisticRegression`.

    Attributes
    ----------
    coef_, intercept_, n_iter_ :
        The fitted weights and the solver's iterations.
    scale_ : float
        The dispersion used for the standard errors.
    estimate_ : Estimate
        ``params``/``se`` keyed by "intercept" and the feature names; ``loglik`` at
        the maximum-likelihood dispersion (so AIC/BIC count it as a parameter);
        ``details`` holds family, link, scale, scale_ml, deviance, pearson_chi2, solver.
    posterior_ : RegressionPosterior
        Under a prior: the Laplace approximation (Gaussian at the MAP).

    Notes
    -----
    ``y_i`` has mean ``mu_i = g^-1(eta_i)``, ``eta = X w + b + offset`` (plus
    ``log exposure``), and variance ``phi V(mu_i) / s_i`` with ``V(mu) = 1, mu,
    mu(1 - mu), mu^2, mu^3, mu^p``. The weights minimise the unit negative
    log-likelihood ``sum_i s_i u(y_i, mu_i)`` (``du/dmu = -(y - mu)/V(mu)``; the
    dispersion does not move its minimiser) plus ``phi`` times the prior's negative
    log density. Each iteration solves ``(X' W X + phi Lambda) s = -grad`` with the
    Fisher weights ``W = s mu'(eta)^2 / V(mu)``: **Fisher scoring** (IRLS), which
    is Newton's method for a canonical link. Fisher scoring keeps ``W > 0`` for a
    non-canonical link (every step is a descent direction), converges linearly at
    a rate of order the residuals' share of the curvature, and its Hessian at the
    optimum is the expected information, from which the standard errors are taken:
    ``cov = phi (X' W X + phi Lambda)^-1`` (``Lambda`` the prior precision), the
    expected information scaled by ``phi``, as R and statsmodels report them.
    Under a prior with an estimated dispersion, the weights and ``phi`` are
    updated in turn until ``phi`` settles (relative 1e-10).

    ``scale="ml"``: gaussian ``RSS / n``; inverse Gaussian
    ``sum s (y - mu)^2 / (y mu^2) / n``; gamma ``1 / nu`` with
    ``log nu - digamma(nu) = D / (2n)`` (D the deviance); Tweedie by maximising the
    series likelihood (Dunn & Smyth 2005). ``estimate_.loglik`` is always at that ML
    dispersion. Binomial ``y`` is a proportion, with ``sample_weight`` the number
    of trials (a frequency weight). Separation (binomial) and zero counts that the
    linear predictor can push to mean 0 (Poisson, Tweedie with a log link) are
    detected as for :class:`LogisticRegression` and give a ``BoundaryWarning``.

    Examples
    --------
    >>> import numpy as np
    >>> from thetahat.regression import GLMRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 2))
    >>> mu = np.exp(0.5 + X @ np.array([0.3, -0.2]))
    >>> y = rng.gamma(shape=4.0, scale=mu / 4.0)
    >>> m = GLMRegression(family="gamma", link="log").fit(X, y)
    >>> np.round(m.coef_, 1)
    array([ 0.3, -0.2])
    >>> round(1 / m.scale_)  # the gamma shape
    4
    >>> sorted(m.estimate_.se)
    ['intercept', 'x0', 'x1']
    """

    _model = "GLMRegression"

    def __init__(
        self,
        family: str = "gaussian",
        link: str | None = None,
        prior: Any = None,
        power: float | None = None,
        scale: Any = "pearson",
        fit_intercept: bool = True,
        shrink_intercept: bool = False,
        max_iter: int = 100,
        tol: float = 1e-10,
    ) -> None:
        self.family = family
        self.link = link
        self.prior = prior
        self.power = power
        self.scale = scale
        self.fit_intercept = fit_intercept
        self.shrink_intercept = shrink_intercept
        self.max_iter = max_iter
        self.tol = tol

    def _glm_family(self, y: Array | None = None) -> GLMFamily:
        fam = resolve_family(self.family, self.link, self.power)
        if y is not None and fam.separation == "logistic" and np.any((y > 0) & (y < 1)):
            # proportions: rows between 0 and 1 are never separated; no check
            fam = GLMFamily(fam.dist, fam.link_name, fam.power, None)
        return fam

    def fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        offset: Any = None,
        exposure: Any = None,
    ) -> GLMRegression:
        """Fit the model; ``offset`` and ``exposure`` (> 0, log link only) are per row
        (Dask arrays and DataFrames are fitted on the cluster, one reduction per step)."""
        fam = self._glm_family()
        disp = parse_scale(self.scale)
        if is_dask(X, y, sample_weight, offset, exposure):
            if exposure is not None and fam.link_name != "log":
                raise ValueError(
                    f"exposure enters as log(exposure) and needs the log link; the link is "
                    f"{fam.link_name} (pass an offset instead)"
                )
            from ._distributed import fit_glm_dask

            return fit_glm_dask(self, fam, X, y, sample_weight, exposure, offset, disp)
        Xa, ya, sw = self._validate_fit(X, y, sample_weight)
        yf = np.asarray(ya, dtype=float)
        bad = fam.check_y(yf)
        if bad is not None:
            raise ValueError(bad)
        if exposure is not None and fam.link_name != "log":
            raise ValueError(
                f"exposure enters as log(exposure) and needs the log link; the link is "
                f"{fam.link_name} (pass an offset instead)"
            )
        off = _offset(exposure, offset, Xa.shape[0])
        self._fit_glm(self._glm_family(yf), Xa, yf, sw, off, disp)
        return self

    def predict(self, X: Any, offset: Any = None, exposure: Any = None) -> Array:
        """The fitted mean ``g^-1(X w + b + offset + log exposure)`` (the response scale)."""
        Xa = self._validate_predict(X)
        off = _offset(exposure, offset, Xa.shape[0])
        eta = linear_predictor(Xa, self.coef_, self.intercept_, off)
        return resolve_family(self.family, self.link, self.power).mean(eta)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        if self.family in ("poisson", "gamma", "inverse_gaussian", "tweedie"):
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
