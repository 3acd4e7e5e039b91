"""The bilingual concept taxonomy and the tagger that finds concepts in text.

The taxonomy is data (``data/taxonomy.yaml``): concepts with a parent, a
facet (``capability`` or ``sector``), English and Simplified Chinese labels
and synonyms. Tagging returns every concept found with the exact phrase that
triggered it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ._text import normalise

__all__ = ["FACETS", "Concept", "Tag", "Taxonomy", "load_taxonomy"]

FACETS = ("capability", "sector")
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Concept:
    """One node of the taxonomy."""

    id: str
    parent: str | None
    facet: str
    en: str
    zh: str
    en_synonyms: tuple[str, ...] = ()
    zh_synonyms: tuple[str, ...] = ()
    ancestors: tuple[str, ...] = field(default=(), compare=False)

    @property
    def label(self) -> str:
        """English and Chinese label, e.g. ``laser cladding (激光熔覆)``."""
        return f"{self.en} ({self.zh})"


@dataclass(frozen=True)
class Tag:
    """A concept found in a text, with the exact phrase and its offsets."""

    concept: str
    phrase: str
    start: int
    end: int


def _plural_forms(form: str) -> list[str]:
    """Regular inflections of the last word of an English form."""
    forms = [form, form + "s", form + "es"]
    if form.endswith("y") and len(form) > 2 and form[-2] not in "aeiou":
        forms.append(form[:-1] + "ies")
    return forms


def _english_pattern(form: str) -> str:
    words = normalise(form).split()
    return r"\s+".join(re.escape(w) for w in words)


class Taxonomy:
    """A validated concept hierarchy with a bilingual tagger.

    Parameters
    ----------
    concepts : iterable of Concept
        Concepts; parents must exist, labels and synonyms must be unique.

    Examples
    --------
    >>> tax = load_taxonomy()
    >>> [t.concept for t in tax.tag("We restore engine parts by laser cladding")][-1]
    'laser-cladding'
    >>> [(t.concept, t.phrase) for t in tax.tag("雷射熔覆")]
    [('laser-cladding', '雷射熔覆')]
    """

    def __init__(self, concepts: Iterable[Concept]) -> None:
        raw = {c.id: c for c in concepts}
        problems = []
        for c in raw.values():
            if c.parent is not None and c.parent not in raw:
                problems.append(f"concept {c.id!r}: parent {c.parent!r} does not exist")
        if problems:
            raise ValueError("Invalid taxonomy:\n  " + "\n  ".join(problems))
        self.concepts: dict[str, Concept] = {}
        for cid in sorted(raw):
            chain: list[str] = []
            node = raw[cid]
            while node.parent is not None:
                if node.parent in chain or node.parent == cid:
                    raise ValueError(f"Invalid taxonomy: cycle through {cid!r}")
                chain.append(node.parent)
                node = raw[node.parent]
            facet = node.facet
            c = raw[cid]
            self.concepts[cid] = Concept(
                c.id, c.parent, facet, c.en, c.zh, c.en_synonyms, c.zh_synonyms, tuple(chain)
            )
        self.ids: list[str] = sorted(self.concepts)
        self.index: dict[str, int] = {cid: i for i, cid in enumerate(self.ids)}
        self._build_patterns()

    def _build_patterns(self) -> None:
        # A surface form names one concept per facet: "smart grid" may be both
        # a capability and a sector, but not two capabilities.
        self._patterns: list[tuple[re.Pattern[str], dict[str, str]]] = []
        clashes = []
        for facet in FACETS:
            owner: dict[str, str] = {}
            en_forms: dict[str, str] = {}
            zh_forms: dict[str, str] = {}
            for cid in self.ids:
                c = self.concepts[cid]
                if c.facet != facet:
                    continue
                for script, forms in (
                    ("en", (c.en, *c.en_synonyms)),
                    ("zh", (c.zh, *c.zh_synonyms)),
                ):
                    for form in forms:
                        key = " ".join(normalise(form).split())
                        if not key:
                            continue
                        if owner.get(key, cid) != cid:
                            clashes.append(f"{form!r} is used by both {owner[key]!r} and {cid!r}")
                        owner[key] = cid
                        if script == "zh":
                            zh_forms[key] = cid
                        else:
                            for variant in _plural_forms(key):
                                en_forms.setdefault(variant, cid)
            # Longest alternatives first, so "laser cladding" beats "laser".
            en = sorted(en_forms, key=lambda f: (-len(f), f))
            zh = sorted(zh_forms, key=lambda f: (-len(f), f))
            if en:
                body = "|".join(_english_pattern(f) for f in en)
                self._patterns.append(
                    (re.compile(r"(?<![a-z0-9])(" + body + r")(?![a-z0-9])"), en_forms)
                )
            if zh:
                self._patterns.append(
                    (re.compile("(" + "|".join(re.escape(f) for f in zh) + ")"), zh_forms)
                )
        if clashes:
            raise ValueError("Invalid taxonomy, ambiguous labels:\n  " + "\n  ".join(clashes))

    # -- hierarchy ----------------------------------------------------------
    def ancestors(self, concept: str) -> tuple[str, ...]:
        """Parent, grand-parent, ... of ``concept`` (nearest first)."""
        return self.concepts[concept].ancestors

    def is_within(self, concept: str, other: str) -> bool:
        """True if ``concept`` is ``other`` or one of its descendants."""
        return concept == other or other in self.concepts[concept].ancestors

    def facet(self, concept: str) -> str:
        """``capability`` or ``sector``."""
        return self.concepts[concept].facet

    def label(self, concept: str) -> str:
        """English and Chinese label of a concept."""
        return self.concepts[concept].label

    # -- tagging ------------------------------------------------------------
    def tag(self, text: str) -> list[Tag]:
        """Find concepts in English or Chinese text.

        Traditional Chinese is converted to Simplified, full-width letters to
        ASCII; English matches whole words and regular plurals. Within a facet
        the longest phrase wins where phrases overlap; a capability and a
        sector may share words ("engine remanufacturing" is both).

        Parameters
        ----------
        text : str

        Returns
        -------
        list of Tag
            In order of appearance, each with the exact phrase from ``text``.
        """
        norm = normalise(text)
        same_length = len(norm) == len(text)
        found = []
        for pattern, owners in self._patterns:
            for m in pattern.finditer(norm):
                key = " ".join(m.group(1).split())
                found.append((m.start(1), m.end(1), owners[key]))
        found.sort()
        out = []
        for start, end, cid in found:
            phrase = text[start:end] if same_length else norm[start:end]
            out.append(Tag(cid, phrase, start, end))
        return out

    def __len__(self) -> int:
        return len(self.concepts)


def _data_path(name: str) -> Path:
    return Path(str(resources.files("matchmaker"))) / "data" / name


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load a taxonomy: a YAML file or a folder of them (the bundled one by default).

    Raises
    ------
    ValueError
        Naming the concept and field when an entry is malformed, a parent is
        missing, or a label is used by two concepts.
    """
    if path is None:
        return _bundled_taxonomy()
    return _load(Path(path))


