"""Fitting the issue-19 families: MLE, weights, censoring, MAP, profile intervals, compare.

References are computed here: the MLE by direct maximisation of the sum of
``scipy.stats`` log densities (Nelder-Mead from a perturbed start, tight
tolerances; ours must reach at least its log-likelihood); censored fits by direct
maximisation of the censored likelihood written out with scipy's ``logcdf`` and
``logsf`` (every new family, with simulated censoring). R's own censored fits
(fitdistrplus' ``fitdistcens`` on its salinity, smokedfish and fluazinam data, the
R script and output kept beside the data) are checked in
``test_censored_fits_vs_r.py``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from scipy import optimize, stats

import thetahat as th

# family, true parameters, scipy constructor from our parameters (in order)
FAMILIES: list[tuple[Any, dict[str, float], Callable[..., Any]]] = [
    (th.Logistic, {"loc": 3.0, "scale": 0.7}, lambda m, s: stats.logistic(m, s)),
    (th.Gumbel, {"loc": -2.0, "scale": 1.3}, lambda m, s: stats.gumbel_r(m, s)),
    (th.LogLogistic, {"shape": 3.5, "scale": 20.0}, lambda c, s: stats.fisk(c, scale=s)),
    (th.Burr, {"shape1": 2.0, "shape2": 3.0, "rate": 0.5},
     lambda a, g, r: stats.burr12(g, a, scale=1 / r)),
    (th.InverseGaussian, {"mu": 2.0, "shape": 5.0},
     lambda m, lam: stats.invgauss(m / lam, scale=lam)),
    (th.GeneralizedPareto, {"scale": 2.0, "shape": 0.2},
     lambda s, xi: stats.genpareto(xi, scale=s)),
    (th.GeneralizedExtremeValue, {"loc": 10.0, "scale": 2.0, "shape": -0.2},
     lambda m, s, xi: stats.genextreme(-xi, m, s)),
    (th.Weibull3, {"shape": 2.0, "scale": 3.0, "loc": 10.0},
     lambda k, s, c: stats.weibull_min(k, loc=c, scale=s)),
    (th.Gamma3, {"shape": 3.0, "rate": 2.0, "loc": -1.0},
     lambda k, r, c: stats.gamma(k, loc=c, scale=1 / r)),
    (th.LogNormal3, {"mu": 0.0, "sigma": 0.5, "loc": 5.0},
     lambda m, s, c: stats.lognorm(s, loc=c, scale=np.exp(m))),
]  # fmt: skip
IDS = [f[0].__name__ for f in FAMILIES]


def _direct_max(nll: Callable[[np.ndarray], float], x0: np.ndarray) -> tuple[np.ndarray, float]:
    """Nelder-Mead from ``x0``, restarted once from its own end point."""
    opts = {"xatol": 1e-10, "fatol": 1e-12, "maxfev": 6000}
    best = optimize.minimize(nll, x0, method="Nelder-Mead", options=opts)
    again = optimize.minimize(nll, best.x, method="Nelder-Mead", options=opts)
    if again.fun < best.fun:
        best = again
    return best.x, -float(best.fun)


def _scipy_nll(ref: Callable[..., Any], x: np.ndarray, w: np.ndarray | None = None) -> Any:
    def nll(t: np.ndarray) -> float:
        try:
            with np.errstate(all="ignore"):
                lp = ref(*t).logpdf(x)
        except (ValueError, ZeroDivisionError):
            return 1e300
        v = -float(np.sum(lp) if w is None else np.dot(w, lp))
        return v if np.isfinite(v) else 1e300

    return nll


@pytest.mark.parametrize(("cls", "truth", "ref"), FAMILIES, ids=IDS)
def test_mle_matches_direct_maximisation_of_scipy_logpdf(cls: Any, truth: Any, ref: Any) -> None:
    x = cls(**truth).sample(400, rng=2024)
    est = th.fit(cls, x)
    assert est.status == "success", est.message
    names = list(truth)
    theta = np.array([est.params[k] for k in names])
    p, ll = _direct_max(_scipy_nll(ref, x), theta * (1.0 + 0.02) + 0.01)
    # ours is never worse than the direct maximisation, and the same point
    assert est.loglik >= ll - 1e-9 * abs(ll)
    np.testing.assert_allclose(theta, p, rtol=2e-5, atol=1e-6)
    assert est.loglik == pytest.approx(float(np.sum(ref(*theta).logpdf(x))), rel=1e-12)
    assert all(np.isfinite(v) and v > 0 for v in est.se.values())


@pytest.mark.parametrize(("cls", "truth", "ref"), FAMILIES, ids=IDS)
def test_weights_are_repeated_rows(cls: Any, truth: Any, ref: Any) -> None:
    x = cls(**truth).sample(60, rng=7)
    w = np.random.default_rng(3).integers(1, 4, x.size).astype(float)
    a = th.fit(cls, x, weights=w)
    b = th.fit(cls, np.repeat(x, w.astype(int)))
    for k in truth:
        assert a.params[k] == pytest.approx(b.params[k], rel=1e-6, abs=1e-9)
        assert a.se[k] == pytest.approx(b.se[k], rel=1e-4)
    assert a.loglik == pytest.approx(b.loglik, rel=1e-10)


@pytest.mark.parametrize(("cls", "truth", "ref"), FAMILIES[:7], ids=IDS[:7])
def test_fast_path_agrees_with_the_generic_newton_solve(cls: Any, truth: Any, ref: Any) -> None:
    """Exact observations given as Censored data take the generic solve (no fast path)."""
    x = cls(**truth).sample(300, rng=99)
    fast = th.fit(cls, x)
    generic = th.fit(cls, th.Censored(x, x))
    for k in truth:
        assert fast.params[k] == pytest.approx(generic.params[k], rel=1e-6, abs=1e-8)
        assert fast.se[k] == pytest.approx(generic.se[k], rel=1e-3)
    assert fast.loglik >= generic.loglik - 1e-9 * abs(generic.loglik)


@pytest.mark.parametrize(
    ("cls", "truth"),
    [(th.Logistic, {"loc": 3.0, "scale": 0.7}), (th.Gumbel, {"loc": -2.0, "scale": 1.3}),
     (th.LogLogistic, {"shape": 3.5, "scale": 20.0}),
     (th.InverseGaussian, {"mu": 2.0, "shape": 5.0}),
     (th.GeneralizedPareto, {"scale": 2.0, "shape": 0.2}),
     (th.LogNormal3, {"mu": 0.0, "sigma": 0.5, "loc": 5.0})],
    ids=["logistic", "gumbel", "loglogistic", "invgauss", "genpareto", "lognormal3"],
)  # fmt: skip
def test_parameter_recovery_and_se_match_the_simulation_spread(cls: Any, truth: Any) -> None:
    reps, n = 100, 300
    rng = np.random.default_rng(11)
    d = cls(**truth)
    draws = {k: [] for k in truth}  # type: dict[str, list[float]]
    ses = {k: [] for k in truth}  # type: dict[str, list[float]]
    for _ in range(reps):
        est = th.fit(cls, d.sample(n, rng=rng))
        for k in truth:
            draws[k].append(est.params[k])
            ses[k].append(est.se[k])
    for k, v in truth.items():
        arr = np.array(draws[k])
        spread = float(np.std(arr, ddof=1))
        # unbiased to within 4 Monte Carlo standard errors (plus the O(1/n) bias)
        assert abs(arr.mean() - v) < 4 * spread / np.sqrt(reps) + 0.02 * spread, k
        # the typical standard error is the sampling sd (the sd of an sd: ~7% at 100 reps)
        assert float(np.median(ses[k])) == pytest.approx(spread, rel=0.2), k


def _censor(x: np.ndarray, seed: int) -> tuple[Any, dict[str, np.ndarray]]:
    """Right-censor a third, left-censor a tenth and interval-censor a tenth of ``x``."""
    rng = np.random.default_rng(seed)
    q = np.quantile(x, [0.1, 0.7])
    kind = rng.random(x.size)
    lo, hi = x.copy(), x.copy()
    right = (x > q[1]) & (kind < 0.6)
    left = (x < q[0]) & (kind < 0.6)
    width = 0.2 * float(np.std(x))
    inter = ~right & ~left & (kind > 0.85)
    hi[right] = np.inf
    lo[right] = q[1]
    lo[left] = -np.inf
    hi[left] = q[0]
    lo[inter] = x[inter] - width * rng.random(int(inter.sum()))
    hi[inter] = lo[inter] + width
    exact = lo == hi
    parts = {"exact": lo[exact], "left": hi[left], "right": lo[right],
             "lo": lo[inter], "hi": hi[inter]}  # fmt: skip
    return th.Censored(lo, hi), parts


def _censored_nll(ref: Callable[..., Any], parts: dict[str, np.ndarray]) -> Any:
    def nll(t: np.ndarray) -> float:
        try:
            with np.errstate(all="ignore"):
                r = ref(*t)
                v = (np.sum(r.logpdf(parts["exact"])) + np.sum(r.logcdf(parts["left"]))
                     + np.sum(r.logsf(parts["right"]))
                     + np.sum(np.log(r.cdf(parts["hi"]) - r.cdf(parts["lo"]))))  # fmt: skip
        except (ValueError, ZeroDivisionError):
            return 1e300
        return -float(v) if np.isfinite(v) else 1e300

    return nll


@pytest.mark.parametrize(("cls", "truth", "ref"), FAMILIES, ids=IDS)
def test_censored_fit_matches_direct_maximisation(cls: Any, truth: Any, ref: Any) -> None:
    """No published R (fitdistrplus ``fitdistcens``) numbers exist for these families on
    data we ship; the reference is the censored likelihood written out with scipy's
    logpdf/logcdf/logsf and maximised directly."""
    x = cls(**truth).sample(250, rng=5)
    data, parts = _censor(x, seed=6)
    with warnings.catch_warnings():
        warnings.simplefilter("error", th.ConvergenceWarning)
        est = th.fit(cls, data)
    assert est.status == "success", est.message
    names = list(truth)
    theta = np.array([est.params[k] for k in names])
    p, ll = _direct_max(_censored_nll(ref, parts), theta * 1.02 + 0.01)
    assert est.loglik >= ll - 1e-9 * abs(ll)
    np.testing.assert_allclose(theta, p, rtol=1e-4, atol=1e-6)
    assert all(np.isfinite(v) and v > 0 for v in est.se.values())


def test_uniform_mle_is_the_sample_range_with_its_boundary_said() -> None:
    x = th.Uniform(2.0, 5.0).sample(200, rng=1)
    with pytest.warns(th.BoundaryWarning, match="sample range"):
        est = th.fit(th.Uniform, x)
    assert est.status == "boundary"
    assert est.params == {"low": float(x.min()), "high": float(x.max())}
    n = x.size
    # the exact sampling sd of a uniform sample's extremes
    sd = 3.0 * np.sqrt(n / ((n + 1) ** 2 * (n + 2)))
    assert est.se["low"] == pytest.approx(sd, rel=0.02)
    # simulated spread of the minimum agrees
    mins = [th.Uniform(2.0, 5.0).sample(n, rng=s).min() for s in range(400)]
    assert float(np.std(mins)) == pytest.approx(sd, rel=0.12)
    # one end given: the other in closed form
    assert th.fit(th.Uniform(low=0.0), x).params == {"high": float(x.max())}
    # profile interval of the upper end: one-sided above max(x)
    lo, hi = est.conf_int(kind="profile")["high"]
    assert lo == pytest.approx(float(x.max()), rel=1e-6) and hi > x.max()
    with pytest.warns(th.BoundaryWarning):
        assert th.fit(th.Uniform, [1.0, 1.0]).status == "boundary"


def test_uniform_refuses_censored_data_with_the_reason_and_is_a_prior() -> None:
    data = th.Censored.right([1.0, 2.0, 8.0], [False, False, True])
    with pytest.raises(ValueError, match=r"Uniform cannot be fitted to censored data.*kinks"):
        th.fit(th.Uniform, data)
    # as a prior: Uniform(0, 1) on a probability is Beta(1, 1), the MAP is the MLE
    est = th.fit(th.Bernoulli, [1, 1, 0, 1], prior={"p": th.Uniform(0.0, 1.0)})
    assert est.params["p"] == pytest.approx(0.75, rel=1e-6)
    with pytest.raises(ValueError, match="outside the parameter's domain"):
        th.fit(th.Bernoulli, [1, 0], prior={"p": th.Uniform(-1.0, 1.0)})


def test_inverse_gaussian_closed_form_and_statistics_merge() -> None:
    x = th.InverseGaussian(2.0, 5.0).sample(500, rng=4)
    est = th.fit(th.InverseGaussian, x)
    assert est.message == "closed form"
    mu = x.mean()
    lam = 1.0 / np.mean(1.0 / x - 1.0 / mu)
    assert est.params["mu"] == pytest.approx(mu, rel=1e-12)
    assert est.params["shape"] == pytest.approx(lam, rel=1e-10)
    fam = th.InverseGaussian()
    merged = fam.suff_stats(x[:123]) + fam.suff_stats(x[123:])
    assert th.fit(fam, merged).params["shape"] == pytest.approx(lam, rel=1e-10)
    # the shape's scaled inverse is chi-square(n - 1): se from Fisher information
    assert est.se["shape"] == pytest.approx(lam * np.sqrt(2.0 / x.size), rel=1e-10)


def test_map_with_a_prior_matches_direct_maximisation() -> None:
    x = th.Gumbel(1.0, 2.0).sample(40, rng=8)
    prior = {"scale": th.Gamma(20.0, 10.0)}
    est = th.fit(th.Gumbel, x, prior=prior)
    assert est.method == "map"

    def nlp(t: np.ndarray) -> float:
        if t[1] <= 0:
            return 1e300
        return -float(np.sum(stats.gumbel_r(t[0], t[1]).logpdf(x))
                      + stats.gamma(20.0, scale=0.1).logpdf(t[1]))  # fmt: skip

    p, _ = _direct_max(nlp, np.array([1.0, 2.0]))
    assert est.params["loc"] == pytest.approx(p[0], rel=1e-5)
    assert est.params["scale"] == pytest.approx(p[1], rel=1e-5)


@pytest.mark.parametrize(
    ("cls", "truth", "ref"), [FAMILIES[0], FAMILIES[4], FAMILIES[5]], ids=["logistic", "ig", "gpd"]
)
def test_profile_interval_ends_are_where_the_profile_drops_by_chi2(
    cls: Any, truth: Any, ref: Any
) -> None:
    x = cls(**truth).sample(80, rng=21)
    est = th.fit(cls, x)
    names = list(truth)
    drop = 0.5 * stats.chi2.ppf(0.95, 1)
    for j, name in enumerate(names):
        lo, hi = est.conf_int(kind="profile")[name]
        assert lo < est.params[name] < hi
        for end in (lo, hi):
            others = [k for k in names if k != name]

            def nll(t: np.ndarray, end: float = end, j: int = j) -> float:
                full = np.insert(t, j, end)
                return _scipy_nll(ref, x)(full)

            start = np.array([est.params[k] for k in others])
            _, ll_end = _direct_max(nll, start)
            assert ll_end == pytest.approx(est.loglik - drop, abs=2e-4)


def test_gpd_shape_below_minus_half_is_reported_not_success() -> None:
    x = th.GeneralizedPareto(1.0, -0.7).sample(500, rng=2)
    with pytest.warns(th.BoundaryWarning, match="not regular"):
        est = th.fit(th.GeneralizedPareto, x)
    assert est.status == "boundary"
    assert est.params["shape"] < -0.5
    assert all(np.isinf(v) for v in est.se.values())
    # still the local maximum of the likelihood (scipy's direct maximisation, same start)
    _, ll = _direct_max(_scipy_nll(FAMILIES[5][2], x), np.array([1.0, -0.6]))
    assert est.loglik >= ll - 1e-7 * abs(ll)


def test_extreme_value_small_samples_are_flagged() -> None:
    x = th.GeneralizedExtremeValue(0.0, 1.0, 0.1).sample(25, rng=3)
    est = th.fit(th.GeneralizedExtremeValue, x)
    assert "small sample" in est.message and "prior" in est.message
    # the remedy the message names: a prior on the shape (MAP)
    mapped = th.fit(th.GeneralizedExtremeValue, x, prior={"shape": th.Normal(0.0, 0.2)})
    assert mapped.method == "map" and abs(mapped.params["shape"]) < abs(est.params["shape"]) + 1


def test_threshold_unbounded_likelihood_is_a_boundary_with_the_reason() -> None:
    x = th.Weibull3(0.6, 2.0, 5.0).sample(300, rng=4)
    with pytest.warns(th.BoundaryWarning, match="loc -> min"):
        est = th.fit(th.Weibull3, x)
    assert est.status == "boundary"
    assert x.min() - 1e-3 < est.params["loc"] < x.min()
    assert np.isinf(est.se["loc"])
    # with the threshold given, the two-parameter Weibull on x - loc
    fixed = th.fit(th.Weibull3(loc=5.0), x)
    plain = th.fit(th.Weibull, x - 5.0)
    assert fixed.params["shape"] == pytest.approx(plain.params["shape"], rel=1e-10)


def test_threshold_interior_maximum_beats_nearby_thresholds() -> None:
    x = th.LogNormal3(1.0, 0.4, 20.0).sample(400, rng=5)
    est = th.fit(th.LogNormal3, x)
    assert est.status == "success" and "interior local maximum" in est.message
    c = est.params["loc"]
    for t in (c - 0.05, c + 0.05):
        y = np.log(x - t)
        ll = np.sum(stats.norm(y.mean(), y.std()).logpdf(y) - y)
        assert ll < est.loglik
    lo, hi = est.conf_int(kind="profile")["loc"]
    assert lo < c < hi < x.min()


def test_compare_and_cli_list_the_new_families() -> None:
    x = th.Gumbel(5.0, 1.0).sample(3000, rng=6)
    cmp = th.compare([th.Normal, th.Logistic, th.Gumbel, th.GeneralizedExtremeValue], x)
    best = cmp.rows[0]["family"]
    assert best in ("Gumbel", "GeneralizedExtremeValue")
    from thetahat.cli.families import families_json

    names = {r["name"] for r in families_json() if r["fittable"]}
    assert {"Logistic", "LogLogistic", "Burr", "Gumbel", "InverseGaussian", "Uniform",
            "GeneralizedPareto", "GeneralizedExtremeValue", "Weibull3", "Gamma3",
            "LogNormal3"} <= names  # fmt: skip


def test_custom_model_fits_censored_data_like_the_builtin_family() -> None:
    x = th.Logistic(1.0, 2.0).sample(300, rng=12)
    data, _ = _censor(x, seed=13)
    from scipy import special as sc

    def logpdf(v: Any, m: float, s: float) -> Any:
        return stats.logistic.logpdf(v, m, s)

    with_cdf = th.Model(logpdf, params={"m": "real", "s": "positive"},
                        logcdf=lambda v, m, s: sc.log_expit((v - m) / s))  # fmt: skip
    with_sf = th.Model(logpdf, params={"m": "real", "s": "positive"},
                       logsf=lambda v, m, s: sc.log_expit((m - v) / s))  # fmt: skip
    ref = th.fit(th.Logistic, data)
    for m in (with_cdf, with_sf):
        est = th.fit(m, data)
        assert est.params["m"] == pytest.approx(ref.params["loc"], rel=1e-6)
        assert est.params["s"] == pytest.approx(ref.params["scale"], rel=1e-6)
        assert est.loglik == pytest.approx(ref.loglik, rel=1e-9)
        assert est.se["s"] == pytest.approx(ref.se["scale"], rel=1e-3)
    bare = th.Model(logpdf, params={"m": "real", "s": "positive"}, name="Bare")
    with pytest.raises(ValueError, match=r"Bare .*logcdf=.*logsf="):
        th.fit(bare, data)
