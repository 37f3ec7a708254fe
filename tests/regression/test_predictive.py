"""Issue 17 item 4: predict_interval and predictive, against statsmodels and by simulation."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import special as sc
from threadpoolctl import threadpool_limits

import thetahat as th
from thetahat.regression import (
    GLMRegression,
    LinearRegression,
    LogisticRegression,
    NegativeBinomialRegression,
    PoissonRegression,
    TruncatedPoissonRegression,
    ZeroInflatedPoissonRegression,
)


def _data(n: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    Xnew = rng.normal(size=(7, 2)) * 1.5
    return X, Xnew, rng


@pytest.mark.parametrize("level", [0.9, 0.95])
def test_ols_intervals_equal_statsmodels(level: float) -> None:
    X, Xnew, rng = _data()
    y = 1.0 + X @ np.array([2.0, -1.0]) + rng.normal(scale=0.8, size=X.shape[0])
    ours = LinearRegression().fit(X, y)
    pred = sm.OLS(y, sm.add_constant(X)).fit().get_prediction(sm.add_constant(Xnew))
    for kind, obs in (("confidence", False), ("prediction", True)):
        np.testing.assert_allclose(
            ours.predict_interval(Xnew, level=level, kind=kind),
            pred.conf_int(obs=obs, alpha=1 - level),
            rtol=1e-10,
        )
    # predict(return_interval=...) is the prediction interval
    _, lo, hi = ours.predict(Xnew, return_interval=level)
    np.testing.assert_allclose(np.column_stack([lo, hi]), pred.conf_int(obs=True, alpha=1 - level))


def test_ols_without_intercept_and_known_noise() -> None:
    X, Xnew, rng = _data(seed=1)
    y = X @ np.array([2.0, -1.0]) + rng.normal(scale=0.8, size=X.shape[0])
    ours = LinearRegression(fit_intercept=False).fit(X, y)
    pred = sm.OLS(y, X).fit().get_prediction(Xnew)
    np.testing.assert_allclose(ours.predict_interval(Xnew), pred.conf_int(), rtol=1e-10)
    # known noise: Gaussian, sd sqrt(sigma^2 x'(X'X)^-1 x (+ sigma^2))
    known = LinearRegression(fit_intercept=False, noise_sd=0.8).fit(X, y)
    quad = np.einsum("ij,jk,ik->i", Xnew, np.linalg.inv(X.T @ X), Xnew)
    z = sc.ndtri(0.975)
    mean = known.predict(Xnew)
    for kind, var in (("confidence", 0.64 * quad), ("prediction", 0.64 * (1 + quad))):
        expect = np.column_stack([mean - z * np.sqrt(var), mean + z * np.sqrt(var)])
        np.testing.assert_allclose(known.predict_interval(Xnew, kind=kind), expect, rtol=1e-10)


def test_nig_predictive_is_the_posterior_predictive() -> None:
    X, Xnew, rng = _data(n=15, seed=2)
    y = 0.5 + X @ np.array([1.0, -1.0]) + rng.normal(size=15)
    model = LinearRegression(prior=th.NormalInverseGamma(0, 1, 2, 2)).fit(X, y)
    pred = model.predictive(Xnew)
    assert isinstance(pred, th.StudentT)
    # Monte Carlo: draw (w, sigma^2) from the posterior, then y_new
    draws = model.posterior_.sample(200_000, rng=3)
    names = model.posterior_.names
    W = np.column_stack([draws[k] for k in names if k != "intercept"])
    ynew = W @ Xnew.T + draws["intercept"][:, None]
    ynew += rng.normal(size=ynew.shape) * np.sqrt(draws["sigma2"])[:, None]
    for q in (0.05, 0.5, 0.9):
        np.testing.assert_allclose(np.quantile(ynew, q, axis=0), pred.ppf(q), atol=0.03)
    # the interval of the mean is the posterior's of x'w (its draws)
    mean_draws = W @ Xnew.T + draws["intercept"][:, None]
    band = model.predict_interval(Xnew, level=0.8)
    np.testing.assert_allclose(np.quantile(mean_draws, 0.1, axis=0), band[:, 0], atol=0.03)
    obs = model.predict_interval(Xnew, level=0.8, kind="prediction")
    np.testing.assert_allclose(obs, np.column_stack([pred.ppf(0.1), pred.ppf(0.9)]), rtol=1e-12)


def test_gaussian_predictive_for_known_noise_and_evidence() -> None:
    X, Xnew, rng = _data(seed=4)
    y = X @ np.array([1.0, 0.5]) + rng.normal(size=X.shape[0])
    for model in (
        LinearRegression(prior=th.Normal(0, 1), noise_sd=1.0).fit(X, y),
        LinearRegression(prior="evidence").fit(X, y),
        LinearRegression(prior=th.Normal(0, 1)).fit(X, y),  # sigma by type-II ML
    ):
        pred = model.predictive(Xnew)
        assert isinstance(pred, th.Normal)
        post = model.posterior_
        A = np.column_stack([Xnew, np.ones(len(Xnew))])
        var = np.einsum("ij,jk,ik->i", A, post.cov, A) + post.noise_var
        np.testing.assert_allclose(pred.std(), np.sqrt(var), rtol=1e-10)
        np.testing.assert_allclose(pred.mean(), model.predict(Xnew), rtol=1e-12)
    # OLS: the flat-prior posterior predictive (Student t on n - k df)
    assert isinstance(LinearRegression().fit(X, y).predictive(Xnew), th.StudentT)


def _sm_mean_ci(res, Xnew, level=0.95):  # type: ignore[no-untyped-def]
    return res.get_prediction(sm.add_constant(Xnew, has_constant="add")).conf_int(alpha=1 - level)


@pytest.mark.parametrize("link", ["logit", "probit", "cloglog"])
def test_logistic_mean_interval_equals_statsmodels(link: str) -> None:
    X, Xnew, rng = _data(n=300, seed=5)
    y = (rng.random(300) < sc.expit(0.3 + X @ np.array([1.0, -0.7]))).astype(float)
    ours = LogisticRegression(link=link).fit(X, y)
    links = {"logit": sm.families.links.Logit(), "probit": sm.families.links.Probit()}
    links["cloglog"] = sm.families.links.CLogLog()
    res = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial(links[link])).fit(tol=1e-12)
    band = ours.predict_interval(Xnew, level=0.9)
    np.testing.assert_allclose(band, _sm_mean_ci(res, Xnew, 0.9), rtol=1e-6)
    assert np.all((band > 0) & (band < 1))
    p1 = ours.predict_proba(Xnew)[:, 1]
    assert np.all((band[:, 0] <= p1) & (p1 <= band[:, 1]))


def test_poisson_and_gamma_mean_intervals_equal_statsmodels() -> None:
    X, Xnew, rng = _data(n=200, seed=6)
    expo = rng.uniform(0.5, 2.0, 200)
    y = rng.poisson(expo * np.exp(0.2 + X @ np.array([0.5, -0.3])))
    ours = PoissonRegression().fit(X, y, exposure=expo)
    res = sm.GLM(y, sm.add_constant(X), family=sm.families.Poisson(), exposure=expo).fit()
    e_new = np.linspace(0.5, 2, 7)
    np.testing.assert_allclose(
        ours.predict_interval(Xnew, exposure=e_new),
        res.get_prediction(sm.add_constant(Xnew), exposure=e_new).conf_int(),
        rtol=1e-7,
    )
    g = rng.gamma(3.0, np.exp(0.5 + X @ np.array([0.3, 0.2])) / 3.0)
    ours_g = GLMRegression(family="gamma", link="log").fit(X, g)
    res_g = sm.GLM(g, sm.add_constant(X), family=sm.families.Gamma(sm.families.links.Log())).fit()
    np.testing.assert_allclose(ours_g.predict_interval(Xnew), _sm_mean_ci(res_g, Xnew), rtol=1e-6)
    # the inverse link decreases: the bounds come out ordered; where eta's interval
    # reaches 0 the mean's upper bound is +inf (statsmodels reports a negative mean)
    ours_i = GLMRegression(family="gamma").fit(X, g)
    res_i = sm.GLM(g, sm.add_constant(X), family=sm.families.Gamma()).fit()
    band, ref = ours_i.predict_interval(Xnew), np.sort(_sm_mean_ci(res_i, Xnew), axis=1)
    inside = ref[:, 0] > 0
    assert inside.sum() >= 4 and (~inside).any()
    np.testing.assert_allclose(band[inside], ref[inside], rtol=1e-6)
    assert np.all(band[~inside, 1] == np.inf)
    np.testing.assert_allclose(band[~inside, 0], ref[~inside, 1], rtol=1e-6)


def test_negative_binomial_interval_is_statsmodels_linear_prediction_mapped() -> None:
    X, Xnew, rng = _data(n=400, seed=7)
    mu = np.exp(1.0 + X @ np.array([0.4, -0.2]))
    y = rng.negative_binomial(2.0, 2.0 / (2.0 + mu))
    ours = NegativeBinomialRegression().fit(X, y)
    res = sm.NegativeBinomial(y, sm.add_constant(X)).fit(disp=0, method="newton", tol=1e-12)
    lin = res.get_prediction(sm.add_constant(Xnew), which="linear").conf_int()
    np.testing.assert_allclose(ours.predict_interval(Xnew), np.exp(lin), rtol=1e-5)


def test_zero_inflated_delta_method_on_the_log_mean() -> None:
    rng = np.random.default_rng(8)
    X = rng.normal(size=(1500, 1))
    y = rng.poisson(np.exp(1.0 + 0.4 * X[:, 0])) * (rng.uniform(size=1500) > 0.3)
    m = ZeroInflatedPoissonRegression().fit(X, y)
    Xnew = np.array([[-1.0], [0.0], [1.5]])
    keys = list(m.estimate_.params)
    theta = np.array([m.estimate_.params[k] for k in keys])

    def log_mean(t: np.ndarray, x: float) -> float:
        p = dict(zip(keys, t, strict=True))
        eta = p["intercept"] + p["x0"] * x
        eta_z = p["inflate_intercept"] + p["inflate_x0"] * x
        return float(eta - np.logaddexp(0.0, eta_z))

    z = sc.ndtri(0.975)
    for i, x in enumerate(Xnew[:, 0]):
        h = 1e-6
        grad = np.array(
            [
                (log_mean(theta + h * e, x) - log_mean(theta - h * e, x)) / (2 * h)
                for e in np.eye(len(theta))
            ]
        )
        se = np.sqrt(grad @ m.estimate_.cov @ grad)
        lm = log_mean(theta, x)
        np.testing.assert_allclose(
            m.predict_interval(Xnew)[i], np.exp([lm - z * se, lm + z * se]), rtol=1e-6
        )
    assert np.allclose(np.log(m.predict(Xnew)), [log_mean(theta, x) for x in Xnew[:, 0]])
    # the truncated mean mu / (1 - e^-mu) increases with eta: the interval brackets predict
    keep = y > 0
    t = TruncatedPoissonRegression().fit(X[keep], y[keep])
    band, mid = t.predict_interval(Xnew), t.predict(Xnew)
    assert np.all((band[:, 0] < mid) & (mid < band[:, 1]) & (band[:, 0] > 1))


def test_coverage_by_simulation() -> None:
    """2000 replications each: the 95% intervals cover within binomial noise (±3.5 sd).

    One BLAS thread: the fits are tiny, and threads waiting on a busy machine cost more
    than the arithmetic.
    """
    with threadpool_limits(1):
        _coverage()


def _coverage() -> None:
    rng = np.random.default_rng(9)
    reps, n = 2000, 40
    X = rng.normal(size=(n, 2))
    x0 = np.array([[1.0, -0.5]])
    beta, b0 = np.array([1.0, -2.0]), 0.5
    truth = float(b0 + (x0 @ beta)[0])
    hit_mean = hit_obs = hit_pois = 0
    Xp = rng.normal(size=(150, 1)) * 0.5
    mu_p = float(np.exp(0.3 + 0.6 * 1.0))
    for _ in range(reps):
        y = b0 + X @ beta + rng.normal(scale=1.5, size=n)
        m = LinearRegression().fit(X, y)
        lo, hi = m.predict_interval(x0)[0]
        hit_mean += lo <= truth <= hi
        new = truth + rng.normal(scale=1.5)
        lo, hi = m.predict_interval(x0, kind="prediction")[0]
        hit_obs += lo <= new <= hi
        yp = rng.poisson(np.exp(0.3 + 0.6 * Xp[:, 0]))
        lo, hi = PoissonRegression().fit(Xp, yp).predict_interval([[1.0]])[0]
        hit_pois += lo <= mu_p <= hi
    tol = 3.5 * np.sqrt(0.95 * 0.05 / reps)
    for hits in (hit_mean, hit_obs, hit_pois):
        assert abs(hits / reps - 0.95) < tol


def test_bad_input_on_the_new_paths() -> None:
    X, Xnew, rng = _data()
    y = X @ np.array([1.0, 1.0]) + rng.normal(size=X.shape[0])
    ols = LinearRegression().fit(X, y)
    with pytest.raises(ValueError, match="level must be in"):
        ols.predict_interval(Xnew, level=1.0)
    with pytest.raises(TypeError, match="level must be a number"):
        ols.predict_interval(Xnew, level="95%")
    with pytest.raises(ValueError, match="kind must be"):
        ols.predict_interval(Xnew, kind="credible")
    with pytest.raises(ValueError, match="3 features"):
        ols.predict_interval(np.ones((2, 3)))
    with pytest.raises(ValueError, match="posterior"):
        LinearRegression(prior=th.Laplace(0, 1)).fit(X, y).predictive(Xnew)
    yb = (y > 0).astype(float)
    logit = LogisticRegression().fit(X, yb)
    with pytest.raises(ValueError, match="kind='prediction' is not defined"):
        logit.predict_interval(Xnew, kind="prediction")
    with pytest.raises(TypeError, match="no offset"):
        logit.predict_interval(Xnew, offset=np.zeros(7))
    pois = PoissonRegression().fit(X, rng.poisson(1.0, X.shape[0]))
    with pytest.raises(ValueError, match="exposure must be > 0"):
        pois.predict_interval(Xnew, exposure=np.zeros(7))
    with pytest.raises(ValueError, match="NaN"):
        pois.predict_interval(np.full((2, 2), np.nan))


def test_shrunk_intercept_and_a_pandas_frame() -> None:
    import pandas as pd

    X, Xnew, rng = _data(seed=10)
    y = 2.0 + X @ np.array([1.0, 0.5]) + rng.normal(size=X.shape[0])
    frame = pd.DataFrame(X, columns=["a", "b"])
    model = LinearRegression(prior=th.Normal(0, 1), noise_sd=1.0, shrink_intercept=True)
    model.fit(frame, y)
    post = model.posterior_
    assert post.names == ("a", "b", "intercept")
    A = np.column_stack([Xnew, np.ones(len(Xnew))])
    sd = np.sqrt(np.einsum("ij,jk,ik->i", A, post.cov, A))
    z = sc.ndtri(0.95)
    mean = model.predict(pd.DataFrame(Xnew, columns=["a", "b"]))
    band = model.predict_interval(pd.DataFrame(Xnew, columns=["a", "b"]), level=0.9)
    np.testing.assert_allclose(band, np.column_stack([mean - z * sd, mean + z * sd]), rtol=1e-10)


def test_docstring_examples_run() -> None:
    """The mixins' methods are not in the public classes' own ``__dict__``, where the
    docs test looks for examples: run them here."""
    import doctest

    from thetahat.regression import _predictive

    result = doctest.testmod(_predictive, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 10 and result.failed == 0
