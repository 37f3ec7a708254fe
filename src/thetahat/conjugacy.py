"""Conjugate pairs: (likelihood family, prior) -> posterior, predictive, evidence.

Every update rule is plain arithmetic on a family's sufficient statistics, so the
same rule runs on statistics computed from an in-memory array, merged from
chunks, or read from SQL aggregates.

Each :class:`ConjugateRule` states, for one likelihood and prior:

* ``update(prior, stats, family)``: the posterior hyperparameters;
* ``evidence(prior, post, stats, family)``: ``log p(data)``, the log marginal
  likelihood, in closed form;
* ``predictive(post, family, **obs)``: the distribution of one new observation;
* ``curvature``: the covariance of the MAP from the curvature of the log
  posterior density at its mode;
* ``pseudo_counts(prior, family)``: the prior read as imaginary data.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from ._warnings import warn_user
from .distributions import (
    Bernoulli,
    Beta,
    BetaBinomial,
    BetaNegativeBinomial,
    Binomial,
    Categorical,
    Dirichlet,
    DirichletMultinomial,
    Distribution,
    Exponential,
    Gamma,
    Geometric,
    InverseGamma,
    Lomax,
    Multinomial,
    NegativeBinomial,
    Normal,
    NormalInverseGamma,
    Poisson,
    StudentT,
)
from .distributions.multivariate_normal import MultivariateNormal, scatter_cov
from .distributions.multivariate_t import MultivariateStudentT
from .distributions.normal_inverse_wishart import InverseWishart, NormalInverseWishart
from .results import Posterior

__all__ = ["RULES", "ConjugateRule", "ManyPosteriors", "conjugate_priors", "find_rule"]

_LOG_2PI = float(np.log(2.0 * np.pi))


@dataclass(frozen=True)
class ConjugateRule:
    """One conjugate pair (see the module docstring).

    Examples
    --------
    >>> import thetahat as th
    >>> from thetahat.conjugacy import find_rule
    >>> rule = find_rule(th.Bernoulli(), th.Beta(2, 2))
    >>> rule.description
    'Beta(a, b) -> Beta(a + k, b + n - k)'
    >>> rule.update(th.Beta(2, 2), th.Bernoulli().suff_stats([1, 1, 1]), th.Bernoulli())
    Beta(a=5, b=2)
    >>> rule.pseudo_counts(th.Beta(2, 2))
    {'successes': 2.0, 'failures': 2.0, 'n': 4.0}
    """

    family: type[Distribution]
    prior: type[Distribution]
    #: the family's free parameters this rule covers (the rest must be fixed)
    free: tuple[str, ...]
    #: names of the posterior's parameters, in the order of the prior's event
    names: tuple[str, ...]
    #: the posterior (``_from_hyper``: the prior's type at ``hyper``'s parameters)
    update: Callable[[Any, Any, Any], Distribution]
    evidence: Callable[[Any, Any, Any, Any], float]
    predictive_fn: Callable[..., Distribution]
    curvature: Callable[[Any], NDArray[np.float64]]
    pseudo_counts_fn: Callable[[Any, Any], dict[str, Any]]
    description: str = ""
    #: posterior parameter values -> the family's own parameters (var -> sigma)
    to_family: Callable[[dict[str, Any]], dict[str, Any]] = dict
    #: the posterior's parameters as arithmetic on the statistics, name -> value: the same
    #: formula for one data set (scalars) and for many groups (arrays, one entry each)
    hyper: Callable[[Any, Any, Any], dict[str, Any]] | None = None

    def __post_init__(self) -> None:
        if self.update is _from_hyper:
            if self.hyper is None:
                raise TypeError("a conjugate rule needs update or hyper")
            hyper, cls = self.hyper, self.prior
            object.__setattr__(self, "update", lambda pr, s, f: cls(**hyper(pr, s, f)))

    def posterior_many(self, family: Distribution, prior: Distribution, stats: Any) -> Any:
        """Every group's posterior at once from statistics whose fields are arrays (one
        entry per group): the posterior parameters (``hyper``, arrays) and the log
        evidence of each group, as :class:`ManyPosteriors`.

        Examples
        --------
        >>> import numpy as np
        >>> import thetahat as th
        >>> from thetahat.conjugacy import find_rule
        >>> rule = find_rule(th.Bernoulli(), th.Beta(1, 1))
        >>> st = th.Bernoulli().statistics_type(n=np.array([3.0, 4.0]), k=np.array([3.0, 1.0]))
        >>> many = rule.posterior_many(th.Bernoulli(), th.Beta(1, 1), st)
        >>> many.params["a"].tolist(), many.params["b"].tolist()
        ([4.0, 2.0], [1.0, 4.0])
        >>> bool(np.isclose(many.log_evidence[0], rule.posterior(th.Bernoulli(), th.Beta(1, 1),
        ...     st.__class__(n=3.0, k=3.0)).log_evidence))
        True
        """
        if self.hyper is None:
            raise TypeError(f"{self.description}: no array form of the update")
        with np.errstate(all="ignore"):
            params = {k: np.asarray(v, dtype=float) for k, v in
                      self.hyper(prior, stats, family).items()}  # fmt: skip
            post = _Params(params)
            log_ev = np.asarray(self.evidence(prior, post, stats, family), dtype=float)
        m = int(np.shape(stats.n)[0])
        params = {k: np.broadcast_to(v, (m,)) for k, v in params.items()}
        return ManyPosteriors(self, params, np.broadcast_to(log_ev, (m,)))

    def applies(self, family: Distribution, prior: Distribution) -> bool:
        """Whether this rule is the one for ``family`` with ``prior``."""
        return (
            type(family) is self.family
            and type(prior) is self.prior
            and tuple(sorted(family.estimable)) == tuple(sorted(self.free))
        )

    def split(self, value: Any) -> dict[str, Any]:
        """A value over the prior's event as name -> value."""
        if isinstance(value, Mapping):  # matrix-valued events (NormalInverseWishart)
            return {name: value[name] for name in self.names}
        if len(self.names) == 1:
            return {self.names[0]: value}
        arr = np.asarray(value)
        return {name: arr[..., i] if arr.ndim > 1 else arr[i] for i, name in enumerate(self.names)}

    def posterior(self, family: Distribution, prior: Distribution, stats: Any) -> Posterior:
        """The exact posterior given the family's sufficient statistics ``stats``.

        What :func:`thetahat.posterior` returns, and what ``Posterior.update`` calls
        with the merged statistics of old and new data.
        """
        post = self.update(prior, stats, family)
        try:
            with np.errstate(all="ignore"):
                log_ev = float(self.evidence(prior, post, stats, family))
        except (ZeroDivisionError, OverflowError, FloatingPointError):
            log_ev = math.nan  # data near 1e300: a square overflows
        msgs: list[str] = []
        if not math.isfinite(log_ev):
            msgs.append("the log evidence is not finite")
            warn_user(msgs[-1], RuntimeWarning)
        return Posterior(
            dist=post,
            names=self.names,
            exact=True,
            log_evidence=log_ev,
            n=float(stats.n),
            family=family,
            prior=prior,
            stats=stats,
            rule=self,
            warnings=tuple(msgs),
        )

    def predictive(self, post: Distribution, family: Distribution, **obs: Any) -> Distribution:
        """Posterior predictive of one new observation."""
        return self.predictive_fn(post, family, **obs)

    def pseudo_counts(
        self, prior: Distribution, family: Distribution | None = None
    ) -> dict[str, Any]:
        """The prior read as imaginary observations (some need the family's fixed params)."""
        return self.pseudo_counts_fn(prior, family)


