"""Component score matrices: one matrix per component, never only the total.

Third step of the flow: vectors -> **component scores** -> weighted total.
Everything downstream (ranking, strength labels, explanations, re-weighting,
tuning) reads these matrices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..catalogue._schema import Profile
from ..vectors._vectorizer import SideVectors
from ._weights import COMPONENTS, Weights

__all__ = ["ComponentScores", "readiness", "score_components", "strengths"]

STRENGTHS = ("weak", "moderate", "strong")


def readiness(profiles: Sequence[Profile]) -> np.ndarray:
    """Evidence-of-readiness prior in [0, 1] for each profile.

    Half comes from documented evidence (awards, certifications, funded
    projects: 0.25 each for the first two), half from a known presence in
    China.

    Examples
    --------
    >>> from matchmaker import Profile
    >>> src = [{"document": "d", "section": "s"}]
    >>> p = Profile(id="x", name="X", country="GB", kind="company", offers=["o"],
    ...             evidence=["award"], china_presence=True, sources=src)
    >>> readiness([p]).tolist()
    [0.75]
    """
    return np.array(
        [0.25 * min(len(p.evidence), 2) + 0.5 * (p.china_presence is True) for p in profiles],
        dtype=float,
    )


@dataclass
class ComponentScores:
    """Per-component score matrices of needs (rows) against offers (columns).

    Attributes
    ----------
    components : dict of str to ndarray (n_rows, n_cols)
        ``concept``, ``focus``, ``text``, ``meaning``, ``sector`` and
        ``readiness``, each in [0, 1].
    sector_share : ndarray, broadcastable to (n_rows, n_cols)
        Share of the need's concept weight on sector and product concepts.
        Where it is 0 the need names no sector, and the sector weight is
        shared among the other components instead of counting as a zero.
    meaning_known : bool, default True
        False when no meaning encoder is installed: the ``meaning`` matrix
        is then all zero and its weight is shared among the others.
    """

    components: dict[str, np.ndarray]
    sector_share: np.ndarray
    meaning_known: bool = True

    @property
    def sector_known(self) -> np.ndarray:
        """True where the need names a sector or product, shape (n_rows, n_cols)."""
        known: np.ndarray = np.broadcast_to(self.sector_share > 0, self.shape)
        return known

    def coverage(self) -> np.ndarray:
        """Share of the whole need (capabilities, products, sectors) a candidate covers.

        Drawn from the concept and sector components, weighted by how much of
        the need's concept weight lies on each; strength labels use it.
        """
        share = np.broadcast_to(self.sector_share, self.shape)
        out: np.ndarray = (1 - share) * self.components["concept"] + share * self.components[
            "sector"
        ]
        return out

    @property
    def shape(self) -> tuple[int, int]:
        """(n_rows, n_cols)."""
        shape = self.components["concept"].shape
        return int(shape[0]), int(shape[1])

    @property
    def T(self) -> ComponentScores:
        """The same scores with rows and columns swapped."""
        return ComponentScores(
            {k: v.T for k, v in self.components.items()},
            np.broadcast_to(self.sector_share, self.shape).T,
            self.meaning_known,
        )

    def _denominator(self, weights: Weights) -> np.ndarray:
        w = weights.normalised()
        out: np.ndarray = 1.0 - w["sector"] * (~self.sector_known)
        if not self.meaning_known:
            out = out - w["meaning"]
        return np.where(out > 1e-12, out, 1.0)

    def effective_weight(self, weights: Weights, component: str) -> np.ndarray:
        """The weight a component carries in each cell after normalisation."""
        w = weights.normalised()[component] / self._denominator(weights)
        if component == "sector":
            w = np.where(self.sector_known, w, 0.0)
        if component == "meaning" and not self.meaning_known:
            w = np.zeros(self.shape)
        return np.asarray(np.broadcast_to(w, self.shape))

    def total(self, weights: Weights) -> np.ndarray:
        """Weighted total score in [0, 1], shape (n_rows, n_cols)."""
        w = weights.normalised()
        out = np.zeros(self.shape)
        for name in COMPONENTS:
            if name == "meaning" and not self.meaning_known:
                continue
            out += w[name] * self.components[name]
        out /= self._denominator(weights)
        return np.clip(out, 0.0, 1.0)

    def take(
        self, rows: Sequence[int] | np.ndarray, cols: Sequence[int] | np.ndarray
    ) -> ComponentScores:
        """The sub-matrices of the given rows and columns."""
        r, c = np.asarray(rows, dtype=int), np.asarray(cols, dtype=int)
        share = np.broadcast_to(self.sector_share, self.shape)
        return ComponentScores(
            {k: v[np.ix_(r, c)] for k, v in self.components.items()},
            share[np.ix_(r, c)],
            self.meaning_known,
        )


def _coverage(weight: np.ndarray, cover: np.ndarray) -> np.ndarray:
    """Share of each need's concept weight covered by each offer."""
    denom = weight.sum(axis=1, keepdims=True)
    out: np.ndarray = np.divide(
        weight @ cover.T, denom, out=np.zeros((weight.shape[0], cover.shape[0])), where=denom > 0
    )
    clipped: np.ndarray = np.clip(out, 0.0, 1.0)
    return clipped


