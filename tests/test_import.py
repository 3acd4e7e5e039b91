"""Importing organisation lists: reading, validation, de-duplication, accounting.

Every test checks the row-accounting invariant: each input row appears in
the report exactly once, with a valid status, and every imported, reviewed or
merged row is accounted for by a profile that cites it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaker import Catalogue, Matchmaker, Profile, load_catalogue, write
from matchmaker._normalise import normalise_name
from matchmaker.catalogue._dedupe import (
    DuplicateFinder,
    Record,
    Thresholds,
    block_keys,
    domain_key,
    name_key,
    postcode_key,
)
from matchmaker.catalogue._import import (
    MAX_FIELD_CHARS,
    REASON_SEP,
    REPORT_COLUMNS,
    STATUSES,
    XLSX_INSTALL,
    ImportResult,
    InputFileError,
    merge_into,
    read_profiles,
    save_catalogue,
)
from matchmaker.catalogue._schema import Source
from matchmaker.cli._import import import_command

DATA = Path(__file__).parent / "data" / "import"
FIXTURE = DATA / "event_registrations.csv"
SRC = [{"document": "Tiny world", "section": "Table 1"}]


# -- the invariant --------------------------------------------------------------------


def check_accounting(result: ImportResult, rows: Sequence[int]) -> None:
    """Every input row exactly once; every non-rejected row backed by a profile citing it."""
    report = result.report
    assert list(report.columns) == REPORT_COLUMNS
    assert report["row"].tolist() == list(rows), "each input row once, in order"
    assert set(report["status"]) <= set(STATUSES)
    counts = result.summary()
    assert list(counts) == list(STATUSES)
    assert sum(counts.values()) == len(rows)
    new = report[report["status"].isin(["imported", "review"])]
    assert len(new) == len(result.profiles) == counts["imported"] + counts["review"]
    assert sorted(new["id"]) == sorted(p.id for p in result.profiles)
    assert len({p.id for p in result.profiles}) == len(result.profiles)
    owners: dict[str, Profile] = {p.id: p for p in result.profiles} | result.updates
    merged_into_catalogue = set()
    for rec in report.itertuples(index=False):
        if rec.status == "rejected":
            assert pd.isna(rec.id), rec
            assert isinstance(rec.reasons, str), rec
            assert rec.reasons, rec
            continue
        assert rec.id in owners, rec
        cited = Source(document=result.source, section=f"row {rec.row}")
        assert cited in owners[rec.id].sources, rec
        if rec.status in ("merged", "review"):
            assert isinstance(rec.duplicate_of, str), rec
            assert rec.duplicate_of, rec
            assert 0 <= rec.similarity <= 100
        if rec.status == "review":
            assert "possible duplicate" in rec.reasons
        if rec.status == "merged" and rec.id not in set(new["id"]):
            merged_into_catalogue.add(rec.id)
    assert set(result.updates) == merged_into_catalogue
    assert set(result.originals) == set(result.updates)


def check_report_file(path: Path, rows: Sequence[int]) -> pd.DataFrame:
    """The invariant on a report written to disk: every row once, valid statuses."""
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert frame.columns.tolist() == REPORT_COLUMNS
    assert frame["row"].tolist() == [str(n) for n in rows]
    assert set(frame["status"]) <= set(STATUSES)
    assert (frame["reasons"][frame["status"] == "rejected"] != "").all()
    return frame


def status_of(result: ImportResult) -> dict[int, str]:
    return dict(zip(result.report["row"], result.report["status"], strict=True))


def row(result: ImportResult, number: int) -> dict[str, Any]:
    found = result.report[result.report["row"] == number]
    assert len(found) == 1
    out: dict[str, Any] = found.iloc[0].to_dict()
    return out


def company(pid: str, name: str, **kw: Any) -> Profile:
    return Profile.model_validate(
        {
            "id": pid,
            "name": name,
            "country": "GB",
            "kind": "company",
            "offers": ["Thermal spraying"],
            "sources": SRC,
        }
        | kw
    )


# -- the messy fixture ---------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_result(bundled: Catalogue) -> ImportResult:
    return read_profiles(FIXTURE, catalogue=bundled)


def test_fixture_every_row_has_its_known_status(fixture_result: ImportResult) -> None:
    check_accounting(fixture_result, range(2, 21))
    assert status_of(fixture_result) == {
        2: "merged",
        3: "merged",
        4: "merged",
        5: "imported",
        6: "merged",
        7: "review",
        8: "merged",
        9: "merged",
        10: "imported",
        11: "imported",  # the formula in its Website cell is dropped, with a note
        12: "rejected",
        13: "rejected",
        14: "rejected",
        15: "imported",
        16: "merged",
        17: "merged",
        18: "rejected",
        19: "rejected",
        20: "imported",
    }
    assert fixture_result.summary() == {"imported": 5, "merged": 8, "review": 1, "rejected": 5}
    assert fixture_result.encoding == "utf-8-sig"


def test_fixture_catalogue_firms_spelt_differently_merge(fixture_result: ImportResult) -> None:
    check_accounting(fixture_result, range(2, 21))
    autocraft = row(fixture_result, 2)
    assert (autocraft["id"], autocraft["duplicate_of"]) == ("autocraft-solutions",) * 2
    assert autocraft["keys"] == "name; website; postcode"
    assert autocraft["similarity"] == 100.0
    assert row(fixture_result, 3)["id"] == "twi"
    assert row(fixture_result, 4)["id"] == "oakdene-hollins"
    assert row(fixture_result, 8)["id"] == "oakdene-hollins"
    # Traditional characters and a legal suffix: 東風汽車集團有限公司 is 东风汽车集团.
    dongfeng = row(fixture_result, 9)
    assert dongfeng["id"] == "dongfeng-motor"
    assert dongfeng["matched"] == "东风汽车集团"
    # Carwood has no capabilities in the file: fine for a merge.
    assert row(fixture_result, 17)["id"] == "carwood"


def test_fixture_columns_mapped_with_synonyms(fixture_result: ImportResult) -> None:
    check_accounting(fixture_result, range(2, 21))
    # "Name" is the delegate: a weak synonym loses to "Company Name", and is reported.
    assert fixture_result.columns["Company Name"] == "name"
    assert fixture_result.columns["中文名称"] == "name_zh"
    assert fixture_result.columns["需求"] == "needs"
    assert fixture_result.columns["Capabilities"] == "offers"
    assert fixture_result.ignored_columns == ["Name", "Notes"]


def test_fixture_duplicates_within_the_file(fixture_result: ImportResult) -> None:
    check_accounting(fixture_result, range(2, 21))
    assert row(fixture_result, 5)["id"] == "brightwell-coatings"
    again = row(fixture_result, 6)
    assert (again["id"], again["duplicate_of"]) == ("brightwell-coatings", "row 5")
    assert again["keys"] == "name; website"
    brightwell = next(p for p in fixture_result.profiles if p.id == "brightwell-coatings")
    assert [s.section for s in brightwell.sources] == ["row 5", "row 6"]
    assert "Brightwell Coatings Limited" in brightwell.aliases
    assert "Laser cladding repair of shafts" in brightwell.offers
    # One typo and no website: below the automatic threshold, kept but flagged.
    typo = row(fixture_result, 7)
    assert typo["duplicate_of"] == "row 5"
    assert typo["similarity"] == pytest.approx(94.4, abs=0.1)
    assert typo["id"] == "brightwel-coating"


def test_fixture_rejections_give_every_reason(fixture_result: ImportResult) -> None:
    check_accounting(fixture_result, range(2, 21))
    assert "formula" in row(fixture_result, 11)["reasons"]
    assert "column D ('Website')" in row(fixture_result, 11)["reasons"]
    assert "the name is a number ('12345')" in row(fixture_result, 12)["reasons"]
    assert row(fixture_result, 13)["reasons"].startswith("no name:")
    assert "Got 'France' instead" in row(fixture_result, 14)["reasons"]
    nova = row(fixture_result, 18)["reasons"]
    assert "no kind" in nova
    assert "no offers, needs or summary" in nova
    assert row(fixture_result, 19)["reasons"] == "blank row: nothing to import"


def test_fixture_chinese_only_name_gets_a_stable_hash_id(
    fixture_result: ImportResult,
) -> None:
    check_accounting(fixture_result, range(2, 21))
    expected = (
        "org-"
        + hashlib.sha1(normalise_name("苏州绿源再制造科技有限公司").encode("utf-8")).hexdigest()[:8]
    )
    assert row(fixture_result, 10)["id"] == expected
    suzhou = next(p for p in fixture_result.profiles if p.id == expected)
    assert suzhou.country == "CN"
    assert suzhou.kind == "company"
    assert suzhou.offers == ("发动机再制造", "激光熔覆")
    assert suzhou.industries == ("再制造", "汽车零部件")
    assert suzhou.postcode == "215000"


def test_merge_keeps_provenance_and_prefers_the_catalogue(
    fixture_result: ImportResult, bundled: Catalogue
) -> None:
    check_accounting(fixture_result, range(2, 21))
    before, after = bundled["autocraft-solutions"], fixture_result.updates["autocraft-solutions"]
    assert after.sources[: len(before.sources)] == before.sources
    assert after.sources[-1] == Source(document="event_registrations.csv", section="row 2")
    assert "Autocraft Solutions Group Ltd" in after.aliases
    assert after.website == before.website  # http://autocraftsg.com/contact is the same site
    assert set(before.offers) < set(after.offers)
    # A new Chinese name fills an empty field and is recorded.
    yuxiang = row(fixture_result, 16)
    assert "added Chinese name '重庆渝湘智能科技有限公司'" in yuxiang["reasons"]
    assert fixture_result.updates["chongqing-yuxiang"].name_zh == "重庆渝湘智能科技有限公司"
    assert fixture_result.originals["twi"] == bundled["twi"]


def test_conflicting_values_are_kept_from_the_catalogue_and_reported(
    bundled: Catalogue,
) -> None:
    frame = pd.DataFrame(
        {
            "Company": ["TWI Ltd"],
            "City": ["Sheffield"],
            "Postcode": ["CB21 6AL"],
            "Size": ["large"],
        }
    )
    result = read_profiles(frame, catalogue=bundled)
    check_accounting(result, [1])
    twi = row(result, 1)
    assert twi["status"] == "merged"
    assert "kept city 'Cambridge' of twi; the file has 'Sheffield'" in twi["reasons"]
    assert "added size 'large'" in twi["reasons"]
    assert result.updates["twi"].city == "Cambridge"
    assert result.updates["twi"].size == "large"


# -- encodings -------------------------------------------------------------------------

CHINESE_TABLE = (
    "企业名称,网址,邮编,城市,国家,主营业务,需求,行业\n"
    "苏州绿源再制造科技有限公司,www.lvyuan-reman.cn,215000,苏州,中国,发动机再制造,英国热喷涂技术,再制造\n"
    "東風汽車集團有限公司,,,十堰,中国,商用车再制造,,汽车\n"
)


@pytest.mark.parametrize(
    ("codec", "expected"),
    [("gbk", "gb18030"), ("gb18030", "gb18030"), ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig")],
)
def test_encodings_are_detected_and_recorded(
    tmp_path: Path, bundled: Catalogue, codec: str, expected: str
) -> None:
    path = tmp_path / "partners.csv"
    path.write_bytes(CHINESE_TABLE.encode(codec))
    result = read_profiles(path, catalogue=bundled, kind="company")
    check_accounting(result, [2, 3])
    assert result.encoding == expected
    assert result.columns["企业名称"] == "name"
    assert status_of(result) == {2: "imported", 3: "merged"}
    assert row(result, 3)["id"] == "dongfeng-motor"
    # The same firm gets the same id whatever the encoding.
    assert (
        row(result, 2)["id"] == "org-" + hashlib.sha1("苏州绿源再制造科技".encode()).hexdigest()[:8]
    )


def test_undecodable_file_names_the_file_and_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    # 0x81 is undefined in Windows-1252 and starts no Big5 character; 0x81 0xff is no GB18030.
    path.write_bytes(b"name,offers\nAcme,\x81\xff stuff\n")
    with pytest.raises(InputFileError, match=r"broken\.csv.*byte offset 17") as info:
        read_profiles(path, catalogue=Catalogue([]))
    assert info.value.file == "broken.csv"
    for name in ("UTF-8", "gb18030", "big5", "windows-1252", "encoding="):
        assert name in str(info.value)
    path.write_bytes(b"name,offers\nAcme,stuff\n")  # saved again as UTF-8
    result = read_profiles(path, country="GB", kind="company", catalogue=Catalogue([]))
    check_accounting(result, [2])


@pytest.mark.parametrize(
    ("codec", "reported"),
    [("utf-16", "utf-16"), ("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be")],
)
def test_utf16_is_read_with_or_without_a_bom(tmp_path: Path, codec: str, reported: str) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("name,offers\nMüller 苏州,x\n".encode(codec))
    result = read_profiles(path, country="GB", kind="company", catalogue=Catalogue([]))
    check_accounting(result, [2])
    assert result.encoding == reported
    assert result.profiles[0].name == "Müller 苏州"


# -- file-level errors ----------------------------------------------------------------------


GOOD = b"Company Name,Offers\nAcme,x\n"


@pytest.mark.parametrize(
    ("content", "message", "fixed"),
    [
        (b"", "the file is empty", GOOD),
        (b"  \r\n", "the file is empty", GOOD),
        (b"Company Name,Offers\n", "no data rows", GOOD),
        (b"Company Name;Offers\nAcme;x\n", "save the file as comma-separated", GOOD),
        (
            b"Event registrations 2024,,\nCompany,Website,Capabilities\nAcme,acme.com,x\n",
            "Row 2 looks like a header row",
            b"Company,Website,Capabilities\nAcme,acme.com,x\n",
        ),
        (b'name,offers\n"Acme,x\n', "broken CSV", b'name,offers\n"Acme",x\n'),
    ],
)
def test_bad_files_raise_clear_errors(
    tmp_path: Path, content: bytes, message: str, fixed: bytes
) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=message):
        read_profiles(path, catalogue=Catalogue([]))
    path.write_bytes(fixed)  # what the message asks for
    result = read_profiles(path, country="GB", kind="company", catalogue=Catalogue([]))
    check_accounting(result, [2])
    assert status_of(result) == {2: "imported"}


def test_missing_name_column_lists_columns_found_and_names_accepted(tmp_path: Path) -> None:
    path = tmp_path / "crm.csv"
    path.write_text("Contact,Email,Phone\nJo,jo@x.com,123\n", encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        read_profiles(path, catalogue=Catalogue([]))
    text = str(info.value)
    assert "Columns found: 'Contact', 'Email', 'Phone'" in text
    for accepted in ("'Company Name'", "'Organisation'", "'公司名称'", "'企业名称'"):
        assert accepted in text
    assert "mapping={'Your column': 'name'}" in text
    result = read_profiles(
        path, mapping={"Contact": "name"}, country="GB", kind="company", catalogue=Catalogue([])
    )
    check_accounting(result, [2])
    assert "no offers, needs or summary" in row(result, 2)["reasons"]


def test_all_file_problems_are_reported_together(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text("Contact,City,City,\nJo,Leeds,York,stray\n", encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        read_profiles(path, catalogue=Catalogue([]))
    problems = [p.message for p in info.value.problems]
    assert len(problems) == 3
    assert any("2 columns are called 'City'" in p for p in problems)
    assert any("column D has values but no header" in p for p in problems)
    assert any("no column holds the organisation name" in p for p in problems)
    path.write_text("Company,City,Town,Notes\nJo Ltd,Leeds,York,stray\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="'City' and 'Town' each look like the city"):
        read_profiles(path, catalogue=Catalogue([]))
    result = read_profiles(
        path,
        mapping={"Town": None, "Notes": "summary"},
        country="GB",
        kind="company",
        catalogue=Catalogue([]),
    )
    check_accounting(result, [2])
    assert (result.profiles[0].city, result.profiles[0].summary) == ("Leeds", "stray")


def test_unsupported_suffix_and_missing_file(tmp_path: Path) -> None:
    old = tmp_path / "list.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputFileError, match=r"Save it as \.xlsx or CSV"):
        read_profiles(old, catalogue=Catalogue([]))
    with pytest.raises(FileNotFoundError, match=r"nowhere\.csv"):
        read_profiles(tmp_path / "nowhere.csv", catalogue=Catalogue([]))
    with pytest.raises(TypeError, match="must be a path"):
        read_profiles(42, catalogue=Catalogue([]))  # type: ignore[arg-type]
    saved = tmp_path / "list.tsv"
    saved.write_text("Company\tOffers\nAcme\tx\n", encoding="utf-8")
    result = read_profiles(saved, country="GB", kind="company", catalogue=Catalogue([]))
    check_accounting(result, [2])


# -- row-level problems ------------------------------------------------------------------


def test_long_fields_and_numbers_are_rejected_with_reasons() -> None:
    frame = pd.DataFrame(
        {
            "Company": ["Long Ltd", "Exact Ltd", 2024, "Acme Ltd", "Dated Ltd"],
            "Description": [
                "x" * (MAX_FIELD_CHARS + 1),
                "y" * MAX_FIELD_CHARS,
                "fine",
                "fine",
                "fine",
            ],
            "City": ["Leeds", "Leeds", "Leeds", 17.5, pd.Timestamp("2024-01-01")],
        },
        dtype=object,
    )
    result = read_profiles(frame, country="GB", kind="company", catalogue=Catalogue([]))
    check_accounting(result, [1, 2, 3, 4, 5])
    assert status_of(result) == {
        1: "rejected",
        2: "imported",
        3: "rejected",
        4: "rejected",
        5: "rejected",
    }
    assert f"more than the {MAX_FIELD_CHARS} allowed" in row(result, 1)["reasons"]
    assert "expected text, got the number 2024" in row(result, 3)["reasons"]
    assert "expected text, got the number 17.5" in row(result, 4)["reasons"]
    assert "date or time" in row(result, 5)["reasons"]


def test_every_reason_of_a_row_is_reported() -> None:
    frame = pd.DataFrame(
        {
            "Company": ["=cmd|' /C calc'!A0"],
            "Website": ["=HYPERLINK(1)"],
            "Size": ["huge"],
            "Country": ["Atlantis"],
        }
    )
    result = read_profiles(frame, kind="company", catalogue=Catalogue([]))
    check_accounting(result, [1])
    reasons = sorted(row(result, 1)["reasons"].split(REASON_SEP))
    assert len(reasons) == 3
    assert "column 'Company'" in reasons[0]
    assert "formula" in reasons[0]
    assert "size 'huge' is not one of micro, sme or large" in reasons[1]
    assert "column 'Website'" in reasons[2]
    assert "formula" in reasons[2]
    assert row(result, 1)["status"] == "rejected"
    assert row(result, 1)["name"] == "=cmd|' /C calc'!A0"


def test_explicit_ids_duplicates_and_catalogue_ids(bundled: Catalogue) -> None:
    frame = pd.DataFrame(
        {
            "id": ["twi", "twi", "acme-reman", "acme-reman", "acme-reman", "Bad Id"],
            "name": [
                "TWI Ltd",
                "Acme Widgets",
                "Acme Reman Ltd",
                "Acme Reman Limited",
                "Zebra Paints",
                "Beta",
            ],
            "offers": ["Welding", "Widgets", "Engines", "Gearboxes", "Paint", "x"],
        }
    )
    result = read_profiles(frame, country="GB", kind="company", catalogue=bundled)
    check_accounting(result, [1, 2, 3, 4, 5, 6])
    assert status_of(result) == {
        1: "merged",
        2: "rejected",
        3: "imported",
        4: "merged",
        5: "rejected",
        6: "rejected",
    }
    assert row(result, 1)["keys"].startswith("id; name")
    assert "id 'twi' already belongs to catalogue profile 'twi'" in row(result, 2)["reasons"]
    assert row(result, 4)["duplicate_of"] == "row 3"
    assert "id 'acme-reman' already belongs to row 3" in row(result, 5)["reasons"]
    assert "id must be a slug" in row(result, 6)["reasons"]


def test_generated_ids_are_unique_against_catalogue_and_file() -> None:
    catalogue = Catalogue([company("acme", "Zeta Works")])
    frame = pd.DataFrame(
        {"Company": ["Acme Ltd", "ACME (Leeds) Ltd"], "Offers": ["Thermal spraying", "Casting"]}
    )
    result = read_profiles(frame, country="GB", kind="company", catalogue=catalogue)
    check_accounting(result, [1, 2])
    assert [p.id for p in result.profiles] == ["acme-2", "acme-leeds"]


def test_row_ids_do_not_merge_into_another_profile() -> None:
    catalogue = Catalogue([company("water-kit", "Water pollution control kit")])
    frame = pd.DataFrame(
        {"id": ["waters-kit"], "name": ["Water pollution control kit Ltd"], "offers": ["x"]}
    )
    result = read_profiles(frame, country="GB", kind="company", catalogue=catalogue)
    check_accounting(result, [1])
    assert row(result, 1)["status"] == "review"
    assert "the row's id 'waters-kit' differs from 'water-kit'" in row(result, 1)["reasons"]


# -- de-duplication rules ---------------------------------------------------------------


def test_keys_are_normalised(bundled: Catalogue) -> None:
    assert name_key("Grainger & Worrall Ltd.") == name_key("GRAINGER AND WORRALL LIMITED")
    assert name_key("Ｏａｋｄｅｎｅ Ｈｏｌｌｉｎｓ") == "oakdene hollins"
    assert name_key("重慶渝湘智能科技股份有限公司") == "重庆渝湘智能科技"
    assert domain_key("HTTPS://WWW.Autocraftsg.com:443/en/") == "autocraftsg.com"
    assert domain_key("mailto me") is None
    assert postcode_key("ng32  2ly") == postcode_key("NG32-2LY") == "NG322LY"
    names = ["GRAINGER AND WORRALL LIMITED", "Ｏａｋｄｅｎｅ Ｈｏｌｌｉｎｓ", "T.W.I. Ltd"]
    result = read_profiles(pd.DataFrame({"Company": names}), catalogue=bundled)
    check_accounting(result, [1, 2, 3])
    assert result.report["id"].tolist() == ["grainger-worrall", "oakdene-hollins", "twi"]


def test_corroboration_lifts_a_borderline_name_to_a_merge() -> None:
    catalogue = Catalogue(
        [
            company(
                "brightwell",
                "Brightwell Coatings",
                postcode="S9 1XH",
                website="https://brightwellcoatings.co.uk",
            )
        ]
    )
    frame = pd.DataFrame(
        {
            "Company": ["Brightwel Coating", "Brightwel Coatings Ltd", "Brightwel Coating"],
            "Postcode": ["s91xh", None, None],
            "Website": [None, "www.brightwellcoatings.co.uk", None],
            "Offers": ["a", "b", "c"],
        }
    )
    result = read_profiles(frame, country="GB", kind="company", catalogue=catalogue)
    check_accounting(result, [1, 2, 3])
    assert status_of(result) == {1: "merged", 2: "merged", 3: "merged"}
    assert row(result, 1)["keys"] == "name; postcode"
    assert row(result, 2)["keys"] == "name; website"
    # Row 3 spells the name exactly as row 1, which the postcode tied to the catalogue firm.
    assert row(result, 3)["similarity"] == 100.0
    # On its own, the typo is only flagged...
    alone = read_profiles(frame.iloc[[2]], country="GB", kind="company", catalogue=catalogue)
    check_accounting(alone, [1])
    assert row(alone, 1)["status"] == "review"
    assert row(alone, 1)["similarity"] == pytest.approx(94.4, abs=0.1)
    # ...unless the merge threshold is lowered.
    looser = read_profiles(
        frame.iloc[[2]], country="GB", kind="company", catalogue=catalogue, merge_threshold=90
    )
    check_accounting(looser, [1])
    assert row(looser, 1)["status"] == "merged"


def test_different_websites_block_an_automatic_merge(bundled: Catalogue) -> None:
    frame = pd.DataFrame(
        {"Company": ["TWI Ltd"], "Website": ["https://twi.example.org"], "Offers": ["Welding"]}
    )
    result = read_profiles(frame, country="GB", kind="rto", catalogue=bundled)
    check_accounting(result, [1])
    assert row(result, 1)["status"] == "review"
    assert "websites differ (example.org vs twi-global.com)" in row(result, 1)["reasons"]


def test_a_different_word_is_not_a_typo() -> None:
    catalogue = Catalogue([company("water", "Water pollution prevention and control equipment")])
    frame = pd.DataFrame(
        {"name": ["Air pollution prevention and control equipment"], "offers": ["x"]}
    )
    result = read_profiles(frame, country="CN", kind="sector_demand", catalogue=catalogue)
    check_accounting(result, [1])
    assert row(result, 1)["status"] == "review"
    assert "differ by a whole word" in row(result, 1)["reasons"]


def test_thresholds_are_validated_like_scikit_learn() -> None:
    frame = pd.DataFrame({"name": ["Acme"], "offers": ["x"]})
    with pytest.raises(
        ValueError,
        match=r"The 'merge_threshold' parameter of read_profiles "
        r"must be a number in \[0, 100\]. Got 101 instead.",
    ):
        read_profiles(frame, merge_threshold=101, catalogue=Catalogue([]))
    with pytest.raises(ValueError, match=r"'review_threshold' parameter .* Got 'high'"):
        read_profiles(frame, review_threshold="high", catalogue=Catalogue([]))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="review_threshold <= corroborated_threshold"):
        read_profiles(
            frame, review_threshold=90, corroborated_threshold=85, catalogue=Catalogue([])
        )
    with pytest.raises(ValueError, match="The 'country' parameter must be one of GB, CN"):
        read_profiles(frame, country="FR", catalogue=Catalogue([]))
    with pytest.raises(ValueError, match="The 'kind' parameter must be one of"):
        read_profiles(frame, kind="spaceship", catalogue=Catalogue([]))
    result = read_profiles(
        frame,
        country="UK",
        kind="company",
        merge_threshold=100,
        corroborated_threshold=90,
        review_threshold=90,
        catalogue=Catalogue([]),
    )
    check_accounting(result, [1])
    assert result.profiles[0].country == "GB"


# -- column mapping -----------------------------------------------------------------------


def test_explicit_mapping_overrides_synonyms() -> None:
    frame = pd.DataFrame(
        {
            "Name": ["Jo Bloggs"],
            "Firm Title": ["Acme Reman Ltd"],
            "What they do": ["Engine remanufacturing"],
        }
    )
    result = read_profiles(
        frame,
        mapping={"Firm Title": "name", "What they do": "offers", "Name": None},
        country="GB",
        kind="company",
        catalogue=Catalogue([]),
    )
    check_accounting(result, [1])
    assert result.profiles[0].name == "Acme Reman Ltd"
    assert result.profiles[0].offers == ("Engine remanufacturing",)
    assert result.columns == {"Firm Title": "name", "What they do": "offers"}


def test_bad_mapping_lists_columns_and_fields() -> None:
    frame = pd.DataFrame({"Company": ["Acme"], "Offers": ["x"]})
    with pytest.raises(InputFileError) as info:
        read_profiles(
            frame, mapping={"Firm": "name", "Offers": "capability"}, catalogue=Catalogue([])
        )
    text = str(info.value)
    assert (
        "mapping names column 'Firm', which is not in the file; columns found: "
        "'Company', 'Offers'" in text
    )
    assert "'capability', which is not a profile field; use one of id, name" in text
    result = read_profiles(
        frame, mapping={"Offers": "offers"}, country="GB", kind="company", catalogue=Catalogue([])
    )
    check_accounting(result, [1])


def test_ambiguous_and_bilingual_name_columns() -> None:
    both = pd.DataFrame({"Company": ["Acme"], "Organisation": ["Acme"], "Offers": ["x"]})
    with pytest.raises(InputFileError, match="'Company' and 'Organisation' each look like"):
        read_profiles(both, catalogue=Catalogue([]))
    bilingual = pd.DataFrame(
        {
            "Company Name": ["Suzhou Lvyuan Reman"],
            "公司名称": ["苏州绿源再制造科技有限公司"],
            "Offers": ["x"],
        }
    )
    result = read_profiles(bilingual, country="CN", kind="company", catalogue=Catalogue([]))
    check_accounting(result, [1])
    assert result.columns["公司名称"] == "name_zh"
    assert result.profiles[0].name_zh == "苏州绿源再制造科技有限公司"
    assert result.profiles[0].id == "suzhou-lvyuan-reman"


def test_ignored_name_column_is_pointed_out_when_the_name_is_missing() -> None:
    frame = pd.DataFrame({"Company": [None], "Name": ["Acme Ltd"], "Offers": ["x"]})
    result = read_profiles(frame, country="GB", kind="company", catalogue=Catalogue([]))
    check_accounting(result, [1])
    assert "pass mapping={'Name': 'name'}" in row(result, 1)["reasons"]


# -- JSON, YAML, DataFrame -----------------------------------------------------------------


def test_json_records_are_numbered_from_one(tmp_path: Path, bundled: Catalogue) -> None:
    path = tmp_path / "partners.json"
    path.write_text(
        json.dumps(
            {
                "profiles": [
                    {"公司名称": "TWI Ltd", "能力": ["Laser cladding"]},
                    ["not", "a", "record"],
                    {"公司名称": "Acme Reman", "能力": "Engines; Gearboxes", "邮编": 400000},
                ]
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    result = read_profiles(path, country="GB", kind="company", catalogue=bundled)
    check_accounting(result, [1, 2, 3])
    assert status_of(result) == {1: "merged", 2: "rejected", 3: "imported"}
    assert "expected a mapping" in row(result, 2)["reasons"]
    acme = result.profiles[0]
    assert (acme.offers, acme.postcode) == (("Engines", "Gearboxes"), "400000")
    assert acme.sources[-1] == Source(document="partners.json", section="row 3")


def test_yaml_uses_the_safe_loader(tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text("- name: !!python/object/apply:os.system ['echo hi']\n  offers: x\n")
    with pytest.raises(InputFileError, match="broken YAML at line 1"):
        read_profiles(path, catalogue=Catalogue([]))
    good = tmp_path / "ok.yml"
    good.write_text(
        "- name: 2024\n  offers: x\n- name: Gamma Ltd\n  offers: [a, b]\n  founded: 2020-01-01\n",
        encoding="utf-8",
    )
    result = read_profiles(good, country="GB", kind="company", catalogue=Catalogue([]))
    check_accounting(result, [1, 2])
    assert "expected text, got the number 2024" in row(result, 1)["reasons"]
    assert result.profiles[0].offers == ("a", "b")
    assert result.ignored_columns == ["founded"]


def test_saved_yaml_reimports_without_duplicates(tmp_path: Path, bundled: Catalogue) -> None:
    path = tmp_path / "subset.yaml"
    subset = [p.model_dump(mode="json") for p in list(bundled)[:20]]
    path.write_text(yaml.safe_dump(subset, allow_unicode=True), encoding="utf-8")
    result = read_profiles(path, catalogue=bundled)
    check_accounting(result, range(1, 21))
    assert set(result.report["status"]) == {"merged"}
    assert result.report["id"].tolist() == [p.id for p in list(bundled)[:20]]


# -- XLSX ------------------------------------------------------------------------------------


def _workbook(tmp_path: Path, blank_header_data: bool = False) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Delegates"
    sheet.append(["Company Name", "Website", "Postcode", "Capabilities", None, "Notes"])
    sheet.append(["TWI Ltd", "https://www.twi-global.com", "CB21 6AL", "Welding", None, "x"])
    sheet.append(
        ["Acme Coatings Ltd", '=HYPERLINK("http://evil.example")', 400000, "Spraying", None, None]
    )
    sheet.append([12345, "acme.com", None, "Spraying", None, None])
    sheet.append(
        [
            "Sheffield Forge Ltd",
            None,
            None,
            "Forging",
            "stray" if blank_header_data else None,
            "merged note",
        ]
    )
    sheet.append(["Leeds Laser Ltd", None, None, "Laser cutting", None, None])
    sheet.merge_cells("F5:F6")  # merged cells in a column that is not imported
    sheet.append([None] * 6)  # trailing blank rows are not rows
    other = book.create_sheet("Partners")
    other.append(["企业名称", "主营业务"])
    other.append(["東風汽車集團有限公司", "商用车"])
    path = tmp_path / "event.xlsx"
    book.save(path)
    return path


def test_xlsx_formula_cells_are_dropped_never_kept(tmp_path: Path, bundled: Catalogue) -> None:
    result = read_profiles(_workbook(tmp_path), country="GB", kind="company", catalogue=bundled)
    check_accounting(result, [2, 3, 4, 5, 6])
    assert result.sheet == "Delegates"
    assert result.encoding is None
    assert status_of(result) == {
        2: "merged",
        3: "imported",  # without its formula Website cell, with a note
        4: "rejected",
        5: "imported",
        6: "imported",
    }
    assert "column B ('Website'): a formula" in row(result, 3)["reasons"]
    assert "HYPERLINK" not in "".join(str(p.model_dump()) for p in result.profiles)
    assert "expected text, got the number 12345" in row(result, 4)["reasons"]


def test_xlsx_blank_header_with_values_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="column E has values but no header"):
        read_profiles(_workbook(tmp_path, blank_header_data=True), catalogue=Catalogue([]))
    # A blank header over an empty column is fine: the column holds nothing.
    path = _workbook(tmp_path)
    result = read_profiles(path, country="GB", kind="company", catalogue=Catalogue([]))
    check_accounting(result, [2, 3, 4, 5, 6])
    assert "Notes" in result.ignored_columns


def test_xlsx_merged_cells(tmp_path: Path) -> None:
    import openpyxl

    path = _workbook(tmp_path)
    book = openpyxl.load_workbook(path)
    book["Delegates"].merge_cells("D5:D6")  # two rows share one capability cell
    book.save(path)
    result = read_profiles(path, country="GB", kind="company", catalogue=Catalogue([]))
    check_accounting(result, [2, 3, 4, 5, 6])
    assert status_of(result)[5] == status_of(result)[6] == "rejected"
    assert "cells D5:D6 are merged" in row(result, 6)["reasons"]
    book["Delegates"].merge_cells("A1:B1")
    book.save(path)
    with pytest.raises(InputFileError, match="header cells A1:B1 are merged"):
        read_profiles(path, catalogue=Catalogue([]))


def test_xlsx_sheet_choice(tmp_path: Path, bundled: Catalogue) -> None:
    path = _workbook(tmp_path)
    for sheet in ("Partners", 1):
        result = read_profiles(path, sheet=sheet, country="CN", kind="company", catalogue=bundled)
        check_accounting(result, [2])
        assert result.sheet == "Partners"
        assert row(result, 2)["id"] == "dongfeng-motor"
    with pytest.raises(
        InputFileError, match="no sheet 'Nope'; the workbook has 'Delegates', 'Partners'"
    ):
        read_profiles(path, sheet="Nope", catalogue=bundled)
    with pytest.raises(ValueError, match=r"applies to \.xlsx files only"):
        read_profiles(FIXTURE, sheet=0, catalogue=bundled)


def test_xlsx_without_openpyxl_names_the_install_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _workbook(tmp_path)
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(ImportError) as info:
        read_profiles(path, catalogue=Catalogue([]))
    assert XLSX_INSTALL == "pip install 'sino-uk-matchmaker[xlsx]'"
    assert XLSX_INSTALL in str(info.value).splitlines()
    monkeypatch.undo()
    result = read_profiles(path, country="GB", kind="company", catalogue=Catalogue([]))
    check_accounting(result, [2, 3, 4, 5, 6])


# -- catalogue: merge, save, CSV -----------------------------------------------------------


def test_merge_into_returns_a_new_catalogue_the_engine_accepts(
    fixture_result: ImportResult, bundled: Catalogue
) -> None:
    check_accounting(fixture_result, range(2, 21))
    merged = merge_into(bundled, fixture_result)
    assert len(merged) == len(bundled) + len(fixture_result.profiles)
    assert merged["twi"] == fixture_result.updates["twi"]
    assert bundled["twi"] == fixture_result.originals["twi"]  # the input is unchanged
    assert merged.ids[: len(bundled)] == bundled.ids
    engine = Matchmaker(merged).fit()
    top = engine.shortlist("HVOF thermal spray coatings for aerospace parts", k=5, country="GB")
    assert "brightwell-coatings" in top.to_frame()["id"].tolist()
    other = Catalogue([company("twi", "TWI")])
    with pytest.raises(ValueError, match="made against another catalogue"):
        merge_into(other, fixture_result)


def test_save_catalogue_round_trips(
    tmp_path: Path, bundled: Catalogue, fixture_result: ImportResult
) -> None:
    check_accounting(fixture_result, range(2, 21))
    merged = merge_into(bundled, fixture_result)
    links = pd.DataFrame(
        [
            {
                "source_id": "twi",
                "target_id": "brightwell-coatings",
                "relation": "partners",
                "description": "Joint coating trials",
                "document": "event_registrations.csv",
                "section": "row 5",
            },
        ]
    )
    catalogue = Catalogue(list(merged), links)
    folder = save_catalogue(catalogue, tmp_path / "out")
    assert (folder / "catalogue" / "profiles.yaml").is_file()
    again = load_catalogue(folder)
    assert list(again) == list(catalogue)
    pd.testing.assert_frame_equal(again.partnerships, links, check_dtype=False)
    # Nothing is overwritten: every file it would write is checked first.
    before = (folder / "partnerships.yaml").read_bytes()
    with pytest.raises(FileExistsError, match="nothing is overwritten"):
        save_catalogue(again, folder)
    (folder / "catalogue" / "profiles.yaml").unlink()
    with pytest.raises(FileExistsError, match=r"partnerships\.yaml"):
        save_catalogue(again, folder)
    assert (folder / "partnerships.yaml").read_bytes() == before
    assert not (folder / "catalogue" / "profiles.yaml").exists()
    (folder / "partnerships.yaml").unlink()
    (folder / "catalogue" / "extra.yaml").write_text("[]")
    with pytest.raises(FileExistsError, match=r"extra\.yaml"):
        save_catalogue(again, folder)


def test_a_catalogue_written_as_csv_is_safe_and_reimports(tmp_path: Path) -> None:
    catalogue = Catalogue(
        [
            company(
                "acme",
                "Acme Ltd",
                summary='=HYPERLINK("http://evil.example")',
                industries=["aerospace", "automotive"],
            ),
            company("beta", "Beta Coatings", aliases=["Beta"], offers=["Plasma spraying"]),
        ]
    )
    path = write(catalogue, tmp_path / "cat.csv")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        cells = [c for line in csv.reader(fh) for c in line]
    assert '\'=HYPERLINK("http://evil.example")' in cells
    assert not any(c.startswith("=") for c in cells)
    result = read_profiles(path, catalogue=catalogue)
    check_accounting(result, [2, 3])
    assert result.report["id"].tolist() == ["acme", "beta"]
    assert set(result.report["status"]) == {"merged"}
    assert result.updates["acme"].summary == catalogue["acme"].summary


# -- the command -----------------------------------------------------------------------------


def test_import_command_prints_a_summary_and_writes_a_safe_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.csv"
    assert import_command(FIXTURE, report_path=str(report)) == 0
    out = capsys.readouterr().out
    assert "Read 19 rows from event_registrations.csv, encoding utf-8-sig." in out
    assert "Rows: 5 imported, 8 merged, 1 review, 5 rejected" in out
    assert "Not imported: 'Name', 'Notes'" in out
    assert "row 7 review 'Brightwel Coating'" in out
    frame = check_report_file(report, range(2, 21))
    assert not frame.map(lambda c: c.startswith(("=", "+", "@"))).any().any()
    counts = frame["status"].value_counts().to_dict()
    assert counts == {"merged": 8, "rejected": 5, "imported": 5, "review": 1}


def test_import_command_returns_2_when_nothing_is_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"name\n\x80\xff\n")
    assert import_command(broken) == 2
    assert "byte offset" in capsys.readouterr().err
    rejected = tmp_path / "rejected.csv"
    rejected.write_text("Company,Offers\n=1+1,x\n12345,y\n", encoding="utf-8")
    assert (
        import_command(rejected, report_path=str(tmp_path / "r.csv"), country="GB", kind="company")
        == 2
    )
    frame = check_report_file(tmp_path / "r.csv", [2, 3])
    assert frame["name"].tolist() == ["'=1+1", "12345"]
    assert set(frame["status"]) == {"rejected"}


def test_reading_twice_gives_the_same_result(bundled: Catalogue) -> None:
    first = read_profiles(FIXTURE, catalogue=bundled)
    second = read_profiles(FIXTURE, catalogue=bundled)
    check_accounting(first, range(2, 21))
    check_accounting(second, range(2, 21))
    pd.testing.assert_frame_equal(first.report, second.report)
    assert first.profiles == second.profiles
    assert first.updates == second.updates


# -- property tests ----------------------------------------------------------------------------

_BUNDLED = load_catalogue()
_NAMES = sorted({n for p in _BUNDLED for n in p.names})
_SITES = sorted({p.website for p in _BUNDLED if p.website})
_TEXT = st.text(
    alphabet=st.sampled_from(
        "abcdefghij klmnopqrstuvwxyzABC&.,-()'\"=+@;；、\n\t公司有限重庆東風汽車"
    ),
    max_size=25,
)
_NAME = st.one_of(
    st.sampled_from(_NAMES),
    st.builds(
        lambda n, s: f"{n} {s}",
        st.sampled_from(_NAMES),
        st.sampled_from(["Ltd", "Limited", "plc", "Group", "有限公司", "(UK)"]),
    ),
    st.builds(str.upper, st.sampled_from(_NAMES)),
    _TEXT,
    st.integers(-10, 10**6),
    st.builds(lambda t: "=" + t, _TEXT),
    st.just("n" * (MAX_FIELD_CHARS + 1)),
    st.none(),
)
_ROW = st.fixed_dictionaries(
    {
        "Company Name": _NAME,
        "Website": st.one_of(
            st.none(),
            st.sampled_from(_SITES),
            _TEXT,
            st.builds(lambda t: f"www.{t}.com", st.text("abcxyz", min_size=1)),
        ),
        "Postcode": st.one_of(
            st.none(), st.sampled_from(["CB21 6AL", "ng32 2ly", "400000"]), st.integers(0, 999999)
        ),
        "Capabilities": st.one_of(
            st.none(), _TEXT, st.sampled_from(["Laser cladding", "发动机再制造"])
        ),
        "Country": st.one_of(st.none(), st.sampled_from(["UK", "China", "中国", "France", "GB"])),
        "Type": st.one_of(st.none(), st.sampled_from(["company", "大学", "rto", "spaceship"])),
    }
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(_ROW, min_size=1, max_size=12), default=st.sampled_from([None, "GB"]))
def test_messy_frames_account_for_every_row(
    rows: list[dict[str, Any]], default: str | None
) -> None:
    frame = pd.DataFrame(rows, dtype=object)
    result = read_profiles(frame, country=default, catalogue=_BUNDLED)
    check_accounting(result, range(1, len(rows) + 1))
    for p in result.profiles:
        assert not any(str(v).startswith("=") for v in p.model_dump().values())


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "公司名称": st.one_of(_TEXT, st.sampled_from(_NAMES)),
                "主营业务": st.one_of(_TEXT, st.just("发动机再制造")),
            }
        ),
        min_size=1,
        max_size=10,
    ),
    codec=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
)
def test_messy_csv_files_account_for_every_row(rows: list[dict[str, str]], codec: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["公司名称", "主营业务"])
    writer.writerows([r["公司名称"], r["主营业务"]] for r in rows)
    data = buffer.getvalue().encode(codec)

    def read(data: bytes) -> ImportResult:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "rows.csv"
            path.write_bytes(data)
            return read_profiles(path, country="CN", kind="company", catalogue=_BUNDLED)

    # Spreadsheet rows from 2; blank rows at the end of a file are not rows.
    numbers = [n for n, r in enumerate(rows, start=2) if any(v.strip() for v in r.values())]
    if not numbers:
        with pytest.raises(InputFileError, match="no data rows"):
            read(data)
        return
    result = read(data)
    check_accounting(result, range(2, max(numbers) + 1))
    if codec == "gb18030" and not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            assert result.encoding == "gb18030"
        else:  # valid UTF-8 too: UTF-8 wins, as documented
            assert result.encoding == "utf-8"
    else:
        assert result.encoding == ("utf-8-sig" if codec == "utf-8-sig" else "utf-8")


_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=6, max_size=11)


@st.composite
def _one_edit(draw: st.DrawFn, name: str) -> str:
    i = draw(st.integers(0, len(name) - 1))
    op = draw(st.sampled_from(["delete", "insert", "replace", "swap"]))
    ch = draw(st.sampled_from("abcdefghijklmnopqrstuvwxyz"))
    if op == "delete":
        return name[:i] + name[i + 1 :]
    if op == "insert":
        return name[:i] + ch + name[i:]
    if op == "swap" and i + 1 < len(name):
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return name[:i] + ch + name[i + 1 :]


@settings(max_examples=150, deadline=None)
@given(
    data=st.data(),
    names=st.lists(
        st.builds(" ".join, st.lists(_WORD, min_size=1, max_size=2)),
        min_size=2,
        max_size=15,
        unique=True,
    ),
)
def test_blocking_never_misses_a_one_typo_duplicate(data: st.DataObject, names: list[str]) -> None:
    """Blocked search against the slow, obvious reference: compare every earlier record."""
    source = data.draw(st.integers(0, len(names) - 1))
    variant = data.draw(_one_edit(names[source]))
    records = [Record((n,)) for n in names] + [Record((variant,))]
    finder = DuplicateFinder(records, Thresholds())
    query = len(names)
    active = np.ones(len(records), dtype=bool)
    verdicts = [finder.compare(query, t) for t in range(query)]
    best = finder.best(query, active)
    found = [v for v in verdicts if v.merge or v.score >= finder.thresholds.review]
    if not found:
        assert best is None
        return
    assert best is not None
    assert best == finder.compare(query, best.target)
    # The blocked answer is as good as the exhaustive one.
    rank = max((v.merge, v.score) for v in found)
    assert (best.merge, best.score) == rank
    planted = verdicts[source]
    assert (best.merge, best.score) >= (planted.merge, planted.score)
    # End to end: the variant row is merged or flagged, never silently new.
    frame = pd.DataFrame({"name": [*names, variant], "offers": ["x"] * len(records)})
    result = read_profiles(frame, country="GB", kind="company", catalogue=Catalogue([]))
    check_accounting(result, range(1, len(records) + 1))
    assert row(result, len(records))["status"] in ("merged", "review")


def test_block_keys_share_a_key_after_one_typo() -> None:
    assert set(block_keys("fythbracikzil polymers")) & set(block_keys("fythbraickzil polymers"))
    assert set(block_keys("oakdene")) & set(block_keys("oakdeen"))
    # Enough firms to make "polymers" a common word: the typo still finds its twin.
    names = [f"Firm{i} Polymers" for i in range(30)]
    names += ["Fythbracikzil Polymers Ltd", "Fythbraickzil Polymers"]
    frame = pd.DataFrame({"name": names, "offers": ["x"] * len(names)})
    result = read_profiles(frame, country="GB", kind="company", catalogue=Catalogue([]))
    check_accounting(result, range(1, 33))
    assert row(result, 32)["duplicate_of"] == "row 31"


def test_country_kind_and_yes_no_spellings() -> None:
    frame = pd.DataFrame(
        {
            "企业名称": ["甲公司", "乙公司", "丙公司", "丁公司"],
            "国家": ["中國", "P.R. China", "U.K.", "英国"],
            "单位性质": ["企业", "大学", "研究院", "Research Centre"],
            "在华业务": ["是", "否", "yes", "maybe"],
            "简介": ["a", "b", "c", "d"],
        }
    )
    result = read_profiles(frame, catalogue=Catalogue([]))
    check_accounting(result, [1, 2, 3, 4])
    assert [(p.country, p.kind, p.china_presence) for p in result.profiles] == [
        ("CN", "company", True),
        ("CN", "university", False),
        ("GB", "research_centre", True),
    ]
    assert "'maybe' is not yes or no" in row(result, 4)["reasons"]
    with pytest.raises(ValueError, match=r"applies to \.xlsx files only"):
        read_profiles(frame, sheet="Sheet1", catalogue=Catalogue([]))
