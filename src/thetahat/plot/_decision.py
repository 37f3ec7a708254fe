"""The A/B figure: both arms' posteriors, with P(B > A) and the expected losses."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._common import new_figure, quiet

__all__ = ["ab_test"]


def ab_test(result: Any, *, pair: int = 0, points: int = 600, ax: Any = None) -> Any:
    """Posterior densities of arms A and B of an :class:`~thetahat.results.decision.ABTest`.

    Parameters
    ----------
    result : ABTest
        From :func:`thetahat.ab_test` or :func:`thetahat.compare_posteriors`.
    pair : int
        Which pair to draw when the result holds many.
    points : int
        Grid points of each density.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Artists' gids: ``"arm_a"``, ``"arm_b"``.

    Examples
    --------
    >>> import thetahat as th
    >>> fig = th.ab_test(120, 1000, 145, 1000).plot()
    >>> sorted(line.get_gid() for line in fig.axes[0].lines)
    ['arm_a', 'arm_b']
    """
    from scipy import stats

    fig, (axis,) = new_figure(ax=ax)
    kind = result.kind
    with quiet():
        if kind == "draws":
            xa, xb = result.draws()
            for x, gid, name in ((xa[:, 0], "arm_a", "A"), (xb[:, 0], "arm_b", "B")):
                dens, edges = np.histogram(x, bins=80, density=True)
                mid = 0.5 * (edges[1:] + edges[:-1])
                axis.plot(mid, dens, gid=gid, label=name)
        else:
            dists = []
            for params in (result.params_a, result.params_b):
                a, b = (float(np.asarray(v).reshape(-1)[pair]) for v in params)
                if kind == "binomial":
                    dists.append(stats.beta(a, b))
                elif kind == "poisson":
                    dists.append(stats.gamma(a, scale=1.0 / b))
                else:
                    dists.append(stats.norm(a, b))
            lo = min(d.ppf(1e-4) for d in dists)
            hi = max(d.ppf(1 - 1e-4) for d in dists)
            x = np.linspace(lo, hi, points)
            for d, gid, name in zip(dists, ("arm_a", "arm_b"), ("A", "B"), strict=True):
                axis.plot(x, d.pdf(x), gid=gid, label=name)
                axis.fill_between(x, d.pdf(x), alpha=0.15)
    p = float(np.asarray(result.prob_b_better).reshape(-1)[min(pair, result.n_pairs - 1)])
    la = float(np.asarray(result.expected_loss_a).reshape(-1)[min(pair, result.n_pairs - 1)])
    lb = float(np.asarray(result.expected_loss_b).reshape(-1)[min(pair, result.n_pairs - 1)])
    axis.set_title(f"P(B > A) = {p:.4g}; expected loss: choose A {la:.3g}, choose B {lb:.3g}")
    axis.set_xlabel("parameter")
    axis.set_ylabel("posterior density")
    axis.legend()
    return fig
