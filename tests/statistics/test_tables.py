"""Tables in: nulls, bad input, scans, passes, NIST through DuckDB, posterior and compare by
column, shrinkage from a FitTable."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _paths import PATHS, make_paths, rel_close

import thetahat as th
from thetahat.inference.frames import as_source
from thetahat.statistics.engines import scan as scan_module

NULLY = pd.DataFrame(
    {
        "x": [1.0, 2.0, None, 4.0, 5.0, 3.0, 2.5],
        "g": ["a", "a", "b", "b", None, "b", "a"],
        "w": [1.0, 2.0, 3.0, None, 1.0, 1.0, 2.0],
        "s": ["u", "v", "w", "x", "y", "z", "q"],
    }
)


@pytest.mark.parametrize("path", PATHS)
def test_nulls_are_an_error_or_dropped_and_counted(path: str, tmp_path: Path) -> None:
    data = make_paths(NULLY, tmp_path)[path]()
    with pytest.raises(ValueError, match=r"nulls \(1 in column 'x'\).*nulls='drop'"):
        th.fit(th.Gamma, data, column="x")
    with pytest.raises(ValueError, match=r"1 in by column 'g'"):
        th.fit(th.Gamma, data, column="x", by="g")
    est = th.fit(th.Gamma, data, column="x", nulls="drop")
    ref = th.fit(th.Gamma, NULLY["x"].dropna().to_numpy())
    assert est.n_dropped == 1 and est.n == 6
    assert rel_close(est.params["shape"], ref.params["shape"], 1e-12)
    assert re.search(r"Rows dropped for nulls:\s+1\b", est.summary())
    w = th.fit(th.Gamma, data, column="x", weights="w", nulls="drop")
    assert w.n_dropped == 2
    t = th.fit(th.Gamma, data, column="x", by="g", nulls="drop")
    assert t.n_dropped == 2 and t.keys == [("a",), ("b",)]
    assert "2 row(s) with nulls dropped" in t.summary()


@pytest.mark.parametrize("path", PATHS)
def test_bad_columns_are_named(path: str, tmp_path: Path) -> None:
    data = make_paths(NULLY, tmp_path)[path]()
    with pytest.raises(ValueError, match=r"no column 'nope' \(column\); the columns are x, g"):
        th.fit(th.Gamma, data, column="nope")
    with pytest.raises(ValueError, match=r"no column 'region' \(by\)"):
        th.fit(th.Gamma, data, column="x", by="region", nulls="drop")
    with pytest.raises(TypeError, match=r"column 's' .* is not numeric"):
        th.fit(th.Gamma, data, column="s")
    with pytest.raises(TypeError, match="weights= must be a column name"):
        th.fit(th.Gamma, data, column="x", weights=[1.0] * 7)


def test_empty_tables_and_groups_and_support(tmp_path: Path) -> None:
    import duckdb

    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    con.execute("CREATE TABLE t AS SELECT range::DOUBLE AS x, range % 2 AS g, "
                "(range % 2)::DOUBLE AS w FROM range(10)")  # fmt: skip
    with pytest.raises(ValueError, match="the table is empty"):
        th.fit(th.Normal, con.table("t").filter("x > 100"), column="x")
    with pytest.raises(ValueError, match="no rows left after dropping nulls"):
        th.fit(th.Normal, pd.DataFrame({"x": [None, np.nan]}, dtype=float), column="x",
               nulls="drop")  # fmt: skip
    # group 0 has only zero weights: no observations
    with pytest.raises(ValueError, match=r"group \(0,\) holds no observations"):
        th.fit(th.Normal, con.table("t"), column="x", by="g", weights="w")
    # 0 is outside the Gamma's support: named, with the column's extremes
    with pytest.raises(ValueError, match=r"column 'x' holds values outside the support of Gamma"):
        th.fit(th.Gamma, con.table("t"), column="x")
    with pytest.raises(ValueError, match="Poisson data must be non-negative integers"):
        th.fit(th.Poisson, con.sql("SELECT x + 0.5 AS x FROM t"), column="x")
    with pytest.raises(ValueError, match="name the column"):
        th.fit(th.Normal, con.table("t"))
    with pytest.raises(KeyError, match="no group 7"):
        th.fit(th.Normal, con.table("t"), column="x", by="g")[7]


def test_scan_globs_formats_and_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(5)
    x = rng.gamma(3.0, 2.0, 5000)
    g = rng.integers(0, 3, 5000)
    for i, part in enumerate(np.array_split(np.arange(5000), 3)):
        pq.write_table(pa.table({"x": x[part], "g": g[part]}), tmp_path / f"part{i}.parquet")
    with open(tmp_path / "rows.jsonl", "w") as f:
        for v, k in zip(x, g, strict=True):
            f.write(json.dumps({"x": float(v), "g": int(k)}) + "\n")
    pd.DataFrame({"x": x, "g": g}).to_csv(tmp_path / "rows.tsv", sep="\t", index=False,
                                          float_format="%.17g")  # fmt: skip
    monkeypatch.setattr(scan_module, "BATCH_ROWS", 700)  # many batches per file
    ref = th.fit(th.Gamma, x)
    ref_t = th.fit(th.Gamma, x, by=g)
    for source in (th.scan(tmp_path / "part*.parquet"), th.scan(tmp_path / "rows.jsonl"),
                   th.scan(tmp_path / "rows.tsv"),
                   th.scan(str(tmp_path / "rows.jsonl"), format="json")):  # fmt: skip
        sizes = [b["x"].shape[0] for b in source_batches(source)]
        assert max(sizes) <= 700 and sum(sizes) == 5000
        est = th.fit(th.Gamma, source, column="x")
        assert rel_close(est.params["shape"], ref.params["shape"], 1e-12)
        t = th.fit(th.Gamma, source, column="x", by="g")
        assert rel_close(t.columns["shape"], ref_t.columns["shape"], 1e-12)
        assert repr(source).startswith("<Scan ")
    with pytest.raises(FileNotFoundError, match="no files match"):
        th.scan(tmp_path / "missing*.parquet")
    with pytest.raises(FileNotFoundError, match="no such file"):
        th.scan(tmp_path / "missing.csv")
    (tmp_path / "odd.dat").write_text("x\n1\n3\n")
    with pytest.raises(ValueError, match="cannot tell the format"):
        th.scan(tmp_path / "odd.dat")
    with pytest.raises(ValueError, match="format must be"):
        th.scan(tmp_path / "odd.dat", format="xml")
    assert th.fit(th.Gamma, th.scan(tmp_path / "odd.dat", format="csv"), column="x").n == 2


def source_batches(source: th.Scan) -> list[dict[str, np.ndarray]]:
    return list(as_source(source, column="x").engine.batches(["x"]))


@pytest.mark.parametrize("engine", ["duckdb", "polars_lazy", "parquet"])
def test_weibull_newton_steps_run_as_queries(engine: str, tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"x": th.Weibull(1.7, 3.0).sample(3000, rng=rng),
                       "g": rng.integers(0, 4, 3000)})  # fmt: skip
    data = make_paths(df, tmp_path)["duckdb_file" if engine == "duckdb" else engine]()
    est = th.fit(th.Weibull, data, column="x")
    ref = th.fit(th.Weibull, df["x"].to_numpy())
    assert est.passes >= 3 and re.search(rf"Data passes:\s+{est.passes}\b", est.summary())
    assert rel_close(est.params["shape"], ref.params["shape"], 1e-9)
    assert rel_close(est.se["scale"], ref.se["scale"], 1e-7)
    assert rel_close(est.conf_int()["shape"], ref.conf_int()["shape"], 1e-7)
    with pytest.raises(ValueError, match="hold no data: profile intervals"):
        est.conf_int(kind="profile")
    t = th.fit(th.Weibull, data, column="x", by="g")
    assert t.vectorised and t.passes >= 3
    ref_t = th.fit(th.Weibull, df["x"].to_numpy(), by=df["g"].to_numpy())
    assert rel_close(t.columns["shape"], ref_t.columns["shape"], 1e-9)


def _nist(refdata: Path, name: str) -> tuple[np.ndarray, dict]:
    stem = refdata / f"nist_univ_{name}"
    lines = stem.with_suffix(".csv").read_text().split()
    cert = json.loads(stem.with_suffix(".json").read_text())["certified_values"]
    return np.array([float(v) for v in lines[1:]]), cert


NIST = ["pidigits", "lottery", "lew", "mavro", "michelso", "numacc1", "numacc2", "numacc3",
        "numacc4"]  # fmt: skip


def _digits(a: float, b: float) -> float:
    return 17.0 if a == b else float(-np.log10(abs(a - b) / abs(b)))


def _sd(mu_sigma: tuple[float, float], n: float) -> float:
    return float(mu_sigma[1] * np.sqrt(n / (n - 1)))


def test_nist_certified_values_through_duckdb_pushdown(refdata: Path, tmp_path: Path) -> None:
    """The certified mean and sd (the sd against the exact sd of the float64 data, as in
    tests/inference/test_nist_univariate.py), ungrouped and as groups of one table."""
    from fractions import Fraction

    import duckdb

    con = duckdb.connect(str(tmp_path / "nist.duckdb"))
    frames = []
    for name in NIST:
        x, _ = _nist(refdata, name)
        frames.append(pd.DataFrame({"y": x, "dataset": name}))
    nist_rows = pd.concat(frames, ignore_index=True)
    con.register("nist_rows", nist_rows)
    con.execute("CREATE TABLE nist AS SELECT * FROM nist_rows")
    t = th.fit(th.Normal, con.table("nist"), column="y", by="dataset")
    for name in NIST:
        x, cert = _nist(refdata, name)
        fx = [Fraction(float(v)) for v in x]
        mean = sum(fx, Fraction(0)) / len(fx)
        exact_sd = float(np.sqrt(float(sum(((v - mean) ** 2 for v in fx), Fraction(0))
                                       / (len(fx) - 1))))  # fmt: skip
        rel = con.table("nist").filter(f"dataset = '{name}'")
        est = th.fit(th.Normal, rel, column="y")
        assert _digits(est.params["mu"], cert["mean"]) >= 14, name
        assert _digits(_sd((est.params["mu"], est.params["sigma"]), est.n), exact_sd) >= 13
        i = t.keys.index((name,))
        assert _digits(t.columns["mu"][i], cert["mean"]) >= 14, name
        sd = _sd((t.columns["mu"][i], t.columns["sigma"][i]), t.columns["n"][i])
        assert _digits(sd, exact_sd) >= 13, name


def test_posterior_and_compare_by_column(tmp_path: Path) -> None:
    rng = np.random.default_rng(9)
    df = pd.DataFrame({"clicks": rng.binomial(1, 0.3, 600).astype(float),
                       "ad": rng.choice(["a", "b", "c"], 600)})  # fmt: skip
    paths = make_paths(df, tmp_path)
    prior = th.Beta(2.0, 2.0)
    ref = th.posterior(th.Bernoulli, df["clicks"].to_numpy(), prior=prior)
    for path in ("pandas", "duckdb_file", "parquet"):
        post = th.posterior(th.Bernoulli, paths[path](), column="clicks", prior=prior)
        assert rel_close(post.mean()["p"], ref.mean()["p"], 1e-12)
        pt = th.posterior(th.Bernoulli, paths[path](), column="clicks", prior=prior, by="ad")
        assert pt.kind == "posterior" and pt.keys == [("a",), ("b",), ("c",)]
        for (ad,) in pt.keys:
            one = th.posterior(th.Bernoulli, df.clicks[df.ad == ad].to_numpy(), prior=prior)
            i = pt.keys.index((ad,))
            assert rel_close(pt.columns["p_mean"][i], one.mean()["p"], 1e-12)
            assert rel_close(pt.columns["log_evidence"][i], one.log_evidence, 1e-12)
            assert rel_close(pt[ad].std()["p"], one.std()["p"], 1e-12)
    y = pd.DataFrame({"y": rng.gamma(2.0, 1.5, 800)})
    fams = [th.Gamma, th.Weibull, th.LogNormal, th.Exponential]
    ref_c = th.compare(fams, y["y"].to_numpy())
    (tmp_path / "c").mkdir()
    for path in ("pandas", "polars_lazy", "duckdb_file", "csv"):
        c = th.compare(fams, make_paths(y, tmp_path / "c")[path](), column="y")
        assert [r["family"] for r in c.rows] == [r["family"] for r in ref_c.rows]
        for a, b in zip(c.rows, ref_c.rows, strict=True):
            assert rel_close(a["aic"], b["aic"], 1e-9)


def test_fittable_shrink_and_table() -> None:
    rng = np.random.default_rng(4)
    ads = np.repeat(np.arange(40), rng.integers(5, 60, 40))
    rates = rng.beta(3.0, 30.0, 40)[ads]
    clicks = rng.binomial(1, rates).astype(float)
    t = th.fit(th.Bernoulli, clicks, by=ads)
    k = np.bincount(ads, weights=clicks)
    n = np.bincount(ads).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = th.shrink(k, n)
        got = t.shrink()
    assert rel_close(got.hyper.params["a"], ref.hyper.params["a"], 1e-9)
    assert t.table.shape[0] == 40 and {"p", "p_se", "p_low", "p_high", "status"} <= set(t.table)
    assert (t.columns["p_low"] >= 0).all() and (t.columns["p_high"] <= 1).all()
    assert repr(t).startswith("<FitTable fit Bernoulli by group: 40 groups")
    with pytest.raises(ValueError, match="shrink\\(\\) needs a Binomial"):
        th.fit(th.Gamma, rng.gamma(2.0, 1.0, 100), by=np.arange(100) % 3).shrink()


def test_duckdb_many_groups_and_checks_in_one_pass(tmp_path: Path) -> None:
    """DuckDB: Weibull by group beyond 256 groups runs its passes in the engine (per-group
    shapes as a VALUES join, nothing fetched); Binomial with per-row trials sums
    log C(n, x) by lgamma and checks its support in the same query; Bernoulli's support
    is checked without a histogram."""
    import duckdb

    con = duckdb.connect(str(tmp_path / "g.duckdb"))
    rng = np.random.default_rng(5)
    m, groups = 6000, 300
    g = np.arange(m) % groups
    x = th.Weibull(1.7, 2.0).sample(m, rng=rng)
    trials = rng.integers(1, 12, m).astype(float)
    k = rng.binomial(trials.astype(int), 0.3).astype(float)
    df = pd.DataFrame({"g": g, "x": x, "n": trials, "k": k, "b": (k > 2).astype(float)})
    con.register("df", df)
    con.execute("CREATE TABLE t AS SELECT * FROM df")
    rel = con.table("t")
    gs = as_source(rel, column="x", by="g").grouped(th.Weibull())
    assert gs.solution is not None and gs.size == groups  # engine passes, not fetched
    t = th.fit(th.Weibull, rel, column="x", by="g")
    ref = th.fit(th.Weibull, x, by=g)
    np.testing.assert_allclose(t.columns["shape"], ref.columns["shape"], rtol=1e-9)
    tb = th.fit(th.Binomial, rel, column="k", trials="n", by="g")
    rb = th.fit(th.Binomial, k, trials=trials, by=g)
    np.testing.assert_allclose(tb.columns["loglik"], rb.columns["loglik"], rtol=1e-12)
    with pytest.raises(ValueError, match="Binomial data must be"):
        th.fit(th.Binomial, rel, column="n", trials="k", by="g")  # x > n somewhere
    with pytest.raises(ValueError, match="Bernoulli data must be 0 or 1"):
        th.fit(th.Bernoulli, rel, column="k", by="g")
