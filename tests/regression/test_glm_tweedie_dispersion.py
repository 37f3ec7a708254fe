"""The Tweedie fit's log-likelihoods come from its dispersion solve (issue 18).

The ML dispersion's Newton on ``log phi`` starts at the scale (Pearson's by default)
and records the series log-likelihood at every dispersion it evaluates; the fit reads
``estimate_.loglik`` (at the ML dispersion) and the log-posterior (at the scale) from
there instead of evaluating the Dunn-Smyth series again. Checked here: the values
equal the series log density summed directly, the ML dispersion equals a bounded
scalar maximisation of that sum, and every series evaluation in a fit is one of the
Newton's (with moments), none a separate log-likelihood.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, stats

import thetahat as th
from thetahat.regression import GLMRegression
from thetahat.regression import _families as fam

N = 2000


def _data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(18)
    X = rng.normal(size=(N, 3))
    mu = np.exp(0.3 + X @ [0.4, -0.3, 0.2])
    y = rng.poisson(mu) * rng.gamma(2.0, 0.5, N)  # zeros and positive values
    w = rng.integers(1, 4, N).astype(float)
    return X, y, w


def _direct_loglik(y: np.ndarray, mu: np.ndarray, w: np.ndarray | None, phi: float) -> float:
    per = fam.tweedie_logpdf(y, mu, phi, 1.5)
    return float(np.sum(per) if w is None else w @ per)


@pytest.fixture
def series_calls(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The ``moments`` flag of every series evaluation made while the test runs."""
    calls: list[bool] = []
    inner = fam._tweedie_series

    def counted(y, phi, p, moments, **kw):  # type: ignore[no-untyped-def]
        calls.append(bool(moments))
        return inner(y, phi, p, moments, **kw)

    monkeypatch.setattr(fam, "_tweedie_series", counted)
    return calls


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("scale", ["pearson", "ml", 0.9])
def test_logliks_are_the_dispersion_solves(
    series_calls: list[bool], weighted: bool, scale: object
) -> None:
    X, y, w0 = _data()
    w = w0 if weighted else None
    m = GLMRegression(family="tweedie", power=1.5, scale=scale).fit(X, y, w)
    # every evaluation was the dispersion Newton's (moments); at least the start and a step
    assert len(series_calls) >= 2 and all(series_calls)
    mu = m.predict(X)
    phi_ml = m.estimate_.details["scale_ml"]
    assert m.estimate_.loglik == pytest.approx(_direct_loglik(y, mu, w, phi_ml), rel=1e-12)
    # the ML dispersion maximises the directly summed series likelihood
    r = optimize.minimize_scalar(
        lambda s: -_direct_loglik(y, mu, w, float(np.exp(s))),
        bounds=(np.log(phi_ml) - 1.0, np.log(phi_ml) + 1.0),
        method="bounded",
        options={"xatol": 1e-10},
    )
    assert phi_ml == pytest.approx(float(np.exp(r.x)), rel=1e-6)
    if scale == "ml":
        assert m.scale_ == phi_ml
    elif scale == 0.9:
        assert m.scale_ == 0.9


def test_map_logpost_at_the_scale_from_the_solve(series_calls: list[bool]) -> None:
    """A MAP's log-posterior is the log-likelihood at the Pearson scale (recorded as
    the Newton's start) plus the Normal prior's log density."""
    X, y, w = _data()
    sigma = 0.5
    m = GLMRegression(family="tweedie", power=1.5, prior=th.Normal(0, sigma)).fit(X, y, w)
    assert series_calls and all(series_calls)
    ll = _direct_loglik(y, m.predict(X), w, m.scale_)
    lp = float(np.sum(stats.norm.logpdf(m.coef_, 0.0, sigma)))
    assert m.estimate_.logpost == pytest.approx(ll + lp, rel=1e-12)
    assert m.scale_ != m.estimate_.details["scale_ml"]  # two different dispersions
