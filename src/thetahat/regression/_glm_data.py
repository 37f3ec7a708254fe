"""The rows of a GLM fit, behind the few questions the one GLM fit asks of them.

:meth:`~._glm_base.GLMBase._fit_glm_on` fits any :class:`GLMData`: the solve, and
at the solution the :class:`Fitted` sums (Pearson's chi-squared, the deviance,
the log-likelihood at a dispersion, the ML dispersion). :class:`MemoryRows` answers
them from NumPy arrays; ``_dask_glm.DaskGLMRows`` with one Dask reduction per
question (per Newton/Fisher-scoring step for the solve), each block reduced by the
same :class:`~._families.GLMFamily` methods.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from ._checks import NotIdentifiable, identifiability_message, univariate_separation
from ._data import DeferredFinite
from ._families import GLMFamily
from ._loss import Family, linear_predictor
from ._solvers import GLMFit, PenaltyVec, fit_glm
from .penalties import PriorSpec

__all__ = ["Fitted", "GLMData", "MemoryRows"]

Array = NDArray[np.float64]
#: a penalised coefficient counts as held by the prior, not the data, when the data's
#: curvature along it is below this multiple of the prior's
PRIOR_HELD = 100.0


class Fitted(Protocol):
    """Sums over the rows at the fitted means ``mu`` of one solution."""

    def pearson(self) -> float:
        """Pearson's chi-squared."""
        ...

    def deviance(self) -> float:
        """The deviance."""
        ...

    def loglik(self, phi: float) -> float:
        """The log-likelihood at dispersion ``phi``."""
        ...

    def ml_dispersion(self, n: float, start: float | None = None) -> float:
        """The dispersion that maximises the likelihood (an iterative solve, the Tweedie
        one, from ``start``; the log-likelihoods it evaluates are kept for :meth:`loglik`)."""
        ...


class GLMData(Protocol):
    """What the one GLM fit asks of its rows (see the module docstring)."""

    p: int
    positive: int
    n_obs: float
    label: str

    def identifiability_message(
        self, names: list[str], fit_b: bool, groups: list[list[int]]
    ) -> str:
        """The error text for a design that does not identify the coefficients."""
        ...

    def solve(
        self,
        est: Any,
        family: Family,
        fit_b: bool,
        pen: PenaltyVec,
        spec: PriorSpec,
        theta0: Array | None,
        names: list[str],
    ) -> GLMFit:
        """The (penalised) maximum-likelihood solve."""
        ...

    def fitted(self, glm: GLMFamily, theta: Array, fit_b: bool) -> Fitted:
        """The sums at the means of ``theta``."""
        ...

    def held_separation(self, sep: str, fit_b: bool, res: GLMFit, pen: PenaltyVec) -> list[int]:
        """Coefficients only the prior holds finite (checked where the rows allow)."""
        ...

    def laplace_check(self, family: Family, pen: PenaltyVec, theta: Array, cov: Array) -> Any:
        """The PSIS check of the Laplace posterior, or None."""
        ...

    def details(self) -> dict[str, Any]:
        """Entries for ``estimate_.details`` (passes, engine)."""
        ...


class MemoryFitted:
    """:class:`Fitted` of rows in memory: the family's methods on the arrays."""

    def __init__(self, glm: GLMFamily, y: Array, mu: Array, sw: Array | None) -> None:
        self.glm, self.y, self.mu, self.sw = glm, y, mu, sw
        self._ll: dict[float, float] = {}  # log-likelihoods by dispersion, kept

    def pearson(self) -> float:
        return self.glm.pearson(self.y, self.mu, self.sw)

    def deviance(self) -> float:
        return self.glm.deviance(self.y, self.mu, self.sw)

    def loglik(self, phi: float) -> float:
        if phi not in self._ll:
            self._ll[phi] = self.glm.loglik(self.y, self.mu, self.sw, phi)
        return self._ll[phi]

    def ml_dispersion(self, n: float, start: float | None = None) -> float:
        return self.glm.ml_dispersion(self.y, self.mu, self.sw, n, start, self._ll)


