"""The conjugate pairs the explorer offers, with their inputs and limits.

Each :class:`Pair` names a likelihood and its conjugate prior (the catalog of
``thetahat.conjugacy``), the prior's hyperparameters and the data summaries the
page asks for, and turns those summaries into observations with frequency
weights that have exactly the summaries' sufficient statistics (k successes in
n trials are the values 1 and 0 with weights k and n - k). thetahat then fits and
updates on them as on any data.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

import thetahat as th

from ._curves import flat_prior_likelihood, scaled_likelihood
from ._validate import ApiError, integer, number

__all__ = ["PAIRS", "Field", "Pair", "Problem"]

Array = NDArray[np.float64]

#: largest count (trials, observations, events) a request may give
MAX_COUNT = 1_000_000
#: hyperparameters and data values live in [-BIG, BIG]
BIG = 1e6
#: classes of a Dirichlet pair
MAX_CLASSES = 8


@dataclass(frozen=True)
class Field:
    """One numeric input: its bounds and default, and how the page should offer it."""

    name: str
    label: str
    default: Any
    low: float
    high: float
    kind: str = "positive"  # positive | real | count | vector
    step: float = 0.1

    def read(self, body: dict[str, Any], where: str) -> Any:
        """The value of this field in ``body`` (a JSON object), validated."""
        name = f"{where}.{self.name}"
        sub = {name: body.get(self.name, self.default)}
        if self.kind == "count":
            return integer(sub, name, low=int(self.low), high=int(self.high))
        if self.kind == "vector":
            value = sub[name]
            if not isinstance(value, list) or not 2 <= len(value) <= MAX_CLASSES:
                raise ApiError(f"{name} must be a list of 2 to {MAX_CLASSES} numbers")
            low = self.low
            return np.array(
                [
                    number({f"{name}[{i}]": v}, f"{name}[{i}]", low=low, high=self.high)
                    for i, v in enumerate(value)
                ]
            )
        v = number(sub, name, low=self.low, high=self.high, positive=self.kind == "positive")
        return v

    def describe(self) -> dict[str, Any]:
        """The field for the page's catalog."""
        default = self.default
        return {
            "name": self.name,
            "label": self.label,
            "default": default,
            "low": self.low,
            "high": self.high,
            "kind": self.kind,
            "step": self.step,
        }


@dataclass(frozen=True)
class Problem:
    """Observations with weights (and exposure) standing for the data summaries."""

    family: th.Distribution
    values: Array
    weights: Array | None
    prior: th.Distribution
    exposure: Array | None = None
    #: the likelihood of one posterior coordinate on a grid, scaled to area 1
    likelihood: Callable[[str, Array], list[float | None]] = lambda name, grid: []
    #: the MLE in the posterior's coordinates from the fitted family parameters
    to_coords: Callable[[dict[str, Any]], dict[str, Any]] = dict
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pair:
    """A conjugate pair as the page offers it."""

    key: str
    label: str
    hyper: tuple[Field, ...]
    data: tuple[Field, ...]
    build: Callable[[dict[str, Any], dict[str, Any]], Problem]
    fixed: tuple[Field, ...] = field(default=())
    #: the log evidence needs the observations themselves, not only these summaries
    #: (log binomial coefficients, log x!, the sum of squares)
    evidence_needs_data: bool = False

    def describe(self) -> dict[str, Any]:
        """The pair for the page's catalog."""
        return {
            "key": self.key,
            "label": self.label,
            "hyper": [f.describe() for f in self.hyper],
            "fixed": [f.describe() for f in self.fixed],
            "data": [f.describe() for f in self.data],
        }

    def read(self, body: dict[str, Any]) -> Problem:
        """The problem a request describes (hyper, fixed and data objects)."""
        values: dict[str, Any] = {}
        for group, fields in (("hyper", self.hyper), ("fixed", self.fixed), ("data", self.data)):
            sub = body.get(group, {})
            if not isinstance(sub, dict):
                raise ApiError(f"{group} must be an object, got {type(sub).__name__}")
            unknown = sorted(set(sub) - {f.name for f in fields})
            if unknown:
                allowed = ", ".join(f.name for f in fields) or "none"
                raise ApiError(f"{group} has no field {unknown[0]!r} (fields: {allowed})")
            for f in fields:
                values[f.name] = f.read(sub, group)
        return self.build(values, body)


# ------------------------------------------------------------------ helpers
def _spread(total: int, n: int) -> tuple[Array, Array]:
    """n whole numbers summing to ``total``, as (values, weights): q + 1 r times, q the rest."""
    q, r = divmod(total, n)
    vals, wts = [float(q + 1), float(q)], [float(r), float(n - r)]
    keep = [i for i in range(2) if wts[i] > 0]
    return np.array([vals[i] for i in keep]), np.array([wts[i] for i in keep])


