"""Safe exports: CSV, XLSX, JSON and HTML that cannot carry formulas or markup.

Last step of the flow. Spreadsheet programs run a cell that starts with
``=``, ``+``, ``-`` or ``@`` (and, in some, tab, CR or LF) as a formula;
pandas writes such text as it is. Every text cell that starts with one of
those characters is prefixed with an apostrophe. Numbers stay numeric. HTML
escapes all profile text.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["FORMATS", "safe_cell", "safe_frame", "write_frame"]

FORMATS = ("table", "csv", "json", "xlsx", "html")
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: Any) -> Any:
    """Neutralise a text cell that a spreadsheet would run as a formula.

    Examples
    --------
    >>> safe_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> safe_cell("-3"), safe_cell(-3), safe_cell("Acme")
    ("'-3", -3, 'Acme')
    """
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell (and header) made safe.

    Examples
    --------
    >>> df = pd.DataFrame({"name": ["@SUM(A1)", "ok"], "score": [0.5, 1.0]})
    >>> safe_frame(df).to_dict("list")
    {'name': ["'@SUM(A1)", 'ok'], 'score': [0.5, 1.0]}
    """
    out = frame.copy()
    for column in out.columns:
        if not (
            pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_bool_dtype(out[column])
        ):
            out[column] = out[column].map(safe_cell)
    out.columns = [safe_cell(str(c)) for c in out.columns]
    return out


def write_frame(frame: pd.DataFrame, out: str | Path | None, fmt: str | None = None) -> str:
    """Write a table safely as CSV, XLSX, JSON, HTML or a text table.

    Parameters
    ----------
    frame : DataFrame
    out : str or Path, optional
        Where to write; standard output when omitted (not for XLSX).
    fmt : {"table", "csv", "json", "xlsx", "html"}, optional
        Inferred from the file suffix when omitted; ``table`` otherwise.

    Returns
    -------
    str
        The path written, or ``"-"`` for standard output.

    Raises
    ------
    ValueError
        For an unknown format, or XLSX without a file.
    ImportError
        For XLSX without openpyxl, with the line to install it.
    """
    path = Path(out) if out else None
    if fmt is None:
        suffix = path.suffix.lower().lstrip(".") if path else ""
        fmt = suffix if suffix in FORMATS else "table"
    if fmt not in FORMATS:
        raise ValueError(f"The 'format' must be one of {', '.join(FORMATS)}. Got {fmt!r} instead.")
    safe = safe_frame(frame)
    if fmt == "xlsx":
        if path is None:
            raise ValueError("XLSX output needs a file: pass --out FILE.xlsx.")
        try:
            import openpyxl  # noqa: F401
        except ImportError as exc:
            raise ImportError(
                "Writing XLSX needs openpyxl: pip install 'sino-uk-matchmaker[xlsx]'"
            ) from exc
        safe.to_excel(path, index=False, engine="openpyxl")
        return str(path)
    if fmt == "csv":
        text = safe.to_csv(index=False)
    elif fmt == "json":
        # JSON is data, not a spreadsheet: write the values unchanged.
        text = frame.to_json(orient="records", force_ascii=False, indent=2)
    elif fmt == "html":
        text = frame.to_html(index=False, escape=True)
    else:
        with pd.option_context("display.max_colwidth", 80, "display.width", 250):
            text = frame.to_string(index=False)
    if path is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return "-"
    # utf-8-sig lets Excel open Chinese text in a CSV correctly.
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    path.write_text(text, encoding=encoding)
    return str(path)
