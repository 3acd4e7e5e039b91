"""``matchmaker import FILE``: import an organisation list, print a summary, write the report.

A thin shell over :func:`matchmaker.read_profiles`: parse the options, call
the library, print. Every error becomes one message on standard error and
exit status 2; nothing is written until every file it would write has been
checked.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from os import PathLike
from pathlib import Path

__all__ = ["add_import_arguments", "import_command", "run"]

#: Report formats, by suffix.
REPORT_SUFFIXES = (".csv", ".xlsx", ".json", ".html")


def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``matchmaker import``."""
    parser.add_argument("file", help="the spreadsheet or data file to import")
    parser.add_argument("--report", help="write the row-by-row report here (.csv, .xlsx, ...)")
    parser.add_argument("--country", help="country for rows that give none: GB (or UK) or CN")
    parser.add_argument("--kind", help="kind for rows that give none, e.g. company")
    parser.add_argument(
        "--sheet", help="XLSX sheet to read: its name or 0-based position (default: the first)"
    )
    parser.add_argument(
        "--encoding",
        help="text encoding of a CSV, JSON or YAML file (default: detected), e.g. gb18030",
    )
    parser.add_argument(
        "--limit",
        action="append",
        metavar="NAME=VALUE",
        help="raise a reader limit, e.g. max_rows=500000 (repeatable; see docs/importing.md)",
    )
    parser.add_argument(
        "--save", metavar="FOLDER", help="write the catalogue with the import merged in here"
    )


def run(args: argparse.Namespace) -> int:
    """Run ``matchmaker import`` from parsed arguments."""
    try:
        limits = _limits(args.limit or [])
    except ValueError as exc:
        print(f"matchmaker import: error: {exc}", file=sys.stderr)
        return 2
    return import_command(
        args.file,
        report_path=args.report,
        country=args.country,
        kind=args.kind,
        catalogue=args.catalogue,
        sheet=_sheet(args.sheet),
        encoding=args.encoding,
        limits=limits,
        save=args.save,
    )


def _sheet(value: str | None) -> str | int | None:
    """A sheet name, or a 0-based position when the value is a whole number."""
    if value is not None and value.strip().isdigit():
        return int(value)
    return value


