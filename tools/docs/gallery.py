"""The gallery: run each ``docs/gallery/*.py`` script and make its page.

A script's docstring is its title (first line) and introduction (Markdown); the page
shows the code, what it printed (warnings included) and every figure it left open.
Scripts run in this process, in file-name order, with matplotlib on Agg; one that
raises stops the build with its name.
"""

from __future__ import annotations

import ast
import contextlib
import io
import runpy
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def _split(source: str) -> tuple[str, str, str]:
    """(title, introduction, code without the docstring) of a script."""
    tree = ast.parse(source)
    doc = ast.get_docstring(tree) or ""
    title, _, intro = doc.partition("\n")
    first = tree.body[0]
    code = source
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        code = "\n".join(source.splitlines()[first.end_lineno :])
    return title.strip(), intro.strip(), code.strip() + "\n"


def run(script: Path) -> tuple[str, list[bytes], float]:
    """Run one script: (its printed output and warnings, PNG figures, seconds)."""
    buf = io.StringIO()
    plt.close("all")
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(buf):
        warnings.simplefilter("always")
        try:
            runpy.run_path(str(script), run_name="__main__")
        except Exception as exc:
            raise RuntimeError(f"gallery script {script.name} failed: {exc!r}") from exc
    seconds = time.perf_counter() - start
    text = buf.getvalue()
    seen = set()
    for w in caught:
        if "non-interactive" in str(w.message):
            continue  # plt.show() under Agg
        line = f"{w.category.__name__}: {w.message}"
        if line not in seen:
            seen.add(line)
            text += line + "\n"
    figures = []
    for num in plt.get_fignums():
        png = io.BytesIO()
        plt.figure(num).savefig(png, format="png", dpi=80, bbox_inches="tight")
        figures.append(png.getvalue())
    plt.close("all")
    if not figures:
        raise RuntimeError(f"gallery script {script.name} drew no figure")
    return text, figures, seconds


def build(folder: Path) -> dict[str, str | bytes]:
    """Relative path under docs/ -> content, for every script and the index."""
    out: dict[str, str | bytes] = {}
    cards = []
    for script in sorted(folder.glob("*.py")):
        title, intro, code = _split(script.read_text(encoding="utf-8"))
        text, figures, seconds = run(script)
        stem = script.stem
        page = [f"# {title}\n", intro + "\n"]
        for i, png in enumerate(figures, 1):
            out[f"gallery/{stem}_{i}.png"] = png
            page.append(f"![{title}, figure {i}]({stem}_{i}.png)\n")
        page.append(f"```python\n{code}```\n")
        if text.strip():
            page.append("Output:\n\n```text\n" + text.rstrip() + "\n```\n")
        page.append(
            f"<small>Run at build time in {seconds:.1f} s. Download: [{script.name}]({script.name})"
            "</small>\n"
        )
        out[f"gallery/{stem}.md"] = "\n".join(page)
        cards.append(f"- [**{title}**]({stem}.md)\n\n    [![{title}]({stem}_1.png)]({stem}.md)\n")
    out["gallery/index.md"] = (
        "# Gallery\n\nWorked examples, each a script run when the site is built (so every "
        "number and figure below comes from the code as it is). Run one yourself with "
        "`python docs/gallery/NAME.py`.\n\n" + "\n".join(cards)
    )
    return out
