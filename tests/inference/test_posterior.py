"""Posterior objects: consistency with their distribution, pseudo-counts, weights,
online updates, and the MAP approaching the MLE as the data grow."""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import thetahat as th

pytestmark = pytest.mark.filterwarnings("error::DeprecationWarning")


@dataclass
class Case:
    id: str
    family: Any
    prior: Any
    #: (rng, size) -> data and per-observation keywords (exposure)
    make: Callable[[np.random.Generator, int], tuple[np.ndarray, dict[str, Any]]]
    pred_kw: dict[str, Any] = field(default_factory=dict)


def _plain(draw: Callable[[np.random.Generator, int], Any]) -> Any:
    return lambda rng, m: (np.asarray(draw(rng, m), dtype=float), {})


CASES = [
    Case(
        "beta-bernoulli",
        th.Bernoulli,
        th.Beta(2.0, 3.0),
        _plain(lambda r, m: r.binomial(1, 0.3, m)),
    ),
    Case(
        "beta-binomial",
        th.Binomial(n=9),
        th.Beta(1.5, 2.5),
        _plain(lambda r, m: r.binomial(9, 0.4, m)),
    ),
    Case(
        "beta-geometric",
        th.Geometric,
        th.Beta(2.0, 2.0),
        _plain(lambda r, m: r.geometric(0.3, m) - 1),
    ),
    Case(
        "dirichlet-categorical",
        th.Categorical,
        th.Dirichlet([2.0, 1.5, 3.0]),
        _plain(lambda r, m: r.choice(3, m, p=[0.2, 0.5, 0.3])),
    ),
    Case(
        "dirichlet-multinomial",
        th.Multinomial,
        th.Dirichlet([2.0, 1.5, 3.0]),
        _plain(lambda r, m: r.multinomial(5, [0.2, 0.5, 0.3], size=m)),
        {"n": 5},
    ),
    Case(
        "gamma-poisson",
        th.Poisson,
        th.Gamma(3.0, 1.5),
        lambda r, m: (lambda t: (r.poisson(2.0 * t).astype(float), {"exposure": t}))(
            r.uniform(0.5, 3, m)
        ),
        {"exposure": 2.0},
    ),
    Case(
        "gamma-exponential",
        th.Exponential,
        th.Gamma(2.0, 1.0),
        _plain(lambda r, m: r.exponential(0.6, m)),
    ),
    Case(
        "normal-normal",
        th.Normal(sigma=2.0),
        th.Normal(0.0, 1.5),
        _plain(lambda r, m: r.normal(1.3, 2.0, m)),
    ),
    Case(
        "invgamma-normal",
        th.Normal(mu=1.0),
        th.InverseGamma(3.0, 4.0),
        _plain(lambda r, m: r.normal(1.0, 1.7, m)),
    ),
    Case(
        "nig-normal",
        th.Normal,
        th.NormalInverseGamma(0.5, 2.0, 3.0, 2.5),
        _plain(lambda r, m: r.normal(1.3, 2.0, m)),
    ),
]
IDS = [c.id for c in CASES]


def _posterior(case: Case, data: np.ndarray, **kw: Any) -> th.Posterior:
    return th.posterior(case.family, data, prior=case.prior, **kw)


