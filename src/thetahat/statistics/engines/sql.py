"""Aggregates as one SQL query: the DuckDB path of :class:`~.frame.NarwhalsEngine`.

narwhals translates ``log`` for DuckDB as ``CASE ... log(x) / log(e)`` (DuckDB's
``log`` is base 10), which made a Gamma fit of 10^7 rows take 1.4x DuckDB's own
``avg``/``var_pop`` query while ``sum(ln(x))`` written directly takes 0.9x
(benchmarks/engines.py (a)); so for DuckDB relations the row expressions
(:mod:`.expr`) are written as SQL here, with the engine's own ``ln``/``exp``
(whose edge values match numpy's: ``ln(0) = -inf``, ``ln(-1) = NaN``) and, for an
iterative family's per-group constants, a ``VALUES`` table joined by key (no
limit on the number of groups). The aggregate kinds and their meanings are those
of :meth:`~.frame.NarwhalsEngine.aggregate`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .expr import WEIGHT, Agg, Aggregated, Expr

__all__ = ["aggregate_query", "sql_literal"]

FloatArray = NDArray[np.float64]


def _name(c: str) -> str:
    return '"' + c.replace('"', '""') + '"'


def sql_literal(v: Any) -> str:
    """A Python value as a SQL literal (numbers exactly, text quoted).

    Examples
    --------
    >>> sql_literal(0.1), sql_literal("o'k"), sql_literal(float("inf")), sql_literal(3)
    ('0.1::DOUBLE', "'o''k'", "'Infinity'::DOUBLE", '3')
    """
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "'NaN'::DOUBLE"
        if math.isinf(v):
            return "'Infinity'::DOUBLE" if v > 0 else "'-Infinity'::DOUBLE"
        return f"{v!r}::DOUBLE"
    if isinstance(v, str):
        return "'" + v.replace("'", "''") + "'"
    raise TypeError(f"no SQL literal for {type(v).__name__}")


class _Sql:
    """SQL text with the operators :meth:`Expr.translate` uses."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _op(self, op: str, other: _Sql) -> _Sql:
        return _Sql(f"({self.text} {op} {other.text})")

    def __add__(self, o: _Sql) -> _Sql:
        return self._op("+", o)

    def __sub__(self, o: _Sql) -> _Sql:
        return self._op("-", o)

    def __mul__(self, o: _Sql) -> _Sql:
        return self._op("*", o)

    def __truediv__(self, o: _Sql) -> _Sql:
        return self._op("/", o)

    def log(self) -> _Sql:
        return _Sql(f"ln({self.text})")

    def exp(self) -> _Sql:
        return _Sql(f"exp({self.text})")

    def lgamma(self) -> _Sql:
        return _Sql(f"lgamma({self.text})")

    def floor(self) -> _Sql:
        return _Sql(f"floor({self.text})")


def _expr(e: Expr) -> str:
    out: _Sql = e.translate(lambda c: _Sql(_name(c)), lambda v: _Sql(sql_literal(float(v))))
    return out.text


def aggregate_query(
    aggs: Mapping[str, Agg],
    keys: Sequence[str],
    kinds: Mapping[str, str],
    params: Aggregated | None,
    nulls: Sequence[str],
    table: str,
) -> tuple[str, Callable[[Mapping[str, Any]], Aggregated]]:
    """The SQL of one aggregate pass over ``table`` and the function turning its result
    columns into :class:`~.expr.Aggregated`.

    Examples
    --------
    >>> from thetahat.statistics.engines import Agg, col
    >>> sql, _ = aggregate_query({"s": Agg("sum", col("x").log())}, [], {"x": "numeric"},
    ...                          None, [], "t")
    >>> sql
    'SELECT COALESCE(sum(ln("x")), 0) AS "s" FROM t'
    """
    weighted = WEIGHT in kinds
    w = _name(WEIGHT)
    shifted = not keys or params is not None
    sel: list[str] = [_name(k) for k in keys]
    for name, a in aggs.items():
        e = _expr(a.expr)
        if a.kind == "sum" and not a.expr.columns() and not weighted:
            sel.append(f"(count(*)::DOUBLE * {e}) AS {_name(name)}")
        elif a.kind == "sum":
            sel.append(f"COALESCE(sum({f'{e} * {w}' if weighted else e}), 0) AS {_name(name)}")
        elif a.kind in ("min", "max"):
            arg = f"CASE WHEN {w} > 0 THEN {e} END" if weighted else e
            sel.append(f"{a.kind}({arg}) AS {_name(name)}")
        elif a.kind == "moments":
            d = f"({e} - {sql_literal(float(a.centre))})"
            if weighted or shifted:  # a two-level shift: plain sums about the centre
                n = f"sum({w})" if weighted else f"count({d})::DOUBLE"
                s1 = f"sum({w} * {d})" if weighted else f"sum({d})"
                s2 = f"sum({w} * {d} * {d})" if weighted else f"sum({d} * {d})"
                sel += [f"COALESCE({n}, 0) AS {_name(name + '.n')}",
                        f"COALESCE({s1}, 0) AS {_name(name + '.s1')}",
                        f"COALESCE({s2}, 0) AS {_name(name + '.s2')}"]  # fmt: skip
            else:  # the engine's own stable avg / var_pop
                sel += [f"count({d})::DOUBLE AS {_name(name + '.n')}",
                        f"avg({d}) AS {_name(name + '.d')}",
                        f"var_pop({d}) AS {_name(name + '.v')}"]  # fmt: skip
        else:
            raise ValueError(f"unknown aggregate kind {a.kind!r}")
    for c in nulls:
        if kinds.get(c) in ("numeric", "boolean") and c not in keys:
            q = _name(c)
            sel.append(f"sum(CASE WHEN {q} IS NULL OR isnan({q}) THEN 1 ELSE 0 END) "
                       f"AS {_name('__nulls__' + c)}")  # fmt: skip
        else:
            sel.append(f"(count(*) - count({_name(c)})) AS {_name('__nulls__' + c)}")
    source = table
    if params is not None:
        if keys:
            names = [*keys, *params.values]
            rows = zip(*(np.asarray(params.keys[k]).tolist() for k in keys),
                       *(np.asarray(v, dtype=float).tolist() for v in params.values.values()),
                       strict=True)  # fmt: skip
            values = ", ".join("(" + ", ".join(sql_literal(v) for v in r) + ")" for r in rows)
            cols = ", ".join(_name(n) for n in names)
            using = ", ".join(_name(k) for k in keys)
            source = f"{table} JOIN (VALUES {values}) AS __th_p({cols}) USING ({using})"
        else:
            consts = ", ".join(f"{sql_literal(float(v[0]))} AS {_name(n)}"
                               for n, v in params.values.items())  # fmt: skip
            source = f"{table}, (SELECT {consts}) AS __th_p"
    sql = f"SELECT {', '.join(sel)} FROM {source}"
    if keys:
        sql += f" GROUP BY {', '.join(_name(k) for k in keys)}"

    def outputs(cols: Mapping[str, Any]) -> Aggregated:
        from .frame import values_of

        first = next(iter(cols.values()), None)
        size = 0 if first is None else int(np.shape(first)[0])
        return Aggregated({k: np.asarray(cols[k]) for k in keys}, values_of(aggs, cols), size)

    return sql, outputs
