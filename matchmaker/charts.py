"""Charts drawn from the data tables: explanations, precision@k, rank sensitivity, reliability.

Reads tables and rankings, never changes them. matplotlib is an optional
extra (``pip install 'sino-uk-matchmaker[charts]'``), imported only inside
these functions, so ``import matchmaker`` never loads it. Every function
draws on ``ax`` (a new figure when omitted) and returns it.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .evaluation._evaluate import Judgement, _binary_metrics, evaluate, resolve_judgements
from .ranking._explain import Explanation
from .ranking._weights import COMPONENTS

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from .ranking._engine import Matchmaker

__all__ = [
    "plot_explanation",
    "plot_precision_at_k",
    "plot_rank_sensitivity",
    "plot_reliability",
    "reliability_table",
]

INSTALL = "pip install 'sino-uk-matchmaker[charts]'"
_EXPLANATION_COLUMNS = ("component", "raw", "weight", "contribution")


def _axes(ax: Axes | None, function: str) -> Axes:
    """``ax``, or the axes of a new figure; raises with the pip line without matplotlib."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise ImportError(
            f"{function} needs matplotlib, an optional extra. Install it with:\n    {INSTALL}"
        ) from err
    if ax is not None:
        return ax
    _, new_ax = plt.subplots(figsize=(7, 4))
    return new_ax


