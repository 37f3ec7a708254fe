"""Decisions with posteriors: is B better than A, by how much, and what do I lose?

``th.ab_test`` (Beta-Binomial, Gamma-Poisson and Normal arms) and
``th.compare_posteriors`` (any two one-parameter posteriors) return an
:class:`~thetahat.results.decision.ABTest`: ``P(B > A)``, the expected loss of
choosing each arm, and the posterior of the difference and of the relative lift.

How each number is computed, exact first:

* ``P(B > A)``: Normal arms, ``Phi((mu_B - mu_A) / sqrt(s_A^2 + s_B^2))``; Gamma arms,
  ``I_{r_A/(r_A + r_B)}(a_A, a_B)`` (``r_A lambda_A / (r_A lambda_A + r_B lambda_B)`` is
  ``Beta(a_A, a_B)``); Beta arms, the 1-d integral ``int f_A(x) (1 - F_B(x)) dx`` by
  Clenshaw-Curtis between A's 1e-13 and 1 - 1e-13 quantiles, with the error estimated
  from the nested rule of half the nodes; pairs whose two rules disagree by more than ``1e-6`` (a
  density with a singularity) fall back to Monte Carlo, whose standard error is
  reported.
* Expected loss ``E[(theta_A - theta_B)^+]`` of choosing B: for Normal arms
  ``s phi(d/s) - d Phi(-d/s)`` with ``d = mu_B - mu_A``; for Beta and Gamma arms the
  same quadrature of ``f_A(x) (x F_B(x) - mu_B F_B^+(x))``, where ``F_B^+`` is the cdf
  of the size-biased law (``Beta(a + 1, b)``, ``Gamma(a + 1, r)``). The loss of
  choosing A is that of B plus ``E[theta_B - theta_A]``.
* The difference and the lift (``theta_B / theta_A - 1``): intervals from posterior
  draws (their Monte Carlo error is stated), computed when asked for.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special as sc

from .distributions import Beta, Distribution, Gamma, Normal
from .results.decision import ABTest, arm_draws

__all__ = ["ab_test", "compare_posteriors"]

Array = NDArray[np.float64]

#: Clenshaw-Curtis intervals of the quadrature (its nested half gives the error estimate)
_NODES = 64
#: two rules disagreeing by more than this send a pair to Monte Carlo
_QUAD_TOL = 1e-6
#: the mass of A's posterior left outside the quadrature's window, each side
_EDGE = 1e-13


def _arm_params(kind: str, succ: Array, trials: Array, prior: Distribution) -> tuple[Array, Array]:
    p = [float(v) for v in prior.params.values()]
    if kind == "binomial":
        return p[0] + succ, p[1] + trials - succ
    if kind == "poisson":
        return p[0] + succ, p[1] + trials
    raise AssertionError(kind)


def _kind_of(prior: Distribution) -> str:
    if isinstance(prior, Beta):
        return "binomial"
    if isinstance(prior, Gamma):
        return "poisson"
    if isinstance(prior, Normal):
        return "normal"
    raise TypeError(
        f"ab_test's prior must be th.Beta (conversion rates), th.Gamma (Poisson rates) or "
        f"th.Normal (means with known standard errors), got {prior!r}"
    )


def _cdf(kind: str, x: Array, a: Array, b: Array) -> Array:
    if kind == "binomial":
        return np.asarray(sc.betainc(a, b, np.clip(x, 0.0, 1.0)))
    return np.asarray(sc.gammainc(a, b * np.maximum(x, 0.0)))


def _logpdf(kind: str, x: Array, a: Array, b: Array) -> Array:
    with np.errstate(all="ignore"):
        if kind == "binomial":
            out = (a - 1) * np.log(x) + (b - 1) * np.log1p(-x) - sc.betaln(a, b)
        else:
            out = a * np.log(b) + (a - 1) * np.log(x) - b * x - sc.gammaln(a)
    return np.asarray(np.where(np.isfinite(out), out, -np.inf))


def _moments(kind: str, a: Array, b: Array) -> tuple[Array, Array]:
    if kind == "binomial":
        s = a + b
        return a / s, a * b / (s * s * (s + 1))
    return a / b, a / (b * b)


def _window(kind: str, a: Array, b: Array) -> tuple[Array, Array]:
    """The interval holding all but ``2e-13`` of A's posterior mass (its quantiles)."""
    if kind == "binomial":
        return sc.betaincinv(a, b, _EDGE), sc.betaincinv(a, b, 1.0 - _EDGE)
    return sc.gammaincinv(a, _EDGE) / b, sc.gammaincinv(a, 1.0 - _EDGE) / b


