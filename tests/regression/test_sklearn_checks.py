"""scikit-learn's estimator contract: every estimator passes scikit-learn's checks.

The GLMs are checked with a proper prior: scikit-learn's checks fit data with more
features than rows and with separable classes, where the logistic/Poisson MLE
(``prior=None``) does not exist, so that configuration raises or warns by design.

scikit-learn's array-API dispatch check needs ``SCIPY_ARRAY_API=1`` before scipy
is imported, so it runs in a subprocess started with that variable; all other
checks run here, parametrised as ``parametrize_with_checks`` does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sklearn.utils.estimator_checks import estimator_checks_generator

import thetahat as th
from thetahat.regression import (
    GeometricRegression,
    GLMRegression,
    LinearRegression,
    LogisticRegression,
    NegativeBinomialRegression,
    PoissonRegression,
    TruncatedPoissonRegression,
    ZeroInflatedNegativeBinomialRegression,
    ZeroInflatedPoissonRegression,
)

ESTIMATORS = [
    LinearRegression(),
    LinearRegression(prior=th.Normal(0, 1), noise_sd=1.0),
    LinearRegression(prior=th.Normal(0, 1)),  # the noise sd by type-II ML (issue 17)
    LinearRegression(prior=th.Laplace(0, 1), noise_sd=1.0),
    LinearRegression(prior="evidence"),
    LinearRegression(prior=th.NormalInverseGamma(0, 1, 2, 2)),
    LogisticRegression(prior=th.Normal(0, 2)),
    LogisticRegression(prior=th.Laplace(0, 1)),
    PoissonRegression(prior=th.Normal(0, 1)),
    LogisticRegression(prior=th.Normal(0, 2), link="probit"),
    LogisticRegression(prior=th.Normal(0, 2), link="cloglog"),
    GLMRegression(prior=th.Normal(0, 1)),
    GLMRegression(family="gamma", link="log", prior=th.Normal(0, 1)),
    GLMRegression(family="tweedie", power=1.5, prior=th.Normal(0, 1)),
    GLMRegression(family="poisson", prior=th.Laplace(0, 1)),
    NegativeBinomialRegression(prior=th.Normal(0, 1)),
    NegativeBinomialRegression(kind="nb1", prior=th.Normal(0, 1)),
    GeometricRegression(prior=th.Normal(0, 1)),
    ZeroInflatedPoissonRegression(prior=th.Normal(0, 1)),
    ZeroInflatedNegativeBinomialRegression(prior=th.Normal(0, 1)),
    TruncatedPoissonRegression(prior=th.Normal(0, 1)),
]


def _name(check: object) -> str:
    return getattr(check, "func", check).__name__  # type: ignore[attr-defined]


def _cases() -> list[object]:
    out = []
    for est in ESTIMATORS:
        for estimator, check in estimator_checks_generator(est, legacy=True):
            if _name(check) == "check_array_api_input":
                continue  # run in test_array_api_dispatch below
            out.append(pytest.param(estimator, check, id=f"{estimator!r}-{_name(check)}"))
    return out


@pytest.mark.parametrize(("estimator", "check"), _cases())
def test_sklearn_compatible(estimator, check) -> None:  # type: ignore[no-untyped-def]
    check(estimator)


def test_array_api_dispatch_with_numpy() -> None:
    here = Path(__file__).resolve()
    code = (
        "import sys\n"
        f"sys.path.insert(0, {str(here.parent)!r})\n"
        "from sklearn.utils.estimator_checks import check_array_api_input\n"
        f"from {here.stem} import ESTIMATORS\n"
        "for est in ESTIMATORS:\n"
        "    check_array_api_input(type(est).__name__, est, array_namespace='numpy',"
        " expect_only_array_outputs=False)\n"
        "print(len(ESTIMATORS))\n"
    )
    env = {**os.environ, "SCIPY_ARRAY_API": "1"}
    env["PYTHONPATH"] = str(here.parents[2] / "src") + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, env=env, capture_output=True, text=True
    )
    assert out.stdout.strip() == str(len(ESTIMATORS))
