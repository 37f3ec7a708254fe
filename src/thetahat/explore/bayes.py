"""API of the Bayesian panels: the coin, every conjugate pair, and "n grows".

Each function takes the decoded JSON body of a request and returns a dict for
the JSON response; every number in it comes from ``th.fit``, ``th.posterior`` or
thetahat's distributions.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import thetahat as th

from .._format import jsonable
from ._curves import (
    curve,
    density,
    flat_prior_likelihood,
    grid_between,
    marginals,
    span,
)
from ._pairs import MAX_COUNT, PAIRS, Problem
from ._validate import ApiError, choice, integer, number

__all__ = ["coin", "conjugate", "grow", "pairs_catalog"]

#: largest sample "n grows" draws (each of ~40 prefixes is fitted twice)
MAX_GROW = 100_000
#: how many sample sizes "n grows" fits along the way
GROW_POINTS = 40


def _level(body: dict[str, Any]) -> float:
    return number(body, "level", low=0.5, high=0.999, default=0.95)


def _ymax(*curves: list[float | None]) -> float:
    """A y-axis top that ignores the spikes at the grid's ends (densities that blow up)."""
    inner = [v for c in curves for v in c[3:-3] if v is not None]
    return 1.08 * max(inner) if inner else 1.0


def _pick(values: dict[str, Any], name: str) -> float:
    """One coordinate ("p", "var", "probs[2]") out of a result's name -> value dict."""
    if "[" in name:
        base, i = name[: name.index("[")], int(name[name.index("[") + 1 : -1])
        return float(np.asarray(values[base])[i])
    return float(values[name])


def _domain(name: str) -> tuple[float, float]:
    if name == "p" or name.startswith("probs"):
        return 0.0, 1.0
    if name in ("rate", "var"):
        return 0.0, math.inf
    return -math.inf, math.inf


def _fit_mle(prob: Problem) -> tuple[dict[str, Any] | None, th.Estimate | None, str]:
    """The MLE in the posterior's coordinates, or None and the reason."""
    try:
        est = th.fit(prob.family, prob.values, weights=prob.weights, exposure=prob.exposure)
    except ValueError as exc:
        return None, None, str(exc)
    return prob.to_coords(est.params), est, ""


def coin(body: dict[str, Any]) -> dict[str, Any]:
    """Beta-Bernoulli: prior Beta(a, b), ``heads`` and ``tails``; MLE, MAP, posterior."""
    a = number(body, "a", low=0.01, high=1000.0, positive=True)
    b = number(body, "b", low=0.01, high=1000.0, positive=True)
    heads = integer(body, "heads", low=0, high=MAX_COUNT)
    tails = integer(body, "tails", low=0, high=MAX_COUNT)
    level = _level(body)
    prior: th.Distribution = th.Beta(a, b)
    grid = grid_between(0.0, 1.0)
    out: dict[str, Any] = {
        "a": a,
        "b": b,
        "heads": heads,
        "tails": tails,
        "level": level,
        "grid": grid,
        "prior": density(prior, grid),
        "pseudo_counts": {"heads": a, "tails": b, "n": a + b},
    }
    notes: list[str] = []
    if heads + tails == 0:
        # no data: the posterior is the prior, there is no likelihood and no MLE
        post_dist, log_ev = prior, 0.0
        out.update(likelihood=[None] * grid.size, mle=None, mle_se=None, mle_status="no data")
        out["map"], out["map_se"] = float(prior.mode()), None
        notes.append("no flips yet: the posterior is the prior and there is no MLE")
    else:
        values = np.array([1.0, 0.0])[[heads > 0, tails > 0]]
        weights = np.array([float(heads), float(tails)])[[heads > 0, tails > 0]]
        post = th.posterior(th.Bernoulli, values, prior=prior, weights=weights)
        mle = th.fit(th.Bernoulli, values, weights=weights)
        est = th.fit(th.Bernoulli, values, weights=weights, prior=prior)
        post_dist, log_ev = post.dist, post.log_evidence
        # tests/explore check it against the Bernoulli log pmf on the grid
        out["likelihood"] = flat_prior_likelihood(th.Bernoulli, values, weights, grid)
        out.update(
            mle=mle.params["p"],
            mle_se=mle.se["p"],
            mle_status=mle.status,
            map=est.params["p"],
            map_se=est.se["p"],
            map_status=est.status,
        )
        notes.extend(f"MLE: {w}" for w in mle.warnings)
        notes.extend(f"MAP: {w}" for w in est.warnings)
    lo, hi = post_dist.interval(level)
    out.update(
        posterior=density(post_dist, grid),
        posterior_dist=repr(post_dist),
        mean=float(post_dist.mean()),
        lower=float(lo),
        upper=float(hi),
        log_evidence=log_ev,
        boundary=out["mle"] in (0.0, 1.0),
        notes=notes,
    )
    out["ymax"] = _ymax(out["prior"], out["likelihood"], out["posterior"])
    return jsonable(out)


def pairs_catalog() -> list[dict[str, Any]]:
    """The conjugate pairs with their inputs, for the page's selector."""
    return [p.describe() for p in PAIRS.values()]


