"""Derivations you can check: every closed form of thetahat derived by SymPy.

>>> from thetahat import derive                     # doctest: +SKIP
>>> d = derive.derive("bernoulli", prior="beta")    # doctest: +SKIP
>>> print(d)                                        # the steps, as text
>>> d.results["mle"], d.results["map"]              # SymPy expressions
>>> d.evaluate("mle", k=3, n=10)                    # {'p': 0.3}

Families: Bernoulli, Binomial, Categorical and Multinomial (with a Lagrange
multiplier), Poisson with exposure, Geometric, Exponential and Normal with mu
and/or sigma free; conjugate priors Beta, Dirichlet, Gamma, Normal (on mu),
InverseGamma (on the variance) and NormalInverseGamma. Regression: OLS, ridge,
lasso and logistic (:func:`regression`). :func:`drill` is the interview drill.

Each derivation differentiates and solves (it does not fill in known
answers): the model is only the log density and the names of the statistics
(:mod:`thetahat.derive._families`). The tests in ``tests/derive`` evaluate the
results at random data and compare them with ``th.fit`` and ``th.posterior``.

Needs SymPy: ``pip install "thetahat[derive]"``.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

try:
    import sympy  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError('thetahat.derive needs SymPy: pip install "thetahat[derive]"') from exc

from ._conjugate import PRIORS, derive_posterior, prior_spec
from ._families import FAMILIES, family_spec
from ._likelihood import derive_mle
from ._regression import REGRESSIONS, derive_regression
from ._steps import FORMATS, Derivation, Step

__all__ = [
    "FAMILIES",
    "FORMATS",
    "PRIORS",
    "REGRESSIONS",
    "Derivation",
    "Step",
    "derive",
    "drill",
    "regression",
]

#: thetahat prior classes -> prior spec names
_PRIOR_CLASSES = {
    "Beta": "beta",
    "Dirichlet": "dirichlet",
    "Gamma": "gamma",
    "Normal": "normal",
    "InverseGamma": "inverse-gamma",
    "NormalInverseGamma": "normal-inverse-gamma",
}


def _family_key(family: Any) -> tuple[str, tuple[str, ...] | None, int | None]:
    """A family given as a name, a thetahat class or a thetahat instance."""
    from ..distributions import Distribution

    if isinstance(family, str):
        return family.strip().lower(), None, None
    if isinstance(family, type) and issubclass(family, Distribution):
        return family.__name__.lower(), None, None
    if isinstance(family, Distribution):
        key = type(family).__name__.lower()
        k = getattr(family, "k", None)
        if key in ("binomial", "multinomial"):
            return key, None, k
        return key, tuple(family.free), k
    raise TypeError(f"family must be a name or a thetahat distribution, got {family!r}")


def _prior_key(prior: Any) -> tuple[str | None, dict[str, float]]:
    from ..distributions import Distribution

    if prior is None:
        return None, {}
    if isinstance(prior, str):
        return prior, {}
    if isinstance(prior, Distribution):
        name = _PRIOR_CLASSES.get(type(prior).__name__)
        if name is None:
            raise ValueError(f"{type(prior).__name__} is not a conjugate prior with a derivation")
        if prior.free:
            return name, {}
        values = {}
        for k, v in prior.params.items():
            values[k] = v
        return name, values
    raise TypeError(f"prior must be a name or a thetahat distribution, got {prior!r}")


@functools.lru_cache(maxsize=64)
def _build(key: str, prior: str | None, free: tuple[str, ...] | None, classes: int) -> Derivation:
    spec = family_spec(key, classes)
    if free is None:
        free = spec.free_default
    if key in ("categorical", "multinomial"):
        free = spec.free_default
    unknown = [f for f in free if f not in spec.params]
    if unknown or not free:
        raise ValueError(
            f"{key} has parameters {', '.join(spec.params)}; cannot leave {unknown or 'none'} free"
        )
    d = derive_mle(spec, free)
    if prior is not None:
        derive_posterior(d, spec, prior_spec(prior, key, free), free)
        d.title = d.title.replace("Maximum likelihood", "Maximum likelihood, MAP and posterior")
    return d


def derive(
    family: Any,
    prior: Any = None,
    *,
    free: tuple[str, ...] | list[str] | str | None = None,
    classes: int | None = None,
) -> Derivation:
    """The derivation for ``family`` (and a conjugate ``prior``), step by step.

    Parameters
    ----------
    family : str or thetahat distribution
        ``"bernoulli"``, ``"binomial"``, ``"categorical"``, ``"multinomial"``,
        ``"poisson"``, ``"geometric"``, ``"exponential"`` or ``"normal"``; or
        ``th.Normal(sigma=1)``-style instances, whose given parameters are known.
    prior : str or thetahat distribution, optional
        ``"beta"``, ``"dirichlet"``, ``"gamma"``, ``"normal"``, ``"inverse-gamma"``
        or ``"normal-inverse-gamma"`` (symbolic hyperparameters), or a frozen
        ``th.Beta(2, 2)``, whose numbers are substituted in a last step.
    free : parameter names, optional
        For the Normal: ``"mu"``, ``"sigma"`` or both (the default).
    classes : int, optional
        K for categorical and multinomial (the derivation is for a given K): by
        default that of the family instance or the Dirichlet prior given, else 3.

    Returns
    -------
    Derivation
        ``str(d)`` or ``d.render("markdown"|"latex")``; ``d.results`` holds the
        expressions (``"mle"``, ``"score"``, ``"se"``, ``"fisher"``, ``"crb"``,
        ``"bias"``, and with a prior ``"map"``, ``"posterior"``,
        ``"posterior_mean"``, ``"increments"``, ``"prior_worth"``).

    Examples
    --------
    >>> from thetahat.derive import derive
    >>> d = derive("bernoulli", "beta")
    >>> d.results["mle"]
    {'p': k/n}
    >>> d.results["map"]
    {'p': (a + k - 1)/(a + b + n - 2)}
    >>> d.evaluate("map", a=2, b=2, k=3, n=3)
    {'p': 0.8}
    """
    key, inst_free, k = _family_key(family)
    if isinstance(free, str):
        free = tuple(f.strip() for f in free.split(",") if f.strip())
    chosen = tuple(free) if free is not None else inst_free
    pname, values = _prior_key(prior)
    sizes = {int(np.size(v)) for v in values.values() if np.ndim(v)}
    sizes |= {int(c) for c in (k, classes) if c is not None}
    if len(sizes) > 1:
        raise ValueError(
            f"the number of classes disagrees: {', '.join(map(str, sorted(sizes)))} "
            "(family, prior and classes= must agree)"
        )
    d = _build(key, pname, chosen, sizes.pop() if sizes else 3).copy()
    if values:
        _substitute(d, values)
    return d


def _substitute(d: Derivation, values: dict[str, Any]) -> None:
    """Put a frozen prior's numbers into the Bayesian results (a last step)."""
    import numpy as np
    import sympy as sp

    subs: dict[Any, Any] = {}
    hyper = [s for name, s in d.symbols.items() if name in ("a", "b", "m", "s", "lambda0")]
    by_name = {str(s): s for s in hyper}
    rename = {"shape": "a", "rate": "b", "scale": "b", "mu": "m", "sigma": "s", "lam": "lambda0"}
    for name, v in values.items():
        if np.ndim(v):
            for j, x in enumerate(np.asarray(v), 1):
                sym = d.symbols.get(f"alpha_{j}")
                if sym is not None:
                    subs[sym] = sp.nsimplify(float(x))
            continue
        key = name if name in by_name else rename.get(name, name)
        if key in by_name:
            subs[by_name[key]] = sp.nsimplify(float(v))
    eqs = []
    for res in ("map", "posterior", "posterior_mean"):
        if res in d.results:
            d.results[res] = {k: sp.factor(e.xreplace(subs)) for k, e in d.results[res].items()}
            eqs += [
                sp.Eq(sp.Symbol(f"{res}[{k}]"), e, evaluate=False)
                for k, e in d.results[res].items()
            ]
    shown = ", ".join(f"{k} = {v}" for k, v in subs.items())
    d.add("With the prior's numbers", f"Substituting {shown}:", *eqs)


def regression(name: str) -> Derivation:
    """The derivation of ``"ols"``, ``"ridge"``, ``"lasso"`` or ``"logistic"``.

    Examples
    --------
    >>> from thetahat.derive import regression
    >>> ridge = regression("ridge")
    >>> ridge.results["map"]
    (lambda*I + X.T*X)**(-1)*X.T*y
    """
    return _regression(str(name).strip().lower()).copy()


@functools.lru_cache(maxsize=8)
def _regression(name: str) -> Derivation:
    return derive_regression(name)


def drill(fmt: str = "text") -> str:
    """The interview drill: standard questions with derivations and common wrong answers.

    Examples
    --------
    >>> from thetahat.derive import drill
    >>> print(drill().splitlines()[0])
    Q1. Derive the MLE of a Gaussian
    """
    from ._drill import run_drill

    return run_drill(fmt)
