"""What the approximate posteriors share (Laplace, quadrature, importance sampling,
MCMC): a posterior over a parameter vector as a distribution, the map from the
unconstrained coordinates back to the parameters, and the ``Posterior`` around it."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..distributions import ContinuousDistribution
from ..results import Posterior


def to_theta(domains: Any, z: Any) -> NDArray[np.float64]:
    """Unconstrained coordinates ``z`` (last axis: one per parameter) on the parameters'
    own scale, through each domain's inverse map."""
    z = np.asarray(z, dtype=float)
    cols = [np.asarray(d.from_unconstrained(z[..., i]), dtype=float) for i, d in enumerate(domains)]
    return np.stack(cols, axis=-1)


def draw_shape(size: Any) -> tuple[tuple[int, ...], int]:
    """The shape ``sample(size)`` returns (less the parameter axis) and its draw count."""
    shape = () if size is None else ((size,) if np.ndim(size) == 0 else tuple(size))
    return shape, int(np.prod(shape)) if shape else 1


class VectorPosterior(ContinuousDistribution):
    """A posterior over the vector of a family's free parameters (``names``), with the
    MAP as ``map_value``: one parameter reads as floats, several as arrays."""

    event_vector = True
    names: tuple[str, ...]
    map_value: NDArray[np.float64]

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    @property
    def k(self) -> int:
        """Number of parameters."""
        return len(self.names)

    def _out(self, v: Any) -> Any:
        arr = np.asarray(v, dtype=float)
        if self.k == 1:
            return float(arr[0]) if arr.ndim == 1 else arr[..., 0]
        return arr

    def mode(self) -> Any:
        return self._out(self.map_value)


def approximate_posterior(
    dist: Any,
    names: tuple[str, ...],
    *,
    family: Any,
    prior: Any,
    stats: Any,
    n: float,
    warnings: list[str],
    method: str,
    log_evidence: float,
    errors: Any = None,
    diagnostics: Any = None,
) -> Posterior:
    """The ``Posterior`` of an approximation (not exact, no conjugate rule)."""
    return Posterior(
        dist=dist,
        names=names,
        exact=False,
        log_evidence=log_evidence,
        n=n,
        family=family,
        prior=prior,
        stats=stats,
        rule=None,
        warnings=tuple(warnings),
        method=method,
        errors=errors,
        diagnostics=diagnostics,
    )


def refined_posterior(lap: Posterior, dist: Any, **how: Any) -> Posterior:
    """A posterior that refines the Laplace posterior ``lap`` (quadrature, importance
    sampling, MCMC): the same family, prior, statistics and parameters; ``how`` holds
    :func:`approximate_posterior`'s ``method``, ``warnings``, ``log_evidence`` and
    optionally ``errors`` and ``diagnostics``."""
    return approximate_posterior(
        dist, lap.names, family=lap.family, prior=lap.prior, stats=lap.stats, n=lap.n, **how
    )
