"""th.plot.compare and th.plot.diagnostics: what is drawn matches the fits and the data."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

import thetahat as th


@pytest.fixture(scope="module")
def comp():
    x = np.random.default_rng(0).gamma(2.0, 1.5, size=150)
    return th.compare([th.Gamma, th.Weibull, th.LogNormal], x), x


def _by_gid(ax, gid):
    return [a for a in [*ax.get_lines(), *ax.patches, *ax.collections] if a.get_gid() == gid]


@pytest.mark.parametrize("kind", ["density", "cdf", "qq", "pp"])
def test_every_kind_overlays_every_family(comp, kind):
    c, _ = comp
    fig = th.plot.compare(c, kind=kind)
    ax = fig.axes[0]
    gid = {"density": "fit", "cdf": "fit", "qq": "qq", "pp": "pp"}[kind]
    lines = _by_gid(ax, gid)
    assert len(lines) == 3
    assert [ln.get_label() for ln in lines] == list(c.order)


def test_qq_and_pp_points_are_the_fitted_quantiles_and_probabilities(comp):
    c, x = comp
    est = c.estimates["Gamma"]
    xs = np.sort(x)
    probs = (np.arange(1, xs.size + 1) - 0.5) / xs.size
    qq = _by_gid(th.plot.compare([est], kind="qq").axes[0], "qq")[0]
    np.testing.assert_allclose(qq.get_xdata(), est.dist.ppf(probs))
    np.testing.assert_allclose(qq.get_ydata(), xs)
    pp = _by_gid(th.plot.compare({"g": est}, kind="pp").axes[0], "pp")[0]
    np.testing.assert_allclose(pp.get_xdata(), est.dist.cdf(xs))
    assert pp.get_label() == "g"
    ecdf = _by_gid(th.plot.compare(est, kind="cdf").axes[0], "ecdf")[0]
    np.testing.assert_allclose(ecdf.get_ydata(), np.arange(1, xs.size + 1) / xs.size)


def test_diagnostics_is_a_2x2_panel_and_takes_axes(comp):
    c, _ = comp
    fig = th.plot.diagnostics(c.best)
    assert [a.get_title() for a in fig.axes] == [
        "Histogram and fitted densities", "Empirical and fitted cdfs", "Q-Q plot", "P-P plot",
    ]  # fmt: skip
    mine, axes = plt.subplots(2, 2)
    assert th.plot.diagnostics(c.best, ax=axes) is mine
    one, ax = plt.subplots()
    assert th.plot.compare(c, kind="pp", ax=ax) is one
    with pytest.raises(TypeError, match="ax must be"):
        th.plot.diagnostics(c.best, ax=ax)


def test_discrete_density_draws_pmfs(refdata):
    tox = np.loadtxt(refdata / "fitdistrplus_toxocara.csv", skiprows=1)
    fits = [th.fit(th.Poisson, tox), th.fit(th.NegativeBinomial, tox)]
    ax = th.plot.compare(fits, kind="density").axes[0]
    lines = _by_gid(ax, "fit")
    est = fits[1]
    np.testing.assert_allclose(lines[1].get_ydata(), est.dist.pmf(lines[1].get_xdata()))


def test_censored_versions_use_turnbull():
    rng = np.random.default_rng(1)
    t = rng.weibull(1.5, 120) * 3.0
    lo = np.floor(t)
    data = th.Censored(lo, lo + 1.0)
    fits = [th.fit(th.Weibull, data), th.fit(th.LogNormal, data)]
    ax = th.plot.compare(fits, kind="cdf").axes[0]
    (npmle,) = _by_gid(ax, "npmle")
    # interval-censored to unit cells: the NPMLE puts each cell's share at its end
    top = np.asarray(npmle.get_ydata())[2::2]
    counts = np.bincount(lo.astype(int))
    np.testing.assert_allclose(top, np.cumsum(counts[counts > 0]) / 120)
    assert len(_by_gid(ax, "npmle_gap")) > 0
    for kind in ("qq", "pp"):
        assert len(_by_gid(th.plot.compare(fits, kind=kind).axes[0], kind)) == 2
    th.plot.diagnostics(fits[0])
    with pytest.raises(ValueError, match="density plot needs every value"):
        th.plot.compare(fits, kind="density")


def test_bad_input(comp):
    c, _ = comp
    with pytest.raises(ValueError, match="kind"):
        th.plot.compare(c, kind="violin")
    with pytest.raises(ValueError, match="at least one"):
        th.plot.compare([])
    with pytest.raises(ValueError, match="keeps no data"):
        th.plot.compare(th.fit(th.Gamma, th.Gamma().suff_stats(np.ones(3) + np.arange(3))))