def _pointwise(ll: Callable[[str, float], float]) -> Callable[[str, Array], list[float | None]]:
    """A likelihood curve from the log-likelihood at one value (a loop over the grid)."""
    return lambda name, grid: scaled_likelihood(functools.partial(ll, name), grid)


def _flat(family: th.Distribution, values: Array, weights: Array | None) -> Any:
    """The likelihood of p as the posterior under Beta(1, 1) (one vectorised density)."""
    return lambda name, grid: flat_prior_likelihood(family, values, weights, grid)


def _weighted_ll(
    make: Callable[[float], th.Distribution], values: Array, weights: Array | None
) -> Callable[[str, Array], list[float | None]]:
    w = np.ones(values.shape[0]) if weights is None else weights

    def ll(name: str, g: float) -> float:
        try:
            d = make(g)
            logp = d.logpmf if d.discrete else d.logpdf
            return float(np.sum(w * logp(values)))
        except ValueError:  # outside the parameter's domain (the grid's end)
            return -math.inf

    return _pointwise(ll)


def _need(cond: bool, message: str) -> None:
    if not cond:
        raise ApiError(message)


def _two_points(n: int, mean: float, sd: float) -> tuple[Array, Array]:
    """Values mean -/+ d with weights n/2 each: mean ``mean``, sample sd ``sd`` (n - 1)."""
    if n == 1 or sd == 0:
        return np.array([mean]), np.array([float(n)])
    d = sd * math.sqrt((n - 1) / n)
    return np.array([mean - d, mean + d]), np.array([n / 2.0, n / 2.0])


# ------------------------------------------------------------------ builders
def _beta_hyper() -> tuple[Field, ...]:
    return (
        Field("a", "prior a (pseudo-successes)", 2.0, 0.01, 1000.0),
        Field("b", "prior b (pseudo-failures)", 2.0, 0.01, 1000.0),
    )


def _bernoulli(h: dict[str, Any], body: dict[str, Any]) -> Problem:
    k, n = h["successes"], h["trials"]
    _need(k <= n, f"data.successes ({k}) cannot exceed data.trials ({n})")
    values, weights = np.array([1.0, 0.0]), np.array([float(k), float(n - k)])
    keep = weights > 0
    values, weights = values[keep], weights[keep]
    return Problem(
        th.Bernoulli(),
        values,
        weights,
        th.Beta(h["a"], h["b"]),
        likelihood=_flat(th.Bernoulli(), values, weights),
    )


def _binomial(h: dict[str, Any], body: dict[str, Any]) -> Problem:
    m, trials, s = h["observations"], h["trials"], h["successes"]
    _need(s <= m * trials, f"data.successes ({s}) cannot exceed observations x trials")
    values, weights = _spread(s, m)
    fam = th.Binomial(n=trials)
    return Problem(
        fam,
        values,
        weights,
        th.Beta(h["a"], h["b"]),
        likelihood=_flat(fam, values, weights),
    )


def _geometric(h: dict[str, Any], body: dict[str, Any]) -> Problem:
    values, weights = _spread(h["failures"], h["observations"])
    return Problem(
        th.Geometric(),
        values,
        weights,
        th.Beta(h["a"], h["b"]),
        likelihood=_flat(th.Geometric(), values, weights),
    )


def _class_labels(counts: Array) -> tuple[Array, Array]:
    keep = counts > 0
    return np.arange(counts.size, dtype=float)[keep], counts[keep]


def _dirichlet_likelihood(counts: Array) -> Callable[[str, Array], list[float | None]]:
    # the multinomial likelihood profiled over the other classes, as a function of
    # probs[i], is the Bernoulli one of "class i or not": k_i log p + (n - k_i) log(1 - p)
    total = float(counts.sum())

    def curve(name: str, grid: Array) -> list[float | None]:
        k = float(counts[int(name[name.index("[") + 1 : -1])])
        w = np.array([k, total - k])
        return flat_prior_likelihood(th.Bernoulli, np.array([1.0, 0.0])[w > 0], w[w > 0], grid)

    return curve


def _check_counts(alpha: Array, counts: Array) -> None:
    _need(bool(np.all(counts == np.round(counts))), "data.counts must be whole numbers")
    _need(alpha.size == counts.size, "hyper.alpha and data.counts need the same number of classes")
    _need(counts.sum() <= MAX_COUNT, f"data.counts may total at most {MAX_COUNT}")


