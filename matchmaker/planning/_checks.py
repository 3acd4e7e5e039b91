"""Input checks shared by plans, schedules and consortia, and the one set of defaults.

Every check appends a scikit-learn style message to a list, so that all the
problems of one call are reported together (:func:`raise_problems`).
"""

from __future__ import annotations

import numbers
from collections import Counter
from collections.abc import Iterable, Sequence

from ..catalogue._catalogue import Catalogue

__all__ = [
    "DEFAULTS",
    "count",
    "ids_of",
    "int_problem",
    "is_int",
    "number_problem",
    "pairs_of",
    "raise_problems",
]

#: The defaults of :func:`plan_mission`, :func:`schedule_meetings` and the
#: ``matchmaker plan`` command, in one place (the command line reads them here).
DEFAULTS: dict[str, object] = {
    "per_offer": 3,
    "per_need": 3,
    "min_per_need": 0,
    "min_strength": "moderate",
    "alternates": 3,
    "time_limit": 30.0,
}

#: Strength labels from weakest to strongest.
STRENGTHS: tuple[str, ...] = ("weak", "moderate", "strong")


def is_int(value: object) -> bool:
    """True for an int (numpy ints too) that is not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def int_problem(value: object, name: str, where: str, minimum: int) -> str | None:
    """The message for ``value`` when it is not an int >= ``minimum``, else None.

    Examples
    --------
    >>> int_problem(-3, "k", "shortlist", 1)
    "The 'k' parameter of shortlist must be an int >= 1. Got -3 instead."
    >>> int_problem(2, "k", "shortlist", 1) is None
    True
    """
    if not is_int(value) or int(value) < minimum:  # type: ignore[call-overload]
        return (
            f"The {name!r} parameter of {where} must be an int >= {minimum}. Got {value!r} instead."
        )
    return None


def number_problem(value: object, name: str, where: str) -> str | None:
    """The message for ``value`` when it is not a number of seconds > 0, else None.

    Examples
    --------
    >>> number_problem(0, "time_limit", "plan_mission")
    "The 'time_limit' parameter of plan_mission must be a number of seconds > 0. Got 0 instead."
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not float(value) > 0
        or float(value) == float("inf")
    ):
        return (
            f"The {name!r} parameter of {where} must be a number of seconds > 0. "
            f"Got {value!r} instead."
        )
    return None


def raise_problems(problems: Sequence[str]) -> None:
    """Raise one ValueError listing every problem (nothing when there is none)."""
    if len(problems) == 1:
        raise ValueError(problems[0])
    if problems:
        raise ValueError(
            f"{len(problems)} problems with the arguments:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )


def count(n: int, word: str) -> str:
    """``3 needs``, ``1 need``."""
    return f"{n} {word}" + ("" if n == 1 else "s")


def ids_of(chosen: object, name: str, where: str, problems: list[str]) -> tuple[list[str], bool]:
    """Profile ids from a Catalogue or an iterable of ids; True if from a Catalogue."""
    if isinstance(chosen, Catalogue):
        return chosen.ids, True
    if isinstance(chosen, str) or not isinstance(chosen, Iterable):
        problems.append(
            f"The {name!r} parameter of {where} must be a list of profile ids or a "
            f"Catalogue. Got {chosen!r} instead."
        )
        return [], False
    ids = list(chosen)
    bad = [i for i in ids if not isinstance(i, str)]
    if bad:
        problems.append(f"The {name!r} parameter of {where} holds non-string ids: {bad[:5]!r}.")
    counts = Counter(i for i in ids if isinstance(i, str))
    twice = sorted(i for i, k in counts.items() if k > 1)
    if twice:
        problems.append(f"These ids appear more than once in {name!r}: {', '.join(twice)}.")
    return [i for i in dict.fromkeys(ids) if isinstance(i, str)], False


def pairs_of(pairs: object, name: str, where: str, problems: list[str]) -> list[tuple[str, str]]:
    """(need_id, offer_id) pairs, each checked; problems appended."""
    if isinstance(pairs, str) or not isinstance(pairs, Iterable):
        problems.append(
            f"The {name!r} parameter of {where} must be a list of (need_id, offer_id) "
            f"pairs. Got {pairs!r} instead."
        )
        return []
    out = []
    for item in pairs:
        if (
            isinstance(item, str)
            or not isinstance(item, Sequence)
            or len(item) != 2
            or not all(isinstance(x, str) for x in item)
        ):
            problems.append(
                f"Each item of {name!r} must be a (need_id, offer_id) pair of strings. "
                f"Got {item!r} instead."
            )
            continue
        out.append((str(item[0]), str(item[1])))
    return out
