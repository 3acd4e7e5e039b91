"""Meeting schedules: no double booking, the best total held, reasons for the rest."""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matchmaker
from matchmaker.planning._schedule import Schedule, schedule_meetings

SLOTS = ["09:00", "09:30", "10:00"]


def placed(schedule: Schedule) -> dict[tuple[str, str], str]:
    frame = schedule.meetings
    return {(str(a), str(b)): str(t) for a, b, t in zip(frame.a, frame.b, frame.slot, strict=True)}


def test_exact_beats_greedy_earliest_slot() -> None:
    # Greedy (best request first, earliest free slot) puts ann+cy at 09:00, then
    # ann+bob cannot meet: bob can only make 09:00. The optimum holds both.
    s = schedule_meetings(
        [("ann", "cy", 0.9), ("ann", "bob", 0.8)],
        slots=["09:00", "09:30"],
        tables=2,
        availability={"bob": ["09:00"]},
    )
    assert placed(s) == {("ann", "bob"): "09:00", ("ann", "cy"): "09:30"}
    assert s.total_score == pytest.approx(1.7)
    assert s.unplaced.empty


def test_table_capacity_keeps_the_best_meetings() -> None:
    s = schedule_meetings(
        [("a", "b", 0.5), ("c", "d", 0.9), ("e", "f", 0.7)], slots=["09:00"], tables=["T-x", "T-y"]
    )
    assert set(placed(s)) == {("c", "d"), ("e", "f")}
    # Tables go to the best meeting first.
    assert s.meetings.set_index("a").loc["c", "table"] == "T-x"
    assert s.unplaced.reason.tolist() == ["no free table in the 1 slot both can make (09:00)"]


def test_reasons_for_unplaced_meetings() -> None:
    s = schedule_meetings(
        [
            ("a", "b", 1.0),  # no shared slot
            ("c", "d", 1.0),  # d can make nothing
            ("e", "f", 0.9),
            ("g", "f", 0.5),  # f's only slot is taken by e
        ],
        slots=SLOTS,
        tables=5,
        availability={"a": ["09:00"], "b": ["09:30"], "d": [], "f": ["10:00"]},
    )
    reasons = dict(
        zip(zip(s.unplaced.a, s.unplaced.b, strict=True), s.unplaced.reason, strict=True)
    )
    assert reasons[("a", "b")] == "a and b share no available slot (a: 09:00; b: 09:30)"
    assert reasons[("c", "d")] == "d has no available slot"
    assert reasons[("g", "f")] == (
        "f's available slots shared with g are all full (10:00: f meets e)"
    )
    assert placed(s) == {("e", "f"): "10:00"}


def test_zero_score_meetings_are_still_held_when_they_fit() -> None:
    s = schedule_meetings([("a", "b", 0.0), ("c", "d")], slots=["09:00"], tables=2)
    assert len(s) == 2
    assert s.meetings.score.tolist() == [1.0, 0.0]


def test_requests_from_a_plan_frame_keep_their_columns() -> None:
    plan = pd.DataFrame(
        {
            "need_id": ["cn-1", "cn-1", "cn-2"],
            "need_name": ["Need one", "Need one", "Need two"],
            "offer_id": ["uk-a", "uk-b", "uk-a"],
            "score": [0.8, 0.6, 0.7],
        }
    )
    s = schedule_meetings(plan, slots=["09:00", "09:30"], tables=2)
    assert list(s.meetings.columns) == ["slot", "table", "a", "b", "score", "need_name"]
    assert len(s) == 3
    agenda = s.agenda("uk-a")
    # Earlier slots first: two meetings at 09:00 (cn-2 + uk-a, cn-1 + uk-b) and
    # one at 09:30 beats the best meeting alone at 09:00 and two at 09:30.
    assert agenda["with"].tolist() == ["cn-2", "cn-1"]
    assert agenda.status.tolist() == ["meeting", "meeting"]
    assert s.agenda("cn-2").status.tolist().count("free") == 1
    everyone = s.agendas()
    assert set(everyone.participant) == {"cn-1", "cn-2", "uk-a", "uk-b"}
    assert len(everyone) == 4 * 2


def test_unavailable_slots_show_in_the_agenda() -> None:
    s = schedule_meetings([("a", "b")], slots=SLOTS, tables=1, availability={"a": ["10:00"]})
    assert s.agenda("a").status.tolist() == ["unavailable", "unavailable", "meeting"]
    assert s.agenda("b").status.tolist() == ["free", "free", "meeting"]
    with pytest.raises(KeyError, match="'zed' has no requested meeting"):
        s.agenda("zed")


