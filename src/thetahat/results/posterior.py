"""Posterior: a distribution over a family's free parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._format import fmt, jsonable
from ..distributions import Distribution
from ..statistics import statistics_of
from ._common import Value, _prior_text
from ._table import Block, Report, Reported

__all__ = ["Posterior"]


_KIND = {
    "laplace": "approximate (Laplace)",
    "laplace-is": "Laplace, importance-corrected",
    "quadrature": "quadrature",
    "mcmc": "MCMC",
}
_DIAG = {
    "khat": "PSIS k-hat",
    "ess_is": "PSIS ESS",
    "rhat": "R-hat (max)",
    "ess_bulk": "ESS bulk (min)",
    "ess_tail": "ESS tail (min)",
    "acceptance": "Acceptance rate",
}


def _verdict(key: str, value: float) -> str:
    """The usual reading of a diagnostic (Vehtari et al. 2021, 2024)."""
    if key == "khat":
        if value < 0.5:
            return " (good: the Gaussian is close)"
        if value < 0.7:
            return " (ok: importance correction reliable)"
        return " (bad: the Gaussian misses the posterior; use quadrature or mcmc)"
    if key == "rhat":
        return " (converged)" if value <= 1.01 else " (NOT converged: > 1.01)"
    return ""


@dataclass(frozen=True)
class Posterior(Reported):
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
    method : str
        How it was computed: ``"conjugate"``, ``"quadrature"``, ``"laplace"``,
        ``"laplace-is"`` or ``"mcmc"``.
    errors : dict
        Error estimates of the computed quantities (quadrature: the change between
        two refinements of the rule; MCMC: Monte Carlo standard errors), with the
        key ``"log_evidence"`` where the evidence has one.
    diagnostics : dict
        Checks of an approximation: ``khat`` (PSIS Pareto k of the true posterior
        against a Laplace Gaussian), ``rhat`` and ``ess`` (MCMC), ...

    Examples
    --------
    >>> import thetahat as th
    >>> post = th.posterior(th.Poisson, [2, 3, 1], prior=th.Gamma(2, 1))
    >>> post.dist, post.mode(), post.mean()
    (Gamma(shape=8, rate=4), {'rate': 1.75}, {'rate': 2.0})
    >>> {k: tuple(round(b, 4) for b in v) for k, v in post.interval(0.9).items()}
    {'rate': (0.9952, 3.287)}
    >>> post.update([4, 0]).dist
    Gamma(shape=12, rate=6)
    >>> post.pseudo_counts
    {'events': 2.0, 'exposure': 1.0}
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
    method: str = "conjugate"
    errors: Any = None
    diagnostics: Any = None

    @property
    def log_evidence_error(self) -> float:
        """The estimated error of :attr:`log_evidence` (0 for a closed form, NaN
        where none is known)."""
        if self.method == "conjugate":
            return 0.0
        return float((self.errors or {}).get("log_evidence", float("nan")))

    @property
    def khat(self) -> float:
        """PSIS Pareto k of the exact posterior against this approximation (Laplace
        posteriors): below 0.5 good, 0.5-0.7 usable, above 0.7 unreliable."""
        diag = self.diagnostics or {}
        if "khat" not in diag:
            raise ValueError(
                f"khat diagnoses a Laplace approximation; this posterior is {self.method}"
            )
        return float(diag["khat"])

    def to_arviz(self, draws: int = 4000, rng: Any = None) -> Any:
        """The posterior as an ``arviz.InferenceData`` (needs ``thetahat[bayes]``).

        MCMC posteriors export their chains; others export ``draws`` independent
        draws as one chain.
        """
        from .._optional import require

        az = require("arviz", "bayes")
        chains = getattr(self.dist, "chains", None)
        if chains is not None:
            post = {n: chains[..., i] for i, n in enumerate(self.names)}
        else:
            s = self.sample(draws, rng)
            post = {n: np.asarray(s[n])[None, ...] for n in self.names}
        return az.from_dict(posterior=post)

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
            own = getattr(self.dist, "predictive_of", None)
            if own is not None:
                return own(self.family.with_params(**obs) if obs else self.family)
            raise ValueError(
                f"this {self.method} posterior has no predictive distribution; "
                "method='quadrature' gives one"
            )
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
        fam = self.family if n is None else self.family.with_params(n=n)
        new = statistics_of(fam, data, weights=weights, exposure=exposure, sufficient=True)
        return self.rule.posterior(self.family, self.prior, self.stats + new)

    def report(self, level: float = 0.95) -> Report:
        """The summary as a :class:`~thetahat.results._table.Report` (text, HTML)."""
        kind = "exact" if self.exact else _KIND.get(self.method, self.method)
        facts = [
            ("Family", repr(self.family)),
            ("Prior", _prior_text(self.prior)),
            ("Posterior", f"{self.dist!r} ({kind})"),
            ("Observations", fmt(self.n)),
            ("Log evidence", fmt(self.log_evidence)),
        ]
        err = self.log_evidence_error
        if self.method != "conjugate" and np.isfinite(err):
            facts.append(("Log evidence error", fmt(err)))
        facts += self._diagnostic_facts()
        return Report("thetahat posterior", facts, [self.block(level)], (), self.warnings)

    def _diagnostics_dict(self) -> dict[str, Any]:
        from .._optional import MissingExtraError

        try:
            return dict(self.diagnostics or {})
        except MissingExtraError:  # the PSIS check needs arviz
            return {}

    def _diagnostic_facts(self) -> list[tuple[str, str]]:
        from .._optional import MissingExtraError

        diag = self.diagnostics or {}
        try:
            shown = [(k, float(diag[k])) for k in _DIAG if k in diag]
        except MissingExtraError as exc:  # the PSIS check needs arviz
            return [("PSIS k-hat", f"not computed ({exc})")]
        return [(_DIAG[k], fmt(v) + _verdict(k, v)) for k, v in shown]

    def block(self, level: float = 0.95) -> Block:
        """Mode, mean, sd and credible interval per parameter."""
        mode, mean, sd, ci = self.mode(), self.mean(), self.std(), self.interval(level)
        rows: list[tuple[str, list[Any]]] = []
        for name in self.names:
            cols = [
                np.ravel(np.asarray(v, dtype=float))  # a matrix row by row
                for v in (mode[name], mean[name], sd[name], ci[name][0], ci[name][1])
            ]
            for i in range(cols[0].shape[0]):
                scalar = cols[0].shape[0] == 1 and np.ndim(mode[name]) == 0
                rows.append((name if scalar else f"{name}[{i}]", [float(c[i]) for c in cols]))
        lo_h, hi_h = f"[{(1 - level) / 2:.3g}", f"{(1 + level) / 2:.3g}]"
        return Block(["mode", "mean", "sd", lo_h, hi_h], rows)

    def summary(self, level: float = 0.95) -> str:
        """A plain-text table: mode, mean, sd and credible interval per parameter."""
        return self.report(level).text()

    def to_frame(self, level: float = 0.95) -> Any:
        """The per-parameter table as a pandas DataFrame."""
        return self.block(level).to_frame()

    def __repr__(self) -> str:
        kind = "exact" if self.exact else self.method
        return f"<Posterior ({kind}) {self.dist!r} over {', '.join(self.names)}; n={fmt(self.n)}>"

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
                "method": self.method,
                "diagnostics": self._diagnostics_dict(),
                "n": self.n,
                "warnings": list(self.warnings),
            }
        )
