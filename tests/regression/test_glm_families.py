"""GLMRegression against statsmodels' GLM, computed here, on statsmodels' bundled datasets.

Each family x link pair is fitted by both; statsmodels by its IRLS to a tight
tolerance (its standard errors: the Fisher information scaled by the Pearson
dispersion, as R's ``glm`` reports them; IRLS stops on the deviance, so its
coefficients for a non-canonical link agree to about 1e-7, not to the last
digit). The log-likelihood is checked at the maximum-likelihood dispersion,
found here by maximising statsmodels' own ``family.loglike`` over the scale.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import optimize
from scipy import special as sc

import thetahat as th
from thetahat.regression import (
    GLMRegression,
    LinearRegression,
    LogisticRegression,
    PoissonRegression,
)

L = sm.families.links

FAMILIES = {
    "gaussian": sm.families.Gaussian,
    "poisson": sm.families.Poisson,
    "binomial": sm.families.Binomial,
    "gamma": sm.families.Gamma,
    "inverse_gaussian": sm.families.InverseGaussian,
}
LINKS = {
    "identity": L.Identity,
    "log": L.Log,
    "logit": L.Logit,
    "probit": L.Probit,
    "cloglog": L.CLogLog,
    "inverse": L.InversePower,
    "inverse_squared": L.InverseSquared,
}


def _data(name: str) -> tuple:
    d = getattr(sm.datasets, name).load_pandas()
    X = d.exog.astype(float)
    y = np.asarray(d.endog, dtype=float)
    return X, y


CASES = [
    ("scotland", "gaussian", "identity"),
    ("scotland", "gaussian", "log"),
    ("scotland", "gaussian", "inverse"),
    ("scotland", "gamma", "inverse"),
    ("scotland", "gamma", "log"),
    ("scotland", "gamma", "identity"),
    ("scotland", "inverse_gaussian", "inverse_squared"),
    ("scotland", "inverse_gaussian", "inverse"),
    ("scotland", "inverse_gaussian", "log"),
    ("cancer", "gaussian", "identity"),
    ("cancer", "poisson", "log"),
    ("cpunish", "poisson", "log"),
    ("cpunish", "gaussian", "log"),
    ("randhie", "poisson", "log"),
    ("spector", "binomial", "logit"),
    ("spector", "binomial", "probit"),
    ("spector", "binomial", "cloglog"),
    ("star98", "binomial", "logit"),
    ("star98", "binomial", "probit"),
    ("star98", "binomial", "cloglog"),
    ("star98", "binomial", "log"),
]


def _ml_scale(family, y, mu, w) -> float:  # type: ignore[no-untyped-def]
    res = optimize.minimize_scalar(
        lambda ls: -family.loglike(y, mu, freq_weights=w, scale=np.exp(ls)),
        bracket=(-8.0, 2.0),
        tol=1e-12,
    )
    return float(np.exp(res.x))


@pytest.mark.parametrize(("dataset", "family", "link"), CASES)
def test_glm_matches_statsmodels(dataset: str, family: str, link: str) -> None:
    X, y = _data(dataset)
    w = None
    endog = y
    if dataset == "star98":  # successes and failures: a proportion of trials
        w = y[:, 0] + y[:, 1]
        y = y[:, 0] / w
    sm_fam = FAMILIES[family](LINKS[link]())
    A = sm.add_constant(X, prepend=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = sm.GLM(endog, A, family=sm_fam).fit(tol=1e-14, maxiter=500)
    m = GLMRegression(family=family, link=link).fit(X, y, sample_weight=w)
    est = m.estimate_
    assert est.status == "success"
    names = ["intercept", *X.columns]
    ours = np.array([est.params[k] for k in names])
    se = np.array([est.se[k] for k in names])
    np.testing.assert_allclose(ours, r.params.values, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(se, r.bse.values, rtol=1e-5)
    np.testing.assert_allclose(m.scale_, r.scale, rtol=1e-6)
    mu = m.predict(X)
    if family in ("poisson", "binomial"):
        ll = r.llf
        if dataset == "star98":  # statsmodels counts the binomial coefficients; we do not
            ll -= float(
                np.sum(
                    sc.gammaln(w + 1) - sc.gammaln(endog[:, 0] + 1) - sc.gammaln(endog[:, 1] + 1)
                )
            )
        np.testing.assert_allclose(est.loglik, ll, rtol=1e-8)
    else:
        phi = _ml_scale(sm_fam, y, mu, np.ones_like(y))
        np.testing.assert_allclose(est.details["scale_ml"], phi, rtol=1e-5)
        np.testing.assert_allclose(est.loglik, sm_fam.loglike(y, mu, scale=phi), rtol=1e-9)
        assert est.df_model == len(names) + 1  # the dispersion is a parameter in AIC/BIC
    np.testing.assert_allclose(est.details["deviance"], r.deviance, rtol=1e-7)
    np.testing.assert_allclose(est.details["pearson_chi2"], r.pearson_chi2, rtol=1e-7)
    canonical = {
        "gaussian": "identity",
        "poisson": "log",
        "binomial": "logit",
        "gamma": "inverse",
        "inverse_gaussian": "inverse_squared",
    }[family]
    solver = "Newton (IRLS)" if link == canonical else "Fisher scoring (IRLS)"
    assert est.details["solver"] == solver


def test_tweedie_matches_statsmodels_and_its_density_sums_to_one() -> None:
    X, y = _data("randhie")
    X, y = X.iloc[:3000], y[:3000]
    A = sm.add_constant(X, prepend=True)
    fam = sm.families.Tweedie(var_power=1.5, link=L.Log())
    r = sm.GLM(y, A, family=fam).fit(tol=1e-13, maxiter=300)
    m = GLMRegression(family="tweedie", power=1.5).fit(X, y)
    names = ["intercept", *X.columns]
    np.testing.assert_allclose([m.estimate_.params[k] for k in names], r.params.values, rtol=1e-6)
    np.testing.assert_allclose([m.estimate_.se[k] for k in names], r.bse.values, rtol=1e-5)
    np.testing.assert_allclose(m.scale_, r.scale, rtol=1e-6)
    # the series density: P(0) plus the integral over y > 0 is 1 (quadrature)
    from scipy import integrate

    from thetahat.regression._families import tweedie_logpdf

    def density(t: float, mu: float, phi: float) -> float:
        return float(np.exp(tweedie_logpdf(np.array([t]), np.array([mu]), phi, 1.5))[0])

    for mu, phi in [(0.7, 1.3), (3.0, 0.4), (12.0, 2.0)]:
        p0 = density(0.0, mu, phi)
        total, _ = integrate.quad(density, 0, np.inf, args=(mu, phi), limit=400)
        assert abs(p0 + total - 1.0) < 1e-7
        mean, _ = integrate.quad(
            lambda t, m, f: t * density(t, m, f), 0, np.inf, args=(mu, phi), limit=400
        )
        assert abs(mean - mu) < 1e-6 * mu


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_canonical_families_equal_the_specialised_estimators(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, d = 400, 4
    X = rng.normal(size=(n, d))
    beta = rng.normal(size=d) / 2
    sw = rng.integers(1, 4, size=n).astype(float)
    for prior in [None, th.Normal(0, 0.5), th.Laplace(0, 0.3)]:
        yb = (rng.uniform(size=n) < sc.expit(X @ beta)).astype(float)
        a = LogisticRegression(prior=prior).fit(X, yb, sample_weight=sw)
        b = GLMRegression(family="binomial", prior=prior).fit(X, yb, sample_weight=sw)
        np.testing.assert_allclose(b.coef_, a.coef_, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(b.estimate_.cov, a.estimate_.cov, rtol=1e-6, atol=1e-12)
        np.testing.assert_allclose(b.estimate_.loglik, a.estimate_.loglik, rtol=1e-10)
        yp = rng.poisson(np.exp(X @ beta * 0.5)).astype(float)
        off = rng.normal(size=n) * 0.1
        a2 = PoissonRegression(prior=prior).fit(X, yp, sample_weight=sw, offset=off)
        b2 = GLMRegression(family="poisson", prior=prior).fit(X, yp, sample_weight=sw, offset=off)
        np.testing.assert_allclose(b2.coef_, a2.coef_, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(b2.estimate_.cov, a2.estimate_.cov, rtol=1e-6, atol=1e-12)
        np.testing.assert_allclose(b2.estimate_.loglik, a2.estimate_.loglik, rtol=1e-10)
    # Gaussian with the identity link is OLS, with its classical s^2 and standard errors
    yg = X @ beta + rng.normal(size=n)
    ols = LinearRegression().fit(X, yg, sample_weight=sw)
    g = GLMRegression().fit(X, yg, sample_weight=sw)
    np.testing.assert_allclose(g.coef_, ols.coef_, rtol=1e-9)
    np.testing.assert_allclose(g.estimate_.cov, ols.estimate_.cov, rtol=1e-7)
    np.testing.assert_allclose(g.estimate_.loglik, ols.estimate_.loglik, rtol=1e-10)


def test_probit_and_cloglog_logistic_regression() -> None:
    X, y = _data("spector")
    for link, sl in [("probit", L.Probit()), ("cloglog", L.CLogLog())]:
        m = LogisticRegression(link=link).fit(X, y)
        r = sm.GLM(y, sm.add_constant(X, prepend=True), family=sm.families.Binomial(sl)).fit(
            tol=1e-14, maxiter=300
        )
        np.testing.assert_allclose(
            np.r_[m.intercept_, m.coef_], r.params.values, rtol=1e-6, atol=1e-8
        )
        np.testing.assert_allclose(m.predict_proba(X)[:, 1], r.fittedvalues, rtol=1e-6)
        np.testing.assert_allclose(m.predict_proba(X).sum(axis=1), 1.0)
        np.testing.assert_allclose(
            m.predict_log_proba(X), np.log(m.predict_proba(X)), rtol=1e-10, atol=1e-12
        )
    with pytest.raises(ValueError, match="link"):
        LogisticRegression(link="log").fit(X, y)


def test_map_with_dispersion_and_laplace_posterior() -> None:
    X, y = _data("scotland")
    Xs = (X - X.mean()) / X.std()
    m = GLMRegression(family="gamma", link="log", prior=th.Normal(0, 0.1)).fit(Xs, y)
    # the MAP at the final dispersion: the penalised score vanishes
    A = np.column_stack([Xs.values, np.ones(len(y))])
    theta = np.r_[m.coef_, m.intercept_]
    mu = np.exp(A @ theta)
    grad = A.T @ ((y - mu) / mu) / m.scale_ - np.r_[m.coef_ / 0.01, 0.0]
    assert np.abs(grad).max() < 1e-6 * np.abs(A.T @ (y / mu)).max()
    # the dispersion is Pearson's at that MAP
    np.testing.assert_allclose(
        m.scale_, np.sum(((y - mu) / mu) ** 2) / (len(y) - A.shape[1]), rtol=1e-8
    )
    post = m.posterior_
    assert not post.exact
    np.testing.assert_allclose(
        [post.std()[k] for k in post.names], [m.estimate_.se[k] for k in post.names]
    )


def test_bad_input_errors() -> None:
    X = np.random.default_rng(0).normal(size=(20, 2))
    with pytest.raises(ValueError, match="link is not available for the gamma family"):
        GLMRegression(family="gamma", link="logit").fit(X, np.ones(20))
    with pytest.raises(ValueError, match="family must be one of"):
        GLMRegression(family="weibull").fit(X, np.ones(20))
    with pytest.raises(ValueError, match="power"):
        GLMRegression(family="tweedie").fit(X, np.ones(20))
    with pytest.raises(ValueError, match="power"):
        GLMRegression(family="tweedie", power=2.5).fit(X, np.ones(20))
    with pytest.raises(ValueError, match=r"y\[3\]"):
        y = np.ones(20)
        y[3] = -1.0
        GLMRegression(family="gamma").fit(X, y)
    with pytest.raises(ValueError, match="exposure"):
        GLMRegression(family="gamma", link="inverse").fit(X, np.ones(20), exposure=np.ones(20))
    with pytest.raises(ValueError, match="scale"):
        GLMRegression(scale="moments").fit(X, np.ones(20))


def test_scale_ml_and_fixed() -> None:
    X, y = _data("scotland")
    a = GLMRegression(family="gamma", scale="ml").fit(X, y)
    b = GLMRegression(family="gamma").fit(X, y)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-10)
    np.testing.assert_allclose(a.scale_, b.estimate_.details["scale_ml"], rtol=1e-12)
    ratio = np.sqrt(a.scale_ / b.scale_)
    np.testing.assert_allclose(a.estimate_.se["AGE"], b.estimate_.se["AGE"] * ratio, rtol=1e-8)
    c = GLMRegression(family="gamma", scale=0.01).fit(X, y)
    assert c.scale_ == 0.01


def test_poisson_glm_zero_group_is_a_boundary() -> None:
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=60), np.r_[np.ones(10), np.zeros(50)]])
    y = rng.poisson(2.0, size=60).astype(float)
    y[:10] = 0.0
    with pytest.warns(th.BoundaryWarning, match="x1"):
        m = GLMRegression(family="poisson").fit(X, y)
    assert m.estimate_.status == "boundary"


@pytest.mark.parametrize("link", ["probit", "cloglog"])
def test_separation_with_other_binary_links(link: str) -> None:
    x = np.r_[np.linspace(-2, -0.1, 20), np.linspace(0.1, 2, 20)]
    y = (x > 0).astype(float)
    with pytest.warns(th.BoundaryWarning, match="separated"):
        m = LogisticRegression(link=link).fit(x[:, None], y)
    assert m.estimate_.status == "boundary"
