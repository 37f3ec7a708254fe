"""Exact low-dimensional posteriors by quadrature (``method="quadrature"``).

The log posterior ``l(z) = log p(data | theta(z)) + log p(theta(z)) + log |d theta / dz|``
over the unconstrained coordinates ``z`` (log of a positive parameter, logit of a
probability) is integrated on a tensor grid in whitened coordinates ``u``,
``z = m + L u`` with ``m`` the Laplace mode and ``L L^T`` the Laplace covariance, by
the trapezoid rule. For a smooth integrand decaying in every direction, the trapezoid
rule on the whole line converges geometrically in the spacing ``h`` (the error falls
like ``exp(-2 pi d / h)`` for an integrand analytic in a strip of half-width ``d``), so
halving ``h`` once gives both a better value and an honest error estimate:
``|I_h - I_{h/2}|`` bounds the error of ``I_h`` and, a fortiori, of ``I_{h/2}``.
The grid is adaptive in two ways: each face of the box moves out until the log
density on it is 32 below the peak (mass beyond it < 1e-14 of the total), and ``h``
halves until the evidence and every moment agree between two levels to ``rtol``.

Marginals use one grid per parameter, with the Cholesky factor of the covariance
permuted so that parameter comes first: then its coordinate is ``m_i + L_11 u_1``
and its marginal density is a sum over the other axes at each node of ``u_1``. Its
cdf between nodes is the sinc (Whittaker) interpolant integrated in closed form,
``F(u) = h sum_j f_j (1/2 + Si(pi (u - u_j) / h) / pi)``, as accurate as the rule
itself; quantiles solve ``F(u) = q``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special as sc

from .._grid import Level, TrapezoidGrid, refine
from .._warnings import warn_user
from ..distributions import ContinuousDistribution, DiscreteDistribution, Distribution
from ..results import Posterior
from ._approx import VectorPosterior, draw_shape, refined_posterior, to_theta
from ._density import LogPosterior
from ._solve import FitProblem

__all__ = ["MAX_QUADRATURE_DIM", "GridPosterior", "quadrature_posterior"]

#: the most free parameters a quadrature posterior integrates over (a tensor grid
#: costs ~ (2R/h)^k log-posterior evaluations)
MAX_QUADRATURE_DIM = 3


class GridPosterior(VectorPosterior):
    """A posterior integrated on a grid: exact to the stated quadrature error.

    Built by :func:`quadrature_posterior`; see the module notes for the rule.

    Attributes
    ----------
    nodes : ndarray, shape (N, k)
        Grid nodes on the parameters' own scale.
    weights : ndarray, shape (N,)
        Posterior probability of each node's cell (sums to 1).
    log_evidence, log_evidence_error : float
        ``log p(data)`` and the difference between two refinements of the rule.
    errors : dict
        Per parameter, the change of mean, variance and the 2.5% and 97.5%
        quantiles between the last two refinements.

    Examples
    --------
    >>> import thetahat as th
    >>> post = th.posterior(th.Bernoulli, [1, 1, 0], prior=th.Beta(2, 2), method="quadrature")
    >>> round(post.mean()["p"], 10)  # exactly Beta(4, 3)'s mean
    0.5714285714
    """

    def __init__(
        self, names: tuple[str, ...], levels: list[tuple[Level, Level]], mode: Any, ev: Any
    ) -> None:
        super().__init__()
        main, main_prev = levels[0]
        doms = ev.doms
        k = len(names)
        means, variances, errs = np.empty(k), np.empty(k), {}
        for i, (cur, prev) in enumerate(levels):
            m1, v1 = cur.theta_moments(doms[i])
            m0, v0 = prev.theta_moments(doms[i])
            means[i], variances[i] = m1, v1
            errs[names[i]] = {"mean": abs(m1 - m0), "var": abs(v1 - v0)}
        with np.errstate(all="ignore"):
            theta = to_theta(doms, main.z)
        setattr_ = object.__setattr__
        setattr_(self, "names", names)
        setattr_(self, "levels", levels)
        setattr_(self, "domains", doms)
        setattr_(self, "map_value", np.asarray(mode, dtype=float))
        setattr_(self, "nodes", theta)
        setattr_(self, "weights", main.w)
        setattr_(self, "log_evidence", main.log_evidence)
        setattr_(self, "log_evidence_error", abs(main.log_evidence - main_prev.log_evidence))
        setattr_(self, "_means", means)
        setattr_(self, "_vars", variances)
        setattr_(self, "errors", errs)
        setattr_(self, "_ev", ev)
        setattr_(self, "n_evaluations", ev.calls)

    def __repr__(self) -> str:
        parts = ", ".join(
            f"{n}: {m:.4g} +- {math.sqrt(max(v, 0.0)):.3g}"
            for n, m, v in zip(self.names, self._means, self._vars, strict=True)
        )
        return f"GridPosterior({parts}; {self.nodes.shape[0]} nodes)"

    def mean(self) -> Any:
        return self._out(self._means)

    def var(self) -> Any:
        return self._out(self._vars)

    def quantiles(self, q: float) -> NDArray[np.float64]:
        """The ``q`` quantile of each parameter's marginal."""
        return np.array(
            [cur.quantile(q, self.domains[i]) for i, (cur, _) in enumerate(self.levels)]
        )

    def interval(self, level: float = 0.95) -> tuple[Any, Any]:
        from .._validation import check_level

        lv = check_level(level)
        lo, hi = self.quantiles(0.5 - 0.5 * lv), self.quantiles(0.5 + 0.5 * lv)
        return self._out(lo), self._out(hi)

    def interval_error(self, level: float = 0.95) -> dict[str, tuple[float, float]]:
        """Per parameter, the change of the interval's ends between two refinements."""
        out = {}
        for i, (cur, prev) in enumerate(self.levels):
            ends = []
            for q in (0.5 - 0.5 * level, 0.5 + 0.5 * level):
                a, b = cur.quantile(q, self.domains[i]), prev.quantile(q, self.domains[i])
                ends.append(abs(a - b))
            out[self.names[i]] = (ends[0], ends[1])
        return out

    def marginal(self, name: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The marginal density of one parameter at its grid nodes: (values, density)."""
        if name not in self.names:
            raise ValueError(f"no parameter {name!r}; the posterior is over {self.names}")
        i = self.names.index(name)
        cur = self.levels[i][0]
        z = cur.mean1 + cur.scale1 * cur.u1
        dom = self.domains[i]
        with np.errstate(all="ignore"):
            t = np.asarray(dom.from_unconstrained(z), dtype=float)
            dens = cur.f1 / cur.scale1 / np.exp(np.asarray(dom.log_jacobian(z), dtype=float))
        ok = np.isfinite(t) & np.isfinite(dens)
        return t[ok], dens[ok]

    def _sample(self, size: Any, rng: np.random.Generator) -> Any:
        main = self.levels[0][0]
        shape, m = draw_shape(size)
        idx = rng.choice(main.w.shape[0], size=m, p=main.w)
        u = main.u[idx] + rng.uniform(-0.5, 0.5, size=(m, self.k)) * main.h
        z = main.grid.mean + u @ main.grid.L.T
        with np.errstate(all="ignore"):
            t = to_theta(self.domains, z)
        t = t.reshape((*shape, self.k))
        return self._out(t)

    def _logdensity(self, x: ArrayLike) -> Any:
        """The normalised log density over the parameters (exact up to the evidence's error)."""
        theta = np.asarray(x, dtype=float)
        if self.k == 1 and (theta.ndim == 0 or theta.shape[-1] != 1):
            theta = theta[..., None]
        flat = theta.reshape(-1, self.k)
        out = np.empty(flat.shape[0])
        obj = self._ev.obj
        for j, row in enumerate(flat):
            with np.errstate(all="ignore"):
                inside = all(d.contains(v) for d, v in zip(self.domains, row, strict=True))
                if not inside:
                    out[j] = -np.inf
                    continue
                theta_d = dict(zip(self.names, (float(v) for v in row), strict=True))
                out[j] = obj.problem.objective(theta_d)
        out = np.where(np.isfinite(out), out, -np.inf) - self.log_evidence
        res = out.reshape(theta.shape[:-1])
        return float(res) if res.ndim == 0 else res

    def predictive_of(self, family: Distribution) -> Distribution:
        """The posterior predictive distribution of one new observation of ``family``."""
        return _predictive(family, self)


class _MixtureMixin:
    """A finite mixture of a family over grid nodes (the posterior predictive)."""

    family: Distribution
    names: tuple[str, ...]
    _theta: NDArray[np.float64]
    _w: NDArray[np.float64]
    _coarse: tuple[NDArray[np.float64], NDArray[np.float64]]

    def __init__(self, family: Distribution, names: tuple[str, ...], levels: Any) -> None:
        super().__init__()
        (theta, w), coarse = levels
        object.__setattr__(self, "family", family)
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "_theta", theta)
        object.__setattr__(self, "_w", w)
        object.__setattr__(self, "_coarse", coarse)

    def __repr__(self) -> str:
        return f"GridPredictive({self.family!r} mixed over {self._w.shape[0]} posterior nodes)"

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def _node_params(self, theta: NDArray[np.float64]) -> dict[str, Any]:
        cols = {n: theta[:, i] for i, n in enumerate(self.names)}
        return {**self.family.params, **cols}

    def _mix_logpdf(self, x: ArrayLike, theta: Any, w: Any) -> Any:
        arr = np.asarray(x, dtype=float)
        flat = arr.reshape(-1)
        with np.errstate(all="ignore"):
            lp = self.family.log_density(flat[:, None], self._node_params(theta))
            out = sc.logsumexp(lp + np.log(w)[None, :], axis=1)
        res = out.reshape(arr.shape)
        return float(res) if res.ndim == 0 else res

    def _logdensity(self, x: ArrayLike) -> Any:
        return self._mix_logpdf(x, self._theta, self._w)

    def error(self, x: ArrayLike) -> Any:
        """Estimated error of the density (or mass) at ``x``: the change between the
        last two refinements of the rule."""
        a = np.exp(self._mix_logpdf(x, self._theta, self._w))
        b = np.exp(self._mix_logpdf(x, *self._coarse))
        return np.abs(a - b)

    def cdf(self, x: ArrayLike) -> Any:
        arr = np.asarray(x, dtype=float)
        flat = arr.reshape(-1)
        with np.errstate(all="ignore"):
            c = self.family.cdf_at(flat[:, None], self._node_params(self._theta))
        res = (c @ self._w).reshape(arr.shape)
        return float(res) if res.ndim == 0 else res

    def _node_moments(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        fam = self.family
        m = np.empty(self._w.shape[0])
        v = np.empty(self._w.shape[0])
        for j, row in enumerate(self._theta):
            d = type(fam)(**{**fam.params, **dict(zip(self.names, row.tolist(), strict=True))})
            m[j], v[j] = float(d.mean()), float(d.var())
        return m, v

    def mean(self) -> Any:
        m, _ = self._node_moments()
        return float(m @ self._w)

    def var(self) -> Any:
        m, v = self._node_moments()
        mu = float(m @ self._w)
        return float((v + (m - mu) ** 2) @ self._w)

    def _sample(self, size: Any, rng: np.random.Generator) -> Any:
        shape, m = draw_shape(size)
        idx = rng.choice(self._w.shape[0], size=m, p=self._w)
        out = np.empty(m)
        fam = self.family
        for j, c in zip(*np.unique(idx, return_counts=True), strict=True):
            d = type(fam)(**{**fam.params, **dict(zip(self.names, self._theta[j], strict=True))})
            out[idx == j] = np.asarray(d.sample(int(c), rng), dtype=float).reshape(-1)
        return float(out[0]) if not shape else out.reshape(shape)


class GridPredictive(_MixtureMixin, ContinuousDistribution):
    """The posterior predictive of a quadrature posterior: a mixture over its nodes.

    ``p(x | data) = sum_n w_n p(x | theta_n)``; ``error(x)`` is the change of the
    density between two refinements of the rule.

    Examples
    --------
    >>> import thetahat as th
    >>> post = th.posterior(th.Exponential, [1.0, 2.0], prior=th.Gamma(2, 1),
    ...                     method="quadrature")
    >>> round(float(post.predictive().pdf(1.0)), 8)  # Lomax: 4 * 4**4 / (4 + 1)**5
    0.32768
    """


class GridPredictiveDiscrete(_MixtureMixin, DiscreteDistribution):
    """The posterior predictive of a quadrature posterior of a discrete family
    (see :class:`GridPredictive`).

    Examples
    --------
    >>> import thetahat as th
    >>> post = th.posterior(th.Poisson, [4], prior=th.Gamma(1, 1), method="quadrature")
    >>> round(float(post.predictive().mean()), 8)  # E[lambda | data] = 5 / 2
    2.5
    """


def _nodes_of(lev: Level, doms: Any, keep: float = 1e-15) -> tuple[Any, Any]:
    ok = lev.w > keep * float(np.max(lev.w))
    with np.errstate(all="ignore"):
        theta = to_theta(doms, lev.z[ok])
    w = lev.w[ok]
    return theta, w / w.sum()


def _predictive(family: Distribution, post: GridPosterior) -> Distribution:
    cur, prev = post.levels[0]
    levels = (_nodes_of(cur, post.domains), _nodes_of(prev, post.domains))
    cls = GridPredictiveDiscrete if family.discrete else GridPredictive
    return cls(family, post.names, levels)


def quadrature_posterior(
    family: Any,
    data: Any,
    *,
    prior: Any,
    weights: ArrayLike | None = None,
    exposure: ArrayLike | None = None,
    rtol: float = 1e-10,
) -> Posterior:
    """The posterior of up to three free parameters by adaptive quadrature.

    Parameters
    ----------
    family : Distribution class or instance, or th.Model
    data : array_like, Censored or SuffStats
    prior : Distribution or dict
        A proper prior (a dict name -> distribution, or a joint prior).
    weights, exposure : array_like, optional
    rtol : float
        Agreement asked of two successive refinements (evidence, means, variances).

    Returns
    -------
    Posterior
        ``method="quadrature"``; ``dist`` is a :class:`GridPosterior`,
        ``log_evidence_error`` and ``errors`` hold the refinement differences.

    Notes
    -----
    With ``z`` the unconstrained coordinates and ``(m, L L^T)`` the Laplace fit,

    .. math:: p(\\text{data}) = |L| \\int \\exp l(m + L u)\\, du
              \\approx |L| h^k \\sum_{j} \\exp l(m + L u_j),

    the trapezoid rule on the grid ``u_j in h Z^k``, whose box grows until its
    faces are ``exp(-32)`` below the peak and whose spacing halves until two
    levels agree. Expectations are the same sums with ``g(theta)`` inside.

    Examples
    --------
    >>> import thetahat as th
    >>> post = th.posterior(th.Gamma, [1.2, 0.7, 2.9, 1.4],
    ...                     prior={"shape": th.Gamma(2, 1), "rate": th.Gamma(2, 1)},
    ...                     method="quadrature")
    >>> post.method
    'quadrature'
    >>> post.log_evidence_error < 1e-8
    True
    """
    from .laplace_approximation import _laplace, _validate_proper

    fam, stats = _validate_proper(family, data, prior, weights, exposure)
    k = len(fam.estimable)
    if k > MAX_QUADRATURE_DIM:
        raise ValueError(
            f"quadrature integrates over at most {MAX_QUADRATURE_DIM} free parameters; "
            f"{type(fam).__name__} has {k} ({', '.join(fam.estimable)}): use method='mcmc' "
            "or 'laplace'"
        )
    if k == 0:
        raise ValueError("the family has no free parameter to integrate over")
    lap = _laplace(fam, stats, prior)
    gauss = lap.dist
    problem = FitProblem(fam, stats, prior, "unconstrained")
    ev = LogPosterior(problem)
    mean = np.asarray(gauss.z_mean, dtype=float)
    cov = np.asarray(gauss.z_cov, dtype=float)
    peak = float(ev(mean[None, :])[0])
    if not np.isfinite(peak):
        raise ValueError("the log posterior is not finite at its mode: nothing to integrate")
    levels: list[tuple[Level, Level]] = []
    msgs = list(lap.warnings)
    for i in range(k):
        cur, prev, ok = refine(TrapezoidGrid(ev, mean, cov, i), peak, k, rtol)
        if not ok:
            msgs.append(
                f"quadrature over {lap.names[i]} stopped at spacing h = {cur.h:g} before two "
                f"refinements agreed to rtol={rtol:g}; the errors show how far they differ"
            )
        levels.append((cur, prev))
    dist = GridPosterior(lap.names, levels, gauss.map_value, ev)
    for m in msgs[len(lap.warnings) :]:
        warn_user(m, RuntimeWarning)
    errors: dict[str, Any] = {"log_evidence": dist.log_evidence_error}
    for name in lap.names:
        errors[name] = {**dist.errors[name], "interval_95": dist.interval_error(0.95)[name]}
    return refined_posterior(
        lap,
        dist,
        method="quadrature",
        warnings=msgs,
        log_evidence=dist.log_evidence,
        errors=errors,
    )
