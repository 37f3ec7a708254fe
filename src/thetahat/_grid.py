"""Trapezoid rules on whitened grids: the integration engine of quadrature posteriors.

Shared by ``th.posterior(method="quadrature")`` (over a family's parameters) and
``th.shrink(method="full")`` (over a prior's hyperparameters). A log density
``l(z)`` (a callable over rows of ``z``, with a ``calls`` counter) is integrated on
the grid ``z = m + L u``, ``u in h Z^k``, with ``L`` a Cholesky factor of a Gaussian
fit's covariance, permuted so that one chosen coordinate is ``m_i + L_11 u_1``
(its marginal is then a sum over the other axes). The box grows until every face
is ``exp(-32)`` below the peak; ``h`` halves until two rules agree (the trapezoid
rule converges geometrically for smooth, decaying integrands, so the difference
of two levels is an honest error estimate). Marginal cdfs between nodes integrate
the sinc interpolant in closed form, ``F(u) = h sum_j f_j (1/2 + Si(pi (u - u_j)/h)/pi)``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

__all__ = ["Level", "TooManyNodes", "TrapezoidGrid", "refine"]

#: a face of the grid is far enough out when its log density is this far below the peak
_TAIL = 32.0
#: starting half-width of the box (whitened units) and the step it grows by
_R0, _GROW, _RMAX = 6.0, 2.0, 60.0
#: coarsest spacing per dimension, and the finest tried
_H0 = {1: 0.5, 2: 0.5, 3: 1.0}
_HMIN = {1: 1.0 / 64.0, 2: 1.0 / 16.0, 3: 0.25}
#: the most log-posterior evaluations one grid may use
_MAX_NODES = 400_000


class TrapezoidGrid:
    """Trapezoid grids of one ordering of the parameters, refined by halving ``h``."""

    def __init__(
        self, ev: Any, mean: NDArray[np.float64], cov: NDArray[np.float64], first: int
    ) -> None:
        k = mean.shape[0]
        self.k, self.ev = k, ev
        self.perm = [first, *(i for i in range(k) if i != first)]
        cp = cov[np.ix_(self.perm, self.perm)]
        lp = np.linalg.cholesky(cp)
        inv = np.argsort(self.perm)
        # z = mean + L u with L the permuted factor mapped back to the original order
        self.L = lp[inv, :]
        self.mean = mean
        self.logdet = float(np.sum(np.log(np.diag(lp))))
        self.cache: dict[tuple[float, ...], float] = {}
        self.extent: tuple[list[float], list[float]] | None = None

    def values(self, h: float, lo: list[int], hi: list[int]) -> tuple[NDArray[Any], NDArray[Any]]:
        """Nodes (u, shape (N, k)) of the box ``[lo, hi] * h`` and the log density there."""
        axes = [np.arange(a, b + 1) * h for a, b in zip(lo, hi, strict=True)]
        mesh = np.meshgrid(*axes, indexing="ij")
        u = np.stack([m.ravel() for m in mesh], axis=-1)
        keys = [tuple(r) for r in u.tolist()]
        todo = [i for i, key in enumerate(keys) if key not in self.cache]
        if len(self.cache) + len(todo) > _MAX_NODES:
            raise TooManyNodes
        if todo:
            z = self.mean + u[todo] @ self.L.T
            vals = self.ev(z)
            for i, v in zip(todo, vals.tolist(), strict=True):
                self.cache[keys[i]] = v
        lv = np.array([self.cache[key] for key in keys])
        return u, np.where(np.isfinite(lv), lv, -np.inf)

    def level(self, h: float, peak: float) -> Level:
        """The grid at spacing ``h``, its box grown until every face is in the tails.

        A finer level starts from the box the coarser one ended with; a face still
        above the tail moves out by half the box's extent on that side (at least
        ``_GROW``), so long tails take a few steps, not many.
        """
        k = self.k
        ext_lo, ext_hi = self.extent if self.extent is not None else ([_R0] * k, [_R0] * k)
        lo = [-math.ceil(e / h) for e in ext_lo]
        hi = [math.ceil(e / h) for e in ext_hi]
        while True:
            u, lv = self.values(h, lo, hi)
            shape = tuple(b - a + 1 for a, b in zip(lo, hi, strict=True))
            cube = lv.reshape(shape)
            moved = False
            for ax in range(k):
                for side, idx in ((0, 0), (1, -1)):
                    if np.max(np.take(cube, idx, axis=ax)) <= peak - _TAIL:
                        continue
                    if side == 0 and -lo[ax] * h < _RMAX:
                        lo[ax] -= max(math.ceil(_GROW / h), -lo[ax] // 2)
                        moved = True
                    elif side == 1 and hi[ax] * h < _RMAX:
                        hi[ax] += max(math.ceil(_GROW / h), hi[ax] // 2)
                        moved = True
            if not moved:
                self.extent = ([-a * h for a in lo], [b * h for b in hi])
                return Level(self, h, u, lv, shape)


class TooManyNodes(Exception):
    pass


class Level:
    """One trapezoid rule: nodes, weights, evidence, the first parameter's marginal."""

    def __init__(
        self,
        grid: TrapezoidGrid,
        h: float,
        u: NDArray[Any],
        lv: NDArray[Any],
        shape: tuple[int, ...],
    ) -> None:
        self.grid, self.h, self.u, self.shape = grid, h, u, shape
        top = float(np.max(lv))
        w = np.exp(lv - top)
        total = float(w.sum())
        k = grid.k
        self.log_evidence = top + math.log(total) + k * math.log(h) + grid.logdet
        self.w = w / total
        self.z = grid.mean + u @ grid.L.T
        self.lv = lv
        # the first parameter's marginal over its own axis (u_1)
        first = grid.perm[0]
        cube = self.w.reshape(shape)
        f = cube.sum(axis=tuple(range(1, k))) if k > 1 else cube
        self.u1 = np.unique(u[:, 0])
        self.f1 = f / h  # density of u_1 at its nodes (sums to 1 / h)
        self.scale1 = float(grid.L[first, 0])
        self.mean1 = float(grid.mean[first])

    def theta_moments(self, dom: Any) -> tuple[float, float]:
        """Mean and variance of the first parameter (its 1-d marginal rule)."""
        with np.errstate(all="ignore"):
            t = np.asarray(dom.from_unconstrained(self.mean1 + self.scale1 * self.u1), dtype=float)
        p = self.f1 * self.h
        ok = p > 0
        m = float(np.dot(p[ok], t[ok]))
        return m, float(np.dot(p[ok], (t[ok] - m) ** 2))

    def cdf_u(self, u: float) -> float:
        """P(u_1 <= u) by the integrated sinc interpolant of the marginal."""
        si, _ = sc.sici(np.pi * (u - self.u1) / self.h)
        return float(np.sum(self.f1 * self.h * (0.5 + si / np.pi)))

    def quantile(self, q: float, dom: Any) -> float:
        """The ``q`` quantile of the first parameter."""
        from scipy.optimize import brentq

        c = np.cumsum(self.f1 * self.h)
        j = int(np.clip(np.searchsorted(c, q), 1, len(c) - 1))
        a, b = self.u1[max(j - 2, 0)], self.u1[min(j + 1, len(c) - 1)]
        while self.cdf_u(a) > q and a > self.u1[0]:
            a -= self.h
        while self.cdf_u(b) < q and b < self.u1[-1]:
            b += self.h
        u = brentq(lambda v: self.cdf_u(v) - q, a, b, xtol=1e-13, rtol=1e-15)
        with np.errstate(all="ignore"):
            return float(dom.from_unconstrained(self.mean1 + self.scale1 * u))


def refine(grid: TrapezoidGrid, peak: float, k: int, rtol: float) -> tuple[Level, Level, bool]:
    """Halve ``h`` until two successive rules agree; returns (finest, previous, converged)."""
    h = _H0[k]
    prev = grid.level(h, peak)
    dom = grid.ev.doms[grid.perm[0]]
    while True:
        h /= 2.0
        try:
            cur = grid.level(h, peak)
        except TooManyNodes:
            return prev, prev, False
        m0, v0 = prev.theta_moments(dom)
        m1, v1 = cur.theta_moments(dom)
        sd = math.sqrt(max(v1, 0.0)) or 1.0
        close = (
            abs(cur.log_evidence - prev.log_evidence) < rtol * 10
            and abs(m1 - m0) < rtol * sd
            and abs(v1 - v0) < rtol * sd * sd * 10
        )
        if close or h <= _HMIN[k]:
            return cur, prev, bool(close)
        prev = cur
