"""The bundled catalogue and the loader's handling of bad input."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pandas as pd
import pytest
import yaml

import matchmaker
from matchmaker import Catalogue, CatalogueError, Profile, load_catalogue
from matchmaker.catalogue._catalogue import bundled_dir

DOCUMENTS = {
    "Mission to China",
    "China defines vehicle remanufacturing as a strategic sector",
    "China-UK Green Manufacturing Report",
    "China's first bonded remanufacturing business in Chongqing",
    "MIIT draft criteria for standards-compliant remanufacturers of electromechanical products",
}

# Table 8 of the China-UK Green Manufacturing Report, as the names appear there.
TABLE_8 = [
    "AB Sugar",
    "Alvant",
    "Autocraft Solutions",
    "Carbon Footprint",
    "Carwood",
    "David Luke",
    "Elvis and Kresse",
    "Grainger & Worrall",
]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def test_table8_companies_each_present_once(catalogue: Catalogue) -> None:
    # Table 8 rows became companies, two RTOs (TWI, NCC) and two intermediaries
    # (Oakdene Hollins, SIR); each row exactly once.
    table8_ids = {p.id for p in catalogue if any(s.section == "Table 8" for s in p.sources)}
    assert len(table8_ids) == 30, sorted(table8_ids)
    assert all(catalogue[i].country == "GB" and catalogue[i].postcode for i in table8_ids)
    for name in TABLE_8:
        hits = catalogue.find(name, k=1)
        assert hits.score.iloc[0] >= 90, name
        assert hits.id.iloc[0] in table8_ids, name


def test_every_profile_cites_a_known_document(catalogue: Catalogue) -> None:
    for p in catalogue:
        assert p.sources, p.id
        for s in p.sources:
            assert s.document in DOCUMENTS, (p.id, s.document)
            assert s.section.strip(), p.id


def test_catalogue_covers_the_issue_scope(catalogue: Catalogue) -> None:
    kinds = pd.Series([p.kind for p in catalogue]).value_counts()
    assert kinds["research_group"] >= 15
    demands = catalogue.filter(country="CN", kind="sector_demand")
    assert len(demands) >= 24
    assert all(p.needs for p in demands)
    for pid in (
        "oakdene-hollins",
        "british-standards-institution",
        "zero-waste-scotland",
        "knowledge-transfer-network",
        "hssmi",
        "university-of-brighton",
        "scottish-institute-for-remanufacture",
    ):
        assert catalogue[pid].intermediary, pid
    for name in (
        "National Key Laboratory for Remanufacturing",
        "Caterpillar Remanufacturing Services",
        "Lin Shi Laser",
        "Chongqing Yuxiang Intelligent Technology",
        "SINTRUK",
        "Dongfeng Motor",
    ):
        hits = catalogue.find(name, k=1)
        assert catalogue[hits.id.iloc[0]].country == "CN", name


def test_ids_are_unique_slugs(catalogue: Catalogue) -> None:
    ids = catalogue.ids
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids)


def test_partnerships_link_catalogue_profiles(catalogue: Catalogue) -> None:
    links = catalogue.partnerships
    assert len(links) >= 20
    assert set(links.source_id) | set(links.target_id) <= set(catalogue.ids)
    assert links.document.isin(DOCUMENTS).all()
    pair = {frozenset(x) for x in zip(links.source_id, links.target_id, strict=True)}
    assert frozenset({"lin-shi-laser", "university-of-manchester-laser-processing"}) in pair


def test_container_api(catalogue: Catalogue) -> None:
    assert len(catalogue) == len(list(catalogue))
    first = next(iter(catalogue))
    assert catalogue[first.id] is first
    assert first.id in catalogue
    gb = catalogue.filter(country="UK")
    assert len(gb) > 0
    assert {p.country for p in gb} == {"GB"}
    both = catalogue.filter(country=["GB", "CN"], kind=["company", "research_group"])
    assert {p.kind for p in both} == {"company", "research_group"}
    frame = catalogue.to_frame()
    assert list(frame.id) == catalogue.ids
    assert {"id", "name", "name_zh", "country", "kind", "city", "summary"} <= set(frame.columns)


def test_filter_rejects_unknown_values(catalogue: Catalogue) -> None:
    with pytest.raises(ValueError, match=r"'country' parameter.*Got 'FR'"):
        catalogue.filter(country="FR")
    with pytest.raises(ValueError, match=r"'kind' parameter.*Got 'startup'"):
        catalogue.filter(kind="startup")


def test_unknown_id_suggests_close_names(catalogue: Catalogue) -> None:
    with pytest.raises(KeyError, match="autocraft-solutions"):
        catalogue["autocraft"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("TWI Ltd", "twi"),
        ("Oakdene Hollins Limited", "oakdene-hollins"),
        ("Autocraft Solutions Group Ltd", "autocraft-solutions"),
        ("GRAINGER AND WORRALL", "grainger-worrall"),
    ],
)
def test_find_by_other_spellings(catalogue: Catalogue, query: str, expected: str) -> None:
    hits = catalogue.find(query)
    assert hits.id.iloc[0] == expected
    assert list(hits.score) == sorted(hits.score, reverse=True)


def test_find_by_chinese_name(catalogue: Catalogue) -> None:
    with_zh = [
        p for p in catalogue if p.name_zh and p.country == "CN" and p.kind != "sector_demand"
    ]
    assert with_zh
    for p in with_zh[:5]:
        assert catalogue.find(p.name_zh).id.iloc[0] == p.id


# -- bad input -----------------------------------------------------------------

GOOD = {
    "id": "acme",
    "name": "Acme",
    "country": "UK",
    "kind": "company",
    "offers": ["laser cladding"],
    "sources": [{"document": "Example", "section": "Table 1"}],
}


def _write(folder: Path, name: str, records: object) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")
    return path


def test_uk_is_stored_as_gb(tmp_path: Path) -> None:
    cat = load_catalogue(_write(tmp_path, "a.yaml", [GOOD]))
    assert cat["acme"].country == "GB"


def test_all_problems_reported_together(tmp_path: Path) -> None:
    missing = {k: v for k, v in GOOD.items() if k != "sources"} | {"id": "no-source"}
    _write(
        tmp_path,
        "a.yaml",
        [
            GOOD,
            missing,
            GOOD | {"id": "fr", "country": "FR"},
            GOOD | {"id": "odd", "kind": "startup"},
        ],
    )
    _write(tmp_path, "b.yaml", [GOOD | {"name": "Acme again"}])
    (tmp_path / "c.yaml").write_text("- id: broken\n  name: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(tmp_path)
    message = str(info.value)
    problems = info.value.problems
    assert len(problems) == 5
    assert "nothing was loaded" in message
    assert re.search(r"a\.yaml, profile 2 \(id 'no-source'\), field 'sources'.*missing", message)
    assert re.search(r"a\.yaml, profile 3 \(id 'fr'\), field 'country', value 'FR'", message)
    assert re.search(r"a\.yaml, profile 4 \(id 'odd'\), field 'kind', value 'startup'", message)
    assert re.search(
        r"b\.yaml, profile 1 \(id 'acme'\), field 'id'.*duplicate id.*a\.yaml", message
    )
    assert re.search(r"c\.yaml: broken YAML at line \d+", message)


def test_safe_loader_only(tmp_path: Path) -> None:
    evil = tmp_path / "evil.yaml"
    evil.write_text(
        textwrap.dedent(
            """\
            - !!python/object/apply:os.system ["echo pwned"]
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError, match="broken YAML"):
        load_catalogue(evil)


