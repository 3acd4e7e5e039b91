"""Reading CSV and TSV files into a :class:`Table`, within :class:`Limits`."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from ._encoding import decode
from ._table import Deadline, InputFileError, Limits, Table, drop_trailing_blank, is_blank

__all__ = ["read_csv", "read_text"]


def read_text(path: Path, document: str, encoding: str | None, limits: Limits) -> tuple[str, str]:
    """The decoded text of a file no larger than ``limits.max_bytes``."""
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise limits.exceeded(document, "max_bytes", f"the file holds {size:,} bytes")
    return decode(path.read_bytes(), document, encoding)


def read_csv(
    path: Path,
    document: str,
    delimiter: str,
    *,
    encoding: str | None,
    limits: Limits,
    deadline: Deadline,
) -> Table:
    """A CSV (or, with ``delimiter="\\t"``, TSV) file as a table; row numbers as Excel shows them."""
    text, used = read_text(path, document, encoding, limits)
    if not text.strip():
        raise InputFileError(
            document, ["the file is empty; export it again with a header row and data rows"]
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    # A cell as long as the whole file is allowed here: an oversized cell
    # rejects its row later, it does not refuse the file.
    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(old_limit, len(text) + 1))
    try:
        for cells in reader:
            records.append(cells)
            if len(records) > limits.max_rows + 1:
                raise limits.exceeded(document, "max_rows", "the file has more rows")
            if len(records) % 5000 == 0:
                deadline.check("reading the file")
    except csv.Error as exc:
        raise InputFileError(
            document,
            [
                f"broken CSV at line {reader.line_num}: {exc}; check the quotes on that line "
                "(a quote inside a value must be doubled)"
            ],
        ) from None
    finally:
        csv.field_size_limit(old_limit)
    header, *body = records
    if len(header) > limits.max_columns:
        raise limits.exceeded(document, "max_columns", f"the header has {len(header):,} columns")
    table = Table(document, list(header), [], encoding=used)
    rows = []
    for number, cells in enumerate(body, start=2):
        values: list[Any] = list(cells)
        extra = values[len(header) :]
        if any(not is_blank(v) for v in extra):
            shown = ", ".join(repr(v[:40]) for v in extra[:5] if not is_blank(v))
            table.row_problems.setdefault(number, []).append(
                f"the row has {len(values)} values but the header has {len(header)} columns; "
                f"the extra values ({shown}) have no column: is a comma missing its quotes?"
            )
        rows.append((number, values[: len(header)]))
    table.rows = drop_trailing_blank(rows)
    return table
