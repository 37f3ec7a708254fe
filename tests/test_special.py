"""thetahat._special against scipy.special: the Gamma cdf walked up sorted values."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special as sc

from thetahat import _fastpath
from thetahat._special import gamma_cdf_sf_sorted


@pytest.mark.parametrize("a", [0.05, 0.2, 0.5, 0.9, 1.0, 1.5, 2.0, 3.7, 10.0, 31.0, 100.0, 250.0])
@pytest.mark.parametrize("n", [1, 2, 3, 17, 1000, 20000])
def test_gamma_cdf_sf_sorted_matches_scipy_in_both_tails(a, n):
    # relative accuracy of both functions everywhere: the Anderson-Darling statistic takes
    # log P at the smallest order statistics and log Q at the largest
    y = np.sort(np.random.default_rng(n).gamma(a, size=n))
    p, q = gamma_cdf_sf_sorted(a, y)
    ref_p, ref_q = sc.gammainc(a, y), sc.gammaincc(a, y)
    np.testing.assert_allclose(p, ref_p, rtol=1e-13, atol=0)
    np.testing.assert_allclose(q, ref_q, rtol=1e-13, atol=0)


def test_gamma_cdf_sf_sorted_edges():
    # zeros, ties, a far outlier, wide gaps and tiny values: scipy's values there
    y = np.array([0.0, 0.0, 1e-310, 1e-200, 1e-5, 0.3, 0.3, 0.3000001, 1.0, 2.0, 2.0, 40.0, 900.0])
    for a in (0.3, 1.0, 2.5, 60.0):
        p, q = gamma_cdf_sf_sorted(a, y)
        np.testing.assert_allclose(p, sc.gammainc(a, y), rtol=1e-13, atol=0)
        np.testing.assert_allclose(q, sc.gammaincc(a, y), rtol=1e-13, atol=0)


def test_gamma_walk_is_compiled_where_the_fit_kernels_are():
    # the walk is the point of the function: with the kernels it must be the one taken
    if _fastpath.HAVE_FIT_KERNELS:
        from thetahat import _kernels

        y = np.array([0.5, 1.0, 1.5])
        f = np.array([sc.gammainc(2.0, 0.5), np.nan, np.nan])
        s = np.array([np.nan, np.nan, sc.gammaincc(2.0, 1.5)])
        _kernels.gamma_walk(y, 2.0, -sc.gammaln(2.0), 2, f, s)
        # the gaps are wide for the rule (error ~1e-7 here), but the walk fills them
        np.testing.assert_allclose(f, sc.gammainc(2.0, y), rtol=1e-6)
        np.testing.assert_allclose(s, sc.gammaincc(2.0, y), rtol=1e-6)
        with pytest.raises(TypeError, match="gamma_walk"):
            _kernels.gamma_walk(y, 2.0, 0.0, 5, f, s)
    else:
        p, q = gamma_cdf_sf_sorted(2.0, np.array([0.5, 1.0]))
        np.testing.assert_allclose(p + q, 1.0)


def test_gamma_cdf_sf_sorted_without_kernels_is_scipy(monkeypatch):
    # where no C compiler built the kernels: scipy's functions, split at the median
    import thetahat._special as special

    monkeypatch.setattr(special, "HAVE_FIT_KERNELS", False)
    y = np.sort(np.random.default_rng(4).gamma(3.0, size=500))
    p, q = special.gamma_cdf_sf_sorted(3.0, y)
    np.testing.assert_allclose(p, sc.gammainc(3.0, y), rtol=1e-14, atol=0)
    np.testing.assert_allclose(q, sc.gammaincc(3.0, y), rtol=1e-14, atol=0)
