"""Meaning-based text similarity against TF-IDF, measured in the same run.

Usage::

    python benchmarks/bench_semantic.py FOLDER

FOLDER holds a sentence-embedding model such as all-MiniLM-L6-v2 (see
docs/matching.md for how to get one without network access at run time).
Prints speed (fit, one query) and ranking quality (the judgement set,
documented partnerships and every part of the held-out set) for both
settings, and the ratio. Where the ``transformers`` and ``torch`` packages
happen to be installed, it also prints the largest difference between our
numpy encoder and the reference implementation on a few sentences.
"""

from __future__ import annotations

import sys

import numpy as np
from _bench import print_table, timed

from matchmaker import Matchmaker, ProfileVectorizer, evaluate
from matchmaker.vectors._semantic import SentenceEncoder

PARTS = {
    "held-out h01-h16 (texts read)": (1, 16),
    "held-out h17-h34 (clean)": (17, 34),
    "held-out h35-h56 (development)": (35, 56),
    "held-out h57-h78 (clean)": (57, 78),
}


def quality(engine: Matchmaker) -> dict[str, float]:
    out = {
        "judged NDCG@5 (tuned on)": float(evaluate(engine).summary["ndcg@5"]),
        "partnerships NDCG@5": float(evaluate(engine, "partnerships").summary["ndcg@5"]),
    }
    held = evaluate(engine, "holdout").per_query
    number = held["query"].str[1:].astype(int)
    graded = held[~held.no_match]
    for name, (lo, hi) in PARTS.items():
        part = graded[number[graded.index].between(lo, hi)]
        out[f"{name} NDCG@5"] = float(part["ndcg@5"].mean())
    styled = graded.dropna(subset=["style"])
    for style, group in styled.groupby("style"):
        out[f"held-out h35-h78, {style} wording NDCG@5"] = float(group["ndcg@5"].mean())
    no_match = held[held.no_match]
    out["held-out no-match labelled weak (share)"] = float((no_match.top_strength == "weak").mean())
    return out


def reference_gap(folder: str) -> float | None:
    """Largest difference from transformers' output, or None when it is not installed."""
    try:
        import torch
        from transformers import AutoModel, AutoTokenizer
    except ImportError:
        return None
    texts = [
        "laser cladding of worn shafts",
        "Our steel turns brittle after it meets hydrogen.",
        "再制造",
        "a",
    ]
    tok = AutoTokenizer.from_pretrained(folder)
    model = AutoModel.from_pretrained(folder).eval()
    enc = tok(texts, padding=True, truncation=True, max_length=256, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**enc).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).float()
    ref = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=1).numpy()
    return float(np.abs(SentenceEncoder(folder).encode(texts) - ref).max())


def main(folder: str) -> None:
    settings = {
        "TF-IDF (default)": ProfileVectorizer(),
        "semantic": ProfileVectorizer(semantic_model=folder),
    }
    engines = {name: Matchmaker(vectorizer=vec).fit() for name, vec in settings.items()}
    speed = []
    for name, vec in settings.items():
        fit = timed(lambda vec=vec: Matchmaker(vectorizer=vec).fit(), repeat=1)
        engine = engines[name]
        query = timed(
            lambda engine=engine: engine.shortlist(
                "restore worn engine parts with plasma spraying", k=10, country="GB"
            ),
            repeat=20,
        )
        speed.append({"setting": name, "fit_ms": fit["median_ms"], "query_ms": query["median_ms"]})
    print_table("Speed on the bundled catalogue (TF-IDF is the reference)", speed)
    scores = {name: quality(engine) for name, engine in engines.items()}
    base, semantic = scores["TF-IDF (default)"], scores["semantic"]
    print_table(
        "Ranking quality, k=5 (semantic / TF-IDF in the last column)",
        [
            {
                "metric": m,
                "TF-IDF": f"{base[m]:.3f}",
                "semantic": f"{semantic[m]:.3f}",
                "ratio": f"{semantic[m] / base[m]:.3f}",
            }
            for m in base
        ],
    )
    gap = reference_gap(folder)
    print(
        "\nLargest difference from transformers' embeddings: "
        + ("not measured (transformers and torch not installed)" if gap is None else f"{gap:.1e}")
    )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
