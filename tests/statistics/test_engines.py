"""Every family through every path: the same data as a NumPy array, pandas, polars
(eager and lazy), pyarrow, a DuckDB database file and streamed Parquet and CSV files
give the same statistics and estimates, whole and per group."""

from __future__ import annotations

import dataclasses
import warnings
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from _paths import PATHS, make_paths, rel_close

import thetahat as th
from thetahat.inference.frames import as_source
from thetahat.statistics import SuffStats

N = 2400
GROUPS = np.array(["north", "south", "east", "west"])

#: name -> (family, true distribution drawn from, extra columns, iterative)
CASES: dict[str, tuple[Any, Any, tuple[str, ...], bool]] = {
    "Normal": (th.Normal, th.Normal(3.0, 2.0), (), False),
    "LogNormal": (th.LogNormal, th.LogNormal(0.5, 0.7), (), False),
    "Exponential": (th.Exponential, th.Exponential(0.5), (), False),
    "Gamma": (th.Gamma, th.Gamma(2.0, 0.5), (), False),
    "Beta": (th.Beta, th.Beta(2.0, 3.0), (), False),
    "InverseGamma": (th.InverseGamma, th.InverseGamma(3.0, 2.0), (), False),
    "HalfNormal": (th.HalfNormal, th.HalfNormal(1.5), (), False),
    "Weibull": (th.Weibull, th.Weibull(1.5, 2.0), (), True),
    "StudentT": (th.StudentT, th.StudentT(5.0, 1.0, 2.0), (), True),
    "Laplace": (th.Laplace, th.Laplace(1.0, 2.0), (), True),
    "Pareto": (th.Pareto, th.Pareto(3.0, 1.0), (), True),
    "Lomax": (th.Lomax, th.Lomax(3.0, 2.0), (), True),
    "Bernoulli": (th.Bernoulli, th.Bernoulli(0.3), (), False),
    "Geometric": (th.Geometric, th.Geometric(0.3), (), False),
    "Poisson": (th.Poisson, th.Poisson(3.0), (), False),
    "Poisson_exposure": (th.Poisson, None, ("exposure",), False),
    "Binomial_trials": (th.Binomial, None, ("trials",), False),
    "NegativeBinomial": (th.NegativeBinomial, th.NegativeBinomial(3.0, 0.4), (), True),
    "BetaBinomial_trials": (th.BetaBinomial, None, ("trials",), True),
    "BetaNegativeBinomial": (th.BetaNegativeBinomial(r=3.0),
                             th.BetaNegativeBinomial(3.0, 6.0, 2.0), (), True),
    "Categorical": (th.Categorical, None, ("categorical",), False),
}  # fmt: skip


def _frame(name: str) -> pd.DataFrame:
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    _, truth, extra, _ = CASES[name]
    g = GROUPS[rng.integers(0, GROUPS.size, N)]
    cols: dict[str, Any] = {"g": g}
    if "exposure" in extra:
        t = rng.uniform(0.5, 3.0, N)
        cols["t"] = t
        cols["x"] = rng.poisson(2.0 * t).astype(float)
    elif "trials" in extra:
        trials = rng.integers(5, 21, N).astype(float)
        cols["n"] = trials
        p = rng.beta(2.0, 3.0, N) if name.startswith("BetaBinomial") else 0.3
        cols["x"] = rng.binomial(trials.astype(int), p).astype(float)
    elif "categorical" in extra:
        cols["x"] = rng.choice(4, N, p=[0.1, 0.2, 0.3, 0.4]).astype(float)
    else:
        cols["x"] = np.asarray(truth.sample(N, rng=rng), dtype=float)
    cols["w"] = rng.integers(1, 4, N).astype(float)
    return pd.DataFrame(cols)


def _kwargs(name: str, weighted: bool) -> dict[str, Any]:
    extra = CASES[name][2]
    kw: dict[str, Any] = {}
    if "exposure" in extra:
        kw["exposure"] = "t"
    if "trials" in extra:
        kw["trials"] = "n"
    if weighted:
        kw["weights"] = "w"
    return kw


def _array_kwargs(df: pd.DataFrame, kw: dict[str, Any]) -> dict[str, Any]:
    return {k: df[v].to_numpy() for k, v in kw.items()}


def _quiet(fn: Any, *args: Any, **kw: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kw)


def _check_estimates(got: th.Estimate, ref: th.Estimate, rtol: float, where: str) -> None:
    assert got.params.keys() == ref.params.keys(), where
    for k in ref.params:
        assert rel_close(got.params[k], ref.params[k], rtol), (where, k, got.params, ref.params)
        se_tol = 1e-10 if rtol < 1e-10 else 1e-6  # iterative: finite-difference curvature
        assert rel_close(got.se[k], ref.se[k], se_tol), (where, k, got.se, ref.se)
    assert rel_close(got.loglik, ref.loglik, rtol), (where, got.loglik, ref.loglik)
    assert got.n == ref.n, where
    assert got.status == ref.status, where


def _check_stats(got: Any, ref: Any, where: str) -> None:
    if isinstance(ref, SuffStats):
        assert type(got) is type(ref), where
        for f in dataclasses.fields(ref):
            if f.name == "mean_err":  # the low-order part of a double-double mean
                continue
            assert rel_close(getattr(got, f.name), getattr(ref, f.name), 1e-12), (where, f.name)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name", list(CASES))