def test_unknown_field_and_bad_id(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", [GOOD | {"id": "Bad Id", "colour": "red"}])
    with pytest.raises(CatalogueError) as info:
        load_catalogue(tmp_path)
    fields = {p.field for p in info.value.problems}
    assert fields == {"id", "colour"}


def test_not_a_list_and_empty_folder(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", {"id": "x"})
    with pytest.raises(CatalogueError, match="expected a YAML list"):
        load_catalogue(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CatalogueError, match=r"no \.yaml"):
        load_catalogue(empty)
    with pytest.raises(FileNotFoundError):
        load_catalogue(tmp_path / "missing")


def test_profile_schema_examples() -> None:
    p = Profile.model_validate(GOOD | {"offers": "one statement", "name_zh": ""})
    assert p.offers == ("one statement",)
    assert p.name_zh is None
    assert p.names == ("Acme",)


def test_bundled_catalogue_folder_is_shipped() -> None:
    folder = bundled_dir()
    assert (folder / "catalogue").is_dir()
    assert (folder / "partnerships.yaml").is_file()


HEAVY = ("sklearn", "pandas", "scipy", "openpyxl", "opencc", "matplotlib")


@pytest.mark.parametrize(
    "code",
    [
        "import matchmaker",
        # Loading, filtering and printing a catalogue needs none of them either.
        "import matchmaker; cat = matchmaker.load_catalogue(); "
        "assert len(cat.filter(country='GB')) > 0 and repr(cat)",
    ],
)
def test_light_paths_import_no_heavy_module(code: str) -> None:
    import subprocess
    import sys

    probe = f"{code}; import sys; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
    assert set(matchmaker.__all__) <= set(dir(matchmaker))


def test_partnerships_survive_filter_and_accept_records() -> None:
    cat = load_catalogue()
    links = cat.partnerships
    assert len(links) >= 30
    gb = cat.filter(country="GB")
    kept = gb.partnerships
    assert set(kept.source_id) | set(kept.target_id) <= set(gb.ids)
    both_gb = links.source_id.isin(gb.ids) & links.target_id.isin(gb.ids)
    assert len(kept) == int(both_gb.sum())
    again = Catalogue(list(cat), links.to_dict("records"))
    pd.testing.assert_frame_equal(again.partnerships, links)
