"""The one GLM fit behind LogisticRegression, PoissonRegression and GLMRegression.

Every GLM estimator fits through :meth:`GLMBase._fit_glm`: a family (a specialised
canonical one, or any distribution x link of :mod:`._families`), the fused solver
(:func:`~._solvers.fit_glm`), the dispersion, the standard errors, the boundary
checks, the :class:`~thetahat.results.Estimate` and, under a prior, the Laplace
posterior. The estimators only validate their targets and choose the family.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..results import BoundaryWarning, ConvergenceWarning, LazyCovariance
from ._base import RegressionBase, build_estimate, warn_all
from ._data import DeferredFinite
from ._families import GLMFamily
from ._glm_data import Fitted, GLMData, MemoryRows
from ._loss import Family, blas_one_thread_for
from ._posterior import RegressionPosterior
from ._predictive import GLMIntervals
from ._solvers import GLMFit, PenaltyVec
from ._sparse import issparse, with_intercept
from .penalties import PriorSpec, parse_prior

__all__ = ["GLMBase", "log_prior", "penalty_vector"]

Array = NDArray[np.float64]
_LOG_2PI = math.log(2.0 * math.pi)
#: the dispersion of a MAP fit is re-estimated until it moves by less than this
SCALE_RTOL = 1e-10


@dataclass(frozen=True)
class Dispersion:
    """How the dispersion was chosen: ``"pearson"``, ``"ml"``, ``"fixed"`` (a number)."""

    kind: str
    value: float = 1.0


def parse_scale(scale: Any) -> Dispersion:
    if isinstance(scale, str):
        if scale in ("pearson", "ml"):
            return Dispersion(scale)
        raise ValueError(f"scale must be 'pearson', 'ml' or a positive number; got {scale!r}")
    try:
        v = float(scale)
    except (TypeError, ValueError):
        raise ValueError(
            f"scale must be 'pearson', 'ml' or a positive number; got {scale!r}"
        ) from None
    if not (v > 0 and math.isfinite(v)):
        raise ValueError(f"scale must be a positive finite number; got {scale!r}")
    return Dispersion("fixed", v)


def penalty_vector(spec: PriorSpec, p: int, fit_b: bool, shrink_b: bool, who: str) -> PenaltyVec:
    """The prior's per-coefficient terms over ``(coef..., intercept)``."""
    if spec.kind in ("nig", "evidence"):
        raise ValueError(
            f"{who} takes a Normal, a Laplace or a pair of both as prior; "
            f"a {spec.kind!r} prior applies to LinearRegression"
        )
    k = p + int(fit_b)
    mask = np.ones(k)
    if fit_b and not shrink_b:
        mask[-1] = 0.0
    return PenaltyVec(l2=spec.l2 * mask, mean=spec.mean * mask, l1=spec.l1 * mask)


def log_prior(theta: Array, pen: PenaltyVec) -> float:
    """Log density of the (proper part of the) prior at ``theta``."""
    total = 0.0
    on2 = pen.l2 > 0
    if on2.any():
        d = (theta - pen.mean)[on2]
        total += float(np.sum(0.5 * (np.log(pen.l2[on2]) - _LOG_2PI)) - 0.5 * pen.l2[on2] @ (d * d))
    on1 = pen.l1 > 0
    if on1.any():
        total += float(np.sum(np.log(0.5 * pen.l1[on1])) - pen.l1[on1] @ np.abs(theta[on1]))
    return total


_KIND = {
    "flat": "MLE",
    "gaussian": "MAP, Normal prior",
    "laplace": "MAP, Laplace prior",
    "elasticnet": "MAP, Normal + Laplace prior",
}


