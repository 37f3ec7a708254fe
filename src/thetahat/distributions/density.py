"""The density API: formula hooks and the public methods built on them.

Layer 2 of :class:`~thetahat.distributions.Distribution`. Subclasses put the
mathematics in small ``_formula`` methods that receive the parameter values as
keywords (``_logp``, ``_mean``, ``_var``, ``_sample``, ``_cdf``, ``_sf``,
``_ppf``, ``_mode``, ``_scipy``; scipy's new-infrastructure style); the public
methods (``logpdf``, ``cdf``, ``sample``, ...) need every parameter given.
``log_density``, ``cdf_at`` and ``sf_at`` evaluate at explicit parameter values
(what likelihoods over censored data and priors over parameters call).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import as_generator, check_level
from .parameters import Parametrized, Value

__all__ = ["Density"]


class Density(Parametrized):
    """Formula hooks and the density API (see the module docstring)."""

    #: ``_mean``, ``_var``, ``_mode`` and ``_ppf`` also take arrays of parameter values
    _array_formulas = False

    @classmethod
    def summaries_many(
        cls, params: Mapping[str, Any], level: float = 0.95
    ) -> dict[str, NDArray[np.float64]] | None:
        """Mode, mean, sd and the equal-tailed interval (``low``, ``high``) of this family
        at many parameter values (arrays, one entry per member), from the same formula
        hooks as one distribution's methods; None where the family's formulas take
        scalars only.

        Examples
        --------
        >>> import numpy as np
        >>> import thetahat as th
        >>> out = th.Gamma.summaries_many({"shape": np.array([2.0, 5.0]), "rate": np.ones(2)})
        >>> out["mean"].tolist(), out["mode"].tolist()
        ([2.0, 5.0], [1.0, 4.0])
        """
        if not cls._array_formulas:
            return None
        lv = check_level(level)
        hooks = object.__new__(cls)  # the formula hooks read no state of the instance
        p = {k: np.asarray(v, dtype=float) for k, v in params.items()}
        with np.errstate(all="ignore"):
            out = {
                "mode": hooks._mode(**p),
                "mean": hooks._mean(**p),
                "sd": np.sqrt(hooks._var(**p)),
                "low": hooks._ppf(np.asarray((1.0 - lv) / 2.0), **p),
                "high": hooks._ppf(np.asarray((1.0 + lv) / 2.0), **p),
            }
        m = int(np.shape(next(iter(p.values())))[0])
        return {k: np.broadcast_to(np.asarray(v, dtype=float), (m,)) for k, v in out.items()}

    def _logp(self, *args: Any, **p: Any) -> Any:
        raise TypeError(f"{type(self).__name__} has no density")

    def _mean(self, *args: Any, **p: Any) -> Any:
        return self.to_scipy().mean()

    def _var(self, *args: Any, **p: Any) -> Any:
        return self.to_scipy().var()

    def _sample(self, *args: Any, **p: Any) -> Any:
        size, rng = args
        return self.to_scipy().rvs(size=size, random_state=rng)

    def _cdf(self, *args: Any, **p: Any) -> Any:
        return np.asarray(self.to_scipy().cdf(args[0]), dtype=float)

    def _sf(self, *args: Any, **p: Any) -> Any:
        return np.asarray(self.to_scipy().sf(args[0]), dtype=float)

    def _ppf(self, *args: Any, **p: Any) -> Any:
        return np.asarray(self.to_scipy().ppf(args[0]), dtype=float)

    def _scipy(self, *args: Any, **p: Any) -> Any:
        raise TypeError(f"{type(self).__name__} has no scipy.stats equivalent")

    # ------------------------------------------------------------ public methods
    def to_scipy(self) -> Any:
        """The equivalent frozen ``scipy.stats`` distribution."""
        return self._scipy(**self._require_frozen("to_scipy"))

    def _logdensity(self, x: ArrayLike) -> NDArray[np.float64] | float:
        p = self._require_frozen("logpdf")
        arr = np.asarray(x, dtype=float)
        out = np.asarray(self._logp(arr, **p), dtype=float)
        return float(out) if out.ndim == 0 else out

    def mode(self) -> Value:
        """The mode (the most probable value; for a posterior, the MAP)."""
        return self._mode(**self._require_frozen("mode"))

    def _mode(self, *args: Any, **p: Any) -> Any:
        raise TypeError(f"{type(self).__name__} has no mode formula")

    def mean(self) -> Value:
        """The mean."""
        return self._mean(**self._require_frozen("mean"))

    def var(self) -> Value:
        """The variance."""
        return self._var(**self._require_frozen("var"))

    def std(self) -> Value:
        """The standard deviation."""
        return np.sqrt(self.var())

    def sample(
        self,
        size: int | tuple[int, ...] | None = None,
        rng: Any = None,
        *,
        random_state: Any = None,
    ) -> Any:
        """Draw random variates; ``rng`` is a seed or ``numpy.random.Generator``
        (``random_state=`` is accepted as scikit-learn and scipy spell it)."""
        p = self._require_frozen("sample")
        return self._sample(size, as_generator(rng, random_state), **p)

    def cdf(self, x: ArrayLike) -> NDArray[np.float64] | float:
        """Cumulative distribution function P(X <= x)."""
        p = self._require_frozen("cdf")
        out = np.asarray(self._cdf(np.asarray(x, dtype=float), **p), dtype=float)
        return float(out) if out.ndim == 0 else out

    def sf(self, x: ArrayLike) -> NDArray[np.float64] | float:
        """Survival function P(X > x)."""
        p = self._require_frozen("sf")
        out = np.asarray(self._sf(np.asarray(x, dtype=float), **p), dtype=float)
        return float(out) if out.ndim == 0 else out

    def logcdf(self, x: ArrayLike) -> NDArray[np.float64] | float:
        """``log P(X <= x)``, in log space where the family has the formula (the lower
        tail keeps its precision where the cdf underflows)."""
        p = self._require_frozen("logcdf")
        with np.errstate(divide="ignore"):
            out = np.asarray(self._logcdf(np.asarray(x, dtype=float), **p), dtype=float)
        return float(out) if out.ndim == 0 else out

    def logsf(self, x: ArrayLike) -> NDArray[np.float64] | float:
        """``log P(X > x)``, in log space where the family has the formula (the upper
        tail keeps its precision where the survival function underflows)."""
        p = self._require_frozen("logsf")
        with np.errstate(divide="ignore"):
            out = np.asarray(self._logsf(np.asarray(x, dtype=float), **p), dtype=float)
        return float(out) if out.ndim == 0 else out

    def ppf(self, q: ArrayLike) -> NDArray[np.float64] | float:
        """Quantile function (inverse of the cdf)."""
        p = self._require_frozen("ppf")
        qq = np.asarray(q, dtype=float)
        if np.any((qq < 0) | (qq > 1)):
            raise ValueError("ppf needs probabilities in [0, 1]")
        out = np.asarray(self._ppf(qq, **p), dtype=float)
        return float(out) if out.ndim == 0 else out

    def interval(self, level: float = 0.95) -> tuple[Any, Any]:
        """Equal-tailed interval holding probability ``level``."""
        lv = check_level(level)
        lo = self.ppf((1.0 - lv) / 2.0)
        hi = self.ppf((1.0 + lv) / 2.0)
        return lo, hi

    # ---------------------------------------------- at explicit parameter values
    def log_density(self, x: ArrayLike, params: Mapping[str, Value]) -> NDArray[np.float64]:
        """Log density (or mass) of ``x`` at the parameter values ``params``."""
        return np.asarray(self._logp(np.asarray(x, dtype=float), **params), dtype=float)

    def cdf_at(self, x: ArrayLike, params: Mapping[str, Value]) -> NDArray[np.float64]:
        """``P(X <= x)`` at the parameter values ``params``."""
        return np.asarray(self._cdf(np.asarray(x, dtype=float), **params), dtype=float)

    def sf_at(self, x: ArrayLike, params: Mapping[str, Value]) -> NDArray[np.float64]:
        """``P(X > x)`` at the parameter values ``params``."""
        return np.asarray(self._sf(np.asarray(x, dtype=float), **params), dtype=float)

    def logcdf_at(self, x: ArrayLike, params: Mapping[str, Value]) -> NDArray[np.float64]:
        """``log P(X <= x)`` at ``params`` (the ``_logcdf`` formula where a family has
        one, as custom models may; else the log of the cdf)."""
        return np.asarray(self._logcdf(np.asarray(x, dtype=float), **params), dtype=float)

    def logsf_at(self, x: ArrayLike, params: Mapping[str, Value]) -> NDArray[np.float64]:
        """``log P(X > x)`` at ``params`` (``_logsf``, else the log of the sf)."""
        return np.asarray(self._logsf(np.asarray(x, dtype=float), **params), dtype=float)

    def _logcdf(self, *args: Any, **p: Any) -> Any:
        return np.log(self._cdf(*args, **p))

    def _logsf(self, *args: Any, **p: Any) -> Any:
        return np.log(self._sf(*args, **p))

    def logdensity(self, x: ArrayLike) -> NDArray[np.float64] | float:
        """Log density or mass at ``x`` (``logpdf`` or ``logpmf``; every parameter given)."""
        return self._logdensity(x)
