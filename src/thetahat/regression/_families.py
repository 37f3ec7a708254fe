"""GLM families (distribution x link) for the fused pass, their likelihoods and dispersion.

A GLM is a distribution from the exponential dispersion family, with unit variance
``V(mu)`` and dispersion ``phi``, and a link ``g(mu) = eta``. The solver minimises
the *unit* negative log-likelihood (``phi = 1``; its minimiser does not depend on
``phi``): ``sum_i s_i u(y_i, mu_i)`` with ``du/dmu = -(y - mu) / V(mu)``. Per row it
needs ``r = du/deta = -(y - mu) mu'(eta) / V(mu)`` and a Hessian weight: thetahat
uses the expected (Fisher) weight ``v = mu'(eta)^2 / V(mu)``: Fisher scoring, which
is full Newton for the canonical links (where the two weights coincide). The
Fisher weight is positive whatever the residuals, so every step is a descent step
without damping, and at the optimum the Hessian the solver returns is the expected
information that R's ``glm`` and statsmodels report standard errors from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

__all__ = [
    "CANONICAL",
    "FAMILIES",
    "LINKS",
    "GLMFamily",
    "Link",
    "resolve_family",
]

Array = NDArray[np.float64]
_LOG_2PI = math.log(2.0 * math.pi)
_SQRT_2PI = math.sqrt(2.0 * math.pi)


# --------------------------------------------------------------------- links
@dataclass(frozen=True)
class Link:
    """A link ``eta = g(mu)``: its inverse and ``d mu / d eta`` (by name)."""

    name: str

    def link(self, mu: Array) -> Array:
        n = self.name
        with np.errstate(divide="ignore", invalid="ignore"):
            if n == "identity":
                return np.asarray(mu, dtype=float)
            if n == "log":
                return np.log(mu)
            if n == "logit":
                return np.asarray(sc.logit(mu))
            if n == "probit":
                return np.asarray(sc.ndtri(mu))
            if n == "cloglog":
                return np.log(-np.log1p(-mu))
            if n == "inverse":
                return 1.0 / mu
            return 1.0 / (mu * mu)  # inverse_squared

    def inverse(self, eta: Array) -> Array:
        n = self.name
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if n == "identity":
                return np.asarray(eta, dtype=float)
            if n == "log":
                return np.exp(eta)
            if n == "logit":
                return np.asarray(sc.expit(eta))
            if n == "probit":
                return np.asarray(sc.ndtr(eta))
            if n == "cloglog":
                return -np.expm1(-np.exp(eta))
            if n == "inverse":
                return 1.0 / eta
            return np.where(eta > 0, 1.0 / np.sqrt(eta), np.nan)

    def deriv(self, eta: Array, mu: Array) -> Array:
        """``d mu / d eta`` at ``eta`` (``mu`` its inverse link, passed to save work)."""
        n = self.name
        with np.errstate(over="ignore", invalid="ignore"):
            if n == "identity":
                return np.ones_like(mu)
            if n == "log":
                return mu
            if n == "logit":
                return mu * (1.0 - mu)
            if n == "probit":
                return np.exp(-0.5 * eta * eta) / _SQRT_2PI
            if n == "cloglog":
                return np.exp(eta - np.exp(eta))
            if n == "inverse":
                return -mu * mu
            return -0.5 * mu * mu * mu  # inverse_squared


LINKS = ("identity", "log", "logit", "probit", "cloglog", "inverse", "inverse_squared")

#: each family's links: the canonical one first (Tweedie: log, as glum and statsmodels;
#: its canonical link mu^(1-p) is not one of the named links)
FAMILIES: dict[str, tuple[str, ...]] = {
    "gaussian": ("identity", "log", "inverse"),
    "poisson": ("log", "identity"),
    "binomial": ("logit", "probit", "cloglog", "log"),
    "gamma": ("inverse", "log", "identity"),
    "inverse_gaussian": ("inverse_squared", "inverse", "log", "identity"),
    "tweedie": ("log", "identity"),
}
CANONICAL = {
    "gaussian": "identity",
    "poisson": "log",
    "binomial": "logit",
    "gamma": "inverse",
    "inverse_gaussian": "inverse_squared",
}


# ------------------------------------------------------------------- families
@dataclass(frozen=True)
class GLMFamily:
    """A distribution with a link, as the fused pass and the estimators use it.

    ``separation`` names the geometry of a non-existent MLE the solver checks for
    (``"logistic"``: binary outcomes; ``"poisson"``: zero responses under a log
    link), or None where it has none (positive responses).
    """

    dist: str
    link_name: str
    power: float = 1.5
    separation: str | None = None

    @property
    def name(self) -> str:
        return f"{self.dist}({self.link_name})"

    @property
    def link(self) -> Link:
        return Link(self.link_name)

    @property
    def has_dispersion(self) -> bool:
        return self.dist not in ("poisson", "binomial")

    @property
    def canonical(self) -> bool:
        return CANONICAL.get(self.dist) == self.link_name

    # -- the unit distribution
    def variance(self, mu: Array) -> Array:
        """The unit variance ``V(mu)``."""
        d = self.dist
        if d == "gaussian":
            return np.ones_like(mu)
        if d == "poisson":
            return mu
        if d == "binomial":
            return mu * (1.0 - mu)
        if d == "gamma":
            return mu * mu
        if d == "inverse_gaussian":
            return mu * mu * mu
        return np.power(mu, self.power)

    def valid_mean(self, mu: Array) -> NDArray[np.bool_]:
        if self.dist == "gaussian":
            return np.isfinite(mu)
        if self.dist == "binomial":
            return (mu > 0) & (mu < 1)
        return (mu > 0) & np.isfinite(mu)

    def unit_nll(self, mu: Array, y: Array) -> Array:
        """``u(y, mu)``: the negative log-likelihood at ``phi = 1`` up to terms in y only
        (the full one for Poisson and binomial)."""
        d = self.dist
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if d == "gaussian":
                out = 0.5 * (y - mu) ** 2
            elif d == "poisson":
                out = mu - sc.xlogy(y, mu) + sc.gammaln(y + 1.0)
            elif d == "binomial":
                out = -(sc.xlogy(y, mu) + sc.xlog1py(1.0 - y, -mu))
            elif d == "gamma":
                out = y / mu + np.log(mu)
            elif d == "inverse_gaussian":
                out = (y - mu) ** 2 / (2.0 * y * mu * mu)
            else:
                p = self.power
                out = mu ** (2.0 - p) / (2.0 - p) - y * mu ** (1.0 - p) / (1.0 - p)
        return np.where(self.valid_mean(mu), out, np.inf)

    # -- what the fused pass asks
    def mean(self, eta: Array) -> Array:
        return self.link.inverse(eta)

    def _binomial_logs(self, eta: Array) -> tuple[Array, Array, Array]:
        """``log mu``, ``log(1 - mu)`` and ``log mu'(eta)`` from eta, without forming
        ``mu`` (which rounds to 1 long before its complement underflows)."""
        n = self.link_name
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            if n == "logit":
                lm, l1m = -np.logaddexp(0.0, -eta), -np.logaddexp(0.0, eta)
                return lm, l1m, lm + l1m
            if n == "probit":
                return sc.log_ndtr(eta), sc.log_ndtr(-eta), -0.5 * eta * eta - 0.5 * _LOG_2PI
            if n == "cloglog":
                e = np.exp(eta)
                return np.log(-np.expm1(-e)), -e, eta - e
            # log: mu = e^eta < 1 needs eta < 0
            l1m = np.where(eta < 0, np.log(-np.expm1(np.minimum(eta, 0.0))), -np.inf)
            return eta, l1m, eta

    def nll(self, eta: Array, y: Array) -> Array:
        if self.dist == "binomial":
            lm, l1m, _ = self._binomial_logs(eta)
            with np.errstate(invalid="ignore"):
                out = -(np.where(y > 0, y * lm, 0.0) + np.where(y < 1, (1.0 - y) * l1m, 0.0))
            if self.link_name == "log":  # mu = e^eta must stay below 1
                out = np.where(eta < 0, out, np.inf)
            return np.where(np.isnan(out), np.inf, out)
        return self.unit_nll(self.mean(eta), y)

    def derivatives(self, eta: Array, y: Array, hessian: bool) -> tuple[Array, Array | None]:
        """``r = du/deta`` and the Fisher weight ``mu'(eta)^2 / V(mu)`` (None unless asked)."""
        if self.dist == "binomial":
            # r = -y mu'/mu + (1 - y) mu'/(1 - mu), v = mu'^2 / (mu (1 - mu)), in logs
            lm, l1m, ld = self._binomial_logs(eta)
            with np.errstate(over="ignore", invalid="ignore"):
                r = (1.0 - y) * np.exp(ld - l1m) - y * np.exp(ld - lm)
                v = np.exp(2.0 * ld - lm - l1m) if hessian else None
            ok = np.isfinite(r)
            r = np.where(ok, r, 0.0)
            return r, (None if v is None else np.where(ok & np.isfinite(v), v, 0.0))
        mu = self.mean(eta)
        dmu = self.link.deriv(eta, mu)
        with np.errstate(divide="ignore", invalid="ignore"):
            q = dmu / self.variance(mu)
            # outside the mean's domain (a trial point whose nll is inf, rejected by the
            # line search) the derivatives are set to 0 rather than NaN
            q = np.where(self.valid_mean(mu), q, 0.0)
            r = (mu - y) * q
            return r, (q * dmu if hessian else None)

    def start(self, ybar: float) -> float:
        """The linear predictor of the constant model (the solver's starting intercept)."""
        lo = 1e-10 if self.dist == "binomial" else 0.0
        m = ybar
        if self.dist != "gaussian":
            m = max(m, 1e-10) if ybar > lo else 1e-10
        if self.dist == "binomial":
            m = min(max(m, 1e-10), 1.0 - 1e-10)
        return float(self.link.link(np.array([m]))[0])

    # -- the full likelihood, with dispersion
    def loglik(self, y: Array, mu: Array, w: Array | None, phi: float) -> float:
        """``sum_i s_i log f(y_i | mu_i, phi)``."""
        d = self.dist
        mu = self._inside(mu)
        with np.errstate(divide="ignore", invalid="ignore"):
            if d in ("poisson", "binomial"):
                per = -self.unit_nll(mu, y)
            elif d == "gaussian":
                per = -0.5 * ((y - mu) ** 2 / phi + _LOG_2PI + math.log(phi))
            elif d == "gamma":
                nu = 1.0 / phi
                per = nu * np.log(nu * y / mu) - nu * y / mu - np.log(y) - sc.gammaln(nu)
            elif d == "inverse_gaussian":
                dev = (y - mu) ** 2 / (phi * y * mu**2)
                per = -0.5 * (np.log(2.0 * math.pi * phi * y**3) + dev)
            else:
                per = tweedie_logpdf(y, mu, phi, self.power)
        return float(np.sum(per) if w is None else w @ per)

    def _inside(self, mu: Array) -> Array:
        """``mu`` kept strictly inside (0, 1) for the binomial (a fitted probability that
        rounded to 0 or 1 is given the nearest representable value)."""
        if self.dist != "binomial":
            return mu
        return np.clip(mu, 1e-300, np.nextafter(1.0, 0.0))

    def pearson(self, y: Array, mu: Array, w: Array | None) -> float:
        """Pearson's ``chi^2 = sum_i s_i (y_i - mu_i)^2 / V(mu_i)``."""
        mu = self._inside(mu)
        per = (y - mu) ** 2 / self.variance(mu)
        return float(np.sum(per) if w is None else w @ per)

    def deviance(self, y: Array, mu: Array, w: Array | None) -> float:
        """The deviance ``2 sum_i s_i [u(y_i, mu_i) - u(y_i, y_i)]``."""
        d = self.dist
        mu = self._inside(mu)
        with np.errstate(divide="ignore", invalid="ignore"):
            if d in ("gaussian", "inverse_gaussian"):
                sat = np.zeros_like(y)
            elif d == "poisson":
                sat = y - sc.xlogy(y, y) + sc.gammaln(y + 1.0)
            elif d == "binomial":
                sat = -(sc.xlogy(y, y) + sc.xlog1py(1.0 - y, -y))
            elif d == "gamma":
                sat = 1.0 + np.log(y)
            else:
                p = self.power
                sat = y ** (2.0 - p) / (2.0 - p) - y ** (2.0 - p) / (1.0 - p)
        per = 2.0 * (self.unit_nll(mu, y) - sat)
        return float(np.sum(per) if w is None else w @ per)

    def ml_dispersion(
        self,
        y: Array,
        mu: Array,
        w: Array | None,
        n: float,
        start: float | None = None,
        logliks: dict[float, float] | None = None,
    ) -> float:
        """The dispersion that maximises the likelihood at ``mu``.

        Gaussian: ``RSS / n``; inverse Gaussian: ``sum s (y - mu)^2 / (y mu^2) / n``;
        gamma: the shape ``nu = 1 / phi`` solves ``log nu - digamma(nu) = D / (2 n)``
        (D the deviance); Tweedie: the series likelihood maximised over ``log phi``
        from ``start`` (default the Pearson estimate ``chi^2 / n``), recording in
        ``logliks`` the log-likelihood (:meth:`loglik`) at each dispersion it evaluated
        (the series is most of a Tweedie fit's time: the caller reuses them).
        """
        d = self.dist
        if not self.has_dispersion:
            return 1.0
        if d == "gaussian":
            r = (y - mu) ** 2
            return float((np.sum(r) if w is None else w @ r) / n)
        if d == "inverse_gaussian":
            r = (y - mu) ** 2 / (y * mu * mu)
            return float((np.sum(r) if w is None else w @ r) / n)
        if d == "gamma":
            return gamma_ml_dispersion(self.deviance(y, mu, w), n)
        phi0 = self.pearson(y, mu, w) / n if start is None else start
        return tweedie_ml_dispersion(y, mu, w, self.power, phi0, logliks)

    def check_y(self, y: Array) -> str | None:
        """Why ``y`` is outside the family's support (None when it is inside)."""
        d = self.dist
        if d in ("poisson", "tweedie"):
            bad, need = y < 0, ">= 0"
        elif d == "binomial":
            bad, need = (y < 0) | (y > 1), "in [0, 1] (a proportion; sample_weight the trials)"
        elif d in ("gamma", "inverse_gaussian"):
            bad, need = y <= 0, "> 0"
        else:
            return None
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            return (
                f"the {d} family needs y {need}; y[{i}] = {float(y[i])!r} is not "
                f"({int(bad.sum())} value(s) outside)"
            )
        return None


