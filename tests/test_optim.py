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
