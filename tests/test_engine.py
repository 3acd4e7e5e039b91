"""The matching engine on a tiny world with known answers."""

from __future__ import annotations

import pickle
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from matchmaker import Catalogue, Matchmaker, Profile, ProfileVectorizer, Weights
from matchmaker.vectors._taxonomy import Taxonomy

from .conftest import tiny_profiles


def test_exact_concept_wins_and_incidental_words_are_weak(tiny_engine: Matchmaker) -> None:
    frame = tiny_engine.shortlist("laser cladding of aerospace parts", k=10).to_frame()
    assert frame.id.iloc[0] == "cladder"
    assert frame.strength.iloc[0] == "strong"
    printers = frame.set_index("id").loc["printers"]
    # "laser" is shared, but no concept is: weak, however many words match.
    assert printers.concept == 0
    assert printers.text > 0
    assert printers.strength == "weak"
    assert printers.reasons.startswith("Weak: no shared concept")


def test_partial_credit_through_the_hierarchy(tiny_engine: Matchmaker) -> None:
    frame = tiny_engine.shortlist("laser cladding", k=10).to_frame().set_index("id")
    vec = tiny_engine.vectorizer_
    # broader offer (surface engineering) covers a narrower need at hierarchy_down
    assert frame.loc["generalist", "concept"] == pytest.approx(vec.hierarchy_down)
    # a sibling (thermal spraying) gets no credit
    assert frame.loc["sprayer", "concept"] == 0
    # a narrower offer covers a broader need at hierarchy_up
    broad = tiny_engine.shortlist("surface engineering", k=10).to_frame().set_index("id")
    assert broad.loc["cladder", "concept"] == pytest.approx(vec.hierarchy_up)


def test_shortlist_says_how_it_read_the_query(tiny_engine: Matchmaker) -> None:
    shortlist = tiny_engine.shortlist("Aerospace parts: laser cladding, then laser cladding again")
    understood = shortlist.understood()
    assert understood.values.tolist() == [
        ["laser-cladding", "laser cladding (激光熔覆)", "capability", "laser cladding", "read"],
        ["aerospace", "aerospace (航空航天)", "sector", "Aerospace", "read"],
    ]
    assert "\nRead as: laser cladding, aerospace\n" in shortlist.headline() + "\n"

    sector_only = tiny_engine.shortlist("aerospace parts")
    assert sector_only.understood().facet.tolist() == ["sector"]
    assert "Read as: sectors only (aerospace)" in sector_only.headline()
    # Naming the capability never makes the best candidate a less likely partner, and the
    # candidates that share neither the sector nor the wording stay weak.
    full_best = shortlist.probability[0]
    assert shortlist.candidates[0].id == sector_only.candidates[0].id == "cladder"
    assert sector_only.probability[0] <= full_best
    assert set(sector_only.strength[1:]) == {"weak"}

    nothing = tiny_engine.shortlist("the widgets keep going wrong")
    assert nothing.understood().empty
    assert "Read as: nothing the taxonomy knows" in str(nothing)
    assert "Read as: nothing the taxonomy knows" in nothing._repr_html_()


def test_explanation_says_when_a_concept_is_covered_only_through_a_relative(
    tiny_engine: Matchmaker,
) -> None:
    shortlist = tiny_engine.shortlist("laser cladding and engine remanufacturing", k=10)
    frame = shortlist.to_frame().set_index("id")
    generalist = shortlist.explain("generalist")
    sentence = generalist.components.set_index("component").loc["concept", "sentence"]
    assert sentence == (
        "Covers none of 2 need concepts fully. In part: laser cladding (via surface "
        "engineering). Not covered: engine remanufacturing."
    )
    assert "laser cladding (via surface engineering)" in frame.loc["generalist", "reasons"]
    exact = shortlist.explain("cladder").components.set_index("component")
    assert exact.loc["concept", "sentence"] == (
        "Covers 1 of 2 need concepts fully (laser cladding). Not covered: engine remanufacturing."
    )


