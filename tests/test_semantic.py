"""Meaning-based text similarity with a tiny sentence-embedding model built here.

The model is random (seeded) and small, so every test runs offline and fast;
what is checked is the wiring: encoder arithmetic, padding, statement
matching, scores, explanations and errors. Agreement with the reference
implementation (transformers) on all-MiniLM-L6-v2 is measured by
benchmarks/bench_semantic.py, which needs the real model.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from matchmaker import Catalogue, Matchmaker, ProfileVectorizer
from matchmaker.ranking._engine import side_document
from matchmaker.vectors._semantic import (
    SemanticVectors,
    SentenceEncoder,
    semantic_similarity,
    split_statements,
)
from matchmaker.vectors._taxonomy import Taxonomy

from .conftest import tiny_profiles

WORDS = (
    "laser cladding repair worn shafts metal water treatment engine remanufacturing "
    "thermal spraying parts aerospace printers toner offices plants volume surface "
    "engineering consultancy sells wastewater of at and for with"
).split()
DIM, HEADS, INNER = 8, 2, 16


def _write_model(folder: Path, layers: int = 2, zero_blocks: bool = False) -> Path:
    from safetensors.numpy import save_file
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

    folder.mkdir(parents=True, exist_ok=True)
    vocab = {w: i for i, w in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", *WORDS])}
    tokenizer = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    tokenizer.save(str(folder / "tokenizer.json"))
    config = {
        "model_type": "bert",
        "hidden_act": "gelu",
        "hidden_size": DIM,
        "num_attention_heads": HEADS,
        "num_hidden_layers": layers,
        "intermediate_size": INNER,
        "max_position_embeddings": 64,
        "type_vocab_size": 2,
        "vocab_size": len(vocab),
        "layer_norm_eps": 1e-12,
    }
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    rng = np.random.default_rng(0)

    def normal(*shape: int) -> np.ndarray:
        return rng.normal(0, 0.5, shape).astype(np.float32)

    w = {
        "embeddings.word_embeddings.weight": normal(len(vocab), DIM),
        "embeddings.position_embeddings.weight": normal(64, DIM),
        "embeddings.token_type_embeddings.weight": normal(2, DIM),
    }
    for name in ["embeddings.LayerNorm"] + [
        f"encoder.layer.{i}.{part}.LayerNorm"
        for i in range(layers)
        for part in ("attention.output", "output")
    ]:
        w[f"{name}.weight"] = np.ones(DIM, np.float32)
        w[f"{name}.bias"] = np.zeros(DIM, np.float32)
    for i in range(layers):
        p = f"encoder.layer.{i}"
        shapes = {
            "attention.self.query": (DIM, DIM),
            "attention.self.key": (DIM, DIM),
            "attention.self.value": (DIM, DIM),
            "attention.output.dense": (DIM, DIM),
            "intermediate.dense": (INNER, DIM),
            "output.dense": (DIM, INNER),
        }
        for name, shape in shapes.items():
            zero = zero_blocks and name in ("attention.output.dense", "output.dense")
            w[f"{p}.{name}.weight"] = np.zeros(shape, np.float32) if zero else normal(*shape)
            w[f"{p}.{name}.bias"] = np.zeros(shape[0], np.float32) if zero else normal(shape[0])
    save_file(w, str(folder / "model.safetensors"))
    return folder


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write_model(tmp_path_factory.mktemp("model") / "tiny-bert")


@pytest.fixture(scope="module")
def encoder(model_dir: Path) -> SentenceEncoder:
    return SentenceEncoder(model_dir)


def test_embeddings_are_unit_vectors_and_repeatable(encoder: SentenceEncoder) -> None:
    texts = ["laser cladding", "worn shafts repair", "laser cladding"]
    out = encoder.encode(texts)
    assert out.shape == (3, DIM)
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-6)
    assert np.allclose(out[0], out[2], atol=1e-6)  # batched with other lengths
    assert np.array_equal(out, encoder.encode(texts))


def test_without_layers_the_embedding_is_the_pooled_normalised_input(tmp_path: Path) -> None:
    # Known answer by hand: layer-normalised word + position + type embeddings,
    # averaged over [CLS] laser cladding [SEP], then unit length.
    from safetensors.numpy import load_file

    folder = _write_model(tmp_path / "m", layers=0)
    w = load_file(str(folder / "model.safetensors"))
    ids = [2, 4 + WORDS.index("laser"), 4 + WORDS.index("cladding"), 3]
    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][:4]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    x = (x - x.mean(axis=1, keepdims=True)) / np.sqrt(x.var(axis=1, keepdims=True) + 1e-12)
    expected = x.mean(axis=0) / np.linalg.norm(x.mean(axis=0))
    got = SentenceEncoder(folder).encode(["Laser cladding"])[0]
    assert np.allclose(got, expected, atol=1e-5)


def test_layers_with_silent_blocks_pass_the_input_through(tmp_path: Path) -> None:
    # With the attention and feed-forward outputs zeroed, each layer adds
    # nothing to its residual, so the result equals the model with no layers.
    silent = SentenceEncoder(_write_model(tmp_path / "a", layers=2, zero_blocks=True))
    bare = SentenceEncoder(_write_model(tmp_path / "b", layers=0))
    texts = ["laser cladding of worn shafts", "water treatment"]
    assert np.allclose(silent.encode(texts), bare.encode(texts), atol=1e-5)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from([*WORDS, "zzz", "激光"]), max_size=12), min_size=1, max_size=6
    )
)
def test_padding_and_batching_change_nothing(
    encoder: SentenceEncoder, words: list[list[str]]
) -> None:
    texts = [" ".join(w) for w in words]
    together = encoder.encode(texts, batch_size=4)
    alone = np.vstack([encoder.encode([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-5)


def test_statements_split_on_sentences_and_lines() -> None:
    assert split_statements("Repairs shafts. Sprays coatings!\nnext line ") == [
        "Repairs shafts.",
        "Sprays coatings!",
        "next line",
    ]
    assert split_statements("  ") == []


def test_similarity_takes_the_closest_statement_and_skips_empty_texts() -> None:
    e = np.eye(4, dtype=np.float32)
    need = SemanticVectors(e[[0]], [["n"]], e[:0], np.zeros(0, int), floor=0.2)
    # Offer 0 has two statements (one on the need), offer 1 none, offer 2 one unrelated.
    half = (e[0] + e[1]) / np.sqrt(2)
    offers = SemanticVectors(
        np.zeros((3, 4), np.float32),
        [["x", "y"], [], ["z"]],
        np.vstack([e[2], half, e[3]]),
        np.array([0, 0, 2]),
        floor=0.2,
    )
    expected = (np.sqrt(0.5) - 0.2) / 0.8
    similarity = semantic_similarity(need, offers)
    assert similarity == pytest.approx(np.array([[expected, 0.0, 0.0]]), abs=1e-6)
    # rounded to 1e-6, so float noise below that cannot reorder candidates
    assert np.array_equal(similarity, np.round(similarity, 6))
    assert need.closest(offers.row(0)) == ("y", pytest.approx(np.sqrt(0.5)))
    assert need.closest(offers.row(1)) == ("", 0.0)


def _engine(tiny_taxonomy: Taxonomy, model_dir: Path) -> Matchmaker:
    vec = ProfileVectorizer(taxonomy=tiny_taxonomy, semantic_model=str(model_dir))
    return Matchmaker(Catalogue(tiny_profiles()), vectorizer=vec).fit()


def test_text_component_is_the_closest_offer_statement(
    tiny_taxonomy: Taxonomy, model_dir: Path, encoder: SentenceEncoder
) -> None:
    engine = _engine(tiny_taxonomy, model_dir)
    query = "repair of worn shafts"
    frame = engine.shortlist(query, k=10).to_frame().set_index("id")
    need = encoder.encode([query])[0]
    for profile in tiny_profiles():
        if profile.id not in frame.index:
            continue
        statements = split_statements(side_document(profile, "offers"))
        cosine = max(float(encoder.encode([s])[0] @ need) for s in statements)
        expected = min(max((cosine - 0.2) / 0.8, 0.0), 1.0)
        assert frame.loc[profile.id, "text"] == pytest.approx(expected, abs=1e-4), profile.id


def test_explanation_quotes_the_closest_statement(
    tiny_taxonomy: Taxonomy, model_dir: Path, encoder: SentenceEncoder
) -> None:
    engine = _engine(tiny_taxonomy, model_dir)
    query = "laser cladding repair of worn shafts"
    explanation = engine.shortlist(query, k=3).explain("cladder")
    row = explanation.components.set_index("component").loc["text"]
    statements = split_statements(side_document(engine.catalogue_["cladder"], "offers"))
    cosines = encoder.encode(statements) @ encoder.encode([query])[0]
    best = int(np.argmax(cosines))
    assert row.sentence == f"Closest in meaning (cosine {cosines[best]:.2f}): {statements[best]!r}."
    assert row.raw == pytest.approx((cosines[best] - 0.2) / 0.8, abs=1e-3)


def test_explanation_says_when_nothing_is_close(tiny_taxonomy: Taxonomy, model_dir: Path) -> None:
    vec = ProfileVectorizer(
        taxonomy=tiny_taxonomy, semantic_model=str(model_dir), semantic_floor=0.9999
    )
    engine = Matchmaker(Catalogue(tiny_profiles()), vectorizer=vec).fit()
    explanation = engine.shortlist("toner for offices", k=6).explain("water")
    row = explanation.components.set_index("component").loc["text"]
    assert row.raw == 0
    assert row.sentence.startswith("Nothing it states is close in meaning to the need (best cosine")


def test_direction_offers_and_profile_queries_use_the_model(
    tiny_taxonomy: Taxonomy, model_dir: Path
) -> None:
    engine = _engine(tiny_taxonomy, model_dir)
    # The same text as reman's offers, so both queries must score alike.
    by_text = engine.shortlist(
        "Engine remanufacturing at volume. automotive", direction="offers", k=3
    )
    assert [p.id for p in by_text.candidates][:1] == ["water"]
    by_id = engine.shortlist("reman", direction="offers", k=3).to_frame()
    assert by_id.id.iloc[0] == "water"
    assert by_id.text.iloc[0] == pytest.approx(by_text.to_frame().text.iloc[0], abs=1e-6)


def test_the_model_survives_clone_and_pickle(tiny_taxonomy: Taxonomy, model_dir: Path) -> None:
    engine = _engine(tiny_taxonomy, model_dir)
    params = clone(engine.vectorizer).get_params()
    assert params["semantic_model"] == str(model_dir)
    again = pickle.loads(pickle.dumps(engine))
    query = "thermal spraying of engine parts"
    assert again.shortlist(query).to_frame().equals(engine.shortlist(query).to_frame())


def test_missing_model_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="No model folder at"):
        SentenceEncoder(tmp_path / "nowhere")
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "config.json").write_text("{}", encoding="utf-8")
    with pytest.raises(
        FileNotFoundError,
        match=r"half is not a sentence-embedding model folder: missing "
        r"model\.safetensors, tokenizer\.json",
    ):
        SentenceEncoder(tmp_path / "half")


def test_a_model_that_is_not_bert_is_refused(tmp_path: Path) -> None:
    folder = _write_model(tmp_path / "m", layers=0)
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    config.update(model_type="gpt2", hidden_act="relu")
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ValueError, match="model_type must be 'bert', got 'gpt2'; hidden_act"):
        SentenceEncoder(folder)


@pytest.mark.parametrize("floor", [-0.1, 1.0, "0.2", True])
def test_bad_semantic_floor(floor: object) -> None:
    with pytest.raises(ValueError, match="'semantic_floor' parameter of ProfileVectorizer"):
        ProfileVectorizer(semantic_floor=floor).fit(["laser cladding"])  # type: ignore[arg-type]


def test_unknown_side_is_refused() -> None:
    vec = ProfileVectorizer().fit(["laser cladding"])
    with pytest.raises(ValueError, match="'side' parameter of transform"):
        vec.transform(["laser cladding"], side="both")


def test_command_line_takes_a_model_folder(
    model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from matchmaker.cli._main import main

    argv = ["--semantic-model", str(model_dir), "shortlist", "laser cladding", "--top", "2"]
    assert main([*argv, "--explain", "1"]) == 0
    assert "Closest in meaning (cosine" in capsys.readouterr().out
    assert main(["--semantic-model", str(tmp_path / "none"), "shortlist", "laser cladding"]) == 2
    assert f"No model folder at {tmp_path / 'none'}" in capsys.readouterr().err


def test_weak_reasons_quote_the_closest_statement(tiny_taxonomy: Taxonomy, model_dir: Path) -> None:
    engine = _engine(tiny_taxonomy, model_dir)
    # Names no concept of the tiny taxonomy: every candidate is weak, ranked on meaning.
    frame = engine.shortlist("sells toner for offices", k=6).to_frame().set_index("id")
    assert set(frame.strength) == {"weak"}
    assert frame.loc["water", "reasons"] == (
        "Weak: no shared concept; closest in meaning: 'Wastewater treatment plants'"
    )
