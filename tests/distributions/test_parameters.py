"""Parameters: attribute and dict access, free vs fixed, domain errors, Flat."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import thetahat as th

# every distribution class with one valid set of parameters (positional order)
VALID: list[tuple[type[th.Distribution], dict[str, Any]]] = [
    (th.Bernoulli, {"p": 0.3}),
    (th.Binomial, {"n": 10, "p": 0.3}),
    (th.Categorical, {"probs": [0.2, 0.3, 0.5]}),
    (th.Multinomial, {"n": 5, "probs": [0.2, 0.8]}),
    (th.Poisson, {"rate": 2.0}),
    (th.Geometric, {"p": 0.4}),
    (th.Exponential, {"rate": 1.5}),
    (th.Normal, {"mu": -1.0, "sigma": 2.0}),
    (th.Beta, {"a": 2.0, "b": 3.0}),
    (th.Gamma, {"shape": 2.0, "rate": 0.5}),
    (th.InverseGamma, {"shape": 3.0, "scale": 2.0}),
    (th.Dirichlet, {"alpha": [1.0, 2.0, 3.0]}),
    (th.NormalInverseGamma, {"mu": 0.5, "lam": 2.0, "shape": 3.0, "scale": 1.5}),
    (th.BetaBinomial, {"n": 8, "a": 2.0, "b": 3.0}),
    (th.NegativeBinomial, {"r": 2.5, "p": 0.4}),
    (th.BetaNegativeBinomial, {"r": 2.0, "a": 3.0, "b": 4.0}),
    (th.DirichletMultinomial, {"n": 6, "alpha": [1.0, 2.0, 0.5]}),
    (th.StudentT, {"df": 4.0, "loc": 1.0, "scale": 2.0}),
    (th.Lomax, {"shape": 3.0, "scale": 2.0}),
]

# (class, parameter, a value outside its domain)
INVALID: list[tuple[type[th.Distribution], str, Any]] = [
    (th.Bernoulli, "p", 1.5),
    (th.Bernoulli, "p", -0.1),
    (th.Bernoulli, "p", float("nan")),
    (th.Binomial, "n", -1),
    (th.Binomial, "n", 2.5),
    (th.Binomial, "p", 2.0),
    (th.Categorical, "probs", [0.5, 0.6]),
    (th.Categorical, "probs", [1.2, -0.2]),
    (th.Multinomial, "probs", [0.3, 0.3]),
    (th.Multinomial, "n", -3),
    (th.Poisson, "rate", -1.0),
    (th.Geometric, "p", 0.0),
    (th.Exponential, "rate", 0.0),
    (th.Normal, "sigma", 0.0),
    (th.Normal, "mu", float("inf")),
    (th.Normal, "mu", float("-inf")),
    (th.StudentT, "loc", float("nan")),
    (th.Gamma, "rate", float("-inf")),
    (th.Beta, "a", 0.0),
    (th.Beta, "b", -2.0),
    (th.Gamma, "shape", -1.0),
    (th.Gamma, "rate", 0.0),
    (th.InverseGamma, "scale", 0.0),
    (th.Dirichlet, "alpha", [1.0, 0.0]),
    (th.Dirichlet, "alpha", [1.0]),
    (th.NormalInverseGamma, "lam", 0.0),
    (th.NormalInverseGamma, "shape", -1.0),
    (th.BetaBinomial, "n", 1.5),
    (th.NegativeBinomial, "p", 0.0),
    (th.NegativeBinomial, "r", 0.0),
    (th.BetaNegativeBinomial, "a", 0.0),
    (th.DirichletMultinomial, "alpha", [2.0, -1.0]),
    (th.StudentT, "df", 0.0),
    (th.Lomax, "scale", -1.0),
]


def _ids(cases: list[Any]) -> list[str]:
    return [c[0].__name__ for c in cases]


@pytest.mark.parametrize(("cls", "params"), VALID, ids=_ids(VALID))
def test_parameters_by_attribute_dict_and_position(
    cls: type[th.Distribution], params: dict[str, Any]
) -> None:
    d = cls(**params)
    assert cls.param_names() == tuple(params)
    assert d.is_frozen and d.free == () and d.estimable == ()
    assert set(d.params) == set(params)
    for name, value in params.items():
        np.testing.assert_array_equal(getattr(d, name), value)
        np.testing.assert_array_equal(d.params[name], value)
    # positional order is the declared order
    assert cls(*params.values()) == d
    assert hash(cls(*params.values())) == hash(d)
    assert cls.__name__ in repr(d)
    with pytest.raises(AttributeError, match="immutable"):
        d.foo = 1  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="no attribute"):
        _ = d.nonexistent
    with pytest.raises(TypeError, match="bogus"):
        cls(**params, bogus=1.0)
    with pytest.raises(TypeError, match="positional"):
        cls(*params.values(), 1.0)


def test_beta_attributes() -> None:
    d = th.Beta(2, 3)
    assert d.a == 2 and d.b == 3
    assert d.params == {"a": 2.0, "b": 3.0}
    assert th.Beta(b=3, a=2) == d
    assert d.with_params(a=5.0) == th.Beta(5, 3)
    assert d == th.Beta(2, 3) and d != th.Beta(2, 4)
    with pytest.raises(TypeError, match="twice"):
        th.Beta(2, a=3)


@pytest.mark.parametrize(("cls", "params"), VALID, ids=_ids(VALID))
def test_left_out_parameters_are_free(cls: type[th.Distribution], params: dict[str, Any]) -> None:
    names = list(params)
    for i, left_out in enumerate(names):
        given = {k: v for k, v in params.items() if k != left_out}
        d = cls(**given)
        assert d.free == (left_out,)
        assert getattr(d, left_out) is None
        assert not d.is_frozen
        # a family cannot be evaluated until every parameter is given
        with pytest.raises(ValueError, match=left_out):
            d.mean()
        full = d.with_params(**{left_out: params[left_out]})
        assert full == cls(**params)
        assert i < len(names)
    assert cls().free == tuple(names)


def test_estimable_excludes_parameters_read_off_the_data() -> None:
    assert th.Multinomial().free == ("n", "probs")
    assert th.Multinomial().estimable == ("probs",)
    assert th.Normal(sigma=2).free == ("mu",)
    assert th.Normal(sigma=2).estimable == ("mu",)


@pytest.mark.parametrize(
    ("cls", "name", "value"), INVALID, ids=[f"{c[0].__name__}-{c[1]}" for c in INVALID]
)
def test_value_outside_the_domain_names_the_parameter(
    cls: type[th.Distribution], name: str, value: Any
) -> None:
    base = dict(next(p for c, p in VALID if c is cls))
    base[name] = value
    with pytest.raises(ValueError, match=rf"{cls.__name__} parameter {name}\b"):
        cls(**base)


def test_non_numeric_and_misshaped_parameters() -> None:
    with pytest.raises(TypeError, match="p"):
        th.Bernoulli("0.5")
    with pytest.raises(TypeError, match="mu"):
        th.Normal(mu=object(), sigma=1.0)
    with pytest.raises(ValueError, match="rate must be a scalar"):
        th.Exponential([1.0, 2.0])
    # sigma may be one value per observation (a 1-d array), never a matrix
    with pytest.raises(ValueError, match="sigma must be a scalar or one value per observation"):
        th.Normal(0.0, [[1.0, 2.0]])


def test_per_observation_trials() -> None:
    d = th.Binomial(n=[3, 5, 10], p=0.4)
    np.testing.assert_array_equal(d.n, [3, 5, 10])
    np.testing.assert_allclose(d.mean(), [1.2, 2.0, 4.0])
    with pytest.raises(ValueError, match="read-only"):
        d.n[0] = 4


def test_flat_is_improper() -> None:
    f = th.Flat()
    assert f.free == () and f.params == {}
    np.testing.assert_array_equal(f.logpdf([0.0, 1e9, -3.0]), 0.0)
    for method in (f.mean, f.var, f.sample, f.to_scipy):
        with pytest.raises(ValueError, match="improper"):
            method()
    with pytest.raises(ValueError, match="improper"):
        f.cdf(0.0)
    with pytest.raises(ValueError, match="improper"):
        f.ppf(0.5)
    with pytest.raises(ValueError, match="improper"):
        f.interval(0.9)


def test_laplace_validation() -> None:
    with pytest.raises(ValueError, match="scale"):
        th.Laplace(0, -1)
    assert th.Laplace(scale=2.0).free == ("loc",)
