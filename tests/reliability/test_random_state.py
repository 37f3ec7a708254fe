"""Issue 10, item 6: one random-state keyword across the API.

``rng=`` takes a seed or a ``numpy.random.Generator`` everywhere draws are made;
``random_state=`` (scikit-learn's and scipy's spelling) is the same thing; a
legacy ``RandomState`` continues its stream; anything else is a clear TypeError.
"""

from __future__ import annotations

import numpy as np
import pytest
from _contract import check_error

import thetahat as th

SAMPLERS = {
    "distribution": lambda **kw: th.Gamma(2.0, 1.0).sample(4, **kw),
    "exact posterior": lambda **kw: th.posterior(
        th.Bernoulli, [1, 0, 1], prior=th.Beta(1, 1)
    ).sample(4, **kw)["p"],
    "laplace posterior": lambda **kw: th.posterior(
        th.Exponential, [0.5, 1.0, 2.0], prior=th.Gamma(2, 1), method="laplace"
    ).sample(4, **kw)["rate"],
}


@pytest.mark.parametrize("name", list(SAMPLERS))
def test_rng_and_random_state_are_one_keyword(name):
    draw = SAMPLERS[name]
    a = draw(rng=7)
    np.testing.assert_array_equal(a, draw(random_state=7))
    np.testing.assert_array_equal(a, draw(rng=np.random.default_rng(7)))
    legacy = draw(random_state=np.random.RandomState(0))
    assert np.all(np.isfinite(legacy))


@pytest.mark.parametrize("name", list(SAMPLERS))
@pytest.mark.parametrize(
    ("kw", "exc", "word"),
    [
        ({"rng": 1, "random_state": 1}, TypeError, "not both"),
        ({"rng": 1.5}, TypeError, "seed"),
        ({"rng": "seed"}, TypeError, "generator"),
        ({"rng": -1}, ValueError, ">= 0"),
    ],
)
def test_bad_random_state_is_a_clear_error(name, kw, exc, word):
    with pytest.raises(exc) as info:
        SAMPLERS[name](**kw)
    check_error(info.value, word)
