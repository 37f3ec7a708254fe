"""Posteriors by MCMC (``method="mcmc"``): emcee's affine-invariant ensemble sampler.

Why emcee: the library's log posterior is a plain Python function of the
parameters (analytic gradients exist only for some families, none for a custom
``th.Model`` or censored data), so a gradient-free sampler runs on every model
without re-writing its density in PyTensor (PyMC) or JAX (NumPyro); the
affine-invariant stretch move is unaffected by the strong linear correlations of
shape/scale pairs; emcee is maintained, needs only NumPy, and arviz reads its
walkers as chains. The sampler runs over the unconstrained coordinates (log of a
positive parameter, logit of a probability; log Jacobian included) started from
the Laplace Gaussian, so no move leaves the parameter space.

Diagnostics (arviz, rank-normalised split R-hat and bulk/tail ESS, Vehtari et al.
2021) are computed over the walkers after tuning; R-hat above 1.01 or a bulk ESS
below 100 per chain total is reported as a warning and in the result's status
message, never hidden.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._optional import require
from .._warnings import warn_user
from ..results import Posterior
from ._approx import VectorPosterior, draw_shape, refined_posterior, to_theta
from ._density import LogPosterior
from ._solve import FitProblem

__all__ = ["ChainsPosterior", "mcmc_posterior"]

#: R-hat above this is not converged (Vehtari et al. 2021)
RHAT_MAX = 1.01
#: the least bulk ESS for stable means and intervals
ESS_MIN = 400.0


class ChainsPosterior(VectorPosterior):
    """A posterior represented by MCMC draws, shape (chains, draws, k).

    Means, variances and equal-tailed intervals are the draws' own; ``mcse``
    holds the Monte Carlo standard error of each mean (arviz).

    Examples
    --------
    >>> import thetahat as th
    >>> post = th.posterior(th.Poisson, [3, 5, 4], prior=th.Gamma(2, 1), method="mcmc",
    ...                     mcmc={"rng": 1})
    >>> post.dist.chains.shape[0]  # one chain per walker
    16
    """

    def __init__(self, chains: NDArray[np.float64], names: tuple[str, ...], mode: Any) -> None:
        super().__init__()
        object.__setattr__(self, "chains", np.asarray(chains, dtype=float))
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "map_value", np.asarray(mode, dtype=float))

    def __repr__(self) -> str:
        c, d, _ = self.chains.shape
        return f"ChainsPosterior({c} chains x {d} draws)"

    @property
    def flat(self) -> NDArray[np.float64]:
        """All draws, shape (chains * draws, k)."""
        return self.chains.reshape(-1, self.chains.shape[-1])

    def mean(self) -> Any:
        return self._out(self.flat.mean(axis=0))

    def var(self) -> Any:
        return self._out(self.flat.var(axis=0, ddof=1))

    def interval(self, level: float = 0.95) -> tuple[Any, Any]:
        from .._validation import check_level

        lv = check_level(level)
        q = np.quantile(self.flat, [0.5 - 0.5 * lv, 0.5 + 0.5 * lv], axis=0)
        return self._out(q[0]), self._out(q[1])

    def _sample(self, size: Any, rng: np.random.Generator) -> Any:
        shape, m = draw_shape(size)
        out = self.flat[rng.integers(0, self.flat.shape[0], size=m)]
        return self._out(out.reshape((*shape, len(self.names))))


def mcmc_posterior(
    family: Any,
    data: Any,
    *,
    prior: Any,
    weights: ArrayLike | None = None,
    exposure: ArrayLike | None = None,
    draws: int = 2000,
    tune: int = 1000,
    max_draws: int = 20000,
    walkers: int | None = None,
    thin: int = 1,
    rng: Any = None,
) -> Posterior:
    """The posterior by emcee's ensemble sampler, with R-hat and ESS from arviz.

    Parameters
    ----------
    family, data, prior, weights, exposure
        As in :func:`thetahat.posterior` (a proper prior is needed).
    draws, tune : int
        Steps per walker kept (at least), and discarded first.
    max_draws : int
        While R-hat exceeds 1.01 the run is doubled, up to ``max_draws`` kept steps.
    walkers : int, optional
        Ensemble size (default ``max(16, 4 k)``); arviz treats each walker as a chain.
    thin : int
        Keep every ``thin``-th step.
    rng : int or Generator, optional

    Returns
    -------
    Posterior
        ``method="mcmc"``; ``dist`` is a :class:`ChainsPosterior`;
        ``diagnostics`` holds ``rhat``, ``ess_bulk``, ``ess_tail`` (worst over the
        parameters) and ``acceptance``; ``errors`` the Monte Carlo standard
        error of each mean.

    Notes
    -----
    The target is ``l(z) = log p(data | theta(z)) + log p(theta(z)) + log |d theta/dz|``;
    walkers start at ``z ~ N(m, Sigma)`` of the Laplace fit. No evidence is
    estimated (``log_evidence`` is the Laplace one, marked in ``errors`` as NaN error).

    Examples
    --------
    >>> import thetahat as th
    >>> post = th.posterior(th.Gamma, [1.2, 0.7, 2.9, 1.4, 0.8],
    ...                     prior={"shape": th.Gamma(2, 1), "rate": th.Gamma(2, 1)},
    ...                     method="mcmc", mcmc={"rng": 0})
    >>> post.diagnostics["rhat"] <= 1.01
    True
    """
    emcee = require("emcee", "bayes")
    az = require("arviz", "bayes")
    from .._validation import as_generator
    from .laplace_approximation import _laplace, _validate_proper

    for label, v in (("draws", draws), ("tune", tune), ("thin", thin)):
        if (
            not isinstance(v, int | np.integer)
            or isinstance(v, bool)
            or v < (1 if label != "tune" else 0)
        ):
            raise ValueError(f"{label} must be a positive integer, got {v!r}")
    fam, stats = _validate_proper(family, data, prior, weights, exposure)
    lap = _laplace(fam, stats, prior)
    k = len(lap.names)
    nw = max(16, 4 * k) if walkers is None else int(walkers)
    if nw < 2 * k:
        raise ValueError(f"emcee needs at least 2 k = {2 * k} walkers, got {nw}")
    logp = LogPosterior(FitProblem(fam, stats, prior, "unconstrained"))
    gen = as_generator(rng, None)
    mean = np.asarray(lap.dist.z_mean)
    cov = np.asarray(lap.dist.z_cov)
    start = gen.multivariate_normal(mean, cov, size=nw)
    sampler = emcee.EnsembleSampler(nw, k, logp, vectorize=True)
    seed = int(gen.integers(0, 2**31 - 1))
    # emcee draws its moves from a legacy RandomState: seed it from ``rng``
    sampler.random_state = np.random.RandomState(seed).get_state()
    state = sampler.run_mcmc(start, tune + draws * thin, progress=False)
    kept = draws
    while True:
        chains, diag_sets = _draws_and_diagnostics(az, sampler, tune, thin, logp.doms, lap.names)
        rhat = max(diag_sets["rhat"].values())
        # extend an unconverged run (doubling, up to max_draws) before reporting it
        if rhat <= RHAT_MAX or kept >= max_draws:
            break
        more = min(kept, max_draws - kept)
        state = sampler.run_mcmc(state, more * thin, progress=False)
        kept += more
    ess_b = min(diag_sets["ess_bulk"].values())
    ess_t = min(diag_sets["ess_tail"].values())
    msgs = list(lap.warnings)
    if not rhat <= RHAT_MAX:
        msgs.append(
            f"MCMC did not converge: R-hat = {rhat:.3f} > {RHAT_MAX} "
            f"({', '.join(f'{n}: {v:.3f}' for n, v in diag_sets['rhat'].items())}); "
            "run longer (draws=, tune=) or use method='quadrature'"
        )
    if not ess_b >= ESS_MIN:
        msgs.append(
            f"effective sample size {ess_b:.0f} < {ESS_MIN:.0f}: means and intervals are noisy; "
            "run longer (draws=)"
        )
    for m in msgs[len(lap.warnings) :]:
        warn_user(m, RuntimeWarning)
    dist = ChainsPosterior(chains, lap.names, lap.dist.map_value)
    return refined_posterior(
        lap,
        dist,
        method="mcmc",
        warnings=msgs,
        log_evidence=lap.log_evidence,
        errors={"log_evidence": float("nan"), "mcse_mean": diag_sets["mcse_mean"]},
        diagnostics={
            "rhat": rhat,
            "ess_bulk": ess_b,
            "ess_tail": ess_t,
            "acceptance": float(np.mean(sampler.acceptance_fraction)),
            "per_parameter": {key: diag_sets[key] for key in ("rhat", "ess_bulk", "ess_tail")},
        },
    )


def _draws_and_diagnostics(
    az: Any, sampler: Any, tune: int, thin: int, doms: Any, names: tuple[str, ...]
) -> tuple[NDArray[np.float64], dict[str, dict[str, float]]]:
    """The kept draws (walkers, steps, k) on the parameters' scale, and per parameter
    R-hat, bulk and tail ESS and the MCSE of the mean (arviz, walkers as chains)."""
    z = sampler.get_chain(discard=tune, thin=thin)  # (steps, walkers, k)
    with np.errstate(all="ignore"):
        theta = to_theta(doms, z)
    chains = np.swapaxes(theta, 0, 1)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # arviz: "more chains than draws"
        idata = az.from_dict(posterior={n: chains[..., i] for i, n in enumerate(names)})
    out: dict[str, dict[str, float]] = {}
    calls = {
        "rhat": lambda: az.rhat(idata),
        "ess_bulk": lambda: az.ess(idata, method="bulk"),
        "ess_tail": lambda: az.ess(idata, method="tail"),
        "mcse_mean": lambda: az.mcse(idata, method="mean"),
    }
    for key, call in calls.items():
        res = call()
        res = getattr(res, "posterior", res)
        out[key] = {n: float(np.asarray(res[n])) for n in names}
    return chains, out
