"""A scikit-learn scorer, so that ``GridSearchCV(Matchmaker(...), ...)`` ranks by NDCG."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._evaluate import Judgement, evaluate
from ._tune import _check_metric

if TYPE_CHECKING:
    from ..ranking._engine import Matchmaker

__all__ = ["ranking_scorer"]


# -- scikit-learn scorer ----------------------------------------------------------------------------
@dataclass(frozen=True)
class _RankingScorer:
    metric: str
    k: int
    country: str | None

    def __call__(
        self, estimator: Matchmaker, X: Sequence[Any], y: Sequence[Any] | None = None
    ) -> float:
        judgements = _scorer_judgements(X, y)
        summary = evaluate(estimator, judgements, k=self.k, country=self.country).summary
        value = float(summary[f"{self.metric}@{self.k}"])
        if math.isnan(value):
            raise ValueError(
                f"None of the {len(judgements)} queries given to the scorer has a relevant "
                f"profile, so {self.metric}@{self.k} is undefined. Leave no-match queries out "
                "of X or use fewer folds."
            )
        return value

    def __repr__(self) -> str:
        return f"ranking_scorer(metric={self.metric!r}, k={self.k}, country={self.country!r})"


def _scorer_judgements(X: Sequence[Any], y: Sequence[Any] | None) -> list[Judgement]:
    items = list(X)
    if all(isinstance(x, Judgement) for x in items):
        if y is not None and any(v is not None for v in y):
            raise ValueError(
                "X holds Judgement objects, which carry their own grades: pass y=None."
            )
        return items
    if all(isinstance(x, str) for x in items):
        if y is None or len(y) != len(items):
            raise ValueError(
                "X holds query texts: pass y as a list of {profile id: grade} dicts, one per query."
            )
        return [
            Judgement(id=f"#{i}", text=text, relevant=dict(grades))
            for i, (text, grades) in enumerate(zip(items, y, strict=True), start=1)
        ]
    raise TypeError(
        "X must be a list of Judgement (see matchmaker.load_judgements) or a list of "
        f"query texts with y as grades. Got {sorted({type(x).__name__ for x in items})}."
    )


def ranking_scorer(
    metric: str = "ndcg", k: int = 5, country: str | None = "GB"
) -> Callable[..., float]:
    """A scikit-learn scorer: ranking quality of a Matchmaker on the queries in ``X``.

    Parameters
    ----------
    metric : {"ndcg", "precision", "recall", "map", "mrr"}, default "ndcg"
        Optionally with the cutoff, e.g. ``"ndcg@5"``, which must equal ``k``.
    k : int, default 5
    country : str, optional
        Restrict candidates to this country, as for :func:`evaluate`.

    Returns
    -------
    callable
        ``scorer(estimator, X, y=None) -> float``, where ``X`` is a list of
        :class:`Judgement` (``y=None``), or of query texts with ``y`` a list
        of ``{profile id: grade}`` dicts. Higher is better.

    Examples
    --------
    >>> from sklearn.model_selection import GridSearchCV, KFold
    >>> from matchmaker import Matchmaker, load_catalogue
    >>> from matchmaker import load_judgements
    >>> X = [j for j in load_judgements() if not j.no_match][:12]
    >>> search = GridSearchCV(
    ...     Matchmaker(load_catalogue()),
    ...     {"weights": [{"text": 0.2}, {"concept": 0.0, "text": 1.0}]},
    ...     scoring=ranking_scorer("ndcg", k=5),
    ...     cv=KFold(3),
    ... ).fit(X)
    >>> search.best_params_
    {'weights': {'text': 0.2}}
    """
    name, k = _check_metric(metric, k, "ranking_scorer")
    return _RankingScorer(name, k, country)
