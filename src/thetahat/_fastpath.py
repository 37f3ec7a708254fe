"""Single-pass statistics over large arrays: the compiled kernel, or numpy.

``thetahat._kernels`` is an optional C extension (built by ``pip install`` when a C
compiler is available; see ``setup.py``). It reads each value once, at memory
speed, and releases the GIL, so large arrays are split over a few threads. Where
it is missing, the numpy fallbacks below compute the same numbers chunk by chunk.
Both paths are tested to agree.

Set the environment variable ``THETAHAT_NUM_THREADS`` to cap the threads (1 turns
threading off).
"""

from __future__ import annotations

import functools
import math
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

try:
    from . import _kernels
except ImportError:  # pragma: no cover - exercised where no C compiler was available
    _kernels = None  # type: ignore[assignment]

__all__ = [
    "BIG_CHUNK",
    "CENTRED_SUMS_KERNEL",
    "CHUNK",
    "HAVE_KERNELS",
    "LOG_FACT_TABLE",
    "beta_sums",
    "centred_sums",
    "count_stats",
    "executor",
    "map_chunks",
    "map_ranges",
    "num_threads",
    "sum_log_factorial",
    "syrk_add_kernel",
    "t_sums",
    "weibull_moments",
]

HAVE_KERNELS = _kernels is not None
_FLOAT64 = np.dtype(np.float64)
#: the compiled ``centred_sums`` itself (None without kernels), for callers that have
#: checked its input (a C-contiguous float64 array) and want no wrapper's checks
CENTRED_SUMS_KERNEL: Callable[[Any, float], tuple[float, float]] | None = (
    _kernels.centred_sums if _kernels is not None else None
)

#: a logistic or Poisson GLM's fused pass over rows of a dense X (``_kernels_glm.c``;
#: None without the compiled kernels, or where they were built without GCC/Clang)
GLM_PASS_KERNEL: Callable[..., tuple[float, float]] | None = getattr(_kernels, "glm_pass", None)


@functools.cache
def dsyrk_capsule() -> Any:
    """SciPy's BLAS dsyrk for Cython (``scipy.linalg.cython_blas``), the function
    pointer the compiled kernels call without the GIL (``syrk_add``, ``glm_pass``)."""
    from scipy.linalg import cython_blas

    return cython_blas.__pyx_capi__["dsyrk"]


@functools.cache
def dgemm_capsule() -> Any:
    """SciPy's BLAS dgemm for Cython: with dsyrk, ``glm_pass``'s update of a Hessian in
    packed form."""
    from scipy.linalg import cython_blas

    return cython_blas.__pyx_capi__["dgemm"]


@functools.cache
def syrk_add_kernel() -> Callable[[Any, Any, int, int, int], None] | None:
    """``syrk(Z, H.T, rows, p, k)``: ``H[:p, :p] += Z[:rows]' Z[:rows]`` (the upper
    triangle of a Fortran-ordered ``k x k`` H) in place by BLAS dsyrk with the GIL
    released; None without the compiled kernels.

    SciPy exports dsyrk's function pointer for Cython (``scipy.linalg.cython_blas``);
    the kernel (``_kernels_blas.c``) calls it, so a GLM pass's worker holds no ``p x p``
    buffer for each block's product and adds nothing afterwards (NumPy's matmul
    releases the GIL but cannot accumulate; SciPy's f2py ``dsyrk`` accumulates but
    holds the GIL).
    """
    if _kernels is None:  # pragma: no cover - exercised where no C compiler was available
        return None
    return functools.partial(_kernels.syrk_add, dsyrk_capsule())


#: the fused passes of the iterative families (built by GCC and Clang only)
HAVE_FIT_KERNELS = HAVE_KERNELS and hasattr(_kernels, "t_sums")

#: values per chunk for numpy passes: 512 KiB of float64, so a chunk's temporaries stay in cache
CHUNK = 1 << 16

#: values per chunk for the compiled kernels, which read each value once without
#: temporaries; big chunks keep the per-chunk Python cost (merging statistics) negligible
BIG_CHUNK = 1 << 20

