"""Exports cannot carry formulas; numbers stay numeric; HTML is escaped."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from matchmaker.export._write import safe_cell, safe_frame, write_frame

DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n")


@given(st.text())
def test_no_text_cell_starts_with_a_formula_character(text: str) -> None:
    out = safe_cell(text)
    assert not out.startswith(DANGEROUS)
    # Nothing is lost: the original is the cell minus at most one apostrophe.
    assert out in (text, "'" + text)


@given(st.one_of(st.integers(), st.floats(allow_nan=False)))
def test_numbers_are_untouched(number: float) -> None:
    assert safe_cell(number) == number


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["=1+1", "+cmd|' /C calc'!A0", "-2", "@SUM(A1)", "\tx", "Acme <b>"],
            "score": [0.5, 0.25, -1.0, 1.0, 0.0, 0.75],
            "rank": [1, 2, 3, 4, 5, 6],
        }
    )


def test_csv_cells_are_safe_and_numbers_numeric(tmp_path: Path) -> None:
    path = Path(write_frame(_frame(), tmp_path / "out.csv"))
    back = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False)
    assert all(not v.startswith(DANGEROUS) for v in back.name)
    assert back.score.tolist() == [0.5, 0.25, -1.0, 1.0, 0.0, 0.75]
    assert back["rank"].dtype.kind == "i"


def test_xlsx_cells_are_safe_and_numbers_numeric(tmp_path: Path) -> None:
    import openpyxl

    path = write_frame(_frame(), tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(path).active
    for row in sheet.iter_rows(min_row=2):
        name, score, rank = (cell for cell in row)
        assert name.data_type == "s"
        assert not str(name.value).startswith(DANGEROUS)
        assert score.data_type == "n"
        assert rank.data_type == "n"


def test_html_escapes_text(tmp_path: Path) -> None:
    path = write_frame(_frame(), tmp_path / "out.html")
    html = Path(path).read_text(encoding="utf-8")
    assert "Acme &lt;b&gt;" in html
    assert "<b>" not in html


def test_headers_are_safe_too() -> None:
    frame = pd.DataFrame({"=bad": ["x"]})
    assert list(safe_frame(frame).columns) == ["'=bad"]


def test_unknown_format_and_xlsx_without_file() -> None:
    with pytest.raises(ValueError, match="'format' must be one of"):
        write_frame(_frame(), None, "pdf")
    with pytest.raises(ValueError, match="XLSX output needs a file"):
        write_frame(_frame(), None, "xlsx")
