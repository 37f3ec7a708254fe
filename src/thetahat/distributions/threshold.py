"""Threshold (three-parameter) versions of the positive families: Weibull3, Gamma3, LogNormal3.

One design for every positive family with a threshold: a class whose
parameters are the base family's plus ``loc``, the threshold (the lower end of
the support), with the base's formulas applied to ``x - loc``. ``loc`` is fixed
like any parameter (``th.Weibull3(loc=0)`` is the two-parameter Weibull) or
left free and estimated.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from .._domains import REAL
from ..optim import SolverResult, Status
from ..statistics import statistics_of
from ._base import ContinuousDistribution, Param, Value
from .gamma import Gamma
from .lognormal import LogNormal
from .weibull import Weibull

__all__ = ["Gamma3", "LogNormal3", "Weibull3"]

#: grid of ``u`` (threshold ``min x - spread e^u``) for the profile search
_GRID = np.linspace(-14.0, 5.0, 39)
_LOC = Param("loc", REAL, "threshold: the lower end of the support")


class _Threshold(ContinuousDistribution):
    """A positive family shifted by a threshold ``loc`` (see the module docstring).

    Notes
    -----
    ``f(x) = f_base(x - loc)`` for ``x > loc``; likewise the cdf, survival
    function and their logs; quantiles and the mean shift by ``loc``; the
    variance is the base's.

    Fitting, with ``loc`` free: the likelihood is unbounded as the threshold
    approaches the smallest observation whenever the base shape lets the
    density grow without bound at 0 (Weibull and Gamma shape below 1; the
    log-normal always: Hill 1963), so the global maximum is a degenerate limit
    and the MLE is the **interior local maximum** where one exists (Smith
    1985). The fit maximises the **profile likelihood over the threshold**
    (the standard remedy; Cohen & Whitten 1980, Cousineau 2009):
    ``l_p(t) = max_theta log L(theta, t)``, each point the base family's own
    fast fit to ``x - t``, over ``t = min x - range e^u`` on a grid in ``u``
    (``u`` from -14 to 5: thresholds from ``1e-6`` ranges below the minimum to
    150 ranges below it), refined by Brent's method around the best interior
    local maximum. Without one the status is ``"boundary"`` and the message
    says which way the likelihood keeps rising: towards ``loc -> min x`` (the
    unbounded spike; the estimate is the last grid point, ``loc`` just below
    the minimum) or ``loc -> -infinity`` (the data are too symmetric for a
    threshold: the limit is a two-parameter location-scale form); the
    threshold's standard error is then infinite. With a Weibull or gamma
    shape of 2 or less the interior maximum is not regular (Smith 1985) and
    the message says so. Standard errors of an
    interior maximum come from the observed information of the full
    three-parameter likelihood; ``conf_int(kind="profile")`` gives the
    profile intervals. Censored data and priors use the generic Newton solve
    over all three parameters from the same start.
    """

    _base: ClassVar[type[ContinuousDistribution]]
    #: the base shape above which the threshold's MLE is regular (Weibull, Gamma: 2;
    #: None: always regular, the log-normal)
    _regular_above: ClassVar[float | None] = 2.0
    support_text = "numbers above the threshold loc (any real numbers when loc is free)"

    def _split(self, p: Mapping[str, Any]) -> tuple[float, dict[str, Any]]:
        return p["loc"], {k: v for k, v in p.items() if k != "loc"}

    def _base_family(self) -> ContinuousDistribution:
        """The base family with the given base parameters fixed."""
        return self._base(**{k: v for k, v in self._values.items() if k != "loc"})

    def _at_shifted(self, hook: str, x: NDArray[np.float64], p: Any) -> NDArray[np.float64]:
        """The base family's formula ``hook`` at ``x - loc``."""
        loc, rest = self._split(p)
        out: NDArray[np.float64] = getattr(self._base(), hook)(np.asarray(x) - loc, **rest)
        return out

    def _logp(self, x: NDArray[np.float64], **p: Any) -> NDArray[np.float64]:
        return self._at_shifted("_logp", x, p)

    def _cdf(self, x: NDArray[np.float64], **p: Any) -> NDArray[np.float64]:
        return self._at_shifted("_cdf", x, p)

    def _sf(self, x: NDArray[np.float64], **p: Any) -> NDArray[np.float64]:
        return self._at_shifted("_sf", x, p)

    def _logcdf(self, x: NDArray[np.float64], **p: Any) -> NDArray[np.float64]:
        return self._at_shifted("_logcdf", x, p)

    def _logsf(self, x: NDArray[np.float64], **p: Any) -> NDArray[np.float64]:
        return self._at_shifted("_logsf", x, p)

    def _ppf(self, q: NDArray[np.float64], **p: Any) -> NDArray[np.float64]:
        loc, rest = self._split(p)
        return np.asarray(self._base()._ppf(q, **rest) + loc)

    def _mean(self, **p: Any) -> float:
        loc, rest = self._split(p)
        return float(self._base()._mean(**rest) + loc)

    def _var(self, **p: Any) -> float:
        return float(self._base()._var(**self._split(p)[1]))

    def _mode(self, **p: Any) -> float:
        loc, rest = self._split(p)
        return float(self._base()._mode(**rest) + loc)

    def _sample(self, size: Any, rng: np.random.Generator, **p: Any) -> Any:
        loc, rest = self._split(p)
        return self._base()._sample(size, rng, **rest) + loc

    def _scipy(self, **p: Any) -> Any:
        loc, rest = self._split(p)
        ref = self._base()._scipy(**rest)
        return ref.dist(*ref.args, **{**ref.kwds, "loc": loc + ref.kwds.get("loc", 0.0)})

    # -- family
    def _support_mask(self, x: NDArray[np.float64], **obs: Any) -> NDArray[np.bool_]:
        if "loc" in self._values:
            return np.asarray(x > self._values["loc"])
        return np.ones(x.shape, dtype=bool)

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        return stats.total(self._logp(stats.x, **params))

    def _fit_at(
        self, stats: Any, t: float
    ) -> tuple[dict[str, Value], float, SolverResult | None] | None:
        """The base family's MLE on ``x - t`` (its closed form or fast path), with the
        log-likelihood of the shifted model; None where the base fit breaks down."""
        base = self._base_family()
        try:
            with np.errstate(all="ignore"):
                bs = statistics_of(base, stats.x - t, weights=stats.w)
                est = base.closed_form_mle(bs)
                res = None
                if est is None:
                    found = base.fast_fit(bs)
                    if found is None:
                        return None
                    est, res = found
        except (ValueError, TypeError, ZeroDivisionError, OverflowError, FloatingPointError):
            return None
        params = {**est, "loc": t}
        ll = self._loglik({**self._values, **params}, stats)
        return params, (ll if math.isfinite(ll) else -math.inf), res

    def _mle(self, stats: Any) -> dict[str, Value] | None:
        # loc given: the base family's closed form on x - loc, where it has one
        if "loc" not in self._values or not hasattr(stats, "x"):
            return None
        base = self._base_family()
        bs = statistics_of(base, stats.x - self._values["loc"], weights=stats.w)
        return base.closed_form_mle(bs)

    def _fit_fast(self, stats: Any) -> tuple[dict[str, Value], SolverResult] | None:
        if stats.x.ndim != 1:
            return None
        if "loc" in self._values:  # the base family's fast path on x - loc
            found = self._fit_at(stats, float(self._values["loc"]))
            if found is None or found[2] is None:
                return None
            params, ll, res = found[0], found[1], found[2]
            del params["loc"]
            return params, SolverResult.of(res.x, ll, res.converged, res.message, res.iterations)
        return self._profile_threshold(stats)

    def _profile_threshold(self, stats: Any) -> tuple[dict[str, Value], SolverResult] | None:
        xs = stats.positive()
        low, spread = float(np.min(xs)), float(np.ptp(xs))
        if not spread > 0:
            return None  # every value equal: the generic solve reports the degenerate fit
        fits = [self._fit_at(stats, low - spread * math.exp(u)) for u in _GRID]
        vals = np.array([f[1] if f is not None else -np.inf for f in fits])
        if not np.isfinite(vals).any():
            return None
        inner = [
            i
            for i in range(1, len(_GRID) - 1)
            if np.isfinite(vals[i]) and vals[i] >= vals[i - 1] and vals[i] >= vals[i + 1]
        ]
        if not inner:
            i = int(np.nanargmax(np.where(np.isfinite(vals), vals, -np.inf)))
            found = fits[i]
            assert found is not None
            params = {k: v for k, v in found[0].items() if k not in self._values}
            towards = (
                "loc -> min(x), where the likelihood is unbounded (the density's spike at "
                "the threshold; shape below 1)"
                if i < len(_GRID) // 2
                else "loc -> -infinity (the data are too symmetric for a threshold: the limit "
                "is a two-parameter location-scale form)"
            )
            msg = (
                f"the profile likelihood over the threshold has no interior local maximum: it "
                f"keeps rising towards {towards}; the estimate is where the search stopped "
                f"(loc = {params['loc']:.6g}), and loc's standard error is infinite"
            )
            res = SolverResult(
                np.array([_GRID[i]]),
                vals[i],
                False,
                Status.BOUNDARY,
                msg,
                len(_GRID),
                edge=("loc",),
            )
            return params, res
        i = max(inner, key=lambda j: vals[j])
        from scipy import optimize

        def neg(u: float) -> float:
            f = self._fit_at(stats, low - spread * math.exp(u))
            return -f[1] if f is not None else math.inf

        opt = optimize.minimize_scalar(
            neg, bounds=(float(_GRID[i - 1]), float(_GRID[i + 1])), method="bounded",
            options={"xatol": 1e-10},
        )  # fmt: skip
        u = float(opt.x) if -float(opt.fun) >= vals[i] else float(_GRID[i])
        found = self._fit_at(stats, low - spread * math.exp(u))
        assert found is not None
        params = {k: v for k, v in found[0].items() if k not in self._values}
        msg = "interior local maximum of the profile likelihood over the threshold"
        if vals[0] > found[1]:
            msg += (
                " (the likelihood itself is unbounded as loc -> min(x), where the shape is "
                "below 1; this local maximum is the MLE in Smith's 1985 sense)"
            )
        shape = params.get("shape", self._values.get("shape"))
        if self._regular_above is not None and shape is not None and shape <= 2.0:
            msg += (
                f"; shape = {float(shape):.4g} <= 2: the threshold's MLE is not regular "
                "(Smith 1985: it converges faster than n^-1/2 and is not normal), so its "
                "Wald standard error is unreliable; use conf_int(kind='profile')"
            )
        return params, SolverResult.done([u], found[1], msg, len(_GRID) + int(opt.nfev))

    def _start(self, stats: Any) -> dict[str, float]:
        xs = stats.positive() if hasattr(stats, "positive") else None
        if xs is None:
            return {}
        loc = self._values.get("loc")
        if loc is None:
            spread = float(np.ptp(xs)) or max(abs(float(xs[0])), 1.0)
            loc = float(np.min(xs)) - 0.25 * spread
        base = self._base_family()
        try:
            bs = statistics_of(base, stats.x - loc, weights=stats.w)
        except (ValueError, TypeError):
            return {}
        out = {**base.start_values(bs), "loc": float(loc)}
        return {k: v for k, v in out.items() if k not in self._values}


