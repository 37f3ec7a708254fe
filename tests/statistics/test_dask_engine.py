"""Fits on a real Dask LocalCluster equal the in-memory fits (statistics per partition)."""

from __future__ import annotations

import doctest
import os
import signal
import threading
import time
from collections.abc import Iterator

import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from _engine_cases import CASES, close, sample

import thetahat as th

pytestmark = pytest.mark.xdist_group("dask")


@pytest.mark.parametrize(("name", "family", "kw", "sampler"), CASES, ids=[c[0] for c in CASES])
def test_fit_equals_in_memory(dask_client, name, family, kw, sampler) -> None:  # type: ignore[no-untyped-def]
    x = sample(sampler, 2001)
    w = np.random.default_rng(1).integers(0, 4, x.shape[0]).astype(float)
    dx = da.from_array(x, chunks=300)
    close(th.fit(family, dx, **kw), th.fit(family, x, **kw), 1e-12)
    dw = da.from_array(w, chunks=500)  # other chunks: rechunked to the data's
    close(th.fit(family, dx, weights=dw), th.fit(family, x, weights=w), 1e-12)


def test_series_and_dataframe_columns(dask_client) -> None:  # type: ignore[no-untyped-def]
    from thetahat.statistics.engines.dask import DaskSource

    rng = np.random.default_rng(3)
    df = pd.DataFrame({"x": rng.gamma(2.0, 1.0, 999), "w": rng.integers(1, 3, 999) * 1.0})
    ddf = dd.from_pandas(df, npartitions=4)
    ref = th.fit(th.Gamma, df.x.to_numpy(), weights=df.w.to_numpy())
    close(th.fit(th.Gamma, ddf["x"], weights=ddf["w"]), ref, 1e-12)
    close(th.fit(th.Gamma, DaskSource(ddf, column="x"), weights="w"), ref, 1e-12)
    close(th.fit(th.Gamma, ddf, column="x", weights="w"), ref, 1e-12)
    with pytest.raises(ValueError, match="name the column to fit"):
        th.fit(th.Gamma, ddf)
    with pytest.raises(ValueError, match="column 'nope' is not in the Dask DataFrame"):
        DaskSource(ddf, column="nope")


def grouped_frame(rows: int = 3000) -> pd.DataFrame:
    """Groups spread over partitions, and groups that live in one partition only."""
    rng = np.random.default_rng(8)
    g = rng.integers(0, 12, rows)
    g[:300] = 100 + rng.integers(0, 3, 300)  # in the first partition only
    return pd.DataFrame({"g": g, "x": rng.gamma(2.0 + g % 5, 1.0, rows) + 0.01,
                         "w": rng.integers(0, 3, rows) * 1.0})  # fmt: skip


@pytest.mark.parametrize("family", [th.Gamma, th.Normal, th.Weibull, th.LogNormal, th.StudentT])
def test_by_groups_equal_pandas(dask_client, family) -> None:  # type: ignore[no-untyped-def]
    df = grouped_frame()
    ddf = dd.from_pandas(df, npartitions=6)
    dist = th.fit(family, ddf, column="x", weights="w", by="g")
    mem = th.fit(family, df, column="x", weights="w", by="g")
    rtol = 1e-9 if family in (th.Weibull, th.StudentT) else 1e-12
    for key in sorted(set(df.g)):
        close(dist[key], mem[key], rtol)


def test_iterative_family_reports_passes(dask_client) -> None:  # type: ignore[no-untyped-def]
    df = grouped_frame()
    ddf = dd.from_pandas(df, npartitions=4)
    dist = th.fit(th.Weibull, ddf, column="x")
    close(dist, th.fit(th.Weibull, df.x.to_numpy()), 1e-9)
    assert dist.details["passes"] >= 3


def test_nulls_in_a_dask_frame(dask_client) -> None:  # type: ignore[no-untyped-def]
    df = grouped_frame(400)
    df.loc[[5, 77, 301], "x"] = np.nan
    ddf = dd.from_pandas(df, npartitions=3)
    with pytest.raises(ValueError, match=r"3 in column 'x'"):
        th.fit(th.Gamma, ddf, column="x")
    with pytest.raises(ValueError, match=r"3 in column 'x'"):  # every partition's count
        th.fit(th.Gamma, ddf, column="x", by="g")
    fit = th.fit(th.Gamma, ddf, column="x", nulls="drop")
    close(fit, th.fit(th.Gamma, df.x.dropna().to_numpy()), 1e-12)


