"""What a shortlist and an explanation read from a fitted engine.

A shortlist is built from what the engine hands it: the engine passes
itself, typed as this protocol, so the modules below it never import it.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from ..catalogue._catalogue import Catalogue
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

    def _feature_names(self) -> np.ndarray: ...