class _Params:
    """Posterior parameters as attributes (what the evidence formulas read), arrays."""

    def __init__(self, params: Mapping[str, Any]) -> None:
        self.__dict__.update(params)


@dataclass(frozen=True)
class ManyPosteriors:
    """The posteriors of many groups under one rule: the posterior's parameters (arrays,
    one entry per group) and each group's log evidence.

    Examples
    --------
    >>> import numpy as np
    >>> import thetahat as th
    >>> from thetahat.conjugacy import find_rule
    >>> rule = find_rule(th.Poisson(), th.Gamma(2, 1))
    >>> st = th.Poisson().statistics_type(n=np.array([2.0]), total=np.array([5.0]),
    ...                                   exposure=np.array([2.0]), const=np.zeros(1))
    >>> rule.posterior_many(th.Poisson(), th.Gamma(2, 1), st).summaries()["mean"].tolist()
    [2.3333333333333335]
    """

    rule: ConjugateRule
    params: dict[str, NDArray[np.float64]]
    log_evidence: NDArray[np.float64]

    def summaries(self, level: float = 0.95) -> dict[str, NDArray[np.float64]]:
        """Each group's posterior mode, mean, sd and equal-tailed interval (``low``,
        ``high``), from the posterior family's own formulas over arrays."""
        out = self.rule.prior.summaries_many(self.params, level)
        if out is None:
            raise TypeError(f"{self.rule.prior.__name__} has no array formulas")
        return out

    def reprs(self) -> list[str]:
        """Each group's posterior as its ``repr`` (``Beta(a=5, b=2)``)."""
        return self.rule.prior.reprs_many(self.params)