class MemoryRows:
    """:class:`GLMData` of NumPy arrays (X, y, weights, offset).

    Examples
    --------
    >>> import numpy as np
    >>> rows = MemoryRows(np.ones((3, 1)), np.array([0.0, 1.0, 1.0]), None, None)
    >>> rows.p, rows.positive, rows.n_obs
    (1, 3, 3.0)
    """

    label = ""

    def __init__(
        self,
        X: Array,
        y: Array,
        sw: Array | None,
        offset: Array | None,
        finite: DeferredFinite | None = None,
    ) -> None:
        self.X, self.y, self.sw, self.offset = X, y, sw, offset
        self.p = int(X.shape[1])
        self.positive = int(X.shape[0] if sw is None else np.count_nonzero(sw))
        self.n_obs = float(X.shape[0] if sw is None else sw.sum())
        # X's finiteness check when deferred to the solve's first full pass (dense X)
        self.finite = finite

    def identifiability_message(
        self, names: list[str], fit_b: bool, groups: list[list[int]]
    ) -> str:
        if self.finite is not None:
            self.finite.check()
        return identifiability_message(self.X, self.sw, names, fit_b, groups)

    def solve(
        self,
        est: Any,
        family: Family,
        fit_b: bool,
        pen: PenaltyVec,
        spec: PriorSpec,
        theta0: Array | None,
        names: list[str],
    ) -> GLMFit:
        finite = self.finite
        try:
            res = fit_glm(
                family,
                self.X,
                self.y,
                self.sw,
                self.offset,
                fit_b,
                pen,
                theta0=theta0,
                max_iter=int(est.max_iter),
                tol=float(est.tol),
                check_rank=spec.is_flat,
                finite=finite,
            )
        except NotIdentifiable as exc:
            raise ValueError(self.identifiability_message(names, fit_b, exc.groups)) from None
        except Exception:
            if finite is not None:  # a NaN in X, not the solver, explains what went wrong
                finite.check()
            raise
        if finite is not None:  # (nothing to do when a pass proved X finite)
            finite.check()
        return res

    def fitted(self, glm: GLMFamily, theta: Array, fit_b: bool) -> MemoryFitted:
        return MemoryFitted(
            glm, self.y, glm.mean(eta_of(self.X, theta, fit_b, self.offset)), self.sw
        )

    def held_separation(self, sep: str, fit_b: bool, res: GLMFit, pen: PenaltyVec) -> list[int]:
        return _prior_held_separation(sep, self.X, self.y, self.sw, fit_b, res, pen)

    def laplace_check(self, family: Family, pen: PenaltyVec, theta: Array, cov: Array) -> Any:
        return _laplace_check(family, self.X, self.y, self.sw, self.offset, pen, theta, cov)

    def details(self) -> dict[str, Any]:
        return {}


def eta_of(X: Array, theta: Array, fit_b: bool, offset: Array | None) -> Array:
    """``X w + b (+ offset)`` at ``theta`` (intercept last when ``fit_b``)."""
    c, b = (theta[:-1], float(theta[-1])) if fit_b else (theta, 0.0)
    return linear_predictor(X, c, b, offset)


def _laplace_check(
    fam: Family, X: Array, y: Array, sw: Any, offset: Any, pen: PenaltyVec, theta: Array, cov: Array
) -> Any:
    """:class:`thetahat._psis.LaplaceCheck` of the GLM's log posterior against N(theta, cov)."""
    from .._psis import LaplaceCheck

    return LaplaceCheck(_GLMLogPosterior(fam, X, y, sw, offset, pen), theta, cov)


class _GLMLogPosterior:
    """The GLM's log posterior at rows of coefficient draws (picklable, unlike a closure)."""

    def __init__(
        self, fam: Family, X: Array, y: Array, sw: Any, offset: Any, pen: PenaltyVec
    ) -> None:
        self.fam, self.X, self.y, self.sw, self.offset, self.pen = fam, X, y, sw, offset, pen

    def __call__(self, draws: Array) -> Array:
        from ._glm_base import log_prior

        p = self.X.shape[1]
        out = np.empty(draws.shape[0])
        for i in range(0, draws.shape[0], 64):  # blocks: memory n x 64
            th = draws[i : i + 64]
            eta = self.X @ th[:, :p].T + (th[:, p] if th.shape[1] > p else 0.0)
            if self.offset is not None:
                eta = eta + self.offset[:, None]
            nll = self.fam.nll(eta, self.y[:, None])
            ll = -(nll.sum(0) if self.sw is None else self.sw @ nll)
            out[i : i + 64] = ll + np.array([log_prior(t, self.pen) for t in th])
        return out


def _prior_held_separation(
    sep: str,
    X: Array,
    y: Array,
    sw: Array | None,
    fit_b: bool,
    res: GLMFit,
    pen: PenaltyVec,
) -> list[int]:
    """Would the MLE diverge along one column that only the prior holds? (no LP)

    The data's curvature along coefficient ``j`` is the Hessian's diagonal minus the
    prior's (``l2_j``, plus ``l1_j / |theta_j|`` for a Laplace prior, the curvature
    of its quadratic majoriser). Where it is below ``PRIOR_HELD`` times the prior's,
    :func:`~._checks.univariate_separation` checks that column (one read of it).
    Separation along several columns at once is not looked for under a prior.
    """
    theta = res.theta
    absd = np.abs(theta)
    prior_curv = pen.l2 + np.divide(pen.l1, absd, out=np.zeros_like(absd), where=absd > 0)
    data_curv = res.hessian_diagonal() - pen.l2
    held = (prior_curv > 0) & (data_curv < PRIOR_HELD * prior_curv)
    if fit_b:
        held[-1] = False
    if not held.any():
        return []
    return univariate_separation(sep, X, y, sw, fit_b, [int(j) for j in np.flatnonzero(held)])