def _quad(
    kind: str,
    pa: tuple[Array, Array],
    pb: tuple[Array, Array],
    n: int,
    window: tuple[Array, Array],
) -> tuple[Array, Array, Array, Array]:
    """``P(B > A)`` and ``E[(A - B)^+]`` by the (n + 1)-point Clenshaw-Curtis rule over A's
    mass, and both again by the nested rule of half the nodes (their error estimate)."""
    (aa, ba), (ab, bb) = pa, pb
    lo, hi = window
    t, w = _clenshaw_curtis(n)
    half = 0.5 * (hi - lo)
    x = (lo + hi)[:, None] * 0.5 + half[:, None] * t[None, :]
    fa = np.exp(_logpdf(kind, x, aa[:, None], ba[:, None])) * (w[None, :] * half[:, None])
    fb = _cdf(kind, x, ab[:, None], bb[:, None])
    mb = _moments(kind, ab, bb)[0]
    # the size-biased cdf by the recurrence I_x(a + 1, b) = I_x(a, b) - x^a (1-x)^b / (a B(a, b))
    # (Gamma: P(a + 1, r x) = P(a, r x) - (r x)^a e^(-r x) / Gamma(a + 1)): no second cdf pass
    a1, b1 = ab[:, None], bb[:, None]
    with np.errstate(all="ignore"):
        if kind == "binomial":
            xc = np.clip(x, 0.0, 1.0)
            term = np.exp(a1 * np.log(xc) + b1 * np.log1p(-xc) - sc.betaln(a1, b1) - np.log(a1))
        else:
            rx = b1 * np.maximum(x, 0.0)
            term = np.exp(a1 * np.log(rx) - rx - sc.gammaln(a1 + 1.0))
    fb_plus = fb - np.where(np.isfinite(term), term, 0.0)
    g = x * fb - mb[:, None] * fb_plus
    # the same sums with the nested rule of half the nodes (every other node)
    w2 = _clenshaw_curtis(n // 2)[1]
    fa2 = fa[:, ::2] / w[None, ::2] * w2[None, :]
    prob = 1.0 - np.sum(fa * fb, axis=1)
    loss_b = np.sum(fa * g, axis=1)
    prob_h = 1.0 - np.sum(fa2 * fb[:, ::2], axis=1)
    loss_h = np.sum(fa2 * g[:, ::2], axis=1)
    return prob, loss_b, prob_h, loss_h


def _clenshaw_curtis(n: int) -> tuple[Array, Array]:
    """Nodes ``cos(k pi / n)`` (k = 0..n) and weights of the Clenshaw-Curtis rule on [-1, 1].

    Nested: the rule of ``n / 2`` uses every other node, so one set of integrand
    values gives a value and its error estimate (Trefethen 2008: for smooth
    integrands it converges about as fast as Gauss-Legendre of as many nodes).
    """
    k = np.arange(n + 1)
    theta = np.pi * k / n
    w = np.ones(n + 1)
    for j in range(1, n // 2 + 1):
        b = 1.0 if 2 * j == n else 2.0
        w -= b / (4.0 * j * j - 1.0) * np.cos(2.0 * j * theta)
    c = np.where((k == 0) | (k == n), 1.0, 2.0)
    return np.cos(theta), c * w / n


def _decide(
    kind: str,
    pa: tuple[Array, Array],
    pb: tuple[Array, Array],
    labels: tuple[str, str],
    draws: int,
    rng: Any,
    level: float,
) -> ABTest:
    from ._validation import as_generator

    gen = as_generator(rng, None)
    n = pa[0].shape[0]
    method = np.full(n, "closed form", dtype=object)
    err = np.zeros(n)
    if kind == "normal":
        (ma, sa), (mb, sb) = pa, pb
        d, s = mb - ma, np.sqrt(sa * sa + sb * sb)
        prob = sc.ndtr(d / s)
        loss_b = s * np.exp(-0.5 * (d / s) ** 2) / np.sqrt(2 * np.pi) - d * sc.ndtr(-d / s)
        mean_diff = d
    else:
        ma = _moments(kind, *pa)[0]
        mb = _moments(kind, *pb)[0]
        mean_diff = mb - ma
        window = _window(kind, *pa)
        prob, loss_b, prob_h, loss_h = _quad(kind, pa, pb, _NODES, window)
        err = np.maximum(np.abs(prob - prob_h), 1e-15)
        method[:] = "quadrature"
        if kind == "poisson":  # P(B > A) in closed form
            prob = sc.betainc(pa[0], pb[0], pa[1] / (pa[1] + pb[1]))
            err[:] = 0.0
            method[:] = "closed form"
        bad = (np.abs(prob - prob_h) > _QUAD_TOL) | (np.abs(loss_b - loss_h) > _QUAD_TOL)
        bad &= kind != "poisson"
        if bad.any():
            idx = np.flatnonzero(bad)
            xa = arm_draws(kind, pa[0][idx], pa[1][idx], draws, gen)
            xb = arm_draws(kind, pb[0][idx], pb[1][idx], draws, gen)
            p = (xb > xa).mean(axis=0)
            prob[idx] = p
            err[idx] = np.sqrt(np.maximum(p * (1 - p), 0.25 / draws) / draws)
            loss_b[idx] = np.maximum(xa - xb, 0.0).mean(axis=0)
            method[idx] = "monte carlo"
    loss_b = np.maximum(loss_b, 0.0)
    loss_a = np.maximum(loss_b + mean_diff, 0.0)
    return ABTest(
        kind=kind,
        params_a=pa,
        params_b=pb,
        labels=labels,
        prob_b_better=np.asarray(prob, dtype=float),
        prob_b_better_error=err,
        expected_loss_a=np.asarray(loss_a, dtype=float),
        expected_loss_b=np.asarray(loss_b, dtype=float),
        method=method,
        level=level,
        seed=int(gen.integers(0, 2**31 - 1)),
    )


def ab_test(
    successes_a: ArrayLike,
    trials_a: ArrayLike,
    successes_b: ArrayLike,
    trials_b: ArrayLike,
    *,
    prior: Distribution | None = None,
    level: float = 0.95,
    draws: int = 200_000,
    rng: Any = 0,
) -> ABTest:
    """Bayesian A/B test of two arms (or of many pairs at once, element-wise).

    Parameters
    ----------
    successes_a, trials_a, successes_b, trials_b : array_like
        Beta-Binomial (``prior=th.Beta``, the default ``Beta(1, 1)``): successes and
        trials. Gamma-Poisson (``prior=th.Gamma(shape, rate)``): event counts and
        exposures. Normal (``prior=th.Normal(mu, sigma)``): estimated effects and their
        standard errors. Arrays compare pair by pair (broadcast).
    prior : Beta, Gamma or Normal
        The prior of each arm's parameter (the same for both).
    level : float
        Probability of the credible intervals of the difference and the lift.
    draws : int
        Monte Carlo draws where no closed form or quadrature applies.
    rng : int or Generator

    Returns
    -------
    ABTest
        ``prob_b_better``, its ``prob_b_better_error`` and ``method``,
        ``expected_loss_a``/``_b`` (the expected shortfall of choosing that arm),
        ``diff_interval()``, ``lift_interval()``, ``summary()``, ``plot()``.

    Notes
    -----
    See :mod:`thetahat.decisions`: ``P(B > A)`` is exact for Normal and Gamma arms and
    a 1-d Clenshaw-Curtis integral (error from its nested half rule) for Beta arms;
    the loss of choosing B is ``E[max(theta_A - theta_B, 0)]``.

    Examples
    --------
    >>> import thetahat as th
    >>> res = th.ab_test(120, 1000, 145, 1000)
    >>> round(float(res.prob_b_better), 3)
    0.95
    >>> res.method
    'quadrature'
    """
    from ._validation import check_level

    lv = check_level(level)
    pr = Beta(1.0, 1.0) if prior is None else prior
    kind = _kind_of(pr)
    arrs = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in
                                 (successes_a, trials_a, successes_b, trials_b)))  # fmt: skip
    scalar = all(np.ndim(v) == 0 for v in (successes_a, trials_a, successes_b, trials_b))
    ya, na, yb, nb = (np.atleast_1d(a).ravel() for a in arrs)
    names = ("successes_a", "trials_a", "successes_b", "trials_b")
    for name, v in zip(names, (ya, na, yb, nb), strict=True):
        if not np.all(np.isfinite(v)):
            i = int(np.flatnonzero(~np.isfinite(v))[0])
            raise ValueError(f"{name} has a value that is not finite (position {i})")
    if kind == "normal":
        for name, v in (("trials_a", na), ("trials_b", nb)):
            if np.any(v <= 0):
                raise ValueError(f"{name} (standard errors) must be > 0")
        mu0, s0 = (float(v) for v in pr.params.values())
        post = []
        for y, s in ((ya, na), (yb, nb)):
            prec = 1.0 / (s * s) + 1.0 / (s0 * s0)
            post.append(((y / (s * s) + mu0 / (s0 * s0)) / prec, 1.0 / np.sqrt(prec)))
        pa, pb = post[0], post[1]
    else:
        for name, v in zip(names, (ya, na, yb, nb), strict=True):
            if np.any(v < 0):
                raise ValueError(f"{name} must be >= 0")
        if kind == "binomial":
            for s_name, t_name, s, t in (("successes_a", "trials_a", ya, na),
                                         ("successes_b", "trials_b", yb, nb)):  # fmt: skip
                if np.any(s > t):
                    raise ValueError(
                        f"{s_name} > {t_name} at position {int(np.flatnonzero(s > t)[0])}"
                    )
        pa, pb = _arm_params(kind, ya, na, pr), _arm_params(kind, yb, nb, pr)
    res = _decide(kind, pa, pb, ("A", "B"), int(draws), rng, lv)
    return res.squeezed() if scalar else res


