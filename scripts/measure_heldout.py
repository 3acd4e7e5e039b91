"""Measure the held-out parts once, after quality work is finished.

    python scripts/measure_heldout.py

Prints NDCG@5 by part and wording style, the share of no-match queries
labelled weak at rank 1, Chinese queries against their English twins, and,
over every held-out part, how often a query whose best partner is graded 3
shows a weak rank 1 and how precise the ``strong`` label is. Run it only
when a change is done: the clean parts (h17-h34, h57-h78) and the sealed
part (``profiles/judgements_sealed.yaml``) stay clean only while nobody tunes
on what it prints. Report each run with the commit it measured.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from matchmaker import Matchmaker, evaluate, load_judgements
from matchmaker.catalogue._catalogue import bundled_dir
from matchmaker.evaluation._evaluate import Judgement, ndcg_at_k, top_overlap

PARTS = {
    "h17-h34 (clean)": ("holdout", 17, 34),
    "h35-h56 (development)": ("holdout", 35, 56),
    "h57-h78 (clean)": ("holdout", 57, 78),
    "h79-h145 (part 4)": ("sealed", 79, 145),
}


def _part(kind: str, lo: int, hi: int) -> list[Judgement]:
    name = "judgements_holdout.yaml" if kind == "holdout" else "judgements_sealed.yaml"
    return [j for j in load_judgements(bundled_dir() / name) if lo <= int(j.id[1:]) <= hi]


def _twins(engine: Matchmaker, queries: list[Judgement]) -> tuple[float, float, int]:
    by_id = {q.id: q for q in queries}
    gaps, overlaps = [], []
    for q in queries:
        twin = by_id.get(q.equivalent_of or "")
        if twin is None or not q.relevant:
            continue
        a = [p.id for p in engine.shortlist(q.text, k=5, country="GB").candidates]
        b = [p.id for p in engine.shortlist(twin.text, k=5, country="GB").candidates]
        gaps.append(abs(ndcg_at_k(a, q.relevant, 5) - ndcg_at_k(b, twin.relevant, 5)))
        overlaps.append(top_overlap(a, b, 5))
    return float(np.mean(gaps)), float(np.mean(overlaps)), len(gaps)


def main() -> int:
    engine = Matchmaker().fit()
    print(engine.meaning_status_)
    rows, every = [], []
    for name, (kind, lo, hi) in PARTS.items():
        queries = _part(kind, lo, hi)
        per = evaluate(engine, queries, k=5).per_query
        per["part"] = name
        graded, nomatch = per[~per.no_match], per[per.no_match]
        gap, overlap, n_twins = _twins(engine, queries)
        rows.append(
            {
                "part": name,
                "queries": len(per),
                "NDCG@5": graded["ndcg@5"].mean(),
                "everyday": graded[graded["style"] == "everyday"]["ndcg@5"].mean(),
                "technical": graded[graded["style"] == "technical"]["ndcg@5"].mean(),
                "zh": graded[graded.language == "zh"]["ndcg@5"].mean(),
                "no-match weak at rank 1": (
                    f"{(nomatch.top_strength == 'weak').sum()}/{len(nomatch)}"
                ),
                "zh twins: mean NDCG gap / top-5 overlap": (
                    f"{gap:.3f} / {overlap:.3f} ({n_twins})" if n_twins else "-"
                ),
            }
        )
        for q in queries:
            every.append((name, q))
    judged = evaluate(engine, k=5)
    print(f"judgement set (in-sample): NDCG@5 {judged.summary['ndcg@5']:.4f}")
    with pd.option_context("display.width", 250, "display.max_columns", 20):
        print(pd.DataFrame(rows).round(4).to_string(index=False))
    # Over every held-out part: weak rank 1 where an ideal partner exists; precision of strong.
    ideal_weak = ideal = strong = strong_good = 0
    for _, q in every:
        top = engine.shortlist(q.text, k=5, country="GB")
        if q.relevant and max(q.relevant.values()) == 3:
            ideal += 1
            ideal_weak += top.strength[0] == "weak"
        for c, s in zip(top.candidates, top.strength, strict=True):
            if s == "strong":
                strong += 1
                strong_good += q.relevant.get(c.id, 0) >= 2
    print(
        f"all held-out parts: queries with a grade-3 partner showing weak at rank 1 "
        f"{ideal_weak}/{ideal} ({ideal_weak / max(ideal, 1):.1%}); precision of strong "
        f"{strong_good}/{strong} ({strong_good / max(strong, 1):.3f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
