"""Inference: fit (MLE, MAP), posterior (exact, Laplace), compare, information.

Public entry points are re-exported by :mod:`thetahat`; the helpers below turn
user input into a family and a checked prior for the other packages (CLI, plots).
"""

from ._family import as_family, check_prior, resolve_categorical

__all__ = ["as_family", "check_prior", "resolve_categorical"]