def test_focus_ranks_the_specialist_above_the_generalist(tiny_taxonomy: Taxonomy) -> None:
    # Both cover the need completely (concept 1.0); only the specialist is
    # about nothing else. Text similarity is switched off to isolate focus.
    src = [{"document": "Tiny world", "section": "Table 1"}]
    profiles = [
        Profile(id=pid, name=pid, country="GB", kind="company", offers=offers, sources=src)
        for pid, offers in [
            ("a-broad", ["Laser cladding", "Thermal spraying", "Wastewater treatment"]),
            ("b-specialist", ["Laser cladding"]),
        ]
    ]
    engine = Matchmaker(
        Catalogue(profiles),
        weights={"text": 0},
        vectorizer=ProfileVectorizer(taxonomy=tiny_taxonomy),
    ).fit()
    shortlist = engine.shortlist("laser cladding", k=2)
    frame = shortlist.to_frame().set_index("id")
    assert frame.concept.tolist() == [1.0, 1.0]
    assert frame.loc["b-specialist", "focus"] == pytest.approx(1.0)
    # one of three concepts of about equal weight: cosine near 1/sqrt(3)
    assert 0.3 < frame.loc["a-broad", "focus"] < 0.7
    assert list(frame.index) == ["b-specialist", "a-broad"]  # not the id order
    sentence = shortlist.explain("a-broad").components.set_index("component").sentence["focus"]
    assert sentence.startswith("1 of the 3 capability concepts it names")
    # without focus the two tie and the id decides
    flat = engine.with_weights(focus=0).shortlist("laser cladding", k=2)
    assert [p.id for p in flat.candidates] == ["a-broad", "b-specialist"]
    assert flat.total[0] == flat.total[1]


def test_components_add_up_to_the_score(tiny_engine: Matchmaker) -> None:
    shortlist = tiny_engine.shortlist("need-clad", k=5)
    for rank in range(1, len(shortlist) + 1):
        table = shortlist.explain(rank).components
        assert table.contribution.sum() == pytest.approx(shortlist.total[rank - 1], abs=2e-4)
        assert table.weight.sum() == pytest.approx(1.0, abs=1e-3)


def test_readiness_counts_only_for_a_candidate_sharing_a_capability(
    tiny_engine: Matchmaker,
) -> None:
    # The cladder has an award (readiness 0.25) but nothing to do with wastewater.
    unrelated = tiny_engine.shortlist("wastewater treatment", k=10)
    row = unrelated.to_frame().set_index("id").loc["cladder"]
    assert row.concept == 0
    assert row.readiness == 0
    sentence = unrelated.explain("cladder").components.set_index("component").sentence
    assert sentence["readiness"].endswith("Not counted: it shares no capability with the need.")
    related = tiny_engine.shortlist("laser cladding", k=10).to_frame().set_index("id")
    assert related.loc["cladder", "readiness"] == pytest.approx(0.25)


def test_missing_sector_shares_its_weight(tiny_engine: Matchmaker) -> None:
    # The need names no sector: the sector weight must not count as a zero.
    explanation = tiny_engine.shortlist("thermal spraying", k=1).explain(1)
    row = explanation.components.set_index("component").loc["sector"]
    assert row.weight == 0
    assert "names no sector" in row.sentence


def test_profile_query_uses_its_needs_and_excludes_itself(tiny_engine: Matchmaker) -> None:
    frame = tiny_engine.shortlist("reman", k=10).to_frame()
    assert "reman" not in set(frame.id)
    assert frame.id.iloc[0] == "cladder"


def test_direction_offers_finds_who_needs_it(tiny_engine: Matchmaker) -> None:
    frame = tiny_engine.shortlist("reman", k=3, direction="offers").to_frame()
    assert frame.id.iloc[0] == "water"
    text = tiny_engine.shortlist("engine remanufacturing", k=3, direction="offers").to_frame()
    assert text.id.iloc[0] == "water"


def test_chinese_query_matches_english_offer(tiny_engine: Matchmaker) -> None:
    frame = tiny_engine.shortlist("need-water", k=3).to_frame()
    assert frame.id.iloc[0] == "water"
    assert frame.strength.iloc[0] != "weak"
    trad = tiny_engine.shortlist("廢水處理", k=1).to_frame()
    assert trad.id.iloc[0] == "water"


