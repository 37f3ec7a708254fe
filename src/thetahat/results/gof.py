"""``GoodnessOfFit``: how well one fitted distribution describes its data."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._format import fmt, jsonable
from ._table import Block, Report, Reported

__all__ = ["GoodnessOfFit"]


@dataclass(frozen=True)
class GoodnessOfFit(Reported):
    """Goodness-of-fit statistics of a fit, with parametric-bootstrap p-values.

    Attributes
    ----------
    ks, cvm, ad : float
        Kolmogorov-Smirnov, Cramér-von Mises and Anderson-Darling statistics of
        the fitted cdf against the data (NaN for discrete families and censored
        data, as fitdistrplus reports them).
    ks_pvalue, cvm_pvalue, ad_pvalue : float
        Their p-values by parametric bootstrap with re-fitting (NaN when
        ``n_boot`` was 0 or the statistic does not apply).
    chisq, chisq_df, chisq_pvalue : float
        Pearson's chi-squared over cells pooled from the data (fitdistrplus'
        rule: about ``(4 n)^(2/5)`` cells of equal observed counts), its degrees
        of freedom ``cells - 1 - k`` and its asymptotic p-value (NaN when there
        are not enough cells or no degrees of freedom).
    chisq_breaks : ndarray
        Upper ends of the cells but the last, ``(-inf, b1], (b1, b2], ..., (bk, inf)``.
    chisq_observed, chisq_expected : ndarray
        Observed and expected counts per cell.
    loglik, aic, bic : float
        The fit's information criteria (all that fitdistrplus reports for a fit
        to censored data).
    n : float
        Number of observations.
    n_boot : int
        Resamples drawn for the p-values.
    n_failed : int
        Resamples whose re-fit failed (raised or did not converge); they are
        left out of the p-values, and :attr:`failed_share` says how many.
    family : str
    censored, discrete : bool
    notes : tuple of str
    null : ndarray
        The bootstrap distribution of ``(ks, cvm, ad)``, shape ``(n_boot, 3)``
        (NaN rows: failed re-fits).
    """

    ks: float
    cvm: float
    ad: float
    ks_pvalue: float
    cvm_pvalue: float
    ad_pvalue: float
    chisq: float
    chisq_df: float
    chisq_pvalue: float
    loglik: float
    aic: float
    bic: float
    n: float
    n_boot: int
    n_failed: int
    family: str
    censored: bool = False
    discrete: bool = False
    chisq_breaks: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    chisq_observed: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    chisq_expected: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    notes: tuple[str, ...] = ()
    null: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 3)), repr=False)

    @property
    def failed_share(self) -> float:
        """The share of resamples whose re-fit failed (0 without resamples)."""
        return self.n_failed / self.n_boot if self.n_boot else 0.0

    def as_row(self) -> dict[str, float]:
        """The statistics and p-values as one row (the columns ``th.compare`` adds)."""
        return {
            "ks": self.ks, "cvm": self.cvm, "ad": self.ad,
            "ks_pvalue": self.ks_pvalue, "cvm_pvalue": self.cvm_pvalue,
            "ad_pvalue": self.ad_pvalue, "chisq": self.chisq, "chisq_pvalue": self.chisq_pvalue,
        }  # fmt: skip

    def report(self) -> Report:
        """The statistics as a :class:`~thetahat.results._table.Report`."""
        rows: list[tuple[str, list[Any]]] = []
        for label, stat, pv in (
            ("Kolmogorov-Smirnov", self.ks, self.ks_pvalue),
            ("Cramer-von Mises", self.cvm, self.cvm_pvalue),
            ("Anderson-Darling", self.ad, self.ad_pvalue),
            ("Chi-squared", self.chisq, self.chisq_pvalue),
        ):
            if not math.isnan(stat):
                rows.append((label, [stat, pv]))
        blocks = [Block(["statistic", "p-value"], rows, "", "test")] if rows else []
        facts = [
            ("Family", self.family),
            ("Observations", fmt(self.n)),
            ("Log-lik", fmt(self.loglik)),
            ("AIC", fmt(self.aic)),
            ("BIC", fmt(self.bic)),
            ("Bootstrap", f"{self.n_boot} resamples, {self.n_failed} failed re-fits"),
        ]
        if not math.isnan(self.chisq_df):
            facts.append(("Chi-squared df", fmt(self.chisq_df)))
        return Report("thetahat goodness of fit", facts, blocks, list(self.notes))

    def summary(self) -> str:
        """A plain-text table of the statistics and p-values."""
        return self.report().text()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (non-finite numbers as strings)."""
        return jsonable(
            {
                **self.as_row(),
                "chisq_df": self.chisq_df,
                "chisq_breaks": self.chisq_breaks,
                "chisq_observed": self.chisq_observed,
                "chisq_expected": self.chisq_expected,
                "loglik": self.loglik,
                "aic": self.aic,
                "bic": self.bic,
                "n": self.n,
                "n_boot": self.n_boot,
                "n_failed": self.n_failed,
                "family": self.family,
                "censored": self.censored,
                "discrete": self.discrete,
                "notes": list(self.notes),
            }
        )
