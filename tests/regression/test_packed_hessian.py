"""The packed Hessian route of the wide GLMs (``regression/_packed.py``, issue 12): the
rectangular full packed layout against LAPACK's own converters, the factor, solves,
pivots, inverse and centring against dense NumPy, and whole fits that take the route
against the same fits in full storage (estimates, standard errors, covariance, Laplace
posterior and evidence, the PSIS check, rank deficiency)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.linalg import lapack

import thetahat as th
from thetahat.regression import LogisticRegression, PoissonRegression, _solvers
from thetahat.regression._packed import (
    PackedCholesky,
    packed_covariance,
    rfp_block,
    rfp_diagonal_index,
    rfp_index,
    rfp_matvec,
    rfp_size,
)
from thetahat.results import LazyCovariance


def _spd(k: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((k + 5, k)) * rng.uniform(0.1, 10.0, k)
    return A.T @ A


def _packed(H: np.ndarray) -> np.ndarray:
    arf, info = lapack.dtrttf(np.asfortranarray(H), transr="N", uplo="L")
    assert info == 0
    return np.asarray(arf)


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 6, 11, 12, 200, 201])
def test_layout_is_lapacks(k: int) -> None:
    """Every entry's position, both triangles, as LAPACK's dtrttf places it."""
    H = _spd(k, k)
    a = _packed(H)
    assert a.shape == (rfp_size(k),)
    i, j = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    np.testing.assert_array_equal(a[rfp_index(i, j, k)], H)
    np.testing.assert_array_equal(a[rfp_diagonal_index(k)], np.diag(H))
    idx = np.array([k - 1, 0, k // 2])[: min(k, 3)]
    np.testing.assert_array_equal(rfp_block(a, k, idx), H[np.ix_(idx, idx)])
    x = np.random.default_rng(k).standard_normal(k)
    np.testing.assert_allclose(rfp_matvec(a, k, x), H @ x, rtol=1e-12)


@pytest.mark.parametrize("k", [1, 2, 7, 40, 41])
def test_factor_solve_logdet_pivots(k: int) -> None:
    H = _spd(k, 100 + k)
    a = _packed(H)
    chol = PackedCholesky(a, k)
    assert chol.ok and np.shares_memory(chol.a, a)  # in the Hessian's own memory
    np.testing.assert_array_equal(chol.diagonal, np.diag(H))
    b = np.random.default_rng(k).standard_normal(k)
    np.testing.assert_allclose(chol.solve(b), np.linalg.solve(H, b), rtol=1e-9)
    assert chol.logdet() == pytest.approx(np.linalg.slogdet(H)[1], rel=1e-12)
    # pivot j: 1 - R^2 of column j on the columns before it, in H's metric
    want = [1.0] + [
        (H[j, j] - H[j, :j] @ np.linalg.solve(H[:j, :j], H[:j, j])) / H[j, j] for j in range(1, k)
    ]
    np.testing.assert_allclose(chol.pivots(), want, rtol=1e-8)


def test_factor_refuses_what_is_not_positive_definite() -> None:
    H = _spd(6, 3)
    H[5, :] = H[:, 5] = H[4, :] + H[3, :]
    H[5, 5] = H[4, 4] + 2 * H[4, 3] + H[3, 3]  # column 5 = column 3 + column 4
    chol = PackedCholesky(_packed(H), 6)
    assert not chol.ok or chol.pivots().min() < 1e-10
    a = _packed(_spd(4, 4))
    a[2] = np.nan
    assert not PackedCholesky(a, 4).ok
    with pytest.raises(ValueError, match="10 contiguous values"):
        PackedCholesky(np.zeros(9), 4)


@pytest.mark.parametrize("k", [2, 9, 40, 41])
@pytest.mark.parametrize("centred", [False, True])
def test_covariance_in_the_factors_memory(k: int, centred: bool) -> None:
    """scale H^{-1}, mapped to b = b_c - m'w (T C T'), against dense NumPy; its log
    determinant; read by block, diagonal and as a whole."""
    H = _spd(k, 200 + k)
    a = _packed(H)
    m = np.random.default_rng(k).normal(5.0, 1.0, k - 1) if centred else None
    scale = 1.7
    cov, logdet = packed_covariance(PackedCholesky(a, k), scale, m)
    want = scale * np.linalg.inv(H)
    if m is not None:
        T = np.eye(k)
        T[-1, :-1] = -m
        want = T @ want @ T.T
    assert isinstance(cov, LazyCovariance) and cov.stored and not cov.formed
    np.testing.assert_allclose(cov.variances(np.arange(k)), np.diag(want), rtol=1e-9)
    assert not cov.formed  # the diagonal is read, not the whole matrix
    np.testing.assert_allclose(
        cov[np.ix_([k - 1, 0], [k - 1, 0])], want[np.ix_([k - 1, 0], [k - 1, 0])], rtol=1e-9
    )
    np.testing.assert_allclose(np.asarray(cov), want, rtol=1e-9, atol=1e-12 * np.abs(want).max())
    assert logdet == pytest.approx(np.linalg.slogdet(want)[1], rel=1e-10)
    perm = np.r_[k - 1, : k - 1]
    np.testing.assert_allclose(
        (2.0 * cov).permuted(perm).variances(np.arange(k)), 2 * np.diag(want)[perm], rtol=1e-9
    )


def _data(
    family: str, n: int, d: int, seed: int, offset_mean: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) + offset_mean
    beta = rng.standard_normal(d) / np.sqrt(d) / 2
    eta = (X - offset_mean) @ beta
    if family == "logistic":
        return X, (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
    return X, rng.poisson(np.exp(0.3 + eta)).astype(float)


@pytest.fixture
def spy_packed(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each fit's last Hessian came packed (GLMFit.packed kept)."""
    seen: list[bool] = []
    real = _solvers.GLMFit.covariance

    def spy(self, *a, **k):
        seen.append(self.packed is not None)
        return real(self, *a, **k)

    monkeypatch.setattr(_solvers.GLMFit, "covariance", spy)
    return seen


