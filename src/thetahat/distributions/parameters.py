"""The parameter object: declared parameters with domains, given or free.

Layer 1 of :class:`~thetahat.distributions.Distribution` (see ``_base``): a
distribution's parameters are declared in ``_params`` (:class:`Param`: name,
domain, meaning); an instance stores the given ones (validated against their
domains, immutable) and knows which are free, i.e. what a fit estimates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np
from numpy.typing import NDArray

from .._domains import Domain
from .._validation import to_float64

__all__ = ["Param", "Parametrized", "Value"]

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


class Parametrized:
    """Declared parameters, validated and frozen; the free ones are what a fit estimates."""

    _params: ClassVar[tuple[Param, ...]] = ()
    #: parameters a fit reads off the data instead of estimating (Multinomial's n)
    _known_from_data: ClassVar[tuple[str, ...]] = ()
    _values: dict[str, Value]
    _free: tuple[str, ...]
    _estimable: tuple[str, ...]
    _obs_arrays: dict[str, NDArray[np.float64]]

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
        if isinstance(v, float) and math.isfinite(v) and p.domain.contains(v):
            return float(v)  # one valid float (a fit's estimate): no array round trip
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
                shown = arr.item() if arr.ndim == 0 else "an array with values outside it"
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

    @classmethod
    def reprs_many(cls, params: Mapping[str, Any]) -> list[str]:
        """The ``repr`` of this family at many scalar parameter values (arrays, one entry
        per member), as ``repr`` writes one.

        Examples
        --------
        >>> import numpy as np
        >>> import thetahat as th
        >>> th.Beta.reprs_many({"a": np.array([5.0, 1.5]), "b": np.array([2.0, 3.0])})
        ['Beta(a=5, b=2)', 'Beta(a=1.5, b=3)']
        """
        names = [p.name for p in cls._params if p.name in params]
        cols = [np.asarray(params[n], dtype=float).tolist() for n in names]
        head = cls.__name__
        return [
            f"{head}({', '.join(f'{n}={v:g}' for n, v in zip(names, row, strict=True))})"
            for row in zip(*cols, strict=True)
        ]

    def __eq__(self, other: object) -> bool:
        if type(self) is not type(other):
            return NotImplemented
        assert isinstance(other, Parametrized)
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

    @property
    def estimable(self) -> tuple[str, ...]:
        """The free parameters a fit estimates (free, and not read off the data)."""
        return self._estimable

    def df_of(self, params: Mapping[str, Value]) -> int:
        """Degrees of freedom of ``params``: each domain's free entries (sizes, less one
        per probability vector, the upper triangle of a covariance matrix)."""
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
            total += dom.free_size(size)
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

    def with_params(self, **values: Value) -> Self:
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
