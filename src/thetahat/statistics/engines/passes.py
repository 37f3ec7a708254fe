"""Iterative families over engines: one aggregate query per Newton step.

The Weibull has no finite sufficient statistics: its profile score at a shape
``k`` needs the sums ``A = sum w e``, ``B = sum w e y`` and ``C = sum w e y^2``
with ``y = log x - log c`` (``c`` the largest value, so ``e = exp(k y) <= 1``
cannot overflow). Each Newton step on the profile score

    f(k) = 1/k + mean(y) - B/A,     f'(k) = -1/k^2 - (C/A - (B/A)^2)

is one aggregate pass of the engine, for every group at once (the current
shape and ``log c`` of each group are per-group constants of the pass), driven by
optim's batched safeguarded Newton (:func:`~thetahat.optim.newton_1d_batch`, in
``log k``). The number of passes is reported (``EngineStats.passes``,
``Estimate.passes``).

:class:`EngineStats` is what such a source returns as statistics: ``n``, the
number of passes and the log-likelihood, score and Hessian at the estimate,
cached where the family's hooks look for them (``weibull_at``,
``weibull_scaled``); it holds no data, so profile intervals, which re-maximise
over the data, are not available from it (Wald intervals are).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ...optim import newton_1d_batch
from .base import NoPerGroupConstants
from .expr import Agg, Aggregated, align, col

__all__ = [
    "EngineStats",
    "PassSolution",
    "WeibullPasses",
    "engine_stats",
    "grouped_passes",
    "grouped_weibull",
    "pass_stats",
]

FloatArray = NDArray[np.float64]

#: Newton stops when the shape moves less than this (relative)
_XTOL = 1e-13
_MAX_PASSES = 60


@dataclass(frozen=True, eq=False)
class EngineStats:
    """Statistics of a family without finite ones, computed by an engine.

    Holds no data: the estimate and the curvature there are in ``cache``.

    Examples
    --------
    >>> import duckdb
    >>> import thetahat as th
    >>> rel = duckdb.sql("SELECT 1.5 + (range % 7) * 0.5 AS x FROM range(200)")
    >>> est = th.fit(th.Weibull, rel, column="x")
    >>> est.passes > 2, est.status
    (True, <Status.SUCCESS: 'success'>)
    """

    n: float
    w: None = None
    passes: int = 0
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def x(self) -> Any:
        raise ValueError(
            "these statistics were computed where the data live (one aggregate query per "
            "Newton step) and hold no data: profile intervals need them in memory; use "
            "conf_int(kind='wald')"
        )

    def logx(self) -> Any:
        """Not available (see :attr:`x`)."""
        return self.x

    def positive(self) -> Any:
        """Not available (see :attr:`x`)."""
        return self.x


@dataclass(frozen=True, eq=False)
class PassSolution:
    """Every group's MLE as found by engine passes (one entry per group): what the
    family's ``fit_many``/``covariance_many`` read for a ``by=`` fit.

    ``hessian`` is over (shape, scale / lambda) at 1 (the family's scaled units);
    ``equal`` marks groups whose values are all equal (the shape MLE is infinite),
    ``ok`` those whose Newton steps converged; ``passes`` counts the queries.

    Examples
    --------
    >>> import numpy as np
    >>> import thetahat as th
    >>> from thetahat.inference.frames import as_source
    >>> x = th.Weibull(2.0, 3.0).sample(400, rng=3)
    >>> sol = grouped_weibull(th.Weibull(), as_source(x, by=np.arange(400) % 2)).solution
    >>> sol.shape.shape, sol.hessian.shape
    ((2,), (2, 2, 2))
    """

    n: FloatArray
    shape: FloatArray
    scale: FloatArray
    loglik: FloatArray
    hessian: FloatArray
    ok: NDArray[np.bool_]
    equal: NDArray[np.bool_]
    passes: int = 0


def _weibull_gh(
    k: FloatArray, n: FloatArray, st: FloatArray, stl: FloatArray, stl2: FloatArray,
    sl: FloatArray,
) -> tuple[FloatArray, FloatArray]:  # fmt: skip
    """Score and Hessian over (shape, scale) in units where the scale is 1, vectorised:
    ``st = sum t``, ``stl = sum t l``, ``stl2 = sum t l^2``, ``sl = sum l`` with
    ``l = log(x / lambda)`` and ``t = exp(k l)``."""
    g = np.stack([n / k + sl - stl, k * (st - n)], axis=-1)
    h_kl = st - n + k * stl
    h = np.empty((*k.shape, 2, 2))
    h[..., 0, 0] = -n / (k * k) - stl2
    h[..., 0, 1] = h[..., 1, 0] = h_kl
    h[..., 1, 1] = -k * (st - n + k * st)
    return g, h


class WeibullPasses:
    """The vectorised profile Newton of the Weibull over an engine's groups.

    Examples
    --------
    >>> import numpy as np
    >>> import thetahat as th
    >>> from thetahat.inference.frames import as_source
    >>> x = th.Weibull(2.0, 3.0).sample(500, rng=1)
    >>> r = WeibullPasses(as_source(x), ()).run()
    >>> bool(np.isclose(r["shape"][0], th.fit(th.Weibull, x).params["shape"]))
    True
    """

    def __init__(self, source: Any, keys: tuple[str, ...]) -> None:
        self.source, self.keys = source, keys
        self.passes = 0

    def _aggregate(self, aggs: dict[str, Agg], params: Aggregated | None) -> Aggregated:
        self.passes += 1
        return self.source.engine.aggregate(aggs, list(self.keys), params)

    def run(self) -> dict[str, Any]:
        ly = col("x").log()
        first = self._aggregate({"m": Agg("moments", ly), "top": Agg("max", ly),
                                 "lo": Agg("min", col("x"))}, None)  # fmt: skip
        if first.size == 0:  # an engine that reports an empty table by its aggregates
            raise ValueError(
                f"the table is empty: nothing to fit in column {self.source._name('x')}"
            )
        v = first.values
        if not np.all(v["lo"] > 0):
            raise ValueError(
                f"Weibull data must be positive numbers; column {self.source._name('x')} holds "
                f"{float(np.min(v['lo'])):g}"
            )
        n, top = v["m.n"], v["top"]
        if not np.all(np.isfinite(top)):
            raise ValueError(f"column {self.source._name('x')} holds infinite values")
        ybar = v["m.mean"] - top
        var = v["m.m2"] / n
        equal = var <= 0
        with np.errstate(all="ignore"):
            k = np.where(equal, 1.0, np.pi / np.sqrt(6.0 * np.where(equal, 1.0, var)))
        keys = first.keys
        y = ly - col("ltop")
        e = (col("k") * y).exp()
        aggs = {"a": Agg("sum", e), "b": Agg("sum", e * y), "c": Agg("sum", e * y * y)}
        k_all = k.copy()  # every group's current shape (a pass takes them all)
        last: dict[str, FloatArray] = {}

        def sums(kk: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
            out = self._aggregate(aggs, Aggregated(keys, {"k": kk, "ltop": top}, kk.shape[0]))
            out = align(out, keys, self.keys)
            last.update(k=kk.copy(), a=out.values["a"], b=out.values["b"], c=out.values["c"])
            return out.values["a"], out.values["b"], out.values["c"]

        def score(u: FloatArray, rows: NDArray[np.intp]) -> tuple[FloatArray, FloatArray]:
            # the profile score in u = log k and its derivative (k f'(k)): one pass
            k_all[live[rows]] = np.exp(u)
            a, b, c = (v[live[rows]] for v in sums(k_all))
            kk = k_all[live[rows]]
            ba = b / a
            f = 1.0 / kk + ybar[live[rows]] - ba
            return f, kk * (-1.0 / (kk * kk) - (c / a - ba * ba))

        live = np.flatnonzero(~equal)
        ok = np.ones_like(k, dtype=bool)
        if live.size:
            # optim's batched safeguarded Newton; each evaluation is one aggregate pass
            sol = newton_1d_batch(score, np.log(k[live]), xtol=_XTOL, maxiter=_MAX_PASSES)
            k_all[live] = np.exp(sol.x[:, 0])
            ok[live] = sol.converged
        k = k_all
        if not last or not np.array_equal(last["k"], k):
            sums(k)  # one more pass at the final shapes: the sums the estimate is made of
        a, b, c = last["a"], last["b"], last["c"]
        with np.errstate(all="ignore"):
            shift = np.log(a / n) / k  # log(lambda / c)
            sl = n * ybar - n * shift
            stl = (n / a) * (b - shift * a)
            stl2 = (n / a) * (c - 2.0 * shift * b + shift * shift * a)
            ll = n * (np.log(k) - top - shift) + (k - 1.0) * sl - n
            g, h = _weibull_gh(k, n, n, stl, stl2, sl)
        scale = np.exp(top + shift)
        k = np.where(equal, np.inf, k)
        scale = np.where(equal, np.exp(top), scale)
        ll = np.where(equal, np.inf, ll)
        return {"keys": keys, "n": n, "shape": k, "scale": scale, "loglik": ll, "g": g, "h": h,
                "shift": shift, "top": top, "ok": ok, "equal": equal}  # fmt: skip


def engine_stats(family: Any, source: Any) -> EngineStats:
    """The Weibull's :class:`EngineStats` of a whole table (its MLE in the cache).

    Examples
    --------
    >>> import thetahat as th
    >>> from thetahat.inference.frames import as_source
    >>> st = engine_stats(th.Weibull(), as_source(th.Weibull(2.0, 3.0).sample(300, rng=2)))
    >>> st.n, st.passes > 2
    (300.0, True)
    """
    passes = WeibullPasses(source, ())
    r = passes.run()
    n = float(r["n"][0])
    k, scale = float(r["shape"][0]), float(r["scale"][0])
    cache: dict[str, Any] = {"solution": r}
    if np.isfinite(k):
        # the score and Hessian come over (shape, scale / lambda) at 1: the family's
        # scaled units; natural units for its generic hooks
        g, h = r["g"][0], r["h"][0]
        cache["weibull_scaled"] = ((k, scale), h)
        d = np.array([1.0, 1.0 / scale])
        with np.errstate(over="ignore"):
            cache["weibull_at"] = ((k, scale), float(r["loglik"][0]), g * d, h * np.outer(d, d))
    return EngineStats(n=n, passes=passes.passes, cache=cache)


def grouped_weibull(family: Any, source: Any) -> Any:
    """Per-group Weibull fits by vectorised passes, or None where the engine cannot take
    per-group constants (it then fetches the data).

    Examples
    --------
    >>> import numpy as np
    >>> import thetahat as th
    >>> from thetahat.inference.frames import as_source
    >>> x = th.Weibull(2.0, 3.0).sample(400, rng=3)
    >>> gs = grouped_weibull(th.Weibull(), as_source(x, by=np.arange(400) % 2))
    >>> gs.size, gs.passes > 2
    (2, True)
    """
    from .source import GroupedStats

    if family.params:
        return None
    passes = WeibullPasses(source, source.keys)
    try:
        r = passes.run()
    except NoPerGroupConstants:
        return None
    n = np.asarray(r["n"], dtype=float)
    sol = PassSolution(n, r["shape"], r["scale"], r["loglik"], r["h"], r["ok"], r["equal"],
                       passes.passes)  # fmt: skip
    return GroupedStats(source.keys, dict(r["keys"]), family, n, None, passes=passes.passes,
                        solution=sol)  # fmt: skip


def pass_stats(family: Any, source: Any) -> EngineStats:
    """The :class:`EngineStats` of an iterative family over a whole table: the Weibull's
    profile Newton, or the Student t's (:mod:`.student`; its solution in
    ``cache["student_t"]``).

    Examples
    --------
    >>> import thetahat as th
    >>> from thetahat.inference.frames import as_source
    >>> st = pass_stats(th.StudentT(), as_source(th.StudentT(4.0, 0.0, 1.0).sample(300, rng=2)))
    >>> st.n, st.passes > 3
    (300.0, True)
    """
    if type(family).__name__ == "StudentT":
        from .student import student_t_solution

        sol = student_t_solution(family, source)
        return EngineStats(n=float(sol.n[0]), passes=sol.passes, cache={"student_t": sol})
    return engine_stats(family, source)


def grouped_passes(family: Any, source: Any) -> Any:
    """Per-group fits of an iterative family by vectorised passes (Weibull, Student t), or
    None where the engine cannot take per-group constants (it then fetches the data).

    Examples
    --------
    >>> import numpy as np
    >>> import thetahat as th
    >>> from thetahat.inference.frames import as_source
    >>> x = th.StudentT(4.0, 0.0, 1.0).sample(400, rng=3)
    >>> grouped_passes(th.StudentT(), as_source(x, by=np.arange(400) % 2)).size
    2
    """
    if type(family).__name__ == "StudentT":
        from .student import grouped_student_t

        return grouped_student_t(family, source)
    return grouped_weibull(family, source)
