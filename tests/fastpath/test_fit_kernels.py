"""The fused passes of the iterative families: compiled kernels against numpy.

``thetahat._kernels`` (``_kernels_fit.c``) computes the Student t, Weibull and Beta
sums with its own vectorised exp and log; ``thetahat._fastpath`` has numpy fallbacks
computing the same sums. Both must agree on ordinary data and on the values the
vector formulas hand to the scalar path (subnormals, huge outliers, bad values).
"""

from __future__ import annotations

import shutil
import sys
import sysconfig
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special as sc

from thetahat import _fastpath

needs_kernels = pytest.mark.skipif(
    not _fastpath.HAVE_FIT_KERNELS, reason="checked by test_fit_kernels_are_built"
)


def test_fit_kernels_are_built_where_a_compiler_exists() -> None:
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    has_compiler = shutil.which(compiler) is not None or shutil.which("cc") is not None
    has_headers = (Path(sysconfig.get_paths()["include"]) / "Python.h").is_file()
    if not (has_compiler and has_headers) or sys.platform == "win32":
        # no GCC/Clang: the numpy fallbacks carry the fits
        got = _fastpath.t_sums(np.array([0.0, 1.0]), None, 2.0, 0.0, 1.0)
        assert got[0] == 2.0 and got[9] == pytest.approx(np.log1p(0.5), rel=1e-15)
        return
    assert _fastpath.HAVE_FIT_KERNELS, (
        "a C compiler and Python's headers are here but thetahat._kernels has no t_sums "
        "(reinstall with `pip install -e .`)"
    )


def _both(monkeypatch: pytest.MonkeyPatch, fn: str, *args: object) -> tuple[object, object]:
    fast = getattr(_fastpath, fn)(*args)
    with monkeypatch.context() as m:
        m.setattr(_fastpath, "HAVE_FIT_KERNELS", False)
        slow = getattr(_fastpath, fn)(*args)
    return fast, slow


reals = st.floats(-1e6, 1e6, allow_nan=False)
positives = st.floats(1e-300, 1e300, allow_nan=False, allow_infinity=False)


@needs_kernels
@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.one_of(reals, st.sampled_from([1e200, -1e200, 1e160, 0.0])), max_size=60),
    st.floats(1e-3, 1e9),
    st.floats(-10.0, 10.0),
    st.floats(1e-3, 1e3),
    st.booleans(),
)
def test_t_sums_kernel_matches_numpy(
    values: list[float], nu: float, loc: float, scale: float, weighted: bool
) -> None:
    x = np.array(values, dtype=float)
    w = np.linspace(0.0, 2.0, x.shape[0]) if weighted else None
    mp = pytest.MonkeyPatch()
    fast, slow = _both(mp, "t_sums", x, w, nu, loc, scale)
    # each sum to its own rounding level (terms are bounded by 1/nu^2 or 1, log1p by |log|)
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-12 * (1.0 + np.abs(slow).max()))


@needs_kernels
@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.one_of(positives, st.sampled_from([5e-324, 1e-310, 1.0])), min_size=1, max_size=60),
    st.floats(0.05, 20.0),
    st.booleans(),
)
def test_weibull_moments_kernel_matches_numpy(
    values: list[float], k: float, weighted: bool
) -> None:
    x = np.array(values, dtype=float)
    w = np.linspace(0.5, 1.5, x.shape[0]) if weighted else None
    ltop = float(np.log(np.max(x)))
    fast, slow = _both(pytest.MonkeyPatch(), "weibull_moments", x, w, ltop, k)
    fast, slow = np.asarray(fast), np.asarray(slow)
    # the same sums from log x given directly
    logged = np.asarray(_fastpath.weibull_moments(np.log(x), w, ltop, k, True))
    np.testing.assert_allclose(logged, slow, rtol=1e-11, atol=1e-11 * (np.abs(slow).max() + 1e-300))
    # y = log x - ltop is exact to a few ulp of |log x|; powers of y amplify that
    np.testing.assert_allclose(fast[0], slow[0], rtol=1e-13, atol=1e-10)
    scale = np.abs(slow[1:]).max() + 1e-300
    np.testing.assert_allclose(fast[1:], slow[1:], rtol=1e-11, atol=1e-11 * scale)