class GLMBase(GLMIntervals, RegressionBase):
    """Shared fit of the GLMs (see the module docstring)."""

    prior: Any
    shrink_intercept: bool
    max_iter: int
    tol: float
    _model: str

    def _accepts_sparse(self) -> bool:
        return True

    def _fit_glm(
        self,
        family: Family,
        X: Array,
        y: Array,
        sw: Array | None,
        offset: Array | None,
        scale: Dispersion | None = None,
        *,
        x_checked: bool = True,
    ) -> GLMFit:
        """Fit rows in memory (see :meth:`_fit_glm_on`). ``x_checked=False``: X's
        finiteness is not yet checked (``_validate_fit(..., finite_X=False)``) and is
        proven by the solve's first full pass (:class:`~._data.DeferredFinite`)."""
        finite = None if x_checked or issparse(X) else DeferredFinite(X)
        return self._fit_glm_on(family, MemoryRows(X, y, sw, offset, finite), scale)

    def _fit_glm_on(self, family: Family, data: GLMData, scale: Dispersion | None = None) -> GLMFit:
        """Fit, then set ``coef_``, ``intercept_``, ``n_iter_``, ``estimate_`` (and
        ``scale_``, ``posterior_`` where they apply). ``data`` holds the rows: in
        memory (:class:`MemoryRows`) or where they live (a Dask cluster: every
        quantity of the rows is then one reduction)."""
        self.__dict__.pop("posterior_", None)
        spec = parse_prior(self.prior)
        names = self._fit_names()  # (x0, x1, ... made when read: no list of p strings)
        fit_b = bool(self.fit_intercept)
        k = data.p + int(fit_b)
        if spec.is_flat and data.positive < k:
            raise ValueError(data.identifiability_message(names, fit_b, []))
        pen = penalty_vector(
            spec, data.p, fit_b, fit_b and bool(self.shrink_intercept), type(self).__name__
        )
        glm = family if isinstance(family, GLMFamily) else None
        disp = scale or Dispersion("fixed", 1.0)
        dispersed = glm is not None and glm.has_dispersion
        phi = disp.value if (dispersed and disp.kind == "fixed") else 1.0
        n_obs = data.n_obs
        theta0: Array | None = None
        fitted: Fitted | None = None
        for _ in range(50 if (dispersed and not spec.is_flat and disp.kind != "fixed") else 1):
            res = data.solve(self, family, fit_b, pen.scaled(phi), spec, theta0, names)
            if glm is None or res.separated:
                break
            fitted = data.fitted(glm, res.theta, fit_b)
            new = _dispersion(disp, fitted, n_obs, k) if dispersed else 1.0
            done = abs(new - phi) <= SCALE_RTOL * phi
            phi, theta0 = new, res.theta
            if done or spec.is_flat:
                break

        theta = res.theta
        self.coef_ = theta[:-1].copy() if fit_b else theta.copy()
        self.intercept_ = float(theta[-1]) if fit_b else 0.0
        self.n_iter_ = res.iterations
        labels = with_intercept(names, "last") if fit_b else names
        warns: list[str] = []
        status = "success"
        active = (theta != 0) | (pen.l1 == 0)
        cov: Any
        sep = family.separation
        if res.separated:  # along coefficients no prior holds: no MLE (or MAP)
            kind = "mle" if spec.is_flat else "map"
            warns.append(self._divergence_message(sep, labels, res.separated, kind))
            status = "boundary"
            cov = np.full((k, k), np.inf)
            warn_all(tuple(warns), BoundaryWarning)
        else:
            if not spec.is_flat and sep is not None:
                along = data.held_separation(sep, fit_b, res, pen.scaled(phi))
                if along:
                    warns.append(self._divergence_message(sep, labels, along, "held"))
                    warn_all(tuple(warns), BoundaryWarning)
            # the Hessian's last use: inverted in its own memory
            cov, status = solved_covariance(res, active, phi, warns, status, consume=True)
        lp = log_prior(theta, pen) if not spec.is_flat else None
        extra: dict[str, Any] = {"n_nonzero": int(np.sum(theta != 0))}
        lines: tuple[str, ...] = ()
        if glm is not None and fitted is not None:
            self.scale_ = phi
            # the ML dispersion: already solved for when it is the scale; otherwise solved
            # from the scale, whose log-likelihood the solve records (and the Tweedie
            # series, most of such a fit's time, is not evaluated again below)
            phi_ml = 1.0
            if dispersed:
                phi_ml = phi if disp.kind == "ml" else fitted.ml_dispersion(n_obs, start=phi)
            if dispersed and not (phi_ml > 1e-300 and phi > 1e-300):
                # every residual 0: the likelihood grows without bound as phi -> 0
                m = (
                    "the fit is exact (every residual is 0): the dispersion's MLE is 0 and "
                    "the log-likelihood unbounded (parameter 'scale' at the boundary)"
                )
                warns.append(m)
                status = "boundary"
                warn_all((m,), BoundaryWarning)
                loglik = loglik_used = math.inf
            else:
                loglik = fitted.loglik(phi_ml)
                loglik_used = loglik if phi_ml == phi else fitted.loglik(phi)
            dev = fitted.deviance()
            chi2 = fitted.pearson()
            method = "Newton (IRLS)" if glm.canonical else "Fisher scoring (IRLS)"
            extra.update(
                family=glm.dist,
                link=glm.link_name,
                scale=phi,
                scale_ml=phi_ml,
                deviance=dev,
                pearson_chi2=chi2,
                solver=method,
            )
            if glm.dist == "tweedie":
                extra["power"] = glm.power
            lines = (
                f"GLM family: {glm.dist}",
                f"Link: {glm.link_name}",
                f"Solver: {'Newton' if glm.canonical else 'Fisher-scoring'}",
                f"Scale: {phi:.6g}",
                f"Scale from: {disp.kind if dispersed else 'fixed'}",
                f"Deviance: {dev:.6g}",
                f"Pearson chi2: {chi2:.6g}",
            )
        else:
            loglik = loglik_used = -res.nll
        extra.update(data.details())
        self.estimate_ = build_estimate(
            model=f"{self._model} ({_KIND[spec.kind]}{data.label})",
            names=names,
            theta=theta,
            cov=cov,
            fit_intercept=fit_b,
            method="mle" if spec.is_flat else "map",
            loglik=loglik,
            n=n_obs,
            df_model=k + int(dispersed),
            prior=self.prior,
            logpost=None if lp is None else loglik_used + lp,
            df_resid=n_obs - k if dispersed else None,
            warnings=tuple(warns),
            status=status,
            message=(
                "se of weights at exactly 0 (the L1 kink) are NaN"
                if spec.l1 > 0 and not active.all()
                else ""
            ),
            converged=res.converged,
            iterations=res.iterations,
            extra=extra,
            summary_lines=lines,
        )
        # a wide sparse fit's covariance is lazy (LazyCovariance): no Laplace posterior or
        # PSIS check, which need the whole matrix; a packed one (stored: the whole matrix
        # is read when asked for) has both, formed on first use
        formed = isinstance(cov, np.ndarray) or (isinstance(cov, LazyCovariance) and cov.stored)
        if lp is not None and status == "success" and formed:
            self.posterior_ = _laplace_posterior(
                labels, theta, cov, loglik_used + lp, n_obs, self.prior, res.cov_logdet
            )
        # issue 15: the PSIS check of the Laplace posterior N(MAP, cov) (computed on access);
        # families with a dispersion are left out: their Newton objective is a quasi-likelihood
        check = None
        if (
            formed
            and lp is not None
            and status == "success"
            and not dispersed
            and pen.l1.max() == 0
        ):
            check = data.laplace_check(family, pen, theta, cov)
        if check is not None:
            self.laplace_check_ = check
        else:
            self.__dict__.pop("laplace_check_", None)  # from an earlier fit with another prior
        return res

    def _divergence_message(
        self, sep: str | None, labels: list[str], along: list[int], kind: str
    ) -> str:
        """Why the estimate diverges along ``along``: the MLE ("mle"), a MAP whose prior
        leaves those coefficients free ("map"), or a MAP held only by the prior ("held")."""
        bad = ", ".join(labels[j] for j in along)
        fix = "A prior fixes this, e.g. prior=th.Normal(0, 2.5)"
        if self.fit_intercept and len(labels) - 1 in along:
            fix += ", with shrink_intercept=True for the intercept"
        if kind == "held":
            fix = "This MAP is finite only because of the prior"
        what = "MAP (the prior does not hold the intercept)" if kind == "map" else "MLE"
        if sep == "logistic":
            return (
                f"the data are (quasi-)separated: the likelihood keeps increasing along "
                f"{bad}, so the {what} does not exist (those coefficients diverge). {fix}"
            )
        return (
            f"the counts are 0 wherever the linear predictor can be lowered: the likelihood "
            f"keeps increasing along {bad} (fitted means of zero counts go to 0), so the "
            f"{what} does not exist (those coefficients diverge). {fix}"
        )


