"""Optional meaning-based text similarity from a local sentence-embedding model.

Part of the vectorising step (profiles -> **vectors** -> component scores).
Give :class:`ProfileVectorizer` ``semantic_model=FOLDER`` and the ``text``
component compares what statements mean rather than which words they share.
On held-out needs it helps most where the need names the technique in other
words than the offer; needs told as everyday problems gain little. The
folder holds a BERT-style
sentence-transformers model (``config.json``, ``model.safetensors``,
``tokenizer.json``), for example all-MiniLM-L6-v2. The model runs here with
numpy; nothing is downloaded, and it needs only the ``semantic`` extra
(``tokenizers`` and ``safetensors``), not PyTorch.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import erf

__all__ = [
    "REQUIRED_FILES",
    "SemanticVectors",
    "SentenceEncoder",
    "semantic_similarity",
    "split_statements",
]

#: Files a model folder must hold.
REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json")

_STATEMENT_END = re.compile(r"(?<=[.!?;])\s+|(?<=[。！？；])|\n+")


def split_statements(text: str) -> list[str]:
    """Split a side's text into statements (sentences and lines).

    Examples
    --------
    >>> split_statements("Laser cladding. Thermal spraying of shafts\\n激光熔覆。热喷涂")
    ['Laser cladding.', 'Thermal spraying of shafts', '激光熔覆。', '热喷涂']
    """
    return [s.strip() for s in _STATEMENT_END.split(text) if s and s.strip()]


@dataclass
class SemanticVectors:
    """Sentence embeddings of a batch of texts.

    A text on the need side is compared as a whole (``doc``), a text on the
    offer side statement by statement (``vectors``); a batch vectorised for
    one side only leaves the other part empty.

    Attributes
    ----------
    doc : ndarray (n, dim)
        One unit vector per whole text (zero for an empty text, and for
        every text of a batch vectorised as offers only).
    statements : list of list of str
        The statements of each text.
    vectors : ndarray (n_statements, dim)
        One unit vector per statement, texts in order (no rows for a batch
        vectorised as needs only).
    owner : ndarray of int (n_statements,)
        Which text each statement belongs to.
    floor : float
        Cosine at or below which two texts count as unrelated (0).
    """

    doc: np.ndarray
    statements: list[list[str]]
    vectors: np.ndarray
    owner: np.ndarray
    floor: float

    def row(self, i: int) -> SemanticVectors:
        """The vectors of text ``i`` alone."""
        keep = self.owner == i
        return SemanticVectors(
            self.doc[i : i + 1],
            [self.statements[i]],
            self.vectors[keep],
            np.zeros(int(keep.sum()), dtype=int),
            self.floor,
        )

    def closest(self, other: SemanticVectors) -> tuple[str, float]:
        """The statement of ``other`` (one text) closest to this one text, and its cosine."""
        if not len(other.owner):
            return "", 0.0
        cosine = other.vectors @ self.doc[0]
        best = int(np.argmax(cosine))
        return other.statements[0][best], float(cosine[best])


def semantic_similarity(needs: SemanticVectors, offers: SemanticVectors) -> np.ndarray:
    """How close in meaning each need is to each offer's closest statement.

    The cosine of the whole need and the offer's best-matching statement,
    rescaled so that ``floor`` and below give 0 and identical meaning 1.

    Returns
    -------
    ndarray (n_needs, n_offers) in [0, 1]

    Examples
    --------
    >>> e = np.eye(3)
    >>> needs = SemanticVectors(e[:1], [["a"]], e[:1], np.array([0]), floor=0.2)
    >>> offers = SemanticVectors(e[:2], [["b"], ["a", "c"]], e[[1, 0, 2]],
    ...                          np.array([0, 1, 1]), floor=0.2)
    >>> semantic_similarity(needs, offers).tolist()
    [[0.0, 1.0]]
    """
    n_offers = offers.doc.shape[0]
    out = np.zeros((needs.doc.shape[0], n_offers))
    if len(offers.owner):
        cosine = needs.doc @ offers.vectors.T
        # Statements are stored text by text: the best per owner, owner by owner.
        starts = np.flatnonzero(np.r_[True, offers.owner[1:] != offers.owner[:-1]])
        best = np.maximum.reduceat(cosine, starts, axis=1)
        out[:, offers.owner[starts]] = best
    floor = needs.floor
    # Rounded so that float noise from batching or another BLAS cannot reorder
    # candidates: closer than 1e-6 is a tie, broken by id like any other.
    scaled: np.ndarray = np.round(np.clip((out - floor) / (1.0 - floor), 0.0, 1.0), 6)
    return scaled


class SentenceEncoder:
    """A BERT-style sentence-embedding model read from a local folder, run with numpy.

    Mean pooling over tokens and unit length, as sentence-transformers does
    for models such as all-MiniLM-L6-v2.

    Parameters
    ----------
    path : str or Path
        A folder with ``config.json``, ``model.safetensors`` and
        ``tokenizer.json`` (and optionally ``sentence_bert_config.json`` for
        the maximum sequence length).

    Raises
    ------
    FileNotFoundError
        Naming the folder and every missing file.
    ImportError
        When the ``semantic`` extra is not installed.
    ValueError
        For a model that is not BERT-style.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_dir():
            raise FileNotFoundError(
                f"No model folder at {self.path}. Give semantic_model a folder holding a "
                f"sentence-transformers model ({', '.join(REQUIRED_FILES)}); see docs/matching.md."
            )
        missing = [f for f in REQUIRED_FILES if not (self.path / f).is_file()]
        if missing:
            raise FileNotFoundError(
                f"{self.path} is not a sentence-embedding model folder: missing "
                f"{', '.join(missing)}. It needs {', '.join(REQUIRED_FILES)}; see docs/matching.md."
            )
        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "Meaning-based similarity needs the optional packages tokenizers and "
                "safetensors: pip install 'sino-uk-matchmaker[semantic]'."
            ) from exc
        config = json.loads((self.path / "config.json").read_text(encoding="utf-8"))
        problems = []
        if config.get("model_type") != "bert":
            problems.append(f"model_type must be 'bert', got {config.get('model_type')!r}")
        if config.get("hidden_act", "gelu") != "gelu":
            problems.append(f"hidden_act must be 'gelu', got {config.get('hidden_act')!r}")
        if config.get("position_embedding_type", "absolute") != "absolute":
            problems.append("position_embedding_type must be 'absolute'")
        if problems:
            raise ValueError(f"{self.path / 'config.json'}: " + "; ".join(problems) + ".")
        raw = load_file(str(self.path / "model.safetensors"))
        self._w = {k.removeprefix("bert."): np.asarray(v, dtype=np.float32) for k, v in raw.items()}
        # Dense layers are kept transposed (the layout the matrix products read), once.
        for name in [k for k in self._w if k.startswith("encoder.") and k.endswith(".weight")]:
            if self._w[name].ndim == 2:
                self._w[f"{name}.T"] = np.ascontiguousarray(self._w.pop(name).T)
        self.dim = int(config["hidden_size"])
        self._heads = int(config["num_attention_heads"])
        self._layers = int(config["num_hidden_layers"])
        self._eps = float(config.get("layer_norm_eps", 1e-12))
        max_length = int(config.get("max_position_embeddings", 512))
        st_config = self.path / "sentence_bert_config.json"
        if st_config.is_file():
            st = json.loads(st_config.read_text(encoding="utf-8"))
            max_length = min(max_length, int(st.get("max_seq_length", max_length)))
        self.max_length = max_length
        self._tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=max_length)

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Unit-length embeddings, one row per text.

        Texts are batched by length. Padding is masked out, so a text gives
        the same embedding alone or in any batch up to float rounding (below
        1e-6); the same list of texts always gives the same rows.
        """
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: (len(encodings[i].ids), i))
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            length = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), length), dtype=np.int64)
            types = np.zeros((len(rows), length), dtype=np.int64)
            mask = np.zeros((len(rows), length), dtype=np.float32)
            for r, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[r, :n] = encodings[i].ids
                types[r, :n] = encodings[i].type_ids
                mask[r, :n] = 1.0
            hidden = self._forward(ids, types, mask)
            counts = np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
            out[rows] = (hidden * mask[:, :, None]).sum(axis=1) / counts
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        normed: np.ndarray = out / np.where(norms > 0, norms, 1.0)
        return normed

    def _layer_norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(axis=-1, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        out: np.ndarray = (x - mean) / np.sqrt(var + self._eps) * self._w[
            f"{name}.weight"
        ] + self._w[f"{name}.bias"]
        return out

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        # One matrix product over all tokens of the batch (faster than a stacked one).
        flat = x.reshape(-1, x.shape[-1]) @ self._w[f"{name}.weight.T"]
        out: np.ndarray = (flat + self._w[f"{name}.bias"]).reshape(*x.shape[:-1], -1)
        return out

    def _forward(self, ids: np.ndarray, types: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Hidden states of the last layer, shape (batch, length, dim)."""
        w = self._w
        batch, length = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length][None, :, :]
            + w["embeddings.token_type_embeddings.weight"][types]
        )
        x = self._layer_norm(x, "embeddings.LayerNorm")
        heads, size = self._heads, self.dim // self._heads
        # Padding never receives attention.
        blocked = np.where(mask > 0, 0.0, np.finfo(np.float32).min).astype(np.float32)
        blocked = blocked[:, None, None, :]

        def split(t: np.ndarray) -> np.ndarray:
            return t.reshape(batch, length, heads, size).transpose(0, 2, 1, 3)

        for layer in range(self._layers):
            p = f"encoder.layer.{layer}"
            q = split(self._dense(x, f"{p}.attention.self.query"))
            k = split(self._dense(x, f"{p}.attention.self.key"))
            v = split(self._dense(x, f"{p}.attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(size) + blocked
            scores -= scores.max(axis=-1, keepdims=True)
            weights = np.exp(scores)
            weights /= weights.sum(axis=-1, keepdims=True)
            context = (weights @ v).transpose(0, 2, 1, 3).reshape(batch, length, self.dim)
            x = self._layer_norm(
                x + self._dense(context, f"{p}.attention.output.dense"),
                f"{p}.attention.output.LayerNorm",
            )
            inner = self._dense(x, f"{p}.intermediate.dense")
            inner = 0.5 * inner * (1.0 + erf(inner / math.sqrt(2.0)))
            x = self._layer_norm(
                x + self._dense(inner, f"{p}.output.dense"), f"{p}.output.LayerNorm"
            )
        return x

    def vectors(
        self, texts: Sequence[str], floor: float, side: str | None = None
    ) -> SemanticVectors:
        """Embeddings of a batch of texts: whole texts, statements, or both.

        Parameters
        ----------
        texts : sequence of str
        floor : float
            Cosine at or below which two texts count as unrelated.
        side : {"needs", "offers"}, optional
            Encode only what that side is compared by (whole texts for
            needs, statements for offers); both when None.
        """
        texts = list(texts)
        statements = [split_statements(t) for t in texts]
        doc = np.zeros((len(texts), self.dim), dtype=np.float32)
        if side != "offers":
            filled = [i for i, t in enumerate(texts) if t.strip()]
            doc[filled] = self.encode([texts[i] for i in filled])
        encoded = [] if side == "needs" else statements
        flat = [s for group in encoded for s in group]
        owner = np.array([i for i, group in enumerate(encoded) for _ in group], dtype=int)
        return SemanticVectors(doc, statements, self.encode(flat), owner, float(floor))

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_tokenizer"] = self._tokenizer.to_str()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        from tokenizers import Tokenizer

        state["_tokenizer"] = Tokenizer.from_str(state["_tokenizer"])
        self.__dict__.update(state)