@needs_kernels
@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.floats(1e-300, 1.0, exclude_max=True),
            st.floats(1e-12, 1e-9),  # log(1 - x) of tiny x: the rounding of 1 - x matters
            st.sampled_from([5e-324, 1e-310, 1.0 - 2**-53, 0.5]),
        ),
        max_size=60,
    ),
    st.lists(
        st.tuples(st.integers(0, 59), st.sampled_from([0.0, 1.0, -0.5, np.nan, 2.0])), max_size=2
    ),
    st.booleans(),
)
def test_beta_sums_kernel_matches_numpy(
    values: list[float], bad: list[tuple[int, float]], weighted: bool
) -> None:
    x = np.array(values, dtype=float)
    for i, v in bad:
        if x.shape[0]:
            x[i % x.shape[0]] = v
    w = np.linspace(0.5, 1.5, x.shape[0]) if weighted else None
    fast, slow = _both(pytest.MonkeyPatch(), "beta_sums", x, w)
    assert isinstance(fast, tuple) and isinstance(slow, tuple)
    assert fast[0] == slow[0]
    if slow[0] < 0:
        np.testing.assert_allclose(fast[1:], slow[1:], rtol=1e-14, atol=1e-300)


@needs_kernels
def test_log1p_parts_keep_relative_precision() -> None:
    # nu large: log1p(z^2 / nu) is tiny; the kernel keeps it to rounding, not to log(nu)
    z = np.random.default_rng(1).normal(size=1001)
    got = _fastpath.t_sums(z, None, 1e12, 0.0, 1.0)[9]
    assert got == pytest.approx(float(np.sum(np.log1p(z * z / 1e12))), rel=1e-13)
    x = np.random.default_rng(2).uniform(1e-12, 1e-9, 1001)
    bad, _, s1m = _fastpath.beta_sums(x, None)
    assert bad == -1 and s1m == pytest.approx(float(np.sum(np.log1p(-x))), rel=1e-14)


@needs_kernels
def test_threaded_split_matches_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_t(3.0, 50_001)
    pos = rng.weibull(1.5, 50_001)
    beta = rng.beta(2.0, 3.0, 50_001)
    one = (
        _fastpath.t_sums(x, None, 3.0, 0.1, 1.2),
        _fastpath.weibull_moments(pos, None, 0.0, 1.5),
        _fastpath.beta_sums(beta, None),
    )
    monkeypatch.setattr(_fastpath, "PARALLEL_MIN", 1000)
    monkeypatch.setattr(_fastpath, "num_threads", lambda: 3)
    np.testing.assert_allclose(_fastpath.t_sums(x, None, 3.0, 0.1, 1.2), one[0], rtol=1e-13)
    np.testing.assert_allclose(_fastpath.weibull_moments(pos, None, 0.0, 1.5), one[1], rtol=1e-13)
    split = _fastpath.beta_sums(beta, None)
    assert split[0] == -1
    np.testing.assert_allclose(split[1:], one[2][1:], rtol=1e-13)
    beta[40_000] = 1.0
    beta[45_000] = np.nan
    assert _fastpath.beta_sums(beta, None)[0] == 40_000


def _count_reference(x: np.ndarray) -> tuple[int, float, float]:
    ok = np.isfinite(x) & (x >= 0) & (x == np.floor(x))
    if not ok.all():
        return int(np.argmin(ok)), np.nan, np.nan
    return -1, float(np.sum(x)), float(np.sum(sc.gammaln(x + 1.0)))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 15).map(float), min_size=0, max_size=5000),
    st.lists(
        st.tuples(
            st.integers(0, 4999), st.sampled_from([16.0, 4095.0, 5000.0, 3.5, -1.0, np.nan, -0.0])
        ),
        max_size=3,
    ),
)
def test_count_histogram_blocks(values: list[float], extra: list[tuple[int, float]]) -> None:
    # counts below 16 take the histogram path block by block; a larger count or a bad
    # value in a block sends that block (and later ones) to the other paths
    x = np.array(values, dtype=float)
    for i, v in extra:
        if x.shape[0]:
            x[i % x.shape[0]] = v
    want = _count_reference(x)
    got = _fastpath.count_stats(x)
    assert got[0] == want[0]
    if want[0] < 0:
        assert got[1] == want[1]
        np.testing.assert_allclose(got[2], want[2], rtol=1e-13, atol=1e-9)
