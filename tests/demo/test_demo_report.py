"""The demo report: self-contained, code shown for every section, no sideways overflow."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

from click.testing import CliRunner

from thetahat.cli import cli
from thetahat.demo import SECTIONS


def test_demo_report(tmp_path: Path) -> None:
    """One run of ``thetahat demo`` (about 5 s), checked by the functions below."""
    result = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    path = tmp_path / "index.html"
    report = (result.stdout, path.read_text(encoding="utf-8"), path)
    check_self_contained(report)
    check_every_section_shows_the_code_it_ran(report)
    check_toxocara_overdispersion_is_followed_by_the_negative_binomial(report)
    check_no_horizontal_overflow_rules(report)


def check_self_contained(report: tuple[str, str, Path]) -> None:
    stdout, page, path = report
    assert f"report: {path.resolve()}" in stdout
    assert "MAP with a Beta(2, 2) prior" in stdout
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", page, flags=re.I)
    assert refs and not [r for r in refs if re.match(r"\s*(https?:)?//", r, re.I)]
    images = re.findall(r'<img[^>]*src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) >= 7
    for img in images:
        assert base64.b64decode(img)[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Beta(a=5, b=2)" in page and "Gamma" in page


def check_every_section_shows_the_code_it_ran(report: tuple[str, str, Path]) -> None:
    _, page, _ = report
    blocks = [html.unescape(b) for b in re.findall(r'<pre class="code">(.*?)</pre>', page, re.S)]
    for section in SECTIONS:
        assert section.code.rstrip() in blocks, section.title
        assert f"<h2>{section.title}</h2>" in page


def check_toxocara_overdispersion_is_followed_by_the_negative_binomial(
    report: tuple[str, str, Path],
) -> None:
    stdout, page, _ = report
    tox = page.index("Toxocara")
    nb = page.index("NegativeBinomial vs Poisson")
    assert tox < page.index("over-dispersed") < nb
    after = html.unescape(page[nb:])
    assert "likelihood ratio" in after and "0.396996" in after  # r, as fitdistrplus
    m = re.search(r"likelihood ratio ([\d.]+), p = ([\d.e+-]+)", after)
    assert m is not None and float(m.group(1)) > 600 and float(m.group(2)) < 1e-100
    assert "the NegativeBinomial wins" in stdout


def check_no_horizontal_overflow_rules(report: tuple[str, str, Path]) -> None:
    _, page, _ = report
    css = re.search(r"<style>(.*?)</style>", page, re.S)
    assert css is not None
    rules = css.group(1)
    assert re.search(r"pre\{[^}]*white-space:pre-wrap", rules)  # code and warnings wrap
    assert re.search(r"pre\.out\{[^}]*overflow-x:auto", rules)  # wide tables scroll inside
    assert re.search(r"img\{[^}]*max-width:100%", rules)
    assert "name='viewport'" in page
