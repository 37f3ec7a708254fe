"""The Distribution class, assembled from one layer per concern.

Every thetahat distribution is one class used two ways:

* **frozen** (all parameters given): a probability distribution that can be
  evaluated (``logpdf``/``logpmf``), sampled, summarised and used as a prior;
* **a family** (some parameters left out): the free parameters are what
  :func:`thetahat.fit` and :func:`thetahat.posterior` estimate; the given ones
  stay fixed.

The layers, each in its own module, each building on the one before:

1. :mod:`.parameters`: the parameter object (declared parameters with domains);
2. :mod:`.density`: formula hooks (``_logp``, ``_cdf``, ...) and the density API;
3. :mod:`.observations`: what data the family takes and their validation;
4. :mod:`.reducer`: sufficient statistics of in-memory data, chunked and threaded;
5. :mod:`.family`: the fitting protocol (likelihood, MLE, score, information).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import check_level
from .family import Family
from .parameters import Param, Value

__all__ = [
    "ContinuousDistribution",
    "DiscreteDistribution",
    "Distribution",
    "Param",
    "Value",
    "check_level",
]


class Distribution(Family):
    """Base class of all thetahat distributions (see the module docstring).

    Examples
    --------
    >>> import thetahat as th
    >>> d = th.Gamma(2.0, 0.5)
    >>> d.is_frozen, th.Gamma().is_frozen
    (True, False)
    >>> d.mean(), d.var()
    (4.0, 8.0)
    >>> th.Gamma(shape=2.0).estimable
    ('rate',)
    >>> float(d.to_scipy().mean())
    4.0
    """

    discrete: ClassVar[bool] = False


class ContinuousDistribution(Distribution):
    """A distribution with a density."""

    discrete = False

    def logpdf(self, x: ArrayLike) -> NDArray[np.float64] | float:
        """Log of the probability density at ``x`` (-inf outside the support)."""
        return self._logdensity(x)

    def pdf(self, x: ArrayLike) -> NDArray[np.float64] | float:
        """Probability density at ``x``."""
        return np.exp(self._logdensity(x))


class DiscreteDistribution(Distribution):
    """A distribution with a probability mass function."""

    discrete = True

    def logpmf(self, x: ArrayLike) -> NDArray[np.float64] | float:
        """Log of the probability mass at ``x`` (-inf outside the support)."""
        return self._logdensity(x)

    def pmf(self, x: ArrayLike) -> NDArray[np.float64] | float:
        """Probability mass at ``x``."""
        return np.exp(self._logdensity(x))
