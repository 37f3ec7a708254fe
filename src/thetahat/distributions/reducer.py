"""The reducer: a family's sufficient statistics of in-memory data, chunk by chunk.

Layer 4 of :class:`~thetahat.distributions.Distribution`. ``suff_stats``
validates the data and reduces them in chunks that merge with ``+`` exactly as
partitions of a larger data set would; chunks reduced by the compiled kernel
spread over threads. Families declare their statistics type (``_stats_type``)
and either the statistics of one chunk (``_chunk_stats``) or a fused loop over
all of them (``_reduce``). This is the in-memory engine behind
:func:`thetahat.statistics.statistics_of`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import _fastpath
from .._validation import as_weights
from ..statistics.sufficient import CHUNK, SuffStats
from .observations import Observations

__all__ = ["Reducer"]


class Reducer(Observations):
    """Sufficient statistics of in-memory data (see the module docstring)."""

    #: the SuffStats subclass of this family (None: no finite sufficient statistics)
    _stats_type: ClassVar[type[SuffStats] | None] = None
    #: unweighted chunks reduced by a compiled kernel (big chunks, over threads)
    _compiled_chunks: ClassVar[bool] = False

    @property
    def statistics_type(self) -> type[SuffStats] | None:
        """The family's sufficient-statistics type (None: it has no finite ones)."""
        return self._stats_type

    def _chunk_stats(self, *args: Any, **kw: Any) -> Any:
        raise TypeError(f"{type(self).__name__} has no finite sufficient statistics")

    def suff_stats(self, data: Any, weights: ArrayLike | None = None, **obs: Any) -> SuffStats:
        """Sufficient statistics of ``data`` for this family, in one pass over memory.

        The data are validated (finite, in the support) and reduced chunk by chunk;
        chunks merge with ``+`` exactly as partitions of a larger data set would.
        """
        if self._stats_type is None:
            raise TypeError(f"{type(self).__name__} has no finite sufficient statistics")
        if self.obs_arrays:
            raise ValueError(
                f"{type(self).__name__} with per-observation {', '.join(self.obs_arrays)} has no "
                "sufficient statistics: th.fit sums the log density over the observations "
                "(conjugate updates need scalar fixed parameters)"
            )
        x = self._as_data(data)
        m = x.shape[0]
        w = as_weights(weights, m)
        po = self._prepare_obs(m, obs)
        total = self._reduce(x, w, po)
        if total is None:
            self._explain_bad_data(x, po)
        return total

    def _reduce(
        self, x: NDArray[np.float64], w: NDArray[np.float64] | None, po: dict[str, Any]
    ) -> SuffStats | None:
        """Statistics of all of ``x``, chunk by chunk; None when some value is invalid.

        ``po`` holds the per-observation inputs (exposure, trials); a family that
        takes none (its fixed per-observation values never reach statistics) may
        ignore it. Families override it with a fused loop (one scratch buffer,
        float sums).
        Families whose chunk statistics come from a compiled kernel
        (``_compiled_chunks``) take big chunks, spread over threads when unweighted.
        """
        assert self._stats_type is not None
        m = x.shape[0]
        if 0 < m <= CHUNK:  # one chunk (small data): no slices, threads or merge
            return self._checked_chunk_stats(x, w, po)
        chunk = CHUNK
        if w is None and self._compiled_chunks and _fastpath.HAVE_KERNELS:
            chunk = _fastpath.BIG_CHUNK

        def one(start: int) -> SuffStats | None:
            sl = slice(start, start + chunk)
            oc = {k: v[sl] for k, v in po.items()}
            return self._checked_chunk_stats(x[sl], None if w is None else w[sl], oc)

        if m <= chunk:  # one chunk (small data): no threads, no merge
            return one(0) if m else self._stats_type.zero()
        parts: Iterable[SuffStats | None]
        if chunk == CHUNK:  # numpy passes: one chunk at a time, stop at the first bad one
            parts = (one(start) for start in range(0, m, chunk))
        else:  # compiled passes release the GIL: chunks over threads
            parts = _fastpath.map_chunks(one, m, chunk)
        total = self._stats_type.zero()
        for st in parts:
            if st is None:
                return None
            total = total + st
        return total

    def _checked_chunk_stats(
        self, x: NDArray[np.float64], w: NDArray[np.float64] | None, obs: dict[str, Any]
    ) -> SuffStats | None:
        """Statistics of one chunk, or None when the chunk holds invalid data.

        Families override this with a cheaper test fused into the computation (a
        sum that is not finite reveals a NaN or inf without a separate pass).
        """
        if not (np.isfinite(x).all() and self._support_mask(x, **obs).all()):
            return None
        return self._chunk_stats(x, w, obs)