def _categorical(h: dict[str, Any], body: dict[str, Any]) -> Problem:
    alpha, counts = h["alpha"], h["counts"]
    _check_counts(alpha, counts)
    values, weights = _class_labels(counts)
    _need(values.size > 0, "data.counts are all zero: there is no data")
    return Problem(
        th.Categorical(k=alpha.size),
        values,
        weights,
        th.Dirichlet(alpha),
        likelihood=_dirichlet_likelihood(counts),
    )


def _multinomial(h: dict[str, Any], body: dict[str, Any]) -> Problem:
    alpha, totals, trials = h["alpha"], h["counts"], h["trials"]
    _check_counts(alpha, totals)
    total = int(totals.sum())
    _need(
        total > 0 and total % trials == 0,
        f"data.counts must total a positive multiple of data.trials ({trials}); got {total}",
    )
    rows = total // trials
    _need(rows <= 2000, "data.counts / data.trials may be at most 2000 observations")
    # fill the observations in turn with the class labels in order: column totals exact
    labels = np.repeat(np.arange(totals.size), totals.astype(int))
    table = np.zeros((rows, totals.size))
    np.add.at(table, (np.arange(total) // trials, labels), 1.0)
    return Problem(
        th.Multinomial(n=trials),
        table,
        None,
        th.Dirichlet(alpha),
        likelihood=_dirichlet_likelihood(totals),
    )


def _poisson(h: dict[str, Any], body: dict[str, Any]) -> Problem:
    n, events, exposure = h["observations"], h["events"], h["exposure"]
    values, weights = _spread(events, n)
    each = exposure / n  # sufficient statistics: sum of counts, sum of exposures
    exp = np.full(values.size, each)
    return Problem(
        th.Poisson(),
        values,
        weights,
        th.Gamma(h["shape"], h["rate"]),
        exposure=exp,
        likelihood=_weighted_ll(lambda g: th.Poisson(g * each), values, weights),
    )


def _exponential(h: dict[str, Any], body: dict[str, Any]) -> Problem:
    n, total = h["observations"], h["total"]
    values, weights = np.array([total / n]), np.array([float(n)])
    return Problem(
        th.Exponential(),
        values,
        weights,
        th.Gamma(h["shape"], h["rate"]),
        likelihood=_weighted_ll(lambda g: th.Exponential(g), values, weights),
    )


def _normal_mean(h: dict[str, Any], body: dict[str, Any]) -> Problem:
    sigma = h["sigma"]
    values, weights = np.array([h["mean"]]), np.array([float(h["observations"])])
    return Problem(
        th.Normal(sigma=sigma),
        values,
        weights,
        th.Normal(h["mu0"], h["tau"]),
        likelihood=_weighted_ll(lambda g: th.Normal(g, sigma), values, weights),
    )


def _normal_var(h: dict[str, Any], body: dict[str, Any]) -> Problem:
    mu = h["mu"]
    values, weights = _two_points(h["observations"], h["mean"], h["sd"])
    _need(
        h["observations"] > 1 or h["mean"] != mu,
        "one observation equal to the known mean has no information on the variance",
    )
    return Problem(
        th.Normal(mu=mu),
        values,
        weights,
        th.InverseGamma(h["shape"], h["scale"]),
        likelihood=_weighted_ll(lambda g: th.Normal(mu, math.sqrt(g)), values, weights),
        to_coords=lambda p: {"var": p["sigma"] ** 2},
    )


def _nig(h: dict[str, Any], body: dict[str, Any]) -> Problem:
    n = h["observations"]
    _need(n >= 2 and h["sd"] > 0, "a NormalInverseGamma update needs 2+ observations and sd > 0")
    values, weights = _two_points(n, h["mean"], h["sd"])

    # the likelihood of (mu, var) profiled over the other one, by thetahat's fit
    def ll(name: str, g: float) -> float:
        try:
            fam = th.Normal(mu=g) if name == "mu" else th.Normal(sigma=math.sqrt(g))
            return float(th.fit(fam, values, weights=weights).loglik)
        except ValueError:
            return -math.inf

    return Problem(
        th.Normal(),
        values,
        weights,
        th.NormalInverseGamma(h["mu0"], h["lam"], h["shape"], h["scale"]),
        likelihood=_pointwise(ll),
        to_coords=lambda p: {"mu": p["mu"], "var": p["sigma"] ** 2},
    )


_C = MAX_COUNT


def _count(name: str, label: str, default: int, low: int = 0) -> Field:
    return Field(name, label, default, low, _C, "count", 1)


def _gamma_hyper(shape: float, rate: float) -> tuple[Field, ...]:
    return (
        Field("shape", "prior shape", shape, 0.01, 1e4),
        Field("rate", "prior rate", rate, 0.001, 1e4),
    )


PAIRS: dict[str, Pair] = {
    p.key: p
    for p in (
        Pair(
            "beta-bernoulli",
            "Beta – Bernoulli (coin flips)",
            _beta_hyper(),
            (_count("successes", "successes k", 7), _count("trials", "trials n", 10)),
            _bernoulli,
        ),
        Pair(
            "beta-binomial",
            "Beta – Binomial (k of n each)",
            _beta_hyper(),
            (
                _count("observations", "observations", 5, 1),
                Field("trials", "trials per observation", 10, 1, 10_000, "count", 1),
                _count("successes", "total successes", 12),
            ),
            _binomial,
            evidence_needs_data=True,
        ),
        Pair(
            "beta-geometric",
            "Beta – Geometric (failures)",
            _beta_hyper(),
            (
                _count("observations", "observations", 8, 1),
                _count("failures", "total failures", 20),
            ),
            _geometric,
        ),
        Pair(
            "dirichlet-categorical",
            "Dirichlet – Categorical (class labels)",
            (Field("alpha", "prior alpha (one per class)", [1.0, 1.0, 1.0], 0.01, 1e4, "vector"),),
            (Field("counts", "counts per class", [5, 2, 0], 0, _C, "vector", 1),),
            _categorical,
        ),
        Pair(
            "dirichlet-multinomial",
            "Dirichlet – Multinomial (count vectors)",
            (Field("alpha", "prior alpha (one per class)", [2.0, 2.0, 2.0], 0.01, 1e4, "vector"),),
            (
                Field("trials", "trials per observation", 10, 1, 10_000, "count", 1),
                Field("counts", "column totals per class", [12, 5, 3], 0, _C, "vector", 1),
            ),
            _multinomial,
            evidence_needs_data=True,
        ),
        Pair(
            "gamma-poisson",
            "Gamma – Poisson (counts, exposure)",
            _gamma_hyper(2.0, 1.0),
            (
                _count("observations", "observations", 6, 1),
                _count("events", "total events", 14),
                Field("exposure", "total exposure (e.g. years)", 4.0, 1e-6, BIG),
            ),
            _poisson,
            evidence_needs_data=True,
        ),
        Pair(
            "gamma-exponential",
            "Gamma – Exponential (waiting times)",
            _gamma_hyper(2.0, 2.0),
            (
                _count("observations", "observations", 5, 1),
                Field("total", "sum of the times", 8.0, 1e-9, BIG),
            ),
            _exponential,
        ),
        Pair(
            "normal-normal",
            "Normal – Normal (mean, sigma known)",
            (
                Field("mu0", "prior mean", 0.0, -BIG, BIG, "real"),
                Field("tau", "prior sd tau", 1.0, 1e-6, BIG),
            ),
            (
                _count("observations", "observations n", 5, 1),
                Field("mean", "sample mean", 1.2, -BIG, BIG, "real"),
            ),
            _normal_mean,
            evidence_needs_data=True,
            fixed=(Field("sigma", "known sigma", 1.0, 1e-6, BIG),),
        ),
        Pair(
            "invgamma-normal",
            "InverseGamma – Normal (variance)",
            (
                Field("shape", "prior shape", 3.0, 0.01, 1e4),
                Field("scale", "prior scale", 2.0, 1e-6, BIG),
            ),
            (
                _count("observations", "observations n", 10, 1),
                Field("mean", "sample mean", 0.3, -BIG, BIG, "real"),
                Field("sd", "sample sd (n - 1)", 1.5, 0.0, BIG, "real"),
            ),
            _normal_var,
            fixed=(Field("mu", "known mean mu", 0.0, -BIG, BIG, "real"),),
        ),
        Pair(
            "nig-normal",
            "NormalInverseGamma – Normal (μ, σ²)",
            (
                Field("mu0", "prior mean mu0", 0.0, -BIG, BIG, "real"),
                Field("lam", "prior pseudo-observations lam", 1.0, 1e-6, 1e4),
                Field("shape", "prior shape", 2.0, 0.01, 1e4),
                Field("scale", "prior scale", 2.0, 1e-6, BIG),
            ),
            (
                _count("observations", "observations n", 10, 2),
                Field("mean", "sample mean", 1.0, -BIG, BIG, "real"),
                Field("sd", "sample sd (n - 1)", 1.3, 1e-9, BIG),
            ),
            _nig,
        ),
    )
}
