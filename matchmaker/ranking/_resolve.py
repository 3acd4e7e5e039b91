"""What a query names: a profile id, a profile's name, a near-miss id, or free text.

Called by :meth:`Matchmaker.shortlist` before anything is scored. In order:

1. A query equal to a profile id is that profile.
2. A query that is a profile's name, Chinese name or alias, or nearly one,
   is read as that profile, with a note saying so. "Nearly" means: after
   :func:`normalise_name` (case, punctuation, full-width forms, Traditional
   Chinese, legal words such as Ltd, plc, 有限公司) the two are equal, or
   their rapidfuzz ``ratio`` is at least :data:`NAME_RATIO`, and no other
   profile is as close. Queries longer than :data:`NAME_MAX_CHARS`
   characters are never read as names.
3. A query shaped like an id (lower-case words joined by hyphens) that is
   not one raises ``KeyError`` ("Closest: ...; did you mean ...?") with up to three
   closest ids when some id is within rapidfuzz ``ratio`` :data:`ID_RATIO`
   of it. With no id that close, it is free text if the taxonomy knows a
   concept in it (``laser-cladding``) and otherwise a ``KeyError`` naming
   the closest profile names.
4. Anything else is free text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._normalise import normalise_name

if TYPE_CHECKING:
    from ._fitted import FittedEngine

__all__ = ["ID_RATIO", "NAME_MAX_CHARS", "NAME_RATIO", "Resolved", "resolve"]

#: Lowest rapidfuzz ratio (0-100) at which a query is read as a profile's name.
NAME_RATIO = 92.0
#: Longest query (in characters) that may be read as a name.
NAME_MAX_CHARS = 80
#: Lowest rapidfuzz ratio at which an id is offered as "did you mean".
ID_RATIO = 80.0

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)+$")
_WORD = re.compile(r"\w", re.UNICODE)


@dataclass(frozen=True)
class Resolved:
    """A query after resolution: the profile's position (or None), the text, a note."""

    position: int | None
    text: str
    note: str = ""


def _by_name(engine: FittedEngine, query: str) -> tuple[int, str] | None:
    """The one profile whose name is (nearly) the query, and the name matched."""
    from rapidfuzz import fuzz, process

    key = normalise_name(query)
    if not key or len(query) > NAME_MAX_CHARS:
        return None
    keys, owners = engine.catalogue_._name_keys()
    best: dict[str, tuple[float, str]] = {}
    # One C loop over every name; only the names within NAME_RATIO come back.
    for _, score, i in process.extract(
        key, keys, scorer=fuzz.ratio, limit=None, score_cutoff=NAME_RATIO
    ):
        pid, shown = owners[i]
        if shown == pid.replace("-", " "):
            continue  # ids are rule 1 and 3, not names
        if score > best.get(pid, (-1.0, ""))[0]:
            best[pid] = (float(score), shown)
    if not best:
        return None
    top = max(s for s, _ in best.values())
    winners = sorted(pid for pid, (s, _) in best.items() if s == top)
    if len(winners) > 1:
        return None  # two profiles as close: free text, never a guess
    return engine.position_[winners[0]], best[winners[0]][1]


def _close_ids(engine: FittedEngine, query: str) -> str:
    """ "Did you mean" with the ids within ID_RATIO of ``query``, or ""."""
    from rapidfuzz import fuzz, process

    ids = list(engine.position_)
    hits = process.extract(query, ids, scorer=fuzz.ratio, limit=None, score_cutoff=ID_RATIO)
    hits = sorted(hits, key=lambda h: (-h[1], h[0]))[:3]
    if not hits:
        return ""
    names = {p.id: p.name for p in engine.catalogue_}
    close = ", ".join(f"{h[0]!r} ({names[h[0]]})" for h in hits)
    return f" Closest: {close}; did you mean {'one of them' if len(hits) > 1 else 'it'}?"


def _close_names(engine: FittedEngine, query: str) -> str:
    found = engine.catalogue_.find(query.replace("-", " "), k=3, min_score=50)
    if len(found):
        return " Closest: " + ", ".join(f"{r.id!r} ({r.name})" for r in found.itertuples()) + "."
    return " See Catalogue.find to look names up."


def resolve(engine: FittedEngine, query: object) -> Resolved:
    """Resolve a shortlist query (see the module docstring for the rules).

    Examples
    --------
    >>> from matchmaker import Matchmaker
    >>> mm = Matchmaker().fit()
    >>> r = resolve(mm, "Autocraft Solutions Ltd")
    >>> mm.catalogue_.ids[r.position], r.note
    ('autocraft-solutions', "Read 'Autocraft Solutions Ltd' as the profile 'autocraft-solutions' (its name Autocraft Solutions Ltd).")
    >>> resolve(mm, "laser cladding").position is None
    True
    >>> resolve(mm, "cn-demand-energy-saving-motor")
    Traceback (most recent call last):
    ...
    KeyError: "No profile has id 'cn-demand-energy-saving-motor'. Closest: 'cn-demand-energy-saving-motors' (Energy-saving motors)...; did you mean ...?"
    """
    if not isinstance(query, str):
        raise TypeError(
            f"The 'query' parameter must be a str (free text or a profile id). "
            f"Got {type(query).__name__} instead."
        )
    text = query.strip()
    if text in engine.position_:
        return Resolved(engine.position_[text], text)
    if not _WORD.search(text):
        raise ValueError(
            f"The query is empty or holds only punctuation ({text!r}). Describe the need "
            "in words, e.g. 'engine remanufacturing', or give a profile id."
        )
    if _SLUG.match(text):
        hint = _close_ids(engine, text)
        if hint:
            raise KeyError(f"No profile has id {text!r}.{hint}")
        if not engine.vectorizer_.taxonomy_.tag(text.replace("-", " ")):
            raise KeyError(f"No profile has id {text!r}." + _close_names(engine, text))
    named = _by_name(engine, text)
    if named is not None:
        position, shown = named
        pid = engine.catalogue_.ids[position]
        return Resolved(position, text, f"Read {text!r} as the profile {pid!r} (its name {shown}).")
    return Resolved(None, text)
