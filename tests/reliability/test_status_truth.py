"""Issue 10, items 3 and 5: the status tells the truth.

A supremum on the edge of the parameter space is "boundary" (with a
BoundaryWarning and infinite standard errors), never "success" and not a bare
"failed": Lomax on data no more dispersed than an exponential, a beta-binomial
on binomial-looking counts, fully censored data, an unbounded custom model.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from _contract import check_estimate
from scipy import stats

import thetahat as th


def _fit(family, data, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est = th.fit(family, data, **kw)
    return est, [w.category for w in caught]


def test_lomax_exponential_limit_is_a_boundary_issue_reproducer():
    data = [1.0, 2.0, 3.0, 4.0]  # coefficient of variation < 1: no Lomax MLE
    est, cats = _fit(th.Lomax, data)
    assert est.status == "boundary" and th.BoundaryWarning in cats
    assert "no maximum" in est.message
    assert est.se["shape"] == math.inf
    # the supremum is the exponential's log-likelihood at the mean
    expo = float(np.sum(stats.expon.logpdf(data, scale=np.mean(data))))
    assert est.loglik == pytest.approx(expo, abs=1e-4)
    assert est.loglik <= expo + 1e-9
    check_estimate(est, data)


def test_lomax_heavy_tailed_data_is_a_success():
    data = [0.1, 0.2, 5.0, 40.0, 0.3, 1.0]
    est, _ = _fit(th.Lomax, data)
    assert est.status == "success"
    check_estimate(est, data)


def test_beta_binomial_underdispersed_counts_issue_reproducer():
    data = [3, 3, 3]
    est, cats = _fit(th.BetaBinomial(n=10), data)
    assert est.status == "boundary" and th.BoundaryWarning in cats
    assert est.status != "success"
    check_estimate(est, data)


def test_fully_censored_data_report_the_boundary_issue_reproducer():
    data = th.Censored([1.0, 2.0, 3.0], [np.inf] * 3)
    est, cats = _fit(th.Exponential, data)
    assert est.status == "boundary" and th.BoundaryWarning in cats
    assert est.params["rate"] == pytest.approx(0.0, abs=1e-100)
    assert est.loglik == pytest.approx(0.0, abs=1e-12)  # log S = -rate x -> 0


def test_unbounded_custom_model_reports_the_boundary_issue_reproducer():
    m = th.Model(lambda x, a: a * np.log1p(x), params={"a": "positive"})
    est, cats = _fit(m, [1.0, 2.0, 3.0])
    assert est.status == "boundary" and th.BoundaryWarning in cats
    assert est.status != "success"


def test_inverse_gamma_constant_data_issue_reproducer():
    est, cats = _fit(th.InverseGamma, [2.0, 2.0, 2.0])
    assert est.status == "boundary" and th.BoundaryWarning in cats
    assert not math.isnan(est.loglik)


def test_nan_parameters_never_success_or_boundary():
    # the contract over a few awkward inputs
    cases = [
        (th.Gamma, [1e-300, 2e-300, 5e-300]),
        (th.Lomax, [1e-5, 1e5, 3.0]),
        (th.BetaBinomial(n=3), [0, 3, 0, 3]),
        (th.NegativeBinomial, [0, 0, 0, 1]),
        (th.Pareto, [1.0, 1.0, 1.0]),
    ]
    for family, data in cases:
        est, _ = _fit(family, data)
        check_estimate(est, data)


# ------------------------------------------------------------ warnings (item 6)
def test_warnings_point_at_the_callers_line():
    import inspect

    def lines_of(call_line):
        return [(w.filename, w.lineno) for w in caught if w.lineno == call_line]

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = inspect.currentframe().f_lineno + 1
        th.fit(th.Bernoulli, [1, 1, 1])
        th.fit(th.Poisson, [0, 0], prior=th.Gamma(1, 1))
        th.fit(th.Lomax, [1.0, 2.0, 3.0, 4.0])
    assert len(caught) >= 3
    for w in caught:
        assert w.filename == __file__, w.filename
        assert line <= w.lineno <= line + 2, (w.lineno, line, str(w.message))
    assert lines_of(line) and lines_of(line + 1) and lines_of(line + 2)
