"""Empirical Bayes: shrink many small groups toward a prior fitted to all of them.

:func:`shrink` fits the prior by maximum marginal likelihood (Beta for
Binomial rates, Gamma for Poisson rates, Normal for group means, by ML or
REML) and returns a :class:`~thetahat.results.Shrinkage` with every group's
exact conjugate posterior. The per-family mathematics live in ``_binomial``,
``_poisson`` and ``_normal``; ``_common`` holds the rising-factorial sums and
pair/value indexing that make one Newton iteration over a million groups cheap;
``_input`` reads the groups from arrays or data frames.
"""

from .fit import shrink

__all__ = ["shrink"]
