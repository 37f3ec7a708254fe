"""Observations: what data a family takes, validated with messages naming the problem.

Layer 3 of :class:`~thetahat.distributions.Distribution`: the shape of one
observation (``data_ndim``), the support of the data (``_support_mask``), the
per-observation inputs a family accepts (``_obs_keywords``: exposure, trials)
and per-observation parameter values, and the checks that turn bad data into a
``ValueError`` naming the first offending value and its index.
"""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

import numpy as np
from numpy.typing import NDArray

from .._validation import as_float_array, check_finite, check_same_length, per_observation
from .density import Density

__all__ = ["Observations", "counts_support", "positive_support"]


class Observations(Density):
    """Data validation for a family (see the module docstring)."""

    #: human description of the support of the data, for messages and docs
    support_text: ClassVar[str] = "real numbers"
    #: a multivariate event (one observation is a vector)
    event_vector: ClassVar[bool] = False
    #: dimensions of the data array (2 for count vectors)
    data_ndim: ClassVar[int] = 1
    #: per-observation keywords the statistics accept besides weights (e.g. exposure)
    _obs_keywords: ClassVar[tuple[str, ...]] = ()

    def _support_mask(self, *args: Any, **obs: Any) -> NDArray[np.bool_]:
        """Elementwise (per observation): is the value in the support of the data."""
        return np.ones(np.shape(args[0])[0], dtype=bool)

    def in_support(self, x: NDArray[np.float64], **obs: Any) -> NDArray[np.bool_]:
        """Elementwise: is each observation in the support of the data."""
        return self._support_mask(x, **obs)

    def _prepare_obs(self, m: int, obs: dict[str, Any]) -> dict[str, NDArray[np.float64]]:
        """Validate per-observation keywords (exposure, ...) and per-observation params."""
        if not obs and not any(self._values.get(n) is not None for n in _per_obs_names(self)):
            return {}  # nothing per observation (the common case: no dictionary work)
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

    def _check_censorable(self) -> None:
        """Raise ``ValueError`` where censored data cannot be fitted (a custom model
        without a cdf); every built-in continuous family can."""

    def check_censorable(self) -> None:
        """Refuse censored data the family cannot evaluate, with the reason."""
        self._check_censorable()

    def prepare_obs(self, m: int, obs: dict[str, Any]) -> dict[str, NDArray[np.float64]]:
        """Per-observation inputs and parameter values for ``m`` observations, validated."""
        return self._prepare_obs(m, obs)

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


_PER_OBS_NAMES: dict[type, tuple[str, ...]] = {}


def _per_obs_names(fam: Observations) -> tuple[str, ...]:
    """The parameters of ``fam``'s class that may hold one value per observation (cached)."""
    names = _PER_OBS_NAMES.get(type(fam))
    if names is None:
        names = tuple(p.name for p in fam._params if p.obs_array or p.per_observation)
        _PER_OBS_NAMES[type(fam)] = names
    return names


# The supports many families share, stated once (a family sets ``_support_mask = ...``).
def positive_support(self: Any, x: NDArray[np.float64], **obs: Any) -> NDArray[np.bool_]:
    """``_support_mask`` of the families on ``(0, inf)``."""
    return np.asarray(x > 0)


def counts_support(self: Any, x: NDArray[np.float64], **obs: Any) -> NDArray[np.bool_]:
    """``_support_mask`` of the count families: non-negative whole numbers."""
    return np.asarray((x >= 0) & (x == np.floor(x)))
