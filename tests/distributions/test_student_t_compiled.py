"""The Student t's small-sample fit in one compiled call (``_kernels.t_newton`` and
``t_start``; issue 12, item 4) against the Python route it replaces (``optim.
newton_maximize`` over ``_TFit.objective``, the numpy robust start) and scipy.

Same statuses and iteration counts, the same estimates to rounding, never a lower
log-likelihood than ``scipy.stats.t.fit``, and at n = 10 every fit ends in success or
the Normal limit (status boundary), never failed.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

import numpy as np
import pytest
from scipy import stats

import thetahat as th
from thetahat import _fastpath
from thetahat.distributions import student_t as st


def _quiet_fit(fam: Any, x: np.ndarray, w: np.ndarray | None = None) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return th.fit(fam, x, weights=w)


def _both(
    monkeypatch: pytest.MonkeyPatch, fam: Any, x: np.ndarray, w: np.ndarray | None = None
) -> tuple[Any, Any]:
    fast = _quiet_fit(fam, x, w)
    with monkeypatch.context() as m:
        m.setattr(st, "_t_newton", None)
        m.setattr(st, "_t_start", None)
        slow = _quiet_fit(fam, x, w)
    return fast, slow


def _agree(fast: Any, slow: Any) -> None:
    assert fast.status == slow.status, (fast.message, slow.message)
    assert fast.iterations == slow.iterations
    assert fast.message == slow.message
    for k, v in slow.params.items():
        if np.isfinite(v):
            ref = abs(v) if k != "loc" else max(abs(v), slow.params.get("scale", 1.0))
            assert abs(fast.params[k] - v) <= 1e-10 * ref, (k, fast.params[k], v)
        else:
            assert fast.params[k] == v
    assert fast.loglik == pytest.approx(slow.loglik, rel=1e-12, abs=1e-12)
    if np.all(np.isfinite(slow.cov)):
        assert np.allclose(fast.cov, slow.cov, rtol=1e-8, atol=1e-12 * np.max(np.abs(slow.cov)))


@pytest.mark.parametrize("seed", range(8))
def test_compiled_fit_matches_the_python_route(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for n in (3, 5, 10, 30, 100, 400, 1000):
        df = float(rng.choice([0.8, 1.5, 3.0, 6.0, 20.0, 1e4]))
        x = rng.standard_t(df, n) * np.exp(rng.uniform(-6, 6)) + rng.uniform(-50, 50)
        _agree(*_both(monkeypatch, th.StudentT, x))
        w = rng.uniform(0.1, 3.0, n)
        _agree(*_both(monkeypatch, th.StudentT, x, w))


@pytest.mark.parametrize(
    "fam",
    [
        th.StudentT(df=4.0),
        th.StudentT(loc=0.0),
        th.StudentT(scale=1.0),
        th.StudentT(df=2.0, loc=0.5),
    ],
    ids=["df", "loc", "scale", "df+loc"],
)
def test_compiled_fit_with_fixed_parameters(monkeypatch: pytest.MonkeyPatch, fam: Any) -> None:
    rng = np.random.default_rng(3)
    for n in (5, 50, 500):
        x = rng.standard_t(3.0, n) * 1.5 + 0.3
        _agree(*_both(monkeypatch, fam, x))


def test_compiled_fit_at_the_normal_limit_and_heavy_restart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Light-tailed samples (the Normal limit: the drift out of the compiled solve and the
    heavy-tailed restart from df = 1.5) end as the Python route ends."""
    rng = np.random.default_rng(11)
    seen = set()
    for _ in range(40):
        x = rng.uniform(-1.0, 1.0, int(rng.choice([4, 10, 40])))
        fast, slow = _both(monkeypatch, th.StudentT, x)
        _agree(fast, slow)
        seen.add(str(fast.status))
    assert "boundary" in seen


@pytest.mark.parametrize("n", [4, 7, 10, 101, 150, 999, 1000, 100_000, 100_001])
def test_t_start_is_the_robust_statistics(n: int) -> None:
    rng = np.random.default_rng(n)
    for x in (rng.standard_t(2.0, n), np.round(rng.normal(size=n), 1)):  # ties too
        loc, mad, tail_lo, tail_hi, lo, hi = st._t_start(x)
        assert (lo, hi) == (np.min(x), np.max(x))
        assert loc == np.median(x)
        assert mad == np.median(np.abs(x - np.median(x)))
        cut = n // 100
        xs = np.sort(x)
        assert (tail_lo, tail_hi) == (xs[cut], xs[n - 1 - cut]) == st._tail_values(x)
    assert st._t_start(np.array([1.0, np.nan])) is None
    assert st._t_start(np.full(5, 2.0))[:4] == (2.0, 0.0, 2.0, 2.0)