def _same(a: th.Posterior, b: th.Posterior, rtol: float = 1e-10) -> None:
    assert type(a.dist) is type(b.dist)
    for name, v in a.dist.params.items():
        np.testing.assert_allclose(v, b.dist.params[name], rtol=rtol)
    assert a.log_evidence == pytest.approx(b.log_evidence, rel=rtol, abs=1e-9)
    assert a.n == pytest.approx(b.n)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_posterior_methods_are_the_distributions(case: Case) -> None:
    data, kw = case.make(np.random.default_rng(1), 30)
    post = _posterior(case, data, **kw)
    dist, rule = post.dist, post.rule
    assert post.names == rule.names
    for method in ("mode", "mean", "var"):
        got = getattr(post, method)()
        want = rule.split(getattr(dist, method)())
        assert set(got) == set(post.names)
        for k in got:
            np.testing.assert_allclose(got[k], want[k], rtol=1e-14)
    for k, v in post.std().items():
        np.testing.assert_allclose(v, np.sqrt(post.var()[k]), rtol=1e-14)
    lo, hi = dist.interval(0.8)
    ci = post.interval(0.8)
    for k in post.names:
        np.testing.assert_allclose(ci[k][0], rule.split(lo)[k])
        np.testing.assert_allclose(ci[k][1], rule.split(hi)[k])
        assert np.all(np.asarray(ci[k][0]) < np.asarray(ci[k][1]))
    # draws: one array per parameter, reproducible, with the posterior's moments
    m = 20_000
    draws = post.sample(m, rng=3)
    again = post.sample(m, rng=3)
    mean, var = post.mean(), post.var()
    for k in post.names:
        x = np.asarray(draws[k])
        np.testing.assert_array_equal(x, again[k])
        assert x.shape[0] == m
        sd = np.sqrt(np.asarray(var[k]) / m)
        assert np.all(np.abs(x.mean(axis=0) - mean[k]) < 5 * sd)
        # the equal-tailed interval holds its level of the draws
        inside = np.mean((x >= ci[k][0]) & (x <= ci[k][1]), axis=0)
        assert np.all(np.abs(inside - 0.8) < 5 * np.sqrt(0.16 / m))
    assert "Log evidence" in post.summary() and repr(dist) in str(post)
    d = post.to_dict()
    assert d["posterior"] == repr(dist)
    assert d["log_evidence"] == post.log_evidence


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_update_in_chunks_equals_one_update(case: Case) -> None:
    data, kw = case.make(np.random.default_rng(2), 45)
    whole = _posterior(case, data, **kw)
    cuts = [0, 7, 8, 30, 45]  # includes a chunk of one observation
    first = slice(cuts[0], cuts[1])
    post = _posterior(case, data[first], **{k: v[first] for k, v in kw.items()})
    for a, b in itertools.pairwise(cuts[1:]):
        post = post.update(data[a:b], **{k: v[a:b] for k, v in kw.items()})
    _same(post, whole)
    # the evidence factorises: log p(D1, D2) = log p(D1) + log p(D2 | D1), where
    # p(D2 | D1) is the evidence of D2 under the posterior after D1 as the prior
    d1 = slice(0, 20)
    d2 = slice(20, 45)
    p1 = _posterior(case, data[d1], **{k: v[d1] for k, v in kw.items()})
    p2 = th.posterior(case.family, data[d2], prior=p1.dist, **{k: v[d2] for k, v in kw.items()})
    assert p1.log_evidence + p2.log_evidence == pytest.approx(whole.log_evidence, rel=1e-10)
    for name, v in p2.dist.params.items():
        np.testing.assert_allclose(v, whole.dist.params[name], rtol=1e-10)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_weights_equal_repeated_rows(case: Case) -> None:
    rng = np.random.default_rng(4)
    data, kw = case.make(rng, 12)
    w = rng.integers(0, 4, size=12)
    w[0] = 0  # a zero weight drops the row
    weighted = _posterior(case, data, weights=w, **kw)
    repeated = _posterior(
        case, np.repeat(data, w, axis=0), **{k: np.repeat(v, w) for k, v in kw.items()}
    )
    _same(weighted, repeated)
    assert weighted.n == w.sum()


def test_weights_with_per_observation_trials() -> None:
    n = np.array([3.0, 7.0, 2.0, 9.0])
    k = np.array([1.0, 4.0, 2.0, 3.0])
    w = np.array([2, 1, 3, 1])
    prior = th.Beta(1.5, 2.0)
    weighted = th.posterior(th.Binomial(n=n), k, prior=prior, weights=w)
    repeated = th.posterior(th.Binomial(n=np.repeat(n, w)), np.repeat(k, w), prior=prior)
    _same(weighted, repeated)


