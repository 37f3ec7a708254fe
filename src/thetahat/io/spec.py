"""The one prior grammar: SPECs read by a hand-written tokenizer and parser, never ``eval``.

A SPEC names thetahat distributions the way a user writes them::

    beta(2, 2)
    normal(0, 10)
    gamma(shape=2, rate=1)
    dirichlet([1, 1, 1])
    mu=normal(0, 10); sigma=halfnormal(5)
    normal(0, 1) + laplace(0, 0.1)          (regression: an elastic-net prior)

Grammar (whitespace is ignored between tokens)::

    spec        := assignments | dist
    assignments := assignment (";" assignment)* [";"]
    assignment  := NAME "=" dist
    dist        := NAME "(" [arg ("," arg)*] ")"
    arg         := value | NAME "=" value
    value       := number | "[" number ("," number)* "]"
    number      := ["+" | "-"] (digits ["." digits] | "." digits) [("e" | "E") ["+" | "-"] digits]
                 | ["+" | "-"] ("inf" | "infinity")
    regression  := "evidence" | "flat" | "none" | dist ["+" dist]

A decimal number that overflows float64 (``1e999``) or underflows to zero
(``1e-999``) is an error, never a silent infinity or zero; infinity is only
written as ``inf``.

Distribution names are matched case-insensitively, ignoring ``_`` and ``-``
(``StudentT``, ``student_t`` and ``studentt`` are one name; ``gaussian`` is
``Normal`` and ``nig`` is ``NormalInverseGamma``), against the classes
found in :mod:`thetahat.distributions` at the time of parsing, so families added
later are picked up without a list to maintain.  Nothing else is recognised: no
attribute access, no calls of arbitrary names, no strings, no expressions.  Every
error is a :class:`SpecError` (a ``ValueError``) whose message gives the column
(1-based) and shows the text with ``<HERE>`` marking the offending position; an
unknown name suggests the nearest known one (``gama`` -> ``gamma``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..distributions import ContinuousDistribution, DiscreteDistribution, Distribution

__all__ = [
    "SpecError",
    "distribution_classes",
    "lookup_distribution",
    "parse_distribution",
    "parse_fixed",
    "parse_prior",
    "parse_regression_prior",
]

_BASES = (Distribution, ContinuousDistribution, DiscreteDistribution)
_PUNCT = "(),=;[]"
#: other names of distributions, accepted wherever a distribution is named
_ALIASES = {"gaussian": "Normal", "nig": "NormalInverseGamma"}
#: distributions usable as a regression prior on the coefficients
_REGRESSION_PRIORS = ("Normal", "Laplace", "NormalInverseGamma")


def _normalise(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


def distribution_classes() -> dict[str, type[Distribution]]:
    """Every concrete distribution class in :mod:`thetahat.distributions`, by class name.

    Discovered dynamically, so distributions added to the package appear in the
    CLI (``thetahat families``) and in SPECs without further registration.
    """
    from .. import distributions as mod

    found: dict[str, type[Distribution]] = {}
    for attr in sorted(dir(mod)):
        obj = getattr(mod, attr)
        if (
            isinstance(obj, type)
            and issubclass(obj, Distribution)
            and obj not in _BASES
            and not attr.startswith("_")
        ):
            found[obj.__name__] = obj
    return dict(sorted(found.items()))


def lookup_distribution(name: str) -> type[Distribution]:
    """The distribution class called ``name`` (case-insensitive, ``_``/``-`` ignored).

    Raises
    ------
    ValueError
        For an unknown name, listing the known ones.
    """
    import difflib

    classes = distribution_classes()
    key = _normalise(name)
    key = _normalise(_ALIASES.get(key, key))
    by_key = {_normalise(cls_name): cls for cls_name, cls in classes.items()}
    if key in by_key:
        return by_key[key]
    close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise ValueError(f"unknown distribution {name!r}; {hint}known: {', '.join(classes)}")


class SpecError(ValueError):
    """A SPEC that cannot be read; ``position`` is the 0-based offending offset."""

    def __init__(self, text: str, position: int, problem: str) -> None:
        self.text = text
        self.position = position
        self.problem = problem
        shown = text[:position] + "<HERE>" + text[position:]
        super().__init__(f"bad spec at column {position + 1}: {problem}: {shown!r}")


@dataclass(frozen=True)
class _Token:
    kind: str  # "name", "number", one of _PUNCT, "+", or "end"
    text: str
    pos: int
    value: float = 0.0


def _number_end(text: str, i: int) -> int:
    """End offset of the unsigned decimal number starting at ``i`` (``i`` if none)."""
    n = len(text)
    j = i
    while j < n and text[j].isdigit():
        j += 1
    int_digits = j - i
    frac_digits = 0
    if j < n and text[j] == ".":
        k = j + 1
        while k < n and text[k].isdigit():
            k += 1
        frac_digits = k - j - 1
        if int_digits or frac_digits:
            j = k
    if int_digits == 0 and frac_digits == 0:
        return i
    if j < n and text[j] in "eE":
        k = j + 1
        if k < n and text[k] in "+-":
            k += 1
        d = k
        while k < n and text[k].isdigit():
            k += 1
        if k > d:
            j = k
    return j


def _decimal(text: str, pos: int, start: int, end: int) -> float:
    """The value of the decimal literal ``text[start:end]``; refuse overflow and underflow."""
    literal = text[start:end]
    value = float(literal)
    if math.isinf(value):
        raise SpecError(
            text, pos, f"{literal} is too large for a float64 (it would be infinite; write inf)"
        )
    mantissa = literal.lower().split("e")[0]
    if value == 0.0 and any(d in "123456789" for d in mantissa):
        raise SpecError(text, pos, f"{literal} is too small for a float64 (it would be 0)")
    return value


def _tokens(text: str) -> Iterator[_Token]:
    """Lazily split ``text`` into tokens; a bad character raises where it stands."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c in _PUNCT:
            yield _Token(c, c, i)
            i += 1
            continue
        if c.isascii() and (c.isalpha() or c == "_"):
            j = i + 1
            while j < n and text[j].isascii() and (text[j].isalnum() or text[j] == "_"):
                j += 1
            yield _Token("name", text[i:j], i)
            i = j
            continue
        if c in "+-" or c.isdigit() or c == ".":
            sign = -1.0 if c == "-" else 1.0
            start = i + 1 if c in "+-" else i
            j = _number_end(text, start)
            if j > start:
                yield _Token("number", text[i:j], i, sign * _decimal(text, i, start, j))
                i = j
                continue
            if c == "+" and text[start : start + 3].lower() != "inf":
                yield _Token("+", c, i)
                i += 1
                continue
            k = start
            while k < n and text[k].isascii() and text[k].isalpha():
                k += 1
            if c in "+-" and text[start:k].lower() in ("inf", "infinity"):
                yield _Token("number", text[i:k], i, sign * math.inf)
                i = k
                continue
            if c == ".":
                raise SpecError(text, i, "unexpected '.': attribute access is not allowed")
            raise SpecError(text, i, f"unexpected character {c!r} (expected a number)")
        raise SpecError(text, i, f"unexpected character {c!r}")
    yield _Token("end", "", n)


