"""The explorer's JSON API: every endpoint against thetahat (and peers), and bad input."""

from __future__ import annotations

import math
import os
import warnings
from typing import Any

import numpy as np
import pytest
from starlette.testclient import TestClient

import thetahat as th
from thetahat.regression import LinearRegression


def post(client: TestClient, path: str, body: Any) -> dict[str, Any]:
    r = client.post(path, json=body)
    assert r.status_code == 200, r.text
    return r.json()


def fit_quiet(*args: Any, **kw: Any) -> th.Estimate:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return th.fit(*args, **kw)


# ------------------------------------------------------------------ coin
@pytest.mark.parametrize(
    ("a", "b", "heads", "tails"), [(2, 2, 3, 0), (0.5, 0.5, 7, 2), (30, 5, 1, 40)]
)
def test_coin_matches_fit_and_posterior(
    client: TestClient, a: float, b: float, heads: int, tails: int
) -> None:
    out = post(client, "/api/coin", {"a": a, "b": b, "heads": heads, "tails": tails})
    flips = [1] * heads + [0] * tails
    mle = fit_quiet(th.Bernoulli, flips)
    map_ = fit_quiet(th.Bernoulli, flips, prior=th.Beta(a, b))
    post_ = th.posterior(th.Bernoulli, flips, prior=th.Beta(a, b))
    assert out["mle"] == pytest.approx(mle.params["p"], rel=1e-12)
    assert out["map"] == pytest.approx(map_.params["p"], rel=1e-12)
    assert out["mean"] == pytest.approx(post_.mean()["p"], rel=1e-12)
    lo, hi = post_.interval(0.95)["p"]
    assert (out["lower"], out["upper"]) == (pytest.approx(lo), pytest.approx(hi))
    assert out["log_evidence"] == pytest.approx(post_.log_evidence)
    assert out["boundary"] == (tails == 0 or heads == 0)
    # the scaled likelihood has area 1 and peaks at the MLE
    grid = np.array(out["grid"])
    lik = np.array([np.nan if v is None else v for v in out["likelihood"]])
    ok = np.isfinite(lik)
    assert np.trapezoid(lik[ok], grid[ok]) == pytest.approx(1.0, abs=1e-2)
    assert abs(grid[np.nanargmax(lik)] - out["mle"]) <= grid[1] - grid[0]
    # ... and is proportional to the Bernoulli likelihood itself
    inner = slice(5, -5)
    ll = np.array([np.sum(th.Bernoulli(g).logpmf(np.array(flips, dtype=float))) for g in grid])
    ratio = np.log(lik[inner]) - ll[inner]
    assert np.ptp(ratio) < 1e-9
    # the posterior density is the library's
    i = len(grid) // 3
    assert out["posterior"][i] == pytest.approx(float(post_.dist.pdf(grid[i])), rel=1e-9)


def test_coin_boundary_warning_and_no_data(client: TestClient) -> None:
    out = post(client, "/api/coin", {"a": 2, "b": 2, "heads": 3, "tails": 0})
    assert out["boundary"] and out["mle"] == 1.0 and out["mle_se"] == "inf"
    assert any("boundary" in n for n in out["notes"])
    empty = post(client, "/api/coin", {"a": 3, "b": 2, "heads": 0, "tails": 0})
    assert empty["mle"] is None and empty["map"] == pytest.approx(th.Beta(3, 2).mode())
    assert empty["posterior"] == empty["prior"]


# ------------------------------------------------------------------ conjugate pairs
def _raw(pair: str, d: dict[str, Any], rng: np.random.Generator) -> tuple[Any, Any, dict[str, Any]]:
    """Raw data with the summaries, drawn independently of the server's construction."""
    if pair == "beta-bernoulli":
        x = rng.permutation([1] * d["successes"] + [0] * (d["trials"] - d["successes"]))
        return th.Bernoulli, x, {}
    if pair == "beta-binomial":
        cuts = np.sort(rng.integers(0, d["successes"] + 1, d["observations"] - 1))
        x = np.diff(np.concatenate([[0], cuts, [d["successes"]]]))
        return th.Binomial(n=d["trials"]), x, {}
    if pair == "beta-geometric":
        cuts = np.sort(rng.integers(0, d["failures"] + 1, d["observations"] - 1))
        return th.Geometric, np.diff(np.concatenate([[0], cuts, [d["failures"]]])), {}
    if pair == "dirichlet-categorical":
        return (
            th.Categorical(k=len(d["counts"])),
            np.repeat(np.arange(len(d["counts"])), d["counts"]),
            {},
        )
    if pair == "gamma-poisson":
        cuts = np.sort(rng.integers(0, d["events"] + 1, d["observations"] - 1))
        x = np.diff(np.concatenate([[0], cuts, [d["events"]]]))
        e = rng.dirichlet(np.ones(d["observations"])) * d["exposure"]
        return th.Poisson, x, {"exposure": e}
    if pair == "gamma-exponential":
        return th.Exponential, rng.dirichlet(np.ones(d["observations"])) * d["total"], {}
    raise AssertionError(pair)