def solved_covariance(
    res: GLMFit,
    active: NDArray[np.bool_],
    scale: float,
    warns: list[str],
    status: str,
    consume: bool = False,
) -> tuple[Any, str]:
    """The covariance of a finished solve (``scale`` times the inverse Hessian over the
    ``active`` coefficients) and the status it leaves: ``boundary`` where the Hessian is
    singular, ``failed`` where the iterations stopped early (both added to ``warns``).
    ``consume``: inverted in the Hessian's memory, which ``res`` then no longer holds."""
    k = res.theta.shape[0]
    try:
        with blas_one_thread_for(k):
            cov = res.covariance(active, scale, consume=consume)
    except np.linalg.LinAlgError:
        cov = np.full((k, k), np.inf)
        warns.append("the Hessian is singular: standard errors are infinite")
        status = "boundary"
    if not res.converged:
        m = f"the iterations stopped before converging ({res.message})"
        warns.append(m)
        status = "failed"
        warn_all((m,), ConvergenceWarning)
    return cov, status


def _dispersion(disp: Dispersion, fitted: Fitted, n: float, k: int) -> float:
    if disp.kind == "fixed":
        return disp.value
    if disp.kind == "ml":
        return fitted.ml_dispersion(n)
    return fitted.pearson() / max(n - k, 1.0)