#: arrays shorter than this are not split over threads (thread start-up would dominate)
PARALLEL_MIN = 1 << 21

#: log(k!) for the counts k below its length (larger counts use gammaln)
LOG_FACT_TABLE = sc.gammaln(np.arange(1 << 12, dtype=float) + 1.0)

_POOL: dict[str, Any] = {}
_POOL_LOCK = threading.Lock()
T = TypeVar("T")


def num_threads() -> int:
    """Threads used for large arrays: the usable CPUs, capped by THETAHAT_NUM_THREADS."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    env = os.environ.get("THETAHAT_NUM_THREADS", "").strip()
    if env:
        cap = int(env) if env.isdigit() else 0
        if cap < 1:
            raise ValueError(f"THETAHAT_NUM_THREADS must be a positive integer, got {env!r}")
        cpus = min(cpus, cap)
    return max(1, min(cpus, 8))


def executor(workers: int) -> ThreadPoolExecutor:
    """The process-wide pool of worker threads, made on first use.

    One pool serves every threaded pass (these kernels, the GLM row passes). It is
    made with at least :func:`num_threads` workers, so it is rarely replaced; when a
    larger one is needed, the old pool is dropped without a shutdown (a caller may
    still be submitting to it; its idle threads exit once it is garbage collected).
    A forked child inherits the pool object but not its threads, so the pool is
    remade in a process other than the one that made it.
    """
    from concurrent.futures import ThreadPoolExecutor

    with _POOL_LOCK:
        pool = _POOL.get("pool")
        if pool is None or _POOL.get("pid") != os.getpid() or pool._max_workers < workers:
            size = max(workers, num_threads())
            pool = ThreadPoolExecutor(size, thread_name_prefix="thetahat")
            _POOL.update(pool=pool, pid=os.getpid())
        assert isinstance(pool, ThreadPoolExecutor)
        return pool


def map_chunks(fn: Callable[[int], T], n: int, chunk: int) -> list[T]:
    """``[fn(start) for start in range(0, n, chunk)]``, over threads when ``n`` is large.

    ``fn`` must release the GIL for most of its time (the compiled kernels do) for
    the threads to help; results come back in order.
    """
    starts = range(0, n, chunk)
    threads = num_threads()
    if threads == 1 or n < PARALLEL_MIN or len(starts) < 2:
        return [fn(s) for s in starts]
    return list(executor(threads).map(fn, starts))


def map_ranges(fn: Callable[[int, int], T], n: int, parts: int) -> list[T]:
    """``fn(lo, hi)`` over ``parts`` near-equal row ranges of ``range(n)``, one per
    worker thread (inline when ``parts`` is 1); results in order."""
    if parts <= 1:
        return [fn(0, n)]
    edges = [n * i // parts for i in range(parts + 1)]
    pool = executor(parts)
    futures = [pool.submit(fn, edges[i], edges[i + 1]) for i in range(parts)]
    return [f.result() for f in futures]


def centred_sums(x: NDArray[np.float64], c: float) -> tuple[float, float]:
    """``(sum(x - c), sum((x - c)**2))``: one read by the kernel, else via a temporary."""
    if _kernels is not None and x.dtype == np.float64 and x.flags.c_contiguous:
        return _kernels.centred_sums(x, c)
    d = x - c
    return float(np.sum(d)), float(np.dot(d, d))


def count_stats(x: NDArray[np.float64]) -> tuple[int, float, float]:
    """Validate count data and reduce it in one pass.

    Returns ``(first_bad, total, sum_log_factorial)``: the index of the first value
    that is not a finite non-negative integer (-1 when all are), ``sum(x)`` and
    ``sum(log(x!))``. The sums are only meaningful when ``first_bad == -1``.
    """
    if not (type(x) is np.ndarray and x.dtype is _FLOAT64 and x.ndim == 1 and x.flags.c_contiguous):
        x = np.ascontiguousarray(x, dtype=np.float64).reshape(-1)
    if _kernels is None:
        return _count_stats_numpy(x)
    kernel, n = _kernels.count_stats, x.shape[0]
    if n < PARALLEL_MIN:  # one call (a small fit: no threads, slices or merge)
        bad, total, lf = kernel(x)
        return (bad, math.nan, math.nan) if bad >= 0 else (-1, total, lf)
    parts = num_threads()
    return _combined(map_ranges(lambda lo, hi: _offset(kernel(x[lo:hi]), lo), n, parts))


def _count_stats_numpy(x: NDArray[np.float64]) -> tuple[int, float, float]:
    """The numpy fallback: cache-sized chunks in turn, stopping at the first bad value."""
    results = []
    for lo in range(0, x.shape[0], CHUNK):
        results.append(_offset(_count_chunk_numpy(x[lo : lo + CHUNK]), lo))
        if results[-1][0] >= 0:
            break
    return _combined(results)


def _combined(results: list[tuple[int, float, float]]) -> tuple[int, float, float]:
    """The parts' results merged: the first bad index, else the summed sums."""
    for bad, _, _ in results:
        if bad >= 0:
            return bad, float("nan"), float("nan")
    return -1, float(sum(r[1] for r in results)), float(sum(r[2] for r in results))


