"""Meeting schedules: 1:1 meetings placed in time slots and at tables, exactly.

Seventh step of the flow: assignment -> **schedule** -> export. The
requested meetings (say, the pairs of a :class:`MissionPlan`) are placed so
that nobody is in two meetings at once, nobody meets outside their
available slots, and no slot holds more meetings than there are tables. The
preferences, each optimised exactly among the optima of the ones before
(HiGHS, a 0/1 programme over request x slot, see :mod:`._highs`):

1. the total score of the meetings held (in millionths);
2. the number of meetings held;
3. earlier slots: the fewest slot positions in all, so meetings fill the
   first slots and the day ends as early as it can;
4. better meetings in earlier slots (the least score-weighted slot position).

Tables are then handed out slot by slot. Every meeting that could not be
placed is listed with the reason. The whole solve has a time limit; a
greedy schedule (best meetings first, each in its earliest free slot) is
the solver's starting point, so a schedule is always returned, marked as
not proven optimal with its gap when the limit is reached.
"""

from __future__ import annotations

import math
import numbers
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from html import escape
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._checks import DEFAULTS, number_problem, raise_problems
from ._checks import count as _count
from ._checks import is_int as _is_int
from ._highs import SCALE, Solved, SolveStatus, solve_lexicographic

__all__ = ["Schedule", "schedule_meetings"]

MEETING_COLUMNS = ["slot", "table", "a", "b", "score"]
UNPLACED_COLUMNS = ["a", "b", "score", "reason"]
AGENDA_COLUMNS = ["participant", "slot", "table", "with", "score", "status"]
_PAIR_COLUMNS = (("a", "b"), ("need_id", "offer_id"))