@pytest.mark.parametrize(
    "pair",
    [
        "beta-bernoulli",
        "beta-binomial",
        "beta-geometric",
        "dirichlet-categorical",
        "gamma-poisson",
        "gamma-exponential",
    ],
)
def test_conjugate_pairs_equal_posterior_of_raw_data(client: TestClient, pair: str) -> None:
    catalog = client.get("/api/catalog").json()
    spec = next(p for p in catalog["pairs"] if p["key"] == pair)
    hyper = {f["name"]: f["default"] for f in spec["hyper"]}
    data = {f["name"]: f["default"] for f in spec["data"]}
    out = post(client, "/api/conjugate", {"pair": pair, "hyper": hyper, "data": data})
    fam, x, kw = _raw(pair, data, np.random.default_rng(5))
    prior_cls = {"a": th.Beta, "alpha": th.Dirichlet, "shape": th.Gamma}[next(iter(hyper))]
    prior = prior_cls(*hyper.values())
    ref = th.posterior(fam, x, prior=prior, **kw)
    assert out["posterior"] == repr(ref.dist)
    if pair in ("beta-binomial", "gamma-poisson"):
        # data-only terms (log binomial coefficients, log x!) need the observations
        assert out["log_evidence"] is None and any("evidence" in n for n in out["notes"])
    else:
        assert out["log_evidence"] == pytest.approx(ref.log_evidence, rel=1e-9)
    mle = fit_quiet(fam, x, **kw)
    for c in out["coords"]:
        name = c["name"]
        key, idx = (
            (name.split("[")[0], int(name[name.index("[") + 1 : -1]))
            if "[" in name
            else (name, None)
        )
        pick = (lambda v: v) if idx is None else (lambda v: np.asarray(v)[idx])  # noqa: B023
        assert c["map"] == pytest.approx(float(pick(ref.mode()[key])), rel=1e-9, abs=1e-12)
        assert c["mle"] == pytest.approx(float(pick(mle.params[key])), rel=1e-9, abs=1e-12)
        assert c["lower"] < c["mean"] < c["upper"]


@pytest.mark.parametrize("pair", ["beta-binomial", "gamma-poisson", "dirichlet-categorical"])
def test_scaled_likelihood_is_proportional_to_the_likelihood(client: TestClient, pair: str) -> None:
    catalog = client.get("/api/catalog").json()
    spec = next(p for p in catalog["pairs"] if p["key"] == pair)
    data = {f["name"]: f["default"] for f in spec["data"]}
    out = post(client, "/api/conjugate", {"pair": pair, "data": data})
    _, x, kw = _raw(pair, data, np.random.default_rng(2))
    c = out["coords"][0]
    grid = np.array(c["grid"])[5:-5]
    lik = np.array(c["likelihood"], dtype=float)[5:-5]
    if pair == "beta-binomial":
        ll = [np.sum(th.Binomial(n=data["trials"], p=g).logpmf(x)) for g in grid]
    elif pair == "gamma-poisson":
        e = kw["exposure"]
        ll = [sum(th.Poisson(g * ei).logpmf(xi) for xi, ei in zip(x, e, strict=True)) for g in grid]
    else:  # probs[0], the others profiled out: k log p + (n - k) log(1 - p)
        k, n = data["counts"][0], sum(data["counts"])
        ll = [k * np.log(g) + (n - k) * np.log1p(-g) for g in grid]
    assert np.ptp(np.log(lik) - np.array(ll)) < 1e-6