def _orders(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    x = rng.standard_t(3.0, n)
    up = np.sort(x)
    return {
        "random": x,
        "sorted": up,
        "descending": up[::-1].copy(),
        "organ pipe": np.concatenate([up[::2], up[1::2][::-1]]),
        "few values": rng.integers(0, 5, n).astype(float),
        "one value": np.full(n, 1.25),
        "one outlier": np.concatenate([np.full(n - 1, -2.0), [7.0]]),
        "blocks": np.repeat(rng.normal(size=max(1, n // 40)), 40)[:n],
    }


@pytest.mark.parametrize("n", [31, 32, 33, 36, 39, 40, 64, 257, 1001, 4096, 20000])
def test_t_start_order_statistics_whatever_the_order(n: int) -> None:
    # _kernels_select.c partitions four values at a time between two buffers, picks
    # pivots from a sample, splits off values equal to a pivot, and sorts what is left
    # when pivots keep missing: exact order statistics for any order, ties and sizes
    # around its vector and small-array boundaries (32 values; the last 8 one at a time)
    rng = np.random.default_rng(n)
    for name, x in _orders(n, rng).items():
        loc, mad, tail_lo, tail_hi, lo, hi = st._t_start(x)
        assert (lo, hi) == (np.min(x), np.max(x)), name
        assert loc == np.median(x), name
        assert mad == np.median(np.abs(x - np.median(x))), name
        xs, m = np.sort(x), x.shape[0]  # ("blocks" has a multiple of 40 values)
        assert (tail_lo, tail_hi) == (xs[m // 100], xs[m - 1 - m // 100]), name


@pytest.mark.parametrize("seed", range(4))
def test_compiled_fit_never_worse_than_scipy(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    for n in (10, 60, 400):
        x = rng.standard_t(2.5, n) * 3.0 - 1.0
        est = _quiet_fit(th.StudentT, x)
        df, loc, scale = stats.t.fit(x)
        ll_scipy = float(np.sum(stats.t.logpdf(x, df, loc, scale)))
        assert est.loglik >= ll_scipy - 1e-9 * abs(ll_scipy)
        if np.isfinite(est.params["df"]):
            p = est.params
            lp = stats.t.logpdf(x, p["df"], p["loc"], p["scale"]).sum()
            assert est.loglik == pytest.approx(lp, rel=1e-12)


def test_n10_ends_in_success_or_boundary() -> None:
    """Issue 12 item 3 at n = 10: success or the Normal limit (df = inf), never failed."""
    rng = np.random.default_rng(10)
    outcomes: dict[str, int] = {}
    for _ in range(300):
        x = rng.standard_t(3.0, 10) * 2.0 + 5.0
        est = _quiet_fit(th.StudentT, x)
        outcomes[str(est.status)] = outcomes.get(str(est.status), 0) + 1
        assert est.status in ("success", "boundary"), est.message
        if est.status == "boundary":
            assert np.isinf(est.params["df"])
    assert outcomes.get("success", 0) > 0 and outcomes.get("boundary", 0) > 0


def test_without_the_fit_kernels_the_python_route_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = st._t_newton

    def spy(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    x = np.random.default_rng(0).standard_t(4.0, 200)
    monkeypatch.setattr(st, "_t_newton", spy)
    fast = _quiet_fit(th.StudentT, x)
    assert calls
    calls.clear()
    monkeypatch.setattr(_fastpath, "HAVE_FIT_KERNELS", False)
    slow = _quiet_fit(th.StudentT, x)
    assert not calls
    _agree(fast, slow)


def test_covariance_from_the_compiled_end_point() -> None:
    """The observed information the estimate inverts (kept from the compiled solve's last
    point) is minus the Hessian of the summed scipy log densities there."""
    x = np.random.default_rng(4).standard_t(5.0, 300) * 2.0 + 1.0
    est = _quiet_fit(th.StudentT, x)
    p = np.array([est.params["df"], est.params["loc"], est.params["scale"]])

    def ll(v: np.ndarray) -> float:
        return float(stats.t.logpdf(x, v[0], v[1], v[2]).sum())

    h = np.zeros((3, 3))
    steps = 1e-4 * np.maximum(np.abs(p), 1.0)
    for i in range(3):
        for j in range(3):
            ei, ej = np.eye(3)[i] * steps[i], np.eye(3)[j] * steps[j]
            h[i, j] = (ll(p + ei + ej) - ll(p + ei - ej) - ll(p - ei + ej) + ll(p - ei - ej)) / (
                4 * steps[i] * steps[j]
            )
    assert np.allclose(np.linalg.inv(-h), est.cov, rtol=1e-4)


def test_the_short_path_leaks_no_floating_point_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    """``th.fit``'s short path sets no ``np.errstate`` around Student t's solve (its
    compiled route uses no NumPy arithmetic): the NumPy fallbacks silence their own.
    Here a MAD of 0 with values near 1e160 sends the start to ``np.std``, whose squares
    overflow (a RuntimeWarning outside errstate), and the solve on to the Python route.
    The estimate equals the general route's (the short path switched off)."""
    rng = np.random.default_rng(0)
    x = np.r_[np.zeros(600), rng.standard_t(3.0, 400) * 1e160]
    with np.errstate(all="warn"), warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.warns(th.BoundaryWarning):
            fast = th.fit(th.StudentT, x)
        fit_module = importlib.import_module("thetahat.inference.fit")
        monkeypatch.setattr(fit_module, "direct_fit", lambda family, data: None)
        with pytest.warns(th.BoundaryWarning):
            general = th.fit(th.StudentT, x)
    assert fast.status == general.status == "boundary"
    assert fast.params == general.params


def test_t_start_scratch_is_visible_to_tracemalloc() -> None:
    # its two m-value scratch arrays come from Python's raw allocator, so the memory
    # benchmarks (tracemalloc peaks) count them instead of missing 24 bytes per value
    import tracemalloc

    x = np.random.default_rng(5).standard_t(3.0, 100_000)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        assert st._t_start(x) is not None
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert peak >= 2 * x.nbytes