def test_input_problems_are_collected() -> None:
    with pytest.raises(ValueError, match="problems with the arguments") as info:
        schedule_meetings(
            [("a", "b", 1.0), ("b", "a", 0.5), ("c", "c", 1.0), ("d", "e", -1.0)],
            slots=["09:00", "09:00"],
            tables=0,
            availability={"a": ["11:00"], "zed": ["09:00"]},
        )
    message = str(info.value)
    assert "requested more than once: ('a', 'b')" in message
    assert "request 2 ('c', 'c'): a participant cannot meet themselves." in message
    assert "request 3 ('d', 'e'): the score must be a finite number >= 0. Got -1.0." in message
    assert "These slots appear more than once: ['09:00']" in message
    assert "'tables' parameter of schedule_meetings must be an int >= 1" in message
    assert "availability names participants with no requested meeting: 'zed'" in message
    assert "availability['a'] names slots that are not in 'slots': ['11:00']" in message
    with pytest.raises(ValueError, match="must have columns 'a' and 'b'"):
        schedule_meetings(pd.DataFrame({"x": [1]}), slots=SLOTS, tables=1)


def test_input_order_does_not_change_the_schedule() -> None:
    requests = [("a", "b", 0.5), ("a", "c", 0.5), ("b", "c", 0.5), ("c", "d", 0.5)]
    first = schedule_meetings(requests, slots=SLOTS[:2], tables=1)
    second = schedule_meetings(requests[::-1], slots=SLOTS[:2], tables=1)
    pd.testing.assert_frame_equal(first.meetings, second.meetings)
    pd.testing.assert_frame_equal(first.unplaced, second.unplaced)


def test_export_text_and_html_are_safe(tmp_path: Path) -> None:
    s = schedule_meetings([("=cmd", "<b>x</b>", 1.0)], slots=["09:00"], tables=1)
    text = matchmaker.write(s, tmp_path / "s.csv").read_text(encoding="utf-8-sig")
    assert "'=cmd" in text
    agendas = matchmaker.write(s.agendas(), tmp_path / "agendas.csv")
    assert "'=cmd" in agendas.read_text(encoding="utf-8-sig")
    assert "&lt;b&gt;x&lt;/b&gt;" in s._repr_html_()
    assert str(s).startswith("Schedule: 1 of 1 requested meeting held in 1 slot at 1 table")
    assert repr(s) == "<Schedule: 1 meetings, 0 not placed, optimal>"
    assert "optimal (proven, tie-breaks too)" in s._repr_html_()
    assert {"optimal", "gap"} <= set(s.to_frame().columns)


# -- random days against brute force ------------------------------------------------------
PEOPLE = ["a", "b", "c", "d", "e"]


@st.composite
def days(draw: st.DrawFn) -> dict[str, object]:
    pairs = list(itertools.combinations(PEOPLE, 2))
    chosen = draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=6, unique=True))
    scores = draw(
        st.lists(st.sampled_from([0.0, 0.25, 0.5, 1.0]), min_size=len(chosen), max_size=len(chosen))
    )
    slots = SLOTS[: draw(st.integers(1, 3))]
    people = sorted({p for pair in chosen for p in pair})
    availability = {}
    for p in people:
        if draw(st.booleans()):
            availability[p] = draw(st.lists(st.sampled_from(slots), unique=True, max_size=3))
    return {
        "requests": [(a, b, s) for (a, b), s in zip(chosen, scores, strict=True)],
        "slots": slots,
        "tables": draw(st.integers(1, 3)),
        "availability": availability,
    }


def round_robin(n: int) -> list[tuple[str, str, float]]:
    people = [f"p{i:02d}" for i in range(n)]
    return [(a, b, 1.0) for a, b in itertools.combinations(people, 2)]


def clash_free(s: Schedule) -> bool:
    m = s.meetings
    people = pd.concat([m[["slot", "a"]].set_axis(["slot", "p"], axis=1),
                        m[["slot", "b"]].set_axis(["slot", "p"], axis=1)])  # fmt: skip
    return not people.duplicated().any() and not m[["slot", "table"]].duplicated().any()


def test_round_robin_of_16_fits_in_15_slots() -> None:
    # 120 meetings, 18 slots of 8 tables: a 1-factorisation of K16 uses exactly 15
    # slots, so "earlier slots" must leave the last three empty.
    s = schedule_meetings(round_robin(16), [f"s{k:02d}" for k in range(18)], tables=8)
    assert len(s) == 120
    assert s.unplaced.empty
    assert s.meetings.slot.nunique() == 15
    assert set(s.meetings.slot) == {f"s{k:02d}" for k in range(15)}
    assert clash_free(s)
    assert s.optimal
    assert s.status.tie_breaks


