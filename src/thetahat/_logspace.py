"""Log-space helpers the families share for tails that must not round to 0 or 1."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["log1mexp"]

_LOG_HALF = -float(np.log(2.0))


def log1mexp(t: Any) -> NDArray[np.float64]:
    """``log(1 - e^t)`` for ``t <= 0``, accurate everywhere (Maechler 2012).

    ``log(-expm1(t))`` near 0 (where ``1 - e^t`` is small), ``log1p(-e^t)`` below
    ``-log 2`` (where ``e^t`` is small): a log survival function from a log cdf,
    or the reverse, keeps full relative precision in both tails.
    """
    tt = np.asarray(t, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(tt > _LOG_HALF, np.log(-np.expm1(tt)), np.log1p(-np.exp(tt)))
