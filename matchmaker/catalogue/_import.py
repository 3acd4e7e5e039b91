"""Import organisation lists from spreadsheets into the catalogue, losing nothing.

Before the flow ``profiles -> vectors -> ...`` can start, officers bring
event registrations, CRM extracts and partner lists (English and Chinese,
the same firm spelt three ways) into the catalogue. This module reads such a
list (CSV, XLSX, JSON, YAML or a DataFrame), maps its columns to profile
fields, validates every row, de-duplicates against the catalogue and earlier
rows (with :mod:`matchmaker._dedupe`), and accounts for every input row in a
report: ``imported``, ``merged``, ``review`` or ``rejected``, with reasons.

Problems with the file as a whole raise :class:`InputFileError` listing all
of them; problems with a row reject that row with every reason. Nothing is
dropped silently, nothing falls back silently.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import numbers
import re
import sys
import unicodedata
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from os import PathLike
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
import yaml
from pydantic import ValidationError

from .._errors import Problem
from .._normalise import has_cjk, normalise, normalise_name
from ..export._write import write_frame
from ._catalogue import Catalogue, check_countries, check_kinds, load_catalogue
from ._dedupe import (
    DuplicateFinder,
    Match,
    Record,
    Thresholds,
    postcode_key,
    website_host,
)
from ._schema import Profile, Source

__all__ = [
    "FIELDS",
    "MAX_FIELD_CHARS",
    "REASON_SEP",
    "REPORT_COLUMNS",
    "STATUSES",
    "ImportReport",
    "ImportResult",
    "InputFileError",
    "catalogue_to_csv",
    "import_command",
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

#: Longest text accepted in one cell; longer cells are rejected, not cut.
MAX_FIELD_CHARS = 2000

#: The exact line that installs the optional XLSX reader.
XLSX_INSTALL = "pip install 'sino-uk-matchmaker[xlsx]'"

#: The report: a DataFrame with :data:`REPORT_COLUMNS`, one row per input row.
ImportReport: TypeAlias = pd.DataFrame

_SCALAR_FIELDS = (
    "id",
    "name",
    "name_zh",
    "country",
    "kind",
    "city",
    "region",
    "postcode",
    "website",
    "summary",
    "size",
)
_LIST_FIELDS = ("aliases", "offers", "needs", "industries", "technologies", "evidence")
_BOOL_FIELDS = ("china_presence", "intermediary")
#: Profile fields a column can be mapped to.
FIELDS: tuple[str, ...] = (*_SCALAR_FIELDS, *_LIST_FIELDS, *_BOOL_FIELDS, "sources")
#: Fields whose text must not be a bare number.
_WORDY = ("name", "name_zh", "city", "region", "country", "kind")
#: Merged fields that hold one value: catalogue values win, differences are reported.
_MERGE_SCALARS = (
    "country",
    "kind",
    "city",
    "region",
    "postcode",
    "website",
    "summary",
    "size",
    "china_presence",
    "intermediary",
)

# Header synonyms, normalised with _header_key: strong ones, then weak ones
# (a weak header such as "Name" is used only when no strong one is present:
# in an event export "Name" is often the delegate, "Company" the firm).
_SYNONYMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "id": (("id", "profile id", "org id", "organisation id", "organization id", "编号"), ()),
    "name": (
        (
            "company name",
            "company",
            "organisation",
            "organization",
            "organisation name",
            "organization name",
            "org name",
            "firm",
            "firm name",
            "business name",
            "account name",
            "institution",
            "english name",
            "name english",
            "name en",
            "英文名称",
            "英文名",
            "公司名称",
            "企业名称",
            "单位名称",
            "机构名称",
            "组织名称",
            "公司",
            "企业",
            "单位",
            "机构",
        ),
        ("name", "名称"),
    ),
    "name_zh": (
        (
            "name zh",
            "chinese name",
            "name chinese",
            "name cn",
            "中文名称",
            "中文名",
            "中文全称",
            "公司中文名称",
            "企业中文名称",
        ),
        (),
    ),
    "aliases": (
        (
            "aliases",
            "alias",
            "also known as",
            "aka",
            "other names",
            "trading name",
            "trading as",
            "别名",
            "简称",
            "曾用名",
        ),
        (),
    ),
    "country": (("country", "nation", "country region", "国家", "国别", "国家地区"), ()),
    "kind": (
        (
            "kind",
            "organisation type",
            "organization type",
            "org type",
            "type of organisation",
            "type of organization",
            "机构类型",
            "单位类型",
            "单位性质",
            "企业类型",
        ),
        ("type", "类型"),
    ),
    "city": (("city", "town", "城市", "所在城市"), ()),
    "region": (("region", "county", "province", "state", "地区", "省份", "所在省份"), ()),
    "postcode": (
        ("postcode", "post code", "postal code", "zip", "zip code", "zipcode", "邮编", "邮政编码"),
        (),
    ),
    "website": (
        (
            "website",
            "web site",
            "url",
            "web",
            "homepage",
            "home page",
            "web address",
            "网址",
            "官网",
            "网站",
            "公司网址",
            "官方网站",
            "主页",
        ),
        (),
    ),
    "summary": (
        (
            "summary",
            "description",
            "about",
            "company description",
            "overview",
            "company profile",
            "简介",
            "公司简介",
            "企业简介",
            "机构简介",
            "描述",
            "概况",
        ),
        ("profile",),
    ),
    "offers": (
        (
            "offers",
            "offer",
            "capabilities",
            "capability",
            "products",
            "services",
            "products and services",
            "products services",
            "expertise",
            "what we offer",
            "主营业务",
            "能力",
            "主要产品",
            "产品",
            "服务",
            "业务范围",
            "经营范围",
            "技术能力",
            "核心能力",
            "产品与服务",
        ),
        (),
    ),
    "needs": (
        (
            "needs",
            "need",
            "requirements",
            "looking for",
            "seeking",
            "partner sought",
            "需求",
            "合作需求",
            "寻求",
            "需求描述",
        ),
        (),
    ),
    "industries": (
        ("industries", "industry", "sector", "sectors", "行业", "所属行业", "领域", "行业领域"),
        (),
    ),
    "technologies": (
        ("technologies", "technology", "techniques", "技术", "关键技术", "核心技术"),
        (),
    ),
    "evidence": (
        ("evidence", "awards", "accreditations", "certifications", "资质", "荣誉", "认证"),
        (),
    ),
    "size": (
        ("size", "company size", "organisation size", "organization size", "规模", "企业规模"),
        (),
    ),
    "china_presence": (("china presence", "presence in china", "在华业务", "在华机构"), ()),
    "intermediary": (("intermediary", "broker", "中介", "中介机构"), ()),
    "sources": (("sources",), ()),
}
_HEADER_LOOKUP: dict[str, tuple[str, int]] = {}
for _field, (_strong, _weak) in _SYNONYMS.items():
    for _rank, _names in ((1, _strong), (2, _weak)):
        for _name in _names:
            _HEADER_LOOKUP.setdefault(_name, (_field, _rank))
for _field in FIELDS:
    _HEADER_LOOKUP.setdefault(_field.replace("_", " "), (_field, 1))

_PLACEHOLDERS = frozenset(
    {"", "-", "--", "—", "–", "n/a", "na", "none", "null", "nil", "nan", "/", "不适用", "暂无"}
)
_NUMBER = re.compile(r"[+\-]?[\d\s.,/]*\d[\d\s.,/%]*")
_SPLIT_STATEMENTS = re.compile(r"\s*(?:[;；\n\r]+)\s*")
_SPLIT_LABELS = re.compile(r"\s*(?:[;；,，、\n\r]+)\s*")
_TRUE = frozenset({"true", "yes", "y", "t", "1", "是", "有", "对"})
_FALSE = frozenset({"false", "no", "n", "f", "0", "否", "无", "没有"})
_SIZES = {
    "micro": "micro",
    "微型": "micro",
    "微型企业": "micro",
    "sme": "sme",
    "small": "sme",
    "medium": "sme",
    "small and medium": "sme",
    "中小企业": "sme",
    "中小型": "sme",
    "小型": "sme",
    "中型": "sme",
    "小微企业": "sme",
    "large": "large",
    "大型": "large",
    "大型企业": "large",
    "大企业": "large",
}
_KIND_WORDS = {
    "企业": "company",
    "公司": "company",
    "firm": "company",
    "business": "company",
    "大学": "university",
    "高校": "university",
    "研究所": "research_centre",
    "研究院": "research_centre",
    "研究中心": "research_centre",
    "research institute": "research_centre",
    "课题组": "research_group",
    "实验室": "research_group",
    "research group": "research_group",
    "政府": "government",
    "政府部门": "government",
    "协会": "association",
    "商会": "association",
    "联盟": "association",
    "园区": "industrial_zone",
    "工业园": "industrial_zone",
    "产业园": "industrial_zone",
    "开发区": "industrial_zone",
}
# Country spellings beyond those the schema accepts (UK, China, 中国 ...).
_COUNTRY_WORDS = {
    "中国": "CN",  # also written 中國
    "英国": "GB",  # also written 英國
    "中华人民共和国": "CN",
    "中国大陆": "CN",
    "people's republic of china": "CN",
    "pr china": "CN",
    "p.r. china": "CN",
    "p.r.china": "CN",
    "mainland china": "CN",
    "u.k.": "GB",
    "the uk": "GB",
    "united kingdom of great britain and northern ireland": "GB",
    "英格兰": "GB",
    "苏格兰": "GB",
    "威尔士": "GB",
    "北爱尔兰": "GB",
}
_SUFFIXES = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
}
_BOM = b"\xef\xbb\xbf"
# libyaml's safe loader when available; only plain YAML types are ever built.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class InputFileError(ValueError):
    """Raised when a whole file cannot be imported; lists every problem found.

    Attributes
    ----------
    file : str
        The file (or ``"DataFrame"``).
    problems : list of Problem
        Every file-level problem: encoding, empty file, missing name column,
        blank, merged or duplicate headers, a bad ``mapping``.

    Examples
    --------
    >>> err = InputFileError("orgs.csv", ["the file is empty"])
    >>> print(err)
    1 problem in orgs.csv; nothing was imported:
      - orgs.csv: the file is empty
    """

    def __init__(self, file: str, problems: Sequence[Problem | str]) -> None:
        self.file = file
        self.problems = [
            p if isinstance(p, Problem) else Problem(file, None, None, None, None, p)
            for p in problems
        ]
        count = len(self.problems)
        lines = [f"{count} problem{'s' if count != 1 else ''} in {file}; nothing was imported:"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


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
        and ``reasons`` (every reason, joined with ``" | "``).
    encoding : str or None
        The detected text encoding (``utf-8``, ``utf-8-sig`` or
        ``gb18030``); None for XLSX and DataFrames.
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
        merge; :func:`merge_into` checks them against its catalogue.

    See Also
    --------
    merge_into : Add the result to a catalogue.

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

    def __repr__(self) -> str:
        counts = ", ".join(f"{k} {v}" for k, v in self.summary().items())
        where = f"{self.source!r}" + (f" sheet {self.sheet!r}" if self.sheet else "")
        enc = f", encoding {self.encoding}" if self.encoding else ""
        return f"<ImportResult of {where}: {len(self.report)} rows ({counts}){enc}>"


# -- reading ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Formula:
    """A spreadsheet formula cell: reported, never kept or evaluated."""

    text: str


@dataclass
class _Table:
    """Cells as read, before any mapping: the common form of every input."""

    document: str
    headers: list[Any]
    rows: list[tuple[int, list[Any]]]
    encoding: str | None = None
    sheet: str | None = None
    lettered: bool = True
    problems: list[str] = field(default_factory=list)
    row_problems: dict[int, list[str]] = field(default_factory=dict)
    merged: list[tuple[int, range, str]] = field(default_factory=list)
    merged_header: set[int] = field(default_factory=set)

    def label(self, j: int) -> str:
        header = _header_text(self.headers[j]) if j < len(self.headers) else None
        if self.lettered:
            return f"column {_letter(j)} ({header!r})" if header else f"column {_letter(j)}"
        return f"column {header!r}" if header else f"column {j + 1}"


def _letter(j: int) -> str:
    """Spreadsheet column letter of a 0-based column index (0 -> A, 26 -> AA)."""
    out = ""
    j += 1
    while j:
        j, rem = divmod(j - 1, 26)
        out = chr(65 + rem) + out
    return out


def _is_blank(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return math.isnan(float(value))
    return isinstance(value, str) and not value.strip()


def _header_text(value: Any) -> str | None:
    if _is_blank(value):
        return None
    if isinstance(value, _Formula):
        return value.text
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _decode(data: bytes, file: str) -> tuple[str, str]:
    """Decode strictly as UTF-8 (BOM allowed), else GB18030; never guess further."""
    try:
        return data.decode("utf-8-sig"), "utf-8-sig" if data.startswith(_BOM) else "utf-8"
    except UnicodeDecodeError as utf8:
        shift = len(_BOM) if data.startswith(_BOM) else 0
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError as gb:
            at = utf8.start + shift
            hint = "save it as UTF-8 (in Excel: Save As, 'CSV UTF-8') and import again"
            if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
                hint = "it looks like UTF-16 ('Unicode text'); " + hint
            raise InputFileError(
                file,
                [
                    f"cannot be read as text: not UTF-8 (byte 0x{data[at]:02x} at byte offset "
                    f"{at}) and not GB18030/GBK (byte 0x{data[gb.start]:02x} at byte offset "
                    f"{gb.start}); {hint}"
                ],
            ) from None


def _drop_trailing_blank(rows: list[tuple[int, list[Any]]]) -> list[tuple[int, list[Any]]]:
    end = len(rows)
    while end and all(_is_blank(v) for v in rows[end - 1][1]):
        end -= 1
    return rows[:end]


def _read_csv(path: Path, document: str, delimiter: str) -> _Table:
    text, encoding = _decode(path.read_bytes(), document)
    if not text.strip():
        raise InputFileError(
            document, ["the file is empty; export it again with a header row and data rows"]
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    try:
        records.extend(reader)
    except csv.Error as exc:
        raise InputFileError(
            document,
            [
                f"broken CSV at line {reader.line_num}: {exc}; check the quotes on that line "
                "(a quote inside a value must be doubled)"
            ],
        ) from None
    header, *body = records
    table = _Table(document, list(header), [], encoding=encoding)
    rows = []
    for number, cells in enumerate(body, start=2):
        values: list[Any] = list(cells)
        extra = values[len(header) :]
        if any(not _is_blank(v) for v in extra):
            shown = ", ".join(repr(v[:40]) for v in extra if not _is_blank(v))
            table.row_problems.setdefault(number, []).append(
                f"the row has {len(values)} values but the header has {len(header)} columns; "
                f"the extra values ({shown}) have no column: is a comma missing its quotes?"
            )
        rows.append((number, values[: len(header)]))
    table.rows = _drop_trailing_blank(rows)
    return table


def _read_xlsx(path: Path, document: str, sheet: str | int | None) -> _Table:
    try:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException
        from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
    except ImportError as exc:
        raise ImportError(
            f"Reading .xlsx files needs openpyxl, an optional extra. Install it with:\n"
            f"{XLSX_INSTALL}"
        ) from exc
    with warnings.catch_warnings():
        # openpyxl warns about workbook features it cannot read (data validation,
        # conditional formatting); they hold no cell values.
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(path, read_only=False, data_only=False)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
            raise InputFileError(
                document, [f"not a readable .xlsx workbook ({exc}); save it again from Excel"]
            ) from None
    titles = [ws.title for ws in book.worksheets]
    if sheet is None:
        ws = book.worksheets[0]
    elif isinstance(sheet, str) and sheet in titles:
        ws = book[sheet]
    elif isinstance(sheet, int) and not isinstance(sheet, bool) and 0 <= sheet < len(titles):
        ws = book.worksheets[sheet]
    else:
        raise InputFileError(
            document,
            [
                f"no sheet {sheet!r}; the workbook has {', '.join(map(repr, titles))} "
                f"(pass a name or a 0-based position)"
            ],
        )
    table = _Table(document, [], [], sheet=ws.title)
    grid: list[list[Any]] = []
    for cells in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=ws.max_column):
        line: list[Any] = []
        for cell in cells:
            value = cell.value
            if isinstance(value, ArrayFormula):
                value = _Formula(str(value.text))
            elif isinstance(value, DataTableFormula) or cell.data_type == "f":
                value = _Formula(str(value))
            line.append(value)
        grid.append(line)
    if not grid or all(_is_blank(v) for line in grid for v in line):
        raise InputFileError(
            document, [f"sheet {ws.title!r} is empty; put a header row and data rows in it"]
        )
    header, *body = grid
    table.headers = header
    for cr in ws.merged_cells.ranges:
        columns = range(cr.min_col - 1, cr.max_col)
        if cr.min_row == 1:
            table.problems.append(
                f"sheet {ws.title!r}: header cells {cr.coord} are merged; unmerge them and "
                "give each column its own header"
            )
            table.merged_header.update(columns)
        table.merged += [
            (number, columns, cr.coord) for number in range(max(cr.min_row, 2), cr.max_row + 1)
        ]
    for j, value in enumerate(header):
        if isinstance(value, _Formula):
            table.problems.append(
                f"sheet {ws.title!r}: header cell {_letter(j)}1 is a formula ({value.text!r}); "
                "type the header text instead"
            )
    table.rows = _drop_trailing_blank(list(enumerate(body, start=2)))
    return table


def _records_table(data: Any, document: str, encoding: str | None) -> _Table:
    if isinstance(data, dict):
        for key in ("profiles", "organisations", "organizations", "records", "rows", "data"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
    if not isinstance(data, list):
        got = (
            f"a mapping with keys {', '.join(map(repr, list(data)[:8]))}"
            if isinstance(data, dict)
            else type(data).__name__
        )
        raise InputFileError(
            document,
            [f"expected a list of records (or a mapping with a 'profiles' list); got {got}"],
        )
    if not data:
        raise InputFileError(document, ["the file holds no records; nothing to import"])
    headers: dict[str, None] = {}
    for record in data:
        if isinstance(record, dict):
            headers.update(dict.fromkeys(str(k) for k in record))
    names = list(headers)
    table = _Table(document, list(names), [], encoding=encoding, lettered=False)
    for number, record in enumerate(data, start=1):
        if not isinstance(record, dict):
            table.row_problems.setdefault(number, []).append(
                f"expected a mapping of field to value; got {type(record).__name__} "
                f"{str(record)[:60]!r}"
            )
            table.rows.append((number, [None] * len(names)))
            continue
        keyed = {str(k): v for k, v in record.items()}
        table.rows.append((number, [keyed.get(name) for name in names]))
    return table


def _read_structured(path: Path, document: str, fmt: str) -> _Table:
    text, encoding = _decode(path.read_bytes(), document)
    if not text.strip():
        raise InputFileError(document, ["the file is empty; nothing to import"])
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputFileError(
                document,
                [f"broken JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}; fix it"],
            ) from None
    else:
        try:
            data = yaml.load(text, Loader=_SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise InputFileError(
                document,
                [
                    f"unreadable YAML{where}: {getattr(exc, 'problem', exc)}; fix the syntax "
                    "(only plain YAML is read: no tags such as !!python)"
                ],
            ) from None
    return _records_table(data, document, encoding)


def _frame_table(frame: pd.DataFrame) -> _Table:
    if frame.shape[1] == 0 or frame.shape[0] == 0:
        raise InputFileError(
            "DataFrame",
            [f"the DataFrame is empty ({frame.shape[0]} rows, {frame.shape[1]} columns)"],
        )
    table = _Table("DataFrame", list(frame.columns), [], lettered=False)
    for number, values in enumerate(frame.itertuples(index=False, name=None), start=1):
        table.rows.append((number, list(values)))
    return table


def _read_source(source: Any, sheet: str | int | None) -> _Table:
    if isinstance(source, pd.DataFrame):
        if sheet is not None:
            raise ValueError(
                f"The 'sheet' parameter of read_profiles applies to .xlsx files only. "
                f"Got sheet={sheet!r} for a DataFrame."
            )
        return _frame_table(source)
    if not isinstance(source, str | PathLike):
        raise TypeError(
            f"The 'source' parameter of read_profiles must be a path (str or Path) or a "
            f"pandas DataFrame. Got {type(source).__name__} instead."
        )
    path = Path(source)
    name = path.name
    if not path.is_file():
        raise FileNotFoundError(f"No file at {path}: check the path.")
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        hint = " Save it as .xlsx or CSV." if path.suffix.lower() == ".xls" else ""
        raise InputFileError(
            name,
            [
                f"cannot read {path.suffix or 'files without a suffix'!r} files; use one of "
                f"{', '.join(sorted(_SUFFIXES))}.{hint}"
            ],
        )
    if sheet is not None and fmt != "xlsx":
        raise ValueError(
            f"The 'sheet' parameter of read_profiles applies to .xlsx files only. "
            f"Got sheet={sheet!r} for {name}."
        )
    if fmt in ("csv", "tsv"):
        return _read_csv(path, name, "\t" if fmt == "tsv" else ",")
    if fmt == "xlsx":
        return _read_xlsx(path, name, sheet)
    return _read_structured(path, name, fmt)


# -- column mapping -----------------------------------------------------------------


@dataclass
class _Columns:
    fields: dict[str, list[int]]
    used: dict[str, str]
    ignored: list[str]
    unused_names: list[int] = field(default_factory=list)


def _header_key(header: str, keep_brackets: bool = True) -> str:
    text = normalise(header)
    if keep_brackets:
        text = re.sub(r"[()\[\]{}]", " ", text)
    else:
        text = re.sub(r"\([^)]*\)|\[[^\]]*\]|\{[^}]*\}", " ", text)
    text = re.sub(r"[*:：#?？!！.。,，'\"]", " ", text)
    return " ".join(text.split())


def _lookup_header(header: str) -> tuple[str, int] | None:
    return _HEADER_LOOKUP.get(_header_key(header)) or _HEADER_LOOKUP.get(
        _header_key(header, keep_brackets=False)
    )


def _map_columns(table: _Table, mapping: Mapping[str, str | None] | None) -> _Columns:
    problems = list(table.problems)
    headers = [_header_text(h) for h in table.headers]
    for j, header in enumerate(headers):
        if (
            header is None
            and j not in table.merged_header
            and any(j < len(cells) and not _is_blank(cells[j]) for _, cells in table.rows)
        ):
            problems.append(
                f"{table.label(j)} has values but no header; give it a header (or pass "
                "mapping) or delete the column"
            )
    positions: dict[str, list[int]] = {}
    for j, header in enumerate(headers):
        if header is not None:
            positions.setdefault(header, []).append(j)
    for header, where in positions.items():
        if len(where) > 1:
            problems.append(
                f"{len(where)} columns are called {header!r} "
                f"({', '.join(table.label(j) for j in where)}); rename them so each is unique"
            )
    assigned: dict[int, str] = {}
    explicit: set[int] = set()
    for column, target in (mapping or {}).items():
        if column not in positions:
            found = ", ".join(repr(h) for h in positions) or "none"
            problems.append(
                f"mapping names column {column!r}, which is not in the file; columns found: {found}"
            )
            continue
        if target is not None and target not in FIELDS:
            problems.append(
                f"mapping sends column {column!r} to {target!r}, which is not a profile "
                f"field; use one of {', '.join(FIELDS)} (or None to skip the column)"
            )
            continue
        for j in positions[column]:
            explicit.add(j)
            if target is not None:
                assigned[j] = target
    explicit_fields = set(assigned.values())
    for fld in explicit_fields - set(_LIST_FIELDS):
        cols = [j for j, f in assigned.items() if f == fld]
        if len(cols) > 1:
            problems.append(
                f"mapping sends {len(cols)} columns to {fld!r} "
                f"({', '.join(table.label(j) for j in cols)}); a profile has one {fld}"
            )
    guesses: dict[str, list[tuple[int, int]]] = {}
    for j, header in enumerate(headers):
        if header is None or j in explicit or len(positions[header]) > 1:
            continue  # blank and duplicate headers are reported above
        hit = _lookup_header(header)
        if hit is not None and hit[0] not in explicit_fields - set(_LIST_FIELDS):
            guesses.setdefault(hit[0], []).append((hit[1], j))
    for fld, cands in guesses.items():
        if fld in _LIST_FIELDS:
            for _, j in cands:
                assigned[j] = fld
            continue
        best = min(rank for rank, _ in cands)
        top = [j for rank, j in cands if rank == best]
        if len(top) == 2 and fld == "name" and "name_zh" not in guesses:
            zh = [j for j in top if has_cjk(str(headers[j]))]
            if len(zh) == 1:  # "Company Name" and "公司名称": English and Chinese names
                assigned[zh[0]] = "name_zh"
                top = [j for j in top if j != zh[0]]
        if len(top) > 1:
            names = " and ".join(repr(headers[j]) for j in top)
            problems.append(
                f"columns {names} each look like the {fld}; pass mapping={{{headers[top[0]]!r}: "
                f"{fld!r}}} (and None for the others) to choose"
            )
            continue
        assigned[top[0]] = fld
    if not {"name", "name_zh"} & set(assigned.values()):
        problems.append(_no_name_problem(table, headers))
    if problems:
        raise InputFileError(table.document, problems)
    fields: dict[str, list[int]] = {}
    for j in sorted(assigned):
        fields.setdefault(assigned[j], []).append(j)
    used = {str(headers[j]): assigned[j] for j in sorted(assigned)}
    ignored = [str(h) for j, h in enumerate(headers) if h is not None and j not in assigned]
    unused_names = [j for _, j in guesses.get("name", []) if j not in assigned]
    return _Columns(fields, used, ignored, unused_names)


def _no_name_problem(table: _Table, headers: Sequence[str | None]) -> str:
    found = ", ".join(repr(h) for h in headers if h is not None) or "none"
    accepted = ", ".join(
        repr(n)
        for n in (
            "Company Name",
            "Organisation",
            "Organization",
            "Name",
            "公司名称",
            "企业名称",
            "单位名称",
            "机构名称",
            "中文名称",
            "name",
            "name_zh",
        )
    )
    message = (
        f"no column holds the organisation name. Columns found: {found}. Accepted names "
        f"include {accepted}; or pass mapping={{'Your column': 'name'}}"
    )
    for number, cells in table.rows[:5]:
        hits = [_lookup_header(v) for v in cells if isinstance(v, str)]
        if any(hit is not None and hit[0] in ("name", "name_zh") for hit in hits):
            message += f". Row {number} looks like a header row: delete the rows above it"
            break
    if any(isinstance(h, str) and (";" in h or "\t" in h) for h in headers):
        message += ". The header holds ';' or tab characters: save the file as comma-separated CSV"
    return message


# -- row conversion -----------------------------------------------------------------


@dataclass
class _Row:
    number: int
    data: dict[str, Any]
    shown: str
    reasons: list[str]
    blank: bool


def _clean(value: Any, fld: str, label: str, reasons: list[str]) -> Any:
    """One cell made safe: None for blank, text stripped, problems reported."""
    if _is_blank(value):
        return None
    if isinstance(value, _Formula):
        reasons.append(
            f"{label}: a formula ({value.text[:80]!r}) was not imported; type the value itself"
        )
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in _PLACEHOLDERS:
            return None
        if text.startswith("="):
            reasons.append(
                f"{label}: {text[:80]!r} is a formula and was not imported; type the value itself"
            )
            return None
        if len(text) > MAX_FIELD_CHARS:
            reasons.append(
                f"{label}: {len(text)} characters, more than the {MAX_FIELD_CHARS} allowed "
                f"({text[:40]!r}...); shorten it"
            )
            return None
        return text
    if isinstance(value, bool | np.bool_):
        if fld in _BOOL_FIELDS:
            return bool(value)
        reasons.append(f"{label}: expected text, got the value {bool(value)!r}")
        return None
    if isinstance(value, numbers.Real):
        number = float(value)
        if fld in _BOOL_FIELDS and number in (0.0, 1.0):
            return bool(number)
        if fld == "postcode" and number.is_integer() and number >= 0:
            return str(int(number))  # Chinese postcodes are numbers in spreadsheets
        shown = int(number) if number.is_integer() else number
        reasons.append(
            f"{label}: expected text, got the number {shown!r}; check that the column "
            "holds the right values"
        )
        return None
    if isinstance(value, datetime | date | time | timedelta | pd.Timestamp):
        reasons.append(f"{label}: expected text, got the date or time {str(value)!r}")
        return None
    if isinstance(value, list | tuple):
        if fld in _LIST_FIELDS:
            items = [_clean(v, fld, label, reasons) for v in value]
            return [v for v in items if v is not None]
        if fld == "sources":
            return list(value)
        reasons.append(f"{label}: expected a single value, got a list {str(value)[:60]!r}")
        return None
    if isinstance(value, dict) and fld == "sources":
        return [value]
    reasons.append(f"{label}: expected text, got {type(value).__name__} {str(value)[:60]!r}")
    return None


def _split(value: Any, fld: str) -> list[str]:
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            out += _split(item, fld)
        return out
    if not isinstance(value, str):
        return []
    # Labels may be comma-separated ("aerospace, automotive") unless the cell
    # uses semicolons, as catalogue_to_csv does.
    labels = fld in ("industries", "technologies") and not re.search(r"[;；\n]", value)
    pattern = _SPLIT_LABELS if labels else _SPLIT_STATEMENTS
    return [part for part in pattern.split(value) if part.strip()]


def _parse_sources(value: Any, label: str, reasons: list[str]) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value]
    out: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, str):
            for part in _SPLIT_STATEMENTS.split(item):
                if not part.strip():
                    continue
                document, sep, section = part.partition(", ")
                if not sep:
                    reasons.append(f"{label}: source {part[:60]!r} should read 'document, section'")
                    continue
                out.append({"document": document, "section": section})
        elif isinstance(item, dict):
            out.append({str(k): v for k, v in item.items()})
        else:
            reasons.append(f"{label}: source {str(item)[:60]!r} is not a document and section")
    return out


def _convert(table: _Table, number: int, cells: list[Any], columns: _Columns) -> _Row:
    reasons = list(table.row_problems.get(number, []))
    mapped = {j for where in columns.fields.values() for j in where}
    for row_number, span, coord in table.merged:
        if row_number == number and mapped.intersection(span):
            reasons.append(
                f"cells {coord} are merged, so only their first row holds the value; unmerge "
                "them and fill in every row"
            )
    values: dict[str, Any] = {}
    raw_name = ""
    for fld, where in columns.fields.items():
        for j in where:
            raw = cells[j] if j < len(cells) else None
            label = table.label(j)
            if fld in ("name", "name_zh") and not raw_name and not _is_blank(raw):
                raw_name = raw.text if isinstance(raw, _Formula) else str(raw).strip()
            value = _clean(raw, fld, label, reasons)
            if value is None:
                continue
            if fld in _LIST_FIELDS:
                values.setdefault(fld, []).extend(_split(value, fld))
            elif fld == "sources":
                values.setdefault(fld, []).extend(_parse_sources(value, label, reasons))
            elif fld in _BOOL_FIELDS:
                parsed = _parse_bool(value)
                if parsed is None:
                    reasons.append(f"{label}: {value!r} is not yes or no (是/否)")
                else:
                    values[fld] = parsed
            else:
                text = _check_text(fld, value, label, reasons)
                if text is not None:
                    values[fld] = text
    blank = all(_is_blank(v) for v in cells) and not reasons
    if not values.get("name") and values.get("name_zh"):
        values["name"] = values["name_zh"]
    if not values.get("name") and not blank and not reasons:
        name_cols = columns.fields.get("name", []) + columns.fields.get("name_zh", [])
        reason = (
            f"no name: {', '.join(table.label(j) for j in name_cols)} "
            f"{'is' if len(name_cols) == 1 else 'are'} empty; every row needs the "
            "organisation's name"
        )
        for j in columns.unused_names:
            if j < len(cells) and not _is_blank(cells[j]):
                header = _header_text(table.headers[j])
                reason += (
                    f" ({table.label(j)} holds {str(cells[j])[:60]!r} but was not read as the "
                    f"name; pass mapping={{{header!r}: 'name'}} if it holds organisation names)"
                )
        reasons.append(reason)
    shown = str(values.get("name") or raw_name)[:200]
    return _Row(number, values, shown, reasons, blank)


def _parse_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = normalise(str(value)).strip()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _check_text(fld: str, value: Any, label: str, reasons: list[str]) -> str | None:
    text = str(value)
    if fld in _WORDY and _NUMBER.fullmatch(text):
        reasons.append(
            f"{label}: the {fld} is a number ({text!r}); check that the column holds "
            f"{'names' if fld.startswith('name') else 'text'}"
        )
        return None
    if fld == "website" and website_host(text) is None:
        reasons.append(f"{label}: {text[:80]!r} is not a web address (e.g. www.example.com)")
        return None
    if fld == "size":
        size = _SIZES.get(normalise(text).strip())
        if size is None:
            reasons.append(
                f"{label}: size {text!r} is not one of micro, sme or large (微型, 中小企业, 大型)"
            )
        return size
    if fld == "kind":
        return _KIND_WORDS.get(normalise(text).strip(), text)
    if fld == "country":
        return _COUNTRY_WORDS.get(" ".join(normalise(text).split()), text)
    return text


# -- profiles, ids and merges -------------------------------------------------------


def _fold(text: str) -> str:
    return " ".join(normalise(text).split())


def _slug(name: str) -> str:
    """A stable id for a name: an ASCII slug, or ``org-<hash>`` for a Chinese name.

    Examples
    --------
    >>> _slug("Autocraft Solutions Group Ltd"), _slug("Grainger & Worrall")
    ('autocraft-solutions', 'grainger-and-worrall')
    >>> _slug("蘇州綠源再製造有限公司") == _slug("苏州绿源再制造有限公司")
    True
    """
    key = normalise_name(name) or _fold(name)
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
    exc: ValidationError, fields: Mapping[str, list[int]], table: _Table
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


def _same(fld: str, old: Any, new: Any) -> bool:
    if fld == "website":
        return bool(website_host(old) and website_host(old) == website_host(new)) or old == new
    if fld == "postcode":
        return postcode_key(old) == postcode_key(new)
    if isinstance(old, str) and isinstance(new, str):
        return _fold(old) == _fold(new)
    return bool(old == new)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 82 else text[:78] + "...'"


def _merge(
    base: Profile, row: Profile, provided: set[str], sources: Sequence[Source], into: str
) -> tuple[Profile, list[str]]:
    """Merge a row's profile into ``base``: base values win, every difference noted."""
    data = base.model_dump()
    notes: list[str] = []
    known = {_fold(n) for n in base.names}
    for name in (row.name, row.name_zh, *row.aliases):
        if not name or _fold(name) in known:
            continue
        known.add(_fold(name))
        if has_cjk(name) and not re.search(r"[A-Za-z]", name) and not data["name_zh"]:
            data["name_zh"] = name
            notes.append(f"added Chinese name {name!r}")
        else:
            data["aliases"] = [*data["aliases"], name]
            notes.append(f"added alias {name!r}")
    for fld in _MERGE_SCALARS:
        if fld not in provided:
            continue
        old, new = data[fld], getattr(row, fld)
        if new is None or _same(fld, old, new):
            continue
        if old is None or old == "":
            data[fld] = new
            notes.append(f"added {fld} {_short(new)}")
        else:
            notes.append(f"kept {fld} {_short(old)} of {into}; the file has {_short(new)}")
    for fld in _LIST_FIELDS[1:]:
        if fld not in provided:
            continue
        have = {_fold(x) for x in data[fld]}
        add = [x for x in getattr(row, fld) if _fold(x) not in have]
        if add:
            data[fld] = [*data[fld], *add]
            notes.append(f"added to {fld}: {', '.join(_short(x) for x in add)}")
    have_sources = set(base.sources)
    data["sources"] = [*base.sources, *(s for s in sources if s not in have_sources)]
    return Profile.model_validate(data), notes


