"""Regression as MLE, MAP and full Bayes, as scikit-learn estimators.

``prior=None`` is the MLE (OLS, logistic and Poisson regression by Newton/IRLS);
``th.Normal(0, tau)`` is ridge, ``th.Laplace(0, b)`` the lasso, both together the
elastic net; ``th.NormalInverseGamma`` gives exact Bayesian linear regression.
:func:`prior_from_penalty` and :func:`penalty_from_prior` translate to and from
scikit-learn's ``alpha``/``C``. Importing this package imports scikit-learn.
"""

from .glm import LogisticRegression, PoissonRegression
from .linear import LinearRegression
from .path import regularization_path
from .penalties import penalty_from_prior, prior_from_penalty

__all__ = [
    "LinearRegression",
    "LogisticRegression",
    "PoissonRegression",
    "penalty_from_prior",
    "prior_from_penalty",
    "regularization_path",
]
