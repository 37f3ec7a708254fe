"""Separation and its Poisson analogue: found from the iterates, confirmed by a small LP.

No linear programme runs on an ordinary fit, nor on any fit with a proper prior; a
diverging MLE ends as a "boundary" result whose warning names the coefficients, and a
fit that did not converge is never "success".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.optimize
import statsmodels.api as sm

import thetahat as th
from thetahat.regression import LogisticRegression, PoissonRegression


@pytest.fixture
def lp_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """scipy.optimize.linprog calls made by thetahat: the number of LP variables of each."""
    calls: list[int] = []
    real = scipy.optimize.linprog

    def counting(c, A_ub=None, **kw):  # type: ignore[no-untyped-def]
        calls.append(0 if A_ub is None else int(np.shape(A_ub)[1]))
        return real(c, A_ub=A_ub, **kw)

    monkeypatch.setattr(scipy.optimize, "linprog", counting)
    return calls


def _logit_data(n: int, d: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    eta = X @ rng.normal(scale=0.3, size=d)
    return X, (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)


def test_no_lp_on_ordinary_fits_and_under_a_prior(lp_calls: list[int]) -> None:
    X, y = _logit_data(30_000, 10)
    LogisticRegression().fit(X, y)
    LogisticRegression(prior=th.Normal(0, 1)).fit(X, y)
    LogisticRegression(prior=th.Laplace(0, 1)).fit(X, y)
    PoissonRegression().fit(X, y)
    PoissonRegression(prior=th.Normal(0, 1)).fit(X, y)
    assert lp_calls == []


def test_separated_map_warns_without_an_lp(lp_calls: list[int]) -> None:
    rng = np.random.default_rng(0)
    n = 20_000
    g = (rng.uniform(size=n) < 0.1).astype(float)
    x = rng.normal(size=n)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-x))).astype(float)
    y[g == 1] = 1.0
    X = pd.DataFrame({"x": x, "g": g})
    with pytest.warns(th.BoundaryWarning, match="along g, so.*finite only because of the prior"):
        m = LogisticRegression(prior=th.Normal(0, 1)).fit(X, y)
    assert m.estimate_.status == "success"
    assert lp_calls == []


def test_separated_mle_is_a_boundary_and_the_lp_is_small(lp_calls: list[int]) -> None:
    rng = np.random.default_rng(2)
    n = 5000
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "c": rng.normal(size=n)})
    y = (X["a"] > 0.3).astype(float).to_numpy()
    with pytest.warns(th.BoundaryWarning, match=r"along a, intercept, so the MLE does not exist"):
        m = LogisticRegression().fit(X, y)
    est = m.estimate_
    assert est.status == "boundary" and not est.converged
    assert np.isinf(est.se["a"])
    assert m.n_iter_ <= 30
    # one LP over the moving coefficients (a and the intercept), one for the sparsest direction
    assert lp_calls == [2, 4]
    # the reported direction separates: every row is on its side of a's threshold
    s = 2 * y - 1
    cut = -m.intercept_ / m.coef_[0]
    assert np.all(s * (X["a"].to_numpy() - cut) > 0)


def test_poisson_all_zero_counts_is_a_boundary_naming_the_intercept() -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 2))
    with pytest.warns(th.BoundaryWarning, match=r"along intercept .*does not exist"):
        m = PoissonRegression().fit(X, np.zeros(40))
    assert m.estimate_.status == "boundary" and not m.estimate_.converged
    # the prior does not hold the (unshrunk) intercept either
    with pytest.warns(th.BoundaryWarning, match="intercept"):
        mp = PoissonRegression(prior=th.Normal(0, 1)).fit(X, np.zeros(40))
    assert mp.estimate_.status == "boundary"
    # ... but shrinking the intercept does: a finite MAP
    ms = PoissonRegression(prior=th.Normal(0, 1), shrink_intercept=True).fit(X, np.zeros(40))
    assert ms.estimate_.status == "success"
    assert np.isfinite(ms.intercept_)


def test_poisson_zero_count_group() -> None:
    rng = np.random.default_rng(4)
    n = 300
    g = (rng.uniform(size=n) < 0.2).astype(float)
    x = rng.normal(size=n)
    y = rng.poisson(np.exp(0.5 + 0.3 * x)).astype(float)
    y[g == 1] = 0.0
    X = pd.DataFrame({"x": x, "g": g})
    with pytest.warns(th.BoundaryWarning, match=r"along g \(fitted means.*MLE does not exist"):
        m = PoissonRegression().fit(X, y)
    assert m.estimate_.status == "boundary"
    assert m.coef_[1] < -10  # diverging to -inf
    # the other coefficients are those of the fit without the empty group's rows
    keep = g == 0
    ref = sm.GLM(y[keep], sm.add_constant(x[keep]), family=sm.families.Poisson()).fit(tol=1e-12)
    np.testing.assert_allclose([m.intercept_, m.coef_[0]], ref.params, rtol=1e-4)
    # under a prior the MAP is finite, and the warning says why
    with pytest.warns(th.BoundaryWarning, match="along g .*finite only because of the prior"):
        mp = PoissonRegression(prior=th.Normal(0, 2)).fit(X, y)
    assert mp.estimate_.status == "success" and np.isfinite(mp.coef_[1])


@pytest.mark.parametrize("model", [LogisticRegression, PoissonRegression])
def test_not_converged_is_never_success(model) -> None:  # type: ignore[no-untyped-def]
    X, y = _logit_data(500, 3)
    with pytest.warns(th.ConvergenceWarning):
        m = model(max_iter=1).fit(X, y)
    assert m.estimate_.status == "failed" and not m.estimate_.converged
