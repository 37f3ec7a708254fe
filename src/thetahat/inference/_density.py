"""The log posterior density over unconstrained coordinates, vectorised over points.

What quadrature, importance sampling and MCMC integrate: one definition, so the
three agree on the target to the last bit.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ._solve import FitProblem, _Objective

__all__ = ["LogPosterior"]


class LogPosterior:
    """``l(z)`` of a problem in its unconstrained parametrisation, at rows of ``z``.

    ``l(z) = log p(data | theta(z)) + log p(theta(z)) + log |d theta / dz|``, whose
    integral over ``z`` is the evidence. The prior and the Jacobian are evaluated
    for all rows at once; the likelihood (a reduction over the data or its
    statistics) row by row through the problem.

    Examples
    --------
    >>> import numpy as np
    >>> import thetahat as th
    >>> from thetahat.inference._solve import FitProblem
    >>> from thetahat.statistics import statistics_of
    >>> fam = th.Poisson()
    >>> lp = LogPosterior(FitProblem(fam, statistics_of(fam, [2, 3]), th.Gamma(2, 1),
    ...                              "unconstrained"))
    >>> lp(np.zeros((1, 1))).shape
    (1,)
    """

    def __init__(self, problem: FitProblem) -> None:
        self.obj = _Objective(problem, {})
        self.problem = problem
        self.doms = tuple(self.obj.doms)
        self.names = tuple(self.obj.names)
        self.calls = 0

    def _logprior(self, cols: list[NDArray[np.float64]]) -> NDArray[np.float64]:
        prior = self.problem.prior
        if isinstance(prior, dict):
            return np.asarray(
                sum(
                    np.asarray(prior[n].logdensity(c), dtype=float)
                    for n, c in zip(self.names, cols, strict=True)
                ),
                dtype=float,
            )
        if len(cols) == 1 and not getattr(prior, "event_vector", False):
            return np.asarray(prior.logdensity(cols[0]), dtype=float)
        stacked = np.stack(cols, axis=-1)
        try:
            out = np.asarray(prior.logdensity(stacked), dtype=float)
        except (ValueError, TypeError):
            out = np.empty(0)
        if out.shape != (stacked.shape[0],):  # a joint prior that takes one point at a time
            out = np.array([float(np.sum(prior.logdensity(row))) for row in stacked])
        return out

    def __call__(self, z: NDArray[np.float64]) -> NDArray[np.float64]:
        """``l(z)`` at each row of ``z``: prior and Jacobian vectorised, the likelihood
        (a reduction over the data or its statistics) node by node."""
        n = z.shape[0]
        self.calls += n
        with np.errstate(all="ignore"):
            cols = [
                np.asarray(d.from_unconstrained(z[:, i]), dtype=float) * np.ones(n)
                for i, d in enumerate(self.doms)
            ]
            out = sum(
                np.asarray(d.log_jacobian(z[:, i]), dtype=float) for i, d in enumerate(self.doms)
            )
            out = out + self._logprior(cols)
            ok = np.isfinite(out)
            for c in cols:
                ok &= np.isfinite(c)
            loglik = self.problem.loglik
            for j in np.flatnonzero(ok).tolist():
                out[j] += loglik({nm: float(c[j]) for nm, c in zip(self.names, cols, strict=True)})
        return np.where(ok & np.isfinite(out), out, -np.inf)
