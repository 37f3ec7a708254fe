"""Decisions: P(B > A) against the exact Beta-Beta sum and simulation, expected
losses, differences and lifts, and the A/B figure."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from scipy import special as sc

import thetahat as th


def beta_beta_exact(a1: float, b1: float, a2: float, b2: float) -> float:
    """P(X2 > X1), X_i ~ Beta(a_i, b_i), integer a2 (Miller 2015, "Formulas for
    Bayesian A/B testing"): sum_{i<a2} B(a1 + i, b1 + b2) / ((b2 + i) B(1 + i, b2) B(a1, b1))."""
    i = np.arange(int(a2))
    terms = (sc.betaln(a1 + i, b1 + b2) - np.log(b2 + i) - sc.betaln(1 + i, b2)
             - sc.betaln(a1, b1))  # fmt: skip
    return float(np.exp(terms).sum())


@pytest.mark.parametrize(
    ("sa", "na", "sb", "nb"),
    [(12, 100, 19, 95), (120, 1000, 145, 1000), (0, 20, 2, 20), (3, 7, 3, 7), (40, 60, 10, 60)],
)
def test_prob_b_better_matches_the_exact_beta_beta_sum(sa, na, sb, nb) -> None:
    res = th.ab_test(sa, na, sb, nb, prior=th.Beta(1, 1))
    exact = beta_beta_exact(1 + sa, 1 + na - sa, 1 + sb, 1 + nb - sb)
    assert res.prob_b_better == pytest.approx(exact, abs=1e-9)
    assert res.prob_b_better_error < 1e-6


def test_vectorised_pairs_and_simulation() -> None:
    rng = np.random.default_rng(0)
    n = rng.integers(20, 500, 50)
    sa, sb = rng.binomial(n, 0.2), rng.binomial(n, 0.25)
    res = th.ab_test(sa, n, sb, n, prior=th.Beta(2, 3))
    a = rng.beta(2 + sa, 3 + n - sa, size=(200_000, 50))
    b = rng.beta(2 + sb, 3 + n - sb, size=(200_000, 50))
    assert np.allclose(res.prob_b_better, (b > a).mean(0), atol=0.005)
    assert np.allclose(res.expected_loss_b, np.maximum(a - b, 0).mean(0), atol=5e-4)
    assert np.allclose(res.expected_loss_a, np.maximum(b - a, 0).mean(0), atol=5e-4)


def test_gamma_poisson_closed_form_and_normal() -> None:
    res = th.ab_test(12, 100.0, 19, 95.0, prior=th.Gamma(1, 0.01))
    rng = np.random.default_rng(1)
    la, lb = rng.gamma(13, size=400_000) / 100.01, rng.gamma(20, size=400_000) / 95.01
    assert res.method == "closed form"
    assert res.prob_b_better == pytest.approx((lb > la).mean(), abs=0.003)
    assert res.expected_loss_b == pytest.approx(np.maximum(la - lb, 0).mean(), rel=0.02)
    nres = th.ab_test(1.0, 0.5, 1.8, 0.6, prior=th.Normal(0, 100))
    ma, sa = 1.0 / (1 + 0.25 / 1e4), np.sqrt(1 / (4 + 1e-4))
    mb, sb = 1.8 / (1 + 0.36 / 1e4), np.sqrt(1 / (1 / 0.36 + 1e-4))
    z = (mb - ma) / np.hypot(sa, sb)
    assert nres.prob_b_better == pytest.approx(float(sc.ndtr(z)), abs=1e-12)
    xa, xb = rng.normal(ma, sa, 400_000), rng.normal(mb, sb, 400_000)
    assert nres.expected_loss_b == pytest.approx(np.maximum(xa - xb, 0).mean(), rel=0.02)


def test_difference_and_lift_intervals() -> None:
    res = th.ab_test(120, 1000, 145, 1000)
    d, lift = res.diff_interval(), res.lift_interval()
    rng = np.random.default_rng(5)
    a, b = rng.beta(121, 881, 400_000), rng.beta(146, 856, 400_000)
    lo, hi = np.quantile(b - a, [0.025, 0.975])
    assert d["lower"] == pytest.approx(lo, abs=1e-3) and d["upper"] == pytest.approx(hi, abs=1e-3)
    lo, hi = np.quantile(b / a - 1, [0.025, 0.975])
    assert lift["lower"] == pytest.approx(lo, abs=0.01) and lift["upper"] == pytest.approx(
        hi, abs=0.01
    )
    assert max(d["mc_error"]) < 1e-3
    assert "P(B > A)" in res.summary()


def test_compare_posteriors_exact_and_monte_carlo() -> None:
    a = th.posterior(th.Bernoulli, [1, 0, 0, 1, 0], prior=th.Beta(1, 1))
    b = th.posterior(th.Bernoulli, [1, 1, 0, 1, 1], prior=th.Beta(1, 1))
    res = th.compare_posteriors(a, b)
    assert res.prob_b_better == pytest.approx(beta_beta_exact(3, 4, 5, 2), abs=1e-9)
    prior = {"shape": th.Gamma(2, 1), "rate": th.Gamma(2, 1)}
    qa = th.posterior(th.Gamma, [1.2, 0.7, 2.9, 1.4], prior=prior, method="quadrature")
    qb = th.posterior(th.Gamma, [2.2, 1.7, 3.9, 2.4], prior=prior, method="quadrature")
    mc = th.compare_posteriors(qa, qb, param="rate", draws=50_000)
    assert mc.method == "monte carlo" and 0 < mc.prob_b_better_error < 0.003
    assert mc.prob_b_better < 0.5  # larger values: a smaller rate
    with pytest.raises(ValueError, match="param="):
        th.compare_posteriors(qa, qb)


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="successes_a > trials_a"):
        th.ab_test(5, 3, 1, 3)
    with pytest.raises(ValueError, match=">= 0"):
        th.ab_test(-1, 3, 1, 3)
    with pytest.raises(TypeError, match="prior"):
        th.ab_test(1, 3, 1, 3, prior=th.Exponential(1.0))
    with pytest.raises(ValueError, match="standard errors"):
        th.ab_test(1.0, 0.0, 1.0, 1.0, prior=th.Normal(0, 1))


def test_plot_returns_figure_and_takes_ax() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    res = th.ab_test(120, 1000, 145, 1000)
    fig = res.plot()
    assert {ln.get_gid() for ln in fig.axes[0].lines} == {"arm_a", "arm_b"}
    plt.close(fig)
    fig2, ax = plt.subplots()
    assert th.plot.ab_test(res, ax=ax) is fig2
    plt.close(fig2)


def test_docstring_examples_run() -> None:
    import thetahat.decisions

    res = doctest.testmod(thetahat.decisions)
    assert res.failed == 0 and res.attempted >= 4
