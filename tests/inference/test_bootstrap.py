"""Estimate.bootstrap: coverage by simulation, agreement with the Wald se, failures counted."""

from __future__ import annotations

import numpy as np
import pytest

import thetahat as th


def test_coverage_by_simulation():
    # 90% intervals for an exponential rate, n = 25: percentile and BCa cover near 90%
    rng = np.random.default_rng(20)
    truth, reps = 0.5, 150
    hits = {"percentile": 0, "bca": 0}
    for _ in range(reps):
        x = rng.exponential(1 / truth, size=25)
        boot = th.fit(th.Exponential, x).bootstrap(n=150, kind="nonparametric", rng=rng)
        for m in hits:
            lo, hi = boot.conf_int(0.9, method=m)["rate"]
            hits[m] += lo <= truth <= hi
    # binomial sd of a coverage estimate over 150 replications is about 0.025
    for m, h in hits.items():
        assert 0.80 <= h / reps <= 0.97, (m, h / reps)


def test_parametric_se_matches_wald_se():
    x = np.random.default_rng(1).gamma(3.0, 2.0, size=800)
    est = th.fit(th.Gamma, x)
    boot = est.bootstrap(n=400, rng=2)
    for name in est.params:
        assert boot.se[name] == pytest.approx(est.se[name], rel=0.15)
        assert abs(boot.bias[name]) < 0.5 * est.se[name]
    assert boot.samples.shape == (400, 2) and boot.distribution is boot.samples
    assert boot.n_failed == 0 and boot.failed_share == 0.0


def test_intervals_stay_in_the_parameter_space_and_transform():
    x = np.random.default_rng(3).weibull(1.3, size=60) * 4.0
    est = th.fit(th.Weibull, x)
    boot = est.bootstrap(n=300, kind="nonparametric", rng=4)
    for m in ("percentile", "bca"):
        lo, hi = boot.conf_int(0.95, method=m)["shape"]
        assert 0 < lo < est.params["shape"] < hi
    mean = boot.transform(lambda shape, scale: scale * np.exp(np.log(2.0) / shape), "median")
    direct = est.params["scale"] * 2.0 ** (1 / est.params["shape"])
    assert mean.params["median"] == pytest.approx(direct)
    np.testing.assert_allclose(
        mean.samples[:, 0], boot.samples[:, 1] * 2.0 ** (1 / boot.samples[:, 0])
    )
    lo, hi = mean.conf_int(0.9)["median"]
    assert lo < direct < hi
    log_shape = boot.transform(np.log, "log_shape", of="shape")
    lo2, hi2 = log_shape.conf_int(0.9)["log_shape"]
    lo1, hi1 = boot.conf_int(0.9)["shape"]
    assert (lo2, hi2) == pytest.approx((np.log(lo1), np.log(hi1)))  # percentile respects maps
    assert "BCa low" in boot.summary()


def test_failed_refits_are_reported(monkeypatch):
    import thetahat.inference.bootstrap as boot_module

    real, calls = boot_module.light_mle, {"n": 0}

    def flaky(*args, **kw):
        calls["n"] += 1
        if calls["n"] % 5 == 0:
            return True, None  # a fit that failed
        return real(*args, **kw)

    x = np.random.default_rng(5).gamma(2.0, 1.0, size=50)
    est = th.fit(th.Gamma, x)
    monkeypatch.setenv("THETAHAT_NUM_THREADS", "1")
    monkeypatch.setattr(boot_module, "light_mle", flaky)
    boot = est.bootstrap(n=50, rng=1)
    assert boot.n_failed == 10 and boot.failed_share == pytest.approx(0.2)
    assert np.isnan(boot.samples).any(axis=1).sum() == 10
    assert "10 of 50" in boot.notes[0]
    lo, hi = boot.conf_int()["shape"]
    assert np.isfinite(lo) and np.isfinite(hi)


@pytest.mark.parametrize(
    ("family", "draw"),
    [
        (th.Weibull, lambda r: r.weibull(1.5, 200)),
        (th.Gamma, lambda r: r.gamma(2.0, 1.0, 200)),
        (th.Normal, lambda r: r.normal(0.0, 1.0, 200)),
    ],
)
@pytest.mark.parametrize("kind", ["parametric", "nonparametric"])
def test_light_refits_equal_full_fits(monkeypatch, family, draw, kind):
    # each resample's MLE without an Estimate (closed form or fast fit) against th.fit's
    import thetahat.inference.bootstrap as boot_module

    est = th.fit(family, draw(np.random.default_rng(8)))
    a = est.bootstrap(n=40, kind=kind, rng=2)
    monkeypatch.setattr(boot_module, "light_mle", lambda fam, sample: (False, None))
    b = est.bootstrap(n=40, kind=kind, rng=2)
    np.testing.assert_array_equal(a.samples, b.samples)
    np.testing.assert_array_equal(a.jackknife, b.jackknife)


def test_same_seed_same_replicates_whatever_the_threads(monkeypatch):
    x = np.random.default_rng(6).gamma(2.0, 1.0, size=100)
    est = th.fit(th.Gamma, x)
    a = est.bootstrap(n=70, rng=3)
    monkeypatch.setenv("THETAHAT_NUM_THREADS", "1")
    b = est.bootstrap(n=70, rng=3)
    np.testing.assert_array_equal(a.samples, b.samples)


def test_censored_data_resample_rows():
    rng = np.random.default_rng(7)
    x = rng.weibull(1.5, size=120) * 2.0
    data = th.Censored.right(np.minimum(x, 2.5), x > 2.5)
    est = th.fit(th.Weibull, data)
    boot = est.bootstrap(n=60, kind="nonparametric", rng=1)
    lo, hi = boot.conf_int()["scale"]
    assert lo < est.params["scale"] < hi
    with pytest.raises(ValueError, match="censoring mechanism"):
        est.bootstrap(n=10)


def test_map_estimates_refit_with_their_prior():
    x = np.array([1.0, 1.0, 1.0, 0.0])
    est = th.fit(th.Bernoulli, x, prior=th.Beta(2, 2))
    boot = est.bootstrap(n=200, kind="nonparametric", rng=2)
    # a MAP under Beta(2, 2) with n = 4 is (k + 1) / 6: never the MLE's 0 or 1
    ok = boot.samples[:, 0]
    assert set(np.round(ok * 6, 9)) <= {1.0, 2.0, 3.0, 4.0, 5.0} and 5.0 in set(np.round(ok * 6))


def test_bad_input():
    x = np.random.default_rng(0).gamma(2.0, 1.0, size=30)
    est = th.fit(th.Gamma, x)
    with pytest.raises(ValueError, match="kind"):
        est.bootstrap(kind="jackknife")
    with pytest.raises(ValueError, match="at least 2"):
        est.bootstrap(n=1)
    with pytest.raises(ValueError, match="method"):
        est.bootstrap(n=20, rng=0).conf_int(method="basic")
    with pytest.raises(ValueError, match="level"):
        est.bootstrap(n=20, rng=0).conf_int(1.5)
    with pytest.raises(ValueError, match="keeps no data"):
        th.fit(th.Gamma, th.Gamma().suff_stats(x)).bootstrap(n=10)
    with pytest.raises(ValueError, match="not a bootstrapped"):
        est.bootstrap(n=20, rng=0).transform(np.log, "x", of="sigma")
