"""The GLM solver's Newton step (issue 12): LAPACK's Cholesky called directly gives
SciPy's ``cho_solve`` answer, and a Hessian that is not positive definite still gives a
finite descent step (its eigenvalues floored)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import linalg

from thetahat.regression._solvers import _solve_newton, newton_step


@pytest.mark.parametrize("k", [1, 2, 11, 80])
@pytest.mark.parametrize("order", ["C", "F"])
def test_positive_definite_equals_scipy(k: int, order: str) -> None:
    rng = np.random.default_rng(k)
    A = rng.standard_normal((3 * k, k))
    H = np.array(A.T @ A + 0.1 * np.eye(k), order=order)
    g = rng.standard_normal(k)
    want = linalg.cho_solve(linalg.cho_factor(H), g)
    got = _solve_newton(H, g)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(H, np.array(A.T @ A + 0.1 * np.eye(k)))  # not overwritten


def test_singular_and_indefinite_give_finite_descent() -> None:
    rng = np.random.default_rng(1)
    v = rng.standard_normal(5)
    for H in (np.outer(v, v), np.diag([2.0, 1.0, -1.0, 0.5, 3.0])):
        g = rng.standard_normal(5)
        step, decrease = newton_step(H, g, np.zeros(5), None)
        assert np.all(np.isfinite(step))
        vals, vecs = np.linalg.eigh(H)
        floor = max(float(vals.max()), 1.0) * 1e-10
        np.testing.assert_allclose(-step, vecs @ ((vecs.T @ g) / np.maximum(vals, floor)))
        assert decrease < 0
