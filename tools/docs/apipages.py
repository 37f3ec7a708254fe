"""The API reference pages, generated from the public namespaces' ``__all__``."""

from __future__ import annotations

import importlib
import inspect

#: the public namespaces: every function and class in their ``__all__`` is documented
#: here and checked by tests/docs/test_docstrings.py (numpydoc Examples that run)
PUBLIC_NAMESPACES = (
    "thetahat",
    "thetahat.statistics",
    "thetahat.conjugacy",
    "thetahat.datasets",
    "thetahat.regression",
    "thetahat.plot",
    "thetahat.derive",
    "thetahat.explore",
)

#: headings of the top-level page, by the package that defines a name
_TOP_GROUPS = {
    "inference": "Fitting: MLE, MAP and posteriors",
    "shrink": "Fitting: MLE, MAP and posteriors",
    "model": "Fitting: MLE, MAP and posteriors",
    "results": "Results",
    "distributions": "Distributions (likelihoods and priors)",
    "statistics": "Data and sufficient statistics",
    "divergence": "Information: entropy and divergences",
}


def public_objects(namespace: str) -> list[tuple[str, object]]:
    """(public name, object) for the functions and classes of one namespace."""
    mod = importlib.import_module(namespace)
    out = []
    for name in mod.__all__:
        obj = getattr(mod, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            out.append((name, obj))
    return out


def _page_name(namespace: str) -> str:
    return "index" if namespace == "thetahat" else namespace.split(".", 1)[1]


def _path(obj: object) -> str:
    return f"{inspect.unwrap(obj).__module__}.{obj.__qualname__}"  # type: ignore[attr-defined]


def _entry(obj: object, level: int) -> str:
    return f"::: {_path(obj)}\n    options:\n      heading_level: {level}\n"


def pages() -> dict[str, str]:
    """Relative path under docs/ -> Markdown, one page per namespace."""
    out: dict[str, str] = {}
    documented: dict[int, str] = {}  # an object re-exported by a later namespace: a link
    for ns in PUBLIC_NAMESPACES:
        objs = public_objects(ns)
        lines = [f"# `{ns}`\n"]
        if ns == "thetahat":
            lines.append("Every example imports what it uses and is run by `make test`.\n")
            lines.append(
                "The other namespaces: "
                + ", ".join(f"[`{n}`]({_page_name(n)}.md)" for n in PUBLIC_NAMESPACES[1:])
                + ".\n"
            )
        else:
            lines.append(
                f"::: {ns}\n    options:\n      members: false\n      show_root_heading: false\n"
            )
        groups: dict[str, list[str]] = {}
        also = []
        for name, obj in objs:
            if id(obj) in documented:
                also.append(f"[`{name}`]({documented[id(obj)]}#{_path(obj)})")
                continue
            documented[id(obj)] = f"{_page_name(ns)}.md"
            mod = inspect.unwrap(obj).__module__  # type: ignore[arg-type]
            group = _TOP_GROUPS.get(mod.split(".")[1], "Other") if ns == "thetahat" else ""
            groups.setdefault(group, []).append(_entry(obj, 3 if group else 2))
        for group, entries in groups.items():
            if group:
                lines.append(f"## {group}\n")
            lines.extend(entries)
        if also:
            lines.append(
                "Also here, documented with the top-level names: " + ", ".join(also) + ".\n"
            )
        out[f"api/{_page_name(ns)}.md"] = "\n".join(lines)
    return out
