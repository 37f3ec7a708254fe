"""Student t, Weibull and Beta MLEs against scipy, and their edge cases.

The log-likelihood an Estimate reports must be the log-likelihood at the reported
estimate (summed scipy log densities), and no worse than what scipy.optimize finds
maximising the same sums; boundaries (the Student t's Normal limit, equal values)
come with a BoundaryWarning and status "boundary", never as a failure.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from scipy import optimize, stats

import thetahat as th
from thetahat import _fastpath


def _t_loglik(x: np.ndarray, p: dict[str, float], w: np.ndarray | None = None) -> float:
    if np.isinf(p["df"]):
        lp = stats.norm.logpdf(x, p["loc"], p["scale"])
    else:
        lp = stats.t.logpdf(x, p["df"], p["loc"], p["scale"])
    return float(np.sum(lp) if w is None else w @ lp)


def _scipy_t_max(x: np.ndarray, start: np.ndarray) -> float:
    """scipy.optimize's maximum of the summed t log densities over (log df, loc, log s)."""

    def nll(z: np.ndarray) -> float:
        v = -float(np.sum(stats.t.logpdf(x, np.exp(z[0]), z[1], np.exp(z[2]))))
        return v if np.isfinite(v) else 1e300

    res = optimize.minimize(
        nll, start, method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000}
    )
    return -float(res.fun)


def test_issue_10_loglik_is_at_the_estimate() -> None:
    x = np.array([1.0, 3.0, 10.0])
    with pytest.warns(th.BoundaryWarning):
        est = th.fit(th.StudentT, x)
    # three points always look light-tailed: the MLE is the Normal limit
    assert est.status == "boundary" and np.isinf(est.params["df"])
    assert est.params["loc"] == pytest.approx(np.mean(x), rel=1e-14)
    assert est.params["scale"] == pytest.approx(np.std(x), rel=1e-14)
    assert est.loglik == pytest.approx(_t_loglik(x, est.params), rel=1e-13)
    assert est.loglik == pytest.approx(-8.3077, abs=1e-4)


