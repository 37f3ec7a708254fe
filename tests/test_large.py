"""Log-likelihoods of large data stay finite (log space, no products of probabilities)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import thetahat as th


def test_loglik_of_ten_million_normal_observations() -> None:
    x = np.random.default_rng(0).normal(3.0, 2.0, size=10_000_000)
    est = th.fit(th.Normal, x)
    assert np.isfinite(est.loglik)
    ref = stats.norm(est.params["mu"], est.params["sigma"]).logpdf(x).sum()
    assert est.loglik == pytest.approx(ref, rel=1e-10)


def test_loglik_of_ten_million_bernoulli_observations() -> None:
    x = np.random.default_rng(1).binomial(1, 0.01, size=10_000_000).astype(float)
    est = th.fit(th.Bernoulli, x)
    assert np.isfinite(est.loglik)
    ref = stats.bernoulli(est.params["p"]).logpmf(x).sum()
    assert est.loglik == pytest.approx(ref, rel=1e-10)
