"""Estimate: a point fit (MLE or MAP) with its uncertainty."""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._format import fmt, jsonable
from .._validation import check_level
from ..distributions import Distribution
from ..optim import Status
from ._common import Value, _flat_labels, _flatten, _prior_text, _round, _short, _unflatten
from ._lazy_cov import LazyCovariance
from ._profile import ProfileObjective, profile_intervals
from ._table import Block, Report, Reported

__all__ = ["Estimate"]

#: "Label: value" pairs in a summary line (values are single tokens: numbers)
_FACT = re.compile(r"([A-Za-z][^:]*?):\s+(\S+)")


@dataclass(frozen=True)
class Estimate(Reported):
    """A point estimate (MLE or MAP) with its uncertainty.

    Attributes
    ----------
    method : {"mle", "map"}
    params : dict
        Estimated (free) parameters, name -> value (float, or array for vector
        parameters such as ``probs``).
    cov : ndarray
        Covariance of the estimate over the flattened free parameters (labels in
        ``labels``): the inverse Fisher information at the MLE, or the inverse
        curvature of the log posterior at the MAP. Rows of a parameter on the
        boundary of its domain are ``inf``.
    loglik : float
        Log-likelihood at the estimate.
    logpost : float or None
        Log posterior density (unnormalised: log-likelihood + log prior) at the MAP.
    n : float
        Number of observations (the sum of frequency weights).
    df_model : int
        Number of free parameters, net of constraints (a K-class probability
        vector counts K - 1); used by AIC and BIC.
    family : Distribution or None
        The family that was fitted, with its fixed parameters.
    prior : Distribution, dict or None
    warnings : tuple of str
    status : Status
        How the fit ended: ``success``, ``boundary`` or ``failed`` (a ``str``
        enum: ``status == "success"`` works). Never ``success`` when the solver
        did not converge, never ``success`` or ``boundary`` with a NaN estimate.
    message, converged, iterations
        The solver's account of how it ended.
    df_resid : float or None
        Residual degrees of freedom for t-based intervals (OLS); None: normal.
    objective : ProfileObjective or None
        The objective ``conf_int(kind="profile")`` re-maximises: the family, the
        prior and the statistics of the data. For families with sufficient
        statistics those are a few numbers, not the data; for the others
        (Weibull, Student t, Laplace, Pareto, censored data) the validated
        data, which is the caller's float64 array itself (not a copy), and a
        frequency table for discrete data.
    information : {"observed", "expected"}
        Which information the covariance inverts.
    unconstrained : dict or None
        With ``parametrization="unconstrained"``: the estimate in log/logit
        coordinates.
    posterior : Distribution or None
        For a MAP under a conjugate prior: the exact posterior whose mode it is.
    family_params : dict or None
        The estimate under the family's own parameter names, where the prior
        names them differently (an InverseGamma prior on ``var`` for a Normal's
        ``sigma``).
    model : str or None
        A label for the model (regression estimators) shown by ``summary()``.
    tests : bool
        Show Wald statistics and p-values (regression coefficients).
    summary_lines : tuple of str
        Extra header facts for ``summary()`` (R-squared, ...), as "Label: value".
    details : dict
        Quantities the estimator reports besides the parameters (R-squared,
        residual sigma, the REML log-likelihood, ...), name -> value.
    data, weights
        The data ``th.fit`` was given (a reference, not a copy; None for
        statistics), which :meth:`gof` and :meth:`bootstrap` resample.

    Examples
    --------
    >>> import thetahat as th
    >>> est = th.fit(th.Exponential, [0.5, 1.5, 1.0, 2.0])
    >>> est.params, est.status
    ({'rate': 0.8}, <Status.SUCCESS: 'success'>)
    >>> {k: round(v, 4) for k, v in est.se.items()}
    {'rate': 0.4}
    >>> round(est.loglik, 4), round(est.aic, 4)
    (-4.8926, 11.7851)
    >>> {k: tuple(round(b, 4) for b in v) for k, v in est.conf_int().items()}
    {'rate': (0.016, 1.584)}
    >>> mean = est.transform(lambda rate: 1 / rate, "mean", of="rate")
    >>> round(mean.params["mean"], 4), round(mean.se["mean"], 4)
    (1.25, 0.625)
    """

    method: str
    params: dict[str, Value]
    cov: NDArray[np.float64]
    loglik: float
    n: float
    df_model: int
    family: Distribution | None = None
    logpost: float | None = None
    prior: Any = None
    warnings: tuple[str, ...] = ()
    status: Status = Status.SUCCESS
    message: str = ""
    converged: bool = True
    iterations: int = 0
    df_resid: float | None = None
    objective: ProfileObjective | None = field(default=None, repr=False, compare=False)
    information: str = "observed"
    unconstrained: dict[str, float] | None = None
    posterior: Distribution | None = None
    family_params: dict[str, Value] | None = None
    model: str | None = None
    tests: bool = False
    summary_lines: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)
    data: Any = field(default=None, repr=False, compare=False)
    weights: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        status = self.status if type(self.status) is Status else Status(self.status)
        if status is not Status.FAILED:
            if status is Status.SUCCESS and not self.converged:
                status = Status.FAILED
            for v in self.params.values():
                if math.isnan(v) if type(v) is float else np.isnan(np.asarray(v, float)).any():
                    status = Status.FAILED
                    break
        if status is not self.status:
            object.__setattr__(self, "status", status)

    @classmethod
    def _interior_mle(
        cls,
        params: dict[str, float],
        cov: NDArray[np.float64],
        loglik: float,
        n: float,
        family: Distribution,
        message: str,
        iterations: int,
        objective: ProfileObjective | None,
        details: dict[str, Any],
    ) -> Estimate:
        """The Estimate of a converged MLE of finite scalar parameters inside the
        parameter space, without the generated ``__init__`` (issue 12: a small fit's
        fixed cost; the 26-field constructor was a seventh of a Normal fit).

        The fields are set as ``Estimate(method="mle", ...)`` sets them, the others to
        their defaults; ``__post_init__`` has nothing to change for such an estimate
        (status success, converged, no NaN), which the caller guarantees.
        """
        self = object.__new__(cls)
        fields = self.__dict__
        fields.update(_DEFAULTS)
        fields["method"] = "mle"
        fields["params"] = params
        fields["cov"] = cov
        fields["loglik"] = loglik
        fields["n"] = n
        fields["df_model"] = len(params)
        fields["family"] = family
        fields["message"] = message
        fields["iterations"] = iterations
        fields["objective"] = objective
        fields["details"] = details
        return self

    @property
    def n_dropped(self) -> int:
        """Rows dropped for nulls before the fit (``nulls="drop"`` with a table); 0 otherwise."""
        return int(self.details.get("n_dropped", 0))

    @property
    def passes(self) -> int:
        """Aggregate passes over the data an engine made (one per Newton step for
        iterative families fitted where the data live); 0 when the data were in memory."""
        return int(self.details.get("passes", 0))

    @property
    def extra(self) -> dict[str, Any]:
        """The typed fit details as one dict (the older ``extra`` view; a read-only copy):
        ``problem``, ``information``, ``unconstrained``, ``posterior``, ``family_params``,
        ``model``, ``tests``, ``summary_lines`` and the ``details``."""
        out: dict[str, Any] = {"information": self.information, **self.details}
        named = {
            "problem": self.objective,
            "unconstrained": self.unconstrained,
            "posterior": self.posterior,
            "family_params": self.family_params,
            "model": self.model,
        }
        out.update({k: v for k, v in named.items() if v is not None})
        if self.tests:
            out["tests"] = True
        if self.summary_lines:
            out["summary_lines"] = self.summary_lines
        return out

    # ------------------------------------------------------------- derived
    @property
    def labels(self) -> list[str]:
        """Names of the rows/columns of ``cov``."""
        return _flat_labels(self.params)

    @property
    def se(self) -> dict[str, Value]:
        """Standard errors, name -> value (inf where the information is singular)."""
        cov = self.cov
        if isinstance(cov, LazyCovariance) and cov.stored:  # (the diagonal alone is read)
            d = cov.variances(np.arange(cov.k))
        else:
            d = np.diag(cov)
        with np.errstate(invalid="ignore"):
            flat = np.where(d >= 0, np.sqrt(np.abs(d)), np.nan)
        return _unflatten(self.params, flat)

    @property
    def fixed(self) -> dict[str, Value]:
        """Parameters that were given, not estimated."""
        return {} if self.family is None else self.family.params

    @property
    def dist(self) -> Distribution:
        """The fitted distribution (fixed and estimated parameters together)."""
        if self.family is None:
            raise ValueError("this estimate is not of a distribution's parameters")
        try:
            return self.family.with_params(**(self.family_params or self.params))
        except ValueError as exc:
            raise ValueError(
                f"the estimate {self.params} is on the boundary of the parameter space and "
                f"is not a valid distribution ({exc}); a prior fixes this"
            ) from None

    @property
    def aic(self) -> float:
        """Akaike information criterion, ``2 k - 2 loglik`` with ``k = df_model``.

        The convention: ``k`` counts every estimated parameter, also the exact zeros
        of an L1 (Laplace-prior, lasso) MAP, so the AIC of a sparse fit is
        conservative. :attr:`df_nonzero` and :attr:`aic_nonzero` give the usual
        lasso degrees of freedom instead.
        """
        return 2.0 * self.df_model - 2.0 * self.loglik

    @property
    def df_nonzero(self) -> int:
        """Degrees of freedom less the estimates that are exactly zero.

        For an L1 (Laplace-prior) MAP this is the lasso's usual degrees of freedom,
        the number of non-zero coefficients (an unbiased estimate of the degrees of
        freedom of the lasso fit: Zou, Hastie and Tibshirani 2007, "On the degrees of
        freedom of the lasso"), plus any other estimated parameters (a noise
        variance). Exact zeros mean something only under an L1 prior; for other
        fits it equals ``df_model`` unless an estimate sits at 0 on its boundary.
        """
        zeros = sum(int(np.sum(np.asarray(v, dtype=float) == 0.0)) for v in self.params.values())
        return max(int(self.df_model) - zeros, 0)

    @property
    def aic_nonzero(self) -> float:
        """AIC with the lasso degrees of freedom, ``2 df_nonzero - 2 loglik``."""
        return 2.0 * self.df_nonzero - 2.0 * self.loglik

    @property
    def aicc(self) -> float:
        """AIC with the small-sample correction ``2 k (k + 1) / (n - k - 1)``."""
        k, n = self.df_model, self.n
        if n - k - 1 <= 0:
            return math.inf
        return self.aic + 2.0 * k * (k + 1) / (n - k - 1)

    @property
    def bic(self) -> float:
        """Bayesian information criterion, ``k log n - 2 loglik``."""
        return self.df_model * math.log(self.n) - 2.0 * self.loglik

    @property
    def stat_name(self) -> str:
        """``"t"`` where the model has residual degrees of freedom (OLS), else ``"z"``."""
        return "t" if self.df_resid is not None and self.df_resid > 0 else "z"

    @property
    def statistic(self) -> dict[str, Value]:
        """Wald statistics of ``H0: parameter = 0``, ``estimate / se`` (t or z)."""
        se = self.se
        out: dict[str, Value] = {}
        with np.errstate(divide="ignore", invalid="ignore"):
            for name, v in self.params.items():
                val = np.asarray(v, dtype=float) / np.asarray(se[name], dtype=float)
                out[name] = float(val) if np.ndim(v) == 0 else val
        return out

    @property
    def pvalues(self) -> dict[str, Value]:
        """Two-sided p-values of ``statistic`` (Student t with ``df_resid``, else normal)."""
        out: dict[str, Value] = {}
        for name, z in self.statistic.items():
            a = -np.abs(np.asarray(z, dtype=float))
            if self.stat_name == "t":
                pv = 2.0 * sc.stdtr(self.df_resid, a)
            else:
                pv = 2.0 * sc.ndtr(a)
            out[name] = float(pv) if np.ndim(z) == 0 else np.asarray(pv)
        return out

    # --------------------------------------------------------- intervals
    def _quantile(self, level: float) -> float:
        q = (1.0 + level) / 2.0
        if self.df_resid is not None and self.df_resid > 0:
            return float(sc.stdtrit(self.df_resid, q))
        return float(sc.ndtri(q))

    def conf_int(self, level: float = 0.95, kind: str = "wald") -> dict[str, tuple[Any, Any]]:
        """Confidence intervals, name -> (low, high).

        ``kind="wald"``: estimate +- z se, clipped to the parameter's domain (t
        quantiles where the model has residual degrees of freedom, as in OLS).
        ``kind="profile"``: where the likelihood is available, the set of values
        whose profile log-likelihood is within ``chi2_1(level) / 2`` of the maximum.
        ``kind="posterior"`` (a MAP): the posterior's equal-tailed credible interval,
        exact for a conjugate prior, else the Laplace approximation over log/logit
        coordinates. A MAP's Wald interval is only the curvature at the mode: an
        approximation to that posterior interval.
        """
        lv = check_level(level)
        if kind == "posterior":
            if self.method != "map" or self.objective is None:
                raise ValueError(
                    "kind='posterior' needs a MAP estimate with a proper prior "
                    "(th.fit(..., prior=...)); an MLE has confidence intervals: "
                    "kind='wald' or 'profile'"
                )
            return self.objective.posterior_interval(lv)
        if kind == "profile":
            names = () if self.objective is None else self.objective.names
            profiled = set(names) <= set(self.params) and not any(
                np.ndim(self.params[n]) for n in names
            )
            if self.objective is None or not profiled:
                raise ValueError(
                    "profile intervals need the objective of the fit; this estimate has none "
                    "(use kind='wald')"
                )
            return profile_intervals(self.objective, self.params, self.se, lv)
        if kind != "wald":
            raise ValueError(f"kind must be 'wald', 'profile' or 'posterior', got {kind!r}")
        z = self._quantile(lv)
        se = self.se
        out: dict[str, tuple[Any, Any]] = {}
        for name, v in self.params.items():
            s = np.asarray(se[name], dtype=float)
            val = np.asarray(v, dtype=float)
            with np.errstate(invalid="ignore"):
                lo, hi = val - z * s, val + z * s
            lo, hi = self._clip(name, lo, hi)
            if np.ndim(v) == 0:
                out[name] = (float(lo), float(hi))
            else:
                out[name] = (lo, hi)
        return out

    def _clip(self, name: str, lo: Any, hi: Any) -> tuple[Any, Any]:
        if self.family is None:
            return lo, hi
        try:
            dom = self.family.param(name).domain
        except KeyError:
            return lo, hi
        low = getattr(dom, "low", None)
        high = getattr(dom, "high", None)
        if low is not None:
            lo = np.maximum(lo, low)
        if high is not None:
            hi = np.minimum(hi, high)
        return lo, hi

    # --------------------------------------------------------- transform
    def transform(
        self, fn: Callable[..., Any], name: str, *, of: str | tuple[str, ...] | None = None
    ) -> Estimate:
        """A derived quantity with its delta-method standard error.

        ``fn`` receives the parameter named by ``of`` (or, by default, the only
        free parameter); with a tuple ``of`` or several free parameters it receives
        them as keyword arguments. By the MLE's invariance the estimate of
        ``fn(theta)`` is ``fn(theta_hat)`` (``sigma = sqrt(var)``); its variance is
        ``g^T cov g`` with ``g`` the gradient of ``fn`` (central differences).

        Examples
        --------
        >>> import numpy as np
        >>> est.transform(lambda p: np.log(p / (1 - p)), "log_odds")   # doctest: +SKIP
        """
        names = list(self.params)
        if of is None:
            use = names
        elif isinstance(of, str):
            use = [of]
        else:
            use = list(of)
        for u in use:
            if u not in self.params:
                raise ValueError(f"{u!r} is not an estimated parameter; have {names}")
        sub = {u: self.params[u] for u in use}
        single = len(use) == 1 and np.ndim(sub[use[0]]) == 0 and (of is None or isinstance(of, str))

        def call(flat: NDArray[np.float64]) -> float:
            vals = _unflatten(sub, flat)
            res = fn(vals[use[0]]) if single else fn(**vals)
            return float(res)

        theta = _flatten(sub)
        value = call(theta)
        idx = [self.labels.index(lab) for lab in _flat_labels(sub)]
        cov = self.cov[np.ix_(idx, idx)]
        grad = np.empty(theta.shape[0])
        for i in range(theta.shape[0]):
            h = 1e-6 * max(1.0, abs(theta[i]))
            up, dn = theta.copy(), theta.copy()
            up[i] += h
            dn[i] -= h
            try:
                grad[i] = (call(up) - call(dn)) / (2.0 * h)
            except (ValueError, ZeroDivisionError, FloatingPointError):
                grad[i] = np.nan
        with np.errstate(invalid="ignore"):
            if np.all(np.isfinite(cov)):
                var = float(grad @ cov @ grad)
            else:
                var = math.inf
        return Estimate(
            method=self.method,
            params={name: value},
            cov=np.array([[var]]),
            loglik=self.loglik,
            n=self.n,
            df_model=self.df_model,
            family=None,
            logpost=self.logpost,
            prior=self.prior,
            warnings=self.warnings,
            status=self.status,
            message=self.message,
            converged=self.converged,
            iterations=self.iterations,
            df_resid=self.df_resid,
            information=self.information,
        )

    # --------------------------------------------------------- display
    def report(self, level: float = 0.95) -> Report:
        """The summary as a :class:`~thetahat.results._table.Report` (text, HTML)."""
        fam = "-" if self.family is None else repr(self.family)
        facts: list[tuple[str, str]] = [
            ("Family", self.model or fam),
            ("Method", self.method.upper()),
            ("Observations", fmt(self.n)),
            ("Log-lik", fmt(self.loglik)),
            ("AIC", fmt(self.aic)),
            ("BIC", fmt(self.bic)),
            ("Prior", "none" if self.prior is None else _prior_text(self.prior)),
        ]
        if self.logpost is not None:
            facts.append(("Log-posterior", fmt(self.logpost)))
        for line in self.summary_lines:
            # "Label:   value   Label:   value" lines (regression) become separate facts
            pairs = _FACT.findall(str(line))
            if pairs:
                facts.extend((k.strip(), v) for k, v in pairs)
            else:
                facts.append((str(line), ""))
        status = f"{self.status}{(' - ' + self.message) if self.message else ''}"
        facts.append(("Status", status))
        notes = []
        if self.fixed:
            notes.append("fixed: " + ", ".join(f"{k}={_short(v)}" for k, v in self.fixed.items()))
        return Report(
            "thetahat estimate", facts, [self.coef_block(level)], notes, tuple(self.warnings)
        )

    def coef_block(self, level: float = 0.95) -> Block:
        """The parameter table: estimate, standard error and interval (with Wald tests
        for regression coefficients)."""
        ci, se = self.conf_int(level), self.se
        lo_h, hi_h = f"[{(1 - level) / 2:.3g}", f"{(1 + level) / 2:.3g}]"
        if self.tests:
            st, pv, stat = self.statistic, self.pvalues, self.stat_name
            rows = [
                (
                    name,
                    [v, se[name], _round(st[name]), _round(pv[name]), ci[name][0], ci[name][1]],
                )
                for name, v in self.params.items()
            ]
            return Block(["coef", "std err", stat, f"P>|{stat}|", lo_h, hi_h], rows)
        rows_e: list[tuple[str, list[Any]]] = []
        for name, v in self.params.items():
            cells = [
                np.ravel(np.asarray(c, dtype=float))  # a matrix row by row, as labels
                for c in (v, se[name], ci[name][0], ci[name][1])
            ]
            for i in range(cells[0].shape[0]):
                label = name if np.ndim(v) == 0 else f"{name}[{i}]"
                rows_e.append((label, [float(c[i]) for c in cells]))
        return Block(["estimate", "std err", lo_h, hi_h], rows_e)

    def summary(self, level: float = 0.95) -> str:
        """A plain-text table of the fit, like statsmodels' summary."""
        return self.report(level).text()

    def to_frame(self, level: float = 0.95) -> Any:
        """The parameter table as a pandas DataFrame (one row per parameter)."""
        return self.coef_block(level).to_frame()

    def __repr__(self) -> str:
        what = self.model or ("-" if self.family is None else type(self.family).__name__)
        params = ", ".join(f"{k}={_short(v)}" for k, v in self.params.items())
        return f"<Estimate {self.method.upper()} {what}: {params}; status={self.status}>"

    def gof(
        self, data: Any = None, *, weights: Any = None, n_boot: int = 1000, rng: Any = None
    ) -> Any:
        """Goodness of fit: KS, Cramér-von Mises and Anderson-Darling statistics with
        parametric-bootstrap p-values that re-fit every resample (chi-squared over pooled
        cells for discrete families; information criteria only for censored data).

        Returns a :class:`~thetahat.results.gof.GoodnessOfFit`; see
        :func:`thetahat.inference.gof.gof` for the formulas and why the plug-in
        tables are wrong when the parameters were estimated.

        Examples
        --------
        >>> import numpy as np, thetahat as th
        >>> x = np.random.default_rng(0).lognormal(0.0, 1.0, size=300)
        >>> g = th.fit(th.Gamma, x).gof(n_boot=199, rng=1)
        >>> g.ad_pvalue < 0.05    # a Gamma does not fit lognormal data
        True
        """
        from ..inference.gof import gof

        return gof(self, data, weights=weights, n_boot=n_boot, rng=rng)

    def bootstrap(
        self,
        n: int = 1000,
        kind: str = "parametric",
        *,
        rng: Any = None,
        data: Any = None,
        weights: Any = None,
    ) -> Any:
        """The bootstrap distribution of the estimate: ``n`` resamples, each re-fitted.

        ``kind="parametric"`` draws from the fitted distribution, ``"nonparametric"``
        resamples the data. Returns a :class:`~thetahat.results.bootstrap.Bootstrap`
        with ``conf_int(level, method="percentile" | "bca")``, ``transform``, the
        replicates and the share of re-fits that failed (see
        :func:`thetahat.inference.bootstrap.bootstrap`).

        Examples
        --------
        >>> import numpy as np, thetahat as th
        >>> x = np.random.default_rng(0).gamma(2.0, 1.0, size=200)
        >>> b = th.fit(th.Gamma, x).bootstrap(n=100, rng=1)
        >>> sorted(b.conf_int(0.9, method="bca"))
        ['rate', 'shape']
        """
        from ..inference.bootstrap import bootstrap

        return bootstrap(self, n, kind, rng=rng, data=data, weights=weights)

    def kl_to(self, truth: Distribution) -> Any:
        """``KL(truth || fitted distribution)`` in nats (``th.kl``): the expected
        log-likelihood loss of the fit against the truth, for simulation studies."""
        from ..divergence import kl

        return kl(truth, self.dist)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (non-finite numbers as "inf"/"-inf"/"nan")."""
        ci = self.conf_int()
        return jsonable(
            {
                "family": None if self.family is None else type(self.family).__name__,
                "method": self.method,
                "params": self.params,
                "se": self.se,
                "conf_int_95": {k: list(v) for k, v in ci.items()},
                "fixed": self.fixed,
                "prior": None if self.prior is None else _prior_text(self.prior),
                "loglik": self.loglik,
                "logpost": self.logpost,
                "n": self.n,
                "df_model": self.df_model,
                "aic": self.aic,
                "bic": self.bic,
                **({"statistic": self.statistic, "pvalues": self.pvalues} if self.tests else {}),
                "cov": np.asarray(self.cov),  # (a LazyCovariance is formed here)
                "labels": self.labels,
                "status": str(self.status),
                "message": self.message,
                "converged": self.converged,
                "iterations": self.iterations,
                "warnings": list(self.warnings),
            }
        )


#: every field's default (``details``' factory gives a fresh dict per estimate, set
#: by ``_interior_mle`` itself); the fields without one are set by it too
_DEFAULTS: dict[str, Any] = {
    f.name: f.default for f in dataclasses.fields(Estimate) if f.default is not dataclasses.MISSING
}
