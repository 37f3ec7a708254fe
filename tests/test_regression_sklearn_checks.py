"""scikit-learn's estimator contract: every estimator passes parametrize_with_checks."""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

import thetahat as th
from thetahat.regression import LinearRegression, LogisticRegression, PoissonRegression

ESTIMATORS = [
    LinearRegression(),
    LinearRegression(prior=th.Normal(0, 1), noise_sd=1.0),
    LinearRegression(prior=th.Laplace(0, 1), noise_sd=1.0),
    LinearRegression(prior="evidence"),
    LogisticRegression(prior=th.Normal(0, 2)),
    PoissonRegression(prior=th.Normal(0, 1)),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible(estimator, check) -> None:  # type: ignore[no-untyped-def]
    check(estimator)
