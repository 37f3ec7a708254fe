"""Issue 10: a property-based sweep of bad and degenerate inputs across the API.

For every family, prior, ``th.shrink``, the regression estimators and the CLI's
``main()``, hypothesis generates awkward inputs (constant, one-value, all-zero
data; magnitudes near 1e+-300; negative, fractional and non-finite values; tiny
and huge priors) and each call must end in one of two ways:

* a ``ValueError``/``TypeError`` whose message names the problem (not an internal
  ``ZeroDivisionError``, ``OverflowError``, ``IndexError``, ``MemoryError``...);
* a result that keeps the contract of ``_contract.check_estimate``: a truthful
  status, the log-likelihood at the reported estimate (recomputed from scipy),
  intervals inside the parameter space.

Derandomized with fixed example counts, so CI sees the same inputs every run.
"""

from __future__ import annotations

import io
import math
import warnings
from contextlib import redirect_stderr, redirect_stdout

import numpy as np
import pytest
from _contract import check_error, check_estimate
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import thetahat as th

SWEEP = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    # no shrinking: a failure is reported as generated, and CI time stays bounded
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)

EDGE_VALUES = [0.0, 1.0, 2.0, 3.0, -1.0, 0.5, 1e-300, 1e300, -1e300, 5e-324, 1e308]
VALUES = st.one_of(
    st.sampled_from(EDGE_VALUES),
    st.integers(-3, 20).map(float),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
    st.floats(min_value=1e-300, max_value=1e300),
)
DATA = st.one_of(
    st.lists(VALUES, min_size=1, max_size=8),
    st.tuples(VALUES, st.integers(1, 5)).map(lambda t: [t[0]] * t[1]),  # constant data
    st.lists(st.integers(0, 12).map(float), min_size=1, max_size=10),  # counts
    st.lists(st.floats(0.01, 0.99), min_size=2, max_size=8),  # inside (0, 1)
)
BAD_INPUTS = [
    [],
    [np.nan, 1.0],
    [1.0, np.inf],
    "1, 2, 3",
    [[1.0, 2.0], [3.0]],
    None,
    [1 + 1j, 2.0],
    [10**400, 1],
    np.ma.masked_array([1.0, 2.0], mask=[0, 1]),
    {"a": 1},
]

FAMILIES = [
    th.Bernoulli,
    th.Binomial(n=10),
    th.Poisson,
    th.Geometric,
    th.NegativeBinomial,
    th.Exponential,
    th.Gamma,
    th.InverseGamma,
    th.HalfNormal,
    th.LogNormal,
    th.Normal,
    th.Laplace,
    th.Lomax,
    th.Pareto,
    th.Categorical,
    th.BetaBinomial(n=10),
    th.Gamma(shape=2.0),
    th.Normal(mu=0.0),
    th.Weibull,
    th.Beta,
    th.Categorical(k=3),
    th.BetaNegativeBinomial(r=2.0),
]
# Student t's fit code is being reworked by another helper for issue 10 (its
# log-likelihood at large df disagrees with scipy's, e.g. -1.970989 vs -1.970996 on
# eight values in (0, 1)): swept with the same contract, reported as XFAIL until then
KERNEL_FAMILIES = [th.StudentT]

INTERNAL = (ZeroDivisionError, OverflowError, IndexError, MemoryError, FloatingPointError)


def _name(fam):
    return fam.__name__ if isinstance(fam, type) else repr(fam)


