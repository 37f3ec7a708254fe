"""Fits of tables: frames, SQL relations and scanned files by column, whole or ``by`` group.

``th.fit``/``th.posterior``/``th.compare`` hand a table here (a dataframe, a lazy
frame, a DuckDB relation, a :func:`thetahat.scan`, or an array with ``by=``
labels). :func:`as_source` names the columns' roles and builds the
:class:`~thetahat.statistics.engines.TableSource`; the statistics come from it
(pushed down where the engine can) and the fit is the usual one on them.
With ``by=`` every group's statistics come from one grouped pass and the fits
are vectorised (:mod:`.grouped`), else fitted group by group.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..optim import Status
from ..results import Estimate
from ..results.fittable import FitTable
from ..statistics.engines import WEIGHT, EngineStats, GroupedStats, TableSource
from ._family import as_family

__all__ = ["as_source", "fit_table", "is_table", "posterior_table"]


def is_table(data: Any) -> bool:
    """Whether ``data`` is a table this module reads (a frame, a scan, a source).

    Examples
    --------
    >>> import pandas as pd
    >>> is_table(pd.DataFrame({"x": [1.0]})), is_table([1.0, 2.0])
    (True, False)
    """
    from ..statistics.engines.frame import is_frame
    from ..statistics.engines.scan import Scan

    return isinstance(data, TableSource | Scan) or is_frame(data)


def _by_names(by: Any) -> list[Any]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    if isinstance(by, np.ndarray) or not isinstance(by, Sequence):
        return [by]
    items = list(by)
    if items and all(isinstance(b, str) for b in items):
        return items
    return [by]


def _pick_column(data: Any) -> str:
    from ..statistics.engines.frame import _nw

    nw = _nw()
    frame = nw.from_native(data)
    schema = frame.collect_schema()
    numeric = [n for n, t in schema.items() if t.is_numeric()]
    if len(numeric) == 1:
        return str(numeric[0])
    raise ValueError(
        "name the column to fit: column='...' (the table's columns are "
        f"{', '.join(map(str, schema.names()))})"
    )


def as_source(
    data: Any,
    *,
    column: str | None = None,
    weights: Any = None,
    exposure: Any = None,
    trials: Any = None,
    by: Any = None,
    nulls: str = "error",
) -> TableSource:
    """A :class:`TableSource` over ``data`` with the named columns in their roles.

    Examples
    --------
    >>> import pandas as pd
    >>> import thetahat as th
    >>> df = pd.DataFrame({"wait": [1.0, 2.0, None], "shop": ["a", "a", "b"]})
    >>> src = as_source(df, column="wait", nulls="drop")
    >>> src.resolve(th.Exponential())[1], src.n_dropped
    (ExponentialStats(n=2.0, total=3.0), 1)
    """
    from ..statistics.engines.scan import Scan, ScanEngine

    if isinstance(data, TableSource):
        if any(v is not None for v in (column, weights, exposure, trials, by)):
            raise ValueError("this source already names its columns")
        return data
    keys = _by_names(by)
    if isinstance(data, Scan) or is_table(data):
        if column is None:
            if isinstance(data, Scan):
                raise ValueError(f"name the column to fit: column='...' (one of {data.columns})")
            column = _pick_column(data)
        roles: dict[str, Any] = {"x": column}
        for role, name in ((WEIGHT, weights), ("exposure", exposure), ("n", trials)):
            if name is not None:
                if not isinstance(name, str):
                    what = {WEIGHT: "weights", "n": "trials"}.get(role, role)
                    raise TypeError(
                        f"with a table, {what}= must be a column name, got {type(name).__name__}"
                    )
                roles[role] = name
        key_roles = []
        for i, k in enumerate(keys):
            if not isinstance(k, str):
                raise TypeError(f"with a table, by= must name columns, got {type(k).__name__}")
            roles[f"_by{i}"] = k
            key_roles.append(f"_by{i}")
        if isinstance(data, Scan):
            engine: Any = ScanEngine(data, roles, key_roles)
        else:
            from ..statistics.engines.frame import as_engine

            engine = as_engine(data, roles, key_roles)
        names = {r: str(n) for r, n in roles.items()}
        return TableSource(engine, names, key_roles, nulls)
    # arrays: the data with by= labels (and weights, exposure, trials arrays)
    from .._validation import to_float64
    from ..statistics.engines import ArrayEngine

    if column is not None:
        raise TypeError("column= names a column of a table; pass an array without it")
    x = to_float64(data)
    cols: dict[str, NDArray[Any]] = {"x": x}
    kinds = {"x": "numeric"}
    for role, v in ((WEIGHT, weights), ("exposure", exposure), ("n", trials)):
        if v is not None:
            cols[role] = to_float64(v, "weights" if role == WEIGHT else role)
            kinds[role] = "numeric"
    key_roles = []
    for i, k in enumerate(keys):
        lab = np.asarray(k)
        if lab.shape != (x.shape[0],):
            raise ValueError(
                f"by= labels must have one per observation ({x.shape[0]}), got {lab.shape}"
            )
        cols[f"_by{i}"] = lab
        kinds[f"_by{i}"] = "other"
        key_roles.append(f"_by{i}")
    for role, v in cols.items():
        if v.shape[0] != x.shape[0]:
            raise ValueError(f"{role} has {v.shape[0]} values for {x.shape[0]} observations")
    names = {"x": "data", WEIGHT: "weights", "exposure": "exposure", "n": "trials"}
    if len(key_roles) == 1:
        names[key_roles[0]] = "group"
    else:
        names.update({r: f"group{i + 1}" for i, r in enumerate(key_roles)})
    return TableSource(ArrayEngine(cols, kinds, key_roles), names, key_roles, nulls)


def _noted(est: Estimate, source: TableSource, passes: int) -> Estimate:
    details = dict(est.details)
    lines = list(est.summary_lines)
    details["n_dropped"] = source.n_dropped
    if source.n_dropped:
        lines.append(f"Rows dropped for nulls: {source.n_dropped}")
    if passes:
        details["passes"] = passes
        lines.append(f"Data passes: {passes}")
    return dataclasses.replace(est, details=details, summary_lines=tuple(lines))


def _fit_engine_stats(fam: Any, stats: EngineStats, information: str) -> Estimate:
    """The Estimate of an iterative family whose Newton steps ran in the engine."""
    from ..optim import SolverResult
    from ._solve import FitProblem
    from .fit import _estimate

    if "student_t" in stats.cache:
        return _t_estimate(fam, stats, information)
    sol = stats.cache["solution"]
    k, scale = float(sol["shape"][0]), float(sol["scale"][0])
    ok = bool(sol["ok"][0])
    ll = float(sol["loglik"][0])
    if not np.isfinite(k):
        msg = "all observations are equal: the shape MLE is infinite"
        res = SolverResult.boundary([np.inf], np.inf, msg)
    else:
        msg = "profile Newton converged" if ok else "profile Newton did not converge"
        res = SolverResult.of([np.log(k)], ll, ok, f"{msg} (engine passes)", stats.passes)
    problem = FitProblem(fam, stats, None)
    return _estimate(problem, {"shape": k, "scale": scale}, res, None, information)


def _t_estimate(fam: Any, stats: EngineStats, information: str) -> Estimate:
    """The Estimate of a Student t whose Newton steps ran in the engine (its solution:
    parameters, status and the covariance from the last pass's Hessian)."""
    from ..optim import SolverResult
    from ._solve import FitProblem
    from .fit import _estimate, _kept

    sol = stats.cache["student_t"]
    params = {k: float(getattr(sol, k)[0]) for k in sol.free}
    status, msg, its = str(sol.status[0]), str(sol.message[0]), int(sol.iterations[0])
    ll = float(sol.loglik[0])
    problem = FitProblem(fam, stats, None)
    if status == "boundary" or information != "observed":
        # boundary: no curvature is read (the estimate is not finite); expected
        # information: the family's Fisher information needs only n
        res = (SolverResult.boundary(np.zeros(len(params)), ll, msg) if status == "boundary"
               else SolverResult.of(list(params.values()), ll, True, msg, its))  # fmt: skip
        return _estimate(problem, params, res, None, information)
    failed = status == "failed"
    return Estimate(
        method="mle", params=params, cov=np.array(sol.cov[0], dtype=float), loglik=ll,
        n=float(stats.n), df_model=len(params), family=fam, status=Status(status),
        message=msg, converged=not failed, iterations=its, objective=_kept(problem),
        warnings=(f"the optimiser did not converge: {msg}",) if failed else (),
    )  # fmt: skip


def fit_table(
    family: Any,
    data: Any,
    *,
    column: str | None = None,
    by: Any = None,
    weights: Any = None,
    exposure: Any = None,
    trials: Any = None,
    nulls: str = "error",
    prior: Any = None,
    information: str = "observed",
    parametrization: str = "natural",
) -> Estimate | FitTable:
    """``th.fit`` of a table (see :func:`thetahat.fit`).

    Examples
    --------
    >>> import pandas as pd
    >>> import thetahat as th
    >>> df = pd.DataFrame({"wait": [1.0, 3.0, 2.0, 6.0], "shop": ["a", "a", "b", "b"]})
    >>> fit_table(th.Exponential, df, column="wait", by="shop").columns["rate"].tolist()
    [0.5, 0.25]
    """
    from .fit import fit

    source = as_source(data, column=column, weights=weights, exposure=exposure,
                       trials=trials, by=by, nulls=nulls)  # fmt: skip
    fam = as_family(family)
    opts = {"prior": prior, "information": information, "parametrization": parametrization}
    if not source.keys:
        # a MAP needs the likelihood anywhere: iterative families fetch their data then
        fam2, stats = source.resolve(fam, data=prior is not None)
        if isinstance(stats, EngineStats):
            return _noted(_fit_engine_stats(fam2, stats, information), source, stats.passes)
        return _noted(fit(fam2, stats, **opts), source, 0)
    gs = _sorted(source.grouped(fam))
    return _fit_groups(fam, gs, source, opts)


def _sorted(gs: GroupedStats) -> GroupedStats:
    """The groups in key order (where the keys sort), so every engine gives one table."""
    arrays = [np.asarray(gs.keys[k]) for k in gs.names]
    if all(a.dtype.kind in "biufUSM" for a in arrays):
        idx = np.lexsort(arrays[::-1]).astype(np.intp)  # first key first
    else:
        keys = gs.key_list()
        try:
            order = sorted(range(len(keys)), key=lambda i: keys[i])
        except TypeError:
            return gs
        idx = np.array(order, dtype=np.intp)
    order = idx.tolist()
    sol = gs.solution
    if sol is not None:  # engine passes: every per-group array in the same order
        sol = dataclasses.replace(sol, **{
            f.name: getattr(sol, f.name)[idx] for f in dataclasses.fields(sol)
            if isinstance(getattr(sol, f.name), np.ndarray)
            and np.shape(getattr(sol, f.name))[0] == gs.size
        })  # fmt: skip
    return GroupedStats(
        gs.names, {k: np.asarray(v)[idx] for k, v in gs.keys.items()}, gs.family, gs.n[idx],
        gs.stats_type, {k: np.asarray(v)[idx] for k, v in gs.fields.items()},
        [gs.items[i] for i in order] if gs.items else [], gs.passes, sol,
    )  # fmt: skip


class _LazyKeys:
    """The group keys as tuples, built on first use (1e5 groups: a tenth of a second)."""

    def __init__(self, gs: GroupedStats) -> None:
        self.gs = gs
        self._list: list[tuple[Any, ...]] | None = None

    def __call__(self) -> list[tuple[Any, ...]]:
        if self._list is None:
            self._list = self.gs.key_list()
        return self._list

    def __getitem__(self, i: int) -> tuple[Any, ...]:
        return self()[i]


def _user_keys(source: TableSource, gs: GroupedStats) -> dict[str, NDArray[Any]]:
    return {source.names.get(r, r): np.asarray(v) for r, v in gs.keys.items()}


def _fit_groups(fam: Any, gs: GroupedStats, source: TableSource, opts: dict[str, Any]) -> FitTable:
    from .fit import fit
    from .grouped import fit_groups, solved_groups

    empty = ~(gs.n > 0)
    if empty.any():
        key = gs.key_list()[int(np.flatnonzero(empty)[0])]
        raise ValueError(f"group {key!r} holds no observations (zero total weight)")
    keys = _LazyKeys(gs)
    level = 0.95
    found = None
    if opts["prior"] is None:
        one_by_one = None
        if gs.solution is None and gs.stats_type is not None:

            def one_by_one(i: int) -> Any:
                return fit(*gs.at(i), **opts)

        sol = gs.solution
        if sol is not None and hasattr(sol, "cov"):  # engine passes with the covariance
            found = solved_groups(gs.family, sol.params(), sol.loglik, sol.cov, sol.status, level)
        else:
            found = fit_groups(gs.family, gs.batch(), level, one_by_one)
    cols: dict[str, NDArray[Any]] = dict(_user_keys(source, gs))
    cols["n"] = gs.n
    if found is not None:
        cols.update(found.columns)

        def item(i: int) -> Any:
            if gs.stats_type is None:  # engine passes (Weibull): the group's own fit
                return fit_table(fam, source.where(keys[i]), **opts)
            f_i, st = gs.at(i)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return fit(f_i, st, **opts)

        vectorised = True
    else:
        ests = []
        for i in range(gs.size):
            f_i, st = gs.at(i)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    ests.append(fit(f_i, st, **opts))
                except ValueError as exc:
                    raise ValueError(f"group {keys[i]!r}: {exc}") from None
        for name in ests[0].params:
            for label, pick in _flat(name, ests[0].params[name]):
                cols[label] = np.array([pick(e.params[name]) for e in ests])
                cols[f"{label}_se"] = np.array([pick(e.se[name]) for e in ests])
                ci = [e.conf_int(level)[name] for e in ests]
                cols[f"{label}_low"] = np.array([pick(c[0]) for c in ci])
                cols[f"{label}_high"] = np.array([pick(c[1]) for c in ci])
        cols["loglik"] = np.array([e.loglik for e in ests])
        cols["status"] = np.array([str(e.status) for e in ests])
        cols["warnings"] = np.array(["; ".join(e.warnings) for e in ests])

        def item(i: int) -> Any:
            return ests[i]

        vectorised = False
    return FitTable(
        [source.names.get(r, r) for r in gs.names], keys, cols, item, family=fam,
        n_dropped=source.n_dropped, passes=max(gs.passes, 1), vectorised=vectorised,
        shrink=_shrinker(fam, gs, keys),
    )  # fmt: skip


def _flat(name: str, value: Any) -> list[tuple[str, Any]]:
    """Column labels of a parameter and how to pick each entry (vector parameters
    become ``name[i]`` columns)."""
    if np.ndim(value) == 0:
        return [(name, lambda v: float(np.asarray(v)))]
    return [
        (f"{name}[{i}]", lambda v, i=i: float(np.ravel(np.asarray(v))[i]))
        for i in range(np.size(value))
    ]


def _shrinker(fam: Any, gs: GroupedStats, keys: Any) -> Any:
    name = type(fam).__name__
    if not gs.fields or name not in ("Binomial", "Bernoulli", "Poisson", "Normal"):
        return None
    f = gs.fields

    def run(level: float) -> Any:
        from ..distributions import Normal, Poisson
        from ..shrink import shrink

        if len(gs.names) == 1:
            labels = np.asarray(gs.keys[gs.names[0]])
        else:
            labels = np.array([str(k) for k in keys()], dtype=object)

        if name == "Bernoulli":
            return shrink(f["k"], f["n"], group=labels, level=level)
        if name == "Binomial":
            return shrink(f["k"], f["trials"], group=labels, level=level)
        if name == "Poisson":
            return shrink(f["total"], family=Poisson, exposure=f["exposure"], group=labels,
                          level=level)  # fmt: skip
        se = np.sqrt(f["m2"] / f["n"]) / np.sqrt(f["n"])
        return shrink(f["mean"], family=Normal, se=se, group=labels, level=level)

    return run


def posterior_table(
    family: Any,
    data: Any,
    *,
    prior: Any,
    column: str | None = None,
    by: Any = None,
    weights: Any = None,
    exposure: Any = None,
    trials: Any = None,
    nulls: str = "error",
    method: str = "exact",
) -> Any:
    """``th.posterior`` of a table (see :func:`thetahat.posterior`).

    Examples
    --------
    >>> import pandas as pd
    >>> import thetahat as th
    >>> df = pd.DataFrame({"click": [1, 0, 1, 1], "ad": ["x", "x", "y", "y"]})
    >>> t = posterior_table(th.Bernoulli, df, column="click", by="ad", prior=th.Beta(1, 1))
    >>> t.columns["p_mean"].tolist()
    [0.5, 0.75]
    """
    from .posterior import posterior

    source = as_source(data, column=column, weights=weights, exposure=exposure,
                       trials=trials, by=by, nulls=nulls)  # fmt: skip
    fam = as_family(family)
    if not source.keys:
        fam2, stats = source.resolve(fam, data=True)
        return posterior(fam2, stats, prior=prior, method=method)
    gs = _sorted(source.grouped(fam))
    table = _posteriors_at_once(fam, gs, source, prior, method)
    if table is not None:
        return table
    keys = gs.key_list()
    posts = []
    for i in range(gs.size):
        f_i, st = gs.at(i)
        try:
            posts.append(posterior(f_i, st, prior=prior, method=method))
        except ValueError as exc:
            raise ValueError(f"group {keys[i]!r}: {exc}") from None
    cols: dict[str, NDArray[Any]] = dict(_user_keys(source, gs))
    cols["n"] = gs.n
    first = posts[0]
    for name in first.names:
        for what in ("mode", "mean", "sd"):
            fn = {"mode": "mode", "mean": "mean", "sd": "std"}[what]
            cols[f"{name}_{what}"] = np.array([float(np.asarray(getattr(p, fn)()[name]))
                                               for p in posts])  # fmt: skip
        iv = [p.interval(0.95)[name] for p in posts]
        cols[f"{name}_low"] = np.array([float(v[0]) for v in iv])
        cols[f"{name}_high"] = np.array([float(v[1]) for v in iv])
    cols["log_evidence"] = np.array([float(p.log_evidence) for p in posts])
    cols["posterior"] = np.array([repr(p.dist) for p in posts], dtype=object)
    return FitTable(
        [source.names.get(r, r) for r in gs.names], keys, cols, lambda i: posts[i],
        kind="posterior", family=fam, n_dropped=source.n_dropped, vectorised=False,
    )  # fmt: skip


def _posteriors_at_once(
    family: Any, gs: GroupedStats, source: TableSource, prior: Any, method: str
) -> FitTable | None:
    """Every group's exact conjugate posterior as arithmetic on arrays of statistics (the
    rule's update and evidence once for all groups; the posterior family's formulas over
    arrays for the columns), or None where that is not available (the loop then)."""
    from .posterior import exact_rule, posterior

    if method not in ("exact", "auto") or prior is None:
        return None
    try:
        fam, prior1, rule = exact_rule(family, prior)
    except ValueError:
        return None  # method="auto" without a conjugate pair, or an error the loop reports
    st = gs.batch()
    if st is None or rule.hyper is None or len(rule.names) != 1 or gs.solution is not None:
        return None
    many = rule.posterior_many(fam, prior1, st)
    try:
        summ = many.summaries()
    except TypeError:  # the posterior family's formulas take scalars only
        return None
    name = rule.names[0]
    cols: dict[str, NDArray[Any]] = dict(_user_keys(source, gs))
    cols["n"] = gs.n
    for what in ("mode", "mean", "sd", "low", "high"):
        cols[f"{name}_{what}"] = np.array(summ[what])
    cols["log_evidence"] = np.array(many.log_evidence)
    if not np.all(np.isfinite(many.log_evidence)):
        from .._warnings import warn_user

        warn_user("the log evidence is not finite in some groups", RuntimeWarning)
    cols["posterior"] = np.array(many.reprs(), dtype=object)
    keys = _LazyKeys(gs)

    def item(i: int) -> Any:
        f_i, st_i = gs.at(i)
        return posterior(f_i, st_i, prior=prior, method=method)

    return FitTable(
        [source.names.get(r, r) for r in gs.names], keys, cols, item, kind="posterior",
        family=fam, n_dropped=source.n_dropped, vectorised=True,
    )  # fmt: skip
