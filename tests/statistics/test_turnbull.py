"""Turnbull's NPMLE: Kaplan-Meier for right-censored data, cell shares for binned data."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import thetahat as th
from thetahat.statistics.turnbull import turnbull


def test_right_censored_is_kaplan_meier():
    rng = np.random.default_rng(0)
    t, c = rng.exponential(1.0, 80), rng.exponential(1.5, 80)
    x, cens = np.minimum(t, c), t > c
    est = turnbull(th.Censored.right(x, cens))
    km = stats.ecdf(stats.CensoredData.right_censored(x, cens))
    fin = np.isfinite(est.right)
    np.testing.assert_allclose(est.cdf_after[fin], km.cdf.evaluate(est.right[fin]), atol=1e-8)
    assert est.converged and est.mass.sum() == pytest.approx(1.0)


def test_binned_data_put_each_cells_share_on_it():
    lo = np.array([0.0, 0.0, 1.0, 2.0, 2.0, 2.0])
    est = turnbull(th.Censored(lo, lo + 1.0))
    assert est.left.tolist() == [0.0, 1.0, 2.0] and est.right.tolist() == [1.0, 2.0, 3.0]
    np.testing.assert_allclose(est.mass, [2 / 6, 1 / 6, 3 / 6])


def test_overlapping_intervals_maximise_the_likelihood():
    lower = np.array([0.0, 1.0, 2.0, 0.5, 3.0])
    upper = np.array([2.0, 3.0, 4.0, 1.5, np.inf])
    est = turnbull(th.Censored(lower, upper), weights=[1, 2, 1, 1, 1])

    def loglik(mass):
        inside = (lower[:, None] <= est.left[None, :]) & (est.right[None, :] <= upper[:, None])
        return float(np.dot([1, 2, 1, 1, 1], np.log(inside @ mass)))

    best = loglik(est.mass)
    rng = np.random.default_rng(1)
    for _ in range(200):  # no nearby distribution on the same intervals does better
        other = np.abs(est.mass + rng.normal(0, 0.02, est.mass.size))
        assert loglik(other / other.sum()) <= best + 1e-9


def test_bad_input():
    with pytest.raises(TypeError, match="Censored"):
        turnbull(np.ones(3))
    with pytest.raises(ValueError, match="weights"):
        turnbull(th.Censored([0.0], [1.0]), weights=[-1.0])
