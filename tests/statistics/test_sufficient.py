"""Sufficient statistics: zero is the identity, + merges exactly, one pass is stable."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import thetahat as th

FAMILIES = [
    (th.Bernoulli(), lambda r, n: r.binomial(1, 0.4, n)),
    (th.Poisson(), lambda r, n: r.poisson(3.0, n)),
    (th.Exponential(), lambda r, n: r.exponential(1.0, n)),
    (th.Normal(), lambda r, n: r.normal(1e6, 1.0, n)),
    (th.Geometric(), lambda r, n: r.geometric(0.3, n) - 1),
    (th.Gamma(), lambda r, n: r.gamma(2.0, 1.0, n)),
    (th.Categorical(k=3), lambda r, n: r.integers(0, 3, n)),
]


@pytest.mark.parametrize(("fam", "draw"), FAMILIES)
def test_zero_is_identity_and_merge_matches_whole(fam, draw) -> None:
    r = np.random.default_rng(0)
    x = draw(r, 1000).astype(float)
    whole = fam.suff_stats(x)
    z = type(whole).zero()
    assert (z + whole) == whole or _close(z + whole, whole)
    merged = fam.suff_stats(x[:333]) + fam.suff_stats(x[333:])
    assert _close(merged, whole)
    assert sum([fam.suff_stats(x[:10]), fam.suff_stats(x[10:])]).n == 1000


def _close(a, b) -> bool:
    da, db = a.to_dict(), b.to_dict()
    return all(np.allclose(da[k], db[k], rtol=1e-12, atol=1e-9) for k in da)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=2, max_size=60),
    st.integers(1, 59),
    st.floats(-1e8, 1e8),
)
def test_chan_merge_equals_two_pass(values, cut, shift) -> None:
    x = np.array(values) + shift
    cut = min(cut, x.size - 1)
    fam = th.Normal()
    merged = fam.suff_stats(x[:cut]) + fam.suff_stats(x[cut:])
    mean = x.mean()
    m2 = np.sum((x - mean) ** 2)
    assert merged.n == x.size
    assert merged.mean == pytest.approx(mean, rel=1e-12, abs=1e-9)
    assert merged.m2 == pytest.approx(m2, rel=1e-7, abs=1e-6 * (1 + abs(shift)) ** 0)


def test_one_pass_chunks_on_large_data_match_two_pass() -> None:
    x = np.random.default_rng(2).normal(1e7, 0.1, size=300_001)
    s = th.Normal().suff_stats(x)
    assert s.mean == pytest.approx(np.mean(x), rel=1e-15)
    d = x - np.mean(x)
    assert s.m2 == pytest.approx(np.dot(d, d), rel=1e-9)


def test_weighted_statistics_match_repetition() -> None:
    x = np.array([1.0, 2.0, 5.0])
    w = np.array([2.0, 0.0, 3.0])
    a = th.Normal().suff_stats(x, weights=w)
    b = th.Normal().suff_stats(np.repeat(x, [2, 0, 3]))
    assert _close(a, b)


def test_merging_mismatched_class_counts_is_an_error() -> None:
    a = th.Categorical(k=3).suff_stats([0, 1, 2])
    b = th.Categorical(k=4).suff_stats([0, 3])
    with pytest.raises(ValueError, match="3 and 4 classes"):
        a + b
