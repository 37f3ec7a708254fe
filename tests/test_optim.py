"""The Newton solvers in thetahat.optim."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize

from thetahat import optim


def test_newton_maximize_quadratic_in_one_step() -> None:
    a = np.array([[3.0, 1.0], [1.0, 2.0]])
    b = np.array([1.0, -2.0])

    def fgh(z: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        return float(b @ z - 0.5 * z @ a @ z), b - a @ z, -a

    res = optim.newton_maximize(fgh, np.zeros(2))
    assert res.converged and res.status == "success" and res.iterations <= 2
    np.testing.assert_allclose(res.x, np.linalg.solve(a, b), rtol=1e-12)


def test_newton_maximize_non_concave_rosenbrock() -> None:
    def fgh(z: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        return (
            -float(optimize.rosen(z)),
            -optimize.rosen_der(z),
            -optimize.rosen_hess(z),
        )

    res = optim.newton_maximize(fgh, np.array([-1.2, 1.0]))
    assert res.converged
    np.testing.assert_allclose(res.x, [1.0, 1.0], atol=1e-8)


def test_newton_maximize_reports_failure() -> None:
    def fgh(z: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        return float(z[0]), np.array([1.0]), np.array([[0.0]])

    res = optim.newton_maximize(fgh, np.zeros(1), maxiter=20)
    assert not res.converged and res.status == "failed" and res.message


def test_newton_1d_root_and_bracketing() -> None:
    # decreasing function with a root at log(3)
    res = optim.newton_1d(lambda u: (3.0 - np.exp(u), -np.exp(u)), 5.0)
    root, ok, msg, it = res.x[0], res.converged, res.message, res.iterations
    assert ok and root == pytest.approx(np.log(3.0), rel=1e-12) and it < 30 and msg
    # a flat derivative forces the bisection fallback inside the bracket
    res = optim.newton_1d(lambda x: (1.0 - x, 0.0), 0.0, lower=-4.0, upper=4.0)
    root, ok = res.x[0], res.converged
    assert ok and root == pytest.approx(1.0, abs=1e-9)


def test_fd_grad_hess_and_domain_derivatives() -> None:
    f = lambda z: float(np.sin(z[0]) * np.exp(z[1]))  # noqa: E731
    z = np.array([0.3, -0.2])
    val, g, h = optim.fd_grad_hess(f, z)
    assert val == pytest.approx(f(z))
    np.testing.assert_allclose(
        g, [np.cos(0.3) * np.exp(-0.2), np.sin(0.3) * np.exp(-0.2)], rtol=1e-8
    )
    np.testing.assert_allclose(h[0, 1], np.cos(0.3) * np.exp(-0.2), rtol=1e-5)
    from thetahat._domains import OPEN_UNIT, POSITIVE, REAL

    t, d1, d2 = optim.domain_derivatives([REAL, POSITIVE, OPEN_UNIT], np.array([0.5, 0.5, 0.5]))
    s = 1.0 / (1.0 + np.exp(-0.5))
    np.testing.assert_allclose(t, [0.5, np.exp(0.5), s])
    np.testing.assert_allclose(d1, [1.0, np.exp(0.5), s * (1 - s)])
    np.testing.assert_allclose(d2, [0.0, np.exp(0.5), s * (1 - s) * (1 - 2 * s)])


# ---------------------------------------------------------------------- batched solvers
def test_newton_batch_matches_newton_maximize_row_by_row() -> None:
    # Rosenbrock-like rows (non-concave away from the optimum) with different optima
    shifts = np.array([0.0, 0.5, -1.0, 2.0])

    def one(z: np.ndarray, c: float) -> tuple[float, np.ndarray, np.ndarray]:
        w = z - c
        return -float(optimize.rosen(w)), -optimize.rosen_der(w), -optimize.rosen_hess(w)

    def fgh(z: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        out = [one(zi, shifts[r]) for zi, r in zip(z, rows, strict=True)]
        return (np.array([o[0] for o in out]), np.array([o[1] for o in out]),
                np.array([o[2] for o in out]))  # fmt: skip

    z0 = np.tile([-1.2, 1.0], (4, 1))
    res = optim.newton_batch(fgh, z0, f_only=lambda z, rows: fgh(z, rows)[0], maxiter=200)
    assert res.converged.all() and all(s == "success" for s in res.status)
    np.testing.assert_allclose(res.x, 1.0 + np.repeat(shifts[:, None], 2, axis=1), atol=1e-8)
    for i in range(4):
        single = optim.newton_maximize(lambda z, c=shifts[i]: one(z, c), z0[i], maxiter=200)
        np.testing.assert_allclose(res.x[i], single.x, atol=1e-8)
        assert res[i].status == single.status


def test_newton_batch_reports_each_row() -> None:
    # row 1 starts where the objective is not finite; row 2 has no maximum (linear)
    def fgh(z: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        x = z[:, 0]
        f = np.where(rows == 1, np.nan, np.where(rows == 2, x, -((x - 1.0) ** 2)))
        g = np.where(rows == 2, 1.0, -2.0 * (x - 1.0))[:, None]
        h = np.where(rows == 2, 0.0, -2.0)[:, None, None]
        return f, g, h

    res = optim.newton_batch(fgh, np.zeros((3, 1)), f_only=lambda z, r: fgh(z, r)[0], maxiter=30)
    assert [str(s) for s in res.status] == ["success", "failed", "failed"]
    assert res.message[1] == "objective not finite at the start"
    assert not res[2].converged and res[2].status == "failed"


def test_newton_1d_batch_matches_newton_1d() -> None:
    from scipy import special as sc

    s = np.array([0.01, 0.3, 2.0, 9.0])  # Gamma's profile equation log k - psi(k) = s

    def eq(u: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = np.exp(u)
        return u - sc.digamma(k) - s[rows], 1.0 - k * sc.polygamma(1, k)

    res = optim.newton_1d_batch(eq, np.zeros(4))
    assert res.converged.all()
    for i in range(4):
        one = optim.newton_1d(
            lambda u, i=i: tuple(float(v[0]) for v in eq(np.array([u]), np.array([i]))), 0.0
        )
        np.testing.assert_allclose(res.x[i, 0], one.x[0], rtol=1e-12)


def test_batch_result_is_honest_and_indexable() -> None:
    r = optim.BatchResult.of(np.array([[1.0], [np.nan], [2.0]]), np.zeros(3),
                             np.array([True, True, False]), "m", 5)  # fmt: skip
    assert [str(s) for s in r.status] == ["success", "failed", "failed"]
    assert r.converged.tolist() == [True, False, False]
    assert isinstance(r[2], optim.SolverResult) and r[2].status == "failed"


@pytest.mark.parametrize("k", [1, 2, 3])
def test_invert_information_batch_matches_one_by_one(k: int) -> None:
    rng = np.random.default_rng(k)
    a = rng.normal(size=(5, k, k))
    info = a @ a.transpose(0, 2, 1) + 0.1 * np.eye(k)
    info[1] = 0.0  # singular
    info[2, 0, 0] = np.inf
    got = optim.invert_information_batch(info)
    for i in range(5):
        np.testing.assert_allclose(got[i], optim.invert_information(info[i]), rtol=1e-12)


def test_small_inverses_from_floats_equal_invert_information() -> None:
    """``invert_information_2x2`` / ``inverse_2x2`` and ``invert_information_3x3`` (the
    entries as floats, no array first) give ``invert_information``'s answer exactly:
    positive definite, singular, not finite, and with a variance that is not positive.
    The reference is NumPy's inverse where the matrix is regular."""
    rng = np.random.default_rng(12)
    mats = []
    for k in (2, 3):
        for _ in range(20):
            a = rng.standard_normal((k, k))
            mats.append(a @ a.T + 0.1 * np.eye(k))
            mats.append(a)  # (not symmetric, perhaps indefinite: a negative variance)
        mats += [np.ones((k, k)), np.full((k, k), np.nan), np.diag(np.r_[np.inf, np.ones(k - 1)])]
    for m in mats:
        want = optim.invert_information(m)
        got = (
            optim.invert_information_2x2(*m.ravel().tolist())
            if m.shape == (2, 2)
            else optim.invert_information_3x3(*m.ravel().tolist())
        )
        assert got.shape == m.shape
        np.testing.assert_array_equal(got, want)
        if m.shape == (2, 2):
            assert optim.inverse_2x2(*m.ravel().tolist()) == tuple(want.ravel().tolist())
        if np.isfinite(want).all():
            np.testing.assert_allclose(want, np.linalg.inv(m), rtol=1e-10)
        else:
            assert np.isinf(want).all()


