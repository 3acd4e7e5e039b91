"""The one entry point for writing results to files: :func:`write`.

Picks the format from the file suffix (or ``format=``), builds the report
(:mod:`._report`) and hands it to the writer of that format. Every file is
written to a temporary file beside the target and renamed into place, so an
error never leaves a partial file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ._report import Report, build_report

if TYPE_CHECKING:
    from ..catalogue._catalogue import Catalogue
    from ..planning._schedule import Schedule

__all__ = ["FORMATS", "check_format", "render", "write"]

#: File formats :func:`write` supports, by suffix.
FORMATS: tuple[str, ...] = ("csv", "json", "xlsx", "html")
_ALIASES = {"htm": "html"}
_REFUSED = {
    "pdf": "PDF is not written directly: write .html and print it to PDF from a browser "
    "(the page has a print layout).",
    "xls": "the old .xls format is not written: use .xlsx.",
}


def check_format(path: str | Path | None, format: str | None = None) -> str:
    """The format for ``path`` (its suffix) or ``format``; refuses unknown ones.

    Examples
    --------
    >>> check_format("plan.XLSX"), check_format("out", "csv")
    ('xlsx', 'csv')
    >>> check_format("brief.pdf")
    Traceback (most recent call last):
    ...
    ValueError: Cannot write 'brief.pdf': PDF is not written directly: ... Supported: .csv, .json, .xlsx, .html.
    """
    supported = "Supported: " + ", ".join(f".{f}" for f in FORMATS) + "."
    if format is not None:
        if path is not None and Path(path).is_dir():
            check_format(path)
        name = str(format).lower().lstrip(".")
        name = _ALIASES.get(name, name)
        if name not in FORMATS:
            why = _REFUSED.get(name, "unknown format.")
            raise ValueError(
                f"The 'format' parameter of write must be one of {', '.join(FORMATS)}. "
                f"Got {format!r} instead: {why}"
            )
        return name
    if path is None:
        raise ValueError(f"Give a file name or a format. {supported}")
    if Path(path).is_dir():
        raise IsADirectoryError(
            f"Cannot write {str(path)!r}: it is a folder. Give a file name inside it, "
            f"e.g. {str(Path(path) / 'shortlist.html')!r}."
        )
    suffix = Path(path).suffix.lower().lstrip(".")
    suffix = _ALIASES.get(suffix, suffix)
    if suffix in FORMATS:
        return suffix
    why = _REFUSED.get(suffix, f"unknown suffix {'.' + suffix if suffix else '(none)'!r}.")
    raise ValueError(f"Cannot write {str(path)!r}: {why} {supported}")


def _bytes_writer(fmt: str) -> Callable[[Report], bytes]:
    from ._html import to_html
    from ._tables import to_csv, to_json

    return {"csv": to_csv, "json": to_json, "html": to_html}[fmt]


def render(
    result: object,
    format: str,
    *,
    catalogue: Catalogue | None = None,
    schedule: Schedule | None = None,
) -> bytes:
    """The bytes :func:`write` would write, for a text format (csv, json, html).

    For standard output (the command line uses it); XLSX needs a file.
    """
    fmt = check_format(None, format)
    if fmt == "xlsx":
        raise ValueError("XLSX output needs a file: give a path such as shortlist.xlsx.")
    report = build_report(result, catalogue=catalogue, schedule=schedule)
    return _bytes_writer(fmt)(report)


def _atomic(path: Path, write: Callable[[Path], object]) -> None:
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(
            f"Cannot write {str(path)!r}: the folder {str(folder)!r} does not exist. Create it first."
        )
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    os.close(handle)
    temp = Path(name)
    try:
        write(temp)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


def write(
    result: object,
    path: str | Path,
    *,
    format: str | None = None,
    catalogue: Catalogue | None = None,
    schedule: Schedule | None = None,
) -> Path:
    """Write a result to a file that carries its context: CSV, JSON, XLSX or an HTML briefing.

    Parameters
    ----------
    result : Shortlist, MissionPlan, Schedule, Consortia, ImportResult, Catalogue or DataFrame
        What to write.
    path : str or Path
        The file. Its suffix picks the format unless ``format`` is given.
    format : {"csv", "json", "xlsx", "html"}, optional
        ``csv``: the main table (a shortlist; a plan's pairs with a row for
        each demand left with nobody), text cells safe against formulas.
        ``json``: the same columns under ``rows``, plus ``context`` (query,
        how it was read, warning, caveats, date, catalogue, weights or plan
        settings) and the other tables. ``xlsx``: an "About this list" sheet,
        then one sheet per table. ``html``: a standalone, printable,
        bilingual briefing page.
    catalogue : Catalogue, optional
        For plans and schedules: where to find Chinese names and the names
        behind schedule ids.
    schedule : Schedule, optional
        With a MissionPlan: add the timetable and every organisation's agenda.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ValueError
        For an unknown or unsupported suffix or format (``.pdf`` is refused),
        naming the supported ones.
    TypeError
        For a result of another type.
    OSError
        When the file cannot be written; nothing partial is left behind.

    Examples
    --------
    >>> import tempfile, pathlib, matchmaker
    >>> top = matchmaker.Matchmaker().shortlist("laser cladding repair", k=2, country="GB")
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> matchmaker.write(top, folder / "brief.html").name
    'brief.html'
    >>> import json
    >>> data = json.loads(matchmaker.write(top, folder / "top.json").read_text(encoding="utf-8"))
    >>> data["context"]["read as"], data["columns"][:3]
    ('laser cladding, component repair', ['rank', 'name', 'name_zh'])
    """
    target = Path(path)
    fmt = check_format(target, format)
    report = build_report(result, catalogue=catalogue, schedule=schedule)
    if fmt == "xlsx":
        from ._xlsx import write_xlsx

        _atomic(target, lambda temp: write_xlsx(report, temp))
    else:
        data = _bytes_writer(fmt)(report)
        _atomic(target, lambda temp: temp.write_bytes(data))
    return target