def _focus(need_weight: np.ndarray, offer_weight: np.ndarray) -> np.ndarray:
    """Cosine of need and offer concept weights: how much each offer is about each need.

    Coverage asks whether the candidate covers the need; focus asks whether
    the need is what the candidate is about. A specialist who returns to the
    need's concepts again and again scores near 1, a generalist who names one
    of them among many other things scores low.

    Examples
    --------
    >>> need = np.array([[1.0, 0.0, 0.0]])
    >>> offers = np.array([[2.0, 0.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 0.0]])
    >>> _focus(need, offers).round(3).tolist()
    [[1.0, 0.577, 0.0]]
    """
    need_norm = np.linalg.norm(need_weight, axis=1, keepdims=True)
    offer_norm = np.linalg.norm(offer_weight, axis=1, keepdims=True)
    a = np.divide(need_weight, need_norm, out=np.zeros_like(need_weight), where=need_norm > 0)
    b = np.divide(offer_weight, offer_norm, out=np.zeros_like(offer_weight), where=offer_norm > 0)
    out: np.ndarray = np.clip(a @ b.T, 0.0, 1.0)
    return out


def score_components(
    needs: SideVectors,
    offers: SideVectors,
    capability: np.ndarray,
    candidate_readiness: np.ndarray,
    candidates: str = "offers",
    meaning: np.ndarray | None = None,
) -> ComponentScores:
    """Score every need against every offer, component by component.

    Parameters
    ----------
    needs, offers : SideVectors
        Vectors of the need texts (rows) and of the offer texts (columns).
    capability : ndarray of bool (n_concepts,)
        True for capability concepts, False for sector concepts.
    candidate_readiness : ndarray
        Readiness prior of each candidate: of the offers (columns) when
        ``candidates="offers"``, of the needs (rows) otherwise.
    candidates : {"offers", "needs"}
        Which side is being ranked.
    meaning : ndarray (n_needs, n_offers), optional
        The ``meaning`` component, already scaled to [0, 1] (see
        :class:`~matchmaker.vectors._meaning.MeaningScale`); None when no
        encoder is installed, and its weight then goes to the others.

    Returns
    -------
    ComponentScores
        Rows are needs, columns offers, whichever side is ranked.
    """
    sector = ~capability
    concept = _coverage(needs.weight[:, capability], offers.cover[:, capability])
    focus = _focus(needs.weight[:, capability], offers.weight[:, capability])
    sector_fit = _coverage(needs.weight[:, sector], offers.cover[:, sector])
    text = np.clip(np.asarray((needs.text @ offers.text.T).todense(), dtype=float), 0.0, 1.0)
    close = np.zeros(concept.shape) if meaning is None else np.array(meaning, dtype=float)
    if candidates == "offers":
        ready = np.broadcast_to(candidate_readiness[None, :], concept.shape).copy()
    else:
        ready = np.broadcast_to(candidate_readiness[:, None], concept.shape).copy()
    # Readiness is a prior on a relevant partner: it does not order
    # candidates that share no capability with the need.
    ready[concept <= 0] = 0.0
    blank = offers.empty[None, :] | needs.empty[:, None]
    for matrix in (concept, focus, sector_fit, text, close, ready):
        matrix[blank] = 0.0
    return ComponentScores(
        {
            "concept": concept,
            "focus": focus,
            "text": text,
            "meaning": close,
            "sector": sector_fit,
            "readiness": ready,
        },
        sector_share=_share(needs.weight, sector)[:, None],
        meaning_known=meaning is not None,
    )


def _share(weight: np.ndarray, sector: np.ndarray) -> np.ndarray:
    """Share of each need's concept weight that lies on sector concepts."""
    total = weight.sum(axis=1)
    out: np.ndarray = np.divide(
        weight[:, sector].sum(axis=1), total, out=np.zeros(len(total)), where=total > 0
    )
    return out


def strengths(probability: np.ndarray, *, strong: float, moderate: float) -> np.ndarray:
    """Label each pair by its calibrated probability of being a good partner.

    ``strong`` from ``strong`` up, ``moderate`` from ``moderate`` up, ``weak``
    below. Down one ranking the probability is capped by the ones above it
    (:func:`~matchmaker.ranking._calibration.never_rising`), so within one
    shortlist a label never rises as rank falls.

    Examples
    --------
    >>> strengths(np.array([0.9, 0.45, 0.1]), strong=0.6, moderate=0.3).tolist()
    ['strong', 'moderate', 'weak']
    """
    p = np.asarray(probability)
    labels = np.full(p.shape, "weak", dtype=object)
    labels[p >= moderate] = "moderate"
    labels[p >= strong] = "strong"
    return labels
