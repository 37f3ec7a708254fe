"""Small Weibull and Beta fits (issue 12, item 4: the fixed cost) against scipy and against
the routes they shortcut: ``weibull_min.fit(floc=0)`` and ``beta.fit(floc=0, fscale=1)``
never reach a higher log-likelihood; the Weibull shape is the root of the profile score
(scipy's brentq on the score from the data), and the fit is the same through
``_fastpath``'s pass wrapper (``_moments_kernel`` off) and through numpy's passes."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from scipy import optimize, stats

import thetahat as th
from thetahat import _fastpath
from thetahat.distributions import weibull as wb


def _fit(fam: Any, x: np.ndarray, w: np.ndarray | None = None) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return th.fit(fam, x, weights=w)


def _profile_root(x: np.ndarray) -> float:
    """The Weibull shape MLE: the root of 1/k + mean log x - sum x^k log x / sum x^k."""
    y = np.log(x / x.max())

    def score(k: float) -> float:
        e = np.exp(k * y)
        return 1.0 / k + float(np.mean(y)) - float(e @ y / e.sum())

    lo, hi = 1e-3, 1.0
    while score(hi) > 0:
        hi *= 2.0
    return float(optimize.brentq(score, lo, hi, xtol=1e-14, rtol=1e-15))


@pytest.mark.parametrize("seed", range(6))
def test_weibull_small_fit_is_the_profile_root_and_beats_scipy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for n in (3, 10, 100, 1000):
        k = float(np.exp(rng.uniform(np.log(0.2), np.log(20.0))))
        x = rng.weibull(k, n) * np.exp(rng.uniform(-5, 5))
        est = _fit(th.Weibull, x)
        assert est.status == "success"
        shape, scale = est.params["shape"], est.params["scale"]
        assert shape == pytest.approx(_profile_root(x), rel=1e-10)
        assert scale == pytest.approx(np.mean(x**shape) ** (1.0 / shape), rel=1e-10)
        ll = float(stats.weibull_min.logpdf(x, shape, 0.0, scale).sum())
        assert est.loglik == pytest.approx(ll, rel=1e-12, abs=1e-12)
        c, _, s = stats.weibull_min.fit(x, floc=0)
        ll_scipy = float(stats.weibull_min.logpdf(x, c, 0.0, s).sum())
        assert est.loglik >= ll_scipy - 1e-10 * abs(ll_scipy)


@pytest.mark.parametrize("seed", range(4))
def test_weibull_small_fit_same_through_every_pass_route(
    monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    rng = np.random.default_rng(50 + seed)
    cases = []
    for n in (3, 30, 500, 4096):
        x = rng.weibull(float(rng.uniform(0.3, 8.0)), n) * 3.0
        w = rng.uniform(0.1, 2.0, n) if n % 2 == 0 else None
        cases.append((x, w))
    direct = [_fit(th.Weibull, x, w) for x, w in cases]
    monkeypatch.setattr(wb, "_moments_kernel", None)
    wrapped = [_fit(th.Weibull, x, w) for x, w in cases]
    monkeypatch.setattr(_fastpath, "HAVE_FIT_KERNELS", False)
    numpy_passes = [_fit(th.Weibull, x, w) for x, w in cases]
    for a, b, c in zip(direct, wrapped, numpy_passes, strict=True):
        assert a.params == b.params and a.loglik == b.loglik
        assert np.array_equal(a.cov, b.cov)
        for k, v in a.params.items():
            assert c.params[k] == pytest.approx(v, rel=1e-12)
        assert np.allclose(a.cov, c.cov, rtol=1e-10)


def test_weibull_compiled_profile_loop_is_the_python_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    # _kernels.weibull_profile runs _profile_newton's exact passes: the same iterates, bit
    # for bit, so the same estimates, covariance, status, message and passes
    rng = np.random.default_rng(77)
    cases = []
    for n in (2, 3, 10, 100, 1000, 4096):
        for _ in range(4):
            x = rng.weibull(float(np.exp(rng.uniform(-2.5, 3.5))), n)
            cases.append(x * float(np.exp(rng.uniform(-30.0, 30.0))))
    cases.append(np.round(cases[20], 1) + 0.1)  # ties
    compiled = [_fit(th.Weibull, x, None) for x in cases]
    monkeypatch.setattr(wb, "_profile_kernel", None)
    python = [_fit(th.Weibull, x, None) for x in cases]
    for a, b in zip(compiled, python, strict=True):
        assert (a.status, a.message, a.iterations) == (b.status, b.message, b.iterations)
        assert a.params == b.params and a.loglik == b.loglik
        assert a.cov.tobytes() == b.cov.tobytes()


def test_weibull_covariance_is_the_inverse_observed_information() -> None:
    x = np.random.default_rng(9).weibull(1.7, 200) * 2.0
    est = _fit(th.Weibull, x)
    p = np.array([est.params["shape"], est.params["scale"]])

    def ll(v: np.ndarray) -> float:
        return float(stats.weibull_min.logpdf(x, v[0], 0.0, v[1]).sum())

    h = np.zeros((2, 2))
    st = 1e-4 * p
    for i in range(2):
        for j in range(2):
            ei, ej = np.eye(2)[i] * st[i], np.eye(2)[j] * st[j]
            h[i, j] = (ll(p + ei + ej) - ll(p + ei - ej) - ll(p - ei + ej) + ll(p - ei - ej)) / (
                4 * st[i] * st[j]
            )
    assert np.allclose(np.linalg.inv(-h), est.cov, rtol=1e-5)


@pytest.mark.parametrize("seed", range(4))
def test_beta_small_fit_beats_scipy(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    for n in (3, 10, 100, 1000):
        a, b = np.exp(rng.uniform(np.log(0.2), np.log(20.0), 2))
        y = rng.beta(a, b, n)
        y = y[(y > 0) & (y < 1)]
        est = _fit(th.Beta, y)
        assert est.status == "success"
        pa, pb = est.params["a"], est.params["b"]
        assert est.loglik == pytest.approx(stats.beta.logpdf(y, pa, pb).sum(), rel=1e-12)
        sa, sb, _, _ = stats.beta.fit(y, floc=0, fscale=1)
        ll_scipy = float(stats.beta.logpdf(y, sa, sb).sum())
        assert est.loglik >= ll_scipy - 1e-10 * abs(ll_scipy)
