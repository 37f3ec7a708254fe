"""The GLMs on Dask: Logistic (every link), Poisson and GLMRegression (every family and
link, the dispersion included) fitted partition by partition through the one GLM fit.

:func:`fit_glm_dask` validates and describes the data in one pass
(:mod:`._distributed`'s :class:`~._distributed.DaskDesign`), then hands
:meth:`~._glm_base.GLMBase._fit_glm_on` a :class:`DaskGLMRows`, which answers each
question of the rows as one reduction: the solve is :func:`~._solvers._newton` over
:class:`DaskRows` (whose ``at`` is one reduction of :func:`~._loss.fused_pass` per
Newton or Fisher-scoring evaluation), the sums at the solution are
:class:`DaskFitted`'s (Pearson's chi-squared and the deviance in one pass, one per
log-likelihood, the Tweedie ML dispersion one per Newton step on ``log phi``, its
log-likelihoods kept). Passes and the differences from the in-memory fit: see
:mod:`._distributed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._checks import NotIdentifiable
from ._distributed import (
    DaskDesign,
    Summary,
    _add,
    _describe,
    _fitted_inputs,
    _merge_summary,
    design,
)
from ._families import (
    GLMFamily,
    gamma_ml_dispersion,
    tweedie_k_sums,
    tweedie_ml_newton,
    tweedie_series_sums,
)
from ._glm_base import Dispersion
from ._glm_data import eta_of
from ._loss import POISSON, Family, PassResult, _blas_one_thread, fused_pass, merge_passes
from ._solvers import CENTRE_RATIO, GLMFit, PenaltyVec, _newton
from .penalties import PriorSpec

__all__ = ["DaskFitted", "DaskGLMRows", "DaskRows", "fit_glm_dask"]

Array = NDArray[np.float64]


def _glm_block(
    X: Array,
    y: Array,
    w: Array | None,
    off: Array | None,
    family: Family,
    theta: Array,
    fit_b: bool,
    flags: dict[str, bool],
    centre: Array | None,
) -> PassResult:
    """The per-block hook of a GLM pass: the in-memory fused pass over one partition."""
    c, b = (theta[:-1], float(theta[-1])) if fit_b else (theta, 0.0)
    if X.shape[0] == 0:
        k = theta.shape[0]
        return PassResult(
            0.0,
            np.zeros(k) if flags.get("with_grad", True) else None,
            np.zeros((k, k)) if flags.get("with_hessian", False) else None,
            0.0,
        )
    return fused_pass(family, X, y, w, off, c, b, fit_b, centre=centre, **flags)


def _add_passes(*parts: PassResult) -> PassResult:
    """The sum of partition passes (the tree reduction's merge; the inputs are kept)."""
    first = parts[0]
    copy = PassResult(
        first.nll,
        None if first.grad is None else first.grad.copy(),
        None if first.hess is None else first.hess.copy(),
        first.eta_max,
    )
    return merge_passes([copy, *parts[1:]])


@dataclass
class DaskRows:
    """The solver's view of distributed rows: ``at`` is one Dask reduction.

    Implements what :func:`~._solvers._newton` reads of its rows (``family``,
    ``fit_intercept``, ``at``).
    """

    family: Family
    data: DaskDesign
    fit_intercept: bool
    centre: Array | None = None

    def at(self, theta: Array, packed: bool = False, **flags: bool) -> PassResult:
        """nll, gradient and Hessian (as ``flags`` ask) at ``theta``, over every partition
        (the Hessian full: ``packed`` is a request for the in-memory passes)."""
        out: PassResult = self.data.run(
            _glm_block, _add_passes, self.family, theta, self.fit_intercept, flags, self.centre
        )
        return out


class DaskFitted:
    """:class:`~._glm_data.Fitted` sums at a solution, each one reduction over the
    partitions by the family's own methods on every block (cached)."""

    def __init__(self, data: DaskDesign, glm: GLMFamily, theta: Array, fit_b: bool) -> None:
        self.data, self.glm, self.theta, self.fit_b = data, glm, theta, fit_b
        self._pd: Array | None = None
        self._ll: dict[float, float] = {}

    def _sum(self, what: str, arg: float = 0.0) -> Any:
        return self.data.run(_fitted_block, _add, self.glm, self.theta, self.fit_b, what, arg)

    def _pearson_deviance(self) -> Array:
        if self._pd is None:
            self._pd = np.asarray(self._sum("pd"))
        return self._pd

    def pearson(self) -> float:
        return float(self._pearson_deviance()[0])

    def deviance(self) -> float:
        return float(self._pearson_deviance()[1])

    def loglik(self, phi: float) -> float:
        if phi not in self._ll:
            self._ll[phi] = float(self._sum("loglik", phi))
        return self._ll[phi]

    def ml_dispersion(self, n: float, start: float | None = None) -> float:
        glm = self.glm
        if not glm.has_dispersion:
            return 1.0
        if glm.dist in ("gaussian", "inverse_gaussian"):  # a sum over the rows / n
            return float(self._sum("ml", n))
        if glm.dist == "gamma":
            return gamma_ml_dispersion(self.deviance(), n)
        ksum, log_y = (float(v) for v in self._sum("tweedie_k"))
        return tweedie_ml_newton(
            ksum,
            lambda phi: self._sum("tweedie_series", phi),
            glm.power,
            self.pearson() / n if start is None else start,
            self._ll,
            log_y,
        )


def _fitted_block(
    X: Array,
    y: Array,
    w: Array | None,
    off: Array | None,
    glm: GLMFamily,
    theta: Array,
    fit_b: bool,
    what: str,
    arg: float,
) -> Any:
    """One block's share of a :class:`DaskFitted` sum (the in-memory family methods)."""
    mu = glm.mean(eta_of(X, theta, fit_b, off))
    if what == "pd":
        return np.array([glm.pearson(y, mu, w), glm.deviance(y, mu, w)])
    if what == "loglik":
        return glm.loglik(y, mu, w, arg)
    if what == "ml":
        return glm.ml_dispersion(y, mu, w, arg)
    if what == "tweedie_k":
        return tweedie_k_sums(y, mu, w, glm.power)
    return tweedie_series_sums(y, w, arg, glm.power)


class DaskGLMRows:
    """:class:`~._glm_data.GLMData` of Dask partitions: the one GLM fit
    (:meth:`~._glm_base.GLMBase._fit_glm_on`) asks them each question as a reduction.

    The solve is :func:`~._solvers._newton` over :class:`DaskRows` (Newton for a
    canonical link, Fisher scoring for the others: one reduction per step); the
    fitted sums are :class:`DaskFitted`. Not available without the rows on the
    client: the linear programme that confirms a separation (a divergence of the
    iterates is reported as it is seen), the check for a coefficient only the
    prior holds, and the PSIS check of the Laplace posterior.
    """

    label = ", Dask"

    def __init__(self, data: DaskDesign, summary: Summary) -> None:
        self.data, self.s = data, summary
        self.p = data.p
        self.positive = summary.positive
        self.n_obs = summary.sw

    def identifiability_message(
        self, names: list[str], fit_b: bool, groups: list[list[int]]
    ) -> str:
        k = self.p + int(fit_b)
        if not groups:
            return (
                f"the model has {k} coefficients but the data have {self.positive} sample(s) "
                "with positive weight; the MLE is not identifiable. Use fewer features or a "
                "proper prior (e.g. th.Normal(0, 1))"
            )
        bad = sorted({names[j] if j < self.p else "intercept" for g in groups for j in g})
        return (
            f"column(s) {', '.join(bad)} are linear combinations of each other"
            f"{' and the intercept' if fit_b else ''}: the MLE is not identifiable. "
            "Drop them or use a proper prior (e.g. th.Normal(0, 1))"
        )

    def solve(
        self,
        est: Any,
        family: Family,
        fit_b: bool,
        pen: PenaltyVec,
        spec: PriorSpec,
        theta0: Array | None,
        names: list[str],
    ) -> GLMFit:
        s, p = self.s, self.p
        centre = None
        if fit_b and pen.l2[-1] == 0 and pen.l1[-1] == 0 and p:
            sd = np.sqrt(s.x_m2 / s.sw)
            if np.any(np.abs(s.x_mean) > CENTRE_RATIO * sd):  # as the in-memory solver
                centre = s.x_mean
        if theta0 is None:
            theta = np.zeros(p + int(fit_b))
            if fit_b:
                theta[-1] = family.start(s.y_mean)
                if self.data.inputs.keys() & {"exposure", "offset"}:
                    theta[-1] -= s.off_sum / s.sw
        else:
            theta = theta0.copy()
            if centre is not None:
                theta[-1] += float(centre @ theta[:-1])
        rows = DaskRows(family, self.data, fit_b, centre)
        try:
            with _blas_one_thread():
                # DaskRows has what _newton reads of its rows (family, fit_intercept, at);
                # top=False: a suspected divergence ends the solve (no LP over remote rows)
                res = _newton(
                    rows,  # type: ignore[arg-type]
                    pen,
                    theta,
                    int(est.max_iter),
                    float(est.tol),
                    0,
                    spec.is_flat,
                    top=False,
                )
        except NotIdentifiable as exc:
            raise ValueError(self.identifiability_message(names, fit_b, exc.groups)) from None
        res = res.uncentred(centre)
        if res.message == "diverging":  # reported along the coefficients no prior holds
            res.separated = [int(j) for j in np.flatnonzero((pen.l2 == 0) & (pen.l1 == 0))]
        return res

    def fitted(self, glm: GLMFamily, theta: Array, fit_b: bool) -> DaskFitted:
        return DaskFitted(self.data, glm, theta, fit_b)

    def held_separation(self, sep: str, fit_b: bool, res: GLMFit, pen: PenaltyVec) -> list[int]:
        return []

    def laplace_check(self, family: Family, pen: PenaltyVec, theta: Array, cov: Array) -> None:
        return None

    def details(self) -> dict[str, Any]:
        return {"passes": self.data.passes, "engine": "dask"}


def fit_glm_dask(
    est: Any,
    family: Family,
    X: Any,
    y: Any,
    sample_weight: Any = None,
    exposure: Any = None,
    offset: Any = None,
    scale: Dispersion | None = None,
) -> Any:
    """Fit a GLM estimator (Logistic, Poisson or GLMRegression, any family and link) on
    Dask collections through the one GLM fit; returns ``est``.

    The fitted attributes are those of the in-memory fit (``coef_``, ``intercept_``,
    ``n_iter_``, ``scale_``, ``estimate_``, and ``posterior_`` under a prior);
    ``estimate_.details["passes"]`` counts the reductions.

    Examples
    --------
    >>> import dask.array as da
    >>> import thetahat as th
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 2))
    >>> y = (rng.random(400) < 1 / (1 + np.exp(-X[:, 0]))).astype(float)
    >>> dist = th.regression.LogisticRegression().fit(da.from_array(X, chunks=(100, 2)),
    ...                                    da.from_array(y, chunks=100))
    >>> mem = th.regression.LogisticRegression().fit(X, y)
    >>> bool(np.allclose(dist.coef_, mem.coef_, rtol=1e-9))
    True
    >>> mu = np.exp(0.5 + 0.3 * X[:, 0])
    >>> yg = rng.gamma(4.0, mu / 4.0)
    >>> gd = th.regression.GLMRegression("gamma", link="log").fit(
    ...     da.from_array(X, chunks=(100, 2)), da.from_array(yg, chunks=100))
    >>> gm = th.regression.GLMRegression("gamma", link="log").fit(X, yg)
    >>> bool(np.allclose(gd.coef_, gm.coef_, rtol=1e-9)), bool(np.isclose(gd.scale_, gm.scale_))
    (True, True)
    """
    inputs = {"sample_weight": sample_weight, "exposure": exposure, "offset": offset}
    data = design(X, y, **inputs)
    _fitted_inputs(est, X)
    classify = est._model == "LogisticRegression"
    if classify:
        found = data.labels_of_y()
        _set_classes(est, found)
        data.labels = np.asarray(est.classes_)
    glm = family if isinstance(family, GLMFamily) else None
    s: Summary = data.run(_describe, _merge_summary, False, glm)
    if s.positive == 0:
        raise ValueError("the Dask data have no rows with positive weight")
    if family is POISSON and s.y_min < 0:
        raise ValueError(
            f"PoissonRegression needs counts >= 0; y has negative values ({s.y_min!r})"
        )
    if classify and s.y_min == s.y_max:
        raise ValueError(
            "y has only one class among the rows with positive weight: logistic regression "
            "needs both outcomes"
        )
    if glm is not None and glm.separation == "logistic" and s.between > 0 and not classify:
        # proportions: rows between 0 and 1 are never separated (as in memory)
        family = GLMFamily(glm.dist, glm.link_name, glm.power, None)
    est._fit_glm_on(family, DaskGLMRows(data, s), scale)
    return est


def _set_classes(est: Any, found: frozenset[Any]) -> None:
    values = np.array(sorted(found))
    if values.shape[0] > 2:
        raise ValueError(
            f"Only binary classification is supported on Dask collections: y has "
            f"{values.shape[0]} classes ({', '.join(map(str, values[:5]))}); the multinomial "
            "model is fitted in memory (pass NumPy arrays or a pandas DataFrame)"
        )
    if values.shape[0] < 2:
        raise ValueError(
            "y has only one class: logistic regression needs both outcomes "
            "(the MLE would be infinite)"
        )
    if values.dtype.kind in "biuf" and set(values.tolist()) <= {0, 1}:
        values = np.array([0, 1], dtype=values.dtype)
    est.classes_ = values