# ------------------------------------------------------------------ helpers
def _from_hyper(prior: Any, stats: Any, family: Any) -> Distribution:
    """Marks a rule whose update is the prior's type at its ``hyper`` parameters."""
    raise TypeError("the rule's update comes from its hyper parameters")


def _scalar_trials(family: Distribution, n: Any, what: str) -> float:
    if n is None:
        fixed = family.params.get("n")
        if fixed is None or np.ndim(fixed) != 0:
            raise ValueError(f"give the number of trials of the new observation: {what}(n=...)")
        n = fixed
    return float(n)


def _inverse_curvature(h: float) -> NDArray[np.float64]:
    """The 1 x 1 covariance ``1 / h`` of a one-parameter posterior whose log density
    curves by ``-h`` at its mode (infinite where it does not curve: a mode on an edge)."""
    return np.array([[1.0 / h if h > 0 and np.isfinite(h) else np.inf]])


def _beta_curv(post: Beta) -> NDArray[np.float64]:
    a, b, m = post.a, post.b, float(post.mode())
    assert a is not None and b is not None
    with np.errstate(divide="ignore", invalid="ignore"):
        return _inverse_curvature((a - 1.0) / m**2 + (b - 1.0) / (1.0 - m) ** 2)


def _gamma_curv(post: Gamma) -> NDArray[np.float64]:
    k, m = post.shape, float(post.mode())
    assert k is not None
    with np.errstate(divide="ignore", invalid="ignore"):
        return _inverse_curvature((k - 1.0) / m**2)


def _log_gamma_norm(shape: Any, rate: Any) -> Any:
    """``shape log rate - log Gamma(shape)``: the log normalising constant of a Gamma
    (or, with the scale for the rate, an InverseGamma) density. A conjugate evidence
    is the prior's constant less the posterior's."""
    return shape * np.log(rate) - sc.gammaln(shape)


def _beta_pseudo(prior: Beta, family: Any = None) -> dict[str, Any]:
    return {"successes": prior.a, "failures": prior.b, "n": prior.a + prior.b}


def _beta_evidence_core(prior: Beta, post: Any) -> Any:
    return sc.betaln(post.a, post.b) - sc.betaln(prior.a, prior.b)


# ------------------------------------------------------------------ Beta pairs
#: a Beta prior on a probability ``p``: what every Beta pair shares
_beta_rule = partial(
    ConjugateRule,
    prior=Beta,
    free=("p",),
    names=("p",),
    update=_from_hyper,
    curvature=_beta_curv,
    pseudo_counts_fn=_beta_pseudo,
)

BETA_BERNOULLI = _beta_rule(
    family=Bernoulli,
    hyper=lambda pr, s, f: {"a": pr.a + s.k, "b": pr.b + s.n - s.k},
    evidence=lambda pr, po, s, f: _beta_evidence_core(pr, po),
    predictive_fn=lambda po, f, **o: Bernoulli(po.a / (po.a + po.b)),
    description="Beta(a, b) -> Beta(a + k, b + n - k)",
)

BETA_BINOMIAL = _beta_rule(
    family=Binomial,
    hyper=lambda pr, s, f: {"a": pr.a + s.k, "b": pr.b + s.trials - s.k},
    evidence=lambda pr, po, s, f: s.log_coef + _beta_evidence_core(pr, po),
    predictive_fn=lambda po, f, n=None, **o: BetaBinomial(
        _scalar_trials(f, n, "predictive"), po.a, po.b
    ),
    description="Beta(a, b) -> Beta(a + sum x, b + sum(n - x))",
)

