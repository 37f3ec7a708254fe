"""A table as a statistics source: columns by role, nulls, validation, plans, groups.

:class:`TableSource` wraps an :class:`~.base.Engine` whose columns were renamed
to roles (``x``, ``n``, ``exposure``, the weights and the group keys). For a
family it returns the family instance the fit uses (per-row trials become the
family's per-observation ``n``) and its statistics, computed where the data
live:

* in memory (``engine.arrays``): the family's own reducer, as for an array;
* streamed (``engine.batches``): the reducer batch by batch, merged with ``+``;
* elsewhere: the family's :class:`~.plans.Plan` as engine aggregates.

:meth:`TableSource.grouped` does the same per group of the ``by`` keys, in one
aggregate pass (``GROUP BY``), returning :class:`GroupedStats`: one array per
statistic with one entry per group, so grouped fits are vectorised.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..source import Statistics, statistics_of
from ..sufficient import SuffStats
from .base import Engine, NoPerGroupConstants
from .expr import WEIGHT, Agg, Aggregated, align, col, key_tuples, lit, match_keys
from .passes import EngineStats
from .plans import Plan, plan_for

__all__ = ["GroupedStats", "TableSource"]

FloatArray = NDArray[np.float64]
#: what a table source returns: the in-memory kinds, or an engine's (iterative families)
Stats = Statistics | EngineStats
NULLS = ("error", "drop")


@dataclass
class GroupedStats:
    """Statistics per group: ``keys`` (key name -> one value per group, first-seen or
    engine order), the family instance, and either ``fields`` (the family's
    statistics type, one array per field: vectorised fits) or ``items`` (one
    statistics object per group). ``n`` holds each group's number of observations.

    Examples
    --------
    >>> import numpy as np
    >>> import thetahat as th
    >>> from thetahat.inference.frames import as_source
    >>> gs = as_source(np.array([1.0, 2.0, 4.0]), by=np.array(["a", "b", "a"])).grouped(
    ...     th.Exponential())
    >>> gs.key_list(), gs.fields["total"].tolist()
    ([('a',), ('b',)], [5.0, 2.0])
    >>> gs.at(1)[1]
    ExponentialStats(n=1.0, total=2.0)
    """

    names: tuple[str, ...]
    keys: dict[str, NDArray[Any]]
    family: Any
    n: FloatArray
    stats_type: type[SuffStats] | None = None
    fields: dict[str, FloatArray] = field(default_factory=dict)
    items: list[tuple[Any, Stats]] = field(default_factory=list)
    passes: int = 0
    #: every group's MLE already found by engine passes (iterative families)
    solution: Any = None

    def batch(self) -> Any:
        """The statistics of every group as one object whose fields are arrays (what the
        family's ``fit_many`` takes), or the engine passes' solution; None when the groups
        carry one statistics object each."""
        if self.solution is not None:
            return self.solution
        if self.stats_type is None or not self.fields:
            return None
        return self.stats_type(**self.fields)  # type: ignore[arg-type]

    @property
    def size(self) -> int:
        """The number of groups."""
        return int(self.n.shape[0])

    def key_list(self) -> list[tuple[Any, ...]]:
        """The keys as tuples, in group order."""
        return key_tuples(self.keys, self.names)

    def at(self, i: int) -> tuple[Any, Stats]:
        """Group ``i``'s family and statistics."""
        if self.items:
            return self.items[i]
        assert self.stats_type is not None
        return self.family, self.stats_type(**{k: float(v[i]) for k, v in self.fields.items()})


class TableSource:
    """A :class:`~thetahat.statistics.Source` over an engine (see the module docstring).

    Parameters
    ----------
    engine : Engine
        Columns renamed to roles.
    names : dict
        Role -> the user's column name (for messages).
    keys : sequence of str
        The ``by`` key roles.
    nulls : {"error", "drop"}

    Examples
    --------
    >>> import numpy as np
    >>> import thetahat as th
    >>> from thetahat.statistics.engines import ArrayEngine
    >>> eng = ArrayEngine({"x": np.array([1.0, 2.0, np.nan, 4.0])}, {"x": "numeric"})
    >>> src = TableSource(eng, {"x": "wait"}, nulls="drop")
    >>> fam, stats = src.resolve(th.Exponential())
    >>> stats.n, stats.total, src.n_dropped
    (3.0, 7.0, 1)
    """

    def __init__(
        self,
        engine: Engine,
        names: Mapping[str, str],
        keys: Sequence[str] = (),
        nulls: str = "error",
    ) -> None:
        if nulls not in NULLS:
            raise ValueError(f"nulls must be 'error' or 'drop', got {nulls!r}")
        self.names = dict(names)
        self.keys = tuple(keys)
        self.nulls = nulls
        self.n_dropped = 0
        self.engine = self._prepare(engine)

    # ------------------------------------------------------------ checks
    def _name(self, role: str) -> str:
        return repr(self.names.get(role, role))

    def _prepare(self, engine: Engine) -> Engine:
        for role in engine.columns:
            if role in self.keys:
                continue
            if engine.kind(role) == "other":
                what = "the data" if role == "x" else role.strip("_")
                raise TypeError(
                    f"column {self._name(role)} ({what}) is not numeric: convert it first "
                    "(e.g. to float), or name a numeric column"
                )
        defer = getattr(engine, "defer_nulls", None)
        if self.nulls == "error" and defer is not None and defer(self._refuse_nulls):
            # the engine counts nulls within its statistics queries: no pass of its own
            # (nor a count where its aggregates report an empty table themselves)
            if not getattr(engine, "reports_empty", False) and engine.nrows() == 0:
                raise ValueError(f"the table is empty: nothing to fit in column {self._name('x')}")
            return engine
        nulls = {c: k for c, k in engine.null_counts(list(engine.columns)).items() if k}
        if nulls and self.nulls == "error":
            self._refuse_nulls(nulls)
        if nulls:
            before = engine.nrows()
            engine = engine.drop_nulls(list(engine.columns))
            self.n_dropped = before - engine.nrows()
        if engine.nrows() == 0:
            raise ValueError(
                f"the table {'has no rows left after dropping nulls' if nulls else 'is empty'}: "
                f"nothing to fit in column {self._name('x')}"
            )
        return engine

    def _refuse_nulls(self, counts: Mapping[str, int]) -> None:
        """The error for nulls (``nulls="error"``), naming the count in each column."""
        nulls = {c: k for c, k in counts.items() if k}
        if nulls:
            text = ", ".join(
                f"{k} in {'by ' if c in self.keys else ''}column {self._name(c)}"
                for c, k in nulls.items()
            )
            keyed = [c for c in nulls if c in self.keys]
            what = "null group keys" if keyed and len(keyed) == len(nulls) else "nulls"
            raise ValueError(
                f"the data hold {what} ({text}); drop those rows first or pass nulls='drop' "
                "(the result then records how many rows were dropped)"
            )

    @property
    def has_weights(self) -> bool:
        """Whether a weight column was given."""
        return WEIGHT in self.engine.columns

    def _roles(self) -> dict[str, str]:
        return {r: r for r in self.engine.columns if r not in self.keys}

    def family_for(self, family: Any, data: Mapping[str, Any] | None = None) -> Any:
        """The family with per-row trials as its per-observation ``n`` (arrays in memory)."""
        if "n" not in self.engine.columns:
            return family
        if "n" in family.params:
            raise ValueError(
                f"{type(family).__name__}'s n is fixed and trials= names a column too: give one"
            )
        if "n" not in family.param_names():
            raise ValueError(f"trials= does not apply to {type(family).__name__}")
        if data is None:
            return family
        return type(family)(**{**family.params, "n": np.asarray(data["n"], dtype=float)})

    # ------------------------------------------------------------ the Source protocol
    def statistics(self, family: Any, weights: Any, obs: Mapping[str, Any]) -> Stats:
        """The family's statistics of the whole table (the Source protocol)."""
        if weights is not None or obs:
            raise ValueError(
                "with a table, give weights=, exposure= and trials= as column names of it"
            )
        return self.resolve(family)[1]

    def resolve(self, family: Any, data: bool = False) -> tuple[Any, Stats]:
        """The family instance a fit uses and its statistics of the whole table; ``data``:
        an iterative family's data rather than its engine passes (a MAP or a posterior
        needs the likelihood anywhere, not the MLE alone)."""
        cols = list(self._roles())
        arrays = self.engine.arrays(cols)
        if arrays is not None:
            return self._in_memory(family, arrays)
        batches = self.engine.batches(cols)
        if batches is not None:
            return self._streamed(family, batches, need_data=data)
        return self._pushed(family, need_data=data)

    def _obs(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"exposure": data["exposure"]} if "exposure" in data else {}

    def _in_memory(self, family: Any, data: Mapping[str, Any]) -> tuple[Any, Stats]:
        fam = self.family_for(family, data)
        x = np.asarray(data["x"], dtype=float)
        w = data.get(WEIGHT)
        try:
            stats = statistics_of(fam, x, weights=w, **self._obs(data))
        except ValueError as exc:
            raise ValueError(f"column {self._name('x')}: {exc}") from None
        return fam, stats

    def _streamed(self, family: Any, batches: Any, need_data: bool = False) -> tuple[Any, Stats]:
        plan = plan_for(family, self._roles(), self._functions())
        if plan.kind == "passes" and family.statistics_type is None and not need_data:
            from .passes import pass_stats

            return family, pass_stats(family, self)
        mapped = getattr(self.engine, "map_batches", None)
        if mapped is not None:
            # a cluster: each partition's statistics where it lives, only they travel
            results = mapped(functools.partial(_batch_stats, self._detached(), family),
                             list(self._roles()))  # fmt: skip
        else:
            results = (_batch_stats(self, family, batch) for batch in batches)
        total: Any = None
        fam = family
        parts: list[Any] = []
        for found in results:
            if found is None:  # an empty batch
                continue
            fam, st, batch = found
            if batch is None:
                total = st if total is None else total + st
            else:
                parts.append(batch)
        if parts:
            # no finite statistics (or per-row trials): the batches' data, concatenated
            data = {k: np.concatenate([b[k] for b in parts]) for k in parts[0]}
            return self._in_memory(family, data)
        if total is None:
            raise ValueError(f"the table is empty: nothing to fit in column {self._name('x')}")
        return fam, total

    def _detached(self) -> TableSource:
        """This source without its engine (the column roles only): what a worker needs to
        compute a batch's statistics as :meth:`_in_memory` does."""
        out = TableSource.__new__(TableSource)
        out.names, out.keys, out.nulls = self.names, self.keys, self.nulls
        out.n_dropped = self.n_dropped
        out.engine = _Roles(tuple(self.engine.columns))  # type: ignore[assignment]
        return out

    # ------------------------------------------------------------ pushdown
    def _centred(self, plan: Plan) -> dict[str, Agg]:
        aggs = dict(plan.aggs)
        if getattr(self.engine, "exact_moments", False):  # the engine centres them itself
            return aggs
        for name in plan.centred:
            c = self.engine.head_mean(aggs[name].expr)
            aggs[name] = dataclasses.replace(aggs[name], centre=c if np.isfinite(c) else 0.0)
        return aggs

    def _check_bounds(self, family: Any, lo: FloatArray, hi: FloatArray, where: str) -> None:
        vals = np.concatenate([lo, hi])
        vals = vals[~np.isnan(vals)]  # NaN: a group without weight (reported by its n)
        try:
            family.check_data(vals) if "n" not in self.engine.columns else None
        except ValueError:
            raise ValueError(
                f"column {self._name('x')}{where} holds values outside the support of "
                f"{type(family).__name__} ({family.support_text}): smallest "
                f"{float(np.nanmin(lo)):g}, largest {float(np.nanmax(hi)):g}"
            ) from None

    def _hist(self, plan: Plan, keys: Sequence[str]) -> Aggregated:
        return self.engine.aggregate({"count": Agg("sum", lit(1.0))}, [*keys, *plan.hist])

    def _check_hist(self, family: Any, h: Aggregated) -> None:
        x = np.asarray(h.keys["x"], dtype=float)
        obs: dict[str, Any] = {}
        if "n" in h.keys:
            obs["n"] = np.asarray(h.keys["n"], dtype=float)
        with np.errstate(all="ignore"):
            ok = np.isfinite(x) & np.asarray(family.in_support(x, **obs), dtype=bool)
        if not ok.all():
            bad = x[~ok]
            raise ValueError(
                f"{type(family).__name__} data must be {family.support_text}; column "
                f"{self._name('x')} holds {float(bad[0])!r} ({int(h.values['count'][~ok].sum()):g}"
                " value(s) outside the support)"
            )

    def _functions(self) -> frozenset[str]:
        return frozenset(getattr(self.engine, "functions", frozenset()))

    def _pushed(self, family: Any, need_data: bool = False) -> tuple[Any, Stats]:
        plan = plan_for(family, self._roles(), self._functions())
        if plan.kind == "fetch" or (plan.kind == "passes" and need_data):
            fetch = getattr(self.engine, "fetch", None)
            if fetch is None:
                raise TypeError(f"this engine cannot fit {type(family).__name__}")
            return self._in_memory(family, fetch(list(self._roles())))
        if plan.kind == "passes":
            from .passes import pass_stats

            return family, pass_stats(family, self)
        if plan.kind == "data":
            h = self._hist(plan, ())
            self._check_hist(family, h)
            counts = h.values["count"]
            keep = counts > 0
            data = {c: np.asarray(h.keys[c], dtype=float)[keep] for c in plan.hist}
            order = np.lexsort([data[c] for c in reversed(plan.hist)])
            data = {c: v[order] for c, v in data.items()}
            data[WEIGHT] = counts[keep][order]
            # the frequency table through the in-memory reducer (as an array would be)
            return self._in_memory(family, data)
        grouped = self._pushed_grouped(family, plan, ())
        return grouped.at(0)

    def _group_centred(self, plan: Plan, keys: Sequence[str]) -> Aggregated | None:
        """Moments about each group's own mean (a two-level shift per group: a pass for the
        means, then the engine's avg/var_pop of the deviations), or None where the engine
        takes no per-group constants."""
        aggs = dict(plan.aggs)
        first = self.engine.aggregate({m: aggs[m] for m in plan.centred}, keys)
        consts = {f"_c_{m}": first.values[f"{m}.mean"] for m in plan.centred}
        for m in plan.centred:
            aggs[m] = Agg("moments", aggs[m].expr - col(f"_c_{m}"))
        try:
            out = self.engine.aggregate(aggs, keys, Aggregated(first.keys, consts, first.size))
        except NoPerGroupConstants:
            return None
        out = align(out, first.keys, tuple(keys))
        for m in plan.centred:
            out.values[f"{m}.mean"] = out.values[f"{m}.mean"] + consts[f"_c_{m}"]
        return out

    def _from_hist(self, plan: Plan, keys: Sequence[str]) -> tuple[Aggregated, Aggregated, Any]:
        """Every aggregate of a count family from its histogram alone (one pass): sums are
        sums of count x value over the distinct values, extremes over those with weight.
        Returns the aggregates, the histogram and each histogram row's group."""
        from .base import factorize_keys
        from .expr import evaluate

        h = self._hist(plan, keys)
        if keys:
            at, uniq = factorize_keys([np.asarray(h.keys[k]) for k in keys])
            group_keys = dict(zip(keys, uniq, strict=True))
            size = uniq[0].shape[0]
        else:
            at, group_keys, size = np.zeros(h.size, dtype=np.intp), {}, 1 if h.size else 0
        cols = {c: np.asarray(h.keys[c], dtype=float) for c in plan.hist}
        count = h.values["count"]
        live = count > 0
        values: dict[str, FloatArray] = {}
        for name, a in plan.aggs.items():
            e = evaluate(a.expr, cols, h.size)
            with np.errstate(all="ignore"):
                if a.kind == "sum":
                    values[name] = np.bincount(at, weights=count * e, minlength=size).astype(float)
                else:
                    fill = np.inf if a.kind == "min" else -np.inf
                    acc = np.full(size, fill)
                    (np.minimum if a.kind == "min" else np.maximum).at(acc, at[live], e[live])
                    values[name] = np.where(np.isinf(acc) & (acc == fill), np.nan, acc)
        return Aggregated(group_keys, values, size), h, at

    def _pushed_grouped(self, family: Any, plan: Plan, keys: Sequence[str]) -> GroupedStats:
        agg = None
        h: Aggregated | None = None
        at: NDArray[np.intp] = np.zeros(0, dtype=np.intp)
        in_memory = self.engine.arrays(["x"]) is not None or self.engine.batches([]) is not None
        covered = all(
            a.kind in ("sum", "min", "max") and a.expr.columns() <= set(plan.hist)
            for a in plan.aggs.values()
        )
        if plan.hist and covered and not in_memory:
            # a count family whose statistics are all functions of the histogram's values
            # (Poisson without exposure, Geometric, Binomial): one GROUP BY pass, not two
            agg, h, at = self._from_hist(plan, keys)
        exact = getattr(self.engine, "exact_moments", False)
        if agg is None and keys and plan.centred and not in_memory and not exact:
            agg = self._group_centred(plan, keys)
        if agg is None:
            agg = self.engine.aggregate(self._centred(plan), keys)
        values = dict(agg.values)
        if agg.size == 0:
            raise ValueError(f"the table is empty: nothing to fit in column {self._name('x')}")
        if not plan.hist and not plan.checks:  # else the histogram or the checks name them
            self._check_bounds(family, values["lo"], values["hi"], "")
        for name, rule in plan.checks:
            v = values[name]
            ok = {"==0": v == 0, "<=0": v <= 0, ">=0": v >= 0}[rule] | np.isnan(v)
            if not np.all(ok):  # (NaN: a group without weight, reported by its n)
                raise ValueError(
                    f"{type(family).__name__} data must be {family.support_text}; column "
                    f"{self._name('x')} holds other values"
                )
        if plan.hist:
            if h is None:
                h = self._hist(plan, keys)
                if keys:
                    at = match_keys(agg.keys, h.keys, keys)
                else:
                    at = np.zeros(h.size, dtype=np.intp)
            self._check_hist(family, h)
            hv = {c: np.asarray(h.keys[c], dtype=float) for c in plan.hist}
            for name, term in plan.hist_terms.items():
                with np.errstate(all="ignore"):
                    t = h.values["count"] * term(hv)
                values[name] = np.asarray(
                    np.bincount(at, weights=t, minlength=agg.size), dtype=float
                )

        assert plan.build is not None
        fields = plan.build(values)
        empty = ~(np.asarray(fields["n"]) > 0)
        if empty.any():
            i = int(np.flatnonzero(empty)[0])
            where = f"group {key_tuples(agg.keys, keys)[i]!r}" if keys else "the table"
            raise ValueError(f"{where} holds no observations (zero total weight)")
        for k, v in fields.items():
            if not np.all(np.isfinite(v)):
                i = int(np.flatnonzero(~np.isfinite(v))[0])
                where = f" in group {key_tuples(agg.keys, keys)[i]}" if keys else ""
                raise ValueError(
                    f"column {self._name('x')}{where}: the statistic {k} is not finite "
                    f"({float(v[i])!r}); the data hold values outside the support of "
                    f"{type(family).__name__} ({family.support_text}) or overflow float64"
                )
        st = family.statistics_type
        return GroupedStats(self.keys if keys else (), dict(agg.keys), family,
                            np.asarray(fields["n"], dtype=float), st, fields)  # fmt: skip

    # ------------------------------------------------------------ groups
    def where(self, key: tuple[Any, ...]) -> TableSource:
        """The rows of one group, as an ungrouped source."""
        out = TableSource.__new__(TableSource)
        out.names, out.keys, out.nulls = self.names, (), self.nulls
        out.n_dropped = 0
        out.engine = self.engine.where(dict(zip(self.keys, key, strict=True)))
        return out

    def grouped(self, family: Any) -> GroupedStats:
        """The family's statistics per group of the ``by`` keys (one pass where it can)."""
        if not self.keys:
            raise ValueError("no by= keys: use resolve() for the whole table")
        plan = plan_for(family, self._roles(), self._functions())
        if "n" in self.engine.columns and plan.kind == "sums":
            self.family_for(family)  # checks
        if plan.kind == "sums":
            return self._pushed_grouped(family, plan, self.keys)
        if plan.kind == "passes":
            from .passes import grouped_passes

            found = grouped_passes(family, self)
            if found is not None:
                return found
        return self._grouped_items(family)

    def _grouped_items(self, family: Any) -> GroupedStats:
        """Families fitted group by group: each group's rows into memory once."""
        cols = [*self._roles(), *self.keys]
        data = self.engine.arrays(cols)
        if data is None:
            batches = self.engine.batches(cols)
            if batches is not None:
                parts = list(batches)
                data = {k: np.concatenate([p[k] for p in parts]) for k in cols}
            else:
                fetch = getattr(self.engine, "fetch", None)
                if fetch is None:
                    raise TypeError(f"this engine cannot fit {type(family).__name__} by group")
                data = fetch(cols)
        from .base import factorize_keys

        codes, uniq = factorize_keys([np.asarray(data[k]) for k in self.keys])
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(uniq[0].shape[0] + 1))
        items: list[tuple[Any, Stats]] = []
        ns = []
        for g in range(uniq[0].shape[0]):
            rows = order[bounds[g] : bounds[g + 1]]
            part = {k: np.asarray(v)[rows] for k, v in data.items() if k not in self.keys}
            key = tuple(u[g] for u in uniq)
            try:
                fam, st = self._in_memory(family, part)
            except ValueError as exc:
                raise ValueError(f"group {_key_text(key)}: {exc}") from None
            items.append((fam, st))
            ns.append(float(st.n))
        keys = dict(zip(self.keys, uniq, strict=True))
        return GroupedStats(self.keys, keys, family, np.array(ns), items=items)


@dataclass(frozen=True)
class _Roles:
    """The column roles of an engine, without its data (see :meth:`TableSource._detached`)."""

    columns: tuple[str, ...]


def _batch_stats(
    source: TableSource, family: Any, batch: Mapping[str, NDArray[Any]]
) -> tuple[Any, Any, Mapping[str, NDArray[Any]] | None] | None:
    """One batch's ``(family, statistics, None)`` when they merge with ``+``, else
    ``(family, statistics, batch)`` (the data themselves are needed); None for no rows."""
    if batch["x"].shape[0] == 0:
        return None
    fam, st = source._in_memory(family, batch)
    if isinstance(st, SuffStats) and not fam.obs_arrays and "n" not in batch:
        return fam, st, None
    return fam, st, batch


def _key_text(key: tuple[Any, ...]) -> str:
    vals = [k.item() if isinstance(k, np.generic) else k for k in key]
    return repr(vals[0]) if len(vals) == 1 else repr(tuple(vals))
