"""The regression estimators on Dask collections equal their in-memory fits (rel 1e-9)."""

from __future__ import annotations

import doctest
import warnings

import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest

import thetahat as th
from thetahat.regression import LinearRegression, LogisticRegression, PoissonRegression

pytestmark = pytest.mark.xdist_group("dask")

N, P, CHUNK = 3001, 4, 400


def data() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(11)
    X = rng.normal(size=(N, P))
    X[:, 1] += 200.0  # a column whose mean dwarfs its spread (centred passes)
    Xc = X - X.mean(axis=0)
    eta = Xc @ [0.6, -0.4, 0.3, 0.0]
    return {
        "X": X,
        "y_lin": X @ [1.0, -2.0, 0.5, 0.1] + 3.0 + rng.normal(size=N),
        "y_log": (rng.random(N) < 1.0 / (1.0 + np.exp(-eta))).astype(float),
        "y_poi": rng.poisson(np.exp(0.3 + 0.5 * eta)).astype(float),
        "w": rng.integers(0, 4, N).astype(float),
        "e": rng.uniform(0.5, 2.0, N),
    }


D = data()


def same(a, b, rtol: float = 1e-9) -> None:  # type: ignore[no-untyped-def]
    ea, eb = a.estimate_, b.estimate_
    assert ea.params.keys() == eb.params.keys()
    for k in ea.params:
        np.testing.assert_allclose(ea.params[k], eb.params[k], rtol=rtol, atol=1e-13, err_msg=k)
        np.testing.assert_allclose(ea.se[k], eb.se[k], rtol=rtol, err_msg=f"se {k}")
    assert ea.loglik == pytest.approx(eb.loglik, rel=rtol)
    assert ea.status == eb.status
    assert ea.details["engine"] == "dask" and ea.details["passes"] >= 2


def dask(a: np.ndarray):  # type: ignore[no-untyped-def]
    return da.from_array(a, chunks=(CHUNK, *a.shape[1:])).persist()  # on the workers, once


LINEAR_PRIORS = [
    None,
    th.Normal(0, 1),
    th.Laplace(0, 0.05),
    th.NormalInverseGamma(0, 1, 2, 2),
    "evidence",
]


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("prior", LINEAR_PRIORS, ids=repr)
def test_linear(dask_client, prior, weighted) -> None:  # type: ignore[no-untyped-def]
    w = D["w"] if weighted else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mem = LinearRegression(prior=prior).fit(D["X"], D["y_lin"], w)
        dist = LinearRegression(prior=prior).fit(
            dask(D["X"]), dask(D["y_lin"]), None if w is None else dask(w)
        )
    same(dist, mem)
    np.testing.assert_allclose(dist.coef_, mem.coef_, rtol=1e-9)
    if hasattr(mem, "posterior_"):
        np.testing.assert_allclose(dist.posterior_.cov, mem.posterior_.cov, rtol=1e-9)
        assert dist.posterior_.log_evidence == pytest.approx(mem.posterior_.log_evidence, rel=1e-9)


def test_linear_known_noise_and_shrunk_intercept(dask_client) -> None:  # type: ignore[no-untyped-def]
    # (uncentred cross-products: without the shifted column, whose mean of 200 would make
    # the problem's own conditioning, not the engine, decide the last digits)
    kw = {"prior": th.Normal(0, 2), "noise_sd": 1.0, "shrink_intercept": True}
    X = D["X"] - [0.0, 200.0, 0.0, 0.0]
    mem = LinearRegression(**kw).fit(X, D["y_lin"])
    dist = LinearRegression(**kw).fit(dask(X), dask(D["y_lin"]))
    same(dist, mem)
    assert dist.posterior_.log_evidence == pytest.approx(mem.posterior_.log_evidence, rel=1e-9)


@pytest.mark.parametrize("prior", [None, th.Normal(0, 1), th.Laplace(0, 0.2)], ids=repr)
@pytest.mark.parametrize("weighted", [False, True])
def test_logistic(dask_client, prior, weighted) -> None:  # type: ignore[no-untyped-def]
    w = D["w"] if weighted else None
    mem = LogisticRegression(prior=prior).fit(D["X"], D["y_log"], w)
    dist = LogisticRegression(prior=prior).fit(
        dask(D["X"]), dask(D["y_log"]), None if w is None else dask(w)
    )
    same(dist, mem)
    assert list(dist.classes_) == list(mem.classes_)
    if prior is not None and hasattr(mem, "posterior_"):  # the Laplace posterior at the MAP
        np.testing.assert_allclose(dist.posterior_.cov, mem.posterior_.cov, rtol=1e-9)