def test_chinese_text_is_compared_through_english_concept_labels(
    tiny_taxonomy: Taxonomy,
) -> None:
    catalogue = Catalogue(tiny_profiles())
    bridged = Matchmaker(catalogue, vectorizer=ProfileVectorizer(taxonomy=tiny_taxonomy)).fit()
    plain = Matchmaker(
        catalogue, vectorizer=ProfileVectorizer(taxonomy=tiny_taxonomy, pivot_labels=False)
    ).fit()
    # "激光熔覆" tags laser-cladding; its English label shares "laser cladding"
    # with the cladder's offer, which has no Chinese in it.
    with_labels = bridged.shortlist("激光熔覆", k=1).to_frame().iloc[0]
    without = plain.shortlist("激光熔覆", k=1).to_frame().iloc[0]
    assert with_labels.id == without.id == "cladder"
    assert with_labels.text > 0.0
    assert without.text == 0.0
    assert with_labels.concept == without.concept == 1.0
    # English queries never get labels appended: identical text scores either way.
    english = "thermal spraying of engine parts"
    a = bridged.shortlist(english, k=3).to_frame()
    b = plain.shortlist(english, k=3).to_frame()
    assert a.id.tolist() == b.id.tolist()
    assert a.text.tolist() == pytest.approx(b.text.tolist())
    components = bridged.shortlist("激光熔覆", k=1).explain(1).components.set_index("component")
    sentence = components.sentence["text"]
    assert "English labels of its concepts" in sentence


def test_reciprocal_is_the_harmonic_mean(tiny_engine: Matchmaker) -> None:
    one_way = tiny_engine.shortlist("reman", k=10).to_frame().set_index("id")
    both = tiny_engine.shortlist("reman", k=10, reciprocal=True)
    back = tiny_engine.shortlist("reman", k=10, direction="offers").to_frame().set_index("id")
    frame = both.to_frame().set_index("id")
    for pid in frame.index:
        a, b = one_way.loc[pid, "score"], back.loc[pid, "score"] if pid in back.index else 0
        expected = 0 if a + b == 0 else 2 * a * b / (a + b)
        assert frame.loc[pid, "score"] == pytest.approx(expected, abs=1e-3)
    assert both.explain(1).backward is not None
    with pytest.raises(ValueError, match="reciprocal=True needs a profile id"):
        tiny_engine.shortlist("laser cladding", reciprocal=True)


def test_filters(tiny_engine: Matchmaker) -> None:
    frame = tiny_engine.shortlist("laser cladding", k=10, country="CN").to_frame()
    assert frame.empty or set(frame.country) == {"CN"}
    assert len(tiny_engine.shortlist("laser cladding", k=10, kind=["company"])) == 6


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"query": ""}, ValueError, "empty or holds only punctuation"),
        ({"query": " ?!… "}, ValueError, "empty or holds only punctuation"),
        (
            {"query": "laser", "k": 0},
            ValueError,
            "'k' parameter of shortlist must be an int >= 1. Got 0",
        ),
        ({"query": "laser", "k": True}, ValueError, "'k' parameter"),
        ({"query": "laser", "k": 2.5}, ValueError, "'k' parameter"),
        ({"query": "laser", "country": "FR"}, ValueError, "'country' parameter"),
        ({"query": "laser", "kind": ["startup"]}, ValueError, "'kind' parameter"),
        ({"query": "laser", "direction": "both"}, ValueError, "'direction' parameter"),
        ({"query": "cladder-ltd"}, KeyError, "No profile has id 'cladder-ltd'. Closest: 'cladder'"),
        ({"query": 42}, TypeError, "'query' parameter must be a str"),
    ],
)
def test_bad_input_gets_clear_errors(
    tiny_engine: Matchmaker, kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        tiny_engine.shortlist(**kwargs)  # type: ignore[arg-type]


def test_ties_break_by_id(tiny_taxonomy: Taxonomy) -> None:
    profiles = tiny_profiles()
    twin = profiles[0].model_copy(update={"id": "aaa-cladder", "name": "Twin"})
    engine = Matchmaker(
        Catalogue([*profiles, twin]), vectorizer=ProfileVectorizer(taxonomy=tiny_taxonomy)
    ).fit()
    frame = engine.shortlist("laser cladding", k=2).to_frame()
    assert list(frame.id) == ["aaa-cladder", "cladder"]
    assert frame.score.iloc[0] == frame.score.iloc[1]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10_000))
def test_candidate_order_does_not_change_the_ranking(tiny_taxonomy: Taxonomy, seed: int) -> None:
    profiles = tiny_profiles()
    shuffled = profiles[:]
    random.Random(seed).shuffle(shuffled)
    vec = ProfileVectorizer(taxonomy=tiny_taxonomy)
    a = Matchmaker(Catalogue(profiles), vectorizer=vec).shortlist("need-clad", k=6).to_frame()
    b = Matchmaker(Catalogue(shuffled), vectorizer=vec).shortlist("need-clad", k=6).to_frame()
    assert list(a.id) == list(b.id)
    np.testing.assert_allclose(a.score, b.score, atol=1e-9)


