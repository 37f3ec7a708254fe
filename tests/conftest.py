"""Shared test fixtures: the vendored reference data."""

from __future__ import annotations

from pathlib import Path

import pytest

#: public reference datasets vendored from ../shared/refdata (sources in its README.md)
REFDATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def refdata() -> Path:
    """Directory of the public reference datasets (tests/data; see its README.md)."""
    return REFDATA
