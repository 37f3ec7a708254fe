"""``Bootstrap``: the bootstrap distribution of an estimate, with its intervals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._format import fmt, jsonable
from .._validation import check_level
from ._common import _flat_labels, _flatten, _unflatten
from ._table import Block, Report, Reported

__all__ = ["Bootstrap"]

METHODS = ("percentile", "bca")


@dataclass(frozen=True)
class Bootstrap(Reported):
    """Bootstrap replicates of an estimate.

    Attributes
    ----------
    params : dict
        The estimate the resamples were drawn around, name -> value.
    samples : ndarray, shape (n_boot, p)
        One row per resample over the flattened parameters (columns ``labels``);
        rows of resamples whose re-fit failed are NaN, never dropped.
    jackknife : ndarray, shape (g, p)
        Delete-a-group jackknife estimates (``g`` groups of the data), for the
        BCa acceleration.
    kind : {"parametric", "nonparametric"}
    n_failed : int
        Resamples whose re-fit raised or did not converge.
    labels : list of str
    notes : tuple of str

    Notes
    -----
    Percentile interval: the ``(1 -+ level) / 2`` quantiles of the replicates.
    BCa (Efron 1987): with ``z0 = Phi^-1(#{theta*_b < theta_hat} / B)`` (ties count
    half) and the acceleration ``a = sum d_i^3 / (6 (sum d_i^2)^(3/2))``,
    ``d_i = mean(theta_(.)) - theta_(i)`` over the jackknife estimates, the ends are
    the replicates' quantiles at ``Phi(z0 + (z0 + z_alpha) / (1 - a (z0 + z_alpha)))``.
    Both are transformation-respecting, so intervals stay inside the parameter
    space and :meth:`transform` applies ``fn`` to every replicate.

    Examples
    --------
    >>> import numpy as np, thetahat as th
    >>> x = np.random.default_rng(0).exponential(2.0, size=100)
    >>> boot = th.fit(th.Exponential, x).bootstrap(n=200, rng=1)
    >>> lo, hi = boot.conf_int(0.9, method="bca")["rate"]
    >>> bool(lo < 1 / x.mean() < hi), boot.n_failed
    (True, 0)
    """

    params: dict[str, Any]
    samples: NDArray[np.float64]
    jackknife: NDArray[np.float64]
    kind: str
    n_failed: int
    notes: tuple[str, ...] = ()
    labels: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.labels:
            object.__setattr__(self, "labels", _flat_labels(self.params))

    @property
    def n_boot(self) -> int:
        """Number of resamples drawn (failed ones included)."""
        return int(self.samples.shape[0])

    @property
    def failed_share(self) -> float:
        """The share of resamples whose re-fit failed."""
        return self.n_failed / self.n_boot if self.n_boot else 0.0

    @property
    def distribution(self) -> NDArray[np.float64]:
        """The bootstrap distribution, shape ``(n_boot, p)`` (NaN rows: failed re-fits)."""
        return self.samples

    def _ok(self) -> NDArray[np.float64]:
        ok = self.samples[~np.isnan(self.samples).any(axis=1)]
        if ok.shape[0] < 2:
            raise ValueError(
                f"only {ok.shape[0]} of {self.n_boot} resamples could be re-fitted: "
                "no bootstrap interval"
            )
        return ok

    @property
    def se(self) -> dict[str, Any]:
        """Bootstrap standard errors (standard deviation of the successful replicates)."""
        return _unflatten(self.params, np.std(self._ok(), axis=0, ddof=1))

    @property
    def bias(self) -> dict[str, Any]:
        """Bootstrap estimate of bias, ``mean(theta*) - theta_hat``."""
        return _unflatten(self.params, np.mean(self._ok(), axis=0) - _flatten(self.params))

    def conf_int(self, level: float = 0.95, method: str = "percentile") -> dict[str, Any]:
        """Bootstrap confidence intervals, name -> (low, high) (arrays for vectors).

        ``method="percentile"`` or ``"bca"`` (bias-corrected and accelerated); see
        the class Notes for the formulas.
        """
        lv = check_level(level)
        if method not in METHODS:
            raise ValueError(f"method must be 'percentile' or 'bca', got {method!r}")
        ok = self._ok()
        alpha = np.array([(1.0 - lv) / 2.0, (1.0 + lv) / 2.0])
        if method == "percentile":
            q = np.tile(alpha[:, None], (1, ok.shape[1]))
        else:
            theta = _flatten(self.params)
            prop = (np.sum(ok < theta, axis=0) + 0.5 * np.sum(ok == theta, axis=0)) / ok.shape[0]
            z0 = sc.ndtri(np.clip(prop, 0.5 / ok.shape[0], 1 - 0.5 / ok.shape[0]))
            jk = self.jackknife[~np.isnan(self.jackknife).any(axis=1)]
            d = jk.mean(axis=0) - jk
            with np.errstate(invalid="ignore", divide="ignore"):
                a = np.sum(d**3, axis=0) / (6.0 * np.sum(d**2, axis=0) ** 1.5)
            a = np.where(np.isfinite(a), a, 0.0)
            z = sc.ndtri(alpha)[:, None]
            q = sc.ndtr(z0 + (z0 + z) / (1.0 - a * (z0 + z)))
        lo = np.array([np.quantile(ok[:, j], q[0, j]) for j in range(ok.shape[1])])
        hi = np.array([np.quantile(ok[:, j], q[1, j]) for j in range(ok.shape[1])])
        los, his = _unflatten(self.params, lo), _unflatten(self.params, hi)
        return {k: (los[k], his[k]) for k in self.params}

    def transform(
        self, fn: Callable[..., Any], name: str, *, of: str | tuple[str, ...] | None = None
    ) -> Bootstrap:
        """The bootstrap distribution of ``fn(theta)``: ``fn`` applied to every replicate.

        ``fn`` receives the parameter named by ``of`` (default: the only parameter),
        or keyword arguments for a tuple ``of`` or several parameters, as
        :meth:`Estimate.transform` does.
        """
        names = list(self.params)
        use = names if of is None else [of] if isinstance(of, str) else list(of)
        for u in use:
            if u not in self.params:
                raise ValueError(f"{u!r} is not a bootstrapped parameter; have {names}")
        single = len(use) == 1 and (of is None or isinstance(of, str))
        sub = {u: self.params[u] for u in use}
        idx = [self.labels.index(lab) for lab in _flat_labels(sub)]

        def call(row: NDArray[np.float64]) -> float:
            if np.isnan(row).any():
                return float("nan")
            vals = _unflatten(sub, row[idx])
            return float(fn(vals[use[0]]) if single else fn(**vals))

        def apply(rows: NDArray[np.float64]) -> NDArray[np.float64]:
            return np.array([[call(r)] for r in rows]).reshape(-1, 1)

        value = call(_flatten(self.params))
        return Bootstrap(
            {name: value}, apply(self.samples), apply(self.jackknife), self.kind,
            self.n_failed, self.notes,
        )  # fmt: skip

    def report(self, level: float = 0.95) -> Report:
        """The replicates' summary as a :class:`~thetahat.results._table.Report`."""
        pct, bca = self.conf_int(level), self.conf_int(level, "bca")
        se, bias = self.se, self.bias
        rows = []
        for name, v in self.params.items():
            cells = [np.atleast_1d(np.asarray(c, dtype=float)) for c in
                     (v, se[name], bias[name], *pct[name], *bca[name])]  # fmt: skip
            for i in range(cells[0].shape[0]):
                label = name if np.ndim(v) == 0 else f"{name}[{i}]"
                rows.append((label, [float(c[i]) for c in cells]))
        cols = ["estimate", "boot se", "bias", "pct low", "pct high", "BCa low", "BCa high"]
        facts = [
            ("Kind", self.kind),
            ("Resamples", fmt(self.n_boot)),
            ("Failed re-fits", f"{self.n_failed} ({100 * self.failed_share:.1f}%)"),
            ("Level", fmt(level)),
        ]
        return Report("thetahat bootstrap", facts, [Block(cols, rows)], list(self.notes))

    def summary(self, level: float = 0.95) -> str:
        """A plain-text table: estimate, bootstrap se and bias, percentile and BCa intervals."""
        return self.report(level).text()

    def __repr__(self) -> str:
        return (f"<Bootstrap {self.kind}: {self.n_boot} resamples, "
                f"{self.n_failed} failed; {', '.join(self.params)}>")  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (intervals at 95 %, the replicates)."""
        return jsonable(
            {
                "kind": self.kind,
                "params": self.params,
                "labels": self.labels,
                "n_boot": self.n_boot,
                "n_failed": self.n_failed,
                "conf_int_95": {k: list(v) for k, v in self.conf_int().items()},
                "samples": self.samples,
            }
        )
