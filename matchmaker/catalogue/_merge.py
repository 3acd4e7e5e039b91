"""Merging: an imported row into a profile, and an import into a catalogue's profiles.

Lower than the catalogue: these functions take profiles and an import's
changes as arguments and import neither the catalogue nor the importer, so
the dependency runs one way (``_import -> _catalogue -> _merge``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from .._normalise import has_cjk, normalise
from ._columns import BOOL_FIELDS, LIST_FIELDS, SCALAR_FIELDS
from ._dedupe import postcode_key, registrable_domain
from ._schema import Profile, Source

__all__ = ["ImportChanges", "apply_import", "merge_profile"]

#: Merged fields that hold one value: catalogue values win, differences are reported.
_MERGE_SCALARS = tuple(
    f for f in (*SCALAR_FIELDS, *BOOL_FIELDS) if f not in ("id", "name", "name_zh")
)


class ImportChanges(Protocol):
    """What :func:`apply_import` needs of an import (an :class:`ImportResult` has it)."""

    @property
    def profiles(self) -> list[Profile]: ...
    @property
    def updates(self) -> dict[str, Profile]: ...
    @property
    def originals(self) -> dict[str, Profile]: ...
    @property
    def source(self) -> str: ...


def fold(text: str) -> str:
    """Text compared for sameness: normalised, white space collapsed."""
    return " ".join(normalise(text).split())


def _same(fld: str, old: Any, new: Any) -> bool:
    if fld == "website":
        domain = registrable_domain(old)
        return bool(domain and domain == registrable_domain(new)) or old == new
    if fld == "postcode":
        return postcode_key(old) == postcode_key(new)
    if isinstance(old, str) and isinstance(new, str):
        return fold(old) == fold(new)
    return bool(old == new)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 82 else text[:78] + "...'"


def merge_profile(
    base: Profile, row: Profile, provided: set[str], sources: Sequence[Source], into: str
) -> tuple[Profile, list[str]]:
    """Merge a row's profile into ``base``: base values win, every difference noted.

    Raises pydantic's ``ValidationError`` if the merged profile is invalid.
    """
    data = base.model_dump()
    notes: list[str] = []
    known = {fold(n) for n in base.names}
    for name in (row.name, row.name_zh, *row.aliases):
        if not name or fold(name) in known:
            continue
        known.add(fold(name))
        if has_cjk(name) and not re.search(r"[A-Za-z]", name) and not data["name_zh"]:
            data["name_zh"] = name
            notes.append(f"added Chinese name {name!r}")
        else:
            data["aliases"] = [*data["aliases"], name]
            notes.append(f"added alias {name!r}")
    for fld in _MERGE_SCALARS:
        if fld not in provided:
            continue
        old, new = data[fld], getattr(row, fld)
        if new is None or _same(fld, old, new):
            continue
        if old is None or old == "":
            data[fld] = new
            notes.append(f"added {fld} {_short(new)}")
        else:
            notes.append(f"kept {fld} {_short(old)} of {into}; the file has {_short(new)}")
    for fld in LIST_FIELDS[1:]:
        if fld not in provided:
            continue
        have = {fold(x) for x in data[fld]}
        add = [x for x in getattr(row, fld) if fold(x) not in have]
        if add:
            data[fld] = [*data[fld], *add]
            notes.append(f"added to {fld}: {', '.join(_short(x) for x in add)}")
    have_sources = set(base.sources)
    data["sources"] = [*base.sources, *(s for s in sources if s not in have_sources)]
    return Profile.model_validate(data), notes


def apply_import(profiles: Mapping[str, Profile], changes: ImportChanges) -> list[Profile]:
    """``profiles`` (id -> profile, in order) with an import's merges and new profiles.

    Raises
    ------
    ValueError
        If the import was made against other profiles (a merged profile is
        missing or has changed, or a new id is already taken).
    """
    stale = [
        pid
        for pid, original in changes.originals.items()
        if pid not in profiles or profiles[pid] != original
    ]
    clash = [p.id for p in changes.profiles if p.id in profiles]
    if stale or clash:
        detail = []
        if stale:
            detail.append(f"profiles missing or changed since the import: {', '.join(stale)}")
        if clash:
            detail.append(f"new ids already in the catalogue: {', '.join(clash)}")
        raise ValueError(
            f"The result of importing {changes.source} was made against another catalogue "
            f"({'; '.join(detail)}). Import again with catalogue=this catalogue."
        )
    return [changes.updates.get(pid, p) for pid, p in profiles.items()] + list(changes.profiles)
