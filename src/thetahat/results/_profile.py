"""Profile-likelihood intervals, over the objective an Estimate keeps.

The estimate does not know how it was fitted: it keeps an object satisfying
:class:`ProfileObjective` (the fit's objective: :class:`thetahat.inference.FitProblem`
for distribution fits), which can evaluate the objective and re-maximise it with
one parameter held. This module only searches for the interval ends, so results
never import inference.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ..distributions import Distribution

__all__ = ["ProfileObjective", "profile_intervals"]


@runtime_checkable
class ProfileObjective(Protocol):
    """The objective of a fit, as ``conf_int(kind="profile")`` needs it."""

    @property
    def family(self) -> Distribution: ...

    @property
    def names(self) -> tuple[str, ...]: ...

    def objective(self, theta: Mapping[str, Any]) -> float:
        """``loglik + log prior`` at the free values ``theta``."""
        ...

    def posterior_interval(self, level: float) -> dict[str, tuple[Any, Any]]:
        """The posterior's equal-tailed credible interval per parameter (a MAP's prior)."""
        ...

    def profile(self, name: str, value: float, start: dict[str, Any] | None = None) -> float:
        """The objective maximised over the other free parameters with ``name = value``
        (``start`` warm-starts the inner solve and is updated with its maximiser)."""
        ...


def profile_intervals(
    objective: ProfileObjective,
    params: Mapping[str, Any],
    se: Mapping[str, Any],
    level: float,
) -> dict[str, tuple[Any, Any]]:
    """Profile-likelihood (profile-posterior for a MAP) intervals for every parameter.

    Notes
    -----
    For parameter ``j`` the interval is ``{v : 2 (l_max - l_p(v)) <= chi2_1(level)}``
    with ``l_p(v) = max over the other parameters of the objective at theta_j = v``.
    Each end is bracketed by stepping out from the estimate in the parameter's
    unconstrained coordinate (steps scaled by its standard error) and found by
    Brent's method; an end that reaches the edge of the domain is the edge.
    """
    from scipy import optimize, stats

    crit = 0.5 * float(stats.chi2.ppf(level, 1))
    names = objective.names
    best = objective.objective({k: params[k] for k in names})
    target = best - crit
    out: dict[str, tuple[Any, Any]] = {}
    for name in names:
        v_hat = float(params[name])
        dom = objective.family.param(name).domain
        if not np.isfinite(v_hat):
            out[name] = (math.nan, math.nan)
            continue
        z_hat = float(dom.to_unconstrained(v_hat))
        s = float(se[name])
        if np.isfinite(s) and s > 0:
            dz = float(dom.to_unconstrained(v_hat + 0.5 * s)) - z_hat
            step = float(abs(dz)) if np.isfinite(dz) and dz != 0 else 0.5
        else:
            step = 0.5

        warm = {k: float(params[k]) for k in names if k != name}

        def gap(z: float, name: str = name, dom: Any = dom, warm: dict[str, Any] = warm) -> float:
            v = float(dom.from_unconstrained(z))
            val = objective.profile(name, v, warm)
            return (val if np.isfinite(val) else -1e300) - target

        real = getattr(dom, "low", None) is None and getattr(dom, "high", None) is None
        ends = []
        for sign in (-1.0, 1.0):
            warm.update({k: float(params[k]) for k in warm})
            z_in, z_out, found = z_hat, z_hat, False
            h = step
            while h <= (1e12 * max(step, abs(z_hat)) if real else 40.0):
                z_out = z_hat + sign * h
                if gap(z_out) < 0:
                    found = True
                    break
                z_in = z_out
                h *= 2.0
            if not found:
                edge = getattr(dom, "low" if sign < 0 else "high", None)
                ends.append(float(edge) if edge is not None else sign * math.inf)
                continue
            z_root = optimize.brentq(
                gap, min(z_in, z_out), max(z_in, z_out), xtol=1e-10, rtol=1e-10
            )
            ends.append(float(dom.from_unconstrained(z_root)))
        out[name] = (ends[0], ends[1])
    return out