def conjugate(body: dict[str, Any]) -> dict[str, Any]:
    """Any conjugate pair: prior, scaled likelihood and posterior of each coordinate."""
    pair = PAIRS[choice(body, "pair", list(PAIRS))]
    prob = pair.read(body)
    level = _level(body)
    try:
        post = th.posterior(
            prob.family, prob.values, prior=prob.prior, weights=prob.weights, exposure=prob.exposure
        )
    except ValueError as exc:
        raise ApiError(str(exc)) from None
    mle, est, why = _fit_mle(prob)
    mode, mean, iv = post.mode(), post.mean(), post.interval(level)
    coords = []
    prior_marg = dict(marginals(prob.prior, post.names))
    for name, pdist in marginals(post.dist, post.names):
        qdist = prior_marg[name]
        m = None if mle is None else _pick(mle, name)
        mp = _pick(mode, name)
        low, high = _domain(name)
        grid = span([pdist, qdist], [mp] + ([] if m is None else [m]), low, high)
        c: dict[str, Any] = {
            "name": name,
            "grid": grid,
            "prior": density(qdist, grid),
            "likelihood": prob.likelihood(name, grid),
            "posterior": density(pdist, grid),
            "mle": m,
            "map": mp,
            "mean": _pick(mean, name),
            "lower": _pick({k: v[0] for k, v in iv.items()}, name),
            "upper": _pick({k: v[1] for k, v in iv.items()}, name),
        }
        c["ymax"] = _ymax(c["prior"], c["likelihood"], c["posterior"])
        coords.append(c)
    notes = list(post.warnings)
    log_ev: float | None = post.log_evidence
    if pair.evidence_needs_data:
        log_ev = None
        notes.append(
            "no log evidence: it depends on the individual observations, not only on "
            "these summaries (the posterior does not)"
        )
    if est is not None:
        notes.extend(f"MLE: {w}" for w in est.warnings)
    elif why:
        notes.append(f"no MLE: {why}")
    return jsonable(
        {
            "pair": pair.key,
            "family": repr(prob.family),
            "prior": repr(prob.prior),
            "posterior": repr(post.dist),
            "rule": getattr(post.rule, "description", ""),
            "n": post.n,
            "log_evidence": log_ev,
            "pseudo_counts": post.pseudo_counts,
            "level": level,
            "coords": coords,
            "notes": notes,
        }
    )


# ------------------------------------------------------------------ n grows
_GROW = {
    # family key: (truth parameter, its bounds, prior class, prior hyperparameter names)
    "bernoulli": ("p", (0.001, 0.999), th.Beta, ("a", "b")),
    "poisson": ("rate", (0.01, 1000.0), th.Gamma, ("shape", "rate")),
    "exponential": ("rate", (0.01, 1000.0), th.Gamma, ("shape", "rate")),
    "normal": ("mu", (-1000.0, 1000.0), th.Normal, ("mu", "sigma")),
}


def grow(body: dict[str, Any]) -> dict[str, Any]:
    """Data drawn from a truth; the MLE and MAP paths as n grows, and |MAP - MLE| against 1/n."""
    key = choice(body, "family", list(_GROW))
    param, (lo, hi), prior_cls, hyper = _GROW[key]
    truth = number(body, "truth", low=lo, high=hi)
    prior_body = body.get("prior", {})
    if not isinstance(prior_body, dict):
        raise ApiError("prior must be an object")
    h = []
    for name in hyper:
        real = prior_cls is th.Normal and name == "mu"
        h.append(
            number(
                {f"prior.{name}": prior_body.get(name)},
                f"prior.{name}",
                low=-1e6 if real else 0.001,
                high=1e6,
                positive=not real,
            )
        )
    prior = prior_cls(*h)
    n_max = integer(body, "n_max", low=10, high=MAX_GROW, default=2000)
    seed = integer(body, "seed", low=0, high=2**31 - 1, default=1)
    level = _level(body)
    fam_cls = {
        "bernoulli": th.Bernoulli,
        "poisson": th.Poisson,
        "exponential": th.Exponential,
        "normal": th.Normal,
    }[key]
    sigma = 1.0
    if key == "normal":
        sigma = number(body, "sigma", low=1e-6, high=1e6, default=1.0, positive=True)
        family: th.Distribution = th.Normal(sigma=sigma)
        truth_dist: th.Distribution = th.Normal(truth, sigma)
    else:
        family, truth_dist = fam_cls(), fam_cls(truth)
    x = np.asarray(truth_dist.sample(n_max, rng=seed), dtype=float)
    ns = np.unique(np.round(np.logspace(0, math.log10(n_max), GROW_POINTS)).astype(int))
    mle, mapv, lower, upper, boundary = [], [], [], [], []
    for n in ns:
        m = th.fit(family, x[:n])
        # the conjugate posterior's mode is the MAP (th.fit with the prior gives the
        # same number: tests/explore check it), and it brings the interval along
        post = th.posterior(family, x[:n], prior=prior)
        iv = post.interval(level)[param]
        mle.append(m.params[param])
        mapv.append(float(post.mode()[param]))
        lower.append(float(iv[0]))
        upper.append(float(iv[1]))
        boundary.append(m.status == "boundary")
    diff = np.abs(np.array(mapv) - np.array(mle))
    inv_n = 1.0 / ns
    # the 1/n reference through the last point: |MAP - MLE| = O(1/n)
    ref = diff[-1] * ns[-1] * inv_n if diff[-1] > 0 else np.full(ns.size, math.nan)
    return jsonable(
        {
            "family": key,
            "param": param,
            "truth": truth,
            "prior": repr(prior),
            "n": ns,
            "inv_n": inv_n,
            "mle": mle,
            "map": mapv,
            "lower": lower,
            "upper": upper,
            "diff": curve(np.where(diff > 0, diff, np.nan)),
            "reference": curve(ref),
            "boundary": boundary,
            "level": level,
            "notes": [
                f"{sum(boundary)} of {ns.size} sample sizes have the MLE on the boundary"
                if any(boundary)
                else ""
            ],
        }
    )
