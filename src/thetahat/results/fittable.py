"""``FitTable``: one fit per group (``th.fit(..., by=...)``, ``th.posterior(..., by=...)``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["FitTable"]


class FitTable:
    """Per-group results: a table with one row per group, and each group's result.

    Attributes
    ----------
    by : tuple of str
        The key columns.
    keys : list of tuple
        The groups' keys, in table order (sorted where the keys sort).
    columns : dict of str to numpy array
        The table's columns: the keys, ``n``, each parameter with its ``se``
        and interval bounds (``_low``/``_high``), ``loglik``, ``status``,
        ``warnings`` (for a fit); posterior ``mean``/``sd``/interval and
        ``log_evidence`` (for a posterior).
    kind : {"fit", "posterior"}
    n_dropped : int
        Rows dropped for nulls (``nulls="drop"``).
    passes : int
        Aggregate passes over the data (iterative families; 1 otherwise).
    vectorised : bool
        Whether the groups were fitted together by array arithmetic (else
        group by group).

    Examples
    --------
    >>> import pandas as pd
    >>> import thetahat as th
    >>> df = pd.DataFrame({"shop": ["a", "a", "a", "b", "b"],
    ...                    "wait": [1.0, 2.0, 3.0, 4.0, 6.0]})
    >>> res = th.fit(th.Exponential, df, column="wait", by="shop")
    >>> res.table[["shop", "n", "rate"]]
      shop    n  rate
    0    a  3.0   0.5
    1    b  2.0   0.2
    >>> res["b"].params
    {'rate': 0.2}
    """

    def __init__(
        self,
        by: Sequence[str],
        keys: list[tuple[Any, ...]] | Callable[[], list[tuple[Any, ...]]],
        columns: dict[str, NDArray[Any]],
        item: Callable[[int], Any],
        *,
        kind: str = "fit",
        family: Any = None,
        n_dropped: int = 0,
        passes: int = 1,
        vectorised: bool = True,
        shrink: Callable[[float], Any] | None = None,
    ) -> None:
        self.by = tuple(by)
        self._keys = keys
        self.columns = columns
        self._item = item
        self._cache: dict[int, Any] = {}
        self._index_of: dict[tuple[Any, ...], int] | None = None
        self.kind = kind
        self.family = family
        self.n_dropped = n_dropped
        self.passes = passes
        self.vectorised = vectorised
        self._shrink = shrink

    @property
    def keys(self) -> list[tuple[Any, ...]]:
        """The groups' keys as tuples, in table order (built on first use)."""
        if callable(self._keys):
            self._keys = self._keys()
        return self._keys

    @property
    def _index(self) -> dict[tuple[Any, ...], int]:
        if self._index_of is None:
            self._index_of = {k: i for i, k in enumerate(self.keys)}
        return self._index_of

    def __len__(self) -> int:
        return int(np.asarray(self.columns["n"]).shape[0])

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.keys)

    def _position(self, key: Any) -> int:
        k = key if isinstance(key, tuple) else (key,)
        if k not in self._index:
            shown = ", ".join(repr(x[0] if len(x) == 1 else x) for x in self.keys[:5])
            more = ", ..." if len(self.keys) > 5 else ""
            raise KeyError(f"no group {key!r}; the groups are {shown}{more}")
        return self._index[k]

    def __getitem__(self, key: Any) -> Any:
        """The group's :class:`~thetahat.Estimate` (or :class:`~thetahat.Posterior`)."""
        i = self._position(key)
        if i not in self._cache:
            self._cache[i] = self._item(i)
        return self._cache[i]

    @property
    def table(self) -> Any:
        """The table as a pandas DataFrame (one row per group)."""
        from .._optional import require

        pd = require("pandas", "frames")
        return pd.DataFrame({k: np.asarray(v) for k, v in self.columns.items()})

    def to_dict(self) -> dict[str, list[Any]]:
        """The columns as lists (JSON-friendly)."""
        return {k: np.asarray(v).tolist() for k, v in self.columns.items()}

    def shrink(self, level: float = 0.95) -> Any:
        """Empirical-Bayes shrinkage of the groups (``th.shrink``) from their statistics:
        Binomial/Bernoulli (Beta prior), Poisson (Gamma prior), Normal means (Normal prior)."""
        if self._shrink is None:
            name = None if self.family is None else type(self.family).__name__
            raise ValueError(
                f"shrink() needs a Binomial, Bernoulli, Poisson or Normal fit by group, not {name}"
            )
        return self._shrink(level)

    def summary(self) -> str:
        """The table as text."""
        head = f"{type(self.family).__name__ if self.family is not None else ''} by "
        head += f"{', '.join(self.by)}: {len(self)} groups"
        if self.n_dropped:
            head += f"; {self.n_dropped} row(s) with nulls dropped"
        return head + "\n" + self.table.to_string(index=False)

    def __repr__(self) -> str:
        name = type(self.family).__name__ if self.family is not None else "?"
        return f"<FitTable {self.kind} {name} by {', '.join(self.by)}: {len(self)} groups>"

    def _repr_html_(self) -> str:
        html: str = self.table._repr_html_()
        return html
