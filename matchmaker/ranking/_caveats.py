"""Caveats from the source documents, as data.

Rules live in ``data/caveats.yaml``; this module only decides which apply to
a pair. No domain wording lives in code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from ..vectors._taxonomy import Taxonomy

__all__ = ["Caveat", "applicable_caveats", "load_caveats"]


@dataclass(frozen=True)
class Caveat:
    """One rule: when it applies, what to say, and where it comes from."""

    id: str
    text: str
    document: str
    section: str
    concepts_any: tuple[str, ...] = ()
    need_country: str | None = None
    offer_country: str | None = None

    @property
    def source(self) -> str:
        """Document title and section."""
        return f"{self.document}, {self.section}"


def load_caveats(path: str | Path | None = None, taxonomy: Taxonomy | None = None) -> list[Caveat]:
    """Load caveat rules (the bundled ones by default) and check their concepts exist."""
    if path is None:
        return list(_bundled())
    return _load(Path(path), taxonomy)


@lru_cache(maxsize=1)
def _bundled() -> tuple[Caveat, ...]:
    from ..vectors._taxonomy import load_taxonomy

    path = Path(str(resources.files("matchmaker"))) / "data" / "caveats.yaml"
    return tuple(_load(path, load_taxonomy()))


def _load(path: Path, taxonomy: Taxonomy | None) -> list[Caveat]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out, problems = [], []
    for i, rule in enumerate(data.get("caveats", []), start=1):
        when = rule.get("when") or {}
        source = rule.get("source") or {}
        rid = rule.get("id")
        if (
            not rid
            or not rule.get("text")
            or not source.get("document")
            or not source.get("section")
        ):
            problems.append(f"{path}, caveat {i} ({rid!r}): needs id, text and source")
            continue
        concepts = tuple(when.get("concepts_any") or ())
        if taxonomy is not None:
            unknown = [c for c in concepts if c not in taxonomy.concepts]
            if unknown:
                problems.append(
                    f"{path}, caveat {i} ({rid!r}), field 'concepts_any': unknown concepts "
                    f"{unknown}; use taxonomy ids"
                )
        out.append(
            Caveat(
                id=str(rid),
                text=" ".join(str(rule["text"]).split()),
                document=str(source["document"]),
                section=str(source["section"]),
                concepts_any=concepts,
                need_country=when.get("need_country"),
                offer_country=when.get("offer_country"),
            )
        )
    if problems:
        raise ValueError("Invalid caveats file:\n  " + "\n  ".join(problems))
    return out


def applicable_caveats(
    caveats: Iterable[Caveat],
    taxonomy: Taxonomy,
    concepts: Iterable[str],
    need_country: str | None,
    offer_country: str | None,
) -> list[Caveat]:
    """The caveats that apply to a pair.

    Parameters
    ----------
    caveats : iterable of Caveat
    taxonomy : Taxonomy
    concepts : iterable of str
        Concepts of the need and the candidate concepts that matched it.
    need_country, offer_country : str or None
        Known countries; ``None`` means unknown, and a rule restricted to a
        country still applies (a warning too many beats one missed).
    """
    found = set(concepts)
    out = []
    for rule in caveats:
        if rule.need_country and need_country and rule.need_country != need_country:
            continue
        if rule.offer_country and offer_country and rule.offer_country != offer_country:
            continue
        if rule.concepts_any and not any(
            taxonomy.is_within(c, target) for c in found for target in rule.concepts_any
        ):
            continue
        out.append(rule)
    return out