BETA_GEOMETRIC = _beta_rule(
    family=Geometric,
    hyper=lambda pr, s, f: {"a": pr.a + s.n, "b": pr.b + s.total},
    evidence=lambda pr, po, s, f: _beta_evidence_core(pr, po),
    predictive_fn=lambda po, f, **o: BetaNegativeBinomial(1.0, po.a, po.b),
    description="Beta(a, b) -> Beta(a + n, b + sum x)",
)


# ------------------------------------------------------------------ Dirichlet pairs
def _dirichlet_evidence(pr: Dirichlet, po: Dirichlet) -> float:
    a, b = np.asarray(pr.alpha), np.asarray(po.alpha)
    return float(sc.gammaln(a.sum()) - sc.gammaln(b.sum()) + np.sum(sc.gammaln(b) - sc.gammaln(a)))


def _dirichlet_update(pr: Dirichlet, s: Any) -> Dirichlet:
    alpha = np.asarray(pr.alpha)
    if s.counts.shape[0] != alpha.shape[0]:
        raise ValueError(
            f"the data have {s.counts.shape[0]} classes but the Dirichlet prior has "
            f"{alpha.shape[0]} concentrations"
        )
    return Dirichlet(alpha + s.counts)


def _dirichlet_curv(post: Dirichlet) -> NDArray[np.float64]:
    alpha = np.asarray(post.alpha)
    m = np.asarray(post.mode())
    excess = float(np.sum(np.maximum(alpha - 1.0, 0.0)))
    cov = (np.diag(m) - np.outer(m, m)) / excess if excess > 0 else np.full((m.size,) * 2, np.inf)
    on_edge = alpha <= 1.0
    cov[on_edge, :] = np.inf
    cov[:, on_edge] = np.inf
    return np.asarray(cov)


def _dirichlet_pseudo(prior: Dirichlet, family: Any = None) -> dict[str, Any]:
    return {"counts": np.asarray(prior.alpha), "n": float(np.sum(prior.alpha))}


#: a Dirichlet prior on class probabilities: what both Dirichlet pairs share
_dirichlet_rule = partial(
    ConjugateRule,
    prior=Dirichlet,
    free=("probs",),
    names=("probs",),
    update=lambda pr, s, f: _dirichlet_update(pr, s),
    curvature=_dirichlet_curv,
    pseudo_counts_fn=_dirichlet_pseudo,
)

DIRICHLET_CATEGORICAL = _dirichlet_rule(
    family=Categorical,
    evidence=lambda pr, po, s, f: _dirichlet_evidence(pr, po),
    predictive_fn=lambda po, f, **o: Categorical(np.asarray(po.alpha) / np.sum(po.alpha)),
    description="Dirichlet(alpha) -> Dirichlet(alpha + counts)",
)

DIRICHLET_MULTINOMIAL = _dirichlet_rule(
    family=Multinomial,
    evidence=lambda pr, po, s, f: s.log_coef + _dirichlet_evidence(pr, po),
    predictive_fn=lambda po, f, n=None, **o: DirichletMultinomial(
        _scalar_trials(f, n, "predictive"), np.asarray(po.alpha)
    ),
    description="Dirichlet(alpha) -> Dirichlet(alpha + column totals)",
)


# ------------------------------------------------------------------ Gamma pairs
def _gamma_evidence_core(pr: Gamma, po: Any) -> Any:
    return _log_gamma_norm(pr.shape, pr.rate) - _log_gamma_norm(po.shape, po.rate)


def _gamma_pseudo_poisson(prior: Gamma, family: Any = None) -> dict[str, Any]:
    return {"events": prior.shape, "exposure": prior.rate}


#: a Gamma prior on a rate: what both Gamma pairs share
_gamma_rule = partial(
    ConjugateRule,
    prior=Gamma,
    free=("rate",),
    names=("rate",),
    update=_from_hyper,
    curvature=_gamma_curv,
)

GAMMA_POISSON = _gamma_rule(
    family=Poisson,
    hyper=lambda pr, s, f: {"shape": pr.shape + s.total, "rate": pr.rate + s.exposure},
    evidence=lambda pr, po, s, f: s.const + _gamma_evidence_core(pr, po),
    predictive_fn=lambda po, f, exposure=1.0, **o: NegativeBinomial(
        po.shape, po.rate / (po.rate + float(exposure))
    ),
    pseudo_counts_fn=_gamma_pseudo_poisson,
    description="Gamma(shape, rate) -> Gamma(shape + sum x, rate + sum exposure)",
)

