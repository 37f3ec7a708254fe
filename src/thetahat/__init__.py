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
    HalfNormal,
    InverseGamma,
    Laplace,
    LogNormal,
    Lomax,
    Multinomial,
    NegativeBinomial,
    Normal,
    NormalInverseGamma,
    Pareto,
    Poisson,
    StudentT,
    Weibull,
)
from .distributions.multivariate_normal import MultivariateNormal
from .divergence import InfoValue, cross_entropy, entropy, kl
from .inference.compare import compare
from .inference.fit import fit
from .inference.posterior import posterior
from .model import Model
from .results import BoundaryWarning, Comparison, ConvergenceWarning, Estimate, Posterior
from .results.fittable import FitTable
from .results.shrinkage import Shrinkage
from .shrink import shrink
from .statistics import Censored, MomentStats, SuffStats
from .statistics.engines.scan import Scan, scan

__version__ = "0.1.0"

__all__ = [
    "Bernoulli",
    "Beta",
    "BetaBinomial",
    "BetaNegativeBinomial",
    "Binomial",
    "BoundaryWarning",
    "Categorical",
    "Censored",
    "Comparison",
    "ConvergenceWarning",
    "Dirichlet",
    "DirichletMultinomial",
    "Distribution",
    "Estimate",
    "Exponential",
    "FitTable",
    "Flat",
    "Gamma",
    "Geometric",
    "HalfNormal",
    "InfoValue",
    "InverseGamma",
    "Laplace",
    "LogNormal",
    "Lomax",
    "Model",
    "MomentStats",
    "Multinomial",
    "MultivariateNormal",
    "NegativeBinomial",
    "Normal",
    "NormalInverseGamma",
    "Pareto",
    "Poisson",
    "Posterior",
    "Scan",
    "Shrinkage",
    "StudentT",
    "SuffStats",
    "Weibull",
    "__version__",
    "compare",
    "cross_entropy",
    "entropy",
    "fit",
    "kl",
    "posterior",
    "scan",
    "shrink",
]


#: subpackages loaded on first use (``th.plot``, ``th.regression``) -> the extra
#: that installs what they import (matplotlib, scikit-learn), which
#: ``import thetahat`` must not import
_LAZY = {"plot": "plot", "regression": "regression", "derive": "derive"}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name is None or exc.name.split(".")[0] == __name__:
                raise
            from ._optional import MissingExtraError

            raise MissingExtraError(
                f"th.{name} needs {exc.name}, which is not installed: "
                f'pip install "thetahat[{_LAZY[name]}]"'
            ) from None
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
