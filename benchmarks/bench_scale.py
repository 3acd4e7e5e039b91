"""Scale: synthetic catalogues of 1,000 to 100,000 profiles (issue 14).

Each size runs in fresh subprocesses (one for the engine, one for the
references), so peak memory (maximum resident set size) is that size's own.
Per size, on a catalogue from ``_synthetic.py`` (seeded):

* engine: ``Matchmaker(catalogue, n_jobs=-1).fit()``; within it the
  vectoriser's fit, and the tagging alone against a plain TF-IDF fit on the
  same texts; the two-stage ``match`` of all needs x all offers, top 10 (on a
  freshly fitted engine each run, so nothing is cached); one ``shortlist``;
  peak memory up to here;
* first-stage recall (up to ``--recall-limit`` profiles): for 300 needs drawn
  at random (seeded), the share of the exhaustive top 10 (every pair scored
  by ``score_pairs``) that ``match`` returns;
* references on the same texts, same run: TF-IDF fit, then top 10 by
  ``sparse_dot_topn.sp_matmul_topn``, and by chunked
  ``sklearn.metrics.pairwise.linear_kernel`` with ``np.argpartition``.

Meaning is off (lexical and concept components only) unless ``--meaning``:
embedding a synthetic catalogue's new texts with the sentence model on two
cores takes about a tenth of a second per text, hours at 100,000. With
``--meaning`` the embeddings come from the cache after the first run.

Engine parts go through the public API only. Times are medians of 3 runs up
to 10,000 profiles, 1 run above (the table says which).

Run: python benchmarks/bench_scale.py [--sizes 1000,5000,10000,20000,100000] [--meaning]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from _bench import print_table
from _synthetic import synthetic_catalogue

SIZES = (1_000, 5_000, 10_000, 20_000, 100_000)
SMALL = 10_000  # up to this size: median of 3 runs
K = 10
QUERY = "restore worn engine parts with plasma spraying"
THREADS = os.cpu_count() or 1


def _median_s(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 2**30  # KiB on Linux


def _texts(catalogue: Any) -> tuple[list[str], list[str]]:
    """Offers and needs texts of every profile that states some (as the engine reads them)."""
    from matchmaker.vectors._vectorizer import profile_text

    def side(p: Any, name: str) -> str:
        text, sectors = profile_text(p, name)
        return f"{text}. {sectors}" if text and sectors else text

    offers = [t for t in (side(p, "offers") for p in catalogue) if t]
    needs = [t for t in (side(p, "needs") for p in catalogue) if t]
    return offers, needs


def _tfidf() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), stop_words="english")


def _recall(engine: Any, table: Any) -> float:
    """Share of the exhaustive top 10 of 300 sampled needs that ``table`` holds."""
    needs = sorted(set(table.need_id))
    rng = np.random.default_rng(0)
    sample = sorted(rng.choice(needs, size=min(300, len(needs)), replace=False))
    got = {n: set(g.offer_id) for n, g in table[table.need_id.isin(sample)].groupby("need_id")}
    pairs = engine.score_pairs(sample)
    ids = np.array(pairs.offer_ids, dtype=object)
    hit = total = 0
    for r, need in enumerate(pairs.need_ids):
        order = np.lexsort((ids, -np.round(pairs.total[r], 12)))[: K + 1]
        exact = [ids[j] for j in order if ids[j] != need][:K]
        hit += len(set(exact) & got.get(need, set()))
        total += len(exact)
    return hit / total


def engine_part(n: int, repeat: int, recall_limit: int, meaning: bool) -> dict[str, Any]:
    from matchmaker import Matchmaker, ProfileVectorizer
    from matchmaker.vectors._taxonomy import load_taxonomy

    catalogue = synthetic_catalogue(n)
    offers, needs = _texts(catalogue)
    docs = offers + needs
    encoder = "default" if meaning else None

    def fitted() -> Any:
        return Matchmaker(catalogue, encoder=encoder, n_jobs=-1).fit()

    fit_s, engine = _median_s(fitted, repeat)
    vec_fit_s, _ = _median_s(lambda: ProfileVectorizer(progress=False).fit(docs), repeat)
    taxonomy = load_taxonomy()
    distinct = list(dict.fromkeys(docs))
    tag_s, _ = _median_s(lambda: [taxonomy.tag(d) for d in distinct], repeat)
    tfidf_s, _ = _median_s(lambda: _tfidf().fit(docs), repeat)
    engine.shortlist(QUERY, k=K)  # warm up
    query_s, _ = _median_s(lambda: engine.shortlist(QUERY, k=K), 5)
    times, table = [], None
    for _ in range(repeat):
        fresh = engine if table is None else fitted()
        start = time.perf_counter()
        table = fresh.match(k=K)
        times.append(time.perf_counter() - start)
    peak = _peak_gib()
    recall = _recall(engine, table) if n <= recall_limit else None
    return {
        "needs": len(needs),
        "offers": len(offers),
        "meaning": engine.encoder_ is not None,
        "fit_s": fit_s,
        "vectoriser_fit_s": vec_fit_s,
        "tag_s": tag_s,
        "tfidf_fit_s": tfidf_s,
        "query_ms": query_s * 1000,
        "match_s": statistics.median(times),
        "recall": recall,
        "engine_peak_gib": peak,
    }


def reference_part(n: int, repeat: int) -> dict[str, Any]:
    from sklearn.metrics.pairwise import linear_kernel
    from sparse_dot_topn import sp_matmul_topn

    offers, needs = _texts(synthetic_catalogue(n))
    tfidf = _tfidf()

    def fit() -> tuple[Any, Any]:
        tfidf.fit(offers + needs)
        return tfidf.transform(needs), tfidf.transform(offers).T.tocsr()

    fit_s, (a, b) = _median_s(fit, repeat)
    topn_s, _ = _median_s(lambda: sp_matmul_topn(a, b, top_n=K, n_threads=THREADS), repeat)

    def chunked(rows: int = 1_000) -> np.ndarray:
        best = np.empty((a.shape[0], K), dtype=np.int64)
        for lo in range(0, a.shape[0], rows):
            scores = linear_kernel(a[lo : lo + rows], b.T)
            part = np.argpartition(-scores, K, axis=1)[:, :K]
            order = np.argsort(-np.take_along_axis(scores, part, axis=1), axis=1, kind="stable")
            best[lo : lo + rows] = np.take_along_axis(part, order, axis=1)
        return best

    kernel_s, _ = _median_s(chunked, repeat)
    return {
        "ref_fit_s": fit_s,
        "topn_s": topn_s,
        "kernel_s": kernel_s,
        "ref_peak_gib": _peak_gib(),
    }


def _run(part: str, n: int, repeat: int, recall_limit: int, meaning: bool) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", part, "--n", str(n), "--repeat", str(repeat)]
    cmd += ["--recall-limit", str(recall_limit)] + (["--meaning"] if meaning else [])
    env = {**os.environ, "MATCHMAKER_PROGRESS": "0"}
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["killed"])[-1]}
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _fmt_s(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def _row(n: int, repeat: int, recall_limit: int, meaning: bool) -> dict[str, Any]:
    e = _run("engine", n, repeat, recall_limit, meaning)
    r = _run("reference", n, repeat, recall_limit, meaning)
    if "error" in e or "error" in r:
        return {"profiles": f"{n:,}", "error": e.get("error") or r.get("error")}
    reference = r["ref_fit_s"] + r["topn_s"]
    return {
        "profiles": f"{n:,}",
        "runs": f"median of {repeat}" if repeat > 1 else "1",
        "needs x offers": f"{e['needs']:,} x {e['offers']:,}",
        "meaning": "on" if e["meaning"] else "off (lexical and concept components)",
        "fit": _fmt_s(e["fit_s"]),
        "vectoriser fit": _fmt_s(e["vectoriser_fit_s"]),
        "tagging / TF-IDF fit, same texts": f"{e['tag_s']:.2f} / {e['tfidf_fit_s']:.2f} s "
        f"= {e['tag_s'] / e['tfidf_fit_s']:.1f}x",
        "vectoriser fit / TF-IDF fit": f"{e['vectoriser_fit_s'] / e['tfidf_fit_s']:.1f}x",
        "match top-10 (two stages)": _fmt_s(e["match_s"]),
        "first-stage recall of the exhaustive top 10": "-"
        if e["recall"] is None
        else f"{e['recall']:.4f}",
        "shortlist": f"{e['query_ms']:.1f} ms",
        "engine peak": f"{e['engine_peak_gib']:.2f} GiB",
        "TF-IDF + sp_matmul_topn": f"{r['ref_fit_s']:.3f} + {r['topn_s']:.3f} s",
        "chunked linear_kernel (vs sp_matmul_topn)": f"{r['kernel_s']:.3f} s "
        f"({r['kernel_s'] / r['topn_s']:.1f}x)",
        "reference peak": f"{r['ref_peak_gib']:.2f} GiB",
        "engine fit+match / TF-IDF + sp_matmul_topn": f"{(e['fit_s'] + e['match_s']) / reference:.1f}x",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--recall-limit", type=int, default=10_000)
    parser.add_argument("--meaning", action="store_true", help="turn the meaning component on")
    parser.add_argument("--worker", choices=("engine", "reference"))
    parser.add_argument("--n", type=int)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    if args.worker == "engine":
        print(json.dumps(engine_part(args.n, args.repeat, args.recall_limit, args.meaning)))
        return
    if args.worker == "reference":
        print(json.dumps(reference_part(args.n, args.repeat)))
        return
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        rows.append(_row(n, 3 if n <= SMALL else 1, args.recall_limit, args.meaning))
        print(f"  done {n:,} profiles", file=sys.stderr, flush=True)
    for row in rows:
        title = f"Scale: {row.pop('profiles')} synthetic profiles"
        print_table(title, [{"measure": k, "value": v} for k, v in row.items()])
    print(
        f"\nTimes: medians of 3 runs up to {SMALL:,} profiles, 1 run above; "
        f"sp_matmul_topn on {THREADS} threads; peak = maximum resident set size of the "
        "subprocess (engine, or references)."
    )


if __name__ == "__main__":
    main()
