"""Importing an organisation list: the row loop, :func:`read_profiles`, :class:`ImportResult`.

Before the flow ``profiles -> vectors -> ...`` can start, officers bring
event registrations, CRM extracts and partner lists (English and Chinese,
the same firm spelt three ways) into the catalogue. :func:`read_profiles`
reads such a list with the reader its format needs (:mod:`._read`), maps its
columns to profile fields (:mod:`._columns`), checks and cleans every cell
(:mod:`._cells`), de-duplicates against the catalogue and earlier rows
(:mod:`._dedupe`), merges duplicates (:mod:`._merge`), and accounts for every
input row in a report: ``imported``, ``merged``, ``review`` or
``rejected``, with reasons.

Problems with the file as a whole raise :class:`InputFileError` listing all
of them; problems with a row reject that row with every reason; a cell that
cannot be used is dropped with a note. Nothing is dropped silently, nothing
falls back silently.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from os import PathLike
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
from pydantic import ValidationError

from .._normalise import has_cjk, normalise_name
from .._progress import progress
from ._catalogue import Catalogue, check_countries, check_kinds, load_catalogue
from ._cells import Row, convert_row
from ._columns import FIELDS, Columns, map_columns
from ._dedupe import DuplicateFinder, Match, Record, Thresholds
from ._merge import fold, merge_profile
from ._read import read_table
from ._read_xlsx import XLSX_INSTALL
from ._schema import Profile, Source
from ._table import Deadline, InputFileError, Limits, Table

__all__ = [
    "FIELDS",
    "MAX_FIELD_CHARS",
    "REASON_SEP",
    "REPORT_COLUMNS",
    "STATUSES",
    "XLSX_INSTALL",
    "ImportReport",
    "ImportResult",
    "InputFileError",
    "Limits",
    "merge_into",
    "read_profiles",
    "save_catalogue",
]

#: What can become of an input row.
STATUSES: tuple[str, ...] = ("imported", "merged", "review", "rejected")

#: Columns of the import report, in order.
REPORT_COLUMNS: list[str] = [
    "row",
    "name",
    "status",
    "id",
    "duplicate_of",
    "matched",
    "similarity",
    "keys",
    "reasons",
]

#: Joins the reasons of one row in the report (reasons may hold semicolons).
REASON_SEP = " | "

#: Longest text accepted in one cell by default (``Limits.max_cell_chars``);
#: a longer cell rejects its row, it is never cut.
MAX_FIELD_CHARS = Limits.max_cell_chars

#: The report: a DataFrame with :data:`REPORT_COLUMNS`, one row per input row.
ImportReport: TypeAlias = pd.DataFrame

_TEXT_COLUMNS = ("name", "status", "id", "duplicate_of", "matched", "keys", "reasons")


@dataclass(repr=False)
class ImportResult:
    """What an import produced, and what became of every input row.

    Attributes
    ----------
    profiles : list of Profile
        New profiles (rows with status ``imported`` or ``review``), with
        later duplicate rows already merged into them.
    report : ImportReport
        One row per input row: ``row`` (as the user sees it), ``name``,
        ``status`` (``imported``, ``merged``, ``review``, ``rejected``),
        ``id`` (the profile it became or merged into), ``duplicate_of``
        (a catalogue id or ``row N``), ``matched`` (the name it matched),
        ``similarity`` (0-100), ``keys`` (which keys agreed, ``"; "``-joined)
        and ``reasons`` (every reason and note, joined with ``" | "``).
    encoding : str or None
        The text encoding the file was read with (``utf-8``, ``utf-8-sig``,
        ``utf-16``, ``utf-16-le``, ``utf-16-be``, ``gb18030``, ``big5``,
        ``windows-1252``, or the ``encoding=`` given); None for XLSX and
        DataFrames.
    updates : dict of str to Profile
        Catalogue profiles that rows were merged into, after the merge.
    source : str
        The file name, or ``"DataFrame"``.
    sheet : str or None
        The XLSX sheet read.
    columns : dict of str to str
        Which input column became which profile field.
    ignored_columns : list of str
        Input columns that were not imported.
    originals : dict of str to Profile
        The catalogue profiles in ``updates`` as they were before the
        merge; :meth:`Catalogue.merge` checks them against its catalogue.

    See Also
    --------
    Catalogue.merge : Add the result to a catalogue.

    Examples
    --------
    >>> import pandas as pd
    >>> from matchmaker import read_profiles
    >>> rows = pd.DataFrame({"Company Name": ["TWI Ltd", "Acme Widgets"],
    ...                      "Offers": ["welding", "precision machining"]})
    >>> result = read_profiles(rows, country="GB", kind="company")
    >>> result.report[["row", "name", "status", "duplicate_of"]]
       row          name    status duplicate_of
    0    1       TWI Ltd    merged          twi
    1    2  Acme Widgets  imported          NaN
    >>> result
    <ImportResult of 'DataFrame': 2 rows (imported 1, merged 1, review 0, rejected 0)>
    """

    profiles: list[Profile]
    report: ImportReport
    encoding: str | None = None
    updates: dict[str, Profile] = field(default_factory=dict)
    source: str = ""
    sheet: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    originals: dict[str, Profile] = field(default_factory=dict)

    def summary(self) -> dict[str, int]:
        """Number of input rows per status, every status included.

        Examples
        --------
        >>> frame = pd.DataFrame({"Company": ["TWI Ltd", ""], "Capabilities": ["Welding", ""]})
        >>> read_profiles(frame, country="GB", kind="company").summary()
        {'imported': 0, 'merged': 1, 'review': 0, 'rejected': 1}
        """
        counts = self.report["status"].value_counts()
        return {status: int(counts.get(status, 0)) for status in STATUSES}

    def _where(self) -> str:
        return f"{self.source!r}" + (f" sheet {self.sheet!r}" if self.sheet else "")

    def __repr__(self) -> str:
        counts = ", ".join(f"{k} {v}" for k, v in self.summary().items())
        enc = f", encoding {self.encoding}" if self.encoding else ""
        return f"<ImportResult of {self._where()}: {len(self.report)} rows ({counts}){enc}>"

    def _repr_html_(self) -> str:
        """Notebook display: the counts per status (integers) and the rows to look at.

        Examples
        --------
        >>> frame = pd.DataFrame({"Company": ["TWI Ltd", "<b>x</b>"], "Offers": ["Welding", ""]})
        >>> page = read_profiles(frame, country="GB", kind="company")._repr_html_()
        >>> "<td>1</td>" in page, "&lt;b&gt;" in page, "<b>x" in page
        (True, True, False)
        """
        esc = html.escape
        counts = "".join(
            f"<tr><th>{esc(status)}</th><td>{n}</td></tr>" for status, n in self.summary().items()
        )
        enc = f", encoding {esc(self.encoding)}" if self.encoding else ""
        parts = [
            f"<p><b>ImportResult</b> of {esc(self._where())}: {len(self.report)} rows{enc}</p>",
            f"<table><tbody>{counts}</tbody></table>",
        ]
        attention = self.report[self.report["status"].isin(["review", "rejected"])]
        if len(attention):
            cells = "".join(
                f"<tr><td>{r.row}</td><td>{esc(str(r.status))}</td>"
                f"<td>{esc(str(r.name))}</td><td>{esc(str(r.reasons))}</td></tr>"
                for r in attention.head(20).itertuples(index=False)
            )
            more = f"<p>... and {len(attention) - 20} more</p>" if len(attention) > 20 else ""
            parts.append(
                "<p>To look at:</p><table><thead><tr><th>row</th><th>status</th><th>name</th>"
                f"<th>reasons</th></tr></thead><tbody>{cells}</tbody></table>{more}"
            )
        return "\n".join(parts)


def _report_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """The report with the same dtypes under every supported pandas: int, object text, float."""
    data: dict[str, Any] = {
        "row": np.array([r["row"] for r in records], dtype=np.int64),
        "similarity": np.array([r["similarity"] for r in records], dtype=np.float64),
    }
    for column in _TEXT_COLUMNS:
        values = [np.nan if r[column] is None else str(r[column]) for r in records]
        data[column] = pd.Series(values, dtype=object)
    return pd.DataFrame(data, columns=REPORT_COLUMNS)


# -- ids ------------------------------------------------------------------------------


def _slug(name: str) -> str:
    """A stable id for a name: an ASCII slug, or ``org-<hash>`` for a Chinese name.

    Examples
    --------
    >>> _slug("Autocraft Solutions Group Ltd"), _slug("Grainger & Worrall")
    ('autocraft-solutions', 'grainger-and-worrall')
    >>> _slug("蘇州綠源再製造有限公司") == _slug("苏州绿源再制造有限公司")
    True
    """
    key = normalise_name(name) or fold(name)
    ascii_text = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > 60:
        slug = slug[:60].rsplit("-", 1)[0] if "-" in slug[:60] else slug[:60]
    if not slug or (has_cjk(key) and len(slug) < 2):
        slug = "org-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]
    return slug


def _unique_id(base: str, taken: set[str]) -> str:
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _validation_reasons(
    exc: ValidationError, fields: Mapping[str, list[int]], table: Table
) -> list[str]:
    out = []
    for err in exc.errors():
        loc = err.get("loc", ())
        fld = str(loc[0]) if loc else ""
        message = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        where = table.label(fields[fld][0]) if fields.get(fld) else (fld or "row")
        value = err.get("input")
        shown = f" value {str(value)[:80]!r}" if isinstance(value, str | int | float) else ""
        out.append(f"{where}{shown}: {message}")
    return out


class _Importer:
    """Runs one import: validation, de-duplication and merging, row by row."""

    def __init__(
        self,
        table: Table,
        columns: Columns,
        catalogue: Catalogue,
        thresholds: Thresholds,
        country: str | None,
        kind: str | None,
        limits: Limits,
        deadline: Deadline,
    ) -> None:
        self.limits = limits
        self.deadline = deadline
        self.table = table
        self.columns = columns
        self.catalogue = catalogue
        self.thresholds = thresholds
        self.country = country
        self.kind = kind

    def run(self) -> ImportResult:
        table, catalogue = self.table, self.catalogue
        rows = []
        for i, (number, cells) in enumerate(progress(table.rows, desc="Checking rows", unit="row")):
            rows.append(convert_row(table, number, cells, self.columns, self.limits.max_cell_chars))
            if i % 1000 == 999:
                self.deadline.check("checking the rows")
        if not rows:
            raise InputFileError(table.document, ["there are no data rows under the header"])
        n_cat = len(catalogue)
        records = [Record(p.names, p.website, p.postcode) for p in catalogue]
        for row in rows:
            if row.reasons or row.blank:
                records.append(Record(()))
            else:
                d = row.data
                names = (
                    d["name"],
                    *([d["name_zh"]] if d.get("name_zh") else []),
                    *d.get("aliases", []),
                )
                records.append(Record(tuple(names), d.get("website"), d.get("postcode")))
        finder = DuplicateFinder(records, self.thresholds)
        self.active = np.zeros(len(records), dtype=bool)
        self.active[:n_cat] = True
        # Record index -> id of the profile it is (catalogue) or became / merged into (row).
        self.owner: list[str | None] = [p.id for p in catalogue] + [None] * len(rows)
        self.label = {p.id: p.id for p in catalogue}  # profile id -> catalogue id or "row N"
        self.home: dict[str, int] = {p.id: i for i, p in enumerate(catalogue)}
        self.taken = set(catalogue.ids) | {
            str(r.data["id"]) for r in rows if isinstance(r.data.get("id"), str)
        }
        self.new: dict[str, Profile] = {}
        self.updates: dict[str, Profile] = {}
        self.originals: dict[str, Profile] = {}
        report = []
        for i, row in enumerate(progress(rows, desc="De-duplicating", unit="row")):
            out = self._one(row, n_cat + i, finder)
            if row.notes:
                out["reasons"] = REASON_SEP.join([r for r in [out["reasons"]] if r] + row.notes)
            report.append(out)
            if i % 500 == 499:
                self.deadline.check("de-duplicating the rows")
        frame = _report_frame(report)
        return ImportResult(
            profiles=list(self.new.values()),
            report=frame,
            encoding=table.encoding,
            updates=dict(self.updates),
            source=table.document,
            sheet=table.sheet,
            columns=dict(self.columns.used),
            ignored_columns=list(self.columns.ignored),
            originals=dict(self.originals),
        )

    # -- one row -------------------------------------------------------------
    def _one(self, row: Row, q: int, finder: DuplicateFinder) -> dict[str, Any]:
        out: dict[str, Any] = {
            "row": row.number,
            "name": row.shown,
            "status": "rejected",
            "id": None,
            "duplicate_of": None,
            "matched": None,
            "similarity": float("nan"),
            "keys": "",
            "reasons": "",
        }
        if row.blank:
            out["reasons"] = "blank row: nothing to import"
            return out
        if row.reasons:
            out["reasons"] = REASON_SEP.join(row.reasons)
            return out
        source = Source(document=self.table.document, section=f"row {row.number}")
        profile, missing, errors = self._candidate(row, source)
        if errors or profile is None:
            out["reasons"] = REASON_SEP.join(errors)
            return out
        explicit = row.data.get("id")
        match, forced_reason = self._forced(explicit, q, finder)
        if forced_reason:
            out["reasons"] = forced_reason
            return out
        forced = match is not None
        if match is None:
            match = finder.best(q, self.active)
        target = self.owner[match.target] if match is not None else None
        if match is not None and target is not None:
            out.update(
                duplicate_of=self.label[target],
                matched=match.matched,
                similarity=round(match.score, 1),
                keys="; ".join((("id",) if forced else ()) + match.keys),
            )
        if (
            match is not None
            and match.merge
            and not forced
            and isinstance(explicit, str)
            and explicit != target
        ):
            # The row names its own id: a different profile unless a person says so.
            match = replace(
                match, merge=False, conflict=(f"the row's id {explicit!r} differs from {target!r}")
            )
        if match is not None and target is not None and (match.merge or forced):
            return self._merged(row, q, out, profile, target, explicit, source)
        if missing:
            reasons = list(missing)
            if match is not None:
                reasons.append(f"possible duplicate of {out['duplicate_of']} ({match.matched})")
            out.update(duplicate_of=None, matched=None, similarity=float("nan"), keys="")
            out["reasons"] = REASON_SEP.join(reasons)
            return out
        pid = (
            explicit
            if isinstance(explicit, str)
            else _unique_id(_slug(row.data["name"]), self.taken)
        )
        self.taken.add(pid)
        profile = Profile.model_validate({**profile.model_dump(), "id": pid})
        self.new[pid] = profile
        self.label[pid] = f"row {row.number}"
        self.home[pid] = q
        self.owner[q] = pid
        self.active[q] = True
        out["id"] = pid
        china = self._china_hint(row)
        if match is None:
            out["status"] = "review" if china else "imported"
            out["reasons"] = china
            return out
        out["status"] = "review"
        reasons = [
            f"possible duplicate of {out['duplicate_of']} ({match.matched}), similarity "
            f"{match.score:.0f}: kept as a new profile; merge by hand if they are the same"
        ]
        if match.conflict:
            reasons.append(match.conflict)
        if china:
            reasons.append(china)
        out["reasons"] = REASON_SEP.join(reasons)
        return out

    def _china_hint(self, row: Row) -> str:
        """Why a row given the default country GB looks Chinese, or ""."""
        if self.country != "GB" or "country" in row.data:
            return ""
        name, city = str(row.data.get("name", "")), str(row.data.get("city") or "")
        chinese = [
            what
            for what, text in (("name", name), ("city", city))
            if has_cjk(text) and not re.search(r"[A-Za-z]", text)
        ]
        if not chinese:
            return ""
        return (
            f"the {' and '.join(chinese)} {'are' if len(chinese) > 1 else 'is'} Chinese but the "
            "country came from the default GB: check the country (add a country column, or "
            "import Chinese organisations with country='CN')"
        )

    def _candidate(self, row: Row, source: Source) -> tuple[Profile | None, list[str], list[str]]:
        """The row as a profile, with what is missing and what is invalid."""
        data = {k: v for k, v in row.data.items() if k != "sources"}
        missing: list[str] = []
        data.setdefault("id", "row-placeholder")
        if "country" not in data:
            if self.country is None:
                missing.append("no country: add a country column (GB or CN) or pass country='GB'")
            data["country"] = self.country or "GB"
        if "kind" not in data:
            if self.kind is None:
                missing.append("no kind: add a type column (e.g. company) or pass kind='company'")
            data["kind"] = self.kind or "company"
        if not (data.get("offers") or data.get("needs") or data.get("summary")):
            missing.append(
                "no offers, needs or summary: a profile needs at least one; add a "
                "capabilities (能力), needs (需求) or description (简介) column"
            )
            data["summary"] = "placeholder"
        data["sources"] = [*row.data.get("sources", []), source.model_dump()]
        try:
            return Profile.model_validate(data), missing, []
        except ValidationError as exc:
            return None, missing, _validation_reasons(exc, self.columns.fields, self.table)

    def _forced(self, explicit: Any, q: int, finder: DuplicateFinder) -> tuple[Match | None, str]:
        """A row whose id is already taken: the same organisation, or an error."""
        if not isinstance(explicit, str) or explicit not in self.home:
            return None, ""
        target = self.home[explicit]
        if not self.active[target]:
            return None, ""
        match = finder.compare(q, target)
        if match.score >= self.thresholds.review or "website" in match.keys:
            return match, ""
        owner = self.label[explicit]
        where = f"catalogue profile {explicit!r}" if owner == explicit else f"{owner}"
        return None, (
            f"id {explicit!r} already belongs to {where} ({match.matched or explicit}) and the "
            f"names differ (similarity {match.score:.0f}); remove the id to import this row as "
            "a new profile, or correct it"
        )

    def _merged(
        self,
        row: Row,
        q: int,
        out: dict[str, Any],
        profile: Profile,
        target: str,
        explicit: Any,
        source: Source,
    ) -> dict[str, Any]:
        base = self.new.get(target) or self.updates.get(target) or self.catalogue[target]
        provided = set(row.data)
        into = str(self.label[target])
        try:
            merged, notes = merge_profile(base, profile, provided, profile.sources, into)
        except ValidationError as exc:
            out.update(duplicate_of=None, matched=None, similarity=float("nan"), keys="")
            out["reasons"] = REASON_SEP.join(
                [
                    f"merging into {into} failed",
                    *_validation_reasons(exc, self.columns.fields, self.table),
                ]
            )
            return out
        if target in self.new:
            self.new[target] = merged
        else:
            self.originals.setdefault(target, self.catalogue[target])
            self.updates[target] = merged
        if isinstance(explicit, str) and explicit != target:
            notes.append(f"id {explicit!r} not used: the row was merged into {target!r}")
        self.owner[q] = target
        self.active[q] = True
        out.update(status="merged", id=target, reasons=REASON_SEP.join(notes))
        return out


# -- public functions ---------------------------------------------------------------


def read_profiles(
    source: str | PathLike[str] | pd.DataFrame,
    *,
    mapping: Mapping[str, str | None] | None = None,
    country: str | None = None,
    kind: str | None = None,
    catalogue: Catalogue | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    limits: Limits | Mapping[str, Any] | None = None,
    merge_threshold: float = 95.0,
    corroborated_threshold: float = 85.0,
    review_threshold: float = 80.0,
) -> ImportResult:
    """Read an organisation list, validate it and de-duplicate it against the catalogue.

    Parameters
    ----------
    source : str, Path or DataFrame
        A ``.csv`` (``.tsv``, ``.txt``), ``.xlsx``, ``.json`` or ``.yaml``
        file, or a DataFrame. The encoding of a text file is detected among
        UTF-8 (with or without BOM), UTF-16, GB18030/GBK, Big5 and
        Windows-1252 (see ``docs/importing.md``); Big5 text is converted to
        Simplified Chinese.
    mapping : dict, optional
        ``{input column: profile field}``, overriding the built-in header
        synonyms (English and Chinese: "Company Name", "公司名称",
        "Website", "网址" ...). Map a column to None to skip it.
    country, kind : str, optional
        Defaults for rows that have no country or kind, e.g. ``"GB"`` and
        ``"company"``. A row with a Chinese name or city that gets the
        default GB is flagged for review.
    catalogue : Catalogue, optional
        Profiles to de-duplicate against; the bundled catalogue by default.
        Pass ``Catalogue([])`` to de-duplicate within the file only.
    sheet : str or int, optional
        XLSX sheet name or 0-based position; the first sheet by default
        (the sheet read is recorded in the result).
    encoding : str, optional
        The text encoding of a CSV, JSON or YAML file, instead of detecting
        it (e.g. ``"gb18030"``, ``"big5"``, ``"windows-1252"``).
    limits : dict or Limits, optional
        Raise the limits a reader enforces (:class:`Limits`: ``max_rows``,
        ``max_columns``, ``max_cell_chars``, ``max_depth``, ``max_bytes``,
        ``max_seconds``), e.g. ``limits={"max_rows": 500_000}``.
    merge_threshold : float, default 95
        Name similarity (0-100) at which a row is merged on its own.
    corroborated_threshold : float, default 85
        Name similarity at which a row is merged if its website or postcode
        agrees.
    review_threshold : float, default 80
        Name similarity at which a row is flagged as a possible duplicate
        (status ``review``, kept as its own profile).

    Returns
    -------
    ImportResult
        ``.profiles`` (new profiles), ``.updates`` (merged catalogue
        profiles), ``.report`` (one row per input row) and ``.encoding``.

    Raises
    ------
    InputFileError
        Listing every file-level problem: undecodable, ambiguous or empty
        file, no name column (with the columns found and the names
        accepted), blank, merged or duplicate headers, a bad ``mapping``, a
        limit exceeded (with how to raise it).
    ImportError
        For an ``.xlsx`` file without openpyxl, with the line to install it.
    ValueError
        For invalid thresholds, ``country``, ``kind``, ``encoding`` or ``limits``.

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "Company Name": ["TWI Ltd", "Brightwell Coatings Ltd", "=HYPERLINK(1)"],
    ...     "Capabilities": ["Welding research", "Thermal spray coatings", "x"],
    ... })
    >>> result = read_profiles(frame, country="GB", kind="company")
    >>> result.report[["row", "status", "id", "duplicate_of"]].values.tolist()
    [[1, 'merged', 'twi', 'twi'], [2, 'imported', 'brightwell-coatings', nan], [3, 'rejected', nan, nan]]
    >>> [p.id for p in result.profiles], list(result.updates)
    (['brightwell-coatings'], ['twi'])
    >>> result.profiles[0].sources[-1]
    Source(document='DataFrame', section='row 2')
    """
    thresholds = Thresholds(merge_threshold, corroborated_threshold, review_threshold).check(
        "read_profiles"
    )
    checked = Limits.of(limits)
    default_country = None
    if country is not None:
        if not isinstance(country, str):
            raise ValueError(
                f"The 'country' parameter of read_profiles must be a str such as 'GB' or 'CN'. "
                f"Got {country!r} instead."
            )
        default_country = sorted(check_countries(country) or [])[0]
    if kind is not None:
        if not isinstance(kind, str):
            raise ValueError(
                f"The 'kind' parameter of read_profiles must be a str such as 'company'. "
                f"Got {kind!r} instead."
            )
        check_kinds(kind)
    if mapping is not None and not isinstance(mapping, Mapping):
        raise ValueError(
            f"The 'mapping' parameter of read_profiles must be a dict of input column to "
            f"profile field. Got {type(mapping).__name__} instead."
        )
    if encoding is not None and not isinstance(encoding, str):
        raise ValueError(
            f"The 'encoding' parameter of read_profiles must be a str such as 'gb18030'. "
            f"Got {encoding!r} instead."
        )
    if catalogue is None:
        catalogue = load_catalogue()
    elif not isinstance(catalogue, Catalogue):
        raise TypeError(
            f"The 'catalogue' parameter of read_profiles must be a Catalogue (see "
            f"matchmaker.load_catalogue). Got {type(catalogue).__name__} instead."
        )
    document = "DataFrame" if isinstance(source, pd.DataFrame) else Path(str(source)).name
    deadline = Deadline(checked, document)
    table = read_table(source, sheet=sheet, encoding=encoding, limits=checked, deadline=deadline)
    columns = map_columns(table, mapping)
    return _Importer(
        table, columns, catalogue, thresholds, default_country, kind, checked, deadline
    ).run()


def merge_into(catalogue: Catalogue, result: ImportResult) -> Catalogue:
    """A new catalogue: ``catalogue`` with the result's merges and new profiles.

    The same as ``catalogue.merge(result)`` (:meth:`Catalogue.merge`).

    Raises
    ------
    ValueError
        If the result was imported against a different catalogue (a merged
        profile is missing or has changed, or a new id is already taken).

    Examples
    --------
    >>> cat = load_catalogue()
    >>> frame = pd.DataFrame({"Company": ["TWI Ltd", "Brightwell Coatings"],
    ...                       "Capabilities": ["Laser cladding", "Thermal spraying"]})
    >>> bigger = merge_into(cat, read_profiles(frame, country="GB", kind="company",
    ...                                        catalogue=cat))
    >>> len(bigger) - len(cat), "Laser cladding" in bigger["twi"].offers
    (1, True)
    >>> bigger["twi"].sources[-1].document
    'DataFrame'
    """
    if not isinstance(catalogue, Catalogue) or not isinstance(result, ImportResult):
        raise TypeError(
            f"merge_into needs a Catalogue and an ImportResult. Got "
            f"{type(catalogue).__name__} and {type(result).__name__} instead."
        )
    return catalogue.merge(result)


def save_catalogue(catalogue: Catalogue, folder: str | PathLike[str]) -> Path:
    """Write a catalogue as YAML that :func:`load_catalogue` reads back unchanged.

    The same as ``catalogue.to_yaml(folder)`` (:meth:`Catalogue.to_yaml`):
    ``folder/catalogue/profiles.yaml`` and ``folder/partnerships.yaml``,
    refusing if either (or any other YAML file in ``folder/catalogue``)
    exists.

    Examples
    --------
    >>> import tempfile
    >>> cat = load_catalogue()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     again = load_catalogue(save_catalogue(cat, tmp))
    >>> list(again) == list(cat)
    True
    """
    return catalogue.to_yaml(Path(folder))
