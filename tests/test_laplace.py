"""th.Laplace against scipy.stats.laplace."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import thetahat as th


@pytest.mark.parametrize(("loc", "scale"), [(0.0, 1.0), (-2.5, 0.3), (10.0, 40.0)])
def test_laplace_matches_scipy(loc: float, scale: float) -> None:
    d, ref = th.Laplace(loc, scale), stats.laplace(loc, scale)
    x = loc + scale * np.array([-30.0, -3, -0.5, 0, 0.2, 1, 4, 30])
    np.testing.assert_allclose(d.logpdf(x), ref.logpdf(x), rtol=1e-13)
    np.testing.assert_allclose(d.cdf(x), ref.cdf(x), rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(d.sf(x), ref.sf(x), rtol=1e-13, atol=1e-300)
    q = np.array([1e-12, 0.01, 0.3, 0.5, 0.7, 0.99, 1 - 1e-12])
    np.testing.assert_allclose(d.ppf(q), ref.ppf(q), rtol=1e-10)
    assert d.mean() == ref.mean() and d.mode() == loc
    assert d.var() == pytest.approx(ref.var(), rel=1e-14)
    draws = d.sample(20000, rng=0)
    assert stats.kstest(draws, ref.cdf).pvalue > 1e-3
    assert d.to_scipy().kwds == ref.kwds or d.to_scipy().args == ref.args


def test_laplace_validation() -> None:
    with pytest.raises(ValueError, match="scale"):
        th.Laplace(0, -1)
    assert th.Laplace(scale=2.0).free == ("loc",)
