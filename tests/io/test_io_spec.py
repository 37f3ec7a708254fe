"""The prior SPEC parser: real parsing, never eval; errors point at the position."""

from __future__ import annotations

import re

import pytest

import thetahat as th
from thetahat.io import (
    SpecError,
    parse_distribution,
    parse_fixed,
    parse_prior,
    parse_regression_prior,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("beta(2,2)", th.Beta(2, 2)),
        ("normal(0, 10)", th.Normal(0, 10)),
        ("Gamma(shape=2, rate=1)", th.Gamma(shape=2, rate=1)),
        ("  NORMAL ( -1e-3 , .5 ) ", th.Normal(-0.001, 0.5)),
        ("student_t(3, 0, 1)", th.StudentT(3, 0, 1)),
    ],
)
def test_single_distribution(text: str, expected: th.Distribution) -> None:
    assert parse_prior(text) == expected


def test_assignments_and_vectors() -> None:
    got = parse_prior("mu=normal(0,10); sigma=gamma(2, 1);")
    assert got == {"mu": th.Normal(0, 10), "sigma": th.Gamma(2, 1)}
    d = parse_prior("dirichlet([1, 2, 3])")
    assert isinstance(d, th.Dirichlet)
    assert d.alpha.tolist() == [1.0, 2.0, 3.0]


def test_family_and_fixed() -> None:
    assert parse_distribution("poisson") == th.Poisson()
    assert parse_distribution("normal(sigma=2)").free == ("mu",)
    assert parse_fixed("sigma=2.5") == ("sigma", 2.5)


@pytest.mark.parametrize(
    ("text", "column", "needle"),
    [
        ("__import__('os').system('x')", 1, "unknown distribution '__import__'"),
        ("beta(2,2).mro()", 10, "attribute access"),
        ("th.Beta(2, 2)", 3, "attribute access"),
        ("beta(2,,2)", 8, "expected a number"),
        ("beta(2, 2", 10, "expected ',' or ')'"),
        ("normal(mu, 1)", 8, "no expressions"),
        ("beta(a=2, 3)", 11, "positional argument follows"),
        ("halfcauchy(5)", 1, "known: "),
        ("beta(0, 1)", 1, "must be a number > 0"),
        ("", 1, "empty"),
        ("beta(2, 'x')", 9, "unexpected character"),
        ("mu=beta(1,1); mu=beta(2,2)", 15, "given twice"),
    ],
)
def test_errors_point_at_position(text: str, column: int, needle: str) -> None:
    with pytest.raises(SpecError) as info:
        parse_prior(text)
    assert info.value.position == column - 1
    msg = str(info.value)
    assert needle in msg
    assert f"column {column}" in msg
    assert "<HERE>" in msg and "\n" not in msg


def test_unknown_name_lists_known_discovered_dynamically() -> None:
    with pytest.raises(ValueError, match="Bernoulli") as info:
        parse_prior("nosuch(1)")
    for cls in (th.Beta, th.Gamma, th.NegativeBinomial):
        assert cls.__name__ in str(info.value)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("beta(1e999, 2)", "1e999 is too large"),
        ("gamma(2, -1e400)", "1e400 is too large"),
        ("normal(0, 1e-400)", "1e-400 is too small"),
    ],
)
def test_decimal_overflow_and_underflow_are_errors(text: str, needle: str) -> None:
    with pytest.raises(SpecError, match=needle):
        parse_prior(text)


def test_zero_literal_is_zero_not_underflow() -> None:
    assert parse_fixed("mu=0.0e-999") == ("mu", 0.0)
    assert parse_fixed("mu=1e308") == ("mu", 1e308)


@pytest.mark.parametrize(("typo", "name"), [("gama", "gamma"), ("poison", "poisson")])
def test_unknown_name_suggests_the_nearest(typo: str, name: str) -> None:
    with pytest.raises(ValueError, match=f"did you mean {name!r}"):
        parse_distribution(typo)


def test_aliases() -> None:
    assert parse_prior("gaussian(0, 1)") == th.Normal(0, 1)
    assert parse_prior("nig(0, 1, 2, 2)") == th.NormalInverseGamma(0, 1, 2, 2)


def test_regression_priors_share_the_grammar() -> None:
    assert parse_regression_prior(None) is None
    assert parse_regression_prior(" flat ") is None
    assert parse_regression_prior("evidence") == "evidence"
    assert parse_regression_prior("laplace(0, 0.1)") == th.Laplace(0, 0.1)
    assert parse_regression_prior("normal(0, 2) + laplace(0, 0.5)") == (
        th.Normal(0, 2),
        th.Laplace(0, 0.5),
    )
    assert parse_regression_prior("normal(0,1)+laplace(0,+0.5)")[1] == th.Laplace(0, 0.5)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("gamma(2, 1)", "not a regression prior"),
        ("normal(0, 1) + normal(0, 2)", "one normal(..) plus one laplace"),
        ("normal(0, 1) +", "expected a distribution name"),
        ("normal(0, __import__)", "no expressions"),
        ("cauchy(0, 1)", "unknown distribution 'cauchy'"),
        ("normal(0, 1) laplace(0, 1)", "unexpected 'laplace'"),
    ],
)
def test_regression_prior_errors(text: str, needle: str) -> None:
    with pytest.raises(SpecError, match=re.escape(needle)):
        parse_regression_prior(text)


def test_docstring_examples_run() -> None:
    import doctest

    import thetahat.io.spec

    result = doctest.testmod(thetahat.io.spec)
    assert result.attempted >= 3 and result.failed == 0
