"""Count regressions beyond Poisson: negative binomial (NB2/NB1), geometric, zero-inflated
Poisson and negative binomial, zero-truncated Poisson. MLE or MAP, by Newton.

All of them fit by damped Newton on the exact (observed) Hessian of the joint
log-likelihood over every parameter (mean weights, inflation weights, log alpha),
one pass over the rows per iteration (:func:`~._count_loss.count_pass`). Newton
rather than EM for the zero-inflated models: EM converges linearly, and slowly where
the inflation is weakly identified (many iterations of a full pass each), while
Newton converges quadratically from a Poisson warm start in a handful of passes and
ends with the observed information the standard errors need anyway.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._count_fit import CountBase
from ._count_loss import CountSpec
from ._data import check_X

__all__ = [
    "GeometricRegression",
    "NegativeBinomialRegression",
    "TruncatedPoissonRegression",
    "ZeroInflatedNegativeBinomialRegression",
    "ZeroInflatedPoissonRegression",
]

Array = NDArray[np.float64]


def _notes(cls: Any) -> Any:
    """Put the Notes every count model shares into the class docstring."""
    cls.__doc__ = cls.__doc__.replace("@COMMON@", _NOTES_COMMON.strip("\n"))
    return cls


_NOTES_COMMON = """
    Newton on the joint log-likelihood (observed information), from a Poisson warm
    start; standard errors from the inverse observed information (plus the prior's
    precision for a MAP: the Laplace approximation, also ``posterior_``). Priors on
    the mean (and inflation) weights: ``th.Normal``, ``th.Laplace`` (proximal Newton)
    or both; intercepts and alpha have flat priors."""


@_notes
class NegativeBinomialRegression(CountBase):
    """Negative binomial regression (NB2 or NB1) with alpha estimated jointly by ML.

    Parameters
    ----------
    kind : {"nb2", "nb1"}
        NB2: ``Var(y) = mu + alpha mu^2``; NB1: ``Var(y) = mu (1 + alpha)``.
    prior, fit_intercept, shrink_intercept, max_iter, tol
        As in :class:`~thetahat.regression.PoissonRegression`.

    Attributes
    ----------
    coef_, intercept_, alpha_, n_iter_, estimate_ (``se["alpha"]`` included), posterior_

    Notes
    -----
    ``log mu = X w + b + offset``. NB2 (``r = 1/alpha``):
    ``l = lgamma(y + r) - lgamma(r) - log y! + r log(r / (r + mu)) + y log(mu / (r + mu))``.
    NB1 (``r = mu/alpha``): ``l = lgamma(y + r) - lgamma(r) - log y! - (r + y) log(1 +
    alpha) + y log alpha``. alpha is fitted as ``log alpha`` (its se by the delta
    method); alpha going to 0 (no overdispersion: the Poisson model) is a boundary,
    reported with a ``BoundaryWarning`` naming alpha and status "boundary".
    @COMMON@

    Examples
    --------
    >>> import numpy as np
    >>> from thetahat.regression import NegativeBinomialRegression
    >>> rng = np.random.default_rng(1)
    >>> X = rng.normal(size=(2000, 1))
    >>> mu = np.exp(1.0 + 0.5 * X[:, 0])
    >>> y = rng.negative_binomial(n=2.0, p=2.0 / (2.0 + mu))  # alpha = 1/2
    >>> m = NegativeBinomialRegression().fit(X, y)
    >>> round(m.alpha_, 1), np.round(m.coef_, 1)
    (0.5, array([0.5]))
    """

    _model = "NegativeBinomialRegression"

    def __init__(
        self,
        kind: str = "nb2",
        prior: Any = None,
        fit_intercept: bool = True,
        shrink_intercept: bool = False,
        max_iter: int = 100,
        tol: float = 1e-9,
    ) -> None:
        self.kind = kind
        super().__init__(prior, fit_intercept, shrink_intercept, max_iter, tol)

    def _count_spec(self) -> CountSpec:
        if self.kind not in ("nb2", "nb1"):
            raise ValueError(f"kind must be 'nb2' or 'nb1'; got {self.kind!r}")
        return CountSpec(self.kind)

    def predict(self, X: Any, offset: Any = None, exposure: Any = None) -> Array:
        """Expected counts ``exp(X w + b + offset)``."""
        return self._mean(X, offset, exposure)[1]


@_notes
class GeometricRegression(CountBase):
    """Geometric regression: NB2 with alpha fixed at 1 (``Var = mu + mu^2``).

    Notes
    -----
    ``l = y log(mu / (1 + mu)) - log(1 + mu)``, ``log mu = X w + b + offset``.
    @COMMON@

    Examples
    --------
    >>> import numpy as np
    >>> from thetahat.regression import GeometricRegression
    >>> rng = np.random.default_rng(2)
    >>> X = rng.normal(size=(2000, 1))
    >>> mu = np.exp(0.5 + 0.3 * X[:, 0])
    >>> y = rng.geometric(1.0 / (1.0 + mu)) - 1
    >>> np.round(GeometricRegression().fit(X, y).coef_, 1)
    array([0.3])
    """

    _spec = CountSpec("nb2", alpha=1.0)
    _model = "GeometricRegression"

    def predict(self, X: Any, offset: Any = None, exposure: Any = None) -> Array:
        """Expected counts ``exp(X w + b + offset)``."""
        return self._mean(X, offset, exposure)[1]


class _Inflated(CountBase):
    def predict(
        self, X: Any, offset: Any = None, exposure: Any = None, inflation_X: Any = None
    ) -> Array:
        """Expected counts ``(1 - pi) mu`` (``pi`` the structural-zero probability)."""
        from scipy import special as sc

        Xa, mu = self._mean(X, offset, exposure)
        Z = Xa if inflation_X is None else check_X(np.asarray(inflation_X, dtype=float))
        if self._inflation_own and inflation_X is None:
            raise ValueError("this model was fitted with inflation_X: pass it to predict too")
        pi = sc.expit(Z @ self.inflation_coef_ + self.inflation_intercept_)
        return np.asarray((1.0 - pi) * mu)


@_notes
class ZeroInflatedPoissonRegression(_Inflated):
    """Zero-inflated Poisson regression: a logit for structural zeros, Poisson counts.

    Parameters
    ----------
    prior, fit_intercept, shrink_intercept, max_iter, tol
        As in :class:`~thetahat.regression.PoissonRegression`; the prior applies to
        the inflation weights too.

    Attributes
    ----------
    coef_, intercept_, inflation_coef_, inflation_intercept_, n_iter_, estimate_
        (inflation keys ``"inflate_<feature>"``, ``"inflate_intercept"``), posterior_

    Notes
    -----
    ``P(y = 0) = pi + (1 - pi) e^-mu``, ``P(y = k) = (1 - pi) Poisson(k; mu)``,
    ``logit pi = Z g + c`` (Z = X unless ``fit(..., inflation_X=Z)``),
    ``log mu = X w + b + offset``. An inflation probability going to 0 on every row
    is a boundary (``BoundaryWarning`` naming ``inflate_intercept``).
    @COMMON@

    Examples
    --------
    >>> import numpy as np
    >>> from thetahat.regression import ZeroInflatedPoissonRegression
    >>> rng = np.random.default_rng(3)
    >>> X = rng.normal(size=(3000, 1))
    >>> y = rng.poisson(np.exp(1.0 + 0.4 * X[:, 0])) * (rng.uniform(size=3000) > 0.3)
    >>> m = ZeroInflatedPoissonRegression().fit(X, y, inflation_X=np.ones((3000, 0)))
    >>> round(m.estimate_.params["x0"], 1), round(m.estimate_.params["inflate_intercept"], 1)
    (0.4, -0.8)
    """

    _spec = CountSpec("poisson", inflated=True)
    _model = "ZeroInflatedPoissonRegression"


@_notes
class ZeroInflatedNegativeBinomialRegression(_Inflated):
    """Zero-inflated negative binomial (NB2) regression, alpha estimated jointly.

    Notes
    -----
    As :class:`ZeroInflatedPoissonRegression` with NB2 counts
    (``Var = mu + alpha mu^2``) in place of Poisson.
    @COMMON@

    Examples
    --------
    >>> import numpy as np
    >>> from thetahat.regression import ZeroInflatedNegativeBinomialRegression
    >>> rng = np.random.default_rng(4)
    >>> X = rng.normal(size=(4000, 1))
    >>> mu = np.exp(1.5 + 0.4 * X[:, 0])
    >>> counts = rng.negative_binomial(n=2.0, p=2.0 / (2.0 + mu))
    >>> y = counts * (rng.uniform(size=4000) > 0.25)
    >>> m = ZeroInflatedNegativeBinomialRegression().fit(X, y, inflation_X=np.ones((4000, 0)))
    >>> round(m.alpha_, 1)
    0.5
    """

    _spec = CountSpec("nb2", inflated=True)
    _model = "ZeroInflatedNegativeBinomialRegression"


@_notes
class TruncatedPoissonRegression(CountBase):
    """Zero-truncated Poisson regression (counts observed only when positive).

    Notes
    -----
    ``P(y = k | y > 0) = Poisson(k; mu) / (1 - e^-mu)``, ``k >= 1``,
    ``log mu = X w + b + offset``; ``predict`` gives the truncated mean
    ``mu / (1 - e^-mu)``.
    @COMMON@

    Examples
    --------
    >>> import numpy as np
    >>> from thetahat.regression import TruncatedPoissonRegression
    >>> rng = np.random.default_rng(5)
    >>> X = rng.normal(size=(6000, 1))
    >>> y = rng.poisson(np.exp(0.5 + 0.5 * X[:, 0]))
    >>> keep = y > 0
    >>> m = TruncatedPoissonRegression().fit(X[keep], y[keep])
    >>> np.round([m.intercept_, m.coef_[0]], 1)
    array([0.5, 0.5])
    """

    _spec = CountSpec("poisson", truncated=True)
    _model = "TruncatedPoissonRegression"

    def predict(self, X: Any, offset: Any = None, exposure: Any = None) -> Array:
        """The truncated mean ``E[y | y > 0] = mu / (1 - exp(-mu))``."""
        mu = self._mean(X, offset, exposure)[1]
        return np.asarray(mu / -np.expm1(-mu))
