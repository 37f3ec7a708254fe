"""Regression as MLE, MAP and full Bayes, as scikit-learn estimators.

``prior=None`` is the MLE (OLS, logistic and Poisson regression by Newton/IRLS);
``th.Normal(0, tau)`` is ridge, ``th.Laplace(0, b)`` the lasso, both together the
elastic net; ``th.NormalInverseGamma`` gives exact Bayesian linear regression.
:func:`prior_from_penalty` and :func:`penalty_from_prior` translate to and from
scikit-learn's ``alpha``/``C``.

Importing this package does not import scikit-learn: the estimator classes load on
first access (PEP 562), and only they need it. They subclass scikit-learn's
``BaseEstimator`` and mixins, which is what makes them scikit-learn estimators
(``clone``, ``Pipeline``, ``GridSearchCV``, its HTML repr and metadata routing
recognise them by those bases), and ``sklearn.base`` itself imports most of
``sklearn.utils``: that import is the price of the contract, paid once, when an
estimator is first used. ``prior_from_penalty``, ``penalty_from_prior`` and
``regularization_path`` need NumPy and SciPy only. :func:`from_formula` fits any of
the estimators from a formula and a data frame (categorical columns treatment-coded;
the ``formula`` extra, formulaic).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .path import regularization_path
from .penalties import penalty_from_prior, prior_from_penalty

if TYPE_CHECKING:
    from .count import (
        GeometricRegression,
        NegativeBinomialRegression,
        TruncatedPoissonRegression,
        ZeroInflatedNegativeBinomialRegression,
        ZeroInflatedPoissonRegression,
    )
    from .formula import FormulaModel, from_formula
    from .glm import GLMRegression, LogisticRegression, PoissonRegression
    from .linear import LinearRegression

__all__ = [
    "FormulaModel",
    "GLMRegression",
    "GeometricRegression",
    "LinearRegression",
    "LogisticRegression",
    "NegativeBinomialRegression",
    "PoissonRegression",
    "TruncatedPoissonRegression",
    "ZeroInflatedNegativeBinomialRegression",
    "ZeroInflatedPoissonRegression",
    "from_formula",
    "penalty_from_prior",
    "prior_from_penalty",
    "regularization_path",
]

_LAZY = {
    "GLMRegression": ".glm",
    "GeometricRegression": ".count",
    "NegativeBinomialRegression": ".count",
    "TruncatedPoissonRegression": ".count",
    "ZeroInflatedNegativeBinomialRegression": ".count",
    "ZeroInflatedPoissonRegression": ".count",
    "LinearRegression": ".linear",
    "LogisticRegression": ".glm",
    "PoissonRegression": ".glm",
    "FormulaModel": ".formula",
    "from_formula": ".formula",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
