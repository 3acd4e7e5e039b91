"""One row of cells made into profile fields: every cell checked and cleaned.

Errors stay at the smallest unit. A cell that cannot be used either rejects
its row (a number where a name belongs, an oversized cell) or is dropped
with a note while the rest of the row is imported (a formula, an alias with
no letters). Control characters, bidi overrides and other invisible
characters are removed with a note, so that every export can write what is
imported and nothing reaches a terminal raw. An apostrophe that a safe
export put before ``=``, ``+``, ``-`` or ``@`` is taken off again.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np

from .._normalise import normalise
from ._columns import BOOL_FIELDS, LIST_FIELDS, Columns
from ._dedupe import website_host
from ._table import Formula, Table, header_text, is_blank

__all__ = ["Row", "clean_text", "convert_row"]

#: Fields whose text must not be a bare number.
_WORDY = ("name", "name_zh", "city", "region", "country", "kind")
_PLACEHOLDERS = frozenset(
    {"", "-", "--", "—", "–", "n/a", "na", "none", "null", "nil", "nan", "/", "不适用", "暂无"}
)
_NUMBER = re.compile(r"[+\-]?[\d\s.,/]*\d[\d\s.,/%]*")
SPLIT_STATEMENTS = re.compile(r"\s*(?:[;；\n\r]+)\s*")
_SPLIT_LABELS = re.compile(r"\s*(?:[;；,，、\n\r]+)\s*")
_TRUE = frozenset({"true", "yes", "y", "t", "1", "是", "有", "对"})
_FALSE = frozenset({"false", "no", "n", "f", "0", "否", "无", "没有"})
_SIZES = {
    "micro": "micro",
    "微型": "micro",
    "微型企业": "micro",
    "sme": "sme",
    "small": "sme",
    "medium": "sme",
    "small and medium": "sme",
    "中小企业": "sme",
    "中小型": "sme",
    "小型": "sme",
    "中型": "sme",
    "小微企业": "sme",
    "large": "large",
    "大型": "large",
    "大型企业": "large",
    "大企业": "large",
}
_KIND_WORDS = {
    "企业": "company",
    "公司": "company",
    "firm": "company",
    "business": "company",
    "大学": "university",
    "高校": "university",
    "研究所": "research_centre",
    "研究院": "research_centre",
    "研究中心": "research_centre",
    "research institute": "research_centre",
    "课题组": "research_group",
    "实验室": "research_group",
    "research group": "research_group",
    "政府": "government",
    "政府部门": "government",
    "协会": "association",
    "商会": "association",
    "联盟": "association",
    "园区": "industrial_zone",
    "工业园": "industrial_zone",
    "产业园": "industrial_zone",
    "开发区": "industrial_zone",
}
# Country spellings beyond those the schema accepts (UK, China, 中国 ...).
_COUNTRY_WORDS = {
    "中国": "CN",  # also written 中國
    "英国": "GB",  # also written 英國
    "中华人民共和国": "CN",
    "中国大陆": "CN",
    "people's republic of china": "CN",
    "pr china": "CN",
    "p.r. china": "CN",
    "p.r.china": "CN",
    "mainland china": "CN",
    "u.k.": "GB",
    "the uk": "GB",
    "united kingdom of great britain and northern ireland": "GB",
    "英格兰": "GB",
    "苏格兰": "GB",
    "威尔士": "GB",
    "北爱尔兰": "GB",
}
# Bidi embeddings, overrides and isolates, and marks that only steer direction.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# Invisible characters with no use in a name or statement (zero-width space, BOM, ...).
_INVISIBLE = frozenset("\u200b\u2060\ufeff\u00ad\ufffe\uffff")
_EXPORT_SIGNS = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass
class Row:
    """One input row as profile fields, with what rejects it and what was changed."""

    number: int
    data: dict[str, Any]
    shown: str
    reasons: list[str]
    blank: bool
    notes: list[str] = field(default_factory=list)


def clean_text(text: str) -> tuple[str, int]:
    """Text without control, bidi-override and invisible characters, and how many went.

    Tabs become spaces; line breaks are kept (they separate statements).

    Examples
    --------
    >>> clean_text("Acme\\x07 \\u202eLtd\\x1b[31m")
    ('Acme Ltd[31m', 3)
    >>> clean_text("Laser\\tcladding\\nHVOF")
    ('Laser cladding\\nHVOF', 0)
    """
    if text.isascii() and text.isprintable():
        return text, 0
    out = []
    dropped = 0
    for ch in text:
        if ch == "\t":
            out.append(" ")
        elif ch in "\n\r":
            out.append(ch)
        elif ch in _BIDI or ch in _INVISIBLE or unicodedata.category(ch) in ("Cc", "Cs", "Co"):
            dropped += 1
        else:
            out.append(ch)
    return "".join(out), dropped


def has_word(text: str) -> bool:
    """Whether ``text`` holds a letter or a digit (not only punctuation, emoji or marks)."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


