"""First stage of matching: the candidate partners of each need, without scoring every pair.

Matching a catalogue is two stages. This module is the first: for a block of
needs it returns, per need, the offers worth scoring exactly, as the union of

* the top ``n_candidates`` by a **lexical score**: one sparse inner product
  that equals the engine's weighted ``concept + focus + sector + text``
  (plus the readiness prior as if every offer shared a capability), computed
  by ``sparse_dot_topn`` without ever holding the needs x offers product;
* when the meaning component is on, the same lexical score plus the weighted
  ``meaning`` component, and the cosine of the need with each offer's closest
  statement alone: each its top ``n_candidates``, computed exactly in blocks
  of needs (no index). Without the combined score a partner that is fairly
  close on both signals but top on neither is missed: on 10,000 synthetic
  profiles the union of the two separate lists held 85% of the exhaustive
  top 10, the combined one 99.9%.

The second stage (:meth:`Matchmaker.match`) scores those candidates exactly,
component by component. How often this union holds the exhaustive top 10 is
measured in ``benchmarks/bench_scale.py`` and floored by a test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..vectors._meaning import MeaningScale, StatementVectors
from ..vectors._vectorizer import SideVectors
from ._weights import Weights

__all__ = ["Retriever", "block_size", "closest_cosine"]

#: Default candidates per need and per signal (lexical, meaning); see docs/matching.md.
N_CANDIDATES = 50
#: Default working memory of one block of needs, in bytes.
MEMORY_BUDGET = 256 * 2**20


def block_size(n_columns: int, *, bytes_per_cell: int, memory: int) -> int:
    """How many needs fit in one block: ``memory`` over the cost of one row.

    Examples
    --------
    >>> block_size(1_000, bytes_per_cell=100, memory=1_000_000)
    10
    >>> block_size(10**9, bytes_per_cell=100, memory=1_000_000)
    1
    """
    return max(1, int(memory) // max(1, int(n_columns) * int(bytes_per_cell)))


def closest_cosine(queries: np.ndarray, candidates: StatementVectors) -> np.ndarray:
    """Cosine of each query with each candidate's closest statement (0 for none).

    The same values as :func:`~matchmaker.vectors._meaning.closest_statements`
    without saying which statement, so it needs no loop over candidates.

    Examples
    --------
    >>> e = np.eye(3, dtype=np.float32)
    >>> cands = StatementVectors(e[[1, 0, 2]], np.array([0, 1, 1]), ["b", "a", "c"], 2)
    >>> closest_cosine(e[:1], cands).tolist()
    [[0.0, 1.0]]
    """
    out = np.zeros((queries.shape[0], candidates.n_owners))
    if not len(candidates.owner) or not queries.shape[0]:
        return out
    sims = np.asarray(queries, dtype=np.float32) @ candidates.vectors.T
    starts = np.flatnonzero(np.r_[True, candidates.owner[1:] != candidates.owner[:-1]])
    out[:, candidates.owner[starts]] = np.maximum.reduceat(sims, starts, axis=1)
    rounded: np.ndarray = np.round(out, 6)
    return rounded


def _rows_scaled(matrix: np.ndarray, norm: str) -> sp.csr_matrix:
    """Rows divided by their sum (``"sum"``) or their length (``"l2"``), as CSR."""
    m = np.asarray(matrix, dtype=np.float64)
    size = m.sum(axis=1) if norm == "sum" else np.linalg.norm(m, axis=1)
    scale = np.divide(1.0, size, out=np.zeros_like(size), where=size > 0)
    return sp.csr_matrix(m * scale[:, None])


def lexical_features(
    side: SideVectors,
    capability: np.ndarray,
    weights: Weights,
    *,
    role: str,
    readiness: np.ndarray | None = None,
) -> sp.csr_matrix:
    """Sparse rows whose inner products are the lexical part of the total.

    For ``role="needs"`` the concept weights are scaled as the ``concept``,
    ``focus`` and ``sector`` components scale them, times the component
    weights; for ``role="offers"`` the rows hold what those components read
    of an offer (cover, unit concept weights, TF-IDF), and the readiness prior.
    """
    sector = ~capability
    w = weights.normalised()
    cap, sec = side.weight[:, capability], side.weight[:, sector]
    ones = (~side.empty).astype(np.float64)[:, None]
    if role == "needs":
        blocks = [
            w["concept"] * _rows_scaled(cap, "sum"),
            w["focus"] * _rows_scaled(cap, "l2"),
            w["sector"] * _rows_scaled(sec, "sum"),
            w["text"] * sp.csr_matrix(side.text),
            w["readiness"] * sp.csr_matrix(ones),
        ]
    else:
        assert readiness is not None
        blocks = [
            sp.csr_matrix(side.cover[:, capability]),
            _rows_scaled(cap, "l2"),
            sp.csr_matrix(side.cover[:, sector]),
            sp.csr_matrix(side.text),
            sp.csr_matrix(readiness[:, None] * ones),
        ]
    out: sp.csr_matrix = sp.hstack(blocks, format="csr", dtype=np.float64)
    out.eliminate_zeros()
    return out


@dataclass
class Retriever:
    """Candidate offers for needs: lexical top-n, meaning top-n, their union.

    Attributes
    ----------
    needs : csr_matrix (n_profiles, n_features)
        Lexical features of every profile's needs (:func:`lexical_features`).
    offers : csr_matrix (n_profiles, n_features)
        Lexical features of every profile's offers.
    has_offers : ndarray of bool (n_profiles,)
        Profiles that state offers: the only possible candidates.
    need_queries : ndarray (n_profiles, dim) or None
        Meaning embedding of every profile's need text; None when meaning is off.
    offer_statements : StatementVectors or None
        Embeddings of every profile's offer statements.
    meaning_scale : MeaningScale or None
        How the engine turns a cosine into the ``meaning`` component.
    meaning_weight : float
        The normalised weight of ``meaning`` in the total.
    n_candidates : int
        Candidates kept per need from each signal.
    memory : int
        Working memory of one block of needs, in bytes.
    n_threads : int, optional
        Threads for the sparse products; None runs them in this thread.
    """

    needs: sp.csr_matrix
    offers: sp.csr_matrix
    has_offers: np.ndarray
    need_queries: np.ndarray | None
    offer_statements: StatementVectors | None
    meaning_scale: MeaningScale | None = None
    meaning_weight: float = 0.0
    n_candidates: int = N_CANDIDATES
    memory: int = MEMORY_BUDGET
    n_threads: int | None = None
    _every_offer: sp.csr_matrix | None = field(default=None, repr=False)

    def candidates(self, rows: np.ndarray, allowed: np.ndarray | None = None) -> list[np.ndarray]:
        """The candidate offers of each need in ``rows``: sorted profile positions.

        Parameters
        ----------
        rows : ndarray of int
            Profile positions of the needs.
        allowed : ndarray of int, optional
            Profile positions the candidates are drawn from; every profile
            that states offers by default. A need is never its own candidate.
        """
        rows = np.asarray(rows, dtype=np.int64)
        queries = None if self.need_queries is None else self.need_queries[rows]
        return self.search(self.needs[rows], queries, allowed=allowed, exclude=rows)

    def search(
        self,
        lexical: sp.csr_matrix,
        meaning: np.ndarray | None,
        *,
        allowed: np.ndarray | None = None,
        exclude: np.ndarray | None = None,
    ) -> list[np.ndarray]:
        """Candidate offers for needs given as vectors: sorted profile positions.

        Parameters
        ----------
        lexical : csr_matrix (n_needs, n_features)
            The needs' lexical features (:func:`lexical_features`).
        meaning : ndarray (n_needs, dim) or None
            Their meaning embeddings; None searches by the lexical score only.
        allowed : ndarray of int, optional
            Profile positions the candidates are drawn from.
        exclude : ndarray of int, optional
            One position per need that is never its candidate (the need itself).
        """
        cols = np.flatnonzero(self.has_offers) if allowed is None else np.asarray(allowed)
        cols = np.unique(cols[self.has_offers[cols]])
        n_rows = lexical.shape[0]
        found: list[list[np.ndarray]] = [[] for _ in range(n_rows)]
        if not len(cols) or not n_rows:
            return [np.zeros(0, dtype=np.int64) for _ in range(n_rows)]
        known = meaning is not None and self.offer_statements is not None
        if len(cols) <= self.n_candidates + 1:  # few enough to score them all
            found = [[cols] for _ in range(n_rows)]
        elif known or not self._every(cols):
            self._dense(lexical, meaning if known else None, cols, found)
        else:
            self._lexical(lexical, cols, found)
        out = []
        for r, pieces in enumerate(found):
            picked = np.unique(np.concatenate(pieces)) if pieces else np.zeros(0, dtype=np.int64)
            out.append(picked if exclude is None else picked[picked != exclude[r]])
        return out

    def _every(self, cols: np.ndarray) -> bool:
        return len(cols) == int(self.has_offers.sum())

    def _offers_t(self) -> sp.csr_matrix:
        """Every offer's lexical features, transposed once."""
        if self._every_offer is None:
            self._every_offer = self.offers[self.has_offers].T.tocsr()
        return self._every_offer

    def _lexical(
        self, lexical: sp.csr_matrix, cols: np.ndarray, found: list[list[np.ndarray]]
    ) -> None:
        from sparse_dot_topn import sp_matmul_topn  # type: ignore[import-untyped]

        offers = self._offers_t()
        # One more than asked, so a need that is also an offer keeps n after dropping itself.
        top = sp_matmul_topn(lexical, offers, top_n=self.n_candidates + 1, n_threads=self.n_threads)
        top.sort_indices()
        for r in range(lexical.shape[0]):
            lo, hi = top.indptr[r], top.indptr[r + 1]
            found[r].append(cols[top.indices[lo:hi]])

    def _dense(
        self,
        lexical: sp.csr_matrix,
        queries: np.ndarray | None,
        cols: np.ndarray,
        found: list[list[np.ndarray]],
    ) -> None:
        """Top n among ``cols`` by lexical score and, with meaning, by cosine and by both.

        Exact, in blocks of needs: each block's products with every offer are
        held densely, so the block size follows from the memory budget.
        """
        every = np.flatnonzero(self.has_offers)
        where = np.searchsorted(every, cols)  # cols among every offer
        offers = self._offers_t()
        # The sparse product with every offer (indices, values) and its dense copy,
        # then four float64 rows over cols (lexical, cosine, component, combined).
        per_row = len(every) * 20 + len(cols) * 40
        statements = None
        if queries is not None:
            assert self.offer_statements is not None
            assert self.meaning_scale is not None
            statements = self.offer_statements
            per_row += max(1, len(statements.owner)) * 4 + statements.n_owners * 8
        size = block_size(1, bytes_per_cell=per_row, memory=self.memory)
        n = min(self.n_candidates + 1, len(cols))
        for start in range(0, lexical.shape[0], size):
            stop = min(start + size, lexical.shape[0])
            lex = (lexical[start:stop] @ offers).toarray()[:, where]
            signals = [lex]
            if queries is not None and statements is not None and self.meaning_scale is not None:
                cosine = closest_cosine(queries[start:stop], statements)[:, cols]
                both = lex + self.meaning_weight * self.meaning_scale.component(cosine)
                signals += [cosine, both]
            for values in signals:
                for r, idx in enumerate(_top(values, n)):
                    found[start + r].append(cols[idx])


def _top(values: np.ndarray, n: int) -> list[np.ndarray]:
    """Column positions of each row's ``n`` largest values; ties at the cut go to lower positions.

    So a need's candidates never depend on the block it is computed in.

    Examples
    --------
    >>> [t.tolist() for t in _top(np.array([[1.0, 3.0, 3.0, 2.0], [0.0, 0.0, 0.0, 1.0]]), 2)]
    [[1, 2], [0, 3]]
    """
    cut = -np.partition(-values, n - 1, axis=1)[:, n - 1 : n]
    above = values > cut
    at = values == cut
    room = n - above.sum(axis=1, keepdims=True)
    keep = above | (at & (np.cumsum(at, axis=1) <= room))
    rows, idx = np.nonzero(keep)
    return np.split(idx, np.searchsorted(rows, np.arange(1, len(values))))
