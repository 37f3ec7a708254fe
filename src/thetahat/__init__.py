"""thetahat: parameter estimation along the whole spectrum MLE -> MAP -> posterior.

>>> import thetahat as th
>>> th.fit(th.Bernoulli, [1, 1, 1], prior=th.Beta(2, 2)).params["p"]
0.8

``import thetahat`` needs only NumPy and scipy.special; scipy.stats,
scipy.optimize, pandas, matplotlib and the rest load when first used.
"""

from .decisions import ab_test, compare_posteriors
from .distributions import (
    Bernoulli,
    Beta,
    BetaBinomial,
    BetaNegativeBinomial,
    Binomial,
    Burr,
    Categorical,
    Dirichlet,
    DirichletMultinomial,
    Distribution,
    Exponential,
    Flat,
    Gamma,
    Gamma3,
    GeneralizedExtremeValue,
    GeneralizedPareto,
    Geometric,
    Gumbel,
    HalfNormal,
    InverseGamma,
    InverseGaussian,
    Laplace,
    Logistic,
    LogLogistic,
    LogNormal,
    LogNormal3,
    Lomax,
    Multinomial,
    NegativeBinomial,
    Normal,
    NormalInverseGamma,
    Pareto,
    Poisson,
    StudentT,
    Uniform,
    Weibull,
    Weibull3,
)
from .distributions.multivariate_normal import MultivariateNormal
from .distributions.multivariate_t import MultivariateStudentT
from .distributions.normal_inverse_wishart import InverseWishart, NormalInverseWishart
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
    "Burr",
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
    "Gamma3",
    "GeneralizedExtremeValue",
    "GeneralizedPareto",
    "Geometric",
    "Gumbel",
    "HalfNormal",
    "InfoValue",
    "InverseGamma",
    "InverseGaussian",
    "InverseWishart",
    "Laplace",
    "LogLogistic",
    "LogNormal",
    "LogNormal3",
    "Logistic",
    "Lomax",
    "Model",
    "MomentStats",
    "Multinomial",
    "MultivariateNormal",
    "MultivariateStudentT",
    "NegativeBinomial",
    "Normal",
    "NormalInverseGamma",
    "NormalInverseWishart",
    "Pareto",
    "Poisson",
    "Posterior",
    "Scan",
    "Shrinkage",
    "StudentT",
    "SuffStats",
    "Uniform",
    "Weibull",
    "Weibull3",
    "__version__",
    "ab_test",
    "compare",
    "compare_posteriors",
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
