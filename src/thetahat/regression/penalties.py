"""Penalty <-> prior: the exact translation to scikit-learn's hyperparameters.

A regulariser is a negative log prior. Writing the negative log posterior of a
model and rescaling it to the objective a scikit-learn estimator minimises gives
the dictionary below (n is the number of observations, the sum of the sample
weights; sigma the noise standard deviation of a linear model):

* ``Ridge(alpha)`` minimises ``||y - Xw||^2 + alpha ||w||^2``: the prior
  ``w ~ Normal(0, tau)`` with ``alpha = sigma^2 / tau^2``.
* ``Lasso(alpha)`` minimises ``||y - Xw||^2 / (2n) + alpha ||w||_1``: the prior
  ``w ~ Laplace(0, b)`` with ``alpha = sigma^2 / (n b)``.
* ``ElasticNet(alpha, l1_ratio=r)`` minimises ``||y - Xw||^2 / (2n) + alpha r ||w||_1
  + alpha (1 - r) ||w||^2 / 2``: ``Normal(0, tau)`` and ``Laplace(0, b)`` together,
  ``alpha r = sigma^2 / (n b)`` and ``alpha (1 - r) = sigma^2 / (n tau^2)``.
* ``LogisticRegression(C, l1_ratio=r)`` minimises ``C sum logloss
  + (1 - r) ||w||^2 / 2 + r ||w||_1``: ``tau^2 = C / (1 - r)`` and ``b = C / r``.
* ``PoissonRegressor(alpha)`` minimises ``sum half-deviance / n + alpha ||w||^2 / 2``:
  ``tau^2 = 1 / (n alpha)``.

The intercept is not penalised in any of them (nor shrunk by thetahat's priors).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..distributions.flat import Flat
from ..distributions.laplace import Laplace
from ..distributions.normal import Normal
from ..distributions.normal_inverse_gamma import NormalInverseGamma

__all__ = ["PriorSpec", "parse_prior", "penalty_from_prior", "prior_from_penalty"]

_MODELS = ("ridge", "lasso", "elasticnet", "logistic", "poisson")


@dataclass(frozen=True)
class PriorSpec:
    """A regression prior reduced to what the solvers need.

    ``kind`` is "flat", "gaussian", "laplace", "elasticnet", "nig" or "evidence";
    ``l2`` is the Gaussian prior precision ``1 / tau^2`` on each weight (0: none),
    ``mean`` its mean; ``l1`` is the Laplace rate ``1 / b`` (0: none).
    """

    kind: str
    l2: float = 0.0
    mean: float = 0.0
    l1: float = 0.0
    nig: NormalInverseGamma | None = None

    @property
    def is_flat(self) -> bool:
        """True for the MLE (no prior, or a flat one)."""
        return self.kind == "flat"


def parse_prior(prior: Any) -> PriorSpec:
    """Read a regression ``prior=`` argument.

    Accepted: ``None`` or ``Flat()`` (MLE); ``Normal(mu, tau)`` (ridge);
    ``Laplace(0, b)`` (lasso); a pair of a Normal and a Laplace (elastic net);
    ``NormalInverseGamma(mu, lam, shape, scale)`` (conjugate Bayesian linear
    regression: ``w | sigma^2 ~ Normal(mu, sigma^2 / lam)``,
    ``sigma^2 ~ InverseGamma(shape, scale)``); the string ``"evidence"``.
    """
    if prior is None or isinstance(prior, Flat) or prior is Flat:
        return PriorSpec("flat")
    if isinstance(prior, str):
        if prior == "evidence":
            return PriorSpec("evidence")
        raise ValueError(
            f"prior must be a distribution, a pair of them or 'evidence'; got {prior!r}"
        )
    if isinstance(prior, Normal):
        _frozen(prior)
        return PriorSpec("gaussian", l2=1.0 / prior.sigma**2, mean=float(prior.mu))
    if isinstance(prior, Laplace):
        _frozen(prior)
        if prior.loc != 0:
            raise ValueError(
                f"a Laplace prior on regression weights must be centred at 0, got loc={prior.loc}"
            )
        return PriorSpec("laplace", l1=1.0 / prior.scale)
    if isinstance(prior, NormalInverseGamma):
        _frozen(prior)
        return PriorSpec("nig", nig=prior)
    if isinstance(prior, Sequence) and len(prior) == 2:
        normals = [p for p in prior if isinstance(p, Normal)]
        laplaces = [p for p in prior if isinstance(p, Laplace)]
        if len(normals) == 1 and len(laplaces) == 1:
            g, lp = parse_prior(normals[0]), parse_prior(laplaces[0])
            if g.mean != 0:
                raise ValueError("the Normal of an elastic-net prior must be centred at 0")
            return PriorSpec("elasticnet", l2=g.l2, l1=lp.l1)
    if isinstance(prior, type):
        raise TypeError(
            f"prior must be an instance with its parameters given, e.g. th.Normal(0, 1); "
            f"got the class {prior.__name__}"
        )
    raise TypeError(
        "prior must be None, th.Flat(), th.Normal(mu, tau), th.Laplace(0, b), a pair "
        f"(th.Normal(0, tau), th.Laplace(0, b)), th.NormalInverseGamma(...) or 'evidence'; "
        f"got {prior!r}"
    )


def _frozen(prior: Any) -> None:
    if prior.free:
        raise ValueError(f"the prior {prior!r} must have all its parameters given")


def _positive(name: str, value: Any) -> float:
    if value is None:
        raise ValueError(f"{name} is required for this model")
    v = float(value)
    if not (v > 0 and math.isfinite(v)):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return v


def prior_from_penalty(
    model: str,
    *,
    alpha: float | None = None,
    C: float | None = None,
    l1_ratio: float | None = None,
    n_samples: float | None = None,
    noise_sd: float = 1.0,
) -> Any:
    """The prior whose MAP is a scikit-learn penalised fit.

    Parameters
    ----------
    model : {"ridge", "lasso", "elasticnet", "logistic", "poisson"}
        scikit-learn's ``Ridge``, ``Lasso``, ``ElasticNet``, ``LogisticRegression``
        and ``PoissonRegressor``.
    alpha, C, l1_ratio
        The estimator's hyperparameters (``C`` and optional ``l1_ratio`` for
        logistic; ``alpha`` and, for the elastic net, ``l1_ratio`` otherwise).
    n_samples : float
        Number of observations (sum of sample weights): Lasso, ElasticNet and
        PoissonRegressor scale the data term by ``1/n``.
    noise_sd : float
        The noise standard deviation sigma of a linear model (``noise_sd`` of
        :class:`LinearRegression`).

    Returns
    -------
    Normal, Laplace or a (Normal, Laplace) pair

    Notes
    -----
    Gaussian noise with sd sigma and ``w ~ Normal(0, tau)``:
    ``-log p(w | y) = ||y - Xw||^2 / (2 sigma^2) + ||w||^2 / (2 tau^2) + const``;
    times ``2 sigma^2`` it is Ridge's objective with ``alpha = sigma^2 / tau^2``.
    With ``w ~ Laplace(0, b)``: ``||y - Xw||^2 / (2 sigma^2) + ||w||_1 / b``; times
    ``sigma^2 / n`` it is Lasso's with ``alpha = sigma^2 / (n b)``. Both together
    give ElasticNet with ``alpha l1_ratio = sigma^2 / (n b)`` and
    ``alpha (1 - l1_ratio) = sigma^2 / (n tau^2)``. Logistic:
    ``sum logloss + ||w||^2 / (2 tau^2) + ||w||_1 / b``, times C, is sklearn's
    objective when ``tau^2 = C / (1 - l1_ratio)`` and ``b = C / l1_ratio``.
    Poisson: ``sum (mu - y log mu) + ||w||^2 / (2 tau^2)`` over n is
    PoissonRegressor's ``mean half deviance + alpha ||w||^2 / 2`` with
    ``tau^2 = 1 / (n alpha)``.

    Examples
    --------
    >>> from thetahat.regression import prior_from_penalty
    >>> prior_from_penalty("ridge", alpha=4.0)
    Normal(mu=0, sigma=0.5)
    >>> prior_from_penalty("lasso", alpha=0.1, n_samples=50)
    Laplace(loc=0, scale=0.2)
    >>> prior_from_penalty("logistic", C=1.0)
    Normal(mu=0, sigma=1)
    """
    if model not in _MODELS:
        raise ValueError(f"model must be one of {', '.join(_MODELS)}; got {model!r}")
    sigma = _positive("noise_sd", noise_sd)
    if model == "ridge":
        a = _positive("alpha", alpha)
        return Normal(0.0, sigma / math.sqrt(a))
    if model == "poisson":
        a, n = _positive("alpha", alpha), _positive("n_samples", n_samples)
        return Normal(0.0, 1.0 / math.sqrt(n * a))
    if model == "logistic":
        c = _positive("C", C)
        r = 0.0 if l1_ratio is None else _ratio(l1_ratio)
        return _pair(tau2=c / (1.0 - r) if r < 1 else math.inf, b=c / r if r > 0 else math.inf)
    a, n = _positive("alpha", alpha), _positive("n_samples", n_samples)
    r = 1.0 if model == "lasso" else _ratio(1.0 if l1_ratio is None else l1_ratio)
    if model == "lasso" and l1_ratio is not None:
        raise ValueError("l1_ratio does not apply to the lasso (it is 1)")
    b = sigma**2 / (n * a * r) if r > 0 else math.inf
    tau2 = sigma**2 / (n * a * (1.0 - r)) if r < 1 else math.inf
    return _pair(tau2=tau2, b=b)


def _ratio(r: Any) -> float:
    v = float(r)
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"l1_ratio must be in [0, 1], got {r!r}")
    return v


def _pair(tau2: float, b: float) -> Any:
    if math.isinf(b):
        return Normal(0.0, math.sqrt(tau2))
    if math.isinf(tau2):
        return Laplace(0.0, b)
    return (Normal(0.0, math.sqrt(tau2)), Laplace(0.0, b))


def penalty_from_prior(
    prior: Any, model: str, *, n_samples: float | None = None, noise_sd: float = 1.0
) -> dict[str, float]:
    """The scikit-learn hyperparameters whose fit is the MAP under ``prior``.

    The inverse of :func:`prior_from_penalty` (see its Notes for the algebra).
    Returns ``{"alpha": ...}`` (Ridge, Lasso, PoissonRegressor),
    ``{"alpha": ..., "l1_ratio": ...}`` (ElasticNet) or
    ``{"C": ..., "l1_ratio": ...}`` (LogisticRegression; ``l1_ratio`` 0 is L2).

    Examples
    --------
    >>> import thetahat as th
    >>> from thetahat.regression import penalty_from_prior
    >>> penalty_from_prior(th.Normal(0, 0.5), "ridge", noise_sd=1.0)
    {'alpha': 4.0}
    >>> penalty_from_prior(th.Laplace(0, 0.2), "lasso", n_samples=50)
    {'alpha': 0.1}
    >>> penalty_from_prior(th.Normal(0, 1), "logistic")
    {'C': 1.0, 'l1_ratio': 0.0}
    """
    if model not in _MODELS:
        raise ValueError(f"model must be one of {', '.join(_MODELS)}; got {model!r}")
    spec = parse_prior(prior)
    if spec.kind not in ("gaussian", "laplace", "elasticnet"):
        raise ValueError(f"only Normal, Laplace or a pair of both are penalties; got {prior!r}")
    if spec.mean != 0:
        raise ValueError("scikit-learn's penalties shrink towards 0; the prior mean must be 0")
    sigma2 = _positive("noise_sd", noise_sd) ** 2
    l2, l1 = spec.l2, spec.l1
    if model == "logistic":
        if l1 == 0:
            return {"C": 1.0 / l2, "l1_ratio": 0.0}
        if l2 == 0:
            return {"C": 1.0 / l1, "l1_ratio": 1.0}
        c = 1.0 / (l1 + l2)
        return {"C": c, "l1_ratio": l1 * c}
    if model == "ridge":
        if l1:
            raise ValueError(
                "Ridge has no L1 term: use 'lasso' or 'elasticnet' for a Laplace prior"
            )
        return {"alpha": sigma2 * l2}
    n = _positive("n_samples", n_samples)
    if model == "poisson":
        if l1:
            raise ValueError("PoissonRegressor has no L1 term")
        return {"alpha": l2 / n}
    if model == "lasso" and l2:
        raise ValueError("a Gaussian prior is not a lasso: use 'ridge' or 'elasticnet'")
    total = sigma2 * (l1 + l2) / n
    if model == "lasso":
        return {"alpha": total}
    return {"alpha": total, "l1_ratio": l1 / (l1 + l2)}
