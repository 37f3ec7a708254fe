"""Student t over engines: one aggregate query per Newton step, every group at once.

Why Newton on the score and Hessian sums rather than EM/ECME: the in-memory fit
(``StudentT._fit_fast``) is Newton on ``(log df, loc, log scale)`` from the ten
sums of :func:`thetahat._fastpath.t_sums` (with ``z = (x - loc) / scale``,
``r = 1 / (df + z^2)``, ``q = z^2 r``: the weighted sums of ``1, r, z r, q, r^2,
z r^2, q r, q z r, q^2, log(1 + z^2 / df)``). Those are plain aggregates of row
expressions, so the engine computes them in one query with each group's current
``(df, loc, scale)`` as per-group constants, and the same safeguarded Newton
(:func:`~thetahat.optim.newton_batch`, the batched form of the in-memory solver)
converges in about ten passes, where EM's linear rate needs tens to hundreds when
df is large. The Hessian of the last pass is the observed information, so the
covariance needs no extra query.

Starts (two passes): the engine's moments (``n``, mean, centred ``m2``, min, max)
and ``sum (x - mean)^4``: df from the excess kurtosis (``4 + 6 / kurtosis``,
clipped to [1, 50]; in memory the start matches the t's quantiles to the sample's,
and no engine here has exact quantiles in every backend), loc the mean, scale the
standard deviation shrunk to a t's scale at that df. Only the start differs from
memory; Newton converges to the same maximum, and the estimate and covariance
agree with the in-memory fit to rounding of the sums.

The Normal limit (df -> infinity) is decided as in memory: Newton heading past
df = 1000 with the likelihood still rising stops; the Normal fit's
log-likelihood and its slope in ``1 / df`` (from ``sum z^2`` and ``sum z^4``,
the start's pass) decide between a finite df and the boundary ``df = inf``
(status boundary, the in-memory message).

``log(1 + z^2/df)`` is written ``log(1 + ...)`` (engines have no ``log1p``): for
``z^2 / df`` near 1e-16 it rounds, which only touches fits heading to the Normal
limit, where the estimate is the Normal fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..._student_t import (
    ALL_EQUAL,
    HEAVY_UP_TO,
    LOG_2PI,
    NU_DRIFT,
    NU_MAX,
    c_derivs_many,
    fgh_terms,
    limit_message,
)
from ...optim import BatchResult, invert_information_batch, newton_batch
from .base import NoPerGroupConstants
from .expr import Agg, Aggregated, align, col, lit

__all__ = ["TSolution", "grouped_student_t", "student_t_solution"]

FloatArray = NDArray[np.float64]

NAMES = ("df", "loc", "scale")
#: Newton's step tolerance (the Normal-limit thresholds are the family's, in
#: thetahat._student_t)
_XTOL = 1e-10


def t_fgh(
    sums: dict[str, FloatArray], nu: FloatArray, s: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Log-likelihood, score and Hessian over (df, loc, scale) per group from the ten sums
    (the family's formula, :func:`thetahat._student_t.fgh_terms`, on arrays).

    Examples
    --------
    >>> import numpy as np
    >>> import thetahat as th
    >>> x = th.StudentT(4, 1, 2).sample(300, rng=0)
    >>> z = (x - 1.0) / 2.0
    >>> r = 1.0 / (4.0 + z * z); q = z * z * r
    >>> sums = {k: np.array([v.sum()]) for k, v in dict(
    ...     n=np.ones_like(x), r=r, zr=z * r, q=q, rr=r * r, zrr=z * r * r, qr=q * r,
    ...     qzr=q * z * r, qq=q * q, l=np.log1p(z * z / 4.0)).items()}
    >>> ll, g, h = t_fgh(sums, np.array([4.0]), np.array([2.0]))
    >>> bool(np.isclose(ll[0], th.StudentT(4, 1, 2).logpdf(x).sum()))
    True
    """
    order = ("n", "r", "zr", "q", "rr", "zrr", "qr", "qzr", "qq", "l")
    ll, g_nu, g_loc, g_s, h_nn, h_ln, h_sn, h_ll, h_ls, h_ss = fgh_terms(
        [sums[k] for k in order], nu, s, np.log(s), c_derivs_many(nu)
    )
    g = np.stack([g_nu, g_loc, g_s], axis=-1)
    h = np.empty((*nu.shape, 3, 3))
    h[:, 0, 0], h[:, 1, 1], h[:, 2, 2] = h_nn, h_ll, h_ss
    h[:, 0, 1] = h[:, 1, 0] = h_ln
    h[:, 0, 2] = h[:, 2, 0] = h_sn
    h[:, 1, 2] = h[:, 2, 1] = h_ls
    return ll, g, h


