"""LinearRegression's MAP (ridge, lasso, elastic net) on a wide sparse X, Hessian-free.

Below :data:`~._sparse.HESSIAN_MAX_K` coefficients a sparse X goes through the
same closed forms as a dense one (the centred Gram matrix, formed by
:func:`~._sparse.sparse_gram`). Above it the Gram matrix is not formed: the MAP
weights at a given noise variance minimise ``RSS / 2 + sigma^2 pen(w)``, the
Gaussian GLM with the identity link, solved by :func:`~._newton_cg.fit_wide`
(conjugate gradients; the working set under a Laplace prior); an unknown sigma is
the joint mode ``sigma^2 = RSS / n``, iterated as in the dense fit, each solve warm
started from the last.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..results import ConvergenceWarning
from ._base import build_estimate, warn_all
from ._families import resolve_family
from ._glm_base import penalty_vector
from ._newton_cg import fit_wide
from .penalties import PriorSpec

__all__ = ["fit_wide_linear"]

Array = NDArray[np.float64]
_LOG_2PI = math.log(2.0 * math.pi)
SIGMA_RTOL = 1e-11


def fit_wide_linear(
    est: Any, X: Any, y: Array, sw: Array | None, names: list[str], fit_b: bool, spec: PriorSpec
) -> None:
    """Set ``est``'s MAP fit (``_theta``, ``estimate_``, ``noise_sd_``, ``prior_``, ``_pred``)."""
    from .linear import _log_prior

    if spec.kind in ("nig", "evidence"):
        raise ValueError(
            f"a {spec.kind!r} prior needs the {X.shape[1]} x {X.shape[1]} Gram matrix (its "
            "determinant or eigenvalues), too large to form for this wide sparse X; "
            "use a Normal or Laplace prior (Hessian-free) or fewer columns"
        )
    if spec.kind == "gaussian" and est.noise_sd is None:
        raise ValueError(
            "under a Normal prior the noise sd is estimated by type-II maximum likelihood, "
            f"which needs the spectrum of the {X.shape[1]} x {X.shape[1]} Gram matrix, too "
            "large to form for this wide sparse X; give noise_sd (or use fewer columns)"
        )
    fam = resolve_family("gaussian", "identity", None)
    pen = penalty_vector(spec, X.shape[1], fit_b, False, "LinearRegression")
    n = float(X.shape[0] if sw is None else sw.sum())
    known = est.noise_sd is not None
    ybar = float(np.average(y, weights=sw)) if fit_b else 0.0
    dev = y - ybar
    var_y = max(float(np.average(dev * dev, weights=sw)), 1e-300)
    sigma2 = float(est.noise_sd) ** 2 if known else var_y
    theta0: Array | None = None
    ok, rounds = False, 0
    for rounds in range(1, 501):  # noqa: B007 (the count is reported)
        res = fit_wide(fam, X, y, sw, None, fit_b, pen.scaled(sigma2), theta0=theta0, tol=1e-12)
        theta0 = res.theta
        if not res.converged:
            break
        rss = 2.0 * res.nll
        if known:
            ok = True
            break
        new = rss / n
        if new <= 1e-300:
            raise ValueError(
                "the MAP fits the data exactly, so the noise sd collapses to 0; "
                "give noise_sd or use a stronger prior"
            )
        done = abs(new - sigma2) <= SIGMA_RTOL * sigma2
        sigma2 = new
        if done:
            ok = True
            break
    theta = res.theta
    w = theta[:-1] if fit_b else theta
    rss = 2.0 * res.nll
    active = (theta != 0) | (pen.l1 == 0)
    warns: tuple[str, ...] = ()
    if not ok:
        warns = (f"the MAP iteration did not converge ({res.message or 'sigma still moving'})",)
        warn_all(warns, ConvergenceWarning)
    cov = res.covariance(active, sigma2)
    loglik = -0.5 * n * (_LOG_2PI + math.log(sigma2)) - 0.5 * rss / sigma2
    kind = {"gaussian": "ridge", "laplace": "lasso", "elasticnet": "elastic net"}[spec.kind]
    est._theta = theta
    est.prior_ = est.prior
    est.noise_sd_ = math.sqrt(sigma2)
    est.estimate_ = build_estimate(
        model=f"LinearRegression (MAP, {kind})",
        names=names,
        theta=theta,
        cov=cov,
        fit_intercept=fit_b,
        method="map",
        loglik=loglik,
        n=n,
        df_model=theta.shape[0] + (0 if known else 1),
        prior=est.prior,
        logpost=loglik + _log_prior(w, spec),
        warnings=warns,
        message=("se of weights at exactly 0 (the L1 kink) are NaN" if not active.all() else ""),
        converged=ok,
        iterations=rounds,
        extra={
            "sigma": math.sqrt(sigma2),
            "rss": rss,
            "n_nonzero": int(np.sum(w != 0)),
            "solver": "Newton-CG (Hessian-free)",
        },
        summary_lines=(
            f"{'Noise sd:':<16}{math.sqrt(sigma2):<30.6g}"
            f"{'':<16}{'(given)' if known else '(joint MAP)'}",
        ),
    )
    est._pred = ("normal", cov * (1.0 / sigma2), sigma2, None)
