"""The outcomes log: validation, round trips, crash safety and concurrent writers."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import pickle
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaker.evaluation._outcomes import COLUMNS, STATUSES, OutcomeLog, default_path

TEXT = st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",))


@pytest.fixture
def log(tmp_path: Path) -> OutcomeLog:
    return OutcomeLog(tmp_path / "outcomes.sqlite")


def test_record_and_read_back(log: OutcomeLog) -> None:
    first = log.record(
        "need-a", "offer-b", "met", date="2024-05-01", note="Good call", recorded_by="li"
    )
    second = log.record("need-a", "offer-c", "declined", date=dt.date(2024, 5, 2), recorded_by="li")
    assert (first, second) == (1, 2)
    frame = log.to_frame()
    assert list(frame.columns) == COLUMNS
    assert frame.status.tolist() == ["met", "declined"]
    assert frame.note.tolist() == ["Good call", ""]
    assert frame.date.tolist() == [pd.Timestamp("2024-05-01"), pd.Timestamp("2024-05-02")]
    assert str(frame.recorded_at.dt.tz) == "UTC"
    assert len(log) == 2
    assert repr(log).endswith("2 records)")


def test_defaults_fill_date_and_recorder(log: OutcomeLog, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGNAME", "officer-wang")
    log.record("need-a", "offer-b", "contacted")
    row = log.to_frame().iloc[0]
    assert row.recorded_by == "officer-wang"
    assert row.date == pd.Timestamp(dt.date.today())


def test_default_location_is_in_the_home_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_path() == tmp_path / ".matchmaker" / "outcomes.sqlite"
    log = OutcomeLog()
    log.record("n", "o", "met", recorded_by="me")
    assert (tmp_path / ".matchmaker" / "outcomes.sqlite").is_file()


def test_status_is_validated_with_a_suggestion(log: OutcomeLog) -> None:
    with pytest.raises(
        ValueError,
        match=r"must be one of 'shortlisted', 'contacted', 'met', 'agreement', 'declined'\. Got 'agreed' instead \(did you mean 'agreement'\?\)",
    ):
        log.record("need-a", "offer-b", "agreed", recorded_by="li")
    assert len(log) == 0


def test_every_problem_of_a_record_is_reported(log: OutcomeLog) -> None:
    with pytest.raises(ValueError, match="need_id") as err:
        log.record("", "offer-b", "won", date="01/05/2024", recorded_by=" ")  # type: ignore[arg-type]
    text = str(err.value)
    for part in ("'need_id' parameter of record", "'status'", "'date'", "'recorded_by'"):
        assert part in text
    with pytest.raises(ValueError, match="must not contain a NUL character"):
        log.record("need-a", "offer\x00b", "met", recorded_by="li")
    with pytest.raises(ValueError, match=r"'note' parameter of record must be valid Unicode"):
        log.record("need-a", "offer-b", "met", note="bad \ud800 decode", recorded_by="li")
    assert len(log) == 0


def test_record_many_is_all_or_nothing(log: OutcomeLog) -> None:
    records = [
        {"need_id": "n1", "offer_id": "o1", "status": "met", "recorded_by": "li"},
        {"need_id": "n1", "offer_id": "o2", "status": "signed", "recorded_by": "li"},
        {"need_id": "n2", "offer_id": "", "status": "met", "recorded_by": "li", "colour": "red"},
    ]
    with pytest.raises(ValueError, match="3 problem") as err:
        log.record_many(records)
    text = str(err.value)
    assert "nothing was written" in text
    assert "record 2: The 'status'" in text
    assert "record 3: The 'offer_id'" in text
    assert "record 3: unknown field 'colour'" in text
    assert len(log) == 0
    assert log.record_many(records[:1]) == 1


def test_record_many_from_a_frame(log: OutcomeLog) -> None:
    frame = pd.DataFrame(
        {
            "need_id": ["n1", "n2"],
            "offer_id": ["o1", "o2"],
            "status": ["agreement", "shortlisted"],
            "date": [pd.Timestamp("2024-01-02"), pd.NaT],
            "note": ["signed MoU", None],
            "recorded_by": ["li", "li"],
        }
    )
    assert log.record_many(frame) == 2
    back = log.to_frame()
    assert back.note.tolist() == ["signed MoU", ""]
    assert back.date.iloc[0] == pd.Timestamp("2024-01-02")


def test_a_log_round_trips_through_its_own_frame(log: OutcomeLog, tmp_path: Path) -> None:
    log.record_many(
        [
            {"need_id": f"n{i}", "offer_id": "o", "status": "met", "recorded_by": "li"}
            for i in range(3)
        ]
    )
    copy = OutcomeLog(tmp_path / "copy.sqlite")
    copy.record_many(log.to_frame())
    cols = ["need_id", "offer_id", "status", "date", "note", "recorded_by"]
    pd.testing.assert_frame_equal(copy.to_frame()[cols], log.to_frame()[cols])


def test_file_uses_wal_and_is_picklable(log: OutcomeLog) -> None:
    with sqlite3.connect(log.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    clone = pickle.loads(pickle.dumps(log))
    clone.record("n", "o", "met", recorded_by="li")
    assert len(log) == 1
    assert log.integrity_check() == "ok"


def test_bad_locations_and_timeouts(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError, match="is a folder"):
        OutcomeLog(tmp_path)
    with pytest.raises(ValueError, match="The 'timeout' parameter of OutcomeLog"):
        OutcomeLog(tmp_path / "x.sqlite", timeout=-1)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "need_id": st.text(TEXT, min_size=1, max_size=20).filter(
                    lambda s: s.strip() == s and s
                ),
                "offer_id": st.text(TEXT, min_size=1, max_size=20).filter(
                    lambda s: s.strip() == s and s
                ),
                "status": st.sampled_from(STATUSES),
                "date": st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1)),
                "note": st.text(TEXT, max_size=50),
                "recorded_by": st.sampled_from(["李", "officer", "o'brien"]),
            }
        ),
        max_size=15,
    )
)
def test_whatever_is_recorded_reads_back_unchanged(tmp_path: Path, rows: list[dict]) -> None:
    path = tmp_path / f"h{os.getpid()}-{len(list(tmp_path.iterdir()))}.sqlite"
    log = OutcomeLog(path)
    log.record_many(rows)
    back = log.to_frame()
    assert back.need_id.tolist() == [r["need_id"] for r in rows]
    assert back.offer_id.tolist() == [r["offer_id"] for r in rows]
    assert back.note.tolist() == [r["note"] for r in rows]
    assert [d.date() for d in back.date] == [r["date"] for r in rows]


# -- crash safety and concurrency (separate processes) --------------------------------------------
def _write(path: str, worker: int, n: int, start: object) -> None:
    log = OutcomeLog(path)
    start.wait()  # type: ignore[attr-defined]
    for i in range(n):
        log.record(
            f"need-{worker}", f"offer-{i}", STATUSES[i % len(STATUSES)], recorded_by=f"w{worker}"
        )


def _write_then_crash(path: str, n: int) -> None:
    log = OutcomeLog(path)
    for i in range(n):
        log.record("need", f"offer-{i}", "met", recorded_by="crash")
    # Die in the middle of a transaction, without committing or closing anything.
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(
        "INSERT INTO outcomes (need_id, offer_id, status, date, note, recorded_by, recorded_at) "
        "VALUES ('need', 'lost', 'met', '2024-01-01', '', 'crash', '2024-01-01T00:00:00')"
    )
    os._exit(1)


def test_two_processes_writing_at_once(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.sqlite")
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    workers = [ctx.Process(target=_write, args=(path, w, 200, start)) for w in (1, 2)]
    for p in workers:
        p.start()
    start.set()
    for p in workers:
        p.join(timeout=120)
    assert [p.exitcode for p in workers] == [0, 0]
    log = OutcomeLog(path)
    frame = log.to_frame()
    assert len(frame) == 400
    assert frame.groupby("need_id").size().to_dict() == {"need-1": 200, "need-2": 200}
    assert frame.id.is_unique
    assert log.integrity_check() == "ok"


def test_a_crash_loses_nothing_already_recorded(tmp_path: Path) -> None:
    path = str(tmp_path / "crash.sqlite")
    ctx = multiprocessing.get_context("spawn")
    child = ctx.Process(target=_write_then_crash, args=(path, 50))
    child.start()
    child.join(timeout=120)
    assert child.exitcode == 1
    log = OutcomeLog(path)
    frame = log.to_frame()
    assert len(frame) == 50
    assert "lost" not in set(frame.offer_id)
    assert log.integrity_check() == "ok"
    log.record("need", "after", "met", recorded_by="me")
    assert len(log) == 51


def test_other_files_are_not_taken_for_a_log(tmp_path: Path) -> None:
    text = tmp_path / "notes.sqlite"
    text.write_text("not a database at all, just some text that is long enough" * 20)
    with pytest.raises(ValueError, match="is not an outcomes log"):
        OutcomeLog(text)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE outcomes (who TEXT)")
    with pytest.raises(ValueError, match="has an 'outcomes' table with columns"):
        OutcomeLog(other)
    newer = tmp_path / "newer.sqlite"
    with sqlite3.connect(newer) as conn:
        conn.execute("PRAGMA user_version=7")
    with pytest.raises(ValueError, match="written by a newer matchmaker"):
        OutcomeLog(newer)