def _offset(result: tuple[int, float, float], lo: int) -> tuple[int, float, float]:
    """A part's result with its first bad index made global."""
    bad, total, lf = result
    return (lo + bad if bad >= 0 else -1), total, lf


def _count_chunk_numpy(c: NDArray[np.float64]) -> tuple[int, float, float]:
    with np.errstate(invalid="ignore"):
        ok = (c >= 0) & np.isfinite(c) & (c == np.floor(c))
    if not ok.all():
        return int(np.argmin(ok)), float("nan"), float("nan")
    if c.shape[0] == 0:
        return -1, 0.0, 0.0
    return -1, float(np.sum(c)), sum_log_factorial(c)


def sum_log_factorial(x: NDArray[np.float64], w: NDArray[np.float64] | None = None) -> float:
    """sum(w * log(x!)) for non-negative integer-valued ``x``.

    Small counts (the usual case) go through a bincount and a table lookup, which
    is several times faster than evaluating ``gammaln`` for every value.
    """
    if x.shape[0] == 0:
        return 0.0
    if float(np.max(x)) < LOG_FACT_TABLE.shape[0]:
        counts = np.bincount(x.astype(np.intp), weights=w, minlength=1)
        return float(np.dot(counts, LOG_FACT_TABLE[: counts.shape[0]]))
    lf = sc.gammaln(x + 1.0)
    return float(np.sum(lf) if w is None else np.dot(w, lf))


# ------------------------------------------------------------ iterative families
# One read of the data per Newton step: the compiled kernels (thetahat/_kernels_fit.c)
# or numpy over cache-sized chunks; the same sums either way (tests compare them).
Weights = NDArray[np.float64] | None


def _contiguous(x: NDArray[np.float64], w: Weights) -> tuple[NDArray[np.float64], Weights]:
    x = np.ascontiguousarray(x, dtype=np.float64).reshape(-1)
    return x, None if w is None else np.ascontiguousarray(w, dtype=np.float64).reshape(-1)


def _kernel_sums(
    kernel: Callable[..., tuple[float, ...]], x: NDArray[np.float64], w: Weights, *args: Any
) -> NDArray[np.float64]:
    """The kernel's sums over ``x``, split over threads for large arrays."""
    n = x.shape[0]
    parts = num_threads() if n >= PARALLEL_MIN else 1
    if parts == 1:
        return np.array(kernel(x, w, *args))

    def part(lo: int, hi: int) -> tuple[float, ...]:
        return kernel(x[lo:hi], None if w is None else w[lo:hi], *args)

    return np.sum(np.array(map_ranges(part, n, parts), dtype=float), axis=0)


def _numpy_sums(
    body: Callable[[NDArray[np.float64]], list[NDArray[np.float64]]],
    x: NDArray[np.float64],
    w: Weights,
) -> NDArray[np.float64]:
    """Sums of ``w`` times each array ``body`` makes of a chunk, chunk by chunk."""
    total: NDArray[np.float64] | None = None
    for lo in range(0, max(x.shape[0], 1), CHUNK):
        terms = body(x[lo : lo + CHUNK])
        wc = None if w is None else w[lo : lo + CHUNK]
        sums = np.array([float(np.sum(t)) if wc is None else float(np.dot(wc, t)) for t in terms])
        total = sums if total is None else total + sums
    assert total is not None
    return total


