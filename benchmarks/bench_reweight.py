"""Re-ranking after a weight change, from cached component scores, against a full refit.

Target (tuning issue): re-ranking 500 needs by 2,000 offers after a weight
change < 100 ms, because the component scores are cached; a full refit (new
vectors, new component scores) is shown beside it for scale. Also times
``tune`` on the bundled judgement set.

Run: python benchmarks/bench_reweight.py
"""

from __future__ import annotations

import numpy as np
from _bench import peak_mib, print_table, timed

from matchmaker import Catalogue, Matchmaker, Weights, load_catalogue, tune
from matchmaker.ranking._scores import ComponentScores

N_NEEDS, N_OFFERS, K = 500, 2_000, 10
N_PROFILES = 2_500


def synthetic_scores(seed: int = 0) -> ComponentScores:
    """Seeded random component matrices shaped like the engine's cache."""
    rng = np.random.default_rng(seed)
    shape = (N_NEEDS, N_OFFERS)
    components = {
        "concept": rng.beta(0.6, 3.0, shape),
        "focus": rng.beta(0.4, 3.0, shape),
        "text": rng.beta(0.5, 8.0, shape),
        "sector": rng.beta(0.5, 2.0, shape) * (rng.random(shape) < 0.3),
        "readiness": np.broadcast_to(
            rng.choice([0.0, 0.25, 0.5, 0.75, 1.0], N_OFFERS), shape
        ).copy(),
    }
    share = np.where(rng.random(N_NEEDS) < 0.4, 0.0, rng.random(N_NEEDS))[:, None]
    return ComponentScores(components, share)


def top_k(scores: ComponentScores, weights: Weights, k: int = K) -> np.ndarray:
    """The engine's path: weighted total, then the best k offers of every need."""
    total = scores.total(weights)
    part = np.argpartition(-total, k, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(total, part, axis=1), axis=1, kind="stable")
    result: np.ndarray = np.take_along_axis(part, order, axis=1)
    return result


def synthetic_catalogue(n: int = N_PROFILES) -> Catalogue:
    """``n`` profiles cycling through the bundled ones' texts, with fresh ids."""
    bundled = list(load_catalogue())
    profiles = []
    for i in range(n):
        source = bundled[i % len(bundled)]
        copy = i // len(bundled)
        profiles.append(
            source.model_copy(
                update={"id": f"{source.id}-v{copy}", "name": f"{source.name} ({copy})"}
            )
        )
    return Catalogue(profiles)


def main() -> None:
    scores = synthetic_scores()
    changed = Weights(text=0.4, sector=0.1)
    top_k(scores, changed)  # warm up

    catalogue = synthetic_catalogue()
    engine = Matchmaker(catalogue).fit()
    n_needs = int((~engine.needs_.empty).sum())
    n_offers = int((~engine.offers_.empty).sum())
    engine.score_pairs()  # fill the cache

    def refit() -> None:
        Matchmaker(catalogue).fit().score_pairs()

    def reweight_engine() -> None:
        engine.with_weights(changed).score_pairs()

    bundled = Matchmaker(load_catalogue()).fit()

    def tune_grid() -> None:
        tune(bundled, cv=5)

    def tune_coordinate() -> None:
        tune(bundled, method="coordinate", cv=5)

    rows = [
        {
            "case": f"re-rank {N_NEEDS} needs x {N_OFFERS:,} offers, top {K} (cached scores)",
            **timed(lambda: top_k(scores, changed), 20),
            "peak_MiB": peak_mib(lambda: top_k(scores, changed)),
            "target_ms": 100.0,
        },
        {
            "case": "  of which weighted total only",
            **timed(lambda: scores.total(changed), 20),
            "peak_MiB": peak_mib(lambda: scores.total(changed)),
            "target_ms": float("nan"),
        },
        {
            "case": f"engine.with_weights(..).score_pairs(), {n_needs} x {n_offers:,} (cached)",
            **timed(reweight_engine, 5),
            "peak_MiB": peak_mib(reweight_engine),
            "target_ms": float("nan"),
        },
        {
            "case": f"full refit: fit {len(catalogue):,} profiles + score all pairs",
            **timed(refit, 3),
            "peak_MiB": peak_mib(refit),
            "target_ms": float("nan"),
        },
        {
            "case": "tune(grid, 243 points, 5-fold nested CV) on bundled judgements",
            **timed(tune_grid, 5),
            "peak_MiB": peak_mib(tune_grid),
            "target_ms": float("nan"),
        },
        {
            "case": "tune(coordinate, 5-fold nested CV) on bundled judgements",
            **timed(tune_coordinate, 5),
            "peak_MiB": peak_mib(tune_coordinate),
            "target_ms": float("nan"),
        },
    ]
    print_table("Re-weighting from cached component scores vs a full refit", rows)


if __name__ == "__main__":
    main()
