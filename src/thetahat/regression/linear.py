"""LinearRegression: OLS (MLE), ridge / lasso / elastic net (MAP) and exact Bayes."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.base import RegressorMixin

from ..distributions.normal import Normal
from ..results import BoundaryWarning, ConvergenceWarning
from ._base import RegressionBase, build_estimate, warn_all
from ._bayes_linear import (
    LinearPosterior,
    evidence_precisions,
    gaussian_posterior,
    nig_posterior,
)
from ._data import check_y, identifiability_problem, is_dask
from ._lasso import lasso_gram
from ._linalg import GramStats, centered_gram, lstsq_qr
from ._noise import noise_by_evidence
from ._posterior import RegressionPosterior
from ._predictive import LinearIntervals
from ._sparse import HESSIAN_MAX_K, append_ones, issparse
from .penalties import PriorSpec, parse_prior

__all__ = ["LinearRegression"]

Array = NDArray[np.float64]
_LOG_2PI = math.log(2.0 * math.pi)
_OLS_SPARSE = (
    "LinearRegression(prior=None) (OLS) does not take sparse X: OLS is solved by QR with "
    "refinement, SciPy has no sparse QR, and the normal equations would square the "
    "design's condition number. Give a prior (prior=th.Normal(0, tau): ridge on the "
    "sparse X, Hessian-free when it is wide) or pass X.toarray() for a small design"
)


class LinearRegression(RegressorMixin, LinearIntervals, RegressionBase):
    """Linear regression with Gaussian noise: MLE, MAP under a named prior, or full Bayes.

    Parameters
    ----------
    prior : None, Distribution, pair or "evidence"
        ``None`` (or ``th.Flat()``): ordinary least squares, the MLE.
        ``th.Normal(m, tau)``: ridge (MAP; exact Gaussian posterior when
        ``noise_sd`` is given). ``th.Laplace(0, b)``: lasso. A pair
        ``(th.Normal(0, tau), th.Laplace(0, b))``: elastic net.
        ``th.NormalInverseGamma(mu, lam, shape, scale)``: conjugate Bayes with
        ``w | sigma^2 ~ Normal(mu, sigma^2 / lam)`` and
        ``sigma^2 ~ InverseGamma(shape, scale)``. ``"evidence"``: a
        ``Normal(0, tau)`` prior whose tau and noise sd maximise the marginal
        likelihood (type-II ML).
    fit_intercept : bool
        Fit an intercept; it has a flat prior (is never shrunk) unless
        ``shrink_intercept``.
    noise_sd : float or None
        Known noise standard deviation sigma. None: estimated (OLS: from the
        residuals; a Normal prior: by type-II maximum likelihood, see Notes;
        Laplace and elastic-net priors: jointly with the weights,
        ``sigma^2 = RSS / n``).
    shrink_intercept : bool
        Put the prior on the intercept too.

    Attributes
    ----------
    coef_, intercept_ : fitted weights.
    estimate_ : Estimate
        ``params``/``se`` keyed by "intercept" and feature names; ``extra`` holds
        ``sigma_resid`` (sqrt(RSS / (n - p)), the classical s), ``sigma_mle``
        (sqrt(RSS / n)), ``rss``, ``r2``.
    posterior_ : RegressionPosterior
        Only for Bayesian fits (NIG, "evidence", Normal prior with ``noise_sd``).
    prior_ : the prior actually used ("evidence": the chosen Normal).

    Notes
    -----
    OLS solves ``min ||W^{1/2}(y - A b)||^2`` by QR with refinement (no normal
    equations); standard errors ``s sqrt(diag((A'WA)^{-1}))`` with
    ``s^2 = RSS / (n - p)`` and t intervals on ``n - p`` degrees of freedom, as
    NIST certifies; they equal the posterior scale under the flat prior on
    ``(w, log sigma)``. MAP with ``w ~ Normal(0, tau)`` minimises
    ``||y - Xw||^2 + (sigma^2 / tau^2) ||w||^2`` (ridge, alpha = sigma^2/tau^2);
    with ``Laplace(0, b)`` it minimises ``||y - Xw||^2/(2n) + sigma^2/(n b) ||w||_1``
    (Lasso). MAP standard errors: the Laplace approximation, the inverse Hessian
    of the negative log posterior ``X'WX / sigma^2 + I / tau^2``; for an L1 prior it
    is taken on the nonzero weights (a weight at the L1 kink has no curvature:
    its se is NaN). Sample weights are frequency weights (n = their sum).

    A Normal prior ``w ~ Normal(m, tau)`` without ``noise_sd``: sigma maximises
    the marginal likelihood with the weights (and a flat intercept) integrated out,
    ``y ~ Normal(X m + b, sigma^2 I + tau^2 X X')`` (type-II ML, empirical Bayes
    for the noise), a one-dimensional search in ``log sigma^2`` on the eigenvalues
    of the centred Gram matrix. The joint MAP of weights and sigma is not used: it
    collapses to sigma = 0 whenever the weights can fit the data exactly (``p >= n``,
    or tiny data), while the marginal likelihood is finite there and usually has
    an interior maximum. Where it is largest at sigma = 0 (the prior allows an exact
    fit), the fit reports status "boundary". The weights are the posterior mean
    given that sigma (ridge with ``alpha = sigma^2 / tau^2``), their standard errors
    and ``posterior_`` are **conditional on the estimated sigma** (its own
    uncertainty is not propagated), and ``estimate_.details["log_evidence"]`` is the
    maximised log marginal likelihood.

    Sparse X (scipy.sparse, never densified) is taken under every prior: up to
    2,000 coefficients through the centred Gram matrix ``X'WX - n xbar xbar'``
    formed from the sparse product (centring implicit: its rounding is a relative
    ``eps E[x^2] / var(x)``, negligible for a mostly-zero column), so the fit equals
    the dense one; above it a Normal or Laplace prior is fitted Hessian-free
    (Newton-CG; a working set for the lasso) with a lazy covariance, as for
    :class:`~thetahat.regression.LogisticRegression` (``standard_errors``), and the
    NIG and "evidence" priors, which need the Gram matrix's determinant, raise.
    OLS (``prior=None``) refuses a sparse X with a ``TypeError``: its QR with
    refinement has no sparse counterpart in SciPy and the normal equations would
    square the condition number; give a prior or pass ``X.toarray()``.

    Examples
    --------
    >>> import numpy as np
    >>> import thetahat as th
    >>> from thetahat.regression import LinearRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(50, 2))
    >>> y = 1.0 + X @ np.array([2.0, -1.0]) + rng.normal(scale=0.5, size=50)
    >>> ols = LinearRegression().fit(X, y)
    >>> ols.coef_.round(2), round(ols.intercept_, 2)
    (array([ 2.09, -1.  ]), 1.01)
    >>> {k: round(v, 3) for k, v in ols.estimate_.se.items()}
    {'intercept': 0.069, 'x0': 0.075, 'x1': 0.07}
    >>> ridge = LinearRegression(prior=th.Normal(0, 0.5), noise_sd=0.5).fit(X, y)
    >>> ridge.coef_.round(2)
    array([ 2.04, -0.97])
    >>> bayes = LinearRegression(prior=th.NormalInverseGamma(0, 1, 2, 2)).fit(X, y)
    >>> bayes.posterior_ is not None
    True
    """

    def __init__(
        self,
        prior: Any = None,
        fit_intercept: bool = True,
        noise_sd: float | None = None,
        shrink_intercept: bool = False,
    ) -> None:
        self.prior = prior
        self.fit_intercept = fit_intercept
        self.noise_sd = noise_sd
        self.shrink_intercept = shrink_intercept

    # ----------------------------------------------------------------- fit
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LinearRegression:
        """Fit the model; returns self."""
        spec = parse_prior(self.prior)
        if self.noise_sd is not None and not (float(self.noise_sd) > 0):
            raise ValueError(f"noise_sd must be positive, got {self.noise_sd!r}")
        for stale in ("posterior_", "noise_sd_"):  # from an earlier fit with another prior
            self.__dict__.pop(stale, None)
        if is_dask(X, y, sample_weight):  # partition by partition on the cluster
            from ._distributed import fit_linear_dask

            return fit_linear_dask(self, X, y, sample_weight, spec)
        if spec.is_flat and issparse(X):
            raise TypeError(_OLS_SPARSE)
        Xa, ya, sw = self._validate_fit(X, y, sample_weight)
        y_arr = check_y(ya, Xa.shape[0])
        names = self.feature_names_
        fit_b = bool(self.fit_intercept)
        if fit_b and self.shrink_intercept and not spec.is_flat:
            Xa = append_ones(Xa)
            names = [*names, "intercept"]
            fit_b = False
        self._fit_b = fit_b
        if issparse(Xa) and Xa.shape[1] + int(fit_b) > HESSIAN_MAX_K:
            from ._sparse_linear import fit_wide_linear

            fit_wide_linear(self, Xa, y_arr, sw, names, fit_b, spec)
        elif spec.is_flat:
            self._fit_ols(Xa, y_arr, sw, names, fit_b)
        else:
            gs = centered_gram(Xa, y_arr, sw, fit_b)
            self._fit_from_gram(gs, self._rss(Xa, y_arr, sw, fit_b), names, fit_b, spec)
        return self._set_coef(fit_b)

    def _fit_from_gram(
        self, gs: GramStats, rss_of: Any, names: list[str], fit_b: bool, spec: PriorSpec
    ) -> None:
        """A fit under a prior from the centred cross-products and an RSS pass (rows in
        memory or on Dask): exact for the conjugate and evidence priors, else the MAP."""
        if spec.kind in ("nig", "evidence"):
            self._bayes_from_gram(gs, rss_of, names, fit_b, spec)
        else:
            self._map_from_gram(gs, rss_of, names, fit_b, spec)

    def _accepts_sparse(self) -> bool:
        # OLS refuses a sparse X (see _OLS_SPARSE); every prior takes one
        try:
            return not parse_prior(self.prior).is_flat
        except (TypeError, ValueError):
            return False

    def _set_coef(self, fit_b: bool) -> LinearRegression:
        theta = self._theta
        if self.fit_intercept and not fit_b:  # shrunk intercept is the last column
            self.coef_, self.intercept_ = theta[:-1].copy(), float(theta[-1])
        elif fit_b:
            self.coef_, self.intercept_ = theta[:-1].copy(), float(theta[-1])
        else:
            self.coef_, self.intercept_ = theta.copy(), 0.0
        return self

    def _rss(self, X: Array, y: Array, sw: Array | None, fit_b: bool) -> Any:
        def rss(theta: Array) -> float:
            w, b = (theta[:-1], theta[-1]) if fit_b else (theta, 0.0)
            r = y - X @ w - b
            return float(r @ r if sw is None else sw @ (r * r))

        return rss

    def _fit_ols(self, X: Array, y: Array, sw: Array | None, names: list[str], fit_b: bool) -> None:
        problem = identifiability_problem(X, sw, names, fit_b)
        if problem is not None and self.prior is not None:
            raise ValueError(problem)
        A = np.column_stack([X, np.ones(X.shape[0])]) if fit_b else X
        n = float(X.shape[0] if sw is None else sw.sum())
        k = A.shape[1]
        warns: tuple[str, ...] = ()
        if problem is None:
            res = lstsq_qr(A, y, sw)
            coef, unit, rss = res.coef, res.rinv_scaled @ res.rinv_scaled.T, res.rss
        else:
            # prior=None keeps scikit-learn's behaviour: the minimum-norm solution
            coef, rss = _min_norm(A, y, sw)
            unit = np.full((k, k), np.inf)
            warns = (
                problem.replace("Drop them", "Reporting the minimum-norm solution; drop them"),
            )
            warn_all(warns, BoundaryWarning)
        ybar = float(np.average(y, weights=sw)) if fit_b else 0.0
        dev = y - ybar
        tss = float(dev @ dev if sw is None else sw @ (dev * dev))
        self._record_ols(names, fit_b, coef, unit, rss, tss, n, warns)

    def _record_ols(
        self,
        names: list[str],
        fit_b: bool,
        coef: Array,
        unit: Array,
        rss: float,
        tss: float,
        n: float,
        warns: tuple[str, ...],
    ) -> None:
        """The OLS estimate from the solution, ``(A'WA)^{-1}``, the RSS and the TSS."""
        k = coef.shape[0]
        sd = None if self.noise_sd is None else float(self.noise_sd)
        known = sd is not None
        df_resid = n - k
        s2 = rss / df_resid if df_resid > 0 else math.nan
        if warns:
            df_resid = 0.0
        sigma2 = sd**2 if sd is not None else s2
        cov = unit * sigma2
        loglik = _gauss_loglik(rss, n, sd)
        extra = {
            "sigma_resid": math.sqrt(s2) if df_resid > 0 else math.nan,
            "sigma_mle": math.sqrt(rss / n),
            "rss": rss,
            "r2": 1.0 - rss / tss if tss > 0 else math.nan,
            "r2_kind": "centered" if fit_b else "uncentered",
            "df_resid": df_resid,
        }
        lines = (
            f"{'R-squared:':<16}{extra['r2']:<30.6g}{'Df resid:':<16}{df_resid:g}",
            f"{'sigma (s):':<16}{extra['sigma_resid']:<30.6g}{'sigma MLE:':<16}"
            f"{extra['sigma_mle']:.6g}",
        )
        self._theta = coef
        self.prior_: Any = None
        self.estimate_ = build_estimate(
            model="LinearRegression (OLS)",
            names=names,
            theta=coef,
            cov=cov,
            fit_intercept=fit_b,
            method="mle",
            warnings=warns,
            status="boundary" if warns else "success",
            loglik=loglik,
            n=n,
            df_model=k + (0 if known else 1),
            prior=None,
            df_resid=None if known or df_resid <= 0 else df_resid,
            extra=extra,
            summary_lines=lines,
        )
        self._pred = ("t" if not known and df_resid > 0 else "normal", cov, sigma2, df_resid)

    def _sigma_loop(
        self, gs: GramStats, spec: PriorSpec, p: int, rss_of: Any, fit_b: bool
    ) -> tuple[Array, float, int, bool]:
        """MAP weights (intercept last) and sigma^2 (fixed, or the joint mode RSS/n)."""
        known = self.noise_sd is not None
        sigma2 = float(self.noise_sd or 0.0) ** 2 if known else max(gs.yy / gs.sw, 1e-300)
        w = np.zeros(p)
        it = 0
        for it in range(1, 501):
            G = gs.G + sigma2 * spec.l2 * np.eye(p)
            if spec.l1 > 0:
                w, _, _ = lasso_gram(G, gs.c, np.full(p, sigma2 * spec.l1), w0=w)
            else:
                from scipy import linalg

                try:
                    w = linalg.cho_solve(linalg.cho_factor(G), gs.c + sigma2 * spec.l2 * spec.mean)
                except linalg.LinAlgError:
                    raise ValueError(
                        "the joint MAP of the weights and the noise sd degenerates (sigma -> 0: "
                        "the data are fitted exactly); give noise_sd or use a stronger prior"
                    ) from None
            theta = np.append(w, gs.ybar - float(gs.xbar @ w)) if fit_b else w
            if known:
                return theta, sigma2, it, True
            new = rss_of(theta) / gs.sw
            if new <= 1e-300:
                raise ValueError(
                    "the MAP fits the data exactly, so the noise sd collapses to 0; "
                    "give noise_sd or use a stronger prior"
                )
            if abs(new - sigma2) <= 1e-13 * sigma2:
                return theta, new, it, True
            sigma2 = new
        return theta, sigma2, it, False

    def _map_from_gram(
        self, gs: GramStats, rss_of: Any, names: list[str], fit_b: bool, spec: PriorSpec
    ) -> None:
        """The MAP fit from the centred cross-products and a residual-sum-of-squares pass."""
        p = gs.G.shape[0]
        known = self.noise_sd is not None
        # a Normal prior and an unknown noise: sigma by type-II ML (the weights integrated
        # out), which stays finite where the joint mode collapses to sigma = 0
        noise = None
        if spec.kind == "gaussian" and not known:
            noise = noise_by_evidence(gs, spec.l2, spec.mean, fit_b, rss_of)
            theta, sigma2, iters, ok = noise.theta, noise.sigma2, noise.iterations, True
        else:
            theta, sigma2, iters, ok = self._sigma_loop(gs, spec, p, rss_of, fit_b)
        w = theta[:-1] if fit_b else theta
        warns: tuple[str, ...] = ()
        if not ok:
            warns = ("the joint (weights, sigma) MAP iteration did not converge",)
            warn_all(warns, ConvergenceWarning)
        if noise is not None and noise.boundary:
            warns = (
                "the evidence is largest at noise sd 0 (the weights fit the data exactly and "
                "the prior does not contradict it): parameter 'sigma' at the boundary; the "
                "standard errors are those given sigma = 0",
            )
            warn_all(warns, BoundaryWarning)
        active = (w != 0) if spec.l1 > 0 else np.ones(p, dtype=bool)
        cov_w = np.full((p, p), np.nan)
        if noise is not None:
            cov_w = noise.cov[:p, :p]
        elif active.any():
            P = gs.G[np.ix_(active, active)] / sigma2 + spec.l2 * np.eye(int(active.sum()))
            cov_w[np.ix_(active, active)] = np.linalg.inv(P)
        cw = np.where(np.isnan(cov_w), 0.0, cov_w)
        cov = cov_w
        if noise is not None:
            cov = noise.cov
        elif fit_b:
            cov = np.empty((p + 1, p + 1))
            cov[:p, :p] = cov_w
            cx = cw @ gs.xbar
            cov[:p, p] = cov[p, :p] = np.where(active, -cx, np.nan)
            cov[p, p] = sigma2 / gs.sw + float(gs.xbar @ cx)
        rss = rss_of(theta)
        if sigma2 > 0:
            loglik = -0.5 * gs.sw * (_LOG_2PI + math.log(sigma2)) - 0.5 * rss / sigma2
        else:
            loglik = math.inf
        logprior = _log_prior(w, spec)
        self._theta = theta
        self.prior_ = self.prior
        self.noise_sd_ = math.sqrt(sigma2)
        kind = {"gaussian": "ridge", "laplace": "lasso", "elasticnet": "elastic net"}[spec.kind]
        how = "(given)" if known else "(joint MAP)" if noise is None else "(type-II ML)"
        lines = (f"{'Noise sd:':<16}{math.sqrt(sigma2):<30.6g}{'':<16}{how}",)
        msg = ""
        if spec.l1 > 0 and not active.all():
            msg = "se of weights at exactly 0 (the L1 kink) are NaN"
        self.estimate_ = build_estimate(
            model=f"LinearRegression (MAP, {kind})",
            names=names,
            theta=theta,
            cov=cov,
            fit_intercept=fit_b,
            method="map",
            loglik=loglik,
            n=gs.sw,
            df_model=theta.shape[0] + (0 if known else 1),
            prior=self.prior,
            logpost=loglik + logprior,
            warnings=warns,
            status="boundary" if noise is not None and noise.boundary else "success",
            message=msg,
            converged=ok,
            iterations=iters,
            extra={
                "sigma": math.sqrt(sigma2),
                "rss": rss,
                "n_nonzero": int(active.sum()),
                "sigma_from": "given" if known else "joint MAP" if noise is None else "type-II ML",
                **({} if noise is None else {"log_evidence": noise.log_evidence}),
            },
            summary_lines=lines,
        )
        self._pred = ("normal", np.where(np.isnan(cov), 0.0, cov), sigma2, None)
        if spec.kind == "gaussian" and (known or sigma2 > 0):
            self._set_gaussian_posterior(
                gs, sigma2, spec.l2, spec.mean, names, fit_b, rss_of,
                {} if known else {"sigma (ML-II)": math.sqrt(sigma2)},
            )  # fmt: skip

    def _set_gaussian_posterior(
        self,
        gs: GramStats,
        sigma2: float,
        l2: float,
        mean: float,
        names: list[str],
        fit_b: bool,
        rss_of: Any,
        hyper: dict[str, float],
    ) -> LinearPosterior:
        """``posterior_``: the weights' Gaussian posterior under a Normal prior
        (precisions ``l2``, mean ``mean``) at the noise variance ``sigma2``; returns
        :func:`gaussian_posterior`'s result."""
        post = gaussian_posterior(gs, sigma2, l2, mean, fit_b, rss_of)
        self.posterior_ = self._make_posterior(
            names,
            fit_b,
            post.theta,
            post.unit_cov,
            None,
            post.log_evidence,
            gs.sw,
            noise_var=sigma2,
            hyper=hyper,
        )
        return post

    def _make_posterior(
        self,
        names: list[str],
        fit_b: bool,
        theta: Array,
        scale: Array,
        df: float | None,
        log_ev: float,
        n: float,
        **kw: Any,
    ) -> RegressionPosterior:
        labels = [*names, "intercept"] if fit_b else list(names)
        return RegressionPosterior(
            names=tuple(labels),
            loc=theta,
            scale=scale,
            df=df,
            log_evidence=log_ev,
            n=n,
            prior=getattr(self, "prior_", self.prior),
            **kw,
        )

    def _bayes_from_gram(
        self, gs: GramStats, rss_of: Any, names: list[str], fit_b: bool, spec: PriorSpec
    ) -> None:
        """The exact Bayesian fit from the centred cross-products and an RSS pass."""
        k = gs.G.shape[0] + int(fit_b)
        if spec.kind == "evidence":
            if self.noise_sd is not None:
                raise ValueError(
                    "prior='evidence' chooses the noise sd itself; leave noise_sd None"
                )
            alpha, lam, iters = evidence_precisions(gs, fit_b)
            sigma2, tau = 1.0 / alpha, 1.0 / math.sqrt(lam)
            hyper = {
                "noise_sd": math.sqrt(sigma2),
                "prior_sd (tau)": tau,
                "ridge alpha": sigma2 * lam,
            }
            self.prior_ = Normal(0.0, tau)
            self.noise_sd_ = math.sqrt(sigma2)
            post = self._set_gaussian_posterior(gs, sigma2, lam, 0.0, names, fit_b, rss_of, hyper)
            df_t = None
            cov = post.unit_cov
            self._pred = ("normal", cov, sigma2, None)
            model = "LinearRegression (prior by evidence)"
            lines = tuple(f"{key + ':':<16}{val:.6g}" for key, val in hyper.items())
        else:
            nig = spec.nig
            assert nig is not None
            if self.noise_sd is not None:
                raise ValueError(
                    "a NormalInverseGamma prior models the noise variance; leave noise_sd None"
                )
            post = nig_posterior(gs, nig.mu, nig.lam, nig.shape, nig.scale, fit_b, rss_of)
            assert post.an is not None and post.bn is not None
            df_t = 2.0 * post.an
            scale = post.unit_cov * (post.bn / post.an)
            self.prior_ = self.prior
            self.posterior_ = self._make_posterior(
                names,
                fit_b,
                post.theta,
                scale,
                df_t,
                post.log_evidence,
                gs.sw,
                noise_shape=post.an,
                noise_scale=post.bn,
            )
            sigma2 = post.bn / post.an
            cov = self.posterior_.cov
            self._pred = ("t", scale, sigma2, df_t)
            iters = 0
            model = "LinearRegression (Bayes, NormalInverseGamma)"
            lines = (f"{'Noise var:':<16}InverseGamma({post.an:.6g}, {post.bn:.6g})",)
            self.noise_sd_ = math.sqrt(sigma2)
        theta = post.theta
        rss = rss_of(theta)
        loglik = -0.5 * gs.sw * (_LOG_2PI + math.log(sigma2)) - 0.5 * rss / sigma2
        self._theta = theta
        self.estimate_ = build_estimate(
            model=model,
            names=names,
            theta=theta,
            cov=cov,
            fit_intercept=fit_b,
            method="map",
            loglik=loglik,
            n=gs.sw,
            df_model=k,
            prior=self.prior_,
            df_resid=df_t,
            iterations=iters,
            extra={"log_evidence": post.log_evidence, "sigma": math.sqrt(sigma2)},
            summary_lines=(*lines, f"{'Log evidence:':<16}{post.log_evidence:.6g}"),
        )

    # -------------------------------------------------------------- predict
    def predict(self, X: Any, return_interval: float | None = None) -> Any:
        """Predicted mean; with ``return_interval=level`` also ``(lower, upper)``.

        The interval is for a new observation: OLS the classical t prediction
        interval ``yhat +- t s sqrt(1 + x'(X'WX)^{-1}x)`` (the posterior predictive
        under the flat prior); NIG the Student-t posterior predictive; a Normal
        prior with known noise the Gaussian predictive.
        """
        Xa = self._validate_predict(X)
        mean = Xa @ self.coef_ + self.intercept_
        if return_interval is None:
            return mean
        if isinstance(return_interval, (int, float)) and not 0 < return_interval < 1:
            raise ValueError(f"return_interval must be a level in (0, 1), got {return_interval!r}")
        bounds = self.predict_interval(X, level=return_interval, kind="prediction")
        return mean, bounds[:, 0], bounds[:, 1]


def _gauss_loglik(rss: float, n: float, sigma: float | None) -> float:
    if sigma is not None:
        return -0.5 * n * (_LOG_2PI + 2.0 * math.log(sigma)) - 0.5 * rss / sigma**2
    if rss <= 0:
        return math.inf
    return -0.5 * n * (_LOG_2PI + math.log(rss / n) + 1.0)


def _log_prior(w: Array, spec: PriorSpec) -> float:
    total = 0.0
    p = w.shape[0]
    if spec.l2 > 0:
        d = w - spec.mean
        total += 0.5 * p * (math.log(spec.l2) - _LOG_2PI) - 0.5 * spec.l2 * float(d @ d)
    if spec.l1 > 0:
        total += p * math.log(0.5 * spec.l1) - spec.l1 * float(np.abs(w).sum())
    return total


def _min_norm(A: Array, y: Array, sw: Array | None) -> tuple[Array, float]:
    from scipy import linalg

    if sw is not None:
        root = np.sqrt(sw)
        A, y = A * root[:, None], y * root
    coef = linalg.lstsq(A, y, lapack_driver="gelsd")[0]
    r = y - A @ coef
    return np.asarray(coef), float(r @ r)
