"""Plot content checked through the returned Figure, against the library and scipy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import thetahat as th
from thetahat import datasets, plot


def by_gid(fig, gid: str):
    return [a for ax in fig.axes for a in ax.get_children() if a.get_gid() == gid]


def line(fig, gid: str):
    (found,) = [ln for ax in fig.axes for ln in ax.lines if ln.get_gid() == gid]
    return np.asarray(found.get_xdata(), float), np.asarray(found.get_ydata(), float)


def test_posterior_three_heads(tmp_path: Path) -> None:
    fig = plot.posterior(th.Bernoulli, [1, 1, 1], th.Beta(2, 2))
    fig.savefig(tmp_path / "p.png")
    assert (tmp_path / "p.png").stat().st_size > 1000
    assert line(fig, "mle")[0][0] == pytest.approx(1.0)
    assert line(fig, "map")[0][0] == pytest.approx(0.8)
    assert line(fig, "mean")[0][0] == pytest.approx(5 / 7)
    for gid, ref in (("prior", stats.beta(2, 2)), ("posterior", stats.beta(5, 2))):
        x, y = line(fig, gid)
        np.testing.assert_allclose(y, ref.pdf(x), rtol=1e-10)
        assert np.trapezoid(y, x) == pytest.approx(1.0, abs=2e-3)
    x, like = line(fig, "likelihood")
    assert like.max() == pytest.approx(line(fig, "posterior")[1].max())
    np.testing.assert_allclose(like / like.max(), x**3 / x.max() ** 3, rtol=1e-8)
    assert by_gid(fig, "interval")


def test_posterior_non_conjugate_grid_matches_quadrature() -> None:
    c = np.asarray(datasets.load("toxocara")["number"], dtype=float)
    fig = plot.posterior(th.Poisson, c, th.Exponential(0.1))
    x, y = line(fig, "posterior")
    assert np.trapezoid(y, x) == pytest.approx(1.0, abs=1e-6)
    # unnormalised posterior of a Poisson rate with an Exponential(0.1) prior is
    # Gamma(sum + 1, n + 0.1): compare the grid density with scipy
    ref = stats.gamma(c.sum() + 1, scale=1 / (c.size + 0.1))
    band = y > 1e-3 * y.max()
    np.testing.assert_allclose(y[band], ref.pdf(x[band]), rtol=1e-3)
    est = th.fit(th.Poisson, c, prior=th.Exponential(0.1))
    assert line(fig, "map")[0][0] == pytest.approx(est.params["rate"])
    assert line(fig, "mle")[0][0] == pytest.approx(c.mean())


def test_convergence_lines_are_the_fits() -> None:
    ns = [1, 5, 20, 100, 500]
    fig = plot.convergence(th.Bernoulli(0.7), th.Beta(2, 2), ns=ns, rng=3)
    x = th.Bernoulli(0.7).sample(500, np.random.default_rng(3))
    n_axis, mle = line(fig, "mle")
    _, mapv = line(fig, "map")
    assert n_axis.tolist() == ns
    for i, n in enumerate(ns):
        k = x[:n].sum()
        assert mle[i] == pytest.approx(k / n)
        assert mapv[i] == pytest.approx((k + 1) / (n + 2))
    assert line(fig, "truth")[1][0] == pytest.approx(0.7)


def test_fit_plot_density_histogram_and_qq() -> None:
    g = np.asarray(datasets.load("groundbeef")["serving"], dtype=float)
    est = th.fit(th.Gamma, g)
    fig = plot.fit(est, g)
    x, y = line(fig, "density")
    ref = stats.gamma(est.params["shape"], scale=1 / est.params["rate"])
    np.testing.assert_allclose(y, ref.pdf(x), rtol=1e-9)
    bars = by_gid(fig, "data")
    area = sum(b.get_height() * b.get_width() for b in bars)
    assert area == pytest.approx(1.0)
    qx, qy = line(fig, "qq")
    np.testing.assert_allclose(qy, np.sort(g))
    np.testing.assert_allclose(qx, ref.ppf((np.arange(1, g.size + 1) - 0.5) / g.size), rtol=1e-6)


def test_fit_plot_discrete_pmf() -> None:
    c = np.asarray(datasets.load("toxocara")["number"], dtype=float)
    fig = plot.fit(th.fit(th.Poisson, c), c)
    x, y = line(fig, "density")
    np.testing.assert_allclose(y, stats.poisson(c.mean()).pmf(x), rtol=1e-9)
    assert sum(b.get_height() for b in by_gid(fig, "data")) == pytest.approx(1.0)


def test_profile_normal_mean_closed_form() -> None:
    g = np.asarray(datasets.load("groundbeef")["serving"], dtype=float)
    est = th.fit(th.Normal, g)
    fig = plot.profile(est, g, "mu")
    n, xbar, s2 = g.size, g.mean(), g.var()
    x, pl = line(fig, "profile")
    # profile loglik of mu: -n/2 log(2 pi s2(mu)) - n/2 with s2(mu) = s2 + (mu - xbar)^2
    ref = -0.5 * n * np.log(2 * np.pi * (s2 + (x - xbar) ** 2)) - 0.5 * n
    np.testing.assert_allclose(pl, ref, rtol=1e-9)
    half = np.sqrt(s2 * (np.exp(stats.chi2.ppf(0.95, 1) / n) - 1))
    (span,) = by_gid(fig, "interval")
    lo, hi = span.get_x(), span.get_x() + span.get_width()
    assert lo == pytest.approx(xbar - half, rel=1e-4)
    assert hi == pytest.approx(xbar + half, rel=1e-4)
    assert line(fig, "estimate")[0][0] == pytest.approx(xbar)


def test_plot_errors() -> None:
    with pytest.raises(ValueError, match="one parameter"):
        plot.posterior(th.Normal, [1.0, 2.0], {"mu": th.Normal(0, 1), "sigma": th.Gamma(2, 1)})
    with pytest.raises(ValueError, match="every parameter given"):
        plot.convergence(th.Bernoulli(), th.Beta(2, 2))