class Schedule(Solved):
    """A 1:1 meeting schedule: who meets whom, when and at which table.

    Build one with :func:`schedule_meetings`.

    Attributes
    ----------
    meetings : DataFrame
        ``slot``, ``table``, ``a``, ``b``, ``score`` and any other columns of
        the requests, in slot then table order.
    unplaced : DataFrame
        Requested meetings that could not be placed: ``a``, ``b``, ``score``,
        ``reason`` and the requests' other columns.
    slots, tables : list
        Slot and table labels, in order.
    availability : dict
        Each participant's available slots (every slot when not given).
    total_score : float
        Sum of the scores of the meetings held; the maximum possible when
        :attr:`optimal` is True.
    status : SolveStatus
        How good the schedule is, as the solver proved it: ``optimal`` (the
        total score is the maximum), ``gap`` (no schedule scores more than
        ``total_score + gap``), ``tie_breaks`` (more meetings, earlier slots
        and better meetings earlier, proven too), ``time_limit`` and ``seconds``.
    optimal, gap, time_limit : bool, float, float
        Shortcuts for ``status.optimal``, ``status.gap`` and ``status.time_limit``.

    Examples
    --------
    >>> day = schedule_meetings([("ann", "bob", 0.9)], ["09:00"], tables=1)
    >>> len(day), day.optimal, day.gap
    (1, True, 0.0)
    """

    def __init__(
        self,
        meetings: pd.DataFrame,
        unplaced: pd.DataFrame,
        slots: list[Hashable],
        tables: list[Hashable],
        availability: dict[str, list[Hashable]],
        status: SolveStatus,
    ) -> None:
        self.meetings = meetings
        self.unplaced = unplaced
        self.slots = slots
        self.tables = tables
        self.availability = availability
        self.total_score = round(float(meetings["score"].sum()), 6)
        self.status = status

    def __len__(self) -> int:
        return len(self.meetings)

    @property
    def participants(self) -> list[str]:
        """Everyone with a requested meeting, sorted."""
        return sorted(self.availability)

    def agenda(self, participant: str) -> pd.DataFrame:
        """One participant's day: a row per slot.

        Returns
        -------
        DataFrame
            ``slot``, ``table``, ``with`` (the other participant), ``score``
            and ``status``: ``meeting``, ``free`` or ``unavailable``.

        Raises
        ------
        KeyError
            If the participant has no requested meeting.
        """
        if participant not in self.availability:
            known = ", ".join(repr(p) for p in self.participants[:10])
            raise KeyError(
                f"{participant!r} has no requested meeting in this schedule. Participants: "
                f"{known}{' ...' if len(self.availability) > 10 else ''}."
            )
        frame = self._agenda(participant)
        return frame.drop(columns="participant").reset_index(drop=True)

    def _agenda(self, participant: str) -> pd.DataFrame:
        mine = self.meetings[
            (self.meetings["a"] == participant) | (self.meetings["b"] == participant)
        ]
        by_slot = {row["slot"]: row for row in mine.to_dict("records")}
        free = set(self.availability[participant])
        rows = []
        for slot in self.slots:
            row = by_slot.get(slot)
            if row is not None:
                other = row["b"] if row["a"] == participant else row["a"]
                rows.append([participant, slot, row["table"], other, row["score"], "meeting"])
            else:
                status = "free" if slot in free else "unavailable"
                rows.append([participant, slot, "", "", None, status])
        return pd.DataFrame(rows, columns=AGENDA_COLUMNS)

    def agendas(self) -> pd.DataFrame:
        """Every participant's agenda in one table (``participant`` first)."""
        frames = [self._agenda(p) for p in self.participants]
        if not frames:
            return pd.DataFrame(columns=AGENDA_COLUMNS)
        return pd.concat(frames, ignore_index=True)

    def to_frame(self) -> pd.DataFrame:
        """The meetings held (:attr:`meetings`) with the schedule's ``optimal`` and ``gap`` on each row."""
        return self.meetings.assign(optimal=self.optimal, gap=self.gap)

    def headline(self) -> str:
        """Two lines: meetings held, requested, total score; then the solver's status."""
        asked = len(self.meetings) + len(self.unplaced)
        return (
            f"Schedule: {len(self.meetings)} of {_count(asked, 'requested meeting')} held in "
            f"{_count(len(self.slots), 'slot')} at {_count(len(self.tables), 'table')}, "
            f"total score {self.total_score:.4f}\nStatus: {self.status.describe()}"
        )

    def __str__(self) -> str:
        out = [self.headline()]
        for slot in self.slots:
            held = self.meetings[self.meetings["slot"] == slot]
            cells = [
                f"{row['table']}: {row['a']} + {row['b']} ({row['score']:.2f})"
                for row in held.to_dict("records")
            ]
            out.append(f"{slot}  " + ("; ".join(cells) if cells else "(no meetings)"))
        if len(self.unplaced):
            out.append("Not placed:")
            out += [
                f"  {row['a']} + {row['b']} ({row['score']:.2f}): {row['reason']}"
                for row in self.unplaced.to_dict("records")
            ]
        return "\n".join(out)

    def __repr__(self) -> str:
        state = "optimal" if self.optimal else f"NOT proven optimal, gap {self.gap:.4f}"
        return f"<Schedule: {len(self)} meetings, {len(self.unplaced)} not placed, {state}>"

    def _repr_html_(self) -> str:
        head = "<br>".join(escape(line) for line in self.headline().split("\n"))
        html = f"<p><b>{head}</b></p>"
        html += self.meetings.to_html(index=False, escape=True)
        if len(self.unplaced):
            html += "<p><b>Not placed</b></p>" + self.unplaced.to_html(index=False, escape=True)
        return html


