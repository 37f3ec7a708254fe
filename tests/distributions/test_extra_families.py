"""The issue-19 families beyond the generic suite: identities, tails in log space, limits.

The generic distribution-vs-scipy suite (``test_univariate.py``) covers their densities,
cdf, ppf, moments and sampling at fixed and random parameters; here are the checks
specific to each: the parametrisations (actuar's llogis and Burr, Coles' GEV sign), the
log-space tails against scipy's own log functions or mpmath-free closed forms, and the
xi -> 0 limits that scipy's genpareto/genextreme lose.
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from scipy import special as sc
from scipy import stats

import thetahat as th


def test_logistic_log_tails_are_exact() -> None:
    d = th.Logistic(0.0, 1.0)
    x = np.array([-800.0, -50.0, 0.0, 50.0, 800.0])
    # log F(x) = -log1p(e^-x): -800 exactly at -800, -e^-800 (underflows to -0.0) at 800
    np.testing.assert_allclose(d.logcdf_at(x, d.params), -np.logaddexp(0.0, -x), rtol=1e-14)
    np.testing.assert_allclose(d.logsf_at(x, d.params), -np.logaddexp(0.0, x), rtol=1e-14)
    assert d.logpdf(-800.0) == pytest.approx(-800.0, rel=1e-14)
    np.testing.assert_allclose(d.logpdf(x), stats.logistic.logpdf(x), rtol=1e-14)


def test_gumbel_log_tails() -> None:
    d = th.Gumbel(0.0, 1.0)
    x = np.array([-5.0, 0.0, 20.0, 40.0, 700.0])
    assert np.all(d.logcdf_at(x, d.params) == -np.exp(-x))
    # log S = log(1 - exp(-e^-x)) ~ -x for large x (scipy's logsf agrees)
    np.testing.assert_allclose(d.logsf_at(x, d.params), stats.gumbel_r.logsf(x), rtol=1e-12)
    assert d.logsf_at(np.array([700.0]), d.params)[0] == pytest.approx(-700.0, rel=1e-12)


def test_loglogistic_is_actuar_llogis_and_log_of_logistic() -> None:
    shape, scale = 2.5, 7.0
    d = th.LogLogistic(shape, scale)
    x = np.geomspace(1e-3, 1e3, 25)
    v = (x / scale) ** shape
    # actuar: f = shape v / (x (1 + v)^2), F = v / (1 + v)
    np.testing.assert_allclose(d.pdf(x), shape * v / (x * (1 + v) ** 2), rtol=1e-12)
    np.testing.assert_allclose(d.cdf(x), v / (1 + v), rtol=1e-12)
    lg = th.Logistic(np.log(scale), 1 / shape)
    np.testing.assert_allclose(d.logpdf(x), lg.logpdf(np.log(x)) - np.log(x), rtol=1e-12)
    # far tails: log S = -log1p(v), exact where 1 - F rounds to 0
    far = np.array([1e12])
    assert d.logsf_at(far, d.params)[0] == pytest.approx(-np.log1p((1e12 / scale) ** shape))


def test_burr_is_actuar_burr_with_its_special_cases() -> None:
    a, g, r = 1.7, 2.2, 0.3
    d = th.Burr(a, g, r)
    x = np.geomspace(1e-2, 1e3, 30)
    v = (r * x) ** g
    # actuar's dburr: a g v / (x (1 + v)^(a + 1)); pburr: 1 - (1 + v)^-a
    np.testing.assert_allclose(d.pdf(x), a * g * v / (x * (1 + v) ** (a + 1)), rtol=1e-12)
    np.testing.assert_allclose(d.cdf(x), -np.expm1(-a * np.log1p(v)), rtol=1e-12)
    # shape1 = 1 is the log-logistic, shape2 = 1 the Lomax (Pareto II)
    np.testing.assert_allclose(
        th.Burr(1.0, g, r).logpdf(x), th.LogLogistic(g, 1 / r).logpdf(x), rtol=1e-12
    )
    np.testing.assert_allclose(th.Burr(a, 1.0, r).logpdf(x), th.Lomax(a, 1 / r).logpdf(x))
    # the upper tail in log space where the sf underflows
    big = np.array([1e200])
    expect = -a * g * (np.log(1e200) + np.log(r))
    assert d.logsf_at(big, d.params)[0] == pytest.approx(expect, rel=1e-10)
    assert th.Burr(0.5, 1.0, 1.0).mean() == np.inf  # shape1 shape2 <= 1


def test_inverse_gaussian_tails_in_log_space() -> None:
    mu, lam = 1.5, 4.0
    d = th.InverseGaussian(mu, lam)
    ref = stats.invgauss(mu / lam, scale=lam)
    x = np.array([0.02, 0.1, 1.0, 5.0, 20.0, 40.0])
    np.testing.assert_allclose(d.logcdf_at(x, d.params), ref.logcdf(x), rtol=1e-9)
    np.testing.assert_allclose(d.logsf_at(x, d.params), ref.logsf(x), rtol=1e-9)
    # a shape far above the mean: exp(2 lambda / mu) overflows in the textbook formula
    big = th.InverseGaussian(1.0, 2000.0)
    y = np.array([0.5, 0.9, 1.0, 1.2])
    ref_big = stats.invgauss(1.0 / 2000.0, scale=2000.0)
    np.testing.assert_allclose(big.cdf(y), ref_big.cdf(y), rtol=1e-8, atol=1e-300)
    assert np.all(np.isfinite(big.logcdf_at(y, big.params)))


def test_uniform_rejects_empty_interval_and_merges_by_range() -> None:
    with pytest.raises(ValueError, match="low < high"):
        th.Uniform(2.0, 1.0)
    fam = th.Uniform()
    a, b = fam.suff_stats([1.0, 4.0]), fam.suff_stats([-2.0, 3.0, 0.5])
    both = a + b
    assert (both.n, both.low, both.high) == (5.0, -2.0, 4.0)
    assert (type(a).zero() + a).low == 1.0
    with pytest.raises(ValueError, match=r"data\[1\]"):
        th.Uniform(low=0.0).check_data([1.0, -1.0])


@pytest.mark.parametrize("xi", [1e-300, 1e-12, -1e-12, 0.0])
def test_extreme_value_families_at_tiny_shapes_are_their_limits(xi: float) -> None:
    """scipy's genpareto/genextreme lose the cdf for |c| < ~1e-8; ours stays exact."""
    x = np.array([0.0, 0.3, 2.0, 15.0])
    gpd = th.GeneralizedPareto(2.0, xi)
    np.testing.assert_allclose(gpd.logpdf(x), stats.expon(scale=2.0).logpdf(x), rtol=1e-10)
    np.testing.assert_allclose(gpd.cdf(x), stats.expon(scale=2.0).cdf(x), rtol=1e-10)
    gev = th.GeneralizedExtremeValue(1.0, 2.0, xi)
    z = np.array([-3.0, 0.0, 4.0, 30.0])
    np.testing.assert_allclose(gev.logpdf(z), stats.gumbel_r(1.0, 2.0).logpdf(z), rtol=1e-10)
    np.testing.assert_allclose(gev.cdf(z), stats.gumbel_r(1.0, 2.0).cdf(z), rtol=1e-10)
    assert gev.mean() == pytest.approx(stats.gumbel_r(1.0, 2.0).mean(), rel=1e-6)


