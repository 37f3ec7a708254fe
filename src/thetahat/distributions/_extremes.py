"""What the extreme-value families share: ``log1p(xi z) / xi`` and the MLE's caveats.

Both the generalised Pareto and the generalised extreme value densities are
written through ``y = log1p(xi z) / xi`` (``z`` at ``xi = 0``), which is exact
for every shape including the exponential/Gumbel limit.

The MLE's known caveats (Smith 1985; Hosking & Wallis 1987; Coles 2001, 3.3.1):

* ``xi <= -1``: the likelihood is unbounded (the density at the upper end of
  the support is infinite), so the MLE is the local maximum with ``xi > -1``
  where one exists; otherwise there is none, and the fit says so;
* ``-1 < xi < -1/2``: the local maximum exists but is not regular (it converges
  faster than ``n^-1/2`` and is not normal): the information matrix does not
  give standard errors, so they are reported as infinite and the status is
  ``"boundary"`` with the reason; profile intervals still apply;
* small samples: below ~50 observations the MLE of the shape is markedly biased
  and variable (Hosking & Wallis 1987); the message says so and names the
  remedy (a prior on the shape, i.e. a MAP, such as Martins & Stedinger's
  geophysical prior).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..optim import SolverResult, Status

__all__ = ["SMALL_SAMPLE", "log1p_over", "with_caveats"]

#: below this many observations the message warns about the shape's small-sample bias
SMALL_SAMPLE = 50


def log1p_over(xi: float, z: NDArray[np.float64]) -> NDArray[np.float64]:
    """``log1p(xi z) / xi`` (``z`` at ``xi = 0``; ``-inf``/``nan`` outside the support
    ``1 + xi z > 0``, which callers mask)."""
    if xi == 0.0:
        return np.asarray(z, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.log1p(xi * z) / xi)


def with_caveats(
    params: dict[str, Any], res: SolverResult, n: float
) -> tuple[dict[str, Any], SolverResult]:
    """The solver's result with the extreme-value caveats of its shape applied."""
    if not res.converged:
        return params, res
    xi = float(params["shape"])
    notes = []
    status, edge = res.status, res.edge
    if xi <= -1.0:
        notes.append(
            f"shape = {xi:.4g} <= -1: the likelihood is unbounded there (the density at the "
            "upper end of the support is infinite), so no maximum likelihood estimate "
            "exists; this is where the search stopped"
        )
        status, edge = Status.BOUNDARY, tuple(params)
    elif xi < -0.5:
        notes.append(
            f"shape = {xi:.4g} < -1/2: the MLE is not regular there (Smith 1985): the "
            "observed information does not give valid standard errors, so they are "
            "reported as infinite; use conf_int(kind='profile') or a prior on the shape"
        )
        status, edge = Status.BOUNDARY, tuple(params)
    if n < SMALL_SAMPLE:
        notes.append(
            f"small sample (n = {n:g} < {SMALL_SAMPLE}): the MLE of the shape is biased "
            "and highly variable (Hosking & Wallis 1987); a prior on the shape (MAP, e.g. "
            "prior={'shape': th.Normal(0, 0.2)}) stabilises it"
        )
    if not notes:
        return params, res
    msg = "; ".join([res.message, *notes])
    return params, SolverResult(res.x, res.fun, True, status, msg, res.iterations, edge=edge)
