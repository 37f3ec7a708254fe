"""The family protocol: what a distribution may provide to be fitted, declared once.

Layer 5 of :class:`~thetahat.distributions.Distribution` (efax's style: the
family's capabilities as interfaces, derived quantities derived once). A family
implements some of these formula hooks; inference asks for them only through
the public methods and capability flags below, never by ``hasattr``.

=====================  ===========================================  =======================
capability             formula hook (override)                      asked as
=====================  ===========================================  =======================
statistics             ``_stats_type`` + ``_chunk_stats``/``_reduce``  ``statistics_type``,
                       (layer 4, :mod:`.reducer`)                     ``suff_stats``
log-likelihood         ``_loglik(params, stats)``                   ``has_loglik``,
                                                                    ``loglik``
closed-form MLE        ``_mle(stats)`` (None: no closed form)       ``closed_form_mle``
starting values        ``_start(stats)``                            ``start_values``
                       (derived: the closed-form MLE)
fast fit               ``_fit_fast(stats)`` (profile Newton ...)    ``fast_fit``
score and Hessian      ``_grad_hess(params, stats)``                ``has_score``,
                                                                    ``score_hessian``
Fisher information     ``_information(params, stats)``              ``fisher_information``
observed information   derived: minus the analytic Hessian          ``observed_information``
covariance             ``_covariance(params, stats)`` (Laplace,     ``has_closed_form_covariance``,
                       Pareto: not twice differentiable)            ``closed_form_covariance``
                       derived: the inverse information
data bounds            ``_support_bounds(stats)`` (Pareto's xm)     ``data_bounds``
fit details            ``_fit_details(params, stats)`` (unbiased    ``fit_details``
                       covariance of a multivariate normal)
kink information       ``_exact_information(params, cs)``           ``has_kink``,
                       (Laplace's location, censored data)          ``exact_information``
support of the data    ``_support_mask`` (layer 3)                  ``in_support``
conjugate priors       rules in :mod:`thetahat.conjugacy`           ``find_rule``
many groups at once    ``_array_hooks = True`` (the hooks above     ``fits_many``,
                       take statistics whose fields are arrays,     ``fit_many``,
                       one entry per group) and                     ``loglik_many``,
                       ``_fit_fast_many(stats)`` (a batched solve)  ``covariance_many``
=====================  ===========================================  =======================

**Many groups at once** (``th.fit(..., by=)``). A family that declares
``_array_hooks`` writes ``_mle``, ``_loglik`` and ``_information`` so that they
also take statistics whose fields are arrays (one entry per group) and return
arrays (matrices with the groups along trailing axes): the same formula serves
one fit and 10^5. The batched protocol is derived from them once, here: the MLE
of every group (the closed form, else the family's ``_fit_fast_many``, which runs
optim's batched Newton), the log-likelihoods, and the covariances (the inverse
Fisher information, batched: at an MLE of these exponential families it equals
the observed information).

``params`` always holds every parameter (fixed and free); matrices are over
the free parameters in declaration order; ``stats`` is what
:func:`thetahat.statistics.statistics_of` returned for this family.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..optim import BatchResult, SolverResult, invert_information, invert_information_batch
from .reducer import Reducer

__all__ = ["Family", "any_true", "diagonal", "many", "where"]

Value = Any
Matrix = NDArray[np.float64]


def many(value: Any) -> bool:
    """Whether a hook got the values of many groups (an array with a dimension), not one
    fit's scalar (checked without numpy's conversion of a Python float: ``np.ndim``
    costs microseconds on the one-fit path).

    Examples
    --------
    >>> import numpy as np
    >>> many(1.5), many(np.float64(1.5)), many(np.array([1.5, 2.0]))
    (False, False, True)
    """
    return isinstance(value, np.ndarray) and value.ndim > 0


def where(cond: Any, a: Any, b: Any) -> Any:
    """``a`` where ``cond`` holds, else ``b``: a plain branch for a scalar condition (no
    numpy call on the one-fit path), ``np.where`` for an array of groups.

    Examples
    --------
    >>> import numpy as np
    >>> where(1.0 > 0.0, "a", "b"), where(np.array([True, False]), 1.0, 2.0).tolist()
    ('a', [1.0, 2.0])
    """
    if isinstance(cond, np.ndarray) and cond.ndim:
        return np.where(cond, a, b)
    return a if cond else b


def any_true(cond: Any) -> bool:
    """Whether a condition holds anywhere (a scalar's truth, or any entry of an array).

    Examples
    --------
    >>> import numpy as np
    >>> any_true(False), any_true(np.array([False, True]))
    (False, True)
    """
    if isinstance(cond, np.ndarray):
        return bool(np.any(cond))
    return bool(cond)


def diagonal(entries: list[Any]) -> Matrix:
    """A diagonal matrix of ``entries``: ``(k, k)`` for scalars, ``(k, k, m)`` for arrays
    of ``m`` groups (the groups along the trailing axis, as the information hooks return).

    Examples
    --------
    >>> import numpy as np
    >>> diagonal([1.0, 2.0]).tolist()
    [[1.0, 0.0], [0.0, 2.0]]
    >>> diagonal([np.array([1.0, 3.0])]).shape
    (1, 1, 2)
    """
    if not any(many(e) for e in entries):  # one fit: no broadcasting machinery
        return np.diag(np.array(entries, dtype=float))
    v = np.asarray(np.broadcast_arrays(*[np.asarray(e, dtype=float) for e in entries]))
    k = v.shape[0]
    out = np.zeros((k, k, *v.shape[1:]))
    for i in range(k):
        out[i, i] = v[i]
    return out


class Family(Reducer):
    """The fitting protocol of a distribution (see the module docstring)."""

    #: the formula hooks take statistics whose fields are arrays (one entry per group)
    _array_hooks = False

    # ------------------------------------------------------------ formula hooks
    def _loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        raise TypeError(f"{type(self).__name__} cannot be used as a likelihood")

    def _mle(self, stats: Any) -> dict[str, Value] | None:
        """Closed-form MLE of the free parameters, or None when there is none."""
        return None

    def _start(self, stats: Any) -> dict[str, Value] | None:
        """Starting values for an iterative fit (None: use the closed-form MLE)."""
        return None

    def _fit_fast(self, stats: Any) -> tuple[dict[str, Value], SolverResult] | None:
        """A specialised solve (profile Newton on one shape), or None: the generic one."""
        return None

    def _grad_hess(self, params: Mapping[str, Value], stats: Any) -> tuple[Matrix, Matrix]:
        """Score and Hessian of the log-likelihood over all parameters."""
        raise TypeError(f"{type(self).__name__} has no analytic score")

    def _information(self, params: Mapping[str, Value], stats: Any) -> Matrix | None:
        """Fisher information of the free parameters (total over the data), or None."""
        return None

    def _fit_fast_many(self, stats: Any) -> tuple[dict[str, Value], BatchResult] | None:
        """Every group's MLE at once where there is no closed form (optim's batched
        Newton), or None: the groups are fitted one by one."""
        return None

    def _covariance(self, params: Mapping[str, Value], stats: Any) -> Matrix:
        """Closed-form covariance of the MLE of the free parameters."""
        info = self.fisher_information(params, stats)
        if info is None:
            raise TypeError(f"{type(self).__name__} has no closed-form covariance")
        return invert_information(info)

    def _exact_information(self, params: Mapping[str, Value], cs: Any) -> Matrix:
        """Information of the exact observations of censored data ``cs`` over all
        parameters, for a density with a kink at a parameter (Laplace's location)."""
        raise TypeError(f"{type(self).__name__} has no kink in its density")

    def _support_bounds(self, stats: Any) -> dict[str, float]:
        """Upper bounds the data put on parameters (Pareto's ``xm <= min x``)."""
        return {}

    def _fit_details(self, params: Mapping[str, Value], stats: Any) -> dict[str, Any]:
        """Quantities an MLE reports besides its parameters (the unbiased covariance)."""
        return {}

    # ------------------------------------------------------------ capabilities
    def _overrides(self, hook: str) -> bool:
        return getattr(type(self), hook) is not getattr(Family, hook)

    @property
    def has_loglik(self) -> bool:
        """The family evaluates its log-likelihood from its statistics (``_loglik``);
        otherwise a fit sums the log density over the observations."""
        return self._overrides("_loglik")

    @property
    def has_score(self) -> bool:
        """The family has an analytic score and Hessian (``_grad_hess``)."""
        return self._overrides("_grad_hess")

    @property
    def has_closed_form_covariance(self) -> bool:
        """The family states the MLE's covariance itself (``_covariance``), where the
        likelihood's curvature does not give it (Laplace's location, Pareto's xm)."""
        return self._overrides("_covariance")

    @property
    def has_kink(self) -> bool:
        """The density has a kink at a parameter (``_exact_information``): its observed
        curvature there is degenerate, so censored fits use the family's own rule."""
        return self._overrides("_exact_information")

    # ------------------------------------------------------------ the protocol
    def loglik(self, params: Mapping[str, Value], stats: Any) -> float:
        """Log-likelihood of the data summarised by ``stats`` at ``params``."""
        return float(self._loglik(params, stats))

    def closed_form_mle(self, stats: Any) -> dict[str, Value] | None:
        """The MLE of the free parameters in closed form, or None."""
        return self._mle(stats)

    def start_values(self, stats: Any) -> dict[str, float]:
        """Scalar starting values for an iterative fit: the family's start, else its
        closed-form MLE; empty when neither applies to these statistics."""
        for hook in (self._start, self._mle):
            try:
                with np.errstate(all="ignore"):
                    found = hook(stats)
            except (ValueError, TypeError, ZeroDivisionError, OverflowError, FloatingPointError):
                continue
            if found:
                return {k: float(v) for k, v in found.items() if np.ndim(v) == 0}
        return {}

    def fast_fit(self, stats: Any) -> tuple[dict[str, Value], SolverResult] | None:
        """The family's specialised MLE solve, or None."""
        return self._fit_fast(stats)

    def score_hessian(self, params: Mapping[str, Value], stats: Any) -> tuple[Matrix, Matrix]:
        """Score and Hessian of the log-likelihood over all parameters, in order."""
        g, h = self._grad_hess(params, stats)
        return np.asarray(g, dtype=float), np.asarray(h, dtype=float)

    def fisher_information(self, params: Mapping[str, Value], stats: Any) -> Matrix | None:
        """Expected (Fisher) information of the free parameters, or None."""
        info = self._information(params, stats)
        return None if info is None else np.asarray(info, dtype=float)

    def observed_information(self, params: Mapping[str, Value], stats: Any) -> Matrix:
        """Minus the analytic Hessian over the free parameters (derived from the score)."""
        _, h = self.score_hessian(params, stats)
        order = self.param_names()
        free = self.estimable
        if free != order:
            idx = [order.index(n) for n in free]
            h = h[np.ix_(idx, idx)]
        return -h

    def closed_form_covariance(self, params: Mapping[str, Value], stats: Any) -> Matrix:
        """The covariance of the MLE: the family's own, else the inverse information."""
        return np.asarray(self._covariance(params, stats), dtype=float)

    def exact_information(self, params: Mapping[str, Value], cs: Any) -> Matrix:
        """Information of the exact observations of censored data (families with a kink)."""
        return np.asarray(self._exact_information(params, cs), dtype=float)

    def fit_details(self, params: Mapping[str, Value], stats: Any) -> dict[str, Any]:
        """Quantities an MLE reports besides its parameters, name -> value."""
        return dict(self._fit_details(params, stats))

    def data_bounds(self, stats: Any) -> dict[str, float]:
        """Upper bounds the data put on parameters (a fit solves inside them)."""
        return dict(self._support_bounds(stats))

    # ------------------------------------------------------------ many groups at once
    @property
    def fits_many(self) -> bool:
        """Every group's MLE comes from array arithmetic (:meth:`fit_many`): the family's
        hooks take array statistics and every parameter is free (Binomial trials aside)."""
        return self._array_hooks and not [k for k in self._values if k != "n"]

    def fit_many(self, stats: Any) -> tuple[dict[str, NDArray[np.float64]], BatchResult] | None:
        """The MLE of every group from statistics whose fields are arrays (one entry per
        group): the closed form, else the family's batched solve; None where neither
        applies (the groups are then fitted one by one).

        Returns the parameters (one array each) and a :class:`~thetahat.optim.BatchResult`
        with each group's status; its ``fun`` is the log-likelihood where the solve knows
        it (NaN: :meth:`loglik_many` gives it).

        Examples
        --------
        >>> import numpy as np
        >>> import thetahat as th
        >>> st = th.Exponential().statistics_type(n=np.array([2.0, 4.0]),
        ...                                       total=np.array([1.0, 8.0]))
        >>> params, res = th.Exponential().fit_many(st)
        >>> params["rate"].tolist(), [str(s) for s in res.status]
        ([2.0, 0.5], ['success', 'success'])
        """
        if not self.fits_many:
            return None
        m = int(np.shape(stats.n)[0])
        with np.errstate(all="ignore"):
            found = self._mle(stats)
        if found is not None:
            params = {k: np.broadcast_to(np.asarray(v, dtype=float), (m,))
                      for k, v in found.items()}  # fmt: skip
            x = np.stack(list(params.values()), axis=-1) if params else np.zeros((m, 0))
            return params, BatchResult.of(x, np.full(m, np.nan), np.ones(m, dtype=bool),
                                          "closed form")  # fmt: skip
        return self._fit_fast_many(stats)

    def loglik_many(self, params: Mapping[str, Any], stats: Any) -> NDArray[np.float64]:
        """Every group's log-likelihood (parameters and statistics as arrays).

        Examples
        --------
        >>> import numpy as np
        >>> import thetahat as th
        >>> st = th.Poisson().statistics_type(n=np.array([1.0, 1.0]), total=np.array([2.0, 0.0]),
        ...                                   exposure=np.ones(2), const=np.zeros(2))
        >>> th.Poisson().loglik_many({"rate": np.array([2.0, 0.0])}, st).round(6).tolist()
        [-0.613706, 0.0]
        """
        with np.errstate(all="ignore"):
            return np.asarray(self._loglik({**self.params, **params}, stats), dtype=float)

    def covariance_many(self, params: Mapping[str, Any], stats: Any) -> NDArray[np.float64]:
        """Every group's covariance of the MLE, ``(m, k, k)``: the inverse Fisher
        information, inverted group by group (``inf`` where singular).

        Examples
        --------
        >>> import numpy as np
        >>> import thetahat as th
        >>> st = th.Exponential().statistics_type(n=np.array([2.0, 4.0]),
        ...                                       total=np.array([1.0, 8.0]))
        >>> th.Exponential().covariance_many({"rate": np.array([2.0, 0.5])}, st)[:, 0, 0].tolist()
        [2.0, 0.0625]
        """
        m = int(np.shape(stats.n)[0])
        with np.errstate(all="ignore"):
            info = self._information({**self.params, **params}, stats)
        if info is None:
            raise TypeError(f"{type(self).__name__} has no Fisher information")
        info = np.asarray(info, dtype=float)
        k = info.shape[0]
        stack = np.moveaxis(np.broadcast_to(info.reshape(k, k, -1), (k, k, m)), -1, 0)
        return invert_information_batch(stack)
