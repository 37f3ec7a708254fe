"""``ABTest``: the answer to "is B better than A, by how much, what do I lose?"."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._format import fmt, jsonable
from ._table import Block, Report, Reported

__all__ = ["ABTest", "arm_draws"]

Array = NDArray[np.float64]


def arm_draws(kind: str, a: Array, b: Array, size: int, rng: np.random.Generator) -> Array:
    """Posterior draws of each arm, shape (size, pairs): Beta(a, b), Gamma(a, rate b)
    or Normal(a, sd b)."""
    shape = (size, np.shape(a)[0])
    if kind == "binomial":
        return np.asarray(rng.beta(a, b, size=shape))
    if kind == "poisson":
        return np.asarray(rng.gamma(a, size=shape) / b)
    return np.asarray(a + b * rng.standard_normal(shape))


@dataclass(frozen=True)
class ABTest(Reported):
    """Two arms compared through their posteriors (one pair, or many element-wise).

    Attributes
    ----------
    kind : str
        ``"binomial"`` (Beta posteriors), ``"poisson"`` (Gamma), ``"normal"``, or
        ``"draws"`` (Monte Carlo from two posteriors' samples).
    prob_b_better : float or ndarray
        ``P(theta_B > theta_A | data)``.
    prob_b_better_error : float or ndarray
        Its error: quadrature (difference of two rules), 0 for a closed form, the
        Monte Carlo standard error otherwise.
    expected_loss_a, expected_loss_b : float or ndarray
        The expected shortfall of choosing that arm: ``E[max(theta_B - theta_A, 0)]``
        for A, ``E[max(theta_A - theta_B, 0)]`` for B.
    method : str or ndarray of str
        ``"closed form"``, ``"quadrature"`` or ``"monte carlo"``.
    params_a, params_b : tuple of arrays
        The arms' posterior parameters.
    level : float
        Probability of the credible intervals.
    """

    kind: str
    params_a: tuple[Any, Any]
    params_b: tuple[Any, Any]
    labels: tuple[str, str]
    prob_b_better: Any
    prob_b_better_error: Any
    expected_loss_a: Any
    expected_loss_b: Any
    method: Any
    level: float = 0.95
    seed: int = 0

    @classmethod
    def from_draws(cls, xa: Array, xb: Array, level: float, seed: int) -> ABTest:
        """From posterior draws of the two arms (Monte Carlo)."""
        n = xa.shape[0]
        p = float(np.mean(xb > xa))
        d = xb - xa
        return cls(
            kind="draws",
            params_a=(xa, None),
            params_b=(xb, None),
            labels=("A", "B"),
            prob_b_better=p,
            prob_b_better_error=float(np.sqrt(max(p * (1 - p), 0.25 / n) / n)),
            expected_loss_a=float(np.mean(np.maximum(d, 0.0))),
            expected_loss_b=float(np.mean(np.maximum(-d, 0.0))),
            method="monte carlo",
            level=level,
            seed=seed,
        )

    def squeezed(self) -> ABTest:
        """The one-pair result with scalar fields."""

        def one(v: Any) -> Any:
            arr = np.asarray(v)
            if arr.ndim == 1 and arr.shape[0] == 1:
                return str(arr[0]) if arr.dtype == object else float(arr[0])
            return v

        return dataclasses.replace(
            self,
            prob_b_better=one(self.prob_b_better),
            prob_b_better_error=one(self.prob_b_better_error),
            expected_loss_a=one(self.expected_loss_a),
            expected_loss_b=one(self.expected_loss_b),
            method=one(self.method),
        )

    @property
    def n_pairs(self) -> int:
        """Number of pairs compared."""
        return 1 if self.kind == "draws" else int(np.shape(self.params_a[0])[0])

    def draws(self, size: int = 100_000) -> tuple[Array, Array]:
        """Joint posterior draws of the two arms, each of shape (size, pairs)."""
        if self.kind == "draws":
            return self.params_a[0][:, None], self.params_b[0][:, None]
        rng = np.random.default_rng(self.seed)
        a = arm_draws(self.kind, *self.params_a, size, rng)
        b = arm_draws(self.kind, *self.params_b, size, rng)
        return a, b

    def _interval(self, values: Array, level: float | None) -> dict[str, Any]:
        lv = self.level if level is None else level
        q = np.quantile(values, [0.5 - 0.5 * lv, 0.5, 0.5 + 0.5 * lv], axis=0)
        n = values.shape[0]
        # MC error of a quantile: sqrt(q (1 - q) / n) / density, the density estimated
        # from the spread between neighbouring order statistics
        step = max(1, int(np.sqrt(n)))
        srt = np.sort(values, axis=0)
        errs = []
        for p in (0.5 - 0.5 * lv, 0.5 + 0.5 * lv):
            i = int(p * (n - 1))
            lo, hi = max(i - step, 0), min(i + step, n - 1)
            dens = (hi - lo) / n / np.maximum(srt[hi] - srt[lo], 1e-300)
            errs.append(np.sqrt(p * (1 - p) / n) / dens)
        sq = self.n_pairs == 1
        pick = (lambda v: float(np.asarray(v).reshape(-1)[0])) if sq else (lambda v: v)
        return {
            "lower": pick(q[0]),
            "median": pick(q[1]),
            "upper": pick(q[2]),
            "mean": pick(values.mean(axis=0)),
            "mc_error": (pick(errs[0]), pick(errs[1])),
        }

    def diff_interval(self, level: float | None = None, draws: int = 100_000) -> dict[str, Any]:
        """The posterior of ``theta_B - theta_A``: mean, median and credible interval,
        with the Monte Carlo error of the interval's ends."""
        a, b = self.draws(draws)
        return self._interval(b - a, level)

    def lift_interval(self, level: float | None = None, draws: int = 100_000) -> dict[str, Any]:
        """The posterior of the relative lift ``theta_B / theta_A - 1`` (as
        :meth:`diff_interval`)."""
        a, b = self.draws(draws)
        with np.errstate(all="ignore"):
            return self._interval(b / a - 1.0, level)

    def report(self) -> Report:
        """The comparison as a :class:`~thetahat.results._table.Report` (first pair)."""

        def first(v: Any) -> float:
            return float(np.asarray(v).reshape(-1)[0])

        d = self.diff_interval()
        lift = self.lift_interval()
        lo_d, hi_d = first(d["lower"]), first(d["upper"])
        lo_l, hi_l = first(lift["lower"]), first(lift["upper"])
        facts = [
            ("P(B > A)", f"{fmt(first(self.prob_b_better))} "
                         f"(error {fmt(first(self.prob_b_better_error))}, "
                         f"{np.asarray(self.method).reshape(-1)[0]})"),
            ("Pairs", str(self.n_pairs)),
        ]  # fmt: skip
        pct = f"{100 * self.level:g}%"
        block = Block(
            ["value", f"{pct} low", f"{pct} high"],
            [
                ("B - A", [first(d["mean"]), lo_d, hi_d]),
                ("B / A - 1", [first(lift["mean"]), lo_l, hi_l]),
                ("loss if A chosen", [first(self.expected_loss_a), np.nan, np.nan]),
                ("loss if B chosen", [first(self.expected_loss_b), np.nan, np.nan]),
            ],
        )
        return Report("thetahat A/B test", facts, [block], ())

    def summary(self) -> str:
        """A plain-text summary of the (first) pair."""
        return self.report().text()

    def plot(self, ax: Any = None) -> Any:
        """The two posteriors and ``P(B > A)`` (:func:`thetahat.plot.ab_test`)."""
        from ..plot import ab_test

        return ab_test(self, ax=ax)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict."""
        return jsonable(
            {
                "kind": self.kind,
                "prob_b_better": self.prob_b_better,
                "prob_b_better_error": self.prob_b_better_error,
                "expected_loss_a": self.expected_loss_a,
                "expected_loss_b": self.expected_loss_b,
                "method": np.asarray(self.method).tolist(),
            }
        )
