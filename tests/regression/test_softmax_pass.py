"""The multinomial pass (``_softmax.softmax_pass``) against the per-row formulas, computed
in the test: nll, gradient and full block Hessian, over several blocks (the last one
partial) and two workers, with and without weights and intercept."""

from __future__ import annotations

import numpy as np
import pytest

from thetahat.regression import _softmax


def _direct(
    X: np.ndarray, codes: np.ndarray, sw: np.ndarray, theta: np.ndarray, K: int, fit_b: bool
) -> tuple[float, np.ndarray, np.ndarray]:
    """nll, gradient and Hessian as sums over rows of ``W_i (x) x~_i x~_i'``."""
    n = X.shape[0]
    Xt = np.column_stack([X, np.ones(n)]) if fit_b else X
    q = Xt.shape[1]
    eta = np.column_stack([np.zeros(n), Xt @ theta.reshape(K - 1, q).T])  # n x K
    lse = np.logaddexp.reduce(eta, axis=1)
    nll = float(sw @ (lse - eta[np.arange(n), codes]))
    prob = np.exp(eta - lse[:, None])[:, 1:]
    onehot = np.eye(K)[codes][:, 1:]
    grad = ((prob - onehot) * sw[:, None]).T @ Xt  # (K - 1) x q
    hess = np.zeros(((K - 1) * q, (K - 1) * q))
    for k in range(K - 1):
        for j in range(K - 1):
            w = sw * ((k == j) * prob[:, k] - prob[:, k] * prob[:, j])
            hess[k * q : (k + 1) * q, j * q : (j + 1) * q] = Xt.T @ (w[:, None] * Xt)
    return nll, grad.ravel(), hess


@pytest.mark.parametrize("fit_b", [True, False])
@pytest.mark.parametrize("weighted", [True, False])
def test_pass_equals_the_per_row_sums(fit_b: bool, weighted: bool, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(7)
    n, p, K = 9000, 6, 5  # two workers; Hessian blocks of 128 rows, the last partial
    X = rng.normal(size=(n, p))
    codes = rng.integers(0, K, size=n)
    sw = rng.uniform(0.2, 3.0, size=n) if weighted else np.ones(n)
    q = p + int(fit_b)
    theta = rng.normal(scale=0.7, size=(K - 1) * q)
    monkeypatch.setattr(_softmax, "HESS_BLOCK", 1)
    res = _softmax.softmax_pass(
        X, codes, sw if weighted else None, theta, K, fit_b, with_hessian=True
    )
    nll, grad, hess = _direct(X, codes, sw, theta, K, fit_b)
    assert res.hess is not None and res.grad is not None
    assert abs(res.nll - nll) <= 1e-12 * abs(nll)
    assert np.max(np.abs(res.grad - grad)) <= 1e-11 * np.max(np.abs(grad))
    assert np.max(np.abs(res.hess - hess)) <= 1e-13 * np.max(np.abs(hess))
    assert np.array_equal(res.hess, res.hess.T)
    no_h = _softmax.softmax_pass(X, codes, sw if weighted else None, theta, K, fit_b)
    assert no_h.hess is None and no_h.grad is not None
    assert abs(no_h.nll - nll) <= 1e-12 * abs(nll)
    assert np.max(np.abs(no_h.grad - grad)) <= 1e-11 * np.max(np.abs(grad))