def _catalogue_records(catalogue: Catalogue) -> list[Record]:
    return [Record(p.names, p.website, p.postcode) for p in catalogue]


class _Importer:
    """Runs one import: validation, de-duplication and merging, row by row."""

    def __init__(
        self,
        table: _Table,
        columns: _Columns,
        catalogue: Catalogue,
        thresholds: Thresholds,
        country: str | None,
        kind: str | None,
    ) -> None:
        self.table = table
        self.columns = columns
        self.catalogue = catalogue
        self.thresholds = thresholds
        self.country = country
        self.kind = kind

    def run(self) -> ImportResult:
        table, catalogue = self.table, self.catalogue
        rows = [_convert(table, n, cells, self.columns) for n, cells in table.rows]
        if not rows:
            raise InputFileError(table.document, ["there are no data rows under the header"])
        n_cat = len(catalogue)
        records = _catalogue_records(catalogue)
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
        for i, row in enumerate(rows):
            report.append(self._one(row, n_cat + i, finder))
        frame = pd.DataFrame(report, columns=REPORT_COLUMNS)
        frame["row"] = frame["row"].astype("int64")
        for column in ("name", "status", "id", "duplicate_of", "matched", "keys", "reasons"):
            frame[column] = frame[column].astype("str")
        frame["similarity"] = frame["similarity"].astype("float64")
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
    def _one(self, row: _Row, q: int, finder: DuplicateFinder) -> dict[str, Any]:
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
        if match is None:
            out["status"] = "imported"
            return out
        out["status"] = "review"
        reasons = [
            f"possible duplicate of {out['duplicate_of']} ({match.matched}), similarity "
            f"{match.score:.0f}: kept as a new profile; merge by hand if they are the same"
        ]
        if match.conflict:
            reasons.append(match.conflict)
        out["reasons"] = REASON_SEP.join(reasons)
        return out

    def _candidate(self, row: _Row, source: Source) -> tuple[Profile | None, list[str], list[str]]:
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
        row: _Row,
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
            merged, notes = _merge(base, profile, provided, profile.sources, into)
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
    mapping: Mapping[str, str | None] | None = None,
    country: str | None = None,
    kind: str | None = None,
    catalogue: Catalogue | None = None,
    sheet: str | int | None = None,
    *,
    merge_threshold: float = 95.0,
    corroborated_threshold: float = 85.0,
    review_threshold: float = 80.0,
) -> ImportResult:
    """Read an organisation list, validate it and de-duplicate it against the catalogue.

    Parameters
    ----------
    source : str, Path or DataFrame
        A ``.csv`` (``.tsv``, ``.txt``), ``.xlsx``, ``.json`` or ``.yaml``
        file, or a DataFrame. Text files are decoded strictly as UTF-8 (with
        or without BOM), then as GB18030 (which includes GBK); anything else
        is an error naming the byte offset.
    mapping : dict, optional
        ``{input column: profile field}``, overriding the built-in header
        synonyms (English and Chinese: "Company Name", "公司名称",
        "Website", "网址" ...). Map a column to None to skip it.
    country, kind : str, optional
        Defaults for rows that have no country or kind, e.g. ``"GB"`` and
        ``"company"``.
    catalogue : Catalogue, optional
        Profiles to de-duplicate against; the bundled catalogue by default.
        Pass ``Catalogue([])`` to de-duplicate within the file only.
    sheet : str or int, optional
        XLSX sheet name or 0-based position; the first sheet by default
        (the sheet read is recorded in the result).
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
        Listing every file-level problem: undecodable or empty file, no
        name column (with the columns found and the names accepted),
        blank, merged or duplicate headers, a bad ``mapping``.
    ImportError
        For an ``.xlsx`` file without openpyxl, with the line to install it.
    ValueError
        For invalid thresholds, ``country`` or ``kind``.

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
    if catalogue is None:
        catalogue = load_catalogue()
    elif not isinstance(catalogue, Catalogue):
        raise TypeError(
            f"The 'catalogue' parameter of read_profiles must be a Catalogue (see "
            f"matchmaker.load_catalogue). Got {type(catalogue).__name__} instead."
        )
    table = _read_source(source, sheet)
    columns = _map_columns(table, mapping)
    return _Importer(table, columns, catalogue, thresholds, default_country, kind).run()


def merge_into(catalogue: Catalogue, result: ImportResult) -> Catalogue:
    """A new catalogue: ``catalogue`` with the result's merges and new profiles.

    Parameters
    ----------
    catalogue : Catalogue
        The catalogue the result was imported against.
    result : ImportResult
        From :func:`read_profiles`.

    Returns
    -------
    Catalogue
        Merged profiles replaced in place, new profiles appended, partnerships
        kept. ``catalogue`` itself is unchanged.

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
    stale = [
        pid
        for pid, original in result.originals.items()
        if pid not in catalogue or catalogue[pid] != original
    ]
    clash = [p.id for p in result.profiles if p.id in catalogue]
    if stale or clash:
        detail = []
        if stale:
            detail.append(f"profiles missing or changed since the import: {', '.join(stale)}")
        if clash:
            detail.append(f"new ids already in the catalogue: {', '.join(clash)}")
        raise ValueError(
            f"The result of importing {result.source} was made against another catalogue "
            f"({'; '.join(detail)}). Import again with catalogue=this catalogue."
        )
    profiles = [result.updates.get(p.id, p) for p in catalogue] + list(result.profiles)
    return Catalogue(profiles, catalogue.partnerships.copy())


