"""The count kernel's histogram block (4-bit counters flushed into bytes every 15 steps)
at its limits: every value in one bin for whole blocks (a byte counter reaches 255),
each of the 16 bins, the largest count it takes (15) and the first it does not (16),
compared with numpy's sums (issue 12: Poisson on one thread)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special as sc

from thetahat import _fastpath

BLOCK = 1020  # the kernel's block: 255 steps of four values


def _reference(x: np.ndarray) -> tuple[int, float, float]:
    ok = np.isfinite(x) & (x >= 0) & (x == np.floor(x))
    if not ok.all():
        return int(np.argmin(ok)), np.nan, np.nan
    return -1, float(np.sum(x)), float(np.sum(sc.gammaln(x + 1.0)))


def _agree(x: np.ndarray) -> None:
    got, want = _fastpath.count_stats(x), _reference(x)
    assert got[0] == want[0]
    if want[0] < 0:
        assert got[1] == want[1]  # integer sums are exact
        np.testing.assert_allclose(got[2], want[2], rtol=1e-13, atol=1e-9)


@pytest.mark.parametrize("v", range(17))
@pytest.mark.parametrize("n", [4, 59, 60, 61, 1019, BLOCK, BLOCK + 1, 3 * BLOCK + 7])
def test_one_value_fills_its_counter(v: int, n: int) -> None:
    _agree(np.full(n, float(v)))


@pytest.mark.parametrize("seed", range(6))
def test_mixed_small_counts_over_blocks(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 16, 5 * BLOCK + 3).astype(float)
    x[: 2 * BLOCK] = np.sort(x[: 2 * BLOCK])  # long runs of one bin, then all of them
    _agree(x)
    x[BLOCK + 17] = 16.0  # a block the histogram cannot take: the table path
    _agree(x)
    x[3 * BLOCK + 2] = 2.5  # a bad value inside a histogram block
    _agree(x)
    x[3 * BLOCK + 2] = -1.0
    _agree(x)