def test_normal_pairs(client: TestClient) -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(1.0, 2.0, 12)
    mean, sd = float(x.mean()), float(x.std(ddof=1))
    data = {"observations": 12, "mean": mean, "sd": sd}
    nn = post(
        client,
        "/api/conjugate",
        {
            "pair": "normal-normal",
            "hyper": {"mu0": 0, "tau": 3},
            "fixed": {"sigma": 2},
            "data": {"observations": 12, "mean": mean},
        },
    )
    ref = th.posterior(th.Normal(sigma=2), x, prior=th.Normal(0, 3))
    assert nn["coords"][0]["map"] == pytest.approx(ref.mode()["mu"])
    ig = post(
        client,
        "/api/conjugate",
        {
            "pair": "invgamma-normal",
            "hyper": {"shape": 3, "scale": 2},
            "fixed": {"mu": 0.5},
            "data": data,
        },
    )
    ref = th.posterior(th.Normal(mu=0.5), x, prior=th.InverseGamma(3, 2))
    assert ig["coords"][0]["mean"] == pytest.approx(ref.mean()["var"], rel=1e-9)
    nig = post(
        client,
        "/api/conjugate",
        {"pair": "nig-normal", "hyper": {"mu0": 0, "lam": 1, "shape": 2, "scale": 2}, "data": data},
    )
    ref = th.posterior(th.Normal, x, prior=th.NormalInverseGamma(0, 1, 2, 2))
    assert [c["name"] for c in nig["coords"]] == ["mu", "var"]
    assert nig["coords"][0]["lower"] == pytest.approx(ref.interval()["mu"][0], rel=1e-9)
    assert nig["coords"][1]["upper"] == pytest.approx(ref.interval()["var"][1], rel=1e-9)
    # the marginal of mu drawn is a density: its area on the grid is nearly 1
    c = nig["coords"][0]
    assert np.trapezoid(np.array(c["posterior"], dtype=float), c["grid"]) == pytest.approx(
        1.0, abs=0.01
    )


def test_dirichlet_multinomial(client: TestClient) -> None:
    out = post(
        client,
        "/api/conjugate",
        {
            "pair": "dirichlet-multinomial",
            "hyper": {"alpha": [1, 2, 3]},
            "data": {"trials": 5, "counts": [6, 3, 1]},
        },
    )
    assert out["posterior"] == repr(th.Dirichlet([7.0, 5.0, 4.0]))
    assert len(out["coords"]) == 3


# ------------------------------------------------------------------ n grows
def test_grow_paths_are_fits_of_the_same_sample(client: TestClient) -> None:
    out = post(
        client,
        "/api/grow",
        {"family": "bernoulli", "truth": 0.3, "prior": {"a": 2, "b": 2}, "n_max": 500, "seed": 4},
    )
    x = th.Bernoulli(0.3).sample(500, rng=4)
    for i in (0, 10, len(out["n"]) - 1):
        n = out["n"][i]
        assert out["mle"][i] == pytest.approx(fit_quiet(th.Bernoulli, x[:n]).params["p"])
        assert out["map"][i] == pytest.approx(
            fit_quiet(th.Bernoulli, x[:n], prior=th.Beta(2, 2)).params["p"]
        )
    assert out["n"][-1] == 500 and out["n"][0] == 1
    # |MAP - MLE| = O(1/n): n |MAP - MLE| stays bounded (by a + b here)
    scaled = [d * n for d, n in zip(out["diff"], out["n"], strict=True) if d is not None]
    assert max(scaled) <= 4.0


@pytest.mark.parametrize(
    ("family", "truth", "prior"),
    [
        ("poisson", 3.0, {"shape": 2, "rate": 1}),
        ("exponential", 0.5, {"shape": 2, "rate": 1}),
        ("normal", -1, {"mu": 0, "sigma": 1}),
    ],
)
def test_grow_families(
    client: TestClient, family: str, truth: float, prior: dict[str, float]
) -> None:
    out = post(
        client, "/api/grow", {"family": family, "truth": truth, "prior": prior, "n_max": 5000}
    )
    assert abs(out["mle"][-1] - truth) < 0.2 * max(1.0, abs(truth))
    assert all(
        lo <= m <= hi for lo, m, hi in zip(out["lower"], out["map"], out["upper"], strict=True)
    )


