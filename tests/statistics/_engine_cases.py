"""Data shared by the engine tests: one sample per family with sufficient statistics."""

from __future__ import annotations

from typing import Any

import numpy as np

import thetahat as th

#: (family, keyword arguments of the fit, a sampler of n observations)
CASES: list[tuple[str, Any, dict[str, Any], Any]] = [
    ("Normal", th.Normal, {}, lambda r, n: r.normal(1e6, 0.5, n)),
    ("Gamma", th.Gamma, {}, lambda r, n: r.gamma(2.5, 1.5, n)),
    ("Exponential", th.Exponential, {}, lambda r, n: r.exponential(2.0, n)),
    ("LogNormal", th.LogNormal, {}, lambda r, n: r.lognormal(0.3, 0.8, n)),
    ("Beta", th.Beta, {}, lambda r, n: r.beta(2.0, 5.0, n)),
    ("InverseGamma", th.InverseGamma, {}, lambda r, n: 1.0 / r.gamma(3.0, 0.5, n)),
    ("HalfNormal", th.HalfNormal, {}, lambda r, n: np.abs(r.normal(0, 2.0, n))),
    ("Poisson", th.Poisson, {}, lambda r, n: r.poisson(3.5, n).astype(float)),
    ("Geometric", th.Geometric, {}, lambda r, n: r.geometric(0.3, n).astype(float)),
    ("Bernoulli", th.Bernoulli, {}, lambda r, n: (r.random(n) < 0.3).astype(float)),
    ("Binomial", th.Binomial(n=10), {}, lambda r, n: r.binomial(10, 0.4, n).astype(float)),
]


def sample(sampler: Any, n: int, seed: int = 7) -> np.ndarray:
    return np.asarray(sampler(np.random.default_rng(seed), n), dtype=float)


def close(a: Any, b: Any, rtol: float) -> None:
    """Estimates agree parameter by parameter (values and standard errors)."""
    assert a.params.keys() == b.params.keys()
    for k in a.params:
        np.testing.assert_allclose(a.params[k], b.params[k], rtol=rtol, err_msg=k)
        np.testing.assert_allclose(a.se[k], b.se[k], rtol=rtol, err_msg=f"se of {k}")
