"""Per-group fits through the families' batched protocol (fit_many, loglik_many,
covariance_many) agree with th.fit group by group, edge cases included."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import thetahat as th
from thetahat.inference.frames import as_source

DRAWS = {
    th.Normal: th.Normal(1.0, 2.0),
    th.LogNormal: th.LogNormal(0.2, 0.5),
    th.Exponential: th.Exponential(2.0),
    th.Poisson: th.Poisson(3.0),
    th.Bernoulli: th.Bernoulli(0.3),
    th.Geometric: th.Geometric(0.4),
    th.HalfNormal: th.HalfNormal(1.5),
    th.Gamma: th.Gamma(2.5, 1.5),
    th.Beta: th.Beta(2.0, 5.0),
}


def _one(fam: object, x: np.ndarray) -> th.Estimate:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return th.fit(fam, x)


@pytest.mark.parametrize("family", list(DRAWS), ids=lambda f: f.__name__)
def test_fit_many_equals_fit_group_by_group(family: type) -> None:
    rng = np.random.default_rng(7)
    x = np.asarray(DRAWS[family].sample(600, rng=rng), dtype=float)
    labels = rng.integers(0, 6, x.shape[0])
    gs = as_source(x, by=labels).grouped(family())
    params, res = family().fit_many(gs.batch())
    cov = family().covariance_many(params, gs.batch())
    ll = np.where(np.isnan(res.fun), family().loglik_many(params, gs.batch()), res.fun)
    for i, (key,) in enumerate(gs.key_list()):
        est = _one(family, x[labels == key])
        for j, name in enumerate(est.params):
            assert params[name][i] == pytest.approx(est.params[name], rel=1e-9)
            assert np.sqrt(cov[i, j, j]) == pytest.approx(est.se[name], rel=1e-7)
        assert ll[i] == pytest.approx(est.loglik, rel=1e-9)
        assert str(res.status[i]) in ("success", str(est.status))


def test_edge_groups_are_reported_like_fit() -> None:
    # group "flat": all values equal (Gamma shape MLE infinite: boundary); group "pair":
    # two values whose Beta is nearly degenerate, fitted again one by one
    x = np.concatenate([np.full(5, 2.0), th.Gamma(2.0, 1.0).sample(200, rng=1)])
    g = np.array(["flat"] * 5 + ["rest"] * 200)
    t = th.fit(th.Gamma, x, by=g)
    row = t.keys.index(("flat",))
    assert t.columns["status"][row] == "boundary" and np.isinf(t.columns["shape"][row])
    assert t.columns["status"][t.keys.index(("rest",))] == "success"
    xb = np.concatenate([np.full(4, 0.3), [0.3 + 1e-9], th.Beta(2, 3).sample(100, rng=2)])
    gb = np.array(["pair"] * 5 + ["rest"] * 100)
    tb = th.fit(th.Beta, xb, by=gb)
    for (key,) in tb.keys:
        est = _one(th.Beta, xb[gb == key])
        i = tb.keys.index((key,))
        assert tb.columns["status"][i] == str(est.status)
        if est.status == "success":  # (the degenerate group runs away: no value to compare)
            assert tb.columns["a"][i] == pytest.approx(est.params["a"], rel=1e-9)


def test_families_without_batched_hooks_fit_one_by_one() -> None:
    # (Student t by= runs vectorised engine passes: tests/statistics/test_student_passes.py)
    x = th.Laplace(0.0, 1.0).sample(300, rng=3)
    t = th.fit(th.Laplace, x, by=np.arange(300) % 2)
    assert not t.vectorised and len(t) == 2
    assert not th.Laplace().fits_many and th.Gamma().fits_many
    assert not th.Gamma(shape=2.0).fits_many  # a fixed parameter: one by one


# ---------------------------------------------------------------------- posterior(by=)
POSTERIOR_CASES = [
    (th.Bernoulli, th.Bernoulli(0.3), th.Beta(2.0, 3.0)),
    (th.Geometric, th.Geometric(0.4), th.Beta(1.0, 1.0)),
    (th.Poisson, th.Poisson(3.0), th.Gamma(2.0, 1.0)),
    (th.Exponential, th.Exponential(2.0), th.Gamma(1.0, 0.5)),
    (th.Normal(sigma=2.0), th.Normal(1.0, 2.0), th.Normal(0.0, 10.0)),
    (th.Normal(mu=1.0), th.Normal(1.0, 2.0), th.InverseGamma(2.0, 3.0)),
]


def _case_id(v: object) -> str:
    return v.__name__ if isinstance(v, type) else type(v).__name__


@pytest.mark.parametrize("family,truth,prior", POSTERIOR_CASES, ids=_case_id)
def test_posterior_by_is_vectorised_and_equals_the_loop(
    family: object, truth: object, prior: object
) -> None:
    rng = np.random.default_rng(11)
    x = np.asarray(truth.sample(500, rng=rng), dtype=float)
    labels = rng.integers(0, 7, x.shape[0])
    t = th.posterior(family, x, prior=prior, by=labels)
    assert t.vectorised and t.kind == "posterior"
    for (key,) in t.keys:
        i = t.keys.index((key,))
        one = th.posterior(family, x[labels == key], prior=prior)
        (name,) = one.names
        lo, hi = one.interval(0.95)[name]
        for col, want in (("mode", one.mode()[name]), ("mean", one.mean()[name]),
                          ("sd", one.std()[name]), ("low", lo), ("high", hi)):  # fmt: skip
            assert t.columns[f"{name}_{col}"][i] == pytest.approx(float(want), rel=1e-12), col
        assert t.columns["log_evidence"][i] == pytest.approx(one.log_evidence, rel=1e-12)
        assert t.columns["posterior"][i] == repr(one.dist)
        for k, v in one.dist.params.items():  # the group's own Posterior, on request
            assert t[key].dist.params[k] == pytest.approx(v, rel=1e-12)


def test_posterior_by_without_an_array_form_loops() -> None:
    x = th.Normal(1.0, 2.0).sample(200, rng=4)
    t = th.posterior(th.Normal, x, prior=th.NormalInverseGamma(0.0, 1.0, 2.0, 2.0),
                     by=np.arange(200) % 3)  # fmt: skip
    assert not t.vectorised and "mu_mean" in t.columns
