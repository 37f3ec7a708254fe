"""thetahat distributions: one class each, used as likelihood families and as priors."""

from ._base import ContinuousDistribution, DiscreteDistribution, Distribution, Param
from .bernoulli import Bernoulli
from .beta import Beta
from .beta_binomial import BetaBinomial
from .beta_negative_binomial import BetaNegativeBinomial
from .binomial import Binomial
from .burr import Burr
from .categorical import Categorical
from .dirichlet import Dirichlet
from .dirichlet_multinomial import DirichletMultinomial
from .exponential import Exponential
from .flat import Flat
from .gamma import Gamma
from .genextreme import GeneralizedExtremeValue
from .genpareto import GeneralizedPareto
from .geometric import Geometric
from .gumbel import Gumbel
from .half_normal import HalfNormal
from .inverse_gamma import InverseGamma
from .inverse_gaussian import InverseGaussian
from .laplace import Laplace
from .logistic import Logistic
from .loglogistic import LogLogistic
from .lognormal import LogNormal
from .lomax import Lomax
from .multinomial import Multinomial
from .negative_binomial import NegativeBinomial
from .normal import Normal
from .normal_inverse_gamma import NormalInverseGamma
from .pareto import Pareto
from .poisson import Poisson
from .student_t import StudentT
from .threshold import Gamma3, LogNormal3, Weibull3
from .uniform import Uniform
from .weibull import Weibull

__all__ = [
    "Bernoulli",
    "Beta",
    "BetaBinomial",
    "BetaNegativeBinomial",
    "Binomial",
    "Burr",
    "Categorical",
    "ContinuousDistribution",
    "Dirichlet",
    "DirichletMultinomial",
    "DiscreteDistribution",
    "Distribution",
    "Exponential",
    "Flat",
    "Gamma",
    "Gamma3",
    "GeneralizedExtremeValue",
    "GeneralizedPareto",
    "Geometric",
    "Gumbel",
    "HalfNormal",
    "InverseGamma",
    "InverseGaussian",
    "Laplace",
    "LogLogistic",
    "LogNormal",
    "LogNormal3",
    "Logistic",
    "Lomax",
    "Multinomial",
    "NegativeBinomial",
    "Normal",
    "NormalInverseGamma",
    "Param",
    "Pareto",
    "Poisson",
    "StudentT",
    "Uniform",
    "Weibull",
    "Weibull3",
]
