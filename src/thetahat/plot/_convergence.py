"""MLE and MAP as the sample grows: the prior's weight shrinks like 1/n."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._common import new_figure, scalar_param, try_fit

__all__ = ["convergence"]


def convergence(
    truth: Any,
    prior: Any,
    *,
    family: Any = None,
    ns: ArrayLike | None = None,
    rng: Any = 0,
    param: str | None = None,
    ax: Any = None,
) -> Any:
    """MLE and MAP of one parameter on growing prefixes of one simulated sample.

    Parameters
    ----------
    truth : Distribution
        A frozen distribution the data are drawn from (``th.Bernoulli(0.7)``).
    prior : Distribution or {name: Distribution}
        The prior of the MAP.
    family : Distribution class or instance, optional
        The family fitted (default: ``truth``'s class with every parameter free;
        give ``th.Normal(sigma=2)`` to fit only a mean).
    ns : array_like of int, optional
        Sample sizes (default: about 25 sizes from 1 to 2000, log-spaced).
    rng : seed or numpy Generator
        The simulated sample is ``truth.sample(max(ns), rng)``; the fits at ``n``
        use its first ``n`` values.
    param : str, optional
        The parameter shown (default: the only free one).
    ax : pair of matplotlib Axes, optional
        Draw the two panels there (default: a new pyplot figure).

    Returns
    -------
    matplotlib.figure.Figure
        Top axes: lines ``mle`` and ``map`` against n (log scale) and the ``truth``
        line. Bottom axes: ``gap`` = |MAP - MLE| against n (log-log) with the
        reference line ``one_over_n`` through its last point.

    Notes
    -----
    For a conjugate prior the MAP is a weighted average of the MLE and the prior's
    own mode, e.g. for a Bernoulli with a Beta(a, b) prior
    ``MAP = (k + a - 1) / (n + a + b - 2)``, so
    ``MAP - MLE = (a - 1 - (a + b - 2) MLE) / (n + a + b - 2) = O(1/n)``: the
    prior counts as ``a + b - 2`` pseudo-observations whose weight decays like
    ``1/n``.

    Examples
    --------
    >>> import thetahat as th
    >>> fig = th.plot.convergence(th.Bernoulli(0.3), th.Beta(2, 2), ns=[5, 50, 500])
    >>> len(fig.axes)
    2
    """
    import thetahat as th

    from ..inference import as_family

    if not isinstance(truth, th.Distribution) or truth.free:
        raise ValueError(f"truth must be a distribution with every parameter given, got {truth!r}")
    fam = as_family(type(truth) if family is None else family)
    name = scalar_param(fam, param, "convergence")
    true_value = truth.params.get(name)
    sizes = (
        np.unique(np.geomspace(1, 2000, 25).astype(int))
        if ns is None
        else np.unique(np.asarray(ns, dtype=int))
    )
    if sizes.size == 0 or sizes[0] < 1:
        raise ValueError("ns must hold sample sizes >= 1")
    sample = np.asarray(truth.sample(int(sizes[-1]), np.random.default_rng(rng)), dtype=float)

    def value(est: Any) -> float:
        return float(est.params[name]) if est is not None else np.nan

    def at(n: int, with_prior: Any) -> float:
        return value(try_fit(lambda: th.fit(fam, sample[:n], prior=with_prior)))

    mle = np.array([at(int(n), None) for n in sizes])
    mapv = np.array([at(int(n), prior) for n in sizes])

    fig, (top, bottom) = new_figure(2, 1, size=(7.0, 6.5), ax=ax)
    (ln,) = top.plot(sizes, mle, "o-", color="C1", ms=4, label="MLE (data alone)")
    ln.set_gid("mle")
    (ln,) = top.plot(sizes, mapv, "s-", color="C3", ms=4, label=f"MAP, prior {prior!r}")
    ln.set_gid("map")
    if true_value is not None and np.ndim(true_value) == 0:
        top.axhline(float(true_value), color="k", lw=1, ls="--", label=f"truth = {true_value:g}")
        top.lines[-1].set_gid("truth")
    top.set_xscale("log")
    top.set_xlabel("n")
    top.set_ylabel(name)
    top.set_title(f"{type(fam).__name__} {name}: MAP -> MLE as n grows (data from {truth!r})")
    top.legend(fontsize=8)

    gap = np.abs(mapv - mle)
    ok = np.isfinite(gap) & (gap > 0)
    (ln,) = bottom.plot(sizes[ok], gap[ok], "o-", color="C4", ms=4, label="|MAP - MLE|")
    ln.set_gid("gap")
    if ok.any():
        n_last, g_last = float(sizes[ok][-1]), float(gap[ok][-1])
        ref = g_last * n_last / sizes.astype(float)
        (ln,) = bottom.plot(sizes, ref, color="grey", ls="--", label="reference ~ 1/n")
        ln.set_gid("one_over_n")
    bottom.set_xscale("log")
    bottom.set_yscale("log")
    bottom.set_xlabel("n")
    bottom.set_ylabel("|MAP - MLE|")
    bottom.legend(fontsize=8)
    return fig
