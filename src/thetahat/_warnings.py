"""Warnings that point at the user's line, not at thetahat's internals."""

from __future__ import annotations

import os
import sys
import warnings

__all__ = ["user_stacklevel", "warn_user"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def user_stacklevel() -> int:
    """The ``stacklevel`` of the first frame outside the thetahat package.

    ``warnings.warn(..., stacklevel=user_stacklevel())`` called from inside thetahat
    attributes the warning to the caller's line however deep the call sits (the
    ``skip_file_prefixes`` of Python 3.12, for 3.11).
    """
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def warn_user(message: str, category: type[Warning]) -> None:
    """``warnings.warn`` attributed to the first line outside thetahat."""
    warnings.warn(message, category, stacklevel=user_stacklevel())