def _requests_frame(requests: object, problems: list[str]) -> pd.DataFrame:
    """The requests as a DataFrame with ``a``, ``b``, ``score`` first."""
    if isinstance(requests, pd.DataFrame):
        for a, b in _PAIR_COLUMNS:
            if a in requests.columns and b in requests.columns:
                frame = requests.rename(columns={a: "a", b: "b"})
                break
        else:
            problems.append(
                "The 'requests' DataFrame must have columns 'a' and 'b' (or 'need_id' and "
                f"'offer_id'). Got columns {list(requests.columns)} instead."
            )
            return pd.DataFrame(columns=["a", "b", "score"])
        if "score" not in frame.columns:
            frame = frame.assign(score=1.0)
        rest = [c for c in frame.columns if c not in ("a", "b", "score")]
        return frame[["a", "b", "score", *rest]].reset_index(drop=True)
    if isinstance(requests, str) or not isinstance(requests, Iterable):
        problems.append(
            "The 'requests' parameter of schedule_meetings must be a DataFrame or a list of "
            f"(a, b) or (a, b, score) tuples. Got {requests!r} instead."
        )
        return pd.DataFrame(columns=["a", "b", "score"])
    rows = []
    for k, item in enumerate(requests):
        if isinstance(item, str) or not isinstance(item, Sequence) or len(item) not in (2, 3):
            problems.append(
                f"request {k}: expected an (a, b) or (a, b, score) tuple. Got {item!r} instead."
            )
            continue
        rows.append((item[0], item[1], item[2] if len(item) == 3 else 1.0))
    return pd.DataFrame(rows, columns=["a", "b", "score"])


def _check_requests(frame: pd.DataFrame, problems: list[str]) -> None:
    seen: Counter[frozenset[str]] = Counter()
    for k, row in enumerate(frame[["a", "b", "score"]].itertuples(index=False)):
        a, b, score = row
        where = f"request {k} ({a!r}, {b!r})"
        if not (isinstance(a, str) and a and isinstance(b, str) and b):
            problems.append(f"{where}: participants must be non-empty strings.")
            continue
        if a == b:
            problems.append(f"{where}: a participant cannot meet themselves.")
        if (
            isinstance(score, bool)
            or not isinstance(score, numbers.Real)
            or not math.isfinite(float(score))
            or float(score) < 0
        ):
            problems.append(f"{where}: the score must be a finite number >= 0. Got {score!r}.")
        seen[frozenset((a, b))] += 1
    twice = sorted(tuple(sorted(pair)) for pair, n in seen.items() if n > 1)
    if twice:
        problems.append(
            f"These meetings are requested more than once: {', '.join(map(str, twice))}. "
            "Keep one request per pair."
        )


