"""The docstring examples of the engines, th.scan and FitTable run (doctest)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "thetahat.statistics.engines.expr",
    "thetahat.statistics.engines.base",
    "thetahat.statistics.engines.plans",
    "thetahat.statistics.engines.passes",
    "thetahat.statistics.engines.source",
    "thetahat.statistics.engines.frame",
    "thetahat.statistics.engines.scan",
    "thetahat.inference.frames",
    "thetahat.inference.grouped",
    "thetahat.results.fittable",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 1 and result.failed == 0