def test_a_fit_is_one_pass_over_the_partitions(dask_client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Null counts ride in the statistics pass (no pass of their own, no row count), and a
    DataFrame column's statistics are computed on the workers, not pulled to the client."""
    from thetahat.statistics.engines.dask import DaskEngine

    df = grouped_frame(900)
    ddf = dd.from_pandas(df, npartitions=3)

    def refuse(*args: object, **kw: object) -> None:
        raise AssertionError("a pass of its own")

    def streamed(*args: object, **kw: object) -> Iterator[None]:
        raise AssertionError("the partitions pulled to the client")
        yield  # a generator: asked for, never read

    for name in ("nrows", "null_counts"):
        monkeypatch.setattr(DaskEngine, name, refuse)
    monkeypatch.setattr(DaskEngine, "batches", streamed)
    for family in (th.Gamma, th.Normal):
        close(th.fit(family, ddf, column="x"), th.fit(family, df.x.to_numpy()), 1e-12)
        dist, mem = th.fit(family, ddf, column="x", by="g"), th.fit(family, df, column="x", by="g")
        for key in sorted(set(df.g)):
            close(dist[key], mem[key], 1e-12)
    empty = dd.from_pandas(df.iloc[:0], npartitions=1)
    for by in (None, "g"):
        with pytest.raises(ValueError, match="the table is empty"):
            th.fit(th.Gamma, empty, column="x", by=by)


def test_poisson_exposure_and_posterior(dask_client) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(4)
    e = rng.uniform(0.5, 3.0, 1500)
    y = rng.poisson(2.0 * e).astype(float)
    dy, de = da.from_array(y, chunks=200), da.from_array(e, chunks=200)
    close(th.fit(th.Poisson, dy, exposure=de), th.fit(th.Poisson, y, exposure=e), 1e-12)
    a = th.posterior(th.Poisson, dy, prior=th.Gamma(2, 1), exposure=de)
    b = th.posterior(th.Poisson, y, prior=th.Gamma(2, 1), exposure=e)
    assert a.mean() == pytest.approx(b.mean(), rel=1e-12)
    assert a.log_evidence == pytest.approx(b.log_evidence, rel=1e-12)


def test_compare_ranks_as_in_memory(dask_client) -> None:  # type: ignore[no-untyped-def]
    x = np.random.default_rng(5).gamma(3.0, 2.0, 800)
    dx = da.from_array(x, chunks=150)
    fams = [th.Normal, th.Gamma, th.LogNormal, th.Exponential]
    a, b = th.compare(fams, dx), th.compare(fams, x)
    assert [r["family"] for r in a.rows] == [r["family"] for r in b.rows]
    for ra, rb in zip(a.rows, b.rows, strict=True):
        assert ra["aic"] == pytest.approx(rb["aic"], rel=1e-12)


def test_empty_partitions_are_the_identity(dask_client) -> None:  # type: ignore[no-untyped-def]
    x = sample(CASES[1][3], 40)
    dx = da.from_array(x, chunks=((0, 10, 0, 0, 25, 5, 0),))
    close(th.fit(th.Gamma, dx), th.fit(th.Gamma, x), 1e-12)
    empty = da.from_array(np.zeros(0), chunks=((0, 0),))
    with pytest.raises(ValueError, match="hold no observations"):
        th.fit(th.Gamma, empty)


def test_bad_data_name_the_partition(dask_client) -> None:  # type: ignore[no-untyped-def]
    x = np.abs(np.random.default_rng(6).normal(size=100)) + 0.1
    x[57] = -1.0
    with pytest.raises(ValueError, match=r"partition 2 of the Dask data: .*"):
        th.fit(th.Gamma, da.from_array(x, chunks=25))
    with pytest.raises(ValueError, match="one-dimensional"):
        th.fit(th.Normal, da.zeros((4, 2), chunks=2))
    with pytest.raises(TypeError, match="partitioned like the data"):
        th.fit(th.Normal, da.from_array(x, chunks=25), weights=np.ones(100))
    with pytest.raises(TypeError, match="no finite sufficient statistics"):
        th.fit(th.Weibull, da.from_array(np.abs(x), chunks=25))


def _slow(block: np.ndarray) -> np.ndarray:
    time.sleep(0.15)
    return block


def test_worker_killed_mid_fit_gives_the_right_answer() -> None:
    """Kill one of two worker processes during a fit: Dask recomputes its partitions."""
    import logging

    from distributed import Client, LocalCluster

    x = sample(CASES[1][3], 4000)
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
            silence_logs=logging.CRITICAL,
        ) as cluster,
        Client(cluster) as client,
    ):
        dx = da.from_array(x, chunks=100).map_blocks(_slow, dtype=float)
        pids = list(client.run(os.getpid).values())
        out: dict[str, object] = {}

        def run() -> None:
            try:
                out["fit"] = th.fit(th.Gamma, dx)
            except Exception as exc:  # reported below
                out["error"] = exc

        worker = threading.Thread(target=run)
        worker.start()
        time.sleep(1.0)  # 40 partitions of 0.15 s on 2 workers: about 3 s in all
        os.kill(pids[0], signal.SIGKILL)
        worker.join(120)
        assert "error" not in out, out.get("error")
        close(out["fit"], th.fit(th.Gamma, x), 1e-12)  # type: ignore[arg-type]


