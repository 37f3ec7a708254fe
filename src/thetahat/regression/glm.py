"""The GLM estimators: GLMRegression (every family x link), LogisticRegression and
PoissonRegression (its binomial and Poisson specialisations): MLE or MAP."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from .._validation import first_bad
from ._data import check_X, is_dask
from ._families import GLMFamily, resolve_family
from ._glm_base import GLMBase, parse_scale
from ._loss import LOGISTIC, POISSON, Family, linear_predictor
from ._multinomial import (
    fit_multinomial,
    log_softmax,
    multiclass_labels,
    multinomial_scores,
    unique_labels,
)
from ._sparse import hessian_free, issparse

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
    """Logistic regression, binary or multinomial (softmax) on K > 2 classes: MLE by Newton,
    MAP under a Normal or Laplace prior.

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
    classes_, n_iter_, estimate_
    coef_, intercept_ : ndarray
        Two classes: shape (p,) and a float. K > 2 classes: (K, p) and (K,), as
        scikit-learn shapes them (see the multinomial Notes for what the rows mean).
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

    **Multinomial** (``y`` with K > 2 labels of any type, ``classes_`` sorted; logit
    link only): ``P(y_i = k) = exp(eta_ik) / sum_l exp(eta_il)``,
    ``eta_ik = x_i'w_k + b_k``. Only differences between classes are identified:

    * The MLE takes the **first class as the reference** (``w_1 = 0, b_1 = 0``:
      statsmodels' ``MNLogit``): ``estimate_`` holds the ``(K - 1)(p + 1)``
      coefficients of the other classes, keyed ``"x1[c]"`` and ``"intercept[c]"``,
      with the inverse Fisher information as covariance; ``coef_`` (K, p) has the
      reference row at 0.
    * A prior is put on **every class's weights** alike, ``w_kj ~ Normal(0, tau)``
      or ``Laplace(0, b)`` (scikit-learn's symmetric parametrisation: the MAP does
      not depend on which class comes first, and equals scikit-learn's multinomial
      ``LogisticRegression`` at ``C = tau^2`` or ``C = b``, ``l1_ratio = 1``). Under
      the Normal prior each feature's weights sum to 0 over the classes; under the
      Laplace prior their median is 0 (for even K, where the median is an interval,
      the end nearer 0 is taken), so every feature has an exact zero in some class.
      The intercepts keep a flat prior: they are reported centred (summing to 0, as
      scikit-learn's); with ``shrink_intercept`` they are symmetric like the
      weights. ``estimate_`` holds all ``K (p + 1)`` coefficients. Its covariance
      comes from the inverse Hessian of the negative log posterior over the weights
      of all K classes (the prior makes it invertible); under the Normal prior it is
      that of the deviations ``w_kj - mean_k w_kj`` (and ``b_k - mean(b)``), the part
      the data identify: the common shift, which only the prior holds
      (``Normal(0, tau / sqrt(K))`` a posteriori), is left out, so the standard
      errors tend to the MLE's as ``tau`` grows. ``posterior_`` is that Gaussian
      (degenerate along the shifts; its draws sum to 0 over the classes). Under
      the Laplace prior the covariance is over the nonzero weights (NaN at the
      zeros), each feature's zero class acting as its reference.

    The solver is the binary one's Newton with the full ``(K - 1) p`` block Hessian
    ``sum_i (diag p_i - p_i p_i') (x) x_i x_i'``, formed in one pass per iteration
    (``(K - 1) K / 2`` BLAS products of ``p x p`` per block of rows), after L-BFGS
    for many coefficients (``(K - 1)(p + 1) >= 150`` on few rows) and after a
    subsample's fit on many rows (Newton-chord passes, then one exact Hessian for
    the standard errors). The Laplace prior is fitted by proximal Newton (each
    step an exact L1-penalised quadratic, :func:`~._lasso.lasso_gram`), with a
    small curvature added, in the step's model only, along the shifts of a
    feature's K weights that only the prior holds. Separation (the observed class's
    score can grow against every other class's on every row) is confirmed by a
    linear programme and reported as a boundary, as for two classes; a class with a
    single member is refused for the MLE, and so are as many classes as rows.

    **Sparse X** (scipy.sparse matrices and arrays, any format; read as CSR, never
    densified; NaN/inf entries are refused naming their row and column). The
    intercept is handled implicitly (no column is centred). Up to 2,000
    coefficients the fit forms the ``k x k`` Hessian ``X' V X`` (a sparse product)
    and is the dense fit: same coefficients, standard errors and checks. Above it
    the fit is Hessian-free, in O(nnz + n + k) memory: truncated Newton-CG with
    Hessian-vector products ``X'(v o (X d))``, a Laplace prior by a working set
    (exact zeros). Its covariance is then computed when first asked for
    (``estimate_.cov`` is a :class:`~thetahat.results.LazyCovariance`): whole up to
    4,096 coefficients (``estimate_.se`` forms it once); beyond, ``estimate_.se``
    raises and :meth:`standard_errors` gives the coefficients asked for by
    conjugate-gradient solves ``H z = e_j`` (no ``k x k`` matrix). No
    ``posterior_`` or ``laplace_check_`` is set on that path (they need the whole
    covariance). A solve that did not converge has status "failed".

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

    Three classes: the MLE against the first, the MAP over all of them.

    >>> scores = X @ np.array([[0.0, 1.0, -1.0], [0.0, -0.5, 1.5]])
    >>> label = np.array(["ash", "birch", "cedar"])
    >>> y3 = label[np.argmax(scores + rng.gumbel(size=(200, 3)), axis=1)]
    >>> mn = LogisticRegression().fit(X, y3)
    >>> mn.coef_.round(2)
    array([[ 0.  ,  0.  ],
           [ 0.66, -0.27],
           [-1.27,  1.74]])
    >>> {k: round(v, 2) for k, v in mn.estimate_.se.items() if k.startswith("x0")}
    {'x0[birch]': 0.25, 'x0[cedar]': 0.3}
    >>> mp = LogisticRegression(prior=th.Normal(0, 1)).fit(X, y3)
    >>> mp.coef_.sum(axis=0).round(12) + 0.0
    array([0., 0.])
    >>> mp.predict_proba(X[:2]).round(3)
    array([[0.223, 0.233, 0.544],
           [0.354, 0.617, 0.029]])
    >>> mp.predict(X[:2])
    array(['cedar', 'birch'], dtype='<U5')
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
            from ._dask_glm import fit_glm_dask

            return fit_glm_dask(self, self._family(), X, y, sample_weight)
        # X's finiteness: proven by the solve's first full pass (_data.DeferredFinite)
        Xa, ya, sw = self._validate_fit(X, y, sample_weight, y_numeric=False, finite_X=False)
        ya = np.asarray(ya)
        values = unique_labels(ya) if ya.ndim == 1 else None
        classes = multiclass_labels(ya, values)
        if classes is not None:
            Xa = Xa if issparse(Xa) else check_X(Xa)
            fit_multinomial(self, Xa, ya, classes, sw)
            return self
        y01 = self._encode(ya, values)
        if sw is not None and np.unique(y01[sw > 0]).shape[0] < 2:
            raise ValueError(
                "the rows with positive sample_weight have only one class: logistic "
                "regression needs both outcomes"
            )
        if hessian_free(Xa, bool(self.fit_intercept)):  # read by blocks: 1 byte a row, not 8
            y01 = y01.astype(np.int8)
        self._fit_glm(self._family(), Xa, y01, sw, None, x_checked=False)
        return self

    def _encode(self, ya: NDArray[Any], values: NDArray[Any] | None) -> Array:
        """y as 0/1 floats; ``values`` is ``unique_labels(ya)`` (None when ya is not 1-d),
        so no label check sorts or scans y again except to name a bad entry."""
        if ya.ndim != 1 or values is None:
            raise ValueError(f"y must be 1-dimensional, got shape {ya.shape}")
        if ya.dtype.kind in "biuf":
            yf = ya.astype(float, copy=False)  # a float64 y of 0/1 is used as it is (read only)
            fv = values.astype(float, copy=False)
            if not np.isfinite(fv).all():  # a NaN or inf is among the values
                from .._validation import check_finite

                check_finite(yf, "y")
            if np.isin(fv, (0.0, 1.0)).all():
                classes, y01 = np.array([0, 1], dtype=ya.dtype), yf
            elif fv.shape[0] == 2 and np.all(fv == np.round(fv)):
                # two integer labels other than 0/1 (e.g. 1/2): scikit-learn's contract
                classes, y01 = values, (yf == fv[1]).astype(float)
            else:
                bad = (yf != 0) & (yf != 1)
                i = first_bad(bad)
                if fv.shape[0] > 2 and np.all(fv == np.round(fv)):
                    raise ValueError(
                        f"Only binary classification is supported: y has {fv.shape[0]} "
                        f"classes; LogisticRegression needs y in {{0, 1}}, and y[{i}] = "
                        f"{float(yf[i])!r} is not"
                    )
                raise ValueError(
                    f"Unknown label type: LogisticRegression needs y in {{0, 1}}; y[{i}] = "
                    f"{float(yf[i])!r} is not ({int(bad.sum())} value(s) outside {{0, 1}})"
                )
        else:
            classes = values
            if classes.shape[0] > 2:
                raise ValueError(
                    f"Only binary classification is supported: y has {classes.shape[0]} classes "
                    f"({', '.join(map(str, classes[:5]))})"
                )
            y01 = (ya == classes[-1]).astype(float)
        if values.shape[0] < 2:
            raise ValueError(
                "y has only one class: logistic regression needs both outcomes "
                "(the MLE would be infinite)"
            )
        self.classes_ = classes
        return y01

    def decision_function(self, X: Any) -> Array:
        """The log odds of the second class: the linear predictor ``X w + b`` for the
        logit link, ``log p - log(1 - p)`` with ``p = g^-1(X w + b)`` for the others
        (positive where the second class is the more probable, for every link). With
        K > 2 classes: the K linear predictors, shape (n, K)."""
        if self._multiclass():
            return multinomial_scores(self, X)
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
        """Class probabilities, shape (n, K), columns in ``classes_`` order."""
        from scipy import special as sc

        if self._multiclass():
            return np.exp(log_softmax(multinomial_scores(self, X)))
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
        others ``-inf`` where ``predict_proba`` underflows to 0, so that the two agree;
        with K > 2 classes the log-softmax of the K linear predictors)."""
        if self._multiclass():
            return log_softmax(multinomial_scores(self, X))
        lp = self._log_proba(self._eta(X))
        if self.link != "logit":
            lp = np.where(np.exp(lp) == 0.0, -np.inf, lp)
        return lp

    def predict(self, X: Any) -> NDArray[Any]:
        """The most probable class label."""
        if self._multiclass():
            return np.asarray(self.classes_[np.argmax(multinomial_scores(self, X), axis=1)])
        return np.asarray(self.classes_[(self.decision_function(X) > 0).astype(int)])

    def _multiclass(self) -> bool:
        check_is_fitted(self)
        return len(self.classes_) > 2

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = self.link == "logit"
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
    result naming the diverging coefficients. Sparse X: as for
    :class:`LogisticRegression` (Hessian-free above 2,000 coefficients).

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

    def _family(self) -> Family:
        return POISSON

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
            from ._dask_glm import fit_glm_dask

            return fit_glm_dask(self, POISSON, X, y, sample_weight, exposure, offset)
        Xa, ya, sw = self._validate_fit(X, y, sample_weight, finite_X=False)
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
        self._fit_glm(POISSON, Xa, yf, sw, off, x_checked=False)
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
    Sparse X: as for :class:`LogisticRegression` (every family and link).

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

    def _family(self) -> Family:
        return self._glm_family()

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
            from ._dask_glm import fit_glm_dask

            return fit_glm_dask(self, fam, X, y, sample_weight, exposure, offset, disp)
        Xa, ya, sw = self._validate_fit(X, y, sample_weight, finite_X=False)
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
        self._fit_glm(self._glm_family(yf), Xa, yf, sw, off, disp, x_checked=False)
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
