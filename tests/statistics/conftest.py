"""Engine tests load DuckDB, polars and pyarrow: collect their garbage after each test.

Their objects hold native resources (connections, thread pools) whose finalizers must
run in this process; garbage left for later would be collected in any child forked
from it (tests of the fork-aware thread pool fork the worker), where those libraries'
threads do not exist.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _collect_native_garbage() -> Iterator[None]:
    yield
    gc.collect()
