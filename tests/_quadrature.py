"""Numerical posteriors for the conjugacy tests: prior x likelihood, normalised by quadrature.

Nothing here uses thetahat: the likelihoods and priors are scipy.stats densities and
the integrals are scipy.integrate / Gauss-Legendre sums, so the numbers they give are
independent references for the closed-form conjugate updates.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import integrate, optimize


class Numeric1D:
    """A posterior over one real parameter from an unnormalised log density.

    ``logf(theta)`` is log prior + log likelihood (the complete likelihood, with every
    data-only constant), ``domain`` the parameter's open interval (may be infinite),
    ``search`` a finite interval holding the bulk of the posterior.
    """

    def __init__(
        self,
        logf: Callable[[float], float],
        search: tuple[float, float],
        logscale: bool = False,
    ) -> None:
        self.logf = logf
        lo, hi = search
        grid = np.geomspace(lo, hi, 600) if logscale else np.linspace(lo, hi, 600)
        vals = np.array([logf(t) for t in grid])
        i = int(np.nanargmax(vals))
        # the mode, to machine precision, by a bounded scalar search
        a, b = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
        res = optimize.minimize_scalar(
            lambda t: -logf(t), bounds=(a, b), method="bounded", options={"xatol": 1e-13}
        )
        self.mode = float(res.x)
        self.c = float(logf(self.mode))
        # integrate where the density is above exp(-60) of its peak
        keep = np.flatnonzero(vals > self.c - 60.0)
        self.a = float(grid[max(keep[0] - 1, 0)])
        self.b = float(grid[min(keep[-1] + 1, grid.size - 1)])
        self.z = self._int(lambda t: 1.0)

    def dens(self, t: float) -> float:
        """Unnormalised density exp(logf - c)."""
        return float(np.exp(self.logf(t) - self.c))

    def _int(
        self, g: Callable[[float], float], a: float | None = None, b: float | None = None
    ) -> float:
        lo = self.a if a is None else a
        hi = self.b if b is None else b
        pts = [p for p in (self.mode,) if lo < p < hi]
        val, _ = integrate.quad(
            lambda t: g(t) * self.dens(t),
            lo,
            hi,
            points=pts or None,
            limit=200,
            epsabs=0.0,
            epsrel=1e-11,
        )
        return float(val)

    @property
    def log_evidence(self) -> float:
        return float(np.log(self.z) + self.c)

    def expect(self, g: Callable[[float], float]) -> float:
        return self._int(g) / self.z

    def mean(self) -> float:
        return self.expect(lambda t: t)

    def var(self) -> float:
        m = self.mean()
        return self.expect(lambda t: (t - m) ** 2)

    def cdf(self, x: float) -> float:
        if x <= self.a:
            return 0.0
        return self._int(lambda t: 1.0, b=min(x, self.b)) / self.z


def gauss01(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights on [0, 1]."""
    x, w = np.polynomial.legendre.leggauss(n)
    return 0.5 * (x + 1.0), 0.5 * w