def plot_explanation(explanation: Explanation | pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Waterfall of an explanation: how each component adds up to the score.

    Parameters
    ----------
    explanation : Explanation or DataFrame
        An :class:`Explanation`, or its ``components`` table (``component``,
        ``raw``, ``weight``, ``contribution``).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib Axes
        One bar per component, starting where the previous one ended, then
        a bar for the total; each labelled ``raw x weight``.

    Raises
    ------
    ImportError
        Without matplotlib, naming the ``pip install`` line.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from matchmaker import Matchmaker
    >>> explanation = Matchmaker().shortlist("laser cladding repair", k=1, country="GB").explain(1)
    >>> ax = plot_explanation(explanation)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['concept', 'focus', 'text', 'meaning', 'sector', 'readiness', 'total']
    """
    if isinstance(explanation, Explanation):
        table, title = explanation.components, f"{explanation.candidate.name}"
        total = float(explanation.score)
    elif isinstance(explanation, pd.DataFrame):
        missing = [c for c in _EXPLANATION_COLUMNS if c not in explanation.columns]
        if missing:
            raise ValueError(
                f"The explanation table lacks column(s) {missing}; pass an Explanation or its "
                "components table."
            )
        table, title = explanation, "Score"
        total = float(explanation["contribution"].sum())
    else:
        raise TypeError(
            f"The 'explanation' parameter of plot_explanation must be an Explanation or its "
            f"components DataFrame. Got {type(explanation).__name__} instead."
        )
    ax = _axes(ax, "plot_explanation")
    names = [str(c) for c in table["component"]]
    contributions = table["contribution"].to_numpy(dtype=float)
    starts = np.concatenate([[0.0], np.cumsum(contributions)[:-1]])
    colours = [f"C{i}" for i in range(len(names))]
    ax.bar(names, contributions, bottom=starts, color=colours, edgecolor="black", linewidth=0.5)
    ax.bar(["total"], [total], color="0.35", edgecolor="black", linewidth=0.5)
    raw, weight = table["raw"].to_numpy(dtype=float), table["weight"].to_numpy(dtype=float)
    for i in range(len(names)):
        ax.annotate(
            f"{raw[i]:.2f} x {weight[i]:.2f}",
            (i, starts[i] + contributions[i]),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.annotate(f"{total:.3f}", (len(names), total), ha="center", va="bottom", fontsize=8)
    for i in range(len(names)):
        ax.plot([i + 0.4, i + 0.6], [starts[i] + contributions[i]] * 2, color="0.5", lw=0.8)
    top = max(total, float(np.max(starts + contributions, initial=0.0)))
    ax.set_ylim(0, max(top * 1.2, 0.05))
    ax.set_ylabel("contribution to the score (raw x weight)")
    ax.set_title(title)
    return ax


def _weight(value: object) -> float | None:
    """``value`` as a weight (a finite float >= 0), or None."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    weight = float(value)
    return weight if math.isfinite(weight) and weight >= 0 else None


def _check_ks(ks: Iterable[int]) -> list[int]:
    values: list[object] = list(ks)
    bad = [k for k in values if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1]
    if not values or bad:
        raise ValueError(
            f"The 'ks' parameter of plot_precision_at_k must be a non-empty list of ints >= 1. "
            f"Got {bad or values!r} instead."
        )
    return sorted({int(k) for k in values})  # type: ignore[call-overload]


def _precision_at_ks(
    engine: Matchmaker,
    judgements: str | Path | Sequence[Judgement] | None = None,
    ks: Iterable[int] = range(1, 11),
    country: str | None = "GB",
) -> pd.Series:
    """Mean precision@k over judged queries, for each k (the data of the curve)."""
    ks = _check_ks(ks)
    largest = max(ks)
    queries, country = resolve_judgements(engine, judgements, country)
    per_query = evaluate(engine, queries, k=largest, country=country).per_query
    graded = per_query[per_query[f"recall@{largest}"].notna()]
    relevant = {q.id: {i for i, g in q.relevant.items() if g > 0} for q in queries}
    grades = {q: relevant[q] for q in graded["query"]}
    values = {}
    for k in ks:
        scores = [
            _binary_metrics(list(top), grades[q], k)["precision"]
            for q, top in zip(graded["query"], graded["top_ids"], strict=True)
        ]
        values[k] = float(np.mean(scores)) if scores else math.nan
    return pd.Series(values, name="precision", dtype=float).rename_axis("k")


def plot_precision_at_k(
    before: Matchmaker,
    after: Matchmaker,
    judgements: str | Path | Sequence[Judgement] | None = None,
    ks: Iterable[int] = range(1, 11),
    country: str | None = "GB",
    labels: tuple[str, str] = ("before", "after"),
    ax: Axes | None = None,
) -> Axes:
    """Precision@k curves of two engines (before and after tuning) on judged queries.

    Parameters
    ----------
    before, after : Matchmaker
        E.g. ``engine`` and ``engine.with_weights(result.best_weights)``.
    judgements : path, list of Judgement, "partnerships", "holdout" or None
        As for :func:`evaluate`; the bundled judgement set by default.
    ks : iterable of int, default 1..10
    country : str, optional
        Restrict candidates to this country, as for :func:`evaluate`.
    labels : (str, str)
        Legend labels of the two curves.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from matchmaker import Matchmaker
    >>> mm = Matchmaker().fit()
    >>> ax = plot_precision_at_k(mm, mm.with_weights(text=0.4), ks=[1, 3, 5])
    >>> [line.get_label() for line in ax.get_lines()]
    ['before', 'after']
    """
    ax = _axes(ax, "plot_precision_at_k")
    ks = _check_ks(ks)
    curves = [_precision_at_ks(engine, judgements, ks, country) for engine in (before, after)]
    for curve, label, style in zip(curves, labels, ("o--", "o-"), strict=True):
        ax.plot(curve.index, curve.to_numpy(), style, label=label)
    ax.set_xlabel("k (shortlist length)")
    ax.set_ylabel("mean precision@k")
    ax.set_xticks(ks)
    ax.set_ylim(0, 1)
    ax.legend()
    ax.set_title("Precision@k on judged queries")
    return ax


def _rank_table(
    engine: Matchmaker,
    query: str,
    component: str,
    values: Iterable[float],
    k: int = 5,
    country: str | None = "GB",
) -> pd.DataFrame:
    """Rank of every candidate that reaches the top k at some weight (the chart's data).

    Rows are candidate ids, columns the weight values; ranks start at 1.
    """
    if component not in COMPONENTS:
        raise ValueError(
            f"The 'component' parameter of plot_rank_sensitivity must be one of "
            f"{', '.join(repr(c) for c in COMPONENTS)}. Got {component!r} instead."
        )
    given: list[object] = list(values)
    points = [_weight(v) for v in given]
    bad = [v for v, w in zip(given, points, strict=True) if w is None]
    if not given or bad:
        raise ValueError(
            f"The 'values' parameter of plot_rank_sensitivity must be a non-empty list of "
            f"finite weights >= 0. Got {bad or given!r} instead."
        )
    engine._fitted()
    n = len(engine.catalogue_)
    ranks: dict[float, dict[str, int]] = {}
    for v in points:
        assert v is not None
        changed = engine.weights_.model_dump() | {component: v}
        shortlist = engine.with_weights(changed).shortlist(query, k=n, country=country)
        ranks[v] = {p.id: r for r, p in enumerate(shortlist.candidates, start=1)}
    tracked = sorted(
        {pid for by_id in ranks.values() for pid, r in by_id.items() if r <= k},
        key=lambda pid: (min(by_id.get(pid, n + 1) for by_id in ranks.values()), pid),
    )
    return pd.DataFrame(
        {v: [by_id.get(pid, np.nan) for pid in tracked] for v, by_id in ranks.items()},
        index=pd.Index(tracked, name="id"),
    ).rename_axis(columns=component)


def plot_rank_sensitivity(
    engine: Matchmaker,
    query: str,
    component: str,
    values: Iterable[float],
    k: int = 5,
    country: str | None = "GB",
    ax: Axes | None = None,
) -> Axes:
    """How the ranks of the top candidates move as one component's weight changes.

    Parameters
    ----------
    engine : Matchmaker
    query : str
        Free text or a profile id, as for :meth:`Matchmaker.shortlist`.
    component : {"concept", "text", "sector", "readiness"}
    values : iterable of float
        Weights to try for ``component``; the others keep the engine's.
    k : int, default 5
        Candidates that reach the top ``k`` at any value are drawn.
    country : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        One line per candidate: rank (1 at the top) against the weight; a
        dotted line marks the engine's current weight.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from matchmaker import Matchmaker
    >>> ax = plot_rank_sensitivity(Matchmaker(), "laser cladding repair", "text", [0.0, 0.2, 0.6])
    >>> ax.get_xlabel()
    "weight of 'text' (others fixed)"
    """
    ax = _axes(ax, "plot_rank_sensitivity")
    table = _rank_table(engine, query, component, values, k, country)
    x = np.asarray(table.columns, dtype=float)
    for pid, row in table.iterrows():
        ax.plot(x, row.to_numpy(dtype=float), "o-", label=str(pid), markersize=4)
    ax.axvline(getattr(engine.weights_, component), color="0.5", linestyle=":", lw=1)
    ax.axhline(k + 0.5, color="0.7", lw=0.8)
    ax.invert_yaxis()
    ax.set_xlabel(f"weight of {component!r} (others fixed)")
    ax.set_ylabel("rank")
    ax.set_title(f"Ranks for: {query[:60]}")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return ax


def reliability_table(
    engine: Matchmaker,
    judgements: str | Path | Sequence[Judgement] | None = None,
    *,
    k: int = 10,
    bins: int = 5,
    country: str | None = "GB",
) -> pd.DataFrame:
    """Predicted against observed: is the strength probability what it says?

    Parameters
    ----------
    engine : Matchmaker
    judgements : path, list of Judgement, "holdout" or None
        Graded queries to check on. ``None``: the shipped out-of-fold table
        the calibration was checked with (development data, each query's
        probabilities from a fit that did not see it).
    k : int, default 10
        Candidates per query that are counted.
    bins : int, default 5
        Equal-width bins of predicted probability.
    country : str, optional
        As for :func:`evaluate`.

    Returns
    -------
    DataFrame
        ``predicted`` (mean probability in the bin), ``observed`` (share of
        those candidates graded 2 or 3) and ``pairs``, one row per non-empty
        bin.

    Examples
    --------
    >>> from matchmaker import Matchmaker
    >>> table = reliability_table(Matchmaker().fit())
    >>> list(table.columns), bool((table.pairs > 0).all())
    (['predicted', 'observed', 'pairs'], True)
    """
    engine._fitted()
    if judgements is None:
        rows = [dict(r) for r in engine.calibration_.reliability]
        return pd.DataFrame(rows, columns=["predicted", "observed", "pairs"])
    queries, country = resolve_judgements(engine, judgements, country)
    predicted: list[float] = []
    good: list[bool] = []
    for q in queries:
        top = engine.shortlist(q.text, k=k, country=country)
        predicted.extend(float(p) for p in top.probability)
        good.extend(q.relevant.get(c.id, 0) >= 2 for c in top.candidates)
    p, y = np.asarray(predicted, dtype=np.float64), np.asarray(good, dtype=np.float64)
    which = np.minimum((p * bins).astype(int), bins - 1)
    out = [
        {"predicted": float(p[which == b].mean()), "observed": float(y[which == b].mean()),
         "pairs": int((which == b).sum())}
        for b in range(bins)
        if (which == b).any()
    ]  # fmt: skip
    return pd.DataFrame(out, columns=["predicted", "observed", "pairs"])


def plot_reliability(
    engine: Matchmaker,
    judgements: str | Path | Sequence[Judgement] | None = None,
    *,
    k: int = 10,
    bins: int = 5,
    country: str | None = "GB",
    ax: Axes | None = None,
) -> Axes:
    """Reliability chart of the strength probability: predicted against observed.

    Points on the diagonal mean the probability can be read at face value;
    the number of candidates behind each point is written beside it. The
    strength thresholds are drawn as vertical lines.

    Parameters
    ----------
    engine, judgements, k, bins, country
        As for :func:`reliability_table`.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from matchmaker import Matchmaker
    >>> ax = plot_reliability(Matchmaker().fit())
    >>> ax.get_xlabel()
    'predicted probability of a good partner'
    """
    ax = _axes(ax, "plot_reliability")
    table = reliability_table(engine, judgements, k=k, bins=bins, country=country)
    ax.plot([0, 1], [0, 1], ":", color="grey", label="perfectly calibrated")
    ax.plot(table.predicted, table.observed, "o-", label="observed")
    for row in table.itertuples():
        ax.annotate(f"{row.pairs}", (row.predicted, row.observed), textcoords="offset points",
                    xytext=(4, -10), fontsize=8)  # fmt: skip
    for name, value in engine.thresholds().items():
        ax.axvline(value, linestyle="--", linewidth=0.8, color="black")
        ax.text(value, 0.02, f" {name}", rotation=90, fontsize=8, va="bottom")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("predicted probability of a good partner")
    ax.set_ylabel("share judged a good partner (grade 2-3)")
    where = "out of fold, development data" if judgements is None else "given judgements"
    ax.set_title(f"Strength calibration ({where})")
    ax.legend(loc="upper left")
    return ax