@lru_cache(maxsize=1)
def _bundled_taxonomy() -> Taxonomy:
    return _load(_data_path("taxonomy"))


def _entries(path: Path) -> list[tuple[Path, int, Any]]:
    """(file, position, entry) of every concept in a file or a folder of files."""
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    out = []
    for file in files:
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=_SafeLoader)
        entries = data.get("concepts") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise ValueError(f"{file}: expected a mapping with a 'concepts' list")
        out += [(file, i, e) for i, e in enumerate(entries, start=1)]
    return out


def _load(path: Path) -> Taxonomy:
    concepts, problems = [], []
    for file, i, e in _entries(path):
        if not isinstance(e, dict):
            problems.append(f"{file}, concept {i}: expected a mapping")
            continue
        missing = [k for k in ("id", "en", "zh") if not e.get(k)]
        facet = e.get("facet")
        if e.get("parent") is None and facet not in FACETS:
            problems.append(
                f"{file}, concept {i} ({e.get('id')!r}), field 'facet': a root concept needs "
                f"facet {' or '.join(FACETS)}; got {facet!r}"
            )
        if missing:
            problems.append(f"{file}, concept {i} ({e.get('id')!r}): missing {', '.join(missing)}")
            continue
        concepts.append(
            Concept(
                id=str(e["id"]),
                parent=e.get("parent"),
                facet=str(facet or ""),
                en=str(e["en"]),
                zh=str(e["zh"]),
                en_synonyms=tuple(str(s) for s in e.get("en_synonyms") or ()),
                zh_synonyms=tuple(str(s) for s in e.get("zh_synonyms") or ()),
            )
        )
    if problems:
        raise ValueError("Invalid taxonomy:\n  " + "\n  ".join(problems))
    return Taxonomy(concepts)
