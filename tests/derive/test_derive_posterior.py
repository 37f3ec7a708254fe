"""Derived MAP, posterior, its mean and mode and the pseudo-counts against th.fit/th.posterior."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import thetahat as th
from thetahat import derive

from .test_derive_mle import CASES, _close

#: (case, prior name, th prior, hyperparameter values, library attribute per hyperparameter)
PAIRS: list[tuple[str, str, Any, dict[str, float], dict[str, str]]] = [
    ("bernoulli", "beta", th.Beta(2.5, 1.5), {"a": 2.5, "b": 1.5}, {"a": "a", "b": "b"}),
    ("binomial", "beta", th.Beta(2.0, 3.0), {"a": 2.0, "b": 3.0}, {"a": "a", "b": "b"}),
    ("geometric", "beta", th.Beta(1.5, 2.0), {"a": 1.5, "b": 2.0}, {"a": "a", "b": "b"}),
    ("poisson", "gamma", th.Gamma(3.0, 0.5), {"a": 3.0, "b": 0.5}, {"a": "shape", "b": "rate"}),
    ("exponential", "gamma", th.Gamma(2.0, 1.5), {"a": 2.0, "b": 1.5}, {"a": "shape", "b": "rate"}),
    ("normal-mu", "normal", th.Normal(0.5, 1.2), {"m": 0.5, "s": 1.2}, {"m": "mu", "s": "sigma"}),
    (
        "normal-sigma",
        "inverse-gamma",
        th.InverseGamma(3.0, 2.0),
        {"a": 3.0, "b": 2.0},
        {"a": "shape", "b": "scale"},
    ),
    (
        "normal",
        "normal-inverse-gamma",
        th.NormalInverseGamma(0.3, 2.0, 3.0, 4.0),
        {"m": 0.3, "lambda0": 2.0, "a": 3.0, "b": 4.0},
        {"m": "mu", "lambda0": "lam", "a": "shape", "b": "scale"},
    ),
    (
        "categorical",
        "dirichlet",
        th.Dirichlet([1.5, 2.0, 3.0]),
        {"alpha_1": 1.5, "alpha_2": 2.0, "alpha_3": 3.0},
        {},
    ),
    (
        "multinomial",
        "dirichlet",
        th.Dirichlet([2.0, 1.0, 4.0]),
        {"alpha_1": 2.0, "alpha_2": 1.0, "alpha_3": 4.0},
        {},
    ),
]

#: derived parameter name -> library key in the posterior/MAP dicts
KEYS = {"p": "p", "lambda": "rate", "mu": "mu", "v": "var"}


def _lib(d: dict[str, Any], name: str) -> float:
    if name.startswith("p_"):
        return float(np.asarray(d["probs"])[int(name[2:]) - 1])
    return float(d[KEYS[name]])


def _hyper(dist: Any, name: str, attrs: dict[str, str]) -> float:
    if name.startswith("alpha_"):
        return float(np.asarray(dist.alpha)[int(name[6:]) - 1])
    return float(getattr(dist, attrs[name]))


@pytest.mark.parametrize(("case", "prior"), [(c, p) for c, p, *_ in PAIRS])
def test_map_posterior_mean_mode_and_pseudo_counts(case: str, prior: str) -> None:
    _, _, th_prior, hyper, attrs = next(x for x in PAIRS if x[0] == case and x[1] == prior)
    key, free, build = CASES[case]
    rng = np.random.default_rng(abs(hash((case, prior))) % 2**32)
    fam, x, kw, stats = build(rng)
    d = derive.derive(key, prior=prior, free=free)
    at = {**stats, **hyper}
    post = th.posterior(fam, x, prior=th_prior, **kw)
    est = th.fit(fam, x, prior=th_prior, **kw)
    for name, v in d.evaluate("posterior", **at).items():
        _close(v, _hyper(post.dist, name, attrs))
    for name, v in d.evaluate("map", **at).items():
        _close(v, _lib(est.params, name))
        _close(v, _lib(post.mode(), name))
    for name, v in d.evaluate("posterior_mean", **at).items():
        _close(v, _lib(post.mean(), name))
    # the prior as data: each natural hyperparameter grows by a statistic of the data
    names = list(d.results["posterior"])
    increments = d.evaluate("increments", **at)
    if prior in ("beta", "gamma", "inverse-gamma") or prior == "dirichlet":
        for name in names:
            _close(
                increments[name],
                _hyper(post.dist, name, attrs) - _hyper(th_prior, name, attrs),
            )
    pseudo = post.pseudo_counts
    worth = d.evaluate("prior_worth", **at) if "prior_worth" in d.results else None
    expected = {
        "beta": pseudo.get("n"),
        "dirichlet": pseudo.get("n"),
        "normal": pseudo.get("n"),
        "normal-inverse-gamma": pseudo.get("n_mean"),
        "gamma": pseudo.get("exposure", pseudo.get("total")),
    }.get(prior)
    if expected is not None:
        _close(worth, expected)


def test_frozen_prior_numbers_are_substituted() -> None:
    d = derive.derive("bernoulli", prior=th.Beta(1, 1))
    assert str(d.results["posterior_mean"]["p"]) == "(k + 1)/(n + 2)"
    assert d.steps[-1].title == "With the prior's numbers"
    assert d.evaluate("map", k=3, n=3)["p"] == 1.0


def test_map_is_not_the_posterior_mean() -> None:
    d = derive.derive("poisson", prior="gamma")
    assert d.evaluate("map", X=4, T=2.0, a=2.0, b=1.0)["lambda"] == pytest.approx(5 / 3)
    assert d.evaluate("posterior_mean", X=4, T=2.0, a=2.0, b=1.0)["lambda"] == pytest.approx(2)


def test_dirichlet_prior_sets_the_number_of_classes() -> None:
    d = derive.derive("categorical", prior=th.Dirichlet([2.0, 3.0]))
    assert list(d.results["mle"]) == ["p_1", "p_2"]
    mean = d.evaluate("posterior_mean", c_1=4.0, c_2=6.0, n=10.0)
    assert mean["p_1"] == pytest.approx(6 / 15) and mean["p_2"] == pytest.approx(9 / 15)
    with pytest.raises(ValueError, match="number of classes disagrees: 3, 4"):
        derive.derive("categorical", prior=th.Dirichlet([1.0, 1.0, 1.0, 1.0]), classes=3)