GAMMA_EXPONENTIAL = _gamma_rule(
    family=Exponential,
    hyper=lambda pr, s, f: {"shape": pr.shape + s.n, "rate": pr.rate + s.total},
    evidence=lambda pr, po, s, f: _gamma_evidence_core(pr, po),
    predictive_fn=lambda po, f, **o: Lomax(po.shape, po.rate),
    pseudo_counts_fn=lambda pr, f: {"observations": pr.shape, "total": pr.rate},
    description="Gamma(shape, rate) -> Gamma(shape + n, rate + sum x)",
)


# ------------------------------------------------------------------ Normal pairs
def _nn_hyper(pr: Normal, s: Any, f: Normal) -> dict[str, Any]:
    s2 = f.sigma**2
    prec = 1.0 / pr.sigma**2 + s.n / s2
    mean = (pr.mu / pr.sigma**2 + s.n * s.mean / s2) / prec
    return {"mu": mean, "sigma": (1.0 / prec) ** 0.5}  # (a Python float for one data set)


def _nn_evidence(pr: Normal, po: Any, s: Any, f: Normal) -> Any:
    s2 = f.sigma**2
    v = s2 / s.n + pr.sigma**2
    return (
        -0.5 * s.n * (_LOG_2PI + np.log(s2))
        - s.m2 / (2.0 * s2)
        + 0.5 * (_LOG_2PI + np.log(s2 / s.n))
        - 0.5 * (_LOG_2PI + np.log(v))
        - (s.mean - pr.mu) ** 2 / (2.0 * v)
    )


def _nn_pseudo(pr: Normal, f: Normal | None) -> dict[str, Any]:
    # a Normal(m, s) prior on mu is worth sigma^2 / s^2 observations with mean m
    if f is None or f.sigma is None:
        raise ValueError("the pseudo-count of a Normal prior on mu needs the family's sigma")
    return {"mean": pr.mu, "n": float(f.sigma**2 / pr.sigma**2)}


#: a Normal likelihood: its priors' posteriors come from their ``hyper`` arithmetic
_normal_rule = partial(ConjugateRule, family=Normal, update=_from_hyper)

NORMAL_NORMAL = _normal_rule(
    prior=Normal,
    free=("mu",),
    names=("mu",),
    hyper=_nn_hyper,
    evidence=_nn_evidence,
    predictive_fn=lambda po, f, **o: Normal(po.mu, float(np.hypot(po.sigma, f.sigma))),
    curvature=lambda po: np.array([[po.sigma**2]]),
    pseudo_counts_fn=_nn_pseudo,
    description="Normal(m, s) on mu -> Normal(precision-weighted mean, 1/sqrt(1/s^2 + n/sigma^2))",
)


def _ig_ss(s: Any, mu: float) -> Any:
    return s.m2 + s.n * (s.mean - mu) ** 2


def _ig_hyper(pr: InverseGamma, s: Any, f: Normal) -> dict[str, Any]:
    return {"shape": pr.shape + 0.5 * s.n, "scale": pr.scale + 0.5 * _ig_ss(s, f.mu)}


def _ig_evidence(pr: InverseGamma | NormalInverseGamma, po: Any, s: Any, f: Normal) -> Any:
    return (
        -0.5 * s.n * _LOG_2PI
        + _log_gamma_norm(pr.shape, pr.scale)
        - _log_gamma_norm(po.shape, po.scale)
    )


def _ig_curv(po: InverseGamma) -> NDArray[np.float64]:
    a, b = po.shape, po.scale
    m = b / (a + 1.0)
    h = 2.0 * b / m**3 - (a + 1.0) / m**2
    return np.array([[1.0 / h]])


INVGAMMA_NORMAL = _normal_rule(
    prior=InverseGamma,
    free=("sigma",),
    names=("var",),
    hyper=_ig_hyper,
    evidence=_ig_evidence,
    predictive_fn=lambda po, f, **o: StudentT(
        2.0 * po.shape, f.mu, float(np.sqrt(po.scale / po.shape))
    ),
    curvature=_ig_curv,
    to_family=lambda v: {"sigma": float(np.sqrt(v["var"]))},
    pseudo_counts_fn=lambda pr, f: {"n": 2.0 * pr.shape, "sum_sq": 2.0 * pr.scale},
    description="InverseGamma(a, b) on var -> InverseGamma(a + n/2, b + sum (x - mu)^2 / 2)",
)


