"""Resampling shared by the goodness-of-fit p-values and the bootstrap: re-fits over
the package's thread pool, with one random stream per fixed-size block of resamples.

The blocks have a fixed size, not one per thread, so a seed gives the same numbers
on any machine and with any ``THETAHAT_NUM_THREADS``. Each block runs the family's
own fit (closed form, profile Newton in compiled kernels, ...): numpy's sorting and
random generation and the kernels release the GIL, so threads help.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import numpy as np

from .._fastpath import PARALLEL_MIN, executor, num_threads
from .._validation import as_generator
from ..optim import Status
from ..statistics import statistics_of
from ..statistics.censored import CensoredStats
from ._solve import ARITHMETIC_ERRORS

__all__ = ["BLOCK", "REFIT_ERRORS", "light_mle", "map_resamples", "map_tasks", "spawn"]

#: resamples per random stream (and per task on the pool)
BLOCK = 32

#: errors that mark one resample's re-fit as failed (counted by the caller, never raised)
REFIT_ERRORS = (ValueError, TypeError, ArithmeticError, np.linalg.LinAlgError, IndexError)

T = TypeVar("T")


def spawn(rng: Any, blocks: int) -> list[np.random.Generator]:
    """``blocks`` independent generators drawn from ``rng`` (a seed or Generator)."""
    gen = as_generator(rng)
    seed = np.random.SeedSequence(int(gen.integers(0, 2**63 - 1)))
    return [np.random.default_rng(s) for s in seed.spawn(blocks)]


def map_resamples(
    block: Callable[[np.random.Generator, int], T],
    n_resamples: int,
    rng: Any,
    n_data: int,
    *,
    parallel: bool = True,
) -> list[T]:
    """``block(generator, count)`` over blocks of :data:`BLOCK` resamples, in order.

    The blocks run on the package's thread pool unless the data are so large that
    each fit already uses the pool (nested waits on one pool could deadlock), or
    ``parallel`` is false: blocks whose work is mostly Python (a re-fit per resample)
    hold the GIL, and two threads contending for it cost more than they gain (a
    Weibull GoF null of 1,000 resamples of 10^4: 0.55 s on one thread, 0.75 s on two).
    Warnings of the re-fits (boundary estimates of a resample) are silenced: the
    caller counts the fits that failed instead.
    """
    counts = [min(BLOCK, n_resamples - s) for s in range(0, n_resamples, BLOCK)]
    gens = spawn(rng, len(counts))
    threads = num_threads()

    def run(gen: np.random.Generator, count: int) -> T:
        with np.errstate(all="ignore"):  # numpy's error state is per thread
            return block(gen, count)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if not parallel or threads == 1 or len(counts) < 2 or n_data >= PARALLEL_MIN:
            return [run(g, c) for g, c in zip(gens, counts, strict=True)]
        return list(executor(threads).map(run, gens, counts))


def map_tasks(fn: Callable[[Any], T], items: Iterable[Any], n_data: int) -> list[T]:
    """``[fn(item) for item in items]`` on the thread pool (as :func:`map_resamples`)."""
    todo = list(items)
    threads = num_threads()

    def run(item: Any) -> T:
        with np.errstate(all="ignore"):
            return fn(item)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if threads == 1 or len(todo) < 2 or n_data >= PARALLEL_MIN:
            return [run(i) for i in todo]
        return list(executor(threads).map(run, todo))


def light_mle(fam: Any, sample: Any) -> tuple[bool, dict[str, Any] | None]:
    """The MLE of one resample without assembling an Estimate: ``(True, params)``, or
    ``(True, None)`` when the fit failed; ``(False, None)`` when the family needs the
    general route (no closed form or fast fit, censored data, per-observation inputs:
    the caller then runs :func:`thetahat.fit`).

    The same hooks in the same order as ``fit``'s maximum likelihood (the closed form,
    else the family's fast fit) and the same rule for a failure (a solve that did not
    converge away from a boundary, or a NaN estimate); what it skips is the
    covariance, the log-likelihood and the warnings, which a resample does not use
    (about 0.05 ms of a Weibull re-fit at n = 10^4). The tests compare it with ``fit``.
    """
    if fam.obs_arrays:
        return False, None
    stats = statistics_of(fam, sample)
    if isinstance(stats, CensoredStats):
        return False, None
    try:  # as fit's _formula: an arithmetic exception sends the fit to the general route
        with np.errstate(all="ignore"):
            found = fam.closed_form_mle(stats)
            if found is None:
                fast = fam.fast_fit(stats)
                if fast is None:
                    return False, None
                found, res = fast
                if not res.converged and res.status != Status.BOUNDARY:
                    return True, None
    except ARITHMETIC_ERRORS:
        return False, None
    if any(np.isnan(np.asarray(v, dtype=float)).any() for v in found.values()):
        return True, None
    return True, dict(found)
