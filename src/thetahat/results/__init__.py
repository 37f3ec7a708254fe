"""Result objects: Estimate (a point fit with uncertainty), Posterior, Comparison, Shrinkage.

All are frozen dataclasses: a fit never changes after it is made; methods that
"change" one (``Estimate.transform``, ``Posterior.update``) return a new object.
"""

from ._common import BoundaryWarning, ConvergenceWarning, _flat_labels, _flatten, _unflatten
from ._lazy_cov import LazyCovariance
from .comparison import Comparison
from .estimate import Estimate
from .posterior import Posterior

__all__ = [
    "BoundaryWarning",
    "Comparison",
    "ConvergenceWarning",
    "Estimate",
    "LazyCovariance",
    "Posterior",
    "_flat_labels",
    "_flatten",
    "_unflatten",
]