@pytest.mark.parametrize("n", [10, 30, 200])
def test_student_t_small_samples_end_in_success_or_boundary(n: int) -> None:
    rng = np.random.default_rng(n)
    for _ in range(60):
        x = rng.standard_t(3.0, n) * 2.0 + 5.0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", th.BoundaryWarning)
            est = th.fit(th.StudentT, x)
        assert est.status in ("success", "boundary"), est.message
        assert est.loglik == pytest.approx(_t_loglik(x, est.params), rel=1e-12, abs=1e-10)
        if est.status == "boundary":
            assert np.isinf(est.params["df"])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_student_t_never_worse_than_scipy_optimize(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.standard_t(2.5, 400) * 0.3 - 1.0
    est = th.fit(th.StudentT, x)
    p = est.params
    assert est.status == "success"
    # scipy's own fit, and Nelder-Mead from a perturbed thetahat estimate
    ll_fit = _t_loglik(x, dict(zip(("df", "loc", "scale"), stats.t.fit(x), strict=True)))
    start = np.array([np.log(p["df"]) + 0.3, p["loc"] + 0.05, np.log(p["scale"]) - 0.2])
    ll_nm = _scipy_t_max(x, start)
    assert est.loglik >= max(ll_fit, ll_nm) - 1e-9 * abs(est.loglik)


def test_student_t_large_sample_subsample_start() -> None:
    rng = np.random.default_rng(7)
    x = rng.standard_t(4.0, 300_000) * 3.0 + 1.0
    est = th.fit(th.StudentT, x)
    p = est.params
    assert est.status == "success" and est.iterations <= 6
    assert est.loglik == pytest.approx(_t_loglik(x, p), rel=1e-12)
    # the score of the scipy sums is zero at the estimate (central differences)
    z0 = np.array([np.log(p["df"]), p["loc"], np.log(p["scale"])])
    for i in range(3):
        e = np.zeros(3)
        e[i] = 1e-5
        up = _t_loglik(
            x, {"df": np.exp((z0 + e)[0]), "loc": (z0 + e)[1], "scale": np.exp((z0 + e)[2])}
        )
        dn = _t_loglik(
            x, {"df": np.exp((z0 - e)[0]), "loc": (z0 - e)[1], "scale": np.exp((z0 - e)[2])}
        )
        assert abs(up - dn) / 2e-5 < 1e-4 * np.sqrt(x.shape[0])


def test_student_t_normal_data_is_the_normal_limit() -> None:
    x = np.random.default_rng(4).normal(2.0, 3.0, 5000)
    x = x[np.abs(x - 2.0) < 7.0]  # no tails at all: kurtosis below 3
    with pytest.warns(th.BoundaryWarning, match="Normal"):
        est = th.fit(th.StudentT, x)
    assert est.status == "boundary" and np.isinf(est.params["df"])
    # no finite df does better (the likelihood rises towards the limit)
    for df in (5.0, 50.0, 5000.0):
        _, loc, scale = stats.t.fit(x, f0=df)
        assert est.loglik >= _t_loglik(x, {"df": df, "loc": loc, "scale": scale})


def test_student_t_fixed_df_and_weights() -> None:
    rng = np.random.default_rng(9)
    x = rng.standard_t(5.0, 500)
    est = th.fit(th.StudentT(df=4.0), x)
    _, loc, scale = stats.t.fit(x, f0=4.0)
    assert est.loglik >= _t_loglik(x, {"df": 4.0, "loc": loc, "scale": scale}) - 1e-9
    xs = rng.standard_t(3.0, 60).round(1)
    vals, counts = np.unique(xs, return_counts=True)
    a = th.fit(th.StudentT, xs)
    b = th.fit(th.StudentT, vals, weights=counts.astype(float))
    for k in ("df", "loc", "scale"):
        assert a.params[k] == pytest.approx(b.params[k], rel=1e-7)
    assert a.loglik == pytest.approx(b.loglik, rel=1e-12)


def test_student_t_equal_values_are_a_boundary() -> None:
    with pytest.warns(th.BoundaryWarning, match="equal"):
        est = th.fit(th.StudentT, [3.0, 3.0, 3.0])
    assert est.status == "boundary" and est.params["scale"] == 0.0 and est.loglik == np.inf


@pytest.mark.parametrize("c", [1e300, 1e-300, 1.0])
def test_weibull_scaled_data_do_not_overflow(c: float) -> None:
    base = np.array([1.0, 2.0, 4.0, 3.0, 2.5])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        est = th.fit(th.Weibull, base * c)
        ref = th.fit(th.Weibull, base)
    assert est.status == "success"
    assert est.params["shape"] == pytest.approx(ref.params["shape"], rel=1e-10)
    assert est.params["scale"] == pytest.approx(ref.params["scale"] * c, rel=1e-10)
    want = stats.weibull_min.logpdf(base * c, est.params["shape"], scale=est.params["scale"]).sum()
    assert est.loglik == pytest.approx(want, rel=1e-12)
    assert est.se["shape"] == pytest.approx(ref.se["shape"], rel=1e-8)


def test_issue_10_weibull_near_1e300() -> None:
    est = th.fit(th.Weibull, [1e300, 2e300, 4e300])
    assert est.status == "success" and np.isfinite(est.params["scale"])
    want = stats.weibull_min.logpdf(
        [1e300, 2e300, 4e300], est.params["shape"], scale=est.params["scale"]
    )
    assert est.loglik == pytest.approx(float(np.sum(want)), rel=1e-12)


def _max_scipy(logpdf: Any, x: np.ndarray, start: np.ndarray) -> float:
    def nll(z: np.ndarray) -> float:
        v = -float(np.sum(logpdf(x, *np.exp(z))))
        return v if np.isfinite(v) else 1e300

    res = optimize.minimize(
        nll, start, method="Nelder-Mead", options={"xatol": 1e-11, "fatol": 1e-13}
    )
    return -float(res.fun)


@pytest.mark.parametrize("n", [20, 2000, 150_000])
def test_weibull_and_beta_never_worse_than_scipy(n: int) -> None:
    rng = np.random.default_rng(n)
    x = 3.0 * rng.weibull(0.7, n)
    est = th.fit(th.Weibull, x)
    k, lam = est.params["shape"], est.params["scale"]
    assert est.loglik == pytest.approx(stats.weibull_min.logpdf(x, k, scale=lam).sum(), rel=1e-12)
    best = _max_scipy(
        lambda v, a, b: stats.weibull_min.logpdf(v, a, scale=b), x, np.log([k * 1.2, lam * 0.8])
    )
    ref = stats.weibull_min.fit(x, floc=0)
    best = max(best, float(stats.weibull_min.logpdf(x, ref[0], scale=ref[2]).sum()))
    assert est.loglik >= best - 1e-10 * abs(best)
    y = rng.beta(0.4, 7.0, n)
    eb = th.fit(th.Beta, y)
    a, b = eb.params["a"], eb.params["b"]
    assert eb.loglik == pytest.approx(stats.beta.logpdf(y, a, b).sum(), rel=1e-12)
    best = _max_scipy(stats.beta.logpdf, y, np.log([a * 1.2, b * 0.8]))
    assert eb.loglik >= best - 1e-10 * abs(best)


def test_fits_without_the_kernels_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(12)
    data = {
        th.StudentT: rng.standard_t(3.0, 30_000),
        th.Weibull: rng.weibull(1.7, 30_000),
        th.Beta: rng.beta(2.0, 0.5, 30_000),
    }
    fast = {fam: th.fit(fam, x) for fam, x in data.items()}
    monkeypatch.setattr(_fastpath, "HAVE_FIT_KERNELS", False)
    for fam, x in data.items():
        slow = th.fit(fam, x)
        for k, v in fast[fam].params.items():
            assert slow.params[k] == pytest.approx(v, rel=1e-9)
        assert slow.loglik == pytest.approx(fast[fam].loglik, rel=1e-12)
    bad = data[th.Beta].copy()
    bad[123] = 1.0
    with pytest.raises(ValueError, match=r"data\[123\]"):
        th.fit(th.Beta, bad)