def test_extreme_value_supports_and_coles_sign() -> None:
    gpd = th.GeneralizedPareto(2.0, -0.5)  # upper end -sigma / xi = 4
    assert gpd.logpdf(4.5) == -np.inf and gpd.cdf(4.5) == 1.0 and gpd.ppf(1.0) == 4.0
    gev = th.GeneralizedExtremeValue(0.0, 1.0, 0.5)  # Frechet type: lower end -2
    assert gev.logpdf(-2.5) == -np.inf and gev.cdf(-2.5) == 0.0
    # Coles' xi > 0 is the heavy upper tail: scipy's genextreme with c = -xi
    x = np.array([-1.0, 0.0, 3.0, 50.0])
    np.testing.assert_allclose(gev.logsf_at(x, gev.params), stats.genextreme(-0.5).logsf(x))
    assert gev.to_scipy().kwds == {"loc": 0.0, "scale": 1.0}
    # shape <= -1: the density is unbounded at the upper end (the MLE caveat)
    assert th.GeneralizedPareto(1.0, -1.5).logpdf(0.6666) > th.GeneralizedPareto(1.0, -1.5).logpdf(
        0.5
    )


def test_log1p_over_matches_its_series() -> None:
    from thetahat.distributions._extremes import log1p_over

    z = np.array([0.5, 3.0])
    for xi in (1e-9, -1e-9):
        series = z - xi * z**2 / 2 + xi**2 * z**3 / 3
        np.testing.assert_allclose(log1p_over(xi, z), series, rtol=1e-15)
    assert np.all(np.isnan(log1p_over(-1.0, np.array([2.0]))))  # outside: callers mask it
    assert sc.log1p(0.0) == 0.0


@pytest.mark.parametrize(
    "module",
    ["logistic", "gumbel", "loglogistic", "burr", "inverse_gaussian", "uniform", "genpareto",
     "genextreme", "threshold"],
)  # fmt: skip
def test_docstring_examples_run(module: str) -> None:
    import importlib

    mod = importlib.import_module(f"thetahat.distributions.{module}")
    result = doctest.testmod(mod, extraglobs={"th": th, "np": np})
    assert result.attempted >= 2 and result.failed == 0