def schedule_meetings(
    requests: pd.DataFrame | Iterable[tuple[Any, ...]],
    slots: Sequence[Hashable],
    *,
    tables: int | Sequence[Hashable],
    availability: Mapping[str, Iterable[Hashable]] | None = None,
    time_limit: float = DEFAULTS["time_limit"],  # type: ignore[assignment]
) -> Schedule:
    """Place 1:1 meetings in time slots and at tables, maximising the score held.

    No participant is in two meetings in one slot, nobody meets outside
    their available slots, and no slot holds more meetings than tables. The
    total score of the meetings held is the maximum possible (a 0/1
    programme solved with HiGHS); among equally good schedules, more
    meetings are preferred, then earlier slots (the fewest slot positions
    in all), then better meetings in earlier slots; each preference is
    solved exactly, not nudged. Tables are
    handed out in each slot best meeting first.

    Parameters
    ----------
    requests : DataFrame or list of tuples
        The meetings wanted: a DataFrame with columns ``a``, ``b`` (or
        ``need_id``, ``offer_id``, as in ``MissionPlan.assignments``) and
        optionally ``score`` (1 when missing); other columns are carried
        into the result. Or a list of ``(a, b)`` / ``(a, b, score)``.
    slots : sequence
        Slot labels in time order, e.g. ``["09:00", "09:30"]``.
    tables : int or sequence
        Number of tables (labelled ``T1``, ``T2``...) or their labels.
    availability : dict of participant to slots, optional
        The slots each participant can make; others can make every slot.
    time_limit : float, default 30
        Seconds for the solve. When reached, the best schedule found is
        returned (never worse than placing the best meetings first, each in
        its earliest free slot), with ``optimal`` False and the proven
        ``gap``; see :class:`Schedule`.

    Returns
    -------
    Schedule

    Raises
    ------
    ValueError
        Listing every problem with the input: bad or repeated requests,
        unknown slots, participants in ``availability`` with no request.

    Examples
    --------
    >>> s = schedule_meetings([("ann", "bob", 0.9), ("ann", "cy", 0.8), ("bob", "cy", 0.7)],
    ...                       slots=["09:00", "09:30"], tables=1)
    >>> s.meetings[["slot", "a", "b"]].values.tolist()
    [['09:00', 'ann', 'bob'], ['09:30', 'ann', 'cy']]
    >>> s.unplaced.reason.iloc[0]
    'every slot both can make is taken (09:00: bob meets ann; 09:30: cy meets ann)'
    >>> s.agenda("cy")[["slot", "with", "status"]].values.tolist()
    [['09:00', '', 'free'], ['09:30', 'ann', 'meeting']]
    """
    problems: list[str] = []
    frame = _requests_frame(requests, problems)
    _check_requests(frame, problems)
    if isinstance(slots, str) or not isinstance(slots, Sequence) or len(slots) == 0:
        problems.append(
            f"The 'slots' parameter of schedule_meetings must be a non-empty list of slot "
            f"labels. Got {slots!r} instead."
        )
        slot_list: list[Hashable] = []
    else:
        slot_list = list(slots)
        repeated = [s for s, n in Counter(slot_list).items() if n > 1]
        if repeated:
            problems.append(f"These slots appear more than once: {repeated!r}.")
    given_tables: object = tables
    if _is_int(given_tables):
        if int(given_tables) < 1:  # type: ignore[call-overload]
            problems.append(
                f"The 'tables' parameter of schedule_meetings must be an int >= 1 or a list of "
                f"table labels. Got {tables!r} instead."
            )
        table_list: list[Hashable] = [f"T{k}" for k in range(1, int(given_tables) + 1)]  # type: ignore[call-overload]
    elif (
        isinstance(given_tables, Sequence)
        and not isinstance(given_tables, str)
        and len(given_tables) > 0
    ):
        table_list = list(given_tables)
        repeated = [t for t, n in Counter(table_list).items() if n > 1]
        if repeated:
            problems.append(f"These tables appear more than once: {repeated!r}.")
    else:
        problems.append(
            f"The 'tables' parameter of schedule_meetings must be an int >= 1 or a list of "
            f"table labels. Got {tables!r} instead."
        )
        table_list = []
    people = sorted({x for x in [*frame["a"], *frame["b"]] if isinstance(x, str)})
    available: dict[str, list[Hashable]] = {p: list(slot_list) for p in people}
    given_availability: object = availability
    if given_availability is not None:
        if not isinstance(given_availability, Mapping):
            problems.append(
                "The 'availability' parameter of schedule_meetings must be a dict of "
                f"participant to slots. Got {availability!r} instead."
            )
        else:
            known = set(slot_list)
            stray = sorted(str(p) for p in given_availability if p not in available)
            if stray:
                problems.append(
                    f"availability names participants with no requested meeting: "
                    f"{', '.join(map(repr, stray))}. Check the spelling or remove them."
                )
            for person, allowed in given_availability.items():
                if isinstance(allowed, str) or not isinstance(allowed, Iterable):
                    problems.append(
                        f"availability[{person!r}] must be a list of slots. Got {allowed!r}."
                    )
                    continue
                allowed = list(allowed)
                unknown = [s for s in allowed if s not in known]
                if unknown:
                    problems.append(
                        f"availability[{person!r}] names slots that are not in 'slots': "
                        f"{unknown!r}."
                    )
                if person in available:
                    mine = set(allowed)
                    available[person] = [s for s in slot_list if s in mine]
    problem = number_problem(time_limit, "time_limit", "schedule_meetings")
    if problem:
        problems.append(problem)
    raise_problems(problems)

    # Canonical order: requests by (a, b), so the input order cannot change the schedule.
    frame = frame.sort_values(["a", "b"], kind="stable").reset_index(drop=True)
    frame["score"] = frame["score"].astype(float)
    slot_index = {s: k for k, s in enumerate(slot_list)}
    held, status = _place(frame, available, slot_index, len(table_list), float(time_limit))
    meetings, unplaced = [], []
    records = frame.to_dict("records")
    by_slot: dict[int, list[int]] = {}
    for r, s in held.items():
        by_slot.setdefault(s, []).append(r)
    for s in sorted(by_slot):
        ranked = sorted(
            by_slot[s], key=lambda r: (-records[r]["score"], records[r]["a"], records[r]["b"])
        )
        for t, r in enumerate(ranked):
            meetings.append({"slot": slot_list[s], "table": table_list[t], **records[r]})
    busy: dict[tuple[str, int], str] = {}
    load: Counter[int] = Counter()
    for r, s in held.items():
        busy[(records[r]["a"], s)] = records[r]["b"]
        busy[(records[r]["b"], s)] = records[r]["a"]
        load[s] += 1
    for r, row in enumerate(records):
        if r in held:
            continue
        reason = _why_unplaced(
            row["a"], row["b"], available, slot_index, busy, load, len(table_list)
        )
        unplaced.append({**row, "reason": reason})
    rest = [c for c in frame.columns if c not in ("a", "b", "score")]
    return Schedule(
        meetings=pd.DataFrame(meetings, columns=[*MEETING_COLUMNS, *rest]),
        unplaced=pd.DataFrame(unplaced, columns=[*UNPLACED_COLUMNS, *rest]),
        slots=slot_list,
        tables=table_list,
        availability=available,
        status=status,
    )