def compare_posteriors(
    post_a: Any,
    post_b: Any,
    *,
    param: str | None = None,
    level: float = 0.95,
    draws: int = 200_000,
    rng: Any = 0,
) -> ABTest:
    """``P(B > A)``, expected losses, difference and lift for two posteriors.

    Parameters
    ----------
    post_a, post_b : Posterior
        Posteriors of the same parameter (e.g. from ``th.posterior``).
    param : str, optional
        The parameter compared, when a posterior has several.

    Returns
    -------
    ABTest
        Exact (closed form or quadrature) when both are Beta, Gamma or Normal
        posteriors, else Monte Carlo from their ``sample()`` with its error.

    Examples
    --------
    >>> import thetahat as th
    >>> a = th.posterior(th.Bernoulli, [1, 0, 0, 1, 0], prior=th.Beta(1, 1))
    >>> b = th.posterior(th.Bernoulli, [1, 1, 0, 1, 1], prior=th.Beta(1, 1))
    >>> round(float(th.compare_posteriors(a, b).prob_b_better), 4)
    0.8788
    """
    from ._validation import as_generator, check_level

    lv = check_level(level)
    dists = []
    for label, post in (("post_a", post_a), ("post_b", post_b)):
        names = getattr(post, "names", None)
        if names is None:
            raise TypeError(f"{label} must be a thetahat Posterior, got {type(post).__name__}")
        if param is None and len(names) != 1:
            raise ValueError(f"{label} is over {names}: say which with param=")
        if param is not None and param not in names:
            raise ValueError(f"{label} has no parameter {param!r}; it has {names}")
        dists.append(post)
    da, db = dists[0].dist, dists[1].dist
    one = all(len(p.names) == 1 for p in dists)
    for kind, cls in (("binomial", Beta), ("poisson", Gamma), ("normal", Normal)):
        if one and type(da) is cls and type(db) is cls:
            pa = tuple(np.atleast_1d(float(v)) for v in da.params.values())
            pb = tuple(np.atleast_1d(float(v)) for v in db.params.values())
            res = _decide(kind, pa, pb, ("A", "B"), int(draws), rng, lv)  # type: ignore[arg-type]
            return res.squeezed()
    gen = as_generator(rng, None)
    name = param or dists[0].names[0]
    xa = np.asarray(post_a.sample(int(draws), gen)[name], dtype=float).reshape(-1)
    xb = np.asarray(post_b.sample(int(draws), gen)[name], dtype=float).reshape(-1)
    return ABTest.from_draws(xa, xb, lv, int(gen.integers(0, 2**31 - 1)))
