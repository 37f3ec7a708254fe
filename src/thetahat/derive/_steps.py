"""Derivations as data: numbered steps of equations, rendered as text, Markdown or LaTeX.

A :class:`Derivation` is what every part of :mod:`thetahat.derive` returns: the
steps a student would write (each a title, a sentence and SymPy relations), the
symbols it used, and its results as SymPy expressions, so that a test (or a
reader) can evaluate the closed forms it derived with :meth:`Derivation.evaluate`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

__all__ = ["FORMATS", "Derivation", "Step", "f", "hat", "relation"]

FORMATS = ("text", "markdown", "latex")

_REL = {"=": sp.Eq, ">=": sp.Ge, "<=": sp.Le}


def relation(lhs: Any, rhs: Any, op: str = "=") -> sp.Basic:
    """``lhs op rhs`` as an unevaluated SymPy relation (``op`` is =, >= or <=)."""
    return _REL[op](sp.sympify(lhs), sp.sympify(rhs), evaluate=False)


def hat(x: Any) -> sp.Symbol:
    """The estimate of ``x`` as a symbol printed with a hat (SymPy's name modifiers)."""
    name = str(x)
    base, _, sub = name.partition("_")
    return sp.Symbol(f"{base}hat_{sub}" if sub else f"{name}hat")


def f(name: str, *args: Any) -> Any:
    """``name(args)`` as an undefined function application, for labels (Var(thetahat))."""
    return sp.Function(name)(*[sp.sympify(a) for a in args])


@dataclass(frozen=True)
class Step:
    """One step: a title, a sentence saying what is done, and its equations.

    Examples
    --------
    >>> from thetahat.derive import derive
    >>> step = derive("bernoulli").steps[0]
    >>> step.title, step.text[:40]
    ('Model', 'The log density (mass) of one observatio')
    """

    title: str
    text: str = ""
    equations: tuple[sp.Basic, ...] = ()


@dataclass
class Derivation:
    """A derivation: steps, the symbols they use and the results as expressions.

    Attributes
    ----------
    title : str
    steps : list of Step
    symbols : dict
        Name -> SymPy symbol for everything a result depends on (parameters,
        statistics, hyperparameters), for :meth:`evaluate`.
    results : dict
        Name -> SymPy expression or Matrix (``"mle"``, ``"score"``,
        ``"fisher"``, ``"crb"``, ``"map"``, ``"posterior"``...).

    Examples
    --------
    >>> from thetahat.derive import derive
    >>> d = derive("poisson", "gamma")
    >>> d.title.startswith("Maximum likelihood, MAP and posterior for Poisson")
    True
    >>> [step.title for step in d.steps][:4]
    ['Model', 'Likelihood', 'Sufficient statistics', 'Log-likelihood']
    """

    title: str
    steps: list[Step] = field(default_factory=list)
    symbols: dict[str, sp.Symbol] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)

    def add(self, title: str, text: str = "", *equations: sp.Basic) -> None:
        """Append a step."""
        self.steps.append(Step(title, text, tuple(equations)))

    def copy(self) -> Derivation:
        """A copy whose steps, symbols and results can be changed independently
        (SymPy expressions are immutable and shared)."""
        results = {k: dict(v) if isinstance(v, dict) else v for k, v in self.results.items()}
        return Derivation(self.title, list(self.steps), dict(self.symbols), results)

    def evaluate(self, name: str, **values: Any) -> Any:
        """The result ``name`` evaluated numerically at ``values`` (symbol name -> number).

        Scalars come back as float, matrices as float ndarrays, dicts of results
        as dicts; every symbol the result uses must be given.
        """
        import numpy as np

        if name not in self.results:
            raise KeyError(f"{self.title} has no result {name!r}; it has {sorted(self.results)}")
        unknown = sorted(set(values) - set(self.symbols))
        if unknown:
            raise ValueError(f"unknown symbol(s) {unknown}; known: {sorted(self.symbols)}")
        subs = {self.symbols[k]: v for k, v in values.items()}
        # matrices: their dimensions come from the arrays given for them
        dims: dict[Any, Any] = {}
        for sym, v in list(subs.items()):
            if isinstance(sym, sp.MatrixSymbol):
                arr = np.asarray(v, dtype=float)
                for d, size in zip(sym.shape, arr.shape, strict=True):
                    if isinstance(d, sp.Symbol):
                        dims[d] = int(size)
        if dims:
            fixed = {}
            for sym in list(subs):
                if isinstance(sym, sp.MatrixSymbol):
                    new = sp.MatrixSymbol(sym.name, *[dims.get(d, d) for d in sym.shape])
                    fixed[sym] = new
                    subs[new] = subs.pop(sym)
            dims.update(fixed)

        def one(expr: Any) -> Any:
            expr = sp.sympify(expr).xreplace(dims) if dims else sp.sympify(expr)
            free = sorted(str(s) for s in expr.free_symbols if s not in subs)
            if free:
                raise ValueError(f"{name} needs a value for {', '.join(free)}")
            args = sorted(subs, key=str)
            fn = sp.lambdify(args, expr, modules=["scipy", "numpy"])
            out = fn(*[subs[a] for a in args])
            matrix = isinstance(expr, sp.MatrixBase | sp.MatrixExpr)
            return np.asarray(out, dtype=float) if matrix else float(out)

        res = self.results[name]
        if isinstance(res, Mapping):
            return {str(k): one(v) for k, v in res.items()}
        return one(res)

    # ------------------------------------------------------------ rendering
    def render(self, fmt: str = "text") -> str:
        """The derivation as ``text`` (Unicode), ``markdown`` (with $$ math) or ``latex``."""
        if fmt not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
        return {"text": _text, "markdown": _markdown, "latex": _latex}[fmt](self)

    def __str__(self) -> str:
        return self.render("text")

    def _repr_markdown_(self) -> str:
        return self.render("markdown")


def _indent(block: str, pad: str = "    ") -> str:
    return "\n".join(pad + line if line.strip() else line for line in block.splitlines())


def _text(d: Derivation) -> str:
    out = [d.title, "=" * len(d.title)]
    for i, st in enumerate(d.steps, 1):
        out.append("")
        out.append(f"{i}. {st.title}")
        if st.text:
            out.append(_indent(st.text, "   "))
        for eq in st.equations:
            out.append("")
            out.append(_indent(sp.pretty(eq, use_unicode=True, wrap_line=False)))
    return "\n".join(out) + "\n"


def _markdown(d: Derivation) -> str:
    out = [f"## {d.title}"]
    for i, st in enumerate(d.steps, 1):
        out.append(f"\n### {i}. {st.title}\n")
        if st.text:
            out.append(st.text + "\n")
        for eq in st.equations:
            out.append(f"$$\n{sp.latex(eq)}\n$$\n")
    return "\n".join(out)


def _latex_text(s: str) -> str:
    for a, b in (
        ("\\", r"\textbackslash{}"),
        ("&", r"\&"),
        ("%", r"\%"),
        ("_", r"\_"),
        ("#", r"\#"),
    ):
        s = s.replace(a, b)
    return s


def _latex(d: Derivation) -> str:
    out = [rf"\section*{{{_latex_text(d.title)}}}"]
    for i, st in enumerate(d.steps, 1):
        out.append(rf"\subsection*{{{i}. {_latex_text(st.title)}}}")
        if st.text:
            out.append(_latex_text(st.text))
        if st.equations:
            out.append(r"\begin{gather*}")
            out.append(" \\\\\n".join(sp.latex(eq) for eq in st.equations))
            out.append(r"\end{gather*}")
    return "\n".join(out) + "\n"
