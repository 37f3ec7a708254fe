"""The fused pass's blocks (issue 12): any block size and every route (the compiled
pass, the NumPy pass) give the same sums as NumPy on the whole X, and the solver's
sample moments equal NumPy's."""

from __future__ import annotations

import numpy as np
import pytest

from thetahat import _fastpath
from thetahat.regression import _loss
from thetahat.regression._linalg import sample_moments
from thetahat.regression._loss import LOGISTIC, POISSON, block_rows, fused_pass


@pytest.fixture(
    params=["compiled pass", "compiled pass, dsyrk", "numpy, compiled dsyrk", "numpy matmul"]
)
def hessian_route(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each Hessian test runs on every route: the compiled pass (rank-one updates below
    ``COMPILED_SYRK_P`` columns; "dsyrk" forces its blocks' dsyrk), and the NumPy pass
    with the compiled in-place dsyrk (where built) or NumPy's matmul into a buffer."""
    if request.param == "compiled pass, dsyrk":
        monkeypatch.setattr(_loss, "COMPILED_SYRK_P", 0)
    if request.param.startswith("numpy"):
        monkeypatch.setattr(_fastpath, "GLM_PASS_KERNEL", None)
    if request.param == "numpy matmul":
        monkeypatch.setattr(_fastpath, "syrk_add_kernel", lambda: None)
    return str(request.param)


@pytest.mark.parametrize("chunk", [None, 1, 7, 300, 10_000])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_pass_equals_direct_sums(
    chunk: int | None, fit_intercept: bool, hessian_route: str
) -> None:
    rng = np.random.default_rng(3)
    n, p = 9_001, 13
    X = rng.standard_normal((n, p)) + 5.0
    w = rng.normal(size=p) / 4
    b = 0.3 if fit_intercept else 0.0
    y = rng.poisson(np.exp(0.1 * (X - 5.0) @ w)).astype(float)
    sw = rng.uniform(0.5, 2.0, size=n)
    off = rng.normal(scale=0.1, size=n)
    centre = np.full(p, 5.0)
    got = fused_pass(
        POISSON, X, y, sw, off, w, b, fit_intercept, with_hessian=True, centre=centre, chunk=chunk
    )
    A = X - centre
    if fit_intercept:
        A = np.c_[A, np.ones(n)]
    eta = (X - centre) @ w + b + off
    mu = np.exp(eta)
    nll = float(sw @ (mu - y * eta + np.array([np.sum(np.log(np.arange(1, k + 1))) for k in y])))
    assert got.nll == pytest.approx(nll, rel=1e-12)
    assert got.grad is not None and got.hess is not None
    np.testing.assert_allclose(got.grad, A.T @ (sw * (mu - y)), rtol=1e-11, atol=1e-9)
    H = A.T @ (A * (sw * mu)[:, None])
    np.testing.assert_allclose(got.hess, H, rtol=1e-12, atol=1e-12 * np.abs(H).max())
    assert np.array_equal(got.hess, got.hess.T)


def test_block_rows_hold_the_buffer_near_its_budget() -> None:
    assert block_rows(201, 10**6, 2) * 201 * 8 <= 1 << 19
    assert block_rows(5, 10**6, 2) == 8192  # narrow X: at most CHUNK rows
    assert block_rows(5_000, 10**6, 2) == 256  # very wide X: at least MIN_ROWS
    assert block_rows(11, 100, 1) == 100  # never more than a worker's rows


def test_logistic_hessian_any_block_size(hessian_route: str) -> None:
    rng = np.random.default_rng(4)
    X = rng.standard_normal((2_000, 40))
    y = (rng.uniform(size=2_000) < 0.4).astype(float)
    w = rng.normal(size=40) / 10
    ref = fused_pass(LOGISTIC, X, y, None, None, w, -0.2, True, with_hessian=True, chunk=2_000)
    for chunk in (None, 256, 333):
        got = fused_pass(LOGISTIC, X, y, None, None, w, -0.2, True, with_hessian=True, chunk=chunk)
        assert got.hess is not None and ref.hess is not None
        np.testing.assert_allclose(got.hess, ref.hess, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("rows", [1, 5, 256, 4_000])
def test_sample_moments_equal_numpy(rows: int) -> None:
    X = np.random.default_rng(5).normal(1e3, 0.5, size=(1_001, 7))
    m, sd = sample_moments(X, rows=rows)
    np.testing.assert_allclose(m, X.mean(axis=0), rtol=1e-14)
    np.testing.assert_allclose(sd, X.std(axis=0), rtol=1e-10)