def _sum_aggs() -> dict[str, Agg]:
    """The ten sums at the per-group constants ``nu``, ``loc``, ``s`` (one query)."""
    z = (col("x") - col("loc")) / col("s")
    z2 = z * z
    r = lit(1.0) / (col("nu") + z2)
    zr = z * r
    q = z2 * r
    exprs = {"n": lit(1.0), "r": r, "zr": zr, "q": q, "rr": r * r, "zrr": zr * r, "qr": q * r,
             "qzr": q * zr, "qq": q * q, "l": (lit(1.0) + z2 / col("nu")).log()}  # fmt: skip
    return {k: Agg("sum", e) for k, e in exprs.items()}


@dataclass(frozen=True, eq=False)
class TSolution:
    """Every group's Student t MLE as found by engine passes (one entry per group):
    parameters (free and fixed), log-likelihood, the covariance over the free parameters,
    status and message; ``passes`` counts the queries.

    Examples
    --------
    >>> import numpy as np
    >>> import thetahat as th
    >>> from thetahat.inference.frames import as_source
    >>> x = th.StudentT(4.0, 0.0, 1.0).sample(600, rng=3)
    >>> sol = student_t_solution(th.StudentT(), as_source(x, by=np.arange(600) % 2), by=True)
    >>> sol.df.shape, sol.cov.shape, sol.status.tolist()
    ((2,), (2, 3, 3), ['success', 'success'])
    """

    keys: dict[str, NDArray[Any]]
    n: FloatArray
    df: FloatArray
    loc: FloatArray
    scale: FloatArray
    loglik: FloatArray
    cov: FloatArray
    status: NDArray[np.str_]
    message: NDArray[np.object_]
    iterations: NDArray[np.int64]
    free: tuple[str, ...]
    passes: int = 0

    def params(self) -> dict[str, FloatArray]:
        """The free parameters, name -> one value per group."""
        return {k: getattr(self, k) for k in self.free}


