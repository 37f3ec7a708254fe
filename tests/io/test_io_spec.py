"""The prior SPEC parser: real parsing, never eval; errors point at the position."""

from __future__ import annotations

import pytest

import thetahat as th
from thetahat.io import SpecError, parse_distribution, parse_fixed, parse_prior


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
