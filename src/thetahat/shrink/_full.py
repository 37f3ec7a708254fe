"""Full-Bayes hierarchical shrinkage: the hyperparameters integrated by quadrature.

``th.shrink(..., method="full")`` puts a hyperprior on the prior's parameters and
integrates over their posterior (two dimensions) with the trapezoid-grid engine
(:mod:`thetahat._grid`), in BDA's coordinates (Gelman et al. 2013, chapter 5):

* **Beta-Binomial**: ``(log(a/b), log(a+b))`` with ``p(a, b) ∝ (a+b)^(-5/2)`` (uniform
  on the prior mean ``a/(a+b)`` and on ``(a+b)^(-1/2)``, roughly the prior's sd);
* **Gamma-Poisson**: ``(log(shape/rate), log(shape))`` with the same form,
  ``p(shape, rate) ∝ (shape + rate)^(-5/2)`` (a scale-free choice such as uniform on the
  prior mean leaves the posterior improper: with ``shape -> 0`` the likelihood stays
  flat as the mean grows; this one is proper once a count is positive; it depends on
  the unit of exposure, as the rate does);
* **Normal-Normal**: ``(mu, log(tau))`` with ``p(mu, tau) ∝ 1`` (BDA 5.4).

Given the hyperparameters each group's posterior is conjugate, so its full-Bayes
posterior is a mixture of conjugate posteriors over the grid's nodes: means and
variances are weighted sums, the cdf a weighted sum of incomplete beta/gamma or
normal cdfs, quantiles its roots (safeguarded Newton), ``P(theta_j > c)`` a weighted
sum of survival functions and ``P(group j is best)`` a Monte Carlo count with its
binomial standard error.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._domains import REAL
from .._grid import Level, TrapezoidGrid, refine
from ..optim import fd_grad_hess

__all__ = ["COORDS", "GroupMixture", "HyperPosterior", "full_bayes"]

Array = NDArray[np.float64]

#: the integration coordinates per kind and the natural hyperparameters
COORDS = {
    "binomial": (("log(a/b)", "log(a+b)"), ("a", "b")),
    "poisson": (("log(mean)", "log(shape)"), ("shape", "rate")),
    "normal": (("mu", "log(tau)"), ("mu", "tau")),
}


def natural(kind: str, phi: Array) -> tuple[Array, Array]:
    """The natural hyperparameters at rows of ``phi`` (integration coordinates)."""
    p1, p2 = phi[:, 0], phi[:, 1]
    if kind == "binomial":
        s = np.exp(p2)
        return s * sc.expit(p1), s * sc.expit(-p1)
    if kind == "poisson":
        shape = np.exp(p2)
        return shape, shape * np.exp(-p1)
    return p1, np.exp(p2)


def _log_jacobian(kind: str, h1: Array, h2: Array) -> Array:
    """``log |d(natural) / d(phi)|``: ``log(ab)``, ``log(shape rate)``, ``log tau``."""
    if kind == "normal":
        return np.asarray(np.log(h2))
    return np.asarray(np.log(h1) + np.log(h2))


def _default_log_hyperprior(kind: str, h1: Array, h2: Array) -> Array:
    if kind in ("binomial", "poisson"):
        return np.asarray(-2.5 * np.log(h1 + h2))
    return np.zeros_like(h1)


def _log_rising(a: Array, y: Array) -> Array:
    """``log Gamma(a + y) - log Gamma(a)`` without cancellation for large ``a``.

    Past ``a = 1e6`` the difference of two huge log-gammas loses every digit; there
    ``sum_{i<y} log(a + i) = y log a + y(y-1)/(2a) - y(y-1)(2y-1)/(12 a^2) + O(y^4/a^3)``.
    """
    big = a > 1e6
    with np.errstate(all="ignore"):
        small = sc.gammaln(a + y) - sc.gammaln(a)
        series = y * np.log(a) + y * (y - 1) / (2 * a) - y * (y - 1) * (2 * y - 1) / (12 * a * a)
    return np.asarray(np.where(big, series, small))


def _log_marginal(kind: str, h1: Array, h2: Array, y: Array, m: Array) -> Array:
    """``log p(data | hyperparameters)`` up to a constant, at each node (rows)."""
    a, b = h1[:, None], h2[:, None]
    if kind == "binomial":
        out = _log_rising(a, y) + _log_rising(b, m - y) - _log_rising(a + b, m)
    elif kind == "poisson":
        # a log b - (a + y) log(b + t) = -a log1p(t / b) - y log(b + t): no cancellation
        # between two huge terms as the shape grows (the Poisson limit)
        out = _log_rising(a, y) - a * np.log1p(m / b) - y * np.log(b + m)
    else:
        v = m * m + b * b
        out = -0.5 * (np.log(v) + (y - a) ** 2 / v)
    return np.asarray(np.sum(out, axis=1))


class _HyperLogPosterior:
    """``log p(phi | data)`` up to a constant, vectorised over rows of ``phi``."""

    doms = (REAL, REAL)

    def __init__(
        self, kind: str, y: Array, m: Array, hyperprior: Callable[..., Any] | None
    ) -> None:
        self.kind, self.y, self.m, self.hyperprior = kind, y, m, hyperprior
        self.calls = 0

    def __call__(self, phi: Array) -> Array:
        phi = np.atleast_2d(np.asarray(phi, dtype=float))
        self.calls += phi.shape[0]
        with np.errstate(all="ignore"):
            h1, h2 = natural(self.kind, phi)
            if self.hyperprior is None:
                lp = _default_log_hyperprior(self.kind, h1, h2)
            else:
                lp = np.asarray(self.hyperprior(h1, h2), dtype=float) * np.ones_like(h1)
            out = (
                _log_marginal(self.kind, h1, h2, self.y, self.m)
                + lp
                + _log_jacobian(self.kind, h1, h2)
            )
        return np.where(np.isfinite(out), out, -np.inf)


class HyperPosterior:
    """The posterior of the prior's hyperparameters, integrated on a grid.

    ``coords`` are the integration coordinates (e.g. ``log(a/b)``, ``log(a+b)``),
    ``names`` the natural hyperparameters (``a, b``; ``shape, rate``; ``mu, tau``).

    Examples
    --------
    >>> import thetahat as th
    >>> res = th.shrink([28, 8, -3, 7, -1, 1, 18, 12], family=th.Normal,
    ...                 se=[15, 10, 16, 11, 9, 11, 10, 18], method="full")
    >>> hp = res.hyperposterior
    >>> round(hp.quantile("tau", 0.5), 1)  # the posterior median of tau
    5.2
    """

    def __init__(self, kind: str, levels: list[tuple[Level, Level]], ev: Any) -> None:
        self.kind = kind
        self.coords, self.names = COORDS[kind]
        self.levels = levels
        self.n_evaluations = ev.calls
        main, prev = levels[0]
        self._main, self._prev = main, prev

    def _moments(self, lev: Level) -> dict[str, tuple[float, float]]:
        h1, h2 = natural(self.kind, lev.z)
        out = {}
        for name, vals in (
            (self.coords[0], lev.z[:, 0]),
            (self.coords[1], lev.z[:, 1]),
            (self.names[0], h1),
            (self.names[1], h2),
        ):
            m = float(lev.w @ vals)
            out[name] = (m, float(lev.w @ (vals - m) ** 2))
        return out

    def mean(self) -> dict[str, float]:
        """Posterior means of the coordinates and the natural hyperparameters.

        Under BDA's ``(a + b)^(-5/2)`` the posterior of ``a + b`` has a tail like
        ``s^(-3/2)`` wherever the likelihood levels off (complete pooling is never
        excluded), so ``E[a]`` and ``E[b]`` are infinite in theory: the values here
        are those of the grid's box; the coordinates' means and quantiles are the
        well-defined summaries.
        """
        return {k: v[0] for k, v in self._moments(self._main).items()}

    def std(self) -> dict[str, float]:
        """Posterior standard deviations, as :meth:`mean`."""
        return {k: math.sqrt(max(v[1], 0.0)) for k, v in self._moments(self._main).items()}

    def errors(self) -> dict[str, float]:
        """The change of each mean between the last two refinements of the rule."""
        a, b = self._moments(self._main), self._moments(self._prev)
        return {k: abs(a[k][0] - b[k][0]) for k in a}

    def quantile(self, name: str, q: float) -> float:
        """A quantile of an integration coordinate, or of ``mu``/``tau`` (monotone in one)."""
        i, fn = self._axis(name)
        return fn(self.levels[i][0].quantile(q, REAL))

    def interval(self, name: str, level: float = 0.95) -> tuple[float, float]:
        """Equal-tailed credible interval of :meth:`quantile`'s quantities."""
        return self.quantile(name, 0.5 - 0.5 * level), self.quantile(name, 0.5 + 0.5 * level)

    def marginal(self, name: str) -> tuple[Array, Array]:
        """Marginal density of an integration coordinate at its grid nodes: (values, density)."""
        if name not in self.coords:
            raise ValueError(f"marginal densities are over {self.coords}, not {name!r}")
        cur = self.levels[self.coords.index(name)][0]
        return cur.mean1 + cur.scale1 * cur.u1, cur.f1 / cur.scale1

    def _axis(self, name: str) -> tuple[int, Callable[[float], float]]:
        if name in self.coords:
            return self.coords.index(name), float
        if self.kind == "normal" and name == "tau":
            return 1, math.exp
        raise ValueError(
            f"quantiles are of {', '.join(self.coords)}"
            + (" or tau" if self.kind == "normal" else "")
            + f", not {name!r}"
        )


