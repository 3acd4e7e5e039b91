"""Mission plans: capacity-constrained shortlists, solved exactly.

Fourth stage of the flow: weighted total -> shortlist -> **assignment** ->
explanation / export. A shortlist ranks candidates for one need; a mission
plan chooses candidates for every need at once, under limits: each UK
organisation can take only so many meetings, each need wants a few
candidates, some pairs must be kept apart and some must happen.

This module turns an engine's pair scores into the arrays the solver needs
and the solver's answer into a :class:`MissionPlan`. The other modules of
the plan each do one job: :mod:`._checks` (input checks and the defaults),
:mod:`._limits` (:class:`Limit`), :mod:`._model` (the 0/1 programme),
:mod:`._solve` and :mod:`._highs` (solving with HiGHS), :mod:`._diagnose`
(why no plan exists) and :mod:`._result` (:class:`MissionPlan`).

Strength comes from the engine (``engine.score_pairs(...).strength``, the
labels its shortlists show), so a change in how the engine judges strength
flows through to plans unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..catalogue._catalogue import Catalogue
from ..catalogue._schema import Profile
from ..ranking._weights import COMPONENTS
from ._checks import (
    DEFAULTS,
    STRENGTHS,
    count,
    ids_of,
    int_problem,
    is_int,
    number_problem,
    pairs_of,
    raise_problems,
)
from ._diagnose import PlanInfeasibleError, precheck
from ._limits import Limit, _Group
from ._result import ALTERNATE_COLUMNS, COST_COLUMNS, PLAN_COLUMNS, MissionPlan
from ._solve import candidate_ranks, solve_plan

if TYPE_CHECKING:
    from ..ranking._engine import Matchmaker

__all__ = ["Limit", "MissionPlan", "PlanInfeasibleError", "plan_mission"]

_STRENGTH_RANK = {s: i for i, s in enumerate(STRENGTHS)}


def _stating(engine: Matchmaker, ids: list[str], side: str) -> list[str]:
    """The ids whose profile states ``side`` (unknown ids are kept for the engine to report)."""
    engine._fitted()
    vectors = engine.needs_ if side == "needs" else engine.offers_
    return [i for i in ids if i not in engine.position_ or not vectors.empty[engine.position_[i]]]


def plan_mission(
    engine: Matchmaker,
    needs: Iterable[str] | Catalogue,
    offers: Iterable[str] | Catalogue,
    *,
    per_offer: int = DEFAULTS["per_offer"],  # type: ignore[assignment]
    per_need: int = DEFAULTS["per_need"],  # type: ignore[assignment]
    min_per_need: int = DEFAULTS["min_per_need"],  # type: ignore[assignment]
    min_strength: str = DEFAULTS["min_strength"],  # type: ignore[assignment]
    exclude: Iterable[tuple[str, str]] = (),
    require: Iterable[tuple[str, str]] = (),
    limits: Sequence[Limit] = (),
    alternates: int = DEFAULTS["alternates"],  # type: ignore[assignment]
    time_limit: float = DEFAULTS["time_limit"],  # type: ignore[assignment]
) -> MissionPlan:
    """Choose partners for every need at once: the best total under the mission's limits.

    Maximises the sum of the chosen pairs' scores such that each offer
    (UK organisation) is chosen at most ``per_offer`` times, each need gets
    between ``min_per_need`` and ``per_need`` candidates, excluded pairs are
    absent, required pairs are present and every :class:`Limit` holds. Only
    pairs at or above ``min_strength`` are candidates, except required
    pairs: requiring a pair is the officer's decision, so it is planned
    whatever its strength, counted against the capacities and limits, and
    flagged (``"required by you; strength weak"``). Solved exactly with
    HiGHS within ``time_limit``; never greedy, never a silently partial plan.

    Among plans of the same total (to the millionth) the plan gives each
    need candidates higher in its own ranking, then prefers pairs earlier
    in (need id, offer id) order; both tie-breaks are solved exactly.

    Parameters
    ----------
    engine : Matchmaker
        Scores every pair (fitted on first use).
    needs : list of profile ids or Catalogue
        Profiles whose needs to plan for (Chinese demands, say). A Catalogue's
        profiles that state no needs are skipped and listed in ``skipped``;
        an id that states no needs is an error.
    offers : list of profile ids or Catalogue
        Profiles that may be chosen (UK organisations), likewise.
    per_offer : int, default 3
        Most needs any one offer is chosen for (its meetings).
    per_need : int, default 3
        Most candidates per need: "up to", the plan never pads a need with
        pairs it does not want.
    min_per_need : int, default 0
        Fewest candidates per need. With 0, needs without a candidate are
        planned as left with nobody and listed (``MissionPlan.unmatched``,
        ``unmatched_needs`` and the headline); with 1, such a need makes the
        request infeasible and is named in the error.
    min_strength : {"weak", "moderate", "strong"}, default "moderate"
        Weakest strength label a candidate pair may have.
    exclude : list of (need_id, offer_id)
        Pairs to keep apart (competitors, conflicts of interest).
    require : list of (need_id, offer_id)
        Pairs that must be in the plan, whatever their strength; they count
        towards the capacities and limits. Errors only for contradictions:
        a pair also in ``exclude``, a profile paired with itself, or required
        pairs that break a capacity or an ``at_most`` limit.
    limits : list of Limit
        Group limits, e.g. ``Limit("region", at_most=4, per="plan")`` or
        ``Limit("kind", "research_group", at_least=1)``.
    alternates : int, default 3
        Best unchosen candidates to list per need.
    time_limit : float, default 30
        Seconds for the solve. When reached, the best plan found is returned
        with ``optimal`` False and the proven ``gap`` (see
        :class:`MissionPlan`); if no plan was found by then, the error says so.

    Returns
    -------
    MissionPlan

    Raises
    ------
    ValueError
        For bad arguments, all listed together.
    PlanInfeasibleError
        When no plan meets the request; says which constraint to relax and by
        how much (obvious causes are found before solving; otherwise each
        constraint group is relaxed alone to find what conflicts).
    KeyError
        For ids that are not in the engine's catalogue.

    Examples
    --------
    >>> import matchmaker
    >>> engine = matchmaker.Matchmaker().fit()
    >>> cat = engine.catalogue_
    >>> demands = [p.id for p in cat if p.kind == "sector_demand"][:4]
    >>> plan = plan_mission(engine, demands, cat.filter(country="GB"),
    ...                     per_offer=1, min_strength="weak")
    >>> int(plan.assignments.groupby("offer_id").size().max()), plan.optimal
    (1, True)
    >>> list(plan.cost.columns[:4])
    ['need_id', 'need_name', 'candidates', 'assigned']
    """
    problems: list[str] = []
    for name, value, minimum in (
        ("per_offer", per_offer, 1),
        ("per_need", per_need, 1),
        ("min_per_need", min_per_need, 0),
        ("alternates", alternates, 0),
    ):
        problem = int_problem(value, name, "plan_mission", minimum)
        if problem:
            problems.append(problem)
    problem = number_problem(time_limit, "time_limit", "plan_mission")
    if problem:
        problems.append(problem)
    if is_int(min_per_need) and is_int(per_need) and min_per_need > per_need:
        problems.append(
            f"The 'min_per_need' parameter of plan_mission must not exceed per_need={per_need}. "
            f"Got {min_per_need!r} instead."
        )
    if min_strength not in STRENGTHS:
        problems.append(
            f"The 'min_strength' parameter of plan_mission must be one of "
            f"{', '.join(map(repr, STRENGTHS))}. Got {min_strength!r} instead."
        )
    if isinstance(limits, Limit) or not isinstance(limits, Sequence):
        problems.append(
            f"The 'limits' parameter of plan_mission must be a list of Limit. "
            f"Got {limits!r} instead."
        )
        limits = []
    given: list[object] = list(limits)
    for item in given:
        if not isinstance(item, Limit):
            problems.append(f"Each item of 'limits' must be a Limit. Got {item!r} instead.")
    need_ids, needs_from_catalogue = ids_of(needs, "needs", "plan_mission", problems)
    offer_ids, offers_from_catalogue = ids_of(offers, "offers", "plan_mission", problems)
    excluded = pairs_of(exclude, "exclude", "plan_mission", problems)
    required = pairs_of(require, "require", "plan_mission", problems)
    raise_problems(problems)

    pairs = engine.score_pairs(
        _stating(engine, need_ids, "needs"), _stating(engine, offer_ids, "offers")
    )
    skipped = []
    for ids, kept, side, from_catalogue in (
        (need_ids, pairs.need_ids, "needs", needs_from_catalogue),
        (offer_ids, pairs.offer_ids, "offers", offers_from_catalogue),
    ):
        empty = sorted(set(ids) - set(kept))
        if empty and not from_catalogue:
            problems.append(
                f"These profiles state no {side}, so they cannot be planned as {side}: "
                f"{', '.join(map(repr, empty))}. Remove them from {side!r}."
            )
        skipped += [{"id": i, "side": side, "reason": f"states no {side}"} for i in empty]
    if not pairs.need_ids:
        problems.append("There are no needs to plan: 'needs' is empty.")
    if not pairs.offer_ids:
        problems.append("There are no offers to choose from: 'offers' is empty.")
    need_set, offer_set = set(pairs.need_ids), set(pairs.offer_ids)
    for name, items in (("exclude", excluded), ("require", required)):
        for a, b in items:
            if a not in need_set:
                problems.append(f"{name} pair ({a!r}, {b!r}): {a!r} is not one of the needs.")
            if b not in offer_set:
                problems.append(f"{name} pair ({a!r}, {b!r}): {b!r} is not one of the offers.")
    both = sorted(set(excluded) & set(required))
    if both:
        problems.append(
            f"These pairs are both excluded and required: {', '.join(map(str, both))}. "
            "Keep each in one list."
        )
    raise_problems(problems)

    # Canonical order: the solver sees needs and offers sorted by id.
    need_order = np.argsort(np.array(pairs.need_ids, dtype=object), kind="stable")
    offer_order = np.argsort(np.array(pairs.offer_ids, dtype=object), kind="stable")
    nids = [pairs.need_ids[i] for i in need_order]
    oids = [pairs.offer_ids[j] for j in offer_order]
    grid = np.ix_(need_order, offer_order)
    total = np.asarray(pairs.total, dtype=float)[grid]
    strength = np.asarray(pairs.strength, dtype=object)[grid]
    components = {c: np.asarray(pairs.scores.components[c], dtype=float)[grid] for c in COMPONENTS}
    catalogue = engine.catalogue_
    need_profiles = [catalogue[i] for i in nids]
    offer_profiles = [catalogue[j] for j in oids]
    n_pos = {pid: i for i, pid in enumerate(nids)}
    o_pos = {pid: j for j, pid in enumerate(oids)}

    rank = np.vectorize(_STRENGTH_RANK.__getitem__, otypes=[int])(strength)
    strong_enough = rank >= _STRENGTH_RANK[min_strength]
    not_self = np.not_equal.outer(np.array(nids, dtype=object), np.array(oids, dtype=object))
    kept_apart = np.zeros(total.shape, dtype=bool)
    for a, b in excluded:
        kept_apart[n_pos[a], o_pos[b]] = True
    # A pair with a zero score shares nothing with the need: never a candidate,
    # unless the officer requires it.
    allowed = strong_enough & ~kept_apart & not_self & (total > 0)
    must = np.zeros(total.shape, dtype=bool)
    flags = np.full(total.shape, "", dtype=object)
    infeasible: list[str] = []
    for a, b in required:
        i, j = n_pos[a], o_pos[b]
        if a == b:
            infeasible.append(f"required pair ({a!r}, {b!r}) pairs a profile with itself.")
            continue
        must[i, j] = True
        allowed[i, j] = True
        flag = f"required by you; strength {strength[i, j]}"
        if total[i, j] <= 0:
            flag += ", score 0: the two share nothing to match on"
        elif not strong_enough[i, j]:
            flag += f", below min_strength={min_strength!r}"
        flags[i, j] = flag

    def label(p: Profile) -> str:
        return f"{p.id!r} ({p.name})"

    need_labels = [label(p) for p in need_profiles]
    offer_labels = [label(p) for p in offer_profiles]
    pools = []
    for i in range(len(nids)):
        below = int((~strong_enough[i] & not_self[i] & (total[i] > 0)).sum())
        out = int((kept_apart[i] & strong_enough[i]).sum())
        extra = [f"{below} more below it"] if below and min_strength != "weak" else []
        extra += [f"{out} excluded"] if out else []
        pools.append(
            f"at or above {min_strength!r} strength" + (f" ({', '.join(extra)})" if extra else "")
        )
    widen = "lower min_strength" if min_strength != "weak" else "add offers"
    groups = [_Group.from_limit(limit, offer_profiles) for limit in limits]
    infeasible += precheck(
        allowed,
        must,
        np.full(len(nids), per_need),
        np.full(len(oids), per_offer),
        min_per_need,
        groups,
        need_labels,
        offer_labels,
        pools,
        widen,
    )
    if infeasible:
        raise PlanInfeasibleError(infeasible)
    solution = solve_plan(
        total,
        allowed,
        per_need=per_need,
        per_offer=per_offer,
        min_per_need=min_per_need,
        required=must,
        groups=groups,
        need_labels=need_labels,
        offer_labels=offer_labels,
        pool=pools,
        widen=widen,
        time_limit=float(time_limit),
    )
    chosen = solution.chosen

    # Each need's own ranking of its candidates: best score first, then id.
    offer_rank = candidate_ranks(total, allowed)

    offer_load = chosen.sum(axis=0)
    need_load = chosen.sum(axis=1)
    assigned_rows: list[dict[str, Any]] = []
    alternate_rows: list[dict[str, Any]] = []
    cost_rows: list[dict[str, Any]] = []
    user_order = [n_pos[pid] for pid in pairs.need_ids]
    for i in user_order:
        need = need_profiles[i]
        picked = np.flatnonzero(chosen[i])
        picked = picked[np.argsort(offer_rank[i, picked], kind="stable")]
        for j in picked.tolist():
            row: dict[str, Any] = {
                "need_id": need.id,
                "need_name": need.name,
                "offer_id": oids[j],
                "offer_name": offer_profiles[j].name,
                "score": round(float(total[i, j]), 4),
                "strength": str(strength[i, j]),
                "rank": int(offer_rank[i, j]),
                "required": bool(must[i, j]),
                "flag": str(flags[i, j]),
            }
            for c in COMPONENTS:
                row[c] = round(float(components[c][i, j]), 4)
            assigned_rows.append(row)
        spare = np.flatnonzero(allowed[i] & ~chosen[i])
        spare = spare[np.argsort(offer_rank[i, spare], kind="stable")][:alternates]
        for j in spare.tolist():
            alternate_rows.append(
                {
                    "need_id": need.id,
                    "need_name": need.name,
                    "offer_id": oids[j],
                    "offer_name": offer_profiles[j].name,
                    "score": round(float(total[i, j]), 4),
                    "strength": str(strength[i, j]),
                    "rank": int(offer_rank[i, j]),
                    "reason": _why_not(
                        i,
                        j,
                        chosen,
                        total,
                        offer_load,
                        need_load,
                        per_offer,
                        per_need,
                        groups,
                        offer_profiles[j].name,
                    ),
                }
            )
        candidates = np.flatnonzero(allowed[i])
        best = float(np.sort(total[i, candidates])[::-1][:per_need].sum())
        got = float(total[i, picked].sum())
        cost_rows.append(
            {
                "need_id": need.id,
                "need_name": need.name,
                "candidates": len(candidates),
                "assigned": len(picked),
                "assigned_score": round(got, 4),
                "best_score": round(best, 4),
                "cost": round(max(best - got, 0.0), 4),
                "note": _cost_note(len(candidates), len(picked), per_need, pools[i], best - got),
            }
        )
    settings = {
        "per_offer": per_offer,
        "per_need": per_need,
        "min_per_need": min_per_need,
        "min_strength": min_strength,
        "limits": [limit.describe() for limit in limits],
        "exclude": excluded,
        "require": required,
        "time_limit": float(time_limit),
    }
    return MissionPlan(
        assignments=pd.DataFrame(assigned_rows, columns=PLAN_COLUMNS),
        alternates=pd.DataFrame(alternate_rows, columns=ALTERNATE_COLUMNS),
        cost=pd.DataFrame(cost_rows, columns=COST_COLUMNS),
        total_score=round(solution.total, 6),
        settings=settings,
        skipped=pd.DataFrame(skipped, columns=["id", "side", "reason"]),
        stats=solution.stats,
        status=solution.status,
    )


def _why_not(
    i: int,
    j: int,
    chosen: np.ndarray,
    total: np.ndarray,
    offer_load: np.ndarray,
    need_load: np.ndarray,
    per_offer: int,
    per_need: int,
    groups: Sequence[_Group],
    offer_name: str,
) -> str:
    """Why a candidate was not chosen for a need, in words."""
    if offer_load[j] >= per_offer:
        return f"{offer_name} is full ({int(offer_load[j])} of per_offer={per_offer})"
    for g in groups:
        value = g.labels[j]
        if g.at_most is None or value is None:
            continue
        inside = g.members(value)
        used = chosen[i, inside].sum() if g.per == "need" else chosen[:, inside].sum()
        if used >= g.at_most:
            which = "" if g.wanted is not None and len(g.wanted) == 1 else f" ({g.by} = {value!r})"
            return f"limit reached: {g.name}{which}"
    if need_load[i] >= per_need:
        picked = total[i, chosen[i]]
        if picked.size and total[i, j] <= picked.min():
            return f"the {int(need_load[i])} chosen score at least as high (per_need={per_need})"
        return "a required pair or a trade-off with other needs keeps it out"
    return "choosing it would lower the plan total (its offer is worth more elsewhere)"


def _cost_note(candidates: int, assigned: int, per_need: int, pool: str, cost: float) -> str:
    if assigned == 0:
        if candidates == 0:
            return f"left with nobody: no candidate {pool}"
        return "left with nobody: its candidates are used by needs they serve better"
    if assigned < min(per_need, candidates):
        return f"{assigned} of per_need={per_need}: capacity went to other needs"
    if assigned < per_need:
        return f"only {count(candidates, 'candidate')} {pool}"
    if cost > 5e-5:
        return "better candidates were taken by other needs, limits or required pairs"
    return ""
