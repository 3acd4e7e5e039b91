"""The bilingual concept taxonomy and the tagger that finds concepts in text.

The taxonomy is data (``data/taxonomy/*.yaml``): concepts with a parent, a
facet (``capability`` or ``sector``), English and Simplified Chinese labels
and synonyms. Tagging returns every concept found with the exact phrase that
triggered it.

A concept may also be *combined* from two things said in one sentence: its
parent's action (``action_words`` on the parent, e.g. recover, reclaim, 回收)
and one of the objects it lists under ``combines`` (e.g. batteries). "Recover
lithium from spent batteries" then tags battery recycling although no
synonym of it appears.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import ahocorasick
import yaml

from .._normalise import has_cjk, normalise

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
    combines: tuple[str, ...] = ()
    action_words: tuple[str, ...] = ()

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


# Words are runs of ASCII letters and digits; any other visible character is
# a token of its own, so "r&d" and "R & D" agree and a comma breaks a phrase.
_TOKEN = re.compile(r"[a-z0-9]+|[^\sa-z0-9\u3400-\u9fff]")
# Combined concepts look for their action and object within one sentence.
_SENTENCE_END = re.compile(r"[.;!?\n。；！？]")
# Characters that are neither white space nor part of a token (Chinese).
_NOT_TOKEN = re.compile(r"[\u3400-\u9fff]")
# Stands between two tokens that something other than white space separates;
# a Chinese character, so no English form (made of tokens) contains it.
_BARRIER = ("\u4e00", -1, -1)


def _plural_forms(words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Regular inflections of the last word of an English form."""
    *head, last = words
    forms = [last, last + "s", last + "es"]
    if last.endswith("y") and len(last) > 2 and last[-2] not in "aeiou":
        forms.append(last[:-1] + "ies")
    return [(*head, f) for f in forms]


class _Lexicon:
    """Surface forms of one facet, matched leftmost-longest without overlaps.

    English forms match whole tokens separated by white space only; Chinese
    forms match anywhere as substrings. Each kind is one Aho-Corasick
    automaton (pyahocorasick), so a text is scanned once in C whatever the
    size of the taxonomy; :meth:`freeze` builds them once all forms are added.
    """

    def __init__(self) -> None:
        self.words: dict[tuple[str, ...], str] = {}
        self.chars: dict[str, str] = {}
        self._word_automaton: Any = None
        self._char_automaton: Any = None

    def add_words(self, key: str, cid: str) -> None:
        words = tuple(t.group() for t in _TOKEN.finditer(key))
        if not words:
            return
        for variant in _plural_forms(words):
            self.words.setdefault(variant, cid)

    def add_chars(self, key: str, cid: str) -> None:
        self.chars[key] = cid

    def freeze(self) -> None:
        """Build the automata from the forms added so far."""
        # An English form is found in the token line " w1 w2 ... " (see
        # _token_line), padded with spaces so that it can only match whole tokens.
        self._word_automaton = _automaton(
            {
                key: (len(key), len(words), cid)
                for words, cid in self.words.items()
                for key in [f" {' '.join(words)} "]
            }
        )
        self._char_automaton = _automaton({key: (len(key), cid) for key, cid in self.chars.items()})

    def __getstate__(self) -> dict[str, Any]:
        # Pickle the forms only; the automata are rebuilt on loading.
        return {"words": self.words, "chars": self.chars}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.words, self.chars = state["words"], state["chars"]
        self.freeze()

    def scan_words(
        self, line: str, units: list[tuple[str, int, int]]
    ) -> list[tuple[int, int, str]]:
        """English forms in ``line``, the token line of ``units`` (see :func:`_token_line`)."""
        if self._word_automaton is None:
            return []
        spans = []
        for end, (length, size, cid) in self._word_automaton.iter(line):
            # A match starts at the space before its first unit: unit k follows space k.
            first = line.count(" ", 0, end - length + 1)
            spans.append((first, first + size, cid))
        return [(units[i][1], units[j - 1][2], cid) for i, j, cid in _leftmost_longest(spans)]

    def scan_chars(self, text: str) -> list[tuple[int, int, str]]:
        """Chinese forms anywhere in ``text``."""
        # Every Chinese form has a Chinese character, so text without one has
        # none of them (and the automaton is slow on it: its root has many branches).
        if self._char_automaton is None or not has_cjk(text):
            return []
        spans = [
            (end - size + 1, end + 1, cid) for end, (size, cid) in self._char_automaton.iter(text)
        ]
        return _leftmost_longest(spans)


