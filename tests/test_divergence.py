"""Entropy, cross-entropy and KL: closed forms against scipy.stats and quadrature,
CE = H + KL, and the MLE as the minimiser of the empirical cross-entropy."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import integrate, optimize, stats

import thetahat as th

CONTINUOUS = [
    th.Normal(0.3, 1.7),
    th.LogNormal(0.2, 0.6),
    th.Exponential(2.5),
    th.Laplace(-1.0, 0.8),
    th.HalfNormal(1.3),
    th.Gamma(2.5, 1.5),
    th.InverseGamma(3.0, 2.0),
    th.Beta(2.0, 5.0),
    th.Weibull(1.7, 2.0),
    th.Pareto(3.0, 1.5),
    th.StudentT(4.0, 0.5, 1.2),
]
DISCRETE = [
    th.Bernoulli(0.3),
    th.Binomial(12, 0.35),
    th.Poisson(3.7),
    th.Geometric(0.3),
    th.Categorical([0.2, 0.5, 0.3]),
    th.NegativeBinomial(3.5, 0.4),
]


@pytest.mark.parametrize("d", CONTINUOUS + DISCRETE, ids=repr)
def test_entropy_matches_scipy(d: Any) -> None:
    h = th.entropy(d)
    ref = float(d.to_scipy().entropy())
    assert h.value == pytest.approx(ref, rel=1e-9, abs=1e-12)
    assert h.error < 1e-8
    assert h.method in ("closed form", "quadrature", "summation")


def _quad_kl(p: Any, q: Any) -> float:
    sp_, sq = p.to_scipy(), q.to_scipy()
    lo, hi = sp_.support()

    def f(x: float) -> float:
        lp = sp_.logpdf(x)
        return 0.0 if not np.isfinite(lp) else math.exp(lp) * (lp - sq.logpdf(x))

    return integrate.quad(f, lo, hi, limit=400, epsabs=1e-13)[0]


PAIRS = [
    (th.Normal(0.3, 1.7), th.Normal(-0.5, 1.1)),
    (th.LogNormal(0.2, 0.6), th.LogNormal(0.5, 0.9)),
    (th.Exponential(2.5), th.Exponential(0.7)),
    (th.Gamma(2.5, 1.5), th.Gamma(4.0, 3.0)),
    (th.Beta(2.0, 5.0), th.Beta(3.0, 3.0)),
    (th.Laplace(-1.0, 0.8), th.Laplace(0.5, 1.5)),
    (th.Gamma(2.5, 1.5), th.Weibull(1.6, 2.0)),  # no closed form: quadrature
    (th.Normal(0.0, 1.0), th.StudentT(3.0, 0.0, 1.0)),
]


@pytest.mark.parametrize(("p", "q"), PAIRS, ids=repr)
def test_kl_against_quadrature_and_ce_identity(p: Any, q: Any) -> None:
    k = th.kl(p, q)
    assert k.value == pytest.approx(_quad_kl(p, q), rel=1e-7, abs=1e-10)
    assert k.value >= 0
    ce, h = th.cross_entropy(p, q), th.entropy(p)
    assert ce.value == pytest.approx(h.value + k.value, rel=1e-9, abs=1e-12)
    same = type(p) is type(q)
    assert (k.method == "closed form") == same
    assert th.kl(p, p).value == pytest.approx(0.0, abs=1e-9)


DISCRETE_PAIRS = [
    (th.Poisson(3.7), th.Poisson(2.2)),
    (th.Bernoulli(0.3), th.Bernoulli(0.6)),
    (th.Binomial(12, 0.35), th.Binomial(12, 0.5)),
    (th.Geometric(0.3), th.Geometric(0.5)),
    (th.Categorical([0.2, 0.5, 0.3]), th.Categorical([0.4, 0.4, 0.2])),
    (th.Poisson(3.7), th.NegativeBinomial(3.0, 0.45)),  # summation
    (th.Binomial(10, 0.4), th.Binomial(14, 0.3)),  # different n: summation
]


@pytest.mark.parametrize(("p", "q"), DISCRETE_PAIRS, ids=repr)
def test_discrete_kl_against_direct_sums(p: Any, q: Any) -> None:
    sp_, sq = p.to_scipy(), q.to_scipy()
    x = np.arange(0, 400)
    pm = sp_.pmf(x)
    keep = pm > 0
    ref = float(np.sum(pm[keep] * (sp_.logpmf(x[keep]) - sq.logpmf(x[keep]))))
    k = th.kl(p, q)
    assert k.value == pytest.approx(ref, rel=1e-9, abs=1e-13)
    ce, h = th.cross_entropy(p, q), th.entropy(p)
    assert ce.value == pytest.approx(h.value + k.value, rel=1e-9, abs=1e-13)


def test_multivariate_closed_forms() -> None:
    a, b = th.Dirichlet([2.0, 3.0, 4.0]), th.Dirichlet([1.0, 1.5, 2.5])
    assert th.entropy(a).value == pytest.approx(stats.dirichlet([2, 3, 4]).entropy(), rel=1e-12)
    rng = np.random.default_rng(0)
    z = rng.dirichlet([2, 3, 4], 200_000)
    r = stats.dirichlet([2, 3, 4]).logpdf(z.T) - stats.dirichlet([1, 1.5, 2.5]).logpdf(z.T)
    assert abs(th.kl(a, b).value - r.mean()) < 4 * r.std() / np.sqrt(r.size)
    m1 = th.MultivariateNormal([0.0, 1.0], [[2.0, 0.3], [0.3, 1.0]])
    m2 = th.MultivariateNormal([1.0, 0.0], [[1.0, -0.2], [-0.2, 1.5]])
    ref = stats.multivariate_normal([0, 1], [[2, 0.3], [0.3, 1]]).entropy()
    assert th.entropy(m1).value == pytest.approx(ref, rel=1e-12)
    x = stats.multivariate_normal([0, 1], [[2, 0.3], [0.3, 1]]).rvs(200_000, random_state=1)
    r = stats.multivariate_normal([0, 1], [[2, 0.3], [0.3, 1]]).logpdf(
        x
    ) - stats.multivariate_normal([1, 0], [[1, -0.2], [-0.2, 1.5]]).logpdf(x)
    assert abs(th.kl(m1, m2).value - r.mean()) < 4 * r.std() / np.sqrt(r.size)


def test_kl_is_infinite_where_q_has_no_mass() -> None:
    assert th.kl(th.Normal(0, 1), th.Exponential(1.0)).value == math.inf
    assert th.kl(th.Poisson(2.0), th.Binomial(3, 0.5)).value == math.inf
    assert th.kl(th.Bernoulli(0.5), th.Bernoulli(0.0)).value == math.inf


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="parameters given"):
        th.entropy(th.Normal)
    with pytest.raises(ValueError, match="sigma missing"):
        th.kl(th.Normal(0, 1), th.Normal(mu=1.0))
    with pytest.raises(TypeError, match="both be discrete or both continuous"):
        th.kl(th.Normal(0, 1), th.Poisson(1.0))
    with pytest.raises(TypeError, match="thetahat distribution"):
        th.kl(th.Normal(0, 1), "normal")
    with pytest.raises(ValueError, match="one n per observation"):
        th.entropy(th.Binomial([3, 4], 0.5))
    with pytest.raises(TypeError, match="multivariate"):
        th.entropy(th.Multinomial(3, [0.5, 0.5]))
    with pytest.raises(ValueError, match=r"data\[1\]"):
        th.cross_entropy([1.0, np.nan], th.Normal(0, 1))


# the closed-form families: draw data, and the family's parameter bounds for a search
FITS = [
    (th.Normal, lambda r: r.normal(1.0, 2.0, 300), ["mu", "sigma"]),
    (th.Exponential, lambda r: r.exponential(0.6, 300), ["rate"]),
    (th.Poisson, lambda r: r.poisson(3.1, 300), ["rate"]),
    (th.Bernoulli, lambda r: r.integers(0, 2, 300), ["p"]),
    (th.Geometric, lambda r: r.geometric(0.3, 300) - 1, ["p"]),
    (th.Binomial(n=10), lambda r: r.binomial(10, 0.3, 300), ["p"]),
    (th.LogNormal, lambda r: r.lognormal(0.3, 0.7, 300), ["mu", "sigma"]),
    (th.Laplace, lambda r: r.laplace(1.0, 0.5, 301), ["loc", "scale"]),
    (th.HalfNormal, lambda r: np.abs(r.normal(0, 1.4, 300)), ["sigma"]),
]


@pytest.mark.parametrize(
    ("family", "draw", "names"), FITS, ids=lambda v: getattr(v, "__name__", repr(v))
)
def test_mle_minimises_empirical_cross_entropy(family: Any, draw: Any, names: list[str]) -> None:
    rng = np.random.default_rng(42)
    x = draw(rng)
    at_mle = th.cross_entropy(x, family)
    est = th.fit(family, x)
    assert at_mle.value == pytest.approx(-est.loglik / x.size, rel=1e-12)
    fam = family if not isinstance(family, type) else family()
    start = np.array([float(est.params[n]) for n in names])

    def ce(z: np.ndarray) -> float:
        vals = {n: float(v) for n, v in zip(names, z, strict=True)}
        try:
            q = fam.with_params(**vals)
        except ValueError:
            return 1e300
        return th.cross_entropy(x, q).value

    res = optimize.minimize(
        ce,
        start * 1.2 + 0.05,
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 20_000},
    )
    np.testing.assert_allclose(res.x, start, rtol=2e-5, atol=1e-6)
    assert at_mle.value <= res.fun + 1e-12
    # forward KL from the data differs from the cross-entropy by the data's entropy only
    k1 = th.kl(x, est.dist)
    k2 = th.kl(
        x, fam.with_params(**{n: float(v) * 1.05 for n, v in zip(names, start, strict=True)})
    )
    assert k1.value < k2.value
    assert k2.value - k1.value == pytest.approx(
        ce(start * 1.05) - at_mle.value, rel=1e-9, abs=1e-12
    )


def test_empirical_kl_of_discrete_data_is_exact() -> None:
    rng = np.random.default_rng(3)
    x = rng.poisson(2.0, 500)
    q = th.Poisson(2.3)
    vals, counts = np.unique(x, return_counts=True)
    f = counts / x.size
    ref = float(np.sum(f * (np.log(f) - stats.poisson(2.3).logpmf(vals))))
    k = th.kl(x, q)
    assert k.value == pytest.approx(ref, rel=1e-12)
    assert th.entropy(x).value == pytest.approx(-np.sum(f * np.log(f)), rel=1e-12)
    assert "empirical" in k.method


def test_continuous_empirical_kl_estimates_the_true_kl() -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(0.0, 1.0, 20_000)
    q = th.Normal(0.5, 1.3)
    truth = th.kl(th.Normal(0, 1), q).value
    k = th.kl(x, q)
    assert abs(k.value - truth) < 0.02
    assert "differential_entropy" in k.method


def test_estimate_kl_to_truth() -> None:
    rng = np.random.default_rng(5)
    truth = th.Gamma(2.0, 1.5)
    est = th.fit(th.Gamma, truth.sample(400, rng=rng))
    k = est.kl_to(truth)
    assert k.value == pytest.approx(th.kl(truth, est.dist).value, rel=1e-15)
    assert 0 < k.value < 0.05 and k.method == "closed form"
    # the expected KL loss shrinks like (number of parameters) / (2 n)
    losses = [
        th.fit(th.Exponential, rng.exponential(1.0, 200)).kl_to(th.Exponential(1.0)).value
        for _ in range(400)
    ]
    assert np.mean(losses) == pytest.approx(1 / 400, rel=0.2)


def test_result_object() -> None:
    h = th.entropy(th.Normal(0, 1))
    assert float(h) == h.value == pytest.approx(0.5 * math.log(2 * math.pi * math.e))
    assert "closed form" in repr(h)


@pytest.mark.parametrize("family", ["categorical", "multinomial"])
def test_class_probabilities_minimise_empirical_cross_entropy(family: str) -> None:
    rng = np.random.default_rng(8)
    probs = np.array([0.2, 0.5, 0.3])
    if family == "categorical":
        x = rng.choice(3, size=400, p=probs)
        fam: Any = th.Categorical(k=3)
        make = th.Categorical
    else:
        x = rng.multinomial(6, probs, size=150)
        fam = th.Multinomial(n=6)
        make = lambda q: th.Multinomial(6, q)  # noqa: E731
    est = th.fit(fam, x)
    at_mle = th.cross_entropy(x, fam)
    assert at_mle.value == pytest.approx(-est.loglik / len(x), rel=1e-12)

    def ce(z: np.ndarray) -> float:
        q = np.exp(np.append(z, 0.0))
        return th.cross_entropy(x, make(q / q.sum())).value

    res = optimize.minimize(
        ce,
        np.zeros(2),
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 20_000},
    )
    q = np.exp(np.append(res.x, 0.0))
    np.testing.assert_allclose(q / q.sum(), est.params["probs"], rtol=1e-5)
    # discrete data: KL(empirical || q) = cross-entropy - plug-in entropy, >= 0
    k = th.kl(x, est.dist)
    assert k.value >= 0
    _, counts = np.unique(x, axis=0, return_counts=True)
    f = counts / counts.sum()
    assert k.value == pytest.approx(at_mle.value + float(np.sum(f * np.log(f))), rel=1e-12)
