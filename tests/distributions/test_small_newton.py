"""The small-fit Newton loops (issue 12: a fit's fixed cost) reach the optimum
the general damped Newton (optim.newton_maximize) reaches, in as many steps."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special as sc

import thetahat as th
from thetahat.distributions.beta import _newton_mean_logs
from thetahat.optim import newton_maximize


@pytest.mark.parametrize("seed", range(12))
def test_beta_float_newton_matches_the_general_newton(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a0, b0 = rng.uniform(0.05, 30.0, 2)
    x = rng.beta(a0, b0, int(rng.choice([5, 50, 500])))
    x = x[(x > 0) & (x < 1)]
    g1, g2 = float(np.mean(np.log(x))), float(np.mean(np.log1p(-x)))
    start = th.Beta()._start(th.Beta().suff_stats(x))
    a, b = float(start["a"]), float(start["b"])

    def f(z: np.ndarray) -> float:
        p, q = z.tolist()
        return -math.inf if min(p, q) <= 0 else (p - 1) * g1 + (q - 1) * g2 - sc.betaln(p, q)

    def fgh(z: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        p, q = z.tolist()
        s = p + q
        g = np.array([g1 - sc.digamma(p) + sc.digamma(s), g2 - sc.digamma(q) + sc.digamma(s)])
        t = sc.polygamma(1, s)
        info = np.array([[sc.polygamma(1, p) - t, -t], [-t, sc.polygamma(1, q) - t]])
        return f(z), g, -info

    ref = newton_maximize(fgh, np.array([a, b]), f_only=f, xtol=1e-9)
    found = _newton_mean_logs(g1, g2, a, b)
    assert ref.converged and found is not None
    np.testing.assert_allclose(found[:2], ref.x, rtol=1e-10)
    assert found[2] == pytest.approx(ref.fun, rel=1e-13, abs=1e-13)
    assert found[3] == ref.iterations
    # and the fit reports it with success
    est = th.fit(th.Beta, x)
    assert est.status == "success"
    np.testing.assert_allclose([est.params["a"], est.params["b"]], found[:2], rtol=1e-12)


def test_beta_float_newton_reports_a_breakdown() -> None:
    # a start where the objective is not finite: None (the generic solve decides)
    assert _newton_mean_logs(-0.5, -0.5, -1.0, 1.0) is None


@pytest.mark.parametrize("seed", range(8))
def test_weibull_exact_passes_match_the_series_solve(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # small data: a pass per Newton step at its own shape; large data: the moments'
    # series between passes; both reach the same root
    from thetahat.distributions import weibull

    rng = np.random.default_rng(seed)
    k = float(np.exp(rng.uniform(np.log(0.1), np.log(30.0))))
    x = rng.weibull(k, int(rng.choice([4, 40, 400, 4000]))) * float(np.exp(rng.uniform(-9, 9)))
    exact = th.fit(th.Weibull, x)
    monkeypatch.setattr(weibull, "_EXACT_PASSES_MAX", 0)
    series = th.fit(th.Weibull, x)
    assert exact.status == series.status == "success"
    for name in ("shape", "scale"):
        assert exact.params[name] == pytest.approx(series.params[name], rel=1e-12)
    assert exact.loglik == pytest.approx(series.loglik, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(exact.cov, series.cov, rtol=1e-9)
    # and scipy's log density summed at the estimate is the reported log-likelihood
    from scipy import stats

    want = stats.weibull_min(exact.params["shape"], scale=exact.params["scale"]).logpdf(x).sum()
    assert exact.loglik == pytest.approx(want, rel=1e-10)
