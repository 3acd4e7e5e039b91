"""The result of a mission plan: chosen pairs, alternates, what the limits cost, the status.

Every table is a DataFrame; text and HTML are drawn from them.
"""

from __future__ import annotations

from html import escape
from typing import Any

import pandas as pd

from ..ranking._weights import COMPONENTS
from ._checks import count as _count
from ._highs import Solved, SolveStatus

__all__ = ["MissionPlan"]

PLAN_COLUMNS = [
    "need_id",
    "need_name",
    "offer_id",
    "offer_name",
    "score",
    "strength",
    "rank",
    "required",
    "flag",
    *COMPONENTS,
]
#: Columns :meth:`MissionPlan.to_frame` adds to every row, so an export shows the status.
STATUS_COLUMNS = ["optimal", "gap"]
SUMMARY_COLUMNS = ["field", "value"]
ALTERNATE_COLUMNS = [
    "need_id",
    "need_name",
    "offer_id",
    "offer_name",
    "score",
    "strength",
    "rank",
    "reason",
]
COST_COLUMNS = [
    "need_id",
    "need_name",
    "candidates",
    "assigned",
    "assigned_score",
    "best_score",
    "cost",
    "note",
]


class MissionPlan(Solved):
    """The chosen partners of every need, the best alternates and what the limits cost.

    Build one with :func:`plan_mission`. Every table is a DataFrame; text
    and HTML are drawn from them.

    Attributes
    ----------
    assignments : DataFrame
        One row per chosen pair: ``need_id``, ``need_name``, ``offer_id``,
        ``offer_name``, ``score``, ``strength``, ``rank`` (the offer's rank
        in the need's own candidate list, 1 = best), ``required``, ``flag``
        (for a required pair: ``"required by you; strength weak"``, with a
        note when it is below ``min_strength`` or shares nothing with the
        need; empty otherwise) and one column per score component. Needs in
        the order given, best first.
    alternates : DataFrame
        The best candidates each need did not get, with the ``reason``.
    cost : DataFrame
        Per need: ``candidates``, ``assigned``, ``assigned_score``,
        ``best_score`` (the sum of its top ``per_need`` candidate scores,
        ignoring capacities and limits), ``cost`` (the difference) and a
        ``note`` for needs left short.
    total_score : float
        Sum of the chosen pairs' scores; the maximum possible under the limits
        when :attr:`optimal` is True.
    status : SolveStatus
        How good the plan is, as the solver proved it: ``optimal`` (the total
        is the maximum), ``gap`` (no plan scores more than ``total_score +
        gap``), ``tie_breaks`` (the tie-breaks were proven too),
        ``time_limit`` and ``seconds``.
    optimal, gap, time_limit : bool, float, float
        Shortcuts for ``status.optimal``, ``status.gap`` and ``status.time_limit``.
    settings : dict
        The request: per_offer, per_need, min_per_need, min_strength, limits,
        exclude, require, time_limit.
    skipped : DataFrame
        Profiles of a catalogue passed as ``needs``/``offers`` that were
        left out because they state nothing on that side (``id``, ``side``).
    stats : dict
        Solver figures: candidate pairs, pairs solved, solves, seconds.

    See Also
    --------
    MissionPlan.summary : the status, the required pairs and the needs left
        with nobody, as a two-column table.

    Examples
    --------
    >>> from matchmaker import Matchmaker, load_catalogue, plan_mission
    >>> cat = load_catalogue()
    >>> plan = plan_mission(Matchmaker(cat), cat.filter(kind="sector_demand"),
    ...                     cat.filter(country="GB"), per_offer=2, per_need=2, min_per_need=0)
    >>> int(plan.assignments.groupby("offer_id").size().max()) <= 2
    True
    >>> list(plan.cost.columns[:3])
    ['need_id', 'need_name', 'candidates']
    """

    def __init__(
        self,
        assignments: pd.DataFrame,
        alternates: pd.DataFrame,
        cost: pd.DataFrame,
        total_score: float,
        settings: dict[str, Any],
        skipped: pd.DataFrame,
        stats: dict[str, Any],
        status: SolveStatus,
    ) -> None:
        self.assignments = assignments
        self.alternates = alternates
        self.cost = cost
        self.total_score = total_score
        self.settings = settings
        self.skipped = skipped
        self.stats = stats
        self.status = status

    def __len__(self) -> int:
        return len(self.assignments)

    @property
    def best_score(self) -> float:
        """The total if every need got its top candidates regardless of limits."""
        return float(self.cost["best_score"].sum())

    @property
    def unmatched(self) -> list[str]:
        """Ids of needs left with nobody (only possible with ``min_per_need=0``)."""
        return [str(x) for x in self.cost.loc[self.cost["assigned"] == 0, "need_id"]]

    @property
    def unmatched_needs(self) -> pd.DataFrame:
        """Needs left with nobody and why: ``need_id``, ``need_name``, ``candidates``, ``reason``."""
        left = self.cost.loc[self.cost["assigned"] == 0]
        frame = left[["need_id", "need_name", "candidates", "note"]].rename(
            columns={"note": "reason"}
        )
        return frame.reset_index(drop=True)

    def summary(self) -> pd.DataFrame:
        """The plan's status in one two-column table (``field``, ``value``), for exports.

        Rows: ``status`` (in words), ``optimal``, ``gap``, ``time_limit``,
        ``seconds``, ``total_score``, ``pairs``, ``required_pairs``,
        ``required_flagged`` (required pairs below ``min_strength`` or with
        a zero score), ``unmatched`` (ids of needs left with nobody) and the
        settings.
        """
        flagged = self.assignments["flag"].str.contains("below|nothing", regex=True)
        rows: list[tuple[str, Any]] = [
            ("status", self.status.describe()),
            ("optimal", self.optimal),
            ("gap", self.gap),
            ("tie_breaks_proven", self.status.tie_breaks),
            ("time_limit", self.time_limit),
            ("seconds", self.status.seconds),
            ("total_score", self.total_score),
            ("pairs", len(self)),
            ("required_pairs", int(self.assignments["required"].sum())),
            ("required_flagged", int(flagged.sum())),
            ("unmatched", ", ".join(self.unmatched)),
        ]
        for key in ("per_offer", "per_need", "min_per_need", "min_strength"):
            rows.append((key, self.settings[key]))
        rows.append(("limits", "; ".join(self.settings["limits"])))
        return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)

    def to_frame(self) -> pd.DataFrame:
        """The chosen pairs (:attr:`assignments`) with the plan's ``optimal`` and ``gap`` on each row."""
        return self.assignments.assign(optimal=self.optimal, gap=self.gap)

    def headline(self) -> str:
        """The totals, the solver's status, the settings, and needs left with nobody."""
        s = self.settings
        lines = [
            f"Mission plan: {_count(len(self.cost), 'need')}, {_count(len(self), 'pair')}, "
            f"total score {self.total_score:.4f} (best without limits {self.best_score:.4f}, "
            f"limits cost {self.best_score - self.total_score:.4f})",
            f"Status: {self.status.describe()}",
            f"per_offer={s['per_offer']}, per_need={s['per_need']}, "
            f"min_per_need={s['min_per_need']}, min_strength={s['min_strength']!r}"
            + (f"; limits: {'; '.join(s['limits'])}" if s["limits"] else ""),
        ]
        if self.unmatched:
            lines.append(f"Left with nobody: {', '.join(self.unmatched)}")
        return "\n".join(lines)

    def __str__(self) -> str:
        out = [self.headline()]
        chosen = self.assignments.groupby("need_id", sort=False)
        spare = self.alternates.groupby("need_id", sort=False)
        for row in self.cost.to_dict("records"):
            need = str(row["need_id"])
            out.append("")
            out.append(
                f"{row['need_name']} [{need}]: {row['assigned']} chosen, score "
                f"{row['assigned_score']:.4f} (best {row['best_score']:.4f}, "
                f"cost {row['cost']:.4f})" + (f" - {row['note']}" if row["note"] else "")
            )
            if need in chosen.groups:
                for a in chosen.get_group(need).to_dict("records"):
                    flag = f"; {a['flag']}" if a["flag"] else ""
                    out.append(
                        f"  + {a['offer_name']} [{a['offer_id']}] {a['score']:.4f} "
                        f"{a['strength']} (rank {a['rank']}{flag})"
                    )
            if need in spare.groups:
                for a in spare.get_group(need).to_dict("records"):
                    out.append(
                        f"  - {a['offer_name']} [{a['offer_id']}] {a['score']:.4f} "
                        f"{a['strength']}: {a['reason']}"
                    )
        return "\n".join(out)

    def __repr__(self) -> str:
        return (
            f"<MissionPlan: {_count(len(self.cost), 'need')}, {_count(len(self), 'pair')}, "
            f"total score {self.total_score:.4f}, "
            + ("optimal" if self.optimal else f"NOT proven optimal, gap {self.gap:.4f}")
            + ">"
        )

    def _repr_html_(self) -> str:
        head = "<br>".join(escape(line) for line in self.headline().split("\n"))
        return (
            f"<p><b>{head}</b></p>"
            + self.assignments.to_html(index=False, escape=True)
            + "<p><b>What the limits cost, per need</b></p>"
            + self.cost.to_html(index=False, escape=True)
        )
