"""``Shrinkage``: the result of empirical-Bayes shrinkage over many groups."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from .._format import fmt, jsonable
from ..distributions import Distribution
from ._table import Block, Report, Reported, need_pandas
from .estimate import Estimate
from .posterior import Posterior

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Shrinkage"]

#: columns of ``Shrinkage.table`` in order (family-specific ones follow)
TABLE_COLUMNS = ("group", "n", "mle", "posterior_mean", "map", "lower", "upper", "shrinkage")


@dataclass(frozen=True)
class Shrinkage(Reported):
    """Empirical-Bayes shrinkage of many groups toward a prior fitted to all of them.

    Attributes
    ----------
    family : str
        The per-group likelihood: ``"Binomial"``, ``"Poisson"`` or ``"Normal"``.
    prior : Distribution
        The fitted prior: ``Beta(a, b)`` on a rate, ``Gamma(shape, rate)`` on a
        Poisson rate, ``Normal(mu, tau)`` on a group mean.
    hyper : Estimate
        The hyperparameters as an estimate (``params``, ``se``, ``cov``,
        ``conf_int``): ``a, b``; ``shape, rate``; or ``mu, tau``.
    loglik : float
        The log marginal likelihood of all the groups at the fitted prior.
    method : str
        ``"ml"`` (maximum marginal likelihood) or ``"reml"`` (Normal only).
    level : float
        Probability of the credible intervals in the table.
    complete_pooling : bool
        No between-group variation was found: every group is shrunk all the way
        to the pooled estimate (``tau = 0``, or a Beta/Gamma prior whose
        concentration is infinite). The table then holds the exact limit (every
        interval collapses to the pooled value); ``prior`` and ``posterior(group)``
        stand for it with a very large concentration (or a tiny ``tau``).
    groups : ndarray
        Group labels in input order (first appearance when rows were grouped).
    columns : dict of str -> ndarray
        The per-group table as arrays (see :attr:`table`).
    no_data : ndarray of bool
        Groups without data (zero trials or zero exposure): kept, with the prior as
        their posterior.
    warnings : tuple of str

    Examples
    --------
    >>> import thetahat as th
    >>> res = th.shrink([0, 2, 5, 1, 9, 3], [20, 25, 30, 15, 40, 22])
    >>> res.n_groups, res.family
    (6, 'Binomial')
    >>> res.prior
    Beta(a=6.82598, b=47.8012)
    >>> res.columns["shrinkage"].round(3)
    array([0.732, 0.686, 0.646, 0.785, 0.577, 0.713])
    >>> round(res.posterior(4).mean()["p"], 4)
    0.1672
    """

    family: str
    prior: Distribution
    hyper: Estimate
    loglik: float
    method: str
    level: float
    complete_pooling: bool
    groups: NDArray[Any]
    columns: dict[str, NDArray[Any]]
    no_data: NDArray[np.bool_]
    warnings: tuple[str, ...] = ()
    #: groups are labelled by their position (no labels were given)
    positional: bool = False
    posterior_fn: Callable[[int], Posterior] | None = field(default=None, repr=False, compare=False)
    #: ``method="full"``: the hyperparameters' posterior (a grid over BDA's coordinates)
    hyperposterior: Any = field(default=None, repr=False, compare=False)
    #: each group's posterior as a mixture over hyperparameter values (one value, the
    #: fitted prior, for empirical Bayes): ``sf``, ``sample``
    mixture: Any = field(default=None, repr=False, compare=False)
    _lookup: dict[Any, int] = field(default_factory=dict, repr=False, compare=False)

    # ------------------------------------------------------------------ decisions
    def prob_above(self, threshold: float) -> NDArray[np.float64]:
        """``P(theta_j > threshold | data)`` for each group, in input order.

        Exact: a survival function of each group's posterior (a weighted sum of
        them over the hyperparameter grid with ``method="full"``).
        """
        t = float(threshold)
        if not np.isfinite(t):
            raise ValueError(f"threshold must be a finite number, got {threshold!r}")
        return np.asarray(self._mix().sf(t))

    def ranking(self, draws: int = 20000, rng: Any = 0) -> dict[str, NDArray[Any]]:
        """The probability that each group is the best (highest), best first.

        Monte Carlo over ``draws`` joint posterior draws of all groups (with the
        hyperparameters drawn too under ``method="full"``); ``prob_best_se`` is the
        binomial standard error ``sqrt(p (1 - p) / draws)``; ``mean_rank`` is the
        posterior expected rank (1 = best).

        Returns
        -------
        dict
            ``group``, ``prob_best``, ``prob_best_se``, ``mean_rank``, ``posterior_mean``.
        """
        from .._validation import as_generator

        if not isinstance(draws, int | np.integer) or draws < 100:
            raise ValueError(f"draws must be an integer >= 100, got {draws!r}")
        theta = self._mix().sample(int(draws), as_generator(rng, None))
        best = np.bincount(np.argmax(theta, axis=1), minlength=theta.shape[1]) / draws
        ranks = (-theta).argsort(axis=1).argsort(axis=1) + 1.0
        order = np.argsort(-best, kind="stable")
        return {
            "group": self.groups[order],
            "prob_best": best[order],
            "prob_best_se": np.sqrt(best * (1.0 - best) / draws)[order],
            "mean_rank": ranks.mean(axis=0)[order],
            "posterior_mean": np.asarray(self.columns["posterior_mean"])[order],
        }

    def _mix(self) -> Any:
        if self.mixture is None:
            raise ValueError("this Shrinkage has no group posteriors to decide with")
        return self.mixture

    # ------------------------------------------------------------------ access
    @property
    def n_groups(self) -> int:
        """Number of groups."""
        return int(self.groups.shape[0])

    def __len__(self) -> int:
        return self.n_groups

    @property
    def prior_se(self) -> dict[str, Any]:
        """Standard errors of the hyperparameters (inverse observed information)."""
        return self.hyper.se

    @property
    def table(self) -> pd.DataFrame:
        """One row per group, in input order, as a pandas DataFrame (needs pandas:
        ``pip install "thetahat[frames]"``; :attr:`columns` holds the same arrays).

        Columns: ``group``, ``n`` (trials; exposure for Poisson; rows pooled for
        Normal), ``mle`` (the group's own estimate; NaN without data),
        ``posterior_mean``, ``map`` (posterior mode), ``lower`` and ``upper``
        (equal-tailed credible interval of probability ``level``), ``shrinkage``
        (the weight on the prior mean in the posterior mean), then
        family-specific columns (``successes``; ``counts``; ``se``) and
        ``no_data``.
        """
        pd = need_pandas("Shrinkage.table")
        return pd.DataFrame(self.table_columns())

    def table_columns(self) -> dict[str, NDArray[Any]]:
        """The per-group table as named arrays, in :attr:`table`'s column order."""
        data: dict[str, Any] = {"group": self.groups}
        for name in TABLE_COLUMNS[1:]:
            data[name] = self.columns[name]
        for name, col in self.columns.items():
            if name not in data:
                data[name] = col
        data["no_data"] = self.no_data
        return data

    def to_frame(self) -> pd.DataFrame:
        """The per-group table as a pandas DataFrame (the same as :attr:`table`)."""
        return self.table

    def index_of(self, group: Any) -> int:
        """Position of ``group`` (a label; a position when no labels were given)."""
        if self.positional:
            if isinstance(group, int | np.integer) and 0 <= int(group) < self.n_groups:
                return int(group)
        else:
            if not self._lookup:
                for i, g in enumerate(self.groups.tolist()):
                    self._lookup.setdefault(g, i)
            try:
                return self._lookup[group]
            except (KeyError, TypeError):
                pass
        shown = ", ".join(repr(g) for g in self.groups[:5].tolist())
        raise ValueError(
            f"no group {group!r}; the {self.n_groups} groups are {shown}"
            f"{', ...' if self.n_groups > 5 else ''}"
        )

    def posterior(self, group: Any) -> Posterior:
        """The exact conjugate posterior of one group under the fitted prior."""
        if self.posterior_fn is None:
            raise ValueError("this Shrinkage carries no per-group posteriors")
        return self.posterior_fn(self.index_of(group))

    # ---------------------------------------------------------------- display
    def _ranked(self, top: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        pm = np.asarray(self.columns["posterior_mean"], dtype=float)
        order = np.argsort(-pm, kind="stable")
        k = min(top, pm.shape[0])
        return order[:k], order[::-1][:k][::-1]

    def report(self, top: int = 5) -> Report:
        """The summary as a :class:`~thetahat.results._table.Report` (text, HTML)."""
        facts = [
            ("Family", self.family),
            ("Method", self.method.upper()),
            ("Groups", str(self.n_groups)),
            ("Log-lik", fmt(self.loglik)),
            ("Prior", repr(self.prior)),
        ]
        facts.extend((key, fmt(val)) for key, val in self.hyper.details.get("derived", {}).items())
        facts.append(("Pooling", "complete" if self.complete_pooling else "partial"))
        se = self.hyper.se
        hyper = Block(
            ["estimate", "std err"],
            [(name, [v, se[name]]) for name, v in self.hyper.params.items()],
            label_header="hyperparameter",
        )
        head, tail = self._ranked(top)
        lo_h, hi_h = f"{(1 - self.level) / 2:.3g}", f"{(1 + self.level) / 2:.3g}"
        cols = ["n", "raw", "shrunk", lo_h, hi_h, "weight"]
        keys = ["n", "mle", "posterior_mean", "lower", "upper", "shrinkage"]
        c = self.columns
        blocks = [hyper]
        for title, idx in (("highest posterior means", head), ("lowest posterior means", tail)):
            rows = [(str(self.groups[i])[:24], [c[k][i] for k in keys]) for i in idx.tolist()]
            blocks.append(Block(cols, rows, title, "group"))
        notes = []
        n_empty = int(self.no_data.sum())
        if n_empty:
            notes.append(f"{n_empty} group(s) without data keep the prior as their posterior")
        return Report("thetahat shrinkage (empirical Bayes)", facts, blocks, notes, self.warnings)

    def summary(self, top: int = 5) -> str:
        """A plain-text report: the prior, its uncertainty, and the extreme groups."""
        return self.report(top).text()

    def __repr__(self) -> str:
        return (
            f"<Shrinkage {self.family}: {self.n_groups} groups, prior {self.prior!r}, "
            f"{'complete' if self.complete_pooling else 'partial'} pooling>"
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (the hyperparameters and the per-group columns)."""
        return jsonable(
            {
                "family": self.family,
                "method": self.method,
                "prior": repr(self.prior),
                "hyper": self.hyper.params,
                "hyper_se": self.hyper.se,
                "loglik": self.loglik,
                "level": self.level,
                "complete_pooling": self.complete_pooling,
                "groups": [str(g) for g in self.groups.tolist()],
                "columns": dict(self.columns),
                "no_data": self.no_data,
                "warnings": list(self.warnings),
            }
        )
