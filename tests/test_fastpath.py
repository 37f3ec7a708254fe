"""The compiled count kernel against the numpy fallback and scipy.

``thetahat._kernels`` is optional at install time, but wherever a C compiler is
available the build must have produced it (otherwise the fast path silently
disappears); both paths must give the same statistics, the same first bad index,
and the same Poisson fit.
"""

from __future__ import annotations

import shutil
import sysconfig
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special as sc
from scipy import stats

import thetahat as th
from thetahat import _fastpath


def test_kernel_is_built_where_a_compiler_exists() -> None:
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    has_compiler = shutil.which(compiler) is not None or shutil.which("cc") is not None
    has_headers = (Path(sysconfig.get_paths()["include"]) / "Python.h").is_file()
    if not (has_compiler and has_headers):
        # nothing to build with: the numpy fallback must carry the fit on its own
        bad, total, lf = _fastpath.count_stats(np.array([1.0, 2.0, 3.0]))
        assert (bad, total) == (-1, 6.0) and lf == pytest.approx(np.log(12.0), rel=1e-15)
        return
    assert _fastpath.HAVE_KERNELS, (
        "a C compiler and Python's headers are here but thetahat._kernels was not built "
        "(reinstall with `pip install -e .`)"
    )


counts = st.lists(
    st.one_of(
        st.integers(0, 20),
        st.integers(4000, 5000),  # across the log-factorial table's edge
        st.integers(10**6, 10**9),
    ).map(float),
    min_size=0,
    max_size=300,
)
bad_values = st.sampled_from([-1.0, 2.5, np.nan, np.inf, -np.inf, 1e-9, 4096.5, -0.5])


def _reference(x: np.ndarray) -> tuple[int, float, float]:
    ok = np.isfinite(x) & (x >= 0) & (x == np.floor(x))
    if not ok.all():
        return int(np.argmin(ok)), np.nan, np.nan
    return -1, float(np.sum(x)), float(np.sum(sc.gammaln(x + 1.0)))


def _check(got: tuple[int, float, float], want: tuple[int, float, float]) -> None:
    assert got[0] == want[0]
    if want[0] < 0:
        assert got[1] == want[1]  # integer sums are exact
        np.testing.assert_allclose(got[2], want[2], rtol=1e-13, atol=1e-9)


@settings(max_examples=150, deadline=None)
@given(counts, st.lists(st.tuples(st.integers(0, 299), bad_values), max_size=3))
def test_kernel_and_fallback_agree(values: list[float], bad: list[tuple[int, float]]) -> None:
    x = np.array(values, dtype=float)
    for i, v in bad:
        if x.shape[0]:
            x[i % x.shape[0]] = v
    want = _reference(x)
    _check(_fastpath._count_stats_numpy(x), want)
    _check(_fastpath.count_stats(x), want)


def test_threaded_split_matches_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(5)
    x = rng.poisson(4.0, 300_001).astype(float)
    one = _fastpath.count_stats(x)
    monkeypatch.setattr(_fastpath, "PARALLEL_MIN", 1000)
    monkeypatch.setenv("THETAHAT_NUM_THREADS", "3")
    monkeypatch.setattr(_fastpath, "num_threads", lambda: 3)
    split = _fastpath.count_stats(x)
    assert split[0] == one[0] == -1
    assert split[1] == one[1]
    np.testing.assert_allclose(split[2], one[2], rtol=1e-13)
    x[250_000] = -2.0  # in the last third: the index is offset correctly
    x[260_000] = np.nan
    assert _fastpath.count_stats(x)[0] == 250_000


def test_num_threads_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THETAHAT_NUM_THREADS", "1")
    assert _fastpath.num_threads() == 1
    monkeypatch.setenv("THETAHAT_NUM_THREADS", "many")
    with pytest.raises(ValueError, match="THETAHAT_NUM_THREADS"):
        _fastpath.num_threads()


def test_poisson_fit_same_with_and_without_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(11)
    x = np.concatenate([rng.poisson(3.0, 200_000), [5000, 123_456]]).astype(float)
    fast = th.fit(th.Poisson, x)
    monkeypatch.setattr(_fastpath, "_kernels", None)
    slow = th.fit(th.Poisson, x)
    assert fast.params["rate"] == slow.params["rate"]
    np.testing.assert_allclose(fast.loglik, slow.loglik, rtol=1e-13)
    want = stats.poisson.logpmf(x, fast.params["rate"]).sum()
    np.testing.assert_allclose(fast.loglik, want, rtol=1e-11)
    x[7] = 1.5
    with pytest.raises(ValueError, match=r"data\[7\] = 1.5"):
        th.fit(th.Poisson, x)


