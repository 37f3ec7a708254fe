"""Issue 10, item 5: censored data at the edges.

Censoring flags other than 0/1 are refused; ``information="expected"`` on censored
data is refused (it depends on the censoring mechanism); a custom ``th.Model`` fits
censored data through optional ``logcdf``/``logsf`` hooks (else a clear error
naming them); Laplace's location on censored data gets the expected curvature at
its kink (the closed-form variance rule, extended).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _contract import check_error
from scipy import stats

import thetahat as th


def test_censoring_flags_other_than_0_1_refused_issue_reproducer():
    for flags in ([0, 2, 1], [0, 0.5, 1]):
        with pytest.raises(ValueError) as info:
            th.Censored.right([1.0, 2.0, 3.0], flags)
        check_error(info.value, "censored[1]", "0/1")
    ok = th.Censored.right([1.0, 2.0, 3.0], [0, 1, 1])
    assert list(ok.upper) == [1.0, np.inf, np.inf]


def test_expected_information_on_censored_data_refused_issue_reproducer():
    data = th.Censored([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, np.inf, 4.0])
    with pytest.raises(ValueError) as info:
        th.fit(th.Exponential, data, information="expected")
    check_error(info.value, "censoring mechanism", "observed")


def test_custom_model_without_cdf_hooks_names_them_issue_reproducer():
    m = th.Model(lambda x, mu: stats.norm.logpdf(x, mu), params={"mu": "real"})
    with pytest.raises(ValueError) as info:
        th.fit(m, th.Censored([1.0, 2.0], [1.0, np.inf]))
    check_error(info.value, "logcdf", "logsf")


@pytest.mark.parametrize("hook", ["logcdf", "logsf"])
def test_custom_model_with_a_cdf_hook_fits_censored_data(hook):
    fns = {
        "logcdf": lambda x, mu, s: stats.norm.logcdf(x, mu, s),
        "logsf": lambda x, mu, s: stats.norm.logsf(x, mu, s),
    }
    m = th.Model(
        lambda x, mu, s: stats.norm.logpdf(x, mu, s),
        params={"mu": "real", "s": "positive"},
        **{hook: fns[hook]},
    )
    data = th.Censored([1.0, 2.0, 3.0, 4.0, 2.5, -np.inf], [1.0, 2.0, np.inf, 4.0, 3.5, 0.5])
    got = th.fit(m, data)
    ref = th.fit(th.Normal, data)
    assert got.status == "success"
    assert got.params["mu"] == pytest.approx(ref.params["mu"], rel=1e-6)
    assert got.params["s"] == pytest.approx(ref.params["sigma"], rel=1e-6)
    assert got.loglik == pytest.approx(ref.loglik, rel=1e-9)


def test_censored_laplace_location_variance_rule():
    rng = np.random.default_rng(20261202)
    x = rng.laplace(2.0, 1.0, 400)
    # complete data written as censored: the closed-form rule b / sqrt(n)
    est = th.fit(th.Laplace, th.Censored(x, x))
    assert est.se["loc"] == pytest.approx(est.params["scale"] / math.sqrt(x.size), rel=1e-6)
    # right-censored above the location: sd of the estimate over replications
    locs, ses = [], []
    for _ in range(120):
        x = rng.laplace(2.0, 1.0, 400)
        cens = x > 2.6
        e = th.fit(th.Laplace, th.Censored(np.where(cens, 2.6, x), np.where(cens, np.inf, x)))
        locs.append(e.params["loc"])
        ses.append(e.se["loc"])
    assert np.median(ses) == pytest.approx(np.std(locs), rel=0.2)
