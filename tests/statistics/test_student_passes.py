"""Student t over engines: Newton steps as aggregate queries (engines/student.py) give the
in-memory fit, its boundary (the Normal limit) and its covariance, whole and per group."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from _paths import rel_close

import thetahat as th


def _quiet(fn: Any, *args: Any, **kw: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kw)


def _duck(frame: pd.DataFrame) -> Any:
    """The frame as a DuckDB relation (a connection of its own)."""
    import duckdb

    con = duckdb.connect()
    con.register("frame", frame)
    return con.sql("SELECT * FROM frame")


def _same(got: th.Estimate, ref: th.Estimate, rtol: float = 1e-9) -> None:
    assert got.params.keys() == ref.params.keys()
    for k in ref.params:
        assert rel_close(got.params[k], ref.params[k], rtol), (k, got.params, ref.params)
    assert rel_close(got.cov, ref.cov, rtol), (got.cov, ref.cov)
    assert rel_close(got.loglik, ref.loglik, 1e-12)
    assert got.status == ref.status, (got.status, ref.status, got.message)


SAMPLES = {
    "t3": lambda: th.StudentT(3.0, 1.0, 2.0).sample(3000, rng=2),
    "cauchy": lambda: th.StudentT(1.0, 0.0, 1.0).sample(2000, rng=5),
    "narrow": lambda: th.StudentT(1.5, 5.0, 0.1).sample(30000, rng=7),
    "uniform": lambda: np.random.default_rng(1).uniform(size=3000),
}


@pytest.mark.parametrize("name", list(SAMPLES))
@pytest.mark.parametrize(
    "family", [th.StudentT, th.StudentT(df=4.0), th.StudentT(loc=0.0)], ids=["free", "df", "loc"]
)
def test_duckdb_and_polars_lazy_equal_in_memory(name: str, family: Any) -> None:
    import polars as pl

    x = np.asarray(SAMPLES[name](), dtype=float)
    ref = _quiet(th.fit, family, x)
    frame = pd.DataFrame({"x": x})
    for data in (_duck(frame), pl.from_pandas(frame).lazy()):
        got = _quiet(th.fit, family, data, column="x")
        _same(got, ref)
        assert got.passes >= 3  # two for the start, one per Newton step


def test_normal_limit_is_a_boundary_as_in_memory() -> None:

    x = np.random.default_rng(1).uniform(size=3000)
    ref = _quiet(th.fit, th.StudentT, x)
    got = _quiet(th.fit, th.StudentT, _duck(pd.DataFrame({"x": x})), column="x")
    assert ref.status == got.status == "boundary"
    assert got.params["df"] == np.inf
    assert got.message == ref.message and "Normal limit" in got.message
    assert rel_close(got.params["loc"], x.mean(), 1e-12)


def test_groups_at_once_with_a_boundary_group_and_streamed_scan(tmp_path: Path) -> None:

    rng = np.random.default_rng(3)
    parts = {
        "heavy": th.StudentT(2.0, 0.0, 1.0).sample(1500, rng=rng),
        "light": rng.uniform(size=1500),
        "mid": th.StudentT(8.0, 3.0, 0.5).sample(1500, rng=rng),
        "same": np.full(10, 2.5),
    }
    frame = pd.DataFrame({"g": np.repeat(list(parts), [len(v) for v in parts.values()]),
                          "x": np.concatenate(list(parts.values()))})  # fmt: skip
    frame.to_parquet(tmp_path / "t.parquet")
    for data in (frame, _duck(frame), th.scan(tmp_path / "t.parquet")):
        t = _quiet(th.fit, th.StudentT, data, column="x", by="g")
        assert t.passes >= 3
        for key, x in parts.items():
            ref = _quiet(th.fit, th.StudentT, x)
            i = t.keys.index((key,))
            assert t.columns["status"][i] == str(ref.status), key
            for p in ("df", "loc", "scale"):
                assert rel_close(t.columns[p][i], ref.params[p], 1e-9), (key, p)
                assert rel_close(t.columns[f"{p}_se"][i], ref.se[p], 1e-7), (key, p)
            assert rel_close(t.columns["loglik"][i], ref.loglik, 1e-9), key
    # a streamed scan without groups takes the passes too (no data in memory)
    one = _quiet(th.fit, th.StudentT, th.scan(tmp_path / "t.parquet"), column="x")
    _same(one, _quiet(th.fit, th.StudentT, frame["x"].to_numpy()))
    assert one.passes >= 3


def test_weights_and_bad_input() -> None:
    import duckdb

    rng = np.random.default_rng(9)
    x = th.StudentT(4.0, -1.0, 3.0).sample(2000, rng=rng)
    w = rng.integers(1, 4, x.size).astype(float)
    frame = pd.DataFrame({"x": x, "w": w})
    rel = _duck(frame)
    _same(_quiet(th.fit, th.StudentT, rel, column="x", weights="w"),
          _quiet(th.fit, th.StudentT, x, weights=w))  # fmt: skip
    empty = duckdb.sql("SELECT 1.0e301 AS x WHERE false")
    with pytest.raises(ValueError, match="empty"):
        th.fit(th.StudentT, empty, column="x")
    est = _quiet(th.fit, th.StudentT, rel, column="x")
    with pytest.raises(ValueError, match="profile intervals"):
        est.conf_int(kind="profile")


def test_a_prior_or_posterior_fetches_the_data_as_before() -> None:
    x = th.StudentT(4.0, 1.0, 2.0).sample(1500, rng=4)
    fam, prior = th.StudentT(df=4.0, scale=2.0), th.Normal(0.0, 10.0)
    rel = _duck(pd.DataFrame({"x": x}))
    got = _quiet(th.fit, fam, rel, column="x", prior=prior)
    ref = _quiet(th.fit, fam, x, prior=prior)
    assert got.method == ref.method == "map"
    assert got.params["loc"] == pytest.approx(ref.params["loc"], rel=1e-12)
    post = _quiet(th.posterior, fam, rel, column="x", prior=prior, method="laplace")
    post_ref = _quiet(th.posterior, fam, x, prior=prior, method="laplace")
    assert post.mean()["loc"] == pytest.approx(post_ref.mean()["loc"], rel=1e-12)


@pytest.mark.parametrize("groups", [2, 3])
def test_as_many_groups_as_free_parameters(groups: int) -> None:
    # the solution's per-group arrays are reordered by key, its tuple of names is not
    x = th.StudentT(4.0, 1.0, 2.0).sample(900, rng=6)
    labels = (np.arange(900) % groups)[::-1].copy()
    for fam in (th.StudentT, th.StudentT(df=4.0)):
        t = _quiet(th.fit, fam, x, by=labels)
        assert t.vectorised and [k[0] for k in t.keys] == list(range(groups))
        for (key,) in t.keys:
            ref = _quiet(th.fit, fam, x[labels == key])
            i = t.keys.index((key,))
            for p, v in ref.params.items():
                assert rel_close(t.columns[p][i], v, 1e-9), (groups, key, p)
