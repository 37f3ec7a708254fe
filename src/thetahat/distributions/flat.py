"""The flat (improper, uniform) prior."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._base import ContinuousDistribution

__all__ = ["Flat"]


class Flat(ContinuousDistribution):
    """Improper flat prior: constant density over the parameter's whole domain.

    Under it the posterior is the normalised likelihood and the MAP equals the
    MLE. It cannot be sampled and has no mean, so it is only a prior; use a proper
    prior when a posterior must be normalised or the evidence computed.

    Notes
    -----
    ``log p(theta) = 0`` for every theta.

    Examples
    --------
    >>> import thetahat as th
    >>> th.fit(th.Normal(sigma=1.0), [1.0, 2.0, 3.0], prior={"mu": th.Flat()}).params
    {'mu': 2.0}
    """

    _params = ()
    support_text = "any value (improper)"

    def _logp(self, x: Any) -> Any:
        return np.zeros(np.shape(x))

    def _improper(self, what: str) -> Any:
        raise ValueError(f"Flat is an improper prior: it has no {what}")

    def _mean(self) -> Any:
        return self._improper("mean")

    def _var(self) -> Any:
        return self._improper("variance")

    def _sample(self, size: Any, rng: np.random.Generator) -> Any:
        return self._improper("samples")

    def _cdf(self, x: Any) -> Any:
        return self._improper("cdf")

    def _sf(self, x: Any) -> Any:
        return self._improper("survival function")

    def _ppf(self, q: Any) -> Any:
        return self._improper("quantiles")

    def _scipy(self) -> Any:
        return self._improper("scipy.stats equivalent")
