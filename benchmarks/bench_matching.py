"""Matching speed on the bundled catalogue.

Targets (issue 3): fit < 1 s, one shortlist query < 20 ms, shortlists with
explanations for every Chinese demand < 1 s.

Run: python benchmarks/bench_matching.py
"""

from __future__ import annotations

from _bench import peak_mib, print_table, timed

from matchmaker import Matchmaker, evaluate, load_catalogue


def main() -> None:
    catalogue = load_catalogue()
    demands = [p.id for p in catalogue if p.country == "CN" and p.kind == "sector_demand"]
    engine = Matchmaker(catalogue).fit()
    engine.shortlist("warm up", k=1)

    def fit() -> None:
        Matchmaker(catalogue).fit()

    def one_query() -> None:
        engine.shortlist("restore worn engine parts with plasma spraying", k=10, country="GB")

    def one_query_zh() -> None:
        engine.shortlist("发动机缸体热喷涂修复", k=10, country="GB")

    def every_demand() -> None:
        fresh = Matchmaker(catalogue).fit()
        for demand in demands:
            shortlist = fresh.shortlist(demand, k=5, country="GB")
            for rank in range(1, len(shortlist) + 1):
                shortlist.explain(rank)

    def reweight() -> None:
        engine.with_weights(text=0.4).match(demands, None, k=5)

    rows = [
        {
            "case": f"fit on bundled catalogue ({len(catalogue)} profiles)",
            **timed(fit, 5),
            "peak_MiB": peak_mib(fit),
            "target_ms": 1000.0,
        },
        {
            "case": "one shortlist query (English)",
            **timed(one_query, 20),
            "peak_MiB": peak_mib(one_query),
            "target_ms": 20.0,
        },
        {
            "case": "one shortlist query (Chinese)",
            **timed(one_query_zh, 20),
            "peak_MiB": peak_mib(one_query_zh),
            "target_ms": 20.0,
        },
        {
            "case": f"fit + top-5 with explanations for {len(demands)} demands",
            **timed(every_demand, 3),
            "peak_MiB": peak_mib(every_demand),
            "target_ms": 1000.0,
        },
        {
            "case": "re-weight + match all demands (cached)",
            **timed(reweight, 10),
            "peak_MiB": peak_mib(reweight),
            "target_ms": float("nan"),
        },
    ]
    print_table("Matching on the bundled catalogue", rows)
    held = evaluate(engine, "holdout", k=5)
    sets = {
        "judged (tuned on)": evaluate(engine, k=5).summary,
        "held-out": held.summary,
        "partnerships": evaluate(engine, "partnerships", k=5).summary,
    }
    names = list(sets["judged (tuned on)"].index)
    print_table(
        "Ranking quality (k=5): the judgement set, the held-out set, documented partnerships",
        [{"metric": n, **{k: float(v[n]) for k, v in sets.items()}} for n in names],
    )
    graded = held.per_query[~held.per_query.no_match]
    graded = graded.assign(style=graded["style"].fillna("not labelled"))
    groups = graded.groupby(["style", "language"])["ndcg@5"]
    print_table(
        "Held-out NDCG@5 by wording (everyday: the problem in plain words) and language",
        [
            {"style": style, "language": lang, "queries": len(g), "ndcg@5": float(g.mean())}
            for (style, lang), g in groups
        ],
    )


if __name__ == "__main__":
    main()
