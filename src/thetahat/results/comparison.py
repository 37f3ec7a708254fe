"""``Comparison``: several families fitted to one data set, ranked."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._format import jsonable
from ._table import Block, Report, Reported, need_pandas
from .estimate import Estimate

__all__ = ["COLUMNS", "GOF_COLUMNS", "Comparison"]

#: the goodness-of-fit columns (fitdistrplus' gofstat), NaN where they do not apply
GOF_COLUMNS = (
    "ks", "cvm", "ad", "ks_pvalue", "cvm_pvalue", "ad_pvalue", "chisq", "chisq_pvalue",
)  # fmt: skip

#: the columns of one row, in order
COLUMNS = ("family", "loglik", "k", "aic", "aicc", "bic", *GOF_COLUMNS, "status", "note")


@dataclass(frozen=True)
class Comparison(Reported):
    """Families fitted to one data set, best first.

    Attributes
    ----------
    rows : tuple of dict
        One row per family (keys :data:`COLUMNS`): ``family``, ``loglik``, ``k``
        (free parameters), ``aic``, ``aicc``, ``bic``, the goodness-of-fit columns
        :data:`GOF_COLUMNS` (Kolmogorov-Smirnov, Cramér-von Mises and
        Anderson-Darling statistics of a continuous fit and their bootstrap
        p-values, Pearson's chi-squared over pooled cells and its p-value; NaN
        where not computed), ``status`` and ``note`` (the
        reason a family is not applicable); sorted by ``criterion``,
        not-applicable last.
    estimates : dict
        Family label -> Estimate, for the families that could be fitted.
    not_applicable : dict
        Family label -> the reason it could not be fitted.
    criterion : str
    order : tuple of str
        The fitted families' labels, best first.

    Examples
    --------
    >>> import thetahat as th
    >>> cmp = th.compare([th.Exponential, th.Gamma], [0.4, 1.3, 0.9, 2.2, 0.7, 1.8])
    >>> cmp.criterion, cmp.best.family
    ('aic', Gamma())
    >>> [(row["family"], round(row["aic"], 3)) for row in cmp.rows]
    [('Gamma', 14.73), ('Exponential', 16.353)]
    """

    rows: tuple[dict[str, Any], ...]
    estimates: dict[str, Estimate]
    not_applicable: dict[str, str]
    criterion: str
    order: tuple[str, ...] = field(default=())

    @classmethod
    def ranked(
        cls,
        rows: Sequence[Mapping[str, Any]],
        estimates: dict[str, Estimate],
        not_applicable: dict[str, str],
        criterion: str,
    ) -> Comparison:
        """Sort ``rows`` by ``criterion`` (NaN and not-applicable last, ties stable)."""

        def key(row: Mapping[str, Any]) -> tuple[bool, bool, float]:
            # evidence: higher is better
            v = -float(row["log_evidence"]) if criterion == "evidence" else float(row[criterion])
            unfitted = row["status"] in ("not applicable", "failed") and math.isnan(row["loglik"])
            return (unfitted, math.isnan(v), 0.0 if math.isnan(v) else v)

        ordered = tuple(dict(r) for r in sorted(rows, key=key))
        order = tuple(r["family"] for r in ordered if r["family"] in estimates)
        return cls(ordered, estimates, not_applicable, criterion, order)

    @property
    def best(self) -> Estimate:
        """The estimate of the best family by the criterion."""
        if not self.estimates:
            raise ValueError(
                "no family could be fitted: " + "; ".join(self.not_applicable.values())
            )
        return self.estimates[self.order[0]]

    def column(self, name: str) -> list[Any]:
        """One column of the ranking, best first."""
        return [r[name] for r in self.rows]

    @property
    def table(self) -> Any:
        """The ranking as a pandas DataFrame (needs pandas: ``thetahat[frames]``)."""
        pd = need_pandas("Comparison.table")
        return pd.DataFrame(list(self.rows), columns=self._columns(list(COLUMNS)))

    def _columns(self, base: list[str]) -> list[str]:
        """``base`` and the columns some rows add (evidence, ...), in first-seen order."""
        extra = [k for r in self.rows for k in r if k not in base and k not in ("family", "note")]
        return base + list(dict.fromkeys(extra))

    def to_frame(self) -> Any:
        """The ranking as a pandas DataFrame (the same as :attr:`table`)."""
        return self.table

    def report(self) -> Report:
        """The ranking as a :class:`~thetahat.results._table.Report`."""
        cols = ["loglik", "k", "aic", "aicc", "bic"]
        for c in GOF_COLUMNS:  # the goodness-of-fit columns that were computed
            if any(isinstance(r.get(c), float) and not math.isnan(r[c]) for r in self.rows):
                cols.append(c)
        cols.append("status")
        cols += [c for c in self._columns(list(cols)) if c not in cols and c not in GOF_COLUMNS]
        block = Block(
            cols,
            [(r["family"], [r.get(c, math.nan) for c in cols]) for r in self.rows],
            "",
            "family",
        )
        notes = [f"{r['family']}: {r['note']}" for r in self.rows if r["note"]]
        facts = [
            ("Criterion", self.criterion.upper()),
            ("Best", self.order[0] if self.order else "-"),
        ]
        return Report("thetahat comparison", facts, [block], notes)

    def summary(self) -> str:
        """A plain-text table of the ranking, with each family's notes."""
        return self.report().text()

    def __repr__(self) -> str:
        return f"<Comparison by {self.criterion}: {', '.join(self.column('family'))}>"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (the rows, best first)."""
        return jsonable({"criterion": self.criterion, "rows": [dict(r) for r in self.rows]})