# ------------------------------------------------------------------- pseudo-counts
def test_pseudo_counts_are_imaginary_data() -> None:
    """The posterior mean is the pooled estimate of pseudo-data and real data."""
    rng = np.random.default_rng(6)
    # Beta: a successes and b failures
    x = rng.binomial(1, 0.3, 40).astype(float)
    post = th.posterior(th.Bernoulli, x, prior=th.Beta(2.0, 5.0))
    pc = post.pseudo_counts
    assert pc["n"] == pc["successes"] + pc["failures"]
    assert post.mean()["p"] == pytest.approx((pc["successes"] + x.sum()) / (pc["n"] + x.size))
    # Geometric: Beta(a, b) is a successes (observations) and b failures
    g = (rng.geometric(0.4, 30) - 1).astype(float)
    post = th.posterior(th.Geometric, g, prior=th.Beta(3.0, 4.0))
    pc = post.pseudo_counts
    s_, f_ = pc["successes"] + g.size, pc["failures"] + g.sum()
    assert post.mean()["p"] == pytest.approx(s_ / (s_ + f_))
    # Dirichlet: alpha_j counts in class j
    c = rng.choice(3, 50, p=[0.2, 0.3, 0.5]).astype(float)
    post = th.posterior(th.Categorical, c, prior=th.Dirichlet([1.0, 2.0, 4.0]))
    pc = post.pseudo_counts
    counts = np.bincount(c.astype(int), minlength=3)
    np.testing.assert_allclose(post.mean()["probs"], (pc["counts"] + counts) / (pc["n"] + c.size))
    # Gamma on a Poisson rate: events over exposure
    t = rng.uniform(0.5, 2.0, 20)
    y = rng.poisson(3.0 * t).astype(float)
    post = th.posterior(th.Poisson, y, prior=th.Gamma(4.0, 2.0), exposure=t)
    pc = post.pseudo_counts
    assert post.mean()["rate"] == pytest.approx(
        (pc["events"] + y.sum()) / (pc["exposure"] + t.sum())
    )
    # Gamma on an Exponential rate: observations over total time
    e = rng.exponential(0.5, 25)
    post = th.posterior(th.Exponential, e, prior=th.Gamma(3.0, 2.0))
    pc = post.pseudo_counts
    assert post.mean()["rate"] == pytest.approx(
        (pc["observations"] + e.size) / (pc["total"] + e.sum())
    )
    # Normal prior on mu: sigma^2 / s^2 observations at the prior mean
    z = rng.normal(2.0, 3.0, 15)
    post = th.posterior(th.Normal(sigma=3.0), z, prior=th.Normal(0.5, 1.5))
    pc = post.pseudo_counts
    assert pc["n"] == pytest.approx(4.0)
    assert post.mean()["mu"] == pytest.approx((pc["n"] * pc["mean"] + z.sum()) / (pc["n"] + z.size))
    # InverseGamma on var: 2a observations with sum of squares 2b (mode divides by n + 2)
    post = th.posterior(th.Normal(mu=2.0), z, prior=th.InverseGamma(3.0, 5.0))
    pc = post.pseudo_counts
    ss = np.sum((z - 2.0) ** 2)
    assert post.mode()["var"] == pytest.approx((pc["sum_sq"] + ss) / (pc["n"] + z.size + 2))
    # NormalInverseGamma: lam observations at mu0 for the mean
    post = th.posterior(th.Normal, z, prior=th.NormalInverseGamma(0.5, 3.0, 2.0, 4.0))
    pc = post.pseudo_counts
    assert post.mean()["mu"] == pytest.approx(
        (pc["n_mean"] * pc["mean"] + z.sum()) / (pc["n_mean"] + z.size)
    )


