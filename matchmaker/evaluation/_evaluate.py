"""Ranking quality: graded judgements and documented partnerships as ground truth.

Reads rankings, never changes them: evaluate -> tables. Metrics follow their
usual definitions with graded relevance (0-3); an item counts as relevant
for precision, recall, MAP and MRR when its grade is >= 1.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import yaml

if TYPE_CHECKING:
    from ..ranking._engine import Matchmaker

__all__ = ["Evaluation", "Judgement", "evaluate", "load_judgements", "ndcg_at_k"]

#: How a graded query is worded: a problem in plain words, or the technique named.
STYLES = ("everyday", "technical")


@dataclass(frozen=True)
class Judgement:
    """One graded query: text (or profile id) and the grade of each relevant id."""

    id: str
    text: str
    relevant: Mapping[str, int] = field(default_factory=dict)
    language: str = "en"
    no_match: bool = False
    equivalent_of: str | None = None
    style: str | None = None


def load_judgements(path: str | Path | None = None) -> list[Judgement]:
    """Load graded queries (the bundled judgement set by default).

    Parameters
    ----------
    path : str or Path, optional
        A YAML file with a ``queries`` list; each query has ``id``, ``text``,
        ``relevant`` (``{profile id: grade 0-3}``) and optionally ``no_match``,
        ``language``, ``equivalent_of`` and ``style`` (``everyday`` for a
        problem told in plain words, ``technical`` for one that names the
        technique or service). ``None`` loads the bundled set.

    Returns
    -------
    list of Judgement

    Raises
    ------
    ValueError
        Naming the query and field for a grade outside 0-3, a missing text,
        or a no-match query with relevant ids; all problems together.

    Examples
    --------
    >>> from matchmaker import load_judgements
    >>> judgements = load_judgements()
    >>> len(judgements) >= 25, all(0 <= g <= 3 for j in judgements for g in j.relevant.values())
    (True, True)
    """
    if path is None:
        from ..catalogue._catalogue import bundled_dir

        path = bundled_dir() / "judgements.yaml"
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    out, problems = [], []
    for i, q in enumerate(data.get("queries", []), start=1):
        qid = str(q.get("id") or f"#{i}")
        relevant = {str(k): v for k, v in (q.get("relevant") or {}).items()}
        bad = {k: v for k, v in relevant.items() if not (isinstance(v, int) and 0 <= v <= 3)}
        if bad:
            problems.append(
                f"{path}, query {qid!r}, field 'relevant': grades must be 0-3, got {bad}"
            )
        if not q.get("text"):
            problems.append(f"{path}, query {qid!r}, field 'text': missing")
        style = q.get("style")
        if style not in (None, *STYLES):
            problems.append(
                f"{path}, query {qid!r}, field 'style': must be one of {', '.join(STYLES)}, "
                f"got {style!r}"
            )
        if q.get("no_match") and any(relevant.values()):
            problems.append(f"{path}, query {qid!r}: no_match is true but relevant ids are graded")
        out.append(
            Judgement(
                id=qid,
                text=str(q.get("text", "")),
                relevant=relevant,
                language=str(q.get("language", "en")),
                no_match=bool(q.get("no_match", False)),
                equivalent_of=q.get("equivalent_of"),
                style=style,
            )
        )
    if problems:
        raise ValueError("Invalid judgements:\n  " + "\n  ".join(problems))
    return out


def ndcg_at_k(ranked: Sequence[str], grades: Mapping[str, int], k: int) -> float:
    """Normalised discounted cumulative gain with gains ``2**grade - 1``.

    Returns NaN when nothing is relevant (the ideal DCG is 0).

    Examples
    --------
    >>> ndcg_at_k(["a", "c", "b"], {"a": 3, "c": 1}, k=3)
    1.0
    >>> round(ndcg_at_k(["c", "b", "a"], {"a": 3, "c": 1}, k=3), 4)
    0.5897
    """

    def dcg(gains: Iterable[int]) -> float:
        return float(sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains)))

    ideal = dcg(sorted(grades.values(), reverse=True)[:k])
    if ideal == 0:
        return float("nan")
    return dcg(grades.get(item, 0) for item in ranked[:k]) / ideal


def _binary_metrics(ranked: Sequence[str], relevant: set[str], k: int) -> dict[str, float]:
    top = list(ranked[:k])
    hits = [item in relevant for item in top]
    n_rel = len(relevant)
    if n_rel == 0:
        nan = float("nan")
        return {"precision": nan, "recall": nan, "ap": nan, "rr": nan}
    precision = sum(hits) / k
    recall = sum(hits) / n_rel
    running, ap = 0, 0.0
    for i, hit in enumerate(hits, start=1):
        if hit:
            running += 1
            ap += running / i
    ap /= min(n_rel, k)
    rr = next((1.0 / i for i, hit in enumerate(hits, start=1) if hit), 0.0)
    return {"precision": precision, "recall": recall, "ap": ap, "rr": rr}


@dataclass
class Evaluation:
    """Per-query metrics and their summary.

    Attributes
    ----------
    per_query : DataFrame
        One row per query: ``query``, ``text``, ``language``, ``style``, ``no_match``,
        ``precision@k``, ``recall@k``, ``ap@k``, ``ndcg@k``, ``rr@k``,
        ``top_strength`` and ``top_ids``.
    summary : Series
        Means over queries with relevant ids (precision, recall, MAP, NDCG,
        MRR), catalogue coverage, and the share of no-match queries whose
        first result is labelled weak.
    """

    per_query: pd.DataFrame
    summary: pd.Series
    k: int

    def _shown(self) -> pd.Series:
        """The summary for reading: counts as integers, rates to four decimals."""
        return pd.Series(
            {
                name: (int(value) if name in _COUNTS else round(float(value), 4))
                for name, value in self.summary.items()
            },
            dtype=object,
        )

    def __repr__(self) -> str:
        return f"Evaluation(k={self.k})\n{self._shown().to_string()}"

    def _repr_html_(self) -> str:
        from .._display import html_block

        table = self._shown().rename_axis("measure").reset_index(name="value")
        return html_block(f"Evaluation at k={self.k}", [], [table])


#: Summary entries that count queries rather than measure them.
_COUNTS = ("queries", "no_match_queries")


def resolve_judgements(
    engine: Matchmaker, judgements: str | Path | Sequence[Judgement] | None, country: str | None
) -> tuple[list[Judgement], str | None]:
    """The graded queries meant by ``judgements``, and the candidate country to use.

    ``"partnerships"`` ranks partners anywhere (country None); ``"holdout"``
    loads the bundled held-out set; a path or None loads graded queries; a
    list must hold :class:`Judgement` objects.
    """
    if isinstance(judgements, str) and judgements == "partnerships":
        return _partnership_queries(engine), None
    if isinstance(judgements, str) and judgements == "holdout":
        from ..catalogue._catalogue import bundled_dir

        return load_judgements(bundled_dir() / "judgements_holdout.yaml"), country
    if judgements is None or isinstance(judgements, str | Path):
        return load_judgements(judgements), country
    items = list(judgements)
    bad = [
        f"item {i}: {type(j).__name__}" for i, j in enumerate(items) if not isinstance(j, Judgement)
    ]
    if bad:
        raise TypeError(
            "The 'judgements' parameter must be None, a path, 'partnerships', 'holdout' or a "
            f"list of Judgement (see matchmaker.load_judgements). Got {', '.join(bad[:5])}."
        )
    return items, country


def query_direction(text: str) -> tuple[str, str]:
    """Split a judged query into (direction, text): ``"@offers:id"`` ranks who needs it."""
    if text.startswith("@offers:"):
        return "offers", text.removeprefix("@offers:")
    return "needs", text


def evaluate(
    engine: Matchmaker,
    judgements: str | Path | Sequence[Judgement] | None = None,
    *,
    k: int = 5,
    country: str | None = "GB",
) -> Evaluation:
    """Measure ranking quality against graded queries or documented partnerships.

    Parameters
    ----------
    engine : Matchmaker
    judgements : path, list of Judgement, "partnerships", "holdout" or None
        ``None`` uses the bundled judgement set. ``"holdout"`` uses the
        bundled held-out set (written after the engine was tuned on the
        first; do not tune on it). ``"partnerships"`` turns every documented
        partnership of the catalogue into a query (each link held out in
        turn: the profile's needs, or its offers when it states no needs,
        must find its documented partner).
    k : int, default 5
    country : str, optional
        Restrict candidates to this country (UK partners by default).

    Returns
    -------
    Evaluation

    Examples
    --------
    >>> from matchmaker import Matchmaker
    >>> result = evaluate(Matchmaker(), k=5)
    >>> bool(0 <= result.summary["ndcg@5"] <= 1)
    True
    """
    from ..ranking._engine import _check_k

    k = _check_k(k, "evaluate")
    engine._fitted()
    queries, country = resolve_judgements(engine, judgements, country)
    rows: list[dict[str, Any]] = []
    shown: set[str] = set()
    for q in queries:
        direction, text = query_direction(q.text)
        shortlist = engine.shortlist(text, k=k, country=country, direction=direction)
        ranked = [p.id for p in shortlist.candidates]
        shown.update(ranked)
        grades = {i: g for i, g in q.relevant.items() if g > 0}
        binary = _binary_metrics(ranked, set(grades), k)
        rows.append(
            {
                "query": q.id,
                "text": q.text,
                "language": q.language,
                "style": q.style,
                "no_match": q.no_match,
                f"precision@{k}": binary["precision"],
                f"recall@{k}": binary["recall"],
                f"ap@{k}": binary["ap"],
                f"ndcg@{k}": ndcg_at_k(ranked, grades, k),
                f"rr@{k}": binary["rr"],
                "top_strength": shortlist.strength[0] if shortlist.strength else "none",
                "top_ids": ranked,
            }
        )
    per_query = pd.DataFrame(rows)
    graded = per_query[~per_query.no_match] if len(per_query) else per_query
    no_match = per_query[per_query.no_match] if len(per_query) else per_query
    n_candidates = sum(
        1
        for p in engine.catalogue_
        if (country is None or p.country == country)
        and not engine.offers_.empty[engine.position_[p.id]]
    )
    summary = pd.Series(
        {
            "queries": float(len(per_query)),
            f"precision@{k}": graded[f"precision@{k}"].mean(),
            f"recall@{k}": graded[f"recall@{k}"].mean(),
            f"map@{k}": graded[f"ap@{k}"].mean(),
            f"ndcg@{k}": graded[f"ndcg@{k}"].mean(),
            f"mrr@{k}": graded[f"rr@{k}"].mean(),
            "coverage": len(shown) / n_candidates if n_candidates else float("nan"),
            "no_match_queries": float(len(no_match)),
            "no_match_weak_share": (
                float((no_match.top_strength == "weak").mean()) if len(no_match) else float("nan")
            ),
        }
    )
    return Evaluation(per_query=per_query, summary=summary, k=k)


def _partnership_queries(engine: Matchmaker) -> list[Judgement]:
    links = engine.catalogue_.partnerships
    out = []
    pairs = sorted(
        {(a, b) for a, b in zip(links.source_id, links.target_id, strict=True)}
        | {(b, a) for a, b in zip(links.source_id, links.target_id, strict=True)}
    )
    for a, b in pairs:
        pos = engine.position_[a]
        partner = engine.position_[b]
        if not engine.needs_.empty[pos] and not engine.offers_.empty[partner]:
            text = a
        elif not engine.offers_.empty[pos] and not engine.needs_.empty[partner]:
            text = "@offers:" + a
        else:
            continue
        out.append(Judgement(id=f"{a}->{b}", text=text, relevant={b: 1}))
    return out


def top_overlap(a: Sequence[str], b: Sequence[str], k: int = 5) -> float:
    """Share of the first k ids two rankings have in common."""
    if k < 1:
        raise ValueError(f"k must be >= 1. Got {k!r}.")
    return len(set(a[:k]) & set(b[:k])) / k