def _threshold_params(base: type[ContinuousDistribution]) -> tuple[Param, ...]:
    return (*(Param(p.name, p.domain, p.doc) for p in base._params), _LOC)


class Weibull3(_Threshold):
    """Three-parameter Weibull: :class:`Weibull` (``shape``, ``scale``) above a threshold ``loc``.

    Parameters
    ----------
    shape : float > 0
        Shape k.
    scale : float > 0
        Scale lambda.
    loc : float
        Threshold (location): the support is ``x > loc``.

    Notes
    -----
    ``f(x) = (k / lambda) ((x - loc) / lambda)^(k - 1) exp(-((x - loc) / lambda)^k)``;
    scipy's ``weibull_min(k, loc=loc, scale=lambda)``. Reliability engineering's
    three-parameter Weibull (a failure-free period ``loc``). See
    :class:`~thetahat.distributions.threshold._Threshold` for the fit: profile
    likelihood over the threshold, the interior local maximum, the boundary
    reported where the likelihood is unbounded (k < 1).

    Examples
    --------
    >>> import thetahat as th
    >>> d = th.Weibull3(2.0, 3.0, 10.0)
    >>> d.cdf(10.0), round(d.mean(), 6)
    (0.0, 12.658681)
    >>> est = th.fit(th.Weibull3, d.sample(2000, rng=7))
    >>> str(est.status), abs(est.params["loc"] - 10.0) < 0.2
    ('success', True)
    """

    _base = Weibull
    _params = _threshold_params(Weibull)