# ----------------------------------------------------------- MAP -> MLE as n grows
_SIZES = (100, 1000, 10000)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_map_approaches_mle(case: Case) -> None:
    @settings(max_examples=8, deadline=None, derandomize=True)
    @given(seed=st.integers(0, 2**32 - 1))
    def check(seed: int) -> None:
        data, kw = case.make(np.random.default_rng(seed), max(_SIZES))
        for m in _SIZES:
            part = data[:m]
            pkw = {k: v[:m] for k, v in kw.items()}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", th.BoundaryWarning)
                mle = th.fit(case.family, part, **pkw).params
                map_ = th.fit(case.family, part, prior=case.prior, **pkw).params
            for k, v in map_.items():
                if k == "var":  # the MLE is reported as sigma
                    ref = mle["sigma"] ** 2
                else:
                    ref = mle[k]
                # the prior is worth a fixed number of observations, so the MAP
                # moves off the MLE by O(1/n): n * |MAP - MLE| stays bounded
                scale = 1.0 + np.max(np.abs(ref))
                assert np.max(np.abs(np.asarray(v) - ref)) * m < 30.0 * scale, (m, k, v, ref)

    check()


# -------------------------------------------------------------------------- errors
def test_posterior_input_errors() -> None:
    with pytest.raises(ValueError, match="needs a prior"):
        th.posterior(th.Bernoulli, [1, 0], prior=None)
    with pytest.raises(ValueError, match="not a conjugate prior"):
        th.posterior(th.Bernoulli, [1, 0], prior=th.Gamma(1.0, 1.0))
    with pytest.raises(ValueError, match="improper"):
        th.posterior(th.Bernoulli, [1, 0], prior=th.Flat())
    with pytest.raises(ValueError, match="all its parameters"):
        th.posterior(th.Bernoulli, [1, 0], prior=th.Beta(a=2.0))
    with pytest.raises(ValueError, match=r"data\[1\]"):
        th.posterior(th.Bernoulli, [1, 2, 0], prior=th.Beta(1.0, 1.0))
    with pytest.raises(ValueError, match=r"data\[2\] = 3"):
        th.posterior(th.Categorical, [0, 1, 3], prior=th.Dirichlet([1.0, 1.0]))
    post = th.posterior(th.Bernoulli, [1, 0, 1], prior=th.Beta(1.0, 1.0))
    with pytest.raises(ValueError, match=r"data\[0\]"):
        post.update([5])


def test_predictive_defaults_to_the_family_trials() -> None:
    post = th.posterior(th.Binomial(n=9), [3.0, 4.0, 2.0], prior=th.Beta(1.5, 2.5))
    a, b = 1.5 + 9.0, 2.5 + 27.0 - 9.0
    assert post.dist == th.Beta(a, b)
    assert post.predictive() == th.BetaBinomial(9, a, b)
    assert post.predictive(n=4) == th.BetaBinomial(4, a, b)
    per_obs = th.posterior(th.Binomial(n=[9, 9, 9]), [3.0, 4.0, 2.0], prior=th.Beta(1.5, 2.5))
    with pytest.raises(ValueError, match="n="):
        per_obs.predictive()
    with pytest.raises(ValueError, match="n="):
        th.posterior(th.Multinomial, [[1, 2], [3, 0]], prior=th.Dirichlet([1.0, 1.0])).predictive()


def test_update_with_trials_per_observation_equals_one_posterior() -> None:
    rng = np.random.default_rng(8)
    n = rng.integers(1, 20, size=60)
    k = rng.binomial(n, 0.4)
    prior = th.Beta(2.0, 3.0)
    first = th.posterior(th.Binomial(n=n[:25]), k[:25], prior=prior)
    both = first.update(k[25:], n=n[25:])
    whole = th.posterior(th.Binomial(n=n), k, prior=prior)
    assert both.dist.a == pytest.approx(whole.dist.a)
    assert both.dist.b == pytest.approx(whole.dist.b)
    assert both.log_evidence == pytest.approx(whole.log_evidence, rel=1e-12)
