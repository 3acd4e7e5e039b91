"""One neutral shape for everything the export stage writes.

Every result (a shortlist, a mission plan, a schedule, an import, a
catalogue or a plain table) becomes a :class:`Report`: a title, the context
a reader needs (what was asked, how it was read, warnings, caveats, date,
catalogue and weights used) and named tables, the first being the main one.
CSV writes the main table, JSON the context and every table, XLSX one sheet
of context and one per table, and the HTML briefing also uses ``details``
(per-candidate explanations, plan groups) that only a page can show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from ..catalogue._catalogue import Catalogue
    from ..catalogue._import import ImportResult
    from ..planning._consortia import Consortia
    from ..planning._plan import MissionPlan
    from ..planning._schedule import Schedule
    from ..ranking._shortlist import Shortlist

__all__ = ["PLAN_STATUS_FIELDS", "Report", "build_report"]

#: Optional attributes of a MissionPlan copied into the context when present
#: (solver status, optimality, gap): add a name here when the plan gains one.
PLAN_STATUS_FIELDS: tuple[str, ...] = ("status", "optimal", "gap")


@dataclass
class Report:
    """What a file says: a title, its context fields and its tables (main table first)."""

    kind: str
    title: str
    context: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def main(self) -> pd.DataFrame:
        """The first table: what CSV writes."""
        return next(iter(self.tables.values()))


def _today() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _first(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``frame`` with ``columns`` (those present) moved to the front, in that order."""
    front = [c for c in columns if c in frame.columns]
    return frame[front + [c for c in frame.columns if c not in front]]


# -- shortlists ------------------------------------------------------------------
def _shortlist(shortlist: Shortlist, catalogue: Catalogue | None) -> Report:
    from ..ranking._weights import COMPONENTS

    engine = shortlist.engine
    taxonomy = engine.vectorizer_.taxonomy_
    head = shortlist.headline().split("\n")
    read_as = next(
        (line.removeprefix("Read as: ") for line in head if line.startswith("Read as:")), ""
    )
    warning = next((line for line in head if line.startswith("No good match")), "")
    frame = shortlist.to_frame()
    candidates: list[dict[str, Any]] = []
    caveats: dict[str, dict[str, str]] = {}
    extra: dict[str, list[str]] = {
        "name_zh": [],
        "website": [],
        "evidence": [],
        "caveats": [],
        "sources": [],
    }
    for rank, profile in enumerate(shortlist.candidates, start=1):
        explanation = shortlist.explain(rank)
        concepts = explanation.concepts
        matched = concepts[concepts.relation != "not covered"]
        evidence = [
            {
                "label": str(r.label),
                "need_phrase": str(r.need_phrase),
                "offer_phrase": str(r.offer_phrase),
                "relation": str(r.relation),
            }
            for r in matched.itertuples()
        ]
        notes = [
            {"text": str(r.text), "source": str(r.source)} for r in explanation.caveats.itertuples()
        ]
        for note in notes:
            caveats.setdefault(note["text"], note)
        sources = [f"{s.document}, {s.section}" for s in profile.sources]
        extra["name_zh"].append(profile.name_zh or "")
        extra["website"].append(profile.website or "")
        extra["evidence"].append(
            "; ".join(f"{e['need_phrase']} -> {e['offer_phrase']}" for e in evidence)
        )
        extra["caveats"].append(" | ".join(n["text"] for n in notes))
        extra["sources"].append("; ".join(sources))
        candidates.append(
            {
                "rank": rank,
                "profile": profile,
                "score": float(explanation.score),
                "strength": explanation.strength,
                "reason": explanation.reason,
                "evidence": evidence,
                "not_covered": [str(x) for x in concepts[concepts.relation == "not covered"].label],
                "caveats": notes,
                "sources": sources,
                "components": explanation.components.to_dict("records"),
            }
        )
    for column, values in extra.items():
        frame[column] = values
    frame = _first(
        frame, ["rank", "name", "name_zh", "id", "country", "kind", "score", "strength", "reasons"]
    )
    understood = [
        {
            "en": taxonomy.concepts[c].en,
            "zh": taxonomy.concepts[c].zh,
            "facet": facet,
            "phrase": phrase,
        }
        for c, facet, phrase in shortlist.understood()[["concept", "facet", "phrase"]].itertuples(
            index=False
        )
    ]
    query = shortlist.query
    context: dict[str, Any] = {
        "query": query.label,
        "query profile": query.profile_id or "",
        "direction": f"the query {query.direction}; candidates are who "
        + ("offers it" if query.direction == "needs" else "needs it"),
        "read as": read_as,
        "warning": warning,
        "caveats": [f"{c['text']} ({c['source']})" for c in caveats.values()],
        "created": _today(),
        "catalogue": f"{len(engine.catalogue_)} profiles",
        "weights": ", ".join(f"{c} {getattr(engine.weights_, c):g}" for c in COMPONENTS),
        "candidates": len(shortlist),
    }
    return Report(
        kind="shortlist",
        title=f"Shortlist for: {query.label}",
        context=context,
        tables={"Shortlist": frame},
        details={
            "candidates": candidates,
            "understood": understood,
            "caveats": list(caveats.values()),
            "components": list(COMPONENTS),
        },
    )