def _nig_hyper(pr: NormalInverseGamma, s: Any, f: Normal) -> dict[str, Any]:
    lam_n = pr.lam + s.n
    mu_n = (pr.lam * pr.mu + s.n * s.mean) / lam_n
    shape_n = pr.shape + 0.5 * s.n
    scale_n = pr.scale + 0.5 * s.m2 + pr.lam * s.n * (s.mean - pr.mu) ** 2 / (2.0 * lam_n)
    return {"mu": mu_n, "lam": lam_n, "shape": shape_n, "scale": scale_n}


def _nig_evidence(pr: NormalInverseGamma, po: Any, s: Any, f: Normal) -> Any:
    return (
        _ig_evidence(pr, po, s, f)  # the variance's part; the mean's below
        + 0.5 * (np.log(pr.lam) - np.log(po.lam))
    )


def _nig_curv(po: NormalInverseGamma) -> NDArray[np.float64]:
    v = po.scale / (po.shape + 1.5)
    return np.diag([v / po.lam, v * v / (po.shape + 1.5)])


NIG_NORMAL = _normal_rule(
    prior=NormalInverseGamma,
    free=("mu", "sigma"),
    names=("mu", "var"),
    hyper=_nig_hyper,
    evidence=_nig_evidence,
    predictive_fn=lambda po, f, **o: StudentT(
        2.0 * po.shape, po.mu, float(np.sqrt(po.scale * (po.lam + 1.0) / (po.shape * po.lam)))
    ),
    curvature=_nig_curv,
    to_family=lambda v: {"mu": float(v["mu"]), "sigma": float(np.sqrt(v["var"]))},
    pseudo_counts_fn=lambda pr, f: {
        "n_mean": pr.lam,
        "mean": pr.mu,
        "n_var": 2.0 * pr.shape,
        "sum_sq": 2.0 * pr.scale,
    },
    description="NormalInverseGamma(mu0, lam, a, b) on (mu, var)",
)


# ------------------------------------------------------------------ Multivariate normal pairs
def _logdet(m: Any) -> float:
    return float(2.0 * np.sum(np.log(np.diag(np.linalg.cholesky(m)))))


def _sym(m: Any) -> NDArray[np.float64]:
    m = np.asarray(m, dtype=float)
    return np.asarray(0.5 * (m + m.T))


def _niw_update(pr: NormalInverseWishart, s: Any, f: Any) -> NormalInverseWishart:
    mu0 = np.asarray(pr.mu, dtype=float)
    if np.shape(s.mean) != mu0.shape:
        raise ValueError(
            f"the data have {np.size(s.mean)} columns but the NormalInverseWishart prior is "
            f"over {mu0.shape[0]}-vectors"
        )
    kn = pr.kappa + s.n
    d = np.asarray(s.mean, dtype=float) - mu0
    psi_n = pr.psi + s.scatter + (pr.kappa * s.n / kn) * np.outer(d, d)
    return NormalInverseWishart((pr.kappa * mu0 + s.n * s.mean) / kn, kn, pr.nu + s.n, _sym(psi_n))


def _wishart_evidence(pr: Any, po: Any, s: Any) -> float:
    k = pr.psi.shape[0]
    return float(
        -0.5 * s.n * k * np.log(np.pi)
        + sc.multigammaln(0.5 * po.nu, k)
        - sc.multigammaln(0.5 * pr.nu, k)
        + 0.5 * pr.nu * _logdet(pr.psi)
        - 0.5 * po.nu * _logdet(po.psi)
    )


def _niw_curv(po: NormalInverseWishart) -> NDArray[np.float64]:
    from scipy.linalg import block_diag

    k = po.psi.shape[0]
    mode = po.psi / (po.nu + k + 2.0)
    return np.asarray(block_diag(mode / po.kappa, scatter_cov(mode, po.nu + k + 2.0)))


def _niw_predictive(po: NormalInverseWishart) -> MultivariateStudentT:
    k = po.psi.shape[0]
    df = po.nu - k + 1.0
    return MultivariateStudentT(df, po.mu, po.psi * (po.kappa + 1.0) / (po.kappa * df))


