"""Pareto MAP with the minimum free: the mode respects xm <= min(x)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import thetahat as th


def _data(n: int = 20, seed: int = 3) -> np.ndarray:
    return 1.0 + np.random.default_rng(seed).pareto(2.0, n)


def _log_post(x: np.ndarray, a: np.ndarray, xm: np.ndarray, priors: dict) -> np.ndarray:
    """Log posterior on a grid, written with scipy.stats (independent of thetahat)."""
    n, slog = x.shape[0], float(np.sum(np.log(x)))
    ll = n * np.log(a) + n * a * np.log(xm) - (a + 1.0) * slog
    ll = np.where(xm <= x.min(), ll, -np.inf)
    out = ll + priors["alpha"].logpdf(a)
    if "xm" in priors:
        out = out + priors["xm"].logpdf(xm)
    return out


def _grid_mode(x: np.ndarray, priors: dict) -> tuple[float, float, float]:
    """Brute-force maximisation: a coarse grid, then two finer grids around its best."""
    m = float(x.min())
    a_lo, a_hi, x_lo, x_hi = 1e-3, 10.0, 1e-3 * m, m
    for _ in range(4):
        a = np.linspace(a_lo, a_hi, 401)
        xm = np.linspace(x_lo, x_hi, 401)
        aa, xx = np.meshgrid(a, xm, indexing="ij")
        lp = _log_post(x, aa, xx, priors)
        i, j = np.unravel_index(int(np.argmax(lp)), lp.shape)
        da, dx = (a_hi - a_lo) / 20, (x_hi - x_lo) / 20
        best = (float(a[i]), float(xm[j]), float(lp[i, j]))
        a_lo, a_hi = max(best[0] - da, 1e-6), best[0] + da
        x_lo, x_hi = max(best[1] - dx, 1e-9), min(best[1] + dx, m)
    return best


PRIORS = [
    # flat in xm: the log posterior increases up to min(x), the mode is there
    ({"alpha": th.Gamma(2.0, 1.0)}, {"alpha": stats.gamma(2.0, scale=1.0)}),
    # a prior on xm that pulls it well below min(x): an interior mode
    (
        {"alpha": th.Gamma(2.0, 1.0), "xm": th.Gamma(2.0, 50.0)},
        {"alpha": stats.gamma(2.0, scale=1.0), "xm": stats.gamma(2.0, scale=1 / 50.0)},
    ),
    # a weak prior on xm: the mode stays at the bound
    (
        {"alpha": th.LogNormal(0.5, 1.0), "xm": th.Gamma(2.0, 2.0)},
        {"alpha": stats.lognorm(1.0, scale=np.exp(0.5)), "xm": stats.gamma(2.0, scale=0.5)},
    ),
]


@pytest.mark.parametrize(("prior", "sp"), PRIORS)
def test_pareto_map_matches_grid_maximum(prior: dict, sp: dict) -> None:
    x = _data()
    est = th.fit(th.Pareto, x, prior=prior)
    assert est.status == "success" and est.converged
    a_g, xm_g, lp_g = _grid_mode(x, sp)
    a, xm = est.params["alpha"], est.params["xm"]
    assert xm <= x.min()
    lp = float(_log_post(x, np.array(a), np.array(xm), sp))
    assert lp >= lp_g - 1e-9  # at least as high as the best grid point
    assert a == pytest.approx(a_g, rel=2e-3)
    assert xm == pytest.approx(xm_g, rel=2e-3)
    assert est.logpost == pytest.approx(lp, abs=1e-8)
    assert np.all(np.isfinite(est.cov)) and np.all(np.diag(est.cov) > 0)


def test_pareto_map_interior_and_bound_cases_differ() -> None:
    x = _data()
    at_bound = th.fit(th.Pareto, x, prior=PRIORS[0][0])
    inside = th.fit(th.Pareto, x, prior=PRIORS[1][0])
    assert at_bound.params["xm"] == x.min()
    assert inside.params["xm"] < 0.9 * x.min()


@pytest.mark.parametrize("flat", [th.Flat(), {"alpha": th.Flat(), "xm": th.Flat()}])
def test_pareto_map_with_flat_is_the_mle(flat: object) -> None:
    x = _data(50, seed=11)
    mle = th.fit(th.Pareto, x)
    m = th.fit(th.Pareto, x, prior=flat)
    assert m.params["xm"] == mle.params["xm"] == x.min()
    assert m.params["alpha"] == pytest.approx(mle.params["alpha"], rel=1e-12)
    assert m.loglik == pytest.approx(mle.loglik, rel=1e-12)


def test_pareto_map_profile_interval_one_sided_at_bound() -> None:
    x = _data()
    est = th.fit(th.Pareto, x, prior=PRIORS[0][0])
    lo, hi = est.conf_int(kind="profile")["xm"]
    assert lo < est.params["xm"] and hi == pytest.approx(x.min())
    a_lo, a_hi = est.conf_int(kind="profile")["alpha"]
    assert a_lo < est.params["alpha"] < a_hi


def test_pareto_laplace_posterior_refuses_a_mode_at_the_data_bound() -> None:
    x = _data()
    with pytest.raises(ValueError, match=r"xm = .* at its bound from the data"):
        th.posterior(th.Pareto, x, prior={"alpha": th.Gamma(2.0, 1.0), "xm": th.Gamma(2.0, 2.0)},
                     method="laplace")  # fmt: skip
    # an interior mode: the Laplace posterior is centred on the MAP
    prior = PRIORS[1][0]
    post = th.posterior(th.Pareto, x, prior=prior, method="laplace")
    est = th.fit(th.Pareto, x, prior=prior)
    assert post.mode()["xm"] == pytest.approx(est.params["xm"], rel=1e-8)


def test_pareto_map_at_bound_unconstrained_has_finite_se() -> None:
    x = 1 + np.random.default_rng(3).pareto(2.0, 20)
    prior = {"alpha": th.Gamma(2.0, 1.0)}
    nat = th.fit(th.Pareto(), x, prior=prior)
    unc = th.fit(th.Pareto(), x, prior=prior, parametrization="unconstrained")
    assert unc.params["xm"] == pytest.approx(x.min(), rel=1e-12)
    assert np.isfinite(list(unc.se.values())).all()
    # at the bound the xm se is the sampling sd of the minimum in both coordinates:
    # the minimum of n Pareto(alpha, xm) values is Pareto(n alpha, xm)
    for est in (nat, unc):
        a = x.shape[0] * est.params["alpha"]
        want = stats.pareto(a, scale=est.params["xm"]).std()
        assert est.se["xm"] == pytest.approx(want, rel=1e-9)
