"""The documentation site builds in strict mode, complete and without network."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from _docs import PUBLIC_NAMESPACES, ROOT


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{proc.stdout}\n{proc.stderr}"
    return out


def test_every_public_name_has_a_reference_entry(site: Path) -> None:
    sys.path.insert(0, str(ROOT / "tools" / "docs"))
    from apipages import public_objects

    html = "".join(p.read_text(encoding="utf-8") for p in (site / "api").glob("*.html"))
    for ns in PUBLIC_NAMESPACES:
        for name, obj in public_objects(ns):
            anchor = f'id="{obj.__module__}.{obj.__qualname__}"'
            assert anchor in html, f"{ns}.{name} is missing from the API reference"


def test_gallery_pages_have_figures(site: Path) -> None:
    scripts = sorted((ROOT / "docs" / "gallery").glob("*.py"))
    assert len(scripts) >= 12
    for script in scripts:
        page = (site / "gallery" / f"{script.stem}.html").read_text(encoding="utf-8")
        assert f'src="{script.stem}_1.png"' in page, f"gallery {script.name} shows no figure"
        assert (site / "gallery" / f"{script.stem}_1.png").stat().st_size > 1000


def test_the_site_loads_nothing_from_the_network(site: Path) -> None:
    external = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*(?:src|href)=["']https?://""")
    for page in site.rglob("*.html"):
        hit = external.search(page.read_text(encoding="utf-8"))
        assert hit is None, f"{page.relative_to(site)} loads {hit.group(0)}"


def test_formulas_are_mathml(site: Path) -> None:
    page = (site / "guide" / "likelihood.html").read_text(encoding="utf-8")
    assert "<math" in page
    assert "$$" not in page