def _automaton(forms: dict[str, tuple[Any, ...]]) -> Any:
    """An Aho-Corasick automaton over ``forms`` (None when there are none)."""
    if not forms:
        return None
    automaton = ahocorasick.Automaton()
    for key, value in forms.items():
        automaton.add_word(key, value)
    automaton.make_automaton()
    return automaton


def _leftmost_longest(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """From every match, left to right: the longest one at each start, then skip past it.

    The same as scanning position by position and taking the longest form
    that starts there, moving on one position when none does.
    """
    out = []
    pos = 0
    for start, end, cid in sorted(spans, key=lambda s: (s[0], -s[1])):
        if start >= pos:
            out.append((start, end, cid))
            pos = end
    return out


def _token_line(
    norm: str, tokens: list[tuple[str, int, int]]
) -> tuple[str, list[tuple[str, int, int]]]:
    """The tokens of a text as one line, ``" w1 w2 ... "``, and the units of that line.

    English forms may span white space only, so where anything else (a
    Chinese character) separates two tokens a barrier unit goes between
    them; no form contains it, so no match crosses it.
    """
    units = tokens
    if _NOT_TOKEN.search(norm):
        units = []
        prev = 0
        for token in tokens:
            if units and norm[prev : token[1]].strip():
                units.append(_BARRIER)
            units.append(token)
            prev = token[2]
    return f" {' '.join(u[0] for u in units)} ", units


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
            unknown = [o for o in c.combines if o not in raw]
            if unknown:
                problems.append(f"concept {c.id!r}, field 'combines': unknown concepts {unknown}")
            multi = [w for w in c.action_words if not has_cjk(w) and len(normalise(w).split()) != 1]
            if multi:
                problems.append(
                    f"concept {c.id!r}, field 'action_words': English action words must be "
                    f"single words, got {multi}"
                )
            if c.combines and (c.parent is None or not raw[c.parent].action_words):
                problems.append(
                    f"concept {c.id!r}, field 'combines': its parent {c.parent!r} needs "
                    "'action_words' (what is done to the object, e.g. recover, 回收)"
                )
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
                c.id,
                c.parent,
                facet,
                c.en,
                c.zh,
                c.en_synonyms,
                c.zh_synonyms,
                tuple(chain),
                c.combines,
                c.action_words,
            )
        self.ids: list[str] = sorted(self.concepts)
        self.index: dict[str, int] = {cid: i for i, cid in enumerate(self.ids)}
        self._build_patterns()
        # (combined concept, every concept that counts as its object, parent)
        self._combos = [
            (
                cid,
                frozenset(o for o in self.ids if any(self.is_within(o, x) for x in c.combines)),
                str(c.parent),
            )
            for cid, c in self.concepts.items()
            if c.combines
        ]
        self._objects = frozenset().union(*(objects for _, objects, _ in self._combos))
        self._actions: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {}
        for _, _, parent in self._combos:
            forms = [normalise(w).strip() for w in self.concepts[parent].action_words]
            self._actions[parent] = (
                frozenset(f for f in forms if f and not has_cjk(f)),
                tuple(f for f in forms if has_cjk(f)),
            )

    def _build_patterns(self) -> None:
        # A surface form names one concept per facet: "smart grid" may be both
        # a capability and a sector, but not two capabilities.
        self._lexicons: list[_Lexicon] = []
        clashes = []
        for facet in FACETS:
            owner: dict[str, str] = {}
            lexicon = _Lexicon()
            for cid in self.ids:
                c = self.concepts[cid]
                if c.facet != facet:
                    continue
                for form in (c.en, *c.en_synonyms, c.zh, *c.zh_synonyms):
                    key = " ".join(normalise(form).split())
                    if not key:
                        continue
                    if owner.get(key, cid) != cid:
                        clashes.append(f"{form!r} is used by both {owner[key]!r} and {cid!r}")
                    owner[key] = cid
                    if has_cjk(key):
                        lexicon.add_chars(key, cid)
                    else:
                        lexicon.add_words(key, cid)
            lexicon.freeze()
            self._lexicons.append(lexicon)
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
        tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(norm)]
        line, units = _token_line(norm, tokens)
        found = []
        for lexicon in self._lexicons:
            found += lexicon.scan_words(line, units)
            found += lexicon.scan_chars(norm)
        found += self._combined(norm, tokens, found)
        found.sort()
        out = []
        for start, end, cid in found:
            phrase = text[start:end] if same_length else norm[start:end]
            out.append(Tag(cid, phrase, start, end))
        return out

    def _combined(
        self, norm: str, tokens: list[tuple[str, int, int]], found: list[tuple[int, int, str]]
    ) -> list[tuple[int, int, str]]:
        """Combined concepts: the parent's action and a listed object in one sentence.

        The phrase runs from the action word (or the parent's own tag) to the
        object, so the explanation shows both. A sentence that already names
        the combined concept directly adds nothing.
        """
        if not any(cid in self._objects for _, _, cid in found):
            return []
        ends = [m.end() for m in _SENTENCE_END.finditer(norm)]
        bounds = [0, *ends, len(norm) + 1]
        # Group tags and words by sentence once (sentence i is bounds[i]..bounds[i + 1]).
        tags_in: dict[int, list[tuple[int, int, str]]] = {}
        for f in found:
            tags_in.setdefault(bisect.bisect_right(ends, f[0]), []).append(f)
        words_in: dict[int, list[tuple[int, int, str]]] = {}
        for w, a, b in tokens:
            words_in.setdefault(bisect.bisect_right(ends, a), []).append((a, b, w))
        out = []
        for i, tags in tags_in.items():
            if not any(t[2] in self._objects for t in tags):
                continue
            named = {cid for _, _, cid in tags}
            lo, hi = bounds[i], bounds[i + 1]
            actions: dict[str, tuple[int, int] | None] = {}  # one look-up per parent
            for child, objects, parent in self._combos:
                obj = next((t for t in tags if t[2] in objects), None)
                if child in named or obj is None:
                    continue
                if parent not in actions:
                    actions[parent] = self._action(
                        norm[lo:hi], lo, words_in.get(i, []), tags, parent
                    )
                action = actions[parent]
                if action is not None:
                    out.append((min(action[0], obj[0]), max(action[1], obj[1]), child))
        return out

    def _action(
        self,
        sentence: str,
        offset: int,
        words: list[tuple[int, int, str]],
        tags: list[tuple[int, int, str]],
        parent: str,
    ) -> tuple[int, int] | None:
        """Span of the first action of ``parent`` in a sentence, if any."""
        spans = [(a, b) for a, b, cid in tags if cid == parent]
        english, chinese = self._actions[parent]
        spans += [(a, b) for a, b, w in words if w in english]
        for word in chinese:
            at = sentence.find(word)
            if at >= 0:
                spans.append((offset + at, offset + at + len(word)))
        return min(spans) if spans else None

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
                combines=tuple(str(s) for s in e.get("combines") or ()),
                action_words=tuple(str(s) for s in e.get("action_words") or ()),
            )
        )
    if problems:
        raise ValueError("Invalid taxonomy:\n  " + "\n  ".join(problems))
    return Taxonomy(concepts)
