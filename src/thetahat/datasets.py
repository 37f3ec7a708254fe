"""Small real datasets bundled with thetahat (used by the demo and examples).

* ``groundbeef``: serving sizes (g) of ground beef patties for children under 5
  (Delignette-Muller & Cornu 2008, via R's fitdistrplus), 254 values.
* ``toxocara``: Toxocara cati worm counts in 53 feral cats (Fromont et al. 2001,
  via fitdistrplus).
* ``baseball``: Efron & Morris (1975), hits in the first 45 at-bats of 18 players
  and their batting average over the rest of the 1970 season (via R's pscl).
* ``rat_tumor``: 71 rat tumour experiments (Tarone 1982; Gelman et al., BDA3
  Table 5.1): tumours y out of n rats.
"""

from __future__ import annotations

import csv
from importlib import resources

import numpy as np
from numpy.typing import NDArray

__all__ = ["NAMES", "load", "path"]

NAMES = ("groundbeef", "toxocara", "baseball", "rat_tumor")


def path(name: str) -> str:
    """Filesystem path of a bundled CSV file.

    Examples
    --------
    >>> from thetahat import datasets
    >>> datasets.path("groundbeef").endswith("groundbeef.csv")
    True
    """
    if name not in NAMES:
        raise ValueError(f"unknown dataset {name!r}; available: {', '.join(NAMES)}")
    return str(resources.files("thetahat") / "data" / f"{name}.csv")


def load(name: str) -> dict[str, NDArray[np.float64] | list[str]]:
    """A bundled dataset as column name -> array (text columns as lists of str).

    Examples
    --------
    >>> from thetahat import datasets
    >>> toxo = datasets.load("toxocara")
    >>> sorted(toxo), len(toxo["number"])
    (['number'], 53)
    """
    with open(path(name), newline="") as fh:
        rows = list(csv.DictReader(fh))
    out: dict[str, NDArray[np.float64] | list[str]] = {}
    for col in rows[0]:
        values = [r[col] for r in rows]
        try:
            out[col] = np.array([float(v) for v in values])
        except ValueError:
            out[col] = values
    return out
