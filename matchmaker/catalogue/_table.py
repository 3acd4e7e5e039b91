"""The common form of every input (a table of cells), its limits and its errors.

Each reader (:mod:`._read_csv`, :mod:`._read_xlsx`, :mod:`._read_structured`)
turns a file into a :class:`Table`; everything after reading works on tables
only. :class:`Limits` bounds what a reader accepts, so that a small hostile
file cannot take minutes of CPU or gigabytes of memory; a limit that trips
raises :class:`InputFileError` naming the file, the limit and how to raise it.
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from .._errors import Problem

__all__ = ["Formula", "InputFileError", "Limits", "Table", "is_blank", "letter"]


class InputFileError(ValueError):
    """Raised when a whole file cannot be imported; lists every problem found.

    Attributes
    ----------
    file : str
        The file (or ``"DataFrame"``).
    problems : list of Problem
        Every file-level problem: encoding, empty file, missing name column,
        blank, merged or duplicate headers, a bad ``mapping``, a limit.

    Examples
    --------
    >>> err = InputFileError("orgs.csv", ["the file is empty"])
    >>> print(err)
    1 problem in orgs.csv; nothing was imported:
      - orgs.csv: the file is empty
    """

    def __init__(self, file: str, problems: Sequence[Problem | str]) -> None:
        self.file = file
        self.problems = [
            p if isinstance(p, Problem) else Problem(file, None, None, None, None, p)
            for p in problems
        ]
        count = len(self.problems)
        lines = [f"{count} problem{'s' if count != 1 else ''} in {file}; nothing was imported:"]
        lines += [f"  - {p}" for p in self.problems[:20]]
        if count > 20:
            lines.append(f"  ... and {count - 20} more")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Limits:
    """How much a reader accepts before it refuses a file.

    Every limit has a default that fits real organisation lists with room to
    spare; pass ``limits={"max_rows": 500_000}`` (or a :class:`Limits`) to
    :func:`matchmaker.read_profiles` to raise one, or ``--limit
    max_rows=500000`` on the command line.

    Parameters
    ----------
    max_rows : int, default 200,000
        Data rows (up to the last one that holds a value).
    max_columns : int, default 500
        Columns (up to the last one that holds a value).
    max_cell_chars : int, default 2,000
        Characters in one cell; a longer cell rejects its row, not the file.
    max_depth : int, default 20
        Nesting of lists and mappings in a JSON or YAML file.
    max_bytes : int, default 100,000,000
        Size of a text file, or of an XLSX workbook once uncompressed.
    max_seconds : float, default 120
        Seconds of work on one file, reading and de-duplicating together.

    Examples
    --------
    >>> Limits.of({"max_rows": 10}).max_rows
    10
    >>> Limits.of({"max_lines": 10})
    Traceback (most recent call last):
    ...
    ValueError: The 'limits' parameter of read_profiles has no limit 'max_lines'; use max_rows, max_columns, max_cell_chars, max_depth, max_bytes or max_seconds.
    """

    max_rows: int = 200_000
    max_columns: int = 500
    max_cell_chars: int = 2_000
    max_depth: int = 20
    max_bytes: int = 100_000_000
    max_seconds: float = 120.0

    @classmethod
    def of(cls, value: Limits | Mapping[str, Any] | None) -> Limits:
        """Checked limits from a :class:`Limits`, a dict of some of them, or None."""
        if value is None:
            return cls()
        if isinstance(value, Limits):
            base, changes = value, dict[str, Any]()
        elif isinstance(value, Mapping):
            base, changes = cls(), dict(value)
        else:
            raise TypeError(
                f"The 'limits' parameter of read_profiles must be a dict such as "
                f"{{'max_rows': 500000}} or a Limits. Got {type(value).__name__} instead."
            )
        names = [f.name for f in fields(cls)]
        for name, number in changes.items():
            if name not in names:
                raise ValueError(
                    f"The 'limits' parameter of read_profiles has no limit {name!r}; use "
                    f"{', '.join(names[:-1])} or {names[-1]}."
                )
            ok = isinstance(number, numbers.Real) and not isinstance(number, bool)
            if not ok or not number > 0 or (name != "max_seconds" and number != int(number)):
                kind = "a number > 0" if name == "max_seconds" else "an int >= 1"
                raise ValueError(
                    f"The {name!r} limit of read_profiles must be {kind}. Got {number!r} instead."
                )
        checked: dict[str, Any] = {
            k: (float(v) if k == "max_seconds" else int(v)) for k, v in changes.items()
        }
        return replace(base, **checked)

    def exceeded(self, document: str, name: str, what: str, advice: str = "") -> InputFileError:
        """The error for a limit that tripped, saying how to raise it."""
        value = getattr(self, name)
        shown = f"{value:,}" if isinstance(value, int) else f"{value:g}"
        return InputFileError(
            document,
            [
                f"{what}, more than the limit {name}={shown} allows. {advice}If the file is "
                f"right, raise the limit: read_profiles(..., limits={{{name!r}: ...}}) or "
                f"--limit {name}=..."
            ],
        )


class Deadline:
    """The time budget of one import (``Limits.max_seconds``), checked as work goes on."""

    def __init__(self, limits: Limits, document: str) -> None:
        self.limits = limits
        self.document = document
        self.end = time.monotonic() + limits.max_seconds

    def check(self, doing: str) -> None:
        """Raise :class:`InputFileError` when the budget is spent."""
        if time.monotonic() > self.end:
            raise self.limits.exceeded(self.document, "max_seconds", f"{doing} took too long")


@dataclass(frozen=True)
class Formula:
    """A spreadsheet formula cell: reported, never kept or evaluated."""

    text: str


@dataclass
class Table:
    """Cells as read, before any mapping: the common form of every input.

    ``rows`` holds ``(row number as the user sees it, cells)``; the
    ``row_problems`` of a row reject it; ``problems`` reject the file.
    """

    document: str
    headers: list[Any]
    rows: list[tuple[int, list[Any]]]
    encoding: str | None = None
    sheet: str | None = None
    lettered: bool = True
    problems: list[str] = field(default_factory=list)
    row_problems: dict[int, list[str]] = field(default_factory=dict)
    merged: list[tuple[int, range, str]] = field(default_factory=list)
    merged_header: set[int] = field(default_factory=set)

    def label(self, j: int) -> str:
        """How to name column ``j`` to the user: its letter (spreadsheets) and header."""
        header = header_text(self.headers[j]) if j < len(self.headers) else None
        if self.lettered:
            return f"column {letter(j)} ({header!r})" if header else f"column {letter(j)}"
        return f"column {header!r}" if header else f"column {j + 1}"


def letter(j: int) -> str:
    """Spreadsheet column letter of a 0-based column index.

    Examples
    --------
    >>> letter(0), letter(25), letter(26), letter(16383)
    ('A', 'Z', 'AA', 'XFD')
    """
    out = ""
    j += 1
    while j:
        j, rem = divmod(j - 1, 26)
        out = chr(65 + rem) + out
    return out


def is_blank(value: Any) -> bool:
    """None, NaN, NA, NaT or text that is only white space."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return math.isnan(float(value))
    return isinstance(value, str) and not value.strip()


def header_text(value: Any) -> str | None:
    """A header cell as text (None when blank)."""
    if is_blank(value):
        return None
    if isinstance(value, Formula):
        return value.text
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def drop_trailing_blank(rows: list[tuple[int, list[Any]]]) -> list[tuple[int, list[Any]]]:
    """The rows without the blank ones at the end."""
    end = len(rows)
    while end and all(is_blank(v) for v in rows[end - 1][1]):
        end -= 1
    return rows[:end]
