"""The one statistics entry point: every consumer accepts the same sources."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import thetahat as th
from thetahat.statistics import DataStats, Source, SuffStats, statistics_of


def test_laplace_posterior_accepts_sufficient_statistics_like_fit() -> None:
    x = np.array([3.0, 1.0, 4.0, 1.0, 5.0])
    stats = th.Poisson().suff_stats(x)
    prior = th.Gamma(2.0, 1.0)
    from_stats = th.posterior(th.Poisson, stats, prior=prior, method="laplace")
    from_data = th.posterior(th.Poisson, x, prior=prior, method="laplace")
    assert from_stats.mode()["rate"] == pytest.approx(from_data.mode()["rate"], rel=1e-12)
    assert from_stats.log_evidence == pytest.approx(from_data.log_evidence, rel=1e-12)
    assert th.fit(th.Poisson, stats).params["rate"] == pytest.approx(x.mean())


def test_statistics_of_in_memory_kinds() -> None:
    assert isinstance(statistics_of(th.Normal(), [1.0, 2.0]), SuffStats)
    assert isinstance(statistics_of(th.Weibull(), [1.0, 2.0]), DataStats)
    with pytest.raises(TypeError, match="not the sufficient statistics"):
        statistics_of(th.Gamma(), th.Poisson().suff_stats([1, 2]))
    with pytest.raises(ValueError, match="already in the statistics"):
        statistics_of(th.Poisson(), th.Poisson().suff_stats([1, 2]), weights=[1, 1])


class _Chunks:
    """A toy engine: statistics computed chunk by chunk and merged with +."""

    def __init__(self, x: np.ndarray) -> None:
        self.x = x
        self.calls = 0

    def statistics(self, family: Any, weights: Any, obs: Any) -> Any:
        self.calls += 1
        parts = [family.suff_stats(c) for c in np.array_split(self.x, 7)]
        return sum(parts, start=family.statistics_type.zero())


def test_a_source_plugs_into_fit_posterior_and_update() -> None:
    x = np.random.default_rng(4).poisson(3.0, 1000).astype(float)
    src = _Chunks(x)
    assert isinstance(src, Source)
    est = th.fit(th.Poisson, src)
    assert est.params["rate"] == pytest.approx(x.mean(), rel=1e-14)
    post = th.posterior(th.Poisson, src, prior=th.Gamma(1.0, 1.0))
    assert post.dist == th.posterior(th.Poisson, x, prior=th.Gamma(1.0, 1.0)).dist
    more = post.update(_Chunks(x[:10]))
    assert more.n == 1010 and src.calls == 2
