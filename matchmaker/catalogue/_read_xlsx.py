"""Reading an XLSX sheet into a :class:`Table`, by the cells actually present.

The sheet's declared dimension is never trusted: one stray cell at XFD1048576
would make it claim a million rows. The sheet XML is streamed (openpyxl's
read-only workbook for sheet names, shared strings and date styles; its cell
parser for each ``<c>``), every processed element is dropped at once, and
the workbook's uncompressed size, the rows, the columns and the time are
checked against :class:`Limits` as reading goes on.
"""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, iterparse

from ._table import (
    Deadline,
    Formula,
    InputFileError,
    Limits,
    Table,
    drop_trailing_blank,
    is_blank,
    letter,
)

__all__ = ["XLSX_INSTALL", "read_xlsx"]

#: The exact line that installs the optional XLSX reader.
XLSX_INSTALL = "pip install 'sino-uk-matchmaker[xlsx]'"

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def read_xlsx(
    path: Path, document: str, sheet: str | int | None, *, limits: Limits, deadline: Deadline
) -> Table:
    """One sheet of a workbook as a table (the first by default; a name or 0-based position)."""
    try:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException
    except ImportError as exc:
        raise ImportError(
            f"Reading .xlsx files needs openpyxl, an optional extra. Install it with:\n"
            f"{XLSX_INSTALL}"
        ) from exc
    _check_size(path, document, limits)
    with warnings.catch_warnings():
        # openpyxl warns about workbook features it cannot read (data validation,
        # conditional formatting); they hold no cell values.
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=False)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
            raise InputFileError(
                document, [f"not a readable .xlsx workbook ({exc}); save it again from Excel"]
            ) from None
    try:
        ws = _choose(book, document, sheet)
        table = Table(document, [], [], sheet=ws.title)
        try:
            grid, merged = _stream(book, ws, table, limits, deadline)
        except (ParseError, ValueError, KeyError, IndexError, zipfile.BadZipFile) as exc:
            if isinstance(exc, InputFileError):
                raise
            raise InputFileError(
                document,
                [f"sheet {ws.title!r} is not readable ({exc}); save the workbook again from Excel"],
            ) from None
    finally:
        book.close()
    if not grid or all(is_blank(v) for _, line in grid for v in line):
        raise InputFileError(
            document, [f"sheet {ws.title!r} is empty; put a header row and data rows in it"]
        )
    width = max(len(line) for _, line in grid)
    rows = {number: line + [None] * (width - len(line)) for number, line in grid}
    header = rows.pop(1, [None] * width)
    table.headers = header
    for j, value in enumerate(header):
        if isinstance(value, Formula):
            table.problems.append(
                f"sheet {ws.title!r}: header cell {letter(j)}1 is a formula ({value.text!r}); "
                "type the header text instead"
            )
    last = max(rows, default=1)
    body = [(n, rows.get(n, [None] * width)) for n in range(2, last + 1)]
    table.rows = drop_trailing_blank(body)
    for ref in merged:
        _note_merge(table, ref)
    return table


