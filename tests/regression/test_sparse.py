"""Sparse X (issue 17): the same fit as the dense X, never densified, Hessian-free when wide.

Every comparison is against the dense fit of the same data (relative 1e-9) or a peer
(scikit-learn, statsmodels) computed here. The Hessian-free path (Newton-CG, lazy
covariance) is exercised on small problems by lowering its thresholds.
"""

from __future__ import annotations

import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import thetahat as th
from thetahat.regression import (
    GLMRegression,
    LinearRegression,
    LogisticRegression,
    NegativeBinomialRegression,
    PoissonRegression,
    _newton_cg,
    _sparse,
)
from thetahat.regression import linear as _linear
from thetahat.results import LazyCovariance

RTOL = 1e-9


def _design(n: int = 1500, p: int = 25, density: float = 0.15, seed: int = 1) -> sp.csr_array:
    rng = np.random.default_rng(seed)
    X = sp.random_array((n, p), density=density, format="csr", rng=rng)
    X.data = np.round(X.data * 4) - 1.5  # some negative values, some stored near 0
    return sp.csr_array(X)


def _binary(X: sp.csr_array, seed: int = 2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    w = rng.normal(size=X.shape[1])
    eta = X @ w - 0.4
    return (rng.random(X.shape[0]) < 1 / (1 + np.exp(-eta))).astype(float)


def _counts(X: sp.csr_array, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    w = 0.3 * rng.normal(size=X.shape[1])
    return rng.poisson(np.exp(X @ w + 0.2)).astype(float)


def _se(model: object) -> np.ndarray:
    return np.array(list(model.estimate_.se.values()))  # type: ignore[attr-defined]


def _same(a: object, b: object, rtol: float = RTOL) -> None:
    """Coefficients and standard errors of two fits agree (NaN where the other is NaN)."""
    ca = np.r_[a.coef_, a.intercept_]  # type: ignore[attr-defined]
    cb = np.r_[b.coef_, b.intercept_]  # type: ignore[attr-defined]
    np.testing.assert_allclose(ca, cb, rtol=rtol, atol=rtol * np.abs(cb).max())
    np.testing.assert_array_equal(ca == 0, cb == 0)
    sa, sb = _se(a), _se(b)
    np.testing.assert_array_equal(np.isnan(sa), np.isnan(sb))
    ok = ~np.isnan(sb)
    np.testing.assert_allclose(sa[ok], sb[ok], rtol=rtol)


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Send every sparse fit above 12 coefficients down the Hessian-free path."""
    monkeypatch.setattr(_sparse, "HESSIAN_MAX_K", 12)
    monkeypatch.setattr(_linear, "HESSIAN_MAX_K", 12)


FORMATS = [sp.csr_array, sp.csr_matrix, sp.csc_matrix, sp.coo_array, sp.csc_array]


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.__name__)
def test_every_sparse_format_fits_like_dense(fmt: type) -> None:
    X = _design()
    y = _binary(X)
    dense = LogisticRegression(prior=th.Normal(0, 1)).fit(X.toarray(), y)
    sparse = LogisticRegression(prior=th.Normal(0, 1)).fit(fmt(X), y)
    _same(sparse, dense)
    np.testing.assert_allclose(sparse.predict_proba(fmt(X)), dense.predict_proba(X.toarray()))


@pytest.mark.parametrize(
    "prior", [None, th.Normal(0, 1), th.Laplace(0, 0.3), (th.Normal(0, 1), th.Laplace(0, 0.5))]
)
def test_logistic_sparse_equals_dense(prior: object) -> None:
    X = _design()
    y = _binary(X)
    w = np.random.default_rng(5).integers(1, 4, size=X.shape[0]).astype(float)
    a = LogisticRegression(prior=prior).fit(X, y, sample_weight=w)
    b = LogisticRegression(prior=prior).fit(X.toarray(), y, sample_weight=w)
    _same(a, b)
    assert a.estimate_.status == "success"


def test_poisson_and_glm_sparse_equal_dense() -> None:
    X = _design()
    y = _counts(X)
    expo = np.random.default_rng(4).uniform(0.5, 2.0, X.shape[0])
    for est in (PoissonRegression(), PoissonRegression(prior=th.Normal(0, 1))):
        _same(
            est.fit(X, y, exposure=expo),
            PoissonRegression(prior=est.prior).fit(X.toarray(), y, exposure=expo),
        )
    g_sparse = GLMRegression(family="gamma", link="log", prior=th.Normal(0, 1)).fit(X, y + 1.0)
    g_dense = GLMRegression(family="gamma", link="log", prior=th.Normal(0, 1)).fit(
        X.toarray(), y + 1.0
    )
    _same(g_sparse, g_dense)
    assert g_sparse.scale_ == pytest.approx(g_dense.scale_, rel=RTOL)


@pytest.mark.parametrize(
    "kw",
    [
        {"prior": th.Normal(0, 1), "noise_sd": 1.0},
        {"prior": th.Normal(0, 1)},
        {"prior": th.Laplace(0, 0.1)},
        {"prior": "evidence"},
        {"prior": th.NormalInverseGamma(0, 1, 2, 2)},
        {"prior": th.Normal(0, 1), "shrink_intercept": True},
    ],
    ids=["ridge-known", "ridge", "lasso", "evidence", "nig", "ridge-shrunk-intercept"],
)
def test_linear_sparse_equals_dense(kw: dict) -> None:
    X = _design(500, 20)
    y = (
        X @ np.random.default_rng(0).normal(size=20)
        + 1.0
        + np.random.default_rng(1).normal(size=500)
    )
    _same(LinearRegression(**kw).fit(X, y), LinearRegression(**kw).fit(X.toarray(), y))


def test_ols_refuses_sparse_x_with_the_route() -> None:
    X = _design(100, 5)
    with pytest.raises(TypeError, match=r"sparse X.*prior=th.Normal"):
        LinearRegression().fit(X, np.ones(100))


def test_count_models_refuse_sparse_x() -> None:
    X = _design(100, 5)
    with pytest.raises(TypeError, match=r"[Ss]parse"):
        NegativeBinomialRegression(prior=th.Normal(0, 1)).fit(X, np.ones(100))


def test_logistic_sparse_equals_scikit_learn() -> None:
    from sklearn.linear_model import LogisticRegression as SkLogistic

    X = _design()
    y = _binary(X)
    ours = LogisticRegression(prior=th.Normal(0, 2)).fit(X, y)  # C = tau^2 = 4
    theirs = SkLogistic(C=4.0, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_[0], rtol=1e-6, atol=1e-7)
    assert ours.intercept_ == pytest.approx(theirs.intercept_[0], abs=1e-7)


def test_poisson_sparse_mle_equals_statsmodels() -> None:
    import statsmodels.api as sm

    X = _design(800, 8, density=0.3)
    y = _counts(X)
    ours = PoissonRegression().fit(X, y)
    ref = sm.GLM(y, sm.add_constant(X.toarray()), family=sm.families.Poisson()).fit(tol=1e-13)
    np.testing.assert_allclose(np.r_[ours.intercept_, ours.coef_], ref.params, rtol=1e-8)
    np.testing.assert_allclose(_se(ours), ref.bse, rtol=1e-8)


# ----------------------------------------------------------- the Hessian-free path
@pytest.mark.usefixtures("wide")
@pytest.mark.parametrize("prior", [None, th.Normal(0, 1)])
def test_newton_cg_equals_dense(prior: object) -> None:
    X = _design()
    y = _binary(X)
    a = LogisticRegression(prior=prior).fit(X, y)
    assert isinstance(a.estimate_.cov, LazyCovariance)
    assert not a.estimate_.cov.formed  # nothing inverted until asked for
    _same(a, LogisticRegression(prior=prior).fit(X.toarray(), y))
    assert a.estimate_.status == "success"


@pytest.mark.usefixtures("wide")
def test_newton_cg_poisson_with_offset_equals_dense() -> None:
    X = _design()
    y = _counts(X)
    off = np.random.default_rng(7).normal(scale=0.2, size=X.shape[0])
    a = PoissonRegression(prior=th.Normal(0, 0.5)).fit(X, y, offset=off)
    _same(a, PoissonRegression(prior=th.Normal(0, 0.5)).fit(X.toarray(), y, offset=off))


@pytest.mark.usefixtures("wide")
def test_working_set_lasso_has_the_dense_zeros() -> None:
    X = _design(2000, 40, seed=3)
    y = _binary(X, seed=4)
    prior = th.Laplace(0, 0.012)
    a = LogisticRegression(prior=prior).fit(X, y)
    b = LogisticRegression(prior=prior).fit(X.toarray(), y)
    assert 0 < np.count_nonzero(b.coef_) <= 8  # a sparse solution, some weights exactly 0
    _same(a, b)


@pytest.mark.usefixtures("wide")
def test_wide_lasso_that_is_not_sparse_is_refused() -> None:
    X = _design()
    with pytest.raises(ValueError, match=r"nonzero.*stronger prior"):
        LogisticRegression(prior=th.Laplace(0, 10.0)).fit(X, _binary(X))


@pytest.mark.usefixtures("wide")
def test_wide_ridge_equals_dense() -> None:
    X = _design(600, 30)
    y = X @ np.random.default_rng(0).normal(size=30) + np.random.default_rng(1).normal(size=600)
    a = LinearRegression(prior=th.Normal(0, 1), noise_sd=1.5).fit(X, y)
    assert isinstance(a.estimate_.cov, LazyCovariance)
    _same(a, LinearRegression(prior=th.Normal(0, 1), noise_sd=1.5).fit(X.toarray(), y), rtol=1e-8)


@pytest.mark.usefixtures("wide")
def test_wide_ridge_without_noise_sd_is_refused_with_the_reason() -> None:
    """The noise sd under a Normal prior is type-II ML (the Gram matrix's spectrum)."""
    X = _design(600, 30)
    with pytest.raises(ValueError, match=r"type-II maximum likelihood.*give noise_sd"):
        LinearRegression(prior=th.Normal(0, 1)).fit(X, np.arange(600.0))


@pytest.mark.usefixtures("wide")
def test_wide_nig_prior_is_refused() -> None:
    X = _design(100, 30)
    with pytest.raises(ValueError, match="Gram matrix"):
        LinearRegression(prior=th.NormalInverseGamma(0, 1, 2, 2)).fit(X, np.ones(100))


def _too_wide_pair(monkeypatch: pytest.MonkeyPatch) -> tuple[LogisticRegression, ...]:
    """A Hessian-free sparse fit too wide for its covariance (26 > 10) and the dense fit."""
    monkeypatch.setattr(_newton_cg, "COV_MAX_K", 10)
    X = _design()
    y = _binary(X)
    a = LogisticRegression(prior=th.Normal(0, 1)).fit(X, y)
    return a, LogisticRegression(prior=th.Normal(0, 1)).fit(X.toarray(), y)


@pytest.mark.usefixtures("wide")
def test_se_of_chosen_coefficients_by_cg_when_too_wide_for_the_covariance(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, b = _too_wide_pair(monkeypatch)
    with pytest.raises(ValueError, match=r"too large to form.*standard_errors"):
        _ = a.estimate_.se
    got = a.standard_errors(["x3", "x17", "intercept", 5])
    want = b.standard_errors(["x3", "x17", "intercept", 5])
    assert list(got) == ["x3", "x17", "intercept", "x5"]
    np.testing.assert_allclose(list(got.values()), list(want.values()), rtol=RTOL)
    # a block by CG through the Estimate too: the delta method on two coefficients
    d = a.estimate_.transform(lambda x1, x2: x1 - x2, "diff", of=("x1", "x2"))
    e = b.estimate_.transform(lambda x1, x2: x1 - x2, "diff", of=("x1", "x2"))
    assert d.se["diff"] == pytest.approx(e.se["diff"], rel=1e-6)  # covariances: CG to 1e-7
    assert not a.estimate_.cov.formed


@pytest.mark.usefixtures("wide")
def test_se_of_many_coefficients_by_block_cg_equal_the_inverted_hessian(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every coefficient at once (several CG blocks) against H^-1 formed and inverted here."""
    monkeypatch.setattr(_newton_cg, "COV_MAX_K", 10)
    X = _design(1200, 40, density=0.2, seed=6)
    y = _binary(X, seed=7)
    a = LogisticRegression(prior=th.Normal(0, 0.7)).fit(X, y)
    Xd = np.column_stack([X.toarray(), np.ones(X.shape[0])])
    mu = 1 / (1 + np.exp(-(Xd @ np.r_[a.coef_, a.intercept_])))
    H = Xd.T @ (Xd * (mu * (1 - mu))[:, None]) + np.diag(np.r_[np.full(40, 1 / 0.49), 0.0])
    want = np.sqrt(np.diag(np.linalg.inv(H)))
    cols = list(range(40))[::-1]
    got = a.standard_errors([*cols, "intercept"])
    assert list(got) == [f"x{j}" for j in cols] + ["intercept"]
    np.testing.assert_allclose(list(got.values()), np.r_[want[cols], want[40]], rtol=1e-8)


@pytest.mark.usefixtures("wide")
def test_unconverged_covariance_cg_raises_rather_than_reporting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_newton_cg, "COV_MAX_K", 10)
    monkeypatch.setattr(_newton_cg, "COV_MAX_ITER", 3)  # too few to reach COV_RTOL
    X = _design()
    a = LogisticRegression(prior=th.Normal(0, 1)).fit(X, _binary(X))
    with pytest.raises(np.linalg.LinAlgError, match="did not converge"):
        a.standard_errors(["x1", "x2"])


@pytest.mark.usefixtures("wide")
def test_params_of_a_wide_fit_are_a_read_only_view_equal_to_the_dict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, b = _too_wide_pair(monkeypatch)
    pa, pb = a.estimate_.params, b.estimate_.params
    assert isinstance(pa, _sparse.CoefficientMap) and isinstance(pb, dict)
    assert list(pa) == list(pb) and len(pa) == len(pb) == 26
    np.testing.assert_allclose(list(pa.values()), list(pb.values()), rtol=RTOL)
    assert pa == dict(pa.items()) and dict(pa.items()) == pa and pa != {**pa, "x3": 0.0}
    assert pa["x3"] == pa.get("x3") == float(a.coef_[3])
    assert pa["intercept"] == a.intercept_ and pa.get("nope") is None and "x25" not in pa
    with pytest.raises(KeyError):
        pa["nope"]
    with pytest.raises(TypeError):
        pa["x3"] = 1.0  # type: ignore[index]
    assert a.estimate_.labels == b.estimate_.labels
    assert a.standard_errors("x3")["x3"] == pytest.approx(b.estimate_.se["x3"], rel=1e-9)


@pytest.mark.usefixtures("wide")
def test_unconverged_newton_cg_is_never_success() -> None:
    X = _design()
    y = _binary(X)
    with pytest.warns(th.regression._glm_base.ConvergenceWarning):  # type: ignore[attr-defined]
        a = LogisticRegression(prior=th.Normal(0, 1), max_iter=1).fit(X, y)
    assert a.estimate_.status == "failed"
    assert "Newton-CG" in " ".join(a.estimate_.warnings)


# ----------------------------------------------------------- memory: no dense X
def _peak_mb(fn: object) -> float:
    tracemalloc.start()
    try:
        fn()  # type: ignore[operator]
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("p", [40, 3000], ids=["formed-hessian", "hessian-free"])
def test_fit_never_builds_a_dense_x(p: int) -> None:
    n = 30_000
    rng = np.random.default_rng(0)
    rows = np.repeat(np.arange(n), 4)
    X = sp.csr_array((rng.normal(size=4 * n), (rows, rng.integers(0, p, 4 * n))), shape=(n, p))
    y = (rng.random(n) < 0.4).astype(float)
    dense_mb = n * p * 8 / 2**20
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peak = _peak_mb(lambda: LogisticRegression(prior=th.Normal(0, 1)).fit(X, y))
    # the stored entries are 3.7 MB; a dense X would be 9 MB (p = 40) or 690 MB
    assert peak < 0.6 * dense_mb if p == 40 else peak < 60


# ----------------------------------------------------------- bad input
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_in_sparse_x_is_named(bad: float) -> None:
    X = _design(200, 5).tolil()
    X[17, 3] = bad
    what = "NaN" if np.isnan(bad) else "infinite"
    with pytest.raises(ValueError, match=rf"sparse X contains 1 {what}.*row 17, column 3"):
        LogisticRegression(prior=th.Normal(0, 1)).fit(sp.csr_array(X), np.arange(200) % 2)
    with pytest.raises(ValueError, match="row 17, column 3"):
        LinearRegression(prior=th.Normal(0, 1)).fit(X, np.ones(200))
    fitted = PoissonRegression(prior=th.Normal(0, 1)).fit(_design(200, 5), np.ones(200))
    with pytest.raises(ValueError, match="row 17, column 3"):
        fitted.predict(X)


@pytest.mark.parametrize("prior", [None, th.Normal(0, 1)])
def test_separation_is_reported_as_for_dense(prior: object) -> None:
    from thetahat.results import BoundaryWarning

    X = _design(400, 6, density=0.3).tolil()
    y = _binary(sp.csr_array(X))
    X[:, 2] = 0.0
    X[np.flatnonzero(y == 1)[:5], 2] = 1.0  # x2 is nonzero only where y = 1
    Xs = sp.csr_array(X)
    Xs.eliminate_zeros()
    with pytest.warns(BoundaryWarning, match="x2") as got:
        a = LogisticRegression(prior=prior).fit(Xs, y)
    with pytest.warns(BoundaryWarning, match="x2") as want:
        b = LogisticRegression(prior=prior).fit(Xs.toarray(), y)
    assert [str(w.message) for w in got] == [str(w.message) for w in want]
    assert a.estimate_.status == b.estimate_.status


@pytest.mark.usefixtures("wide")
def test_lazy_covariance_serialises_and_prints() -> None:
    X = _design(300, 20)
    m = LogisticRegression(prior=th.Normal(0, 1)).fit(X, _binary(X))
    d = m.estimate_.to_dict()
    np.testing.assert_allclose(np.array(d["cov"]), np.asarray(m.estimate_.cov))
    assert m.estimate_.cov.formed
    assert "x19" in m.estimate_.summary()


# ----------------------------------------------------------- predict_interval on sparse X
def _no_dense_new_x(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if a sparse X is turned into a dense array (toarray/todense) from here on."""

    def refuse(self: object, *a: object, **k: object) -> None:
        raise AssertionError("a sparse X was densified")

    for cls in (sp.csr_array, sp.csr_matrix, sp.csc_array, sp.coo_array):
        monkeypatch.setattr(cls, "toarray", refuse)
        monkeypatch.setattr(cls, "todense", refuse)


@pytest.mark.parametrize(
    "make",
    [
        lambda: LogisticRegression(prior=th.Normal(0, 1)),
        lambda: LogisticRegression(),
        lambda: PoissonRegression(prior=th.Normal(0, 0.5)),
        lambda: GLMRegression(family="gamma", link="log"),
        lambda: LinearRegression(prior=th.Normal(0, 1)),
        lambda: LinearRegression(prior=th.Laplace(0, 0.2), noise_sd=1.0),
    ],
    ids=["logistic-map", "logistic-mle", "poisson", "gamma", "ridge", "lasso"],
)
@pytest.mark.parametrize("kind", ["confidence", "prediction"])
def test_predict_interval_on_sparse_x_equals_dense(
    make: object, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    X = _design(800, 12, density=0.3, seed=8)
    Xd = X.toarray()
    if isinstance(make(), LogisticRegression):  # type: ignore[operator]
        y = _binary(X)
    elif isinstance(make(), LinearRegression):  # type: ignore[operator]
        y = X @ np.linspace(-1, 1, 12) + np.random.default_rng(3).normal(size=800)
    else:
        y = _counts(X) + (0.5 if isinstance(make(), GLMRegression) else 0.0)  # type: ignore[operator]
    a = make().fit(X, y)  # type: ignore[operator]
    b = make().fit(Xd, y)  # type: ignore[operator]
    new = _design(9, 12, density=0.25, seed=9)
    new_d = new.toarray()
    if kind == "prediction" and not isinstance(a, LinearRegression):
        with pytest.raises(ValueError, match="prediction"):
            a.predict_interval(new, kind=kind)
        return
    want = b.predict_interval(new_d, level=0.9, kind=kind)
    _no_dense_new_x(monkeypatch)
    got = a.predict_interval(new, level=0.9, kind=kind)
    np.testing.assert_allclose(got, want, rtol=1e-8)


@pytest.mark.usefixtures("wide")
def test_predict_interval_of_a_wide_fit_reads_only_the_used_block(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, b = _too_wide_pair(monkeypatch)
    new = sp.csr_array(([1.0, -2.0, 0.5], ([0, 1, 1], [3, 3, 17])), shape=(3, 25))
    got = a.predict_interval(new)  # 2 used columns and the intercept: CG, no 26 x 26 matrix
    assert not a.estimate_.cov.formed
    np.testing.assert_allclose(got, b.predict_interval(new.toarray()), rtol=1e-6)  # CG 1e-7
