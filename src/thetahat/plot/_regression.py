"""Regularisation paths: MAP weights as the prior widens, Gaussian vs Laplace side by side."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._common import new_figure

__all__ = ["regularization_path"]


def regularization_path(
    X: Any,
    y: Any,
    *,
    noise_sd: float = 1.0,
    fit_intercept: bool = True,
    scales: Any = None,
    feature_names: list[str] | None = None,
    num: int = 60,
    ax: Any = None,
) -> Any:
    """Figure: MAP coefficients against the prior's width, Normal (left) and Laplace (right).

    Parameters
    ----------
    X, y : training data (X may be a DataFrame: its columns name the lines).
    noise_sd : float
        Noise sd sigma of the linear model (fixed).
    fit_intercept : bool
    scales : (tau, b) pair of arrays or None
        Prior widths: tau of ``Normal(0, tau)`` and b of ``Laplace(0, b)``.
        Default: from the strongest useful prior to a nearly flat one (for the
        Laplace, from ``b0 / 2``, where ``b0 = sigma^2 / max|X'y|`` zeroes every weight).
    feature_names : names for the legend.
    num : points per path when ``scales`` is None.
    ax : pair of matplotlib Axes, optional
        Draw the two panels there (default: a new pyplot figure).

    Returns
    -------
    matplotlib.figure.Figure
        Two axes; each line's data are (scale, weight) for one feature.

    Notes
    -----
    The Gaussian prior shrinks every weight smoothly towards 0 and reaches it only
    in the limit; the Laplace prior's corner at 0 sets weights exactly to zero
    below a width ``b`` where ``|x_j' r| <= sigma^2 / b`` (the lasso's KKT
    condition), so its paths leave the axis one by one.

    Examples
    --------
    >>> import numpy as np
    >>> import thetahat as th
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 3))
    >>> y = X @ np.array([1.0, -0.5, 0.0]) + rng.normal(size=40)
    >>> fig = th.plot.regularization_path(X, y, num=10)
    >>> len(fig.axes)
    2
    """
    from ..regression import regularization_path as path
    from ..regression._data import check_X, check_y
    from ..regression._linalg import centered_gram

    names = feature_names or ([str(c) for c in X.columns] if hasattr(X, "columns") else None)
    Xa = check_X(np.asarray(X, dtype=float))
    if Xa.ndim != 2:
        raise ValueError(f"X must be 2-dimensional, got shape {Xa.shape}")
    ya = check_y(y, Xa.shape[0])
    if names is None:
        names = [f"x{j}" for j in range(Xa.shape[1])]
    if len(names) != Xa.shape[1]:
        raise ValueError(f"feature_names has {len(names)} names for {Xa.shape[1]} columns")
    s2 = float(noise_sd) ** 2
    if scales is None:
        gs = centered_gram(Xa, ya, None, fit_intercept)
        b0 = s2 / max(float(np.abs(gs.c).max()), 1e-300)
        lam_max = max(float(np.linalg.eigvalsh(gs.G).max()), 1e-300)
        tau = np.sqrt(s2 / lam_max) * np.geomspace(1e-2, 1e3, num)
        b = b0 * np.geomspace(0.5, 1e3, num)
    else:
        tau, b = (np.asarray(s, dtype=float) for s in scales)
    t_sorted, w_normal = path(
        Xa, ya, tau, prior="normal", noise_sd=noise_sd, fit_intercept=fit_intercept
    )
    b_sorted, w_laplace = path(
        Xa, ya, b, prior="laplace", noise_sd=noise_sd, fit_intercept=fit_intercept
    )
    fig, (ax_n, ax_l) = new_figure(1, 2, size=(10.0, 4.0), ax=ax)
    if ax is None:
        ax_l.sharey(ax_n)
    for j, name in enumerate(names):
        ax_n.plot(t_sorted, w_normal[:, j], label=name)
        ax_l.plot(b_sorted, w_laplace[:, j], label=name)
    ax_n.set_title("Normal(0, tau) prior (ridge): shrinks")
    ax_l.set_title("Laplace(0, b) prior (lasso): exact zeros")
    ax_n.set_xlabel("prior sd tau")
    ax_l.set_xlabel("prior scale b")
    ax_n.set_ylabel("MAP weight")
    for ax in (ax_n, ax_l):
        ax.set_xscale("log")
        ax.axhline(0.0, color="0.6", lw=0.8)
    ax_l.legend(fontsize="small", loc="best")
    return fig
