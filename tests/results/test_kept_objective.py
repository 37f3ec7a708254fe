"""What an Estimate keeps for profile intervals: statistics, never a copy of the data."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import thetahat as th
from thetahat.statistics.sufficient import SuffStats


def _arrays(obj: object) -> list[np.ndarray]:
    """Every ndarray held by a dataclass (one level of nesting for dicts)."""
    out = []
    for f in dataclasses.fields(obj):  # type: ignore[arg-type]
        v = getattr(obj, f.name)
        vals = v.values() if isinstance(v, dict) else [v]
        out.extend(a for a in vals if isinstance(a, np.ndarray))
    return out


@pytest.mark.parametrize(
    ("family", "sampler"),
    [
        (th.Gamma, lambda r, n: r.gamma(1.7, 2.0, n)),
        (th.Beta, lambda r, n: r.beta(2.0, 5.0, n)),
        (th.LogNormal, lambda r, n: r.lognormal(0.5, 0.8, n)),
        (th.Normal, lambda r, n: r.normal(1.0, 2.0, n)),
        (th.InverseGamma, lambda r, n: 1.0 / r.gamma(3.0, 1.0, n)),
    ],
)
def test_families_with_sufficient_statistics_keep_only_them(family, sampler) -> None:
    x = sampler(np.random.default_rng(1), 5000)
    est = th.fit(family, x)
    stats = est.extra["problem"].stats
    assert isinstance(stats, SuffStats)
    assert not _arrays(stats)  # a handful of numbers, nothing of size n
    # and the profile intervals work from them, bracketing the estimate
    for name, (lo, hi) in est.conf_int(kind="profile").items():
        assert lo < est.params[name] < hi


@pytest.mark.parametrize(
    ("family", "sampler"),
    [
        (th.Weibull, lambda r, n: 2.0 * r.weibull(1.5, n)),
        (th.StudentT, lambda r, n: r.standard_t(4.0, n)),
        (th.Laplace, lambda r, n: r.laplace(0.5, 2.0, n)),
        (th.Pareto, lambda r, n: 1.0 + r.pareto(2.0, n)),
    ],
)
def test_families_without_statistics_keep_the_callers_array_not_a_copy(family, sampler) -> None:
    x = sampler(np.random.default_rng(2), 3000)
    est = th.fit(family, x)
    stats = est.extra["problem"].stats
    assert stats.x is x or (np.shares_memory(stats.x, x) and stats.x.shape == x.shape)
    # nothing else of size n is kept (log x and other derived arrays are dropped)
    held = [a for a in _arrays(stats) if a.size >= x.size and not np.shares_memory(a, x)]
    assert held == []
    ci = est.conf_int(kind="profile")
    for name, (lo, hi) in ci.items():
        assert lo <= est.params[name] <= hi


def test_discrete_data_keep_a_frequency_table() -> None:
    x = np.random.default_rng(3).negative_binomial(2.5, 0.3, 20000)
    est = th.fit(th.NegativeBinomial, x)
    stats = est.extra["problem"].stats
    assert stats.x.size < 200 and stats.n == x.size
    lo, hi = est.conf_int(kind="profile")["r"]
    assert lo < est.params["r"] < hi
