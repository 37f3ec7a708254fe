"""The Examples sections of the GLM and count-model docstrings run as doctests."""

from __future__ import annotations

import doctest

import pytest


@pytest.mark.parametrize(
    "module",
    [
        "thetahat.regression.glm",
        "thetahat.regression.count",
        "thetahat.regression._base",  # standard_errors (issue 17)
        "thetahat.results._lazy_cov",
    ],
)
def test_docstring_examples_run(module: str) -> None:
    import importlib

    mod = importlib.import_module(module)
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 2 and result.failed == 0
