"""GLM Laplace posteriors get the PSIS k-hat check (issue 15)."""

from __future__ import annotations

import numpy as np

import thetahat as th
from thetahat.regression import LogisticRegression, PoissonRegression


def _data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    p = 1 / (1 + np.exp(-(0.5 + 2.0 * X[:, 0] - 1.0 * X[:, 1])))
    return X, rng.binomial(1, p)


def test_khat_small_on_a_large_sample_and_larger_on_a_small_one() -> None:
    X, y = _data(4000, 0)
    big = LogisticRegression(prior=th.Normal(0, 2.5)).fit(X, y)
    assert big.laplace_check_["khat"] < 0.5
    Xs, ys = _data(12, 1)
    small = LogisticRegression(prior=th.Normal(0, 2.5)).fit(Xs, ys)
    assert small.laplace_check_["khat"] > big.laplace_check_["khat"]


def test_poisson_regression_has_it_and_flat_does_not() -> None:
    rng = np.random.default_rng(2)
    X = rng.normal(size=(500, 1))
    y = rng.poisson(np.exp(0.3 + 0.4 * X[:, 0]))
    m = PoissonRegression(prior=th.Normal(0, 1)).fit(X, y)
    assert 0 <= m.laplace_check_["khat"] < 0.5
    flat = PoissonRegression().fit(X, y)
    assert not hasattr(flat, "laplace_check_")
