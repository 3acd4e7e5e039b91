"""Which input column becomes which profile field.

Headers are matched through the bilingual vocabulary in
``matchmaker/data/headers.yaml`` (read at first use), after normalising case,
full-width and Traditional characters, punctuation and bracketed notes; an
explicit ``mapping`` overrides it. Every problem with the header row is
collected into one :class:`InputFileError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .._normalise import has_cjk, normalise
from ._table import InputFileError, Table, header_text, is_blank
from ._yaml import load_yaml

__all__ = ["BOOL_FIELDS", "FIELDS", "LIST_FIELDS", "SCALAR_FIELDS", "Columns", "map_columns"]

SCALAR_FIELDS = (
    "id",
    "name",
    "name_zh",
    "country",
    "kind",
    "city",
    "region",
    "postcode",
    "website",
    "summary",
    "size",
)
LIST_FIELDS = ("aliases", "offers", "needs", "industries", "technologies", "evidence")
BOOL_FIELDS = ("china_presence", "intermediary")
#: Profile fields a column can be mapped to.
FIELDS: tuple[str, ...] = (*SCALAR_FIELDS, *LIST_FIELDS, *BOOL_FIELDS, "sources")

#: Header names shown when no name column is found.
_NAME_EXAMPLES = (
    "Company Name",
    "Organisation",
    "Organization",
    "Name",
    "公司名称",
    "企业名称",
    "单位名称",
    "机构名称",
    "中文名称",
    "name",
    "name_zh",
)


@dataclass
class Columns:
    """The mapping found: field -> column positions, and what was not used."""

    fields: dict[str, list[int]]
    used: dict[str, str]
    ignored: list[str]
    unused_names: list[int] = field(default_factory=list)


def headers_file() -> Path:
    """The header vocabulary shipped with the package."""
    return Path(str(resources.files("matchmaker"))) / "data" / "headers.yaml"


@lru_cache(maxsize=1)
def header_lookup() -> dict[str, tuple[str, int]]:
    """Normalised header -> (field, rank): rank 1 for strong headers, 2 for weak ones.

    Examples
    --------
    >>> header_lookup()["公司名称"], header_lookup()["name"]
    (('name', 1), ('name', 2))
    """
    data = load_yaml(headers_file().read_text(encoding="utf-8"))
    lookup: dict[str, tuple[str, int]] = {}
    for fld, names in data.items():
        if fld not in FIELDS:
            raise ValueError(f"{headers_file()}: {fld!r} is not a profile field")
        for rank, key in ((1, "strong"), (2, "weak")):
            for name in names.get(key, []):
                lookup.setdefault(header_key(str(name)), (fld, rank))
    for fld in FIELDS:
        lookup.setdefault(fld.replace("_", " "), (fld, 1))
    return lookup


def header_key(header: str, keep_brackets: bool = True) -> str:
    """A header normalised for look-up ("Company Name (required)*" -> "company name required").

    Examples
    --------
    >>> header_key("Company Name (required)*"), header_key("公司名称（必填）", keep_brackets=False)
    ('company name required', '公司名称')
    """
    text = normalise(header)
    if keep_brackets:
        text = re.sub(r"[()\[\]{}]", " ", text)
    else:
        text = re.sub(r"\([^)]*\)|\[[^\]]*\]|\{[^}]*\}", " ", text)
    text = re.sub(r"[*:：#?？!！.。,，'\"]", " ", text)
    return " ".join(text.split())


def lookup_header(header: str) -> tuple[str, int] | None:
    """The field and rank a header names, or None."""
    lookup = header_lookup()
    return lookup.get(header_key(header)) or lookup.get(header_key(header, keep_brackets=False))


def map_columns(table: Table, mapping: Mapping[str, str | None] | None) -> Columns:
    """Map the table's columns to profile fields; raise with every header problem."""
    problems = list(table.problems)
    headers = [header_text(h) for h in table.headers]
    for j, header in enumerate(headers):
        if (
            header is None
            and j not in table.merged_header
            and any(j < len(cells) and not is_blank(cells[j]) for _, cells in table.rows)
        ):
            problems.append(
                f"{table.label(j)} has values but no header; give it a header (or pass "
                "mapping) or delete the column"
            )
    positions: dict[str, list[int]] = {}
    for j, header in enumerate(headers):
        if header is not None:
            positions.setdefault(header, []).append(j)
    for header, where in positions.items():
        if len(where) > 1:
            problems.append(
                f"{len(where)} columns are called {header[:80]!r} "
                f"({', '.join(table.label(j) for j in where[:10])}); rename them so each is unique"
            )
    assigned: dict[int, str] = {}
    explicit: set[int] = set()
    for column, target in (mapping or {}).items():
        if column not in positions:
            found = ", ".join(repr(h) for h in list(positions)[:30]) or "none"
            problems.append(
                f"mapping names column {column!r}, which is not in the file; columns found: {found}"
            )
            continue
        if target is not None and target not in FIELDS:
            problems.append(
                f"mapping sends column {column!r} to {target!r}, which is not a profile "
                f"field; use one of {', '.join(FIELDS)} (or None to skip the column)"
            )
            continue
        for j in positions[column]:
            explicit.add(j)
            if target is not None:
                assigned[j] = target
    explicit_fields = set(assigned.values())
    for fld in explicit_fields - set(LIST_FIELDS):
        cols = [j for j, f in assigned.items() if f == fld]
        if len(cols) > 1:
            problems.append(
                f"mapping sends {len(cols)} columns to {fld!r} "
                f"({', '.join(table.label(j) for j in cols)}); a profile has one {fld}"
            )
    guesses: dict[str, list[tuple[int, int]]] = {}
    for j, header in enumerate(headers):
        if header is None or j in explicit or len(positions[header]) > 1:
            continue  # blank and duplicate headers are reported above
        hit = lookup_header(header)
        if hit is not None and hit[0] not in explicit_fields - set(LIST_FIELDS):
            guesses.setdefault(hit[0], []).append((hit[1], j))
    for fld, cands in guesses.items():
        if fld in LIST_FIELDS:
            for _, j in cands:
                assigned[j] = fld
            continue
        best = min(rank for rank, _ in cands)
        top = [j for rank, j in cands if rank == best]
        if len(top) == 2 and fld == "name" and "name_zh" not in guesses:
            zh = [j for j in top if has_cjk(str(headers[j]))]
            if len(zh) == 1:  # "Company Name" and "公司名称": English and Chinese names
                assigned[zh[0]] = "name_zh"
                top = [j for j in top if j != zh[0]]
        if len(top) > 1:
            names = " and ".join(repr(headers[j]) for j in top)
            problems.append(
                f"columns {names} each look like the {fld}; pass mapping={{{headers[top[0]]!r}: "
                f"{fld!r}}} (and None for the others) to choose"
            )
            continue
        assigned[top[0]] = fld
    if not {"name", "name_zh"} & set(assigned.values()):
        problems.append(_no_name_problem(table, headers))
    if problems:
        raise InputFileError(table.document, problems)
    fields: dict[str, list[int]] = {}
    for j in sorted(assigned):
        fields.setdefault(assigned[j], []).append(j)
    used = {str(headers[j]): assigned[j] for j in sorted(assigned)}
    ignored = [str(h) for j, h in enumerate(headers) if h is not None and j not in assigned]
    unused_names = [j for _, j in guesses.get("name", []) if j not in assigned]
    return Columns(fields, used, ignored, unused_names)


def _no_name_problem(table: Table, headers: Sequence[str | None]) -> str:
    found = ", ".join(repr(h[:60]) for h in headers[:30] if h is not None) or "none"
    accepted = ", ".join(repr(n) for n in _NAME_EXAMPLES)
    message = (
        f"no column holds the organisation name. Columns found: {found}. Accepted names "
        f"include {accepted}; or pass mapping={{'Your column': 'name'}}"
    )
    for number, cells in table.rows[:5]:
        hits = [lookup_header(v) for v in cells if isinstance(v, str)]
        if any(hit is not None and hit[0] in ("name", "name_zh") for hit in hits):
            message += f". Row {number} looks like a header row: delete the rows above it"
            break
    if any(isinstance(h, str) and (";" in h or "\t" in h) for h in headers):
        message += ". The header holds ';' or tab characters: save the file as comma-separated CSV"
    return message
