"""``$...$`` (inline) and ``$$...$$`` (display) formulas to MathML, outside code."""

from __future__ import annotations

import re

from latex2mathml.converter import convert

# fenced blocks, inline code spans, then the two kinds of formula
_TOKEN = re.compile(
    r"(?P<fence>^(?P<ticks>```+|~~~+)[^\n]*\n.*?^(?P=ticks)[ \t]*$)"
    r"|(?P<code>(?P<bt>`+).+?(?P=bt))"
    r"|(?P<display>\$\$(?P<dtex>.+?)\$\$)"
    r"|(?P<inline>(?<![\\$\w])\$(?P<itex>[^\s$](?:[^$\n]*?[^\s$\\])?)\$(?![\w$]))",
    re.S | re.M,
)


def stash(markdown: str) -> tuple[str, dict[str, str]]:
    """Replace each formula by a placeholder; return the text and placeholder -> MathML."""
    out: dict[str, str] = {}

    def repl(m: re.Match[str]) -> str:
        if m.group("fence") or m.group("code"):
            return m.group(0)
        key = f"MATHPLACEHOLDER{len(out)}X"
        if m.group("display"):
            out[key] = convert(m.group("dtex").strip(), display="block")
            return f"\n\n{key}\n\n"
        out[key] = convert(m.group("itex"))
        return key

    return _TOKEN.sub(repl, markdown), out


def restore(html: str, stash: dict[str, str]) -> str:
    """Put the MathML back (a display formula replaces its own paragraph)."""
    for key, value in stash.items():
        html = html.replace(f"<p>{key}</p>", f'<div class="math">{value}</div>')
        html = html.replace(key, value)
    return html
