"""What the documentation covers (shared by the docs tests and the site build)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "docs"))

from apipages import PUBLIC_NAMESPACES  # noqa: E402

__all__ = ["PUBLIC_NAMESPACES", "ROOT"]