def save_catalogue(catalogue: Catalogue, folder: str | PathLike[str]) -> Path:
    """Write a catalogue as YAML that :func:`load_catalogue` reads back unchanged.

    Writes ``folder/catalogue/profiles.yaml`` (every profile) and
    ``folder/partnerships.yaml``.

    Parameters
    ----------
    catalogue : Catalogue
    folder : str or Path
        Created if missing. Its ``catalogue/`` sub-folder must hold no other
        YAML files, which would be loaded together with these.

    Returns
    -------
    Path
        The folder.

    Examples
    --------
    >>> import tempfile
    >>> cat = load_catalogue()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     again = load_catalogue(save_catalogue(cat, tmp))
    >>> list(again) == list(cat)
    True
    """
    root = Path(folder)
    profiles_dir = root / "catalogue"
    profiles_dir.mkdir(parents=True, exist_ok=True)
    others = sorted(
        p.name
        for p in [*profiles_dir.glob("*.yaml"), *profiles_dir.glob("*.yml")]
        if p.name != "profiles.yaml"
    )
    if others:
        raise ValueError(
            f"{profiles_dir} already holds {', '.join(others)}, which load_catalogue would "
            "read together with the saved profiles. Save into an empty folder."
        )
    records = [p.model_dump(mode="json") for p in catalogue]
    links = []
    for link in catalogue.partnerships.to_dict("records"):
        links.append(
            {
                "source_id": link["source_id"],
                "target_id": link["target_id"],
                "relation": _text_or(link.get("relation"), "partners"),
                "description": _text_or(link.get("description"), ""),
                "source": {"document": link["document"], "section": link["section"]},
            }
        )
    _dump_yaml(records, profiles_dir / "profiles.yaml")
    _dump_yaml(links, root / "partnerships.yaml")
    return root


