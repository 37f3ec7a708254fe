"""Normal distribution (mean and standard deviation)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .. import _fastpath
from .._domains import POSITIVE, REAL
from ..optim import invert_information_2x2
from ..statistics.sufficient import MomentStats, chunk_moments, made
from ._base import ContinuousDistribution, Param, Value
from .family import diagonal, many, where

__all__ = ["Normal", "NormalStats"]

_LOG_2PI = float(np.log(2.0 * np.pi))


@dataclass(frozen=True)
class NormalStats(MomentStats):
    """n, mean and centred sum of squares m2 (merged with Chan's formula)."""


class Normal(ContinuousDistribution):
    """Normal (Gaussian) distribution.

    Parameters
    ----------
    mu : float
        Mean.
    sigma : float > 0
        **Standard deviation** (not the variance; scipy's ``scale``).

    Notes
    -----
    ``log p = -log(2 pi)/2 - log sigma - (x - mu)^2 / (2 sigma^2)``.
    Sufficient statistics: n, the mean xbar and the centred sum of squares
    ``m2 = sum (x - xbar)^2`` (never the raw sum of squares, which cancels).
    MLE ``mu = xbar`` and ``sigma^2 = m2 / n`` (divides by n, not n - 1);
    with mu fixed, ``sigma^2 = (m2 + n (xbar - mu)^2) / n``. Fisher information
    ``diag(n / sigma^2, 2 n / sigma^2)`` for (mu, sigma).

    Conjugate priors: on mu with sigma fixed, ``Normal(m, s)``; on the variance
    with mu fixed, ``InverseGamma(shape, scale)``; on (mu, variance) jointly,
    ``NormalInverseGamma(mu, lam, shape, scale)``.

    Per observation: ``mu`` or ``sigma`` may be fixed to an array with one value per
    observation (``th.Normal(sigma=s)``); a fit then sums the log density over the data,
    with numerical derivatives.

    Examples
    --------
    >>> import thetahat as th
    >>> th.Normal(0, 1).interval(0.95)
    (-1.959963984540054, 1.959963984540054)
    >>> est = th.fit(th.Normal, [1.0, 2.0, 3.0, 4.0])
    >>> est.params
    {'mu': 2.5, 'sigma': 1.118033988749895}
    >>> th.posterior(th.Normal(sigma=1.0), [1.0, 2.0, 3.0], prior=th.Normal(0, 10)).dist
    Normal(mu=1.99336, sigma=0.57639)
    """

    _params = (
        Param("mu", REAL, "mean", obs_array=True),
        Param("sigma", POSITIVE, "standard deviation", obs_array=True),
    )
    support_text = "real numbers"
    _stats_type = NormalStats
    _array_hooks = True
    _array_formulas = True

    def _logp(self, x: NDArray[np.float64], mu: float, sigma: float) -> NDArray[np.float64]:
        z = (x - mu) / sigma
        return -0.5 * _LOG_2PI - np.log(sigma) - 0.5 * z * z

    def _mean(self, mu: float, sigma: float) -> float:
        return mu

    def _mode(self, mu: float, sigma: float) -> float:
        return mu

    def _var(self, mu: float, sigma: float) -> float:
        return sigma * sigma

    def _sample(self, size: Any, rng: np.random.Generator, mu: float, sigma: float) -> Any:
        return rng.normal(mu, sigma, size=size)

    def _cdf(self, x: NDArray[np.float64], mu: float, sigma: float) -> NDArray[np.float64]:
        return np.asarray(sc.ndtr((x - mu) / sigma))

    def _sf(self, x: NDArray[np.float64], mu: float, sigma: float) -> NDArray[np.float64]:
        return np.asarray(sc.ndtr((mu - x) / sigma))

    def _ppf(self, q: NDArray[np.float64], mu: float, sigma: float) -> NDArray[np.float64]:
        return np.asarray(mu + sigma * sc.ndtri(q))

    def _scipy(self, mu: float, sigma: float) -> Any:
        from scipy import stats

        return stats.norm(mu, sigma)

    # -- family
    _compiled_chunks = True

    def _chunk_stats(
        self, x: NDArray[np.float64], w: NDArray[np.float64] | None, obs: Any
    ) -> NormalStats:
        n, mean, err, m2 = chunk_moments(x, w)
        return made(NormalStats, {"n": n, "mean": mean, "m2": m2, "mean_err": err})

    def _checked_chunk_stats(
        self, x: NDArray[np.float64], w: NDArray[np.float64] | None, obs: Any
    ) -> NormalStats | None:
        # every real number is in the support; a NaN or inf makes the sums non-finite
        if w is None and x.shape[0] <= 4096 and _fastpath.HAVE_KERNELS and x.flags.c_contiguous:
            # both of chunk_moments' reads compiled (its centre too, up to 4096 values) and
            # the rest Python floats: no numpy floating-point errors to silence
            st = self._chunk_stats(x, w, obs)
        else:
            with np.errstate(all="ignore"):
                st = self._chunk_stats(x, w, obs)
        if not (math.isfinite(st.mean) and math.isfinite(st.m2)):
            if np.isfinite(x).all() and (w is None or np.isfinite(w).all()):
                return self._chunk_stats(x, w, obs)  # finite data whose sums overflowed
            return None
        return st

    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        return gaussian_loglik(params, stats)

    def _mle(self, stats: Any) -> dict[str, Value]:
        return gaussian_mle(self, stats)

    def _information(self, params: Mapping[str, Value], stats: Any) -> NDArray[np.float64]:
        return gaussian_information(self, params, stats)


def direct_mle(
    fam: Normal, x: NDArray[np.float64]
) -> tuple[NormalStats, dict[str, float], float, NDArray[np.float64], str, int] | None:
    """The MLE of a Normal with both parameters free from a small array, in Python floats.

    ``th.fit``'s short path (issue 12: a small fit's fixed cost). ``x`` is a C-contiguous
    float64 array of 1 to 4096 values; returns the statistics, the estimate, the
    log-likelihood, the covariance (``optim.invert_information_2x2`` of
    ``diag(n / sigma^2, 2 n / sigma^2)``: the general route's ``invert_information``
    arithmetic on floats, no array built first), the message
    and the iterations exactly as the general route (``_checked_chunk_stats``, ``gaussian_mle``,
    ``gaussian_loglik``, ``gaussian_information``) gives them; None (the general route
    decides) for anything else: a NaN or inf, constant data (sigma = 0), an overflow.
    """
    if not _fastpath.HAVE_KERNELS:
        return None
    n, mean, err, m2 = chunk_moments(x, None)
    if not (math.isfinite(mean) and math.isfinite(m2)):
        return None
    sigma = math.sqrt(m2 / n)  # float(np.sqrt(m2 / n)): both correctly rounded
    if not (sigma > 0 and math.isfinite(sigma)):
        return None
    stats = made(NormalStats, {"n": n, "mean": mean, "m2": m2, "mean_err": err})
    theta = {"mu": mean, "sigma": sigma}
    loglik = gaussian_loglik(theta, stats)
    s2 = sigma * sigma
    if not s2 > 0:  # underflow (values near 1e-300): the general route's numpy arithmetic
        return None
    a = n / s2
    cov = invert_information_2x2(a, 0.0, 0.0, 2.0 * a)
    if cov[0, 0] == math.inf:  # singular or not finite: the general route explains
        return None
    return stats, theta, loglik, cov, "closed form", 0


# The Gaussian likelihood of (mu, sigma) from n, the mean and the centred sum of squares:
# the Normal's on x, the LogNormal's on log x (its log-likelihood less n mean log x).
def gaussian_loglik(params: Mapping[str, Value], stats: Any) -> Any:
    """``-n/2 log(2 pi) - n log sigma - ss / (2 sigma^2)``, ``ss`` the sum of squares
    about ``mu``; at ``sigma = 0`` its limit (``+inf`` where every value equals ``mu``)."""
    mu, sigma = params["mu"], params["sigma"]
    d = (stats.mean - mu) + stats.mean_err
    ss = stats.m2 + stats.n * d * d
    if not many(sigma):
        if sigma == 0:
            return float(np.inf if ss == 0 else -np.inf)
        if sigma > 0 and not many(ss):  # one fit: Python floats (no numpy call)
            return -0.5 * stats.n * _LOG_2PI - stats.n * math.log(sigma) - ss / (2 * sigma**2)
    ll = -0.5 * stats.n * _LOG_2PI - stats.n * np.log(sigma) - ss / (2 * sigma**2)
    # groups (arrays): the sigma -> 0 limit where a group's values are all equal
    return where(sigma == 0, where(ss == 0, np.inf, -np.inf), ll)


def gaussian_mle(fam: Any, stats: Any) -> dict[str, Value]:
    """The closed-form MLE of ``fam``'s free ``mu`` and ``sigma`` (``sigma^2 = ss / n``)."""
    out: dict[str, Value] = {}
    mu = fam._values.get("mu")
    if mu is None:
        out["mu"] = stats.mean
        ss = stats.m2
    else:
        ss = stats.m2 + stats.n * ((stats.mean - mu) + stats.mean_err) ** 2
    if "sigma" not in fam._values:
        v = np.sqrt(ss / stats.n)
        out["sigma"] = float(v) if not many(v) else v  # one fit: a Python float
    return out


def gaussian_information(fam: Any, params: Mapping[str, Value], stats: Any) -> NDArray[np.float64]:
    """Fisher information ``diag(n / sigma^2, 2 n / sigma^2)`` of the free parameters."""
    sigma = params["sigma"]
    s2 = sigma * sigma
    if not many(s2):  # one fit: Python floats, n / 0 spelled out (no numpy machinery)
        s2f = float(s2)
        info = stats.n / s2f if s2f != 0 else math.inf
        free = fam.estimable
        if not free:
            return np.zeros((0, 0))
        if len(free) == 2:
            return np.array([[info, 0.0], [0.0, 2.0 * info]])
        return np.array([[info if free[0] == "mu" else 2.0 * info]])
    with np.errstate(divide="ignore", over="ignore"):
        info_mu = where(s2 != 0, stats.n / s2, math.inf)
    diag = []
    if "mu" not in fam._values:
        diag.append(info_mu)
    if "sigma" not in fam._values:
        diag.append(2.0 * info_mu)
    return diagonal(diag)
