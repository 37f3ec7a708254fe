"""Priors for MAP and Laplace fits: support checks and log densities."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..distributions import Distribution, Flat

__all__ = ["check_prior_support", "prior_logpdf"]

#: probe points outside a domain [low, high] at which a prior must have no mass
_OUTSIDE = (1e-3, 0.5, 1.0, 3.0)


def _outside_points(dom: Any) -> list[float]:
    low, high = getattr(dom, "low", None), getattr(dom, "high", None)
    pts: list[float] = []
    if low is not None:
        pts += [low - d for d in _OUTSIDE]
    if high is not None:
        pts += [high + d for d in _OUTSIDE]
    return pts


def _check_one(prior: Distribution, family: Distribution, name: str) -> None:
    if isinstance(prior, Flat):
        return
    dom = family.param(name).domain
    if dom.vector or getattr(prior, "event_vector", False):
        return
    pts = _outside_points(dom)
    if not pts:
        return
    with np.errstate(all="ignore"):
        vals = np.asarray(prior.logdensity(np.array(pts)), dtype=float)
    bad = np.isfinite(vals) | np.isnan(vals)
    if np.any(bad):
        x = pts[int(np.flatnonzero(bad)[0])]
        raise ValueError(
            f"the prior {prior!r} on {type(family).__name__} parameter {name} puts density on "
            f"{x:g}, outside the parameter's domain ({dom.describe()}); use a prior whose "
            f"support matches it (e.g. Gamma, LogNormal or HalfNormal for a positive parameter, "
            f"Beta for a probability)"
        )


def check_prior_support(prior: Any, family: Distribution) -> None:
    """Raise ValueError when a prior gives density to values outside a parameter's domain."""
    if prior is None:
        return
    if isinstance(prior, Mapping):
        for name, p in prior.items():
            _check_one(p, family, name)
        return
    names = family.estimable
    joint = getattr(prior, "event_vector", False)
    if len(names) == 1 and not joint:
        _check_one(prior, family, names[0])
    elif len(names) > 1 and not joint:
        raise ValueError(
            f"a single prior {prior!r} was given for {len(names)} free parameters "
            f"({', '.join(names)}) and it is not a joint prior over them; give a dict "
            "name -> prior"
        )


def prior_logpdf(prior: Any, names: tuple[str, ...], theta: Mapping[str, Any]) -> float:
    """log p(theta): a sum over a dict of priors, or a joint prior over ``names``."""
    if prior is None:
        return 0.0
    if isinstance(prior, Mapping):
        return float(sum(float(np.sum(p.logdensity(theta[k]))) for k, p in prior.items()))
    if len(names) == 1:
        return float(np.sum(prior.logdensity(theta[names[0]])))
    vec = np.array([float(theta[k]) for k in names])
    return float(np.sum(prior.logdensity(vec)))
