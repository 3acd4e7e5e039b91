"""Safe cells: text that no spreadsheet runs as a formula and no XML rejects.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or
``@`` (and, in some, tab, CR or LF) as a formula. The check is made after
NFKC normalisation, so the full-width ``＝ ＋ － ＠`` that some programs
fold to ASCII are caught too. CSV has no way to mark a cell as text, so such
a cell gets a leading apostrophe there; XLSX stores every string as text
instead (see :mod:`matchmaker.export._xlsx`), with no apostrophe.

XML (and so XLSX and HTML) cannot hold most C0 control characters, lone
surrogates or U+FFFE/U+FFFF; :func:`clean_text` replaces each with U+FFFD so
the file is written and the reader sees that something was there.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pandas as pd

__all__ = ["clean_text", "is_formula", "safe_cell", "safe_frame"]

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n")
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def is_formula(text: str) -> bool:
    """True if a spreadsheet could read ``text`` as a formula.

    Examples
    --------
    >>> is_formula("=1+1"), is_formula("＝1+1"), is_formula("﹢44 20"), is_formula("Acme")
    (True, True, True, False)
    """
    return unicodedata.normalize("NFKC", text[:8]).startswith(_DANGEROUS)


def clean_text(text: str) -> str:
    """Replace characters XML cannot hold with U+FFFD (nothing else changes).

    Examples
    --------
    >>> clean_text("bell\\x07 and nul\\x00, tab\\t kept")
    'bell\\ufffd and nul\\ufffd, tab\\t kept'
    """
    return _ILLEGAL_XML.sub("\ufffd", text)


def safe_cell(value: Any) -> Any:
    """Neutralise a text cell that a spreadsheet would run as a formula (for CSV).

    Examples
    --------
    >>> safe_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> safe_cell("-3"), safe_cell(-3), safe_cell("Acme"), safe_cell("＠SUM(A1)")
    ("'-3", -3, 'Acme', "'＠SUM(A1)")
    """
    if isinstance(value, str) and is_formula(value):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell (and header) made safe for CSV.

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
