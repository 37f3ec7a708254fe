"""Beta-Binomial empirical Bayes: the prior's (a, b) by maximum marginal likelihood."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from ..conjugacy import BETA_BINOMIAL
from ..distributions import Beta, Binomial
from ..distributions.binomial import BinomialStats, log_binom
from ..optim import invert_information, newton_maximize
from ..results import Posterior
from ._common import HyperFit, RisingSums, groups_with_data, hyper_fit, pair_index, pool_completely

__all__ = ["COMPLETE_POOLING_SCALE", "beta_binomial_fit", "beta_binomial_groups"]

FloatArray = NDArray[np.float64]

#: under complete pooling the prior's concentration a + b is this times the largest n
COMPLETE_POOLING_SCALE = 1e10


def beta_binomial_fit(k: FloatArray, n: FloatArray) -> HyperFit:
    """Maximise the Beta-Binomial marginal likelihood of ``(a, b)``.

    Notes
    -----
    Group j with ``k_j`` successes in ``n_j`` trials has marginal probability
    ``C(n_j, k_j) B(a + k_j, b + n_j - k_j) / B(a, b)``, so (with s = a + b)

        L(a, b) = sum_j log C(n_j, k_j) + F_k(a) + F_{n-k}(b) - F_n(s),

    ``F_v(x) = sum_j [lgamma(x + v_j) - lgamma(x)]`` (see :class:`RisingSums`).
    The score is ``dL/da = F_k'(a) - F_n'(s)``, ``dL/db = F_{n-k}'(b) - F_n'(s)``
    and the Hessian ``[[F_k'' - F_n'', -F_n''], [-F_n'', F_{n-k}'' - F_n'']]``
    (digamma / trigamma sums). Newton runs in ``(log a, log b)`` from the
    method-of-moments start ``rho = (sum (k - n p)^2 / (p (1 - p)) - N) /
    sum n (n - 1)``, ``a + b = 1 / rho - 1`` with ``p = K / N``, which uses
    ``E (k - n p)^2 = n p (1 - p) (1 + (n - 1) rho)``.

    The same statistic decides complete pooling: the score of
    ``rho = 1 / (a + b + 1)`` at ``rho = 0`` is proportional to
    ``sum (k_j - n_j p)^2 - N p (1 - p)``; when the groups vary no more than
    binomial noise allows, it is <= 0, the likelihood is largest as
    ``a + b -> inf``, and every group is shrunk all the way to ``p``.
    """
    has = n > 0
    groups_with_data(has, "trials")
    big_k, big_n = float(k.sum()), float(n.sum())
    if big_k == 0 or big_k == big_n:
        what = "0 successes" if big_k == 0 else "only successes"
        raise ValueError(
            f"every group has {what}: the pooled rate is {big_k / big_n:g}, on the edge of "
            "[0, 1], and no Beta prior can be fitted; give a prior (th.posterior with a Beta) "
            "instead"
        )
    if float(n.max()) < 2:
        raise ValueError(
            "every group has at most one trial: between-group variation cannot be told apart "
            "from binomial noise, so the prior's spread is not identifiable"
        )
    p = big_k / big_n
    d = k - n * p
    disp = float(np.dot(d, d)) / (p * (1.0 - p)) - big_n
    denom = float(np.dot(n, n - 1.0))
    fk, ff, fn = RisingSums(k), RisingSums(n - k), RisingSums(n)
    const = fn.log_factorials() - fk.log_factorials() - ff.log_factorials()
    pooled_ll = const + sc.xlogy(big_k, p) + sc.xlog1py(big_n - big_k, -p)
    if disp <= 0:
        s = COMPLETE_POOLING_SCALE * max(1.0, float(n.max()))
        return hyper_fit(
            {"a": p * s, "b": (1.0 - p) * s},
            np.full((2, 2), np.inf),
            float(pooled_ll),
            None,
            (
                "complete pooling: the groups vary no more than binomial noise explains "
                f"(sum (k - n p)^2 / (p (1 - p)) = {disp + big_n:.6g} <= N = {big_n:.6g}), so "
                f"the prior's concentration a + b -> infinity and every group is shrunk to the "
                f"pooled rate {p:.6g}"
            ),
        )
    mixed = has & (k > 0) & (k < n)
    if not mixed.any():
        raise ValueError(
            "every group has either no successes or no failures: the marginal likelihood "
            "grows as the prior's a and b -> 0 (no pooling at all), so no Beta prior can be "
            "fitted; give a prior instead"
        )
    rho = min(max(disp / denom, 1e-10), 0.99)
    s0 = 1.0 / rho - 1.0

    def fun(u: FloatArray) -> tuple[float, FloatArray, FloatArray]:
        a, b = math.exp(u[0]), math.exp(u[1])
        ka, ka1, ka2 = fk(a)
        fb, fb1, fb2 = ff(b)
        ns, ns1, ns2 = fn(a + b)
        ga, gb = ka1 - ns1, fb1 - ns1
        haa, hbb, hab = ka2 - ns2, fb2 - ns2, -ns2
        g = np.array([a * ga, b * gb])
        h = np.array([[a * a * haa + a * ga, a * b * hab], [a * b * hab, b * b * hbb + b * gb]])
        return ka + fb - ns, g, h

    u0 = np.log([p * s0, (1.0 - p) * s0])
    sol = newton_maximize(fun, u0, damping="eigen", tol=1e-14, maxiter=200)
    u, f, iters = sol.x, sol.fun, sol.iterations
    a, b = math.exp(u[0]), math.exp(u[1])
    _, _, ka2 = fk(a)
    _, _, fb2 = ff(b)
    _, _, ns2 = fn(a + b)
    info = -np.array([[ka2 - ns2, -ns2], [-ns2, fb2 - ns2]])
    return hyper_fit(
        {"a": a, "b": b},
        invert_information(info, rcond=1e-14),
        float(const + f),
        sol,
        f"Newton did not converge in {iters} iterations",
    )


def beta_mode(a: FloatArray, b: FloatArray) -> FloatArray:
    """Elementwise mode of Beta(a, b), with the edge conventions of :class:`Beta`."""
    with np.errstate(divide="ignore", invalid="ignore"):
        inner = (a - 1.0) / (a + b - 2.0)
    out = np.where(a <= b, 0.0, 1.0)  # U-shaped: report the heavier end
    out = np.where((a == 1) & (b == 1), 0.5, out)
    out = np.where((b <= 1) & (a > 1) | ((b < 1) & (a == 1)), 1.0, out)
    out = np.where((a <= 1) & (b > 1) | ((a < 1) & (b == 1)), 0.0, out)
    return np.asarray(np.where((a > 1) & (b > 1), inner, out))


def beta_binomial_groups(
    k: FloatArray, n: FloatArray, params: dict[str, float], pooled: bool, level: float
) -> tuple[dict[str, FloatArray], Beta]:
    """Per-group posteriors ``Beta(a + k_j, b + n_j - k_j)``: columns of the table.

    Credible intervals (``betaincinv``) are computed once per distinct ``(k, n)``
    pair and gathered back to the groups.
    """
    a, b = params["a"], params["b"]
    prior = Beta(a, b)
    s = a + b
    has = n > 0
    mle = np.full(n.shape[0], np.nan)
    np.divide(k, n, out=mle, where=has)
    # everything posterior depends on (k, n) only: compute per distinct pair, gather
    uk, un, inv = pair_index(k, n)
    q = (1.0 - level) / 2.0
    ua, ub = a + uk, b + (un - uk)
    cols = {
        "n": n,
        "successes": k,
        "mle": mle,
        "posterior_mean": (ua / (ua + ub))[inv],
        "map": beta_mode(ua, ub)[inv],
        "lower": np.asarray(sc.betaincinv(ua, ub, q))[inv],
        "upper": np.asarray(sc.betaincinv(ua, ub, 1.0 - q))[inv],
        "shrinkage": s / (s + n),
    }
    if pooled:
        pool_completely(cols, a / s)  # the limit a + b -> inf
    return cols, prior


def beta_binomial_posterior(k: float, n: float, prior: Beta) -> Posterior:
    """One group's exact posterior through the Beta-Binomial conjugate rule."""

    stats = BinomialStats(n=1.0, trials=n, k=k, log_coef=float(log_binom(n, k)))
    return BETA_BINOMIAL.posterior(Binomial(n=n), prior, stats)
