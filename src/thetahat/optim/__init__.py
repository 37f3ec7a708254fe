"""The solver: one Newton skeleton, one typed result with a status.

Every iterative fit in thetahat ends in a :class:`SolverResult`: the point,
the value, a :class:`Status` (``success``, ``boundary`` or ``failed``), a
message saying how it ended, and the iteration count (the optimistix /
scikit-learn convention: a solve that did not converge says so, it never
reports success).

* :func:`newton_maximize` maximises a smooth function from its value, gradient
  and Hessian, with the two damping modes the fits need: ``"levenberg"``
  (raise ``lam`` in ``(-H + lam I) d = g`` until it is positive definite: the
  generic MLE/MAP solve) and ``"eigen"`` (reflect the Hessian's eigenvalues: a
  modified Newton step that still ascends, for the empirical-Bayes marginal
  likelihoods); each step is halved until the function does not decrease.
* :func:`maximize` is Newton with its explicit fallback: scipy's BFGS when
  Newton fails, polished by Newton from BFGS's end point.
* :func:`newton_1d` finds the root of a decreasing function (a profile score
  equation) by safeguarded Newton with bisection.
* :func:`invert_information` turns an information matrix into a covariance
  (``inf`` everywhere when it is singular); :func:`invert_information_2x2` and
  :func:`invert_information_3x3` the same for a 2x2 or 3x3 one given as floats (no
  array built first), :func:`inverse_2x2` a 2x2 one's entries as floats;
  :func:`inverse_symmetric` inverts a large symmetric matrix (by its Cholesky factor
  where positive definite; in its own memory with ``overwrite``),
  :func:`inverse_symmetric_logdet` adds that factor's log determinant, and
  :func:`mirror_upper` fills a lower triangle from the upper.

* :func:`newton_batch`, :func:`newton_1d_batch` and
  :func:`invert_information_batch` are the same three vectorised over many
  independent problems (one per group of a ``by=`` fit), ending in one
  :class:`BatchResult` with a status and message per row.

Families with closed forms never come here; families with a one-dimensional
profile equation (Gamma shape, Weibull shape, negative-binomial ``r``) use
:func:`newton_1d`.
"""

from ._batch import newton_1d_batch, newton_batch
from ._derivatives import domain_derivatives, fd_grad_hess, numeric_hessian
from ._information import (
    inverse_2x2,
    inverse_symmetric,
    inverse_symmetric_logdet,
    invert_information,
    invert_information_2x2,
    invert_information_3x3,
    invert_information_batch,
    mirror_upper,
)
from ._newton import maximize, minimize_unconstrained, newton_1d, newton_maximize
from ._result import BatchResult, SolverResult, Status

__all__ = [
    "BatchResult",
    "SolverResult",
    "Status",
    "domain_derivatives",
    "fd_grad_hess",
    "inverse_2x2",
    "inverse_symmetric",
    "inverse_symmetric_logdet",
    "invert_information",
    "invert_information_2x2",
    "invert_information_3x3",
    "invert_information_batch",
    "maximize",
    "minimize_unconstrained",
    "mirror_upper",
    "newton_1d",
    "newton_1d_batch",
    "newton_batch",
    "newton_maximize",
    "numeric_hessian",
]
