"""Sufficient statistics: frozen, mergeable, numerically stable.

For an exponential family the MLE, the conjugate posterior, the evidence and the
Fisher information are functions of a handful of sums.  A :class:`SuffStats` holds
them; ``a + b`` merges the statistics of two disjoint pieces of data exactly, and
``type(s).zero()`` is the identity, so chunks of a file, partitions of a cluster
or groups in SQL combine with ``sum(parts, start=Stats.zero())``.

Most statistics are plain (weighted) sums and merge by adding fields.  A
location-scale statistic must not keep a raw sum of squares (it cancels
catastrophically when the mean is large relative to the spread: NIST's NumAcc
data), so :class:`MomentStats` keeps ``(n, mean, m2)`` with ``m2`` the centred
sum of squares and merges with Chan, Golub & LeVeque's pairwise formula.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Self, TypeVar

import numpy as np
from numpy.typing import NDArray

from .._fastpath import CENTRED_SUMS_KERNEL, CHUNK, HAVE_KERNELS, centred_sums

__all__ = [
    "CHUNK",
    "MomentStats",
    "SuffStats",
    "centred_moments",
    "chunk_moments",
    "log_chunks",
    "made",
    "provisional_centre",
    "two_sum",
]


_new = object.__new__


@dataclass(frozen=True)
class SuffStats:
    """Additive sufficient statistics: every field merges by addition.

    ``n`` is the number of observations (the sum of frequency weights).

    Examples
    --------
    >>> import thetahat as th
    >>> a = th.Poisson().suff_stats([1, 2, 3])
    >>> b = th.Poisson().suff_stats([4, 0])
    >>> (a + b).n, (a + b).total
    (5.0, 10.0)
    >>> th.fit(th.Poisson, a + b).params
    {'rate': 2.0}
    """

    n: float = 0.0
    #: fields that are arrays (merged elementwise); subclasses set this
    _vector_fields: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def zero(cls) -> Self:
        """The statistics of no data (the identity of ``+``)."""
        return cls()

    def __add__(self, other: Self) -> Self:
        if type(other) is not type(self):
            return NotImplemented
        if self.n == 0:  # the statistics of no data are the identity of every merge
            return other
        if other.n == 0:
            return self
        return self._merge(other)

    def _merge(self, other: Self) -> Self:
        """The statistics of two non-empty disjoint pieces (here: field by field sums;
        subclasses whose fields are not sums, such as means, override it)."""
        values = {}
        for f in dataclasses.fields(self):
            a, b = getattr(self, f.name), getattr(other, f.name)
            if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
                a_arr, b_arr = np.asarray(a), np.asarray(b)
                if a_arr.shape != b_arr.shape:
                    raise ValueError(
                        f"cannot merge {type(self).__name__}: field {f.name} has shapes "
                        f"{a_arr.shape} and {b_arr.shape}"
                    )
                values[f.name] = a_arr + b_arr
            else:
                values[f.name] = a + b
        return type(self)(**values)

    def __radd__(self, other: Any) -> Self:
        # lets the builtin sum() start from 0
        if isinstance(other, int) and other == 0:
            return self
        return NotImplemented

    def to_dict(self) -> dict[str, Any]:
        """The fields as plain Python values (JSON-serialisable)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            out[f.name] = v.tolist() if isinstance(v, np.ndarray) else float(v)
        return out


S = TypeVar("S", bound=SuffStats)


def made(cls: type[S], fields: dict[str, Any]) -> S:
    """``cls(**fields)`` for a statistics dataclass without ``__post_init__``, every field
    given, without the generated frozen ``__init__`` (one ``object.__setattr__`` per
    field: a microsecond of a small fit's fixed cost, issue 12).

    Examples
    --------
    >>> import thetahat as th
    >>> st = made(th.Exponential().statistics_type, {"n": 2.0, "total": 3.0})
    >>> st == th.Exponential().statistics_type(n=2.0, total=3.0)
    True
    """
    self = _new(cls)
    self.__dict__.update(fields)
    return self


