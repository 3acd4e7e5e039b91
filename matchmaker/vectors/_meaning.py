"""Statement embeddings: what each side of a profile means, statement by statement.

Part of the vectorising step (profiles -> **vectors** -> component scores).
Every statement of a profile (summary, offers, needs, technologies) is
embedded once by a text :class:`~matchmaker.vectors._encoders.Encoder`; a
query is embedded whole. The ``meaning`` component then asks how close the
query is to the candidate's *closest* statement: a partner that does one
thing well among many should not be averaged away by the rest of its
profile. Embeddings are looked up before they are computed, in the
embeddings shipped for the bundled catalogue and in a cache on disk
(:mod:`._embedding_cache`), so a second run does no model work for
unchanged profiles.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..catalogue._schema import Profile
from ._embedding_cache import EmbeddingStore
from ._encoders import Encoder, check_vectors

__all__ = [
    "MeaningScale",
    "StatementVectors",
    "closest_statements",
    "embed",
    "profile_statements",
    "split_statements",
]

_DEMAND_KINDS = ("sector_demand", "policy_priority")
_STATEMENT_END = re.compile(r"(?<=[.!?;])\s+|(?<=[。！？；])|\n+")
#: Texts are embedded in batches of this many, so progress can be shown and
#: memory stays bounded however large the catalogue.
BATCH = 64


def split_statements(text: str) -> list[str]:
    """Split a free text into statements (sentences and lines).

    Examples
    --------
    >>> split_statements("Laser cladding. Thermal spraying of shafts\\n激光熔覆。热喷涂")
    ['Laser cladding.', 'Thermal spraying of shafts', '激光熔覆。', '热喷涂']
    """
    return [s.strip() for s in _STATEMENT_END.split(text) if s and s.strip()]


def profile_statements(profile: Profile, side: str) -> list[str]:
    """The statements one side of a profile makes, each compared on its own.

    Offers: the summary, each offer and each technology. Needs: each need;
    for a market demand or policy priority, whose name and technologies
    state the need, those too.

    Examples
    --------
    >>> p = Profile(id="x", name="X", country="GB", kind="company",
    ...             summary="Engine remanufacturer.", offers=["laser cladding"],
    ...             technologies=["thermal spray"], sources=[{"document": "d", "section": "s"}])
    >>> profile_statements(p, "offers")
    ['Engine remanufacturer.', 'laser cladding', 'thermal spray']
    >>> profile_statements(p, "needs")
    []
    """
    demand = profile.kind in _DEMAND_KINDS
    if side == "offers":
        parts = [profile.summary, *profile.offers] + ([] if demand else [*profile.technologies])
        if demand and not profile.offers:
            parts = []
    elif side == "needs":
        parts = (
            [profile.name, *profile.needs, *profile.technologies] if demand else [*profile.needs]
        )
    else:
        raise ValueError(f"The 'side' parameter must be 'offers' or 'needs'. Got {side!r} instead.")
    return list(dict.fromkeys(p.strip() for p in parts if p and p.strip()))


@dataclass
class StatementVectors:
    """Unit embeddings of many owners' statements, stored owner by owner.

    Attributes
    ----------
    vectors : ndarray (n_statements, dim) float32
    owner : ndarray of int (n_statements,)
        Which owner (a profile's row) each statement belongs to; non-decreasing.
    texts : list of str
        The statements, in the same order.
    n_owners : int
    """

    vectors: np.ndarray
    owner: np.ndarray
    texts: list[str]
    n_owners: int

    @classmethod
    def build(
        cls,
        statements: Sequence[Sequence[str]],
        encoder: Encoder,
        store: EmbeddingStore | None,
        progress: object = None,
    ) -> StatementVectors:
        """Embed every owner's statements (as passages)."""
        texts = [s for group in statements for s in group]
        owner = np.array([i for i, group in enumerate(statements) for _ in group], dtype=np.int64)
        vectors = embed(encoder, texts, role="passage", store=store)
        return cls(vectors, owner, texts, len(statements))

    def of(self, owner: int) -> tuple[list[str], np.ndarray]:
        """The statements of one owner and their vectors."""
        lo, hi = np.searchsorted(self.owner, [owner, owner + 1])
        return self.texts[lo:hi], self.vectors[lo:hi]

    def take(self, owners: Sequence[int] | np.ndarray) -> StatementVectors:
        """The statements of some owners only, renumbered 0.. in the order given."""
        owners = np.asarray(owners, dtype=np.int64)
        bounds = np.searchsorted(self.owner, np.stack([owners, owners + 1]))
        pieces = [np.arange(lo, hi, dtype=np.int64) for lo, hi in bounds.T]
        rows = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)
        new_owner = np.repeat(np.arange(len(owners)), bounds[1] - bounds[0])
        return StatementVectors(
            self.vectors[rows], new_owner, [self.texts[r] for r in rows], len(owners)
        )


