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
    x = th.StudentT(5.0, 0.0, 1.0).sample(300, rng=3)
    t = th.fit(th.StudentT, x, by=np.arange(300) % 2)
    assert not t.vectorised and len(t) == 2
    assert not th.StudentT().fits_many and th.Gamma().fits_many
    assert not th.Gamma(shape=2.0).fits_many  # a fixed parameter: one by one