def _is_formula(text: str) -> bool:
    return unicodedata.normalize("NFKC", text[:1]) == "="


def _unescape(text: str) -> str:
    """Take off the apostrophe a safe export put before a formula sign."""
    if text.startswith("'") and unicodedata.normalize("NFKC", text[1:2]).startswith(_EXPORT_SIGNS):
        return text[1:]
    return text


def clean(value: Any, fld: str, label: str, row: Row, spreadsheet: bool, max_chars: int) -> Any:
    """One cell made safe: None for blank, text cleaned, problems reported on ``row``."""
    if is_blank(value):
        return None
    if isinstance(value, Formula):
        row.notes.append(
            f"{label}: a formula ({value.text[:80]!r}) was not imported; type the value itself"
        )
        return None
    if isinstance(value, str):
        text, dropped = clean_text(value)
        if dropped:
            row.notes.append(
                f"{label}: {dropped} control or invisible character{'s' if dropped > 1 else ''} "
                "removed"
            )
        text = text.strip()
        if spreadsheet:
            text = _unescape(text)
        if text.lower() in _PLACEHOLDERS:
            return None
        if _is_formula(text):
            row.notes.append(
                f"{label}: {text[:80]!r} is a formula and was not imported; type the value itself"
            )
            return None
        if len(text) > max_chars:
            row.reasons.append(
                f"{label}: {len(text)} characters, more than the {max_chars} allowed "
                f"({text[:40]!r}...); shorten it (or raise limits={{'max_cell_chars': ...}})"
            )
            return None
        return text
    if isinstance(value, bool | np.bool_):
        if fld in BOOL_FIELDS:
            return bool(value)
        row.reasons.append(f"{label}: expected text, got the value {bool(value)!r}")
        return None
    if isinstance(value, numbers.Real):
        number = float(value)
        if fld in BOOL_FIELDS and number in (0.0, 1.0):
            return bool(number)
        if fld == "postcode" and number.is_integer() and number >= 0:
            return str(int(number))  # Chinese postcodes are numbers in spreadsheets
        shown = int(number) if math.isfinite(number) and number.is_integer() else number
        row.reasons.append(
            f"{label}: expected text, got the number {shown!r}; check that the column "
            "holds the right values"
        )
        return None
    if isinstance(value, datetime | date | time | timedelta):
        row.reasons.append(f"{label}: expected text, got the date or time {str(value)!r}")
        return None
    if isinstance(value, list | tuple):
        if fld in LIST_FIELDS:
            items = [clean(v, fld, label, row, spreadsheet, max_chars) for v in value]
            return [v for v in items if v is not None]
        if fld == "sources":
            return list(value)
        row.reasons.append(f"{label}: expected a single value, got a list {str(value)[:60]!r}")
        return None
    if isinstance(value, dict) and fld == "sources":
        return [value]
    row.reasons.append(f"{label}: expected text, got {type(value).__name__} {str(value)[:60]!r}")
    return None


def split(value: Any, fld: str) -> list[str]:
    """A list field's cell as its items."""
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            out += split(item, fld)
        return out
    if not isinstance(value, str):
        return []
    # Labels may be comma-separated ("aerospace, automotive") unless the cell
    # uses semicolons, as a catalogue written with matchmaker.write does.
    labels = fld in ("industries", "technologies") and not re.search(r"[;；\n]", value)
    pattern = _SPLIT_LABELS if labels else SPLIT_STATEMENTS
    return [part for part in pattern.split(value) if part.strip()]


def _parse_sources(value: Any, label: str, reasons: list[str]) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value]
    out: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, str):
            for part in SPLIT_STATEMENTS.split(item):
                if not part.strip():
                    continue
                document, sep, section = part.partition(", ")
                if not sep:
                    reasons.append(f"{label}: source {part[:60]!r} should read 'document, section'")
                    continue
                out.append({"document": document, "section": section})
        elif isinstance(item, dict):
            out.append({str(k): v for k, v in item.items()})
        else:
            reasons.append(f"{label}: source {str(item)[:60]!r} is not a document and section")
    return out


