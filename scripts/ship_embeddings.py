"""Compute the embeddings shipped for the bundled catalogue, and write them into the package.

Run after any change to the bundled profiles or the taxonomy labels::

    python scripts/ship_embeddings.py

It embeds every statement and need text of the bundled catalogue, and every
capability concept label, with the default encoder, and writes
``matchmaker/data/embeddings/<model>.npz`` with the model's name and a
checksum. ``tests/test_meaning.py`` fails when a bundled text is missing
from the file, and recomputes a sample to check the stored vectors.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from pathlib import Path

import numpy as np

from matchmaker import Matchmaker
from matchmaker.vectors._embedding_cache import checksum, shipped_path


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        engine = Matchmaker(cache=folder).fit()
        if engine.encoder_ is None:
            print(f"No encoder: {engine.meaning_status_}", file=sys.stderr)
            return 1
        engine.nearest_concepts(np.zeros(engine.encoder_.dimension, dtype=np.float32))
        model = engine.encoder_.name
        with sqlite3.connect(Path(folder) / "embeddings.sqlite") as db:
            rows = db.execute(
                "SELECT key, vector FROM embedding WHERE model = ? ORDER BY key", [model]
            ).fetchall()
    # Shipped vectors found at fit time are not re-saved: start from the old file too.
    old = shipped_path(model)
    known: dict[str, np.ndarray] = {}
    if old.is_file():
        with np.load(old, allow_pickle=False) as data:
            known = dict(zip((str(k) for k in data["keys"]), data["vectors"], strict=True))
    known.update({key: np.frombuffer(blob, dtype=np.float32) for key, blob in rows})
    keys = sorted(known)
    vectors = np.stack([known[k] for k in keys]).astype(np.float32)
    path = shipped_path(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path,
        model=np.array(model),
        keys=np.array(keys),
        vectors=vectors,
        checksum=np.array(checksum(model, keys, vectors)),
    )
    print(f"{len(keys)} embeddings of {model!r} written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
