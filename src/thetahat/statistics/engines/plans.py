"""Each family's statistics as engine aggregates (a :class:`Plan`), written once.

A plan says what an engine computes for a family and how the results become the
family's statistics, per group:

* ``sums``: aggregates of row expressions (:mod:`.expr`) and a ``build`` turning
  them into the fields of the family's ``statistics_type`` (one array per field,
  one entry per group). Count families add a *histogram* of their values
  (``hist``): the log-factorial terms (``log x!``, ``log C(n, x)``) are summed
  over the distinct values in Python, so the engine needs no ``lgamma``.
* ``data``: discrete families without finite statistics (negative binomial, ...):
  the histogram itself is the statistic (a frequency table, as in memory).
* ``passes``: Weibull and Student t: no finite statistics; each Newton step is one
  aggregate query of the score sums (:mod:`.passes`, :mod:`.student`).
* ``fetch``: the rest (Laplace, Pareto, Lomax, Beta-Binomial with
  per-row trials, multivariate data):
  their fits need order statistics or robust starts over the data, so the
  value column is fetched and reduced in memory (docs/architecture.md, "Families
  that fetch", says for each what pushing it down would take).

Engines that run ``lgamma`` and ``floor`` (``engine.functions``; DuckDB) get the
Binomial's ``sum log C(n, x)`` with per-row trials as a sum in the statistics query and
its support checked by aggregates of the same pass (``Plan.checks``), without the
(x, n) histogram, which is nearly as large as the table when every group has its own
trials. (Poisson keeps its histogram: counts take few distinct values, and a per-row
``lgamma`` costs more than the histogram pass.)

Roles name the columns inside engines: ``x`` the data, ``n`` Binomial trials,
``exposure`` Poisson exposure, :data:`~.expr.WEIGHT` the frequency weights.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .expr import Agg, col, lit

__all__ = ["Plan", "plan_for"]

FloatArray = NDArray[np.float64]
Fields = dict[str, FloatArray]

X = col("x")
ONE = lit(1.0)


@dataclass(frozen=True)
class Plan:
    """What an engine computes for a family (see the module docstring).

    Examples
    --------
    >>> import thetahat as th
    >>> plan = plan_for(th.Gamma(), {"x": "x"})
    >>> plan.kind, sorted(plan.aggs)
    ('sums', ['hi', 'lo', 'n', 'slog', 'total'])
    >>> plan_for(th.Poisson(), {"x": "x"}).hist
    ('x',)
    """

    kind: str
    #: aggregate name -> aggregate (moments centres are filled in by the source)
    aggs: Mapping[str, Agg] = field(default_factory=dict)
    #: the fields of the family's statistics from the aggregates (arrays per group)
    build: Callable[[Mapping[str, FloatArray]], Fields] | None = None
    #: value columns of the histogram (count families), and the terms summed over it
    hist: tuple[str, ...] = ()
    hist_terms: Mapping[str, Callable[[Mapping[str, FloatArray]], FloatArray]] = field(
        default_factory=dict
    )
    #: the moments aggregates whose centre is the mean of this expression on a few rows
    centred: tuple[str, ...] = ()
    #: the support check without a histogram pass: (aggregate, rule) with rule ``"==0"``,
    #: ``"<=0"`` or ``">=0"``, which holds exactly when every value is in the support
    checks: tuple[tuple[str, str], ...] = ()


def _moments(prefix: str, v: Mapping[str, FloatArray]) -> Fields:
    return {
        "n": v[f"{prefix}.n"],
        "mean": v[f"{prefix}.mean"],
        "m2": v[f"{prefix}.m2"],
        "mean_err": np.zeros_like(v[f"{prefix}.n"]),
    }


def _bounds() -> dict[str, Agg]:
    return {"lo": Agg("min", X), "hi": Agg("max", X)}


def _normal() -> Plan:
    return Plan("sums", {"m": Agg("moments", X), **_bounds()}, lambda v: _moments("m", v),
                centred=("m",))  # fmt: skip


def _lognormal() -> Plan:
    return Plan("sums", {"m": Agg("moments", X.log()), **_bounds()},
                lambda v: _moments("m", v), centred=("m",))  # fmt: skip


def _sums(**fields: Any) -> Plan:
    aggs = {name: Agg("sum", e) for name, e in fields.items()}
    return Plan("sums", {**aggs, **_bounds()}, lambda v: {k: v[k] for k in fields})


def _integers(e: Any) -> Agg:
    """sum (e - floor e)^2: zero exactly when every value of e is an integer."""
    frac = e - e.floor()
    return Agg("sum", frac * frac)


def _poisson(exposure: bool) -> Plan:
    t = col("exposure") if exposure else ONE
    aggs = {"n": Agg("sum", ONE), "total": Agg("sum", X), "exposure": Agg("sum", t)}
    if exposure:
        aggs["xlt"] = Agg("sum", X * t.log())

    def build(v: Mapping[str, FloatArray]) -> Fields:
        const = -v["lf"] + (v["xlt"] if exposure else 0.0)
        return {"n": v["n"], "total": v["total"], "exposure": v["exposure"], "const": const}

    return Plan("sums", {**aggs, **_bounds()}, build, hist=("x",),
                hist_terms={"lf": lambda h: sc.gammaln(h["x"] + 1.0)})  # fmt: skip


def _binomial(lgamma: bool) -> Plan:
    aggs = {"n": Agg("sum", ONE), "trials": Agg("sum", col("n")), "k": Agg("sum", X)}
    if lgamma:
        # sum log C(n, x) in the same pass (per-row trials: a (x, n) histogram per group
        # is nearly as large as the table); the support by the same query
        t = col("n")
        aggs |= {
            "log_coef": Agg(
                "sum", (t + ONE).lgamma() - (X + ONE).lgamma() - (t - X + ONE).lgamma()
            ),
            "frac": _integers(X), "frac_n": _integers(t), "excess": Agg("max", X - t),
            "nlo": Agg("min", t),
        }  # fmt: skip

        def build_l(v: Mapping[str, FloatArray]) -> Fields:
            return {"n": v["n"], "trials": v["trials"], "k": v["k"], "log_coef": v["log_coef"]}

        checks = (("frac", "==0"), ("frac_n", "==0"), ("excess", "<=0"), ("lo", ">=0"),
                  ("nlo", ">=0"))  # fmt: skip
        return Plan("sums", {**aggs, **_bounds()}, build_l, checks=checks)

    def log_coef(h: Mapping[str, FloatArray]) -> FloatArray:
        n, x = h["n"], h["x"]
        return np.asarray(sc.gammaln(n + 1.0) - sc.gammaln(x + 1.0) - sc.gammaln(n - x + 1.0))

    def build(v: Mapping[str, FloatArray]) -> Fields:
        return {"n": v["n"], "trials": v["trials"], "k": v["k"], "log_coef": v["log_coef"]}

    return Plan("sums", {**aggs, **_bounds()}, build, hist=("x", "n"),
                hist_terms={"log_coef": log_coef})  # fmt: skip


def _count_hist(fields: dict[str, Any]) -> Plan:
    plan = _sums(**fields)
    return Plan("sums", plan.aggs, plan.build, hist=("x",))


def plan_for(
    family: Any, roles: Mapping[str, str], functions: frozenset[str] = frozenset()
) -> Plan:
    """The plan of ``family`` (an instance) with the per-row inputs in ``roles``
    (``"n"``: trials, ``"exposure"``); ``functions`` are the row functions the engine runs
    beyond ``log``/``exp`` (with ``lgamma`` and ``floor``, count families sum their
    log-factorial terms in the statistics query instead of a histogram pass).

    Examples
    --------
    >>> import thetahat as th
    >>> [plan_for(f(), {"x": "x"}).kind for f in (th.Normal, th.Weibull, th.Laplace)]
    ['sums', 'passes', 'fetch']
    """
    name = type(family).__name__
    if family.obs_arrays or getattr(family, "data_ndim", 1) != 1:
        return Plan("fetch")
    if name == "Normal":
        return _normal()
    if name == "LogNormal":
        return _lognormal()
    if name == "Exponential":
        return _sums(n=ONE, total=X)
    if name == "Gamma":
        return _sums(n=ONE, total=X, slog=X.log())
    if name == "Beta":
        return _sums(n=ONE, slog=X.log(), slog1m=(ONE - X).log())
    if name == "InverseGamma":
        return _sums(n=ONE, sinv=ONE / X, slog=X.log())
    if name == "HalfNormal":
        return _sums(n=ONE, sumsq=X * X)
    if name == "Bernoulli":
        # x (1 - x) >= 0 on [0, 1] and 0 only at 0 and 1: one sum checks the support in the
        # same pass (no histogram: its GROUP BY (keys, x) was a second pass over the data)
        plan = _sums(n=ONE, k=X)
        aggs = {**plan.aggs, "off": Agg("sum", X * (ONE - X)), "over": Agg("max", X - ONE)}
        checks = (("lo", ">=0"), ("over", "<=0"), ("off", "==0"))
        return Plan("sums", aggs, plan.build, checks=checks)
    if name == "Geometric":
        return _count_hist({"n": ONE, "total": X})
    lgamma = {"lgamma", "floor"} <= functions
    if name == "Poisson":
        # a histogram of counts is small (few distinct values) and DuckDB's lgamma per
        # row cost 2.7x its avg/var_pop query at 10^7 rows against 1.2x for the histogram
        # (benchmarks/engines.py (a)): Poisson keeps the histogram
        return _poisson("exposure" in roles)
    if name == "Binomial":
        return _binomial(lgamma)
    if (name == "Weibull" and not family.params) or name == "StudentT":
        return Plan("passes")
    if family.discrete and "n" not in roles:
        return Plan("data", hist=("x",))
    # per-row trials are the family's per-observation parameter: its log density is
    # summed row by row over the fetched columns
    return Plan("fetch")