def test_estimator_contract(tiny_engine: Matchmaker) -> None:
    params = tiny_engine.get_params(deep=False)
    assert set(params) == {
        *("catalogue", "weights", "vectorizer", "encoder", "cache", "reciprocal"),
        *("n_candidates", "memory_budget", "n_jobs"),
    }
    fresh = clone(tiny_engine)
    assert not hasattr(fresh, "catalogue_")
    first = fresh.fit().shortlist("need-clad", k=5).to_frame()
    again = fresh.fit().shortlist("need-clad", k=5).to_frame()
    assert first.equals(again)
    restored = pickle.loads(pickle.dumps(fresh))
    assert restored.shortlist("need-clad", k=5).to_frame().equals(first)
    fresh.set_params(weights={"text": 0.0})
    assert fresh.fit().weights_.text == 0.0


def test_init_stores_parameters_unchanged() -> None:
    weights = {"concept": 2}
    engine = Matchmaker(weights=weights, reciprocal=True)
    assert engine.weights is weights
    assert not hasattr(engine, "weights_")


def test_with_weights_reuses_cached_scores(tiny_engine: Matchmaker) -> None:
    before = tiny_engine.shortlist("need-clad", k=6).to_frame()
    text_only = tiny_engine.with_weights(concept=0, focus=0, sector=0, readiness=0, text=1)
    assert text_only._cache is tiny_engine._cache
    assert text_only.offers_ is tiny_engine.offers_
    after = text_only.shortlist("need-clad", k=6).to_frame().set_index("id")
    # the printers' score is now its text similarity alone
    assert after.loc["printers", "score"] == pytest.approx(after.loc["printers", "text"], abs=1e-4)
    # the original engine is unchanged
    assert tiny_engine.shortlist("need-clad", k=6).to_frame().equals(before)
    with pytest.raises(ValueError, match="'text' weight must be a finite float >= 0"):
        tiny_engine.with_weights(text=-1)


def test_match_table(tiny_engine: Matchmaker) -> None:
    table = tiny_engine.match(["need-clad", "need-water"], None, k=2)
    assert list(table.columns[-6:]) == [
        "concept", "focus", "text", "meaning", "sector", "readiness",
    ]  # fmt: skip
    assert table.groupby("need_id").size().to_dict() == {"need-clad": 2, "need-water": 2}
    assert table[table.need_id == "need-clad"].offer_id.iloc[0] == "cladder"
    assert (table.need_id != table.offer_id).all()
    with pytest.raises(KeyError, match="Unknown profile ids"):
        tiny_engine.match(["nope"], None)


