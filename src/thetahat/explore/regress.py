"""API of the "regularisers are priors" panel.

A small linear regression (scikit-learn's bundled diabetes data, or a synthetic
one with a known sparse truth), standardised so every coefficient is in
standard deviations of y per standard deviation of its feature. A Gaussian
prior ``Normal(0, tau)`` on each weight is ridge, a ``Laplace(0, b)`` prior the
lasso; the MAP comes from ``thetahat.regression.LinearRegression``, the path
from ``regularization_path``, the penalties from ``penalty_from_prior``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

import thetahat as th

from .._format import jsonable
from ._validate import choice, integer, number

__all__ = ["DATASETS", "regularise"]

Array = NDArray[np.float64]

DATASETS = ("diabetes", "synthetic")
#: prior widths the path covers (standardised units) and the slider's range
WIDTH_LOW, WIDTH_HIGH = 1e-4, 3.0
WIDTH_RANGE = (WIDTH_LOW, WIDTH_HIGH)
PATH_POINTS = 60


def _standardise(X: Array, y: Array) -> tuple[Array, Array]:
    Xs = (X - X.mean(axis=0)) / X.std(axis=0)
    return Xs, (y - y.mean()) / y.std()


@lru_cache(maxsize=1)
def _diabetes() -> tuple[Array, Array, tuple[str, ...]]:
    from sklearn.datasets import load_diabetes  # bundled with scikit-learn: no download

    d = load_diabetes()
    X, y = _standardise(np.asarray(d.data, dtype=float), np.asarray(d.target, dtype=float))
    return X, y, tuple(str(n) for n in d.feature_names)


@lru_cache(maxsize=8)
def _synthetic(seed: int) -> tuple[Array, Array, tuple[str, ...]]:
    # 60 rows, 8 features; only the first three matter (weights 1, -0.6, 0.3)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((60, 8))
    truth = np.array([1.0, -0.6, 0.3, 0, 0, 0, 0, 0])
    y = X @ truth + rng.standard_normal(60)
    Xs, ys = _standardise(X, y)
    return Xs, ys, tuple(f"x{i + 1}" for i in range(8))


@lru_cache(maxsize=16)
def _path(dataset: str, seed: int, kind: str) -> tuple[float, Array, Array, Array]:
    """sigma, the path's scales and weights, and the OLS weights: they do not depend on
    the width, so a slider move only refits the MAP (the lasso path is ~60 solves)."""
    from thetahat.regression import LinearRegression, regularization_path

    X, y, _ = _data(dataset, seed)
    ols = LinearRegression().fit(X, y)
    # sigma: the residual sd of the least-squares fit, held fixed so that only the
    # prior moves the estimate (MAP with a known noise level)
    sigma = float(ols.estimate_.details["sigma_resid"])
    scales, coefs = regularization_path(
        X, y, np.geomspace(WIDTH_LOW, WIDTH_HIGH, PATH_POINTS), prior=kind, noise_sd=sigma
    )
    return sigma, scales, coefs, np.asarray(ols.coef_, dtype=float)


def _data(dataset: str, seed: int) -> tuple[Array, Array, tuple[str, ...]]:
    return _diabetes() if dataset == "diabetes" else _synthetic(seed)


def regularise(body: dict[str, Any]) -> dict[str, Any]:
    """Coefficient paths over the prior width and the MAP at the chosen width."""
    from thetahat.regression import LinearRegression, penalty_from_prior

    dataset = choice(body, "dataset", DATASETS, default="diabetes")
    kind = choice(body, "prior", ("normal", "laplace"))
    width = number(body, "width", low=WIDTH_LOW, high=WIDTH_HIGH, positive=True)
    seed = integer(body, "seed", low=0, high=2**31 - 1, default=0)
    X, y, names = _data(dataset, seed)
    n = X.shape[0]
    sigma, scales, coefs, ols = _path(dataset, seed if dataset == "synthetic" else 0, kind)
    prior = th.Normal(0.0, width) if kind == "normal" else th.Laplace(0.0, width)
    fit = LinearRegression(prior=prior, noise_sd=sigma).fit(X, y)
    model = "ridge" if kind == "normal" else "lasso"
    sk = penalty_from_prior(prior, model, n_samples=n, noise_sd=sigma)
    if kind == "normal":
        lam = {"name": "λ = σ²/τ²", "value": sigma**2 / width**2}
        objective = "½‖y − Xw‖² + ½λ‖w‖²  (scikit-learn Ridge: alpha = λ)"
    else:
        lam = {"name": "λ = σ²/b", "value": sigma**2 / width}
        objective = "½‖y − Xw‖² + λ‖w‖₁  (scikit-learn Lasso: alpha = λ / n)"
    coef = np.asarray(fit.coef_, dtype=float)
    return jsonable(
        {
            "dataset": dataset,
            "prior": repr(prior),
            "kind": kind,
            "width": width,
            "n": n,
            "names": list(names),
            "sigma": sigma,
            "scales": scales,
            "paths": coefs.T,
            "map": coef,
            "ols": ols,
            "zeros": int(np.sum(coef == 0.0)),
            "lambda": lam,
            "sklearn": {model: sk},
            "objective": objective,
            "range": [WIDTH_LOW, WIDTH_HIGH],
            "notes": [],
        }
    )
