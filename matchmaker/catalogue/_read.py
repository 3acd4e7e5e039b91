"""Choosing the reader for a source: a file by its suffix, or a DataFrame."""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Any

from ._read_csv import read_csv
from ._read_structured import read_structured
from ._read_xlsx import read_xlsx
from ._table import Deadline, InputFileError, Limits, Table

__all__ = ["SUFFIXES", "read_table"]

#: File suffixes read, and the format of each.
SUFFIXES = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
}


def read_table(
    source: Any,
    *,
    sheet: str | int | None,
    encoding: str | None,
    limits: Limits,
    deadline: Deadline,
) -> Table:
    """Read ``source`` (a path or a DataFrame) with the reader its format needs."""
    if type(source).__name__ == "DataFrame":
        for name, value, what in (("sheet", sheet, ".xlsx"), ("encoding", encoding, "text")):
            if value is not None:
                raise ValueError(
                    f"The {name!r} parameter of read_profiles applies to {what} files only. "
                    f"Got {name}={value!r} for a DataFrame."
                )
        return _frame_table(source, limits)
    if not isinstance(source, str | PathLike):
        raise TypeError(
            f"The 'source' parameter of read_profiles must be a path (str or Path) or a "
            f"pandas DataFrame. Got {type(source).__name__} instead."
        )
    path = Path(source)
    name = path.name
    if path.is_dir():
        raise InputFileError(name, [f"{path} is a folder; pass the file to import"])
    if not path.is_file():
        raise FileNotFoundError(f"No file at {path}: check the path.")
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        hint = " Save it as .xlsx or CSV." if path.suffix.lower() == ".xls" else ""
        raise InputFileError(
            name,
            [
                f"cannot read {path.suffix or 'files without a suffix'!r} files; use one of "
                f"{', '.join(sorted(SUFFIXES))}.{hint}"
            ],
        )
    if sheet is not None and fmt != "xlsx":
        raise ValueError(
            f"The 'sheet' parameter of read_profiles applies to .xlsx files only. "
            f"Got sheet={sheet!r} for {name}."
        )
    if encoding is not None and fmt == "xlsx":
        raise ValueError(
            f"The 'encoding' parameter of read_profiles applies to text files only (an .xlsx "
            f"workbook says its own). Got encoding={encoding!r} for {name}."
        )
    try:
        if fmt in ("csv", "tsv"):
            delimiter = "\t" if fmt == "tsv" else ","
            return read_csv(
                path, name, delimiter, encoding=encoding, limits=limits, deadline=deadline
            )
        if fmt == "xlsx":
            return read_xlsx(path, name, sheet, limits=limits, deadline=deadline)
        return read_structured(path, name, fmt, encoding=encoding, limits=limits, deadline=deadline)
    except PermissionError:
        raise InputFileError(
            name, [f"permission denied reading {path}; check that you may read it"]
        ) from None
    except MemoryError:
        raise InputFileError(
            name, ["ran out of memory reading the file; split it, or lower the limits"]
        ) from None


def _frame_table(frame: Any, limits: Limits) -> Table:
    rows, columns = frame.shape
    if columns == 0 or rows == 0:
        raise InputFileError(
            "DataFrame", [f"the DataFrame is empty ({rows} rows, {columns} columns)"]
        )
    if rows > limits.max_rows:
        raise limits.exceeded("DataFrame", "max_rows", f"the DataFrame has {rows:,} rows")
    if columns > limits.max_columns:
        raise limits.exceeded("DataFrame", "max_columns", f"the DataFrame has {columns:,} columns")
    table = Table("DataFrame", list(frame.columns), [], lettered=False)
    for number, values in enumerate(frame.itertuples(index=False, name=None), start=1):
        table.rows.append((number, list(values)))
    return table
