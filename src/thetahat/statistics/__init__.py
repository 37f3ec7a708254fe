"""Statistics of data for a family: the one place data meet the mathematics.

:func:`statistics_of` is the entry point ("this family's statistics of this
source"); :class:`Source` is the interface further engines implement. The
statistics themselves: :class:`SuffStats` (and the stable :class:`MomentStats`),
:class:`DataStats` and :class:`CensoredStats`, all mergeable with ``+``.
"""

from .censored import Censored, CensoredStats
from .data import DataStats
from .source import Source, Statistics, statistics_of
from .sufficient import MomentStats, SuffStats

__all__ = [
    "Censored",
    "CensoredStats",
    "DataStats",
    "MomentStats",
    "Source",
    "Statistics",
    "SuffStats",
    "statistics_of",
]