@pytest.mark.parametrize("prior", [None, th.Normal(0, 1)], ids=repr)
def test_poisson_with_exposure(dask_client, prior) -> None:  # type: ignore[no-untyped-def]
    mem = PoissonRegression(prior=prior).fit(D["X"], D["y_poi"], D["w"], exposure=D["e"])
    dist = PoissonRegression(prior=prior).fit(
        dask(D["X"]), dask(D["y_poi"]), dask(D["w"]), exposure=dask(D["e"])
    )
    same(dist, mem)


def test_dataframes_keep_names_and_labels(dask_client) -> None:  # type: ignore[no-untyped-def]
    df = pd.DataFrame(D["X"], columns=["a", "b", "c", "d"])
    df["label"] = np.where(D["y_log"] > 0, 2, 1)  # two labels other than 0/1
    ddf = dd.from_pandas(df, npartitions=5)
    cols = ["a", "b", "c", "d"]
    mem = LogisticRegression().fit(df[cols], df["label"])
    dist = LogisticRegression().fit(ddf[cols], ddf["label"])
    same(dist, mem)
    assert list(dist.estimate_.params) == ["intercept", *cols]
    assert list(dist.classes_) == [1, 2]


def test_empty_partitions(dask_client) -> None:  # type: ignore[no-untyped-def]
    rows = ((0, 1000, 0, 2001, 0),)
    X = da.from_array(D["X"], chunks=(rows[0], P))
    y = da.from_array(D["y_poi"], chunks=rows)
    same(PoissonRegression().fit(X, y), PoissonRegression().fit(D["X"], D["y_poi"]))
    same(
        LinearRegression().fit(X, da.from_array(D["y_lin"], chunks=rows)),
        LinearRegression().fit(D["X"], D["y_lin"]),
    )


def test_errors_are_clear(dask_client) -> None:  # type: ignore[no-untyped-def]
    X, y = dask(D["X"]), dask(D["y_log"])
    with pytest.raises(ValueError, match="only one class"):
        LogisticRegression().fit(X, dask(np.ones(N)))
    with pytest.raises(ValueError, match="Only binary classification"):
        LogisticRegression().fit(X, dask(np.arange(N) % 3.0))
    with pytest.raises(TypeError, match="partitioned like X"):
        LogisticRegression().fit(X, y, sample_weight=np.ones(N))
    bad = D["X"].copy()
    bad[1234, 2] = np.nan
    with pytest.raises(ValueError, match=r"partition 3 of the Dask data: .*X"):
        LinearRegression().fit(dask(bad), dask(D["y_lin"]))
    collinear = np.column_stack([D["X"], D["X"][:, 0] - 2.0 * D["X"][:, 2]])
    with pytest.raises(ValueError, match="linear combinations"):
        LinearRegression().fit(dask(collinear), dask(D["y_lin"]))
    with pytest.raises(ValueError, match="linear combinations"):
        PoissonRegression().fit(dask(collinear), dask(D["y_poi"]))
    with pytest.raises(ValueError, match="counts >= 0"):
        PoissonRegression().fit(X, dask(-D["y_poi"] - 1))


def test_separation_is_reported(dask_client) -> None:  # type: ignore[no-untyped-def]
    x = np.linspace(-1, 1, 200)[:, None]
    y = (x[:, 0] > 0.05).astype(float)
    with pytest.warns(th.BoundaryWarning, match="separated"):
        fit = LogisticRegression().fit(
            da.from_array(x, chunks=(50, 1)), da.from_array(y, chunks=50)
        )
    assert fit.estimate_.status == "boundary"


def test_docstring_examples_run(dask_client) -> None:  # type: ignore[no-untyped-def]
    import thetahat.regression._dask_glm as glm_mod
    import thetahat.regression._distributed as mod

    results = [doctest.testmod(m, extraglobs={"np": np}) for m in (mod, glm_mod)]
    assert sum(r.attempted for r in results) >= 6 and all(r.failed == 0 for r in results)


