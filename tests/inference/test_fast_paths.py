"""The fast paths of th.fit for Gamma, Beta and LogNormal against independent computations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import thetahat as th
from thetahat.inference._solve import FitProblem, solve
from thetahat.optim import invert_information
from thetahat.statistics.sufficient import CHUNK

SAMPLERS = {
    "Gamma": lambda r, n: r.gamma(1.7, 2.0, n),
    "Beta": lambda r, n: r.beta(2.0, 5.0, n),
    "LogNormal": lambda r, n: r.lognormal(0.5, 0.8, n),
}
SCIPY = {
    "Gamma": lambda t: stats.gamma(t["shape"], scale=1.0 / t["rate"]),
    "Beta": lambda t: stats.beta(t["a"], t["b"]),
    "LogNormal": lambda t: stats.lognorm(t["sigma"], scale=np.exp(t["mu"])),
}


@pytest.mark.parametrize("name", list(SAMPLERS))
def test_fused_statistics_match_plain_numpy_across_chunks(name: str) -> None:
    r = np.random.default_rng(0)
    n = 2 * CHUNK + 123  # three chunks, the last one short
    x = SAMPLERS[name](r, n)
    w = r.integers(0, 3, n).astype(float)
    fam = getattr(th, name)()
    for weights in (None, w):
        ww = np.ones(n) if weights is None else weights
        st = fam.suff_stats(x, weights)
        assert st.n == pytest.approx(ww.sum(), rel=1e-15)
        if name == "Gamma":
            assert st.total == pytest.approx(np.dot(ww, x), rel=1e-13)
            assert st.slog == pytest.approx(np.dot(ww, np.log(x)), rel=1e-13)
        elif name == "Beta":
            assert st.slog == pytest.approx(np.dot(ww, np.log(x)), rel=1e-13)
            assert st.slog1m == pytest.approx(np.dot(ww, np.log1p(-x)), rel=1e-13)
        else:
            lx = np.log(x)
            mean = np.dot(ww, lx) / ww.sum()
            assert st.mean + st.mean_err == pytest.approx(mean, rel=1e-14)
            assert st.m2 == pytest.approx(np.dot(ww, (lx - mean) ** 2), rel=1e-12)


@pytest.mark.parametrize("name", list(SAMPLERS))
@pytest.mark.parametrize("where", [0, 5, CHUNK + 7])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, 0.0, -1.0, 1.0])
def test_fused_validation_names_the_first_bad_value(name: str, where: int, bad: float) -> None:
    x = SAMPLERS[name](np.random.default_rng(1), CHUNK + 50)
    if bad == 1.0 and name != "Beta":
        bad = -2.5  # 1 is valid data for Gamma and LogNormal
    x[where] = bad
    with pytest.raises(ValueError, match=rf"(\[{where}\]|index {where}\b)"):
        th.fit(getattr(th, name), x)
    # an invalid value under zero weight is still an error (nothing silently dropped)
    w = np.ones(x.size)
    w[where] = 0.0
    with pytest.raises(ValueError, match=rf"(\[{where}\]|index {where}\b)"):
        th.fit(getattr(th, name), x, weights=w)


@pytest.mark.parametrize(
    ("a", "b", "n"), [(2.0, 5.0, 1000), (0.3, 0.2, 500), (50.0, 80.0, 2000), (0.05, 3.0, 300)]
)
def test_beta_newton_fast_path_matches_generic_solver_and_scipy(a: float, b: float, n: int) -> None:
    for seed in range(3):
        x = np.random.default_rng(seed).beta(a, b, n)
        x = x[(x > 0) & (x < 1)]
        est = th.fit(th.Beta, x)
        assert est.status == "success"
        fam = th.Beta()
        theta, _ = solve(FitProblem(fam, fam.suff_stats(x), None))
        assert est.params["a"] == pytest.approx(theta["a"], rel=1e-9)
        assert est.params["b"] == pytest.approx(theta["b"], rel=1e-9)
        sa, sb, _, _ = stats.beta.fit(x, floc=0, fscale=1)
        ll_th = stats.beta(est.params["a"], est.params["b"]).logpdf(x).sum()
        assert ll_th >= stats.beta(sa, sb).logpdf(x).sum() - 1e-8 * n
        assert est.loglik == pytest.approx(ll_th, rel=1e-12, abs=1e-9)


@pytest.mark.parametrize("name", list(SAMPLERS))
@pytest.mark.parametrize("fixed", [None, 0, 1])
def test_closed_form_covariance_is_the_inverse_curvature_of_scipys_loglik(
    name: str, fixed: int | None
) -> None:
    x = SAMPLERS[name](np.random.default_rng(4), 800)
    cls = getattr(th, name)
    names = list(cls.param_names())
    full = th.fit(cls, x).params
    fam = cls() if fixed is None else cls(**{names[fixed]: full[names[fixed]] * 1.1})
    est = th.fit(fam, x)
    free = list(est.params)
    t0 = np.array([est.params[k] for k in free])

    def ll(t: np.ndarray) -> float:
        return float(SCIPY[name]({**fam.params, **dict(zip(free, t, strict=True))}).logpdf(x).sum())

    k = t0.size
    h = 1e-4 * np.maximum(np.abs(t0), 1.0)
    hess = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            ei, ej = np.eye(k)[i] * h[i], np.eye(k)[j] * h[j]
            hess[i, j] = (
                ll(t0 + ei + ej) - ll(t0 + ei - ej) - ll(t0 - ei + ej) + ll(t0 - ei - ej)
            ) / (4 * h[i] * h[j])
    ref = np.linalg.inv(-hess)
    np.testing.assert_allclose(est.cov, ref, rtol=1e-4, atol=1e-6 * np.abs(ref).max())


def test_small_inverse_matches_lapack_and_flags_singular() -> None:
    r = np.random.default_rng(5)
    for _ in range(50):
        m = r.normal(size=(2, 2))
        info = m @ m.T + 0.1 * np.eye(2)
        np.testing.assert_allclose(invert_information(info), np.linalg.inv(info), rtol=1e-12)
    assert np.all(np.isinf(invert_information(np.array([[1.0, 1.0], [1.0, 1.0]]))))
    assert np.all(np.isinf(invert_information(np.array([[-1.0, 0.0], [0.0, 1.0]]))))
    assert np.all(np.isinf(invert_information(np.array([[np.nan, 0.0], [0.0, 1.0]]))))
    assert np.all(np.isinf(invert_information(np.array([[0.0]]))))
    assert invert_information(np.array([[4.0]]))[0, 0] == 0.25


def test_fits_do_not_share_state_between_calls() -> None:
    # the default family instance is shared; results must depend only on the data
    r = np.random.default_rng(6)
    x1, x2 = r.gamma(1.5, 2.0, 500), r.gamma(4.0, 0.5, 500)
    a, b, a2 = th.fit(th.Gamma, x1), th.fit(th.Gamma, x2), th.fit(th.Gamma, x1)
    assert a.params == a2.params and a.params != b.params
