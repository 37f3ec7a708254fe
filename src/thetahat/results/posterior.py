"""Posterior: a distribution over a family's free parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._format import fmt, jsonable
from ..distributions._base import Distribution
from ._common import Value, _prior_text, close_table

__all__ = ["Posterior"]


@dataclass(frozen=True)
class Posterior:
    """A posterior distribution over a family's free parameters.

    Attributes
    ----------
    dist : Distribution
        The posterior as a thetahat distribution over the parameters (e.g.
        ``Beta(5, 3)`` for a Bernoulli ``p``; a ``NormalInverseGamma`` over
        ``(mu, var)``; a ``MultivariateNormal``-like Laplace approximation when
        ``exact`` is False).
    names : tuple of str
        The parameters the posterior is over, in the order of ``dist``'s event.
    exact : bool
        True for a closed-form conjugate posterior; False for an approximation.
    log_evidence : float
        Log marginal likelihood of the data, ``log p(data)``.
    n : float
        Number of observations conditioned on.
    family, prior
        What was conditioned: the likelihood family (with fixed parameters) and
        the prior.
    """

    dist: Distribution
    names: tuple[str, ...]
    exact: bool
    log_evidence: float
    n: float
    family: Distribution
    prior: Any
    stats: Any = None
    rule: Any = None
    warnings: tuple[str, ...] = ()

    def _split(self, value: Any) -> dict[str, Value]:
        if self.rule is not None:
            return self.rule.split(value)
        if len(self.names) == 1:
            return {self.names[0]: value}
        arr = np.asarray(value)
        # a vector-valued posterior (Laplace): one coordinate per parameter, last axis
        return {
            n: (float(arr[..., i]) if arr.ndim == 1 else arr[..., i])
            for i, n in enumerate(self.names)
        }

    def mode(self) -> dict[str, Value]:
        """The posterior mode (the MAP), name -> value."""
        return self._split(self.dist.mode())

    def mean(self) -> dict[str, Value]:
        """The posterior mean, name -> value."""
        return self._split(self.dist.mean())

    def var(self) -> dict[str, Value]:
        """The posterior variance (marginal, per parameter), name -> value."""
        return self._split(self.dist.var())

    def std(self) -> dict[str, Value]:
        """The posterior standard deviation, name -> value."""
        return {k: np.sqrt(v) for k, v in self.var().items()}

    def interval(self, level: float = 0.95) -> dict[str, tuple[Any, Any]]:
        """Equal-tailed credible intervals, name -> (low, high)."""
        lo, hi = self.dist.interval(level)
        los, his = self._split(lo), self._split(hi)
        return {k: (los[k], his[k]) for k in los}

    def sample(
        self, size: int | None = None, rng: Any = None, *, random_state: Any = None
    ) -> dict[str, Any]:
        """Draws from the posterior, name -> array of draws (``rng``: a seed or a
        Generator; ``random_state=`` is the same, spelled as in scikit-learn)."""
        from .._validation import as_generator

        draws = self.dist.sample(size, as_generator(rng, random_state))
        return self._split(draws)

    def predictive(self, **obs: Any) -> Distribution:
        """The posterior predictive distribution of one new observation.

        Keywords describe the new observation where the family needs it: ``n``
        (trials) for Binomial and Multinomial, ``exposure`` for Poisson.
        """
        if self.rule is None:
            raise ValueError("this posterior has no closed-form predictive distribution")
        return self.rule.predictive(self.dist, self.family, **obs)

    @property
    def pseudo_counts(self) -> dict[str, Value]:
        """The prior read as imaginary observations (e.g. successes and failures)."""
        if self.rule is None:
            raise ValueError("only a conjugate prior reads as pseudo-counts")
        return self.rule.pseudo_counts(self.prior, self.family)

    def update(
        self, data: Any, *, weights: Any = None, exposure: Any = None, n: Any = None
    ) -> Posterior:
        """Condition on more data: identical to one posterior of all the data.

        The sufficient statistics of the new data are merged with those already
        seen (``+``) and the posterior is recomputed from the original prior.
        ``n`` gives the number of trials of the new observations where the family
        has it per observation (Binomial, Multinomial).
        """
        if self.rule is None or self.stats is None:
            raise ValueError("only an exact conjugate posterior can be updated online")
        from ..inference.posterior import conjugate_posterior

        fam = self.family if n is None else self.family.with_params(n=n)
        new = self.rule.suff_stats(fam, data, weights=weights, exposure=exposure)
        return conjugate_posterior(self.family, self.prior, self.stats + new, self.rule)

    def summary(self, level: float = 0.95) -> str:
        """A plain-text table: mode, mean, sd and credible interval per parameter."""
        mode, mean, sd, ci = self.mode(), self.mean(), self.std(), self.interval(level)
        width = 78
        kind = "exact" if self.exact else "approximate (Laplace)"
        lines = [
            "thetahat posterior".center(width),
            "=" * width,
            f"{'Family:':<16}{self.family!r}",
            f"{'Prior:':<16}{_prior_text(self.prior)}",
            f"{'Posterior:':<16}{self.dist!r} ({kind})",
            f"{'Observations:':<16}{fmt(self.n):<30}{'Log evidence:':<16}{fmt(self.log_evidence)}",
            "-" * width,
            f"{'':<14}{'mode':>12}{'mean':>12}{'sd':>12}"
            f"{f'[{(1 - level) / 2:.3g}':>14}{f'{(1 + level) / 2:.3g}]':>14}",
        ]
        for name in self.names:
            cols = [
                np.atleast_1d(np.asarray(v, dtype=float))
                for v in (mode[name], mean[name], sd[name], ci[name][0], ci[name][1])
            ]
            for i in range(cols[0].shape[0]):
                label = (
                    name if cols[0].shape[0] == 1 and np.ndim(mode[name]) == 0 else f"{name}[{i}]"
                )
                lines.append(
                    f"{label:<14}{fmt(cols[0][i], 12)}{fmt(cols[1][i], 12)}{fmt(cols[2][i], 12)}"
                    f"{fmt(cols[3][i], 14)}{fmt(cols[4][i], 14)}"
                )
        return close_table(lines, self.warnings, width)

    def __str__(self) -> str:
        return self.summary()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict."""
        ci = self.interval()
        return jsonable(
            {
                "family": type(self.family).__name__,
                "prior": _prior_text(self.prior),
                "posterior": repr(self.dist),
                "exact": self.exact,
                "mode": self.mode(),
                "mean": self.mean(),
                "sd": self.std(),
                "interval_95": {k: list(v) for k, v in ci.items()},
                "log_evidence": self.log_evidence,
                "n": self.n,
                "warnings": list(self.warnings),
            }
        )
