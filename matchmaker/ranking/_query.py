"""What was asked: a query's text, where it came from, and its vectors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..vectors._taxonomy import Tag

__all__ = ["Query"]


@dataclass(frozen=True)
class Query:
    """What was asked: the need (or offer) text and where it came from."""

    text: str
    label: str
    profile_id: str | None
    country: str | None
    direction: str
    tags: list[Tag]
    vector: sp.csr_matrix
    meaning: np.ndarray | None = None
    """The query's unit embedding (1, dim), when a meaning encoder is on."""
    note: str = ""