def _greedy(
    vr: np.ndarray,
    vs: np.ndarray,
    a: list[str],
    b: list[str],
    score: np.ndarray,
    n_tables: int,
    x: np.ndarray | None = None,
) -> np.ndarray:
    """Best meetings first, each in its earliest free slot; adds to ``x`` if given."""
    x = np.zeros(len(vr)) if x is None else x.copy()
    held = {int(vr[k]) for k in np.flatnonzero(x > 0.5)}
    busy = {(p, int(vs[k])) for k in np.flatnonzero(x > 0.5) for p in (a[vr[k]], b[vr[k]])}
    load = Counter(int(vs[k]) for k in np.flatnonzero(x > 0.5))
    # Requests are in (a, b) order already, so their index breaks score ties.
    order = np.lexsort((vs, vr, -score[vr]))
    for k in order.tolist():
        r, slot = int(vr[k]), int(vs[k])
        if r in held or load[slot] >= n_tables:
            continue
        if (a[r], slot) in busy or (b[r], slot) in busy:
            continue
        x[k] = 1.0
        held.add(r)
        busy |= {(a[r], slot), (b[r], slot)}
        load[slot] += 1
    return x


def _place(
    frame: pd.DataFrame,
    available: dict[str, list[Hashable]],
    slot_index: dict[Hashable, int],
    n_tables: int,
    time_limit: float,
) -> tuple[dict[int, int], SolveStatus]:
    """Solve the 0/1 programme: which request meets in which slot (request -> slot)."""
    a = frame["a"].tolist()
    b = frame["b"].tolist()
    score = frame["score"].to_numpy(dtype=float)
    R, S = len(frame), len(slot_index)
    sets = {p: {slot_index[s] for s in slots} for p, slots in available.items()}
    var_r, var_s = [], []
    for r in range(R):
        for s in sorted(sets[a[r]] & sets[b[r]]):
            var_r.append(r)
            var_s.append(s)
    if not var_r:
        return {}, SolveStatus(True, 0.0, True, time_limit, 0.0)
    vr, vs = np.array(var_r), np.array(var_s)
    V = len(vr)
    people = sorted(available)
    person = {p: k for k, p in enumerate(people)}
    P = len(people)
    # Rows: each request once; each person once per slot; each slot <= n_tables.
    once = sp.csr_matrix((np.ones(V), (vr, np.arange(V))), shape=(R, V))
    pa = np.array([person[a[r]] for r in vr]) * S + vs
    pb = np.array([person[b[r]] for r in vr]) * S + vs
    person_rows = sp.csr_matrix(
        (np.ones(2 * V), (np.r_[pa, pb], np.r_[np.arange(V), np.arange(V)])), shape=(P * S, V)
    )
    slot_rows = sp.csr_matrix((np.ones(V), (vs, np.arange(V))), shape=(S, V))
    A = sp.vstack([once, person_rows, slot_rows], format="csc")
    b_ub = np.r_[np.ones(R), np.ones(P * S), np.full(S, float(n_tables))]
    points = np.round(SCALE * score[vr])
    objectives = [points, np.ones(V), -vs.astype(float), -vs * points]
    # Several first-fit orders (best meetings first; equal scores in seeded random
    # orders, since first-fit in id order packs round robins badly); keep the best.
    rng = np.random.default_rng(0)
    start = _greedy(vr, vs, a, b, score, n_tables)
    for _ in range(16):
        shuffled = score + rng.random(R) * 1e-9
        other = _greedy(vr, vs, a, b, shuffled, n_tables)
        if (points @ other, other.sum()) > (points @ start, start.sum()):
            start = other
    out = solve_lexicographic(objectives, A, b_ub, np.zeros(V), time_limit=time_limit, start=start)
    if out.x is None:  # pragma: no cover - x = 0 is always feasible and the start is kept
        raise RuntimeError("HiGHS found no schedule, yet holding no meeting is always feasible.")
    x = out.x
    status = out.status(len(objectives), time_limit)
    if not out.optimal or not status.tie_breaks:
        # Stopped early: a meeting that still fits anywhere is placed (only ever better).
        x = _greedy(vr, vs, a, b, score, n_tables, x)
        if not out.optimal:
            # No schedule holds more than every request: a cap on a loose early bound.
            upper = min(out.bound, float(np.round(SCALE * score).sum()))
            gap = max(upper - float(points @ x), 0.0) / SCALE
            status = SolveStatus(False, round(gap, 6), False, time_limit, status.seconds)
    return {int(vr[k]): int(vs[k]) for k in np.flatnonzero(x > 0.5)}, status