def convert_row(
    table: Table, number: int, cells: list[Any], columns: Columns, max_chars: int
) -> Row:
    """The row's cells as profile fields, with every reason to reject it."""
    row = Row(number, {}, "", list(table.row_problems.get(number, [])), False)
    mapped = {j for where in columns.fields.values() for j in where}
    for row_number, span, coord in table.merged:
        if row_number == number and mapped.intersection(span):
            row.reasons.append(
                f"cells {coord} are merged, so only their first row holds the value; unmerge "
                "them and fill in every row"
            )
    values = row.data
    raw_name = ""
    dropped_name = ""
    spreadsheet = table.lettered
    for fld, where in columns.fields.items():
        for j in where:
            raw = cells[j] if j < len(cells) else None
            label = table.label(j)
            if fld in ("name", "name_zh") and not raw_name and not is_blank(raw):
                text = raw.text if isinstance(raw, Formula) else str(raw)
                raw_name = clean_text(text)[0].strip()
            notes = len(row.notes)
            value = clean(raw, fld, label, row, spreadsheet, max_chars)
            if value is None:
                if fld in ("name", "name_zh") and len(row.notes) > notes and not dropped_name:
                    dropped_name = row.notes[-1]
                continue
            if fld in LIST_FIELDS:
                items = split(value, fld)
                if fld == "aliases":
                    for item in [i for i in items if not has_word(i)]:
                        row.notes.append(f"{label}: alias {item!r} has no letters; not imported")
                    items = [i for i in items if has_word(i)]
                values.setdefault(fld, []).extend(items)
            elif fld == "sources":
                values.setdefault(fld, []).extend(_parse_sources(value, label, row.reasons))
            elif fld in BOOL_FIELDS:
                parsed = _parse_bool(value)
                if parsed is None:
                    row.reasons.append(f"{label}: {value!r} is not yes or no (是/否)")
                else:
                    values[fld] = parsed
            else:
                checked = _check_text(fld, value, label, row.reasons)
                if checked is not None:
                    values[fld] = checked
    row.blank = all(is_blank(v) for v in cells) and not row.reasons
    if not values.get("name") and values.get("name_zh"):
        values["name"] = values["name_zh"]
    if not values.get("name") and not row.blank and not row.reasons:
        row.reasons.append(_no_name(table, cells, columns, dropped_name))
    row.shown = str(values.get("name") or raw_name)[:200]
    return row


def _no_name(table: Table, cells: list[Any], columns: Columns, dropped: str) -> str:
    name_cols = columns.fields.get("name", []) + columns.fields.get("name_zh", [])
    if dropped:
        return f"no name: {dropped}; every row needs the organisation's name"
    reason = (
        f"no name: {', '.join(table.label(j) for j in name_cols)} "
        f"{'is' if len(name_cols) == 1 else 'are'} empty; every row needs the "
        "organisation's name"
    )
    for j in columns.unused_names:
        if j < len(cells) and not is_blank(cells[j]):
            header = header_text(table.headers[j])
            reason += (
                f" ({table.label(j)} holds {str(cells[j])[:60]!r} but was not read as the "
                f"name; pass mapping={{{header!r}: 'name'}} if it holds organisation names)"
            )
    return reason


def _parse_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = normalise(str(value)).strip()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _check_text(fld: str, value: Any, label: str, reasons: list[str]) -> str | None:
    text = str(value)
    if fld in _WORDY and _NUMBER.fullmatch(text):
        reasons.append(
            f"{label}: the {fld} is a number ({text!r}); check that the column holds "
            f"{'names' if fld.startswith('name') else 'text'}"
        )
        return None
    if fld in ("name", "name_zh") and not has_word(text):
        reasons.append(
            f"{label}: the {fld} {text[:40]!r} has no letters or digits; every row needs the "
            "organisation's name"
        )
        return None
    if fld == "website" and website_host(text) is None:
        reasons.append(f"{label}: {text[:80]!r} is not a web address (e.g. www.example.com)")
        return None
    if fld == "size":
        size = _SIZES.get(normalise(text).strip())
        if size is None:
            reasons.append(
                f"{label}: size {text[:40]!r} is not one of micro, sme or large (微型, 中小企业, 大型)"
            )
        return size
    if fld == "kind":
        return _KIND_WORDS.get(normalise(text).strip(), text)
    if fld == "country":
        return _COUNTRY_WORDS.get(" ".join(normalise(text).split()), text)
    return text
