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
=====================  ===========================================  =======================

``params`` always holds every parameter (fixed and free); matrices are over
the free parameters in declaration order; ``stats`` is what
:func:`thetahat.statistics.statistics_of` returned for this family.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..optim import SolverResult, invert_information
from .reducer import Reducer

__all__ = ["Family"]

Value = Any
Matrix = NDArray[np.float64]


class Family(Reducer):
    """The fitting protocol of a distribution (see the module docstring)."""

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