def test_weights_validation_and_loading(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "w.yaml"
    path.write_text("concept: 1\ntext: 1\nstrong: 0.6\n", encoding="utf-8")
    w = Weights.load(path)
    assert w.normalised()["concept"] == pytest.approx(w.normalised()["text"])
    assert Weights.load({"sector": 0}).sector == 0
    with pytest.raises(ValueError, match="At least one component weight must be > 0"):
        Weights(concept=0, focus=0, text=0, meaning=0, sector=0, readiness=0)
    with pytest.raises(ValueError, match="'strong' threshold must be a float in"):
        Weights(strong=2)
    with pytest.raises(ValueError, match="must not exceed"):
        Weights(moderate=0.9, strong=0.5)
    with pytest.raises(
        ValueError, match=r"Unknown weight or threshold 'colour'\. Valid names: concept, focus"
    ):
        Weights.load({"colour": 1})
    path.write_text("txt: 0.4\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"w\.yaml: Unknown weight or threshold 'txt'") as info:
        Weights.load(path)
    assert "pydantic" not in str(info.value)
    assert "https://" not in str(info.value)
    with pytest.raises(FileNotFoundError):
        Weights.load(Path(str(tmp_path)) / "none.yaml")


def test_with_weights_rejects_a_misspelt_name(tiny_engine: Matchmaker) -> None:
    with pytest.raises(
        ValueError, match=r"Unknown weight or threshold 'txt'\. Valid names:"
    ) as info:
        tiny_engine.with_weights(txt=0.4)
    assert "https://" not in str(info.value)
    assert tiny_engine.with_weights(text=0.4).weights_.text == 0.4


def test_explanation_is_data_first(tiny_engine: Matchmaker) -> None:
    explanation = tiny_engine.shortlist("laser cladding for aerospace", k=1).explain("cladder")
    assert list(explanation.components.columns) == [
        "component",
        "raw",
        "weight",
        "contribution",
        "sentence",
    ]
    concepts = explanation.concepts.set_index("concept")
    assert concepts.loc["laser-cladding", "need_phrase"] == "laser cladding"
    assert concepts.loc["laser-cladding", "offer_phrase"] == "Laser cladding"
    assert concepts.loc["laser-cladding", "relation"] == "exact"
    text = str(explanation)
    assert "Cladder" in text
    assert "laser cladding" in text
    assert "<" not in explanation.candidate.name
    with pytest.raises(KeyError, match="not on this shortlist"):
        tiny_engine.shortlist("laser cladding", k=1).explain("water")
    with pytest.raises(IndexError, match="outside this shortlist"):
        tiny_engine.shortlist("laser cladding", k=1).explain(2)


# -- the bundled catalogue --------------------------------------------------------


def test_caveats_apply_where_the_documents_say(engine: Matchmaker) -> None:
    reman = engine.shortlist("发动机再制造", k=1, country="GB").explain(1)
    assert "used-core-import-ban" in set(reman.caveats.id)
    assert reman.caveats.source.str.len().gt(0).all()
    carbon = engine.shortlist("carbon footprinting of products", k=1, country="GB").explain(1)
    assert "used-core-import-ban" not in set(carbon.caveats.id)


def test_same_input_same_output(engine: Matchmaker) -> None:
    a = engine.shortlist("cn-demand-remanufacturing-equipment", k=10, country="GB").to_frame()
    b = Matchmaker(engine.catalogue_).shortlist(
        "cn-demand-remanufacturing-equipment", k=10, country="GB"
    )
    assert a.equals(b.to_frame())


def test_unknown_id_suggests_closest_profiles(engine: Matchmaker) -> None:
    with pytest.raises(KeyError, match="autocraft-solutions"):
        engine.shortlist("autocraft-solution")


@settings(max_examples=40, deadline=None)
@given(st.text(min_size=1, max_size=80))
def test_any_text_query_gives_a_valid_shortlist_or_a_clear_error(text: str) -> None:
    engine = _bundled_engine()
    try:
        shortlist = engine.shortlist(text, k=3, country="GB")
    except (ValueError, KeyError):
        return
    frame = shortlist.to_frame()
    assert len(frame) == 3
    assert frame.score.between(0, 1).all()
    assert list(frame.score) == sorted(frame.score, reverse=True)
    assert set(frame.strength) <= {"strong", "moderate", "weak"}
    understood = shortlist.understood()
    assert understood.concept.is_unique
    if not (understood.facet == "capability").any():
        # a query naming no capability can never be better than weak
        assert set(frame.strength) == {"weak"}
        assert "none better than weak" in shortlist.headline()


_ENGINE: list[Matchmaker] = []


def _bundled_engine() -> Matchmaker:
    if not _ENGINE:
        _ENGINE.append(Matchmaker().fit())
    return _ENGINE[0]


def test_match_rejects_ids_without_that_side(tiny_engine: Matchmaker) -> None:
    with pytest.raises(ValueError, match=r"state no needs.*'cladder'"):
        tiny_engine.match(["cladder"], None)
    # a Catalogue means "those of its profiles that state needs"
    table = tiny_engine.match(tiny_engine.catalogue_, None, k=1)
    assert set(table.need_id) == {"reman", "water", "need-clad", "need-water"}


def test_unfitted_vectorizer_raises_scikit_learns_not_fitted_error() -> None:
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match="not fitted yet"):
        ProfileVectorizer().transform(["laser cladding"])


def test_result_objects_display_in_a_notebook(tiny_engine: Matchmaker) -> None:
    from matchmaker import evaluate

    catalogue = tiny_engine.catalogue_
    html = catalogue._repr_html_()
    assert f"Catalogue of {len(catalogue)} profiles" in html
    assert "<table" in html
    result = evaluate(Matchmaker().fit(), k=5)
    queries = int(result.summary["queries"])
    lines = {line.split()[0]: line.split()[1] for line in repr(result).splitlines()[1:]}
    assert lines["queries"] == str(queries)  # a count, not 61.0000
    assert lines["no_match_queries"] == str(int(result.summary["no_match_queries"]))
    assert "<table" in result._repr_html_()
