"""Algebra shared by the derivations: sums over observations and expectations.

Every closed-form family here is an exponential family, so a log density
expanded term by term is a sum of (function of the data) x (function of the
parameters). :func:`sum_over_observations` uses that to write a per-observation
expression summed over i = 1..n in terms of the family's sufficient statistics
(and keeps the data-only part as one named constant, so nothing is dropped);
:func:`moments` derives the expectations the information needs from the
identity E[score] = 0 (the derivative of the normalisation), with SymPy's
``stats`` module only for what that identity leaves open.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sympy as sp

__all__ = ["expect", "moments", "separate", "sum_over_observations"]


def separate(
    expr: Any, theta: Sequence[sp.Symbol], data: Sequence[sp.Symbol]
) -> list[tuple[Any, Any, Any]]:
    """Terms of ``expr`` as ``(coefficient, data part, parameter part)`` triples.

    ``expr`` is expanded (logs of products split, powers multiplied out); each
    term's factors depending on ``theta`` form the parameter part, those on
    ``data`` the data part, the rest (numbers, fixed parameters) the coefficient.
    A term in which data and parameters do not factor is an error (the family
    would not be an exponential family in these coordinates).
    """
    out = []
    terms = []
    for part in sp.Add.make_args(sp.expand(expr, log=False)):
        if part.free_symbols:
            terms += sp.Add.make_args(sp.expand(sp.expand_log(part, force=True)))
        else:  # a number such as -log(2 pi)/2 stays as written
            terms.append(part)
    for term in terms:
        if term == 0:
            continue
        rest, par = term.as_independent(*theta, as_Add=False)
        coef, dat = rest.as_independent(*data, as_Add=False) if data else (rest, sp.S.One)
        if par.free_symbols & set(data):
            raise ValueError(f"the term {term} does not factor into data and parameters")
        out.append((coef, dat, par))
    return out


def sum_over_observations(
    expr: Any,
    theta: Sequence[sp.Symbol],
    data: Sequence[sp.Symbol],
    sums: Mapping[Any, Any],
    n: sp.Symbol,
) -> tuple[Any, Any]:
    """``sum_{i=1}^n expr(x_i)`` in terms of the statistics ``sums`` (g -> sum of g).

    Returns ``(total, rest)``: ``total`` with every term that involves a
    parameter written through ``sums`` and constants multiplied by ``n``;
    ``rest`` the per-observation terms without parameters and without a declared
    statistic (the caller names their sum).
    """
    total: Any = sp.S.Zero
    rest: Any = sp.S.Zero
    for coef, dat, par in separate(expr, theta, data):
        if dat == 1:
            total += n * coef * par
        elif dat in sums:
            total += coef * par * sums[dat]
        elif par == 1:
            rest += coef * dat
        else:
            raise ValueError(f"no statistic is declared for the sum of {dat}")
    return total, rest


def _data_parts(expr: Any, data: Sequence[sp.Symbol]) -> set[Any]:
    parts = set()
    for term in sp.Add.make_args(sp.expand(expr)):
        _, dat = term.as_independent(*data, as_Add=False)
        if dat != 1:
            parts.add(dat)
    return parts


def expect(expr: Any, data: Sequence[sp.Symbol], mom: Mapping[Any, Any]) -> Any:
    """E[expr] for ``expr`` linear in the data functions whose means are ``mom``."""
    out: Any = sp.S.Zero
    for term in sp.Add.make_args(sp.expand(expr)):
        coef, dat = term.as_independent(*data, as_Add=False)
        if dat == 1:
            out += coef
        elif dat in mom:
            out += coef * mom[dat]
        else:
            raise ValueError(f"no expectation derived for {dat}")
    return out


def moments(
    needed: Iterable[Any],
    scores: Sequence[Any],
    data: Sequence[sp.Symbol],
    constraints: Sequence[tuple[Any, Any]] = (),
    rv: Any = None,
) -> tuple[dict[Any, Any], list[str]]:
    """Means of the data functions ``needed`` (and of those in ``scores``).

    First from E[score_j] = 0 for each per-observation score (plus the
    ``constraints`` ``(g, E[g])`` the data obey, such as one-hot vectors summing
    to 1), solved as a linear system; whatever that leaves open comes from
    ``rv`` (a callable mapping a data function to its SymPy ``stats`` mean).
    Returns the means and a list saying how each was obtained.
    """
    parts = set(needed)
    for s in scores:
        parts |= _data_parts(s, data)
    for g, _ in constraints:
        parts |= _data_parts(g, data)
    order = sorted(parts, key=sp.default_sort_key)
    unknowns = {g: sp.Dummy(f"E_{i}") for i, g in enumerate(order)}
    eqs = [sp.Eq(expect(s, data, unknowns), 0) for s in scores]
    eqs += [sp.Eq(expect(g, data, unknowns), v) for g, v in constraints]
    how: list[str] = []
    solved: dict[Any, Any] = {}
    if eqs:
        sol = sp.solve(eqs, list(unknowns.values()), dict=True)
        if sol:
            for g, u in unknowns.items():
                v = sol[0].get(u)
                if v is not None and not (v.free_symbols & set(unknowns.values())):
                    solved[g] = sp.simplify(v)
    if solved:
        how.append(
            "from E[score] = 0 (differentiate the normalisation sum/integral of the density): "
            + ", ".join(f"E[{g}] = {solved[g]}" for g in order if g in solved)
        )
    missing = [g for g in order if g not in solved]
    if missing:
        if rv is None:
            raise ValueError(f"cannot derive E[{missing[0]}]")
        for g in missing:
            solved[g] = sp.simplify(rv(g))
        how.append(
            "by summing/integrating against the density (sympy.stats): "
            + ", ".join(f"E[{g}] = {solved[g]}" for g in missing)
        )
    return solved, how