def _why_unplaced(
    a: str,
    b: str,
    available: dict[str, list[Hashable]],
    slot_index: dict[Hashable, int],
    busy: dict[tuple[str, int], str],
    load: Counter[int],
    n_tables: int,
) -> str:
    """Why a requested meeting could not be placed, in words."""
    for who in (a, b):
        if not available[who]:
            return f"{who} has no available slot"
    mine = set(available[b])
    common = [s for s in available[a] if s in mine]
    if not common:
        return (
            f"{a} and {b} share no available slot ({a}: {_slots(available[a])}; "
            f"{b}: {_slots(available[b])})"
        )
    blocked = []
    kinds = set()
    for slot in common:
        s = slot_index[slot]
        why = []
        if (a, s) in busy:
            why.append(f"{a} meets {busy[(a, s)]}")
            kinds.add("a")
        if (b, s) in busy:
            why.append(f"{b} meets {busy[(b, s)]}")
            kinds.add("b")
        if load[s] >= n_tables and not why:
            why.append("no free table")
            kinds.add("table")
        if not why:
            raise RuntimeError(
                f"The meeting {a} + {b} fits in slot {slot!r} but was not placed; the schedule "
                "is not optimal. Please report this with the input that caused it."
            )
        blocked.append(f"{slot}: {', '.join(why)}")
    both = f"the {_count(len(common), 'slot')} both can make ({_slots(common)})"
    if kinds == {"table"}:
        return f"no free table in {both}"
    if kinds == {"b"}:
        return f"{b}'s available slots shared with {a} are all full ({'; '.join(blocked)})"
    if kinds == {"a"}:
        return f"{a}'s available slots shared with {b} are all full ({'; '.join(blocked)})"
    return f"every slot both can make is taken ({'; '.join(blocked)})"


def _slots(slots: Sequence[Hashable]) -> str:
    return ", ".join(str(s) for s in slots) if slots else "none"
