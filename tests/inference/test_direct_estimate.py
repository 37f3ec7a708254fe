"""th.fit's direct assembly of an interior MLE's Estimate (issue 12: a small fit's fixed
cost) gives exactly the fields of the general route, and steps aside where it must."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest

import thetahat as th
from thetahat.inference import fit as fit_module

SAMPLES = {
    "Normal": (th.Normal, lambda r: r.normal(3.0, 2.0, 200)),
    "Normal(mu=1)": (th.Normal(mu=1.0), lambda r: r.normal(3.0, 2.0, 200)),
    "Poisson": (th.Poisson, lambda r: r.poisson(4.0, 200).astype(float)),
    "Exponential": (th.Exponential, lambda r: r.exponential(2.0, 200)),
    "Gamma": (th.Gamma, lambda r: r.gamma(2.5, 1.5, 200)),
    "Beta": (th.Beta, lambda r: r.beta(2.0, 5.0, 200)),
    "LogNormal": (th.LogNormal, lambda r: r.lognormal(0.5, 0.8, 200)),
    "Weibull": (th.Weibull, lambda r: r.weibull(1.7, 200) * 2.0),
    "StudentT": (th.StudentT, lambda r: r.standard_t(5.0, 200)),
    "Laplace": (th.Laplace, lambda r: r.laplace(1.0, 2.0, 200)),
    "Pareto": (th.Pareto, lambda r: (r.pareto(3.0, 200) + 1.0) * 2.0),
    "NegativeBinomial": (th.NegativeBinomial, lambda r: r.negative_binomial(3, 0.4, 200) * 1.0),
    "Bernoulli": (th.Bernoulli, lambda r: r.binomial(1, 0.3, 200).astype(float)),
}

FIELDS = [f.name for f in dataclasses.fields(th.results.Estimate) if f.name != "objective"]


def _same(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(np.asarray(a), np.asarray(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b or (a != a and b != b)  # NaN equals NaN here


@pytest.mark.parametrize("name", list(SAMPLES))
def test_direct_estimate_equals_the_general_route(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    family, draw = SAMPLES[name]
    x = draw(np.random.default_rng(7))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fast = th.fit(family, x)
        monkeypatch.setattr(fit_module, "_estimate_direct", lambda *a, **k: None)
        general = th.fit(family, x)
    for field in FIELDS:
        assert _same(getattr(fast, field), getattr(general, field)), field
    assert fast.summary() == general.summary()


def test_direct_estimate_steps_aside_at_the_boundary() -> None:
    # constant data: sigma = 0 is on the boundary; the general route reports it
    with pytest.warns(th.results.BoundaryWarning):
        est = th.fit(th.Normal, np.full(10, 3.0))
    assert est.status == "boundary"
    assert est.se["sigma"] == np.inf
    # a MAP or expected information never takes the direct path but still works
    est = th.fit(th.Poisson, np.array([1.0, 2.0, 3.0]), information="expected")
    assert est.information == "expected"


def test_interior_mle_constructor_equals_the_dataclass_constructor() -> None:
    # Estimate._interior_mle skips the generated __init__: every field must come out as
    # Estimate(method="mle", ...) sets it (a field added later without a default breaks this)
    Estimate = th.results.Estimate
    cov = np.array([[0.5, 0.1], [0.1, 0.25]])
    args = ({"mu": 1.5, "sigma": 2.0}, cov, -12.5, 10.0, th.Normal(), "closed form", 3, None, {})
    fast = Estimate._interior_mle(*args)
    slow = Estimate(method="mle", params=args[0], cov=cov, loglik=-12.5, n=10.0, df_model=2,
                    family=th.Normal(), message="closed form", iterations=3)  # fmt: skip
    names = {f.name for f in dataclasses.fields(Estimate)}
    assert set(vars(fast)) == names
    for name in names:
        assert _same(getattr(fast, name), getattr(slow, name)), name
    assert fast == slow and repr(fast) == repr(slow)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.loglik = 0.0  # type: ignore[misc]


def test_kept_objective_drops_the_cache_and_keeps_the_rest() -> None:
    # fit._kept copies FitProblem and DataStats without their __init__: valid only while
    # neither has a __post_init__ (or init-only fields); the copy holds every other field
    from thetahat.inference._solve import FitProblem
    from thetahat.statistics import DataStats

    for cls in (FitProblem, DataStats):
        assert not hasattr(cls, "__post_init__"), cls
        assert all(f.init for f in dataclasses.fields(cls)), cls
    x = th.Weibull(1.7, 2.0).sample(50, rng=3)
    est = th.fit(th.Weibull, x)
    kept = est.objective
    assert isinstance(kept, FitProblem) and isinstance(kept.stats, DataStats)
    assert kept.stats.cache == {} and kept.stats.x is x
    assert kept.family == th.Weibull() and kept.prior is None
    assert kept.parametrization == "natural" and kept.stats.n == 50.0 and kept.stats.w is None
    # the profile interval recomputes what the cache held
    lo, hi = est.conf_int(kind="profile")["shape"]
    assert lo < est.params["shape"] < hi
