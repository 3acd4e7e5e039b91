"""Terminal rendering: left-aligned tables wrapped to the terminal's width.

Everything the command line prints goes through here, so that profile text
cannot move the cursor or change colours: control characters (ESC, BEL,
NUL, C1 codes) and bidirectional overrides are shown as U+FFFD.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from collections.abc import Sequence
from typing import Any

__all__ = ["clean", "table", "width", "wrap"]

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_GAP = "  "
_BULLETS = ("- ", "! ", "+ ", "* ")


def width() -> int:
    """The terminal's width in characters (80 when unknown), at least 40."""
    return max(40, shutil.get_terminal_size((80, 24)).columns)


def clean(text: object) -> str:
    """``text`` with characters that control a terminal made visible.

    Examples
    --------
    >>> clean("Acme\\x1b[31m Ltd\\u202e")
    'Acme\\ufffd[31m Ltd\\ufffd'
    """
    return _UNSAFE.sub("\ufffd", str(text))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if value != value else f"{value:.3f}"
    return clean(value)


def wrap(text: str, *, indent: str = "", columns: int | None = None) -> str:
    """Wrap ``text`` (paragraph by paragraph) to the terminal width.

    Examples
    --------
    >>> print(wrap("one two three four", indent="  ", columns=12))
      one two
      three four
    """
    columns = columns or width()
    out = []
    for line in clean(text).split("\n"):
        lead = line[: len(line) - len(line.lstrip())]
        out.append(
            textwrap.fill(
                line.strip(),
                width=columns,
                initial_indent=indent + lead,
                subsequent_indent=indent + lead + ("  " if line.strip()[:2] in _BULLETS else ""),
                break_on_hyphens=False,
                break_long_words=False,
            )
            if line.strip()
            else ""
        )
    return "\n".join(out)


def table(
    rows: Sequence[Sequence[Any]], headers: Sequence[str], *, columns: int | None = None
) -> str:
    """A left-aligned table that fits ``columns`` characters, long cells wrapped.

    Short columns keep their natural width; the space left is shared among
    the widest ones, whose cells wrap onto further lines.

    Examples
    --------
    >>> print(table([[1, "Acme Ltd", "Covers laser cladding and thermal spraying"]],
    ...             ["rank", "name", "reasons"], columns=40))
    rank  name      reasons
    1     Acme Ltd  Covers laser cladding
                    and thermal spraying
    """
    columns = columns or width()
    cells = [[_cell(v) for v in row] for row in rows]
    natural = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    room = columns - len(_GAP) * (len(headers) - 1)
    widths = list(natural)
    # shrink the widest column, one character at a time, until the table fits
    while sum(widths) > room:
        i = max(range(len(widths)), key=lambda k: (widths[k], k))
        floor = max(len(headers[i]), 8)
        if widths[i] <= floor:
            break
        widths[i] -= 1
    lines = [_GAP.join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for row in cells:
        parts = [
            textwrap.wrap(c, w, break_on_hyphens=False) or [""]
            for c, w in zip(row, widths, strict=True)
        ]
        for k in range(max(len(p) for p in parts)):
            lines.append(
                _GAP.join(
                    (p[k] if k < len(p) else "").ljust(w)
                    for p, w in zip(parts, widths, strict=True)
                ).rstrip()
            )
    return "\n".join(lines)
