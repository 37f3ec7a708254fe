"""The ``shrinkage`` figure: raw vs shrunk estimates, sized by the information per group."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import thetahat as th
from thetahat.plot import shrinkage


def _rats(refdata):
    df = pd.read_csv(refdata / "bda_rat_tumor.csv")
    return th.shrink(df["y"].to_numpy(), df["n"].to_numpy())


def test_plot_points_are_raw_vs_shrunk_sized_by_n(refdata):
    res = _rats(refdata)
    fig = shrinkage(res)
    ax = fig.axes[0]
    pts = ax.collections[0]
    xy = pts.get_offsets()
    np.testing.assert_allclose(xy[:, 0], res.table["mle"])
    np.testing.assert_allclose(xy[:, 1], res.table["posterior_mean"])
    sizes = pts.get_sizes()
    n = res.table["n"].to_numpy()
    order = np.argsort(n, kind="stable")
    assert np.all(np.diff(sizes[order]) >= 0)
    assert sizes[np.argmax(n)] > sizes[np.argmin(n)]
    # the complete-pooling line sits at the prior mean, the diagonal is y = x
    hline = [ln for ln in ax.lines if np.allclose(ln.get_ydata(), res.prior.mean())]
    assert hline
    diag = [ln for ln in ax.lines if np.allclose(ln.get_xdata(), ln.get_ydata())]
    assert diag
    fig.savefig(__import__("io").BytesIO(), format="png")


def test_plot_subsamples_and_skips_groups_without_data(refdata):
    rng = np.random.default_rng(0)
    n = rng.integers(0, 30, 5000).astype(float)
    k = rng.binomial(n.astype(int), rng.beta(2, 5, 5000)).astype(float)
    res = th.shrink(k, n)
    fig = shrinkage(res, max_points=500)
    xy = fig.axes[0].collections[0].get_offsets()
    assert xy.shape[0] == 500
    assert np.all(np.isfinite(xy))
    assert "500 of" in fig.axes[0].get_title()
    with pytest.raises(TypeError):
        shrinkage("not a result")  # type: ignore[arg-type]


def test_plot_normal_sizes_by_precision(refdata):
    df = pd.read_csv(refdata / "bda_eight_schools.csv")
    res = th.shrink(3 * df["y"], se=df["sigma"], family=th.Normal)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig0, ax = plt.subplots()
    fig = shrinkage(res, ax=ax)
    assert fig is fig0
    sizes = ax.collections[0].get_sizes()
    assert sizes[np.argmin(df["sigma"])] == sizes.max()
    plt.close(fig0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", th.BoundaryWarning)
        pooled = th.shrink(df["y"], se=df["sigma"], family=th.Normal)
    assert "complete pooling" in shrinkage(pooled).axes[0].get_title()