def test_non_contiguous_and_2d_inputs() -> None:
    rng = np.random.default_rng(2)
    x = rng.poisson(2.0, 1000).astype(float)
    _check(_fastpath.count_stats(x[::2]), _reference(x[::2]))
    _check(_fastpath.count_stats(x.astype(np.float32)), _reference(x))
    swapped = x.astype(">f8" if np.little_endian else "<f8")  # non-native byte order
    _check(_fastpath.count_stats(swapped), _reference(x))
    d = x - 1.5
    np.testing.assert_allclose(_fastpath.centred_sums(swapped, 1.5), (d.sum(), d @ d))
    if _fastpath._kernels is not None:
        for wrong in (x.astype(np.float32), swapped):
            with pytest.raises(TypeError, match="float64"):
                _fastpath._kernels.count_stats(wrong)


def test_centred_sums_kernel_matches_numpy() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(1e6, 3.0, 100_003)
    c = float(np.mean(x[::997]))
    s, m2 = _fastpath.centred_sums(x, c)
    d = x - c
    np.testing.assert_allclose(s, np.sum(d), rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(m2, np.dot(d, d), rtol=1e-13)
    for bad in (np.nan, np.inf, -np.inf):
        y = x.copy()
        y[77] = bad
        assert not np.isfinite(_fastpath.centred_sums(y, c)).all()


def test_normal_chunks_over_threads_match_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(8)
    x = rng.normal(-4.0, 0.5, 250_000) + 1e8  # large offset: cancellation would show
    monkeypatch.setattr(_fastpath, "PARALLEL_MIN", 10)
    monkeypatch.setattr(_fastpath, "BIG_CHUNK", 30_000)
    monkeypatch.setattr(_fastpath, "num_threads", lambda: 2)
    fast = th.fit(th.Normal, x)
    monkeypatch.setattr(_fastpath, "_kernels", None)
    monkeypatch.setattr(_fastpath, "HAVE_KERNELS", False)
    slow = th.fit(th.Normal, x)
    np.testing.assert_allclose(fast.params["mu"], slow.params["mu"], rtol=1e-15)
    np.testing.assert_allclose(fast.params["sigma"], slow.params["sigma"], rtol=1e-12)
    np.testing.assert_allclose(fast.params["sigma"], np.std(x - 1e8), rtol=1e-9)
    monkeypatch.undo()
    monkeypatch.setattr(_fastpath, "PARALLEL_MIN", 10)
    monkeypatch.setattr(_fastpath, "BIG_CHUNK", 30_000)
    x[200_001] = np.nan
    with pytest.raises(ValueError, match="first is at index 200001"):
        th.fit(th.Normal, x)


def _threaded_total(_: int) -> float:
    x = np.arange(100_000, dtype=float)
    return float(sum(_fastpath.map_chunks(lambda s: float(x[s : s + 1000].sum()), 100_000, 1000)))


def test_pool_is_remade_in_a_forked_child(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    monkeypatch.setattr(_fastpath, "PARALLEL_MIN", 10)
    monkeypatch.setattr(_fastpath, "num_threads", lambda: 2)
    want = float(np.arange(100_000, dtype=float).sum())
    assert _threaded_total(0) == want  # the parent's pool now exists
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as pool:  # a child inheriting the pool object without its threads
        assert pool.map_async(_threaded_total, [0]).get(timeout=60) == [want]


def test_overflowing_sums_stay_inf_as_in_numpy() -> None:
    for values in ([1e200], [1e308, 1e308], [1.0, -1e300, 2.0, 1e300]):
        x = np.array(values)
        d = x - 0.0
        with np.errstate(over="ignore", invalid="ignore"):
            want = (float(np.sum(d)), float(np.dot(d, d)))
        got = _fastpath.centred_sums(x, 0.0)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
        np.testing.assert_array_equal(np.isinf(got), np.isinf(want))


def test_pool_replacement_does_not_break_a_pool_in_use() -> None:
    small = _fastpath.executor(1)
    _fastpath.executor(small._max_workers + 1)  # a larger pool replaces it
    assert small.submit(int, "7").result() == 7  # a caller still holding it can submit


def test_blas_limit_restored_when_passes_interleave() -> None:
    from threadpoolctl import threadpool_info

    from thetahat.regression import _loss

    def blas_threads() -> list[int]:
        return [d["num_threads"] for d in threadpool_info() if d["user_api"] == "blas"]

    before = blas_threads()
    a, b = _loss._blas_one_thread(), _loss._blas_one_thread()
    a.__enter__()
    b.__enter__()
    assert all(t == 1 for t in blas_threads())
    a.__exit__(None, None, None)  # A leaves first while B still runs: still one thread
    assert all(t == 1 for t in blas_threads())
    b.__exit__(None, None, None)
    assert blas_threads() == before


def test_log_factorial_of_large_counts_matches_gammaln() -> None:
    # Stirling's series beyond the table, up to counts where float64 has no fractions
    x = np.array([4095.0, 4096.0, 4097.0, 12_345.0, 1e6, 123_456_789.0, 2.0**52, 2.0**53, 1e300])
    for v in x:
        got = _fastpath.count_stats(np.array([v]))[2]
        assert got == pytest.approx(float(sc.gammaln(v + 1.0)), rel=2e-16)
