"""The conjugate catalog as a Markdown table, generated from ``thetahat.conjugacy.RULES``."""

from __future__ import annotations

import dataclasses
import inspect
import re
import textwrap
from typing import Any

import thetahat as th
from thetahat import conjugacy
from thetahat.conjugacy import RULES, ConjugateRule

#: one small case per rule: (family with its fixed parameters, prior, data,
#: keywords of fit) - used to name the posterior predictive each rule gives
_CASES: dict[tuple[str, str], tuple[Any, Any, Any, dict[str, Any]]] = {
    ("Bernoulli", "Beta"): (th.Bernoulli(), th.Beta(2, 2), [1, 0, 1], {}),
    ("Binomial", "Beta"): (th.Binomial(n=10), th.Beta(2, 2), [3, 4], {}),
    ("Geometric", "Beta"): (th.Geometric(), th.Beta(2, 2), [0, 3], {}),
    ("Categorical", "Dirichlet"): (th.Categorical(), th.Dirichlet([1, 1, 1]), [0, 2], {}),
    ("Multinomial", "Dirichlet"): (
        th.Multinomial(n=3),
        th.Dirichlet([1, 1]),
        [[1, 2], [0, 3]],
        {},
    ),
    ("Poisson", "Gamma"): (th.Poisson(), th.Gamma(2, 1), [2, 3], {"exposure": [1.0, 2.0]}),
    ("Exponential", "Gamma"): (th.Exponential(), th.Gamma(2, 1), [0.5, 1.5], {}),
    ("Normal", "Normal"): (th.Normal(sigma=1.0), th.Normal(0, 10), [1.0, 2.0], {}),
    ("Normal", "InverseGamma"): (th.Normal(mu=0.0), th.InverseGamma(2, 2), [1.0, -2.0], {}),
    ("Normal", "NormalInverseGamma"): (
        th.Normal(),
        th.NormalInverseGamma(0, 1, 2, 2),
        [1.0, 2.0],
        {},
    ),
    ("MultivariateNormal", "NormalInverseWishart"): (
        th.MultivariateNormal(),
        th.NormalInverseWishart([0.0, 0.0], 1.0, 4.0, [[1.0, 0.0], [0.0, 1.0]]),
        [[1.0, 2.0], [0.5, 1.0], [2.0, 2.5]],
        {},
    ),
    ("MultivariateNormal", "InverseWishart"): (
        th.MultivariateNormal(mu=[0.0, 0.0]),
        th.InverseWishart(4.0, [[1.0, 0.0], [0.0, 1.0]]),
        [[1.0, 2.0], [0.5, 1.0], [2.0, 2.5]],
        {},
    ),
}


def _key(rule: ConjugateRule) -> tuple[str, str]:
    return rule.family.__name__, rule.prior.__name__


def _predictive(rule: ConjugateRule) -> str:
    if _key(rule) not in _CASES:  # a new rule: add a case above to name its predictive
        return "see the rule"
    family, prior, data, kw = _CASES[_key(rule)]
    post = th.posterior(family, data, prior=prior, **kw)
    return f"`{type(post.predictive()).__name__}`"


def _code(fn: Any) -> str:
    src = textwrap.dedent(inspect.getsource(fn)).strip()
    src = src.removeprefix("update=").rstrip(",")
    for helper in dict.fromkeys(re.findall(r"\b(_[a-z_]+)\(", src)):
        obj = getattr(conjugacy, helper, None)
        if inspect.isfunction(obj):  # a helper the rule calls: show it too
            src += "\n\n" + textwrap.dedent(inspect.getsource(obj)).strip()
    return src


def _stats(rule: ConjugateRule) -> str:
    if _key(rule) not in _CASES:
        return ""
    family = _CASES[_key(rule)][0]
    fields = [f.name for f in dataclasses.fields(family.statistics_type)]
    return f"`{family.statistics_type.__name__}({', '.join(fields)})`"


def table() -> str:
    """The catalog table, then each rule's update code."""
    rows = [
        "| Likelihood | Prior on | Posterior update | Statistics `s` | Predictive "
        "| Prior read as data |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for rule in RULES:
        fixed = [p for p in rule.family.param_names() if p not in rule.free and p != "n"]
        lik = f"`{rule.family.__name__}`" + (f" ({', '.join(fixed)} fixed)" if fixed else "")
        family, prior, _data, _kw = _CASES.get(_key(rule), (None,) * 4)
        pseudo = ", ".join(rule.pseudo_counts(prior, family)) if prior is not None else ""
        rows.append(
            f"| {lik} | `{rule.prior.__name__}` on {', '.join(rule.names)} "
            f"| `{rule.description}` | {_stats(rule)} | {_predictive(rule)} | {pseudo} |"
        )
    parts = [
        "\n".join(rows),
        "",
        "The update rules as the code computes them "
        "(`thetahat/conjugacy.py`; `pr` is the prior, `s` the family's sufficient "
        "statistics, `f` the family with its fixed parameters):",
        "",
    ]
    for rule in RULES:
        parts += [
            f'??? note "{rule.family.__name__} likelihood, {rule.prior.__name__} prior"',
            "    ```python",
            textwrap.indent(_code(rule.update), "    "),
            "    ```",
            "",
        ]
    return "\n".join(parts)
