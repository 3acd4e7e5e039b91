"""Text normalisation and the bilingual concept tagger."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from matchmaker._taxonomy import load_taxonomy
from matchmaker._text import has_cjk, normalise, normalise_name, to_simplified


def test_traditional_and_taiwan_phrasing_become_simplified() -> None:
    assert to_simplified("廢水處理") == "废水处理"
    assert to_simplified("雷射") == "激光"


def test_normalise_full_width_and_dashes() -> None:
    assert normalise("ＴＷＩ Re-Manufacturing") == "twi re manufacturing"


def test_name_normalisation_drops_legal_forms() -> None:
    assert normalise_name("Oakdene Hollins Limited") == normalise_name("oakdene hollins")
    assert normalise_name("Autocraft Solutions Group Ltd") == "autocraft solutions"
    assert normalise_name("Elvis & Kresse") == normalise_name("Elvis and Kresse")
    assert normalise_name("东风汽车集团有限公司") == "东风汽车"
    assert normalise_name("Ｔｈｅ ＢＳＩ Ｇｒｏｕｐ") == "bsi"


@given(st.text())
def test_normalisers_never_fail(text: str) -> None:
    assert isinstance(normalise(text), str)
    assert isinstance(normalise_name(text), str)
    assert has_cjk(text) == has_cjk(to_simplified(text)) or not text


def test_tagger_returns_exact_phrases() -> None:
    tax = load_taxonomy()
    text = "Remanufactured engines; LASER CLADDING of worn shafts."
    for tag in tax.tag(text):
        assert text[tag.start : tag.end] == tag.phrase
    assert "laser-cladding" in {t.concept for t in tax.tag(text)}


def test_tagger_english_and_chinese_agree() -> None:
    tax = load_taxonomy()
    en = {t.concept for t in tax.tag("industrial wastewater treatment")}
    zh = {t.concept for t in tax.tag("工业废水处理")}
    tw = {t.concept for t in tax.tag("工業廢水處理")}
    assert en
    assert en == zh == tw


def test_tagger_matches_plurals_and_whole_words_only() -> None:
    tax = load_taxonomy()
    assert {t.concept for t in tax.tag("heat pumps")} == {t.concept for t in tax.tag("heat pump")}
    # "recast" must not be read as "cast"/"casting"
    assert not [t for t in tax.tag("recast") if t.phrase.lower() in ("cast", "casting")]


def test_taxonomy_size_and_hierarchy() -> None:
    tax = load_taxonomy()
    assert len(tax) >= 150
    facets = {tax.facet(c) for c in tax.ids}
    assert facets == {"capability", "sector"}
    assert tax.is_within("laser-cladding", "surface-engineering")
    for cid in tax.ids:
        c = tax.concepts[cid]
        assert c.en
        assert c.zh
        assert has_cjk(c.zh)