def two_sum(a: float, b: float) -> tuple[float, float]:
    """a + b as (sum, rounding error), exactly (Knuth's TwoSum)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


@dataclass(frozen=True)
class MomentStats(SuffStats):
    """(n, mean, m2) with m2 = sum of w (x - mean)^2, merged by Chan's formula.

    ``mean_err`` is the low-order part of the mean (the mean is ``mean + mean_err``
    in double-double arithmetic): it keeps merges exact to full precision when the
    mean is large relative to the spread (NIST NumAcc4: 1e7 +- 0.1). Statistics
    from elsewhere (SQL ``avg``/``var_pop``) may leave it 0.

    Notes
    -----
    For disjoint pieces A and B with ``d = mean_B - mean_A``::

        n    = n_A + n_B
        mean = mean_A + d n_B / n
        m2   = m2_A + m2_B + d^2 n_A n_B / n

    which never forms a raw sum of squares.

    Examples
    --------
    >>> import numpy as np
    >>> import thetahat as th
    >>> a = th.Normal().suff_stats([1.0, 2.0, 3.0])
    >>> b = th.Normal().suff_stats([10.0, 11.0])
    >>> merged = a + b
    >>> merged.n, merged.mean, round(merged.m2, 6)
    (5.0, 5.4, 89.2)
    >>> float(np.var([1.0, 2.0, 3.0, 10.0, 11.0]) * 5)
    89.2
    """

    mean: float = 0.0
    m2: float = 0.0
    mean_err: float = 0.0

    def _merge(self, other: Self) -> Self:
        n = self.n + other.n
        d = (other.mean - self.mean) + (other.mean_err - self.mean_err)
        mean, err = two_sum(self.mean, d * (other.n / n))
        m2 = self.m2 + other.m2 + d * d * (self.n * other.n / n)
        extra = {
            f.name: getattr(self, f.name) + getattr(other, f.name)
            for f in dataclasses.fields(self)
            if f.name not in ("n", "mean", "m2", "mean_err")
        }
        return type(self)(n=n, mean=mean, m2=m2, mean_err=self.mean_err + err, **extra)


def log_chunks(
    x: NDArray[np.float64], w: NDArray[np.float64] | None
) -> Iterator[tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64] | None]]:
    """Yield ``(chunk of x, log of it, chunk of w or None)`` chunk by chunk.

    The logs are written into one scratch buffer reused across chunks (a fresh
    temporary per chunk costs more in page faults than the arithmetic), so each
    yielded log array is only valid until the next one. Call it under
    ``np.errstate(divide="ignore", invalid="ignore")`` when x may hold values
    outside (0, inf): their logs are -inf or NaN, which the callers' sums reveal.
    """
    buf = np.empty(min(x.shape[0], CHUNK))
    for i in range(0, x.shape[0], CHUNK):
        xc = x[i : i + CHUNK]
        yield xc, np.log(xc, out=buf[: xc.shape[0]]), None if w is None else w[i : i + CHUNK]


Moments = tuple[float, float, float, float]
_FLOAT64 = np.dtype(np.float64)


def provisional_centre(x: NDArray[np.float64]) -> float:
    """The mean of 64 values spread through ``x``: a centre close enough to the mean
    that sums of deviations from it do not cancel (not finite if a sampled value is not).
    Small arrays (up to 4096 values) use the mean of all of them, summed by the compiled
    kernel where built (a numpy reduction's call costs more than such a sum)."""
    n = x.shape[0]
    if 0 < n <= 4096 and HAVE_KERNELS and x.dtype == np.float64 and x.flags.c_contiguous:
        return centred_sums(x, 0.0)[0] / n
    sample = x[:: max(n // 64, 1)]
    return float(np.add.reduce(sample)) / sample.shape[0]


def centred_moments(n: float, c: float, s: float, q: float) -> Moments:
    """(n, mean, mean_err, m2) from ``s = sum(x - c)`` and ``q = sum((x - c)^2)``.

    The corrected two-pass method: ``mean = c + s / n`` (kept in double-double as
    mean + mean_err) and ``m2 = q - s^2 / n``.
    """
    corr = s / n
    mean, err = two_sum(c, corr)
    return n, mean, err, max(q - s * corr, 0.0)


def chunk_moments(x: NDArray[np.float64], w: NDArray[np.float64] | None) -> Moments:
    """(n, mean, mean_err, m2) of one chunk by the corrected two-pass method.

    Deviations are taken from a :func:`provisional_centre` ``c``, so the chunk is
    read from memory once (by the compiled kernel where built); see
    :func:`centred_moments`. The error is that of the two-pass algorithm, not of
    the raw ``sum x^2``.
    """
    m = x.shape[0]
    kernel = CENTRED_SUMS_KERNEL
    if (
        w is None
        and kernel is not None
        and 0 < m <= 4096
        and (x.dtype is _FLOAT64 or x.dtype == _FLOAT64)
        and x.flags.c_contiguous
    ):
        # a small array (a small fit's statistics, issue 12): the steps below spelled out
        # without their calls, the same arithmetic (the centre the mean of all values)
        n = float(m)
        c = kernel(x, 0.0)[0] / m
        if not math.isfinite(c):
            c = 0.0
        s, q = kernel(x, c)
        corr = s / n
        mean = c + corr  # two_sum(c, corr)
        bb = mean - c
        err = (c - (mean - bb)) + (corr - bb)
        return n, mean, err, max(q - s * corr, 0.0)
    c = provisional_centre(x)
    if not math.isfinite(c):
        c = 0.0
    if w is None:
        n = float(x.shape[0])
        s, m2 = centred_sums(x, c)
    else:
        n = float(np.sum(w))
        if n == 0:
            return 0.0, 0.0, 0.0, 0.0
        d = x - c
        wd = w * d
        s = float(np.sum(wd))
        m2 = float(np.dot(wd, d))
    return centred_moments(n, c, s, m2)
