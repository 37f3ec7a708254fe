"""Issue 10, item 4: intervals and draws stay in the parameter space.

The Laplace posterior is a Gaussian over the unconstrained coordinates (log of a
positive parameter, logit of a probability) mapped back: a positive parameter
never gets a negative bound or draw, a probability stays in (0, 1), and the
mode is still the MAP.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import thetahat as th

SWEEP = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def test_positive_parameter_never_gets_a_negative_bound_or_draw_issue_reproducer():
    # two observations, a vague prior: a Gaussian on the rate itself reaches below 0
    post = th.posterior(th.Exponential, [0.1, 5.0], prior=th.Gamma(1.0, 0.1), method="laplace")
    lo, hi = post.interval(0.99)["rate"]
    assert 0.0 < lo < hi
    draws = post.sample(5000, rng=np.random.default_rng(1))["rate"]
    assert np.all(draws > 0)
    est = th.fit(th.Exponential, [0.1, 5.0], prior=th.Gamma(1.0, 0.1))
    assert post.mode()["rate"] == pytest.approx(est.params["rate"], rel=1e-7)


def test_probability_stays_inside_the_unit_interval():
    post = th.posterior(th.Bernoulli, [1, 1, 1], prior=th.Beta(2, 2), method="laplace")
    lo, hi = post.interval(0.999)["p"]
    assert 0.0 < lo < hi < 1.0
    draws = post.sample(5000, rng=2)["p"]
    assert np.all((draws > 0) & (draws < 1))
    assert post.mode()["p"] == pytest.approx(0.8, rel=1e-7)


def test_laplace_in_log_coordinates_approaches_the_exact_posterior():
    rng = np.random.default_rng(3)
    x = rng.poisson(4.0, 400)
    prior = th.Gamma(2.0, 0.5)
    exact = th.posterior(th.Poisson, x, prior=prior)
    approx = th.posterior(th.Poisson, x, prior=prior, method="laplace")
    assert approx.mean()["rate"] == pytest.approx(exact.mean()["rate"], rel=1e-3)
    assert approx.std()["rate"] == pytest.approx(exact.std()["rate"], rel=1e-2)
    for a, b in zip(approx.interval(0.9)["rate"], exact.interval(0.9)["rate"], strict=True):
        assert a == pytest.approx(b, rel=2e-3)
    assert approx.log_evidence == pytest.approx(exact.log_evidence, abs=0.01)


def test_mapped_density_integrates_to_one():
    from scipy import integrate

    post = th.posterior(th.Exponential, [0.3, 1.2, 0.7], prior=th.Gamma(2.0, 1.0), method="laplace")
    total, _ = integrate.quad(lambda r: float(np.exp(post.dist.logpdf(r))), 0, np.inf)
    assert total == pytest.approx(1.0, abs=1e-6)


CASES = [
    (th.Exponential, lambda a, b: th.Gamma(a, b), st.floats(1e-3, 50.0)),
    (th.Poisson, lambda a, b: th.Gamma(a, b), st.integers(0, 30)),
    (th.Bernoulli, lambda a, b: th.Beta(a, b), st.integers(0, 1)),
    (th.HalfNormal, lambda a, b: th.Gamma(a, b), st.floats(1e-3, 50.0)),
]


@pytest.mark.parametrize(("family", "make", "values"), CASES, ids=[c[0].__name__ for c in CASES])
@SWEEP
@given(data=st.data(), a=st.floats(0.5, 20.0), b=st.floats(0.05, 20.0))
def test_laplace_intervals_and_draws_inside_the_domain(family, make, values, data, a, b):
    x = data.draw(st.lists(values, min_size=1, max_size=12))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            post = th.posterior(family, x, prior=make(a, b), method="laplace")
        except ValueError as exc:  # e.g. no curvature at the mode: said, not crashed
            assert "Laplace" in str(exc) or "mode" in str(exc)
            return
    name = post.names[0]
    dom = family.param(name).domain
    lo, hi = post.interval(0.99)[name]
    draws = post.sample(200, rng=0)[name]
    for v in (lo, hi, *draws):
        assert dom.contains(v), (name, v)


def test_map_wald_interval_is_labelled_and_the_posterior_one_offered_issue_reproducer():
    est = th.fit(th.Bernoulli, [1, 1, 0], prior=th.Beta(2, 2))
    assert "approximate" in est.message and "kind='posterior'" in est.message
    assert "approximate" in est.summary()
    lo, hi = est.conf_int(kind="posterior")["p"]
    from scipy import stats

    ref = stats.beta(4, 3).interval(0.95)
    assert (lo, hi) == pytest.approx(ref, rel=1e-12)
    assert isinstance(lo, float)


def test_map_posterior_interval_without_a_conjugate_prior_stays_positive():
    est = th.fit(th.Exponential, [0.1, 5.0], prior={"rate": th.LogNormal(0.0, 2.0)})
    wald_lo, _ = est.conf_int()["rate"]
    lo, hi = est.conf_int(kind="posterior")["rate"]
    assert wald_lo == 0.0  # the Wald interval runs into the edge (clipped there)
    assert 0.0 < lo < est.params["rate"] < hi


def test_posterior_interval_of_an_mle_is_refused():
    with pytest.raises(ValueError, match="MAP"):
        th.fit(th.Normal, [1.0, 2.0, 4.0]).conf_int(kind="posterior")
