"""Quantiles of Beta distributions with parameters beyond scipy's betaincinv.

Posteriors of huge counts (Geometric data near 1e227 under a Beta prior) have Beta
parameters where ``scipy.special.betaincinv`` returns NaN or a wrong value; the
interval must still be finite, ordered and inside (0, 1).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats

import thetahat as th


@pytest.mark.parametrize(("a", "b"), [(1e3, 1e15), (3.0, 1e250), (1005.0, 9.3e227)])
def test_skewed_beta_quantiles_follow_the_gamma_limit(a: float, b: float) -> None:
    q = np.array([0.025, 0.5, 0.975])
    got = th.Beta(a, b).ppf(q)
    # b * X -> Gamma(a, 1) as b / a -> infinity (relative error O(a / b))
    np.testing.assert_allclose(got, stats.gamma(a).ppf(q) / b, rtol=1e-9)
    assert np.all(np.diff(got) > 0)


def test_both_parameters_huge_give_a_point_at_the_mean() -> None:
    lo, hi = th.Beta(1e250, 3e250).interval(0.9)
    assert lo <= hi
    assert lo == pytest.approx(0.25, rel=1e-12) and hi == pytest.approx(0.25, rel=1e-12)


def test_moderate_parameters_still_use_scipy() -> None:
    q = np.linspace(0.01, 0.99, 7)
    np.testing.assert_array_equal(th.Beta(2.0, 3.0).ppf(q), special.betaincinv(2.0, 3.0, q))


def test_geometric_posterior_of_huge_counts_has_a_finite_interval() -> None:
    post = th.posterior(th.Geometric, [1.859878431248845e227] * 5, prior=th.Beta(1000, 120))
    lo, hi = post.interval(0.9)["p"]
    assert 0.0 < lo < hi < 1.0


def test_student_t_quantiles_at_the_ends_of_the_lower_tail() -> None:
    # scipy's stdtrit(df, 0) is +inf
    q = np.array([0.0, 1e-300, 1e-12, 0.3, 0.5, 0.9, 1.0])
    got = th.StudentT(3.0, 1.0, 2.0).ppf(q)
    assert got[0] == -np.inf and got[-1] == np.inf
    # the lower tail mirrors scipy's upper-tail inverse
    ref = np.where(
        q[1:-1] < 0.5, 1.0 - 2.0 * stats.t(3.0).isf(q[1:-1]), stats.t(3.0, 1.0, 2.0).ppf(q[1:-1])
    )
    np.testing.assert_allclose(got[1:-1], ref, rtol=1e-10)
