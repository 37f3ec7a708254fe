import warnings

import pytest

import thetahat as th


def test_three_heads() -> None:
    with pytest.warns(th.BoundaryWarning, match="p = 1"):
        est = th.fit(th.Bernoulli, [1, 1, 1])
    assert est.params["p"] == 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert th.fit(th.Bernoulli, [1, 1, 1], prior=th.Beta(2, 2)).params["p"] == pytest.approx(
            0.8
        )
