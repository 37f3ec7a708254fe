"""The count models against statsmodels' discrete models, computed here (RandHIE data).

statsmodels' own fits are started where its defaults converge (BFGS, then Newton
from there) so that both sides sit at the optimum; the comparisons are then of
the coefficients, alpha, the observed-information standard errors and the
log-likelihood.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from statsmodels.discrete.count_model import (
    ZeroInflatedNegativeBinomialP,
    ZeroInflatedPoisson,
)
from statsmodels.discrete.truncated_model import TruncatedLFPoisson

import thetahat as th
from thetahat.regression import (
    GeometricRegression,
    NegativeBinomialRegression,
    PoissonRegression,
    TruncatedPoissonRegression,
    ZeroInflatedNegativeBinomialRegression,
    ZeroInflatedPoissonRegression,
)

N = 3000


@pytest.fixture(scope="module")
def randhie() -> tuple:
    d = sm.datasets.randhie.load_pandas()
    return d.exog.astype(float).iloc[:N], np.asarray(d.endog, dtype=float)[:N]


def _sm_fit(model):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = model.fit(method="bfgs", maxiter=5000, disp=0)
        return model.fit(start_params=r.params, method="newton", maxiter=100, disp=0)


def _compare(m, r, mapping: dict[str, str], numeric_hessian: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Coefficients, standard errors and log-likelihood against statsmodels' fit ``r``.

    ``numeric_hessian``: statsmodels' zero-inflated models' analytic Hessian is off by
    up to 0.6% in the standard errors (checked against a numerical Hessian of their
    own log-likelihood); compare with the numerical one there.
    """
    est = m.estimate_
    names = r.params.index if hasattr(r.params, "index") else r.model.exog_names
    keys = [mapping.get(k, k) for k in names]
    values = np.asarray(r.params)
    np.testing.assert_allclose([est.params[k] for k in keys], values, rtol=1e-6, atol=1e-8)
    se = np.asarray(r.bse)
    if numeric_hessian:
        from statsmodels.tools.numdiff import approx_hess

        H = approx_hess(values, r.model.loglike)
        se = np.sqrt(np.diag(np.linalg.inv(-H)))
    np.testing.assert_allclose([est.se[k] for k in keys], se, rtol=1e-5)
    np.testing.assert_allclose(est.loglik, r.llf, rtol=1e-10)
    assert est.status == "success"


@pytest.mark.parametrize("kind", ["nb2", "nb1"])
def test_negative_binomial(randhie: tuple, kind: str) -> None:
    X, y = randhie
    A = sm.add_constant(X, prepend=True)
    m = NegativeBinomialRegression(kind=kind).fit(X, y)
    r = _sm_fit(sm.NegativeBinomial(y, A, loglike_method=kind))
    _compare(m, r, {"const": "intercept"})
    assert m.alpha_ == m.estimate_.params["alpha"]
    np.testing.assert_allclose(m.predict(X), np.exp(A.values @ r.params.values[:-1]), rtol=1e-6)


def test_geometric(randhie: tuple) -> None:
    X, y = randhie
    A = sm.add_constant(X, prepend=True)
    m = GeometricRegression().fit(X, y)
    r = _sm_fit(sm.NegativeBinomial(y, A, loglike_method="geometric"))
    _compare(m, r, {"const": "intercept"})


def test_zero_inflated_poisson(randhie: tuple) -> None:
    X, y = randhie
    A = sm.add_constant(X, prepend=True)
    Z = X[["idp", "physlm"]]
    m = ZeroInflatedPoissonRegression().fit(X, y, inflation_X=Z)
    r = _sm_fit(ZeroInflatedPoisson(y, A, exog_infl=sm.add_constant(Z, prepend=True)))
    mapping = {"const": "intercept", "inflate_const": "inflate_intercept"}
    _compare(m, r, mapping, numeric_hessian=True)
    np.testing.assert_allclose(m.predict(X, inflation_X=Z), r.predict(), rtol=1e-6)
    # the same X for both parts by default
    m2 = ZeroInflatedPoissonRegression().fit(X[["idp", "physlm"]], y)
    AZ = sm.add_constant(Z, prepend=True)
    r2 = _sm_fit(ZeroInflatedPoisson(y, AZ, exog_infl=AZ))
    _compare(m2, r2, mapping, numeric_hessian=True)


def test_zero_inflated_negative_binomial() -> None:
    # simulated: RandHIE's counts show no zero inflation once NB2 allows overdispersion
    rng = np.random.default_rng(7)
    n = 2000
    X = rng.normal(size=(n, 2))
    mu = np.exp(1.2 + X @ [0.4, -0.3])
    counts = rng.negative_binomial(n=1.5, p=1.5 / (1.5 + mu))
    pi = 1.0 / (1.0 + np.exp(-(-1.0 + 0.8 * X[:, 0])))
    y = np.where(rng.uniform(size=n) < pi, 0, counts).astype(float)
    Z = X[:, :1]
    m = ZeroInflatedNegativeBinomialRegression().fit(X, y, inflation_X=Z)
    A = sm.add_constant(X, prepend=True)
    r = _sm_fit(ZeroInflatedNegativeBinomialP(y, A, exog_infl=sm.add_constant(Z), p=2))
    mapping = {
        "const": "intercept",
        "inflate_const": "inflate_intercept",
        "inflate_x1": "inflate_z0",
        "x1": "x0",
        "x2": "x1",
    }
    _compare(m, r, mapping, numeric_hessian=True)


