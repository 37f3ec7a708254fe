"""Statistics of data for a family: the one place data meet the mathematics.

See :mod:`thetahat.statistics.source` for the entry point.
"""

from .censored import Censored, CensoredStats
from .data import DataStats
from .sufficient import MomentStats, SuffStats

__all__ = ["Censored", "CensoredStats", "DataStats", "MomentStats", "SuffStats"]
