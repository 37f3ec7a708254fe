"""The fit every count model shares: parameter layout, Poisson warm start, damped
Newton on the observed information of the joint log-likelihood, the estimate.

:class:`CountBase` is the estimators' base (:mod:`.count` holds the public models,
each a :class:`~._count_loss.CountSpec` and its ``predict``); :func:`_newton` its
solver, one :func:`~._count_loss.count_pass` per evaluation.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.base import RegressorMixin
from sklearn.utils.validation import check_is_fitted

from .._validation import first_bad
from ..optim import Status
from ..results import BoundaryWarning, ConvergenceWarning, Estimate
from ._base import RegressionBase, warn_all
from ._count_loss import CountSpec, count_pass
from ._data import check_X
from ._glm_base import log_prior, penalty_vector
from ._loss import POISSON, _blas_one_thread, linear_predictor
from ._posterior import RegressionPosterior
from ._predictive import CountIntervals
from ._solvers import PenaltyVec, fit_glm, newton_step
from .glm import _offset
from .penalties import parse_prior

__all__ = ["CountBase"]

Array = NDArray[np.float64]
_LOG_2PI = math.log(2.0 * math.pi)
#: log alpha below this (alpha < 1.5e-8): the dispersion's MLE is at 0 (a Poisson fit);
#: above A_HIGH: at infinity
A_LOW, A_HIGH = -18.0, 18.0
#: every row's inflation logit below this (pi < 1e-11): no zero inflation
U_LOW = -25.0
#: a coefficient beyond this (on the log or logit scale) after several Newton steps is
#: taken to diverge (an MLE at infinity: a quasi-separated inflation or count part)
DIVERGING = 30.0


class CountBase(RegressorMixin, CountIntervals, RegressionBase):
    """The shared fit of the count models (see the module docstring)."""

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.positive_only = True
        return tags

    _spec: CountSpec
    _model: str

    def __init__(
        self,
        prior: Any = None,
        fit_intercept: bool = True,
        shrink_intercept: bool = False,
        max_iter: int = 100,
        tol: float = 1e-9,
    ) -> None:
        self.prior = prior
        self.fit_intercept = fit_intercept
        self.shrink_intercept = shrink_intercept
        self.max_iter = max_iter
        self.tol = tol

    def _count_spec(self) -> CountSpec:
        return self._spec

    def fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        offset: Any = None,
        exposure: Any = None,
        inflation_X: Any = None,
    ) -> Any:
        """Fit the model; ``offset``/``exposure`` enter the mean's log-linear predictor;
        ``inflation_X`` (zero-inflated models) is the inflation logit's design
        (default: X)."""
        spec = self._count_spec()
        Xa, ya, sw = self._validate_fit(X, y, sample_weight)
        yf = np.asarray(ya, dtype=float)
        # non-integer values are allowed (the likelihood's lgamma terms extend to them, a
        # quasi-likelihood), as in PoissonRegression
        bad = yf <= 0 if spec.truncated else yf < 0
        if bad.any():
            i = first_bad(bad)
            need = "positive counts (zero-truncated)" if spec.truncated else "counts >= 0"
            raise ValueError(
                f"{type(self).__name__} needs y to be {need}; y[{i}] = {float(yf[i])!r} is not "
                f"({int(bad.sum())} value(s))"
            )
        off = _offset(exposure, offset, Xa.shape[0])
        Z: Array | None = None
        self._inflation_own = False
        if spec.inflated:
            if inflation_X is None:
                Z = Xa
            else:
                Z = check_X(np.asarray(inflation_X, dtype=float), "inflation_X")
                if Z.ndim != 2 or Z.shape[0] != Xa.shape[0]:
                    raise ValueError(
                        f"inflation_X must be 2-d with one row per row of X ({Xa.shape[0]}); "
                        f"got shape {Z.shape}"
                    )
                self._inflation_own = True
                cols = getattr(inflation_X, "columns", None)
                self.inflation_names_ = (
                    [str(c) for c in cols]
                    if cols is not None
                    else [f"z{j}" for j in range(Z.shape[1])]
                )
        elif inflation_X is not None:
            raise ValueError("inflation_X applies to the zero-inflated models only")
        self._fit_count(spec, Xa, Z, yf, sw, off)
        return self

    # ------------------------------------------------------------ the solve
    def _layout(self, p: int, q: int, spec: CountSpec) -> tuple[int, int, int]:
        fb = bool(self.fit_intercept)
        kx = p + int(fb)
        kz = q + int(fb) if spec.inflated else 0
        return kx, kz, int(spec.has_alpha)

    def _unpack(self, theta: Array, p: int, q: int, spec: CountSpec) -> tuple[Any, ...]:
        fb = bool(self.fit_intercept)
        kx, kz, ka = self._layout(p, q, spec)
        w = theta[:p]
        b = float(theta[p]) if fb else 0.0
        g = theta[kx : kx + q] if spec.inflated else None
        c = float(theta[kx + q]) if (spec.inflated and fb) else 0.0
        a = float(theta[kx + kz]) if ka else 0.0
        return w, b, g, c, a

    def _fit_count(
        self,
        spec: CountSpec,
        X: Array,
        Z: Array | None,
        y: Array,
        sw: Array | None,
        off: Array | None,
    ) -> None:
        self.__dict__.pop("posterior_", None)
        prior = parse_prior(self.prior)
        p = X.shape[1]
        q = 0 if Z is None else Z.shape[1]
        fb = bool(self.fit_intercept)
        kx, kz, ka = self._layout(p, q, spec)
        k = kx + kz + ka
        if prior.is_flat and (X.shape[0] if sw is None else np.count_nonzero(sw)) < k:
            raise ValueError(
                f"the model has {k} parameters but the data have fewer rows with positive "
                f"weight; the MLE is not identifiable. Use fewer features or a proper prior"
            )
        shrink = fb and bool(self.shrink_intercept)
        pen_x = penalty_vector(prior, p, fb, shrink, type(self).__name__)
        pen_z = penalty_vector(prior, q, fb, shrink, type(self).__name__) if kz else None
        parts = [pen_x] + ([pen_z] if pen_z is not None else [])
        pen = PenaltyVec(
            l2=np.concatenate([*(v.l2 for v in parts), np.zeros(ka)]),
            mean=np.concatenate([*(v.mean for v in parts), np.zeros(ka)]),
            l1=np.concatenate([*(v.l1 for v in parts), np.zeros(ka)]),
        )
        theta = self._start(spec, X, Z, y, sw, off, k, kx, kz)

        def at(th: Array, hess: bool = True) -> tuple[float, Array, Array | None]:
            w, b, g, c, a = self._unpack(th, p, q, spec)
            return count_pass(spec, X, Z, y, sw, off, w, b, g, c, a, fb, fb, with_hessian=hess)

        with _blas_one_thread():
            theta, ll, H, iters, converged, edge = _newton(
                at, theta, pen, int(self.max_iter), float(self.tol), spec, kx, kz, Z, q, fb
            )
            if edge == "alpha_low":
                # the supremum is the alpha -> 0 limit: the Poisson (or ZIP) fit; solve it
                # there, so that the reported coefficients are the limit's, not those of
                # wherever the iterates crossed A_LOW
                lim = CountSpec("poisson", spec.inflated, spec.truncated)

                def at0(th: Array, hess: bool = True) -> tuple[float, Array, Array | None]:
                    w, b, g, c, _ = self._unpack(np.append(th, 0.0), p, q, spec)
                    return count_pass(
                        lim, X, Z, y, sw, off, w, b, g, c, 0.0, fb, fb, with_hessian=hess
                    )

                pen0 = PenaltyVec(pen.l2[:-1], pen.mean[:-1], pen.l1[:-1])
                th0, ll, H0, it0, converged, _ = _newton(
                    at0,
                    theta[:-1],
                    pen0,
                    int(self.max_iter),
                    float(self.tol),
                    lim,
                    kx,
                    kz,
                    Z,
                    q,
                    fb,
                )
                theta = np.append(th0, -np.inf)
                H = np.zeros((k, k))
                H[:-1, :-1] = H0
                H[-1, -1] = -1.0  # a placeholder: the row is set to inf below
                iters += it0
        self.n_iter_ = iters
        w, b, g, c, a = self._unpack(theta, p, q, spec)
        self.coef_, self.intercept_ = w.copy(), b
        if spec.inflated:
            assert g is not None
            self.inflation_coef_, self.inflation_intercept_ = g.copy(), c
        if spec.has_alpha:
            self.alpha_ = float(np.exp(a))
        warns: list[str] = []
        status = Status.SUCCESS
        names = self._names(p, q, spec)
        info = -H + np.diag(pen.l2)
        active = (theta != 0) | (pen.l1 == 0)
        cov = np.full((k, k), np.nan)
        try:
            cov[np.ix_(active, active)] = np.linalg.inv(info[np.ix_(active, active)])
            if np.any(np.diag(cov)[active] <= 0):
                raise np.linalg.LinAlgError
        except np.linalg.LinAlgError:
            cov = np.full((k, k), np.inf)
            warns.append("the observed information is singular: standard errors are infinite")
            status = Status.BOUNDARY
        if edge == "diverging":
            big = [names[j] for j in np.flatnonzero(np.abs(theta[: kx + kz]) > DIVERGING / 3)]
            warns.append(
                f"the likelihood keeps increasing as {', '.join(big)} diverge: the MLE does "
                f"not exist (a group whose outcomes the model can fit exactly, e.g. no "
                f"structural zeros among its rows). A prior fixes this, e.g. "
                f"prior=th.Normal(0, 2.5)"
            )
            status = Status.BOUNDARY
            for j in np.flatnonzero(np.abs(theta[: kx + kz]) > DIVERGING / 3):
                cov[j, :] = cov[:, j] = np.inf
            warn_all((warns[-1],), BoundaryWarning)
        elif edge:
            what = {
                "alpha_low": (
                    "alpha",
                    "the dispersion alpha goes to 0 (no overdispersion): the MLE sits on the "
                    "Poisson boundary; fit PoissonRegression",
                ),
                "alpha_high": ("alpha", "the dispersion alpha runs to infinity"),
                "inflate_low": (
                    "inflate_intercept",
                    "the inflation probability goes to 0 on every row (no excess zeros): the "
                    "MLE sits on the boundary; fit the model without zero inflation",
                ),
            }[edge]
            warns.append(f"{what[1]} (parameter {what[0]!r} at the boundary)")
            status = Status.BOUNDARY
            at_edge = names.index(what[0]) if what[0] in names else k - 1
            cov[at_edge, :] = cov[:, at_edge] = np.inf
            warn_all((warns[-1],), BoundaryWarning)
        elif not converged:
            m = "the Newton iterations stopped before converging"
            warns.append(m)
            status = Status.FAILED
            warn_all((m,), ConvergenceWarning)
        # report alpha (not log alpha): delta method
        est = theta.copy()
        if ka:
            alpha = float(np.exp(theta[-1]))
            est[-1] = alpha
            J = np.ones(k)
            J[-1] = alpha
            with np.errstate(invalid="ignore"):
                cov = cov * J[:, None] * J[None, :]
            if edge in ("alpha_low", "alpha_high"):
                cov[-1, :] = cov[:, -1] = np.inf
        order = self._order(p, q, spec)
        params = {names[j]: float(est[j]) for j in order}
        lp = None if prior.is_flat else log_prior(theta, pen)
        n_obs = float(X.shape[0] if sw is None else sw.sum())
        kind = "MLE" if prior.is_flat else "MAP"
        self.estimate_ = Estimate(
            method="mle" if prior.is_flat else "map",
            params=params,
            cov=cov[np.ix_(order, order)],
            loglik=float(ll),
            n=n_obs,
            df_model=k,
            family=None,
            logpost=None if lp is None else float(ll) + lp,
            prior=self.prior,
            warnings=tuple(warns),
            status=status,
            message="" if active.all() else "se of weights at exactly 0 (the L1 kink) are NaN",
            converged=converged,
            iterations=iters,
            model=f"{self._model} ({kind}, Newton, observed information)",
            tests=True,
            details={"n_nonzero": int(np.sum(theta != 0))},
        )
        if lp is not None and status == Status.SUCCESS and active.all():
            c_int = np.asarray(np.linalg.inv(info), dtype=np.float64)
            logdet = float(np.linalg.slogdet(c_int)[1])
            # the Laplace approximation is Gaussian in the solver's coordinates: log alpha
            self.posterior_ = RegressionPosterior(
                names=tuple("log_alpha" if nm == "alpha" else nm for nm in names),
                loc=theta.copy(),
                scale=c_int,
                df=None,
                log_evidence=float(ll + lp + 0.5 * k * _LOG_2PI + 0.5 * logdet),
                n=n_obs,
                prior=self.prior,
                exact=False,
            )

    def _names(self, p: int, q: int, spec: CountSpec) -> list[str]:
        fb = bool(self.fit_intercept)
        feats = self.feature_names_
        out = [*feats, *(["intercept"] if fb else [])]
        if spec.inflated:
            zn = self.inflation_names_ if self._inflation_own else feats
            out += [f"inflate_{n}" for n in zn] + (["inflate_intercept"] if fb else [])
        if spec.has_alpha:
            out.append("alpha")
        return out

    def _order(self, p: int, q: int, spec: CountSpec) -> list[int]:
        """Internal order -> report order (each block's intercept first)."""
        fb = bool(self.fit_intercept)
        kx, kz, ka = self._layout(p, q, spec)
        out = ([p] if fb else []) + list(range(p))
        if spec.inflated:
            out += ([kx + q] if fb else []) + list(range(kx, kx + q))
        if ka:
            out.append(kx + kz)
        return out

    def _start(
        self,
        spec: CountSpec,
        X: Array,
        Z: Array | None,
        y: Array,
        sw: Array | None,
        off: Array | None,
        k: int,
        kx: int,
        kz: int,
    ) -> Array:
        """A Poisson fit of the mean; the excess zeros' logit; the moment dispersion."""
        fb = bool(self.fit_intercept)
        pen0 = PenaltyVec(np.zeros(kx), np.zeros(kx), np.zeros(kx))
        # a light ridge keeps the warm start finite where the Poisson MLE is not
        pen0 = PenaltyVec(np.full(kx, 1e-6), np.zeros(kx), np.zeros(kx))
        res = fit_glm(POISSON, X, y, sw, off, fb, pen0, max_iter=50, tol=1e-6)
        theta = np.zeros(k)
        if np.all(np.isfinite(res.theta)):
            theta[:kx] = res.theta
        c, b = (theta[: X.shape[1]], float(theta[kx - 1]) if fb else 0.0)
        eta = X @ c + b + (0.0 if off is None else off)
        mu = np.exp(np.clip(eta, -30, 30))
        wt = np.ones_like(y) if sw is None else sw
        if spec.inflated and fb:
            zeros = float(wt @ (y == 0))
            expected = float(wt @ np.exp(-mu))
            share = min(max((zeros - expected) / wt.sum(), 0.05), 0.9)
            theta[kx + kz - 1] = math.log(share / (1.0 - share))
        if spec.has_alpha:
            if spec.base == "nb2":
                alpha = float(wt @ ((y - mu) ** 2 - mu)) / float(wt @ (mu * mu))
            else:
                alpha = float(wt @ ((y - mu) ** 2 / mu)) / float(wt.sum()) - 1.0
            theta[-1] = math.log(min(max(alpha, 0.05), 10.0))
        return theta

    def _mean(self, X: Any, offset: Any, exposure: Any) -> tuple[Array, Array]:
        check_is_fitted(self)
        Xa = self._validate_predict(X)
        off = _offset(exposure, offset, Xa.shape[0])
        return Xa, np.exp(linear_predictor(Xa, self.coef_, self.intercept_, off))


def _newton(
    at: Any,
    theta: Array,
    pen: PenaltyVec,
    max_iter: int,
    tol: float,
    spec: CountSpec,
    kx: int,
    kz: int,
    Z: Array | None,
    q: int,
    fb: bool,
) -> tuple[Array, float, Array, int, bool, str]:
    """Damped (proximal, for L1) Newton maximising loglik + log prior.

    Returns theta, loglik, the loglik's Hessian at theta, iterations, convergence and
    the boundary reached ("" when none).
    """
    has_l1 = bool(np.any(pen.l1 > 0))
    l2d = np.diag(pen.l2)
    ll, g, H = at(theta)
    assert H is not None
    obj = -ll + pen.value(theta)
    if not np.isfinite(obj):
        raise ValueError("the starting point has an infinite objective; check offset/exposure")
    edge = ""
    for it in range(1, max_iter + 1):
        G = -g + pen.l2 * (theta - pen.mean)
        Hn = -H + l2d
        step, dec = newton_step(Hn, G, theta, pen.l1 if has_l1 else None)
        if not has_l1 and dec >= 0:  # not a descent direction: fall back to the gradient
            step = -G / max(float(np.abs(np.diag(Hn)).max()), 1e-12)
            dec = float(G @ step)
        t = 1.0
        ok = False
        for _ in range(50):
            cand = theta + t * step
            ll_c, g_c, H_c = at(cand, hess=True)
            ob = -ll_c + pen.value(cand)
            if np.isfinite(ob) and ob <= obj + 1e-4 * t * dec + 1e-13 * abs(obj):
                ok = True
                break
            t *= 0.5
        if not ok:
            return theta, ll, H, it, False, edge
        # converged when the full Newton step is below tol (a step shortened by the line
        # search says nothing about the distance to the optimum)
        moved = float(np.abs(step).max(initial=0.0))
        theta, ll, g, H, obj = cand, ll_c, g_c, H_c, ob
        assert H is not None
        if spec.has_alpha and theta[-1] < A_LOW:
            return theta, ll, H, it, False, "alpha_low"
        if spec.has_alpha and theta[-1] > A_HIGH:
            return theta, ll, H, it, False, "alpha_high"
        if spec.inflated and Z is not None:
            c = float(theta[kx + kz - 1]) if fb else 0.0
            gz = theta[kx : kx + q]
            if c + float(np.abs(Z @ gz).max(initial=0.0) if q else 0.0) < U_LOW:
                return theta, ll, H, it, False, "inflate_low"
        if moved <= tol * (1.0 + float(np.abs(theta).max(initial=0.0))):
            return theta, ll, H, it, True, edge
        coefs = np.abs(theta[: kx + kz])
        if it >= 8 and coefs.max(initial=0.0) > DIVERGING:
            return theta, ll, H, it, False, "diverging"
    return theta, ll, H, max_iter, False, edge
