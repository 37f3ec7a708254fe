"""A finished GLM solve's covariance (``GLMFit.covariance``): the inverse Hessian mapped
back from centred columns, scaled, over the active coefficients, taken in the
Hessian's own memory when the fit is done with it (``consume``), with the log
determinant its Cholesky factor gives. The reference is NumPy's inverse and the
linear map ``b = b_c - m'w`` computed here."""

from __future__ import annotations

import numpy as np
import pytest

import thetahat as th
from thetahat.optim import SolverResult, Status
from thetahat.regression import LogisticRegression
from thetahat.regression._solvers import GLMFit


def _fit(k: int, seed: int, centred: bool, order: str) -> GLMFit:
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((3 * k, k))
    H = np.array(Z.T @ Z, order=order)  # type: ignore[call-overload]
    theta = rng.standard_normal(k)
    res = SolverResult(theta, 1.0, True, Status.SUCCESS, "", 3, H)
    return GLMFit(res, 1.0, centre=rng.normal(size=k - 1) * 50 if centred else None)


def _reference(fit: GLMFit, active: np.ndarray, scale: float) -> np.ndarray:
    k = active.size
    cov = np.full((k, k), np.nan)
    cov[np.ix_(active, active)] = np.linalg.inv(fit.hessian[np.ix_(active, active)]) * scale
    if fit.centre is None:
        return cov
    T = np.eye(k)
    T[-1, :-1] = -np.where(active[:-1], fit.centre, 0.0)
    out = T @ np.nan_to_num(cov) @ T.T
    out[np.isnan(cov)] = np.nan
    return out


@pytest.mark.parametrize("k", [5, 70])  # np.linalg.inv, and the Cholesky route
@pytest.mark.parametrize("centred", [False, True])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("partial", [False, True])
def test_covariance_equals_numpy(k: int, centred: bool, order: str, partial: bool) -> None:
    active = np.ones(k, bool)
    if partial:
        active[[1, k // 2]] = False  # weights at an L1 kink
    for consume in (False, True):
        fit = _fit(k, k, centred, order)
        want = _reference(fit, active, 2.5)
        H = fit.hessian
        got = fit.covariance(active, 2.5, consume=consume)
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12 * np.nanmax(np.abs(want)))
        assert np.array_equal(np.isnan(got), np.isnan(want))
        if not consume:
            assert fit.result.hessian is H
            continue
        assert fit.result.hessian is None  # the fit no longer holds it
        if k >= 64 and not partial:  # inverted in the Hessian's own memory
            assert np.shares_memory(got, H)
        if k >= 64 and not partial:  # the factor's log determinant
            sign, logdet = np.linalg.slogdet(got)
            assert sign > 0
            assert fit.cov_logdet == pytest.approx(logdet, rel=1e-10)
        else:  # none taken (LU, or a selection): the Laplace evidence takes its own
            assert np.isnan(fit.cov_logdet)


def test_a_singular_hessian_raises_and_stays() -> None:
    """Where the factor fails the Hessian is restored (LinAlgError, as before)."""
    fit = _fit(70, 1, False, "F")
    fit.hessian[:, 3] = fit.hessian[3, :] = 0.0
    before = fit.hessian.copy()
    with pytest.raises(np.linalg.LinAlgError):
        fit.covariance(np.ones(70, bool), consume=True)
    assert fit.result.hessian is not None
    np.testing.assert_array_equal(fit.hessian, before)


def test_laplace_evidence_from_the_factor_equals_slogdet() -> None:
    """A MAP at 81 coefficients (the Cholesky route): the Laplace evidence, whose
    ``log det cov`` now comes from the inversion's factor, against slogdet of the
    posterior's covariance; that covariance is shared (read-only), not copied."""
    rng = np.random.default_rng(4)
    X = rng.standard_normal((600, 80))
    y = (rng.random(600) < 1 / (1 + np.exp(-X @ rng.normal(size=80) / 9))).astype(float)
    m = LogisticRegression(prior=th.Normal(0, 1)).fit(X, y)
    post = m.posterior_
    k = 81
    sign, logdet = np.linalg.slogdet(post.scale)
    lp = m.estimate_.logpost
    want = lp + 0.5 * k * np.log(2 * np.pi) + 0.5 * logdet
    assert sign > 0
    assert post.log_evidence == pytest.approx(want, rel=1e-12, abs=1e-9)
    assert not post.scale.flags.writeable
    perm = np.r_[k - 1, : k - 1]
    np.testing.assert_allclose(post.scale[np.ix_(perm, perm)], m.estimate_.cov, rtol=1e-14)
