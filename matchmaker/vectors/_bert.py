"""A BERT-style sentence-embedding model from a local folder, run with numpy.

One of the text encoders of :mod:`._encoders`: give ``encoder=FOLDER`` for a
folder holding a BERT-style sentence-transformers model (``config.json``,
``model.safetensors``, ``tokenizer.json``), for example all-MiniLM-L6-v2.
It runs with numpy; nothing is downloaded, and it needs only the
``semantic`` extra (``tokenizers`` and ``safetensors``), not PyTorch.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import erf

__all__ = ["REQUIRED_FILES", "BertEncoder"]

#: Files a model folder must hold.
REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json")


class BertEncoder:
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

    @property
    def name(self) -> str:
        """The model folder's name, e.g. ``all-MiniLM-L6-v2``."""
        return f"bert:{self.path.name}"

    @property
    def dimension(self) -> int:
        """Length of every embedding."""
        return self.dim

    def encode(
        self, texts: Sequence[str], *, role: str = "passage", batch_size: int = 32
    ) -> np.ndarray:
        """Unit-length embeddings, one row per text (``role`` is not used by BERT models).

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

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_tokenizer"] = self._tokenizer.to_str()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        from tokenizers import Tokenizer

        state["_tokenizer"] = Tokenizer.from_str(state["_tokenizer"])
        self.__dict__.update(state)