def test_docstring_examples_run(dask_client) -> None:  # type: ignore[no-untyped-def]
    import thetahat.statistics.engines.cluster as engines
    import thetahat.statistics.engines.dask as dask_engine

    for mod in (engines, dask_engine):
        result = doctest.testmod(mod, extraglobs={"np": np})
        assert result.attempted >= 2 and result.failed == 0, mod.__name__


def test_shrink_of_dask_groups(dask_client) -> None:  # type: ignore[no-untyped-def]
    """Per-group statistics computed on the cluster, empirical Bayes on the client."""
    df = grouped_frame()
    df["y"] = (df.x > 2.5).astype(float)
    ddf = dd.from_pandas(df, npartitions=5)
    a = th.fit(th.Bernoulli, ddf, column="y", by="g").shrink()
    b = th.fit(th.Bernoulli, df, column="y", by="g").shrink()
    close(a.hyper, b.hyper, 1e-9)
    assert a.loglik == pytest.approx(b.loglik, rel=1e-9)


def test_shrink_a_dask_frame_directly(dask_client) -> None:  # type: ignore[no-untyped-def]
    """th.shrink on a Dask DataFrame: the groups' sums and row checks in one pass on the
    cluster, then the same empirical Bayes as for pandas (groups by label)."""
    rng = np.random.default_rng(21)
    rows = 3000
    g = rng.integers(0, 40, rows)
    df = pd.DataFrame({"g": g, "n": rng.integers(1, 9, rows).astype(float)})
    df["t"], df["se"] = rng.uniform(0.5, 2.0, rows), rng.uniform(0.5, 2.0, rows)
    df["k"] = rng.binomial(df.n.astype(int), 0.2 + 0.01 * g).astype(float)
    df["c"] = rng.poisson(df.t * (1.0 + 0.05 * g)).astype(float)
    df["est"] = rng.normal(0.02 * g, df.se)
    ddf = dd.from_pandas(df, npartitions=5)
    cases = [
        {"successes": "k", "trials": "n"},
        {"family": th.Poisson, "counts": "c", "exposure": "t"},
        {"family": th.Normal, "estimates": "est", "se": "se"},
    ]
    for kw in cases:
        a = th.shrink(ddf, group="g", **kw)
        b = th.shrink(df, group="g", **kw)
        close(a.hyper, b.hyper, 1e-9)
        assert a.loglik == pytest.approx(b.loglik, rel=1e-9)
        ia = {lab: i for i, lab in enumerate(a.groups.tolist())}
        for i, lab in enumerate(b.groups.tolist()):
            for col in ("posterior_mean", "lower", "upper", "shrinkage"):
                assert a.columns[col][ia[lab]] == pytest.approx(b.columns[col][i], rel=1e-9)
    # one row per group (no group=): the columns come to the client
    per = df.groupby("g", as_index=False)[["k", "n"]].sum()
    close(th.shrink(dd.from_pandas(per, npartitions=3), successes="k", trials="n").hyper,
          th.shrink(per, successes="k", trials="n").hyper, 1e-12)  # fmt: skip
    bad = df.assign(k=df.k + np.where(np.arange(rows) == 7, 0.5, 0.0))
    with pytest.raises(ValueError, match="whole numbers: a fraction in group"):
        th.shrink(dd.from_pandas(bad, npartitions=4), successes="k", trials="n", group="g")
    with pytest.raises(ValueError, match="no column 'nope' for trials"):
        th.shrink(ddf, successes="k", trials="nope", group="g")


def test_posterior_by_and_compare_of_a_dask_frame(dask_client) -> None:  # type: ignore[no-untyped-def]
    df = grouped_frame(1500)
    df["k"] = np.floor(df.x * 2.0)
    ddf = dd.from_pandas(df, npartitions=4)
    ta = th.posterior(th.Poisson, ddf, column="k", by="g", prior=th.Gamma(2, 1))
    tb = th.posterior(th.Poisson, df, column="k", by="g", prior=th.Gamma(2, 1))
    assert ta.keys == tb.keys
    for col, ref in tb.columns.items():
        if ref.dtype.kind == "f":
            np.testing.assert_allclose(ta.columns[col], ref, rtol=1e-12, err_msg=col)
    fams = [th.Gamma, th.LogNormal, th.Weibull]
    ca, cb = th.compare(fams, ddf, column="x"), th.compare(fams, df, column="x")
    assert [r["family"] for r in ca.rows] == [r["family"] for r in cb.rows]
    for ra, rb in zip(ca.rows, cb.rows, strict=True):
        assert ra["aic"] == pytest.approx(rb["aic"], rel=1e-9)
