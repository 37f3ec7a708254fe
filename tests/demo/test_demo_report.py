"""The demo report is self-contained: images embedded, nothing from the network."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from click.testing import CliRunner

from thetahat.cli import cli


def test_demo_writes_self_contained_report(tmp_path: Path) -> None:
    out = tmp_path / "rep"
    result = CliRunner().invoke(cli, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    path = out / "index.html"
    assert f"report: {path.resolve()}" in result.stdout
    assert "MAP with a Beta(2, 2) prior" in result.stdout
    html = path.read_text()
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", html, flags=re.I)
    assert refs and not [r for r in refs if re.match(r"\s*(https?:)?//", r, re.I)]
    images = re.findall(r'<img[^>]*src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(images) >= 3
    for img in images:
        assert base64.b64decode(img)[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Beta(a=5, b=2)" in html and "Gamma" in html
