"""The layout docs/architecture.md describes: no import cycles, no reaching into privates."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "thetahat"

#: private modules of another package that are still imported, with the reason
KNOWN = {
    # plots of regression fits reuse the estimators' input checks (regression owns them)
    ("plot", "regression._data"),
    ("plot", "regression._linalg"),
}


def _imports() -> list[tuple[str, str, int]]:
    """(importing package, imported module relative to thetahat, level) at module level."""
    out = []
    for f in SRC.rglob("*.py"):
        rel = f.relative_to(SRC.parent).with_suffix("")
        parts = list(rel.parts)
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts = parts[:-1]
        pkg = parts[1] if len(parts) > 1 else ""
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = parts if is_pkg else parts[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
                out.append((pkg, target.removeprefix("thetahat."), node.col_offset))
    return out


def test_package_import_graph_has_no_cycle() -> None:
    edges: dict[str, set[str]] = {}
    for pkg, target, col in _imports():
        top = target.split(".")[0]
        if col == 0 and pkg and top != pkg and not top.startswith("_") and pkg != "__main__":
            edges.setdefault(pkg, set()).add(top)
    seen: dict[str, int] = {}

    def visit(u: str, path: list[str]) -> None:
        seen[u] = 1
        for v in edges.get(u, ()):
            assert seen.get(v) != 1, f"import cycle: {' -> '.join([*path, u, v])}"
            if v not in seen:
                visit(v, [*path, u])
        seen[u] = 2

    for u in list(edges):
        if u not in seen:
            visit(u, [])
    # results never import inference (profile intervals and updates go through protocols)
    assert "inference" not in edges.get("results", set())


def test_no_package_imports_another_packages_private_module() -> None:
    bad = []
    for pkg, target, _ in _imports():
        parts = target.split(".")
        if len(parts) >= 2 and parts[0] != pkg and any(p.startswith("_") for p in parts[1:]):
            if (pkg, target) not in KNOWN:
                bad.append((pkg, target))
    assert not bad, bad


def test_optim_is_a_leaf() -> None:
    """The solver package imports numpy and scipy only: no other thetahat module."""
    outside = [t for pkg, t, _ in _imports() if pkg == "optim" and t.split(".")[0] != "optim"]
    assert not outside, outside


def test_inference_asks_capabilities_not_attributes() -> None:
    out = subprocess.run(
        ["git", "grep", "-n", r"hasattr(fam\|getattr(fam", "--", "src/thetahat/inference"],
        cwd=SRC.parents[1], capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert out.stdout == ""
    calls = re.compile(r"\bfam(ily)?\._(loglik|mle|grad_hess|information|covariance|start)\(")
    for f in (SRC / "inference").rglob("*.py"):
        assert not calls.search(f.read_text()), f


#: result shapes other than optim.SolverResult and the results package's, with the reason
KNOWN_RESULT_SHAPES: set[tuple[str, str]] = set()  # none left (GLMFit holds a SolverResult)


def test_one_solver_result_shape() -> None:
    """Every solve ends in optim.SolverResult (one status enum, one message): no other
    class outside results/ declares a ``converged`` field."""
    found = set()
    for f in SRC.rglob("*.py"):
        rel = f.relative_to(SRC).as_posix()
        if rel.startswith(("optim/", "results/")):
            continue
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.ClassDef):
                fields = {
                    t.target.id
                    for t in node.body
                    if isinstance(t, ast.AnnAssign) and isinstance(t.target, ast.Name)
                }
                if "converged" in fields:
                    found.add((rel, node.name))
    assert found <= KNOWN_RESULT_SHAPES, found - KNOWN_RESULT_SHAPES


#: special functions that only a family's formulas (or optim/_special) evaluate
_FORMULA_NAMES = {"digamma", "trigamma", "polygamma", "zeta", "gammaln", "betaln", "xlogy",
                  "xlog1py", "psi", "loggamma"}  # fmt: skip


def test_grouped_fits_only_orchestrate() -> None:
    """inference/grouped.py turns the families' batched answers into table columns: it
    evaluates no family formula (no special function, no family named) and runs no
    solver of its own (no ``while``, no ``for ... in range``: iterations live in optim)."""
    import thetahat as th

    path = SRC / "inference" / "grouped.py"
    tree = ast.parse(path.read_text())
    families = {n for n in dir(th.distributions) if n[:1].isupper()}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute | ast.Name):
            name = node.attr if isinstance(node, ast.Attribute) else node.id
            assert name not in _FORMULA_NAMES, f"grouped.py evaluates {name}: a family formula"
            assert name not in families, f"grouped.py names the family {name}"
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            assert node.value not in families, f"grouped.py dispatches on {node.value!r}"
        assert not isinstance(node, ast.While), "grouped.py iterates: solvers live in optim"
        if isinstance(node, ast.For) and isinstance(node.iter, ast.Call):
            fn = node.iter.func
            assert not (isinstance(fn, ast.Name) and fn.id == "range"), (
                "grouped.py iterates over a range: solvers live in optim"
            )
