"""Every code block of the documentation runs, and its output matches where shown.

One small runner for three kinds of fenced block (chosen over pytest-examples or
``--doctest-glob`` so that one page is one namespace, like a notebook, and a CLI
session is checked the same way as a Python one):

* ``python``: executed in the page's namespace (``th`` and ``np`` pre-imported);
* ``pycon``: a doctest (``>>>`` lines and the output they print), compared with
  ``ELLIPSIS`` and ``NORMALIZE_WHITESPACE``, in the same namespace;
* ``console``: ``$ command`` lines run by the shell in a scratch folder holding the
  bundled datasets (``thetahat.datasets``: ``groundbeef.csv``, ``toxocara.csv``,
  ``baseball.csv``, ``rat_tumor.csv``) and ``eight_schools.csv``; each must exit 0,
  and the lines after it, where shown, are compared like a doctest.

``sh`` blocks are set-up commands (``make``, ``pip install``) and are not run;
README.md's ``python`` blocks run in tests/demo/test_readme.py on simulated data.
Blocks of docs/architecture.md are diagrams (no language).
"""

from __future__ import annotations

import doctest
import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from _docs import ROOT

PAGES = sorted(
    p.relative_to(ROOT).as_posix() for p in [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]
)
FENCE = re.compile(r"^```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^```\s*$", re.S | re.M)
OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def blocks(page: str) -> list[tuple[str, str, int]]:
    """(language, body, line number) of each fenced block of a page."""
    text = (ROOT / page).read_text(encoding="utf-8")
    return [
        (m.group("lang"), m.group("body"), text.count("\n", 0, m.start()) + 1)
        for m in FENCE.finditer(text)
    ]


def _scratch(tmp: Path) -> Path:
    from thetahat import datasets

    for name in datasets.NAMES:
        shutil.copy(datasets.path(name), tmp / f"{name}.csv")
    shutil.copy(ROOT / "tests" / "data" / "bda_eight_schools.csv", tmp / "eight_schools.csv")
    return tmp


def _console(body: str, where: str, cwd: Path) -> list[str]:
    """Run a console block; the failures it has, one message each."""
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "COLUMNS": "100",
        "MPLBACKEND": "Agg",
        "NO_COLOR": "1",
    }
    checker = doctest.OutputChecker()
    failures: list[str] = []
    commands: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        elif commands:
            commands[-1][1].append(line)
    assert commands, f"{where}: a console block without a '$ ' command"
    for cmd, expected in commands:
        proc = subprocess.run(
            cmd, shell=True, cwd=cwd, env=env, capture_output=True, text=True, timeout=300
        )
        if proc.returncode != 0:
            failures.append(f"{where}: `{cmd}` exited {proc.returncode}:\n{proc.stderr}")
            continue
        want = "\n".join(expected).strip()
        if want and not checker.check_output(want + "\n", proc.stdout, OPTIONS):
            failures.append(f"{where}: `{cmd}` printed\n{proc.stdout}\nexpected\n{want}")
    return failures


@pytest.mark.parametrize("page", PAGES)
def test_page_code_blocks(page: str, tmp_path: Path) -> None:
    import thetahat as th

    ns: dict = {"th": th, "np": np, "__name__": "__docs__"}
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=OPTIONS)
    failures: list[str] = []
    cwd: Path | None = None
    for lang, body, line in blocks(page):
        where = f"{page}:{line}"
        if lang == "python" and page != "README.md":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    exec(compile(body, where, "exec"), ns)
                except Exception as exc:
                    failures.append(f"{where}: the python block raises {exc!r}")
        elif lang == "pycon":
            test = parser.get_doctest(body, ns, where, page, line)
            out: list[str] = []
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                runner.run(test, out=out.append, clear_globs=False)
            ns = test.globs  # the parser copies the namespace: carry it on
            failures.extend(out)
        elif lang == "console":
            cwd = cwd or _scratch(tmp_path)
            failures.extend(_console(body, where, cwd))
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    assert not failures, "\n".join(failures)