def _iw_update(pr: InverseWishart, s: Any, f: Any) -> InverseWishart:
    if np.shape(s.mean) != (pr.psi.shape[0],):
        raise ValueError(
            f"the data have {np.size(s.mean)} columns but the InverseWishart prior is over "
            f"{pr.psi.shape[0]} x {pr.psi.shape[0]} matrices"
        )
    return InverseWishart(pr.nu + s.n, _sym(pr.psi + s.scatter_about(f.mu)))


def _iw_curv(po: InverseWishart) -> NDArray[np.float64]:
    k = po.psi.shape[0]
    return scatter_cov(po.psi / (po.nu + k + 1.0), po.nu + k + 1.0)


NIW_MVN = ConjugateRule(
    family=MultivariateNormal,
    prior=NormalInverseWishart,
    free=("mu", "cov"),
    names=("mu", "cov"),
    update=_niw_update,
    evidence=lambda pr, po, s, f: (
        _wishart_evidence(pr, po, s) + 0.5 * pr.psi.shape[0] * (np.log(pr.kappa) - np.log(po.kappa))
    ),
    predictive_fn=lambda po, f, **o: _niw_predictive(po),
    curvature=_niw_curv,
    pseudo_counts_fn=lambda pr, f: {
        "n_mean": pr.kappa,
        "mean": pr.mu,
        "n_cov": pr.nu,
        "scatter": pr.psi,
    },
    description="NormalInverseWishart(m, kappa, nu, psi) on (mu, cov)",
)

IW_MVN = ConjugateRule(
    family=MultivariateNormal,
    prior=InverseWishart,
    free=("cov",),
    names=("cov",),
    update=_iw_update,
    evidence=lambda pr, po, s, f: _wishart_evidence(pr, po, s),
    predictive_fn=lambda po, f, **o: MultivariateStudentT(
        po.nu - po.psi.shape[0] + 1.0, f.mu, po.psi / (po.nu - po.psi.shape[0] + 1.0)
    ),
    curvature=_iw_curv,
    pseudo_counts_fn=lambda pr, f: {"n": pr.nu, "scatter": pr.psi},
    description="InverseWishart(nu, psi) on cov -> IW(nu + n, psi + sum (x - mu)(x - mu)^T)",
)

RULES: tuple[ConjugateRule, ...] = (
    BETA_BERNOULLI,
    BETA_BINOMIAL,
    BETA_GEOMETRIC,
    DIRICHLET_CATEGORICAL,
    DIRICHLET_MULTINOMIAL,
    GAMMA_POISSON,
    GAMMA_EXPONENTIAL,
    NORMAL_NORMAL,
    INVGAMMA_NORMAL,
    NIG_NORMAL,
    NIW_MVN,
    IW_MVN,
)


def find_rule(family: Distribution, prior: Any) -> ConjugateRule | None:
    """The conjugate rule for ``family`` (with its fixed parameters) and ``prior``.

    Examples
    --------
    >>> import thetahat as th
    >>> from thetahat.conjugacy import find_rule
    >>> find_rule(th.Poisson(), th.Gamma(2, 1)).description
    'Gamma(shape, rate) -> Gamma(shape + sum x, rate + sum exposure)'
    >>> find_rule(th.Poisson(), th.LogNormal(0, 1)) is None
    True
    """
    if not isinstance(prior, Distribution):
        return None
    for rule in RULES:
        if rule.applies(family, prior):
            return rule
    return None


def conjugate_priors(family: Distribution | type[Distribution]) -> list[str]:
    """Human list of the conjugate priors available for a family.

    Examples
    --------
    >>> import thetahat as th
    >>> from thetahat.conjugacy import conjugate_priors
    >>> for prior in conjugate_priors(th.Normal):
    ...     print(prior)
    ...
    Normal on mu (with sigma fixed)
    InverseGamma on var (with mu fixed)
    NormalInverseGamma on mu, var
    """
    cls = family if isinstance(family, type) else type(family)
    out = []
    for rule in RULES:
        if rule.family is cls:
            fixed = [p for p in cls.param_names() if p not in rule.free and p != "n"]
            note = f" (with {', '.join(fixed)} fixed)" if fixed else ""
            out.append(f"{rule.prior.__name__} on {', '.join(rule.names)}{note}")
    return out