def _run(call):
    """The call's result, or the user error it raised (internal errors propagate)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            try:
                return call()
            except (ValueError, TypeError) as exc:
                check_error(exc)
                return exc


def _fit_contract(family, data, **kw):
    out = _run(lambda: th.fit(family, data, **kw))
    if not isinstance(out, Exception):
        check_estimate(out, data)


@pytest.mark.parametrize("family", FAMILIES, ids=_name)
@SWEEP
@given(data=DATA)
def test_fit_keeps_the_contract(family, data):
    _fit_contract(family, data)


@pytest.mark.parametrize("family", KERNEL_FAMILIES, ids=_name)
@SWEEP
@given(data=DATA)
def test_fit_keeps_the_contract_kernel_families(family, data):
    _fit_contract(family, data)


@pytest.mark.parametrize("family", FAMILIES + KERNEL_FAMILIES, ids=_name)
@pytest.mark.parametrize("bad", BAD_INPUTS, ids=range(len(BAD_INPUTS)))
def test_bad_input_is_a_clear_error(family, bad):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises((ValueError, TypeError)) as info:
            th.fit(family, bad)
    check_error(info.value)


CONJUGATE = [
    (th.Bernoulli, lambda a, b: th.Beta(a, b)),
    (th.Binomial(n=10), lambda a, b: th.Beta(a, b)),
    (th.Geometric, lambda a, b: th.Beta(a, b)),
    (th.Poisson, lambda a, b: th.Gamma(a, b)),
    (th.Exponential, lambda a, b: th.Gamma(a, b)),
    (th.Normal(sigma=1.0), lambda a, b: th.Normal(a, b)),
    (th.Normal(mu=0.0), lambda a, b: {"sigma": th.LogNormal(0.0, b)}),
    (th.Gamma, lambda a, b: {"shape": th.Gamma(a, 1.0), "rate": th.LogNormal(0.0, b)}),
    (th.Lomax, lambda a, b: {"shape": th.Gamma(a, b), "scale": th.Gamma(2.0, 1.0)}),
    (th.Laplace, lambda a, b: {"loc": th.Normal(0.0, b), "scale": th.Gamma(a, 1.0)}),
]
HYPER = st.one_of(st.sampled_from([1.0, 1e-3, 1e3, 0.5, 2.0]), st.floats(1e-3, 1e3))


@pytest.mark.parametrize(("family", "make"), CONJUGATE, ids=[_name(f) for f, _ in CONJUGATE])
@SWEEP
@given(data=DATA, a=HYPER, b=HYPER)
def test_map_keeps_the_contract(family, make, data, a, b):
    prior = make(a, b)
    out = _run(lambda: th.fit(family, data, prior=prior))
    if isinstance(out, Exception):
        return
    check_estimate(out, data)
    assert out.method == "map"
    if out.status != "failed":
        assert out.logpost is not None and not math.isnan(out.logpost)


EXACT = CONJUGATE[:6]


@pytest.mark.parametrize(("family", "make"), EXACT, ids=[_name(f) for f, _ in EXACT])
@SWEEP
@given(data=DATA, a=HYPER, b=HYPER)
def test_posterior_keeps_the_contract(family, make, data, a, b):
    out = _run(lambda: th.posterior(family, data, prior=make(a, b)))
    if isinstance(out, Exception):
        return
    for name, (lo, hi) in out.interval(0.9).items():
        dom = out.family.param(name).domain if name in out.family.param_names() else None
        assert lo <= hi or (math.isnan(lo) and math.isnan(hi)), (name, lo, hi)
        if dom is not None and getattr(dom, "low", None) is not None:
            assert lo >= dom.low, (name, lo)
        if dom is not None and getattr(dom, "high", None) is not None:
            assert hi <= dom.high, (name, hi)


COUNTS = st.lists(st.integers(0, 30), min_size=1, max_size=6)


@SWEEP
@given(k=COUNTS, extra=st.lists(st.integers(0, 30), min_size=6, max_size=6))
def test_shrink_binomial_keeps_the_contract(k, extra):
    n = [ki + e for ki, e in zip(k, extra, strict=False)]
    out = _run(lambda: th.shrink(k, n))
    if isinstance(out, Exception):
        return
    assert isinstance(out, th.Shrinkage)
    a, b = out.prior.a, out.prior.b
    assert math.isfinite(a) and math.isfinite(b) and a > 0 and b > 0
    table = out.table if not callable(out.table) else out.table()
    assert table is not None


@SWEEP
@given(y=st.lists(VALUES, min_size=1, max_size=6), se=st.lists(HYPER, min_size=6, max_size=6))
def test_shrink_normal_keeps_the_contract(y, se):
    out = _run(lambda: th.shrink(y, family=th.Normal, se=se[: len(y)]))
    if isinstance(out, Exception):
        return
    assert math.isfinite(out.prior.mu) and out.prior.sigma > 0


@pytest.mark.parametrize(
    "bad",
    [
        ([1, 2, -1], [3, 3, 3]),
        ([1, 5, 2], [3, 3, 3]),
        ([1.5, 2, 1], [3, 3, 3]),
        ([1, 2], [3, 3, 3]),
        ([np.nan, 1, 2], [3, 3, 3]),
        ([1e300, 2e300], [1e301, 1e301]),
        ([0, 0, 0], [5, 5, 5]),
        ([1], [2]),
    ],
)
def test_shrink_bad_input_is_a_clear_error(bad):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises((ValueError, TypeError)) as info:
            th.shrink(*bad)
    check_error(info.value)


# ------------------------------------------------------------ regression (contract only)
def _regression_contract(est_cls, X, y, **kw):
    model = est_cls(**kw)
    out = _run(lambda: model.fit(X, y))
    if isinstance(out, Exception):
        return
    est = out.estimate_
    assert est.status in ("success", "boundary", "failed")
    coef = np.concatenate([np.atleast_1d(np.asarray(v, dtype=float)) for v in est.params.values()])
    if np.any(np.isnan(coef)):
        assert est.status == "failed", est.status
    if est.status == "success":
        assert est.converged and np.all(np.isfinite(coef))


REG_X = st.lists(
    st.tuples(VALUES, st.sampled_from([0.0, 1.0, -1.0, 1e9 + 1.0, 3.0])), min_size=1, max_size=8
)


@pytest.mark.parametrize("kind", ["linear", "logistic", "poisson"])
@SWEEP
@given(rows=REG_X, y=st.lists(st.integers(0, 4), min_size=8, max_size=8))
def test_regression_keeps_the_contract(kind, rows, y):
    from thetahat.regression import LinearRegression, LogisticRegression, PoissonRegression

    X = np.array(rows, dtype=float)
    yy = np.array(y[: len(rows)], dtype=float)
    cls = {"linear": LinearRegression, "logistic": LogisticRegression}.get(kind, PoissonRegression)
    if kind == "logistic":
        yy = (yy > 1).astype(float)
    _regression_contract(cls, X, yy)


# ------------------------------------------------------------ CLI (contract only)
@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (["fit", "-", "-f", "normal"], ""),
        (["fit", "-", "-f", "normal"], "abc\n"),
        (["fit", "-", "-f", "gamma"], "-1\n2\n"),
        (["fit", "-", "-f", "lognormal"], "3\n3\n3\n"),
        (["fit", "-", "-f", "bernoulli", "--prior", "beta(inf, 2)"], "1\n1\n"),
        (["fit", "-", "-f", "nosuchfamily"], "1\n"),
        (["fit", "-", "-f", "poisson", "--level", "2"], "1\n2\n"),
        (["compare", "-", "--families", "gamma,lognormal,laplace"], "3\n3\n3\n"),
        (["posterior", "-", "-f", "poisson", "--prior", "gamma(-1, 1)"], "1\n2\n"),
    ],
)
def test_cli_main_bad_input_exits_cleanly(args, stdin, monkeypatch):
    from thetahat.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out, err = io.StringIO(), io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["--quiet", *args])
    assert code in (0, 2), (code, err.getvalue())
    if code == 2:
        msg = err.getvalue().strip()
        assert msg.startswith("thetahat: error:"), msg
        assert "Traceback" not in msg and "np.float64(" not in msg
