"""Custom models: ``th.Model(logpdf=fn, params={...})``.

A user's vectorised log density becomes a family like any other: ``fit``,
MAP with priors, ``posterior(method="laplace")``, profile intervals and
``compare`` all work on it. Derivatives come from central differences of the
log-likelihood unless an analytic ``score`` is given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._domains import NONNEGATIVE, OPEN_UNIT, POSITIVE, REAL, UNIT, Domain
from ._logspace import log1mexp
from .distributions import ContinuousDistribution, DiscreteDistribution, Param

__all__ = ["Model"]

_DOMAINS: dict[str, Domain] = {
    "real": REAL,
    "positive": POSITIVE,
    "nonnegative": NONNEGATIVE,
    "unit": OPEN_UNIT,
    "probability": OPEN_UNIT,
    "closed_unit": UNIT,
}

Value = Any


def _domain(name: str, spec: Any) -> Domain:
    if isinstance(spec, Domain):
        return spec
    if isinstance(spec, str) and spec.lower() in _DOMAINS:
        return _DOMAINS[spec.lower()]
    raise ValueError(
        f"parameter {name!r}: domain must be one of {', '.join(sorted(_DOMAINS))} or a "
        f"thetahat Domain, got {spec!r}"
    )


class _CustomMixin:
    """Likelihood hooks shared by continuous and discrete custom models."""

    _user_logpdf: Callable[..., Any]
    _model_name: str
    _start_values: dict[str, float]
    _values: dict[str, Any]

    def _logp(self, x: NDArray[np.float64], **params: Any) -> NDArray[np.float64]:
        out = np.asarray(type(self)._user_logpdf(x, **params), dtype=float)
        if out.shape != np.shape(x):
            out = np.broadcast_to(out, np.shape(x)).astype(float)
        if np.any(np.isnan(out)):
            i = int(np.flatnonzero(np.isnan(np.ravel(out)))[0])
            shown = ", ".join(f"{k}={v:g}" for k, v in params.items() if np.ndim(v) == 0)
            raise ValueError(
                f"the custom logpdf of {self._model_name} returned NaN at data[{i}] = "
                f"{np.ravel(x)[i].tolist()!r} with {shown}; return -inf outside the support"
            )
        return out

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        return stats.total(self._logp(stats.x, **params))

    # -- censored data: the user's logcdf / logsf hooks (either gives the other)
    _user_logcdf: Callable[..., Any] | None = None
    _user_logsf: Callable[..., Any] | None = None

    def _check_censorable(self) -> None:
        if type(self)._user_logcdf is None and type(self)._user_logsf is None:
            raise ValueError(
                f"censored data need the probability of an interval, which the custom model "
                f"{self._model_name} cannot compute from its logpdf alone: give th.Model a "
                "logcdf= (log P(X <= x)) or logsf= (log P(X > x)) hook"
            )

    def _user(self, which: str, x: NDArray[np.float64], params: Any) -> NDArray[np.float64]:
        fn = getattr(type(self), which)
        return np.broadcast_to(np.asarray(fn(x, **params), dtype=float), np.shape(x))

    def _logcdf(self, x: NDArray[np.float64], **params: Any) -> NDArray[np.float64]:
        self._check_censorable()
        if type(self)._user_logcdf is not None:
            return self._user("_user_logcdf", x, params)
        return log1mexp(self._user("_user_logsf", x, params))

    def _logsf(self, x: NDArray[np.float64], **params: Any) -> NDArray[np.float64]:
        self._check_censorable()
        if type(self)._user_logsf is not None:
            return self._user("_user_logsf", x, params)
        return log1mexp(self._user("_user_logcdf", x, params))

    def _cdf(self, x: NDArray[np.float64], **params: Any) -> NDArray[np.float64]:
        return np.exp(self._logcdf(x, **params))

    def _sf(self, x: NDArray[np.float64], **params: Any) -> NDArray[np.float64]:
        return np.exp(self._logsf(x, **params))

    def _start(self, stats: Any) -> dict[str, float]:
        return dict(self._start_values)


class _ScoreMixin:
    """Analytic score from the user; the Hessian by central differences of it."""

    _user_score: Callable[..., Any]
    _params: tuple[Param, ...]

    def _grad_hess(
        self, params: Mapping[str, Value], stats: Any
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        names = [p.name for p in self._params]

        def grad(theta: NDArray[np.float64]) -> NDArray[np.float64]:
            vals = dict(zip(names, (float(t) for t in theta), strict=True))
            parts = type(self)._user_score(stats.x, **vals)
            return np.array([stats.total(np.broadcast_to(p, stats.x.shape)) for p in parts])

        theta = np.array([float(params[n]) for n in names])
        g = grad(theta)
        h = np.empty((len(names), len(names)))
        for i in range(len(names)):
            step = 1e-5 * max(abs(theta[i]), 1.0)
            e = np.zeros(len(names))
            e[i] = step
            h[i] = (grad(theta + e) - grad(theta - e)) / (2.0 * step)
        return g, 0.5 * (h + h.T)


def Model(
    logpdf: Callable[..., Any],
    params: Mapping[str, Any],
    *,
    score: Callable[..., Any] | None = None,
    discrete: bool = False,
    start: Mapping[str, float] | None = None,
    name: str = "Model",
    logcdf: Callable[..., Any] | None = None,
    logsf: Callable[..., Any] | None = None,
) -> Any:
    """A custom family from a vectorised log density.

    Parameters
    ----------
    logpdf : callable
        ``logpdf(x, **params) -> array`` of log densities (or log masses), one per
        element of ``x``; ``-inf`` outside the support, never NaN.
    params : dict
        Parameter name -> domain: ``"real"``, ``"positive"``, ``"nonnegative"``,
        ``"unit"`` (0, 1), or a thetahat Domain.
    score : callable, optional
        ``score(x, **params) -> sequence`` of per-observation derivatives of
        ``logpdf``, one per parameter in the order of ``params``. Without it the
        score and Hessian are central differences of the log-likelihood.
    discrete : bool
        True when ``logpdf`` is a log probability mass.
    start : dict, optional
        Starting values for the optimiser.
    name : str
        Name shown in summaries and comparisons.
    logcdf, logsf : callable, optional
        ``logcdf(x, **params)`` = log P(X <= x) and ``logsf(x, **params)`` =
        log P(X > x), vectorised like ``logpdf``. Either one lets the model fit
        ``th.Censored`` data (left-, right- and interval-censored observations
        contribute log F, log S and log(F(hi) - F(lo))); without them censored
        data are refused with a message naming these hooks.

    Returns
    -------
    Distribution
        A family with every parameter free; ``.with_params(...)`` fixes some.

    Examples
    --------
    >>> import numpy as np
    >>> import thetahat as th
    >>> m = th.Model(lambda x, mu, s: -0.5 * ((x - mu) / s) ** 2 - np.log(s),
    ...              params={"mu": "real", "s": "positive"})
    >>> round(th.fit(m, [1.0, 2.0, 3.0, 6.0]).params["mu"], 6)
    3.0

    Right-censored data need the survival function (here an exponential: two
    events in ten units of time at risk give the rate 0.2):

    >>> expo = th.Model(lambda x, rate: np.log(rate) - rate * x,
    ...                 params={"rate": "positive"}, logsf=lambda x, rate: -rate * x)
    >>> data = th.Censored.right([1.0, 2.0, 3.0, 4.0], censored=[False, False, True, True])
    >>> round(th.fit(expo, data).params["rate"], 6)
    0.2
    >>> th.fit(th.Model(lambda x, rate: np.log(rate) - rate * x,
    ...                 params={"rate": "positive"}), data)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: censored data need ... give th.Model a logcdf= (log P(X <= x)) or logsf= ...

    Notes
    -----
    The log-likelihood is ``sum_i w_i logpdf(x_i, theta)``; the fit runs the
    same Newton solver as the built-in families, over parameters mapped to the
    real line by their domains.

    Examples
    --------
    >>> import numpy as np
    >>> import thetahat as th
    >>> def logpdf(x, mu, s):
    ...     return -0.5 * ((x - mu) / s) ** 2 - np.log(s)
    ...
    >>> m = th.Model(logpdf=logpdf, params={"mu": "real", "s": "positive"})
    >>> est = th.fit(m, [4.9, 5.6, 5.1, 4.4, 5.0])
    >>> {k: round(v, 4) for k, v in est.params.items()}
    {'mu': 5.0, 's': 0.3847}
    """
    if not callable(logpdf):
        raise TypeError(f"logpdf must be callable, got {logpdf!r}")
    for hook_name, hook in (("score", score), ("logcdf", logcdf), ("logsf", logsf)):
        if hook is not None and not callable(hook):
            raise TypeError(f"{hook_name} must be callable, got {hook!r}")
    if not params:
        raise ValueError("a Model needs at least one parameter")
    decl = []
    for pname, spec in params.items():
        if not isinstance(pname, str) or not pname.isidentifier():
            raise ValueError(f"parameter names must be identifiers, got {pname!r}")
        decl.append(Param(pname, _domain(pname, spec), "custom parameter"))
    starts = {}
    for key, val in (start or {}).items():
        if key not in params:
            raise ValueError(f"start value for {key!r}, which is not a parameter")
        starts[key] = float(val)
    base: type = DiscreteDistribution if discrete else ContinuousDistribution
    mixins: tuple[type, ...] = (_CustomMixin,) if score is None else (_ScoreMixin, _CustomMixin)
    namespace: dict[str, Any] = {
        "_params": tuple(decl),
        "_user_logpdf": staticmethod(logpdf),
        "_model_name": name,
        "_start_values": starts,
        "support_text": "values where the custom logpdf is finite",
        "__doc__": f"Custom model {name} with parameters {', '.join(params)}.",
    }
    if score is not None:
        namespace["_user_score"] = staticmethod(score)
    if logcdf is not None:
        namespace["_user_logcdf"] = staticmethod(logcdf)
    if logsf is not None:
        namespace["_user_logsf"] = staticmethod(logsf)
    cls = type(name if name.isidentifier() else "Model", (*mixins, base), namespace)
    return cls()
