"""Shared fixtures: a tiny hand-made world with known answers, and the bundled one."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import settings

from matchmaker import Catalogue, Matchmaker, Profile, ProfileVectorizer, load_catalogue
from matchmaker.vectors._taxonomy import Taxonomy, load_taxonomy

# Speed is measured in benchmarks/, never asserted in tests: no per-example deadline,
# so a loaded CI machine cannot fail a correct test.
settings.register_profile("matchmaker", deadline=None)
settings.load_profile("matchmaker")

TINY_TAXONOMY = {
    "concepts": [
        {
            "id": "surface-engineering",
            "parent": None,
            "facet": "capability",
            "en": "surface engineering",
            "zh": "表面工程",
        },
        {
            "id": "laser-cladding",
            "parent": "surface-engineering",
            "en": "laser cladding",
            "zh": "激光熔覆",
        },
        {
            "id": "thermal-spraying",
            "parent": "surface-engineering",
            "en": "thermal spraying",
            "zh": "热喷涂",
            "en_synonyms": ["thermal spray"],
        },
        {
            "id": "remanufacturing",
            "parent": None,
            "facet": "capability",
            "en": "remanufacturing",
            "zh": "再制造",
            "en_synonyms": ["remanufactured"],
        },
        {
            "id": "engine-remanufacturing",
            "parent": "remanufacturing",
            "en": "engine remanufacturing",
            "zh": "发动机再制造",
        },
        {
            "id": "wastewater",
            "parent": None,
            "facet": "capability",
            "en": "wastewater treatment",
            "zh": "废水处理",
        },
        {"id": "automotive", "parent": None, "facet": "sector", "en": "automotive", "zh": "汽车"},
        {"id": "aerospace", "parent": None, "facet": "sector", "en": "aerospace", "zh": "航空航天"},
    ]
}

SRC = [{"document": "Tiny world", "section": "Table 1"}]


def tiny_profiles() -> list[Profile]:
    def p(pid: str, **kw: object) -> Profile:
        base = {
            "id": pid,
            "name": pid.replace("-", " ").title(),
            "country": "GB",
            "kind": "company",
            "sources": SRC,
        }
        return Profile.model_validate(base | kw)

    return [
        p(
            "cladder",
            offers=["Laser cladding repair of worn parts"],
            industries=["aerospace"],
            evidence=["award"],
        ),
        p("sprayer", offers=["Thermal spraying of engine parts"], industries=["automotive"]),
        p("generalist", offers=["Surface engineering consultancy"]),
        p(
            "reman",
            offers=["Engine remanufacturing at volume"],
            industries=["automotive"],
            needs=["Laser cladding partner"],
        ),
        p("printers", offers=["Sells laser printers and toner for offices"]),
        p("water", offers=["Wastewater treatment plants"], needs=["Engine remanufacturing"]),
        p(
            "need-clad",
            country="CN",
            kind="sector_demand",
            needs=["Laser cladding to repair aerospace parts"],
        ),
        p("need-water", country="CN", kind="sector_demand", needs=["废水处理"]),
    ]


@pytest.fixture(scope="session")
def tiny_taxonomy(tmp_path_factory: pytest.TempPathFactory) -> Taxonomy:
    path: Path = tmp_path_factory.mktemp("tax") / "taxonomy.yaml"
    path.write_text(yaml.safe_dump(TINY_TAXONOMY, allow_unicode=True), encoding="utf-8")
    return load_taxonomy(path)


@pytest.fixture
def tiny_engine(tiny_taxonomy: Taxonomy) -> Matchmaker:
    # Meaning off: the tiny world's known answers come from its concepts and wording alone.
    vec = ProfileVectorizer(taxonomy=tiny_taxonomy)
    return Matchmaker(Catalogue(tiny_profiles()), vectorizer=vec, encoder=None).fit()


@pytest.fixture(scope="session")
def bundled() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def engine(bundled: Catalogue) -> Matchmaker:
    return Matchmaker(bundled).fit()
