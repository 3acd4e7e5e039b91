"""Errors that tell the person who hit them what was wrong, where, and what to do.

Problems are collected, never raised one at a time: a 500-row file with 12
bad rows gets one error listing all 12.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["CatalogueError", "Problem", "problems_from_validation"]

#: Problems listed in a CatalogueError's message; all are in ``.problems``.
_SHOWN = 50


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input record.

    Examples
    --------
    >>> print(Problem("a.yaml", 3, "acme", "country", "FR", "unknown country"))
    a.yaml, profile 3 (id 'acme'), field 'country', value 'FR': unknown country
    """

    file: str
    row: int | None
    profile: str | None
    field: str | None
    value: Any
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            who = f"profile {self.row}"
            if self.profile:
                who += f" (id {self.profile!r})"
            where.append(who)
        elif self.profile:
            where.append(f"profile {self.profile!r}")
        if self.field:
            where.append(f"field {self.field!r}")
        if self.value is not None:
            value = self.value if not isinstance(self.value, str) else self.value[:80]
            where.append(f"value {value!r}")
        return f"{', '.join(where)}: {self.message}"


class CatalogueError(ValueError):
    """Raised when profiles cannot be loaded; lists every problem found.

    Attributes
    ----------
    problems : list of Problem
        All problems, in file and row order.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from matchmaker import CatalogueError, load_catalogue
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "bad.yaml").write_text("- {id: x, name: X, country: FR, kind: company}")
    >>> try:
    ...     load_catalogue(folder)
    ... except CatalogueError as err:
    ...     print(len(err.problems), "problems;", err.problems[0].field, repr(err.problems[0].value))
    2 problems; country 'FR'
    """

    def __init__(self, problems: Sequence[Problem], hint: str = "") -> None:
        self.problems = list(problems)
        lines = [f"{len(self.problems)} problem(s) found; nothing was loaded:"]
        lines += [f"  - {str(p)[:500]}" for p in self.problems[:_SHOWN]]
        if len(self.problems) > _SHOWN:
            lines.append(f"  ... and {len(self.problems) - _SHOWN} more (see .problems)")
        if hint:
            lines.append(hint)
        super().__init__("\n".join(lines))


def problems_from_validation(
    errors: Iterable[Any], *, file: str, row: int | None, profile: str | None
) -> list[Problem]:
    """Turn pydantic ``ValidationError.errors()`` into :class:`Problem` objects."""
    out = []
    for err in errors:
        loc = ".".join(str(part) for part in err.get("loc", ())) or None
        message = str(err.get("msg", "invalid value"))
        message = message.removeprefix("Value error, ")
        if err.get("type") == "missing":
            message = "this required field is missing; add it"
        elif err.get("type") == "extra_forbidden":
            message = "unknown field; remove it or check its spelling"
        value = err.get("input") if err.get("type") != "missing" else None
        if isinstance(value, dict):
            value = None
        out.append(Problem(file, row, profile, loc, value, message))
    return out