def _describe(tok: _Token) -> str:
    return "the end of the spec" if tok.kind == "end" else repr(tok.text)


class _Parser:
    def __init__(self, text: str) -> None:
        if not isinstance(text, str):
            raise TypeError(f"a spec must be a string, got {type(text).__name__}")
        self.text = text
        self._it = _tokens(text)
        self.tok = next(self._it)
        self._peeked: _Token | None = None

    def advance(self) -> _Token:
        cur = self.tok
        if self._peeked is not None:
            self.tok, self._peeked = self._peeked, None
        else:
            self.tok = next(self._it)
        return cur

    def peek(self) -> _Token:
        if self._peeked is None:
            self._peeked = next(self._it)
        return self._peeked

    def fail(self, tok: _Token, problem: str) -> SpecError:
        return SpecError(self.text, tok.pos, problem)

    def expect(self, kind: str, what: str) -> _Token:
        if self.tok.kind != kind:
            raise self.fail(self.tok, f"expected {what}, got {_describe(self.tok)}")
        return self.advance()

    # ---------------------------------------------------------------- rules
    def spec(self) -> Distribution | dict[str, Distribution]:
        if self.tok.kind == "end":
            raise self.fail(self.tok, "the spec is empty")
        if self.tok.kind == "name" and self.peek().kind == "=":
            return self.assignments()
        dist = self.dist()
        if self.tok.kind != "end":
            raise self.fail(self.tok, f"unexpected {_describe(self.tok)} after the distribution")
        return dist

    def assignments(self) -> dict[str, Distribution]:
        out: dict[str, Distribution] = {}
        while True:
            name = self.expect("name", "a parameter name")
            self.expect("=", "'='")
            if name.text in out:
                raise self.fail(name, f"a prior for {name.text!r} is given twice")
            out[name.text] = self.dist()
            if self.tok.kind == ";":
                self.advance()
                if self.tok.kind == "end":
                    return out
                continue
            if self.tok.kind == "end":
                return out
            raise self.fail(self.tok, f"expected ';' or the end, got {_describe(self.tok)}")

    def dist(self) -> Distribution:
        name = self.expect("name", "a distribution name")
        try:
            cls = lookup_distribution(name.text)
        except ValueError as exc:
            raise self.fail(name, str(exc)) from None
        self.expect("(", f"'(' after {name.text!r}")
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        if self.tok.kind != ")":
            while True:
                if self.tok.kind == "name" and self.peek().kind == "=":
                    key = self.advance()
                    self.advance()
                    if key.text in kwargs:
                        raise self.fail(key, f"argument {key.text!r} is given twice")
                    kwargs[key.text] = self.value()
                else:
                    if kwargs:
                        raise self.fail(self.tok, "a positional argument follows a keyword one")
                    args.append(self.value())
                if self.tok.kind == ",":
                    self.advance()
                    continue
                break
        self.expect(")", "',' or ')'")
        try:
            return cls(*args, **kwargs)
        except (TypeError, ValueError) as exc:
            raise self.fail(name, str(exc)) from None

    def value(self) -> float | list[float]:
        if self.tok.kind == "number":
            return self.advance().value
        if self.tok.kind == "[":
            self.advance()
            items = [self.expect("number", "a number").value]
            while self.tok.kind == ",":
                self.advance()
                items.append(self.expect("number", "a number").value)
            self.expect("]", "',' or ']'")
            return items
        if self.tok.kind == "name":
            raise self.fail(
                self.tok, f"expected a number, got the name {self.tok.text!r} (no expressions)"
            )
        raise self.fail(self.tok, f"expected a number, got {_describe(self.tok)}")


