"""The outcomes log: what happened to suggested matches, in an embedded SQLite file.

Sits beside the flow, not in it: officers record what became of a pair
(shortlisted, contacted, met, agreement, declined); :func:`fit_weights`
reads the log to learn weights. Nothing here knows about the engine.

Every write is one transaction (``with connection:``), committed before the
call returns, so a crash loses nothing already recorded. The file uses
SQLite's write-ahead log and a busy timeout, so several processes (two
notebooks, a script and a notebook) can write at once without corrupting it.
Only the standard library is used; there is nothing to install.
"""

from __future__ import annotations

import datetime as dt
import difflib
import getpass
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["STATUSES", "OutcomeLog", "default_path"]

#: What can happen to a suggested pair, roughly in the order it happens.
STATUSES: tuple[str, ...] = ("shortlisted", "contacted", "met", "agreement", "declined")

COLUMNS = ["id", "need_id", "offer_id", "status", "date", "note", "recorded_by", "recorded_at"]
_FIELDS = ("need_id", "offer_id", "status", "date", "note", "recorded_by")
_SCHEMA_VERSION = 1
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS outcomes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    need_id     TEXT NOT NULL CHECK (length(need_id) > 0),
    offer_id    TEXT NOT NULL CHECK (length(offer_id) > 0),
    status      TEXT NOT NULL CHECK (status IN ({", ".join(repr(s) for s in STATUSES)})),
    date        TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outcomes_pair ON outcomes (need_id, offer_id);
