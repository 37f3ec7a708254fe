"""The new distribution classes against scipy.stats: densities, cdf, quantiles, moments."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import stats

import thetahat as th

CASES = [
    (th.LogNormal(0.3, 0.7), stats.lognorm(0.7, scale=np.exp(0.3))),
    (th.Weibull(0.8, 2.0), stats.weibull_min(0.8, scale=2.0)),
    (th.Weibull(2.5, 0.5), stats.weibull_min(2.5, scale=0.5)),
    (th.HalfNormal(1.7), stats.halfnorm(scale=1.7)),
    (th.Pareto(2.5, 1.5), stats.pareto(2.5, scale=1.5)),
    (th.Laplace(-1.0, 0.5), stats.laplace(-1.0, 0.5)),
]


@pytest.mark.parametrize(("d", "ref"), CASES)
def test_against_scipy(d: Any, ref: Any) -> None:
    q = np.array([0.01, 0.2, 0.5, 0.9, 0.999])
    x = ref.ppf(q)
    np.testing.assert_allclose(d.logpdf(x), ref.logpdf(x), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(d.cdf(x), ref.cdf(x), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(d.sf(x), ref.sf(x), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(d.ppf(q), x, rtol=1e-10)
    assert d.mean() == pytest.approx(ref.mean(), rel=1e-10)
    assert d.var() == pytest.approx(ref.var(), rel=1e-10)
    s = d.sample(20000, rng=1)
    assert stats.kstest(s, ref.cdf).pvalue > 1e-3
    assert d.to_scipy().mean() == pytest.approx(ref.mean())
    below = ref.support()[0] - 1.0
    if np.isfinite(below):
        assert d.logpdf(below) == -np.inf


def test_priors_from_new_families() -> None:
    est = th.fit(th.Exponential, [0.5, 1.5, 2.0], prior=th.LogNormal(0.0, 1.0))
    assert est.method == "map" and est.params["rate"] > 0
    est = th.fit(th.Normal(mu=0.0), [0.5, -1.5, 2.0], prior={"sigma": th.HalfNormal(2.0)})
    assert est.params["sigma"] > 0


def test_multivariate_normal_against_scipy() -> None:
    mu = np.array([1.0, -2.0])
    cov = np.array([[2.0, 0.3], [0.3, 0.5]])
    d = th.MultivariateNormal(mu, cov)
    ref = stats.multivariate_normal(mu, cov)
    pts = np.array([[0.0, 0.0], [1.0, -2.0], [3.0, -1.0]])
    np.testing.assert_allclose(d.logpdf(pts), ref.logpdf(pts), rtol=1e-12)
    assert d.logpdf(pts[1]) == pytest.approx(ref.logpdf(pts[1]))
    lo, hi = d.interval(0.95)
    half = stats.norm.ppf(0.975) * np.sqrt(np.diag(cov))
    np.testing.assert_allclose(lo, mu - half)
    np.testing.assert_allclose(hi, mu + half)
    s = d.sample(5000, rng=2)
    assert s.shape == (5000, 2)
    np.testing.assert_allclose(np.cov(s.T), cov, atol=0.1)
    with pytest.raises(ValueError, match="positive-definite"):
        th.MultivariateNormal(mu, np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match="shape"):
        th.MultivariateNormal(mu, np.eye(3))
