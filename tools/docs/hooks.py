"""MkDocs hooks for the thetahat site (``mkdocs.yml``: ``hooks:``).

Everything that is generated is generated here, at build time, from the code:

* the API reference pages, one per public namespace, listing every function and
  class of its ``__all__`` (so a new public name appears without editing a page);
* the gallery: every ``docs/gallery/*.py`` script is run (matplotlib on Agg), and
  its page shows the code, what it printed and its figures; a script that raises
  fails the build;
* the conjugate catalog table, from ``thetahat.conjugacy.RULES``;
* formulas: ``$...$`` and ``$$...$$`` are converted to MathML (latex2mathml), which
  browsers render natively: no JavaScript, no font or CDN, so the site needs no
  network when it is built or read.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import apipages
import catalog
import gallery
import mathml
from mkdocs.structure.files import File, Files

_STASH: dict[str, dict[str, str]] = {}


def on_files(files: Files, config: Any) -> Files:
    for path, content in apipages.pages().items():
        files.append(File.generated(config, path, content=content))
    for path, content in gallery.build(Path(config["docs_dir"]) / "gallery").items():
        files.append(File.generated(config, path, content=content))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    if "<!-- conjugate-catalog -->" in markdown:
        markdown = markdown.replace("<!-- conjugate-catalog -->", catalog.table())
    text, stash = mathml.stash(markdown)
    _STASH[page.file.src_uri] = stash
    return text


def on_page_content(html: str, page: Any, config: Any, files: Files) -> str:
    return mathml.restore(html, _STASH.pop(page.file.src_uri, {}))