@pytest.mark.parametrize("family", ["logistic", "poisson"])
@pytest.mark.parametrize("prior", [None, th.Normal(0, 1)])
@pytest.mark.parametrize("centred", [False, True])
def test_a_packed_fit_equals_the_full_one(
    family: str,
    prior: object,
    centred: bool,
    spy_packed: list[bool],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """1,200 x 120 (k = 121: L-BFGS, then the exact Hessian packed on one worker), with
    weights; columns with means 40 sd away are centred inside the passes."""
    X, y = _data(family, 1200, 120, 7, 40.0 if centred else 0.0)
    sw = np.random.default_rng(1).uniform(0.5, 2.0, len(y))
    cls = LogisticRegression if family == "logistic" else PoissonRegression
    a = cls(prior=prior).fit(X, y, sample_weight=sw)
    monkeypatch.setattr(_solvers, "PACKED_ROWS_PER_K2", 0)  # full storage
    b = cls(prior=prior).fit(X, y, sample_weight=sw)
    assert spy_packed == [True, False]
    ea, eb = a.estimate_, b.estimate_
    assert ea.status == eb.status == "success"
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(list(ea.se.values()), list(eb.se.values()), rtol=1e-9)
    assert list(ea.se) == list(eb.se)  # intercept first in both
    assert isinstance(ea.cov, LazyCovariance) and not ea.cov.formed  # se read the diagonal
    cb = np.asarray(eb.cov)
    np.testing.assert_allclose(np.asarray(ea.cov), cb, rtol=1e-8, atol=1e-10 * np.abs(cb).max())
    assert ea.loglik == pytest.approx(eb.loglik, rel=1e-12)
    if prior is None:
        assert not hasattr(a, "posterior_")
        return
    pa, pb = a.posterior_, b.posterior_
    assert pa.log_evidence == pytest.approx(pb.log_evidence, rel=1e-10)
    np.testing.assert_allclose(pa.cov, pb.cov, rtol=1e-8, atol=1e-10 * np.abs(cb).max())
    ia, ib = pa.interval(), pb.interval()
    assert ia["x3"] == pytest.approx(ib["x3"], rel=1e-9)
    if family == "logistic" and not centred:  # (the PSIS check: 4,000 draws, once)
        assert a.laplace_check_["khat"] == pytest.approx(b.laplace_check_["khat"], rel=1e-6)


def test_a_rank_deficient_design_is_named_as_the_full_route_names_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A column that is the sum of two others: the packed factor's pivot sends the fit
    to the full route, whose pivoted Cholesky names the dependent columns."""
    X, y = _data("poisson", 1200, 120, 9)
    X[:, 50] = X[:, 3] + X[:, 7]
    with pytest.raises(ValueError, match="not identifiable") as got:
        PoissonRegression().fit(X, y)
    monkeypatch.setattr(_solvers, "PACKED_ROWS_PER_K2", 0)
    with pytest.raises(ValueError, match="not identifiable") as want:
        PoissonRegression().fit(X, y)
    assert str(got.value) == str(want.value)
    assert "x50" in str(got.value)


def test_the_route_is_taken_on_few_rows_only(spy_packed: list[bool]) -> None:
    """Packed where n <= PACKED_ROWS_PER_K2 k^2 (k = 101: up to 20,402 rows), full beyond,
    where the rows, not the k x k sums, are a fit's memory."""
    k = 101
    limit = _solvers.PACKED_ROWS_PER_K2 * k * k
    for n in (limit, limit + 1):
        X, y = _data("logistic", n, k - 1, 11)
        LogisticRegression().fit(X, y)
    assert spy_packed == [True, False]
    assert math.isclose(limit, 20_402)


def test_the_solvers_packed_fit_keeps_its_factor_until_consumed() -> None:
    """``GLMFit.covariance`` without ``consume`` inverts a copy (the factor stays for
    the next call), with it the factor's own memory; the Hessian's diagonal is kept
    from before the factor."""
    from thetahat.regression._loss import POISSON
    from thetahat.regression._solvers import PenaltyVec, fit_glm

    X, y = _data("poisson", 1000, 110, 5)
    k = 111
    pen = PenaltyVec(np.zeros(k), np.zeros(k), np.zeros(k))
    res = fit_glm(POISSON, X, y, None, None, True, pen)
    assert res.packed is not None and res.result.hessian is None
    A = np.column_stack([X, np.ones(len(y))])
    mu = np.exp(A @ res.theta)
    H = A.T @ (A * mu[:, None])
    np.testing.assert_allclose(res.hessian_diagonal(), np.diag(H), rtol=1e-7)
    active = np.ones(k, dtype=bool)
    first = np.asarray(res.covariance(active, 2.0))
    assert res.packed is not None  # not consumed
    second = np.asarray(res.covariance(active, 1.0, consume=True))
    assert res.packed is None
    np.testing.assert_allclose(first, 2.0 * second, rtol=1e-12)
    # (the solver's Hessian is the one taken within sqrt(tol) of the returned optimum)
    want = np.linalg.inv(H)
    np.testing.assert_allclose(second, want, rtol=1e-6, atol=1e-6 * np.abs(want).max())


def test_a_packed_fit_pickles() -> None:
    """The estimator, its unformed covariance and its posterior survive pickling."""
    import pickle

    X, y = _data("logistic", 1200, 120, 13)
    m = LogisticRegression(prior=th.Normal(0, 1)).fit(X, y)
    assert isinstance(m.estimate_.cov, LazyCovariance) and m.estimate_.cov.stored
    back = pickle.loads(pickle.dumps(m))
    assert back.estimate_.se == m.estimate_.se
    np.testing.assert_array_equal(np.asarray(back.posterior_.cov), np.asarray(m.posterior_.cov))


@pytest.mark.parametrize("family", ["logistic", "poisson"])
def test_after_the_subsample_warm_start_too(
    family: str, spy_packed: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past SUBSAMPLE_ABOVE rows the chord passes start from the subsample's (full)
    Hessian, and the exact one on all rows is then taken packed (lowered thresholds:
    8,000 x 40, the route of 4.1e4 x 200)."""
    monkeypatch.setattr(_solvers, "SUBSAMPLE_ABOVE", 5_000)
    monkeypatch.setattr(_solvers, "PACKED_ROWS_PER_K2", 5)
    X, y = _data(family, 8_000, 40, 17)
    cls = LogisticRegression if family == "logistic" else PoissonRegression
    a = cls().fit(X, y)
    monkeypatch.setattr(_solvers, "PACKED_ROWS_PER_K2", 0)
    b = cls().fit(X, y)
    assert spy_packed == [True, False]
    assert a.estimate_.status == b.estimate_.status == "success"
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-9, atol=1e-12)
    se_a, se_b = a.estimate_.se, b.estimate_.se
    np.testing.assert_allclose(list(se_a.values()), list(se_b.values()), rtol=1e-9)


def test_one_thread_and_two_give_the_same_packed_hessian(monkeypatch: pytest.MonkeyPatch) -> None:
    """The packed pass whole on one thread (``THETAHAT_NUM_THREADS=1``) and split over
    two: the same entries, nll and gradient, and the full pass's Hessian."""
    from scipy.linalg import lapack

    from thetahat import _fastpath
    from thetahat.regression._loss import POISSON, fused_pass

    X, y = _data("poisson", 3000, 60, 19)
    coef = np.random.default_rng(2).normal(scale=0.05, size=60)
    sw = np.random.default_rng(3).uniform(0.5, 2.0, 3000)
    off = np.random.default_rng(4).normal(scale=0.1, size=3000)
    args = (POISSON, X, y, sw, off, coef, 0.2, True)
    split = fused_pass(*args, with_hessian=True, packed=True)
    monkeypatch.setattr(_fastpath, "num_threads", lambda: 1)
    whole = fused_pass(*args, with_hessian=True, packed=True)
    full = fused_pass(*args, with_hessian=True)
    assert split.hess is not None and whole.hess is not None and full.hess is not None
    assert split.hess.ndim == whole.hess.ndim == 1
    np.testing.assert_allclose(split.hess, whole.hess, rtol=1e-13)
    assert split.nll == pytest.approx(whole.nll, rel=1e-14) == full.nll
    assert split.grad is not None and whole.grad is not None
    np.testing.assert_allclose(split.grad, whole.grad, rtol=1e-13)
    L, info = lapack.dtfttr(61, whole.hess, transr="N", uplo="L")
    assert info == 0
    np.testing.assert_allclose(np.tril(L) + np.tril(L, -1).T, full.hess, rtol=1e-12)


@pytest.mark.parametrize("prior", [None, th.Normal(0, 1)])
def test_a_packed_fit_without_an_intercept(prior: object, monkeypatch: pytest.MonkeyPatch) -> None:
    X, y = _data("logistic", 1200, 120, 23)
    a = LogisticRegression(prior=prior, fit_intercept=False).fit(X, y)
    monkeypatch.setattr(_solvers, "PACKED_ROWS_PER_K2", 0)
    b = LogisticRegression(prior=prior, fit_intercept=False).fit(X, y)
    assert isinstance(a.estimate_.cov, LazyCovariance)
    assert not isinstance(b.estimate_.cov, LazyCovariance)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        list(a.estimate_.se.values()), list(b.estimate_.se.values()), rtol=1e-9
    )