class Gamma3(_Threshold):
    """Three-parameter gamma: :class:`Gamma` (``shape``, ``rate``) above a threshold ``loc``.

    Parameters
    ----------
    shape : float > 0
        Shape k.
    rate : float > 0
        Rate beta.
    loc : float
        Threshold (location): the support is ``x > loc`` (Pearson type III).

    Notes
    -----
    ``f(x) = beta^k (x - loc)^(k - 1) exp(-beta (x - loc)) / Gamma(k)``; scipy's
    ``gamma(k, loc=loc, scale=1/beta)``; hydrology's Pearson type III. Fit: see
    :class:`Weibull3` (profile likelihood over the threshold; unbounded for
    k < 1 as ``loc -> min x``).

    Examples
    --------
    >>> import thetahat as th
    >>> d = th.Gamma3(3.0, 2.0, -1.0)
    >>> d.mean(), d.var()
    (0.5, 0.75)
    """

    _base = Gamma
    _params = _threshold_params(Gamma)


class LogNormal3(_Threshold):
    """Three-parameter log-normal: :class:`LogNormal` (``mu``, ``sigma``) above ``loc``.

    Parameters
    ----------
    mu : float
        Mean of ``log(x - loc)``.
    sigma : float > 0
        Standard deviation of ``log(x - loc)``.
    loc : float
        Threshold (location): the support is ``x > loc``.

    Notes
    -----
    ``log(x - loc) ~ Normal(mu, sigma)``; scipy's
    ``lognorm(sigma, loc=loc, scale=exp(mu))``. The likelihood is unbounded as
    ``loc -> min x`` for every sigma (Hill 1963), so the MLE is always the
    interior local maximum of the profile over the threshold (each point the
    closed-form log-normal fit). See :class:`Weibull3`.

    Examples
    --------
    >>> import thetahat as th
    >>> d = th.LogNormal3(0.0, 0.5, 5.0)
    >>> round(d.ppf(0.5), 6)
    6.0
    """

    _base = LogNormal
    _params = _threshold_params(LogNormal)
    _regular_above = None