def _limits(items: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not sep or number != number:
            raise ValueError(f"--limit takes NAME=NUMBER, e.g. max_rows=500000. Got {item!r}.")
        out[name.strip()] = int(number) if number.is_integer() else number
    return out


def _check_outputs(report_path: str | None, save: str | None) -> str | None:
    """Why the report or the saved catalogue cannot be written, or None."""
    if report_path is not None:
        report = Path(report_path)
        if report.is_dir():
            return f"the report {report} is a folder; give a file name such as report.csv"
        if report.suffix.lower() not in REPORT_SUFFIXES:
            return (
                f"the report {report} must end in {', '.join(REPORT_SUFFIXES)} (that says its "
                "format)"
            )
        if not report.parent.is_dir():
            return f"the folder of the report {report} does not exist"
    if save is not None:
        folder = Path(save)
        if folder.exists() and not folder.is_dir():
            return f"--save {folder} is a file; choose a new folder"
        targets = [folder / "catalogue" / "profiles.yaml", folder / "partnerships.yaml"]
        taken = [str(p) for p in targets if p.exists()]
        if (folder / "catalogue").exists():
            taken.append(str(folder / "catalogue"))
        if taken:
            return (
                f"{folder} already holds a catalogue ({', '.join(taken)}); choose a new folder "
                "for --save (nothing is overwritten)"
            )
    return None


def _oserror(exc: OSError) -> str:
    where = f" ({exc.filename})" if exc.filename else ""
    return f"{exc.strerror or exc}{where}"


def import_command(
    path: str | PathLike[str],
    *,
    report_path: str | None = None,
    country: str | None = None,
    kind: str | None = None,
    catalogue: str | PathLike[str] | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    limits: Mapping[str, float] | None = None,
    save: str | None = None,
) -> int:
    """Import ``path`` against a catalogue, print a summary, write the report and catalogue.

    Reads ``path`` against a catalogue (the bundled one by default), prints
    the columns used, the counts per status and the first rows to look at,
    writes the full report, safe against formula injection, when
    ``report_path`` is given (CSV, XLSX, JSON or HTML by its suffix), and
    with ``save`` writes the catalogue with the import merged in, as YAML,
    into a new folder. Errors go to standard error, one message each.

    Returns
    -------
    int
        0, or 2 when nothing could be imported (a file-level error, a
        problem with an output, or every row rejected).

    Examples
    --------
    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "orgs.csv")
    ...     with open(path, "w", encoding="utf-8") as fh:
    ...         _ = fh.write("Company,Capabilities\\nTWI Ltd,Welding\\n")
    ...     import_command(path, country="GB", kind="company")
    Read 1 row from orgs.csv, encoding utf-8.
    Columns: 'Company' -> name, 'Capabilities' -> offers
    Rows: 0 imported, 1 merged, 0 review, 0 rejected
    0
    """
    from ..catalogue._catalogue import load_catalogue
    from ..catalogue._import import read_profiles
    from ..export._write import write
    from ._terminal import wrap

    problem = _check_outputs(report_path, save)
    if problem is not None:
        print(f"Could not import {path}: {problem}.", file=sys.stderr)
        return 2
    try:
        base = load_catalogue(None if catalogue is None else Path(catalogue))
        result = read_profiles(
            path,
            country=country,
            kind=kind,
            catalogue=base,
            sheet=sheet,
            encoding=encoding,
            limits=limits,
        )
    except OSError as exc:
        print(f"Could not import {path}: {_oserror(exc)}", file=sys.stderr)
        return 2
    except (ValueError, TypeError, ImportError) as exc:
        print(f"Could not import {path}:\n{exc}", file=sys.stderr)
        return 2
    counts = result.summary()
    rows = len(result.report)
    where = result.source + (f", sheet {result.sheet!r}" if result.sheet else "")
    enc = f", encoding {result.encoding}" if result.encoding else ""
    print(wrap(f"Read {rows} row{'s' if rows != 1 else ''} from {where}{enc}."))
    print(wrap("Columns: " + ", ".join(f"{c!r} -> {f}" for c, f in result.columns.items())))
    if result.ignored_columns:
        print(wrap("Not imported: " + ", ".join(repr(c) for c in result.ignored_columns)))
    print(wrap("Rows: " + ", ".join(f"{n} {status}" for status, n in counts.items())))
    attention = result.report[result.report["status"].isin(["review", "rejected"])]
    if len(attention):
        print("To look at:")
        for rec in attention.head(20).itertuples(index=False):
            line = f"row {rec.row} {rec.status} {rec.name!r}: {_printable(str(rec.reasons))}"
            print(wrap(line, indent="  "))
        if len(attention) > 20:
            more = "see the report" if report_path else "pass --report REPORT.csv for all"
            print(f"  ... and {len(attention) - 20} more; {more}")
    imported = counts["imported"] + counts["merged"] + counts["review"]
    try:
        if report_path is not None:
            written = write(result, Path(report_path))
            print(wrap(f"Report written to {written}."))
        if save is not None and imported:
            merged = base.merge(result)
            folder = merged.to_yaml(Path(save))
            print(wrap(f"Catalogue of {len(merged)} profiles saved to {folder}; use it with:"))
            print(f"  matchmaker --catalogue {folder} shortlist ...")
    except OSError as exc:
        print(f"Could not write the output of importing {path}: {_oserror(exc)}", file=sys.stderr)
        return 2
    except ImportError as exc:
        print(f"Could not write the report: {exc}", file=sys.stderr)
        return 2
    return 0 if imported else 2


def _printable(text: str) -> str:
    """``text`` with anything that does not print escaped (no terminal codes reach the screen)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text)
