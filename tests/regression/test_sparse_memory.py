"""Memory of the wide sparse fits (issue 17, benchmark a): what the Hessian-free solve
holds, the default names made on demand, the compact 0/1 target, the NaN check of X.

Each shortcut is checked against what it replaces: the blocked products against the
dense fit (relative 1e-9), :class:`FeatureNames` against the list of names it stands
for, the int8 target against the float one (the same floating-point operations).
"""

from __future__ import annotations

import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import thetahat as th
from thetahat.regression import LogisticRegression, PoissonRegression, _newton_cg, _sparse
from thetahat.regression import linear as _linear
from thetahat.regression._sparse import CoefficientMap, FeatureNames, check_sparse_X

RTOL = 1e-9


def _design(n: int, p: int, density: float, seed: int) -> sp.csr_array:
    rng = np.random.default_rng(seed)
    X = sp.random_array((n, p), density=density, format="csr", rng=rng)
    X.data = np.round(X.data * 4) - 1.5
    return sp.csr_array(X)


def _binary(X: sp.csr_array, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    eta = X @ rng.normal(size=X.shape[1]) - 0.4
    return (rng.random(X.shape[0]) < 1 / (1 + np.exp(-eta))).astype(float)


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every sparse fit above 12 coefficients Hessian-free, its covariance never whole
    beyond 10, and its row blocks small (so that every product runs over many)."""
    monkeypatch.setattr(_sparse, "HESSIAN_MAX_K", 12)
    monkeypatch.setattr(_linear, "HESSIAN_MAX_K", 12)
    monkeypatch.setattr(_newton_cg, "COV_MAX_K", 10)
    monkeypatch.setattr(_sparse, "MATVEC_ROWS", 97)
    monkeypatch.setattr(_newton_cg, "ROWS", 128)
    monkeypatch.setattr(_sparse, "SQUARE_ROWS", 101)


# ----------------------------------------------------------- the names
@pytest.mark.parametrize("at", [None, "first", "last"])
def test_feature_names_read_as_the_list_they_stand_for(at: str | None) -> None:
    names = FeatureNames(12, intercept=at)
    want = [f"x{j}" for j in range(12)]
    want = ["intercept", *want] if at == "first" else [*want, "intercept"] if at else want
    assert list(names) == want and len(names) == len(want) and names == want
    assert names != [*want[:-1], "x99"] and names != want[:-1]
    for i in [0, 3, len(want) - 1, -1, -len(want)]:
        assert names[i] == want[i]
    for s in [slice(None), slice(2, 7), slice(None, None, -3), slice(-4, None)]:
        assert names[s] == want[s]
    for i in [len(want), -len(want) - 1]:
        with pytest.raises(IndexError):
            names[i]
    for w in want:
        assert w in names and names.index(w) == want.index(w)
    for bad in ["x12", "x01", "x-1", "x", "y3", "x١", 3, "intercept" if at is None else "x1.0"]:
        assert bad not in names
        with pytest.raises(ValueError):
            names.index(bad)
    assert names.index("x5", 0, 20) == want.index("x5")
    with pytest.raises(ValueError):
        names.index("x5", want.index("x5") + 1)


def test_coefficient_map_over_feature_names_is_the_dict() -> None:
    vals = np.arange(6.0) - 2.5
    lazy = CoefficientMap(FeatureNames(5, intercept="first"), vals)
    eager = CoefficientMap(["intercept", *[f"x{j}" for j in range(5)]], vals)
    ref = dict(zip(["intercept", *[f"x{j}" for j in range(5)]], vals.tolist(), strict=True))
    assert lazy == ref == eager and list(lazy) == list(ref) and dict(lazy.items()) == ref
    assert lazy["x4"] == ref["x4"] and lazy.get("x5") is None and "x05" not in lazy
    with pytest.raises(KeyError):
        lazy["x5"]


@pytest.mark.usefixtures("wide")
def test_wide_fit_keeps_the_names_and_their_behaviour() -> None:
    X = _design(900, 30, 0.2, 1)
    y = _binary(X, 2)
    a = LogisticRegression(prior=th.Normal(0, 1)).fit(X, y)
    b = LogisticRegression(prior=th.Normal(0, 1)).fit(X.toarray(), y)
    want = ["intercept", *[f"x{j}" for j in range(30)]]
    assert isinstance(a.estimate_.params, CoefficientMap)
    assert list(a.estimate_.params) == want == list(b.estimate_.params)
    assert a.feature_names_ == want[1:] and isinstance(a.feature_names_, list)
    assert a.estimate_.labels == b.estimate_.labels
    assert a.estimate_.params["x7"] == float(a.coef_[7])
    got = a.standard_errors(["x29", 3, "intercept"])
    assert list(got) == ["x29", "x3", "intercept"]
    np.testing.assert_allclose(list(got.values()), [b.estimate_.se[k] for k in got], rtol=1e-8)
    with pytest.raises(ValueError, match="'x30' is not a coefficient"):
        a.standard_errors("x30")


@pytest.mark.usefixtures("wide")
def test_wide_fit_of_a_frame_keeps_its_column_names() -> None:
    X = _design(400, 14, 0.3, 3)
    y = _binary(X, 4)
    cols = [f"c{j}" for j in range(14)]
    frame = pd.DataFrame.sparse.from_spmatrix(sp.csr_matrix(X), columns=cols)
    a = LogisticRegression(prior=th.Normal(0, 1)).fit(frame, y)
    assert list(a.estimate_.params) == ["intercept", *cols]
    assert a.estimate_.params["c3"] == float(a.coef_[3])


# ----------------------------------------------------------- blocked products, int8 y
@pytest.mark.usefixtures("wide")
@pytest.mark.parametrize("prior", [None, th.Normal(0, 0.8)])
def test_newton_cg_by_blocks_of_rows_equals_dense(prior: object) -> None:
    X = _design(1000, 25, 0.15, 5)
    y = _binary(X, 6)
    a = LogisticRegression(prior=prior).fit(X, y)
    b = LogisticRegression(prior=prior).fit(X.toarray(), y)
    np.testing.assert_allclose(
        np.r_[a.coef_, a.intercept_], np.r_[b.coef_, b.intercept_], rtol=RTOL, atol=RTOL
    )
    names = ["x0", "x11", "x24", "intercept"]
    np.testing.assert_allclose(
        list(a.standard_errors(names).values()), [b.estimate_.se[k] for k in names], rtol=1e-8
    )
    off = np.random.default_rng(8).normal(scale=0.2, size=1000)
    yc = np.random.default_rng(9).poisson(np.exp(0.2 + X @ np.full(25, 0.05)))
    c = PoissonRegression(prior=th.Normal(0, 0.5)).fit(X, yc, offset=off)
    d = PoissonRegression(prior=th.Normal(0, 0.5)).fit(X.toarray(), yc, offset=off)
    np.testing.assert_allclose(c.coef_, d.coef_, rtol=RTOL, atol=RTOL)


@pytest.mark.usefixtures("wide")
def test_wide_logistic_target_as_int8_fits_as_the_float_target() -> None:
    X = _design(800, 20, 0.2, 10)
    y = _binary(X, 11)
    ref = LogisticRegression(prior=th.Normal(0, 1)).fit(X, y)
    for target in [y.astype(np.int64), y.astype(bool), np.where(y > 0, 2, 1)]:
        m = LogisticRegression(prior=th.Normal(0, 1)).fit(X, target)
        np.testing.assert_array_equal(m.coef_, ref.coef_)  # the same operations: exact
        assert m.intercept_ == ref.intercept_
        assert list(m.classes_) == sorted(set(target.tolist()))
    dense = LogisticRegression(prior=th.Normal(0, 1)).fit(X.toarray(), y)
    np.testing.assert_allclose(ref.coef_, dense.coef_, rtol=RTOL, atol=RTOL)


# ----------------------------------------------------------- the NaN check of X
def test_finite_values_whose_sum_overflows_pass_the_check() -> None:
    X = sp.csr_array(np.array([[1e308, 0.0], [1e308, -1e308], [0.0, 1e308]]))
    assert check_sparse_X(X) is not None


def test_bad_values_are_counted_and_the_first_named_across_chunks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_sparse, "CHECK_CHUNK", 4)
    X = _design(60, 8, 0.5, 12).tolil()
    X[9, 2], X[30, 5], X[41, 1] = np.inf, np.nan, -np.inf
    with pytest.raises(ValueError, match=r"1 NaN and 2 infinite.*row 9, column 2.*inf"):
        check_sparse_X(sp.csr_array(X))


# ----------------------------------------------------------- what the solve holds
def test_wide_logistic_fit_holds_about_two_n_vectors_beyond_x(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Peak (tracemalloc) of a Hessian-free fit, beyond X and y: the solve's two
    n-vectors (eta; the weights v or the step's X d) and the int8 target; before the
    blocked products it was five (y as float, eta, v, X p, the last step's X d) and the
    6 MB of names at p = 10^5. Row blocks are made small here so that their
    temporaries (a few MB at the default sizes, whatever n) do not count."""
    monkeypatch.setattr(_sparse, "MATVEC_ROWS", 4096)
    monkeypatch.setattr(_sparse, "ROW_BLOCK", 1024)
    monkeypatch.setattr(_sparse, "SQUARE_ROWS", 1024)
    monkeypatch.setattr(_newton_cg, "ROWS", 4096)
    n, p = 200_000, 3000
    rng = np.random.default_rng(13)
    cols = rng.integers(0, p, 20 * n).astype(np.int32)
    indptr = np.arange(0, 20 * n + 1, 20, dtype=np.int32)
    X = sp.csr_array((rng.choice([-1.0, 1.0], 20 * n), cols, indptr), shape=(n, p))
    X.sum_duplicates()
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ (0.1 * rng.normal(size=p)))))).astype(float)
    vec_mb = n * 8 / 2**20
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            m = LogisticRegression(prior=th.Normal(0, 1), tol=1e-8).fit(X, y)
            peak = (tracemalloc.get_traced_memory()[1] - before) / 2**20
        finally:
            tracemalloc.stop()
    assert m.estimate_.status == "success"
    # eta and v (or u), the int8 target, and about 1 MB of block temporaries and O(p)
    # vectors (4.1 MB measured; a third n-vector would make it 5.6)
    assert peak < 2.2 * vec_mb + 1.5, f"{peak:.2f} MB = {peak / vec_mb:.2f} n-vectors"