"""


def default_path() -> Path:
    """``~/.matchmaker/outcomes.sqlite``: where the log lives unless told otherwise."""
    return Path.home() / ".matchmaker" / "outcomes.sqlite"


class OutcomeLog:
    """A log of what happened to suggested matches, kept in a SQLite file.

    Parameters
    ----------
    path : str or Path, optional
        The database file; created (with its folder) if missing.
        ``~/.matchmaker/outcomes.sqlite`` by default.
    timeout : float, default 30.0
        Seconds a write waits for another process's write to finish
        (SQLite's ``busy_timeout``) before giving up.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = tempfile.TemporaryDirectory()
    >>> log = OutcomeLog(pathlib.Path(folder.name) / "outcomes.sqlite")
    >>> log.record("cn-demand-energy-saving-motors", "twi", "met",
    ...            date="2024-05-01", recorded_by="li")
    1
    >>> log.record_many([
    ...     {"need_id": "cn-demand-energy-saving-motors", "offer_id": "carwood",
    ...      "status": "declined", "recorded_by": "li", "date": "2024-05-02"},
    ... ])
    1
    >>> log.to_frame()[["offer_id", "status"]].values.tolist()
    [['twi', 'met'], ['carwood', 'declined']]
    >>> len(log), log.integrity_check()
    (2, 'ok')
    >>> log.record("x", "y", "meeting", recorded_by="li")
    Traceback (most recent call last):
    ...
    ValueError: The 'status' parameter of record must be one of 'shortlisted', 'contacted', 'met', 'agreement', 'declined'. Got 'meeting' instead (did you mean 'met'?).
    >>> folder.cleanup()
    """

    def __init__(self, path: str | Path | None = None, timeout: float = 30.0) -> None:
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < 0:
            raise ValueError(
                f"The 'timeout' parameter of OutcomeLog must be a number of seconds >= 0. "
                f"Got {timeout!r} instead."
            )
        self.path = Path(path).expanduser() if path is not None else default_path()
        self.timeout = float(timeout)
        if self.path.is_dir():
            raise IsADirectoryError(
                f"{self.path} is a folder; give OutcomeLog a file path such as "
                f"{self.path / 'outcomes.sqlite'}."
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._create()
        except sqlite3.DatabaseError as err:
            if isinstance(err, sqlite3.OperationalError) and "locked" in str(err):
                raise
            raise ValueError(
                f"{self.path} is not an outcomes log (SQLite said: {err}). Pass a new file "
                "path, or the path of a log made by OutcomeLog."
            ) from err

    def _create(self) -> None:
        """Switch the file to write-ahead logging and create the table, if needed."""
        with self._connect() as conn:
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise OSError(
                    f"{self.path}: SQLite could not switch to write-ahead logging (journal "
                    f"mode is {mode!r}); the file system may not support it. Put the log on a "
                    "local disk."
                )
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > _SCHEMA_VERSION:
                raise ValueError(
                    f"{self.path} was written by a newer matchmaker (log format {version}; this "
                    f"one reads {_SCHEMA_VERSION}). Upgrade sino-uk-matchmaker."
                )
            columns = [row[1] for row in conn.execute("PRAGMA table_info(outcomes)")]
            if columns and columns != COLUMNS:
                raise ValueError(
                    f"{self.path} has an 'outcomes' table with columns {columns}, not an "
                    f"outcomes log's {COLUMNS}. Pass a new file path."
                )
            with conn:
                conn.executescript(
                    "BEGIN IMMEDIATE;\n" + _SCHEMA + f"PRAGMA user_version={_SCHEMA_VERSION};\n"
                    "COMMIT;"
                )

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # isolation_level="IMMEDIATE": each write transaction takes the write
        # lock at BEGIN, so concurrent writers queue on busy_timeout instead
        # of failing when a read lock cannot be upgraded.
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level="IMMEDIATE")
        try:
            conn.execute(f"PRAGMA busy_timeout={int(self.timeout * 1000)}")
            conn.execute("PRAGMA synchronous=FULL")
            yield conn
        finally:
            conn.close()

    def __repr__(self) -> str:
        return f"OutcomeLog({str(self.path)!r}, {len(self)} records)"

    def __len__(self) -> int:
        with self._connect() as conn:
            count: int = conn.execute("SELECT count(*) FROM outcomes").fetchone()[0]
        return count

    def record(
        self,
        need_id: str,
        offer_id: str,
        status: str,
        *,
        date: dt.date | str | None = None,
        note: str = "",
        recorded_by: str | None = None,
    ) -> int:
        """Record what happened to one pair; committed before returning.

        Parameters
        ----------
        need_id : str
            Profile whose need was matched.
        offer_id : str
            Profile whose offer was suggested.
        status : {"shortlisted", "contacted", "met", "agreement", "declined"}
        date : date or ISO string (``"2024-05-01"``), optional
            When it happened; today by default.
        note : str, optional
        recorded_by : str, optional
            Who is recording; the login name by default.

        Returns
        -------
        int
            The record's id.

        Raises
        ------
        ValueError
            Naming every invalid value, before anything is written.
        """
        row, problems = _check_record(
            {
                "need_id": need_id,
                "offer_id": offer_id,
                "status": status,
                "date": date,
                "note": note,
                "recorded_by": recorded_by,
            },
            "record",
        )
        if problems:
            raise ValueError(" ".join(problems))
        with self._connect() as conn, conn:
            cursor = conn.execute(_INSERT, _values(row))
            new_id = cursor.lastrowid
        assert new_id is not None
        return int(new_id)

    def record_many(self, records: Iterable[Mapping[str, Any]] | pd.DataFrame) -> int:
        """Record many outcomes in one transaction: all are written or none.

        Parameters
        ----------
        records : iterable of dict, or DataFrame
            Each with ``need_id``, ``offer_id``, ``status`` and optionally
            ``date``, ``note``, ``recorded_by`` (see :meth:`record`).

        Returns
        -------
        int
            The number of records written.

        Raises
        ------
        ValueError
            Listing every problem of every record (by position), before
            anything is written.
        """
        if isinstance(records, pd.DataFrame):
            items: list[Any] = [
                {str(k): (None if _is_missing(v) else v) for k, v in r.items()}
                for r in records.to_dict("records")
            ]
        else:
            items = list(records)
        rows, problems = [], []
        for i, item in enumerate(items, start=1):
            if not isinstance(item, Mapping):
                problems.append(f"record {i}: expected a mapping, got {type(item).__name__}.")
                continue
            unknown = sorted(set(map(str, item)) - set(_FIELDS) - {"id", "recorded_at"})
            row, errs = _check_record(item, "record_many")
            errs += [f"unknown field {name!r} (fields: {', '.join(_FIELDS)})." for name in unknown]
            problems += [f"record {i}: {e}" for e in errs]
            rows.append(row)
        if problems:
            shown = problems[:50]
            more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
            raise ValueError(
                f"{len(problems)} problem(s) in the records; nothing was written:\n  "
                + "\n  ".join(shown)
                + more
            )
        with self._connect() as conn, conn:
            conn.executemany(_INSERT, [_values(r) for r in rows])
        return len(rows)

    def to_frame(self) -> pd.DataFrame:
        """Every record, oldest first.

        Columns: ``id``, ``need_id``, ``offer_id``, ``status``, ``date``
        (datetime64), ``note``, ``recorded_by``, ``recorded_at`` (UTC,
        datetime64).
        """
        with self._connect() as conn:
            rows = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM outcomes ORDER BY id").fetchall()
        frame = pd.DataFrame(rows, columns=COLUMNS)
        frame["id"] = frame["id"].astype("int64")
        frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
        frame["recorded_at"] = pd.to_datetime(frame["recorded_at"], format="ISO8601", utc=True)
        return frame

    def integrity_check(self) -> str:
        """SQLite's ``PRAGMA integrity_check``: ``"ok"`` for a sound file."""
        with self._connect() as conn:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        return "\n".join(str(r[0]) for r in rows)


_INSERT = (
    "INSERT INTO outcomes (need_id, offer_id, status, date, note, recorded_by, recorded_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def _values(row: dict[str, str]) -> tuple[str, ...]:
    now = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    return (*(row[f] for f in _FIELDS), now)


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _check_record(item: Mapping[str, Any], method: str) -> tuple[dict[str, str], list[str]]:
    """Validate one record; return the cleaned row and every problem found."""
    problems: list[str] = []
    row: dict[str, str] = {}
    for name in ("need_id", "offer_id"):
        value = item.get(name)
        if not isinstance(value, str) or not value.strip():
            problems.append(
                f"The {name!r} parameter of {method} must be a non-empty str (a profile id). "
                f"Got {value!r} instead."
            )
        else:
            row[name] = value.strip()
    status = item.get("status")
    if status not in STATUSES:
        close = difflib.get_close_matches(str(status), STATUSES, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(
            f"The 'status' parameter of {method} must be one of "
            f"{', '.join(repr(s) for s in STATUSES)}. Got {status!r} instead{hint}."
        )
    else:
        row["status"] = str(status)
    date = item.get("date")
    if date is None:
        row["date"] = dt.date.today().isoformat()
    elif isinstance(date, dt.datetime | pd.Timestamp):
        row["date"] = date.date().isoformat()
    elif isinstance(date, dt.date):
        row["date"] = date.isoformat()
    elif isinstance(date, str):
        try:
            row["date"] = dt.date.fromisoformat(date.strip()).isoformat()
        except ValueError:
            problems.append(
                f"The 'date' parameter of {method} must be a date or an ISO date string "
                f"such as '2024-05-01'. Got {date!r} instead."
            )
    else:
        problems.append(
            f"The 'date' parameter of {method} must be a date or an ISO date string "
            f"such as '2024-05-01'. Got {date!r} instead."
        )
    note = item.get("note")
    if note is None:
        row["note"] = ""
    elif not isinstance(note, str):
        problems.append(f"The 'note' parameter of {method} must be a str. Got {note!r} instead.")
    else:
        row["note"] = note
    who = item.get("recorded_by")
    if who is None:
        try:
            row["recorded_by"] = getpass.getuser()
        except (KeyError, OSError) as err:
            problems.append(
                f"Could not tell who is recording ({err}); pass recorded_by='your name'."
            )
    elif isinstance(who, str) and who.strip():
        row["recorded_by"] = who.strip()
    else:
        problems.append(
            f"The 'recorded_by' parameter of {method} must be a non-empty str. Got {who!r} instead."
        )
    for name, value in row.items():
        if "\x00" in value:
            problems.append(
                f"The {name!r} parameter of {method} must not contain a NUL character. "
                f"Got {value!r} instead."
            )
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as err:
            problems.append(
                f"The {name!r} parameter of {method} must be valid Unicode text; character "
                f"{err.start} is a lone surrogate ({value[err.start]!r}), usually left by a "
                f"bad decode. Got {value!r} instead."
            )
    return row, problems