class GroupMixture:
    """Each group's posterior as a mixture of conjugate posteriors over hyper nodes.

    A single node with weight 1 is the empirical-Bayes posterior (the fitted prior).

    Examples
    --------
    >>> import numpy as np
    >>> gm = GroupMixture("binomial", np.array([[1.0, 1.0]]), np.array([1.0]),
    ...                   np.array([3.0]), np.array([4.0]))
    >>> gm.mean().round(6).tolist()  # Beta(4, 2)
    [0.666667]
    """

    def __init__(self, kind: str, nodes: Array, w: Array, y: Array, m: Array) -> None:
        self.kind = kind
        self.nodes, self.w = np.asarray(nodes, float), np.asarray(w, float) / np.sum(w)
        self.y, self.m = np.asarray(y, float), np.asarray(m, float)

    def _cond(self) -> tuple[Array, Array]:
        """Per node and group (G, J): Beta (A, B), Gamma (shape, rate) or Normal (mean, sd)."""
        h1, h2 = self.nodes[:, :1], self.nodes[:, 1:]
        y, m = self.y[None, :], self.m[None, :]
        if self.kind == "binomial":
            return h1 + y, h2 + m - y
        if self.kind == "poisson":
            return h1 + y, h2 + m
        with np.errstate(divide="ignore"):
            prec = 1.0 / (m * m) + 1.0 / (h2 * h2)
        mean = (y / (m * m) + h1 / (h2 * h2)) / prec
        return mean, 1.0 / np.sqrt(prec)

    def _cdf_pdf(self, t: Array) -> tuple[Array, Array]:
        p1, p2 = self._cond()
        with np.errstate(all="ignore"):
            if self.kind == "binomial":
                tt = np.clip(t, 0.0, 1.0)
                c = sc.betainc(p1, p2, tt)
                d = np.exp((p1 - 1) * np.log(tt) + (p2 - 1) * np.log1p(-tt) - sc.betaln(p1, p2))
            elif self.kind == "poisson":
                tt = np.maximum(t, 0.0)
                c = sc.gammainc(p1, p2 * tt)
                d = np.exp(p1 * np.log(p2) + (p1 - 1) * np.log(tt) - p2 * tt - sc.gammaln(p1))
            else:
                zz = (t - p1) / p2
                c = sc.ndtr(zz)
                d = np.exp(-0.5 * zz * zz) / (p2 * math.sqrt(2 * math.pi))
        d = np.where(np.isfinite(d), d, 0.0)
        return self.w @ c, self.w @ d

    def mean(self) -> Array:
        """Posterior mean of each group."""
        p1, p2 = self._cond()
        return np.asarray(self.w @ self._mv(p1, p2)[0])

    def _mv(self, p1: Array, p2: Array) -> tuple[Array, Array]:
        if self.kind == "binomial":
            s = p1 + p2
            return p1 / s, p1 * p2 / (s * s * (s + 1.0))
        if self.kind == "poisson":
            return p1 / p2, p1 / (p2 * p2)
        return p1, p2 * p2

    def var(self) -> Array:
        """Posterior variance of each group (law of total variance over the nodes)."""
        p1, p2 = self._cond()
        m, v = self._mv(p1, p2)
        mu = self.w @ m
        return np.asarray(self.w @ (v + m * m) - mu * mu)

    def sf(self, threshold: float) -> Array:
        """``P(theta_j > threshold)`` per group."""
        t = np.full(self.y.shape, float(threshold))
        return np.asarray(1.0 - self._cdf_pdf(t[None, :])[0])

    def quantile(self, q: float) -> Array:
        """The ``q`` quantile of each group's posterior (safeguarded Newton)."""
        mu, sd = self.mean(), np.sqrt(np.maximum(self.var(), 0.0))
        lo, hi = mu - 40.0 * sd - 1.0, mu + 40.0 * sd + 1.0
        if self.kind == "binomial":
            lo, hi = np.zeros_like(mu), np.ones_like(mu)
        elif self.kind == "poisson":
            lo = np.zeros_like(mu)
        x = mu.copy()
        for _ in range(100):
            c, d = self._cdf_pdf(x[None, :])
            f = c - q
            lo, hi = np.where(f < 0, x, lo), np.where(f >= 0, x, hi)
            with np.errstate(all="ignore"):
                step = x - f / d
            bad = ~np.isfinite(step) | (step <= lo) | (step >= hi)
            new = np.where(bad, 0.5 * (lo + hi), step)
            done = np.abs(new - x) <= 1e-13 * np.maximum(1.0, np.abs(x))
            x = new
            if np.all(done):
                break
        return x

    def sample(self, size: int, rng: np.random.Generator) -> Array:
        """Joint draws of all groups, shape (size, J)."""
        idx = rng.choice(self.w.shape[0], size=size, p=self.w)
        p1, p2 = self._cond()
        a, b = p1[idx], p2[idx]
        if self.kind == "binomial":
            return np.asarray(rng.beta(a, b))
        if self.kind == "poisson":
            return np.asarray(rng.gamma(a) / b)
        return np.asarray(a + b * rng.standard_normal(a.shape))

    def shrinkage(self) -> Array:
        """Posterior mean of each group's weight on the prior mean."""
        h1, h2 = self.nodes[:, :1], self.nodes[:, 1:]
        m = self.m[None, :]
        if self.kind == "binomial":
            b = (h1 + h2) / (h1 + h2 + m)
        elif self.kind == "poisson":
            b = h2 / (h2 + m)
        else:
            b = m * m / (m * m + h2 * h2)
        return np.asarray(self.w @ b)