@pytest.mark.parametrize("n", [4, 6, 8])
def test_small_round_robins_use_n_minus_1_slots(n: int) -> None:
    s = schedule_meetings(round_robin(n), [f"s{k}" for k in range(n + 2)], tables=n // 2)
    assert len(s) == n * (n - 1) // 2
    assert s.meetings.slot.nunique() == n - 1
    assert s.optimal
    assert s.status.tie_breaks


def test_equal_score_round_robin_of_20_states_its_status() -> None:
    s = schedule_meetings(round_robin(20), [f"s{k:02d}" for k in range(22)], tables=10)
    assert clash_free(s)
    assert len(s) >= 0.9 * 190
    assert isinstance(s.optimal, bool)
    assert s.status.describe() in s.headline()
    if not s.optimal:
        assert s.gap >= 0
        assert "NOT proven optimal" in s.headline()


def test_time_limit_returns_the_best_found_with_its_gap() -> None:
    s = schedule_meetings(round_robin(20), [f"s{k:02d}" for k in range(19)], tables=10,
                          time_limit=0.5)  # fmt: skip
    assert clash_free(s)
    assert len(s) > 0
    assert s.time_limit == 0.5
    if not s.optimal:
        assert 0 < s.gap <= 190 - s.total_score + 1e-6
        assert "NOT proven optimal" in str(s)
        assert "NOT proven optimal" in repr(s)
        assert not s.to_frame().optimal.any()
    with pytest.raises(ValueError, match="'time_limit' parameter of schedule_meetings"):
        schedule_meetings(round_robin(4), ["s"], tables=1, time_limit=0)


def lex_key(day: dict[str, object], held: dict[int, int]) -> tuple[int, int, int, int]:
    """The documented preferences: score (millionths), meetings, -slot sum, -score-weighted slots."""
    requests = day["requests"]
    assert isinstance(requests, list)
    points = [round(r[2] * 1e6) for r in requests]
    return (
        sum(points[r] for r in held),
        len(held),
        -sum(held.values()),
        -sum(s * points[r] for r, s in held.items()),
    )


def brute_force(day: dict[str, object]) -> float:
    requests = day["requests"]
    slots = day["slots"]
    tables = day["tables"]
    availability = day["availability"]
    assert isinstance(requests, list)
    assert isinstance(slots, list)
    assert isinstance(tables, int)
    assert isinstance(availability, dict)
    best = 0.0
    best_key = (0, 0, 0, 0)
    for choice in itertools.product([None, *slots], repeat=len(requests)):
        used: set[tuple[str, str]] = set()
        load: dict[str, int] = {}
        ok, total = True, 0.0
        for (a, b, score), slot in zip(requests, choice, strict=True):
            if slot is None:
                continue
            for p in (a, b):
                if (p, slot) in used or slot not in availability.get(p, slots):
                    ok = False
                used.add((p, slot))
            load[slot] = load.get(slot, 0) + 1
            total += score
        if ok and all(v <= tables for v in load.values()):
            best = max(best, total)
            held = {r: slots.index(c) for r, c in enumerate(choice) if c is not None}
            best_key = max(best_key, lex_key(day, held))
    day["_best_key"] = best_key
    return best


@settings(max_examples=150, deadline=None)
@given(days())
def test_no_double_booking_and_optimal(day: dict[str, object]) -> None:
    s = schedule_meetings(**day)  # type: ignore[arg-type]
    m = s.meetings
    # nobody twice in a slot, no table twice in a slot, tables within the count
    people = pd.concat([m[["slot", "a"]].set_axis(["slot", "p"], axis=1),
                        m[["slot", "b"]].set_axis(["slot", "p"], axis=1)])  # fmt: skip
    assert not people.duplicated().any()
    assert not m[["slot", "table"]].duplicated().any()
    tables = day["tables"]
    assert isinstance(tables, int)
    assert m.groupby("slot").size().le(tables).all()
    availability = day["availability"]
    assert isinstance(availability, dict)
    for row in m.itertuples(index=False):
        for p in (row.a, row.b):
            assert p not in availability or row.slot in availability[p]
    # every request is either held or listed with a reason
    requests = day["requests"]
    assert isinstance(requests, list)
    assert len(m) + len(s.unplaced) == len(requests)
    assert (s.unplaced.reason.str.len() > 0).all()
    assert s.total_score == pytest.approx(brute_force(day), abs=1e-9)
    # The tie-breaks (more meetings, earlier slots, better meetings earlier) are exact.
    requests_index = {(a, b): r for r, (a, b, _) in enumerate(requests)}
    slots = day["slots"]
    assert isinstance(slots, list)
    held = {requests_index[(row.a, row.b)]: slots.index(row.slot) for row in m.itertuples()}
    assert lex_key(day, held) == day["_best_key"]
