"""Turning user input into a family instance and checking priors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..distributions import Categorical, Dirichlet, Distribution, Flat

__all__ = ["as_family", "check_prior", "resolve_categorical"]


_DEFAULT: dict[type, Distribution] = {}


def as_family(family: Any) -> Distribution:
    """A class (``th.Poisson``) or a partly fixed instance, as an instance."""
    if isinstance(family, type) and issubclass(family, Distribution):
        # instances are immutable: one default instance per class serves every call
        inst = _DEFAULT.get(family)
        if inst is None:
            inst = _DEFAULT[family] = family()
        return inst
    if isinstance(family, Distribution):
        return family
    raise TypeError(
        f"family must be a thetahat distribution class or instance (e.g. th.Normal), got {family!r}"
    )


def _check_proper(prior: Any, where: str) -> None:
    if not isinstance(prior, Distribution):
        raise TypeError(f"{where} must be a thetahat distribution, got {prior!r}")
    if prior.free:
        raise ValueError(
            f"{where} {prior!r} must have all its parameters given; {', '.join(prior.free)} missing"
        )
    if prior.obs_arrays:
        raise ValueError(
            f"{where} {type(prior).__name__} has per-observation (array) parameters "
            f"{', '.join(prior.obs_arrays)}; a prior needs scalar parameters"
        )


def check_prior(prior: Any, family: Distribution) -> Any:
    """Validate a prior: a frozen distribution, or a dict name -> frozen distribution."""
    if prior is None:
        return None
    if isinstance(prior, Mapping):
        names = family.estimable
        for key, p in prior.items():
            if key not in names:
                raise ValueError(
                    f"prior given for {key!r}, which is not a free parameter of "
                    f"{type(family).__name__} (free: {', '.join(names) or 'none'})"
                )
            _check_proper(p, f"prior for {key}")
        return dict(prior)
    _check_proper(prior, "prior")
    return prior


def resolve_categorical(family: Distribution, prior: Any) -> Distribution:
    """Give a free Categorical its number of classes from a Dirichlet prior."""
    if isinstance(family, Categorical) and family.k is None and isinstance(prior, Dirichlet):
        assert prior.alpha is not None
        return family.with_k(int(prior.alpha.shape[0]))
    return family


def is_flat(prior: Any) -> bool:
    """A Flat prior, or a dict whose priors are all Flat."""
    if isinstance(prior, Flat):
        return True
    if isinstance(prior, Mapping):
        return bool(prior) and all(isinstance(p, Flat) for p in prior.values())
    return False