# ------------------------------------------------------------------ regularisers are priors
@pytest.mark.parametrize("kind", ["normal", "laplace"])
def test_regularise_map_and_penalty_match_sklearn(client: TestClient, kind: str) -> None:
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import Lasso, Ridge

    out = post(client, "/api/regularise", {"prior": kind, "width": 0.01})
    d = load_diabetes()
    X = (d.data - d.data.mean(0)) / d.data.std(0)
    y = (d.target - d.target.mean()) / d.target.std()
    sigma = out["sigma"]
    prior = th.Normal(0, 0.01) if kind == "normal" else th.Laplace(0, 0.01)
    ours = LinearRegression(prior=prior, noise_sd=sigma).fit(X, y).coef_
    np.testing.assert_allclose(out["map"], ours, rtol=1e-10, atol=1e-12)
    if kind == "normal":
        alpha = out["sklearn"]["ridge"]["alpha"]
        assert alpha == pytest.approx(sigma**2 / 0.01**2)
        peer = Ridge(alpha=alpha).fit(X, y).coef_
        assert out["zeros"] == 0
    else:
        alpha = out["sklearn"]["lasso"]["alpha"]
        assert alpha == pytest.approx(sigma**2 / (len(y) * 0.01))
        peer = Lasso(alpha=alpha, tol=1e-12, max_iter=100_000).fit(X, y).coef_
        assert out["zeros"] == int(np.sum(peer == 0)) > 0
    np.testing.assert_allclose(out["map"], peer, atol=1e-6)
    assert len(out["paths"]) == X.shape[1] and len(out["paths"][0]) == len(out["scales"])


def test_regularise_synthetic_lasso_zeros(client: TestClient) -> None:
    out = post(
        client, "/api/regularise", {"prior": "laplace", "width": 0.03, "dataset": "synthetic"}
    )
    assert out["names"][0] == "x1" and out["map"][0] != 0 and out["zeros"] >= 3


# ------------------------------------------------------------------ your data
def test_parse_numbers_and_csv(client: TestClient) -> None:
    out = post(client, "/api/data/parse", {"text": "1 2.5\n3,4\n\n5"})
    assert out["columns"] == [{"name": "x", "numeric": True, "values": [1, 2.5, 3, 4, 5]}]
    out = post(client, "/api/data/parse", {"text": "g,k,n\na,1,10\nb,,12\n"})
    cols = {c["name"]: c for c in out["columns"]}
    assert not cols["g"]["numeric"] and cols["g"]["values"] == ["a", "b"]
    assert cols["k"]["values"] == [1.0, None] and cols["k"]["missing"] == 1


def test_examples_fit_compare_shrink(client: TestClient) -> None:
    from thetahat import datasets

    text = client.get("/api/data/example/groundbeef").json()["text"]
    x = np.array(post(client, "/api/data/parse", {"text": text})["columns"][0]["values"])
    np.testing.assert_array_equal(x, datasets.load("groundbeef")["serving"])
    out = post(client, "/api/data/fit", {"values": x.tolist(), "family": "weibull"})
    ref = th.fit(th.Weibull, x)
    assert out["params"] == pytest.approx(ref.params) and out["status"] == ref.status
    prior = {
        "shape": {"dist": "lognormal", "params": [0, 1]},
        "rate": {"dist": "gamma", "params": [2, 1]},
    }
    out = post(
        client,
        "/api/data/fit",
        {"values": x.tolist(), "family": "gamma", "method": "map", "prior": prior},
    )
    ref = th.fit(th.Gamma, x, prior={"shape": th.LogNormal(0, 1), "rate": th.Gamma(2, 1)})
    assert out["params"] == pytest.approx(ref.params) and out["method"] == "map"
    assert out["histogram"]["kind"] == "histogram" and len(out["curve"]["x"]) == len(
        out["curve"]["y"]
    )
    out = post(
        client,
        "/api/data/compare",
        {"values": x.tolist(), "families": ["gamma", "weibull", "lognormal"]},
    )
    ref = th.compare([th.Gamma, th.Weibull, th.LogNormal], x)
    assert [r["family"] for r in out["rows"]] == list(ref.table["family"])
    assert set(out["curves"]) == {"Gamma", "Weibull", "LogNormal"}
    rat = datasets.load("rat_tumor")
    out = post(
        client, "/api/data/shrink", {"successes": rat["y"].tolist(), "trials": rat["n"].tolist()}
    )
    ref = th.shrink(rat["y"], rat["n"])
    assert out["prior"] == repr(ref.prior)
    np.testing.assert_allclose([r["shrunk"] for r in out["rows"]], ref.table["posterior_mean"])
    out = post(
        client,
        "/api/data/shrink",
        {"groups": ["a", "b", "a", "c"], "successes": [1, 2, 3, 0], "trials": [10, 10, 10, 5]},
    )
    assert [r["group"] for r in out["rows"]] == ["a", "b", "c"] and out["rows"][0]["n"] == 20