def test_truncated_poisson(randhie: tuple) -> None:
    X, y = randhie
    keep = y > 0
    Xp, yp = X[keep], y[keep]
    m = TruncatedPoissonRegression().fit(Xp, yp)
    r = _sm_fit(TruncatedLFPoisson(yp, sm.add_constant(Xp, prepend=True)))
    _compare(m, r, {"const": "intercept"})
    with pytest.raises(ValueError, match="positive counts"):
        TruncatedPoissonRegression().fit(X, y)


def test_nb_map_is_the_posterior_mode(randhie: tuple) -> None:
    from statsmodels.tools.numdiff import approx_fprime

    X, y = randhie
    Xs = (X - X.mean()) / X.std()
    A = sm.add_constant(Xs, prepend=True).values
    tau = 0.05
    m = NegativeBinomialRegression(prior=th.Normal(0, tau)).fit(Xs, y)
    # (a fresh statsmodels model's loglike is off until it has been fitted once)
    model = _sm_fit(sm.NegativeBinomial(y, A)).model

    def logpost(theta: np.ndarray) -> float:  # (const, w, log alpha), prior on w
        par = np.r_[theta[:-1], np.exp(theta[-1])]
        return float(model.loglike(par)) - 0.5 * float(theta[1:-1] @ theta[1:-1]) / tau**2

    at = np.r_[m.intercept_, m.coef_, np.log(m.alpha_)]
    grad = approx_fprime(at, logpost, centered=True)
    assert np.abs(grad).max() < 1e-4
    # and the prior moved it: the MLE's gradient of the log posterior is not 0 there
    mle = NegativeBinomialRegression().fit(Xs, y)
    at_mle = np.r_[mle.intercept_, mle.coef_, np.log(mle.alpha_)]
    assert np.abs(approx_fprime(at_mle, logpost, centered=True)).max() > 1.0
    assert m.posterior_.names[-1] == "log_alpha"
    assert m.estimate_.method == "map"


def test_alpha_at_zero_is_a_boundary() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 2))
    y = rng.poisson(np.exp(0.5 + X @ [0.3, -0.2])).astype(float)  # no overdispersion
    with pytest.warns(th.BoundaryWarning, match="alpha"):
        m = NegativeBinomialRegression().fit(X, y)
    assert m.estimate_.status == "boundary"
    assert m.alpha_ == 0.0 and np.isinf(m.estimate_.se["alpha"])
    p = PoissonRegression().fit(X, y)  # the alpha -> 0 limit is the Poisson fit
    np.testing.assert_allclose(m.coef_, p.coef_, rtol=1e-8)
    np.testing.assert_allclose(m.estimate_.loglik, p.estimate_.loglik, rtol=1e-12)


def test_no_zero_inflation_is_a_boundary() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(2000, 1))
    y = rng.poisson(np.exp(2.5 + 0.2 * X[:, 0])).astype(float)  # hardly any zeros
    with pytest.warns(th.BoundaryWarning, match="inflate_intercept"):
        m = ZeroInflatedPoissonRegression().fit(X, y, inflation_X=np.ones((2000, 0)))
    assert m.estimate_.status == "boundary"


def test_diverging_inflation_coefficient_is_named() -> None:
    rng = np.random.default_rng(2)
    n = 3000
    X = rng.normal(size=(n, 1))
    group = (rng.uniform(size=n) < 0.2).astype(float)
    y = rng.poisson(np.exp(1.0 + 0.3 * X[:, 0])) * (rng.uniform(size=n) > 0.3)
    y = np.where(group == 1, rng.poisson(3.0, size=n) + 1, y).astype(float)  # no zeros there
    with pytest.warns(th.BoundaryWarning, match="inflate_z0"):
        m = ZeroInflatedPoissonRegression().fit(X, y, inflation_X=group[:, None])
    assert m.estimate_.status == "boundary"
    assert np.isinf(m.estimate_.se["inflate_z0"])


def test_count_model_errors() -> None:
    X = np.ones((10, 1))
    with pytest.raises(ValueError, match="counts >= 0"):
        NegativeBinomialRegression().fit(X, np.r_[np.ones(9), -1.0])
    with pytest.raises(ValueError, match="kind"):
        NegativeBinomialRegression(kind="nb3").fit(X, np.ones(10))
    with pytest.raises(ValueError, match="inflation_X"):
        NegativeBinomialRegression().fit(X, np.ones(10), inflation_X=X)
    with pytest.raises(ValueError, match="inflation_X"):
        ZeroInflatedPoissonRegression().fit(X, np.ones(10), inflation_X=np.ones((3, 1)))


def test_zero_count_group_in_negative_binomial_is_named() -> None:
    rng = np.random.default_rng(3)
    n = 1500
    g = (rng.uniform(size=n) < 0.2).astype(float)
    x = rng.normal(size=n)
    y = rng.negative_binomial(2.0, 2.0 / (2.0 + np.exp(1.0 + 0.3 * x))).astype(float)
    y[g == 1] = 0.0  # a group with only zero counts: its coefficient runs to -inf
    with pytest.warns(th.BoundaryWarning, match="x1"):
        m = NegativeBinomialRegression().fit(np.column_stack([x, g]), y)
    assert m.estimate_.status == "boundary"
