"""Fixtures of the explorer tests: an in-process client of the ASGI app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from thetahat.explore import create_app


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    """A test client of the explorer (no lifespan: no warm-up thread)."""
    # starlette's test client sends Host: testserver
    yield TestClient(create_app(["127.0.0.1", "testserver"]), raise_server_exceptions=False)
