"""Negative binomial distribution (scipy's nbinom convention, real r)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._domains import POSITIVE, Interval
from ..optim import SolverResult, newton_1d
from ._base import DiscreteDistribution, Param, Value
from .observations import counts_support

__all__ = ["NegativeBinomial"]


class NegativeBinomial(DiscreteDistribution):
    """Negative binomial: **failures before the r-th success** (scipy's ``nbinom``).

    Parameters
    ----------
    r : float > 0
        Number of successes; any positive real (a Gamma-Poisson mixture when real).
    p : float in (0, 1]
        Success probability of each trial.

    Notes
    -----
    pmf ``Gamma(x + r) / (Gamma(r) x!) p^r (1 - p)^x`` for x = 0, 1, ...; mean
    ``r (1 - p) / p``; variance ``r (1 - p) / p^2``. It is the posterior
    predictive of a Poisson count under a ``Gamma(shape, rate)`` posterior, with
    ``r = shape`` and ``p = rate / (rate + exposure)``.

    Fitting: ``r`` is real (scipy.stats.fit forces it to an integer and misses
    the MLE). The counts are reduced to a frequency table; with both free the fit
    is a profile Newton solve on ``log r`` with ``p = r / (r + xbar)``:

        sum_v c_v psi(v + r) - n psi(r) + n log(r / (r + xbar)) = 0,

    which has a root iff the data are overdispersed (variance > mean, divide-by-n
    variance); otherwise the MLE is the Poisson limit r -> inf, reported as a
    boundary. Standard errors from the analytic (observed) Hessian.

    Per observation: ``r`` may be fixed to an array with one value per
    observation (``th.NegativeBinomial(r=r)``); a fit then sums the log density over the data,
    with numerical derivatives.

    Examples
    --------
    >>> import thetahat as th
    >>> th.NegativeBinomial(2, 0.5).mean()
    2.0
    >>> est = th.fit(th.NegativeBinomial, [0, 2, 5, 1, 9, 3, 0, 4])
    >>> {k: round(v, 3) for k, v in est.params.items()}
    {'r': 1.336, 'p': 0.308}
    """

    _params = (
        Param("r", POSITIVE, "number of successes (real)", obs_array=True),
        Param("p", Interval(0.0, 1.0, high_closed=True), "success probability"),
    )
    support_text = "non-negative integers"

    def _logp(self, x: NDArray[np.float64], r: float, p: float) -> NDArray[np.float64]:
        ok = (x >= 0) & (x == np.floor(x))
        xs = np.where(ok, x, 0.0)
        lp = (
            sc.gammaln(xs + r)
            - sc.gammaln(r)
            - sc.gammaln(xs + 1.0)
            + r * np.log(p)
            + sc.xlog1py(xs, -p)
        )
        return np.where(ok, lp, -np.inf)

    def _mean(self, r: float, p: float) -> float:
        return r * (1.0 - p) / p

    def _var(self, r: float, p: float) -> float:
        return r * (1.0 - p) / (p * p)

    def _sample(self, size: Any, rng: np.random.Generator, r: float, p: float) -> Any:
        return rng.negative_binomial(r, p, size=size)

    def _cdf(self, x: NDArray[np.float64], r: float, p: float) -> NDArray[np.float64]:
        k = np.floor(x)
        return np.where(k < 0, 0.0, sc.betainc(r, np.maximum(k, 0.0) + 1.0, p))

    def _scipy(self, r: float, p: float) -> Any:
        from scipy import stats

        return stats.nbinom(r, p)

    # -- family (data-based: the frequency table of the counts)
    _support_mask = counts_support

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        r, p = params["r"], params["p"]
        if not np.isfinite(r):
            lam = stats.total(stats.x) / stats.n
            return stats.total(sc.xlogy(stats.x, lam) - lam - sc.gammaln(stats.x + 1.0))
        return stats.total(self._logp(stats.x, r, p))

    def _grad_hess(
        self, params: Mapping[str, Value], stats: Any
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        r, p, n, x = params["r"], params["p"], stats.n, stats.x
        sx = stats.total(x)
        g = np.array(
            [
                stats.total(sc.digamma(x + r)) - n * sc.digamma(r) + n * np.log(p),
                n * r / p - sx / (1.0 - p),
            ]
        )
        h_rr = stats.total(sc.zeta(2.0, x + r)) - n * sc.zeta(2.0, r)
        h = np.array([[h_rr, n / p], [n / p, -n * r / (p * p) - sx / (1.0 - p) ** 2]])
        return g, h

    def _start(self, stats: Any) -> dict[str, float]:
        m, v = stats.mean_var()
        r = m * m / (v - m) if v > m and m > 0 else 10.0 * max(m, 1.0)
        r = self._values.get("r", r)
        return {"r": r, "p": self._values.get("p", r / (r + m) if m > 0 else 0.5)}

    def _fit_fast(self, stats: Any) -> tuple[dict[str, Value], SolverResult] | None:
        if self._values:
            return None
        m, v = stats.mean_var()
        n, x = stats.n, stats.x
        if not v > m:
            msg = (
                "the counts are not overdispersed (variance <= mean): the MLE is the "
                "Poisson limit r -> inf, p -> 1; fit a Poisson instead"
            )
            params: dict[str, Value] = {"r": np.inf, "p": 1.0}
            ll = self._loglik(params, stats)
            return params, SolverResult.boundary([np.inf], ll, msg)

        def eq(u: float) -> tuple[float, float]:
            r = float(np.exp(u))
            f = stats.total(sc.digamma(x + r)) - n * sc.digamma(r) + n * np.log(r / (r + m))
            df = (
                stats.total(sc.zeta(2.0, x + r))
                - n * sc.zeta(2.0, r)
                + n * (1.0 / r - 1.0 / (r + m))
            )
            return float(f), float(df * r)

        sol = newton_1d(eq, float(np.log(self._start(stats)["r"])), xtol=1e-13)
        u = float(sol.x[0])
        r = float(np.exp(u))
        params = {"r": r, "p": r / (r + m)}
        ll = self._loglik(params, stats)
        return params, SolverResult.of([u], ll, sol.converged, sol.message, sol.iterations)
