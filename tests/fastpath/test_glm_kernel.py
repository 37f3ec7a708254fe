"""The compiled GLM pass (``_kernels_glm.c``, issue 12): the logistic and Poisson nll,
gradient and Hessian of a block of rows against NumPy's direct sums, at the edges
(non-finite eta, exp near overflow, strided rows, weights, offsets, centring), from two
threads at once, and its refusals."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from scipy import special as sc

from thetahat import _fastpath
from thetahat.regression import _loss
from thetahat.regression._families import GLMFamily
from thetahat.regression._loss import LOGISTIC, POISSON, fused_pass

kernel = _fastpath.GLM_PASS_KERNEL
# built with the other GCC/Clang kernels, whose presence wherever a compiler exists
# test_fit_kernels_are_built_where_a_compiler_exists checks
pytestmark = pytest.mark.skipif(
    not _fastpath.HAVE_FIT_KERNELS, reason="checked by test_fit_kernels_are_built"
)


def test_built_with_the_fit_kernels() -> None:
    assert kernel is not None, "thetahat._kernels lacks glm_pass (rebuild: pip install -e .)"


def direct(
    code: int,
    X: np.ndarray,
    y: np.ndarray,
    sw: np.ndarray | None,
    off: np.ndarray | None,
    coef: np.ndarray,
    b: float,
    fit_intercept: bool,
    centre: np.ndarray | None = None,
) -> tuple[float, np.ndarray, np.ndarray, float]:
    """nll, gradient and Hessian by NumPy over the whole X (libm's scalar formulas)."""
    A = X - centre if centre is not None else X
    eta = A @ coef + b + (0.0 if off is None else off)
    w = np.ones(len(y)) if sw is None else sw
    with np.errstate(all="ignore"):
        if code == 0:
            t = np.exp(-np.abs(eta))
            nll = np.maximum(eta, 0.0) + np.log1p(t) - y * eta
            mu = np.where(eta >= 0, 1.0 / (1.0 + t), t / (1.0 + t))
            v = t / (1.0 + t) ** 2
        else:
            mu = np.exp(eta)
            nll = mu - y * eta + sc.gammaln(y + 1.0)
            v = mu
        r = mu - y
    B = np.c_[A, np.ones(len(y))] if fit_intercept else A
    H = B.T @ (B * (w * v)[:, None])
    emax = float(np.max(np.abs(eta), initial=0.0)) if not np.isnan(eta).any() else np.nan
    return float(w @ nll), B.T @ (w * r), H, emax


def call(
    code: int,
    X: np.ndarray,
    y: np.ndarray,
    sw: np.ndarray | None,
    off: np.ndarray | None,
    coef: np.ndarray,
    b: float,
    fit_intercept: bool,
    centre: np.ndarray | None = None,
    flags: int = 7,
    dsyrk: object = None,
    lo: int = 0,
    hi: int | None = None,
) -> tuple[float, np.ndarray, np.ndarray, float]:
    assert kernel is not None
    k = X.shape[1] + int(fit_intercept)
    g = np.zeros(k)
    H = np.zeros((k, k), order="F")
    hi = X.shape[0] if hi is None else hi
    nll, emax = kernel(
        code, X, y, sw, off, coef, centre, b, fit_intercept, flags, lo, hi, g, H.T, dsyrk
    )
    return nll, g, np.triu(H) + np.triu(H, 1).T, emax


def dsyrk_capsule() -> object:
    from scipy.linalg import cython_blas

    return cython_blas.__pyx_capi__["dsyrk"]


@pytest.mark.parametrize("code", [0, 1])
@pytest.mark.parametrize("p", [0, 1, 3, 4, 13, 31, 32, 33])
@pytest.mark.parametrize("syrk", [False, True])
def test_kernel_equals_direct_sums(code: int, p: int, syrk: bool) -> None:
    rng = np.random.default_rng(10 + p)
    n = 1_003  # several blocks and a ragged end
    X = rng.standard_normal((n, p))
    coef = rng.normal(size=p) / 3
    y = (rng.uniform(size=n) < 0.4).astype(float) if code == 0 else rng.poisson(2.0, n) * 1.0
    cap = dsyrk_capsule() if syrk else None
    for sw in (None, rng.uniform(0.0, 2.0, n)):
        for off in (None, rng.normal(scale=0.2, size=n)):
            for fi in (True, False):
                for centre in (None, rng.normal(size=p)):
                    want = direct(code, X, y, sw, off, coef, 0.3, fi, centre)
                    got = call(code, X, y, sw, off, coef, 0.3, fi, centre, dsyrk=cap)
                    assert got[0] == pytest.approx(want[0], rel=1e-12)
                    np.testing.assert_allclose(got[1], want[1], rtol=1e-11, atol=1e-10)
                    scale = max(1.0, float(np.abs(want[2]).max(initial=0.0)))
                    np.testing.assert_allclose(got[2], want[2], rtol=1e-12, atol=1e-13 * scale)
                    assert got[3] == pytest.approx(want[3], rel=1e-14)


@pytest.mark.parametrize("code", [0, 1])
@pytest.mark.parametrize("p", [0, 1, 2, 5, 40, 41])
def test_packed_hessian_by_dsfrk_equals_direct_sums(code: int, p: int) -> None:
    """With the (dsyrk, dgemm) capsules the Hessian comes in rectangular full packed
    form (k even and odd, the intercept's column inside the packed block), read back by
    LAPACK's own dtfttr: whole, and as two parts over the same rows (part 1 adding
    its half of the entries and nothing else)."""
    from scipy.linalg import cython_blas, lapack

    assert kernel is not None
    rng = np.random.default_rng(40 + p)
    n = 1_003  # 31 blocks of 32 rows for dsfrk and a ragged end
    X = rng.standard_normal((n, p))
    coef = rng.normal(size=p) / 3
    y = (rng.uniform(size=n) < 0.4).astype(float) if code == 0 else rng.poisson(2.0, n) * 1.0
    cap = (cython_blas.__pyx_capi__["dsyrk"], cython_blas.__pyx_capi__["dgemm"])
    for sw in (None, rng.uniform(0.0, 2.0, n)):
        for fi in (True, False):
            for centre in (None, rng.normal(size=p)):
                k = p + int(fi)
                want = direct(code, X, y, sw, None, coef, 0.3, fi, centre)
                g, R = np.zeros(k), np.zeros(k * (k + 1) // 2)
                nll, emax = kernel(
                    code, X, y, sw, None, coef, centre, 0.3, fi, 7, 0, n, g, R, cap
                )  # fmt: skip
                assert nll == pytest.approx(want[0], rel=1e-12)
                np.testing.assert_allclose(g, want[1], rtol=1e-11, atol=1e-10)
                assert emax == pytest.approx(want[3], rel=1e-14)
                R2 = np.zeros_like(R)
                kernel(code, X, y, sw, None, coef, centre, 0.3, fi, 4, 0, n, None, R2, cap, 0)
                half = R2.copy()
                kernel(code, X, y, sw, None, coef, centre, 0.3, fi, 4, 0, n, None, R2, cap, 1)
                if k == 0:
                    continue
                L, info = lapack.dtfttr(k, R, transr="N", uplo="L")
                assert info == 0
                H = np.tril(L) + np.tril(L, -1).T
                scale = max(1.0, float(np.abs(want[2]).max(initial=0.0)))
                np.testing.assert_allclose(H, want[2], rtol=1e-12, atol=1e-13 * scale)
                np.testing.assert_array_equal(R2, R)  # the two parts: the same entries
                if k > 2:  # each part fills entries the other leaves at 0
                    assert 0 < np.count_nonzero(half) < R.size
    with pytest.raises(ValueError, match="H has 3 values, expected 6"):  # k = 3 packed
        kernel(code, np.ones((n, 2)), y, None, None, np.zeros(2), None, 0.3, True, 7, 0, n,
               None, np.zeros(3), cap)  # fmt: skip
    with pytest.raises(ValueError, match="part is -1, 0 or 1, and only packed"):
        kernel(code, np.ones((n, 2)), y, None, None, np.zeros(2), None, 0.3, True, 7, 0, n,
               None, np.zeros(9), cython_blas.__pyx_capi__["dsyrk"], 0)  # fmt: skip
    with pytest.raises(TypeError, match="dgemm capsule"):
        kernel(code, np.ones((n, 2)), y, None, None, np.zeros(2), None, 0.3, True, 7, 0, n,
               None, np.zeros(6), (cap[0], cap[0]))  # fmt: skip


@pytest.mark.parametrize("code", [0, 1])
def test_strided_rows_and_a_row_range(code: int) -> None:
    """A strided subsample (every 3rd row: X, y, weights and offset as views) and rows
    lo:hi give the sums of those rows."""
    rng = np.random.default_rng(2)
    n, p = 3_000, 7
    X = rng.standard_normal((n, p))
    y = (rng.uniform(size=n) < 0.5) * 1.0 if code == 0 else rng.poisson(1.5, n) * 1.0
    sw, off, coef = rng.uniform(0.5, 1.5, n), rng.normal(scale=0.1, size=n), rng.normal(size=p) / 4
    sub = slice(None, None, 3)
    want = direct(
        code, X[sub].copy(), y[sub].copy(), sw[sub].copy(), off[sub].copy(), coef, -0.1, True
    )
    got = call(code, X[sub], y[sub], sw[sub], off[sub], coef, -0.1, True)
    assert got[0] == pytest.approx(want[0], rel=1e-12)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-11, atol=1e-10)
    np.testing.assert_allclose(got[2], want[2], rtol=1e-12)
    part = call(code, X, y, None, None, coef, -0.1, True, lo=1_000, hi=1_777)
    ref = direct(code, X[1_000:1_777], y[1_000:1_777], None, None, coef, -0.1, True)
    assert part[0] == pytest.approx(ref[0], rel=1e-12)
    np.testing.assert_allclose(part[2], ref[2], rtol=1e-12)


def test_flags_select_the_sums() -> None:
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((500, 5)), (rng.uniform(size=500) < 0.5) * 1.0
    coef = rng.normal(size=5)
    full = call(0, X, y, None, None, coef, 0.0, True)
    nll, g, H, emax = call(0, X, y, None, None, coef, 0.0, True, flags=2)
    assert nll == 0.0 and not H.any() and emax == full[3]
    np.testing.assert_array_equal(g, full[1])
    nll, g, H, _ = call(0, X, y, None, None, coef, 0.0, True, flags=1)
    assert nll == full[0] and not g.any() and not H.any()


def test_logistic_extremes_agree_with_libm() -> None:
    """|eta| up to 800 (exp(-|eta|) underflows to 0), and eta exactly 0."""
    eta = np.array([-800.0, -745.0, -708.5, -40.0, -1e-300, 0.0, 1e-300, 3.0, 37.0, 708.5, 800.0])
    X = eta[:, None]
    for yv in (0.0, 1.0):
        y = np.full(eta.shape, yv)
        want = direct(0, X, y, None, None, np.ones(1), 0.0, False)
        got = call(0, X, y, None, None, np.ones(1), 0.0, False)
        assert got[0] == pytest.approx(want[0], rel=1e-15)
        np.testing.assert_allclose(got[1], want[1], rtol=1e-15)
        np.testing.assert_allclose(got[2], want[2], rtol=1e-15, atol=1e-300)


def test_non_finite_eta_as_numpy_gives() -> None:
    """A NaN in X makes the sums and eta_max NaN; an infinite eta gives what NumPy's
    formulas give; Poisson's exp overflows to inf above 709."""
    X = np.array([[0.5], [np.nan], [1.0], [2.0], [0.1]])
    y = np.array([1.0, 0.0, 1.0, 0.0, 1.0])
    for code in (0, 1):
        nll, g, H, emax = call(code, X, y, None, None, np.ones(1), 0.0, True)
        assert np.isnan(nll) and np.isnan(emax) and np.isnan(g).all() and np.isnan(H).all()
    big = np.array([[1.0], [710.0], [2.0], [3.0], [-1.0]])
    nll, g, H, emax = call(1, big, y, None, None, np.ones(1), 0.0, False)
    assert nll == np.inf and g[0] == np.inf and H[0, 0] == np.inf and emax == 710.0
    inf_x = np.array([[1.0], [np.inf], [2.0], [3.0], [-1.0]])
    for code in (0, 1):
        want = direct(code, inf_x, y, None, None, np.ones(1), 0.0, False)
        got = call(code, inf_x, y, None, None, np.ones(1), 0.0, False)
        np.testing.assert_array_equal(np.isnan(got[0]), np.isnan(want[0]))
        assert got[3] == np.inf


def test_poisson_log_factorial_of_any_count() -> None:
    """Counts from the table, above it (Stirling) and non-integers (lgamma_r)."""
    y = np.array([0.0, 1.0, 7.0, 4095.0, 4096.0, 1e6 + 3.0, 0.5, 2.25, 1e9 + 0.5])
    X = np.zeros((len(y), 0))
    got = call(1, X, y, None, None, np.zeros(0), 0.1, False)
    want = direct(1, X, y, None, None, np.zeros(0), 0.1, False)
    assert got[0] == pytest.approx(want[0], rel=1e-14)


def test_two_threads_at_once_give_the_same_sums() -> None:
    rng = np.random.default_rng(6)
    X, y = rng.standard_normal((40_000, 9)), rng.poisson(1.0, 40_000) * 1.0
    coef = rng.normal(size=9) / 5
    want = call(1, X, y, None, None, coef, 0.0, True)
    out: list[tuple[float, np.ndarray, np.ndarray, float]] = []

    def work() -> None:
        for _ in range(5):
            out.append(call(1, X, y, None, None, coef, 0.0, True))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(out) == 10
    for got in out:
        assert got[0] == want[0]
        np.testing.assert_array_equal(got[2], want[2])


def test_the_widest_transposed_pass_runs_on_a_small_thread_stack() -> None:
    """The transposed block lives on the worker's stack (up to 65 KB at 31 columns): a
    thread with a 256 KB stack (musl's default is 128 KB) gives the main thread's sums."""
    rng = np.random.default_rng(8)
    X, y = rng.standard_normal((3_000, 31)), (rng.uniform(size=3_000) < 0.3) * 1.0
    coef, centre = rng.normal(size=31) / 8, rng.normal(size=31)
    want = call(0, X, y, None, None, coef, 0.2, True, centre)
    out: list[tuple[float, np.ndarray, np.ndarray, float]] = []
    old = threading.stack_size(256 * 1024)
    try:
        t = threading.Thread(
            target=lambda: out.append(call(0, X, y, None, None, coef, 0.2, True, centre))
        )
        t.start()
        t.join()
    finally:
        threading.stack_size(old)
    assert len(out) == 1 and out[0][0] == want[0]
    np.testing.assert_array_equal(out[0][2], want[2])


def test_refusals() -> None:
    assert kernel is not None
    X, y, c = np.ones((4, 2)), np.zeros(4), np.zeros(2)
    g, H = np.zeros(3), np.zeros((3, 3))

    def run(*args: object) -> None:
        kernel(*args)

    with pytest.raises(ValueError, match="family"):
        run(2, X, y, None, None, c, None, 0.0, True, 7, 0, 4, g, H, None)
    with pytest.raises(TypeError, match="contiguous rows"):
        run(
            0,
            np.asfortranarray(np.ones((4, 2))),
            y,
            None,
            None,
            c,
            None,
            0.0,
            True,
            7,
            0,
            4,
            g,
            H,
            None,
        )
    with pytest.raises(TypeError, match="contiguous rows"):
        run(0, X.astype(np.float32), y, None, None, c, None, 0.0, True, 7, 0, 4, g, H, None)
    with pytest.raises(ValueError, match="y has 3 values"):
        run(0, X, y[:3], None, None, c, None, 0.0, True, 7, 0, 4, g, H, None)
    with pytest.raises(ValueError, match="coef"):
        run(0, X, y, None, None, np.zeros(3), None, 0.0, True, 7, 0, 4, g, H, None)
    with pytest.raises(ValueError, match="rows 0:5"):
        run(0, X, y, None, None, c, None, 0.0, True, 7, 0, 5, g, H, None)
    with pytest.raises(ValueError, match="H"):
        run(0, X, y, None, None, c, None, 0.0, True, 7, 0, 4, g, np.zeros((2, 2)), None)
    with pytest.raises(TypeError, match="dsyrk"):
        run(0, X, y, None, None, c, None, 0.0, True, 7, 0, 4, g, H, object())
    ro = np.zeros(3)
    ro.flags.writeable = False
    with pytest.raises((ValueError, BufferError), match=r"writable|read-only"):
        run(0, X, y, None, None, c, None, 0.0, True, 7, 0, 4, ro, H, None)


def test_route_taken_only_where_it_applies() -> None:
    """The compiled pass serves dense float64 X with contiguous rows (strided rows too)
    up to COMPILED_MAX_P columns, for the logistic and Poisson families only."""
    X = np.ones((10, 3))
    coef = np.zeros(3)
    assert _loss._compiled_family(LOGISTIC, X, coef, None) == 0
    assert _loss._compiled_family(POISSON, X[::2], coef, None) == 1
    assert _loss._compiled_family(POISSON, np.asfortranarray(X), coef, None) is None
    assert _loss._compiled_family(POISSON, X.astype(np.float32), coef, None) is None
    assert _loss._compiled_family(GLMFamily("poisson", "log"), X, coef, None) is None
    wide = np.ones((10, _loss.COMPILED_MAX_P + 1))
    assert _loss._compiled_family(LOGISTIC, wide, np.zeros(wide.shape[1]), None) is None
    y = np.zeros(10)
    assert _loss._compiled_family(POISSON, X, coef, None, (y, None, y[::-1])) is None
    assert _loss._compiled_family(POISSON, X, coef, None, (y.astype(np.int64),)) is None
    assert _loss._compiled_family(POISSON, X, coef, None, (y, y[::2].repeat(2))) == 1


def test_integer_counts_take_the_numpy_route() -> None:
    """A caller's integer y (a Dask block of counts, say) gives the float sums."""
    rng = np.random.default_rng(9)
    X = rng.standard_normal((2_000, 6))
    y = rng.poisson(1.0, 2_000)
    coef = rng.normal(size=6) / 4
    got = fused_pass(POISSON, X, y, None, None, coef, 0.1, True, with_hessian=True)  # type: ignore[arg-type]
    want = fused_pass(POISSON, X, y.astype(float), None, None, coef, 0.1, True, with_hessian=True)
    assert got.nll == pytest.approx(want.nll, rel=1e-12)
    assert got.hess is not None and want.hess is not None
    np.testing.assert_allclose(got.hess, want.hess, rtol=1e-12)


@pytest.mark.parametrize("family", [LOGISTIC, POISSON])
def test_fused_pass_routes_agree(family: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """fused_pass through the compiled kernel (over worker threads) equals its NumPy route."""
    rng = np.random.default_rng(8)
    n, p = 30_001, 24
    X = rng.standard_normal((n, p))
    y = (rng.uniform(size=n) < 0.3) * 1.0 if family is LOGISTIC else rng.poisson(0.7, n) * 1.0
    sw, coef = rng.uniform(0.2, 3.0, n), rng.normal(size=p) / 6
    monkeypatch.setattr(_loss, "COMPILED_WORK", 1 << 12)  # several workers
    got = fused_pass(family, X, y, sw, None, coef, 0.2, True, with_hessian=True)  # type: ignore[arg-type]
    monkeypatch.setattr(_fastpath, "GLM_PASS_KERNEL", None)
    want = fused_pass(family, X, y, sw, None, coef, 0.2, True, with_hessian=True)  # type: ignore[arg-type]
    assert got.nll == pytest.approx(want.nll, rel=1e-12)
    assert got.grad is not None and want.grad is not None
    assert got.hess is not None and want.hess is not None
    np.testing.assert_allclose(got.grad, want.grad, rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(got.hess, want.hess, rtol=1e-12)
    assert np.array_equal(got.hess, got.hess.T)
    assert got.eta_max == pytest.approx(want.eta_max, rel=1e-14)
