"""thetahat: parameter estimation along the whole spectrum MLE -> MAP -> posterior.

>>> import thetahat as th
>>> th.fit(th.Bernoulli, [1, 1, 1], prior=th.Beta(2, 2)).params["p"]
0.8

``import thetahat`` needs only NumPy and scipy.special; scipy.stats,
scipy.optimize, pandas, matplotlib and the rest load when first used.
"""

from .distributions import (
    Bernoulli,
    Beta,
    BetaBinomial,
    BetaNegativeBinomial,
    Binomial,
    Categorical,
    Dirichlet,
    DirichletMultinomial,
    Distribution,
    Exponential,
    Flat,
    Gamma,
    Geometric,
    InverseGamma,
    Lomax,
    Multinomial,
    NegativeBinomial,
    Normal,
    NormalInverseGamma,
    Poisson,
    StudentT,
)
from .inference.fit import fit
from .inference.posterior import posterior
from .inference.shrink import shrink
from .results import BoundaryWarning, ConvergenceWarning, Estimate, Posterior
from .results_shrink import Shrinkage
from .stats import MomentStats, SuffStats

__version__ = "0.1.0"

__all__ = [
    "Bernoulli",
    "Beta",
    "BetaBinomial",
    "BetaNegativeBinomial",
    "Binomial",
    "BoundaryWarning",
    "Categorical",
    "ConvergenceWarning",
    "Dirichlet",
    "DirichletMultinomial",
    "Distribution",
    "Estimate",
    "Exponential",
    "Flat",
    "Gamma",
    "Geometric",
    "InverseGamma",
    "Lomax",
    "MomentStats",
    "Multinomial",
    "NegativeBinomial",
    "Normal",
    "NormalInverseGamma",
    "Poisson",
    "Posterior",
    "Shrinkage",
    "StudentT",
    "SuffStats",
    "__version__",
    "fit",
    "posterior",
    "shrink",
]
