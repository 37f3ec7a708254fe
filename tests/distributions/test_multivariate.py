"""Vector-valued and categorical distributions against scipy.stats and simulation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, special, stats

import thetahat as th

pytestmark = pytest.mark.filterwarnings("error::DeprecationWarning")

finite = {"allow_nan": False, "allow_infinity": False}
conc = st.lists(st.floats(0.3, 15.0, **finite), min_size=2, max_size=5)


def _compositions(n: int, k: int) -> np.ndarray:
    """Every count vector of length k summing to n."""
    if k == 1:
        return np.array([[n]], dtype=float)
    rows = [
        np.c_[np.full(len(rest), j), rest]
        for j in range(n + 1)
        for rest in [_compositions(n - j, k - 1)]
    ]
    return np.vstack(rows).astype(float)


# ------------------------------------------------------------------------- Dirichlet
@settings(max_examples=30, deadline=None, derandomize=True)
@given(alpha=conc, seed=st.integers(0, 2**31))
def test_dirichlet_logpdf_matches_scipy(alpha: list[float], seed: int) -> None:
    a = np.array(alpha)
    d, ref = th.Dirichlet(a), stats.dirichlet(a)
    x = np.random.default_rng(seed).dirichlet(a + 1.0, size=4)
    x = x / x.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(d.logpdf(x), [ref.logpdf(row) for row in x], rtol=1e-9)
    np.testing.assert_allclose(d.logpdf(x), d.to_scipy().logpdf(x.T), rtol=1e-9)
    np.testing.assert_allclose(d.mean(), ref.mean(), rtol=1e-12)
    np.testing.assert_allclose(d.var(), ref.var(), rtol=1e-12)
    np.testing.assert_allclose(d.cov(), ref.cov(), rtol=1e-12, atol=1e-15)
    # each component is Beta(alpha_j, alpha_0 - alpha_j)
    lo, hi = d.interval(0.9)
    for j in range(a.size):
        b = stats.beta(a[j], a.sum() - a[j])
        assert lo[j] == pytest.approx(b.ppf(0.05), rel=1e-9)
        assert hi[j] == pytest.approx(b.ppf(0.95), rel=1e-9)


def test_dirichlet_outside_the_simplex_has_zero_density() -> None:
    d = th.Dirichlet([2.0, 3.0, 4.0])
    assert d.logpdf([0.5, 0.6, -0.1]) == -np.inf
    assert d.logpdf([0.2, 0.2, 0.2]) == -np.inf


def test_dirichlet_density_integrates_to_one() -> None:
    d = th.Dirichlet([1.5, 2.5, 3.0])
    total, _ = integrate.dblquad(
        lambda y, x: d.pdf([x, y, 1.0 - x - y]), 0, 1, 0, lambda x: 1.0 - x
    )
    assert total == pytest.approx(1.0, abs=1e-6)


def test_dirichlet_samples_and_mode() -> None:
    a = np.array([2.0, 5.0, 3.0])
    d, n = th.Dirichlet(a), 20_000
    x = d.sample(n, rng=3)
    assert x.shape == (n, 3)
    np.testing.assert_allclose(x.sum(axis=1), 1.0)
    sd = np.sqrt(d.var() / n)
    assert np.all(np.abs(x.mean(axis=0) - d.mean()) < 5 * sd)
    np.testing.assert_allclose(np.cov(x.T), d.cov(), atol=5 * np.max(d.var()) / np.sqrt(n))
    # mode: maximise the log density over the simplex numerically
    from scipy import optimize

    res = optimize.minimize(
        lambda z: -stats.dirichlet(a).logpdf(special.softmax(np.r_[z, 0.0])), np.zeros(2)
    )
    np.testing.assert_allclose(d.mode(), special.softmax(np.r_[res.x, 0.0]), atol=1e-5)


def test_dirichlet_mode_with_small_concentrations_sits_on_the_edge() -> None:
    m = th.Dirichlet([0.5, 3.0, 2.0]).mode()
    np.testing.assert_allclose(m, [0.0, 2.0 / 3.0, 1.0 / 3.0])


def test_multivariate_distributions_have_no_cdf() -> None:
    for d in (
        th.Dirichlet([1.0, 2.0]),
        th.Multinomial(3, [0.5, 0.5]),
        th.DirichletMultinomial(3, [1.0, 2.0]),
        th.NormalInverseGamma(0.0, 1.0, 2.0, 1.0),
    ):
        with pytest.raises(TypeError, match="cdf"):
            d.cdf([0.5, 0.5])


# ----------------------------------------------------------------------- Multinomial
@settings(max_examples=25, deadline=None, derandomize=True)
@given(alpha=conc, n=st.integers(0, 8))
def test_multinomial_pmf_matches_scipy(alpha: list[float], n: int) -> None:
    p = np.array(alpha) / np.sum(alpha)
    d, ref = th.Multinomial(n, p), stats.multinomial(n, p)
    xs = _compositions(n, p.size)
    np.testing.assert_allclose(d.logpmf(xs), ref.logpmf(xs), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(d.pmf(xs).sum(), 1.0)
    np.testing.assert_allclose(d.to_scipy().logpmf(xs), ref.logpmf(xs), rtol=1e-12)
    np.testing.assert_allclose(d.mean(), ref.mean(), rtol=1e-12)
    np.testing.assert_allclose(d.var(), np.diag(ref.cov()), rtol=1e-12, atol=1e-15)
    # wrong total, negative or fractional counts have zero mass
    bad = np.zeros((3, p.size))
    bad[0, 0] = n + 1
    bad[1, 0], bad[1, 1] = -1, n + 1
    bad[2, 0], bad[2, 1] = 0.5, n - 0.5
    assert np.all(d.logpmf(bad) == -np.inf)


def test_multinomial_samples() -> None:
    p = np.array([0.2, 0.5, 0.3])
    d, m = th.Multinomial(10, p), 20_000
    x = d.sample(m, rng=5)
    assert x.shape == (m, 3)
    assert np.all(x.sum(axis=1) == 10)
    assert np.all(np.abs(x.mean(axis=0) - d.mean()) < 5 * np.sqrt(d.var() / m))


# --------------------------------------------------------------- DirichletMultinomial
@settings(max_examples=25, deadline=None, derandomize=True)
@given(alpha=conc, n=st.integers(0, 7))
def test_dirichlet_multinomial_matches_scipy(alpha: list[float], n: int) -> None:
    a = np.array(alpha)
    d, ref = th.DirichletMultinomial(n, a), stats.dirichlet_multinomial(a, n)
    xs = _compositions(n, a.size)
    np.testing.assert_allclose(d.logpmf(xs), ref.logpmf(xs), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(d.pmf(xs).sum(), 1.0)
    np.testing.assert_allclose(d.to_scipy().logpmf(xs), ref.logpmf(xs), rtol=1e-12)
    np.testing.assert_allclose(d.mean(), ref.mean(), rtol=1e-12)
    np.testing.assert_allclose(d.var(), ref.var(), rtol=1e-10, atol=1e-14)


def test_dirichlet_multinomial_is_a_dirichlet_mixture_of_multinomials() -> None:
    """pmf = E over p ~ Dirichlet(alpha) of the Multinomial pmf (Monte Carlo, CLT bound)."""
    a = np.array([1.5, 2.0, 0.7])
    n = 4
    d = th.DirichletMultinomial(n, a)
    p = np.random.default_rng(21).dirichlet(a, size=200_000)
    for x in ([1.0, 2.0, 1.0], [4.0, 0.0, 0.0], [0.0, 0.0, 4.0]):
        vals = stats.multinomial.pmf(x, n, p)
        sd = vals.std() / np.sqrt(vals.size)
        assert abs(d.pmf(x) - vals.mean()) < 5 * sd


def test_dirichlet_multinomial_samples() -> None:
    a = np.array([2.0, 1.0, 3.0])
    d, m = th.DirichletMultinomial(6, a), 20_000
    x = d.sample(m, rng=8)
    assert x.shape == (m, 3)
    assert np.all(x.sum(axis=1) == 6)
    assert np.all(np.abs(x.mean(axis=0) - d.mean()) < 5 * np.sqrt(d.var() / m))
    np.testing.assert_allclose(x.var(axis=0), d.var(), rtol=0.06)
    assert d.sample(rng=1).shape == (3,)
    assert d.sample((2, 4), rng=1).shape == (2, 4, 3)


# ----------------------------------------------------------------------- Categorical
@settings(max_examples=25, deadline=None, derandomize=True)
@given(alpha=conc, q=st.floats(0.001, 0.999, **finite))
def test_categorical_against_a_one_trial_multinomial(alpha: list[float], q: float) -> None:
    p = np.array(alpha) / np.sum(alpha)
    d, k = th.Categorical(p), p.size
    labels = np.arange(k, dtype=float)
    onehot = np.eye(k)
    np.testing.assert_allclose(d.logpmf(labels), stats.multinomial(1, p).logpmf(onehot))
    np.testing.assert_allclose(d.to_scipy().pmf(labels), p)
    np.testing.assert_allclose(d.cdf(labels), np.cumsum(p), rtol=1e-12)
    np.testing.assert_allclose(d.cdf([-1.0, k + 3.0]), [0.0, 1.0])
    np.testing.assert_allclose(d.sf(labels), 1 - np.cumsum(p), atol=1e-12)
    assert d.mean() == pytest.approx(np.dot(labels, p))
    assert d.var() == pytest.approx(np.dot((labels - np.dot(labels, p)) ** 2, p))
    assert d.ppf(q) == d.to_scipy().ppf(q)
    assert d.logpmf(k) == -np.inf
    assert d.logpmf(0.5) == -np.inf


def test_categorical_samples() -> None:
    p = np.array([0.1, 0.6, 0.3])
    x = th.Categorical(p).sample(30_000, rng=4)
    freq = np.bincount(x, minlength=3) / x.size
    assert np.all(np.abs(freq - p) < 5 * np.sqrt(p * (1 - p) / x.size))


def test_categorical_k() -> None:
    assert th.Categorical(k=4).k == 4
    assert th.Categorical([0.5, 0.5]).k == 2
    assert th.Categorical(k=4).free == ("probs",)
    with pytest.raises(ValueError, match="k"):
        th.Categorical([0.5, 0.5], k=3)
    with pytest.raises(ValueError, match="k"):
        th.Categorical(k=1)


# ----------------------------------------------------------------- NormalInverseGamma
nig_params = st.tuples(
    st.floats(-5, 5, **finite),
    st.floats(0.2, 10, **finite),
    st.floats(0.5, 10, **finite),
    st.floats(0.2, 10, **finite),
)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(p=nig_params, mu=st.floats(-8, 8, **finite), var=st.floats(0.01, 20, **finite))
def test_nig_logpdf_matches_scipy(p: tuple[float, ...], mu: float, var: float) -> None:
    m0, lam, a, b = p
    d, ref = th.NormalInverseGamma(*p), stats.normal_inverse_gamma(m0, lam, a, b)
    assert d.logpdf([mu, var]) == pytest.approx(ref.logpdf(mu, var), rel=1e-9, abs=1e-12)
    assert d.to_scipy().logpdf(mu, var) == pytest.approx(ref.logpdf(mu, var), rel=1e-12)
    # the definition: InverseGamma(var) x Normal(mu | m0, var / lam)
    direct = stats.invgamma(a, scale=b).logpdf(var) + stats.norm(m0, np.sqrt(var / lam)).logpdf(mu)
    assert d.logpdf([mu, var]) == pytest.approx(direct, rel=1e-9, abs=1e-12)
    if a > 2:
        np.testing.assert_allclose(d.mean(), ref.mean(), rtol=1e-12)
        np.testing.assert_allclose(d.var(), ref.var(), rtol=1e-12)


def test_nig_marginals_intervals_mode_and_samples() -> None:
    m0, lam, a, b = 1.0, 2.0, 3.5, 2.0
    d = th.NormalInverseGamma(m0, lam, a, b)
    assert d.logpdf([0.0, -1.0]) == -np.inf
    t = stats.t(2 * a, m0, np.sqrt(b / (lam * a)))
    ig = stats.invgamma(a, scale=b)
    lo, hi = d.interval(0.9)
    np.testing.assert_allclose(lo, [t.ppf(0.05), ig.ppf(0.05)], rtol=1e-9)
    np.testing.assert_allclose(hi, [t.ppf(0.95), ig.ppf(0.95)], rtol=1e-9)
    # marginal of mu by integrating the joint density over the variance
    for mu in (-1.0, 1.0, 2.5):
        marg, _ = integrate.quad(lambda v, mu=mu: d.pdf([mu, v]), 0, np.inf)
        assert marg == pytest.approx(t.pdf(mu), rel=1e-7)
    # joint mode: numerical maximiser of scipy's density
    from scipy import optimize

    ref = stats.normal_inverse_gamma(m0, lam, a, b)
    res = optimize.minimize(lambda z: -ref.logpdf(z[0], np.exp(z[1])), [0.0, 0.0], tol=1e-12)
    np.testing.assert_allclose(d.mode(), [res.x[0], np.exp(res.x[1])], rtol=1e-5, atol=1e-6)
    n = 20_000
    x = d.sample(n, rng=11)
    assert x.shape == (n, 2)
    sd = np.sqrt(d.var() / n)
    assert np.all(np.abs(x.mean(axis=0) - d.mean()) < 6 * sd)
    # marginal samples follow the marginal cdfs
    for col, marg_dist in ((0, t), (1, ig)):
        for q in (0.2, 0.5, 0.8):
            frac = np.mean(x[:, col] <= marg_dist.ppf(q))
            assert abs(frac - q) < 5 * np.sqrt(q * (1 - q) / n)


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
