"""Beta distribution."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .. import _fastpath
from .._domains import POSITIVE
from .._special import trigamma
from ..optim import BatchResult, SolverResult, invert_information_2x2, newton_batch
from ..statistics.sufficient import SuffStats
from ._base import ContinuousDistribution, Param, Value
from .family import many

__all__ = ["Beta", "BetaStats"]


@dataclass(frozen=True)
class BetaStats(SuffStats):
    """n, sum(log x) and sum(log(1 - x))."""

    slog: float = 0.0
    slog1m: float = 0.0


class Beta(ContinuousDistribution):
    """Beta distribution on [0, 1].

    Parameters
    ----------
    a, b : float > 0
        Shape parameters. As a prior on a probability they read as pseudo-counts:
        ``a - 1`` imagined successes and ``b - 1`` imagined failures at the mode,
        ``a`` and ``b`` in the posterior mean (``Beta(1, 1)`` is uniform).

    Notes
    -----
    density ``x^(a-1) (1-x)^(b-1) / B(a, b)``; mean ``a / (a + b)``; mode
    ``(a - 1) / (a + b - 2)`` for a, b > 1. Sufficient statistics n, sum(log x),
    sum(log(1 - x)); Fisher information
    ``n [[psi1(a) - psi1(a+b), -psi1(a+b)], [-psi1(a+b), psi1(b) - psi1(a+b)]]``.
    Both shapes free: optim's Newton on (a, b) with this analytic Hessian (the
    observed information equals the expected one: it does not involve the data),
    started from the geometric-mean approximation
    ``a0 = 1/2 + G1 / (2 (1 - G1 - G2))`` with ``G1 = exp(mean log x)``,
    ``G2 = exp(mean log(1 - x))``. Conjugate prior of the Bernoulli, Binomial and
    Geometric probability.

    Examples
    --------
    >>> import thetahat as th
    >>> prior = th.Beta(2, 3)
    >>> prior.mean()
    0.4
    >>> [round(v, 4) for v in prior.interval(0.9)]
    [0.0976, 0.7514]
    >>> est = th.fit(th.Beta, [0.2, 0.35, 0.5, 0.41, 0.27, 0.6])
    >>> {k: round(v, 3) for k, v in est.params.items()}
    {'a': 4.924, 'b': 7.753}
    """

    _params = (Param("a", POSITIVE, "first shape"), Param("b", POSITIVE, "second shape"))
    support_text = "numbers strictly between 0 and 1"
    _stats_type = BetaStats
    _array_hooks = True
    _array_formulas = True

    def _logp(self, x: NDArray[np.float64], a: float, b: float) -> NDArray[np.float64]:
        ok = (x >= 0) & (x <= 1)
        xs = np.where(ok, x, 0.5)
        with np.errstate(divide="ignore"):
            lp = sc.xlogy(a - 1.0, xs) + sc.xlog1py(b - 1.0, -xs) - sc.betaln(a, b)
        return np.where(ok, lp, -np.inf)

    def _mean(self, a: float, b: float) -> float:
        return a / (a + b)

    def _mode(self, a: Any, b: Any) -> Any:
        if many(a) or many(b):  # many: the same cases, in the same order
            a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
            with np.errstate(all="ignore"):
                cases = [
                    (a > 1) & (b > 1),
                    ((a <= 1) & (1 < b)) | ((a < 1) & (b == 1)),
                    ((b <= 1) & (1 < a)) | ((b < 1) & (a == 1)),
                    (a == 1) & (b == 1),
                ]
                picks = [(a - 1.0) / (a + b - 2.0), 0.0, 1.0, 0.5]
                return np.select(cases, picks, np.where(a <= b, 0.0, 1.0))
        if a > 1 and b > 1:
            return (a - 1.0) / (a + b - 2.0)
        if a <= 1 < b or (a < 1 and b == 1):
            return 0.0
        if b <= 1 < a or (b < 1 and a == 1):
            return 1.0
        if a == 1 and b == 1:
            return 0.5  # uniform: every point is a mode; report the centre
        return 0.0 if a <= b else 1.0  # U-shaped: both ends unbounded

    def _var(self, a: float, b: float) -> float:
        s = a + b
        return a * b / (s * s * (s + 1.0))

    def _sample(self, size: Any, rng: np.random.Generator, a: float, b: float) -> Any:
        return rng.beta(a, b, size=size)

    def _cdf(self, x: NDArray[np.float64], a: float, b: float) -> NDArray[np.float64]:
        return np.asarray(sc.betainc(a, b, np.clip(x, 0.0, 1.0)))

    def _sf(self, x: NDArray[np.float64], a: float, b: float) -> NDArray[np.float64]:
        return np.asarray(sc.betaincc(a, b, np.clip(x, 0.0, 1.0)))

    def _ppf(self, q: NDArray[np.float64], a: float, b: float) -> NDArray[np.float64]:
        if many(a) or many(b):  # many: the scalar rule for each member
            a_, b_ = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
            qq = np.broadcast_to(np.asarray(q, dtype=float), a_.shape)
            out = np.asarray(sc.betaincinv(a_, b_, qq), dtype=float)
            with np.errstate(all="ignore"):
                odd = (np.maximum(a_, b_) >= _HUGE) | (np.maximum(a_ / b_, b_ / a_) >= _SKEWED)
            odd |= np.isnan(out) & ~np.isnan(qq)
            for i in np.flatnonzero(odd).tolist():  # rare: far beyond betaincinv's reach
                out[i] = float(self._ppf(qq[i], float(a_[i]), float(b_[i])))
            return out
        if max(a, b) >= _HUGE or max(a / b, b / a) >= _SKEWED:
            return _ppf_extreme(np.asarray(q, dtype=float), a, b)
        out = np.asarray(sc.betaincinv(a, b, q), dtype=float)
        lost = np.isnan(out) & ~np.isnan(q)
        if np.any(lost):
            out = np.where(lost, _ppf_extreme(np.asarray(q, dtype=float), a, b), out)
        return out

    def _scipy(self, a: float, b: float) -> Any:
        from scipy import stats

        return stats.beta(a, b)

    # -- family
    def _support_mask(self, x: NDArray[np.float64], **obs: Any) -> NDArray[np.bool_]:
        return (x > 0) & (x < 1)

    def _reduce(
        self, x: NDArray[np.float64], w: NDArray[np.float64] | None, po: dict[str, Any]
    ) -> SuffStats | None:
        # One fused pass (thetahat._fastpath.beta_sums: the compiled kernel, or numpy by
        # chunks) gives both sums and the first value outside (0, 1).
        bad, slog, slog1m = _fastpath.beta_sums(x, w)
        if bad >= 0:
            return None
        m = x.shape[0]
        return BetaStats(n=float(m) if w is None else float(w.sum()), slog=slog, slog1m=slog1m)

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        a, b = params["a"], params["b"]
        return (a - 1.0) * stats.slog + (b - 1.0) * stats.slog1m - stats.n * sc.betaln(a, b)

    @staticmethod
    def _unit_information(a: Any, b: Any) -> NDArray[np.float64]:
        """Fisher information of (a, b) per observation; it does not involve the data
        (observed = expected information everywhere). Scalars give a 2 x 2 matrix,
        arrays of groups ``(2, 2, m)``.

        With ``t = psi1(a + b)``: ``[[psi1(a) - t, -t], [-t, psi1(b) - t]]``.
        """
        t = trigamma(np.array([a, b, a + b]))
        ta, tb, tab = t.tolist() if t.ndim == 1 else t  # one fit: Python floats
        return np.array([[ta - tab, -tab], [-tab, tb - tab]])

    @staticmethod
    def _unit_score(a: Any, b: Any, mlog: Any, mlog1m: Any) -> NDArray[np.float64]:
        """Score of (a, b) per observation, from the mean logs ``mean log x`` and
        ``mean log(1 - x)``: ``mean log x - psi(a) + psi(a + b)`` and its mirror (for
        arrays of groups: ``(2, m)``)."""
        d = sc.digamma(np.array([a, b, a + b]))
        da, db, dab = d.tolist() if d.ndim == 1 else d  # one fit: Python floats
        return np.array([mlog - da + dab, mlog1m - db + dab])

    def _information(self, params: Mapping[str, Value], stats: Any) -> NDArray[np.float64]:
        full = stats.n * self._unit_information(params["a"], params["b"])
        idx = [i for i, name in enumerate(("a", "b")) if name not in self._values]
        return np.asarray(full[np.ix_(idx, idx)])

    def _grad_hess(
        self, params: Mapping[str, Value], stats: Any
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        a, b, n = float(params["a"]), float(params["b"]), stats.n
        if not many(n):  # one fit: the score and information in floats, one array each
            s1, s2, i11, i22, tab = _score_information(a, b, stats.slog / n, stats.slog1m / n)
            return np.array([n * s1, n * s2]), np.array([[-n * i11, n * tab], [n * tab, -n * i22]])
        g = self._unit_score(a, b, stats.slog / n, stats.slog1m / n)
        return n * g, -n * self._unit_information(a, b)

    def _fit_fast(self, stats: Any) -> tuple[dict[str, Value], SolverResult] | None:
        """Both shapes free: Newton on (a, b) per observation in Python floats (None: use
        the generic solve).

        The log-likelihood is strictly concave in (a, b) (the log normaliser
        ``log B(a, b)`` of an exponential family is convex), and its Hessian
        ``-n I(a, b)`` does not involve the data, so Newton's step
        ``I^-1 score``, halved to stay positive and not decrease the
        log-likelihood, converges from the moment start. The solve runs per
        observation (the mean logs), so its tolerances do not depend on n. It is
        optim's ``newton_maximize`` spelled out for this 2 x 2 system (issue 12: a
        small fit's fixed cost; the general loop's arrays cost more than the
        special functions): the same step, line search and stopping rule.
        """
        if self._values:
            return None
        n, g1, g2 = stats.n, stats.slog / stats.n, stats.slog1m / stats.n
        if not (1.0 - math.exp(g1) - math.exp(g2) > 1e-12):
            return None  # (nearly) all values equal: the generic solve reports it
        start = self._start(stats)
        found = _newton_mean_logs(g1, g2, float(start["a"]), float(start["b"]))
        if found is None:
            return None
        a, b, fun, it = found
        res = SolverResult.done(np.array([a, b]), n * fun, "Newton converged", it)
        return {"a": a, "b": b}, res

    def _fit_fast_many(self, stats: Any) -> tuple[dict[str, Value], BatchResult] | None:
        """:meth:`_fit_fast` for every group at once: optim's batched Newton on (a, b)
        per observation. Groups whose values are (nearly) all equal, where the scalar
        fast fit hands over to the generic solve, come back ``failed`` (the caller
        fits those one by one)."""
        if self._values:
            return None
        n = np.asarray(stats.n, dtype=float)
        with np.errstate(all="ignore"):
            g1, g2 = stats.slog / n, stats.slog1m / n
            apart = 1.0 - np.exp(g1) - np.exp(g2) > 1e-12
        betaln = sc.betaln

        def f(z: NDArray[np.float64], rows: NDArray[np.intp]) -> NDArray[np.float64]:
            a, b = z[:, 0], z[:, 1]
            val = (a - 1.0) * g1[rows] + (b - 1.0) * g2[rows] - betaln(a, b)
            return np.where((a > 0.0) & (b > 0.0), val, -np.inf)

        def fgh(z: NDArray[np.float64], rows: NDArray[np.intp]) -> Any:
            a, b = z[:, 0], z[:, 1]
            g = self._unit_score(a, b, g1[rows], g2[rows]).T
            h = -np.moveaxis(self._unit_information(a, b), -1, 0)
            return f(z, rows), g, h

        start = self._start(stats)
        z0 = np.stack([start["a"], start["b"]], axis=-1)
        res = newton_batch(fgh, z0, f_only=f, xtol=1e-9)
        a, b = res.x[:, 0], res.x[:, 1]
        res = BatchResult(res.x, n * res.fun, res.converged & apart, res.status,
                          np.where(apart, res.message, "values (nearly) all equal"),
                          res.iterations)  # fmt: skip
        return {"a": a, "b": b}, res

    def _start(self, stats: Any) -> dict[str, float]:
        g1, g2 = np.exp(stats.slog / stats.n), np.exp(stats.slog1m / stats.n)
        d = 1.0 - g1 - g2
        a0: Any
        b0: Any
        if many(d):  # groups
            with np.errstate(all="ignore"):
                ok = d > 1e-12
                a0 = np.where(ok, 0.5 + g1 / (2 * d), 1.0)
                b0 = np.where(ok, 0.5 + g2 / (2 * d), 1.0)
        else:
            a0, b0 = (0.5 + g1 / (2 * d), 0.5 + g2 / (2 * d)) if d > 1e-12 else (1.0, 1.0)
        return {"a": self._values.get("a", a0), "b": self._values.get("b", b0)}


def _score_information(
    a: float, b: float, g1: float, g2: float
) -> tuple[float, float, float, float, float]:
    """One fit's score and information per observation in floats, from the mean logs
    ``g1``, ``g2``: ``(s1, s2, i11, i22, t)`` with the information
    ``[[i11, -t], [-t, i22]]`` (as ``Beta._unit_score`` and ``Beta._unit_information``)."""
    ab = np.array((a, b, a + b))  # one array for both calls (a tuple is converted twice)
    da, db, dab = sc.digamma(ab).tolist()
    ta, tb, tab = sc.zeta(2.0, ab).tolist()
    return g1 - da + dab, g2 - db + dab, ta - tab, tb - tab, tab


def _newton_mean_logs(
    g1: float, g2: float, a: float, b: float, xtol: float = 1e-9, maxiter: int = 100
) -> tuple[float, float, float, int] | None:
    """Maximise ``(a - 1) g1 + (b - 1) g2 - log B(a, b)`` from ``(a, b)`` by Newton's
    method in floats: ``(a, b, maximum, iterations)``, or None where it breaks down.

    The score is ``(g1 - psi(a) + psi(a + b), g2 - psi(b) + psi(a + b))`` and minus the
    Hessian the information ``[[psi1(a) - t, -t], [-t, psi1(b) - t]]``, ``t = psi1(a + b)``
    (positive definite: no damping needed). Converged when the step is below ``xtol``
    relative in both shapes or the predicted gain is below rounding; each step is
    halved until it stays positive and does not decrease the objective.
    """
    betaln, isfinite = sc.betaln, math.isfinite

    def f(a: float, b: float) -> float:
        if not (a > 0.0 and b > 0.0):
            return -math.inf
        return (a - 1.0) * g1 + (b - 1.0) * g2 - float(betaln(a, b))

    fv = f(a, b)
    if not isfinite(fv):
        return None
    for it in range(1, maxiter + 1):
        s1, s2, i11, i22, tab = _score_information(a, b, g1, g2)
        det = i11 * i22 - tab * tab
        if not (det > 0.0 and isfinite(det) and isfinite(s1) and isfinite(s2)):
            return None
        d1, d2 = (i22 * s1 + tab * s2) / det, (i11 * s2 + tab * s1) / det
        gain = s1 * d1 + s2 * d2
        tiny = abs(d1) <= xtol * (1.0 + abs(a)) and abs(d2) <= xtol * (1.0 + abs(b))
        if tiny or gain <= 1e-15 * (1.0 + abs(fv)):
            # the last step is below the objective's rounding: taken unless it is worse
            f_new = f(a + d1, b + d2)
            if isfinite(f_new) and f_new >= fv - 1e-12 * abs(fv):
                a, b, fv = a + d1, b + d2, f_new
            return a, b, fv, it
        step = 1.0
        for _ in range(60):
            f_new = f(a + step * d1, b + step * d2)
            if isfinite(f_new) and f_new >= fv - 1e-12 * abs(fv):
                break
            step *= 0.5
        else:
            return None
        a, b, fv = a + step * d1, b + step * d2, f_new
    return None


def direct_mle(
    fam: Beta, stats: BetaStats
) -> tuple[dict[str, float], float, NDArray[np.float64], str, int] | None:
    """The MLE of a Beta with both shapes free, for ``th.fit``'s short path
    (:mod:`thetahat.inference._direct_newton`; issue 12: a small fit's fixed cost).

    ``Beta._fit_fast``'s solve, and the covariance ``fit._estimate_direct`` takes from
    ``observed_information`` (minus ``_grad_hess``'s Hessian: ``n`` times the unit
    information at the estimate): the parameters, log-likelihood, covariance, message
    and iterations of an interior success; None for anything else (the general route's
    steps decide and explain).
    """
    n = stats.n
    g1, g2 = stats.slog / n, stats.slog1m / n
    if not (1.0 - math.exp(g1) - math.exp(g2) > 1e-12):
        return None
    start = fam._start(stats)
    found = _newton_mean_logs(g1, g2, float(start["a"]), float(start["b"]))
    if found is None:
        return None
    a, b, fun, it = found
    if not (0.0 < a < math.inf and 0.0 < b < math.inf):
        return None
    _, _, i11, i22, tab = _score_information(a, b, g1, g2)
    off = -(n * tab)
    cov = invert_information_2x2(n * i11, off, off, n * i22)
    return {"a": a, "b": b}, float(n * fun), cov, "Newton converged", it


#: beyond these, scipy's ``betaincinv`` loses accuracy or returns NaN (checked against
#: the limits below: Beta(1e3, 1e15) came back 1.5e-8 for a 5% point near 9.5e-13)
_HUGE = 1e15
_SKEWED = 1e10


def _ppf_extreme(q: NDArray[np.float64], a: float, b: float) -> NDArray[np.float64]:
    """Quantiles of Beta(a, b) for parameters beyond ``betaincinv``'s reach.

    With b >> a, b * X tends to Gamma(a, 1) (relative error O(a / b)); with a >> b,
    a * (1 - X) does; with both above 1e15, X is normal with the Beta's mean and sd
    (skewness 2 / sqrt(min(a, b)) < 1e-7). Ratios are formed so that a + b never
    overflows.
    """
    if b / a >= _SKEWED or (b >= a and min(a, b) < _HUGE):
        return np.asarray(sc.gammaincinv(a, q) / b)
    if a / b >= _SKEWED or min(a, b) < _HUGE:
        return np.asarray(1.0 - sc.gammaincinv(b, 1.0 - q) / a)
    m = 1.0 / (1.0 + b / a)
    sd = np.sqrt(m * (1.0 - m)) / (np.sqrt(a) * np.sqrt(1.0 + b / a))
    return np.asarray(np.clip(m + sd * sc.ndtri(q), 0.0, 1.0))
