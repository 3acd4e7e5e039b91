"""Shortlists: a ranked result that keeps every component and explains itself.

Fifth step of the flow: ranking -> **shortlist -> explanation**. A shortlist
is data (:meth:`Shortlist.to_frame`); text and HTML are drawn from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..catalogue._schema import Profile
from ._explain import Explanation, explain_pair
from ._query import Query
from ._scores import ComponentScores
from ._weights import COMPONENTS

if TYPE_CHECKING:
    from ._fitted import FittedEngine

__all__ = ["Query", "Shortlist"]

COLUMNS = [
    *("rank", "id", "name", "country", "kind"),
    *("score", "probability", "strength", "reasons"),
]


class Shortlist:
    """A ranked list of candidate partners for one query.

    Build one with :meth:`Matchmaker.shortlist`. Displays as a table in a
    notebook; ``str()`` gives a terminal table.

    Attributes
    ----------
    query : Query
    candidates : list of Profile
        Best first.
    scores : ComponentScores
        One row, one column per candidate: every component kept.

    Examples
    --------
    >>> from matchmaker import Matchmaker
    >>> top = Matchmaker().shortlist("发动机再制造", k=3, country="GB")
    >>> list(top.to_frame().columns[:9])
    ['rank', 'id', 'name', 'country', 'kind', 'score', 'probability', 'strength', 'reasons']
    >>> len(top), top.to_frame()["rank"].tolist()
    (3, [1, 2, 3])
    """

    def __init__(
        self,
        engine: FittedEngine,
        query: Query,
        candidates: Sequence[Profile],
        scores: ComponentScores,
        total: np.ndarray,
        probability: np.ndarray,
        strength: np.ndarray,
        backward: ComponentScores | None = None,
    ) -> None:
        self.engine = engine
        self.query = query
        self.candidates = list(candidates)
        self.scores = scores
        self.total = np.asarray(total, dtype=float)
        self.probability = np.asarray(probability, dtype=float)
        self.strength = [str(s) for s in strength]
        self.backward = backward
        self._explanations: dict[int, Explanation] = {}

    def __len__(self) -> int:
        return len(self.candidates)

    @property
    def no_good_match(self) -> bool:
        """True when even the best candidate is weak (or there is none).

        Weak means a low calibrated probability that the candidate is a good
        partner, however the need is worded.
        """
        return not self.candidates or self.strength[0] == "weak"

    def explain(self, rank_or_id: int | str) -> Explanation:
        """Explain one candidate, by rank (1 = best) or by profile id.

        Returns
        -------
        Explanation
            A table with one row per component, the matched concepts with the
            evidence phrase from each side, and caveats.

        Raises
        ------
        KeyError
            If the id is not on the shortlist.
        IndexError
            If the rank is outside 1..len(shortlist).
        """
        pos = self._position(rank_or_id)
        if pos not in self._explanations:
            back = None
            if self.backward is not None:
                back = {c: float(self.backward.components[c][0, pos]) for c in COMPONENTS}
            self._explanations[pos] = explain_pair(
                self.engine,
                self.query,
                self.candidates[pos],
                self.scores.take([0], [pos]),
                total=float(self.total[pos]),
                strength=self.strength[pos],
                probability=float(self.probability[pos]),
                backward=back,
            )
        return self._explanations[pos]

    def _position(self, rank_or_id: int | str) -> int:
        if isinstance(rank_or_id, str):
            for i, p in enumerate(self.candidates):
                if p.id == rank_or_id:
                    return i
            raise KeyError(
                f"{rank_or_id!r} is not on this shortlist; its ids are "
                f"{', '.join(p.id for p in self.candidates[:10])}."
            )
        if isinstance(rank_or_id, bool) or not isinstance(rank_or_id, int | np.integer):
            raise TypeError(f"Give a rank (int from 1) or a profile id. Got {rank_or_id!r}.")
        if not 1 <= int(rank_or_id) <= len(self.candidates):
            raise IndexError(
                f"Rank {rank_or_id} is outside this shortlist of {len(self.candidates)} (ranks "
                "start at 1)."
            )
        return int(rank_or_id) - 1

    def to_frame(self) -> pd.DataFrame:
        """The shortlist as a table.

        Columns: ``rank``, ``id``, ``name``, ``country``, ``kind``, ``score``
        (0 to 1), ``strength`` (strong, moderate or weak), ``reasons`` (one
        readable line), then one column per score component.
        """
        rows = []
        for i, p in enumerate(self.candidates):
            row: dict[str, Any] = {
                "rank": i + 1,
                "id": p.id,
                "name": p.name,
                "country": p.country,
                "kind": p.kind,
                "score": round(float(self.total[i]), 4),
                "probability": round(float(self.probability[i]), 4),
                "strength": self.strength[i],
                "reasons": self.explain(i + 1).reason,
            }
            for c in COMPONENTS:
                row[c] = round(float(self.scores.components[c][0, i]), 4)
            rows.append(row)
        return pd.DataFrame(rows, columns=[*COLUMNS, *COMPONENTS])

    def understood(self) -> pd.DataFrame:
        """The taxonomy concepts read in the query, with the phrase that named each.

        One row per concept, capabilities first, then in order of first
        appearance: ``concept``, ``label``, ``facet`` (``capability`` or
        ``sector``), ``phrase`` and ``how`` (``"read"``: a phrase of the query
        names it). When the query names no capability the taxonomy knows and
        a meaning encoder is on, the three capability concepts closest in
        meaning follow, with ``how`` = ``"nearest by meaning"`` and no
        phrase: a hint for rewording, not something the ranking used.

        Examples
        --------
        >>> from matchmaker import Matchmaker
        >>> top = Matchmaker().shortlist("laser cladding for aerospace parts", k=1)
        >>> top.understood()[["concept", "facet", "phrase"]].values.tolist()
        [['laser-cladding', 'capability', 'laser cladding'], ['sector-aerospace', 'sector', 'aerospace']]
        """
        taxonomy = self.engine.vectorizer_.taxonomy_
        rows: dict[str, dict[str, str]] = {}
        for tag in self.query.tags:
            rows.setdefault(
                tag.concept,
                {
                    "concept": tag.concept,
                    "label": taxonomy.label(tag.concept),
                    "facet": taxonomy.facet(tag.concept),
                    "phrase": tag.phrase,
                    "how": "read",
                },
            )
        ordered = sorted(rows.values(), key=lambda r: r["facet"] != "capability")
        if self.query.meaning is not None and not any(r["facet"] == "capability" for r in ordered):
            for concept in self.engine.nearest_concepts(self.query.meaning, n=3):
                ordered.append(
                    {
                        "concept": concept,
                        "label": taxonomy.label(concept),
                        "facet": taxonomy.facet(concept),
                        "phrase": "",
                        "how": "nearest by meaning",
                    }
                )
        return pd.DataFrame(ordered, columns=["concept", "label", "facet", "phrase", "how"])

    def headline(self) -> str:
        """What was asked, how it was read, and whether a good match exists."""
        what = "needs" if self.query.direction == "needs" else "offers"
        head = f"Shortlist for: {self.query.label}"
        if self.query.profile_id:
            head += f" [{self.query.profile_id}, its {what}]"
        if self.query.note:
            head += f"\n{self.query.note}"
        understood = self.understood()
        read = understood[understood.how == "read"]
        near = understood[understood.how != "read"]
        meaning_on = self.engine.encoder_ is not None
        basis = "meaning and wording" if meaning_on else "shared wording"
        labels = [str(label).split(" (")[0] for label in read.label]
        if (read.facet == "capability").any():
            shown = ", ".join(labels[:6]) + (
                f" and {len(labels) - 6} more" if len(labels) > 6 else ""
            )
            head += f"\nRead as: {shown}"
        else:
            what_read = (
                f"sectors only ({', '.join(labels)}), no capability the taxonomy knows"
                if labels
                else "nothing the taxonomy knows"
            )
            head += f"\nRead as: {what_read}; candidates are ranked on {basis}."
            if len(near):
                nearest = ", ".join(str(label).split(" (")[0] for label in near.label)
                head += f" Nearest concepts by meaning (not in the text): {nearest}."
            head += (
                " Naming the technique or service wanted (e.g. 'laser cladding', 'battery "
                "recycling') gives a surer list."
            )
        if self.no_good_match:
            moderate = self.engine.thresholds()["moderate"]
            head += (
                "\nNo good match: every candidate below is weak (below a "
                f"{moderate:.0%} chance of being a good partner); treat them as leads only."
            )
        if not meaning_on:
            head += f"\n{self.engine.meaning_status_}"
        return head

    def __str__(self) -> str:
        frame = self.to_frame()[["rank", "name", "score", "strength", "reasons"]]
        with pd.option_context("display.max_colwidth", 90, "display.width", 200):
            body = frame.to_string(index=False) if len(frame) else "(no candidates)"
        return f"{self.headline()}\n{body}"

    def __repr__(self) -> str:
        return f"<Shortlist of {len(self)} for {self.query.label[:60]!r}>"

    def _repr_html_(self) -> str:
        from html import escape

        head = escape(self.headline()).replace("\n", "<br>")
        return f"<p><b>{head}</b></p>" + self.to_frame().to_html(index=False, escape=True)