def test_every_family_every_path(name: str, weighted: bool, tmp_path: Path) -> None:
    family, _, _, iterative = CASES[name]
    rtol = 1e-9 if iterative else 1e-12
    df = _frame(name)
    kw = _kwargs(name, weighted)
    akw = _array_kwargs(df, kw)
    x = df["x"].to_numpy()
    fam0 = family if not isinstance(family, type) else family()
    # the reference: numpy arrays (trials as the family's per-observation n)
    if "trials" in akw:
        fam_ref = type(fam0)(**{**fam0.params, "n": akw.pop("trials")})
    else:
        fam_ref = fam0
    ref = _quiet(th.fit, fam_ref, x, **akw)
    ref_stats = as_source(x, **_array_kwargs(df, kw)).resolve(fam0)[1]
    paths = make_paths(df, tmp_path)
    for path in PATHS:
        data = paths[path]()
        where = f"{name} via {path}"
        got = _quiet(th.fit, family, data, column="x", **kw)
        _check_estimates(got, ref, rtol, where)
        assert got.n_dropped == 0
        _check_stats(as_source(data, column="x", **kw).resolve(fam0)[1], ref_stats, where)
    # grouped: every path gives the numpy table; the table's rows are th.fit on each group
    labels = df["g"].to_numpy()
    ref_t = _quiet(th.fit, family, x, by=labels, **_array_kwargs(df, kw))
    assert [k[0] for k in ref_t.keys] == sorted(GROUPS.tolist())
    for (key,) in ref_t.keys:
        rows = labels == key
        one = {k: v[rows] for k, v in _array_kwargs(df, kw).items()}
        if "trials" in one:
            fam_g = type(fam0)(**{**fam0.params, "n": one.pop("trials")})
        else:
            fam_g = fam0
        est = _quiet(th.fit, fam_g, x[rows], **one)
        i = ref_t.keys.index((key,))
        for p, v in est.params.items():
            if np.ndim(v):
                continue
            assert rel_close(ref_t.columns[p][i], v, 1e-9), (name, key, p)
            assert rel_close(ref_t.columns[f"{p}_se"][i], est.se[p], 1e-7), (name, key, p)
        assert rel_close(ref_t.columns["loglik"][i], est.loglik, 1e-9), (name, key)
        _check_estimates(_quiet(ref_t.__getitem__, key), est, 1e-9, f"{name}[{key}]")
    for path in PATHS:
        t = _quiet(th.fit, family, paths[path](), column="x", by="g", **kw)
        assert t.keys == ref_t.keys, path
        for col, ref_col in ref_t.columns.items():
            if col == "group":
                assert (t.columns["g"] == ref_col).all()
            elif ref_col.dtype.kind == "f":
                assert rel_close(t.columns[col], ref_col, rtol), (name, path, col)
            else:
                assert (t.columns[col] == ref_col).all(), (name, path, col)


@pytest.fixture(scope="module")
def spark_cases(spark):  # type: ignore[no-untyped-def]
    """Every case's table in one cached Spark DataFrame, told apart by a ``case`` column
    (one frame for the whole column of the test: Spark's per-frame cost paid once)."""
    from functools import reduce

    parts = []
    for name in CASES:
        df = _frame(name).assign(case=name).reindex(columns=["case", "g", "x", "w", "t", "n"])
        # each case in partitions of its own, rows in order (the families that fetch their
        # column then see the rows in the reference's order)
        parts.append(spark.createDataFrame(df))
    sdf = reduce(lambda a, b: a.unionByName(b), parts).cache()
    sdf.count()
    yield sdf
    sdf.unpersist()


@pytest.mark.xdist_group("spark")
@pytest.mark.parametrize("name", list(CASES))
def test_every_family_through_spark(name: str, spark_cases) -> None:  # type: ignore[no-untyped-def]
    """The Spark column of the every-path test: each case's rows of the one Spark frame,
    weighted and not, whole and by group, equal the pandas path (which the test above
    holds equal to NumPy)."""
    family, _, _, iterative = CASES[name]
    rtol = 1e-9 if iterative else 1e-12
    df = _frame(name)
    sdf = spark_cases.where(spark_cases.case == name)
    for weighted in (False, True):
        kw = _kwargs(name, weighted)
        where = f"{name} via spark{' weighted' if weighted else ''}"
        ref = _quiet(th.fit, family, df, column="x", **kw)
        got = _quiet(th.fit, family, sdf, column="x", **kw)
        _check_estimates(got, ref, rtol, where)
        assert got.n_dropped == 0
        ref_t = _quiet(th.fit, family, df, column="x", by="g", **kw)
        t = _quiet(th.fit, family, sdf, column="x", by="g", **kw)
        assert t.keys == ref_t.keys, where
        for col, ref_col in ref_t.columns.items():
            # rows in another order: finite-difference curvature (iterative) to 1e-6
            tol = 1e-6 if iterative and col.endswith(("_se", "_low", "_high")) else rtol
            if ref_col.dtype.kind == "f":
                assert rel_close(t.columns[col], ref_col, tol), (where, col)
            else:
                assert (t.columns[col] == ref_col).all(), (where, col)