def _mode(ev: _HyperLogPosterior, start: Array) -> tuple[Array, Array]:
    from scipy.optimize import minimize

    def f(z: Array) -> float:
        v = float(ev(z[None, :])[0])
        return -v if np.isfinite(v) else 1e300

    res = minimize(f, start, method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-12,
                                                              "maxiter": 4000})  # fmt: skip
    res = minimize(f, res.x, method="BFGS", options={"gtol": 1e-9})
    _, _, hess = fd_grad_hess(lambda z: float(ev(z[None, :])[0]), res.x)
    try:
        cov = np.linalg.inv(-hess)
        np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        cov = np.eye(2)
    return np.asarray(res.x), 0.5 * (cov + cov.T)


def _start(kind: str, y: Array, m: Array) -> Array:
    """A starting point from moments of the raw estimates."""
    if kind == "binomial":
        r = (y + 0.5) / (m + 1.0)
        mean, var = float(np.mean(r)), float(np.var(r)) + 1e-9
        s = max(mean * (1 - mean) / var - 1.0, 1.0)
        return np.array([math.log(mean / (1 - mean)), math.log(s)])
    if kind == "poisson":
        r = (y + 0.5) / np.maximum(m, 1e-12)
        mean, var = float(np.mean(r)), float(np.var(r)) + 1e-9
        return np.array([math.log(mean), math.log(max(mean * mean / var, 0.1))])
    return np.array(
        [float(np.mean(y)), math.log(float(np.std(y)) + float(np.mean(m)) * 0.1 + 1e-9)]
    )


