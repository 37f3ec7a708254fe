"""Derived closed forms (SymPy) against the library's fits, at random data.

The statistics are computed here with numpy from the data, independently of
the library's reductions; every derived expression is evaluated at them and
compared with ``th.fit`` to 1e-12 relative.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from scipy import special as sc

import thetahat as th
from thetahat import derive

RTOL = 1e-12


def _close(a: Any, b: Any, rtol: float = RTOL) -> None:
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=rtol)


# family key -> (case builder: rng -> (family for th.fit, data, fit keywords, stat values))
def _bernoulli(rng: np.random.Generator) -> tuple[Any, ...]:
    x = rng.integers(0, 2, 40)
    x[:2] = [0, 1]
    return th.Bernoulli, x, {}, {"n": x.size, "k": x.sum()}


def _binomial(rng: np.random.Generator) -> tuple[Any, ...]:
    m = rng.integers(3, 20, 30)
    x = rng.binomial(m, 0.35)
    c = float(np.sum(sc.gammaln(m + 1) - sc.gammaln(x + 1) - sc.gammaln(m - x + 1)))
    return th.Binomial(n=m), x, {}, {"n": x.size, "k": x.sum(), "N": m.sum(), "C": c}


def _poisson(rng: np.random.Generator) -> tuple[Any, ...]:
    t = rng.uniform(0.5, 3.0, 25)
    x = rng.poisson(2.5 * t)
    c = float(np.sum(sc.xlogy(x, t) - sc.gammaln(x + 1)))
    return th.Poisson, x, {"exposure": t}, {"n": x.size, "X": x.sum(), "T": t.sum(), "C": c}


def _geometric(rng: np.random.Generator) -> tuple[Any, ...]:
    x = rng.geometric(0.3, 35) - 1
    return th.Geometric, x, {}, {"n": x.size, "S": x.sum()}


def _exponential(rng: np.random.Generator) -> tuple[Any, ...]:
    x = rng.exponential(0.7, 30)
    return th.Exponential, x, {}, {"n": x.size, "S": x.sum()}


def _normal_stats(x: np.ndarray) -> dict[str, float]:
    return {"n": x.size, "xbar": x.mean(), "SS": float(np.sum((x - x.mean()) ** 2))}


def _normal(rng: np.random.Generator) -> tuple[Any, ...]:
    x = rng.normal(1.5, 2.0, 30)
    return th.Normal, x, {}, _normal_stats(x)


def _normal_mu(rng: np.random.Generator) -> tuple[Any, ...]:
    x = rng.normal(1.5, 2.0, 30)
    return th.Normal(sigma=1.7), x, {}, {**_normal_stats(x), "sigma": 1.7}


def _normal_sigma(rng: np.random.Generator) -> tuple[Any, ...]:
    x = rng.normal(1.5, 2.0, 30)
    return th.Normal(mu=1.2), x, {}, {**_normal_stats(x), "mu": 1.2}


def _categorical(rng: np.random.Generator, k: int = 3) -> tuple[Any, ...]:
    x = rng.choice(k, size=60, p=np.arange(1, k + 1) / (k * (k + 1) / 2))
    x[:k] = np.arange(k)
    counts = np.bincount(x, minlength=k)
    return (
        th.Categorical(k=k),
        x,
        {},
        {"n": x.size, **{f"c_{j + 1}": c for j, c in enumerate(counts)}},
    )


def _multinomial(rng: np.random.Generator, k: int = 3) -> tuple[Any, ...]:
    m = rng.integers(5, 15, 20)
    rows = np.array([rng.multinomial(mi, [0.2, 0.5, 0.3]) for mi in m])
    counts = rows.sum(axis=0)
    c = float(np.sum(sc.gammaln(m + 1) - np.sum(sc.gammaln(rows + 1), axis=1)))
    return (
        th.Multinomial,
        rows,
        {},
        {"n": m.size, "N": m.sum(), "C": c, **{f"c_{j + 1}": v for j, v in enumerate(counts)}},
    )


CASES: dict[str, tuple[str, tuple[str, ...] | None, Callable[..., tuple[Any, ...]]]] = {
    "bernoulli": ("bernoulli", None, _bernoulli),
    "binomial": ("binomial", None, _binomial),
    "poisson": ("poisson", None, _poisson),
    "geometric": ("geometric", None, _geometric),
    "exponential": ("exponential", None, _exponential),
    "normal": ("normal", None, _normal),
    "normal-mu": ("normal", ("mu",), _normal_mu),
    "normal-sigma": ("normal", ("sigma",), _normal_sigma),
    "categorical": ("categorical", None, _categorical),
    "multinomial": ("multinomial", None, _multinomial),
}

#: derived parameter symbol name -> library parameter (and index for vectors)
NAMES = {"p": ("p", None), "lambda": ("rate", None), "mu": ("mu", None), "sigma": ("sigma", None)}


def _lib(est_dict: dict[str, Any], name: str) -> float:
    if name.startswith("p_"):
        return float(np.asarray(est_dict["probs"])[int(name[2:]) - 1])
    key, _ = NAMES[name]
    return float(est_dict[key])


@pytest.mark.parametrize("case", sorted(CASES))
def test_mle_se_loglik_and_expected_information(case: str) -> None:
    key, free, build = CASES[case]
    rng = np.random.default_rng(abs(hash(case)) % 2**32)
    fam, x, kw, stats = build(rng)
    d = derive.derive(key, free=free)
    est = th.fit(fam, x, **kw)
    mle = d.evaluate("mle", **stats)
    for name, v in mle.items():
        _close(v, _lib(est.params, name))
    at = {**stats, **mle}
    se = d.evaluate("se", **stats)
    for name, v in se.items():
        _close(v, _lib(est.se, name))
    _close(d.evaluate("loglik", **at), est.loglik)
    # the symbolic Fisher information at the MLE, inverted, is the library's expected covariance
    cov = d.evaluate("cov_expected", **stats)
    lib = th.fit(fam, x, information="expected", **kw).cov
    k = cov.shape[0]
    _close(cov, lib[:k, :k])
    # and the observed information at the MLE is the same matrix (exponential families)
    _close(np.linalg.inv(d.evaluate("observed_information", **stats)), est.cov[:k, :k])


@pytest.mark.parametrize("case", ["exponential", "geometric", "normal", "poisson"])
def test_fisher_information_is_the_variance_of_the_score(case: str) -> None:
    """I_1 = E[score^2] by simulation, with the derived score of one observation."""
    key, free, _build = CASES[case]
    d = derive.derive(key, free=free)
    rng = np.random.default_rng(5)
    truth = {
        "exponential": ({"lambda": 1.3}, lambda n: rng.exponential(1 / 1.3, n)),
        "geometric": ({"p": 0.35}, lambda n: rng.geometric(0.35, n) - 1.0),
        "normal": ({"mu": 0.4, "sigma": 1.6}, lambda n: rng.normal(0.4, 1.6, n)),
        "poisson": ({"lambda": 2.2}, lambda n: rng.poisson(2.2, n).astype(float)),
    }[case]
    params, draw = truth
    x = draw(400_000)
    i1 = d.evaluate("fisher_1", **params, **({"t": 1.0} if case == "poisson" else {}))
    import sympy as sp

    spec_x = d.symbols["x"]
    names = list(d.results["score"])
    scores = []
    for name in names:
        expr = d.results["score"][name]
        # the score of the whole sample at n = 1, with the statistics of one observation
        one = {
            "poisson": {"X": spec_x, "T": 1, "C": 0},
            "exponential": {"S": spec_x},
            "geometric": {"S": spec_x},
            "normal": {"xbar": spec_x, "SS": 0},
        }[case]
        e = sp.sympify(expr).subs({d.symbols[k]: v for k, v in one.items()}).subs(d.symbols["n"], 1)
        fn = sp.lambdify([spec_x, *[d.symbols[k] for k in params]], e, "numpy")
        scores.append(np.broadcast_to(fn(x, *params.values()), x.shape))
    u = np.vstack(scores)
    emp = u @ u.T / x.size
    np.testing.assert_allclose(emp, i1, rtol=0.02, atol=0.01 * np.max(np.abs(i1)))


@pytest.mark.parametrize(
    ("case", "truth", "draw"),
    [
        ("exponential", {"lambda": 2.0}, lambda rng, n: rng.exponential(0.5, n)),
        ("normal", {"mu": 1.0, "sigma": 2.0}, lambda rng, n: rng.normal(1.0, 2.0, n)),
        ("geometric", {"p": 0.4}, lambda rng, n: rng.geometric(0.4, n) - 1.0),
    ],
)
def test_derived_bias_matches_simulation(case: str, truth: dict, draw: Callable) -> None:
    key, free, _ = CASES[case]
    d = derive.derive(key, free=free)
    n, reps = 8 if case != "geometric" else 40, 40_000
    rng = np.random.default_rng(3)
    samples = draw(rng, (reps, n))
    fam = {"exponential": th.Exponential, "normal": th.Normal, "geometric": th.Geometric}[case]
    if case == "exponential":
        est = n / samples.sum(axis=1)
        target = "lambda"
    elif case == "geometric":
        est = n / (n + samples.sum(axis=1))
        target = "p"
    else:
        est = samples.var(axis=1)  # the MLE of the variance divides by n
        target = "sigma**2"
    assert float(th.fit(fam, samples[0]).params[NAMES[target.split("*")[0]][0]]) ** (
        2 if case == "normal" else 1
    ) == pytest.approx(est[0], rel=1e-12)
    bias = d.evaluate("bias", **truth, n=n)[target]
    se = est.std(ddof=1) / np.sqrt(reps)
    value = float(truth[target.split("*")[0]]) ** (2 if case == "normal" else 1)
    # exact biases to simulation error; the geometric one is O(1/n) with an O(1/n^2) rest
    slack = 4 * se + (0.05 * abs(bias) if case == "geometric" else 0.0)
    assert abs(est.mean() - value - bias) < slack
    assert bias != 0


def test_lagrange_multiplier_is_the_total_count() -> None:
    d = derive.derive("multinomial")
    assert str(d.results["lagrange_multiplier"]) == "N"
    assert [str(v) for v in d.results["mle"].values()] == ["c_1/N", "c_2/N", "c_3/N"]


def test_categorical_with_four_classes_matches_library() -> None:
    rng = np.random.default_rng(9)
    fam, x, _, stats = _categorical(rng, k=4)
    d = derive.derive("categorical", classes=4)
    est = th.fit(fam, x)
    for name, v in d.evaluate("mle", **stats).items():
        _close(v, _lib(est.params, name))
    _close(d.evaluate("cov_expected", **stats), est.cov[:3, :3])


def test_family_instances_choose_the_free_parameters() -> None:
    d = derive.derive(th.Normal(sigma=2.0))
    assert list(d.results["mle"]) == ["mu"]
    assert list(derive.derive(th.Normal).results["mle"]) == ["mu", "sigma"]


def test_bad_requests_name_the_problem() -> None:
    with pytest.raises(ValueError, match="unknown family 'gumbel'"):
        derive.derive("gumbel")
    with pytest.raises(ValueError, match="no conjugate prior 'gamma' for bernoulli"):
        derive.derive("bernoulli", prior="gamma")
    with pytest.raises(ValueError, match="covers mu free"):
        derive.derive("normal", prior="normal")
    with pytest.raises(ValueError, match="cannot leave"):
        derive.derive("normal", free="rate")
    with pytest.raises(ValueError, match="number of classes"):
        derive.derive("categorical", classes=1)
    d = derive.derive("bernoulli")
    with pytest.raises(ValueError, match="needs a value for k"):
        d.evaluate("mle", n=3)
    with pytest.raises(KeyError, match="no result 'map'"):
        d.evaluate("map", n=3, k=1)
    with pytest.raises(ValueError, match="format must be one of"):
        d.render("html")
