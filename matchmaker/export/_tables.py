"""CSV and JSON: the report's main table, and for JSON its context too.

CSV holds one table, so it carries the main table's columns only (safe
against formulas, UTF-8 with a BOM so that Excel shows Chinese text). JSON
carries the same columns under ``rows``, the context fields under
``context`` and the report's other tables under ``tables``; JSON is data,
not a spreadsheet, so its values are written unchanged.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from ._cells import safe_frame
from ._report import Report

__all__ = ["to_csv", "to_json"]


def to_csv(report: Report) -> bytes:
    """The main table as CSV bytes (UTF-8 with BOM), every text cell made safe."""
    return safe_frame(report.main).to_csv(index=False).encode("utf-8-sig")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(
        frame.to_json(orient="records", force_ascii=False, date_format="iso")
    )
    return records


def to_json(report: Report) -> bytes:
    """Title, context, main-table rows and the other tables as UTF-8 JSON."""
    names = list(report.tables)
    data = {
        "kind": report.kind,
        "title": report.title,
        "context": report.context,
        "columns": [str(c) for c in report.main.columns],
        "rows": _records(report.main),
        "tables": {name: _records(report.tables[name]) for name in names[1:]},
    }
    return (json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n").encode("utf-8")