def full_bayes(
    kind: str,
    y: Array,
    m: Array,
    hyperprior: Callable[..., Any] | None = None,
    rtol: float = 1e-8,
) -> tuple[HyperPosterior, GroupMixture, list[str]]:
    """The hyperparameter posterior on a grid and the groups' mixture posteriors.

    ``y, m``: successes and trials, counts and exposure, or estimates and standard
    errors. ``hyperprior(h1, h2)``: a vectorised log density over the natural
    hyperparameters (``a, b``; ``shape, rate``; ``mu, tau``), BDA's by default.
    """
    has = m > 0
    ev = _HyperLogPosterior(kind, y[has], m[has], hyperprior)
    mode, cov = _mode(ev, _start(kind, y[has], m[has]))
    peak = float(ev(mode[None, :])[0])
    msgs: list[str] = []
    if not np.isfinite(peak):
        raise ValueError("the hyperparameters' posterior is not finite at its mode")
    levels = []
    for i in range(2):
        cur, prev, ok = refine(TrapezoidGrid(ev, mode, cov, i), peak, 2, rtol)
        if not ok:
            msgs.append(
                f"the hyperparameter quadrature over {COORDS[kind][0][i]} stopped before two "
                f"refinements agreed to {rtol:g} (the hyperprior may be improper for these "
                "data: check the marginal densities)"
            )
        levels.append((cur, prev))
    hp = HyperPosterior(kind, levels, ev)
    # the groups' mixtures over the coarser of the two agreeing rules (its sums agree with
    # the finer one's to rtol), on the nodes holding all but 1e-12 of the mass
    lev = levels[0][1]
    order = np.argsort(lev.w)
    tail = np.cumsum(lev.w[order])
    keep = order[tail > 1e-12]
    h1, h2 = natural(kind, lev.z[keep])
    mix = GroupMixture(kind, np.stack([h1, h2], axis=1), lev.w[keep], y, m)
    return hp, mix, msgs