def parse_prior(text: str) -> Distribution | dict[str, Distribution]:
    """Read a prior SPEC: one distribution, or ``name=dist; name=dist`` as a dict.

    Examples
    --------
    >>> parse_prior("beta(2, 2)")
    Beta(a=2, b=2)
    >>> parse_prior("mu=normal(0, 10); sigma=gamma(shape=2, rate=1)")
    {'mu': Normal(mu=0, sigma=10), 'sigma': Gamma(shape=2, rate=1)}
    """
    return _Parser(text).spec()


def parse_distribution(text: str) -> Distribution:
    """Read one distribution call; parameters may be left out (a family to fit).

    A bare name (``"poisson"``) is the family with every parameter free.
    """
    stripped = text.strip() if isinstance(text, str) else text
    if isinstance(stripped, str) and stripped and "(" not in stripped:
        parser = _Parser(text)
        name = parser.expect("name", "a distribution name")
        if parser.tok.kind != "end":
            raise parser.fail(parser.tok, f"unexpected {_describe(parser.tok)}")
        try:
            return lookup_distribution(name.text)()
        except ValueError as exc:
            raise parser.fail(name, str(exc)) from None
    parser = _Parser(text)
    out = parser.dist()
    if parser.tok.kind != "end":
        raise parser.fail(parser.tok, f"unexpected {_describe(parser.tok)} after the distribution")
    return out


def parse_fixed(text: str) -> tuple[str, float]:
    """Read ``NAME=VALUE`` (as for ``--fixed sigma=2``)."""
    parser = _Parser(text)
    name = parser.expect("name", "a parameter name")
    parser.expect("=", "'=' (write NAME=VALUE)")
    value = parser.expect("number", "a number")
    if parser.tok.kind != "end":
        raise parser.fail(parser.tok, f"unexpected {_describe(parser.tok)} after the value")
    return name.text, value.value


def parse_regression_prior(text: str | None) -> Any:
    """Read a regression ``--prior`` SPEC (parsed by the same grammar, never evaluated).

    Returns None for ``flat``/``none``/``mle`` (or no SPEC), ``"evidence"`` for
    ``evidence`` (prior scales by type-II maximum likelihood), a distribution
    for ``normal(0, 1)`` (ridge), ``laplace(0, 0.1)`` (lasso) or
    ``nig(m, lam, a, b)`` (exact Bayes), and a pair for the elastic net
    ``normal(0, 1) + laplace(0, 0.1)``.

    Examples
    --------
    >>> parse_regression_prior("normal(0, 2) + laplace(0, 0.5)")
    (Normal(mu=0, sigma=2), Laplace(loc=0, scale=0.5))
    """
    if text is None:
        return None
    if not isinstance(text, str):
        raise TypeError(f"a spec must be a string, got {type(text).__name__}")
    key = text.strip().lower()
    if key in ("", "none", "flat", "mle"):
        return None
    if key == "evidence":
        return "evidence"
    parser = _Parser(text)
    parts: list[Distribution] = []
    while True:
        tok = parser.tok
        dist = parser.dist()
        if type(dist).__name__ not in _REGRESSION_PRIORS:
            raise parser.fail(
                tok,
                f"{type(dist).__name__} is not a regression prior; use normal, laplace, "
                "nig (normalinversegamma), normal(..) + laplace(..), 'evidence' or 'flat'",
            )
        parts.append(dist)
        if parser.tok.kind != "+":
            break
        parser.advance()
    if parser.tok.kind != "end":
        raise parser.fail(parser.tok, f"unexpected {_describe(parser.tok)} after the prior")
    if len(parts) == 1:
        return parts[0]
    names = sorted(type(p).__name__ for p in parts)
    if names != ["Laplace", "Normal"]:
        raise SpecError(
            text, len(text), "a sum of priors is one normal(..) plus one laplace(..) (elastic net)"
        )
    return tuple(parts)