class _TPasses:
    """The vectorised Newton of the Student t over an engine's groups (module docstring)."""

    def __init__(self, family: Any, source: Any, keys: tuple[str, ...]) -> None:
        self.family, self.source, self.keys = family, source, keys
        self.fixed = {k: float(v) for k, v in family.params.items()}
        self.free = [i for i, k in enumerate(NAMES) if k in family.estimable]
        self.passes = 0
        self.aggs = _sum_aggs()

    def _aggregate(self, aggs: dict[str, Agg], params: dict[str, FloatArray] | None) -> Any:
        self.passes += 1
        consts = None if params is None else Aggregated(self.group_keys, params, self.m)
        out = self.source.engine.aggregate(aggs, list(self.keys), consts)
        return out if params is None else align(out, self.group_keys, self.keys)

    # ---------------------------------------------------------------- coordinates
    def natural(self, z: FloatArray, rows: NDArray[np.intp]) -> list[FloatArray]:
        """(nu, loc, s) of ``rows`` at the free coordinates ``z`` (log df, loc, log scale)."""
        full = [np.full(rows.shape[0], self.fixed.get(k, np.nan)) for k in NAMES]
        for j, i in enumerate(self.free):
            with np.errstate(over="ignore"):
                full[i] = z[:, j] if i == 1 else np.exp(z[:, j])
        return full

    def coords(self, p: list[FloatArray]) -> FloatArray:
        return np.stack([p[i] if i == 1 else np.log(p[i]) for i in self.free], axis=-1)

    def sums_at(self, nu: FloatArray, loc: FloatArray, s: FloatArray,
                rows: NDArray[np.intp]) -> dict[str, FloatArray]:  # fmt: skip
        """The ten sums of ``rows`` at their (nu, loc, s): one pass (the other groups at their
        current values)."""
        self.cur[0][rows], self.cur[1][rows], self.cur[2][rows] = nu, loc, s
        out = self._aggregate(self.aggs, {"nu": self.cur[0], "loc": self.cur[1],
                                          "s": self.cur[2]})  # fmt: skip
        return {k: v[rows] for k, v in out.values.items()}

    def objective(self, cap: float) -> tuple[Any, Any]:
        """``fgh`` and ``f`` over the free coordinates for newton_batch, sharing one pass
        per point (the value's pass caches the score and Hessian of the same point)."""
        k = len(self.free)
        seen: dict[int, tuple[bytes, float, FloatArray, FloatArray]] = {}

        def evaluate(z: FloatArray, rows: NDArray[np.intp]) -> tuple[Any, Any, Any]:
            f = np.full(rows.shape[0], -np.inf)
            g = np.zeros((rows.shape[0], k))
            h = np.tile(np.eye(k), (rows.shape[0], 1, 1))
            hit = [seen.get(int(r)) for r in rows]
            need = [j for j, e in enumerate(hit) if e is None or e[0] != z[j].tobytes()]
            for j, e in enumerate(hit):
                if j not in need and e is not None:
                    f[j], g[j], h[j] = e[1], e[2], e[3]
            if not need:
                return f, g, h
            idx = np.array(need, dtype=np.intp)
            nu, loc, s = self.natural(z[idx], rows[idx])
            inside = (nu > 1e-100) & (nu < 1e300) & (s > 1e-300) & (s < 1e300)
            with np.errstate(all="ignore"):
                sums = self.sums_at(np.where(inside, nu, 1.0), loc, np.where(inside, s, 1.0),
                                    rows[idx])  # fmt: skip
                ll, gn, hn = t_fgh(sums, nu, s)
                d = np.stack([nu, np.ones_like(nu), s], axis=-1)[:, self.free]
                gz = d * gn[:, self.free]
                hz = d[:, :, None] * hn[:, self.free][:, :, self.free] * d[:, None, :]
                for jj, i in enumerate(self.free):
                    if i != 1:
                        hz[:, jj, jj] += d[:, jj] * gn[:, i]
            ll = np.where(inside & np.isfinite(ll), ll, -np.inf)
            if 0 in self.free:
                # heading to df -> infinity with the likelihood rising: stop the row (a NaN
                # score ends it in newton_batch) and let the Normal limit decide
                drift = inside & (nu > cap) & (gn[:, 0] > 0)
                self.drift[rows[idx][drift]] = True
            stop = self.drift[rows[idx]]
            gz[stop] = np.nan
            f[idx], g[idx], h[idx] = ll, gz, hz
            for j, r in enumerate(rows[idx].tolist()):
                seen[r] = (z[idx][j].tobytes(), ll[j], gz[j], hz[j])
            self.last_h.update({r: (z[idx][j].tobytes(), hn[j], ll[j])
                                for j, r in enumerate(rows[idx].tolist())})  # fmt: skip
            return f, g, h

        return evaluate, (lambda z, rows: evaluate(z, rows)[0])

    def newton(self, start: list[FloatArray], rows: NDArray[np.intp], cap: float) -> BatchResult:
        self.drift[rows] = False
        fgh, f = self.objective(cap)
        z0 = self.coords([p[rows] for p in start])

        def fgh_rows(z: FloatArray, sub: NDArray[np.intp]) -> Any:
            return fgh(z, rows[sub])

        def f_rows(z: FloatArray, sub: NDArray[np.intp]) -> Any:
            return f(z, rows[sub])

        return newton_batch(fgh_rows, z0, f_only=f_rows, xtol=_XTOL)

    # ---------------------------------------------------------------- the fit
    def run(self) -> TSolution:
        x = col("x")
        first = self.source.engine.aggregate(
            {"m": Agg("moments", x), "lo": Agg("min", x), "hi": Agg("max", x)}, list(self.keys)
        )
        self.passes += 1
        if first.size == 0:
            raise ValueError(
                f"the table is empty: nothing to fit in column {self.source._name('x')}"
            )
        v = first.values
        self.group_keys, self.m = first.keys, first.size
        n, mean, m2, lo, hi = v["m.n"], v["m.mean"], v["m.m2"], v["lo"], v["hi"]
        if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))):
            raise ValueError(f"column {self.source._name('x')} holds infinite values")
        loc_c = np.full(self.m, self.fixed["loc"]) if "loc" in self.fixed else mean
        ones = np.ones(self.m)
        d = x - col("c")
        second = self._aggregate({"s2": Agg("sum", d * d), "s4": Agg("sum", d * d * d * d)},
                                 {"c": loc_c})  # fmt: skip
        s2, s4 = second.values["s2"], second.values["s4"]
        equal = lo == hi
        with np.errstate(all="ignore"):
            var = m2 / n
            kurt = np.where(var > 0, (s4 / n) / (var * var) - 3.0, 0.0)
            df0 = np.where(kurt > 0, np.clip(4.0 + 6.0 / kurt, 1.0, 50.0), 30.0)
            sd = np.sqrt(s2 / n)
            s0 = sd * np.sqrt(np.maximum(df0 - 2.0, 0.5) / df0)
        start = [
            np.full(self.m, self.fixed.get("df", 0.0)) if "df" in self.fixed else df0,
            loc_c,
            np.full(self.m, self.fixed["scale"]) if "scale" in self.fixed else s0,
        ]
        start = [np.where(equal, ones, p) for p in start]  # fmt: skip
        self.cur = [p.copy() for p in start]
        self.drift = np.zeros(self.m, dtype=bool)
        self.last_h: dict[int, tuple[bytes, FloatArray, float]] = {}
        live = np.flatnonzero(~equal)
        z = np.zeros((self.m, len(self.free)))
        fun = np.full(self.m, np.nan)
        conv = np.zeros(self.m, dtype=bool)
        its = np.zeros(self.m, dtype=np.int64)
        if live.size:
            res = self.newton(start, live, NU_DRIFT)
            z[live], fun[live], its[live] = res.x, res.fun, res.iterations
            conv[live] = res.converged
        drift = self.drift.copy()
        status = np.where(conv, "success", "failed").astype("<U8")
        msg = np.where(conv, "Newton converged (engine passes)",
                       "Newton did not converge (engine passes)").astype(object)  # fmt: skip
        boundary = np.zeros(self.m, dtype=bool)
        nu_hat = self.natural(z, np.arange(self.m))[0]
        if 0 in self.free:
            self._normal_limit(start, live, z, fun, conv, its, drift, nu_hat, n, s2, s4, loc_c,
                               status, msg, boundary)  # fmt: skip
        return self._solution(z, fun, its, status, msg, boundary, equal, n, lo, loc_c, s2)

    def _normal_limit(self, start: list[FloatArray], live: NDArray[np.intp], z: FloatArray,
                      fun: FloatArray, conv: NDArray[np.bool_], its: NDArray[np.int64],
                      drift: NDArray[np.bool_], nu_hat: FloatArray, n: FloatArray,
                      s2: FloatArray, s4: FloatArray, loc_c: FloatArray,
                      status: NDArray[np.str_], msg: NDArray[np.object_],
                      boundary: NDArray[np.bool_]) -> None:  # fmt: skip
        """The in-memory decision between a finite df and the Normal limit, per group."""
        inlive = np.zeros(self.m, dtype=bool)
        inlive[live] = True
        near = inlive & (drift | (conv & (nu_hat >= 100.0)))
        if not near.any():
            return
        with np.errstate(all="ignore"):
            s_n = np.full(self.m, self.fixed["scale"]) if "scale" in self.fixed else np.sqrt(s2 / n)
            q2, q4 = s2 / (s_n * s_n), s4 / (s_n**4)
            slope = 0.25 * (q4 - 2.0 * q2 - n)
            ll_n = -n * (0.5 * LOG_2PI + np.log(s_n)) - 0.5 * q2
        near &= (s_n > 0) & np.isfinite(s_n)
        have = near & ~drift  # a converged Newton result (df >= 100)
        again = np.flatnonzero(near & drift & (slope > 0))
        if again.size:  # the likelihood rises into finite df at the Normal fit: look further
            res = self.newton(start, again, NU_MAX)
            ok = res.converged & ~self.drift[again]
            z[again], fun[again], its[again] = res.x, res.fun, res.iterations
            have[again] = ok
            failed = again[~res.converged & ~self.drift[again]]
            status[failed], msg[failed] = "failed", "Newton did not converge (engine passes)"
            near[failed] = False
        better = near & have & (fun > ll_n)
        status[better], msg[better] = "success", "Newton converged (engine passes)"
        rest = near & ~better
        heavy = np.flatnonzero(rest & (n <= HEAVY_UP_TO))
        if heavy.size:
            # a heavy-tailed local maximum the light-tailed start walked away from
            from_heavy = [np.full(self.m, 1.5), start[1], start[2]]
            res = self.newton(from_heavy, heavy, NU_DRIFT)
            nu_h = self.natural(res.x, heavy)[0]
            take = res.converged & ~self.drift[heavy] & (res.fun > ll_n[heavy]) & (nu_h < NU_DRIFT)
            rows = heavy[take]
            z[rows], fun[rows], its[rows] = res.x[take], res.fun[take], res.iterations[take]
            status[rows], msg[rows] = "success", "Newton converged (engine passes)"
            rest[rows] = False
        b = np.flatnonzero(rest)
        boundary[b] = True
        status[b] = "boundary"
        for i in b.tolist():
            msg[i] = limit_message(float(slope[i]))
        fun[b] = ll_n[b]
        self.normal = (loc_c, s_n)

    def _solution(self, z: FloatArray, fun: FloatArray, its: NDArray[np.int64],
                  status: NDArray[np.str_], msg: NDArray[np.object_],
                  boundary: NDArray[np.bool_], equal: NDArray[np.bool_], n: FloatArray,
                  lo: FloatArray, loc_c: FloatArray, s2: FloatArray) -> TSolution:  # fmt: skip
        rows = np.arange(self.m)
        nu, loc, s = self.natural(z, rows)
        k = len(self.free)
        cov = np.full((self.m, k, k), np.inf)
        fit = np.flatnonzero(status == "success")
        if fit.size:
            # the Hessian at the estimate: the last pass's (one more pass where a row's
            # last evaluation was elsewhere)
            h = np.empty((fit.size, 3, 3))
            redo = []
            for j, r in enumerate(fit.tolist()):
                e = self.last_h.get(r)
                if e is not None and e[0] == z[r].tobytes():
                    h[j], fun[r] = e[1], e[2]
                else:
                    redo.append(j)
            if redo:
                at = fit[redo]
                with np.errstate(all="ignore"):
                    sums = self.sums_at(nu[at], loc[at], s[at], at)
                    ll, _, hh = t_fgh(sums, nu[at], s[at])
                h[redo], fun[at] = hh, ll
            hf = h[:, self.free][:, :, self.free]
            with np.errstate(all="ignore"):
                cov[fit] = invert_information_batch(-hf)
        nan_rows = np.flatnonzero(status == "failed")
        cov[nan_rows] = np.nan
        if boundary.any():
            loc_n, s_n = self.normal
            nu[boundary] = np.inf
            loc[boundary] = loc_n[boundary]
            s[boundary] = s_n[boundary]
        if equal.any():
            nu[equal] = np.inf
            loc[equal] = lo[equal] if "loc" not in self.fixed else self.fixed["loc"]
            s[equal] = 0.0 if "scale" not in self.fixed else self.fixed["scale"]
            at_c = loc[equal] == lo[equal]
            zero = s[equal] == 0.0
            fun[equal] = np.where(at_c & zero, np.inf, -np.inf)
            status[equal] = "boundary"
            msg[equal] = ALL_EQUAL
        free = tuple(NAMES[i] for i in self.free)
        return TSolution(dict(self.group_keys), n, nu, loc, s, fun, cov, status, msg, its, free,
                         self.passes)  # fmt: skip