def tweedie_logpdf(y: Array, mu: Array, phi: float, p: float) -> Array:
    """Log density of the Tweedie (compound Poisson-gamma) law, ``1 < p < 2``.

    Notes
    -----
    ``P(Y = 0) = exp(-mu^(2-p) / (phi (2-p)))``; for ``y > 0`` (Dunn & Smyth 2005)
    ``f = W(y, phi, p) / y exp[(y mu^(1-p)/(1-p) - mu^(2-p)/(2-p)) / phi]``, with the
    series ``W = sum_j y^(-j a) (p-1)^(j a) / (phi^(j(1-a)) (2-p)^j j! Gamma(-j a))``,
    ``a = (2-p)/(1-p)``, summed in log space over the terms around its largest one
    (``j ~ y^(2-p) / (phi (2-p))``), out to where they are negligible (see
    :func:`_tweedie_series`).
    """
    y = np.asarray(y, dtype=float)
    mu = np.asarray(mu, dtype=float) * np.ones_like(y)
    out = _tweedie_k(y, mu, p) / phi
    pos = np.flatnonzero(y > 0)
    if pos.size:
        logw, _, _ = _tweedie_series(y[pos], phi, p, moments=False)
        out[pos] += logw - np.log(y[pos])
    return out


def _tweedie_k(y: Array, mu: Array, p: float) -> Array:
    """The part of the Tweedie log density that is ``K(y, mu) / phi``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        k = y * mu ** (1.0 - p) / (1.0 - p) - mu ** (2.0 - p) / (2.0 - p)
    return np.where(y == 0, -(mu ** (2.0 - p)) / (2.0 - p), k)


def _tweedie_series(
    y: Array, phi: float, p: float, moments: bool, ordered: bool = False
) -> tuple[Array, Array | None, Array | None]:
    """``log W(y, phi)`` per positive ``y`` and, with ``moments``, the mean and variance
    of ``j`` under the series' normalised terms (``d log W / d log phi = -(1 - a) E[j]``,
    ``d^2 log W / d (log phi)^2 = (1 - a)^2 Var[j]``).

    The terms ``j c(y) - lgamma(j + 1) - lgamma(-j a)`` are log-concave in ``j`` with
    their largest near ``jmax = y^(2-p) / (phi (2-p))`` and a spread of order
    ``sqrt(jmax)``; each row's window ``jmax +- (10 + 7 sqrt(jmax))``, cut at ``j = 1``,
    keeps every term above ``e^-30`` of the largest (capped at 20,000 terms each side:
    a dispersion that small is a near-exact fit). The window's width grows with ``y``
    (at any ``phi``), so rows are taken in order of ``y`` (``ordered``: the caller's
    ``y`` already ascending, as a dispersion solve sorts it once), in blocks that keep
    the ``rows x window`` array near 16 MB. The per-row ``start * c`` of the terms
    ``(start + k) c - lgamma(..)`` is added after the sum over the window offsets ``k``.
    """
    a = (2.0 - p) / (1.0 - p)
    # (capped: past 1e6 terms the dispersion is so small that the fit is exact)
    with np.errstate(over="ignore"):  # (fmax/fmin: a NaN or overflow ends inside [1, 1e6])
        jmax = np.fmin(np.fmax(y ** (2.0 - p) / (phi * (2.0 - p)), 1.0), 1e6)
    c = -a * np.log(y) + a * math.log(p - 1.0) - math.log(2.0 - p) - (1.0 - a) * math.log(phi)
    halves = np.minimum(np.ceil(10.0 + 7.0 * np.sqrt(jmax)), 20_000).astype(np.int64)
    top = np.floor(jmax).astype(np.int64)
    start = np.maximum(1, top - halves)
    widths = top + halves - start + 1
    # the terms' j-only part, tabulated once: lgamma(j + 1) + lgamma(-a j); as rows of
    # its sliding windows, a row's window is one contiguous copy
    js = np.arange(int(start.max(initial=1) + widths.max(initial=1)) + 1, dtype=float)
    table = sc.gammaln(js + 1.0) + sc.gammaln(-a * np.maximum(js, 1.0))
    logw = np.empty(y.size)
    mean = np.empty(y.size) if moments else None
    var = np.empty(y.size) if moments else None
    order = None if ordered else np.argsort(y, kind="stable")
    pos = 0
    while pos < y.size:
        last = min(pos + 4095, y.size - 1)
        width = int(widths[last if order is None else order[last]])
        rows = max(1, min(4096, (1 << 21) // width))
        idx: Any = slice(pos, min(pos + rows, y.size)) if order is None else order[pos : pos + rows]
        pos += rows
        width = int(widths[idx].max())
        k = np.arange(width, dtype=float)
        wins = np.lib.stride_tricks.sliding_window_view(table, width)
        st = start[idx]  # (a narrower row's terms past its own window are negligible)
        t = np.multiply.outer(c[idx], k)
        t -= wins[st]  # k c - lgamma(..), the row's start * c left out
        m = t.max(axis=1)
        t -= m[:, None]
        np.exp(t, out=t)
        m += st * c[idx]
        if mean is None or var is None:
            logw[idx] = m + np.log(t.sum(axis=1))
            continue
        # sum t, sum t k and sum t k^2 in one matrix product: no rows x window
        # temporaries, and the variance of j from the small offsets k (j's own second
        # moment would cancel for large j)
        sums = t @ _window_powers(width)
        tot = sums[:, 0]
        logw[idx] = m + np.log(tot)
        ek = sums[:, 1] / tot
        mean[idx] = st + ek
        var[idx] = np.maximum(sums[:, 2] / tot - ek * ek, 0.0)
    return logw, mean, var


def _window_powers(width: int) -> Array:
    """``[1, k, k^2]`` for ``k = 0 .. width - 1``, as columns (the series' moments)."""
    k = np.arange(width, dtype=float)
    return np.stack([np.ones(width), k, k * k], axis=1)


def gamma_ml_dispersion(deviance: float, n: float) -> float:
    """The gamma dispersion ``1 / nu`` maximising the likelihood: ``log nu - digamma(nu)
    = D / (2 n)`` (``D`` the deviance)."""
    target = deviance / (2.0 * n)
    if target <= 0:
        return 0.0
    from scipy.optimize import brentq

    def f(lnu: float) -> float:
        return lnu - float(sc.digamma(math.exp(lnu))) - target

    if f(30.0) > 0:  # a near-exact fit: the shape beyond e^30
        return math.exp(-30.0)
    return float(math.exp(-brentq(f, -30.0, 30.0, xtol=1e-14, rtol=1e-14)))


def tweedie_k_sums(y: Array, mu: Array, w: Array | None, p: float) -> Array:
    """``[sum_i w_i K_i, sum_{y_i > 0} w_i log y_i]``: the part of the Tweedie log density
    that scales as ``1 / phi``, and the one free of ``mu`` and ``phi`` (rows add: a
    per-block hook)."""
    k = _tweedie_k(y, mu, p)
    pos = y > 0
    ly = np.log(y[pos])
    return np.array(
        [
            float(np.sum(k) if w is None else w @ k),
            float(np.sum(ly) if w is None else w[pos] @ ly),
        ]
    )


def tweedie_series_sums(
    y: Array, w: Array | None, phi: float, p: float, ordered: bool = False
) -> Array:
    """``sum w log W``, ``sum w E[j]``, ``sum w Var[j]`` over the positive ``y`` at ``phi``
    (Dunn & Smyth's series; rows add: a per-block hook; ``ordered``: ``y`` ascending)."""
    pos = y > 0
    if not pos.any():
        return np.zeros(3)
    wp = np.ones(int(pos.sum())) if w is None else w[pos]
    logw, ej, vj = _tweedie_series(y[pos], phi, p, moments=True, ordered=ordered)
    assert ej is not None and vj is not None
    return np.array([float(wp @ logw), float(wp @ ej), float(wp @ vj)])


def tweedie_ml_dispersion(
    y: Array,
    mu: Array,
    w: Array | None,
    p: float,
    phi0: float,
    logliks: dict[float, float] | None = None,
) -> float:
    """The Tweedie dispersion that maximises the likelihood at ``mu`` (rows in memory);
    with ``logliks``, the log-likelihood at each dispersion evaluated is recorded there."""
    ksum, log_y = tweedie_k_sums(y, mu, w, p)
    pos = np.flatnonzero(y > 0)
    pos = pos[np.argsort(y[pos], kind="stable")]  # once: the series' row order at any phi
    yp, wp = y[pos], (None if w is None else w[pos])
    return tweedie_ml_newton(
        float(ksum),
        lambda phi: tweedie_series_sums(yp, wp, phi, p, ordered=True),
        p,
        phi0,
        logliks,
        float(log_y),
    )


def tweedie_ml_newton(
    ksum: float,
    series: Any,
    p: float,
    phi0: float,
    logliks: dict[float, float] | None = None,
    log_y: float = 0.0,
) -> float:
    """Newton on ``log phi`` for the Tweedie dispersion, from ``ksum`` (:func:`tweedie_k_sums`)
    and ``series(phi)`` (:func:`tweedie_series_sums`; in memory, or one reduction).

    ``l(s) = sum_i w_i [log W(y_i, e^s) + K_i e^-s]`` (plus terms free of ``phi``), so
    ``l' = -(1 - a) sum w E[j] - e^-s sum w K`` and
    ``l'' = (1 - a)^2 sum w Var[j] + e^-s sum w K``; steps are halved until ``l`` rises.
    The log-likelihood at ``phi = e^s`` is ``l(s) - sum_{y > 0} w log y``; with
    ``logliks`` each one evaluated is recorded there, keyed by ``phi``.
    """
    a = (2.0 - p) / (1.0 - p)

    def parts(s: float) -> tuple[float, float, float]:
        lw, ej, vj = (float(v) for v in series(math.exp(s)))
        f = lw + ksum * math.exp(-s)
        g = -(1.0 - a) * ej - ksum * math.exp(-s)
        h = (1.0 - a) ** 2 * vj + ksum * math.exp(-s)
        if logliks is not None:
            logliks[math.exp(s)] = f - log_y
        return f, g, h

    if not (phi0 > 1e-300 and math.isfinite(phi0)):
        return 0.0  # an exact fit: the likelihood grows without bound as phi -> 0
    s = math.log(phi0)
    f, g, h = parts(s)
    if logliks is not None:  # the start, under its own name (exp(log(phi0)) may differ)
        logliks[phi0] = logliks[math.exp(s)]
    for _ in range(50):
        step = -g / h if h < 0 else (1.0 if g > 0 else -1.0)
        if abs(step) < 1e-10:  # s is the maximum to that accuracy: no evaluation more
            break
        step = max(-2.0, min(2.0, step))
        for _ in range(30):
            fn, gn, hn = parts(s + step)
            if fn >= f - 1e-12 * abs(f):
                break
            step *= 0.5
        s, f, g, h = s + step, fn, gn, hn
        if abs(step) < 1e-10 or s < -690.0:
            break
    return math.exp(s)


def resolve_family(family: Any, link: Any, power: Any) -> GLMFamily:
    """Validate ``family``/``link``/``power`` (clear errors) and build the family."""
    if not isinstance(family, str) or family not in FAMILIES:
        raise ValueError(f"family must be one of {', '.join(FAMILIES)}; got {family!r}")
    valid = FAMILIES[family]
    if link is None:
        link = valid[0]
    if not isinstance(link, str) or link not in LINKS:
        raise ValueError(f"link must be one of {', '.join(LINKS)}; got {link!r}")
    if link not in valid:
        raise ValueError(
            f"the {link} link is not available for the {family} family; its links are "
            f"{', '.join(valid)} (default {valid[0]})"
        )
    pw = 1.5
    if family == "tweedie":
        if power is None:
            raise ValueError("the tweedie family needs power= in (1, 2), e.g. power=1.5")
        pw = float(power)
        if not 1.0 < pw < 2.0:
            raise ValueError(f"tweedie power must be in (1, 2); got {power!r}")
    elif power is not None:
        raise ValueError(f"power= applies to the tweedie family only; got power={power!r}")
    sep: str | None = None
    if family == "binomial":
        sep = "logistic"
    elif family in ("poisson", "tweedie") and link == "log":
        sep = "poisson"
    return GLMFamily(family, link, pw, sep)
