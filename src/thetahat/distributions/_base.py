"""The Distribution base class and parameter declarations.

Every thetahat distribution is one class used two ways:

* **frozen** (all parameters given): a probability distribution that can be
  evaluated (``logpdf``/``logpmf``), sampled, summarised and used as a prior;
* **a family** (some parameters left out): the free parameters are what
  :func:`thetahat.fit` and :func:`thetahat.posterior` estimate; the given ones
  stay fixed.

Subclasses declare their parameters with their domains in ``_params`` and put
the mathematics in small ``_formula`` methods that receive the parameter values
as keyword arguments (``_logp``, ``_mean``, ``_var``, ``_sample``, ``_cdf``,
``_ppf``, ``_scipy``); the plumbing (validation, broadcasting, freezing, error
messages) lives here.  Families that can be fitted also implement the
sufficient-statistic hooks ``suff_stats``, ``_loglik``, ``_mle`` and
``_information``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, NoReturn

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import _fastpath
from .._domains import Domain, Simplex
from .._validation import (
    as_float_array,
    as_generator,
    as_weights,
    check_finite,
    check_same_length,
    per_observation,
    to_float64,
)
from ..stats import CHUNK, SuffStats

__all__ = ["ContinuousDistribution", "DiscreteDistribution", "Distribution", "Param"]

Value = Any  # float or ndarray


@dataclass(frozen=True)
class Param:
    """Declaration of one parameter: its name, domain and meaning."""

    name: str
    domain: Domain
    doc: str = ""
    per_observation: bool = False  # may be an array with one value per observation
    #: may be fixed to an array with one value per observation, which the family's
    #: statistics do not reduce: a fit then sums the log density over the data
    obs_array: bool = False


def check_level(level: float) -> float:
    """Validate a probability level such as 0.95 for an interval."""
    lv = float(level)
    if not 0.0 < lv < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    return lv


class Distribution:
    """Base class of all thetahat distributions (see the module docstring)."""

    _params: ClassVar[tuple[Param, ...]] = ()
    discrete: ClassVar[bool] = False
    #: human description of the support of the data, for messages and docs
    support_text: ClassVar[str] = "real numbers"
    #: a multivariate event (one observation is a vector)
    event_vector: ClassVar[bool] = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        cls = type(self).__name__
        names = [p.name for p in self._params]
        if len(args) > len(names):
            raise TypeError(
                f"{cls} takes at most {len(names)} positional parameters "
                f"({', '.join(names) or 'none'}), got {len(args)}"
            )
        given: dict[str, Any] = dict(zip(names, args, strict=False))
        for key, val in kwargs.items():
            if key not in names:
                raise TypeError(
                    f"{cls} has no parameter {key!r}; its parameters are "
                    f"{', '.join(names) or 'none'}"
                )
            if key in given:
                raise TypeError(f"{cls} got parameter {key!r} twice")
            given[key] = val
        values: dict[str, Value] = {}
        for p in self._params:
            v = given.get(p.name)
            if v is None:
                continue
            values[p.name] = self._validate_param(p, v)
        object.__setattr__(self, "_values", values)
        for p in self._params:
            object.__setattr__(self, p.name, values.get(p.name))
        free = tuple(p.name for p in self._params if p.name not in values)
        object.__setattr__(self, "_free", free)
        object.__setattr__(
            self, "_estimable", tuple(p for p in free if p not in self._known_from_data)
        )
        arrays = {
            p.name: values[p.name]
            for p in self._params
            if p.obs_array and isinstance(values.get(p.name), np.ndarray)
        }
        object.__setattr__(self, "_obs_arrays", arrays)
        self._check_joint()

    # ------------------------------------------------------------------ plumbing
    def _validate_param(self, p: Param, v: Any) -> Value:
        cls = type(self).__name__
        if isinstance(v, str | bytes):
            raise TypeError(f"{cls} parameter {p.name} must be a number, not a string")
        arr = to_float64(v, f"{cls} parameter {p.name}")
        if arr.ndim > 0 and not (p.domain.vector or p.per_observation or p.obs_array):
            raise ValueError(f"{cls} parameter {p.name} must be a scalar, got shape {arr.shape}")
        if p.obs_array and (arr.ndim > 1 or arr.size == 0):
            raise ValueError(
                f"{cls} parameter {p.name} must be a scalar or one value per observation "
                f"(a non-empty 1-dimensional array), got shape {arr.shape}"
            )
        if arr.ndim == 0 or not p.obs_array:  # (arrays per observation: checked below)
            nonfinite = ~np.isfinite(arr.ravel())
            if nonfinite.any():
                # an infinite hyperparameter is a limit, not a distribution: Beta(inf, 1)
                # is a point mass that no prior or likelihood formula evaluates correctly
                where = "" if arr.ndim == 0 else f"[{int(np.flatnonzero(nonfinite)[0])}]"
                raise ValueError(
                    f"{cls} parameter {p.name}{where} must be finite "
                    f"({p.domain.describe()}), got {arr.ravel()[nonfinite][0].tolist()!r}"
                )
        if not p.domain.contains(arr):
            if arr.ndim == 0 or p.domain.vector:
                shown = v if arr.ndim == 0 else "an array with values outside it"
                raise ValueError(
                    f"{cls} parameter {p.name} must be {p.domain.describe()}, got {shown!r}"
                )
            flat = arr.ravel()
            i = next(j for j in range(flat.size) if not p.domain.contains(flat[j]))
            raise ValueError(
                f"{cls} parameter {p.name} must be {p.domain.describe()} for every "
                f"observation; {p.name}[{i}] = {flat[i].tolist()!r} is not"
            )
        if arr.ndim == 0:
            return float(arr)
        if p.obs_array and not np.isfinite(arr).all():
            i = int(np.flatnonzero(~np.isfinite(arr))[0])
            raise ValueError(
                f"{cls} parameter {p.name} must be finite for every observation; "
                f"{p.name}[{i}] = {arr[i].tolist()!r}"
            )
        out = arr.copy()
        out.setflags(write=False)
        return out

    def _check_joint(self) -> None:
        """Cross-parameter checks (e.g. matching vector lengths); override if needed."""

    def __getattr__(self, name: str) -> Any:
        # only reached when normal lookup fails: parameters are real attributes
        raise AttributeError(
            f"{type(self).__name__} has no attribute {name!r}; its parameters are "
            f"{', '.join(self.param_names()) or 'none'}"
        )

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; create a new instance")

    def __repr__(self) -> str:
        parts = []
        for p in self._params:
            v = self._values.get(p.name)
            if v is None:
                continue
            if isinstance(v, np.ndarray):
                parts.append(f"{p.name}={np.array2string(v, separator=', ', threshold=6)}")
            else:
                parts.append(f"{p.name}={v:g}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __eq__(self, other: object) -> bool:
        if type(self) is not type(other):
            return NotImplemented
        assert isinstance(other, Distribution)
        if self._values.keys() != other._values.keys():
            return False
        return all(np.array_equal(self._values[k], other._values[k]) for k in self._values)

    def __hash__(self) -> int:
        return hash(repr(self))

    @classmethod
    def param_names(cls) -> tuple[str, ...]:
        """Names of all parameters, in positional order."""
        return tuple(p.name for p in cls._params)

    @classmethod
    def param(cls, name: str) -> Param:
        """The declaration of parameter ``name``."""
        for p in cls._params:
            if p.name == name:
                return p
        raise KeyError(f"{cls.__name__} has no parameter {name!r}")

    @property
    def params(self) -> dict[str, Value]:
        """The given (fixed) parameters, name -> value."""
        return dict(self._values)

    @property
    def free(self) -> tuple[str, ...]:
        """Names of the parameters left out, which a fit estimates."""
        return self._free

    #: parameters a fit reads off the data instead of estimating (Multinomial's n)
    _known_from_data: ClassVar[tuple[str, ...]] = ()

    @property
    def estimable(self) -> tuple[str, ...]:
        """The free parameters a fit estimates (free, and not read off the data)."""
        return self._estimable

    def df_of(self, params: Mapping[str, Value]) -> int:
        """Degrees of freedom of ``params``: sizes, less one per probability vector."""
        total = 0
        for name, v in params.items():
            if type(v) is float:
                total += 1
                continue
            size = int(np.size(v))
            try:
                dom = self.param(name).domain
            except KeyError:
                total += size
                continue
            total += size - 1 if isinstance(dom, Simplex) else size
        return total

    @property
    def obs_arrays(self) -> dict[str, NDArray[np.float64]]:
        """Parameters fixed to one value per observation that the family's statistics
        do not reduce (``th.Gamma(rate=r)``): a fit sums the log density over the data."""
        return self._obs_arrays

    @property
    def is_frozen(self) -> bool:
        """True when every parameter is given."""
        return not self.free

    def with_params(self, **values: Value) -> Distribution:
        """A new instance with ``values`` added to (or replacing) the given parameters."""
        merged = {**self._values, **values}
        return type(self)(**merged)

    def _require_frozen(self, what: str) -> dict[str, Value]:
        if self.free:
            raise ValueError(
                f"{type(self).__name__}.{what} needs every parameter; "
                f"{', '.join(self.free)} not given (fit it first, or give them)"
            )
        return self._values

    # ------------------------------------------------------------ formula hooks
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

    # ----------------------------------------------------- fitting hooks (family)
    #: the SuffStats subclass of this family (None: no finite sufficient statistics)
    _stats_type: ClassVar[type[SuffStats] | None] = None
    #: unweighted chunks reduced by a compiled kernel (big chunks, over threads)
    _compiled_chunks: ClassVar[bool] = False
    #: dimensions of the data array (2 for count vectors)
    data_ndim: ClassVar[int] = 1
    #: per-observation keywords ``suff_stats`` accepts besides weights (e.g. exposure)
    _obs_keywords: ClassVar[tuple[str, ...]] = ()

    def _support_mask(self, *args: Any, **obs: Any) -> NDArray[np.bool_]:
        """Elementwise (per observation): is the value in the support of the data."""
        return np.ones(np.shape(args[0])[0], dtype=bool)

    def _chunk_stats(self, *args: Any, **kw: Any) -> Any:
        raise TypeError(f"{type(self).__name__} has no finite sufficient statistics")

    def _prepare_obs(self, m: int, obs: dict[str, Any]) -> dict[str, NDArray[np.float64]]:
        """Validate per-observation keywords (exposure, ...) and per-observation params."""
        cls = type(self).__name__
        out: dict[str, NDArray[np.float64]] = {}
        for key, val in obs.items():
            if val is None:
                continue
            if key not in self._obs_keywords:
                allowed = ", ".join(self._obs_keywords) or "none"
                raise ValueError(
                    f"{key} does not apply to {cls} (per-observation inputs it takes: {allowed})"
                )
            arr = as_float_array(val, key, ndim=None)
            arr = per_observation(arr, m, key)
            check_finite(arr, key)
            out[key] = arr
        for p in self._params:
            v = self._values.get(p.name)
            if p.obs_array and isinstance(v, np.ndarray):
                check_same_length(m, v, f"{cls} parameter {p.name} (one value per observation)")
                out[p.name] = v
                continue
            if not p.per_observation or v is None:
                continue
            if isinstance(v, np.ndarray):
                check_same_length(m, v, f"{cls} parameter {p.name}")
                out[p.name] = v
            else:
                out[p.name] = np.full(m, v)
        return out

    def suff_stats(self, data: Any, weights: ArrayLike | None = None, **obs: Any) -> SuffStats:
        """Sufficient statistics of ``data`` for this family, in one pass over memory.

        The data are validated (finite, in the support) and reduced chunk by chunk;
        chunks merge with ``+`` exactly as partitions of a larger data set would.
        """
        if self._stats_type is None:
            raise TypeError(f"{type(self).__name__} has no finite sufficient statistics")
        if self.obs_arrays:
            raise ValueError(
                f"{type(self).__name__} with per-observation {', '.join(self.obs_arrays)} has no "
                "sufficient statistics: th.fit sums the log density over the observations "
                "(conjugate updates need scalar fixed parameters)"
            )
        x = self._as_data(data)
        m = x.shape[0]
        w = as_weights(weights, m)
        po = self._prepare_obs(m, obs)
        total = self._reduce(x, w, po)
        if total is None:
            self._explain_bad_data(x, po)
        return total

    def _reduce(
        self, x: NDArray[np.float64], w: NDArray[np.float64] | None, po: dict[str, Any]
    ) -> SuffStats | None:
        """Statistics of all of ``x``, chunk by chunk; None when some value is invalid.

        ``po`` holds the per-observation inputs (exposure, trials); a family that
        takes none (its fixed per-observation values never reach statistics) may
        ignore it. Families override it with a fused loop (one scratch buffer,
        float sums).
        Families whose chunk statistics come from a compiled kernel
        (``_compiled_chunks``) take big chunks, spread over threads when unweighted.
        """
        assert self._stats_type is not None
        m = x.shape[0]
        chunk = CHUNK
        if w is None and self._compiled_chunks and _fastpath.HAVE_KERNELS:
            chunk = _fastpath.BIG_CHUNK

        def one(start: int) -> SuffStats | None:
            sl = slice(start, start + chunk)
            oc = {k: v[sl] for k, v in po.items()}
            return self._checked_chunk_stats(x[sl], None if w is None else w[sl], oc)

        parts: Iterable[SuffStats | None]
        if chunk == CHUNK:  # numpy passes: one chunk at a time, stop at the first bad one
            parts = (one(start) for start in range(0, m, chunk))
        else:  # compiled passes release the GIL: chunks over threads
            parts = _fastpath.map_chunks(one, m, chunk)
        total = self._stats_type.zero()
        for st in parts:
            if st is None:
                return None
            total = total + st
        return total

    def _checked_chunk_stats(
        self, x: NDArray[np.float64], w: NDArray[np.float64] | None, obs: dict[str, Any]
    ) -> SuffStats | None:
        """Statistics of one chunk, or None when the chunk holds invalid data.

        Families override this with a cheaper test fused into the computation (a
        sum that is not finite reveals a NaN or inf without a separate pass).
        """
        if not (np.isfinite(x).all() and self._support_mask(x, **obs).all()):
            return None
        return self._chunk_stats(x, w, obs)

    def _as_data(self, data: Any) -> NDArray[np.float64]:
        return as_float_array(data, "data", ndim=self.data_ndim)

    def check_data(self, data: Any, **obs: Any) -> NDArray[np.float64]:
        """Validate ``data`` for this family and return it as a float array."""
        x = self._as_data(data)
        po = self._prepare_obs(x.shape[0], obs)
        if not (np.isfinite(x).all() and self._support_mask(x, **po).all()):
            self._explain_bad_data(x, po)
        return x

    def _explain_bad_data(self, x: NDArray[np.float64], po: dict[str, Any]) -> NoReturn:
        check_finite(x, "data")
        bad = ~self._support_mask(x, **po)
        i = int(np.flatnonzero(bad)[0])
        shown = x[i].tolist()
        raise ValueError(
            f"{type(self).__name__} data must be {self.support_text}; data[{i}] = {shown!r} is "
            f"not ({int(bad.sum())} value(s) outside the support)"
        )

    def _loglik(self, *args: Any, **kw: Any) -> float:
        raise TypeError(f"{type(self).__name__} cannot be used as a likelihood")

    def _mle(self, *args: Any, **kw: Any) -> dict[str, Value] | None:
        """Closed-form MLE of the free parameters, or None when there is none."""
        return None

    def _information(self, *args: Any, **kw: Any) -> NDArray[np.float64] | None:
        """Fisher information of the free parameters (total over the data), or None."""
        return None


class ContinuousDistribution(Distribution):
    """A distribution with a density."""

    discrete = False

    def logpdf(self, x: ArrayLike) -> NDArray[np.float64] | float:
        """Log of the probability density at ``x`` (-inf outside the support)."""
        return self._logdensity(x)

    def pdf(self, x: ArrayLike) -> NDArray[np.float64] | float:
        """Probability density at ``x``."""
        return np.exp(self._logdensity(x))


class DiscreteDistribution(Distribution):
    """A distribution with a probability mass function."""

    discrete = True

    def logpmf(self, x: ArrayLike) -> NDArray[np.float64] | float:
        """Log of the probability mass at ``x`` (-inf outside the support)."""
        return self._logdensity(x)

    def pmf(self, x: ArrayLike) -> NDArray[np.float64] | float:
        """Probability mass at ``x``."""
        return np.exp(self._logdensity(x))