def student_t_solution(family: Any, source: Any, by: bool = False) -> TSolution:
    """The Student t MLE of every group of ``source`` (``by``) or of the whole table, by
    aggregate passes (see the module docstring).

    Examples
    --------
    >>> import numpy as np
    >>> import thetahat as th
    >>> from thetahat.inference.frames import as_source
    >>> x = th.StudentT(5.0, 1.0, 2.0).sample(800, rng=1)
    >>> sol = student_t_solution(th.StudentT(), as_source(x))
    >>> mem = th.fit(th.StudentT, x).params
    >>> bool(np.isclose(sol.df[0], mem["df"], rtol=1e-9)), sol.passes > 3
    (True, True)
    """
    return _TPasses(family, source, source.keys if by else ()).run()


def grouped_student_t(family: Any, source: Any) -> Any:
    """Per-group Student t fits by vectorised passes (a ``GroupedStats`` whose solution is
    a :class:`TSolution`), or None where the engine cannot take per-group constants (it
    then fetches the data).

    Examples
    --------
    >>> import numpy as np
    >>> import thetahat as th
    >>> from thetahat.inference.frames import as_source
    >>> x = th.StudentT(4.0, 0.0, 1.0).sample(600, rng=3)
    >>> gs = grouped_student_t(th.StudentT(), as_source(x, by=np.arange(600) % 2))
    >>> gs.size, gs.passes > 3
    (2, True)
    """
    from .source import GroupedStats

    try:
        sol = student_t_solution(family, source, by=True)
    except NoPerGroupConstants:
        return None
    return GroupedStats(source.keys, dict(sol.keys), family, np.asarray(sol.n, dtype=float),
                        None, passes=sol.passes, solution=sol)  # fmt: skip