def t_sums(
    x: NDArray[np.float64], w: Weights, nu: float, loc: float, scale: float
) -> NDArray[np.float64]:
    """The Student t sums one Newton step needs, in one read of ``x``.

    With ``z = (x - loc) / scale``, ``r = 1 / (nu + z^2)`` and ``q = z^2 r``, the
    weighted sums of ``1, r, z r, q, r^2, z r^2, q r, q z r, q^2, log1p(z^2 / nu)``.
    """
    x, w = _contiguous(x, w)
    if HAVE_FIT_KERNELS:
        return _kernel_sums(_kernels.t_sums, x, w, nu, loc, scale)

    def body(c: NDArray[np.float64]) -> list[NDArray[np.float64]]:
        z = (c - loc) / scale
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            z2 = z * z
            big = ~np.isfinite(z2)
            r = np.where(big, 0.0, 1.0 / (nu + z2))
            zr = np.where(big, 0.0, z * r)
            q = np.where(big, 1.0, z2 * r)
            lg = np.log1p(z2 / nu)
            far = ~np.isfinite(lg)
            if far.any():  # |z| beyond 1e154: log1p(z^2 / nu) = 2 log|z| - log nu
                lg = np.where(far, 2.0 * np.log(np.abs(z)) - np.log(nu), lg)
        return [np.ones_like(c), r, zr, q, r * r, zr * r, q * r, q * zr, q * q, lg]

    return _numpy_sums(body, x, w)


#: the moments weibull_moments returns: sums of e y^j for j = 0..WEIBULL_ORDER
WEIBULL_ORDER = 8


def weibull_moments(
    x: NDArray[np.float64], w: Weights, ltop: float, k: float, logged: bool = False
) -> NDArray[np.float64]:
    """Weighted sums of ``y`` and ``e y^j`` (j = 0..8), ``y = log x - ltop``,
    ``e = exp(k y)``, in one read of ``x`` (positive values; with ``logged``, ``x``
    holds ``log x``)."""
    x, w = _contiguous(x, w)
    if HAVE_FIT_KERNELS:
        return _kernel_sums(_kernels.weibull_moments, x, w, ltop, k, logged)

    def body(c: NDArray[np.float64]) -> list[NDArray[np.float64]]:
        y = (c if logged else np.log(c)) - ltop
        m = np.exp(k * y)
        out = [y]
        for _ in range(WEIBULL_ORDER + 1):
            out.append(m)
            m = m * y
        return out

    return _numpy_sums(body, x, w)


def beta_sums(x: NDArray[np.float64], w: Weights) -> tuple[int, float, float]:
    """``(first_bad, sum w log x, sum w log(1 - x))`` in one read of ``x``; ``first_bad``
    is the index of the first value not in (0, 1) (-1: none; the sums are then NaN)."""
    x, w = _contiguous(x, w)
    n = x.shape[0]
    if HAVE_FIT_KERNELS:
        kernel = _kernels.beta_sums
        parts = num_threads() if n >= PARALLEL_MIN else 1

        def part(lo: int, hi: int) -> tuple[int, float, float]:
            return _offset(kernel(x[lo:hi], None if w is None else w[lo:hi]), lo)

        return _combined(map_ranges(part, n, parts))
    results = []
    for lo in range(0, n, CHUNK):
        c = x[lo : lo + CHUNK]
        ok = (c > 0) & (c < 1)
        if not ok.all():
            results.append((lo + int(np.argmin(ok)), np.nan, np.nan))
            break
        wc = None if w is None else w[lo : lo + CHUNK]
        a, b = np.log(c), np.log1p(-c)
        results.append(
            (
                -1,
                float(np.sum(a) if wc is None else wc @ a),
                float(np.sum(b) if wc is None else wc @ b),
            )
        )
    return _combined(results)
