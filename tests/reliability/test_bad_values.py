"""Issue 10, items 1 and 2: values that must be refused clearly, never altered or dropped.

Complex numbers (numpy would drop the imaginary part), masked arrays (numpy would
fit the values under the mask: thetahat refuses masked values and says to pass
``data.compressed()``), Python integers beyond the float64 range, infinite
hyperparameters (``th.Beta(np.inf, 1)``), class labels that would make a
trillion classes, counts beyond 2**53 in ``th.shrink``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _contract import check_error

import thetahat as th


def _raises(fn, exc_type, *words):
    with pytest.raises(exc_type) as info:
        fn()
    check_error(info.value, *words)


def test_complex_data_refused():
    _raises(lambda: th.fit(th.Normal, [1 + 1j, 2, 3]), TypeError, "complex")
    _raises(lambda: th.fit(th.Normal, np.array([1 + 0j, 2, 3])), TypeError, "complex")
    _raises(lambda: th.fit(th.Poisson, [1, 2], weights=np.array([1j, 1])), TypeError, "complex")


def test_complex_parameter_refused():
    _raises(lambda: th.Normal(np.complex128(1 + 1j), 1.0), TypeError, "complex")


def test_masked_values_refused_not_used():
    x = np.ma.masked_array([1.0, 2.0, 100.0], mask=[0, 0, 1])
    _raises(lambda: th.fit(th.Normal, x), ValueError, "masked", "compressed")
    # nothing masked: the values are used as they are
    plain = np.ma.masked_array([1.0, 2.0, 4.0])
    assert th.fit(th.Normal, plain).params == th.fit(th.Normal, [1.0, 2.0, 4.0]).params


def test_python_int_beyond_float_range_refused():
    _raises(lambda: th.fit(th.Poisson, [1, 10**400]), ValueError, "too large", "index 1")
    _raises(lambda: th.fit(th.Normal, [[1], [10**400]]), ValueError, "too large")
    _raises(lambda: th.Normal(10**400, 1), ValueError, "too large")


@pytest.mark.parametrize(
    "make",
    [
        lambda: th.Beta(np.inf, 1),
        lambda: th.Gamma(1.0, np.inf),
        lambda: th.Normal(0.0, np.inf),
        lambda: th.Normal(np.nan, 1.0),
        lambda: th.Dirichlet([1.0, np.inf]),
    ],
)
def test_infinite_hyperparameters_refused(make):
    _raises(make, ValueError, "finite")


def test_infinite_prior_hyperparameter_issue_reproducer():
    with pytest.raises(ValueError, match="finite"):
        th.fit(th.Bernoulli, [1, 0, 1], prior=th.Beta(np.inf, 1))


def test_categorical_huge_label_issue_reproducer():
    _raises(lambda: th.fit(th.Categorical, [0, 10**12]), ValueError, "classes", "relabel")
    _raises(lambda: th.Categorical(k=10**12), ValueError, "classes")


def test_shrink_near_1e300_issue_reproducer():
    # counts of 1e300 are not counts: float64 integers are exact only up to 2**53
    _raises(lambda: th.shrink([1e300, 2e300], [1e301] * 2), ValueError, "2**53")


def test_shrink_normal_is_unit_free_near_the_float_limits():
    y = np.array([1.0, 2.0, 5.0, 3.0])
    se = np.array([1.0, 1.5, 1.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for method in ("ml", "reml"):
            ref = th.shrink(y, family=th.Normal, se=se, method=method).prior
            for c in (1e300, 1e-300):
                got = th.shrink(y * c, family=th.Normal, se=se * c, method=method).prior
                assert got.mu == pytest.approx(ref.mu * c, rel=1e-9)
                assert got.sigma == pytest.approx(ref.sigma * c, rel=1e-9)


def test_shrink_loglik_changes_by_the_jacobian_of_the_units():
    y = np.array([1.0, 2.0, 5.0, 3.0])
    se = np.array([1.0, 1.5, 1.0, 2.0])
    a = th.shrink(y, family=th.Normal, se=se)
    b = th.shrink(y * 1000.0, family=th.Normal, se=se * 1000.0)
    assert b.loglik == pytest.approx(a.loglik - 4 * np.log(1000.0), rel=1e-10)


@pytest.mark.parametrize(
    ("family", "data", "word"),
    [
        (th.Lomax, [-1.0, 2.0, 3.0], "non-negative"),
        (th.BetaBinomial(n=10), [3, 11, 2], "between 0 and n"),
        (th.BetaBinomial(n=10), [3.5, 2], "between 0 and n"),
        (th.BetaNegativeBinomial, [3.5, 2, 1], "non-negative integers"),
    ],
)
def test_data_outside_the_support_refused(family, data, word):
    # Lomax used to fit negative data to a "failed" result with loglik -inf
    _raises(lambda: th.fit(family, data), ValueError, word, "data[")


def test_shrink_zero_exposure_group_named_plainly():
    # the first empty group is named by its label, as a plain value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = th.shrink([1, 2, 0], family=th.Poisson, exposure=[1.0, 2.0, 0.0])
    note = next(w for w in out.warnings if "zero exposure" in w)
    assert "(first: 2)" in note and "np." not in note
    assert out.posterior(2).dist == out.prior


def test_compare_never_dies_on_bad_or_extreme_data():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = th.compare([th.Normal, th.Gamma], [10**400, 1]).table
        assert list(table["status"]) == ["not applicable"] * 2
        assert all("too large" in note for note in table["note"])
        extreme = th.compare([th.Normal, th.Exponential], [1e300, 2e300, 4e300]).table
    normal = extreme[extreme["family"] == "Normal"].iloc[0]
    assert normal["status"] == "failed" and "rescale" in normal["note"]
    assert "boundary of the parameter space" not in normal["note"]  # a NaN is not an edge


def test_parameter_errors_show_plain_numbers() -> None:
    import numpy as np
    import pytest

    import thetahat as th

    with pytest.raises(ValueError, match=r"got -1\.0$") as info:
        th.Beta(np.float64(-1.0), 1)
    assert "np." not in str(info.value)
