"""Vectorise profiles and queries by capability and need, in English and Chinese.

Second step of the flow: profiles -> **vectors** -> component scores. A
:class:`ProfileVectorizer` turns texts into

* concept vectors: the taxonomy concepts tagged in the text, IDF-weighted,
  and a *cover* matrix that gives partial credit through the hierarchy;
* TF-IDF vectors: English word n-grams plus Chinese character n-grams, so
  Chinese works without word segmentation. A text with Chinese in it also
  carries the English labels of the concepts tagged in it (English is the
  pivot), so a Chinese need shares wording with an English offer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize

from .._normalise import has_cjk, normalise
from .._progress import progress
from ..catalogue._schema import Profile
from ._taxonomy import Tag, Taxonomy, load_taxonomy

__all__ = ["ProfileVectorizer", "SideVectors", "profile_text"]

_NEED_NAMED_KINDS = ("sector_demand", "policy_priority")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_EN_WORD = re.compile(r"[a-z][a-z0-9]+")


def profile_text(profile: Profile, side: str) -> tuple[str, str]:
    """The text of one side of a profile, and its sector text.

    Parameters
    ----------
    profile : Profile
    side : {"offers", "needs"}

    Returns
    -------
    (text, sectors) : tuple of str
        ``text`` holds the capability or need statements (for demands and
        priorities also the name and technologies, which state the need);
        ``sectors`` holds the listed industries.

    Examples
    --------
    >>> p = Profile(id="x", name="X", country="GB", kind="company",
    ...             offers=["laser cladding"], industries=["aerospace"],
    ...             sources=[{"document": "d", "section": "s"}])
    >>> profile_text(p, "offers")
    ('laser cladding', 'aerospace')
    >>> profile_text(p, "needs")
    ('', 'aerospace')
    """
    demand = profile.kind in _NEED_NAMED_KINDS
    if side == "offers":
        parts = list(profile.offers) if demand else [*profile.offers, *profile.technologies]
        if not parts and not profile.needs and not demand:
            parts = [profile.summary]
    elif side == "needs":
        # A demand or priority states its need in its name and technologies too.
        parts = (
            [profile.name, *profile.needs, *profile.technologies] if demand else [*profile.needs]
        )
    else:
        raise ValueError(f"The 'side' parameter must be 'offers' or 'needs'. Got {side!r} instead.")
    text = ". ".join(p for p in parts if p)
    return text, ". ".join(profile.industries)


def _chinese_char_ngrams(text: str) -> list[str]:
    """Character 2- and 3-grams of the Chinese runs in a text."""
    grams = []
    for run in _CJK_RUN.findall(normalise(text)):
        for n in (2, 3):
            grams += [run[i : i + n] for i in range(len(run) - n + 1)]
        if len(run) == 1:
            grams.append(run)
    return grams


def _english_words(text: str) -> list[str]:
    return _EN_WORD.findall(normalise(text))


@dataclass
class SideVectors:
    """Vectors of a batch of texts: one row per text.

    Attributes
    ----------
    weight : ndarray (n, n_concepts)
        Weight of each concept tagged directly in the text: IDF times
        ``1 + log(count)``, so a concept the text returns to counts more
        (0 if absent).
    cover : ndarray (n, n_concepts)
        How well the text covers each concept, with partial credit through
        the hierarchy: 1 if tagged, ``hierarchy_up`` for an ancestor of a
        tagged concept, ``hierarchy_down ** d`` for a descendant d levels down.
    text : sparse matrix (n, n_terms)
        L2-normalised TF-IDF of English word and Chinese character n-grams.
    tags : list of list of Tag
        The tags found in each text, with their phrases.
    empty : ndarray of bool (n,)
        True where the text was empty.
    """

    weight: np.ndarray
    cover: np.ndarray
    text: sp.csr_matrix
    tags: list[list[Tag]]
    empty: np.ndarray

    def take(self, rows: Sequence[int] | np.ndarray) -> SideVectors:
        """The vectors of some rows only, in the order given."""
        r = np.asarray(rows, dtype=np.int64)
        return SideVectors(
            self.weight[r], self.cover[r], self.text[r], [self.tags[i] for i in r], self.empty[r]
        )


class ProfileVectorizer(BaseEstimator):  # type: ignore[misc]
    """Concept and TF-IDF vectors for capability and need texts.

    A scikit-learn estimator: parameters are stored unchanged, learned state
    ends in ``_``, :meth:`fit` returns ``self``.

    Parameters
    ----------
    taxonomy : Taxonomy, optional
        The concept taxonomy; the bundled bilingual one by default.
    hierarchy_up : float, default 0.8
        Credit a specialist gets for a broader need (an engine remanufacturer
        for a need for "remanufacturing").
    hierarchy_down : float, default 0.5
        Credit per level a generalist gets for a narrower need (a surface
        engineering firm for a need for "laser cladding").
    word_ngram_range : tuple, default (1, 2)
        English word n-grams for TF-IDF.
    sublinear_tf : bool, default True
        Use 1 + log(tf) in TF-IDF.
    pivot_labels : bool, default True
        For the TF-IDF vectors only, append to every text that contains
        Chinese the English labels of the concepts tagged in it. Profiles
        are mostly written in English, so without this a Chinese query
        shares no wording with them and its text component is zero.
    progress : bool, optional
        Show a progress bar while :meth:`fit` tags the texts (only once it
        has taken two seconds). None (default): in a terminal or a notebook
        only, unless the environment variable ``MATCHMAKER_PROGRESS=0``
        turns bars off.

    Attributes
    ----------
    taxonomy_ : Taxonomy
    concept_idf_ : ndarray of shape (n_concepts,)
    words_ : TfidfVectorizer
        Fitted English word n-gram vectoriser.
    chars_ : TfidfVectorizer
        Fitted Chinese character n-gram vectoriser.

    Examples
    --------
    >>> vec = ProfileVectorizer().fit(["laser cladding of engine parts", "废水处理"])
    >>> v = vec.transform(["repairs engines with laser cladding", "工业废水处理"])
    >>> [t.concept for t in v.tags[1]]
    ['industrial-wastewater']
    >>> v.text.shape[0]
    2
    """

    def __init__(
        self,
        taxonomy: Taxonomy | None = None,
        hierarchy_up: float = 0.8,
        hierarchy_down: float = 0.5,
        word_ngram_range: tuple[int, int] = (1, 2),
        sublinear_tf: bool = True,
        pivot_labels: bool = True,
        progress: bool | None = None,
    ) -> None:
        self.taxonomy = taxonomy
        self.hierarchy_up = hierarchy_up
        self.hierarchy_down = hierarchy_down
        self.word_ngram_range = word_ngram_range
        self.sublinear_tf = sublinear_tf
        self.pivot_labels = pivot_labels
        self.progress = progress

    def _check_params(self) -> None:
        for name in ("hierarchy_up", "hierarchy_down"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
                raise ValueError(
                    f"The {name!r} parameter of ProfileVectorizer must be a float in [0, 1]. "
                    f"Got {value!r} instead."
                )
        if self.progress is not None and not isinstance(self.progress, bool):
            raise ValueError(
                "The 'progress' parameter of ProfileVectorizer must be True, False or None "
                f"(automatic). Got {self.progress!r} instead."
            )

    def fit(self, texts: Iterable[str], y: Any = None) -> ProfileVectorizer:
        """Learn concept IDF and the TF-IDF vocabularies from a corpus of texts.

        Parameters
        ----------
        texts : iterable of str
            Typically every offers text and needs text of a catalogue.
        y : ignored

        Returns
        -------
        self

        Notes
        -----
        Tagging is most of the work, so each distinct text is tagged once, and
        :meth:`transform` reuses those tags for the same texts (once: the tags
        are then handed over to its result).
        """
        self._check_params()
        docs = [t for t in texts if t and t.strip()]
        if not docs:
            raise ValueError("ProfileVectorizer.fit needs at least one non-empty text.")
        self.taxonomy_ = self.taxonomy if self.taxonomy is not None else load_taxonomy()
        n_concepts = len(self.taxonomy_.ids)
        df = np.zeros(n_concepts)
        term_docs = []
        tags: dict[str, list[Tag]] = {}
        bar = progress(docs, desc="Tagging texts", unit="text", enabled=self.progress)
        for doc in bar:
            present = set()
            found = tags.get(doc)
            if found is None:
                found = tags[doc] = self.taxonomy_.tag(doc)
            for tag in found:
                present.add(tag.concept)
                present.update(self.taxonomy_.ancestors(tag.concept))
            for cid in present:
                df[self.taxonomy_.index[cid]] += 1
            term_docs.append(self._term_text(doc, found))
        self.concept_idf_ = np.log((1 + len(docs)) / (1 + df)) + 1.0
        common = {
            "lowercase": False,
            "sublinear_tf": self.sublinear_tf,
            "dtype": np.float64,
        }
        self.words_ = TfidfVectorizer(
            analyzer="word",
            tokenizer=_english_words,
            token_pattern=None,
            preprocessor=None,
            stop_words=list(_STOP_WORDS),
            ngram_range=self.word_ngram_range,
            **common,
        )
        self.chars_ = TfidfVectorizer(analyzer=_chinese_char_ngrams, **common)
        self._fit_optional(self.words_, term_docs)
        self._fit_optional(self.chars_, term_docs)
        self.relatives_ = self._relatives_table()
        # Not learned state: the tags of the fitted texts, for transform to take.
        self._fit_tags = tags
        return self

    def _term_text(self, text: str, tags: list[Tag]) -> str:
        """The text the TF-IDF vectors read: with English concept labels if it has Chinese."""
        if not (self.pivot_labels and tags and has_cjk(text)):
            return text
        labels = dict.fromkeys(self.taxonomy_.concepts[t.concept].en for t in tags)
        return text + "\n" + "; ".join(labels)

    def __getstate__(self) -> dict[str, Any]:
        state: dict[str, Any] = super().__getstate__()
        return {k: v for k, v in state.items() if k != "_fit_tags"}

    @staticmethod
    def _fit_optional(vectorizer: TfidfVectorizer, docs: Sequence[str]) -> None:
        try:
            vectorizer.fit(docs)
        except ValueError:
            # No English (or no Chinese) term anywhere in the corpus: fit a
            # one-term placeholder so transform yields all-zero rows.
            vectorizer.fit(["placeholder" if vectorizer.analyzer == "word" else "占位"])

    def _relatives_table(self) -> list[list[tuple[int, float]]]:
        """For each concept: (index, credit) of itself, ancestors and descendants."""
        tax = self.taxonomy_
        table: list[list[tuple[int, float]]] = [[(i, 1.0)] for i in range(len(tax.ids))]
        for cid in tax.ids:
            i = tax.index[cid]
            for depth, anc in enumerate(tax.ancestors(cid), start=1):
                j = tax.index[anc]
                # cid tagged -> ancestor covered at hierarchy_up
                table[i].append((j, float(self.hierarchy_up)))
                # anc tagged -> descendant covered at hierarchy_down ** depth
                table[j].append((i, float(self.hierarchy_down) ** depth))
        return table

    def transform(self, texts: Sequence[str], side: str | None = None) -> SideVectors:
        """Vectorise texts.

        Parameters
        ----------
        texts : sequence of str
        side : {"needs", "offers"}, optional
            Which side the texts are; kept for symmetry, it changes nothing.

        Returns
        -------
        SideVectors
        """
        if not hasattr(self, "concept_idf_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(
                "This ProfileVectorizer is not fitted yet. Call 'fit' with the catalogue texts "
                "first."
            )
        if side not in (None, "needs", "offers"):
            raise ValueError(
                f"The 'side' parameter of transform must be 'needs', 'offers' or None. "
                f"Got {side!r} instead."
            )
        texts = list(texts)
        n, n_concepts = len(texts), len(self.taxonomy_.ids)
        weight = np.zeros((n, n_concepts))
        cover = np.zeros((n, n_concepts))
        tags: list[list[Tag]] = []
        fitted = self.__dict__.get("_fit_tags", {})
        for row, text in enumerate(texts):
            found = fitted.get(text) if text else []
            if found is None:
                found = self.taxonomy_.tag(text)
            tags.append(found)
            for tag in found:
                i = self.taxonomy_.index[tag.concept]
                weight[row, i] += 1.0
                for j, credit in self.relatives_[i]:
                    if credit > cover[row, j]:
                        cover[row, j] = credit
        # A concept the text returns to is central to it: sublinear TF x IDF.
        present = weight > 0
        weight[present] = (1.0 + np.log(weight[present])) * np.broadcast_to(
            self.concept_idf_, weight.shape
        )[present]
        for text in texts:
            fitted.pop(text, None)  # handed over to this result: tagged once, held once
        terms = [self._term_text(t, found) for t, found in zip(texts, tags, strict=True)]
        matrix = sp.hstack([self.words_.transform(terms), self.chars_.transform(terms)])
        text_vectors = l2_normalize(sp.csr_matrix(matrix))
        empty = np.array([not (t and t.strip()) for t in texts], dtype=bool)
        return SideVectors(weight, cover, sp.csr_matrix(text_vectors), tags, empty)


# Words that say nothing about a capability or need in this domain.
_STOP_WORDS = frozenset(
    (
        "a an and are as at be by for from has have in into is it its of on or that the their "
        "this to with within who which can will our we us uk china chinese british provide "
        "provides providing offer offers offering company companies business businesses "
        "including include includes based use uses using used help helps new world leading "
        "leader range wide services service solutions solution products product support supports "
        "such other also more most well high through across need needs needed market markets "
        "technology technologies looking partner partners want wants"
    ).split()
)
