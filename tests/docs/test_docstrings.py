"""Every public function and class has a numpydoc docstring with Examples, and they run.

The public names are those of :data:`PUBLIC_NAMESPACES` (each module's ``__all__``),
the same list the API reference documents (``docs/api/``). A failure names the
object and what is missing, so a new public name is fixed in one edit.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import re
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from _docs import PUBLIC_NAMESPACES

#: doctest options for every example: numbers print as the REPL prints them, long
#: outputs may be elided with ``...``
OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def public_objects() -> Iterator[tuple[str, Any]]:
    """(qualified name, object) for every public function and class, once each."""
    seen: set[int] = set()
    for modname in PUBLIC_NAMESPACES:
        mod = importlib.import_module(modname)
        for name in mod.__all__:
            obj = getattr(mod, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)) or id(obj) in seen:
                continue
            seen.add(id(obj))
            yield f"{modname}.{name}", obj


OBJECTS = dict(public_objects())

_SECTION = re.compile(r"^\s*Examples\s*\n\s*-{8,}\s*$", re.M)


def test_the_lazy_namespaces_are_checked() -> None:
    import thetahat

    lazy = {f"thetahat.{name}" for name in thetahat._LAZY}
    assert lazy <= set(PUBLIC_NAMESPACES), (
        f"add {sorted(lazy - set(PUBLIC_NAMESPACES))} to PUBLIC_NAMESPACES in tests/docs/_docs.py"
    )


@pytest.mark.parametrize("qualname", sorted(OBJECTS))
def test_docstring_has_examples(qualname: str) -> None:
    obj = OBJECTS[qualname]
    doc = obj.__doc__
    if isinstance(obj, type) and obj.__doc__ is not None and "__doc__" not in vars(obj):
        doc = None  # inherited from a base class: not this object's own docstring
    assert doc and doc.strip(), f"{qualname} has no docstring"
    assert _SECTION.search(doc), (
        f"{qualname}: its docstring has no numpydoc 'Examples' section "
        "(a line 'Examples' underlined with '--------', then '>>>' lines)"
    )
    examples = doc[_SECTION.search(doc).end() :]  # type: ignore[union-attr]
    assert ">>>" in examples, f"{qualname}: its 'Examples' section has no '>>>' example"


@pytest.mark.parametrize("qualname", sorted(OBJECTS))
def test_examples_run(qualname: str) -> None:
    obj = OBJECTS[qualname]
    module = inspect.getmodule(obj)
    globs = {"np": np, "th": importlib.import_module("thetahat")}
    finder = doctest.DocTestFinder()  # the class and its own methods
    tests = finder.find(obj, qualname, module=module, globs=globs)
    runner = doctest.DocTestRunner(optionflags=OPTIONS)
    failures: list[str] = []
    ran = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if qualname.startswith("thetahat.plot."):
            import matplotlib

            matplotlib.use("Agg")  # examples draw figures; no window opens
        for test in tests:
            ran += len(test.examples)
            out: list[str] = []
            runner.run(test, out=out.append)
            failures.extend(out)
    if qualname.startswith("thetahat.plot."):
        import matplotlib.pyplot as plt

        plt.close("all")
    assert ran, f"{qualname}: no doctest examples found"
    assert not failures, f"{qualname}: its Examples fail:\n" + "".join(failures)
