"""Shared test fixtures: paths to the reference data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

#: ../shared/refdata beside the project, or where THETAHAT_REFDATA points
REFDATA = Path(
    os.environ.get("THETAHAT_REFDATA", Path(__file__).resolve().parents[2] / "shared" / "refdata")
)


@pytest.fixture(scope="session")
def refdata() -> Path:
    """Directory of the public reference datasets (../shared/refdata)."""
    if not REFDATA.is_dir():
        raise FileNotFoundError(f"reference data not found at {REFDATA}")
    return REFDATA
