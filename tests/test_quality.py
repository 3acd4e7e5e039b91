"""Ranking quality on the bundled judgement set: regression floors, not exact values.

The judgement set (profiles/judgements.yaml) was graded by hand from the
documents, without running the engine. Floors sit a little below the
measured figures reported in the README, so a change that makes ranking
worse fails here.
"""

from __future__ import annotations

import pandas as pd
import pytest

from matchmaker import Matchmaker, evaluate
from matchmaker.evaluation._evaluate import load_judgements, top_overlap

# With the meaning component and the weights chosen by cross-validation: 0.862 measured.
NDCG_FLOOR = 0.84
MRR_FLOOR = 0.95
# Documented partnerships, each link held out in turn: 0.349 without the meaning component,
# 0.260 with it (closeness in meaning of a whole profile's needs does not find documented
# research links; README, "Quality").
PARTNERSHIP_NDCG_FLOOR = 0.24
# All 8 no-match queries are weak at rank 1 since the strength reads the components and the
# ranking (7 of 8 when it read the total only: q53, air compressors, was moderate).
NO_MATCH_WEAK_FLOOR = 1.0
# Chinese twins share 0.825 of their English originals' top five (0.87 before meaning); 0.800
# on an AVX-512 VNNI machine, where the encoder's query vectors differ slightly (cosine 0.9999).
TWIN_OVERLAP_FLOOR = 0.80
# The held-out set, written after the engine was tuned on the first (README): 0.653 over
# its 69 queries with a match (h01-h16 0.781, whose texts were read before later changes;
# h17-h34 0.495; h35-h78 0.672 at first sight).
HOLDOUT_NDCG_FLOOR = 0.62
# h35-h78 say how they are worded: naming the technique (0.840) or the problem in plain words
# (0.529), the known weak spot.
HOLDOUT_STYLE_FLOORS = {"technical": 0.80, "everyday": 0.49}
# 8 of 9 held-out no-match queries are weak; h73 (a shipping and customs agent, whose text
# also names the remanufacturing it serves) is read as remanufacturing and labelled moderate.
HOLDOUT_NO_MATCH_WEAK_FLOOR = 0.85


@pytest.fixture(scope="module")
def result(engine: Matchmaker):  # type: ignore[no-untyped-def]
    return evaluate(engine, k=5)


# Every judgement file is checked for form only: reading it runs no engine, so
# the sealed parts stay sealed.
JUDGEMENT_FILES = [
    "judgements.yaml",
    "judgements_holdout.yaml",
    "judgements_sealed.yaml",
]


@pytest.mark.parametrize("name", JUDGEMENT_FILES)
def test_judged_ids_are_uk_profiles_and_translations_agree(bundled, name) -> None:  # type: ignore[no-untyped-def]
    from matchmaker.catalogue._catalogue import bundled_dir

    path = bundled_dir() / name
    queries = {q.id: q for q in load_judgements(path)}
    uk = {p.id for p in bundled if p.country == "GB"}
    unknown = {q.id: sorted(set(q.relevant) - uk) for q in queries.values() if set(q.relevant) - uk}
    assert not unknown
    for q in queries.values():
        if q.equivalent_of:
            assert q.language == "zh"
            assert q.relevant == queries[q.equivalent_of].relevant, q.id


def test_holdout_floor_and_no_match(engine: Matchmaker) -> None:
    held = evaluate(engine, "holdout", k=5)
    per_query = held.per_query
    assert len(per_query) >= 12
    assert (per_query.language == "zh").sum() >= 3
    no_match = per_query[per_query.no_match]
    assert len(no_match) >= 2
    assert held.summary["no_match_weak_share"] >= HOLDOUT_NO_MATCH_WEAK_FLOOR
    assert held.summary["ndcg@5"] >= HOLDOUT_NDCG_FLOOR
    graded = per_query[~per_query.no_match]
    for style, floor in HOLDOUT_STYLE_FLOORS.items():
        assert graded[graded["style"] == style]["ndcg@5"].mean() >= floor, style


def test_judgement_set_is_big_enough() -> None:
    queries = load_judgements()
    assert len(queries) >= 25
    assert sum(q.language == "zh" for q in queries) >= 5
    assert sum(q.no_match for q in queries) >= 4


def test_ndcg_and_mrr_floors(result) -> None:  # type: ignore[no-untyped-def]
    assert result.summary["ndcg@5"] >= NDCG_FLOOR
    assert result.summary["mrr@5"] >= MRR_FLOOR


def test_no_match_queries_are_weak(result) -> None:  # type: ignore[no-untyped-def]
    no_match = result.per_query[result.per_query.no_match]
    assert len(no_match) >= 4
    share = (no_match.top_strength == "weak").mean()
    assert share >= NO_MATCH_WEAK_FLOOR, no_match[["query", "top_strength"]]


def test_chinese_queries_rank_like_their_english_originals(engine: Matchmaker) -> None:
    queries = {q.id: q for q in load_judgements()}
    pairs = [(q, queries[q.equivalent_of]) for q in queries.values() if q.equivalent_of]
    assert len(pairs) >= 5
    overlaps = []
    for zh, en in pairs:
        a = [p.id for p in engine.shortlist(zh.text, k=5, country="GB").candidates]
        b = [p.id for p in engine.shortlist(en.text, k=5, country="GB").candidates]
        overlaps.append(top_overlap(a, b, 5))
    assert round(sum(overlaps) / len(overlaps), 9) >= TWIN_OVERLAP_FLOOR, overlaps
    assert min(overlaps) >= 0.6, overlaps


def test_partnership_leave_one_out_floor(engine: Matchmaker) -> None:
    loo = evaluate(engine, "partnerships", k=5)
    assert loo.summary["queries"] >= 30
    assert loo.summary["ndcg@5"] >= PARTNERSHIP_NDCG_FLOOR


def test_bad_judgements_are_all_reported_with_query_and_field(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "judged.yaml"
    path.write_text(
        """queries:
- {id: a, text: laser cladding, relevant: {twi: 4}}
- {id: b, relevant: {twi: 1}}
- {id: c, text: power transformers, no_match: true, relevant: {twi: 2}}
- {id: d, text: laser cladding, style: casual}
- {id: e, text: our worn shafts are scrapped, style: everyday, relevant: {twi: 3}}
""",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="Invalid judgements") as err:
        load_judgements(path)
    message = str(err.value)
    assert "query 'a', field 'relevant': grades must be 0-3, got {'twi': 4}" in message
    assert "query 'b', field 'text': missing" in message
    assert "query 'c': no_match is true but relevant ids are graded" in message
    assert "query 'd', field 'style': must be one of everyday, technical, got 'casual'" in message
    assert "query 'e'" not in message


def test_style_is_kept_per_query(engine: Matchmaker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "judged.yaml"
    path.write_text(
        """queries:
- {id: a, text: laser cladding, style: technical, relevant: {twi: 3}}
- {id: b, text: our worn shafts are scrapped, relevant: {twi: 3}}
""",
        encoding="utf-8",
    )
    per_query = evaluate(engine, path).per_query.set_index("query")
    assert per_query.loc["a", "style"] == "technical"
    assert pd.isna(per_query.loc["b", "style"])