# -- plans and schedules ---------------------------------------------------------------
def _zh(catalogue: Catalogue | None, profile_id: object) -> str:
    if catalogue is None or not isinstance(profile_id, str) or profile_id not in catalogue:
        return ""
    return catalogue[profile_id].name_zh or ""


def _name(catalogue: Catalogue | None, profile_id: object) -> str:
    if catalogue is None or not isinstance(profile_id, str) or profile_id not in catalogue:
        return str(profile_id)
    return catalogue[profile_id].name


def _plan(
    plan: MissionPlan, catalogue: Catalogue | None, schedule: Schedule | None = None
) -> Report:
    from ..ranking._weights import COMPONENTS

    chosen = plan.assignments.copy()
    chosen.insert(0, "status", ["required pair" if r else "chosen" for r in chosen["required"]])
    chosen = chosen.drop(columns="required")
    unmatched = plan.cost[plan.cost["assigned"] == 0]
    left = pd.DataFrame(
        {
            "status": "left with nobody",
            "need_id": unmatched["need_id"],
            "need_name": unmatched["need_name"],
            "note": unmatched["note"],
        }
    )
    chosen["note"] = ""
    pairs = pd.concat([chosen, left], ignore_index=True) if len(left) else chosen
    # every demand in the order the plan gives them, its pairs or its "nobody" row
    order = {need: i for i, need in enumerate(plan.cost["need_id"])}
    pairs = pairs.iloc[
        sorted(range(len(pairs)), key=lambda i: (order.get(pairs["need_id"].iloc[i], 0), i))
    ].reset_index(drop=True)
    pairs = _first(
        pairs,
        [
            "need_name",
            "offer_name",
            "status",
            "score",
            "strength",
            "rank",
            "note",
            "need_id",
            "offer_id",
        ],
    )
    unmatched_table = _first(
        unmatched[["need_name", "need_id", "candidates", "note"]].reset_index(drop=True),
        ["need_name"],
    )
    s = plan.settings
    context: dict[str, Any] = {
        "demands": len(plan.cost),
        "pairs": len(plan),
        "left with nobody": len(plan.unmatched),
        "total score": plan.total_score,
        "best score without limits": plan.best_score,
        "per_offer": s.get("per_offer"),
        "per_need": s.get("per_need"),
        "min_per_need": s.get("min_per_need"),
        "min_strength": s.get("min_strength"),
        "limits": list(s.get("limits") or []),
        "excluded pairs": [f"{a} / {b}" for a, b in s.get("exclude") or []],
        "required pairs": [f"{a} / {b}" for a, b in s.get("require") or []],
    }
    for name in PLAN_STATUS_FIELDS:
        if hasattr(plan, name):
            value = getattr(plan, name)
            context[name] = value.describe() if hasattr(value, "describe") else value
    # Every row of a forwarded plan says whether the plan is proven optimal.
    for name in ("optimal", "gap"):
        if hasattr(plan, name):
            pairs[name] = getattr(plan, name)
    context["created"] = _today()
    tables = {
        "Pairs": pairs,
        "Unmatched demands": unmatched_table,
        "Alternates": _first(plan.alternates.reset_index(drop=True), ["need_name", "offer_name"]),
        "What the limits cost": _first(plan.cost.reset_index(drop=True), ["need_name"]),
    }
    demands = []
    chosen_by = dict(list(plan.assignments.groupby("need_id", sort=False)))
    spare_by = dict(list(plan.alternates.groupby("need_id", sort=False)))
    for row in plan.cost.to_dict("records"):
        need = str(row["need_id"])
        demands.append(
            {
                "id": need,
                "name": row["need_name"],
                "name_zh": _zh(catalogue, need),
                "cost": row,
                "pairs": [
                    {**p, "offer_name_zh": _zh(catalogue, p["offer_id"])}
                    for p in chosen_by[need].to_dict("records")
                ]
                if need in chosen_by
                else [],
                "alternates": spare_by[need].to_dict("records") if need in spare_by else [],
            }
        )
    details: dict[str, Any] = {"demands": demands, "components": list(COMPONENTS)}
    report = Report("plan", "Mission plan", context, tables, details)
    if schedule is not None:
        _add_schedule(report, schedule, catalogue)
    return report


