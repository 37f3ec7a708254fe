"""``shrink``: empirical Bayes for many small groups.

The three-heads problem at scale: ranked by their raw rates, the luckiest tiny
groups come out on top. ``shrink`` fits a prior to all the groups together by
maximum marginal likelihood and shrinks each group's estimate toward it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validation import check_level
from .._warnings import warn_user
from ..distributions import Bernoulli, Binomial, Distribution, Normal, Poisson
from ..optim import Status
from ..results import BoundaryWarning, ConvergenceWarning, Estimate, Posterior
from ..results.shrinkage import Shrinkage
from ._binomial import beta_binomial_fit, beta_binomial_groups, beta_binomial_posterior
from ._common import HyperFit
from ._input import Where, broadcast, check_counts, column, factorize, is_frame, numbers
from ._normal import (
    normal_normal_fit,
    normal_normal_groups,
    normal_normal_posterior,
    prior_sigma,
)
from ._poisson import gamma_poisson_fit, gamma_poisson_groups, gamma_poisson_posterior

__all__ = ["shrink"]

FloatArray = NDArray[np.float64]


# ---------------------------------------------------------------- kind
def _kind(family: Any, se: Any, exposure: Any) -> str:
    if family is None:
        if se is not None:
            return "normal"
        if exposure is not None:
            return "poisson"
        return "binomial"
    cls = family if isinstance(family, type) else type(family)
    if isinstance(cls, type) and issubclass(cls, Binomial | Bernoulli):
        return "binomial"
    if isinstance(cls, type) and issubclass(cls, Poisson):
        return "poisson"
    if isinstance(cls, type) and issubclass(cls, Normal):
        return "normal"
    name = cls.__name__ if isinstance(cls, type) else repr(family)
    if isinstance(cls, type) and issubclass(cls, Distribution):
        raise ValueError(
            f"shrink supports th.Binomial (Beta prior), th.Poisson (Gamma prior) and "
            f"th.Normal (Normal prior), not {name}"
        )
    raise TypeError(f"family must be th.Binomial, th.Poisson or th.Normal, got {family!r}")


# ---------------------------------------------------------------- public entry
def shrink(
    data: Any,
    trials: Any = None,
    *,
    family: Any = None,
    exposure: Any = None,
    se: Any = None,
    group: Any = None,
    successes: str | None = None,
    counts: str | None = None,
    estimates: str | None = None,
    level: float = 0.95,
    method: str = "ml",
    hyperprior: Callable[..., Any] | None = None,
) -> Shrinkage:
    """Empirical-Bayes shrinkage of many groups toward a prior fitted to all of them.

    Parameters
    ----------
    data : array_like or DataFrame
        One value per group (or per row when ``group`` labels rows): successes
        for Binomial, counts for Poisson, estimates for Normal. A pandas, polars,
        Dask or Spark dataframe names its columns with the keywords below; on
        Dask and Spark the per-group sums (and the row checks) run on the
        cluster, one aggregate pass, and only a row per group reaches the client.
    trials : array_like or str, optional
        Binomial trials per group (a column name with a dataframe). With a
        dataframe and no trials, every row is one trial (0/1 successes).
    family : th.Binomial (default), th.Poisson or th.Normal
    exposure : array_like or str, optional
        Poisson exposure per group (time at risk, views...); 1 by default.
    se : array_like or str
        Normal standard errors of the estimates (required for Normal).
    group : array_like or str, optional
        Group labels, one per row, or the dataframe's group column: rows are
        summed into per-group sufficient statistics first (successes and trials,
        counts and exposure; for Normal the precision-weighted mean with
        ``se = 1 / sqrt(sum 1 / se_i^2)``). Groups keep the order of first
        appearance. Without it every entry (row) is one group.
    successes, counts, estimates : str, optional
        Column names of the data with a dataframe.
    level : float
        Probability of the equal-tailed credible intervals (0.95).
    method : {"ml", "reml", "full"}
        Maximum marginal likelihood, or (Normal only) restricted ML, which
        accounts for estimating the prior mean; or ``"full"``: full Bayes, the
        hyperparameters integrated over their posterior by quadrature, so each
        group's interval carries the uncertainty of the prior
        (``hyperposterior`` holds their posterior; see Notes).
    hyperprior : callable, optional
        With ``method="full"``: the log density of the hyperprior over the natural
        hyperparameters, vectorised, ``f(a, b)``, ``f(shape, rate)`` or
        ``f(mu, tau)``; BDA's defaults otherwise.

    Returns
    -------
    Shrinkage
        ``prior``, ``hyper`` (hyperparameters with ``se``), ``table``,
        ``posterior(group)``, ``loglik``, ``summary()``.

    Notes
    -----
    **Beta-Binomial.** ``theta_j ~ Beta(a, b)`` and ``k_j ~ Binomial(n_j, theta_j)``;
    ``(a, b)`` maximise ``sum_j log C(n_j, k_j) + log B(a + k_j, b + n_j - k_j) -
    log B(a, b)`` (Newton with analytic digamma/trigamma derivatives on counted
    sums, from the method of moments). Group j's posterior is
    ``Beta(a + k_j, b + n_j - k_j)``, whose mean
    ``w m + (1 - w) k_j / n_j`` puts weight ``w = (a + b) / (a + b + n_j)``
    (the ``shrinkage`` column) on the prior mean ``m = a / (a + b)``.

    **Gamma-Poisson.** ``lambda_j ~ Gamma(shape, rate)``, ``x_j ~ Poisson(lambda_j
    t_j)``; the marginal of ``x_j`` is Negative-Binomial and the posterior
    ``Gamma(shape + x_j, rate + t_j)``, weight ``rate / (rate + t_j)`` on the prior
    mean ``shape / rate``.

    **Normal-Normal** (the eight-schools model). ``theta_j ~ Normal(mu, tau)`` and
    ``y_j ~ Normal(theta_j, se_j)``, so ``y_j ~ Normal(mu, sqrt(se_j^2 + tau^2))``;
    ``mu`` and ``tau`` by ML (or REML). The posterior mean is
    ``B_j mu + (1 - B_j) y_j`` with ``B_j = se_j^2 / (se_j^2 + tau^2)``. With equal
    standard errors ``sigma`` and ``S = sum (y_j - ybar)^2`` over k groups,
    ML gives ``B = min(1, k sigma^2 / S)``; the James-Stein estimator
    ``ybar + (1 - (k - 3) sigma^2 / S) (y_j - ybar)`` is the same rule with
    ``(k - 3)`` in place of k (the unbiased estimate of ``1 / (sigma^2 + tau^2)``).

    **Full Bayes** (``method="full"``, BDA3 chapter 5). Beta-Binomial over
    ``(log(a/b), log(a+b))`` with ``p(a, b) ∝ (a + b)^(-5/2)``; Gamma-Poisson over
    ``(log(shape/rate), log(shape))`` with ``p(shape, rate) ∝ (shape + rate)^(-5/2)``
    (BDA's form; proper once a count is positive);
    Normal-Normal over ``(mu, log tau)`` with ``p(mu, tau) ∝ 1``. The hyperposterior
    ``p(h | y) ∝ p(h) prod_j p(y_j | h)`` is integrated on an adaptive trapezoid grid
    (:mod:`thetahat._grid`); each group's posterior is the mixture of its conjugate
    posteriors over the grid: ``posterior_mean``, ``lower``/``upper`` (quantiles of the
    mixture), ``shrinkage`` (the posterior mean of the weight on the prior mean);
    ``map`` is NaN (the mixture's mode is not computed).

    **Degenerate cases.** Groups varying no more than sampling noise explains give
    ``tau = 0`` or an infinite Beta/Gamma concentration: complete pooling, said in
    ``warnings`` and ``complete_pooling`` (a ``BoundaryWarning``). Fewer than two
    groups with data is an error. Groups with zero trials (or exposure) are
    kept, flagged in ``no_data``, and their posterior is the prior.

    Examples
    --------
    >>> import thetahat as th
    >>> res = th.shrink([0, 2, 1, 7, 3], [10, 12, 9, 15, 11])   # doctest: +SKIP
    >>> res.table[["group", "mle", "posterior_mean", "shrinkage"]]   # doctest: +SKIP

    Examples
    --------
    >>> import thetahat as th
    >>> from thetahat import datasets
    >>> rats = datasets.load("rat_tumor")
    >>> res = th.shrink(rats["y"], rats["n"])
    >>> res.prior
    Beta(a=2.34162, b=14.1148)
    >>> int(rats["y"][70]), int(rats["n"][70]), round(float(res.columns["posterior_mean"][70]), 4)
    (4, 14, 0.2082)
    """
    lv = check_level(level)
    if method not in ("ml", "reml", "full"):
        raise ValueError(f"method must be 'ml', 'reml' or 'full', got {method!r}")
    if hyperprior is not None and (method != "full" or not callable(hyperprior)):
        raise ValueError("hyperprior= is a callable log density, used by method='full'")
    kind = _kind(family, se, exposure)
    if method == "reml" and kind != "normal":
        raise ValueError("method='reml' applies to the Normal family only")
    from ..statistics.engines import engine_of

    if engine_of(data) is not None and hasattr(data, "columns"):
        return _from_cluster(
            kind, data, successes, counts, estimates, trials, exposure, se, group, lv, method,
            hyperprior,
        )  # fmt: skip
    if is_frame(data):
        frame = data
        name_first = {"binomial": successes, "poisson": counts, "normal": estimates}[kind]
        role = {"binomial": "successes", "poisson": "counts", "normal": "estimates"}[kind]
        first_raw = column(frame, name_first, role)
        second_raw: Any = None
        if kind == "binomial" and trials is not None:
            second_raw = column(frame, trials, "trials")
        elif kind == "poisson" and exposure is not None:
            second_raw = column(frame, exposure, "exposure")
        elif kind == "normal":
            second_raw = column(frame, se, "se")
        labels_raw: Any = None if group is None else column(frame, group, "group")
        first_name = name_first
        second_name = {"binomial": trials, "poisson": exposure, "normal": se}[kind]
        import pandas as pd

        index = frame.index if isinstance(frame, pd.DataFrame) else None
        row_labels = None
        if group is None and index is not None and not index.equals(pd.RangeIndex(len(index))):
            row_labels = index.to_numpy()
    else:
        if successes is not None or counts is not None or estimates is not None:
            raise TypeError(
                "successes=, counts= and estimates= name dataframe columns; "
                "pass arrays positionally"
            )
        first_raw = data
        second_raw = {"binomial": trials, "poisson": exposure, "normal": se}[kind]
        labels_raw = group
        first_name = {"binomial": "successes", "poisson": "counts", "normal": "estimates"}[kind]
        second_name = {"binomial": "trials", "poisson": "exposure", "normal": "se"}[kind]
        row_labels = None
    return _run(
        kind,
        first_raw,
        second_raw,
        labels_raw,
        row_labels,
        str(first_name),
        str(second_name),
        lv,
        method,
        hyperprior,
    )


def _from_cluster(
    kind: str,
    frame: Any,
    successes: Any,
    counts: Any,
    estimates: Any,
    trials: Any,
    exposure: Any,
    se: Any,
    group: Any,
    level: float,
    method: str,
    hyperprior: Any,
) -> Shrinkage:
    """``shrink`` of a Dask or Spark DataFrame: the groups' sums on the cluster."""
    from ._cluster import cluster_groups

    role = {"binomial": "successes", "poisson": "counts", "normal": "estimates"}[kind]
    first = {"binomial": successes, "poisson": counts, "normal": estimates}[kind]
    second = {"binomial": trials, "poisson": exposure, "normal": se}[kind]
    other = {"binomial": "trials", "poisson": "exposure", "normal": "se"}[kind]
    names = [str(c) for c in frame.columns]
    for name, what in ((first, role), (second, other), (group, "group")):
        if name is None and what in (role, "se"):
            if what == "se":
                raise ValueError(
                    "the Normal family needs the standard error of each estimate: se=..."
                )
            raise ValueError(f"with a dataframe, name the {what} column ({what}='column name')")
        if name is not None and not isinstance(name, str):
            raise TypeError(
                f"with a dataframe, {what} must be a column name, got {type(name).__name__}"
            )
        if name is not None and name not in names:
            raise ValueError(f"no column {name!r} for {what}; the columns are {', '.join(names)}")
    if kind == "binomial" and second is None and group is None:
        raise ValueError("give the number of trials of each group: th.shrink(successes, trials)")
    a, b, labels = cluster_groups(kind, frame, first, second, group)
    if labels is None:  # every row a group: the columns, checked as arrays are
        return _run(kind, a, b, None, None, first, str(second), level, method, hyperprior)
    return _conclude(kind, a, b["second"], b["rows"], labels, False, level, method, hyperprior)


def _run(
    kind: str,
    first_raw: Any,
    second_raw: Any,
    labels_raw: Any,
    row_labels: NDArray[Any] | None,
    first_name: str,
    second_name: str,
    level: float,
    method: str,
    hyperprior: Any = None,
) -> Shrinkage:
    grouped = labels_raw is not None
    codes: NDArray[np.intp] | None = None
    labels: NDArray[Any] | None = row_labels
    uniques: NDArray[Any] | None = None
    if grouped:
        size = np.asarray(first_raw).shape[0] if np.ndim(first_raw) else 1
        codes, uniques = factorize(labels_raw, size)
        labels = np.asarray(labels_raw)
    where = Where(labels, grouped)
    first = numbers(first_raw, first_name, where)
    m = first.shape[0]
    if second_raw is None:
        if kind == "normal":
            raise ValueError("the Normal family needs the standard error of each estimate: se=...")
        if kind == "binomial" and not grouped:
            raise ValueError(
                "give the number of trials of each group: th.shrink(successes, trials)"
            )
        second = np.ones(m)
    else:
        second = broadcast(second_raw, second_name, m, first_name, where)
    if kind == "binomial":
        check_counts(first, first_name, where)
        check_counts(second, second_name, where)
        over = first > second
        if over.any():
            i = int(np.flatnonzero(over)[0])
            raise ValueError(
                f"{first_name} > {second_name} for {int(over.sum())} entries; the first is "
                f"{where(i)}: {first[i]:g} successes in {second[i]:g} trials"
            )
    elif kind == "poisson":
        check_counts(first, first_name, where)
        neg = second < 0
        if neg.any():
            i = int(np.flatnonzero(neg)[0])
            raise ValueError(f"{second_name} must be >= 0; {where(i)} has {second[i]:g}")
        lost = (second == 0) & (first > 0)
        if lost.any():
            i = int(np.flatnonzero(lost)[0])
            raise ValueError(
                f"{where(i)} has a count of {first[i]:g} with zero {second_name}: a positive "
                "count needs positive exposure"
            )
    else:
        bad = second <= 0
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"{second_name} must be > 0; {where(i)} has {second_name} = {second[i]:g}"
            )
    rows = np.ones(m)
    group_labels: NDArray[Any]
    if codes is not None and uniques is not None:
        g = uniques.shape[0]
        rows = np.bincount(codes, minlength=g).astype(float)
        if kind == "normal":
            prec = 1.0 / (second * second)
            wsum = np.bincount(codes, weights=prec, minlength=g)
            first = np.bincount(codes, weights=prec * first, minlength=g) / wsum
            second = 1.0 / np.sqrt(wsum)
        else:
            first = np.bincount(codes, weights=first, minlength=g).astype(float)
            second = np.bincount(codes, weights=second, minlength=g).astype(float)
        group_labels = uniques
        positional = False
    elif row_labels is not None:
        group_labels, positional = row_labels, False
    else:
        group_labels, positional = np.arange(m), True
    return _conclude(kind, first, second, rows, group_labels, positional, level, method, hyperprior)


def _conclude(
    kind: str,
    first: FloatArray,
    second: FloatArray,
    rows: FloatArray,
    group_labels: NDArray[Any],
    positional: bool,
    level: float,
    method: str,
    hyperprior: Any,
) -> Shrinkage:
    """The fit on one value pair per group (empirical Bayes, or full Bayes on top)."""
    if method != "full":
        return _finish(kind, first, second, rows, group_labels, positional, level, method)
    import warnings

    with warnings.catch_warnings():  # the ML fit is only the table's scaffold here
        warnings.simplefilter("ignore")
        res = _finish(kind, first, second, rows, group_labels, positional, level, "ml")
    if method == "full":
        from ._full import full_bayes

        res = _full(res, kind, first, second, level, full_bayes(kind, first, second, hyperprior))
    return res


def _full(res: Shrinkage, kind: str, y: Any, m: Any, level: float, full: Any) -> Shrinkage:
    """The full-Bayes result: the empirical-Bayes table with each group's mixture."""
    import dataclasses

    hp, mix, msgs = full
    cols = dict(res.columns)
    cols["posterior_mean"] = mix.mean()
    cols["map"] = np.full(y.shape, np.nan)
    cols["lower"] = mix.quantile(0.5 - 0.5 * level)
    cols["upper"] = mix.quantile(0.5 + 0.5 * level)
    cols["shrinkage"] = mix.shrinkage()
    for msg in msgs:
        warn_user(msg, ConvergenceWarning)
    return dataclasses.replace(
        res,
        method="full",
        columns=cols,
        complete_pooling=False,
        warnings=(*tuple(w for w in res.warnings if "pooling" not in w), *msgs),
        hyperposterior=hp,
        mixture=mix,
    )


def _finish(
    kind: str,
    first: FloatArray,
    second: FloatArray,
    rows: FloatArray,
    group_labels: NDArray[Any],
    positional: bool,
    level: float,
    method: str,
) -> Shrinkage:
    msgs: list[str] = []
    fit: HyperFit
    prior: Distribution
    post_fn: Callable[[int], Posterior]
    if kind == "binomial":
        fit = beta_binomial_fit(first, second)
    elif kind == "poisson":
        fit = gamma_poisson_fit(first, second)
    else:
        fit = normal_normal_fit(first, second, method)
    params, cov, res, details = fit
    pooled = res.status is Status.BOUNDARY
    if kind == "binomial":
        cols, beta = beta_binomial_groups(first, second, params, pooled, level)
        prior = beta
        no_data = second == 0
        a, b = params["a"], params["b"]
        derived = {"prior mean": a / (a + b), "concentration": a + b}

        def post_fn(i: int) -> Posterior:
            return beta_binomial_posterior(float(first[i]), float(second[i]), beta)

        family_name = "Binomial"
    elif kind == "poisson":
        cols, gamma = gamma_poisson_groups(first, second, params, pooled, level)
        prior = gamma
        no_data = second == 0
        al, be = params["shape"], params["rate"]
        derived = {"prior mean": al / be, "prior sd": float(np.sqrt(al)) / be}

        def post_fn(i: int) -> Posterior:
            return gamma_poisson_posterior(float(first[i]), float(second[i]), float(rows[i]), gamma)

        family_name = "Poisson"
    else:
        cols, normal = normal_normal_groups(first, second, rows, params, level)
        prior = normal
        no_data = np.zeros(first.shape[0], dtype=bool)
        derived = {}
        if pooled:
            msgs.append(
                f"the prior's sd is tau = 0; posterior(group) uses Normal(mu, "
                f"{prior_sigma(0.0, second):.3g}) to stand for the point mass at mu"
            )

        def post_fn(i: int) -> Posterior:
            return normal_normal_posterior(float(first[i]), float(second[i]), normal)

        family_name = "Normal"
    if pooled:
        msgs.insert(0, res.message)
        warn_user(res.message, BoundaryWarning)
    elif not res.converged:
        msgs.insert(0, res.message)
        warn_user(res.message, ConvergenceWarning)
    n_empty = int(no_data.sum())
    if n_empty:
        i = int(np.flatnonzero(no_data)[0])
        what = "trials" if kind == "binomial" else "exposure"
        first_label = np.asarray(group_labels)[i].tolist()
        msgs.append(
            f"{n_empty} group(s) have zero {what} (first: {first_label!r}); they are kept, "
            "flagged in no_data, and their posterior is the prior"
        )
    details = {"derived": derived, **details}
    hyper = Estimate(
        method=method if method == "reml" else "mle",
        params=dict(params),
        cov=cov,
        loglik=res.fun,
        n=float(np.count_nonzero(~no_data)),
        df_model=2,
        family=None,
        prior=None,
        warnings=tuple(msgs),
        status=res.status,
        message=res.message,
        converged=res.converged,
        iterations=res.iterations,
        details=details,
    )
    from ._full import GroupMixture

    nodes = np.array([[float(v) for v in prior.params.values()]])
    return Shrinkage(
        mixture=GroupMixture(kind, nodes, np.ones(1), first, second),
        family=family_name,
        prior=prior,
        hyper=hyper,
        loglik=res.fun,
        method=method,
        level=level,
        complete_pooling=pooled,
        groups=group_labels,
        columns=cols,
        no_data=no_data,
        warnings=tuple(msgs),
        positional=positional,
        posterior_fn=post_fn,
    )
