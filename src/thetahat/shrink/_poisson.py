"""Gamma-Poisson empirical Bayes: the prior's (shape, rate) by the Negative-Binomial marginal."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from ..conjugacy import GAMMA_POISSON
from ..distributions import Gamma, Poisson
from ..distributions.poisson import PoissonStats
from ..optim import invert_information, newton_maximize
from ..results import Posterior
from ._common import HyperFit, RisingSums, groups_with_data, hyper_fit, pool_completely, value_index

__all__ = ["gamma_poisson_fit", "gamma_poisson_groups", "gamma_poisson_posterior"]

FloatArray = NDArray[np.float64]

#: under complete pooling the prior's shape is this times the largest expected count
COMPLETE_POOLING_SCALE = 1e10


def _exposure_groups(x: FloatArray, t: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(distinct exposure, groups with it, their total count): one entry if t is constant."""
    if t.shape[0] and float(t.min()) == float(t.max()):
        return t[:1].copy(), np.array([float(t.shape[0])]), np.array([float(x.sum())])
    return t, np.ones_like(t), x


def gamma_poisson_fit(x: FloatArray, t: FloatArray) -> HyperFit:
    """Maximise the Negative-Binomial marginal likelihood of the Gamma prior.

    Notes
    -----
    With ``rate_j ~ Gamma(alpha, beta)`` and ``x_j ~ Poisson(rate_j t_j)`` (exposure
    ``t_j``) the marginal of ``x_j`` is Negative-Binomial:

        log p(x_j) = lgamma(alpha + x_j) - lgamma(alpha) - log x_j! + alpha log beta
                     + x_j log t_j - (alpha + x_j) log(beta + t_j).

    Summed over the M groups with exposure,
    ``L = F_x(alpha) + M alpha log beta - sum (alpha + x_j) log(beta + t_j) + const``
    (``F_x`` as in :class:`RisingSums`); score ``dL/dalpha = F_x'(alpha) + M log beta -
    sum log(beta + t_j)``, ``dL/dbeta = M alpha / beta - sum (alpha + x_j) / (beta + t_j)``;
    Hessian ``F_x''``, ``M / beta - sum 1 / (beta + t_j)``,
    ``-M alpha / beta^2 + sum (alpha + x_j) / (beta + t_j)^2``. Newton runs in
    ``(log alpha, log beta)`` from the method of moments: with ``m = X / T``,
    ``E (x - m t)^2 = m t + m^2 t^2 / alpha`` gives
    ``alpha = m^2 sum t^2 / (sum (x - m t)^2 - X)``, ``beta = alpha / m``.

    The score of ``1 / alpha`` at 0 is ``(sum (x_j - m t_j)^2 - X) / 2``: without
    overdispersion beyond Poisson noise it is <= 0, the likelihood is largest as
    ``alpha -> inf`` (complete pooling) and every group is shrunk to ``m``.
    """
    has = t > 0
    n_data = groups_with_data(has, "exposure")
    xs, ts = x[has], t[has]
    big_x, big_t = float(xs.sum()), float(ts.sum())
    if big_x == 0:
        raise ValueError(
            "every group has a count of 0: the pooled rate is 0, on the edge of its range, and "
            "no Gamma prior can be fitted; give a prior (th.posterior with a Gamma) instead"
        )
    m = big_x / big_t
    d = xs - m * ts
    disp = float(np.dot(d, d)) - big_x
    fx = RisingSums(xs)
    const = float(np.sum(sc.xlogy(xs, ts))) - fx.log_factorials()
    if disp <= 0:
        alpha = COMPLETE_POOLING_SCALE * max(1.0, float(xs.max()), m * float(ts.max()))
        return hyper_fit(
            {"shape": alpha, "rate": alpha / m},
            np.full((2, 2), np.inf),
            float(const + sc.xlogy(big_x, m) - m * big_t),
            None,
            (
                "complete pooling: the counts vary no more than Poisson noise explains "
                f"(sum (x - m t)^2 = {disp + big_x:.6g} <= sum x = {big_x:.6g}), so the "
                "prior's shape -> infinity and every group is shrunk to the pooled rate "
                f"{m:.6g}"
            ),
        )
    tu, cu, xu = _exposure_groups(xs, ts)
    big_m = float(n_data)

    def fun(u: FloatArray) -> tuple[float, FloatArray, FloatArray]:
        al, be = math.exp(u[0]), math.exp(u[1])
        f0, f1, f2 = fx(al)
        bt = be + tu
        w = cu * al + xu
        f = f0 + big_m * al * math.log(be) - float(np.dot(w, np.log(bt)))
        ga = f1 + big_m * math.log(be) - float(np.dot(cu, np.log(bt)))
        gb = big_m * al / be - float(np.sum(w / bt))
        hab = big_m / be - float(np.sum(cu / bt))
        hbb = -big_m * al / (be * be) + float(np.sum(w / (bt * bt)))
        g = np.array([al * ga, be * gb])
        h = np.array(
            [[al * al * f2 + al * ga, al * be * hab], [al * be * hab, be * be * hbb + be * gb]]
        )
        return f, g, h

    a0 = m * m * float(np.dot(ts, ts)) / disp
    sol = newton_maximize(fun, np.log([a0, a0 / m]), damping="eigen", tol=1e-14, maxiter=200)
    u, f, iters = sol.x, sol.fun, sol.iterations
    al, be = math.exp(u[0]), math.exp(u[1])
    _, g_u, h_u = fun(u)
    # back from (log alpha, log beta) to (alpha, beta): H = D^-1 (H_u - diag(g_u)) D^-1
    dinv = np.array([1.0 / al, 1.0 / be])
    h = (h_u - np.diag(g_u)) * np.outer(dinv, dinv)
    return hyper_fit(
        {"shape": al, "rate": be},
        invert_information(-h, rcond=1e-14),
        float(const + f),
        sol,
        f"Newton did not converge in {iters} iterations",
    )


