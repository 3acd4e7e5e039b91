"""Explanations: why a candidate ranks where it does, as data first.

An :class:`Explanation` is a small table (one row per component: raw value,
weight, contribution, a plain-English sentence), the matched concepts with
the evidence phrase from each side, and the caveats that apply. Text and
HTML are drawn from those tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._normalise import has_cjk
from ..catalogue._schema import Profile
from ..vectors._meaning import closest_statements
from ..vectors._taxonomy import Tag, Taxonomy
from ._caveats import applicable_caveats, load_caveats
from ._scores import ComponentScores
from ._weights import COMPONENTS

if TYPE_CHECKING:
    from ._fitted import FittedEngine
    from ._query import Query

__all__ = ["Explanation", "explain_pair"]

CONCEPT_COLUMNS = [
    "concept",
    "label",
    "facet",
    "need_phrase",
    "offer_concept",
    "offer_phrase",
    "relation",
    "credit",
]


@dataclass
class Explanation:
    """Why one candidate scored what it did for one query.

    Attributes
    ----------
    query : str
        The need (or offer) that was asked about.
    candidate : Profile
    score : float
        Total score, 0 to 1.
    strength : str
        ``strong``, ``moderate`` or ``weak``.
    probability : float
        Calibrated probability that the candidate is a good partner; the
        strength is a band of it.
    components : DataFrame
        One row per component: ``component``, ``raw``, ``weight``,
        ``contribution`` and ``sentence``. Contributions add up to ``score``
        (for reciprocal matching, to the forward score).
    concepts : DataFrame
        One row per need concept: the need phrase, the candidate concept and
        phrase that cover it, the relation (``exact``, ``narrower offer``,
        ``broader offer`` or ``not covered``) and the credit given.
    caveats : DataFrame
        ``id``, ``text`` and ``source`` of each caveat that applies.
    reason : str
        The one-line reason shown on the shortlist.
    meaning : dict or None
        With a meaning encoder: ``statement`` (the statement closest in
        meaning, quoted), ``side`` (whose statement: ``"candidate"`` or
        ``"query"``), ``cosine`` and ``percentile`` (the share of this
        catalogue's need-offer pairs that are less close); None otherwise.

    Examples
    --------
    >>> from matchmaker import Matchmaker
    >>> explanation = Matchmaker().shortlist("laser cladding repair", k=3, country="GB").explain(1)
    >>> list(explanation.components.component)
    ['concept', 'focus', 'text', 'meaning', 'sector', 'readiness']
    >>> bool(abs(explanation.components.contribution.sum() - explanation.score) < 1e-9)
    True
    """

    query: str
    candidate: Profile
    score: float
    strength: str
    components: pd.DataFrame
    concepts: pd.DataFrame
    caveats: pd.DataFrame
    reason: str
    probability: float = float("nan")
    backward: dict[str, float] | None = field(default=None)
    meaning: dict[str, Any] | None = field(default=None)

    def to_frame(self) -> pd.DataFrame:
        """The component table."""
        return self.components.copy()

    def __str__(self) -> str:
        c = self.candidate
        lines = [
            f"{c.name} [{c.id}, {c.country}, {c.kind}]",
            f"for: {self.query}",
            f"score {self.score:.3f}, {self.probability:.0%} chance of a good partner "
            f"({self.strength}): {self.reason}",
            "",
        ]
        table = self.components.copy()
        for col in ("raw", "weight", "contribution"):
            table[col] = table[col].map(lambda v: f"{v:.3f}")
        with pd.option_context("display.max_colwidth", 100, "display.width", 200):
            lines.append(table.to_string(index=False))
        matched = self.concepts[self.concepts.relation != "not covered"]
        if len(matched):
            lines += ["", "Matched concepts (need phrase -> candidate phrase):"]
            for r in matched.itertuples():
                lines.append(
                    f"  - {r.label}: {r.need_phrase!r} -> {r.offer_phrase!r} "
                    f"({r.relation}, credit {r.credit:.2f})"
                )
        missing = self.concepts[self.concepts.relation == "not covered"]
        if len(missing):
            lines.append("Not covered: " + ", ".join(missing.label))
        if self.backward is not None:
            lines.append(
                "Reverse direction (candidate's needs against the query's offers): "
                + ", ".join(f"{k} {v:.2f}" for k, v in self.backward.items())
            )
        if len(self.caveats):
            lines += ["", "Caveats:"]
            lines += [f"  ! {r.text} ({r.source})" for r in self.caveats.itertuples()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        c = self.candidate
        head = (
            f"<p><b>{escape(c.name)}</b> ({escape(c.id)}): score {self.score:.3f}, "
            f"{escape(self.strength)}<br>{escape(self.reason)}</p>"
        )
        parts = [head, self.components.to_html(index=False, escape=True)]
        if len(self.concepts):
            parts.append(self.concepts.to_html(index=False, escape=True))
        if len(self.caveats):
            parts.append(self.caveats.to_html(index=False, escape=True))
        return "".join(parts)


def _concept_matches(
    taxonomy: Taxonomy, need_tags: list[Tag], offer_tags: list[Tag], up: float, down: float
) -> list[dict[str, Any]]:
    """One row per need concept, best credit first (ties by concept id)."""
    first_need: dict[str, str] = {}
    for t in need_tags:
        first_need.setdefault(t.concept, t.phrase)
    first_offer: dict[str, str] = {}
    for t in offer_tags:
        first_offer.setdefault(t.concept, t.phrase)
    rows: list[dict[str, Any]] = []
    for need, phrase in first_need.items():
        best: tuple[float, int, str, str] = (0.0, 9, "", "not covered")
        for offer in sorted(first_offer):
            if offer == need:
                cand = (1.0, 0, offer, "exact")
            elif need in taxonomy.ancestors(offer):
                cand = (up, 1, offer, "narrower offer")
            elif offer in taxonomy.ancestors(need):
                depth = taxonomy.ancestors(need).index(offer) + 1
                cand = (down**depth, 2, offer, "broader offer")
            else:
                continue
            if (cand[0], -cand[1]) > (best[0], -best[1]):
                best = cand
        credit, _, offer, relation = best
        rows.append(
            {
                "concept": need,
                "label": taxonomy.label(need),
                "facet": taxonomy.facet(need),
                "need_phrase": phrase,
                "offer_concept": offer,
                "offer_label": taxonomy.concepts[offer].en if offer else "",
                "offer_phrase": first_offer.get(offer, ""),
                "relation": relation,
                "credit": round(credit, 3),
            }
        )
    rows.sort(key=lambda r: (-r["credit"], r["concept"]))
    return rows


def _focus_sentence(taxonomy: Taxonomy, query_tags: list[Tag], candidate_tags: list[Tag]) -> str:
    """Say how much of what the candidate names is what the query names."""

    def capabilities(tags: list[Tag]) -> list[str]:
        return sorted({t.concept for t in tags if taxonomy.facet(t.concept) == "capability"})

    asked, named = capabilities(query_tags), capabilities(candidate_tags)
    if not asked or not named:
        return "No capability concept on one side, so nothing to focus on."
    shared = [{"label": taxonomy.label(c)} for c in named if c in set(asked)]
    if not shared:
        return (
            f"Names {len(named)} capability concept(s), none of them exactly the query's "
            "(broader or narrower ones count under concept only)."
        )
    verb = "is" if len(shared) == 1 else "are"
    return (
        f"{len(shared)} of the {len(named)} capability concepts it names {verb} the query's own "
        f"({_labels(shared)}); the more of its work is about them, the higher."
    )


def _shared_terms(engine: FittedEngine, query: Query, candidate_row: int, side: str) -> list[str]:
    vectors = engine.offers_ if side == "offers" else engine.needs_
    product = query.vector.multiply(vectors.text[candidate_row]).tocoo()
    if product.nnz == 0:
        return []
    names = engine._feature_names()
    order = np.lexsort((product.col, -product.data))[:4]
    return [str(names[product.col[i]]) for i in order]


def _closest_meaning(
    engine: FittedEngine, query: Query, row: int, side: str
) -> dict[str, Any] | None:
    """With a meaning encoder: the statement closest to the need, its cosine and percentile.

    The need is embedded whole and compared with each offer statement: the
    candidate's own (``side="offers"``), or, when the query is an offer,
    the query profile's or its text against the candidate's need statements.
    """
    scale = engine.meaning_scale_
    if scale is None or engine.offer_statements_ is None or engine.need_statements_ is None:
        return None
    if side == "offers":
        if query.meaning is None:
            return None
        vector, statements, whose = query.meaning, engine.offer_statements_.take([row]), "candidate"
    elif query.profile_id is not None:
        assert engine.need_queries_ is not None
        vector = engine.need_queries_[row : row + 1]
        statements = engine.offer_statements_.take([engine.position_[query.profile_id]])
        whose = "query"
    else:
        if query.meaning is None:
            return None
        vector, statements, whose = query.meaning, engine.need_statements_.take([row]), "candidate"
    cosine, which = closest_statements(np.asarray(vector).reshape(1, -1), statements)
    if which[0, 0] < 0:
        return None
    value = float(cosine[0, 0])
    return {
        "statement": statements.texts[int(which[0, 0])],
        "side": whose,
        "cosine": value,
        "percentile": scale.percentile(value),
    }


def _labels(rows: list[dict[str, Any]], limit: int = 3, via: bool = False) -> str:
    """Concept labels, ``limit`` at most; with ``via``, a concept covered only
    through a broader or narrower one names it ("battery recycling (via recycling)")."""
    labels = []
    for r in rows[:limit]:
        label = str(r["label"]).split(" (")[0]
        if via and r["credit"] < 1 and r["offer_concept"]:
            label += f" (via {r['offer_label']})"
        labels.append(label)
    text = ", ".join(labels)
    if len(rows) > limit:
        text += f" and {len(rows) - limit} more"
    return text


def _concept_sentence(capability: list[dict[str, Any]]) -> str:
    """Say which need concepts the candidate covers fully, in part, or not at all.

    Examples
    --------
    >>> rows = [
    ...     {"label": "battery recycling", "credit": 0.5, "offer_concept": "recycling",
    ...      "offer_label": "recycling"},
    ...     {"label": "batteries", "credit": 0.0, "offer_concept": "", "offer_label": ""},
    ... ]
    >>> _concept_sentence(rows)
    'Covers none of 2 need concepts fully. In part: battery recycling (via recycling). Not covered: batteries.'
    """
    full = [m for m in capability if m["credit"] >= 1]
    part = [m for m in capability if 0 < m["credit"] < 1]
    gaps = [m for m in capability if m["credit"] == 0]
    n = len(capability)
    if full:
        out = f"Covers {len(full)} of {n} need concepts fully ({_labels(full)})."
    elif part:
        out = f"Covers none of {n} need concepts fully."
    else:
        out = f"Covers none of {n} need concepts."
    if part:
        out += f" In part: {_labels(part, via=True)}."
    if gaps:
        out += f" Not covered: {_labels(gaps)}."
    return out


def explain_pair(
    engine: FittedEngine,
    query: Query,
    candidate: Profile,
    scores: ComponentScores,
    total: float,
    strength: str,
    probability: float = float("nan"),
    backward: dict[str, float] | None = None,
) -> Explanation:
    """Build the explanation of one (query, candidate) pair from its scores."""
    taxonomy = engine.vectorizer_.taxonomy_
    row = engine.position_[candidate.id]
    candidate_side = "offers" if query.direction == "needs" else "needs"
    candidate_tags = (engine.offers_ if candidate_side == "offers" else engine.needs_).tags[row]
    need_country: str | None
    offer_country: str | None
    if query.direction == "needs":
        need_tags, offer_tags = query.tags, candidate_tags
        need_country, offer_country = query.country, candidate.country
    else:
        need_tags, offer_tags = candidate_tags, query.tags
        need_country, offer_country = candidate.country, query.country
    vec = engine.vectorizer_
    matches = _concept_matches(
        taxonomy, need_tags, offer_tags, vec.hierarchy_up, vec.hierarchy_down
    )
    capability = [m for m in matches if m["facet"] == "capability"]
    sector = [m for m in matches if m["facet"] == "sector"]
    covered = [m for m in capability if m["credit"] > 0]
    sectors_hit = [m for m in sector if m["credit"] > 0]
    raw = {c: float(scores.components[c][0, 0]) for c in COMPONENTS}
    weight = {c: float(scores.effective_weight(engine.weights_, c)[0, 0]) for c in COMPONENTS}
    terms = _shared_terms(engine, query, row, candidate_side)

    if len(capability) == 0:
        concept_sentence = (
            "The need names no capability the taxonomy knows, so nothing can overlap."
        )
    else:
        concept_sentence = _concept_sentence(capability)
    focus_sentence = _focus_sentence(taxonomy, query.tags, candidate_tags)
    text_sentence = (
        f"Shares wording with the need: {', '.join(terms)}."
        if terms
        else "No wording in common with the need."
    )
    chinese = has_cjk(query.text) or any(has_cjk(t.phrase) for t in candidate_tags)
    if terms and vec.pivot_labels and chinese:
        text_sentence += " (Chinese text is compared through the English labels of its concepts.)"
    meaning = _closest_meaning(engine, query, row, candidate_side)
    closest = ""
    if meaning is None:
        meaning_sentence = engine.meaning_status_.replace("meaning: off", "Meaning not compared")
        if not meaning_sentence.endswith("."):
            meaning_sentence += "."
    else:
        whose = "It states" if meaning["side"] == "candidate" else "The query states"
        share = meaning["percentile"]
        closeness = (
            f"closer to the need than {share:.0%} of this catalogue's need-offer pairs"
            if share >= 0.5
            else "no closer to the need than a typical pair in this catalogue"
        )
        meaning_sentence = f"{whose} {meaning['statement']!r}: {closeness}."
        # Quoted in the reason only when it is the candidate's own statement.
        closest = meaning["statement"] if meaning["side"] == "candidate" else ""
    if not bool(np.asarray(scores.sector_known).reshape(-1)[0]):
        sector_sentence = "The need names no sector, so this weight goes to the other components."
    elif len(sectors_hit):
        sector_sentence = f"Works in the sector the need names: {_labels(sectors_hit)}."
    else:
        sector_sentence = f"Does not name the need's sector ({_labels(sector)})."
    evidence = len(candidate.evidence)
    ready_bits = []
    if evidence:
        ready_bits.append(f"{evidence} documented award(s), certification(s) or funded project(s)")
    if candidate.china_presence:
        ready_bits.append("a presence in China")
    ready_sentence = (
        "Has " + " and ".join(ready_bits) + "."
        if ready_bits
        else "No documented awards, funded projects or presence in China."
    )
    if ready_bits and not covered:
        ready_sentence += " Not counted: it shares no capability with the need."
    sentences = {
        "concept": concept_sentence,
        "focus": focus_sentence,
        "text": text_sentence,
        "meaning": meaning_sentence,
        "sector": sector_sentence,
        "readiness": ready_sentence,
    }
    components = pd.DataFrame(
        [
            {
                "component": c,
                "raw": round(raw[c], 4),
                "weight": round(weight[c], 4),
                "contribution": round(raw[c] * weight[c], 4),
                "sentence": sentences[c],
            }
            for c in COMPONENTS
        ],
        columns=["component", "raw", "weight", "contribution", "sentence"],
    )
    rules = [r for r in load_caveats() if all(c in taxonomy.concepts for c in r.concepts_any)]
    # Rules fire on what the need is about and on what matched it, not on
    # everything else the candidate happens to offer.
    found = [t.concept for t in need_tags] + [
        m["offer_concept"] for m in matches if m["offer_concept"]
    ]
    caveats = pd.DataFrame(
        [
            {"id": r.id, "text": r.text, "source": r.source}
            for r in applicable_caveats(rules, taxonomy, found, need_country, offer_country)
        ],
        columns=["id", "text", "source"],
    )
    reason = _reason(strength, raw, covered, sectors_hit, terms, candidate, len(caveats), closest)
    return Explanation(
        query=query.label,
        candidate=candidate,
        score=round(total, 4),
        strength=strength,
        probability=probability,
        components=components,
        concepts=pd.DataFrame(matches, columns=CONCEPT_COLUMNS),
        caveats=caveats,
        reason=reason,
        backward=backward,
        meaning=meaning,
    )


def _reason(
    strength: str,
    raw: dict[str, float],
    covered: list[dict[str, Any]],
    sectors_hit: list[dict[str, Any]],
    terms: list[str],
    candidate: Profile,
    n_caveats: int,
    closest: str = "",
) -> str:
    if strength == "weak":
        if len(covered):
            line = f"Weak: only partial overlap: {_labels(covered, via=True)}"
        elif len(sectors_hit):
            line = (
                f"Weak: same sector ({_labels(sectors_hit, 2)}) but no capability the need asks for"
            )
        elif closest:
            short = closest if len(closest) <= 70 else closest[:67].rstrip() + "..."
            line = f"Weak: no shared concept; closest in meaning: {short!r}"
        elif terms:
            line = f"Weak: no shared concept, only incidental wording ({', '.join(terms[:3])})"
        elif raw["text"] > 0:
            line = "Weak: no shared concept, only loosely related wording"
        else:
            line = "Weak: nothing in common with the need"
    else:
        if len(covered):
            line = f"Covers {_labels(covered, via=True)}"
        elif closest:
            short = closest if len(closest) <= 70 else closest[:67].rstrip() + "..."
            line = f"Close in meaning: {short!r}"
        else:
            line = f"Shares wording: {', '.join(terms[:3]) or 'related terms'}"
        if len(sectors_hit):
            line += f"; sector: {_labels(sectors_hit, 2)}"
        if candidate.china_presence:
            line += "; present in China"
    if n_caveats:
        line += f"; {n_caveats} caveat(s)"
    return line