@pytest.mark.parametrize("k", [5, 63, 64, 201])
def test_inverse_symmetric_equals_numpy(k: int) -> None:
    """Positive definite (the Cholesky route from CHOLESKY_MIN_K up), indefinite but
    invertible (LU, as np.linalg.inv) and singular (LinAlgError, as np.linalg.inv)."""
    rng = np.random.default_rng(k)
    Z = rng.standard_normal((3 * k, k))
    spd = Z.T @ Z
    got = optim.inverse_symmetric(spd)
    want = np.linalg.inv(spd)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12 * np.abs(want).max())
    if k >= optim._information.CHOLESKY_MIN_K:  # mirrored: exactly symmetric
        assert np.array_equal(got, got.T)
    q, _ = np.linalg.qr(rng.standard_normal((k, k)))
    indefinite = (q * np.r_[-1.0, np.ones(k - 1)]) @ q.T
    np.testing.assert_allclose(
        optim.inverse_symmetric(indefinite), np.linalg.inv(indefinite), rtol=1e-9, atol=1e-12
    )
    singular = spd.copy()
    singular[:, -1] = singular[-1, :] = 0.0
    with pytest.raises(np.linalg.LinAlgError):
        optim.inverse_symmetric(singular)


@pytest.mark.parametrize("order", ["C", "F"])
def test_inverse_symmetric_in_place(order: str) -> None:
    """``overwrite``: the inverse in the matrix's own memory (C or Fortran order), equal
    to NumPy's; an indefinite matrix is restored before LU and still gets its inverse,
    a singular one still raises."""
    rng = np.random.default_rng(11)
    k = 90
    Z = rng.standard_normal((3 * k, k))
    spd = Z.T @ Z
    A = np.array(spd, order=order)  # type: ignore[call-overload]
    got = optim.inverse_symmetric(A, overwrite=True)
    want = np.linalg.inv(spd)
    assert np.shares_memory(got, A)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12 * np.abs(want).max())
    assert np.array_equal(got, got.T)
    again = np.array(spd, order=order)  # type: ignore[call-overload]
    inv, logdet = optim.inverse_symmetric_logdet(again)
    np.testing.assert_allclose(inv, want, rtol=1e-9, atol=1e-12 * np.abs(want).max())
    assert not np.shares_memory(inv, again)  # (no overwrite: a copy)
    assert logdet == pytest.approx(np.linalg.slogdet(spd)[1], rel=1e-12)
    q, _ = np.linalg.qr(rng.standard_normal((k, k)))
    indefinite = (q * np.r_[-1.0, np.ones(k - 1)]) @ q.T
    indefinite = 0.5 * (indefinite + indefinite.T)  # exactly symmetric
    B = np.array(indefinite, order=order)  # type: ignore[call-overload]
    np.testing.assert_allclose(
        optim.inverse_symmetric(B, overwrite=True), np.linalg.inv(indefinite), rtol=1e-9, atol=1e-12
    )
    np.testing.assert_array_equal(B, indefinite)  # restored before LU
    singular = np.array(spd, order=order)  # type: ignore[call-overload]
    singular[:, -1] = singular[-1, :] = 0.0
    with pytest.raises(np.linalg.LinAlgError):
        optim.inverse_symmetric(singular, overwrite=True)


def test_mirror_upper_fills_the_lower_triangle() -> None:
    rng = np.random.default_rng(1)
    for k in (1, 63, 64, 65, 200):
        A = rng.standard_normal((k, k))
        H = np.asfortranarray(A.copy())
        got = optim.mirror_upper(H)
        want = np.triu(A) + np.triu(A, 1).T
        assert got.flags.c_contiguous and np.array_equal(got, want)