def _add_schedule(report: Report, schedule: Schedule, catalogue: Catalogue | None) -> None:
    meetings = schedule.meetings.copy()
    for side in ("a", "b"):
        meetings.insert(
            list(meetings.columns).index(side) + 1,
            f"{side}_name",
            [_name(catalogue, x) for x in meetings[side]],
        )
    agendas = schedule.agendas()
    agendas.insert(1, "participant_name", [_name(catalogue, x) for x in agendas["participant"]])
    agendas.insert(
        list(agendas.columns).index("with") + 1,
        "with_name",
        [_name(catalogue, x) if x else "" for x in agendas["with"]],
    )
    report.tables["Schedule"] = meetings
    report.tables["Not placed"] = schedule.unplaced.reset_index(drop=True)
    report.tables["Agendas"] = agendas
    report.context["schedule"] = schedule.headline()
    report.details["schedule"] = {
        "slots": [str(x) for x in schedule.slots],
        "meetings": meetings.to_dict("records"),
        "unplaced": schedule.unplaced.to_dict("records"),
        "agendas": {
            str(p): {"name": _name(catalogue, p), "rows": g.to_dict("records")}
            for p, g in agendas.groupby("participant", sort=True)
        },
    }


def _schedule(schedule: Schedule, catalogue: Catalogue | None) -> Report:
    report = Report("schedule", "Meeting schedule", {}, {})
    _add_schedule(report, schedule, catalogue)
    report.context["created"] = _today()
    return report


# -- imports, catalogues, tables ----------------------------------------------------------
def _import(result: ImportResult, catalogue: Catalogue | None) -> Report:
    summary = result.summary()
    context: dict[str, Any] = {
        "file": result.source,
        "sheet": result.sheet or "",
        "encoding": result.encoding or "",
        "rows": len(result.report),
        **{f"rows {k}": v for k, v in summary.items()},
        "columns used": [f"{k} -> {v}" for k, v in result.columns.items()],
        "columns ignored": list(result.ignored_columns),
        "created": _today(),
    }
    report = _first(result.report.reset_index(drop=True), ["row", "name", "status"])
    return Report("import", f"Import report: {result.source}", context, {"Import report": report})


def _catalogue(catalogue: Catalogue, _: Catalogue | None) -> Report:
    frame = _first(catalogue.to_frame(), ["name", "name_zh", "id"])
    context = {"profiles": len(catalogue), "created": _today()}
    return Report("catalogue", "Catalogue", context, {"Profiles": frame})


def _consortia(result: Consortia, _: Catalogue | None) -> Report:
    context = {
        "need": f"{result.need_name} [{result.need_id}]",
        "bundles": len(result),
        "created": _today(),
    }
    tables = {"Bundles": result.bundles, "Concepts": result.concepts}
    return Report("consortia", f"Consortia for: {result.need_name}", context, tables)


def _frame(frame: pd.DataFrame, _: Catalogue | None) -> Report:
    return Report("table", "Table", {"rows": len(frame), "created": _today()}, {"Table": frame})


def build_report(
    result: object, *, catalogue: Catalogue | None = None, schedule: Schedule | None = None
) -> Report:
    """The :class:`Report` of any result the export stage can write.

    Raises
    ------
    TypeError
        For an object that is not a Shortlist, MissionPlan, Schedule,
        Consortia, ImportResult, Catalogue or DataFrame.
    """
    from ..catalogue._catalogue import Catalogue
    from ..catalogue._import import ImportResult
    from ..planning._consortia import Consortia
    from ..planning._plan import MissionPlan
    from ..planning._schedule import Schedule
    from ..ranking._shortlist import Shortlist

    if schedule is not None and not isinstance(result, MissionPlan):
        raise TypeError("The 'schedule' parameter of write goes with a MissionPlan only.")
    if isinstance(result, MissionPlan):
        return _plan(result, catalogue, schedule)
    builders: list[tuple[type, Callable[[Any, Catalogue | None], Report]]] = [
        (Shortlist, _shortlist),
        (Schedule, _schedule),
        (Consortia, _consortia),
        (ImportResult, _import),
        (Catalogue, _catalogue),
        (pd.DataFrame, _frame),
    ]
    for kind, build in builders:
        if isinstance(result, kind):
            return build(result, catalogue)
    raise TypeError(
        "write takes a Shortlist, MissionPlan, Schedule, Consortia, ImportResult, Catalogue or "
        "DataFrame. "
        f"Got {type(result).__name__} instead."
    )
