"""The Examples sections of the diagnostics modules (issue 16) run as doctests."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "thetahat.inference.gof",
    "thetahat.inference.bootstrap",
    "thetahat.results.bootstrap",
    "thetahat.results.estimate",
    "thetahat.distributions.multivariate_normal",
    "thetahat.distributions.normal_inverse_wishart",
    "thetahat.distributions.multivariate_t",
    "thetahat.statistics.turnbull",
    "thetahat.plot._compare",
]


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name: str) -> None:
    if name.startswith("thetahat.plot"):
        import matplotlib

        matplotlib.use("Agg")
    mod = importlib.import_module(name)
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    if name.startswith("thetahat.plot"):
        import matplotlib.pyplot as plt

        plt.close("all")