def _text_or(value: Any, default: str) -> str:
    return default if _is_blank(value) else str(value)


def _dump_yaml(data: Any, path: Path) -> None:
    text = yaml.dump(data, Dumper=_SafeDumper, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(text, encoding="utf-8")


def catalogue_to_csv(catalogue: Catalogue, path: str | PathLike[str]) -> str:
    """Write a catalogue as a CSV safe to open in a spreadsheet.

    One row per profile (:meth:`Catalogue.to_frame`); text that a spreadsheet
    would run as a formula is prefixed with an apostrophe
    (:func:`matchmaker._export.safe_frame`). UTF-8 with BOM, so Excel shows
    Chinese correctly. The CSV reads back with :func:`read_profiles`.

    Returns
    -------
    str
        The path written.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = catalogue_to_csv(load_catalogue(), os.path.join(tmp, "cat.csv"))
    ...     pd.read_csv(out, encoding="utf-8-sig").shape[0] == len(load_catalogue())
    True
    """
    return write_frame(catalogue.to_frame(), Path(path), fmt="csv")


def import_command(
    path: str | PathLike[str],
    report_path: str | PathLike[str] | None = None,
    country: str | None = None,
    kind: str | None = None,
    *,
    catalogue: str | PathLike[str] | None = None,
    sheet: str | None = None,
    save: str | PathLike[str] | None = None,
) -> int:
    """``matchmaker import FILE [--report REPORT.csv] [--save FOLDER]``: import, summarise, report.

    Reads ``path`` against a catalogue (the bundled one by default), prints a
    summary (columns used, counts per status, the first rows to look at) and
    writes the full report, safe against formula injection, when
    ``report_path`` is given (CSV, XLSX, JSON or HTML by its suffix). With
    ``save``, the catalogue with the import merged in is written there as
    YAML, ready for ``matchmaker --catalogue FOLDER shortlist ...``. Errors
    go to standard error.

    Parameters
    ----------
    path : str or Path
        The file to import.
    report_path : str or Path, optional
        Where to write the report.
    country, kind : str, optional
        Defaults for rows without a country or kind.
    catalogue : str or Path, optional
        Folder or YAML file of the catalogue to de-duplicate against.
    sheet : str, optional
        Name of the XLSX sheet to read (the first sheet by default).
    save : str or Path, optional
        Folder to write the merged catalogue to; it must not hold a catalogue
        already (nothing is overwritten).

    Returns
    -------
    int
        0, or 2 when nothing could be imported (a file-level error, or every
        row rejected).

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
    if report_path is not None and not Path(report_path).parent.is_dir():
        print(
            f"Could not import {path}: the folder of the report {report_path} does not exist.",
            file=sys.stderr,
        )
        return 2
    if save is not None and (Path(save) / "catalogue").exists():
        print(
            f"Could not import {path}: {save} already holds a catalogue; "
            "choose a new folder for --save (nothing is overwritten).",
            file=sys.stderr,
        )
        return 2
    try:
        base = load_catalogue(None if catalogue is None else Path(catalogue))
        result = read_profiles(path, country=country, kind=kind, catalogue=base, sheet=sheet)
    except (ValueError, ImportError, OSError) as exc:
        print(f"Could not import {path}:\n{exc}", file=sys.stderr)
        return 2
    counts = result.summary()
    rows = len(result.report)
    where = result.source + (f", sheet {result.sheet!r}" if result.sheet else "")
    enc = f", encoding {result.encoding}" if result.encoding else ""
    print(f"Read {rows} row{'s' if rows != 1 else ''} from {where}{enc}.")
    print("Columns: " + ", ".join(f"{c!r} -> {f}" for c, f in result.columns.items()))
    if result.ignored_columns:
        print("Not imported: " + ", ".join(repr(c) for c in result.ignored_columns))
    print("Rows: " + ", ".join(f"{n} {status}" for status, n in counts.items()))
    attention = result.report[result.report["status"].isin(["review", "rejected"])]
    if len(attention):
        print("To look at:")
        for rec in attention.head(20).itertuples(index=False):
            print(f"  row {rec.row} {rec.status} {rec.name!r}: {rec.reasons}")
        if len(attention) > 20:
            more = "see the report" if report_path else "pass --report REPORT.csv for all"
            print(f"  ... and {len(attention) - 20} more; {more}")
    if report_path is not None:
        written = write_frame(result.report, Path(report_path))
        print(f"Report written to {written}.")
    imported = counts["imported"] + counts["merged"] + counts["review"]
    if save is not None and imported:
        merged = base.merge(result)
        folder = merged.to_yaml(Path(save))
        print(
            f"Catalogue of {len(merged)} profiles saved to {folder}; "
            f"use it with: matchmaker --catalogue {folder} shortlist ..."
        )
    return 0 if imported else 2
