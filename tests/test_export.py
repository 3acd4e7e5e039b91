"""Exports carry their context, cannot carry formulas or markup, and never break on odd text."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matchmaker
from matchmaker import Catalogue, Matchmaker, Profile
from matchmaker.export._cells import clean_text, is_formula, safe_cell, safe_frame
from matchmaker.export._write import check_format, write
from matchmaker.ranking._weights import COMPONENTS

DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n")
WEAK = "our worn shafts are scrapped because nobody can build the metal back up"
SRC = [{"document": "Example", "section": "Table 1"}]


@given(st.text())
def test_no_text_cell_starts_with_a_formula_character_even_after_nfkc(text: str) -> None:
    out = safe_cell(text)
    assert not (unicodedata.normalize("NFKC", out).startswith(DANGEROUS) and out == text)
    # Nothing is lost: the original is the cell minus at most one apostrophe.
    assert out in (text, "'" + text)


@pytest.mark.parametrize("sign", ["＝", "＋", "－", "＠", "﹦", "﹢"])
def test_full_width_signs_are_formulas(sign: str) -> None:
    assert is_formula(sign + "SUM(A1)")
    assert safe_cell(sign + "1") == "'" + sign + "1"


@given(st.one_of(st.integers(), st.floats(allow_nan=False)))
def test_numbers_are_untouched(number: float) -> None:
    assert safe_cell(number) == number


@given(st.text())
def test_clean_text_keeps_length_and_only_replaces_what_xml_rejects(text: str) -> None:
    out = clean_text(text)
    assert len(out) == len(text)
    for a, b in zip(text, out, strict=True):
        assert a == b or (
            b == "\ufffd" and (ord(a) < 32 or 0xD800 <= ord(a) <= 0xDFFF or a in "\ufffe\uffff")
        )
    assert "\t" not in text or "\t" in out


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["=1+1", "+cmd|' /C calc'!A0", "-2", "@SUM(A1)", "\tx", "Acme <b>", "＝1+1"],
            "score": [0.5, 0.25, -1.0, 1.0, 0.0, 0.75, 0.1],
            "rank": [1, 2, 3, 4, 5, 6, 7],
        }
    )


def test_csv_cells_are_safe_and_numbers_numeric(tmp_path: Path) -> None:
    path = write(_frame(), tmp_path / "out.csv")
    back = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False)
    assert all(not is_formula(v) for v in back.name)
    assert back.score.tolist() == [0.5, 0.25, -1.0, 1.0, 0.0, 0.75, 0.1]
    assert back["rank"].dtype.kind == "i"


def test_xlsx_stores_text_as_text_with_no_apostrophe(tmp_path: Path) -> None:
    path = write(_frame(), tmp_path / "out.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["About this list", "Table"]
    sheet = book["Table"]
    values = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert values == _frame().name.tolist()  # exactly the text: no apostrophe added
    for name, score, rank in sheet.iter_rows(min_row=2):
        assert name.data_type == "s"  # a string, never a formula
        assert score.data_type == "n"
        assert rank.data_type == "n"
    assert sheet["A2"].quotePrefix  # stays text when someone edits it
    assert sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:C8"
    assert sheet.column_dimensions["A"].width > len("name")


def test_html_escapes_text(tmp_path: Path) -> None:
    html = write(_frame(), tmp_path / "out.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "Acme &lt;b&gt;" in html
    assert "<b>" not in html


def test_headers_are_safe_too() -> None:
    assert list(safe_frame(pd.DataFrame({"=bad": ["x"]})).columns) == ["'=bad"]


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("brief.pdf", "PDF is not written directly"),
        ("r.xls", "use .xlsx"),
        ("t.txt", "unknown suffix"),
    ],
)
def test_unsupported_suffixes_are_refused_in_one_line(name: str, why: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=why) as info:
        write(_frame(), tmp_path / name)
    message = str(info.value)
    assert "\n" not in message
    assert "Supported: .csv, .json, .xlsx, .html." in message
    assert not (tmp_path / name).exists()


def test_format_parameter_and_folder_targets(tmp_path: Path) -> None:
    assert check_format("x.data", "JSON") == "json"
    with pytest.raises(ValueError, match="'format' parameter of write"):
        write(_frame(), tmp_path / "x.csv", format="pdf")
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        write(_frame(), tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write(_frame(), tmp_path / "no" / "x.csv")
    with pytest.raises(TypeError, match="Got int instead"):
        write(3, tmp_path / "x.csv")


def test_an_error_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from matchmaker.export import _xlsx

    def broken(report: object, path: Path) -> None:
        path.write_bytes(b"PK half a workbook")
        raise OSError("disk full")

    monkeypatch.setattr(_xlsx, "write_xlsx", broken)
    with pytest.raises(OSError, match="disk full"):
        write(_frame(), tmp_path / "out.xlsx")
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "keep.xlsx").write_bytes(b"old")
    with pytest.raises(OSError, match="disk full"):
        write(_frame(), tmp_path / "keep.xlsx")
    assert (tmp_path / "keep.xlsx").read_bytes() == b"old"  # the old file is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["keep.xlsx"]


# -- shortlists carry their context ----------------------------------------------------
@pytest.fixture(scope="module")
def engine() -> Matchmaker:
    return Matchmaker().fit()


@pytest.mark.parametrize("fmt", ["html", "json", "xlsx"])
def test_a_weak_shortlist_carries_query_reading_and_warning(
    engine: Matchmaker, fmt: str, tmp_path: Path
) -> None:
    top = engine.shortlist(WEAK, k=3, country="GB")
    assert top.no_good_match
    path = write(top, tmp_path / f"weak.{fmt}")
    if fmt == "html":
        text = path.read_text(encoding="utf-8")
    elif fmt == "json":
        context = json.loads(path.read_text(encoding="utf-8"))["context"]
        assert context["query"] == WEAK
        assert context["warning"].startswith("No good match")
        assert context["read as"].startswith("nothing the taxonomy knows")
        assert set(context) >= {"caveats", "created", "catalogue", "weights"}
        text = json.dumps(context)
    else:
        about = openpyxl.load_workbook(path)["About this list"]
        fields = {row[0].value: row[1].value for row in about.iter_rows(min_row=2)}
        assert {"query", "read as", "warning", "created", "catalogue", "weights"} <= set(fields)
        text = " ".join(str(v) for v in fields.values())
    assert WEAK in text
    assert "No good match" in text
    assert "nothing the taxonomy knows" in text


def test_a_strong_shortlist_has_names_evidence_caveats_and_no_warning(
    engine: Matchmaker, tmp_path: Path
) -> None:
    top = engine.shortlist("laser cladding repair", k=3, country="GB")
    html = write(top, tmp_path / "s.html").read_text(encoding="utf-8")
    assert 'id="no-good-match"' not in html
    first = top.candidates[0]
    assert first.name in html
    assert f">{first.id}<" not in html
    assert "laser cladding" in html
    assert "激光熔覆" in html
    assert html.count("<details>") == len(top)  # one folded component table each
    for component in COMPONENTS:
        assert f"<td>{component}</td>" in html
    caveats = top.explain(1).caveats
    assert len(caveats)
    assert caveats.text.iloc[0] in html
    assert first.sources[0].document in html
    assert "@media print" in html
    assert '<meta charset="utf-8">' in html
    assert "<script" not in html
    assert "http" not in html.split("<body>")[0]


def test_csv_and_json_carry_the_same_columns(engine: Matchmaker, tmp_path: Path) -> None:
    top = engine.shortlist("laser cladding repair", k=3, country="GB")
    csv = pd.read_csv(write(top, tmp_path / "s.csv"), encoding="utf-8-sig")
    data = json.loads(write(top, tmp_path / "s.json").read_text(encoding="utf-8"))
    assert list(csv.columns) == data["columns"]
    assert list(csv.columns[:3]) == ["rank", "name", "name_zh"]
    assert {"reasons", "website", "evidence", "caveats", "sources", *COMPONENTS} <= set(csv.columns)
    assert csv["name"].tolist() == [p.name for p in top.candidates]
    assert [r["id"] for r in data["rows"]] == [p.id for p in top.candidates]


def test_every_string_a_profile_can_hold_is_written(tmp_path: Path) -> None:
    nasty = '=HYPERLINK("http://x")\x07\x00\x1b[31m <script>alert(1)</script> ＝1 \uffff \u202e'
    profiles = [
        Profile(
            id="a",
            name=nasty,
            name_zh="激光\x0b",
            country="GB",
            kind="company",
            website="javascript:alert(1)",
            offers=["laser cladding " + nasty],
            sources=SRC,
        ),
        Profile(
            id="b",
            name="Need",
            country="CN",
            kind="sector_demand",
            needs=["laser cladding repair"],
            sources=SRC,
        ),
    ]
    top = Matchmaker(Catalogue(profiles)).shortlist("b", k=1)
    for fmt in ("csv", "json", "xlsx", "html"):
        path = write(top, tmp_path / f"n.{fmt}")
        assert path.stat().st_size > 0
    html = (tmp_path / "n.html").read_text(encoding="utf-8")
    assert "<script>" not in html
    assert 'href="javascript' not in html
    sheet = openpyxl.load_workbook(tmp_path / "n.xlsx")["Shortlist"]
    assert sheet["B2"].value == clean_text(nasty)
    assert sheet["B2"].data_type == "s"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.text(), min_size=1, max_size=4))
def test_any_text_survives_every_format(tmp_path: Path, texts: list[str]) -> None:
    frame = pd.DataFrame({"name": texts, "n": range(len(texts))})
    for fmt in ("csv", "json", "xlsx", "html"):
        write(frame, tmp_path / f"t.{fmt}")
    data = json.loads((tmp_path / "t.json").read_text(encoding="utf-8", errors="surrogatepass"))
    assert len(data["rows"]) == len(texts)
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["Table"]
    # openpyxl does not decode the _x000D_ escape XLSX uses for CR (Excel does)
    back = [(r[0].value or "").replace("_x000D_", "\r") for r in sheet.iter_rows(min_row=2)]
    assert back == [clean_text(t) for t in texts]


# -- plans show every demand --------------------------------------------------------------
@pytest.fixture(scope="module")
def plan_and_schedule(engine: Matchmaker) -> tuple[object, object]:
    cat = engine.catalogue_
    plan = matchmaker.plan_mission(
        engine,
        cat.filter(country="CN", kind="sector_demand"),
        cat.filter(country="GB"),
        per_offer=2,
        per_need=2,
        min_per_need=0,
    )
    schedule = matchmaker.schedule_meetings(
        plan.assignments.head(4), slots=["09:00", "09:30"], tables=["T1", "T2"]
    )
    return plan, schedule


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx", "html"])
def test_a_forwarded_plan_shows_every_demand(
    plan_and_schedule: tuple[object, object], engine: Matchmaker, fmt: str, tmp_path: Path
) -> None:
    plan, schedule = plan_and_schedule
    demands = set(plan.cost.need_id)  # type: ignore[attr-defined]
    nobody = set(plan.unmatched)  # type: ignore[attr-defined]
    assert nobody
    assert demands - nobody
    path = write(plan, tmp_path / f"p.{fmt}", catalogue=engine.catalogue_, schedule=schedule)  # type: ignore[arg-type]
    if fmt == "csv":
        rows = pd.read_csv(path, encoding="utf-8-sig")
    elif fmt == "json":
        data = json.loads(path.read_text(encoding="utf-8"))
        rows = pd.DataFrame(data["rows"])
        assert data["context"]["left with nobody"] == len(nobody)
        assert set(data["tables"]) == {
            "Unmatched demands",
            "Alternates",
            "What the limits cost",
            "Schedule",
            "Not placed",
            "Agendas",
        }
    elif fmt == "xlsx":
        book = openpyxl.load_workbook(path)
        assert book.sheetnames[:4] == [
            "About this list",
            "Pairs",
            "Unmatched demands",
            "Alternates",
        ]
        assert {"Schedule", "Agendas"} <= set(book.sheetnames)
        rows = pd.read_excel(path, sheet_name="Pairs")
    else:
        html = path.read_text(encoding="utf-8")
        assert all(f'id="demand-{d}"' in html for d in demands)
        assert "节能工业锅炉" in html  # Chinese names of the demands
        assert "Agendas" in html
        assert "Timetable" in html
        return
    assert set(rows.need_id) == demands
    assert set(rows.loc[rows.status == "left with nobody", "need_id"]) == nobody
    assert "required" not in rows.columns
    assert list(rows.columns[:2]) == ["need_name", "offer_name"]
