"""Issue 10, item 5: the AIC of an L1 MAP, through the public Estimate API only.

``aic`` counts every estimated coefficient, exact zeros included (the documented,
conservative convention); ``df_nonzero``/``aic_nonzero`` give the lasso's usual
degrees of freedom, the number of non-zero coefficients (Zou, Hastie and
Tibshirani 2007), checked here against the coefficients themselves.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import thetahat as th


def _lasso_estimate():
    from thetahat.regression import LinearRegression

    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 6))
    y = 2.0 * X[:, 0] - 1.0 * X[:, 1] + rng.normal(size=120)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LinearRegression(prior=th.Laplace(0.0, 0.05)).fit(X, y).estimate_


def test_l1_map_aic_counts_zeros_and_aic_nonzero_does_not_issue_reproducer():
    est = _lasso_estimate()
    coefs = np.array([v for k, v in est.params.items() if k != "intercept"], dtype=float)
    n_zero = int(np.sum(coefs == 0.0))
    assert n_zero >= 1  # the prior made some coefficients exactly zero
    assert est.aic == pytest.approx(2 * est.df_model - 2 * est.loglik)
    assert est.df_nonzero == est.df_model - n_zero
    assert est.aic_nonzero == pytest.approx(est.aic - 2 * n_zero)
    assert "exact zeros" in type(est).aic.__doc__


def test_df_nonzero_equals_df_model_without_zeros():
    est = th.fit(th.Normal, [1.0, 2.0, 4.0])
    assert est.df_nonzero == est.df_model == 2
    assert est.aic_nonzero == est.aic
