"""The one table renderer behind every ``summary()``, ``_repr_html_`` and ``to_frame()``.

A :class:`Report` is a title, header facts (label -> text), one or more
:class:`Block` s of numbers (a header row and labelled rows) and closing notes.
Plain text sizes every column to its widest cell or header, with at least two
spaces between columns, so numbers never run together and headers never
overflow; HTML gives the same content as tables for notebooks; a block becomes
a pandas DataFrame where pandas is installed. Written here rather than with
``rich`` or ``tabulate``: results must render with numpy and scipy only.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .._format import fmt
from .._optional import require

__all__ = ["Block", "Report", "Reported", "need_pandas"]

#: the narrowest a text report is drawn (its rules), in characters
MIN_WIDTH = 78
GAP = 2


@dataclass(frozen=True)
class Block:
    """A table of numbers: ``columns`` headers, rows of ``(label, cells)``."""

    columns: Sequence[str]
    rows: Sequence[tuple[str, Sequence[Any]]]
    title: str = ""
    label_header: str = ""

    def cell_text(self) -> list[list[str]]:
        return [[fmt(v) for v in cells] for _, cells in self.rows]

    def widths(self) -> tuple[int, list[int]]:
        texts = self.cell_text()
        label_w = max([len(self.label_header), *(len(lab) for lab, _ in self.rows)], default=0)
        col_w = [
            max([len(h), *(len(r[j]) for r in texts if j < len(r))])
            for j, h in enumerate(self.columns)
        ]
        return label_w, col_w

    def text(self) -> list[str]:
        label_w, col_w = self.widths()
        texts = self.cell_text()

        def line(label: str, cells: Sequence[str]) -> str:
            parts = [label.ljust(label_w)]
            parts.extend(c.rjust(w) for c, w in zip(cells, col_w, strict=False))
            return (" " * GAP).join(parts).rstrip()

        out = [self.title] if self.title else []
        out.append(line(self.label_header, list(self.columns)))
        out.extend(line(lab, cells) for (lab, _), cells in zip(self.rows, texts, strict=True))
        return out

    def html(self) -> str:
        head = "".join(
            f"<th>{html.escape(str(h))}</th>" for h in [self.label_header, *self.columns]
        )
        body = "".join(
            "<tr><th>"
            + html.escape(lab)
            + "</th>"
            + "".join(f"<td>{html.escape(fmt(v))}</td>" for v in cells)
            + "</tr>"
            for lab, cells in self.rows
        )
        caption = f"<caption>{html.escape(self.title)}</caption>" if self.title else ""
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def records(self) -> list[dict[str, Any]]:
        """One dict per row: the label under ``label_header`` (or "name"), then the cells."""
        key = self.label_header or "name"
        return [
            {key: lab, **dict(zip(self.columns, cells, strict=False))} for lab, cells in self.rows
        ]

    def to_frame(self) -> Any:
        """The block as a pandas DataFrame indexed by the row labels."""
        pd = need_pandas("to_frame()")
        frame = pd.DataFrame(
            [list(cells) for _, cells in self.rows],
            columns=list(self.columns),
            index=[lab for lab, _ in self.rows],
        )
        frame.index.name = self.label_header or None
        return frame


@dataclass(frozen=True)
class Report:
    """A titled report: header facts, blocks of numbers and closing notes."""

    title: str
    facts: Sequence[tuple[str, str]] = ()
    blocks: Sequence[Block] = ()
    notes: Sequence[str] = ()
    warnings: Sequence[str] = field(default=())

    def text(self) -> str:
        """Plain text: facts two to a line where they fit, blocks between rules."""
        block_lines = [b.text() for b in self.blocks]
        widest = max((len(s) for lines in block_lines for s in lines), default=0)
        key_w = max([len(k) + 1 for k, _ in self.facts], default=0) + GAP
        width = max(MIN_WIDTH, widest)
        lines = [self.title.center(width).rstrip(), "=" * width]
        lines.extend(self._fact_lines(key_w, width))
        for blk in block_lines:
            lines.append("-" * width)
            lines.extend(blk)
        for note in self.notes:
            lines.extend(textwrap.wrap(note, width, subsequent_indent="  ") or [""])
        lines.append("=" * width)
        lines.extend(f"Warning: {w}" for w in self.warnings)
        return "\n".join(lines)

    def _fact_lines(self, key_w: int, width: int) -> list[str]:
        cells = [f"{(k + ':').ljust(key_w)}{v}" for k, v in self.facts]
        half = (width - GAP) // 2
        out: list[str] = []
        i = 0
        while i < len(cells):
            a = cells[i]
            b = cells[i + 1] if i + 1 < len(cells) else None
            if b is not None and len(a) <= half and len(b) <= width - half - GAP:
                out.append((a.ljust(half) + " " * GAP + b).rstrip())
                i += 2
            else:
                out.extend(textwrap.wrap(a, width, subsequent_indent=" " * key_w) or [a])
                i += 1
        return out

    def html(self) -> str:
        """HTML for notebooks (``_repr_html_``)."""
        facts = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
            for k, v in self.facts
        )
        parts = [f"<div><strong>{html.escape(self.title)}</strong>"]
        if facts:
            parts.append(f"<table>{facts}</table>")
        parts.extend(b.html() for b in self.blocks)
        parts.extend(f"<p>{html.escape(n)}</p>" for n in self.notes)
        parts.extend(f"<p><em>Warning:</em> {html.escape(w)}</p>" for w in self.warnings)
        parts.append("</div>")
        return "".join(parts)


class Reported:
    """A result shown through its :class:`Report`: ``str()`` is its ``summary()`` and
    notebooks render ``report().html()`` (the result classes give both methods).

    Examples
    --------
    >>> import thetahat as th
    >>> post = th.posterior(th.Bernoulli, [1, 0, 1], prior=th.Beta(1, 1))
    >>> str(post) == post.summary() and post._repr_html_() == post.report().html()
    True
    """

    def __str__(self) -> str:
        result: Any = self
        return str(result.summary())

    def _repr_html_(self) -> str:
        result: Any = self
        return str(result.report().html())


def need_pandas(what: str) -> Any:
    """Import pandas for ``what``, or raise naming the extra that installs it."""
    del what  # the message names the extra; the caller's traceback names the call
    return require("pandas", "frames")
