"""Limits on how many chosen partners may share a property (region, kind, size...).

A :class:`Limit` is what the officer writes; :class:`_Group` is the same
limit resolved against the offers of one plan (one group label per offer),
which is what the model builder needs.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..catalogue._schema import Profile
from ._checks import int_problem, is_int, raise_problems

__all__ = ["LIMIT_FIELDS", "Limit"]

#: Profile fields a :class:`Limit` may group by name (one value per profile).
LIMIT_FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "country",
    "kind",
    "city",
    "region",
    "postcode",
    "size",
    "china_presence",
    "intermediary",
)
_PERS = ("need", "plan")


# -- limits -------------------------------------------------------------------
@dataclass(frozen=True)
class Limit:
    """A limit on how many chosen partners may share a property.

    A limit counts chosen pairs whose **offer** (the UK side) falls in a
    group: the offer's ``by`` field (or ``by(profile)`` for a callable)
    equals ``value``. Profiles whose group value is ``None`` (an unknown
    region, say) belong to no group and are never counted.

    Parameters
    ----------
    by : str or callable
        A profile field (one of ``LIMIT_FIELDS``: ``"region"``, ``"kind"``,
        ``"size"``, ``"intermediary"``...) or a function of a
        :class:`Profile` returning a hashable group value.
    value : hashable or collection, optional
        The group the limit is about, or a list/set of values that together
        form one group. ``None`` (default) limits **each** group separately,
        e.g. "at most 2 per region".
    at_most, at_least : int, optional
        Bounds on the count; give at least one.
    per : {"need", "plan"}, default "need"
        Count within each need's candidates, or across the whole plan.

    Examples
    --------
    >>> Limit("kind", "research_group", at_least=1)
    Limit(at least 1 per need with kind = 'research_group')
    >>> Limit("region", at_most=4, per="plan")
    Limit(at most 4 per plan for each region)
    >>> Limit("region", at_most=-1)
    Traceback (most recent call last):
    ...
    ValueError: The 'at_most' parameter of Limit must be an int >= 0. Got -1 instead.
    """

    by: str | Callable[[Profile], Hashable]
    value: Any = None
    at_most: int | None = None
    at_least: int | None = None
    per: str = "need"

    def __post_init__(self) -> None:
        problems = []
        by: object = self.by
        if isinstance(by, str):
            if by not in LIMIT_FIELDS:
                problems.append(
                    f"The 'by' parameter of Limit must be one of {', '.join(LIMIT_FIELDS)} "
                    f"or a function of a Profile. Got {self.by!r} instead."
                )
        elif not callable(by):
            problems.append(
                f"The 'by' parameter of Limit must be a profile field name or a function of a "
                f"Profile. Got {self.by!r} instead."
            )
        for name in ("at_most", "at_least"):
            value = getattr(self, name)
            if value is not None:
                problem = int_problem(value, name, "Limit", 0)
                if problem:
                    problems.append(problem)
        if self.at_most is None and self.at_least is None:
            problems.append("A Limit needs at_most, at_least or both. Got neither.")
        if (
            is_int(self.at_most)
            and is_int(self.at_least)
            and int(self.at_least) > int(self.at_most)  # type: ignore[arg-type]
        ):
            problems.append(
                f"A Limit's at_least must not exceed its at_most. "
                f"Got at_least={self.at_least} and at_most={self.at_most}."
            )
        if self.per not in _PERS:
            problems.append(
                f"The 'per' parameter of Limit must be 'need' or 'plan'. Got {self.per!r} instead."
            )
        if self.value is not None and not isinstance(self.value, Hashable | Collection):
            problems.append(
                f"The 'value' parameter of Limit must be a hashable value or a collection of "
                f"them. Got {self.value!r} instead."
            )
        raise_problems(problems)

    def _values(self) -> frozenset[Hashable] | None:
        if self.value is None:
            return None
        if isinstance(self.value, list | tuple | set | frozenset):
            return frozenset(self.value)
        return frozenset([self.value])

    def group_of(self, profile: Profile) -> Hashable | None:
        """The group ``profile`` counts in for this limit, or ``None``.

        Examples
        --------
        >>> p = Profile(id="a", name="A", country="GB", kind="company", region="London",
        ...             offers=["x"], sources=[{"document": "d", "section": "s"}])
        >>> Limit("region", at_most=1).group_of(p), Limit("kind", "rto", at_most=1).group_of(p)
        ('London', None)
        """
        key = getattr(profile, self.by) if isinstance(self.by, str) else self.by(profile)
        if key is None:
            return None
        if not isinstance(key, Hashable):
            raise TypeError(
                f"{self}: the group value of profile {profile.id!r} must be hashable. "
                f"Got {key!r} ({type(key).__name__}) instead."
            )
        values = self._values()
        if values is None:
            return key
        return key if key in values else None

    def _by_name(self) -> str:
        if isinstance(self.by, str):
            return self.by
        return f"{getattr(self.by, '__name__', 'by')}(offer)"

    def describe(self) -> str:
        """The limit in words, e.g. ``at most 2 per need with region = 'London'``."""
        bounds = []
        if self.at_least is not None:
            bounds.append(f"at least {self.at_least}")
        if self.at_most is not None:
            bounds.append(f"at most {self.at_most}")
        values = self._values()
        if values is None:
            what = f"for each {self._by_name()}"
        elif len(values) == 1:
            what = f"with {self._by_name()} = {next(iter(values))!r}"
        else:
            listed = ", ".join(sorted(repr(v) for v in values))
            what = f"with {self._by_name()} in {{{listed}}}"
        return f"{' and '.join(bounds)} per {self.per} {what}"

    def __str__(self) -> str:
        return f"Limit({self.describe()})"

    __repr__ = __str__


@dataclass(frozen=True)
class _Group:
    """A limit resolved against the offers: one group label per offer (or None)."""

    name: str
    by: str
    labels: Sequence[Hashable | None]
    at_most: int | None = None
    at_least: int | None = None
    per: str = "need"
    wanted: tuple[Hashable, ...] | None = None  # the limit's values; None: every value seen

    @classmethod
    def from_limit(cls, limit: Limit, offers: Sequence[Profile]) -> _Group:
        values = limit._values()
        return cls(
            name=limit.describe(),
            by=limit._by_name(),
            labels=[limit.group_of(p) for p in offers],
            at_most=limit.at_most,
            at_least=limit.at_least,
            per=limit.per,
            wanted=None if values is None else tuple(values),
        )

    def values(self) -> list[Hashable]:
        seen = {v for v in self.labels if v is not None} if self.wanted is None else self.wanted
        return sorted(seen, key=repr)

    def members(self, value: Hashable) -> np.ndarray:
        return np.array([v is not None and v == value for v in self.labels], dtype=bool)
