"""Tuning weights against graded queries or documented partnerships.

Reads the cached component scores, never changes them:
component scores -> **weights**. Every candidate weighting re-ranks the same
cached component matrices, so a search over a hundred weightings takes a
moment. :func:`tune` searches weights (grid, random or coordinate ascent)
and guards against overfitting a small judgement set with cross-validation
over queries. The scikit-learn scorer is in :mod:`._scorer`, weights learned
from logged outcomes in :mod:`._fit_weights`.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold, ParameterGrid, ParameterSampler

from ..ranking._scores import ComponentScores
from ..ranking._weights import COMPONENTS, Weights
from ._evaluate import Judgement, query_direction, resolve_judgements

if TYPE_CHECKING:
    from ..ranking._engine import Matchmaker

__all__ = ["TuneResult", "tune"]

#: Ranking metrics, named as in :func:`evaluate`'s summary.
METRICS: tuple[str, ...] = ("ndcg", "precision", "recall", "map", "mrr")
METHODS: tuple[str, ...] = ("grid", "random", "coordinate")

#: The grid :func:`tune` searches by default (relative weights; 729 points).
DEFAULT_GRID: dict[str, list[float]] = {
    "concept": [0.3, 0.5, 0.7],
    "focus": [0.0, 0.1, 0.2],
    "text": [0.1, 0.3, 0.5],
    "meaning": [0.3, 0.8, 1.2],
    "sector": [0.0, 0.15, 0.3],
    "readiness": [0.0, 0.05, 0.1],
}
#: Values coordinate ascent tries for each component, the others held fixed.
COORDINATE_VALUES: tuple[float, ...] = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0)
_DEFAULT_N_ITER = {"random": 60, "coordinate": 5}
_METRIC = re.compile(r"^([a-z]+)(?:@(\d+))?$")


# -- checks ---------------------------------------------------------------------------------------
def _check_int(value: object, name: str, method: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < low:
        raise ValueError(
            f"The {name!r} parameter of {method} must be an int >= {low}. Got {value!r} instead."
        )
    return int(value)


def _check_metric(metric: object, k: object, method: str) -> tuple[str, int]:
    """Split ``"ndcg@5"`` into its name and cutoff, which must agree with ``k``."""
    k = _check_int(k, "k", method, 1)
    match = _METRIC.match(metric.strip().lower()) if isinstance(metric, str) else None
    if match is None or match.group(1) not in METRICS:
        raise ValueError(
            f"The 'metric' parameter of {method} must be one of "
            f"{', '.join(repr(m) for m in METRICS)}, optionally with the cutoff (e.g. "
            f"'ndcg@{k}'). Got {metric!r} instead."
        )
    if match.group(2) is not None and int(match.group(2)) != k:
        raise ValueError(
            f"The 'metric' parameter of {method} names cutoff {match.group(2)} but k={k}. "
            f"Pass k={match.group(2)}, or metric={match.group(1)!r} to use k."
        )
    return match.group(1), k


# -- cached rankings --------------------------------------------------------------------------------
class _Group:
    """Judged queries sharing one candidate set: components stacked, columns in id order."""

    def __init__(
        self,
        ids: np.ndarray,
        forward: list[ComponentScores],
        backward: list[ComponentScores | None],
        grades: list[dict[str, int]],
        k: int,
    ) -> None:
        n = len(ids)
        self.rows = len(grades)
        self.k = k
        self.forward = _stack(forward, n)
        self.backward = None if all(b is None for b in backward) else _stack(backward, n)
        self.grade_matrix = np.array(
            [[g.get(i, 0) for i in ids] for g in grades], dtype=float
        ).reshape(self.rows, n)
        self.n_relevant = np.array([len(g) for g in grades], dtype=float)
        ideal = []
        for g in grades:
            top = sorted(g.values(), reverse=True)[:k]
            ideal.append(sum((2**v - 1) / math.log2(i + 2) for i, v in enumerate(top)))
        self.ideal = np.array(ideal, dtype=float)

    def metrics(self, weights: Weights) -> dict[str, np.ndarray]:
        """Every metric of every query of the group, ranked with ``weights``."""
        total = self.forward.total(weights)
        if self.backward is not None:
            from ..ranking._engine import _harmonic

            total = _harmonic(total, self.backward.total(weights))
        # Columns are in id order, so a stable sort breaks ties by id, as shortlist does.
        order = np.argsort(-np.round(total, 12), axis=1, kind="stable")[:, : self.k]
        ranked = np.take_along_axis(self.grade_matrix, order, axis=1)
        hits = ranked > 0
        positions = np.arange(1, ranked.shape[1] + 1, dtype=float)
        n_rel = self.n_relevant
        with np.errstate(invalid="ignore", divide="ignore"):
            dcg = ((2.0**ranked - 1) / np.log2(positions + 1)).sum(axis=1)
            ndcg = np.where(self.ideal > 0, dcg / self.ideal, np.nan)
            found = hits.sum(axis=1)
            precision = found / self.k
            recall = found / n_rel
            ap = (np.cumsum(hits, axis=1) / positions * hits).sum(axis=1) / np.minimum(
                n_rel, self.k
            )
            first = np.where(hits.any(axis=1), hits.argmax(axis=1) + 1, 0)
            rr = np.where(first > 0, 1.0 / np.maximum(first, 1), 0.0)
        none = n_rel == 0
        out = {"ndcg": ndcg, "precision": precision, "recall": recall, "map": ap, "mrr": rr}
        return {name: np.where(none, np.nan, values) for name, values in out.items()}


def _stack(blocks: Sequence[ComponentScores | None], n: int) -> ComponentScores:
    present = [b for b in blocks if b is not None]
    if len(present) != len(blocks):  # pragma: no cover - reciprocal applies to all or none
        raise RuntimeError("Some queries have a backward direction and some do not.")
    if not present:
        empty = {c: np.zeros((0, n)) for c in COMPONENTS}
        return ComponentScores(empty, np.zeros((0, 1)))
    return ComponentScores(
        {c: np.vstack([b.components[c] for b in present]) for c in COMPONENTS},
        np.vstack([np.broadcast_to(b.sector_share, b.shape) for b in present]),
        meaning_known=present[0].meaning_known,
    )


class _RankingCache:
    """Every judged query scored once against every candidate; re-ranked per weighting.

    Gives the same rankings, and so the same metrics, as :func:`evaluate` on
    ``engine.with_weights(weights)``, without recomputing a single score.
    """

    def __init__(
        self, engine: Matchmaker, queries: Sequence[Judgement], k: int, country: str | None
    ) -> None:
        self.k = k
        n_profiles = len(engine.catalogue_)
        self.ids: list[str] = []
        groups: dict[tuple[str, ...], list[tuple[int, Any, Any, dict[str, int]]]] = {}
        for q in queries:
            grades = {i: g for i, g in q.relevant.items() if g > 0}
            if not grades:
                continue  # nothing relevant: every metric is undefined
            direction, text = query_direction(q.text)
            shortlist = engine.shortlist(text, k=n_profiles, country=country, direction=direction)
            ids = np.array([p.id for p in shortlist.candidates], dtype=object)
            by_id = np.argsort(ids.astype(str), kind="stable")
            forward = shortlist.scores.take([0], by_id)
            backward = None if shortlist.backward is None else shortlist.backward.take([0], by_id)
            key = tuple(ids[by_id])
            groups.setdefault(key, []).append((len(self.ids), forward, backward, grades))
            self.ids.append(q.id)
        self.groups: list[tuple[np.ndarray, _Group]] = []
        for key, members in groups.items():
            rows = np.array([m[0] for m in members], dtype=int)
            group = _Group(
                np.array(key, dtype=object),
                [m[1] for m in members],
                [m[2] for m in members],
                [m[3] for m in members],
                k,
            )
            self.groups.append((rows, group))

    def __len__(self) -> int:
        return len(self.ids)

    def per_query(self, weights: Weights, metric: str) -> np.ndarray:
        """The metric of every judged query (in judgement order) under ``weights``."""
        out = np.full(len(self.ids), np.nan)
        for rows, group in self.groups:
            out[rows] = group.metrics(weights)[metric]
        return out


# -- candidates -----------------------------------------------------------------------------------
def _key(weights: Weights) -> tuple[float, ...]:
    normalised = weights.normalised()
    return tuple(round(normalised[c], 9) for c in COMPONENTS)


def _check_grid(grid: object, method: str) -> list[dict[str, Any]]:
    """Validate a grid (dict or list of dicts of component -> values); all problems at once."""
    grids = [grid] if isinstance(grid, Mapping) else grid
    if not isinstance(grids, list) or not grids or not all(isinstance(g, Mapping) for g in grids):
        raise ValueError(
            f"The 'grid' parameter of tune must be a dict of component -> list of values "
            f"(or a list of such dicts) for method={method!r}. Got {grid!r} instead."
        )
    problems = []
    for g in grids:
        for name, values in g.items():
            if name not in COMPONENTS:
                extra = (
                    " Thresholds only change strength labels, never rankings."
                    if name in Weights.model_fields
                    else ""
                )
                problems.append(
                    f"unknown component {name!r} (components: {', '.join(COMPONENTS)}).{extra}"
                )
                continue
            if hasattr(values, "rvs"):
                if method != "random":
                    problems.append(f"{name!r}: distributions work only with method='random'.")
                continue
            if isinstance(values, str | bytes) or not isinstance(values, Sequence | np.ndarray):
                problems.append(f"{name!r}: expected a list of values, got {values!r}.")
                continue
            if len(values) == 0:
                problems.append(f"{name!r}: the list of values is empty.")
            bad = [
                v
                for v in values
                if isinstance(v, bool)
                or not isinstance(v, numbers.Real)
                or not math.isfinite(float(v))
                or float(v) < 0
            ]
            if bad:
                problems.append(f"{name!r}: weights must be finite numbers >= 0, got {bad}.")
    if problems:
        raise ValueError("Invalid 'grid' for tune:\n  " + "\n  ".join(problems))
    return [dict(g) for g in grids]


def _candidate(base: Weights, values: Mapping[str, Any]) -> Weights | None:
    """``base`` with some component weights changed; None when all would be zero."""
    update = {name: float(v) for name, v in values.items()}
    merged = {c: update.get(c, getattr(base, c)) for c in COMPONENTS}
    if sum(merged.values()) <= 0:
        return None
    return Weights.model_validate(base.model_dump() | update)


def _fixed_candidates(
    method: str, base: Weights, grid: object, n_iter: int, random_state: int | None
) -> list[Weights]:
    if method == "grid":
        points: Any = ParameterGrid(_check_grid(DEFAULT_GRID if grid is None else grid, method))
    elif grid is not None:
        checked = _check_grid(grid, method)
        finite = all(not hasattr(v, "rvs") for g in checked for v in g.values())
        if finite and n_iter > len(ParameterGrid(checked)):
            raise ValueError(
                f"The 'n_iter' parameter of tune ({n_iter}) exceeds the "
                f"{len(ParameterGrid(checked))} combinations of the grid: use method='grid' to "
                "try them all, or a smaller n_iter."
            )
        points = ParameterSampler(checked, n_iter, random_state=random_state)
    else:
        rng = np.random.default_rng(random_state)
        draws = rng.dirichlet(np.ones(len(COMPONENTS)), size=n_iter)
        points = [dict(zip(COMPONENTS, map(float, d), strict=True)) for d in draws]
    out = [base]
    for point in points:
        w = _candidate(base, point)
        if w is not None:
            out.append(w)
    return out


# -- the search -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TuneResult:
    """What :func:`tune` tried and what it chose.

    Attributes
    ----------
    best_weights : Weights
        The chosen weights, normalised to add up to 1; the thresholds are
        the engine's.
    results : DataFrame
        One row per weighting tried, in the order tried: the normalised
        ``concept``, ``text``, ``sector`` and ``readiness`` weights,
        ``mean_test`` and ``std_test`` (the metric on held-out queries,
        mean and standard deviation over folds), ``train`` (mean over all
        judged queries), ``rank`` (by ``mean_test``) and ``current`` (True
        for the engine's own weights).
    metric : str
        E.g. ``"ndcg@5"``.
    method : str
    cv_score, cv_std : float
        Honest estimate of how the chosen weights do on new queries: in each
        fold the search is rerun on the other folds' queries only and its
        choice scores the held-out queries (nested cross-validation).
        ``cv_score`` is the mean over all queries of those held-out scores,
        comparable with ``baseline_score``; ``cv_std`` is the spread of the
        fold means.
    train_score : float
        In-sample score of ``best_weights``: the mean over every judged
        query, the same queries that chose it, so it flatters.
    baseline_score : float
        The engine's current weights, mean over every judged query (no
        choice involved, so no optimism).
    cv_gain, cv_gain_se : float
        Held-out score minus the current weights' score, query by query:
        the mean and its standard error. A gain smaller than about two
        standard errors is within the noise of the judgement set.
    n_queries, n_splits : int
        Judged queries used (queries with no relevant profile are left out)
        and cross-validation folds.
    fold_weights : list of Weights
        The weights chosen in each fold: if they differ a lot, the choice is
        not stable.
    """

    best_weights: Weights
    results: pd.DataFrame
    metric: str
    method: str
    cv_score: float
    cv_std: float
    train_score: float
    baseline_score: float
    cv_gain: float
    cv_gain_se: float
    n_queries: int
    n_splits: int
    fold_weights: list[Weights]

    @property
    def improved(self) -> bool:
        """True when the cross-validated estimate beats the current weights at all."""
        return self.cv_gain > 1e-12

    def __repr__(self) -> str:
        w = self.best_weights
        weights = ", ".join(f"{c}={getattr(w, c):.3f}" for c in COMPONENTS)
        gain = f"{self.cv_gain:+.4f} (standard error {self.cv_gain_se:.4f})"
        if not self.improved:
            verdict = f"Held-out gain {gain}: no better than the current weights; keep them."
        elif self.cv_gain < 2 * self.cv_gain_se:
            verdict = f"Held-out gain {gain}: within the noise of {self.n_queries} queries."
        else:
            verdict = f"Held-out gain {gain}: better than the current weights."

        return "\n".join(
            [
                f"TuneResult(method={self.method!r}, metric={self.metric!r}, "
                f"{len(self.results)} weightings, {self.n_queries} queries, "
                f"{self.n_splits}-fold CV)",
                f"  best weights: {weights}",
                f"  {self.metric} in-sample (chosen on these queries): {self.train_score:.4f}",
                f"  {self.metric} cross-validated (chosen without the fold): "
                f"{self.cv_score:.4f} +/- {self.cv_std:.4f}",
                f"  {self.metric} with the current weights:            {self.baseline_score:.4f}",
                f"  {verdict}",
            ]
        )

    def _repr_html_(self) -> str:
        from .._display import html_block

        lines = repr(self).splitlines()
        best = self.results.sort_values("rank").head(10)
        return html_block(lines[0], lines[1:], [best])


def _search(
    base: Weights,
    candidates: list[Weights] | None,
    objective: Callable[[Weights], float],
    values: Mapping[str, Sequence[float]],
    n_iter: int,
) -> tuple[Weights, list[Weights]]:
    """Run one search; return the best weighting and every weighting tried, in order."""
    tried: dict[tuple[float, ...], tuple[Weights, float]] = {}

    def score(w: Weights) -> float:
        key = _key(w)
        if key not in tried:
            tried[key] = (w, objective(w))
        return tried[key][1]

    if candidates is not None:
        for w in candidates:
            score(w)
        best_key = max(tried, key=lambda key: tried[key][1])  # first of equals wins
        return tried[best_key][0], [w for w, _ in tried.values()]
    current, current_score = base, score(base)
    for _ in range(n_iter):
        moved = False
        for name, options in values.items():
            for v in options:
                step = _candidate(current, {name: v})
                if step is not None and score(step) > current_score + 1e-12:
                    current, current_score, moved = step, score(step), True
        if not moved:
            break
    return current, [w for w, _ in tried.values()]


def _folds(cv: object, n: int, random_state: int | None) -> list[tuple[np.ndarray, np.ndarray]]:
    if isinstance(cv, numbers.Integral):
        n_splits = _check_int(cv, "cv", "tune", 2)
        if n_splits > n:
            raise ValueError(
                f"The 'cv' parameter of tune asks for {n_splits} folds but only {n} judged "
                f"queries have a relevant profile. Use cv <= {n} or add judgements."
            )
        splitter: Any = KFold(n_splits, shuffle=True, random_state=random_state)
    elif hasattr(cv, "split") and hasattr(cv, "get_n_splits"):
        splitter = cv
    else:
        raise ValueError(
            f"The 'cv' parameter of tune must be an int >= 2 or a scikit-learn splitter such "
            f"as KFold(5). Got {cv!r} instead."
        )
    return [(np.asarray(a), np.asarray(b)) for a, b in splitter.split(np.zeros((n, 1)))]


def tune(
    engine: Matchmaker,
    judgements: str | Path | Sequence[Judgement] | None = None,
    *,
    method: str = "grid",
    grid: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    n_iter: int | None = None,
    k: int = 5,
    metric: str = "ndcg",
    cv: int | Any = 5,
    random_state: int | None = 0,
    country: str | None = "GB",
) -> TuneResult:
    """Search component weights that rank judged queries best, cross-validated.

    Every weighting re-ranks the engine's cached component scores (the
    queries are scored once), so the rankings are exactly those of
    ``evaluate(engine.with_weights(w), judgements)``.

    Parameters
    ----------
    engine : Matchmaker
        Fitted on first use. Its weights are always tried first, and its
        thresholds are kept.
    judgements : path, list of Judgement, "partnerships", "holdout" or None
        As for :func:`evaluate`: the bundled judgement set by default.
        Queries with no relevant profile (no-match queries) are left out.
    method : {"grid", "random", "coordinate"}, default "grid"
        ``"grid"``: every combination of ``grid`` (:data:`DEFAULT_GRID`, 729
        points, by default). ``"random"``: ``n_iter`` draws, uniform over
        the simplex of weights, or from ``grid`` (lists or
        ``scipy.stats`` distributions, as ``RandomizedSearchCV``).
        ``"coordinate"``: from the current weights, change one component at
        a time to its best value (``grid`` lists the values per component;
        :data:`COORDINATE_VALUES` otherwise), for up to ``n_iter`` passes.
    grid : dict or list of dict, optional
        Component name -> candidate (relative) weights. Components left out
        keep the engine's weight; combinations with all weights zero are
        skipped, as they rank nothing.
    n_iter : int, optional
        Draws for ``"random"`` (60 by default) or passes for
        ``"coordinate"`` (5 by default); not used by ``"grid"``.
    k : int, default 5
        Shortlist length the metric looks at.
    metric : {"ndcg", "precision", "recall", "map", "mrr"}, default "ndcg"
        Optionally with the cutoff, e.g. ``"ndcg@5"``, which must equal ``k``.
    cv : int or splitter, default 5
        Folds of queries: ``KFold(cv, shuffle=True, random_state)``, or any
        scikit-learn splitter.
    random_state : int, optional
        Seeds the folds and the random search.
    country : str, optional
        Restrict candidates to this country, as for :func:`evaluate`.

    Returns
    -------
    TuneResult
        ``best_weights`` (highest mean held-out score; the first tried wins
        ties, so the current weights win unless beaten), the table of
        weightings tried, the in-sample score, and a nested-CV estimate.

    Raises
    ------
    ValueError
        For an unknown method or metric, a bad grid (every problem listed),
        ``n_iter`` with the grid method, too few judged queries for ``cv``.

    Examples
    --------
    >>> from matchmaker import Matchmaker
    >>> result = tune(Matchmaker(), grid={"text": [0.1, 0.2, 0.4]}, cv=3)
    >>> list(result.results.columns[:8])
    ['concept', 'focus', 'text', 'meaning', 'sector', 'readiness', 'mean_test', 'std_test']
    >>> bool(result.train_score >= result.baseline_score)
    True
    >>> tune(Matchmaker(), method="bayes")
    Traceback (most recent call last):
    ...
    ValueError: The 'method' parameter of tune must be one of 'grid', 'random', 'coordinate'. Got 'bayes' instead.
    """
    if method not in METHODS:
        raise ValueError(
            f"The 'method' parameter of tune must be one of "
            f"{', '.join(repr(m) for m in METHODS)}. Got {method!r} instead."
        )
    if method == "grid" and n_iter is not None:
        raise ValueError(
            "The 'n_iter' parameter of tune applies to method='random' or 'coordinate', not "
            f"'grid' (which tries every combination). Got n_iter={n_iter!r}."
        )
    n_iter = _check_int(
        _DEFAULT_N_ITER.get(method, 1) if n_iter is None else n_iter, "n_iter", "tune", 1
    )
    name, k = _check_metric(metric, k, "tune")
    label = f"{name}@{k}"
    engine._fitted()
    base = engine.weights_
    queries, country = resolve_judgements(engine, judgements, country)
    cache = _RankingCache(engine, queries, k, country)
    n = len(cache)
    if n < 2:
        raise ValueError(
            f"tune needs at least 2 judged queries with a relevant profile; got {n}. "
            "Add graded queries (see profiles/judgements.yaml)."
        )
    folds = _folds(cv, n, random_state)

    memo: dict[tuple[float, ...], np.ndarray] = {}

    def per_query(w: Weights) -> np.ndarray:
        key = _key(w)
        if key not in memo:
            memo[key] = cache.per_query(w, name)
        return memo[key]

    def fold_means(w: Weights, part: int) -> np.ndarray:
        values = per_query(w)
        return np.array([float(np.mean(values[f[part]])) for f in folds])

    candidates = None
    values: dict[str, Sequence[float]] = {}
    if method == "coordinate":
        if grid is None:
            values = dict.fromkeys(COMPONENTS, COORDINATE_VALUES)
        else:
            checked = _check_grid(grid, method)
            if len(checked) != 1:
                raise ValueError(
                    "The 'grid' parameter of tune must be one dict of component -> values for "
                    "method='coordinate'."
                )
            values = {c: list(checked[0][c]) for c in COMPONENTS if c in checked[0]}
    else:
        candidates = _fixed_candidates(method, base, grid, n_iter, random_state)

    best, tried = _search(
        base, candidates, lambda w: float(fold_means(w, 1).mean()), values, n_iter
    )
    # Nested CV: rerun the search on each fold's training queries, score its choice on the fold.
    held_out = np.full(n, np.nan)
    fold_scores, fold_weights = [], []
    for train, test in folds:

        def train_objective(w: Weights, rows: np.ndarray = train) -> float:
            return float(np.mean(per_query(w)[rows]))

        chosen, _ = _search(base, candidates, train_objective, values, n_iter)
        fold_weights.append(_normalised(chosen))
        held_out[test] = per_query(chosen)[test]
        fold_scores.append(float(np.mean(held_out[test])))

    rows = []
    for w in tried:
        test_means = fold_means(w, 1)
        normalised = w.normalised()
        rows.append(
            {
                **{c: normalised[c] for c in COMPONENTS},
                "mean_test": float(test_means.mean()),
                "std_test": float(test_means.std()),
                "train": float(np.mean(per_query(w))),
                "current": _key(w) == _key(base),
            }
        )
    scored = ~np.isnan(held_out)
    gain = held_out[scored] - per_query(base)[scored]
    table = pd.DataFrame(rows)
    rank = table["mean_test"].rank(ascending=False, method="min").astype(int)
    table.insert(len(COMPONENTS) + 2, "rank", rank)
    return TuneResult(
        best_weights=_normalised(best),
        results=table,
        metric=label,
        method=method,
        cv_score=float(np.nanmean(held_out)),
        cv_std=float(np.std(fold_scores)),
        train_score=float(np.mean(per_query(best))),
        baseline_score=float(np.mean(per_query(base))),
        cv_gain=float(np.mean(gain)),
        cv_gain_se=float(np.std(gain, ddof=1) / math.sqrt(len(gain)))
        if len(gain) > 1
        else math.nan,
        n_queries=n,
        n_splits=len(folds),
        fold_weights=fold_weights,
    )


def _normalised(weights: Weights) -> Weights:
    return Weights.model_validate(weights.model_dump() | weights.normalised())