def _laplace_posterior(
    labels: list[str],
    theta: Array,
    cov: Array,
    logpost: float,
    n: float,
    prior: Any,
    logdet: float = math.nan,
) -> RegressionPosterior:
    """A Gaussian at the MAP with the Hessian's inverse as covariance, and the Laplace
    evidence ``log p(y) ~ logpost + k/2 log(2 pi) + 1/2 log det(cov)`` (NaN when a
    weight sits at an L1 kink, where the approximation does not apply). ``logdet``:
    ``log det cov`` where the inversion already had it (else a k x k LU here).

    A finite ``cov`` is shared with the posterior, not copied (read-only from here on);
    a stored :class:`~thetahat.results.LazyCovariance` (whose ``logdet`` is given) too,
    formed on first use.
    """
    k = theta.shape[0]
    if isinstance(cov, LazyCovariance):  # (its inverse succeeded: finite where the diagonal is)
        finite = bool(np.all(np.isfinite(cov.variances(np.arange(k)))))
    else:
        finite = bool(np.all(np.isfinite(cov)))
    if finite and not math.isnan(logdet):
        sign = 1.0
    else:
        sign, logdet = np.linalg.slogdet(cov) if finite else (0.0, np.nan)
    log_ev = logpost + 0.5 * k * _LOG_2PI + 0.5 * logdet if sign > 0 else float("nan")
    if finite and isinstance(cov, np.ndarray):
        cov.flags.writeable = False
    return RegressionPosterior(
        names=tuple(labels),
        loc=theta.copy(),
        scale=cov if finite else np.where(np.isnan(cov), 0.0, cov),
        df=None,
        log_evidence=float(log_ev),
        n=n,
        prior=prior,
        exact=False,
    )
