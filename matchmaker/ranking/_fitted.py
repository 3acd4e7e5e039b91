"""What a shortlist and an explanation read from a fitted engine.

A shortlist is built from what the engine hands it: the engine passes
itself, typed as this protocol, so the modules below it never import it.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from ..catalogue._catalogue import Catalogue
from ..vectors._encoders import Encoder
from ..vectors._meaning import MeaningScale, StatementVectors
from ..vectors._vectorizer import ProfileVectorizer, SideVectors
from ._weights import Weights


class FittedEngine(Protocol):
    """The fitted state of a :class:`~matchmaker.Matchmaker` that ranking results read."""

    catalogue_: Catalogue
    vectorizer_: ProfileVectorizer
    offers_: SideVectors
    needs_: SideVectors
    position_: dict[str, int]
    weights_: Weights
    encoder_: Encoder | None
    meaning_status_: str
    offer_statements_: StatementVectors | None
    need_statements_: StatementVectors | None
    need_queries_: np.ndarray | None
    meaning_scale_: MeaningScale | None

    def _feature_names(self) -> np.ndarray: ...

    def thresholds(self) -> dict[str, float]: ...

    def nearest_concepts(self, vector: np.ndarray, *, n: int = 3) -> list[str]: ...