def test_discrete_fit_bars(client: TestClient) -> None:
    out = post(client, "/api/data/fit", {"values": [0, 1, 1, 2, 5, 0, 3], "family": "poisson"})
    assert out["histogram"]["kind"] == "bars"
    assert out["curve"]["x"] == [0, 1, 2, 3, 4, 5]
    assert out["curve"]["y"][1] == pytest.approx(float(th.Poisson(12 / 7).pmf(1)))


# ------------------------------------------------------------------ bad input
def map_fit(prior: dict[str, Any]) -> dict[str, Any]:
    return {"values": [1, 2], "family": "gamma", "method": "map", "prior": prior}


BAD = [
    ("/api/coin", {"a": -1, "b": 2, "heads": 1, "tails": 1}, "a must be positive"),
    ("/api/coin", {"a": 1, "b": 2, "heads": 1.5, "tails": 1}, "heads must be a whole number"),
    ("/api/coin", {"a": 1, "b": 2, "heads": 10**9, "tails": 1}, "heads must be between"),
    ("/api/coin", {"a": "x", "b": 2, "heads": 1, "tails": 1}, "a must be a number"),
    ("/api/coin", {"b": 2, "heads": 1, "tails": 1}, "missing field 'a'"),
    ("/api/coin", {"a": 1, "b": 2, "heads": 1, "tails": 1, "level": 2}, "level must be between"),
    ("/api/conjugate", {"pair": "nope"}, "pair must be one of"),
    (
        "/api/conjugate",
        {"pair": "beta-bernoulli", "data": {"successes": 5, "trials": 2}},
        "cannot exceed",
    ),
    (
        "/api/conjugate",
        {"pair": "beta-bernoulli", "data": {"heads": 5}},
        "data has no field 'heads'",
    ),
    (
        "/api/conjugate",
        {
            "pair": "dirichlet-categorical",
            "hyper": {"alpha": [1, 1]},
            "data": {"counts": [1, 2, 3]},
        },
        "same number of classes",
    ),
    (
        "/api/conjugate",
        {"pair": "dirichlet-categorical", "hyper": {"alpha": [1] * 20}},
        "list of 2 to 8",
    ),
    ("/api/conjugate", {"pair": "gamma-poisson", "hyper": "x"}, "hyper must be an object"),
    (
        "/api/grow",
        {"family": "bernoulli", "truth": 2, "prior": {"a": 1, "b": 1}},
        "truth must be between",
    ),
    (
        "/api/grow",
        {"family": "bernoulli", "truth": 0.5, "prior": {"a": 1, "b": 1}, "n_max": 10**8},
        "n_max must be between",
    ),
    (
        "/api/grow",
        {"family": "poisson", "truth": 1, "prior": {"shape": 1}},
        "missing field 'prior.rate'",
    ),
    ("/api/regularise", {"prior": "cauchy", "width": 1}, "prior must be one of"),
    ("/api/regularise", {"prior": "normal", "width": 0}, "width must be positive"),
    ("/api/data/parse", {"text": ""}, "text is empty"),
    ("/api/data/parse", {"text": "1\n2\nx"}, "value 3 ('x') is not a number"),
    ("/api/data/parse", {"text": "a,b\n"}, "no data rows"),
    ("/api/data/parse", {"text": "a,b\n1,2\n3\n"}, "line 3 has 1 fields"),
    ("/api/data/parse", {"text": "1\n" * 100_001}, "the limit is 100000"),
    (
        "/api/data/fit",
        {"values": [1, 2, "3"], "family": "gamma"},
        "values[2] must be a finite number",
    ),
    ("/api/data/fit", {"values": [1, 2, 3], "family": "cauchy"}, "family must be one of"),
    ("/api/data/fit", {"values": [-1, 2, 3], "family": "gamma"}, "Gamma"),
    ("/api/data/fit", map_fit({"rate": {"dist": "normal", "params": [0, 1]}}), "Normal"),
    (
        "/api/data/fit",
        map_fit({"mu": {"dist": "normal", "params": [0, 1]}}),
        "not a parameter of Gamma",
    ),
    ("/api/data/fit", map_fit({"rate": {"dist": "gamma", "params": [0, 1]}}), "prior.rate"),
    ("/api/data/compare", {"values": [1, 2, 3], "families": ["gamma"]}, "at least 2"),
    (
        "/api/data/shrink",
        {"successes": [1, 2], "trials": [1]},
        "successes has 2 values but trials has 1",
    ),
    ("/api/data/shrink", {"successes": [3, 2], "trials": [1, 5]}, "successes"),
    ("/api/data/example/passwd", None, "unknown example"),
]


