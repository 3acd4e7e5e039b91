"""XLSX as a report: an "About this list" sheet, then one sheet per table.

Written with XlsxWriter, cell by cell: numbers as numbers, booleans as
booleans, and every string as a string cell, so no formula can run and no
apostrophe shows. A string a spreadsheet would read as a formula also gets
Excel's "quote prefix" style, so it stays text when someone edits the cell.
Characters XML cannot hold are replaced (:func:`clean_text`). Each sheet has
a bold, frozen header, an autofilter and widths that fit its contents.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from ._cells import clean_text, is_formula
from ._report import Report

__all__ = ["write_xlsx"]

_MAX_WIDTH = 60
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")


def _xlsxwriter() -> Any:
    try:
        import xlsxwriter
    except ImportError as exc:
        raise ImportError(
            "Writing XLSX needs XlsxWriter: pip install 'sino-uk-matchmaker[xlsx]'"
        ) from exc
    return xlsxwriter


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "\n".join(str(v) for v in value)
    return "" if value is None else str(value)


def _sheet_name(name: str, used: set[str]) -> str:
    base = _BAD_SHEET.sub(" ", clean_text(name)).strip("'")[:31] or "Sheet"
    out, n = base, 2
    while out.lower() in used:
        out = f"{base[:28]} {n}"
        n += 1
    used.add(out.lower())
    return out


class _Writer:
    def __init__(self, book: Any) -> None:
        self.book = book
        self.text = book.add_format({"text_wrap": False, "valign": "top"})
        self.quoted = book.add_format({"quote_prefix": True, "valign": "top"})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.bold = book.add_format({"bold": True, "valign": "top", "bottom": 1})
        self.number = book.add_format({"valign": "top"})

    def cell(self, sheet: Any, row: int, col: int, value: Any, wrap: bool = False) -> int:
        """Write one cell; returns its display width."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            sheet.write_blank(row, col, None, self.number)
            return 0
        if isinstance(value, bool):
            sheet.write_boolean(row, col, value, self.number)
            return 5
        if isinstance(value, int | float) and math.isfinite(float(value)):
            sheet.write_number(row, col, float(value), self.number)
            return len(f"{value:g}") if isinstance(value, float) else len(str(value))
        text = clean_text(_text(value))
        fmt = self.quoted if is_formula(text) else (self.wrap if wrap else self.text)
        sheet.write_string(row, col, text, fmt)
        return max((len(line) for line in text.split("\n")), default=0)

    def table(self, name: str, frame: pd.DataFrame) -> None:
        sheet = self.book.add_worksheet(name)
        widths = []
        for col, column in enumerate(frame.columns):
            sheet.write_string(0, col, clean_text(str(column)), self.bold)
            widths.append(len(str(column)) + 2)  # room for the filter button
        for row, values in enumerate(frame.itertuples(index=False), start=1):
            for col, value in enumerate(values):
                if hasattr(value, "item"):  # numpy scalars
                    value = value.item()
                widths[col] = max(widths[col], self.cell(sheet, row, col, value))
        for col, width in enumerate(widths):
            long = width > _MAX_WIDTH
            sheet.set_column(col, col, min(width + 1, _MAX_WIDTH), self.wrap if long else None)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(frame), 1), max(len(frame.columns) - 1, 0))

    def about(self, name: str, report: Report) -> None:
        sheet = self.book.add_worksheet(name)
        sheet.write_string(0, 0, "field", self.bold)
        sheet.write_string(0, 1, "value", self.bold)
        sheet.write_string(1, 0, "title", self.text)
        self.cell(sheet, 1, 1, report.title, wrap=True)
        for row, (key, value) in enumerate(report.context.items(), start=2):
            sheet.write_string(row, 0, clean_text(str(key)), self.text)
            self.cell(sheet, row, 1, value, wrap=True)
        width = max([len(str(k)) for k in report.context] + [10])
        sheet.set_column(0, 0, width + 2)
        sheet.set_column(1, 1, 100, self.wrap)
        sheet.freeze_panes(1, 0)


def write_xlsx(report: Report, path: Path) -> None:
    """Write ``report`` as an XLSX workbook at ``path`` (the caller makes it atomic)."""
    xlsxwriter = _xlsxwriter()
    book = xlsxwriter.Workbook(
        str(path),
        {"strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": True},
    )
    writer = _Writer(book)
    used: set[str] = set()
    writer.about(_sheet_name("About this list", used), report)
    for name, frame in report.tables.items():
        writer.table(_sheet_name(name, used), frame)
    book.close()
