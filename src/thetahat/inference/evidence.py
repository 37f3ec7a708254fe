"""Model comparison by evidence: ``th.compare(..., prior=...)``.

Each family's posterior under its prior is computed by ``th.posterior(method="auto")``
(exact where conjugate, else quadrature for up to three parameters, else Laplace);
its log evidence ``log p(data | model)`` and error estimate become columns of the
comparison beside AIC/BIC, with the Bayes factor against the best model and the
posterior model probabilities.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..results import Posterior
from ._family import as_family

__all__ = ["EVIDENCE_COLUMNS", "add_evidence", "model_probabilities", "priors_for"]

#: the columns an evidence comparison adds to each row
EVIDENCE_COLUMNS = ("log_evidence", "log_evidence_error", "bayes_factor", "post_prob", "method")


def priors_for(families: Sequence[Any], labels: Sequence[str], prior: Any) -> list[Any]:
    """One prior per family, from a sequence aligned with ``families`` or a mapping
    keyed by family class, instance or label."""
    if isinstance(prior, Mapping):
        out = []
        for fam, label in zip(families, labels, strict=True):
            for key in (label, type(fam), fam, type(fam).__name__):
                try:
                    if key in prior:
                        out.append(prior[key])
                        break
                except TypeError:  # an unhashable key candidate
                    continue
            else:
                raise ValueError(
                    f"prior= has no prior for {label}; give one per family (a list in the "
                    "order of families, or a dict keyed by family class or label)"
                )
        return out
    if isinstance(prior, Sequence) and not isinstance(prior, str):
        if len(prior) != len(families):
            raise ValueError(
                f"prior= lists {len(prior)} priors for {len(families)} families; give one each"
            )
        return list(prior)
    raise TypeError(
        "prior= must be a list of priors (one per family) or a dict family -> prior, "
        f"got {type(prior).__name__}"
    )


def model_probabilities(
    log_evidence: Sequence[float], model_prior: Sequence[float] | None = None
) -> np.ndarray:
    """Posterior model probabilities ``p(M_i | data)`` from log evidences.

    Notes
    -----
    ``p(M_i | data) = p(data | M_i) p(M_i) / sum_j p(data | M_j) p(M_j)``, computed
    as a softmax of ``log p(data | M_i) + log p(M_i)`` (uniform ``p(M_i)`` by default);
    a model whose evidence is NaN gets NaN and is left out of the normalisation.

    Examples
    --------
    >>> import numpy as np
    >>> model_probabilities([0.0, -np.log(3.0)]).round(6).tolist()
    [0.75, 0.25]
    """
    le = np.asarray(log_evidence, dtype=float)
    lp = np.zeros_like(le) if model_prior is None else np.log(np.asarray(model_prior, float))
    ok = np.isfinite(le)
    out = np.full(le.shape, np.nan)
    if ok.any():
        a = le[ok] + lp[ok]
        a = a - np.max(a)
        out[ok] = np.exp(a) / np.exp(a).sum()
    return out


def add_evidence(
    rows: list[dict[str, Any]],
    families: Sequence[Any],
    labels: Sequence[str],
    data: Any,
    prior: Any,
    weights: Any,
    model_prior: Sequence[float] | None = None,
) -> dict[str, Posterior]:
    """Add the :data:`EVIDENCE_COLUMNS` to ``rows`` (matched by label); returns the
    posteriors by label."""
    from .posterior import posterior

    fams = [as_family(f) for f in families]
    priors = priors_for(fams, labels, prior)
    posts: dict[str, Posterior] = {}
    by_label = {r["family"]: r for r in rows}
    for fam, label, pr in zip(fams, labels, priors, strict=True):
        row = by_label[label]
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                post = posterior(fam, data, prior=pr, weights=weights, method="auto")
            posts[label] = post
            row.update(log_evidence=post.log_evidence, method=post.method,
                       log_evidence_error=post.log_evidence_error)  # fmt: skip
            if post.method == "laplace":
                row["note"] = "; ".join(
                    x for x in (row.get("note", ""), "evidence by the Laplace approximation") if x
                )
            for w in caught:
                row["note"] = "; ".join(x for x in (row.get("note", ""), str(w.message)) if x)
        except (ValueError, TypeError) as exc:
            row.update(log_evidence=math.nan, log_evidence_error=math.nan, method="-")
            row["note"] = "; ".join(x for x in (row.get("note", ""), f"no evidence: {exc}") if x)
    le = [float(by_label[lab]["log_evidence"]) for lab in labels]
    probs = model_probabilities(le, model_prior)
    best = max((v for v in le if math.isfinite(v)), default=math.nan)
    for lab, v, pp in zip(labels, le, probs, strict=True):
        by_label[lab]["bayes_factor"] = math.exp(v - best) if math.isfinite(v) else math.nan
        by_label[lab]["post_prob"] = float(pp)
    return posts
