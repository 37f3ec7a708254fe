"""``import thetahat`` and the CLI's import stay light (checked in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("scipy.stats", "scipy.optimize", "pandas", "matplotlib", "pyarrow", "rich", "sklearn")


def loaded_after(statement: str) -> list[str]:
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_import_thetahat_is_light() -> None:
    mods = loaded_after("import thetahat")
    assert [m for m in HEAVY if m in mods] == []
    assert "click" not in mods


def test_cli_import_is_light() -> None:
    mods = loaded_after("import thetahat.cli")
    assert [m for m in HEAVY if m in mods] == []
