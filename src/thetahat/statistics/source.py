"""The one statistics entry point: this family's statistics of this source.

:func:`statistics_of` is what ``fit``, ``posterior`` (exact and Laplace),
``compare`` (through ``fit``), ``Posterior.update``, censored fits and the CLI
call. It returns one of three kinds of statistics, every one mergeable with ``+``:

* :class:`~thetahat.statistics.sufficient.SuffStats`: the family's sufficient
  statistics (exponential families: a few numbers);
* :class:`~thetahat.statistics.data.DataStats`: the validated observations with
  their weights, for families without finite sufficient statistics (Weibull,
  Student t: each Newton step is a pass over them);
* :class:`~thetahat.statistics.censored.CensoredStats`: censored observations
  split by kind.

Sources are: a ``SuffStats`` already computed (merged chunks, SQL aggregates),
``th.Censored`` data, an in-memory array (the reducer of the family, chunked
and threaded), or any object implementing :class:`Source`. Engines that
compute statistics where the data live (a DuckDB query, a Dask reduction, a
streamed Parquet file) are further :class:`Source` implementations: they
return the same statistics types, so nothing downstream changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike

from .censored import Censored, CensoredStats, censored_stats
from .data import DataStats, data_stats
from .sufficient import SuffStats

__all__ = ["Source", "Statistics", "statistics_of"]

Statistics = SuffStats | DataStats | CensoredStats

#: in-memory data: never a Source
_PLAIN = (np.ndarray, list, tuple, float, int)


@runtime_checkable
class Source(Protocol):
    """Data that compute a family's statistics themselves (an engine).

    ``statistics(family, weights, obs)`` returns the family's
    ``family.statistics_type`` when it has one (and no per-observation
    parameter arrays), else :class:`DataStats` (or, for an engine that cannot
    hold the data, statistics of the same interface); ``weights`` and the
    per-observation inputs ``obs`` (exposure, trials) are the engine's own
    column references or arrays.

    Examples
    --------
    >>> import thetahat as th
    >>> from thetahat.statistics import Source
    >>> class Chunks:
    ...     def __init__(self, chunks):
    ...         self.chunks = chunks
    ...     def statistics(self, family, weights, obs):
    ...         parts = [family.suff_stats(c) for c in self.chunks]
    ...         return sum(parts[1:], parts[0])
    ...
    >>> isinstance(Chunks([]), Source)
    True
    >>> th.fit(th.Poisson, Chunks([[1, 2], [3, 4, 5]])).params
    {'rate': 3.0}
    """

    def statistics(self, family: Any, weights: Any, obs: Mapping[str, Any]) -> Statistics:
        """The statistics of this source for ``family``."""
        ...


def statistics_of(
    family: Any,
    source: Any,
    *,
    weights: ArrayLike | None = None,
    exposure: ArrayLike | None = None,
    sufficient: bool = False,
    **obs: Any,
) -> Statistics:
    """The statistics of ``source`` that a fit of ``family`` needs.

    Parameters
    ----------
    family : Distribution
        The family (an instance, with any fixed parameters).
    source : array_like, SuffStats, Censored or Source
    weights : array_like, optional
        Frequency weights (raw data only).
    exposure : array_like, optional
        Poisson's exposure per observation (raw data only).
    sufficient : bool
        Require sufficient statistics (exact conjugate updates): families
        without finite ones raise ``TypeError``.
    **obs
        Other per-observation inputs (Binomial's trials ``n``).

    Returns
    -------
    SuffStats, DataStats or CensoredStats

    Examples
    --------
    >>> import thetahat as th
    >>> from thetahat.statistics import statistics_of
    >>> statistics_of(th.Poisson(), [1, 2, 3])
    PoissonStats(n=3.0, total=6.0, exposure=3.0, const=-2.4849066497880004)
    >>> statistics_of(th.Weibull(), [1.0, 2.0, 3.0]).n
    3.0
    """
    cls = type(family).__name__
    if exposure is not None:
        obs = {**obs, "exposure": exposure}
    obs = {k: v for k, v in obs.items() if v is not None}
    if isinstance(source, SuffStats):
        return _given(family, source, weights, obs)
    if isinstance(source, DataStats):
        # validated observations already (an engine's frequency table, one group's data)
        if weights is not None or obs:
            raise ValueError("weights and exposure are already in these statistics")
        return source
    if isinstance(source, Censored):
        if "exposure" in obs:
            raise ValueError("exposure does not apply to censored data")
        if family.obs_arrays:
            raise ValueError(
                f"per-observation {', '.join(family.obs_arrays)} with censored data is not "
                f"supported: fix {cls}'s parameters to scalars, or fit the exact observations"
            )
        if sufficient:
            raise ValueError("censored data have no sufficient statistics: no exact update")
        return censored_stats(family, source, weights)
    # arrays first: a runtime-checkable Protocol's isinstance costs microseconds
    if not isinstance(source, _PLAIN) and isinstance(source, Source):
        return source.statistics(family, weights, obs)
    if sufficient or (family.statistics_type is not None and not family.obs_arrays):
        return family.suff_stats(source, weights, **obs)
    return data_stats(family, source, weights, compress=bool(family.discrete), **obs)


def _given(family: Any, stats: SuffStats, weights: Any, obs: Mapping[str, Any]) -> SuffStats:
    """Check statistics computed elsewhere against the family."""
    cls = type(family).__name__
    if family.obs_arrays:
        raise ValueError(
            f"{cls} with per-observation {', '.join(family.obs_arrays)} needs the observations "
            "themselves, not sufficient statistics: the log density is summed observation "
            "by observation"
        )
    expected = family.statistics_type
    if expected is None or not isinstance(stats, expected):
        raise TypeError(
            f"{type(stats).__name__} are not the sufficient statistics of {cls} "
            f"(expected {getattr(expected, '__name__', None)})"
        )
    if weights is not None or obs:
        raise ValueError(
            "weights and exposure belong to raw data; they are already in the statistics"
        )
    if not np.isfinite(stats.n) or stats.n <= 0:
        raise ValueError("the sufficient statistics hold no observations")
    return stats
