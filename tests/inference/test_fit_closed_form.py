"""Closed-form MLEs against scipy.stats, simulation and the definition of the MLE."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats

import thetahat as th

RNG = np.random.default_rng(20261122)


def _perturbed_loglik_not_higher(family: th.Distribution, x: np.ndarray, est: th.Estimate) -> None:
    """The MLE maximises the log-likelihood: nearby parameter values do worse."""
    for name, v in est.params.items():
        if np.ndim(v):
            continue
        for step in (1e-3, -1e-3):
            trial = dict(est.params)
            trial[name] = v * (1 + step) if v != 0 else step
            try:
                dist = family.with_params(**trial)
            except ValueError:
                continue
            assert np.sum(dist._logdensity(x)) <= est.loglik + 1e-9


@pytest.mark.parametrize("seed", range(3))
def test_normal_matches_scipy_fit(seed: int) -> None:
    x = np.random.default_rng(seed).normal(10, 3, size=500)
    est = th.fit(th.Normal, x)
    loc, scale = stats.norm.fit(x)
    assert est.params["mu"] == pytest.approx(loc, rel=1e-12)
    assert est.params["sigma"] == pytest.approx(scale, rel=1e-12)
    assert est.loglik == pytest.approx(stats.norm(loc, scale).logpdf(x).sum(), rel=1e-12)


def test_normal_with_a_fixed_parameter() -> None:
    x = RNG.normal(1.0, 2.0, size=300)
    est = th.fit(th.Normal(sigma=2.0), x)
    assert list(est.params) == ["mu"]
    assert est.params["mu"] == pytest.approx(x.mean())
    assert est.se["mu"] == pytest.approx(2.0 / np.sqrt(300))
    est = th.fit(th.Normal(mu=0.0), x)
    assert est.params["sigma"] == pytest.approx(np.sqrt(np.mean(x**2)), rel=1e-12)
    _, scale = stats.norm.fit(x, floc=0.0)
    assert est.params["sigma"] == pytest.approx(scale, rel=1e-12)


def test_exponential_matches_scipy_fit() -> None:
    x = RNG.exponential(2.5, size=400)
    est = th.fit(th.Exponential, x)
    _, scale = stats.expon.fit(x, floc=0)
    assert est.params["rate"] == pytest.approx(1 / scale, rel=1e-12)
    assert est.loglik == pytest.approx(stats.expon(scale=scale).logpdf(x).sum(), rel=1e-12)


def test_poisson_with_exposure() -> None:
    t = RNG.uniform(0.5, 3.0, size=400)
    x = RNG.poisson(1.7 * t)
    est = th.fit(th.Poisson, x, exposure=t)
    assert est.params["rate"] == pytest.approx(x.sum() / t.sum())
    ref = stats.poisson(est.params["rate"] * t).logpmf(x).sum()
    assert est.loglik == pytest.approx(ref, rel=1e-12)
    assert est.se["rate"] == pytest.approx(np.sqrt(est.params["rate"] / t.sum()))
    # scipy.stats.fit on the same data (no exposure) agrees with the plain MLE
    y = RNG.poisson(4.0, size=300)
    res = stats.fit(stats.poisson, y, bounds={"mu": (0, 20)})
    assert th.fit(th.Poisson, y).params["rate"] == pytest.approx(res.params.mu, rel=1e-4)


@pytest.mark.parametrize(
    ("family", "data", "scipy_dist"),
    [
        (th.Bernoulli, lambda r: r.binomial(1, 0.3, 200), lambda p: stats.bernoulli(p["p"])),
        (th.Geometric, lambda r: r.geometric(0.2, 300) - 1, lambda p: stats.geom(p["p"], loc=-1)),
        (th.Poisson, lambda r: r.poisson(3.3, 300), lambda p: stats.poisson(p["rate"])),
        (
            th.Exponential,
            lambda r: r.exponential(0.5, 300),
            lambda p: stats.expon(scale=1 / p["rate"]),
        ),
    ],
)
def test_loglik_is_sum_of_scipy_logpdf_and_maximal(family, data, scipy_dist) -> None:
    x = data(np.random.default_rng(11)).astype(float)
    est = th.fit(family, x)
    d = scipy_dist(est.params)
    ref = (d.logpmf(x) if hasattr(d, "logpmf") else d.logpdf(x)).sum()
    assert est.loglik == pytest.approx(ref, rel=1e-12)
    _perturbed_loglik_not_higher(family(), x, est)


def test_binomial_with_trials_per_observation() -> None:
    n = RNG.integers(1, 30, size=200)
    k = RNG.binomial(n, 0.35)
    est = th.fit(th.Binomial(n=n), k)
    assert est.params["p"] == pytest.approx(k.sum() / n.sum())
    assert est.loglik == pytest.approx(stats.binom(n, est.params["p"]).logpmf(k).sum(), rel=1e-12)
    assert est.se["p"] == pytest.approx(np.sqrt(est.params["p"] * (1 - est.params["p"]) / n.sum()))


def test_categorical_and_multinomial() -> None:
    labels = RNG.choice(4, p=[0.1, 0.2, 0.3, 0.4], size=500)
    est = th.fit(th.Categorical(k=4), labels)
    counts = np.bincount(labels, minlength=4)
    assert np.allclose(est.params["probs"], counts / 500)
    assert est.df_model == 3
    assert est.loglik == pytest.approx(np.sum(counts * np.log(counts / 500)))
    rows = RNG.multinomial(12, [0.5, 0.3, 0.2], size=100)
    est = th.fit(th.Multinomial, rows)
    p = rows.sum(axis=0) / rows.sum()
    assert np.allclose(est.params["probs"], p)
    assert est.loglik == pytest.approx(stats.multinomial(12, p).logpmf(rows).sum(), rel=1e-12)
    assert np.allclose(est.se["probs"], np.sqrt(p * (1 - p) / rows.sum()))


def test_unseen_category_is_a_boundary_with_infinite_se() -> None:
    with pytest.warns(th.BoundaryWarning, match=r"probs\[2\] = 0"):
        est = th.fit(th.Categorical(k=3), [0, 1, 1, 0])
    assert est.se["probs"][2] == np.inf
    assert np.isfinite(est.se["probs"][0])
    # a Dirichlet prior fixes it: no warning and a positive probability
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = th.fit(th.Categorical, [0, 1, 1, 0], prior=th.Dirichlet([2.0, 2.0, 2.0]))
    assert est.params["probs"][2] > 0


def test_zero_poisson_counts_and_zero_variance_are_boundaries() -> None:
    with pytest.warns(th.BoundaryWarning, match="rate = 0"):
        est = th.fit(th.Poisson, [0, 0, 0, 0])
    assert est.params["rate"] == 0 and est.se["rate"] == np.inf
    with pytest.warns(th.BoundaryWarning, match="sigma = 0"):
        est = th.fit(th.Normal, [3.0, 3.0, 3.0])
    assert est.params["sigma"] == 0 and est.se["sigma"] == np.inf
    with pytest.warns(th.BoundaryWarning):
        est = th.fit(th.Poisson, [0, 0, 0], prior=th.Flat())
    assert est.method == "map"


@pytest.mark.parametrize(
    ("family", "draw"),
    [
        (th.Bernoulli, lambda r, n: r.binomial(1, 0.3, n)),
        (th.Poisson, lambda r, n: r.poisson(2.5, n)),
        (th.Exponential, lambda r, n: r.exponential(2.0, n)),
        (th.Normal, lambda r, n: r.normal(-1.0, 2.0, n)),
        (th.Geometric, lambda r, n: r.geometric(0.4, n) - 1),
    ],
)
def test_frequency_weights_equal_repeated_rows(family, draw) -> None:
    r = np.random.default_rng(5)
    x = draw(r, 40).astype(float)
    w = r.integers(0, 5, size=40)
    w[0] = 1
    a = th.fit(family, x, weights=w)
    b = th.fit(family, np.repeat(x, w))
    for k in a.params:
        assert a.params[k] == pytest.approx(b.params[k], rel=1e-12, abs=1e-14)
        assert a.se[k] == pytest.approx(b.se[k], rel=1e-10)
    assert a.loglik == pytest.approx(b.loglik, rel=1e-12)
    assert a.n == b.n


TRUTH = {
    "bernoulli": (th.Bernoulli, {"p": 0.3}, lambda r, n: r.binomial(1, 0.3, n)),
    "poisson": (th.Poisson, {"rate": 2.5}, lambda r, n: r.poisson(2.5, n)),
    "exponential": (th.Exponential, {"rate": 0.5}, lambda r, n: r.exponential(2.0, n)),
    "normal": (th.Normal, {"mu": -1.0, "sigma": 2.0}, lambda r, n: r.normal(-1.0, 2.0, n)),
    "geometric": (th.Geometric, {"p": 0.4}, lambda r, n: r.geometric(0.4, n) - 1),
}


@pytest.mark.parametrize("case", sorted(TRUTH))
def test_recovery_se_and_wald_coverage_by_simulation(case: str) -> None:
    """Estimates recover the truth; se matches the replicate spread; Wald covers ~95%."""
    family, truth, draw = TRUTH[case]
    r = np.random.default_rng(99)
    reps, n = 1000, 200
    est_values = {k: [] for k in truth}
    ses = {k: [] for k in truth}
    cover = {k: 0 for k in truth}
    for _ in range(reps):
        est = th.fit(family, draw(r, n))
        ci = est.conf_int(0.95)
        for k, v in truth.items():
            est_values[k].append(est.params[k])
            ses[k].append(est.se[k])
            cover[k] += ci[k][0] <= v <= ci[k][1]
    for k, v in truth.items():
        vals = np.array(est_values[k])
        # recovery: the mean of the estimates is within 4 Monte Carlo se of the truth
        # (plus the O(1/n) bias of the MLE)
        assert abs(vals.mean() - v) < 4 * vals.std() / np.sqrt(reps) + 2 * abs(v) / n
        # se: the average reported se matches the spread of the estimates (10%)
        assert np.mean(ses[k]) == pytest.approx(vals.std(ddof=1), rel=0.1)
        # coverage within a binomial tolerance of 0.95 (sd ~ 0.007 at 1000 reps)
        assert 0.925 <= cover[k] / reps <= 0.975


def test_fit_from_merged_statistics_equals_fit_on_all_data() -> None:
    x = RNG.normal(5, 1, size=1000)
    parts = [th.Normal().suff_stats(c) for c in np.array_split(x, 7)]
    merged = sum(parts[1:], start=parts[0])
    a, b = th.fit(th.Normal, merged), th.fit(th.Normal, x)
    assert a.params["mu"] == pytest.approx(b.params["mu"], rel=1e-14)
    assert a.params["sigma"] == pytest.approx(b.params["sigma"], rel=1e-13)
    with pytest.raises(TypeError, match="not the sufficient statistics of Poisson"):
        th.fit(th.Poisson, merged)


def test_estimate_reporting() -> None:
    x = RNG.poisson(3.0, size=100)
    est = th.fit(th.Poisson, x)
    assert est.aic == pytest.approx(2 - 2 * est.loglik)
    assert est.bic == pytest.approx(np.log(100) - 2 * est.loglik)
    d = est.to_dict()
    import json

    assert json.loads(json.dumps(d))["params"]["rate"] == pytest.approx(x.mean())
    text = est.summary()
    assert "rate" in text and "MLE" in text
    lo, hi = est.conf_int(0.9)["rate"]
    z = stats.norm.ppf(0.95)
    assert lo == pytest.approx(x.mean() - z * np.sqrt(x.mean() / 100))
    assert hi == pytest.approx(x.mean() + z * np.sqrt(x.mean() / 100))
    logit = est.transform(np.log, "log_rate")
    assert logit.se["log_rate"] == pytest.approx(est.se["rate"] / est.params["rate"], rel=1e-6)