def _check_size(path: Path, document: str, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputFileError(
            document, [f"not a readable .xlsx workbook ({exc}); save it again from Excel"]
        ) from None
    if size > limits.max_bytes:
        raise limits.exceeded(document, "max_bytes", f"the workbook uncompresses to {size:,} bytes")


def _choose(book: Any, document: str, sheet: str | int | None) -> Any:
    titles = list(book.sheetnames)
    if sheet is None:
        return book[titles[0]]
    if isinstance(sheet, str) and sheet in titles:
        return book[sheet]
    if isinstance(sheet, int) and not isinstance(sheet, bool) and 0 <= sheet < len(titles):
        return book[titles[sheet]]
    raise InputFileError(
        document,
        [
            f"no sheet {sheet!r}; the workbook has {', '.join(map(repr, titles))} "
            f"(pass a name or a 0-based position)"
        ],
    )


def _stream(
    book: Any, ws: Any, table: Table, limits: Limits, deadline: Deadline
) -> tuple[list[tuple[int, list[Any]]], list[str]]:
    """Rows that hold a cell, as ``(row number, values)``, and the merged ranges."""
    from openpyxl.worksheet._reader import WorkSheetParser
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    parser = WorkSheetParser(
        None,
        ws._shared_strings,
        data_only=False,
        epoch=book.epoch,
        date_formats=book._date_formats,
        timedelta_formats=book._timedelta_formats,
    )
    grid: list[tuple[int, list[Any]]] = []
    merged: list[str] = []
    parent: Element | None = None
    line: list[Any] = []
    row_element = Element("row")
    cells = rows_seen = 0
    document, title = table.document, ws.title
    with book._archive.open(ws._worksheet_path) as source:
        for event, element in iterparse(source, events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == f"{_NS}sheetData":
                    parent = element
                elif tag == f"{_NS}row":
                    number = element.get("r")
                    parser.row_counter = int(number) if number else parser.row_counter + 1
                    parser.col_counter = 0
                    line = []
                    row_element = element
                continue
            if tag == f"{_NS}c":
                cells += 1
                if cells % 4096 == 0:
                    # Processed cells are dropped from their row at once: a row of
                    # millions of empty cells must not hold them all in memory.
                    del row_element[:]
                    if cells % 65536 == 0:
                        deadline.check(f"reading sheet {title!r}")
                if not len(element):
                    # No <v>, <f> or <is>: an empty (perhaps styled) cell, skipped cheaply.
                    ref = element.get("r")
                    if ref:
                        parser.col_counter = _column(ref)
                    else:
                        parser.col_counter += 1
                    element.clear()
                    continue
                cell = parser.parse_cell(element)
                element.clear()
                value = cell["value"]
                if cell["data_type"] == "f" or isinstance(value, ArrayFormula | DataTableFormula):
                    text = value.text if isinstance(value, ArrayFormula) else value
                    value = Formula(str(text))
                if is_blank(value):
                    continue
                column, row_number = int(cell["column"]), int(cell["row"])
                if column > limits.max_columns:
                    raise limits.exceeded(
                        document,
                        "max_columns",
                        f"sheet {title!r} has a value in cell {letter(column - 1)}{row_number}, "
                        f"column {column:,}",
                        "Delete stray cells far to the right of the data. ",
                    )
                line += [None] * (column - len(line))
                line[column - 1] = value
            elif tag == f"{_NS}row":
                rows_seen += 1
                if rows_seen % 65536 == 0:
                    deadline.check(f"reading sheet {title!r}")
                if line:
                    row_number = parser.row_counter
                    if row_number > limits.max_rows + 1:
                        raise limits.exceeded(
                            document,
                            "max_rows",
                            f"sheet {title!r} has a value in row {row_number:,}",
                            "Delete stray cells far below the data. ",
                        )
                    grid.append((row_number, line))
                    if len(grid) % 1000 == 0:
                        deadline.check(f"reading sheet {title!r}")
                element.clear()
                if parent is not None:
                    parent.clear()
            elif tag == f"{_NS}mergeCell":
                ref = element.get("ref")
                if ref:
                    merged.append(ref)
                element.clear()
    return grid, merged


def _column(ref: str) -> int:
    """The 1-based column of a cell reference such as ``"AB12"``."""
    column = 0
    for ch in ref:
        if ch.isdigit():
            break
        column = column * 26 + (ord(ch.upper()) - 64)
    return column


def _note_merge(table: Table, ref: str) -> None:
    from openpyxl.utils.cell import range_boundaries

    min_col, min_row, max_col, max_row = range_boundaries(ref)
    if min_col is None or min_row is None or max_col is None or max_row is None:
        return
    columns = range(min_col - 1, max_col)
    if min_row == 1:
        table.problems.append(
            f"sheet {table.sheet!r}: header cells {ref} are merged; unmerge them and "
            "give each column its own header"
        )
        table.merged_header.update(columns)
    last = min(max_row, max((n for n, _ in table.rows), default=1), 1_000_000)
    table.merged += [(number, columns, ref) for number in range(max(min_row, 2), last + 1)]
