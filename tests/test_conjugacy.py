"""Conjugate pairs against prior x likelihood normalised numerically.

For every pair the posterior's moments, credible intervals and mode, the log
evidence and the posterior predictive are checked against references that do not
use thetahat: the complete likelihood from scipy.stats pmfs/pdfs (data-only
constants included) times the prior from scipy.stats, integrated by quadrature
(1 parameter) or nested Gauss-Legendre/adaptive quadrature (Dirichlet with K = 3,
NormalInverseGamma), and simulation of new observations for the predictive.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize, special, stats

import thetahat as th
from _quadrature import Numeric1D, gauss01

pytestmark = pytest.mark.filterwarnings("error::DeprecationWarning")

RNG = np.random.default_rng(20240601)


@dataclass
class Pair:
    """One conjugate pair with a data set and its scipy reference likelihood."""

    id: str
    family: Any
    prior: Any
    data: np.ndarray
    name: str
    loglik: Callable[[float], float]  # complete log likelihood, from scipy.stats
    logprior: Callable[[float], float]  # from scipy.stats
    search: tuple[float, float]
    logscale: bool
    #: one new observation per parameter draw (scipy/numpy, not thetahat)
    simulate: Callable[[np.ndarray, np.random.Generator], np.ndarray]
    #: log density of a new observation y given theta (scipy)
    new_logp: Callable[[float, float], float]
    kw: dict[str, Any] = field(default_factory=dict)
    pred_kw: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------- the data sets
_bern = RNG.binomial(1, 0.3, size=25).astype(float)
_trials = RNG.integers(1, 12, size=15).astype(float)
_binom = RNG.binomial(_trials.astype(int), 0.4).astype(float)
_geom = (RNG.geometric(0.35, size=20) - 1).astype(float)
_expo = RNG.uniform(0.5, 3.0, size=18)
_pois = RNG.poisson(2.0 * _expo).astype(float)
_expon = RNG.exponential(1 / 1.7, size=22)
_norm = RNG.normal(1.3, 2.0, size=16)

PAIRS: list[Pair] = [
    Pair(
        "beta-bernoulli",
        th.Bernoulli,
        th.Beta(2.0, 3.0),
        _bern,
        "p",
        lambda p: float(stats.bernoulli.logpmf(_bern, p).sum()),
        lambda p: float(stats.beta.logpdf(p, 2.0, 3.0)),
        (1e-9, 1 - 1e-9),
        False,
        lambda t, rng: rng.binomial(1, t).astype(float),
        lambda y, p: float(stats.bernoulli.logpmf(y, p)),
    ),
    Pair(
        "beta-binomial",
        th.Binomial(n=_trials),
        th.Beta(1.5, 2.5),
        _binom,
        "p",
        lambda p: float(stats.binom.logpmf(_binom, _trials, p).sum()),
        lambda p: float(stats.beta.logpdf(p, 1.5, 2.5)),
        (1e-9, 1 - 1e-9),
        False,
        lambda t, rng: rng.binomial(7, t).astype(float),
        lambda y, p: float(stats.binom.logpmf(y, 7, p)),
        pred_kw={"n": 7},
    ),
    Pair(
        "beta-geometric",
        th.Geometric,
        th.Beta(2.0, 2.0),
        _geom,
        "p",
        lambda p: float(stats.geom.logpmf(_geom + 1, p).sum()),
        lambda p: float(stats.beta.logpdf(p, 2.0, 2.0)),
        (1e-9, 1 - 1e-9),
        False,
        lambda t, rng: (rng.geometric(t) - 1).astype(float),
        lambda y, p: float(stats.geom.logpmf(y + 1, p)),
    ),
    Pair(
        "gamma-poisson",
        th.Poisson,
        th.Gamma(3.0, 1.5),
        _pois,
        "rate",
        lambda r: float(stats.poisson.logpmf(_pois, r * _expo).sum()),
        lambda r: float(stats.gamma.logpdf(r, 3.0, scale=1 / 1.5)),
        (1e-6, 20.0),
        True,
        lambda t, rng: rng.poisson(2.5 * t).astype(float),
        lambda y, r: float(stats.poisson.logpmf(y, 2.5 * r)),
        kw={"exposure": _expo},
        pred_kw={"exposure": 2.5},
    ),
    Pair(
        "gamma-exponential",
        th.Exponential,
        th.Gamma(2.0, 1.0),
        _expon,
        "rate",
        lambda r: float(stats.expon.logpdf(_expon, scale=1 / r).sum()),
        lambda r: float(stats.gamma.logpdf(r, 2.0, scale=1.0)),
        (1e-6, 30.0),
        True,
        lambda t, rng: rng.exponential(1 / t),
        lambda y, r: float(stats.expon.logpdf(y, scale=1 / r)),
    ),
    Pair(
        "normal-normal",
        th.Normal(sigma=2.0),
        th.Normal(0.0, 1.5),
        _norm,
        "mu",
        lambda m: float(stats.norm.logpdf(_norm, m, 2.0).sum()),
        lambda m: float(stats.norm.logpdf(m, 0.0, 1.5)),
        (-20.0, 20.0),
        False,
        lambda t, rng: rng.normal(t, 2.0),
        lambda y, m: float(stats.norm.logpdf(y, m, 2.0)),
    ),
    Pair(
        "invgamma-normal",
        th.Normal(mu=1.0),
        th.InverseGamma(3.0, 4.0),
        _norm,
        "var",
        lambda v: float(stats.norm.logpdf(_norm, 1.0, np.sqrt(v)).sum()),
        lambda v: float(stats.invgamma.logpdf(v, 3.0, scale=4.0)),
        (1e-3, 100.0),
        True,
        lambda t, rng: rng.normal(1.0, np.sqrt(t)),
        lambda y, v: float(stats.norm.logpdf(y, 1.0, np.sqrt(v))),
    ),
]
PAIR_IDS = [p.id for p in PAIRS]


def _post(pair: Pair) -> th.Posterior:
    return th.posterior(pair.family, pair.data, prior=pair.prior, **pair.kw)


def _numeric(pair: Pair) -> Numeric1D:
    return Numeric1D(lambda t: pair.loglik(t) + pair.logprior(t), pair.search, pair.logscale)


@pytest.fixture(scope="module")
def numeric() -> dict[str, Numeric1D]:
    return {p.id: _numeric(p) for p in PAIRS}


# ------------------------------------------------------------------- one parameter
@pytest.mark.parametrize("pair", PAIRS, ids=PAIR_IDS)
def test_posterior_moments_and_evidence_by_quadrature(
    pair: Pair, numeric: dict[str, Numeric1D]
) -> None:
    ref = numeric[pair.id]
    post = _post(pair)
    assert post.exact and post.names == (pair.name,)
    assert post.n == len(pair.data)
    assert post.mean()[pair.name] == pytest.approx(ref.mean(), rel=1e-7)
    assert post.var()[pair.name] == pytest.approx(ref.var(), rel=1e-6)
    # the evidence includes every data-only constant (binomial coefficients,
    # log x!, x log exposure, (2 pi)^(-n/2))
    assert post.log_evidence == pytest.approx(ref.log_evidence, abs=1e-7)


@pytest.mark.parametrize("pair", PAIRS, ids=PAIR_IDS)
def test_posterior_interval_and_mode_by_quadrature(
    pair: Pair, numeric: dict[str, Numeric1D]
) -> None:
    ref = numeric[pair.id]
    post = _post(pair)
    for level in (0.5, 0.9, 0.99):
        lo, hi = post.interval(level)[pair.name]
        assert ref.cdf(lo) == pytest.approx((1 - level) / 2, abs=1e-7)
        assert ref.cdf(hi) == pytest.approx((1 + level) / 2, abs=1e-7)
    # MAP = the maximiser of prior x likelihood
    assert post.mode()[pair.name] == pytest.approx(ref.mode, rel=1e-6, abs=1e-9)
    est = th.fit(pair.family, pair.data, prior=pair.prior, **pair.kw)
    assert est.method == "map"
    value = est.params[pair.name]
    assert value == pytest.approx(ref.mode, rel=1e-6, abs=1e-9)
    # logpost is the log prior + log likelihood at the MAP (thetahat reports the
    # likelihood of the family's own parameter, so compare via the scipy reference)
    assert est.logpost == pytest.approx(ref.logf(ref.mode), rel=1e-8, abs=1e-8)


@pytest.mark.parametrize("pair", PAIRS, ids=PAIR_IDS)
def test_predictive_against_quadrature_and_simulation(
    pair: Pair, numeric: dict[str, Numeric1D]
) -> None:
    ref = numeric[pair.id]
    post = _post(pair)
    pred = post.predictive(**pair.pred_kw)
    rng = np.random.default_rng(99)
    m = 60_000
    theta = np.asarray(post.sample(m, rng=rng)[pair.name])
    y = pair.simulate(theta, rng)
    if pred.discrete:
        ys = np.arange(0.0, 6.0)
        dens = pred.pmf(ys)
        for yv, pv in zip(ys, dens, strict=True):
            # p(y | data) = integral of p(y | theta) p(theta | data)
            exact = ref.expect(lambda t, yv=yv: float(np.exp(pair.new_logp(yv, t))))
            assert pv == pytest.approx(exact, rel=1e-6, abs=1e-12)
            freq = np.mean(y == yv)
            assert abs(freq - pv) < 5 * np.sqrt(pv * (1 - pv) / m) + 1e-12
    else:
        for q in (0.1, 0.5, 0.9):
            t = float(pred.ppf(q))
            assert abs(np.mean(y <= t) - q) < 5 * np.sqrt(q * (1 - q) / m)
            exact = ref.expect(lambda th_, t=t: float(np.exp(pair.new_logp(t, th_))))
            assert pred.pdf(t) == pytest.approx(exact, rel=1e-6)
    # the predictive mean is the posterior mean of the likelihood's mean
    tol = 6 * np.std(y) / np.sqrt(m)
    assert float(np.mean(pred.mean())) == pytest.approx(float(np.mean(y)), abs=tol)


# --------------------------------------------------------- Dirichlet, K = 3 classes
_ALPHA = np.array([2.0, 1.5, 3.0])
_cat = RNG.choice(3, size=20, p=[0.2, 0.5, 0.3]).astype(float)
_cat[:3] = [0, 1, 2]  # every class seen
_mrows = RNG.integers(1, 6, size=8)
_mult = np.array([RNG.multinomial(n, [0.3, 0.3, 0.4]) for n in _mrows], dtype=float)


def _cat_loglik(p: np.ndarray) -> np.ndarray:
    # p has shape (..., 3); sum over observations of log p[x_i]
    return np.sum(np.log(p[..., _cat.astype(int)]), axis=-1)


_MULT_PROBE = np.array([0.25, 0.35, 0.4])
# data-only constant of the multinomial likelihood, read off scipy's pmf at one p
_MULT_CONST = float(
    stats.multinomial.logpmf(_mult, _mrows, _MULT_PROBE).sum()
    - np.sum(_mult.sum(axis=0) * np.log(_MULT_PROBE))
)


def _mult_loglik(p: np.ndarray) -> np.ndarray:
    return _MULT_CONST + np.log(p) @ _mult.sum(axis=0)


class NumericDirichlet:
    """Posterior over the 3-simplex: nested quadrature of prior x likelihood.

    For component j the simplex is written ``p_j = u``, the other two
    ``(1 - u) v`` and ``(1 - u)(1 - v)``; the marginal density of ``p_j`` is
    ``(1 - u) * integral over v`` (Gauss-Legendre, 200 nodes), then adaptive
    quadrature over u.
    """

    def __init__(self, loglik: Callable[[np.ndarray], np.ndarray], alpha: np.ndarray) -> None:
        self.loglik = loglik
        self.alpha = alpha
        self.v, self.wv = gauss01(200)
        res = optimize.minimize(
            lambda z: -self.logf(special.softmax(np.r_[z, 0.0])), np.zeros(2), tol=1e-12
        )
        self.mode = special.softmax(np.r_[res.x, 0.0])
        self.c = float(self.logf(self.mode))
        self.z = self.integrate(0, lambda u: 1.0)

    def logf(self, p: np.ndarray) -> Any:
        prior = special.gammaln(self.alpha.sum()) - special.gammaln(self.alpha).sum()
        return self.loglik(p) + prior + np.log(p) @ (self.alpha - 1.0)

    def marginal(self, j: int, u: float) -> float:
        p = np.empty((self.v.size, 3))
        others = [k for k in range(3) if k != j]
        p[:, j] = u
        p[:, others[0]] = (1 - u) * self.v
        p[:, others[1]] = (1 - u) * (1 - self.v)
        return float((1 - u) * np.dot(self.wv, np.exp(self.logf(p) - self.c)))

    def integrate(self, j: int, g: Callable[[float], float], hi: float = 1.0) -> float:
        val, _ = integrate.quad(
            lambda u: g(u) * self.marginal(j, u), 0.0, hi, epsabs=0.0, epsrel=1e-10, limit=200
        )
        return float(val)

    @property
    def log_evidence(self) -> float:
        return float(np.log(self.z) + self.c)


DIRICHLET_CASES = [
    ("dirichlet-categorical", th.Categorical, _cat, _cat_loglik, 3),
    ("dirichlet-multinomial", th.Multinomial, _mult, _mult_loglik, int(_mrows[0])),
]


@pytest.mark.parametrize(
    ("fam", "data", "loglik", "n_new"),
    [c[1:] for c in DIRICHLET_CASES],
    ids=[c[0] for c in DIRICHLET_CASES],
)
def test_dirichlet_pairs_by_nested_quadrature(
    fam: Any, data: np.ndarray, loglik: Callable[[np.ndarray], np.ndarray], n_new: int
) -> None:
    ref = NumericDirichlet(loglik, _ALPHA)
    post = th.posterior(fam, data, prior=th.Dirichlet(_ALPHA))
    assert post.names == ("probs",)
    assert post.log_evidence == pytest.approx(ref.log_evidence, abs=1e-7)
    # the integral over each coordinate system is the same number
    assert ref.integrate(1, lambda u: 1.0) == pytest.approx(ref.z, rel=1e-9)
    mean, var = post.mean()["probs"], post.var()["probs"]
    lo, hi = post.interval(0.9)["probs"]
    for j in range(3):
        m_j = ref.integrate(j, lambda u: u) / ref.z
        v_j = ref.integrate(j, lambda u, m_j=m_j: (u - m_j) ** 2) / ref.z
        assert mean[j] == pytest.approx(m_j, rel=1e-7)
        assert var[j] == pytest.approx(v_j, rel=1e-6)
        assert ref.integrate(j, lambda u: 1.0, hi=lo[j]) / ref.z == pytest.approx(0.05, abs=1e-7)
        assert ref.integrate(j, lambda u: 1.0, hi=hi[j]) / ref.z == pytest.approx(0.95, abs=1e-7)
    np.testing.assert_allclose(post.mode()["probs"], ref.mode, atol=1e-6)
    est = th.fit(fam, data, prior=th.Dirichlet(_ALPHA))
    np.testing.assert_allclose(est.params["probs"], ref.mode, atol=1e-6)
    assert est.logpost == pytest.approx(ref.c, rel=1e-9)
    # predictive: simulate p from the posterior, then one new observation
    rng = np.random.default_rng(5)
    m = 40_000
    p = post.sample(m, rng=rng)["probs"]
    if fam is th.Categorical:
        pred = post.predictive()
        y = (rng.random(m)[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
        for k in range(3):
            pk = pred.pmf(k)
            assert abs(np.mean(y == k) - pk) < 5 * np.sqrt(pk * (1 - pk) / m)
            exact = ref.integrate(k, lambda u: u) / ref.z
            assert pk == pytest.approx(exact, rel=1e-7)
    else:
        pred = post.predictive(n=n_new)
        y = np.array([rng.multinomial(n_new, row) for row in p])
        x = np.array([n_new, 0, 0], dtype=float)
        px = pred.pmf(x)
        assert abs(np.mean(np.all(y == x, axis=1)) - px) < 5 * np.sqrt(px * (1 - px) / m)
        # P(x | data) = E[p_0^n] for x = (n, 0, 0)
        exact = ref.integrate(0, lambda u: u**n_new) / ref.z
        assert px == pytest.approx(exact, rel=1e-7)
        np.testing.assert_allclose(pred.mean(), y.mean(axis=0), atol=5 * y.std() / np.sqrt(m))


# --------------------------------------------------------------- NormalInverseGamma
_NIG = (0.5, 2.0, 3.0, 2.5)  # mu0, lam, shape, scale


class NumericNIG:
    """Posterior over (mu, var): Gauss-Legendre in log var inside, quadrature outside."""

    def __init__(self, data: np.ndarray) -> None:
        self.x = data
        m0, lam, a, b = _NIG
        self.prior_var = stats.invgamma(a, scale=b)
        self.m0, self.lam = m0, lam
        res = optimize.minimize(
            lambda z: -self.logf(z[0], np.exp(z[1])), [float(data.mean()), 0.0], tol=1e-12
        )
        self.mode = np.array([res.x[0], np.exp(res.x[1])])
        self.c = float(self.logf(*self.mode))
        # integration boxes: where the log density is within 60 of the peak
        lv = np.log(self.mode[1])
        self.lv_lo, self.lv_hi = lv - 6.0, lv + 8.0
        sd = np.sqrt(self.mode[1] / (len(data) + lam))
        self.mu_lo, self.mu_hi = self.mode[0] - 40 * sd, self.mode[0] + 40 * sd
        self.t, self.wt = gauss01(300)
        self.z = self.int_mu(lambda mu: 1.0)

    def logf(self, mu: Any, var: Any) -> Any:
        mu, var = np.asarray(mu, dtype=float), np.asarray(var, dtype=float)
        sd = np.sqrt(var)
        ll = stats.norm.logpdf(self.x[:, None], mu.ravel(), sd.ravel()).sum(axis=0)
        lp = self.prior_var.logpdf(var.ravel()) + stats.norm.logpdf(
            mu.ravel(), self.m0, np.sqrt(var.ravel() / self.lam)
        )
        return (ll + lp).reshape(np.shape(mu)) if np.ndim(mu) else float(ll[0] + lp[0])

    def mu_marginal(self, mu: float) -> float:
        lv = self.lv_lo + (self.lv_hi - self.lv_lo) * self.t
        v = np.exp(lv)
        f = np.exp(self.logf(np.full_like(v, mu), v) - self.c) * v  # d var = var d log var
        return float((self.lv_hi - self.lv_lo) * np.dot(self.wt, f))

    def var_marginal(self, v: float) -> float:
        mu = self.mu_lo + (self.mu_hi - self.mu_lo) * self.t
        f = np.exp(self.logf(mu, np.full_like(mu, v)) - self.c)
        return float((self.mu_hi - self.mu_lo) * np.dot(self.wt, f))

    def int_mu(self, g: Callable[[float], float], hi: float | None = None) -> float:
        top = self.mu_hi if hi is None else hi
        val, _ = integrate.quad(
            lambda u: g(u) * self.mu_marginal(u),
            self.mu_lo,
            top,
            epsabs=0.0,
            epsrel=1e-10,
            limit=200,
        )
        return float(val)

    def int_var(self, g: Callable[[float], float], hi: float | None = None) -> float:
        top = np.exp(self.lv_hi) if hi is None else hi
        val, _ = integrate.quad(
            lambda v: g(v) * self.var_marginal(v),
            np.exp(self.lv_lo),
            top,
            epsabs=0.0,
            epsrel=1e-10,
            limit=200,
            points=[self.mode[1]] if self.mode[1] < top else None,
        )
        return float(val)


def test_normal_inverse_gamma_by_nested_quadrature() -> None:
    data = _norm
    ref = NumericNIG(data)
    prior = th.NormalInverseGamma(*_NIG)
    post = th.posterior(th.Normal, data, prior=prior)
    assert post.names == ("mu", "var")
    assert post.log_evidence == pytest.approx(float(np.log(ref.z) + ref.c), abs=1e-7)
    assert ref.int_var(lambda v: 1.0) == pytest.approx(ref.z, rel=1e-8)
    mean, var = post.mean(), post.var()
    m_mu = ref.int_mu(lambda u: u) / ref.z
    m_var = ref.int_var(lambda v: v) / ref.z
    assert mean["mu"] == pytest.approx(m_mu, rel=1e-7)
    assert mean["var"] == pytest.approx(m_var, rel=1e-7)
    assert var["mu"] == pytest.approx(ref.int_mu(lambda u: (u - m_mu) ** 2) / ref.z, rel=1e-6)
    assert var["var"] == pytest.approx(ref.int_var(lambda v: (v - m_var) ** 2) / ref.z, rel=1e-5)
    ci = post.interval(0.9)
    assert ref.int_mu(lambda u: 1.0, hi=ci["mu"][0]) / ref.z == pytest.approx(0.05, abs=1e-7)
    assert ref.int_mu(lambda u: 1.0, hi=ci["mu"][1]) / ref.z == pytest.approx(0.95, abs=1e-7)
    assert ref.int_var(lambda v: 1.0, hi=ci["var"][0]) / ref.z == pytest.approx(0.05, abs=1e-7)
    assert ref.int_var(lambda v: 1.0, hi=ci["var"][1]) / ref.z == pytest.approx(0.95, abs=1e-7)
    # joint mode (the MAP over (mu, var))
    assert post.mode()["mu"] == pytest.approx(ref.mode[0], rel=1e-6)
    assert post.mode()["var"] == pytest.approx(ref.mode[1], rel=1e-6)
    est = th.fit(th.Normal, data, prior=prior)
    assert est.params["mu"] == pytest.approx(ref.mode[0], rel=1e-6)
    assert est.params["var"] == pytest.approx(ref.mode[1], rel=1e-6)
    assert est.logpost == pytest.approx(ref.c, rel=1e-9)
    loglik = stats.norm.logpdf(data, ref.mode[0], np.sqrt(ref.mode[1])).sum()
    assert est.loglik == pytest.approx(loglik, rel=1e-9)
    # predictive: Student t; density = E[N(y | mu, var)], and by simulation
    pred = post.predictive()
    for y in (-2.0, 1.0, 4.0):
        num, _ = integrate.quad(
            lambda u, y=y: _pred_inner(ref, u, y),
            ref.mu_lo,
            ref.mu_hi,
            epsrel=1e-10,
            epsabs=0.0,
            limit=200,
        )
        assert pred.pdf(y) == pytest.approx(num / ref.z, rel=1e-6)
    rng = np.random.default_rng(3)
    s = post.sample(50_000, rng=rng)
    y = rng.normal(s["mu"], np.sqrt(s["var"]))
    for q in (0.1, 0.5, 0.9):
        t = float(pred.ppf(q))
        assert abs(np.mean(y <= t) - q) < 5 * np.sqrt(q * (1 - q) / y.size)


def _pred_inner(ref: NumericNIG, mu: float, y: float) -> float:
    lv = ref.lv_lo + (ref.lv_hi - ref.lv_lo) * ref.t
    v = np.exp(lv)
    f = np.exp(ref.logf(np.full_like(v, mu), v) - ref.c) * v * stats.norm.pdf(y, mu, np.sqrt(v))
    return float((ref.lv_hi - ref.lv_lo) * np.dot(ref.wt, f))


# ------------------------------------------- the evidence is a distribution over data
finite = {"allow_nan": False, "allow_infinity": False}
hyper = st.floats(0.3, 8.0, **finite)


def _ev(family: Any, data: Any, prior: Any, **kw: Any) -> float:
    return th.posterior(family, data, prior=prior, **kw).log_evidence


@settings(max_examples=20, deadline=None, derandomize=True)
@given(a=hyper, b=hyper, trials=st.integers(0, 12), t=st.floats(0.2, 5.0, **finite))
def test_evidence_sums_to_one_over_all_data(a: float, b: float, trials: int, t: float) -> None:
    """p(data) from the evidence, summed over every possible data set, is 1.

    This fails if any data-only constant (binomial or multinomial coefficient,
    log x!, x log exposure) is missing or wrong.
    """
    # two Bernoulli observations: four sequences
    seqs = [[0, 0], [0, 1], [1, 0], [1, 1]]
    total = sum(np.exp(_ev(th.Bernoulli, s, th.Beta(a, b))) for s in seqs)
    assert total == pytest.approx(1.0, rel=1e-10)
    # one Binomial observation with `trials` trials
    ks = np.arange(trials + 1)
    total = sum(np.exp(_ev(th.Binomial(n=trials), [k], th.Beta(a, b))) for k in ks)
    assert total == pytest.approx(1.0, rel=1e-10)
    # one Poisson count with exposure t (the tail beyond 400 is negligible here)
    ys = np.arange(400)
    logs = [_ev(th.Poisson, [y], th.Gamma(a + 1.0, b), exposure=[t]) for y in ys]
    assert np.exp(special.logsumexp(logs)) == pytest.approx(1.0, rel=1e-8)
    # one Multinomial row of `trials` counts over 3 classes
    rows = [[i, j, trials - i - j] for i in range(trials + 1) for j in range(trials + 1 - i)]
    alpha = np.array([a, b, 1.0])
    logs = [_ev(th.Multinomial, [r], th.Dirichlet(alpha)) for r in rows]
    assert np.exp(special.logsumexp(logs)) == pytest.approx(1.0, rel=1e-10)
    # one Geometric observation (tail ~ y^-(a+2) with the shifted shape)
    logs = [_ev(th.Geometric, [y], th.Beta(a + 2.0, b)) for y in range(50)]
    head = np.exp(special.logsumexp(logs))
    # remaining mass from the predictive's survival function (scipy, independent)
    tail = stats.betanbinom(1, a + 2.0, b).sf(49)
    assert head + tail == pytest.approx(1.0, rel=1e-9)


@settings(max_examples=10, deadline=None, derandomize=True)
@given(m0=st.floats(-3, 3, **finite), s=st.floats(0.3, 3, **finite), a=st.floats(0.5, 5, **finite))
def test_continuous_evidence_integrates_to_one(m0: float, s: float, a: float) -> None:
    def dens(family: Any, prior: Any) -> Callable[[float], float]:
        return lambda x: float(np.exp(_ev(family, [x], prior)))

    for family, prior in (
        (th.Normal(sigma=1.5), th.Normal(m0, s)),
        (th.Normal(mu=m0), th.InverseGamma(a, s)),
        (th.Normal, th.NormalInverseGamma(m0, s, a, 1.0)),
    ):
        total, _ = integrate.quad(dens(family, prior), -np.inf, np.inf, epsabs=1e-11)
        assert total == pytest.approx(1.0, rel=1e-7), (family, prior)
    total, _ = integrate.quad(dens(th.Exponential, th.Gamma(a, s)), 0, np.inf, epsabs=1e-11)
    assert total == pytest.approx(1.0, rel=1e-7)