def embed(
    encoder: Encoder, texts: Sequence[str], *, role: str, store: EmbeddingStore | None
) -> np.ndarray:
    """Unit embeddings of ``texts``: looked up in ``store`` first, the rest encoded and saved.

    Duplicate texts are encoded once. Empty texts get a zero vector.
    """
    texts = list(texts)
    out = np.zeros((len(texts), encoder.dimension), dtype=np.float32)
    unique = list(dict.fromkeys(t for t in texts if t.strip()))
    found = store.lookup(encoder.name, role, unique) if store is not None else {}
    missing = [t for t in unique if t not in found]
    for start in range(0, len(missing), BATCH):
        batch = missing[start : start + BATCH]
        vectors = check_vectors(encoder, batch, encoder.encode(batch, role=role))
        found.update(zip(batch, vectors, strict=True))
        if store is not None:
            store.save(encoder.name, role, batch, vectors)
    for i, t in enumerate(texts):
        if t in found:
            out[i] = found[t]
    return out


def closest_statements(
    queries: np.ndarray, candidates: StatementVectors
) -> tuple[np.ndarray, np.ndarray]:
    """Cosine of each query with each candidate's closest statement, and which statement.

    Parameters
    ----------
    queries : ndarray (n_queries, dim)
        Unit vectors (a zero row for an empty query).
    candidates : StatementVectors
        ``n_owners`` candidates.

    Returns
    -------
    cosine : ndarray (n_queries, n_owners)
        Rounded to 1e-6, so float noise from batching or another BLAS cannot
        reorder candidates; 0 for a candidate with no statement.
    which : ndarray of int (n_queries, n_owners)
        Index into ``candidates.texts`` of the closest statement (-1 if none).

    Examples
    --------
    >>> e = np.eye(3, dtype=np.float32)
    >>> cands = StatementVectors(e[[1, 0, 2]], np.array([0, 1, 1]), ["b", "a", "c"], 2)
    >>> cos, which = closest_statements(e[:1], cands)
    >>> cos.tolist(), which.tolist()
    ([[0.0, 1.0]], [[0, 1]])
    """
    n_q, n_c = queries.shape[0], candidates.n_owners
    cosine = np.zeros((n_q, n_c))
    which = np.full((n_q, n_c), -1, dtype=np.int64)
    if not len(candidates.owner) or not n_q:
        return cosine, which
    sims = np.asarray(queries, dtype=np.float32) @ candidates.vectors.T
    starts = np.flatnonzero(np.r_[True, candidates.owner[1:] != candidates.owner[:-1]])
    owners = candidates.owner[starts]
    best = np.maximum.reduceat(sims, starts, axis=1)
    cosine[:, owners] = best
    # The first statement reaching the maximum, owner by owner.
    ends = np.r_[starts[1:], len(candidates.owner)]
    for k, (lo, hi) in enumerate(zip(starts, ends, strict=True)):
        which[:, owners[k]] = lo + np.argmax(sims[:, lo:hi], axis=1)
    return np.round(cosine, 6), which


@dataclass(frozen=True)
class MeaningScale:
    """How unusual a closeness in meaning is for this catalogue.

    Raw cosines of sentence models crowd together (0.75 to 0.9 for e5), so
    the ``meaning`` component reads a cosine against the catalogue's own
    background: the closest-statement cosines of its needs against its
    offers. ``centre`` is their median and ``spread`` the distance from the
    median to their 99.5th percentile; a cosine at the median or below scores
    0, one as far above the median as the 99.5th percentile scores 1.

    Examples
    --------
    >>> scale = MeaningScale.fit(np.array([0.70, 0.75, 0.80, 0.85, 0.90]))
    >>> scale.component(np.array([0.5, 0.8, 1.0])).round(3).tolist()
    [0.0, 0.0, 1.0]
    >>> round(scale.percentile(0.85), 2)
    0.6
    """

    centre: float
    spread: float
    background: tuple[float, ...]

    #: Upper percentile of the background that scores 1.
    TOP = 99.5

    @classmethod
    def fit(cls, cosines: np.ndarray) -> MeaningScale:
        """Read the background distribution (at most 20,000 values are kept, evenly spaced)."""
        values = np.sort(np.asarray(cosines, dtype=float).ravel())
        if not len(values):
            return cls(0.0, 1.0, ())
        centre = float(np.median(values))
        spread = float(np.percentile(values, cls.TOP)) - centre
        keep = values[np.linspace(0, len(values) - 1, min(len(values), 20_000)).astype(int)]
        return cls(centre, spread if spread > 1e-6 else 1.0, tuple(float(v) for v in keep))

    def component(self, cosine: np.ndarray) -> np.ndarray:
        """The ``meaning`` component in [0, 1]: 0 at the median or below, 1 at the top."""
        out: np.ndarray = np.clip((np.asarray(cosine) - self.centre) / self.spread, 0.0, 1.0)
        return np.round(out, 6)

    def percentile(self, cosine: float) -> float:
        """Share of the catalogue's need-offer pairs that are less close than this."""
        if not self.background:
            return 0.0
        return float(np.searchsorted(self.background, cosine, side="left")) / len(self.background)
