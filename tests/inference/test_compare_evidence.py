"""``th.compare(..., prior=...)``: ranking by evidence with Bayes factors and model
probabilities, the evidences checked against closed forms and direct integration."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats

import thetahat as th


def test_evidence_columns_against_closed_form_and_dblquad() -> None:
    x = th.Gamma(shape=2.0, rate=1.0).sample(12, rng=1)
    pg = {"shape": th.Gamma(2, 1), "rate": th.Gamma(2, 1)}
    comp = th.compare([th.Exponential, th.Gamma], x, prior=[th.Gamma(1, 1), pg])
    assert comp.criterion == "evidence"
    rows = {r["family"]: r for r in comp.rows}
    exact = th.posterior(th.Exponential, x, prior=th.Gamma(1, 1)).log_evidence
    assert rows["Exponential"]["log_evidence"] == pytest.approx(exact, abs=1e-12)
    assert rows["Exponential"]["method"] == "conjugate"

    def joint(rate: float, shape: float) -> float:
        ll = stats.gamma(shape, scale=1 / rate).logpdf(x).sum()
        lp = stats.gamma(2, scale=1).logpdf(shape) + stats.gamma(2, scale=1).logpdf(rate)
        return float(np.exp(ll + lp - rows["Gamma"]["log_evidence"]))

    mass, _ = integrate.dblquad(joint, 0, 30, 0, 30, epsabs=1e-11, epsrel=1e-11)
    assert mass == pytest.approx(1.0, abs=1e-7)
    assert rows["Gamma"]["method"] == "quadrature"
    probs = np.array(comp.column("post_prob"))
    assert probs.sum() == pytest.approx(1.0)
    le = np.array(comp.column("log_evidence"))
    assert np.all(np.diff(le) <= 0)  # best first
    bf = np.array(comp.column("bayes_factor"))
    assert bf[0] == 1.0 and bf[1] == pytest.approx(np.exp(le[1] - le[0]))
    assert "post_prob" in comp.summary()


def test_model_prior_and_dict_keys() -> None:
    x = [2, 3, 0, 1, 4]
    comp = th.compare([th.Poisson, th.Geometric], x,
                      prior={th.Poisson: th.Gamma(2, 1), "Geometric": th.Beta(1, 1)},
                      model_prior=[0.9, 0.1])  # fmt: skip
    rows = {r["family"]: r for r in comp.rows}
    odds = rows["Poisson"]["post_prob"] / rows["Geometric"]["post_prob"]
    bf = np.exp(rows["Poisson"]["log_evidence"] - rows["Geometric"]["log_evidence"])
    assert odds == pytest.approx(9.0 * bf)


def test_evidence_bad_input() -> None:
    with pytest.raises(ValueError, match="no prior for"):
        th.compare([th.Poisson, th.Geometric], [1, 2], prior={th.Poisson: th.Gamma(1, 1)})
    with pytest.raises(ValueError, match="one each"):
        th.compare([th.Poisson, th.Geometric], [1, 2], prior=[th.Gamma(1, 1)])
    with pytest.raises(ValueError, match="needs prior"):
        th.compare([th.Poisson], [1, 2], criterion="evidence")