def glm_data() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(12)
    X = rng.normal(size=(N, 3))
    eta = 0.4 + X @ [0.3, -0.2, 0.1]
    mu = np.exp(eta)
    return {
        "X": X,
        "gaussian": mu + rng.normal(0, 0.5, N),
        "gamma": rng.gamma(4.0, mu / 4.0),
        "inverse_gaussian": rng.wald(mu, 8.0),
        "tweedie": rng.poisson(mu) * rng.gamma(2.0, 0.5, N),
        "poisson": rng.poisson(mu).astype(float),
        "binomial": (rng.random(N) < 1 / (1 + np.exp(-(X @ [0.8, -0.5, 0.2])))).astype(float),
        "w": rng.integers(0, 3, N).astype(float),
    }


G = glm_data()
#: (family, link, scale, power): canonical and not, every dispersion rule
GLM_CASES = [
    ("gaussian", "log", "pearson", None),
    ("gamma", "log", "pearson", None),
    ("gamma", "identity", "ml", None),
    ("inverse_gaussian", "log", "ml", None),
    ("poisson", "identity", "pearson", None),
    ("binomial", "probit", "pearson", None),
    ("binomial", "cloglog", "pearson", None),
    ("tweedie", "log", "ml", 1.5),
]


@pytest.mark.parametrize(("family", "link", "scale", "power"), GLM_CASES, ids=str)
def test_glm_families_and_links(dask_client, family, link, scale, power) -> None:  # type: ignore[no-untyped-def]
    """Every family with a non-canonical link (and the dispersion rules) on Dask: the
    in-memory coefficients, standard errors, dispersion and log-likelihood."""
    y = G[family]
    if link == "identity":  # means must stay positive along the way: start near them
        y = y + 1.0
    kw = {"family": family, "link": link, "scale": scale, "power": power}
    for w in (None, G["w"]):
        mem = th.regression.GLMRegression(**kw).fit(G["X"], y, w)
        dist = th.regression.GLMRegression(**kw).fit(
            dask(G["X"]), dask(y), None if w is None else dask(w)
        )
        same(dist, mem)
        assert dist.scale_ == pytest.approx(mem.scale_, rel=1e-9)
        for key in ("deviance", "pearson_chi2", "scale_ml"):
            assert dist.estimate_.details[key] == pytest.approx(
                mem.estimate_.details[key], rel=1e-9
            )


def test_glm_map_and_logistic_links(dask_client) -> None:  # type: ignore[no-untyped-def]
    """A MAP with an estimated dispersion (weights and phi updated in turn) and
    LogisticRegression's probit link equal their in-memory fits."""
    kw = {"family": "gamma", "link": "log", "prior": th.Normal(0, 0.5)}
    mem = th.regression.GLMRegression(**kw).fit(G["X"], G["gamma"])
    dist = th.regression.GLMRegression(**kw).fit(dask(G["X"]), dask(G["gamma"]))
    same(dist, mem)
    np.testing.assert_allclose(dist.posterior_.cov, mem.posterior_.cov, rtol=1e-9)
    mem = LogisticRegression(link="probit").fit(G["X"], G["binomial"])
    dist = LogisticRegression(link="probit").fit(dask(G["X"]), dask(G["binomial"]))
    same(dist, mem)
    with pytest.raises(ValueError, match="the gamma family needs y > 0"):
        th.regression.GLMRegression("gamma").fit(dask(G["X"]), dask(G["gaussian"] - 10.0))


@pytest.mark.parametrize("scale", ["pearson", "ml"])
def test_tweedie_logliks_come_from_the_dispersion_solve(dask_client, monkeypatch, scale) -> None:  # type: ignore[no-untyped-def]
    """On Dask too, the Tweedie log-likelihoods are the dispersion Newton's recorded
    values: no separate log-likelihood reduction, and the in-memory results."""
    from thetahat.regression import _dask_glm

    asked: list[str] = []
    inner = _dask_glm.DaskFitted._sum

    def counted(self, what, arg=0.0):  # type: ignore[no-untyped-def]
        asked.append(what)
        return inner(self, what, arg)

    monkeypatch.setattr(_dask_glm.DaskFitted, "_sum", counted)
    kw = {"family": "tweedie", "power": 1.5, "scale": scale}
    mem = th.regression.GLMRegression(**kw).fit(G["X"], G["tweedie"], G["w"])
    dist = th.regression.GLMRegression(**kw).fit(dask(G["X"]), dask(G["tweedie"]), dask(G["w"]))
    same(dist, mem)
    assert "loglik" not in asked and asked.count("tweedie_k") == 1
    assert asked.count("tweedie_series") >= 2