def gamma_poisson_groups(
    x: FloatArray, t: FloatArray, params: dict[str, float], pooled: bool, level: float
) -> tuple[dict[str, FloatArray], Gamma]:
    """Per-group posteriors ``Gamma(shape + x_j, rate + t_j)``: columns of the table.

    The quantiles ``gammaincinv(shape + x, q)`` depend on the count only, so they
    are computed once per distinct count and divided by each group's ``rate + t``.
    """
    al, be = params["shape"], params["rate"]
    prior = Gamma(al, be)
    ps, pr = al + x, be + t
    with np.errstate(divide="ignore", invalid="ignore"):
        mle = np.where(t > 0, x / np.where(t > 0, t, 1.0), np.nan)
    ux, inv = value_index(x)
    q = (1.0 - level) / 2.0
    lo_u, hi_u = sc.gammaincinv(al + ux, q), sc.gammaincinv(al + ux, 1.0 - q)
    cols = {
        "n": t,
        "counts": x,
        "mle": mle,
        "posterior_mean": ps / pr,
        "map": np.maximum(ps - 1.0, 0.0) / pr,
        "lower": lo_u[inv] / pr,
        "upper": hi_u[inv] / pr,
        "shrinkage": be / pr,
    }
    if pooled:
        pool_completely(cols, al / be)  # the limit shape -> inf
    return cols, prior


def gamma_poisson_posterior(x: float, t: float, rows: float, prior: Gamma) -> Posterior:
    """One group's exact posterior through the Gamma-Poisson conjugate rule."""

    const = float(sc.xlogy(x, t) - sc.gammaln(x + 1.0))
    stats = PoissonStats(n=rows, total=x, exposure=t, const=const)
    return GAMMA_POISSON.posterior(Poisson(), prior, stats)
