"""The text demo: MLE vs MAP vs posterior on the coin and on a real dataset."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

from . import datasets
from .distributions import Bernoulli, Beta, Gamma, Poisson
from .inference.fit import fit
from .inference.posterior import posterior
from .results import BoundaryWarning

__all__ = ["coin_table", "run_text_demo", "toxocara_table"]


def _row(label: str, value: float, lo: float | None = None, hi: float | None = None) -> str:
    iv = "" if lo is None or hi is None else f"[{lo:.4f}, {hi:.4f}]"
    return f"  {label:<44}{value:>10.4f}   {iv}"


def coin_table() -> str:
    """Three heads: MLE, MAP under Beta(2, 2), and the exact posterior."""
    flips = [1, 1, 1]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", BoundaryWarning)
        mle = fit(Bernoulli, flips)
    prior = Beta(2, 2)
    mapf = fit(Bernoulli, flips, prior=prior)
    post = posterior(Bernoulli, flips, prior=prior)
    lo, hi = post.interval(0.95)["p"]
    mci = mle.conf_int()["p"]
    lines = [
        "Three coin flips, all heads: what is P(heads)?",
        _row("MLE (data alone)", mle.params["p"], *mci),
        _row("MAP with a Beta(2, 2) prior", mapf.params["p"], *mapf.conf_int()["p"]),
        _row(f"posterior mean, {post.dist!r}", post.mean()["p"], lo, hi),
        f"  MLE warning: {caught[0].message if caught else '-'}",
        f"  log evidence under Beta(2, 2): {post.log_evidence:.4f}",
    ]
    return "\n".join(lines)


def toxocara_table() -> str:
    """Worm counts in 53 cats: Poisson rate by MLE, MAP and posterior."""
    counts = np.asarray(datasets.load("toxocara")["number"], dtype=float)
    prior = Gamma(2.0, 0.2)
    mle = fit(Poisson, counts)
    mapf = fit(Poisson, counts, prior=prior)
    post = posterior(Poisson, counts, prior=prior)
    lo, hi = post.interval()["rate"]
    return "\n".join(
        [
            f"Toxocara cati counts in {counts.size} feral cats (fitdistrplus): Poisson rate",
            _row("MLE", mle.params["rate"], *mle.conf_int()["rate"]),
            _row(f"MAP with a {prior!r} prior", mapf.params["rate"], *mapf.conf_int()["rate"]),
            _row(f"posterior mean, {post.dist!r}", post.mean()["rate"], lo, hi),
            f"  variance/mean of the counts = {counts.var() / counts.mean():.1f}: "
            "over-dispersed for a Poisson",
        ]
    )


def run_text_demo(echo: Callable[[str], object] = print) -> None:
    """Print the demo tables (estimate, then a 95% Wald or credible interval)."""
    echo("thetahat demo: MLE -> MAP -> posterior\n")
    echo(coin_table())
    echo("")
    echo(toxocara_table())
