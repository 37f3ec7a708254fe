"""Parameter domains: where a parameter may live, and how to map it to the real line.

A domain answers three questions for a parameter: does a value belong to it
(``contains``), how is it described to a person (``describe``), and how does it map
to and from an unconstrained real number (``to_unconstrained`` /
``from_unconstrained``), which generic optimisers and Laplace approximations use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special as sc

__all__ = [
    "NONNEGATIVE",
    "NONNEGATIVE_INTEGER",
    "OPEN_UNIT",
    "POSITIVE",
    "POSITIVE_INTEGER",
    "REAL",
    "SIMPLEX",
    "UNIT",
    "Domain",
    "Integer",
    "Interval",
    "Simplex",
]


class Domain:
    """Base class of parameter domains."""

    vector: bool = False

    def contains(self, value: ArrayLike) -> bool:
        """Whether every element of ``value`` lies in the domain."""
        raise TypeError(f"{type(self).__name__} does not define contains")

    def describe(self) -> str:
        """A short human description, used in error messages."""
        return type(self).__name__

    def is_boundary(self, value: ArrayLike) -> NDArray[np.bool_]:
        """Elementwise: is the value on the boundary (an endpoint) of the domain."""
        return np.zeros(np.shape(value), dtype=bool)

    def free_size(self, size: int) -> int:
        """Degrees of freedom of a value with ``size`` entries (a simplex: one fewer;
        a symmetric matrix: its upper triangle)."""
        return size

    def to_unconstrained(self, value: ArrayLike) -> NDArray[np.float64]:
        """Map a value in the domain to the real line."""
        return np.asarray(value, dtype=float)

    def from_unconstrained(self, z: ArrayLike) -> NDArray[np.float64]:
        """Inverse of :meth:`to_unconstrained`."""
        return np.asarray(z, dtype=float)

    def log_jacobian(self, z: ArrayLike) -> NDArray[np.float64]:
        """log |d from_unconstrained / dz|, elementwise."""
        return np.zeros(np.shape(z))


@dataclass(frozen=True)
class Interval(Domain):
    """A real interval with open or closed ends (``None`` for an infinite end)."""

    low: float | None = None
    high: float | None = None
    low_closed: bool = False
    high_closed: bool = False

    def contains(self, value: ArrayLike) -> bool:
        """Finite values inside the bounds; +inf only on a half-line ``(low, inf)``.

        (A rate or scale may sit at its infinite limit, e.g. an Exponential MLE of
        ``inf`` for all-zero data; -inf, nan and an infinite location never belong.)
        """
        if isinstance(value, float):  # one parameter (numpy float64 too): plain comparisons
            if value != value or value == -math.inf:
                return False
            if value == math.inf:
                return self.high is None and self.low is not None
            lo, hi = self.low, self.high
            if lo is not None and (value < lo or (value == lo and not self.low_closed)):
                return False
            return not (hi is not None and (value > hi or (value == hi and not self.high_closed)))
        v = np.asarray(value, dtype=float)
        upper_inf = (v == np.inf) & (self.high is None) & (self.low is not None)
        if not np.all(np.isfinite(v) | upper_inf):
            return False
        ok = np.ones(v.shape, dtype=bool)
        if self.low is not None:
            ok &= (v >= self.low) if self.low_closed else (v > self.low)
        if self.high is not None:
            ok &= (v <= self.high) if self.high_closed else (v < self.high)
        return bool(np.all(ok & ~np.isnan(v)))

    def describe(self) -> str:
        if self.low is None and self.high is None:
            return "a real number"
        if self.high is None:
            op = ">=" if self.low_closed else ">"
            return f"a number {op} {self.low:g}"
        lo = "[" if self.low_closed else "("
        hi = "]" if self.high_closed else ")"
        lo_s = "-inf" if self.low is None else f"{self.low:g}"
        return f"a number in {lo}{lo_s}, {self.high:g}{hi}"

    def is_boundary(self, value: ArrayLike) -> NDArray[np.bool_]:
        v = np.asarray(value, dtype=float)
        out = np.zeros(v.shape, dtype=bool)
        if self.low is not None:
            out |= v <= self.low
        if self.high is not None:
            out |= v >= self.high
        return out

    def to_unconstrained(self, value: ArrayLike) -> NDArray[np.float64]:
        v = np.asarray(value, dtype=float)
        if self.low is None and self.high is None:
            return v
        if self.high is None:
            assert self.low is not None
            return np.asarray(np.log(v - self.low))
        if self.low is None:
            return np.asarray(np.log(self.high - v))
        return np.asarray(sc.logit((v - self.low) / (self.high - self.low)))

    def from_unconstrained(self, z: ArrayLike) -> NDArray[np.float64]:
        zz = np.asarray(z, dtype=float)
        if self.low is None and self.high is None:
            return zz
        if self.high is None:
            assert self.low is not None
            return np.asarray(self.low + np.exp(zz))
        if self.low is None:
            return np.asarray(self.high - np.exp(zz))
        return np.asarray(self.low + (self.high - self.low) * sc.expit(zz))

    def log_jacobian(self, z: ArrayLike) -> NDArray[np.float64]:
        zz = np.asarray(z, dtype=float)
        if self.low is None and self.high is None:
            return np.zeros(zz.shape)
        if self.high is None or self.low is None:
            return zz
        width = self.high - self.low
        return np.asarray(np.log(width) - np.logaddexp(0.0, zz) - np.logaddexp(0.0, -zz))


@dataclass(frozen=True)
class Integer(Domain):
    """Integers >= ``low`` (given as integer-valued floats or ints)."""

    low: int = 0

    def contains(self, value: ArrayLike) -> bool:
        v = np.asarray(value, dtype=float)
        return bool(np.all(np.isfinite(v) & (v >= self.low) & (v == np.floor(v))))

    def describe(self) -> str:
        return f"an integer >= {self.low}"


@dataclass(frozen=True)
class Simplex(Domain):
    """Vectors of non-negative numbers that sum to one (a probability vector)."""

    vector: bool = True
    atol: float = 1e-9
    low: float = 0.0
    high: float = 1.0

    def contains(self, value: ArrayLike) -> bool:
        v = np.asarray(value, dtype=float)
        return bool(
            v.ndim == 1
            and v.size >= 2
            and np.all(np.isfinite(v))
            and np.all(v >= 0)
            and abs(float(v.sum()) - 1.0) <= self.atol * v.size
        )

    def describe(self) -> str:
        return "a vector of >= 2 non-negative probabilities summing to 1"

    def free_size(self, size: int) -> int:
        return size - 1

    def is_boundary(self, value: ArrayLike) -> NDArray[np.bool_]:
        return np.asarray(value, dtype=float) <= 0.0


@dataclass(frozen=True)
class PositiveVector(Domain):
    """Vectors (length >= 2) of strictly positive numbers, e.g. Dirichlet concentrations."""

    vector: bool = True

    def contains(self, value: ArrayLike) -> bool:
        v = np.asarray(value, dtype=float)
        return bool(v.ndim == 1 and v.size >= 2 and np.all(np.isfinite(v)) and np.all(v > 0))

    def describe(self) -> str:
        return "a vector of >= 2 positive numbers"


REAL = Interval()
POSITIVE = Interval(0.0, None)
NONNEGATIVE = Interval(0.0, None, low_closed=True)
UNIT = Interval(0.0, 1.0, True, True)
OPEN_UNIT = Interval(0.0, 1.0)
POSITIVE_INTEGER = Integer(1)
NONNEGATIVE_INTEGER = Integer(0)
SIMPLEX = Simplex()
POSITIVE_VECTOR = PositiveVector()
