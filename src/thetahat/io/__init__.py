"""Input for the command line and files: the one table reader and the one prior grammar.

* :mod:`thetahat.io.table`: CSV, TSV, Parquet, JSON lines or numbers one per
  line (a file or standard input) -> column name -> NumPy array, nothing
  dropped silently (:func:`read_table`, :func:`numeric_column`).
* :mod:`thetahat.io.spec`: prior and family SPECs such as ``beta(2, 2)`` or
  ``mu=normal(0, 10); sigma=gamma(2, 1)``, read by a hand-written tokenizer and
  parser (never ``eval``) (:func:`parse_prior`, :func:`parse_distribution`,
  :func:`parse_regression_prior`).
"""

from .spec import (
    SpecError,
    distribution_classes,
    lookup_distribution,
    parse_distribution,
    parse_fixed,
    parse_prior,
    parse_regression_prior,
)
from .table import (
    FORMATS,
    Table,
    choose_column,
    label_column,
    numeric_column,
    read_table,
    source_name,
)

__all__ = [
    "FORMATS",
    "SpecError",
    "Table",
    "choose_column",
    "distribution_classes",
    "label_column",
    "lookup_distribution",
    "numeric_column",
    "parse_distribution",
    "parse_fixed",
    "parse_prior",
    "parse_regression_prior",
    "read_table",
    "source_name",
]