@pytest.mark.parametrize(("path", "body", "message"), BAD)
def test_bad_input_is_a_400_with_one_line(
    client: TestClient, path: str, body: Any, message: str
) -> None:
    r = client.get(path) if body is None else client.post(path, json=body)
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert message in err and "\n" not in err and "Traceback" not in err


def test_protocol_errors_and_keeps_serving(
    client: TestClient, tmp_path: Any, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    r = client.post("/api/coin", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400 and "not valid JSON" in r.json()["error"]
    r = client.post(
        "/api/coin", content=b"a=1", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert r.status_code == 415
    r = client.post("/api/coin", json=[1, 2])
    assert r.status_code == 400 and "JSON object" in r.json()["error"]
    big = b'{"text": "' + b"1 " * 3_500_000 + b'"}'
    r = client.post("/api/data/parse", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "limit" in r.json()["error"]
    assert client.get("/api/coin").status_code == 405
    assert client.get("/api/nothing").status_code == 404
    assert client.get("/static/../server.py").status_code == 404
    r = client.get("/api/catalog", headers={"host": "evil.example.com"})
    assert r.status_code == 400  # a rebinding page's Host is refused
    # still serving, and nothing was written to the working directory
    assert post(client, "/api/coin", {"a": 1, "b": 1, "heads": 1, "tails": 1})["map"] == 0.5
    assert os.listdir(tmp_path) == []


def test_page_and_assets_are_served_from_the_package(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and "<svg" not in r.text.lower()[:0]
    assert (
        "Content-Security-Policy" in r.headers
        and "default-src 'self'" in r.headers["Content-Security-Policy"]
    )
    for asset in ("app.js", "chart.js", "style.css"):
        assert client.get(f"/static/{asset}").status_code == 200
    assert "http" not in r.text.replace("http-equiv", "")  # no CDN, no external link
    cat = client.get("/api/catalog").json()
    assert len(cat["pairs"]) == 10 and cat["version"] == th.__version__
    assert not math.isnan(cat["regression"]["range"][0])


def test_limits_refuse_before_computing(client: TestClient, monkeypatch: Any) -> None:
    from thetahat.explore import server

    r = client.post("/api/data/fit", json={"values": [1.0] * 100_001, "family": "normal"})
    assert r.status_code == 400 and "the limit is 100000" in r.json()["error"]
    r = client.post("/api/data/shrink", json={"successes": [1] * 5001, "trials": [2] * 5001})
    assert r.status_code == 400 and "5001 groups" in r.json()["error"]
    # while another computation holds the server, a request waits, then is refused (503)
    monkeypatch.setattr(server, "BUSY_WAIT_S", 0.05)
    assert server._COMPUTE.acquire(timeout=5)
    try:
        for path, body in [
            ("/api/coin", {"a": 1, "b": 1, "heads": 1, "tails": 1}),
            ("/api/data/fit", {"values": [1, 2, 3], "family": "normal"}),
        ]:
            r = client.post(path, json=body)
            assert r.status_code == 503 and "busy" in r.json()["error"]
    finally:
        server._COMPUTE.release()
    assert post(client, "/api/coin", {"a": 1, "b": 1, "heads": 1, "tails": 1})["map"] == 0.5
