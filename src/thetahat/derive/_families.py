"""The closed-form families as SymPy models: log density, statistics, library mapping.

Each :class:`FamilySpec` states only the model (the per-observation log density
with every constant) and the names of its sufficient statistics with their
definitions; the estimates, scores and informations are derived from it in
:mod:`thetahat.derive._likelihood`. ``library_stats`` reads the same
statistics off a thetahat ``SuffStats`` so that tests can evaluate a derived
closed form at the numbers the library reduced the data to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp
import sympy.stats as ss

__all__ = ["FAMILIES", "FamilySpec", "Stat", "family_spec"]

n = sp.Symbol("n", positive=True, integer=True)
i = sp.Symbol("i", positive=True, integer=True)


@dataclass(frozen=True)
class Stat:
    """A named statistic and its definition as a sum over the observations."""

    symbol: sp.Symbol
    definition: Any
    meaning: str


@dataclass(frozen=True)
class FamilySpec:
    """A family as a SymPy model (see the module docstring)."""

    key: str
    title: str
    #: library parameter name -> symbol (every parameter, free or fixed)
    params: dict[str, sp.Symbol]
    #: random per-observation symbols
    data: tuple[sp.Symbol, ...]
    #: known per-observation values (exposure, trials)
    covariates: tuple[sp.Symbol, ...]
    #: log density of one observation, every constant kept
    logp: Any
    #: per-observation data function -> its sum over i in the named statistics
    sums: dict[Any, Any]
    stats: tuple[Stat, ...]
    #: thetahat SuffStats -> values of the statistic symbols by name (and "n")
    library_stats: Callable[[Any], dict[str, float]]
    #: the parameter names a fit may leave free, by default all
    free_default: tuple[str, ...]
    #: how much data the statistics hold (for the pseudo-count reading)
    amount: Any = n
    constraints: tuple[tuple[Any, Any], ...] = ()
    #: data function -> its mean under the model (sympy.stats), for what E[score]=0 leaves
    rv: Callable[[Any], Any] | None = None
    #: the raw sum of x as a SymPy random variable (for exact bias of 1/mean estimators)
    sum_rv: Callable[[], Any] | None = None
    #: what the bias is computed for: parameter name -> function of the parameter
    bias_of: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    #: data-only per-observation terms: the name of their sum, and its library value
    const_name: str = "C"
    notes: str = ""
    #: substitutions of dependent parameters (the last class probability)
    depend: dict[sp.Symbol, Any] = field(default_factory=dict)

    def indexed(self, expr: Any) -> Any:
        """``expr`` written for observation i (x -> x_i, t -> t_i)."""
        subs = {s: sp.Indexed(sp.IndexedBase(s.name), i) for s in (*self.data, *self.covariates)}
        return sp.sympify(expr).xreplace(subs)


def _pos(name: str) -> sp.Symbol:
    return sp.Symbol(name, positive=True)


def _total(name: str) -> Any:
    """``sum_{i=1}^n name_i``: the sum over the observations of a per-observation value."""
    return sp.Sum(sp.Indexed(name, i), (i, 1, n))


def _bernoulli() -> FamilySpec:
    x, p, k = sp.Symbol("x", nonnegative=True, integer=True), _pos("p"), _pos("k")
    return FamilySpec(
        key="bernoulli",
        title="Bernoulli(p)",
        params={"p": p},
        data=(x,),
        covariates=(),
        logp=x * sp.log(p) + (1 - x) * sp.log(1 - p),
        sums={x: k},
        stats=(Stat(k, _total("x"), "number of successes"),),
        library_stats=lambda st: {"n": st.n, "k": st.k},
        free_default=("p",),
        rv=lambda g: ss.E(g.subs(x, ss.Bernoulli("X", p))),
    )


def _binomial() -> FamilySpec:
    x, m, p = sp.Symbol("x", nonnegative=True, integer=True), _pos("m"), _pos("p")
    k, nn = _pos("k"), _pos("N")
    return FamilySpec(
        key="binomial",
        title="Binomial(m_i, p), m_i trials known for each observation",
        params={"p": p},
        data=(x,),
        covariates=(m,),
        logp=sp.log(sp.binomial(m, x)) + x * sp.log(p) + (m - x) * sp.log(1 - p),
        sums={x: k, m: nn},
        stats=(
            Stat(k, _total("x"), "total successes"),
            Stat(nn, _total("m"), "total trials"),
        ),
        library_stats=lambda st: {"n": st.n, "k": st.k, "N": st.trials, "C": st.log_coef},
        free_default=("p",),
        amount=nn,
    )


def _poisson() -> FamilySpec:
    x, t, lam = sp.Symbol("x", nonnegative=True, integer=True), _pos("t"), _pos("lambda")
    xs, ts = _pos("X"), _pos("T")
    return FamilySpec(
        key="poisson",
        title="Poisson(lambda t_i), exposure t_i known for each observation",
        params={"rate": lam},
        data=(x,),
        covariates=(t,),
        logp=x * sp.log(lam * t) - lam * t - sp.log(sp.factorial(x)),
        sums={x: xs, t: ts},
        stats=(
            Stat(xs, _total("x"), "total count"),
            Stat(ts, _total("t"), "total exposure (n without exposure)"),
        ),
        library_stats=lambda st: {"n": st.n, "X": st.total, "T": st.exposure, "C": st.const},
        free_default=("rate",),
        amount=ts,
        notes="Without exposure every t_i = 1 and T = n.",
    )


def _geometric() -> FamilySpec:
    x, p, s = sp.Symbol("x", nonnegative=True, integer=True), _pos("p"), _pos("S")
    return FamilySpec(
        key="geometric",
        title="Geometric(p), failures before the first success",
        params={"p": p},
        data=(x,),
        covariates=(),
        logp=sp.log(p) + x * sp.log(1 - p),
        sums={x: s},
        stats=(Stat(s, _total("x"), "total failures"),),
        library_stats=lambda st: {"n": st.n, "S": st.total},
        free_default=("p",),
        amount=n + s,
        rv=lambda g: ss.E(g.subs(x, ss.Geometric("G", p) - 1)),
    )


def _exponential() -> FamilySpec:
    x, lam, s = sp.Symbol("x", nonnegative=True), _pos("lambda"), _pos("S")
    return FamilySpec(
        key="exponential",
        title="Exponential(lambda)",
        params={"rate": lam},
        data=(x,),
        covariates=(),
        logp=sp.log(lam) - lam * x,
        sums={x: s},
        stats=(Stat(s, _total("x"), "total of the data"),),
        library_stats=lambda st: {"n": st.n, "S": st.total},
        free_default=("rate",),
        amount=s,
        rv=lambda g: ss.E(g.subs(x, ss.Exponential("X", lam))),
        # a sum of n exponentials is Gamma(n, scale 1/lambda)
        sum_rv=lambda: ss.Gamma("S_n", n, 1 / lam),
    )


def _normal() -> FamilySpec:
    x, mu, sigma = sp.Symbol("x", real=True), sp.Symbol("mu", real=True), _pos("sigma")
    xbar, ssq = sp.Symbol("xbar", real=True), sp.Symbol("SS", nonnegative=True)
    return FamilySpec(
        key="normal",
        title="Normal(mu, sigma)",
        params={"mu": mu, "sigma": sigma},
        data=(x,),
        covariates=(),
        logp=-sp.log(2 * sp.pi) / 2 - sp.log(sigma) - (x - mu) ** 2 / (2 * sigma**2),
        sums={x: n * xbar, x**2: ssq + n * xbar**2},
        stats=(
            Stat(xbar, _total("x") / n, "sample mean"),
            Stat(
                ssq,
                sp.Sum((sp.Indexed("x", i) - xbar) ** 2, (i, 1, n)),
                "centred sum of squares (sum x_i^2 = SS + n xbar^2)",
            ),
        ),
        library_stats=lambda st: {"n": st.n, "xbar": st.mean, "SS": st.m2},
        free_default=("mu", "sigma"),
        rv=lambda g: ss.E(g.subs(x, ss.Normal("X", mu, sigma))),
        bias_of={"sigma": lambda s: s**2},
    )


def _categorical(k: int, multinomial: bool) -> FamilySpec:
    if not (isinstance(k, int) and 2 <= k <= 8):
        raise ValueError(f"the number of classes must be an integer from 2 to 8, got {k!r}")
    xs = tuple(sp.Symbol(f"x_{j}", nonnegative=True, integer=True) for j in range(1, k + 1))
    ps = tuple(_pos(f"p_{j}") for j in range(1, k + 1))
    cs = tuple(sp.Symbol(f"c_{j}", nonnegative=True) for j in range(1, k + 1))
    m = _pos("m")
    logp = sum((xj * sp.log(pj) for xj, pj in zip(xs, ps, strict=True)), sp.S.Zero)
    sums: dict[Any, Any] = dict(zip(xs, cs, strict=True))
    stats = tuple(Stat(c, _total(f"x_{j}"), f"count of class {j}") for j, c in enumerate(cs, 1))
    depend = {ps[-1]: 1 - sum(ps[:-1])}
    if multinomial:
        logp = sp.log(sp.factorial(m)) - sum(sp.log(sp.factorial(xj)) for xj in xs) + logp
        nn = _pos("N")
        return FamilySpec(
            key="multinomial",
            title=f"Multinomial(m_i, p) over K = {k} classes",
            params={f"p_{j}": p for j, p in enumerate(ps, 1)},
            data=xs,
            covariates=(m,),
            logp=logp,
            sums={**sums, m: nn},
            stats=(*stats, Stat(nn, _total("m"), "total trials")),
            library_stats=lambda st: {
                "n": st.n,
                "N": st.trials,
                "C": st.log_coef,
                **{f"c_{j}": float(c) for j, c in enumerate(np.asarray(st.counts), 1)},
            },
            free_default=tuple(f"p_{j}" for j in range(1, k + 1)),
            amount=nn,
            constraints=((sum(xs), m),),
            depend=depend,
        )
    return FamilySpec(
        key="categorical",
        title=f"Categorical(p) over K = {k} classes (x one-hot)",
        params={f"p_{j}": p for j, p in enumerate(ps, 1)},
        data=xs,
        covariates=(),
        logp=logp,
        sums=sums,
        stats=stats,
        library_stats=lambda st: {
            "n": st.n,
            **{f"c_{j}": float(c) for j, c in enumerate(np.asarray(st.counts), 1)},
        },
        free_default=tuple(f"p_{j}" for j in range(1, k + 1)),
        constraints=((sum(xs), 1),),
        depend=depend,
    )


FAMILIES = (
    "bernoulli",
    "binomial",
    "categorical",
    "multinomial",
    "poisson",
    "geometric",
    "exponential",
    "normal",
)

_BUILDERS: dict[str, Callable[[], FamilySpec]] = {
    "bernoulli": _bernoulli,
    "binomial": _binomial,
    "poisson": _poisson,
    "geometric": _geometric,
    "exponential": _exponential,
    "normal": _normal,
}


def family_spec(name: str, classes: int = 3) -> FamilySpec:
    """The spec of family ``name`` (``classes``: K for categorical/multinomial)."""
    key = str(name).strip().lower()
    if key in ("categorical", "multinomial"):
        return _categorical(classes, key == "multinomial")
    if key not in _BUILDERS:
        raise ValueError(f"unknown family {name!r}; derivations exist for {', '.join(FAMILIES)}")
    return _BUILDERS[key]()
